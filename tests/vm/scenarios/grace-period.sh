# When the program exits, the descendants it left behind get TERM and can
# run their handlers before pidone exits with the program's status (as PID
# 1, the kernel would otherwise SIGKILL them all on the way down).
PIDONE_ARGS='--grace-period 5s -- /t/main'
EXPECT_EXIT=7
EXPECT_CONSOLE='^orphan got TERM$'

guest_main() {
	sh -c 'trap "echo orphan got TERM; exit 0" TERM; echo orphan ready; while :; do sleep 0.1; done' &
	sleep 1
	exit 7
}
