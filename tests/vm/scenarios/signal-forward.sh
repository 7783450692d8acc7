# `kill -TERM 1` inside the machine reaches the program: the kernel drops
# signals with default action sent to PID 1, so this passes only because
# pidone blocks its signals and forwards them.
PIDONE_ARGS='-- /t/main'
EXPECT_EXIT=3
EXPECT_CONSOLE='^program got USR1$
^program got HUP$
^program got TERM$'

guest_main() {
	trap 'echo program got USR1' USR1
	trap 'echo program got HUP' HUP
	trap 'echo program got TERM; exit 3' TERM
	kill -USR1 1
	sleep 1
	kill -HUP 1
	sleep 1
	kill -TERM 1
	# Bounded: if nothing arrives the test fails on exit 0.
	sleep 10
	exit 0
}
