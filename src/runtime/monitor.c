/* monitor.c: supervising a container: relay its output to the json-file log (Docker's format:
 * {"log":"...","stream":"stdout","time":"..."}) and, when attached, to the terminal; forward
 * stdin and signals; wait for the exit and record it. A detached container gets a monitor
 * (double fork + setsid) that outlives the CLI; an attached one is supervised by the CLI. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "runtime/logsink.h"
#include "net/net.h"
#include "runtime/runtime.h"
#include "runtime/sandbox_int.h"
#include "runtime/supervise.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

extern char **environ;

/* The log of the container supervised by this process (json-file, journald or none). */
static struct logsink sink = { .fd = -1, .journald = -1, .files = 1 };
static int store_fresh(struct store *st, berr *err);

static void log_chunk(int fd, const char *stream, const char *buf, size_t n)
{
	if (fd >= 0 && (fd == sink.fd || fd == sink.journald))
		logsink_chunk(&sink, stream, buf, n);
}

static struct termios saved_tio;
static bool tio_saved;

static void tty_raw(void)
{
	struct termios t;
	if (tcgetattr(0, &t) < 0)
		return;
	saved_tio = t;
	tio_saved = true;
	cfmakeraw(&t);
	t.c_oflag |= OPOST; /* keep output processing so \n still returns the carriage */
	tcsetattr(0, TCSANOW, &t);
}

static void tty_restore(void)
{
	if (tio_saved)
		tcsetattr(0, TCSANOW, &saved_tio);
	tio_saved = false;
}

int supervise_run(struct supervise *s)
{
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	int fwd[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
	if (s->forward_signals)
		for (size_t i = 0; i < ARRAY_SIZE(fwd); i++)
			sigaddset(&mask, fwd[i]);
	else
		for (size_t i = 0; i < ARRAY_SIZE(fwd); i++)
			signal(fwd[i], SIG_IGN);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s->tty && s->attached && isatty(0)) {
		struct winsize ws;
		if (ioctl(0, TIOCGWINSZ, &ws) == 0)
			ioctl(s->out_fd, TIOCSWINSZ, &ws);
		tty_raw();
	}
	int status = -1;
	bool exited = false;
	/* sleep on the container's pidfd instead of waking up every 250 ms */
	int pidfd = s->pid > 0 ? (int)syscall(SYS_pidfd_open, s->pid, 0) : -1;
	bool stdin_open = s->attached && s->in_fd >= 0;
	char buf[8192];
	int fds_open = (s->out_fd >= 0) + (s->err_fd >= 0);
	while (!exited || fds_open > 0) {
		struct pollfd p[7];
		int np = 0, iout = -1, ierr = -1, iin = -1, isig = -1, ihtm = -1, ihpr = -1;
		if (!exited && s->health) {
			ihtm = np; p[np++] = (struct pollfd){ health_timer_fd(s->health), POLLIN, 0 };
			if (health_probe_fd(s->health) >= 0) {
				ihpr = np;
				p[np++] = (struct pollfd){ health_probe_fd(s->health), POLLIN, 0 };
			}
		}
		if (!exited && pidfd >= 0)
			p[np++] = (struct pollfd){ pidfd, POLLIN, 0 };
		if (s->out_fd >= 0) { iout = np; p[np++] = (struct pollfd){ s->out_fd, POLLIN, 0 }; }
		if (s->err_fd >= 0) { ierr = np; p[np++] = (struct pollfd){ s->err_fd, POLLIN, 0 }; }
		if (stdin_open && !exited) { iin = np; p[np++] = (struct pollfd){ 0, POLLIN, 0 }; }
		if (!exited) { isig = np; p[np++] = (struct pollfd){ sfd, POLLIN, 0 }; }
		/* after the exit, drain what is buffered but don't wait for holders of the pipe */
		/* SIGCHLD may have come before the signalfd existed: also look every 250 ms */
		int r = poll(p, (nfds_t)np, exited ? 100 : pidfd >= 0 ? -1 : 250);
		if (r < 0 && errno == EINTR)
			continue;
		if (ihpr >= 0 && (p[ihpr].revents & (POLLIN | POLLHUP | POLLERR)))
			health_on_output(s->health);
		if (ihtm >= 0 && (p[ihtm].revents & POLLIN))
			health_on_timer(s->health);
		if (!exited && s->pid > 0) {
			int st;
			if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
				exited = true;
				status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			}
		}
		if (r == 0 && exited)
			break;
		for (int k = 0; k < 2; k++) {
			int idx = k ? ierr : iout;
			int *fdp = k ? &s->err_fd : &s->out_fd;
			if (idx < 0 || !(p[idx].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(*fdp, buf, sizeof buf);
			if (n > 0) {
				log_chunk(s->log_fd, k ? "stderr" : "stdout", buf, (size_t)n);
				if (s->attached)
					write_all(k ? 2 : 1, buf, (size_t)n);
			} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
				close(*fdp);
				*fdp = -1;
				fds_open--;
			}
		}
		if (iin >= 0 && (p[iin].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t n = read(0, buf, sizeof buf);
			if (n > 0)
				write_all(s->in_fd, buf, (size_t)n);
			else {
				stdin_open = false;
				if (!s->tty) {
					close(s->in_fd);
					s->in_fd = -1;
				}
			}
		}
		if (isig >= 0 && (p[isig].revents & POLLIN)) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof si) == sizeof si) {
				if (si.ssi_signo == SIGCHLD)
					continue;
				if (si.ssi_signo == SIGWINCH) {
					struct winsize ws;
					if (s->tty && ioctl(0, TIOCGWINSZ, &ws) == 0)
						ioctl(s->out_fd, TIOCSWINSZ, &ws);
					continue;
				}
				kill(s->pid, (int)si.ssi_signo);
			}
			int st;
			pid_t w = waitpid(s->pid, &st, WNOHANG);
			if (w == s->pid) {
				exited = true;
				status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			}
		}
	}
	if (!exited) {
		int st;
		waitpid(s->pid, &st, 0);
		status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	tty_restore();
	if (pidfd >= 0)
		close(pidfd);
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_UNBLOCK, &mask, NULL);
	return status;
}

