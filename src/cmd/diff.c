/* diff.c: `berth diff CONTAINER`: the changes of a container's filesystem, as Docker prints
 * them ("A /path" added, "C /path" changed, "D /path" deleted). See runtime/ctr_diff.c. */
#include <stdio.h>
#include "cli/cli.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"

#define USAGE "diff CONTAINER"
#define SUMMARY "Inspect changes to files or directories on a container's filesystem"

static int run_diff(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	const char *cmdpath = "diff";
	if (opts_parse(cmdpath, USAGE, SUMMARY, NULL, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args(cmdpath, USAGE, SUMMARY, &args, 1, 1)))
		return status;
	_cleanup_store_ struct store *st = NULL;
	berr err = { 0 };
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	_cleanup_ctr_ struct ctr *c = NULL;
	if (ctr_lookup(st, args.v[0], &c, &err) < 0)
		return cli_error(&err);
	json_t *ch;
	if (ctr_changes(st, c, &ch, &err) < 0)
		return cli_error(&err);
	size_t i;
	json_t *v;
	json_array_foreach(ch, i, v) {
		static const char kinds[] = { 'C', 'A', 'D' };
		printf("%c %s\n", kinds[json_integer_value(json_object_get(v, "Kind")) % 3],
		       json_string_value(json_object_get(v, "Path")));
	}
	json_decref(ch);
	return 0;
}

BERTH_COMMAND(cmd_diff) = { .name = "diff", .usage = USAGE, .summary = SUMMARY, .run = run_diff };
BERTH_COMMAND(cmd_container_diff) = { .group = "container", .name = "diff", .usage = "container " USAGE, .summary = SUMMARY, .run = run_diff };
