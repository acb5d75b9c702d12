/* debug_image.c: hidden developer verbs to pin/unpin an image as a container would
 * (`berth debug image-hold IMAGE HOLDER`, `berth debug image-release IMAGE HOLDER`), used by
 * the tests of rmi/prune until containers exist. */
#include <string.h>
#include "cmd/imgcmd.h"
#include "image/image.h"
#include "util/cleanup.h"

static int run_hold(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	struct opt opts[] = { OPT_SENTINEL };
	int status;
	bool hold = !strcmp(argv[0], "image-hold");
	const char *usage = hold ? "debug image-hold IMAGE HOLDER" : "debug image-release IMAGE HOLDER";
	if (opts_parse(usage + 6, usage, NULL, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args(usage + 6, usage, NULL, &args, 2, 2)))
		return status;
	_cleanup_store_ struct store *st = NULL;
	if ((status = imgcmd_open(ctx, &st)))
		return status;
	berr err = { 0 };
	if ((hold ? image_ref_add : image_ref_drop)(st, args.v[0], args.v[1], &err) < 0)
		return cli_error(&err);
	return 0;
}

BERTH_COMMAND(cmd_debug_hold) = { .group = "debug", .name = "image-hold", .usage = "debug image-hold IMAGE HOLDER", .summary = "Pin an image as a container would", .run = run_hold, .hidden = true };
BERTH_COMMAND(cmd_debug_release) = { .group = "debug", .name = "image-release", .usage = "debug image-release IMAGE HOLDER", .summary = "Unpin an image", .run = run_hold, .hidden = true };
