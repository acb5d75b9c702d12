/* restart.c: `berth restart [-t N] CONTAINER...`: stop (as `stop`), then start detached. */
#include <stdio.h>
#include "cli/cli.h"
#include "cmd/ctr_each.h"
#include "runtime/lifecycle.h"
#include "runtime/supervise.h"
#include "util/cleanup.h"

#define USAGE "restart [OPTIONS] CONTAINER [CONTAINER...]"
#define SUMMARY "Restart one or more containers"

static int restart_one(struct store *st, struct ctr *c, void *data, berr *err)
{
	if (ctr_stop(st, c, *(int *)data, err) < 0 || ctr_start_manual(st, c, err) < 0)
		return -1;
	event_emit_ctr(st, c, "restart", NULL);
	return 0;
}

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
	int secs = (int)t;
	return ctr_each(ctx, &args, restart_one, &secs);
}

BERTH_COMMAND(cmd_restart) = { .name = "restart", .usage = USAGE, .summary = SUMMARY, .run = run_restart };
BERTH_COMMAND(cmd_container_restart) = { .group = "container", .name = "restart", .usage = USAGE, .summary = SUMMARY, .run = run_restart };
