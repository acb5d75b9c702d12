/* restart.c: `berth restart [-t N] CONTAINER...`: stop (as `stop`), then start detached. */
#include <stdio.h>
#include "cli/cli.h"
#include "runtime/lifecycle.h"
#include "runtime/supervise.h"
#include "util/cleanup.h"

#define USAGE "restart [OPTIONS] CONTAINER [CONTAINER...]"
#define SUMMARY "Restart one or more containers"

static int run_restart(struct berth_ctx *ctx, int argc, char **argv)
{
	long t = -1;
	struct opt opts[] = {
		{ "time", 't', OPT_INT, &t, "Seconds to wait for stop before killing the container", "int" },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	if (opts_parse("restart", USAGE, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("restart", USAGE, SUMMARY, &args, 1, -1)))
		return status;
	_cleanup_store_ struct store *st = NULL;
	berr err = { 0 };
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	for (size_t i = 0; i < args.n; i++) {
		_cleanup_ctr_ struct ctr *c = NULL;
		if (ctr_lookup(st, args.v[i], &c, &err) < 0 || ctr_stop(st, c, (int)t, &err) < 0 ||
		    ctr_start_manual(st, c, &err) < 0) {
			cli_error(&err);
			status = 1;
			continue;
		}
		event_emit_ctr(st, c, "restart", NULL);
		printf("%s\n", args.v[i]);
	}
	return status;
}

BERTH_COMMAND(cmd_restart) = { .name = "restart", .usage = USAGE, .summary = SUMMARY, .run = run_restart };
BERTH_COMMAND(cmd_container_restart) = { .group = "container", .name = "restart", .usage = USAGE, .summary = SUMMARY, .run = run_restart };
