/* supervise.c: restart policies with Docker's restart manager semantics, decided by the
 * container's monitor process after each exit (no daemon). State kept in the config document:
 * RestartCount (shown by inspect) and the private BerthSupervise block {ManuallyStopped,
 * BackoffMs}. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <unistd.h>
#include "runtime/lifecycle.h"
#include "runtime/supervise.h"
#include "util/cleanup.h"
#include "util/fs.h"

int restart_policy_parse(const char *s, struct restart_policy *rp, berr *err)
{
	memset(rp, 0, sizeof *rp);
	if (!s || !*s)
		s = "no";
	const char *colon = strchr(s, ':');
	size_t nl = colon ? (size_t)(colon - s) : strlen(s);
	if (colon && strchr(colon + 1, ':'))
		return berr_set(err, EINVAL, "invalid restart policy format");
	if (nl >= sizeof rp->name)
		return berr_set(err, EINVAL, "invalid restart policy '%s'", s);
	memcpy(rp->name, s, nl);
	if (colon) {
		char *end;
		long n = strtol(colon + 1, &end, 10);
		if (!colon[1] || *end)
			return berr_set(err, EINVAL, "maximum retry count must be an integer");
		rp->max = (int)n;
	}
	if (!strcmp(rp->name, "no") || !strcmp(rp->name, "always") || !strcmp(rp->name, "unless-stopped")) {
		if (rp->max)
			return berr_set(err, EINVAL, "maximum retry count cannot be used with restart policy '%s'", rp->name);
		return 0;
	}
	if (!strcmp(rp->name, "on-failure")) {
		if (rp->max < 0)
			return berr_set(err, EINVAL, "maximum retry count cannot be negative");
		return 0;
	}
	return berr_set(err, EINVAL, "invalid restart policy '%s'", rp->name);
}

void restart_policy_of(json_t *cfg, struct restart_policy *rp)
{
	json_t *p = json_object_get(json_object_get(cfg, "HostConfig"), "RestartPolicy");
	memset(rp, 0, sizeof *rp);
	snprintf(rp->name, sizeof rp->name, "%s", json_string_value(json_object_get(p, "Name")) ?: "no");
	if (!*rp->name)
		strcpy(rp->name, "no");
	rp->max = (int)json_integer_value(json_object_get(p, "MaximumRetryCount"));
}

static json_t *sup_block(json_t *cfg)
{
	json_t *b = json_object_get(cfg, "BerthSupervise");
	if (!json_is_object(b)) {
		b = json_object();
		json_object_set_new(cfg, "BerthSupervise", b);
	}
	return b;
}

static bool manually_stopped(json_t *cfg)
{
	return json_is_true(json_object_get(json_object_get(cfg, "BerthSupervise"), "ManuallyStopped"));
}

bool restart_should(json_t *cfg, int exit_code)
{
	struct restart_policy rp;
	restart_policy_of(cfg, &rp);
	if (manually_stopped(cfg))
		return false;
	if (!strcmp(rp.name, "always") || !strcmp(rp.name, "unless-stopped"))
		return true;
	if (!strcmp(rp.name, "on-failure")) {
		int count = (int)json_integer_value(json_object_get(cfg, "RestartCount"));
		return exit_code != 0 && (rp.max == 0 || count < rp.max);
	}
	return false;
}

bool ctr_restarting(struct ctr *c)
{
	return c->state == CTR_EXITED && c->mon_pid > 0 && proc_alive(c->mon_pid, c->mon_start);
}

void supervise_manual(struct store *st, struct ctr *c, bool stopped)
{
	berr e;
	if (store_begin(st, &e) < 0)
		return;
	_cleanup_ctr_ struct ctr *f = NULL;
	if (ctr_lookup(st, c->id, &f, &e) < 0) {
		store_rollback(st);
		return;
	}
	json_t *b = sup_block(f->cfg);
	json_object_set_new(b, "ManuallyStopped", json_boolean(stopped));
	if (!stopped) {
		json_object_set_new(f->cfg, "RestartCount", json_integer(0));
		json_object_del(b, "BackoffMs");
	}
	ctr_save_config(st, f, &e);
	store_commit(st, &e);
	json_decref(c->cfg);
	c->cfg = json_incref(f->cfg);
	/* a monitor sleeping through a backoff: wake it, it sees the flag and gives up */
	if (stopped && ctr_restarting(f)) {
		kill(f->mon_pid, SIGTERM);
		for (int i = 0; i < 100 && proc_alive(f->mon_pid, f->mon_start); i++)
			usleep(10000);
	}
}

