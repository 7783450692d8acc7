/* benchrun: the measuring side of pidone's benchmark (see bench/README.md).
 *
 * Every init runs as PID 1 of a PID namespace of its own: benchrun creates
 * it with clone(CLONE_NEWPID), so nothing stands between the measurement
 * and the init (no unshare(1), no shell). Times are CLOCK_MONOTONIC, CPU
 * is user+sys from wait4 (the init plus what it reaped) or, where the
 * init's own share is wanted, its scheduler run time read from
 * /proc/PID/schedstat while it is a zombie (waitid WNOWAIT), in ns.
 *
 *   benchrun startup ROUNDS CMD [:: CMD]...   one line per run: i wall_ns cpu_ns status
 *   benchrun latency N CMD [:: CMD]...        per command: "lat" status, N latencies in ns
 *   benchrun storm N CMD                      one key=value line
 *   benchrun reap BATCHES CMD [:: CMD]...     per command, one key=value line
 *   benchrun hold CMD [:: CMD]...             prints the pids, waits for EOF on stdin
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 16

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t rusage_ns(const struct rusage *ru)
{
	return ((int64_t)ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000000000 +
	       ((int64_t)ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) * 1000;
}

static void die(const char *what)
{
	fprintf(stderr, "benchrun: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* fork(), but the child is PID 1 of a new PID namespace. stdin/stdout of
 * the child become in_fd/out_fd when they are >= 0. */
static pid_t spawn_pid1(char **argv, int in_fd, int out_fd, int close1, int close2)
{
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0)
		die("clone(CLONE_NEWPID)");
	if (pid == 0) {
		if (in_fd >= 0 && dup2(in_fd, 0) < 0)
			_exit(126);
		if (out_fd >= 0 && dup2(out_fd, 1) < 0)
			_exit(126);
		if (in_fd > 1)
			close(in_fd);
		if (out_fd > 1)
			close(out_fd);
		if (close1 > 1)
			close(close1);
		if (close2 > 1)
			close(close2);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static int wait_rusage(pid_t pid, struct rusage *ru)
{
	int status;
	while (wait4(pid, &status, 0, ru) < 0)
		if (errno != EINTR)
			die("wait4");
	return status;
}

/* Waits for pid to exit without reaping it, so /proc/PID is still there. */
static void wait_exited(pid_t pid)
{
	siginfo_t si;
	while (waitid(P_PID, pid, &si, WEXITED | WNOWAIT) < 0)
		if (errno != EINTR)
			die("waitid");
}

/* The task's own time on CPU, in ns (first field of /proc/PID/schedstat). */
static int64_t own_cpu_ns(pid_t pid)
{
	char path[64], buf[128];
	snprintf(path, sizeof path, "/proc/%d/schedstat", pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtoll(buf, NULL, 10);
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

static void read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "benchrun: the child closed its pipe early\n");
			exit(2);
		}
		p += n;
		len -= (size_t)n;
	}
}

/* Splits argv at "::" into at most MAX_CMDS NULL-terminated commands. */
static int split_cmds(char **argv, char **cmds[])
{
	int n = 0;
	cmds[n++] = argv;
	for (char **a = argv; *a; a++) {
		if (strcmp(*a, "::") == 0) {
			*a = NULL;
			if (n == MAX_CMDS) {
				fprintf(stderr, "benchrun: too many commands\n");
				exit(2);
			}
			cmds[n++] = a + 1;
		}
	}
	return n;
}

static int cmd_startup(int rounds, char **argv)
{
	char **cmds[MAX_CMDS];
	int n = split_cmds(argv, cmds);
	int devnull = open("/dev/null", O_RDWR);
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < n; i++) {
			struct rusage ru;
			int64_t t0 = now_ns();
			pid_t pid = spawn_pid1(cmds[i], devnull, devnull, -1, -1);
			int status = wait_rusage(pid, &ru);
			int64_t t1 = now_ns();
			printf("%d %lld %lld %d\n", i, (long long)(t1 - t0),
			       (long long)rusage_ns(&ru), exit_code(status));
		}
	}
	return 0;
}

