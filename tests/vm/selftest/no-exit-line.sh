# A machine that stops without PID 1 exiting leaves no status to judge.
PIDONE_ARGS='-- poweroff -f'
EXPECT_EXIT=0
SELFTEST_REASON="no 'Attempted to kill init!' line"
