# cgroup v2: a fork bomb under --pids-max 20 is held: fork fails with
# EAGAIN once the cgroup has 20 tasks (this shell, the bomb's shell and 18
# sleeps); pidone survives and exits with the program's own status.
REQUIRES=cgroups
CONTAINER=1
PIDONE_ARGS='--cgroup app --pids-max 20 -- /t/main'
EXPECT_EXIT=7
EXPECT_CONSOLE='^pids.max 20$
^forked 18$
^bomb: .*Resource temporarily unavailable'

guest_main() {
	echo "pids.max $(cat /sys/fs/cgroup/app/pids.max)"
	# busybox sh gives up at the first failed fork: that is the bomb.
	sh -c 'while :; do sleep 30 & echo started; done' >/tmp/started 2>/tmp/err
	n=0
	while read -r _; do n=$((n + 1)); done </tmp/started
	echo "forked $n"
	while read -r line; do echo "bomb: $line"; done </tmp/err
	killall sleep
	exit 7
}
