# pidone's cgroup was given no controllers (nothing enabled in its parent's
# cgroup.subtree_control): exit 125 with one line that says so.
REQUIRES=cgroups
PIDONE_ARGS='--cgroup app --pids-max 10 -- /t/main'
EXPECT_EXIT=125
EXPECT_CONSOLE='^pidone: cgroup: the pids controller is not available in /sys/fs/cgroup/box \(it offers: none\); the parent cgroup must delegate it'
EXPECT_NO_CONSOLE='^PROGRAM RAN$'

guest_setup() {
	mkdir /sys/fs/cgroup/box && echo $$ >/sys/fs/cgroup/box/cgroup.procs
}

guest_main() {
	echo "PROGRAM RAN"
}
