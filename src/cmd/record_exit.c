/* record_exit.c: hidden `berth debug record-exit ID STATUS`: a detached container's monitor
 * execs this when the container has exited, so the record is written by a fresh process
 * (SQLite connections must not be used across fork). */
#include <stdlib.h>
#include "cli/cli.h"
#include "runtime/runtime.h"

static int run_record_exit(struct berth_ctx *ctx, int argc, char **argv)
{
	if (argc != 3)
		return 125;
	record_exit(ctx->root, ctx->runroot, argv[1], atoi(argv[2]));
	return 0;
}

BERTH_COMMAND(cmd_debug_record_exit) = {
	.group = "debug", .name = "record-exit", .usage = "debug record-exit ID STATUS",
	.summary = "Record a container's exit (used by the monitor)", .run = run_record_exit, .hidden = true,
};
