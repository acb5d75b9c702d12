/* tag.c: `berth tag SOURCE TARGET` / `berth image tag`. */
#include <string.h>
#include "cmd/imgcmd.h"
#include "image/istore.h"
#include "image/ref.h"
#include "util/cleanup.h"

#define USAGE "tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]"
#define SUMMARY "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE"

static int run_tag(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	struct opt opts[] = { OPT_SENTINEL };
	int status;
	const char *cmdpath = strcmp(argv[0], "tag") ? "image tag" : "tag";
	if (opts_parse(cmdpath, USAGE, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args(cmdpath, USAGE, SUMMARY, &args, 2, 2)))
		return status;
	berr err = { 0 };
	struct ref r;
	if (ref_parse_tagged(args.v[1], &r, &err) < 0) {
		fprintf(stderr, "Error parsing reference: \"%s\" is not a valid repository/tag: %s\n", args.v[1], err.msg);
		return 1;
	}
	if (r.digest) {
		ref_free(&r);
		fprintf(stderr, "Error response from daemon: refusing to create a tag with a digest reference\n");
		return 1;
	}
	_cleanup_free_ char *full = ref_string(&r);
	ref_free(&r);
	_cleanup_store_ struct store *st = NULL;
	if ((status = imgcmd_open(ctx, &st)))
		return status;
	_cleanup_free_ char *id = NULL;
	if (img_lookup(st, args.v[0], &id, NULL, &err) < 0 || img_tag(st, full, id, NULL, &err) < 0) {
		fprintf(stderr, "Error response from daemon: %s\n", err.msg);
		return 1;
	}
	return 0;
}

BERTH_COMMAND(cmd_tag) = { .name = "tag", .usage = USAGE, .summary = SUMMARY, .run = run_tag };
BERTH_COMMAND(cmd_image_tag) = { .group = "image", .name = "tag", .usage = "image " USAGE, .summary = SUMMARY, .run = run_tag };
