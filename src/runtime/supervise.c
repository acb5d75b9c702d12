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
#include <sys/file.h>
#include <sys/syscall.h>
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

bool supervise_stopped_by_hand(json_t *cfg)
{
	return json_is_true(json_object_get(json_object_get(cfg, "BerthSupervise"), "ManuallyStopped"));
}

int supervise_lock(const char *root, const char *id)
{
	_cleanup_free_ char *p = xasprintf("%s/containers/%s/supervise.lock", root, id);
	int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	return fd;
}

void supervise_unlock(int fd)
{
	if (fd < 0)
		return;
	flock(fd, LOCK_UN); /* even if a child still holds the fd */
	close(fd);
}

bool restart_should(json_t *cfg, int exit_code)
{
	struct restart_policy rp;
	restart_policy_of(cfg, &rp);
	if (supervise_stopped_by_hand(cfg))
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

static void copy_state(struct ctr *c, struct ctr *f)
{
	ctr_copy_state(c, f);
	json_decref(c->cfg);
	c->cfg = json_incref(f->cfg);
}

void supervise_manual(struct store *st, struct ctr *c, bool stopped)
{
	berr e;
	int lk = stopped ? supervise_lock(st->root, c->id) : -1;
	if (store_begin(st, &e) < 0) {
		supervise_unlock(lk);
		return;
	}
	_cleanup_ctr_ struct ctr *f = NULL;
	if (ctr_lookup(st, c->id, &f, &e) < 0) {
		store_rollback(st);
		supervise_unlock(lk);
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
	supervise_unlock(lk);
	copy_state(c, f);
	/* no try is in progress now (it holds the lock), and none will start: a monitor waiting
	 * through a backoff (or about to look at the flag) is ended, and we wait for it */
	if (stopped && ctr_restarting(f)) {
		int pfd = (int)syscall(SYS_pidfd_open, f->mon_pid, 0);
		kill(f->mon_pid, SIGTERM);
		if (pfd >= 0) {
			struct pollfd p = { pfd, POLLIN, 0 };
			if (poll(&p, 1, 10000) == 0)
				kill(f->mon_pid, SIGKILL);
			close(pfd);
		} else
			for (int i = 0; i < 500 && proc_alive(f->mon_pid, f->mon_start); i++)
				usleep(20000);
	}
	_cleanup_ctr_ struct ctr *g = NULL;
	if (stopped && ctr_lookup(st, c->id, &g, &e) == 0)
		copy_state(c, g);
}

int64_t supervise_decide(struct store *st, const char *id)
{
	berr e;
	_cleanup_ctr_ struct ctr *c = NULL;
	if (store_begin(st, &e) < 0)
		return -1;
	if (ctr_lookup(st, id, &c, &e) < 0) {
		store_rollback(st);
		return -1;
	}
	if (c->state != CTR_EXITED || !restart_should(c->cfg, c->exit_code)) {
		/* no restart: this process is no longer the container's monitor */
		if (c->state == CTR_EXITED && c->mon_pid == getpid()) {
			c->mon_pid = 0;
			ctr_save_state(st, c, &e);
		}
		store_commit(st, &e);
		return -1;
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
		return -1;
	}
	return backoff;
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
