# PROGRAM not found: 127, one line on stderr, and the kernel sees init exit 127.
PIDONE_ARGS='-- /no/such/program'
EXPECT_EXIT=127
EXPECT_CONSOLE='^pidone: .*/no/such/program'
