/* supervise_cmds.c: the supervision verbs: `events`, `system boot`, `stats`, `pause`,
 * `unpause`, `update` (docs/supervision.md). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "runtime/lifecycle.h"
#include "runtime/resources.h"
#include "runtime/supervise.h"
#include "util/cleanup.h"
#include "util/template.h"
#include "util/units.h"

/* ------------------------------------------------------------------ events */

static bool ev_match(json_t *ev, struct strvec *filters)
{
	/* Docker: different keys AND, same key OR */
	static const char *keys[] = { "container", "event", "type", "image", "label", NULL };
	for (const char **k = keys; *k; k++) {
		bool seen = false, ok = false;
		size_t kl = strlen(*k);
		for (size_t i = 0; i < filters->n; i++) {
			const char *f = filters->v[i];
			if (strncmp(f, *k, kl) || f[kl] != '=')
				continue;
			seen = true;
			const char *v = f + kl + 1;
			json_t *attrs = json_object_get(json_object_get(ev, "Actor"), "Attributes");
			const char *id = json_string_value(json_object_get(ev, "id")) ?: "";
			const char *action = json_string_value(json_object_get(ev, "Action")) ?: "";
			if (!strcmp(*k, "container"))
				ok |= (strlen(v) && !strncmp(id, v, strlen(v))) ||
				      !strcmp(json_string_value(json_object_get(attrs, "name")) ?: "", v);
			else if (!strcmp(*k, "event"))
				ok |= !strcmp(action, v) || (!strncmp(action, v, strlen(v)) && action[strlen(v)] == ':');
			else if (!strcmp(*k, "type"))
				ok |= !strcmp(json_string_value(json_object_get(ev, "Type")) ?: "", v);
			else if (!strcmp(*k, "image"))
				ok |= !strcmp(json_string_value(json_object_get(attrs, "image")) ?: "", v);
			else if (!strcmp(*k, "label")) {
				const char *eq = strchr(v, '=');
				_cleanup_free_ char *lk = eq ? xstrndup(v, (size_t)(eq - v)) : xstrdup(v);
				const char *lv = json_string_value(json_object_get(attrs, lk));
				ok |= lv && (!eq || !strcmp(lv, eq + 1));
			}
		}
		if (seen && !ok)
			return false;
	}
	return true;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void ev_print(json_t *ev, const char *line, struct tmpl *t)
{
	if (t) {
		/* the template sees Go's field names (events.Message) */
		json_t *actor = json_object_get(ev, "Actor");
		json_t *g = json_pack("{s:O?,s:O?,s:O?,s:O?,s:O?,s:{s:O?,s:O?},s:O?,s:O?,s:O?}", "Status", json_object_get(ev, "status"),
				      "ID", json_object_get(ev, "id"), "From", json_object_get(ev, "from"), "Type",
				      json_object_get(ev, "Type"), "Action", json_object_get(ev, "Action"), "Actor", "ID",
				      json_object_get(actor, "ID"), "Attributes", json_object_get(actor, "Attributes"), "Scope",
				      json_object_get(ev, "scope"), "Time", json_object_get(ev, "time"), "TimeNano",
				      json_object_get(ev, "timeNano"));
		struct strbuf sb = STRBUF_INIT;
		berr e;
		if (g && tmpl_exec(t, g, 0, &sb, &e) == 0)
			printf("%s\n", sb_str(&sb));
		sb_release(&sb);
		json_decref(g);
		fflush(stdout);
		return;
	}
	(void)line;
	int64_t tn = json_integer_value(json_object_get(ev, "timeNano"));
	time_t s = (time_t)(tn / 1000000000);
	struct tm tm;
	gmtime_r(&s, &tm);
	char tb[64];
	strftime(tb, sizeof tb, "%Y-%m-%dT%H:%M:%S", &tm);
	json_t *attrs = json_object_get(json_object_get(ev, "Actor"), "Attributes");
	printf("%s.%09lldZ %s %s %s", tb, (long long)(tn % 1000000000), json_string_value(json_object_get(ev, "Type")) ?: "",
	       json_string_value(json_object_get(ev, "Action")) ?: "",
	       json_string_value(json_object_get(json_object_get(ev, "Actor"), "ID")) ?: "");
	size_t n = json_object_size(attrs), i = 0;
	if (n) {
		const char **keys = xcalloc(n, sizeof *keys);
		const char *k;
		json_t *v;
		json_object_foreach(attrs, k, v) keys[i++] = k;
		qsort(keys, n, sizeof *keys, cmp_str);
		printf(" (");
		for (i = 0; i < n; i++)
			printf("%s%s=%s", i ? ", " : "", keys[i], json_string_value(json_object_get(attrs, keys[i])) ?: "");
		printf(")");
		free(keys);
	}
	printf("\n");
	fflush(stdout);
}

static int64_t ts_arg(const char *v, const char *what, bool *bad)
{
	int64_t sec, d;
	long nsec;
	berr e;
	/* a duration is relative to now, to the nanosecond ("--until 0s" includes this second) */
	if (strcmp(v, "0") && units_parse_duration(v, &d, &e) == 0)
		return now_ns() - d;
	if (units_parse_timestamp(v, time(NULL), &sec, &nsec, &e) < 0) {
		fprintf(stderr, "Error: invalid value for \"%s\": %s\n", what, e.msg);
		*bad = true;
		return 0;
	}
	return sec * 1000000000LL + nsec;
}

#define EV_USAGE "events [OPTIONS]"
#define EV_SUMMARY "Get real time events from the server"

static int run_events(struct berth_ctx *ctx, int argc, char **argv)
{
	const char *since = NULL, *until = NULL, *format = NULL;
	_cleanup_strvec_ struct strvec filters = STRVEC_INIT;
	struct opt opts[] = {
		{ "filter", 'f', OPT_LIST, &filters, "Filter output based on conditions provided", "filter" },
		{ "format", 0, OPT_STR, &format, "Format the output using the given Go template", "string" },
		{ "since", 0, OPT_STR, &since, "Show all events created since timestamp", "string" },
		{ "until", 0, OPT_STR, &until, "Stream events until this timestamp", "string" },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	if (opts_parse("events", EV_USAGE, EV_SUMMARY, opts, false, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("events", EV_USAGE, EV_SUMMARY, &args, 0, 0)))
		return status;
	for (size_t i = 0; i < filters.n; i++) {
		const char *eq = strchr(filters.v[i], '=');
		static const char *known[] = { "container", "event", "type", "image", "label", NULL };
		bool ok = false;
		for (const char **k = known; eq && *k; k++)
			ok |= strlen(*k) == (size_t)(eq - filters.v[i]) && !strncmp(*k, filters.v[i], (size_t)(eq - filters.v[i]));
		if (!ok) {
			fprintf(stderr, "Error response from daemon: invalid filter '%.*s'\n",
				eq ? (int)(eq - filters.v[i]) : (int)strlen(filters.v[i]), filters.v[i]);
			return 1;
		}
	}
	bool bad = false;
	int64_t tsince = since ? ts_arg(since, "since", &bad) : 0;
	int64_t tuntil = until ? ts_arg(until, "until", &bad) : 0;
	if (bad)
		return 1;
	struct tmpl *t = NULL;
	berr err = { 0 };
	if (format && strcmp(format, "{{json .}}")) {
		t = tmpl_parse(format, &err);
		if (!t) {
			fprintf(stderr, "%s\n", err.msg);
			return 64;
		}
	}
	bool raw_json = format && !strcmp(format, "{{json .}}");
	_cleanup_free_ char *path = events_path(ctx->root);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_CREAT, 0600);
	if (fd < 0) {
		fprintf(stderr, "Error: %s: %s\n", path, strerror(errno));
		return 1;
	}
	/* without --since only what happens from now on (as Docker) */
	if (!since)
		lseek(fd, 0, SEEK_END);
	bool follow = !until || tuntil > now_ns();
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGINT);
	sigaddset(&m, SIGTERM);
	sigprocmask(SIG_BLOCK, &m, NULL);
	int sfd = signalfd(-1, &m, SFD_CLOEXEC);
	int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	inotify_add_watch(in, path, IN_MODIFY);
	int tfd = -1;
	if (until && follow) {
		tfd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC);
		struct itimerspec its = { .it_value = { tuntil / 1000000000, tuntil % 1000000000 } };
		timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
	}
	struct strbuf pend = STRBUF_INIT;
	char buf[65536];
	for (;;) {
		ssize_t n;
		while ((n = read(fd, buf, sizeof buf)) > 0) {
			sb_add(&pend, buf, (size_t)n);
			size_t off = 0;
			char *nl;
			while ((nl = memchr(pend.buf + off, '\n', pend.len - off))) {
				*nl = 0;
				const char *line = pend.buf + off;
				json_t *ev = json_loads(line, 0, NULL);
				off = (size_t)(nl - pend.buf) + 1;
				if (!ev)
					continue;
				int64_t tn = json_integer_value(json_object_get(ev, "timeNano"));
				if ((!since || tn >= tsince) && (!until || tn <= tuntil) && ev_match(ev, &filters)) {
					if (raw_json) {
						printf("%s\n", line);
						fflush(stdout);
					} else
						ev_print(ev, line, t);
				}
				json_decref(ev);
			}
			memmove(pend.buf, pend.buf + off, pend.len - off);
			sb_setlen(&pend, pend.len - off);
		}
		if (!follow)
			break;
		struct pollfd p[3] = { { in, POLLIN, 0 }, { sfd, POLLIN, 0 }, { tfd, POLLIN, 0 } };
		if (poll(p, 3, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents & POLLIN)
			break;
		if (p[2].revents & POLLIN) {
			follow = false; /* read the rest once more, then stop */
			continue;
		}
		while (read(in, buf, sizeof buf) > 0)
			;
	}
	sb_release(&pend);
	tmpl_free(t);
	close(fd);
	return 0;
}

