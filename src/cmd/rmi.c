/* rmi.c: `berth rmi` / `berth image rm`: Docker's "Untagged:"/"Deleted:" lines and conflicts. */
#include <string.h>
#include "cmd/imgcmd.h"
#include "image/remove.h"
#include "util/cleanup.h"

#define USAGE "image rm [OPTIONS] IMAGE [IMAGE...]"
#define SUMMARY "Remove one or more images"

static int run_rmi(struct berth_ctx *ctx, int argc, char **argv)
{
	bool force = false, noprune = false;
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	struct opt opts[] = {
		{ "force", 'f', OPT_BOOL, &force, "Force removal of the image", NULL },
		{ "no-prune", 0, OPT_BOOL, &noprune, "Do not delete untagged parents", NULL },
		OPT_SENTINEL,
	};
	int status;
	const char *cmdpath = strcmp(argv[0], "rmi") ? "image rm" : "rmi";
	if (opts_parse(cmdpath, USAGE, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args(cmdpath, USAGE, SUMMARY, &args, 1, -1)))
		return status;
	_cleanup_store_ struct store *st = NULL;
	if ((status = imgcmd_open(ctx, &st)))
		return status;
	int ret = 0;
	for (size_t i = 0; i < args.n; i++) {
		_cleanup_strvec_ struct strvec out = STRVEC_INIT;
		berr err = { 0 };
		int r = image_remove(st, args.v[i], force, &out, &err);
		for (size_t k = 0; k < out.n; k++)
			printf("%s\n", out.v[k]);
		if (r < 0) {
			fprintf(stderr, "Error: %s\n", err.msg);
			ret = 1;
		}
	}
	return ret;
}

BERTH_COMMAND(cmd_rmi) = { .name = "rmi", .usage = "rmi [OPTIONS] IMAGE [IMAGE...]", .summary = SUMMARY, .run = run_rmi };
BERTH_COMMAND(cmd_image_rm) = { .group = "image", .name = "rm", .usage = USAGE, .summary = SUMMARY, .run = run_rmi };
BERTH_COMMAND(cmd_image_remove) = { .group = "image", .name = "remove", .usage = USAGE, .summary = SUMMARY, .run = run_rmi, .hidden = true };
