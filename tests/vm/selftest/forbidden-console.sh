# The harness fails a scenario whose console has a forbidden line.
PIDONE_ARGS='-- sh -c "echo zombie 12 1"'
EXPECT_EXIT=0
EXPECT_NO_CONSOLE='^zombie '
SELFTEST_REASON='console has /\^zombie /'
