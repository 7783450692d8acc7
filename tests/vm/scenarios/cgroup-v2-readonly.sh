# A read-only cgroup filesystem (Docker's default without a private,
# writable cgroup): pidone exits 125 with one line, the program never runs.
REQUIRES=cgroups
CONTAINER=1
PIDONE_ARGS='--cgroup app --memory-max 32M -- /t/main'
EXPECT_EXIT=125
EXPECT_CONSOLE='^pidone: cgroup: .*Read-only file system.*docker run --memory'
EXPECT_NO_CONSOLE='^PROGRAM RAN$'

guest_setup() {
	mount -o remount,ro /sys/fs/cgroup
}

guest_main() {
	echo "PROGRAM RAN"
}
