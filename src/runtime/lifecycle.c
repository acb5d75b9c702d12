/* lifecycle.c: stop, kill, wait and start for existing containers, shared by the verbs. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "runtime/runtime.h"
#include "runtime/lifecycle.h"
#include "runtime/supervise.h"
#include "util/cleanup.h"

/* Wait until the container's record is no longer "running" (its supervisor recorded the
 * exit, or it vanished). timeout_ms < 0 = forever. Returns true when stopped. */
bool ctr_wait_stopped(struct store *st, struct ctr *c, int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? INT64_MAX : now_ns() + (int64_t)timeout_ms * 1000000;
	while (ctr_refresh(st, c) == CTR_RUNNING) {
		if (now_ns() >= deadline)
			return false;
		/* sleep on the supervisor's pidfd when we can, else poll */
		int pfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
		if (pfd >= 0) {
			struct pollfd p = { pfd, POLLIN, 0 };
			int64_t left = (deadline - now_ns()) / 1000000;
			poll(&p, 1, left > 200 || left < 0 ? 200 : (int)left);
			close(pfd);
		} else
			usleep(20000);
	}
	return true;
}

int ctr_kill(struct store *st, struct ctr *c, int sig, berr *err)
{
	if (ctr_refresh(st, c) == CTR_RUNNING)
		supervise_manual(st, c, true); /* Docker: a killed container is not restarted */
	if (ctr_refresh(st, c) != CTR_RUNNING) {
		berr_set(err, EINVAL, "Cannot kill container: %s: Container %s is not running", c->name, c->id);
		err->status = 1;
		return -1;
	}
	if (kill(c->pid, sig) < 0)
		return berr_sys(err, "Cannot kill container: %s", c->name);
	char sn[16];
	snprintf(sn, sizeof sn, "%d", sig);
	event_emit_ctr(st, c, "kill", "signal", sn, NULL);
	if (sig == SIGKILL)
		cgroup_kill_all(c->id);
	return 0;
}

int ctr_stop(struct store *st, struct ctr *c, int timeout, berr *err)
{
	(void)err;
	/* stop disables the restart policy until the next start (and ends a restart backoff) */
	if (ctr_refresh(st, c) == CTR_RUNNING || ctr_restarting(c))
		supervise_manual(st, c, true);
	if (ctr_refresh(st, c) != CTR_RUNNING)
		return 0;
	if (ctr_paused(c))
		ctr_freeze(c, false, err);
	json_t *conf = json_object_get(c->cfg, "Config");
	int sig = signal_parse(json_string_value(json_object_get(conf, "StopSignal")));
	if (sig <= 0)
		sig = SIGTERM;
	if (timeout < 0) {
		json_t *t = json_object_get(conf, "StopTimeout");
		timeout = json_is_integer(t) ? (int)json_integer_value(t) : 10;
	}
	kill(c->pid, sig);
	char sn[16];
	snprintf(sn, sizeof sn, "%d", sig);
	event_emit_ctr(st, c, "kill", "signal", sn, NULL); /* Docker: kill, die, stop */
	if (!ctr_wait_stopped(st, c, timeout * 1000)) {
		event_emit_ctr(st, c, "kill", "signal", "9", NULL);
		kill(c->pid, SIGKILL);
		cgroup_kill_all(c->id);
		ctr_wait_stopped(st, c, 10000);
	}
	event_emit_ctr(st, c, "stop", NULL);
	return 0;
}

int ctr_start(struct store *st, struct ctr *c, berr *err)
{
	if (ctr_refresh(st, c) == CTR_RUNNING)
		return 0;
	return monitor_start(st, c, err);
}

int ctr_start_manual(struct store *st, struct ctr *c, berr *err)
{
	if (ctr_refresh(st, c) == CTR_RUNNING)
		return 0;
	supervise_manual(st, c, false);
	return ctr_start(st, c, err);
}
