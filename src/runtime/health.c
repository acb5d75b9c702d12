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
	char *root, *runroot, *id;
	int64_t interval, timeout, start_period, start_interval;
	int tfd;
	pid_t probe;
	int pfd;
	int64_t started_mono;
	bool timed_out;
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

static int save_state(const char *root, const char *id, const char *status, int streak, json_t *log)
{
	json_t *j = json_pack("{s:s,s:i,s:O}", "Status", status, "FailingStreak", streak, "Log", log);
	_cleanup_free_ char *p = health_path(root, id);
	_cleanup_free_ char *tmp = xasprintf("%s.tmp.%d", p, (int)getpid());
	int rc = json_dump_file(j, tmp, JSON_COMPACT);
	if (rc == 0 && rename(tmp, p) < 0)
		rc = -1;
	if (rc < 0)
		unlink(tmp);
	json_decref(j);
	return rc;
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
	if (!health_config(cfg))
		return NULL;
	struct health *h = xcalloc(1, sizeof *h);
	h->root = xstrdup(root);
	h->runroot = xstrdup(runroot);
	h->id = xstrdup(id);
	int64_t t[4];
	health_timing(cfg, t);
	h->interval = t[0];
	h->timeout = t[1];
	h->start_period = t[2];
	h->start_interval = t[3];
	h->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	h->pfd = -1;
	h->probe = -1;
	h->started_mono = mono();
	health_reset(root, id, cfg);
	arm(h, next_interval(h));
	return h;
}

int health_timer_fd(struct health *h) { return h ? h->tfd : -1; }
int health_probe_fd(struct health *h) { return h ? h->pfd : -1; }

/* The probe is a short-lived `berth debug health-probe ID IN_START` (health_probe_run): it
 * runs the test in the container, enforces the timeout and records the result. This side only
 * schedules it and waits for it (its stdout is a pipe whose EOF says it is done). */
static void start_probe(struct health *h)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	bool in_start = mono() - h->started_mono < h->start_period;
	char *av[] = { "berth-health", "--root", h->root, "--runroot", h->runroot, "debug", "health-probe", h->id,
		       in_start ? "1" : "0", NULL };
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
		execv("/proc/self/exe", av);
		_exit(127);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		arm(h, h->interval);
		return;
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	h->probe = pid;
	h->pfd = p[0];
	h->timed_out = false;
	arm(h, h->timeout + 10 * SEC); /* a watchdog: the probe enforces the timeout itself */
}

static void finish_probe(struct health *h)
{
	if (h->timed_out) {
		kill(-h->probe, SIGKILL);
		kill(h->probe, SIGKILL);
	}
	waitpid(h->probe, NULL, 0);
	if (h->pfd >= 0)
		close(h->pfd);
	h->pfd = -1;
	h->probe = -1;
	arm(h, next_interval(h));
}

static int64_t rt_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * SEC + ts.tv_nsec;
}

int health_record(const char *root, struct ctr *c, int64_t start_rt, int code, bool timed_out, const char *out,
		  size_t len, bool in_start)
{
	json_t *hc = health_config(c->cfg);
	if (!hc)
		return 0;
	int retries = (int)dflt(hc, "Retries", 3);
	int64_t timeout = dflt(hc, "Timeout", 30 * SEC);
	json_t *old = health_read(root, c->id);
	char status[16];
	snprintf(status, sizeof status, "%s", json_string_value(json_object_get(old, "Status")) ?: "starting");
	int streak = (int)json_integer_value(json_object_get(old, "FailingStreak"));
	json_t *log = json_incref(json_object_get(old, "Log"));
	if (!json_is_array(log)) {
		json_decref(log);
		log = json_array();
	}
	json_decref(old);
	struct strbuf o = STRBUF_INIT;
	if (timed_out) {
		code = -1;
		/* Go's Duration.String of the timeout */
		if (timeout % SEC == 0)
			sb_addf(&o, "Health check exceeded timeout (%llds)", (long long)(timeout / SEC));
		else
			sb_addf(&o, "Health check exceeded timeout (%lldms)", (long long)(timeout / 1000000));
	} else
		sb_add(&o, out, len > 4096 ? 4096 : len);
	char *s = fmt_rfc3339(start_rt), *e = fmt_rfc3339(rt_now());
	json_array_append_new(log, json_pack("{s:s,s:s,s:i,s:s%}", "Start", s, "End", e, "ExitCode", code, "Output",
					     sb_str(&o), o.len));
	free(s);
	free(e);
	sb_release(&o);
	while (json_array_size(log) > 5)
		json_array_remove(log, 0);
	char before[16];
	strcpy(before, status);
	if (code == 0) {
		streak = 0;
		strcpy(status, "healthy");
	} else if (!in_start) {
		streak++;
		if (streak >= retries)
			strcpy(status, "unhealthy");
	}
	int rc = save_state(root, c->id, status, streak, log);
	json_decref(log);
	if (strcmp(before, status)) {
		_cleanup_free_ char *act = xasprintf("health_status: %s", status);
		_cleanup_free_ char *name = xstrdup(json_string_value(json_object_get(c->cfg, "Name")) ?: c->name);
		const char *nm = name[0] == '/' ? name + 1 : name;
		event_emit(root, c->id, nm, json_string_value(json_object_get(json_object_get(c->cfg, "Config"), "Image")) ?: "",
			   json_object_get(json_object_get(c->cfg, "Config"), "Labels"), act, NULL);
	}
	return rc;
}

void health_reset(const char *root, const char *id, json_t *cfg)
{
	if (!health_config(cfg)) {
		_cleanup_free_ char *p = health_path(root, id);
		unlink(p);
		return;
	}
	json_t *log = json_array();
	save_state(root, id, "starting", 0, log);
	json_decref(log);
}

void health_timing(json_t *cfg, int64_t t[4])
{
	json_t *hc = health_config(cfg);
	t[0] = dflt(hc, "Interval", 30 * SEC);
	t[1] = dflt(hc, "Timeout", 30 * SEC);
	t[2] = dflt(hc, "StartPeriod", 0);
	t[3] = dflt(hc, "StartInterval", 5 * SEC);
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
		if (n > 0)
			continue; /* the probe writes nothing here; its result is in health.json */
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		/* EOF: the probe is done */
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
	free(h->root); free(h->runroot); free(h->id);
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