BERTH_COMMAND(cmd_events) = { .name = "events", .usage = EV_USAGE, .summary = EV_SUMMARY, .run = run_events };
BERTH_COMMAND(cmd_system_events) = { .group = "system", .name = "events", .usage = "system events [OPTIONS]", .summary = EV_SUMMARY, .run = run_events };

/* ------------------------------------------------------------------ system boot */

/* What Docker's daemon does at start (daemon.restore): always -> start; unless-stopped ->
 * start unless stopped by hand; on-failure -> start if the last exit was a failure within
 * the retry count. */
static bool boot_should(struct ctr *c)
{
	struct restart_policy rp;
	restart_policy_of(c->cfg, &rp);
	bool manual = json_is_true(json_object_get(json_object_get(c->cfg, "BerthSupervise"), "ManuallyStopped"));
	if (!strcmp(rp.name, "always"))
		return true;
	if (!strcmp(rp.name, "unless-stopped"))
		return !manual;
	if (!strcmp(rp.name, "on-failure") && !manual) {
		int count = (int)json_integer_value(json_object_get(c->cfg, "RestartCount"));
		return c->exit_code != 0 && (rp.max == 0 || count < rp.max);
	}
	return false;
}

#define BOOT_USAGE "system boot"
#define BOOT_SUMMARY "Reconcile state after a reboot and start the containers whose restart policy says so"

