# /init stopping the machine before it execs pidone is a failure too.
PIDONE_ARGS='-- true'
EXPECT_EXIT=0
SELFTEST_REASON='/init never reached pidone'

guest_setup() {
	poweroff -f
	sleep 10
}
