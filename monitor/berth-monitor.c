/* berth-monitor: the steady state of a detached container's monitor, as a small static binary
 * (libc only: no SQLite, no jansson; see docs/supervision.md, "The monitor process").
 *
 * The monitor process starts as the full berth (it creates the container as its child), then
 * execve()s this binary in place: same PID, same children, same fds. This program only
 *   - owns the container's stdout/stderr pipes (or pty master) and writes the log
 *     (json-file with rotation, or journald), keeps its stdin pipe open;
 *   - waits for the container (signalfd SIGCHLD; it stays its parent);
 *   - keeps the healthcheck timer (timerfd) and forks a short-lived `berth debug health-probe`
 *     for each probe (that process runs the probe and records the result);
 *   - sleeps the restart backoff (timerfd) in --backoff mode.
 * Every state change is made by the full engine: on the container's exit this process
 * execve()s `berth debug record-exit ID STATUS` in place (which may exec back into this binary
 * with --backoff); after the backoff it execve()s `berth debug restart-try ID`.
 * It sleeps in one poll() with no timeout: an idle monitor uses no CPU. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "runtime/logsink.h"

extern char **environ;

#define SEC 1000000000LL

static const char *id, *root, *runroot, *berth;
static struct logsink sink;

static int64_t num(const char *s)
{
	int neg = *s == '-';
	int64_t v = 0;
	for (s += neg; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (*s - '0');
	return neg ? -v : v;
}

static void fmt_int(char *out, int64_t v)
{
	char t[24];
	int n = 0, neg = v < 0;
	uint64_t u = neg ? (uint64_t)(-v) : (uint64_t)v;
	do
		t[n++] = (char)('0' + u % 10);
	while (u /= 10);
	if (neg)
		*out++ = '-';
	while (n)
		*out++ = t[--n];
	*out = 0;
}

static int64_t mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * SEC + ts.tv_nsec;
}

static void arm(int tfd, int64_t ns)
{
	struct itimerspec its = { .it_value = { ns / SEC, ns % SEC } };
	if (ns <= 0)
		its.it_value.tv_nsec = 1;
	timerfd_settime(tfd, 0, &its, NULL);
}

/* execve the full berth in place: `berth --root R --runroot RR debug VERB ID [ARG]` */
static void __attribute__((noreturn)) exec_berth(const char *verb, const char *arg)
{
	char *av[] = { "berth-monitor", "--root", (char *)root, "--runroot", (char *)runroot, "debug", (char *)verb,
		       (char *)id, (char *)arg, NULL };
	execve(berth, av, environ);
	/* nothing can record anything now: `ps` will see the monitor gone and record 137 */
	_exit(127);
}

static sigset_t handled(void)
{
	sigset_t m;
	sigemptyset(&m);
	int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		sigaddset(&m, sigs[i]);
	return m;
}

/* --backoff MS: sleep, then `berth debug restart-try`; SIGTERM/SIGINT/SIGHUP (a stop by hand)
 * end the wait and this process. */
static int backoff(int64_t ms)
{
	sigset_t m = handled();
	sigprocmask(SIG_BLOCK, &m, NULL);
	int sfd = signalfd(-1, &m, SFD_CLOEXEC | SFD_NONBLOCK);
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	arm(tfd, ms * 1000000);
	for (;;) {
		struct pollfd p[2] = { { tfd, POLLIN, 0 }, { sfd, POLLIN, 0 } };
		if (poll(p, 2, -1) < 0 && errno == EINTR)
			continue;
		struct signalfd_siginfo si;
		while (read(sfd, &si, sizeof si) == sizeof si) {
			if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT || si.ssi_signo == SIGHUP)
				_exit(0);
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
		}
		if (p[0].revents & POLLIN)
			exec_berth("restart-try", NULL);
	}
}

struct health {
	int tfd;
	int64_t interval, timeout, start_period, start_interval, started;
	pid_t probe;
};

static int64_t next_interval(struct health *h)
{
	bool in_start = mono() - h->started < h->start_period;
	return in_start && h->start_interval ? h->start_interval : h->interval;
}

static void probe_start(struct health *h)
{
	char *av[] = { "berth-health", "--root", (char *)root, "--runroot", (char *)runroot, "debug", "health-probe",
		       (char *)id, mono() - h->started < h->start_period ? "1" : "0", NULL };
	pid_t p = fork();
	if (p == 0) {
		sigset_t all;
		sigfillset(&all);
		sigprocmask(SIG_UNBLOCK, &all, NULL);
		setpgid(0, 0);
		int dn = open("/dev/null", O_RDWR | O_CLOEXEC);
		for (int i = 0; i < 3 && dn >= 0; i++)
			dup2(dn, i);
		execve(berth, av, environ);
		_exit(127);
	}
	if (p < 0) {
		arm(h->tfd, h->interval);
		return;
	}
	h->probe = p;
	/* the probe enforces its own timeout; this is only a watchdog for a stuck one */
	arm(h->tfd, h->timeout + 10 * SEC);
}

