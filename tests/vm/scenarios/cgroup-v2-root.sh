# pidone in the real root cgroup (no container): the root may hold
# processes and delegate, so pidone stays where it is; the child is in
# /pidone-1 (the default name) with its limit.
REQUIRES=cgroups
PIDONE_ARGS='-v -v -v --pids-max 30 -- /t/main'
EXPECT_EXIT=0
EXPECT_CONSOLE='^pidone in 0::/$
^program in 0::/pidone-1$
^pids.max 30$
^pidone: debug: removed cgroup /sys/fs/cgroup/pidone-1$'
EXPECT_NO_CONSOLE='moved pidone'

guest_main() {
	echo "pidone in $(cat /proc/1/cgroup)"
	echo "program in $(cat /proc/self/cgroup)"
	echo "pids.max $(cat /sys/fs/cgroup/pidone-1/pids.max)"
}
