# Another process shares pidone's cgroup (pidone is not the container's only
# process): it cannot delegate controllers to a child cgroup (no internal
# processes), so it fails closed, exit 125, and puts itself back.
REQUIRES=cgroups
CONTAINER=1
PIDONE_ARGS='-v -v -v --cgroup app --pids-max 10 -- /t/main'
EXPECT_EXIT=125
EXPECT_CONSOLE='^pidone: cgroup: other processes share pidone.s cgroup /sys/fs/cgroup, so it cannot delegate
^pidone: debug: moved pidone back and removed /sys/fs/cgroup/pidone-self-1$'
EXPECT_NO_CONSOLE='^PROGRAM RAN$'

guest_setup() {
	sleep 60 &
}

guest_main() {
	echo "PROGRAM RAN"
}
