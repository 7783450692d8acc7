# A failing guest_setup fails the scenario; pidone is never started.
PIDONE_ARGS='-- true'
EXPECT_EXIT=0
SELFTEST_REASON='PIDONE-VM: ERROR guest_setup failed'

guest_setup() {
	false
}
