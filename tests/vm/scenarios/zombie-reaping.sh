# Orphans are reparented to the kernel's PID 1 (pidone) and all reaped:
# none stays a zombie, and the program sees that they had PPID 1.
PIDONE_ARGS='-- /t/main'
EXPECT_EXIT=0
EXPECT_CONSOLE='^orphan ppid 1$
^orphans seen: 20$
^zombies: 0$'
EXPECT_NO_CONSOLE='^zombie '

guest_main() {
	i=0
	while [ $i -lt 20 ]; do
		# The subshell exits at once: its child becomes an orphan.
		(sh -c 'sleep 0.3; set -- $(cat /proc/$$/stat); echo "orphan ppid $4" >>/tmp/orphans' &)
		i=$((i + 1))
	done
	sleep 0.3
	while [ "$(cat /tmp/orphans 2>/dev/null | wc -l)" -lt 20 ]; do sleep 0.1; done
	sleep 0.5
	sort -u /tmp/orphans
	echo "orphans seen: $(grep -c '^orphan ppid 1$' /tmp/orphans)"
	n=0
	for stat in /proc/[0-9]*/stat; do
		set -- $(cat "$stat" 2>/dev/null)
		if [ "$3" = Z ]; then echo "zombie $1 $2"; n=$((n + 1)); fi
	done
	echo "zombies: $n"
}
