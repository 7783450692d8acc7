# --seccomp default as the kernel's PID 1: the program runs under a filter
# (Seccomp: 2); an ordinary shell pipeline still works; changing the host
# name or mounting is denied even for root, while /init (unconfined, just
# before pidone) could do both.
REQUIRES=seccomp
PIDONE_ARGS='--seccomp default -- /t/main'
EXPECT_EXIT=0
EXPECT_CONSOLE='^Seccomp:[[:space:]]+2$
^still works$
^sethostname denied$
^mount denied$
^hostname is still before-pidone$'

guest_setup() {
	hostname before-pidone && mkdir -p /tmp/m && mount -t tmpfs t /tmp/m && umount /tmp/m
}

guest_main() {
	grep -E '^Seccomp:' /proc/self/status
	echo "still works" | cat
	hostname changed 2>/dev/null || echo "sethostname denied"
	mount -t tmpfs t /tmp/m 2>/dev/null || echo "mount denied"
	echo "hostname is still $(hostname)"
}