/* Every command's child (benchchild recv) writes 'R' once ready, then the
 * CLOCK_MONOTONIC time at which each SIGUSR1 reached it. All the inits run
 * at once and take turns signal by signal (A B C A B C ...), so a burst of
 * noise on a shared machine lands on all of them, not on one init's round. */
static int cmd_latency(int count, char **argv)
{
	char **cmds[MAX_CMDS];
	int n = split_cmds(argv, cmds);
	pid_t pids[MAX_CMDS];
	int fds[MAX_CMDS];
	int64_t *lat[MAX_CMDS];
	for (int c = 0; c < n; c++) {
		int out[2];
		if (pipe2(out, O_CLOEXEC) < 0)
			die("pipe");
		pids[c] = spawn_pid1(cmds[c], -1, out[1], out[0], -1);
		close(out[1]);
		fds[c] = out[0];
		lat[c] = malloc(sizeof(int64_t) * (size_t)count);
		if (!lat[c])
			die("malloc");
	}
	for (int c = 0; c < n; c++) {
		char ready;
		read_full(fds[c], &ready, 1);
	}
	/* A fresh random order for every signal: with a fixed cycle each init
	 * would always follow the same one, whose aftermath (a CPU still awake
	 * or not) would then favour or handicap it. */
	uint32_t seed = 2463534242u;
	int order[MAX_CMDS];
	for (int c = 0; c < n; c++)
		order[c] = c;
	for (int i = 0; i < count; i++) {
		for (int k = n - 1; k > 0; k--) {
			seed ^= seed << 13;
			seed ^= seed >> 17;
			seed ^= seed << 5;
			int j = (int)(seed % (uint32_t)(k + 1));
			int t = order[k];
			order[k] = order[j];
			order[j] = t;
		}
		for (int k = 0; k < n; k++) {
			int c = order[k];
			int64_t arrived;
			int64_t sent = now_ns();
			if (kill(pids[c], SIGUSR1) < 0)
				die("kill");
			read_full(fds[c], &arrived, sizeof arrived);
			lat[c][i] = arrived - sent;
		}
	}
	for (int c = 0; c < n; c++) {
		kill(pids[c], SIGTERM);
		struct rusage ru;
		int status = wait_rusage(pids[c], &ru);
		printf("lat %d", exit_code(status));
		for (int i = 0; i < count; i++)
			printf(" %lld", (long long)lat[c][i]);
		printf("\n");
	}
	return 0;
}

/* COUNT SIGUSR1 as fast as kill(2) goes, then one SIGTERM. The child
 * (benchchild storm) counts the USR1 it got and prints the count on TERM. */
static int cmd_storm(int count, char **argv)
{
	int out[2];
	if (pipe2(out, O_CLOEXEC) < 0)
		die("pipe");
	pid_t pid = spawn_pid1(argv, -1, out[1], out[0], -1);
	close(out[1]);
	char ready;
	read_full(out[0], &ready, 1);
	int64_t cpu0 = own_cpu_ns(pid);
	int64_t t0 = now_ns();
	int failed = 0;
	for (int i = 0; i < count; i++)
		if (kill(pid, SIGUSR1) < 0)
			failed++;
	int64_t t1 = now_ns();
	kill(pid, SIGTERM);
	wait_exited(pid);
	int64_t t2 = now_ns();
	int64_t cpu1 = own_cpu_ns(pid);
	struct rusage ru;
	int status = wait_rusage(pid, &ru);
	char report[128] = "";
	ssize_t n = read(out[0], report, sizeof report - 1);
	long delivered = -1;
	if (n > 0 && report[0] == 'T')
		delivered = strtol(report + 1, NULL, 10);
	printf("status=%d send_ns=%lld exit_ns=%lld init_cpu_ns=%lld total_cpu_ns=%lld "
	       "delivered=%ld kill_failed=%d\n",
	       exit_code(status), (long long)(t1 - t0), (long long)(t2 - t1),
	       (long long)(cpu1 - cpu0), (long long)rusage_ns(&ru), delivered, failed);
	return 0;
}

/* Every command's child (benchchild orphans N) says 'R', then on each 'G'
 * makes N orphans, waits until its PID namespace holds nobody but PID 1
 * and itself, and answers "created elapsed_ns left"; 'Q' ends it. The inits
 * run at once and take turns batch by batch, so noise lands on all alike.
 * Each init's own CPU (schedstat) is read before the first batch and after
 * the last, while it is alive. */