void record_exit(const char *root, const char *runroot, const char *id, int status)
{
	_cleanup_store_ struct store *st = NULL;
	berr e;
	if (store_open(&st, root, runroot, &e) < 0)
		return;
	record_exit_st(st, id, status);
}

/* keep: the caller is the container's monitor and decides a restart next (under the
 * supervision lock): if the policy may restart, the record keeps naming it, so it never shows
 * "exited without a monitor" between the exit and the decision */
static void record_exit_impl(struct store *st, const char *id, int status, bool keep)
{
	berr e;
	_cleanup_ctr_ struct ctr *c = NULL;
	if (ctr_lookup(st, id, &c, &e) < 0)
		return;
	c->oom = cgroup_oom_killed(c->id);
	cgroup_kill_all(c->id);
	cgroup_destroy(c->id);
	ctr_net_release(st, c->id); /* endpoints, addresses, NAT rules */
	c->state = CTR_EXITED;
	c->exit_code = status;
	c->finished_at = now_ns();
	c->pid = 0;
	c->mon_pid = 0;
	if (keep && restart_should(c->cfg, status)) {
		c->mon_pid = getpid();
		c->mon_start = proc_starttime(c->mon_pid);
	}
	if (c->oom)
		event_emit_ctr(st, c, "oom", NULL);
	char code[16];
	snprintf(code, sizeof code, "%d", status);
	event_emit_ctr(st, c, "die", "exitCode", code, NULL);
	if (json_is_true(json_object_get(json_object_get(c->cfg, "HostConfig"), "AutoRemove"))) {
		/* --rm: straight to removal (one database write instead of two) */
		if (ctr_remove(st, c, true, &e) == 0)
			return;
	}
	ctr_save_state(st, c, &e);
}

void record_exit_st(struct store *st, const char *id, int status)
{
	record_exit_impl(st, id, status, false);
}

