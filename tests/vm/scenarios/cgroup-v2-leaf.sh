# cgroup v2 in a container's cgroup namespace: pidone's own cgroup (/) holds
# pidone, so before enabling controllers for its child it moves itself into
# a leaf of its own (no internal processes); the child is in /app; at the
# end pidone removes /app, moves back and removes its leaf, warning-free.
REQUIRES=cgroups
CONTAINER=1
PIDONE_ARGS='-v -v -v --cgroup app --pids-max 50 --memory-max 64M -- /t/main'
EXPECT_EXIT=0
EXPECT_CONSOLE='^pidone: debug: moved pidone into /sys/fs/cgroup/pidone-self-1 \(no internal processes\)$
^pidone in 0::/pidone-self-1$
^program in 0::/app$
^subtree_control has memory pids$
^pidone: debug: removed cgroup /sys/fs/cgroup/app$
^pidone: debug: moved pidone back and removed /sys/fs/cgroup/pidone-self-1$'
EXPECT_NO_CONSOLE='warning'

guest_main() {
	echo "pidone in $(cat /proc/1/cgroup)"
	echo "program in $(cat /proc/self/cgroup)"
	on=$(cat /sys/fs/cgroup/cgroup.subtree_control)
	m=; p=
	for c in $on; do
		[ "$c" = memory ] && m=memory
		[ "$c" = pids ] && p=pids
	done
	echo "subtree_control has $m $p"
}
