# SIGSEGV kills the program: 139, and pidone itself survives to say so.
PIDONE_ARGS='-- sh -c "kill -SEGV \$\$"'
EXPECT_EXIT=139
