# A program that succeeds: the kernel sees init exit with 0, and the program
# sees pidone, the kernel's PID 1, as its parent.
PIDONE_ARGS='-- sh -c "echo my parent is \$PPID"'
EXPECT_EXIT=0
EXPECT_CONSOLE='^my parent is 1$'
