/* record_exit.c: the hidden verbs a detached container's monitor execs in place of
 * berth-monitor (same PID; see docs/supervision.md, "The monitor process"):
 *   berth debug record-exit ID STATUS       the container exited: record it, apply the policy
 *   berth debug record-exit --restart-only ID   (after an attached run) only apply the policy
 *   berth debug restart-try ID              the backoff is over: start it again as our child
 * With a restart they exec berth-monitor again; they exit when nothing is left to do. */
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "runtime/runtime.h"
#include "runtime/supervise.h"

static int run_record_exit(struct berth_ctx *ctx, int argc, char **argv)
{
	bool restart_only = argc == 3 && !strcmp(argv[1], "--restart-only");
	if (argc != 3)
		return 125;
	_cleanup_store_ struct store *st = NULL;
	berr e;
	if (store_open(&st, ctx->root, ctx->runroot, &e) < 0)
		return 125;
	return monitor_after_exit(st, restart_only ? argv[2] : argv[1], restart_only ? -1 : atoi(argv[2]));
}

static int run_restart_try(struct berth_ctx *ctx, int argc, char **argv)
{
	if (argc != 2)
		return 125;
	_cleanup_store_ struct store *st = NULL;
	berr e;
	if (store_open(&st, ctx->root, ctx->runroot, &e) < 0)
		return 125;
	return monitor_restart_try(st, argv[1]);
}

BERTH_COMMAND(cmd_debug_record_exit) = {
	.group = "debug", .name = "record-exit", .usage = "debug record-exit ID STATUS",
	.summary = "Record a container's exit (used by the monitor)", .run = run_record_exit, .hidden = true,
};
BERTH_COMMAND(cmd_debug_restart_try) = {
	.group = "debug", .name = "restart-try", .usage = "debug restart-try ID",
	.summary = "Start a container again after its restart backoff (used by the monitor)", .run = run_restart_try,
	.hidden = true,
};
