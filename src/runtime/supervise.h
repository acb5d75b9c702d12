/* supervise.h: what keeps containers alive and observable without a daemon (docs/supervision.md):
 * restart policies (decided by the container's monitor after each exit), healthchecks (run by
 * the monitor), the events journal, log rotation settings and `system boot`. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include "runtime/runtime.h"

/* ---- restart policies (supervise.c) ---- */
struct restart_policy {
	char name[16];   /* no, always, unless-stopped, on-failure */
	int max;         /* on-failure:N (0 = unlimited) */
};
/* Parse "no|always|unless-stopped|on-failure[:N]"; Docker's daemon error wording. */
int restart_policy_parse(const char *s, struct restart_policy *rp, berr *err);
void restart_policy_of(json_t *cfg, struct restart_policy *rp);
/* Docker's restart manager decision (manually stopped containers never restart). */
bool restart_should(json_t *cfg, int exit_code);
/* Record that the container was stopped by hand (stop/kill) or started by hand (clears the
 * flag and RestartCount). A stop is synchronous with the monitor: the flag is set under the
 * supervision lock (so a restart try in progress finishes first: the container is then
 * running and the caller stops it), and a monitor waiting through a backoff is ended (this
 * waits for it). c's state is re-read. */
void supervise_manual(struct store *st, struct ctr *c, bool stopped);
/* ManuallyStopped: stopped by hand since the last start by hand. */
bool supervise_stopped_by_hand(json_t *cfg);
/* Detached helper for attached runs: fork+setsid a process that applies the policy (`berth
 * debug record-exit --restart-only`, which becomes the container's monitor if it restarts). */
void supervise_spawn_after_exit(struct store *st, const char *id);
/* The container's supervision lock (flock on root/containers/<id>/supervise.lock): held by
 * its monitor while it records an exit and decides a restart, and during a restart try until
 * the new record says running; a stop by hand takes it to set ManuallyStopped, so it never
 * lands in the middle of a try. Returns the fd (or -1); supervise_unlock(-1) is a no-op. */
int supervise_lock(const char *root, const char *id);
void supervise_unlock(int fd);
/* Under the lock, after the exit was recorded by this process: apply the policy. Returns the
 * backoff in ms (RestartCount and the backoff are saved; the record names this process as the
 * container's monitor, so it shows "Restarting"), or -1 (no restart; this process is no
 * longer the monitor). */
int64_t supervise_decide(struct store *st, const char *id);
/* A container whose record says exited but whose monitor lives: waiting to restart. */
bool ctr_restarting(struct ctr *c);

/* ---- events journal (events.c): root/events.jsonl, one Docker event JSON per line ---- */
/* attrs: extra "key","value" pairs, NULL-terminated (e.g. "exitCode","1",NULL). */
void event_emit(const char *root, const char *id, const char *name, const char *image, json_t *labels,
		const char *action, ...);
void event_emit_ctr(struct store *st, struct ctr *c, const char *action, ...);
char *events_path(const char *root);

/* ---- healthchecks (health.c) ---- */
/* The container's effective healthcheck (Config.Healthcheck; NULL if none or NONE). */
json_t *health_config(json_t *cfg);
/* State.Health as stored by the monitor in root/containers/<id>/health.json (new ref or NULL). */
json_t *health_read(const char *root, const char *id);
/* "starting", "healthy", "unhealthy" or NULL (no healthcheck / not running). */
const char *health_status(struct store *st, struct ctr *c);
/* Block (inotify, no polling) until the container's health is `want` ("healthy"...), the
 * container stops (returns 1) or timeout_ms passes (returns 2; <0 = forever). 0 = reached. */
int health_wait(struct store *st, const char *id, const char *want, int timeout_ms);
/* The timing of the effective healthcheck in ns: Interval, Timeout, StartPeriod, StartInterval
 * (with Docker's defaults 30s, 30s, 0, 5s). */
void health_timing(json_t *cfg, int64_t t[4]);
/* Write the initial state ("starting", no log) for a start, or remove it without a check. */
void health_reset(const char *root, const char *id, json_t *cfg);
/* Record one probe's result with Docker's rules (streak, retries, last 5 results) in
 * health.json, atomically; a `health_status: X` event on a change. Used by the short-lived
 * `berth debug health-probe` process (one at a time per container, scheduled by its monitor). */
int health_record(const char *root, struct ctr *c, int64_t start_rt, int code, bool timed_out, const char *out,
		  size_t len, bool in_start);
/* Attached runs (the CLI supervises): the timer that spawns `berth debug health-probe`,
 * driven by supervise_run's poll loop. */
struct health;
struct health *health_new(const char *root, const char *runroot, const char *id, json_t *cfg);
int health_timer_fd(struct health *h);   /* timerfd: due for the next probe or timeout */
int health_probe_fd(struct health *h);   /* pipe with the running probe's output, or -1 */
void health_on_timer(struct health *h);
void health_on_output(struct health *h);
void health_free(struct health *h);

/* ---- log settings (logs) ---- */
struct log_opts {
	char driver[16];     /* json-file, none, journald */
	int64_t max_size;    /* 0 = unlimited */
	int max_file;        /* >= 1 */
};
void log_opts_of(json_t *cfg, struct log_opts *lo);
/* Validate --log-driver/--log-opt into HostConfig.LogConfig; Docker's errors. */
int log_config_build(const char *driver, struct strvec *opts, json_t **out, berr *err);

/* ---- run/create flags (supervise_spec.c) ---- */
struct sup_flags {
	const char *health_cmd, *health_interval, *health_timeout, *health_start_period,
		*health_start_interval, *health_retries, *log_driver;
	bool no_healthcheck;
	struct strvec log_opt;
};
/* Apply --restart, --health-*, --log-driver/--log-opt to a config built by spec_build.
 * Errors are Docker's (status 125). */
int supervise_spec(const char *restart, struct sup_flags *sf, json_t *cfg, berr *err);

/* ---- cgroup views (resources.c) ---- */
bool ctr_paused(struct ctr *c);
int ctr_freeze(struct ctr *c, bool freeze, berr *err);