static int open_log(struct store *st, struct ctr *c)
{
	struct log_opts lo;
	log_opts_of(c->cfg, &lo);
	logsink_close(&sink);
	if (!strcmp(lo.driver, "none")) {
		logsink_none(&sink);
		return -1;
	}
	if (!strcmp(lo.driver, "journald")) {
		logsink_open_journald(&sink, c->id, c->name);
		return sink.journald;
	}
	_cleanup_free_ char *lp = ctr_log_path(st, c->id);
	logsink_open_json(&sink, lp, lo.max_size, lo.max_file);
	return sink.fd;
}

static void set_running(struct ctr *c, pid_t pid, pid_t mon)
{
	c->state = CTR_RUNNING;
	c->pid = pid;
	c->pid_start = proc_starttime(pid);
	c->mon_pid = mon;
	c->mon_start = proc_starttime(mon);
	c->started_at = now_ns();
	c->finished_at = 0;
	c->exit_code = 0;
	c->oom = false;
	free(c->error);
	c->error = xstrdup("");
}

int record_launching(struct store *st, struct ctr *c, pid_t pid, berr *err)
{
	set_running(c, pid, getpid());
	return ctr_save_state(st, c, err);
}

/* saved: record_launching already wrote the record (only the event is left) */
static void mark_running(struct store *st, struct ctr *c, pid_t pid, pid_t mon, bool saved, berr *err)
{
	if (!saved) {
		set_running(c, pid, mon);
		ctr_save_state(st, c, err);
	}
	event_emit_ctr(st, c, "start", NULL);
}

static void record_failure(struct store *st, struct ctr *c, berr *err)
{
	berr e2;
	cgroup_kill_all(c->id);
	cgroup_destroy(c->id);
	ctr_net_release(st, c->id);
	c->state = c->started_at ? CTR_EXITED : CTR_CREATED;
	c->exit_code = err->status ? err->status : 125;
	free(c->error);
	c->error = xstrdup(err->msg);
	if (c->started_at)
		c->finished_at = now_ns();
	ctr_save_state(st, c, &e2);
}

int attached_start(struct store *st, struct ctr *c, bool interactive, bool attach_out, berr *err)
{
	json_t *conf = json_object_get(c->cfg, "Config");
	bool tty = json_is_true(json_object_get(conf, "Tty"));
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	/* this process supervises: the record says running from the moment the init exists, so
	 * wherever this CLI is killed (its child dies with it, PDEATHSIG) the next berth command
	 * finds a running record without its supervisor and records exited 137 (ctr_refresh) */
	struct launch l = { .in_fd = interactive && !tty ? 0 : -1, .out_fd = -1, .err_fd = -1, .tty = tty,
			    .net_inproc = true, .record_early = true };
	if (!tty) {
		if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0)
			return berr_sys(err, "pipe");
		l.out_fd = outp[1];
		l.err_fd = errp[1];
	}
	struct ctr before = *c; /* the state fields, restored if the start fails */
	/* Without -i the container gets /dev/null, but stdin stays ours */
	if (sandbox_launch(st, c, &l, err) < 0) {
		for (int i = 0; i < 2; i++) {
			if (outp[i] >= 0) close(outp[i]);
			if (errp[i] >= 0) close(errp[i]);
		}
		c->state = before.state;
		c->pid = before.pid;
		c->pid_start = before.pid_start;
		c->mon_pid = before.mon_pid;
		c->mon_start = before.mon_start;
		c->started_at = before.started_at;
		c->finished_at = before.finished_at;
		record_failure(st, c, err);
		return -1;
	}
	if (!tty) {
		close(outp[1]);
		close(errp[1]);
	}
	/* --rm: hold the container's mount namespace, so its teardown (overlay unmount and RCU
	 * waits, ~5 ms) leaves the exit path we wait for and runs in the trash reaper */
	int mntns = -1;
	if (!l.early_exit &&
	    json_is_true(json_object_get(json_object_get(c->cfg, "HostConfig"), "AutoRemove"))) {
		char p[64];
		snprintf(p, sizeof p, "/proc/%d/ns/mnt", (int)l.pid);
		mntns = open(p, O_RDONLY | O_CLOEXEC);
	}
	mark_running(st, c, l.pid, getpid(), l.recorded, err);
	if (l.early_exit)
		c->pid_start = 0;
	int logfd = open_log(st, c);
	struct supervise s = {
		.out_fd = tty ? l.pty_master : outp[0],
		.err_fd = tty ? -1 : errp[0],
		.in_fd = tty && interactive ? l.pty_master : -1,
		.tty = tty, .attached = attach_out, .forward_signals = true,
		.log_fd = logfd, .pid = l.pid,
		.health = l.early_exit ? NULL : health_new(st->root, st->runroot, c->id, c->cfg),
	};
	if (tty && !interactive) {
		/* the master is both directions: keep it only for output */
		s.in_fd = -1;
	}
	int status;
	if (l.early_exit) {
		/* already reaped: drain output only */
		s.pid = -1;
		struct supervise d = s;
		d.forward_signals = false;
		char buf[8192];
		for (int k = 0; k < 2; k++) {
			int fd = k ? d.err_fd : d.out_fd;
			ssize_t n;
			while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0) {
				log_chunk(logfd, k ? "stderr" : "stdout", buf, (size_t)n);
				if (attach_out)
					write_all(k ? 2 : 1, buf, (size_t)n);
			}
			if (fd >= 0)
				close(fd);
		}
		status = WIFEXITED(l.early_status) ? WEXITSTATUS(l.early_status) : 128 + WTERMSIG(l.early_status);
	} else
		status = supervise_run(&s);
	health_free(s.health);
	if (logfd >= 0)
		close(logfd);
	/* the container has exited: its veths go with its network namespace anyway, so their
	 * RTM_DELLINK (an RCU grace period under RTNL) is left to the reaper after our exit */
	net_defer_link_deletes(true);
	record_exit_st(st, c->id, status); /* same process: reuse the open store */
	net_defer_link_deletes(false);
	if (net_has_deferred())
		trash_arm();
	if (mntns >= 0)
		trash_hold(mntns); /* (closed at exit, after the reaper got its copy) */
	supervise_spawn_after_exit(st, c->id); /* --restart: a detached process restarts it */
	return status;
}

