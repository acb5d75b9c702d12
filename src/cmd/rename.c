/* rename.c: `berth rename CONTAINER NEW_NAME`. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"

#define USAGE "rename CONTAINER NEW_NAME"
#define SUMMARY "Rename a container"

static int run_rename(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	if (opts_parse("rename", USAGE, SUMMARY, NULL, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("rename", USAGE, SUMMARY, &args, 2, 2)))
		return status;
	const char *nn = args.v[1][0] == '/' ? args.v[1] + 1 : args.v[1];
	if (!ctr_name_valid(nn)) {
		fprintf(stderr, "Error: Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed\n", args.v[1]);
		return 1;
	}
	_cleanup_store_ struct store *st = NULL;
	berr err = { 0 };
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	_cleanup_ctr_ struct ctr *c = NULL;
	if (ctr_lookup(st, args.v[0], &c, &err) < 0)
		return cli_error(&err);
	if (!strcmp(c->name, nn)) {
		fprintf(stderr, "Error: Renaming a container with the same name as its current name\n");
		return 1;
	}
	if (ctr_rename(st, c, nn, &err) < 0) {
		cli_error(&err);
		return 1;
	}
	return 0;
}

BERTH_COMMAND(cmd_rename) = { .name = "rename", .usage = USAGE, .summary = SUMMARY, .run = run_rename };
BERTH_COMMAND(cmd_container_rename) = { .group = "container", .name = "rename", .usage = USAGE, .summary = SUMMARY, .run = run_rename };
