/* runas UID GID PROGRAM [ARGS...]: drop to UID:GID with no supplementary
 * groups and no_new_privs, then exec PROGRAM. Used by scripts/docker-check.py
 * to start a Kubernetes example the way a securityContext with runAsUser,
 * runAsGroup and allowPrivilegeEscalation: false would. */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 4) {
		fputs("usage: runas UID GID PROGRAM [ARGS...]\n", stderr);
		return 2;
	}
	uid_t uid = (uid_t)strtoul(argv[1], NULL, 10);
	gid_t gid = (gid_t)strtoul(argv[2], NULL, 10);
	if (setgroups(0, NULL) || setgid(gid) || setuid(uid) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		fprintf(stderr, "runas: %s\n", strerror(errno));
		return 1;
	}
	execvp(argv[3], argv + 3);
	fprintf(stderr, "runas: %s: %s\n", argv[3], strerror(errno));
	return 127;
}
