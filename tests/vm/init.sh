#!/bin/sh
# /init of the test VM (busybox sh). The kernel runs it as PID 1 with fds
# 0-2 on the console; it prepares the machine the way a container runtime
# would, then execs pidone, so pidone is PID 1 of the kernel.
#   /t/config       written by the harness: SCENARIO, CONTAINER, CGROUP_NAME, REQUIRES
#   /t/scenario.sh  the scenario file itself (variables and functions)
#   /t/main         runs the scenario's guest_main function: a program for pidone
export PATH=/sbin:/usr/sbin:/bin:/usr/bin HOME=/root
say() { echo "PIDONE-VM: $*"; }

if [ "$1" != inside ]; then
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	mount -t tmpfs tmpfs /tmp
	mount -t cgroup2 cgroup2 /sys/fs/cgroup
	. /t/config
	if [ "$CONTAINER" = 1 ]; then
		# Like a container: controllers delegated to our own cgroup, which
		# is the root of our cgroup namespace and of the cgroup2 mount.
		for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
			echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null ||
				say "note: cannot enable controller $c at the root"
		done
		mkdir -p "/sys/fs/cgroup/$CGROUP_NAME"
		echo $$ >"/sys/fs/cgroup/$CGROUP_NAME/cgroup.procs"
		exec /bin/cgns /bin/sh /init inside
	fi
fi

. /t/config
if [ "$1" = inside ]; then
	umount /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup ||
		say "note: cannot remount cgroup2 inside the cgroup namespace"
	say "container cgroup $(cat /proc/self/cgroup), controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
fi

# A feature the binary was built without: skip, with the binary's own words.
for feature in $REQUIRES; do
	case $feature in
	seccomp) probe="--seccomp default" ;;
	cgroups) probe="--pids-max 64" ;;
	*) say "SKIP unknown requirement $feature"; exit 0 ;;
	esac
	/sbin/pidone $probe -- true 2>/tmp/probe
	if grep -q 'not available in this build' /tmp/probe; then
		say "SKIP needs $feature: $(head -1 /tmp/probe)"
		exit 0
	fi
done

. /t/scenario.sh
if command -v guest_setup >/dev/null 2>&1; then
	guest_setup || { say "ERROR guest_setup failed"; exit 1; }
fi
say "exec pidone $PIDONE_ARGS"
eval "exec /sbin/pidone $PIDONE_ARGS"
