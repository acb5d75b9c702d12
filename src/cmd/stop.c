/* stop.c: `berth stop [-t N] CONTAINER...`: the container's STOPSIGNAL, then SIGKILL. */
#include <stdio.h>
#include "cli/cli.h"
#include "cmd/ctr_each.h"
#include "runtime/lifecycle.h"
#include "util/cleanup.h"

#define USAGE "stop [OPTIONS] CONTAINER [CONTAINER...]"
#define SUMMARY "Stop one or more running containers"

static int stop_one(struct store *st, struct ctr *c, void *data, berr *err)
{
	return ctr_stop(st, c, *(int *)data, err);
}

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
	int secs = (int)t;
	return ctr_each(ctx, &args, stop_one, &secs);
}

BERTH_COMMAND(cmd_stop) = { .name = "stop", .usage = USAGE, .summary = SUMMARY, .run = run_stop };
BERTH_COMMAND(cmd_container_stop) = { .group = "container", .name = "stop", .usage = USAGE, .summary = SUMMARY, .run = run_stop };
