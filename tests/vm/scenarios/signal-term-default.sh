# TERM to PID 1 with a program that does not handle it: the program dies
# of it and pidone exits 143.
PIDONE_ARGS='-- sh -c "kill -TERM 1; sleep 10; exit 0"'
EXPECT_EXIT=143
