# The app confined by pidone itself: the built-in seccomp allowlist, no
# capabilities, the nobody user, and cgroup limits for the app (below
# pidone's own cgroup), with TERM sent to it when memory pressure builds.
#   docker build -f docker/confined.Dockerfile -t app-confined docker/
#   docker run --rm app-confined
# The cgroup limits need a cgroup v2 that the container may write to (its
# own cgroup namespace and a writable /sys/fs/cgroup, as with
# `docker run --cgroupns=private` on a host that delegates controllers, or
# Podman/systemd with Delegate=yes). Without them, drop the four limit
# options: pidone refuses to start the app when a limit cannot be set.
ARG PIDONE_IMAGE=pidone
FROM ${PIDONE_IMAGE} AS pidone

FROM alpine:3.20
COPY --from=pidone /pidone /sbin/pidone
COPY app.sh /app/app.sh
ENTRYPOINT ["/sbin/pidone", "--seccomp", "default", "--cap-drop", "all", "--user", "nobody", "--memory-max", "256M", "--memory-high", "200M", "--on-memory-pressure", "USR1", "--pids-max", "128", "--cpus", "1.5", "--"]
CMD ["/app/app.sh"]