static int cmd_reap(int batches, char **argv)
{
	char **cmds[MAX_CMDS];
	int n = split_cmds(argv, cmds);
	pid_t pids[MAX_CMDS];
	int to[MAX_CMDS], from[MAX_CMDS];
	long created[MAX_CMDS] = {0}, left[MAX_CMDS] = {0};
	long long elapsed[MAX_CMDS] = {0};
	int64_t cpu0[MAX_CMDS], cpu1[MAX_CMDS];
	for (int c = 0; c < n; c++) {
		int in[2], out[2];
		if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
			die("pipe");
		pids[c] = spawn_pid1(cmds[c], in[0], out[1], in[1], out[0]);
		close(in[0]);
		close(out[1]);
		to[c] = in[1];
		from[c] = out[0];
	}
	for (int c = 0; c < n; c++) {
		char ready;
		read_full(from[c], &ready, 1);
		cpu0[c] = own_cpu_ns(pids[c]);
	}
	for (int b = 0; b < batches; b++) {
		for (int k = 0; k < n; k++) {
			int c = (b + k) % n;
			if (write(to[c], "G", 1) != 1)
				die("write");
			char line[128];
			size_t len = 0;
			while (len < sizeof line - 1) {
				read_full(from[c], line + len, 1);
				if (line[len++] == '\n')
					break;
			}
			line[len] = 0;
			long made = 0, still = -1;
			long long ns = 0;
			sscanf(line, "%ld %lld %ld", &made, &ns, &still);
			created[c] += made;
			elapsed[c] += ns;
			if (still != 0 && left[c] >= 0)
				left[c] = still < 0 ? -1 : left[c] + still;
		}
	}
	for (int c = 0; c < n; c++) {
		cpu1[c] = own_cpu_ns(pids[c]);
		if (write(to[c], "Q", 1) != 1)
			die("write");
	}
	for (int c = 0; c < n; c++) {
		struct rusage ru;
		int status = wait_rusage(pids[c], &ru);
		printf("status=%d created=%ld elapsed_ns=%lld left=%ld init_cpu_ns=%lld\n",
		       exit_code(status), created[c], elapsed[c], left[c],
		       (long long)(cpu1[c] - cpu0[c]));
	}
	return 0;
}

/* Starts every command, prints their pids, and leaves them idle until stdin
 * reaches EOF; then TERMs and reaps them. */
static int cmd_hold(char **argv)
{
	char **cmds[MAX_CMDS];
	pid_t pids[MAX_CMDS];
	int n = split_cmds(argv, cmds);
	int devnull = open("/dev/null", O_RDWR);
	for (int i = 0; i < n; i++)
		pids[i] = spawn_pid1(cmds[i], devnull, devnull, -1, -1);
	for (int i = 0; i < n; i++)
		printf("%d\n", pids[i]);
	fflush(stdout);
	char buf[64];
	while (read(0, buf, sizeof buf) > 0)
		;
	for (int i = 0; i < n; i++)
		kill(pids[i], SIGTERM);
	for (int i = 0; i < n; i++) {
		struct rusage ru;
		printf("status %d\n", exit_code(wait_rusage(pids[i], &ru)));
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: benchrun startup|latency|storm|reap|hold ...\n");
		return 2;
	}
	const char *mode = argv[1];
	if (strcmp(mode, "hold") == 0)
		return cmd_hold(argv + 2);
	if (argc < 4) {
		fprintf(stderr, "benchrun %s: COUNT CMD... expected\n", mode);
		return 2;
	}
	int count = atoi(argv[2]);
	char **cmd = argv + 3;
	if (strcmp(mode, "startup") == 0)
		return cmd_startup(count, cmd);
	if (strcmp(mode, "latency") == 0)
		return cmd_latency(count, cmd);
	if (strcmp(mode, "storm") == 0)
		return cmd_storm(count, cmd);
	if (strcmp(mode, "reap") == 0)
		return cmd_reap(count, cmd);
	fprintf(stderr, "benchrun: unknown mode %s\n", mode);
	return 2;
}
