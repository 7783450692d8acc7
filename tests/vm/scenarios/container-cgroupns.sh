# The harness's container mode: pidone starts in /container, which is the
# root of its cgroup namespace, with the controllers delegated to it.
CONTAINER=1
PIDONE_ARGS='-- /t/main'
EXPECT_EXIT=0
EXPECT_CONSOLE='^PIDONE-VM: container cgroup 0::/
^cgroup: 0::/$
^controllers:.* memory
^controllers:.* pids'

guest_main() {
	echo "cgroup: $(cat /proc/self/cgroup)"
	echo "controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
}
