/* health.c: healthchecks run by the container's monitor (no daemon, no systemd timers): a
 * timerfd in the monitor's poll loop fires every Interval (StartInterval during the start
 * period); the probe is `berth exec` of the test (so it joins the container's namespaces,
 * cgroup and security exactly as exec does), its output read through a pipe, killed at
 * Timeout. Docker's rules: a success makes the container healthy and resets the failing
 * streak; a failure outside the start period increments it and at Retries the container is
 * unhealthy. The state (with the last 5 results) is root/containers/<id>/health.json, written
 * atomically; `health_status: X` events on each change. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "runtime/supervise.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/template.h"

#define SEC 1000000000LL

struct health {
	char *root, *runroot, *id, *name, *image;
	json_t *labels;
	json_t *test;
	int64_t interval, timeout, start_period, start_interval;
	int retries;
	int tfd;
	pid_t probe;
	int pfd;
	struct strbuf out;
	int64_t probe_start_rt, started_mono;
	bool timed_out;
	char status[16];
	int streak;
	json_t *log;
};

json_t *health_config(json_t *cfg)
{
	json_t *hc = json_object_get(json_object_get(cfg, "Config"), "Healthcheck");
	json_t *t = json_object_get(hc, "Test");
	if (!json_is_array(t) || !json_array_size(t))
		return NULL;
	const char *k = json_string_value(json_array_get(t, 0));
	if (!k || !strcmp(k, "NONE"))
		return NULL;
	return hc;
}

static char *health_path(const char *root, const char *id)
{
	return xasprintf("%s/containers/%s/health.json", root, id);
}

json_t *health_read(const char *root, const char *id)
{
	_cleanup_free_ char *p = health_path(root, id);
	return json_load_file(p, 0, NULL);
}

const char *health_status(struct store *st, struct ctr *c)
{
	static char buf[16];
	if (!health_config(c->cfg) || c->state != CTR_RUNNING)
		return NULL;
	json_t *h = health_read(st->root, c->id);
	snprintf(buf, sizeof buf, "%s", h ? json_string_value(json_object_get(h, "Status")) ?: "starting" : "starting");
	json_decref(h);
	return buf;
}

static int64_t mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * SEC + ts.tv_nsec;
}

static int64_t dflt(json_t *hc, const char *k, int64_t d)
{
	int64_t v = json_integer_value(json_object_get(hc, k));
	return v > 0 ? v : d;
}

static void save(struct health *h)
{
	json_t *j = json_pack("{s:s,s:i,s:O}", "Status", h->status, "FailingStreak", h->streak, "Log", h->log);
	_cleanup_free_ char *p = health_path(h->root, h->id);
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", p);
	if (json_dump_file(j, tmp, JSON_COMPACT) == 0)
		rename(tmp, p);
	json_decref(j);
}

static void arm(struct health *h, int64_t ns)
{
	struct itimerspec its = { .it_value = { ns / SEC, ns % SEC } };
	if (!ns)
		its.it_value.tv_nsec = 1;
	timerfd_settime(h->tfd, 0, &its, NULL);
}

static int64_t next_interval(struct health *h)
{
	bool in_start = mono() - h->started_mono < h->start_period;
	return in_start && h->start_interval ? h->start_interval : h->interval;
}

struct health *health_new(const char *root, const char *runroot, const char *id, json_t *cfg)
{
	json_t *hc = health_config(cfg);
	if (!hc)
		return NULL;
	struct health *h = xcalloc(1, sizeof *h);
	h->root = xstrdup(root);
	h->runroot = xstrdup(runroot);
	h->id = xstrdup(id);
	h->name = xstrdup(json_string_value(json_object_get(cfg, "Name")) ?: "");
	if (h->name[0] == '/')
		memmove(h->name, h->name + 1, strlen(h->name));
	h->image = xstrdup(json_string_value(json_object_get(json_object_get(cfg, "Config"), "Image")) ?: "");
	h->labels = json_incref(json_object_get(json_object_get(cfg, "Config"), "Labels"));
	h->test = json_incref(json_object_get(hc, "Test"));
	h->interval = dflt(hc, "Interval", 30 * SEC);
	h->timeout = dflt(hc, "Timeout", 30 * SEC);
	h->start_period = dflt(hc, "StartPeriod", 0);
	h->start_interval = dflt(hc, "StartInterval", 5 * SEC);
	json_t *r = json_object_get(hc, "Retries");
	h->retries = json_is_integer(r) && json_integer_value(r) > 0 ? (int)json_integer_value(r) : 3;
	h->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	h->pfd = -1;
	h->probe = -1;
	h->started_mono = mono();
	strcpy(h->status, "starting");
	h->log = json_array();
	save(h);
	arm(h, next_interval(h));
	return h;
}

int health_timer_fd(struct health *h) { return h ? h->tfd : -1; }
int health_probe_fd(struct health *h) { return h ? h->pfd : -1; }

static void start_probe(struct health *h)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	struct strvec av = STRVEC_INIT;
	sv_push(&av, "berth-health");
	sv_push(&av, "--root");
	sv_push(&av, h->root);
	sv_push(&av, "--runroot");
	sv_push(&av, h->runroot);
	sv_push(&av, "exec");
	sv_push(&av, h->id);
	const char *kind = json_string_value(json_array_get(h->test, 0));
	if (kind && !strcmp(kind, "CMD-SHELL")) {
		sv_push(&av, "/bin/sh");
		sv_push(&av, "-c");
		sv_push(&av, json_string_value(json_array_get(h->test, 1)) ?: "");
	} else
		for (size_t i = 1; i < json_array_size(h->test); i++)
			sv_push(&av, json_string_value(json_array_get(h->test, i)) ?: "");
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t all;
		sigfillset(&all);
		sigprocmask(SIG_UNBLOCK, &all, NULL);
		setpgid(0, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		int dn = open("/dev/null", O_RDONLY);
		dup2(dn, 0);
		execv("/proc/self/exe", av.v);
		_exit(127);
	}
	sv_clear(&av);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return;
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	h->probe = pid;
	h->pfd = p[0];
	h->timed_out = false;
	sb_reset(&h->out);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	h->probe_start_rt = ts.tv_sec * SEC + ts.tv_nsec;
	arm(h, h->timeout);
}

static void finish_probe(struct health *h)
{
	int st = 0;
	if (h->timed_out) {
		kill(-h->probe, SIGKILL);
		kill(h->probe, SIGKILL);
	}
	waitpid(h->probe, &st, 0);
	if (h->pfd >= 0)
		close(h->pfd);
	h->pfd = -1;
	h->probe = -1;
	int code = h->timed_out ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (h->timed_out) {
		sb_reset(&h->out);
		_cleanup_free_ char *d = NULL;
		/* Go's Duration.String of the timeout */
		if (h->timeout % SEC == 0)
			sb_addf(&h->out, "Health check exceeded timeout (%llds)", (long long)(h->timeout / SEC));
		else
			sb_addf(&h->out, "Health check exceeded timeout (%lldms)", (long long)(h->timeout / 1000000));
	}
	if (h->out.len > 4096)
		sb_setlen(&h->out, 4096);
	char *s = fmt_rfc3339(h->probe_start_rt), *e = fmt_rfc3339(now_ns());
	json_array_append_new(h->log, json_pack("{s:s,s:s,s:i,s:s%}", "Start", s, "End", e, "ExitCode", code, "Output",
						sb_str(&h->out), h->out.len));
	free(s);
	free(e);
	while (json_array_size(h->log) > 5)
		json_array_remove(h->log, 0);
	char old[16];
	strcpy(old, h->status);
	if (code == 0) {
		h->streak = 0;
		strcpy(h->status, "healthy");
	} else if (mono() - h->started_mono >= h->start_period) {
		h->streak++;
		if (h->streak >= h->retries)
			strcpy(h->status, "unhealthy");
	}
	save(h);
	if (strcmp(old, h->status)) {
		_cleanup_free_ char *act = xasprintf("health_status: %s", h->status);
		event_emit(h->root, h->id, h->name, h->image, h->labels, act, NULL);
	}
	arm(h, next_interval(h));
}