static int run_boot(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	if (opts_parse("system boot", BOOT_USAGE, BOOT_SUMMARY, NULL, false, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("system boot", BOOT_USAGE, BOOT_SUMMARY, &args, 0, 0)))
		return status;
	_cleanup_store_ struct store *st = NULL;
	berr err = { 0 };
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	struct ctr **v;
	size_t n;
	if (ctr_list(st, &v, &n, &err) < 0)
		return cli_error(&err);
	int rc = 0;
	/* oldest first, as they were created */
	for (size_t i = n; i-- > 0;) {
		struct ctr *c = v[i];
		/* a dead monitor: the record becomes exited (137) and the cgroup is emptied */
		enum ctr_state s = ctr_refresh(st, c);
		if (s == CTR_RUNNING || ctr_restarting(c))
			continue;
		if (s == CTR_REMOVING) {
			/* an interrupted rm: finish it */
			berr e2;
			ctr_remove(st, c, true, &e2);
			continue;
		}
		/* leftovers of a crash: cgroups (the rootfs mounts live in the container's own mount
		 * namespace and vanished with it), stale health state */
		cgroup_kill_all(c->id);
		cgroup_destroy(c->id);
		ctr_net_release(st, c->id); /* endpoints and ports of the dead network namespace */
		_cleanup_free_ char *hp = xasprintf("%s/containers/%s/health.json", st->root, c->id);
		unlink(hp);
		if (s != CTR_EXITED || !boot_should(c))
			continue;
		if (json_is_true(json_object_get(json_object_get(c->cfg, "BerthSupervise"), "ManuallyStopped")))
			supervise_manual(st, c, false); /* always: a boot clears a manual stop */
		if (ctr_start(st, c, &err) < 0) {
			fprintf(stderr, "Error: %s: %s\n", c->name, err.msg);
			rc = 1;
			continue;
		}
		printf("%s\n", c->name);
	}
	ctr_list_free(v, n);
	return rc;
}