/* The detached monitor. The CLI waits on `rep` for "ok" (or an error) and closes it once the
 * record says running, so a fast exit can't be overwritten. */
struct mon_report {
	int ok;
	pid_t pid, mon;
	int status;
	char msg[1536];
};

/* The path of a program next to the running berth binary (berth-monitor). */
static char *sibling(const char *name)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return NULL;
	self[n] = 0;
	char *slash = strrchr(self, '/');
	if (!slash)
		return NULL;
	*slash = 0;
	return xasprintf("%s/%s", self, name);
}

static void drop_db(struct store *st)
{
	if (st->db)
		sqlite3_close_v2(st->db);
	st->db = NULL;
}

static void keep_fd(struct strvec *av, const char *flag, int fd)
{
	if (fd < 0)
		return;
	fcntl(fd, F_SETFD, 0); /* this one crosses the execve; berth-monitor marks it CLOEXEC again */
	sv_push(av, flag);
	sv_pushf(av, "%d", fd);
}

/* Become berth-monitor in place (same PID, children and the fds named): it supervises the
 * running container `pid` until it exits, then execs `berth debug record-exit`. Returns only
 * if berth-monitor cannot be executed. */
static void exec_steady(struct store *st, struct ctr *c, pid_t pid, int out, int errfd, int in)
{
	_cleanup_free_ char *mon = sibling("berth-monitor");
	_cleanup_free_ char *self = sibling("berth");
	if (!mon || !self || access(mon, X_OK) < 0)
		return;
	_cleanup_strvec_ struct strvec av = STRVEC_INIT;
	sv_push(&av, "berth-monitor");
	sv_push(&av, c->id);
	sv_push(&av, "--root");
	sv_push(&av, st->root);
	sv_push(&av, "--runroot");
	sv_push(&av, st->runroot);
	sv_push(&av, "--berth");
	sv_push(&av, self);
	sv_push(&av, "--pid");
	sv_pushf(&av, "%d", (int)pid);
	keep_fd(&av, "--out", out);
	keep_fd(&av, "--err", errfd);
	keep_fd(&av, "--in", in);
	struct log_opts lo;
	log_opts_of(c->cfg, &lo);
	if (!strcmp(lo.driver, "journald")) {
		sv_push(&av, "--log-journald");
		sv_push(&av, c->name);
	} else if (strcmp(lo.driver, "none")) {
		sv_push(&av, "--log-json");
		sv_push_owned(&av, ctr_log_path(st, c->id));
		sv_pushf(&av, "%lld", (long long)lo.max_size);
		sv_pushf(&av, "%d", lo.max_file);
	}
	if (health_config(c->cfg)) {
		int64_t t[4];
		health_timing(c->cfg, t);
		sv_push(&av, "--health");
		for (int i = 0; i < 4; i++)
			sv_pushf(&av, "%lld", (long long)t[i]);
	}
	fflush(NULL);
	drop_db(st);
	execve(mon, av.v, environ);
	log_debug("exec %s: %s", mon, strerror(errno));
	for (int fd = 0, k = 0; k < 3; k++) {
		fd = k == 0 ? out : k == 1 ? errfd : in;
		if (fd >= 0)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
}

/* Supervise the launched container from here on: berth-monitor, or (without that binary) this
 * process itself; then the exit is recorded by `berth debug record-exit` exec'd in place. */
static int __attribute__((noreturn)) supervise_detached(struct store *st, struct ctr *c, struct launch *l, int out,
							 int errfd, int in)
{
	health_reset(st->root, c->id, c->cfg);
	int status;
	if (l->early_exit) {
		int logfd = open_log(st, c);
		char buf[8192];
		ssize_t n;
		while (out >= 0 && (n = read(out, buf, sizeof buf)) > 0)
			log_chunk(logfd, "stdout", buf, (size_t)n);
		while (errfd >= 0 && (n = read(errfd, buf, sizeof buf)) > 0)
			log_chunk(logfd, "stderr", buf, (size_t)n);
		logsink_close(&sink);
		status = WIFEXITED(l->early_status) ? WEXITSTATUS(l->early_status) : 128 + WTERMSIG(l->early_status);
	} else {
		exec_steady(st, c, l->pid, out, errfd, in);
		/* fallback: supervise in this (bigger) process */
		drop_db(st);
		int logfd = open_log(st, c);
		struct supervise s = {
			.out_fd = out, .err_fd = errfd, .in_fd = -1, .tty = l->tty, .attached = false,
			.forward_signals = false, .log_fd = logfd, .pid = l->pid,
			.health = health_new(st->root, st->runroot, c->id, c->cfg),
		};
		malloc_trim(0);
		status = supervise_run(&s);
		health_free(s.health);
		logsink_close(&sink);
	}
	/* record with a fresh process: this one may be a fork of a CLI that had the database open */
	drop_db(st);
	char code[16];
	snprintf(code, sizeof code, "%d", status);
	char *args[] = { "berth-monitor", "--root", st->root, "--runroot", st->runroot, "debug", "record-exit", c->id, code, NULL };
	execv("/proc/self/exe", args);
	record_exit(st->root, st->runroot, c->id, status);
	_exit(0);
}

static void __attribute__((noreturn)) monitor_main(struct store *st, struct ctr *c, int rep)
{
	char title[80];
	snprintf(title, sizeof title, "berth-monitor %.12s", c->id);
	set_cmdline(title);
	prctl(PR_SET_NAME, "berth-monitor", 0, 0, 0);
	json_t *conf = json_object_get(c->cfg, "Config");
	bool tty = json_is_true(json_object_get(conf, "Tty"));
	bool interactive = json_is_true(json_object_get(conf, "OpenStdin"));
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, inp[2] = { -1, -1 };
	struct launch l = { .in_fd = -1, .out_fd = -1, .err_fd = -1, .tty = tty };
	berr e = { 0 };
	struct mon_report r = { 0 };
	if (!tty) {
		if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0)
			_exit(1);
		l.out_fd = outp[1];
		l.err_fd = errp[1];
		if (interactive && pipe2(inp, O_CLOEXEC) == 0)
			l.in_fd = inp[0];
	}
	/* the CLI closed its connection before forking us; the network attach runs in a helper
	 * process, only joining another container's netns needs the database here */
	if (!strncmp(ctr_netmode(c->cfg), "container:", 10) && store_fresh(st, &e) < 0)
		_exit(1);
	if (sandbox_launch(st, c, &l, &e) < 0) {
		r.status = e.status ? e.status : 125;
		memcpy(r.msg, e.msg, sizeof r.msg - 1);
		r.msg[sizeof r.msg - 1] = 0;
		if (write(rep, &r, sizeof r) < 0) {
		}
		_exit(1);
	}
	if (!tty) {
		close(outp[1]);
		close(errp[1]);
		if (inp[0] >= 0)
			close(inp[0]);
	}
	r.ok = 1;
	r.pid = l.pid;
	r.mon = getpid();
	if (write(rep, &r, sizeof r) < 0) {
	}
	char ack;
	while (read(rep, &ack, 1) > 0)
		;
	close(rep);
	supervise_detached(st, c, &l, tty ? l.pty_master : outp[0], tty ? -1 : errp[0], inp[1]);
}

