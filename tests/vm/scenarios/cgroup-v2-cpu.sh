# cgroup v2: --cpus 0.5 writes cpu.max "50000 100000" (read back by the
# program) and a busy loop is throttled (cpu.stat nr_throttled grows).
REQUIRES=cgroups
CONTAINER=1
PIDONE_ARGS='--cgroup app --cpus 0.5 -- /t/main'
EXPECT_EXIT=0
EXPECT_CONSOLE='^cpu.max 50000 100000$
^in 0::/app$
^throttled [1-9][0-9]*$'

guest_main() {
	echo "cpu.max $(cat /sys/fs/cgroup/app/cpu.max)"
	echo "in $(cat /proc/self/cgroup)"
	yes >/dev/null &
	sleep 2
	kill $!
	echo "throttled $(grep nr_throttled /sys/fs/cgroup/app/cpu.stat | cut -d' ' -f2)"
}
