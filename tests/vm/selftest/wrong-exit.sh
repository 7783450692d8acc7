# The harness fails a scenario whose exit status differs.
PIDONE_ARGS='-- sh -c "exit 3"'
EXPECT_EXIT=4
SELFTEST_REASON='pidone ended with exit 3, expected exit 4'