/* Sleep ms, or until SIGTERM/SIGINT/SIGHUP (returns false then). timerfd + signalfd. */
static bool backoff_sleep(int64_t ms)
{
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGTERM);
	sigaddset(&m, SIGINT);
	sigaddset(&m, SIGHUP);
	sigprocmask(SIG_BLOCK, &m, NULL);
	int sfd = signalfd(-1, &m, SFD_CLOEXEC);
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	struct itimerspec its = { .it_value = { ms / 1000, (ms % 1000) * 1000000 } };
	if (!ms)
		its.it_value.tv_nsec = 1;
	timerfd_settime(tfd, 0, &its, NULL);
	struct pollfd p[2] = { { tfd, POLLIN, 0 }, { sfd, POLLIN, 0 } };
	while (poll(p, 2, -1) < 0 && errno == EINTR)
		;
	bool ok = !(p[1].revents & POLLIN);
	close(tfd);
	close(sfd);
	return ok;
}

/* Sleep the restart backoff as berth-monitor --backoff (which then execs `berth debug
 * restart-try`), or here without that binary. */
static int monitor_backoff(struct store *st, const char *id, int64_t ms)
{
	_cleanup_free_ char *mon = sibling("berth-monitor");
	_cleanup_free_ char *self = sibling("berth");
	char *rt = xstrdup(st->root), *rrt = xstrdup(st->runroot), *cid = xstrdup(id);
	drop_db(st);
	fflush(NULL);
	if (mon && self) {
		char msb[32];
		snprintf(msb, sizeof msb, "%lld", (long long)ms);
		char *av[] = { "berth-monitor", cid, "--root", rt, "--runroot", rrt, "--berth", self, "--backoff", msb, NULL };
		execve(mon, av, environ);
	}
	if (!backoff_sleep(ms))
		_exit(0);
	char *args[] = { "berth-monitor", "--root", rt, "--runroot", rrt, "debug", "restart-try", cid, NULL };
	execv("/proc/self/exe", args);
	_exit(127);
}

