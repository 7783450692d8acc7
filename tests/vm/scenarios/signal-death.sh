# A program killed by a signal: pidone exits 128+signal (SIGKILL: 137).
PIDONE_ARGS='-- sh -c "kill -KILL \$\$"'
EXPECT_EXIT=137
