# A program SIGKILLed (not by the OOM killer): exit 137, no OOM line, and
# the cgroup is still removed, pidone's leaf too.
REQUIRES=cgroups
CONTAINER=1
PIDONE_ARGS='-v -v -v --cgroup app --memory-max 64M --pids-max 10 -- /t/main'
EXPECT_EXIT=137
EXPECT_CONSOLE='^pidone: debug: removed cgroup /sys/fs/cgroup/app$
^pidone: debug: moved pidone back and removed /sys/fs/cgroup/pidone-self-1$'
EXPECT_NO_CONSOLE='OOM
warning'

guest_main() {
	sleep 30 &
	kill -9 $$
}
