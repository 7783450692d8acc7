# The same program well below memory.high hears nothing.
REQUIRES=cgroups
CONTAINER=1
PIDONE_ARGS='--cgroup app --memory-high 128M --on-memory-pressure USR1 -- /t/main'
EXPECT_EXIT=0
EXPECT_CONSOLE='^done$'
EXPECT_NO_CONSOLE='got USR1'

guest_main() {
	trap 'echo "got USR1"' USR1
	dd if=/dev/zero of=/dev/null bs=8M count=2 2>/dev/null
	sleep 1
	echo done
}
