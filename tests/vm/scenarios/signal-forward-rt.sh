# Real-time and "fault" signals sent to the kernel's PID 1 reach the program
# too (as `docker kill -s ABRT` would), and pidone itself survives them.
PIDONE_ARGS='-- /t/main'
EXPECT_EXIT=0
EXPECT_CONSOLE='^program got 40$
^program got ABRT$
^program got SEGV$
^program got INT$'

guest_main() {
	for sig in 40 ABRT SEGV INT; do
		trap "echo program got $sig; : >/tmp/got-$sig" $sig
	done
	for sig in 40 ABRT SEGV INT; do
		kill -$sig 1
		# busybox sh runs a trap between commands: poll, bounded (5 s).
		i=0
		while [ ! -e /tmp/got-$sig ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	done
	exit 0
}
