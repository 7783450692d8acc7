# `kill -SIG 1` inside the machine reaches the program: the kernel drops
# signals with default action sent to PID 1, so this passes only because
# pidone blocks its signals and forwards them.
PIDONE_ARGS='-- /t/main'
EXPECT_EXIT=3
EXPECT_CONSOLE='^program got USR1$
^program got HUP$
^program got TERM$'

guest_main() {
	trap 'echo program got USR1; : >/tmp/USR1' USR1
	trap 'echo program got HUP; : >/tmp/HUP' HUP
	trap 'echo program got TERM; exit 3' TERM
	for sig in USR1 HUP TERM; do
		kill -$sig 1
		# busybox sh runs a trap between commands: poll, bounded (5 s).
		i=0
		while [ ! -e /tmp/$sig ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	done
	exit 0
}
