/* record_exit.c: hidden `berth debug record-exit [--restart-only] ID [STATUS]`: a detached
 * container's monitor execs this when the container has exited, so the record is written by a
 * fresh process (SQLite connections must not be used across fork). Then the restart policy is
 * applied (supervise.c): this process sleeps the backoff and starts the next monitor. */
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
	const char *id = restart_only ? argv[2] : argv[1];
	if (!restart_only)
		record_exit_st(st, id, atoi(argv[2]));
	supervise_after_exit(st, id);
	return 0;
}

BERTH_COMMAND(cmd_debug_record_exit) = {
	.group = "debug", .name = "record-exit", .usage = "debug record-exit ID STATUS",
	.summary = "Record a container's exit (used by the monitor)", .run = run_record_exit, .hidden = true,
};