/* Sleep ms, or until SIGTERM/SIGINT (returns false then). timerfd + signalfd, no polling. */
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

void supervise_after_exit(struct store *st, const char *id)
{
	berr e;
	_cleanup_ctr_ struct ctr *c = NULL;
	if (store_begin(st, &e) < 0)
		return;
	if (ctr_lookup(st, id, &c, &e) < 0 || c->state != CTR_EXITED || !restart_should(c->cfg, c->exit_code)) {
		store_rollback(st);
		return;
	}
	json_t *b = sup_block(c->cfg);
	int64_t backoff = json_integer_value(json_object_get(b, "BackoffMs"));
	int64_t uptime = c->finished_at - c->started_at;
	if (uptime >= 10LL * 1000000000)
		backoff = 0;
	if (backoff == 0)
		backoff = 100;
	else if (backoff < 60000)
		backoff *= 2;
	if (backoff > 60000)
		backoff = 60000;
	json_object_set_new(b, "BackoffMs", json_integer(backoff));
	json_object_set_new(c->cfg, "RestartCount", json_integer(json_integer_value(json_object_get(c->cfg, "RestartCount")) + 1));
	/* this process is now the container's monitor: the record shows "Restarting" */
	c->mon_pid = getpid();
	c->mon_start = proc_starttime(c->mon_pid);
	if (ctr_save_config(st, c, &e) < 0 || ctr_save_state(st, c, &e) < 0 || store_commit(st, &e) < 0) {
		store_rollback(st);
		return;
	}
	if (!backoff_sleep(backoff))
		goto give_up;
	_cleanup_ctr_ struct ctr *f = NULL;
	if (ctr_lookup(st, id, &f, &e) < 0)
		return; /* removed meanwhile */
	if (manually_stopped(f->cfg) || f->state != CTR_EXITED || f->mon_pid != c->mon_pid)
		goto give_up;
	event_emit_ctr(st, f, "restart", NULL);
	if (ctr_start(st, f, &e) < 0) {
		/* the start failed: the record holds the error; try again per policy */
		_cleanup_ctr_ struct ctr *g = NULL;
		if (ctr_lookup(st, id, &g, &e) == 0 && g->state == CTR_EXITED && restart_should(g->cfg, g->exit_code)) {
			supervise_after_exit(st, id);
			return;
		}
		goto give_up;
	}
	return;
give_up:;
	_cleanup_ctr_ struct ctr *g = NULL;
	if (ctr_lookup(st, id, &g, &e) == 0 && g->mon_pid == getpid() && g->state == CTR_EXITED) {
		g->mon_pid = 0;
		ctr_save_state(st, g, &e);
	}
}

void supervise_spawn_after_exit(struct store *st, const char *id)
{
	_cleanup_ctr_ struct ctr *c = NULL;
	berr e;
	if (ctr_lookup(st, id, &c, &e) < 0 || !restart_should(c->cfg, c->exit_code))
		return;
	fflush(NULL);
	pid_t p = fork();
	if (p < 0)
		return;
	if (p == 0) {
		setsid();
		if (fork() != 0)
			_exit(0);
		int dn = open("/dev/null", O_RDWR | O_CLOEXEC);
		for (int i = 0; i < 3 && dn >= 0; i++)
			dup2(dn, i);
		close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
		char *args[] = { "berth-monitor", "--root", st->root, "--runroot", st->runroot, "debug", "record-exit",
				 "--restart-only", (char *)id, NULL };
		execv("/proc/self/exe", args);
		_exit(127);
	}
	waitpid(p, NULL, 0);
}
