/* cgns PROGRAM [ARGS...]: enter a new cgroup namespace, then exec PROGRAM.
 * The VM's /init uses it to look like a container runtime's PID 1, whose
 * cgroup namespace root is its own cgroup (busybox's unshare has no
 * --cgroup). */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: cgns PROGRAM [ARGS...]\n", stderr);
		return 2;
	}
	if (unshare(CLONE_NEWCGROUP) != 0) {
		fprintf(stderr, "cgns: unshare(CLONE_NEWCGROUP): %s\n", strerror(errno));
		return 1;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "cgns: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
