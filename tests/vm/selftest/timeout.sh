# Every boot is bounded: a program that never ends fails on the timeout.
PIDONE_ARGS='-- sleep 600'
EXPECT_EXIT=0
TIMEOUT=6
SELFTEST_REASON='timed out after 6s'