BERTH_COMMAND(cmd_system_boot) = { .group = "system", .name = "boot", .usage = BOOT_USAGE, .summary = BOOT_SUMMARY, .run = run_boot };

/* ------------------------------------------------------------------ pause / unpause */

static int do_pause(struct berth_ctx *ctx, int argc, char **argv, bool freeze)
{
	const char *name = freeze ? "pause" : "unpause";
	const char *usage = freeze ? "pause CONTAINER [CONTAINER...]" : "unpause CONTAINER [CONTAINER...]";
	const char *summary = freeze ? "Pause all processes within one or more containers"
				     : "Unpause all processes within one or more containers";
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	if (opts_parse(name, usage, summary, NULL, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args(name, usage, summary, &args, 1, -1)))
		return status;
	_cleanup_store_ struct store *st = NULL;
	berr err = { 0 };
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	for (size_t i = 0; i < args.n; i++) {
		_cleanup_ctr_ struct ctr *c = NULL;
		if (ctr_lookup(st, args.v[i], &c, &err) < 0) {
			cli_error(&err);
			status = 1;
			continue;
		}
		if (ctr_refresh(st, c) != CTR_RUNNING) {
			fprintf(stderr, "Error response from daemon: Container %s is not running\n", c->id);
			status = 1;
			continue;
		}
		bool p = ctr_paused(c);
		if (freeze && p) {
			fprintf(stderr, "Error response from daemon: Container %s is already paused\n", c->id);
			status = 1;
			continue;
		}
		if (!freeze && !p) {
			fprintf(stderr, "Error response from daemon: Container %s is not paused\n", c->id);
			status = 1;
			continue;
		}
		if (ctr_freeze(c, freeze, &err) < 0) {
			cli_error(&err);
			status = 1;
			continue;
		}
		event_emit_ctr(st, c, name, NULL);
		printf("%s\n", args.v[i]);
	}
	return status;
}

static int run_pause(struct berth_ctx *ctx, int argc, char **argv) { return do_pause(ctx, argc, argv, true); }
static int run_unpause(struct berth_ctx *ctx, int argc, char **argv) { return do_pause(ctx, argc, argv, false); }
BERTH_COMMAND(cmd_pause) = { .name = "pause", .usage = "pause CONTAINER [CONTAINER...]", .summary = "Pause all processes within one or more containers", .run = run_pause };
BERTH_COMMAND(cmd_unpause) = { .name = "unpause", .usage = "unpause CONTAINER [CONTAINER...]", .summary = "Unpause all processes within one or more containers", .run = run_unpause };
BERTH_COMMAND(cmd_container_pause) = { .group = "container", .name = "pause", .usage = "container pause CONTAINER [CONTAINER...]", .summary = "Pause all processes within one or more containers", .run = run_pause };
BERTH_COMMAND(cmd_container_unpause) = { .group = "container", .name = "unpause", .usage = "container unpause CONTAINER [CONTAINER...]", .summary = "Unpause all processes within one or more containers", .run = run_unpause };

/* ------------------------------------------------------------------ update */

#define UP_USAGE "update [OPTIONS] CONTAINER [CONTAINER...]"
#define UP_SUMMARY "Update configuration of one or more containers"

