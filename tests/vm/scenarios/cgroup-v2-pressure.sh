# cgroup v2: --memory-high 32M --on-memory-pressure USR1 delivers USR1 to a
# program that grows past memory.high (the `high` count of memory.events,
# watched with inotify). memory.high only throttles: the program lives on
# (just past the threshold: far past it, the kernel throttles it for long).
REQUIRES=cgroups
CONTAINER=1
MEMORY=384
TIMEOUT=60
PIDONE_ARGS='-v -v --cgroup app --memory-high 32M --on-memory-pressure USR1 -- /t/main'
EXPECT_EXIT=0
EXPECT_CONSOLE='^memory.high 33554432$
^pidone: memory-high crossed; sending SIGUSR1 to the program$
^got USR1$
^done$'

guest_main() {
	trap 'echo "got USR1"' USR1
	echo "memory.high $(cat /sys/fs/cgroup/app/memory.high)"
	dd if=/dev/zero of=/dev/null bs=33M count=1 2>/dev/null
	sleep 1
	echo done
}