int monitor_after_exit(struct store *st, const char *id, int status)
{
	int lk = supervise_lock(st->root, id);
	if (status >= 0)
		record_exit_impl(st, id, status, true);
	int64_t ms = supervise_decide(st, id);
	supervise_unlock(lk);
	if (ms < 0)
		return 0;
	return monitor_backoff(st, id, ms);
}

int monitor_restart_try(struct store *st, const char *id)
{
	berr e = { 0 };
	int lk = supervise_lock(st->root, id);
	_cleanup_ctr_ struct ctr *c = NULL;
	if (ctr_lookup(st, id, &c, &e) < 0) {
		supervise_unlock(lk);
		return 0; /* removed meanwhile */
	}
	if (supervise_stopped_by_hand(c->cfg) || c->state != CTR_EXITED || c->mon_pid != getpid()) {
		/* a stop by hand came (it waits for this lock), or another start took over */
		if (c->state == CTR_EXITED && c->mon_pid == getpid()) {
			c->mon_pid = 0;
			ctr_save_state(st, c, &e);
		}
		supervise_unlock(lk);
		return 0;
	}
	event_emit_ctr(st, c, "restart", NULL);
	json_t *conf = json_object_get(c->cfg, "Config");
	bool tty = json_is_true(json_object_get(conf, "Tty"));
	bool interactive = json_is_true(json_object_get(conf, "OpenStdin"));
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, inp[2] = { -1, -1 };
	/* this process has its own connection: attach the network here (no helper) */
	struct launch l = { .in_fd = -1, .out_fd = -1, .err_fd = -1, .tty = tty, .net_inproc = true };
	if (!tty) {
		if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
			berr_sys(&e, "pipe");
			goto failed;
		}
		l.out_fd = outp[1];
		l.err_fd = errp[1];
		if (interactive && pipe2(inp, O_CLOEXEC) == 0)
			l.in_fd = inp[0];
	}
	if (sandbox_launch(st, c, &l, &e) < 0)
		goto failed;
	if (!tty) {
		close(outp[1]);
		close(errp[1]);
		if (inp[0] >= 0)
			close(inp[0]);
	}
	mark_running(st, c, l.pid, getpid(), false, &e);
	if (l.early_exit)
		c->pid_start = 0;
	supervise_unlock(lk);
	supervise_detached(st, c, &l, tty ? l.pty_master : outp[0], tty ? -1 : errp[0], inp[1]);