static int run_update(struct berth_ctx *ctx, int argc, char **argv)
{
	const char *restart = NULL, *memory = NULL, *cpus = NULL, *pids = NULL, *memswap = NULL, *shares = NULL;
	struct opt opts[] = {
		{ "cpu-shares", 'c', OPT_STR, &shares, "CPU shares (relative weight)", "int" },
		{ "cpus", 0, OPT_STR, &cpus, "Number of CPUs", "decimal" },
		{ "memory", 'm', OPT_STR, &memory, "Memory limit", "bytes" },
		{ "memory-swap", 0, OPT_STR, &memswap, "Swap limit equal to memory plus swap: '-1' to enable unlimited swap", "bytes" },
		{ "pids-limit", 0, OPT_STR, &pids, "Tune container pids limit (set -1 for unlimited)", "int" },
		{ "restart", 0, OPT_STR, &restart, "Restart policy to apply when a container exits", "string" },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	if (opts_parse("update", UP_USAGE, UP_SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("update", UP_USAGE, UP_SUMMARY, &args, 1, -1)))
		return status;
	if (!restart && !memory && !cpus && !pids && !memswap && !shares) {
		fprintf(stderr, "You must provide one or more flags when using this command.\n");
		return 1;
	}
	struct restart_policy rp;
	berr err = { 0 };
	if (restart && restart_policy_parse(restart, &rp, &err) < 0) {
		fprintf(stderr, "Error response from daemon: %s\n", err.msg);
		return 1;
	}
	int64_t mem = 0, nano = 0, pl = 0, sw = 0, sh = 0;
	if (memory && units_ram_in_bytes(memory, &mem, &err) < 0) {
		fprintf(stderr, "invalid argument \"%s\" for \"-m, --memory\" flag: %s\n", memory, err.msg);
		return 125;
	}
	if (memswap && strcmp(memswap, "-1") && units_ram_in_bytes(memswap, &sw, &err) < 0) {
		fprintf(stderr, "invalid argument \"%s\" for \"--memory-swap\" flag: %s\n", memswap, err.msg);
		return 125;
	}
	if (memswap && !strcmp(memswap, "-1"))
		sw = -1;
	if (shares) {
		char *end;
		sh = strtoll(shares, &end, 10);
		if (*end || !*shares) {
			fprintf(stderr, "invalid argument \"%s\" for \"-c, --cpu-shares\" flag: strconv.ParseInt: parsing \"%s\": invalid syntax\n", shares, shares);
			return 125;
		}
	}
	if (cpus) {
		char *end;
		double d = strtod(cpus, &end);
		if (*end || d <= 0) {
			fprintf(stderr, "invalid argument \"%s\" for \"--cpus\" flag: failed to parse %s as a rational number\n", cpus, cpus);
			return 125;
		}
		nano = (int64_t)(d * 1e9);
	}
	if (pids) {
		char *end;
		pl = strtoll(pids, &end, 10);
		if (*end) {
			fprintf(stderr, "invalid argument \"%s\" for \"--pids-limit\" flag: strconv.ParseInt: parsing \"%s\": invalid syntax\n", pids, pids);
			return 125;
		}
		if (pl == 0)
			pl = -1;
	}
	_cleanup_store_ struct store *st = NULL;
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	for (size_t i = 0; i < args.n; i++) {
		_cleanup_ctr_ struct ctr *c = NULL;
		if (store_begin(st, &err) < 0 || ctr_lookup(st, args.v[i], &c, &err) < 0) {
			store_rollback(st);
			cli_error(&err);
			status = 1;
			continue;
		}
		json_t *hc = json_object_get(c->cfg, "HostConfig");
		if (restart) {
			if (strcmp(rp.name, "no") && json_is_true(json_object_get(hc, "AutoRemove"))) {
				store_rollback(st);
				fprintf(stderr, "Error response from daemon: Cannot update container %s: Restart policy cannot be updated because AutoRemove is enabled for the container\n", c->id);
				status = 1;
				continue;
			}
			json_object_set_new(hc, "RestartPolicy", json_pack("{s:s,s:i}", "Name", rp.name, "MaximumRetryCount", rp.max));
		}
		int64_t cur_mem = json_integer_value(json_object_get(hc, "Memory")),
			cur_sw = json_integer_value(json_object_get(hc, "MemorySwap"));
		if (mem && cur_sw > 0 && mem > cur_sw && !sw) {
			store_rollback(st);
			fprintf(stderr, "Error response from daemon: Cannot update container %s: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time\n", c->id);
			status = 1;
			continue;
		}
		if (sw > 0 && sw < (mem ? mem : cur_mem)) {
			store_rollback(st);
			fprintf(stderr, "Error response from daemon: Cannot update container %s: Minimum memoryswap limit should be larger than memory limit, see usage\n", c->id);
			status = 1;
			continue;
		}
		if (sw && !mem && !cur_mem) {
			store_rollback(st);
			fprintf(stderr, "Error response from daemon: Cannot update container %s: You should always set the Memory limit when using Memoryswap limit, see usage\n", c->id);
			status = 1;
			continue;
		}
		if (mem)
			json_object_set_new(hc, "Memory", json_integer(mem));
		if (mem && !cur_mem && !sw && !cur_sw)
			json_object_set_new(hc, "MemorySwap", json_integer(2 * mem)); /* Docker's default */
		if (sw)
			json_object_set_new(hc, "MemorySwap", json_integer(sw));
		if (nano)
			json_object_set_new(hc, "NanoCpus", json_integer(nano));
		if (sh)
			json_object_set_new(hc, "CpuShares", json_integer(sh));
		if (pl)
			json_object_set_new(hc, "PidsLimit", json_integer(pl));
		struct res_update ru = { mem, sw, nano, sh, pl,
			json_integer_value(json_object_get(hc, "Memory")), json_integer_value(json_object_get(hc, "MemorySwap")) };
		if (ctr_save_config(st, c, &err) < 0 || store_commit(st, &err) < 0) {
			store_rollback(st);
			cli_error(&err);
			status = 1;
			continue;
		}
		if ((mem || sw || nano || sh || pl) && ctr_refresh(st, c) == CTR_RUNNING &&
		    ctr_update_resources(c, &ru, &err) < 0) {
			fprintf(stderr, "Error response from daemon: %s\n", err.msg);
			status = 1;
			continue;
		}
		event_emit_ctr(st, c, "update", NULL);
		printf("%s\n", args.v[i]);
	}
	return status;
}

BERTH_COMMAND(cmd_update) = { .name = "update", .usage = UP_USAGE, .summary = UP_SUMMARY, .run = run_update };
BERTH_COMMAND(cmd_container_update) = { .group = "container", .name = "update", .usage = "container update [OPTIONS] CONTAINER [CONTAINER...]", .summary = UP_SUMMARY, .run = run_update };

/* ------------------------------------------------------------------ stats */

#define ST_USAGE "stats [OPTIONS] [CONTAINER...]"
#define ST_SUMMARY "Display a live stream of container(s) resource usage statistics"

struct sample {
	struct ctr *c;
	struct ctr_stats s;
	int64_t t;
	const char *ref; /* the container as named on the command line (Docker's .Container) */
};

static json_t *stats_row(struct sample *a, struct ctr_stats *b, int64_t dt, bool notrunc)
{
	char u1[UNITS_BUF], u2[UNITS_BUF];
	json_t *r = json_object();
	char id[65];
	snprintf(id, sizeof id, "%s", a->c->id);
	if (!notrunc)
		id[12] = 0;
	double cpu = stats_cpu_percent(a->s.cpu_ns, b->cpu_ns, dt);
	/* Docker's keys in its {{json .}} order (sorted) */
	json_object_set_new(r, "BlockIO", json_sprintf("%s / %s", units_human_size_prec((double)b->blk_read, 3, u1),
							units_human_size_prec((double)b->blk_write, 3, u2)));
	json_object_set_new(r, "CPUPerc", json_sprintf("%.2f%%", cpu));
	json_object_set_new(r, "Container", json_string(a->ref ? a->ref : id));
	json_object_set_new(r, "ID", json_string(id));
	json_object_set_new(r, "MemPerc", json_sprintf("%.2f%%", b->mem_limit ? (double)b->mem * 100.0 / (double)b->mem_limit : 0));
	json_object_set_new(r, "MemUsage", json_sprintf("%s / %s", units_bytes_size((double)b->mem, u1),
							 units_bytes_size((double)b->mem_limit, u2)));
	json_object_set_new(r, "Name", json_string(a->c->name));
	json_object_set_new(r, "NetIO", json_sprintf("%s / %s", units_human_size_prec((double)b->net_rx, 3, u1),
						      units_human_size_prec((double)b->net_tx, 3, u2)));
	json_object_set_new(r, "PIDs", json_sprintf("%lld", (long long)b->pids));
	return r;
}

static int run_stats(struct berth_ctx *ctx, int argc, char **argv)
{
	bool all = false, nostream = false, notrunc = false;
	const char *format = NULL;
	struct opt opts[] = {
		{ "all", 'a', OPT_BOOL, &all, "Show all containers (default shows just running)", NULL },
		{ "format", 0, OPT_STR, &format, "Pretty-print images using a Go template", "string" },
		{ "no-stream", 0, OPT_BOOL, &nostream, "Disable streaming stats and only pull the first result", NULL },
		{ "no-trunc", 0, OPT_BOOL, &notrunc, "Do not truncate output", NULL },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	if (opts_parse("stats", ST_USAGE, ST_SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	_cleanup_store_ struct store *st = NULL;
	berr err = { 0 };
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	struct sample *sm = NULL;
	size_t ns = 0;
	if (args.n) {
		sm = xcalloc(args.n, sizeof *sm);
		for (size_t i = 0; i < args.n; i++) {
			struct ctr *c = NULL;
			if (ctr_lookup(st, args.v[i], &c, &err) < 0) {
				fprintf(stderr, "Error response from daemon: No such container: %s\n", args.v[i]);
				for (size_t k = 0; k < ns; k++)
					ctr_free(sm[k].c);
				free(sm);
				return 1;
			}
			ctr_refresh(st, c);
			sm[ns].ref = args.v[i];
			sm[ns++].c = c;
		}
	} else {
		struct ctr **v;
		size_t n;
		if (ctr_list(st, &v, &n, &err) < 0)
			return cli_error(&err);
		sm = xcalloc(n ? n : 1, sizeof *sm);
		for (size_t i = 0; i < n; i++) {
			if (ctr_refresh(st, v[i]) == CTR_RUNNING || all)
				sm[ns++].c = v[i];
			else
				ctr_free(v[i]);
		}
		free(v);
	}
	static const struct fmt_header headers[] = {
		{ "Container", "CONTAINER" }, { "ID", "CONTAINER ID" }, { "Name", "NAME" }, { "CPUPerc", "CPU %" },
		{ "MemUsage", "MEM USAGE / LIMIT" }, { "MemPerc", "MEM %" }, { "NetIO", "NET I/O" },
		{ "BlockIO", "BLOCK I/O" }, { "PIDs", "PIDS" }, { NULL, NULL },
	};
	const char *def = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";
	for (size_t i = 0; i < ns; i++) {
		if (sm[i].c->state == CTR_RUNNING)
			ctr_stats_read(sm[i].c, &sm[i].s);
		sm[i].t = now_ns();
	}
	int rc = 0;
	for (bool first = true;; first = false) {
		/* one sampling interval: CPU % is the CPU time used over it */
		struct timespec d = { first && nostream ? 0 : 1, first && nostream ? 500000000 : 0 };
		if (!first || nostream)
			nanosleep(&d, NULL);
		json_t *rows = json_array();
		for (size_t i = 0; i < ns; i++) {
			struct ctr_stats b = { 0 };
			if (sm[i].c->state == CTR_RUNNING && ctr_refresh(st, sm[i].c) == CTR_RUNNING)
				ctr_stats_read(sm[i].c, &b);
			int64_t t = now_ns();
			json_array_append_new(rows, stats_row(&sm[i], &b, t - sm[i].t, notrunc));
			sm[i].s = b;
			sm[i].t = t;
		}
		if (!nostream)
			printf("\033[2J\033[H");
		rc = fmt_render(stdout, format, def, headers, rows, &err);
		json_decref(rows);
		fflush(stdout);
		if (rc < 0) {
			fprintf(stderr, "%s\n", err.msg);
			rc = 125;
			break;
		}
		if (nostream)
			break;
		if (first && !nostream)
			continue;
	}
	for (size_t i = 0; i < ns; i++)
		ctr_free(sm[i].c);
	free(sm);
	return rc;
}

BERTH_COMMAND(cmd_stats) = { .name = "stats", .usage = ST_USAGE, .summary = ST_SUMMARY, .run = run_stats };
BERTH_COMMAND(cmd_container_stats) = { .group = "container", .name = "stats", .usage = "container stats [OPTIONS] [CONTAINER...]", .summary = ST_SUMMARY, .run = run_stats };