void health_on_timer(struct health *h)
{
	uint64_t n;
	if (read(h->tfd, &n, sizeof n) < 0 && errno == EAGAIN)
		return;
	if (h->probe > 0) {
		h->timed_out = true;
		finish_probe(h);
		return;
	}
	start_probe(h);
}

void health_on_output(struct health *h)
{
	char buf[4096];
	for (;;) {
		ssize_t n = read(h->pfd, buf, sizeof buf);
		if (n > 0) {
			if (h->out.len < 8192)
				sb_add(&h->out, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		/* EOF: the probe (and whatever held its output) is done */
		finish_probe(h);
		return;
	}
}

void health_free(struct health *h)
{
	if (!h)
		return;
	if (h->probe > 0) {
		kill(-h->probe, SIGKILL);
		waitpid(h->probe, NULL, 0);
	}
	if (h->pfd >= 0)
		close(h->pfd);
	close(h->tfd);
	json_decref(h->log);
	json_decref(h->test);
	json_decref(h->labels);
	sb_release(&h->out);
	free(h->root); free(h->runroot); free(h->id); free(h->name); free(h->image);
	free(h);
}

int health_wait(struct store *st, const char *id, const char *want, int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? INT64_MAX : now_ns() + (int64_t)timeout_ms * 1000000;
	_cleanup_free_ char *dir = xasprintf("%s/containers/%s", st->root, id);
	int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in >= 0)
		inotify_add_watch(in, dir, IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE_SELF);
	int rc = 2;
	for (;;) {
		berr e;
		_cleanup_ctr_ struct ctr *c = NULL;
		if (ctr_lookup(st, id, &c, &e) < 0 || (ctr_refresh(st, c) != CTR_RUNNING && !ctr_restarting(c))) {
			rc = 1;
			break;
		}
		if (c->state == CTR_RUNNING) {
			const char *hs = health_status(st, c);
			if (!hs) { rc = 1; break; }
			if (!strcmp(hs, want)) { rc = 0; break; }
		}
		int64_t left = deadline == INT64_MAX ? -1 : (deadline - now_ns()) / 1000000;
		if (deadline != INT64_MAX && left <= 0) { rc = 2; break; }
		/* sleep on the health file changing or the monitor ending */
		int pfd = (int)syscall(SYS_pidfd_open, c->mon_pid, 0);
		struct pollfd p[2] = { { in, POLLIN, 0 }, { pfd, POLLIN, 0 } };
		int r = poll(p, 2, in < 0 ? 100 : (int)(left < 0 ? -1 : left));
		if (pfd >= 0)
			close(pfd);
		if (r > 0 && (p[0].revents & POLLIN)) {
			char buf[4096];
			while (read(in, buf, sizeof buf) > 0)
				;
		}
	}
	if (in >= 0)
		close(in);
	return rc;
}