failed:
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0) close(outp[i]);
		if (errp[i] >= 0) close(errp[i]);
		if (inp[i] >= 0) close(inp[i]);
	}
	record_failure(st, c, &e);
	/* the start failed: the record holds the error; try again per the policy */
	int64_t ms = supervise_decide(st, id);
	supervise_unlock(lk);
	if (ms < 0)
		return 0;
	return monitor_backoff(st, id, ms);
}

/* Give st a connection of its own (after a fork: SQLite must not share one between processes). */
static int store_fresh(struct store *st, berr *err)
{
	struct store *n = NULL;
	if (store_open(&n, st->root, st->runroot, err) < 0)
		return -1;
	st->db = n->db;
	n->db = NULL;
	store_close(n);
	return 0;
}

int monitor_start(struct store *st, struct ctr *c, berr *err)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return berr_sys(err, "socketpair");
	fflush(NULL);
	/* the monitor writes to the store (network endpoints): no connection may cross the fork,
	 * SQLite's per-process lock bookkeeping would mix the two */
	sqlite3_close_v2(st->db);
	st->db = NULL;
	pid_t p = fork();
	if (p > 0 && store_fresh(st, err) < 0) {
		close(sv[1]);
		close(sv[0]);
		return -1;
	}
	if (p < 0)
		return berr_sys(err, "fork");
	if (p == 0) {
		close(sv[0]);
		setsid();
		pid_t m = fork();
		if (m != 0)
			_exit(m < 0);
		reset_signals();
		int dn = open("/dev/null", O_RDWR | O_CLOEXEC);
		for (int i = 0; i < 3 && dn >= 0; i++)
			dup2(dn, i);
		/* close everything inherited from the CLI but the report socket */
		if (sv[1] > 3)
			close_range(3, (unsigned)sv[1] - 1, 0);
		close_range((unsigned)sv[1] + 1, ~0U, 0);
		monitor_main(st, c, sv[1]);
	}
	close(sv[1]);
	int wst;
	waitpid(p, &wst, 0);
	struct mon_report r = { 0 };
	ssize_t n = read(sv[0], &r, sizeof r);
	if (n != (ssize_t)sizeof r) {
		close(sv[0]);
		return berr_set(err, EIO, "container monitor failed to start");
	}
	if (!r.ok) {
		close(sv[0]);
		r.msg[sizeof r.msg - 1] = 0;
		berr_set(err, 0, "%s", r.msg);
		err->status = r.status;
		record_failure(st, c, err);
		return -1;
	}
	pid_t mon = r.mon;
	mark_running(st, c, r.pid, mon, false, err);
	close(sv[0]);
	return 0;
}