static int run(pid_t pid, int out, int err, struct health *h)
{
	sigset_t m = handled();
	sigprocmask(SIG_BLOCK, &m, NULL);
	int sfd = signalfd(-1, &m, SFD_CLOEXEC | SFD_NONBLOCK);
	if (h) {
		h->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		h->started = mono();
		h->probe = -1;
		arm(h->tfd, next_interval(h));
	}
	static char buf[8192];
	int status = -1;
	bool exited = false;
	for (;;) {
		/* reap: the container, a finished probe, or anything else that was ours */
		int st;
		pid_t w;
		while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
			if (w == pid) {
				exited = true;
				status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			} else if (h && w == h->probe) {
				h->probe = -1;
				if (!exited)
					arm(h->tfd, next_interval(h));
			}
		}
		if (exited && out < 0 && err < 0)
			break;
		struct pollfd p[4];
		int np = 0, io = -1, ie = -1, it = -1;
		p[np++] = (struct pollfd){ sfd, POLLIN, 0 };
		if (out >= 0) { io = np; p[np++] = (struct pollfd){ out, POLLIN, 0 }; }
		if (err >= 0) { ie = np; p[np++] = (struct pollfd){ err, POLLIN, 0 }; }
		if (h && !exited) { it = np; p[np++] = (struct pollfd){ h->tfd, POLLIN, 0 }; }
		/* after the exit: drain what is buffered, but don't wait for other holders of the pipe */
		int r = poll(p, (nfds_t)np, exited ? 100 : -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 && exited)
			break;
		struct signalfd_siginfo si;
		while (read(sfd, &si, sizeof si) == sizeof si) {
			/* SIGCHLD: reaped at the top; other signals to a detached monitor are ignored */
		}
		for (int k = 0; k < 2; k++) {
			int idx = k ? ie : io, *fdp = k ? &err : &out;
			if (idx < 0 || !(p[idx].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(*fdp, buf, sizeof buf);
			if (n > 0)
				logsink_chunk(&sink, k ? "stderr" : "stdout", buf, (size_t)n);
			else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
				close(*fdp);
				*fdp = -1;
			}
		}
		if (it >= 0 && (p[it].revents & POLLIN)) {
			uint64_t x;
			if (read(h->tfd, &x, sizeof x) == sizeof x) {
				if (h->probe > 0) {
					kill(-h->probe, SIGKILL);
					kill(h->probe, SIGKILL);
				} else
					probe_start(h);
			}
		}
	}
	if (h && h->probe > 0) {
		kill(-h->probe, SIGKILL);
		kill(h->probe, SIGKILL);
		waitpid(h->probe, NULL, 0);
	}
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	id = argv[1];
	pid_t pid = -1;
	int out = -1, err = -1;
	int64_t backoff_ms = -1;
	struct health hb = { 0 }, *h = NULL;
	logsink_none(&sink);
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		int left = argc - i - 1;
		if (!strcmp(a, "--root") && left >= 1) root = argv[++i];
		else if (!strcmp(a, "--runroot") && left >= 1) runroot = argv[++i];
		else if (!strcmp(a, "--berth") && left >= 1) berth = argv[++i];
		else if (!strcmp(a, "--pid") && left >= 1) pid = (pid_t)num(argv[++i]);
		else if (!strcmp(a, "--out") && left >= 1) out = (int)num(argv[++i]);
		else if (!strcmp(a, "--err") && left >= 1) err = (int)num(argv[++i]);
		else if (!strcmp(a, "--in") && left >= 1) {
			/* the write end of the container's stdin (-i): held open, never written */
			int fd = (int)num(argv[++i]);
			if (fd >= 0)
				fcntl(fd, F_SETFD, FD_CLOEXEC);
		} else if (!strcmp(a, "--backoff") && left >= 1) backoff_ms = num(argv[++i]);
		else if (!strcmp(a, "--log-json") && left >= 3) {
			logsink_open_json(&sink, argv[i + 1], num(argv[i + 2]), (int)num(argv[i + 3]));
			i += 3;
		} else if (!strcmp(a, "--log-journald") && left >= 1)
			logsink_open_journald(&sink, id, argv[++i]);
		else if (!strcmp(a, "--health") && left >= 4) {
			h = &hb;
			h->interval = num(argv[i + 1]);
			h->timeout = num(argv[i + 2]);
			h->start_period = num(argv[i + 3]);
			h->start_interval = num(argv[i + 4]);
			i += 4;
		} else
			return 2;
	}
	if (!root || !runroot || !berth)
		return 2;
	/* everything inherited is ours alone: nothing may leak into the berth we exec next */
	if (out >= 0)
		fcntl(out, F_SETFD, FD_CLOEXEC);
	if (err >= 0)
		fcntl(err, F_SETFD, FD_CLOEXEC);
	if (backoff_ms >= 0)
		return backoff(backoff_ms);
	if (pid <= 0)
		return 2;
	int status = run(pid, out, err, h);
	logsink_close(&sink);
	char code[24];
	fmt_int(code, status);
	exec_berth("record-exit", code);
}
