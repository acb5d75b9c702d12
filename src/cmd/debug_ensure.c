/* debug_ensure.c: `berth debug ensure-image REF`: call registry_ensure_image() as `run` and
 * FROM do (prints the image ID), so the hook is testable before those verbs exist. */
#include <stdio.h>
#include "cli/cli.h"
#include "cmd/imgcmd.h"
#include "cmd/regopts.h"
#include "util/cleanup.h"

static int run_ensure(struct berth_ctx *ctx, int argc, char **argv)
{
	struct reg_opts o = REG_OPTS_INIT;
	bool tv = true;
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	struct opt opts[] = { REG_COMMON_OPTS(o, tv), OPT_SENTINEL };
	int status;
	if (opts_parse("debug ensure-image", "debug ensure-image REF", NULL, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("debug ensure-image", "debug ensure-image REF", NULL, &args, 1, 1)))
		return status;
	regopts_tls(&o, tv, argc, argv);
	_cleanup_store_ struct store *st = NULL;
	if ((status = imgcmd_open(ctx, &st)))
		return status;
	berr err = { 0 };
	_cleanup_free_ char *id = NULL;
	if (registry_ensure_image(st, args.v[0], &o, &id, &err) < 0) {
		fprintf(stderr, "Error response from daemon: %s\n", err.msg);
		return 125;
	}
	printf("%s\n", id);
	return 0;
}

BERTH_COMMAND(cmd_debug_ensure) = { .group = "debug", .name = "ensure-image", .usage = "debug ensure-image REF",
				    .summary = "Pull REF if missing, as run and FROM do", .run = run_ensure, .hidden = true };
