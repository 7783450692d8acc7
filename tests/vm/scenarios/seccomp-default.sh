# --seccomp default: the program runs under a seccomp filter (mode 2) with
# no_new_privs, and an ordinary shell still works under it.
REQUIRES=seccomp
PIDONE_ARGS='--seccomp default -- /t/main'
EXPECT_EXIT=0
EXPECT_CONSOLE='^Seccomp:[[:space:]]+2$
^NoNewPrivs:[[:space:]]+1$
^still works$'

guest_main() {
	grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status
	echo "still works" | cat
}
