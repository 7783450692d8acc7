# The harness fails a scenario whose console lacks an expected line.
PIDONE_ARGS='-- sh -c "echo something else"'
EXPECT_EXIT=0
EXPECT_CONSOLE='^never printed$'
SELFTEST_REASON='console lacks /\^never printed\$/'
