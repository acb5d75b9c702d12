/* rm.c: `berth rm [-f] [-v] CONTAINER...`: remove containers (force: kill first). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "runtime/supervise.h"
#include "runtime/lifecycle.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define USAGE "rm [OPTIONS] CONTAINER [CONTAINER...]"
#define SUMMARY "Remove one or more containers"

static void rm_anon_volumes(struct store *st, struct ctr *c)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(c->cfg, "Mounts"), i, m) {
		const char *name = json_string_value(json_object_get(m, "Name"));
		const char *type = json_string_value(json_object_get(m, "Type"));
		/* anonymous volumes are named by a 64-hex id */
		if (!name || !type || strcmp(type, "volume") || strlen(name) != 64 || strspn(name, "0123456789abcdef") != 64)
			continue;
		_cleanup_free_ char *d = xasprintf("%s/volumes/%s", st->root, name);
		berr e;
		rm_rf(d, &e);
	}
}

static int run_rm(struct berth_ctx *ctx, int argc, char **argv)
{
	bool force = false, vols = false, link = false;
	struct opt opts[] = {
		{ "force", 'f', OPT_BOOL, &force, "Force the removal of a running container (uses SIGKILL)", NULL },
		{ "link", 'l', OPT_BOOL, &link, "Remove the specified link", NULL },
		{ "volumes", 'v', OPT_BOOL, &vols, "Remove anonymous volumes associated with the container", NULL },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	if (opts_parse("rm", USAGE, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("rm", USAGE, SUMMARY, &args, 1, -1)))
		return status;
	_cleanup_store_ struct store *st = NULL;
	berr err = { 0 };
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	ctr_net_reconcile(st); /* endpoints of a SIGKILLed run or monitor (one query when none) */
	for (size_t i = 0; i < args.n; i++) {
		_cleanup_ctr_ struct ctr *c = NULL;
		if (ctr_lookup(st, args.v[i], &c, &err) < 0) {
			if (!force) {
				cli_error(&err);
				status = 1;
			}
			continue;
		}
		if (force && (ctr_refresh(st, c) == CTR_RUNNING || ctr_restarting(c)))
			supervise_manual(st, c, true); /* no restart policy may bring it back */
		if (ctr_restarting(c)) {
			fprintf(stderr, "Error: You cannot remove a restarting container %s. Stop the container before attempting removal or force remove\n", c->id);
			status = 1;
			continue;
		}
		if (ctr_refresh(st, c) == CTR_RUNNING) {
			if (!force) {
				fprintf(stderr, "Error: You cannot remove a running container %s. Stop the container before attempting removal or force remove\n", c->id);
				status = 1;
				continue;
			}
			kill(c->pid, SIGKILL);
			cgroup_kill_all(c->id);
			ctr_wait_stopped(st, c, 10000);
		}
		if (vols)
			rm_anon_volumes(st, c);
		if (ctr_remove(st, c, vols, &err) < 0) {
			cli_error(&err);
			status = 1;
			continue;
		}
		printf("%s\n", args.v[i]);
	}
	return status;
}

BERTH_COMMAND(cmd_rm) = { .name = "rm", .usage = USAGE, .summary = SUMMARY, .run = run_rm };
BERTH_COMMAND(cmd_container_rm) = { .group = "container", .name = "rm", .usage = USAGE, .summary = SUMMARY, .run = run_rm };
