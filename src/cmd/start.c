/* start.c: `berth start [-a] [-i] CONTAINER...`: start stopped containers (detached under a
 * monitor, or attached with -a: output relayed, exit code returned). */
#include <stdio.h>
#include "cli/cli.h"
#include "cmd/attach.h"
#include "runtime/lifecycle.h"
#include "util/cleanup.h"

#define USAGE "start [OPTIONS] CONTAINER [CONTAINER...]"
#define SUMMARY "Start one or more stopped containers"

static int run_start(struct berth_ctx *ctx, int argc, char **argv)
{
	bool attach = false, interactive = false;
	struct opt opts[] = {
		{ "attach", 'a', OPT_BOOL, &attach, "Attach STDOUT/STDERR and forward signals", NULL },
		{ "interactive", 'i', OPT_BOOL, &interactive, "Attach container's STDIN", NULL },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	if (opts_parse("start", USAGE, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("start", USAGE, SUMMARY, &args, 1, -1)))
		return status;
	if ((attach || interactive) && args.n > 1) {
		fprintf(stderr, "Error: you cannot start and attach multiple containers at once\n");
		return 1;
	}
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
		if (attach || interactive) {
			/* already running: docker start -a attaches to it */
			if (ctr_refresh(st, c) == CTR_RUNNING)
				return attach_running(st, c, !interactive, true, "ctrl-p,ctrl-q");
			int rc = attached_start(st, c, interactive, true, &err);
			if (rc < 0) {
				cli_error(&err);
				return err.status ? err.status : 1;
			}
			return rc;
		}
		if (ctr_start_manual(st, c, &err) < 0) {
			cli_error(&err);
			status = 1;
			continue;
		}
		printf("%s\n", args.v[i]);
	}
	return status;
}

BERTH_COMMAND(cmd_start) = { .name = "start", .usage = USAGE, .summary = SUMMARY, .run = run_start };
BERTH_COMMAND(cmd_container_start) = { .group = "container", .name = "start", .usage = USAGE, .summary = SUMMARY, .run = run_start };
