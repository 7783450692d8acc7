# The program's exit code becomes the kernel's init exit code.
PIDONE_ARGS='-- sh -c "exit 42"'
EXPECT_EXIT=42
