/* stop.c: `berth stop [-t N] CONTAINER...`: the container's STOPSIGNAL, then SIGKILL. */
#include <stdio.h>
#include "cli/cli.h"
#include "runtime/lifecycle.h"
#include "util/cleanup.h"

#define USAGE "stop [OPTIONS] CONTAINER [CONTAINER...]"
#define SUMMARY "Stop one or more running containers"

static int run_stop(struct berth_ctx *ctx, int argc, char **argv)
{
	long t = -1;
	struct opt opts[] = {
		{ "time", 't', OPT_INT, &t, "Seconds to wait for stop before killing it", "int" },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	if (opts_parse("stop", USAGE, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("stop", USAGE, SUMMARY, &args, 1, -1)))
		return status;
	_cleanup_store_ struct store *st = NULL;
	berr err = { 0 };
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	for (size_t i = 0; i < args.n; i++) {
		_cleanup_ctr_ struct ctr *c = NULL;
		if (ctr_lookup(st, args.v[i], &c, &err) < 0 || ctr_stop(st, c, (int)t, &err) < 0) {
			cli_error(&err);
			status = 1;
			continue;
		}
		printf("%s\n", args.v[i]);
	}
	return status;
}

BERTH_COMMAND(cmd_stop) = { .name = "stop", .usage = USAGE, .summary = SUMMARY, .run = run_stop };
BERTH_COMMAND(cmd_container_stop) = { .group = "container", .name = "stop", .usage = USAGE, .summary = SUMMARY, .run = run_stop };
