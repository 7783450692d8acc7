/* benchchild: the program each init supervises during pidone's benchmark.
 *
 *   benchchild recv       block SIGUSR1, say 'R', then write the CLOCK_MONOTONIC
 *                         time (8 bytes) at which each SIGUSR1 arrives
 *   benchchild storm      count SIGUSR1; on SIGTERM print "T<count>" and exit 0
 *   benchchild orphans N  on each 'G' from stdin, make N orphans as fast as it
 *                         can (double fork), then wait until the init has reaped
 *                         every one of them and say how long it took
 *   benchchild idle       sleep until a signal ends it
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sched.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void put(const void *buf, size_t len)
{
	if (write(1, buf, len) != (ssize_t)len)
		_exit(3);
}

static int recv_mode(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	put("R", 1);
	for (;;) {
		if (sigwaitinfo(&set, NULL) < 0) {
			if (errno == EINTR)
				continue;
			return 3;
		}
		int64_t t = now_ns();
		put(&t, sizeof t);
	}
}

static volatile sig_atomic_t usr1_count;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_count++;
}

static void on_term(int sig)
{
	(void)sig;
	char buf[32];
	int n = snprintf(buf, sizeof buf, "T%ld\n", (long)usr1_count);
	put(buf, (size_t)n);
	_exit(0);
}

static int storm_mode(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	put("R", 1);
	for (;;)
		pause();
	return 0;
}

/* Processes in this PID namespace other than PID 1 and ourselves (zombies
 * included), as the private /proc mounted below shows them. */
static long others_alive(void)
{
	DIR *d = opendir("/proc");
	if (!d)
		return -1;
	long n = 0;
	pid_t me = getpid();
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end == 0 && pid > 1 && pid != me)
			n++;
	}
	closedir(d);
	return n;
}

/* One batch: COUNT orphans, then wait (at most 10 s) until the init has
 * reaped them all. Answers "created elapsed_ns left". */
static void orphan_batch(long count)
{
	int64_t t0 = now_ns();
	long created = 0;
	for (; created < count; created++) {
		pid_t mid = fork();
		if (mid < 0)
			break;
		if (mid == 0) {
			/* The grandchild exits at once; its parent is gone or going,
			 * so the init inherits and reaps it. */
			if (fork() == 0)
				_exit(0);
			_exit(0);
		}
		while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	long left = others_alive();
	int64_t give_up = now_ns() + 10LL * 1000000000;
	while (left > 0 && now_ns() < give_up) {
		struct timespec pause_ts = {0, 50000};
		nanosleep(&pause_ts, NULL);
		left = others_alive();
	}
	int64_t t1 = now_ns();
	char buf[96];
	int n = snprintf(buf, sizeof buf, "%ld %lld %ld\n", created, (long long)(t1 - t0), left);
	put(buf, (size_t)n);
}

static int orphans_mode(long count)
{
	/* A /proc of this PID namespace, in a mount namespace of our own. */
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		perror("benchchild: private /proc");
		return 3;
	}
	put("R", 1);
	char c;
	while (read(0, &c, 1) == 1 && c == 'G')
		orphan_batch(count);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (strcmp(mode, "recv") == 0)
		return recv_mode();
	if (strcmp(mode, "storm") == 0)
		return storm_mode();
	if (strcmp(mode, "orphans") == 0 && argc > 2)
		return orphans_mode(atol(argv[2]));
	if (strcmp(mode, "idle") == 0) {
		for (;;)
			pause();
	}
	fprintf(stderr, "usage: benchchild recv|storm|orphans N|idle\n");
	return 2;
}
