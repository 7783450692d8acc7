# A death by signal is not taken for an exit code: 128+9 from pidone is
# "exit 137", and the harness would only see "signal 9" if pidone died.
PIDONE_ARGS='-- sh -c "kill -KILL \$\$"'
EXPECT_SIGNAL=9
SELFTEST_REASON='pidone ended with exit 137, expected signal 9'
