# docker/confined.Dockerfile run as written, where a container runs: in a
# cgroup of its own with the controllers delegated (this host's cgroups are
# v1, so scripts/docker-check.py leaves this example to the VM), and
# stopped as docker stop does, with TERM from outside the container.
CONTAINER=1
REQUIRES="seccomp cgroups user caps"
FILES='docker/app.sh:/app/app.sh'
if [ "$VM_SIDE" = host ]; then
	argv=$(scripts/docker-check.py --argv docker/confined.Dockerfile) || exit 1
	# The ENTRYPOINT starts with /sbin/pidone, which /init execs itself.
	PIDONE_ARGS=${argv#/sbin/pidone }
fi
STOP_AFTER=4
EXPECT_EXIT=0
EXPECT_CONSOLE='^app: started as PID [0-9]+, parent 1, uid 65534, Seccomp: 2$
^app: ready$
^app: TERM received, shutting down$'
