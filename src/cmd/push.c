/* push.c: `berth push [OPTIONS] NAME[:TAG]` / `berth image push`. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "cmd/imgcmd.h"
#include "cmd/regopts.h"
#include "image/ref.h"
#include "util/cleanup.h"

#define USAGE "image push [OPTIONS] NAME[:TAG]"
#define SUMMARY "Push an image or a repository to a registry"

static int do_push(struct berth_ctx *ctx, int argc, char **argv, bool grouped)
{
	struct reg_opts o = REG_OPTS_INIT;
	bool tv = true, dct = false;
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	struct opt opts[] = {
		{ "all-tags", 'a', OPT_BOOL, &o.all_tags, "Push all tagged images in the repository", NULL },
		{ "disable-content-trust", 0, OPT_BOOL, &dct, "Skip image signing (default true)", NULL },
		{ "quiet", 'q', OPT_BOOL, &o.quiet, "Suppress verbose output", NULL },
		REG_COMMON_OPTS(o, tv),
		OPT_SENTINEL,
	};
	int status;
	const char *cmdpath = grouped ? "image push" : "push";
	const char *usage = grouped ? USAGE : "push [OPTIONS] NAME[:TAG]";
	if (opts_parse(cmdpath, usage, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args(cmdpath, usage, SUMMARY, &args, 1, 1)))
		return status;
	regopts_tls(&o, tv, argc, argv);
	struct ref r;
	berr err = { 0 };
	if (ref_parse(args.v[0], &r, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	bool notag = !r.tag && !r.digest;
	ref_free(&r);
	if (notag && !o.all_tags && !o.quiet)
		printf("Using default tag: latest\n");
	_cleanup_store_ struct store *st = NULL;
	if ((status = imgcmd_open(ctx, &st)))
		return status;
	if (registry_push(st, args.v[0], &o, &err) < 0) {
		fflush(stdout);
		/* Docker prints push errors from the progress stream as they are */
		fprintf(stderr, "%s\n", err.msg);
		return err.status ? err.status : 1;
	}
	return 0;
}

static int run_push(struct berth_ctx *ctx, int argc, char **argv) { return do_push(ctx, argc, argv, false); }
static int run_image_push(struct berth_ctx *ctx, int argc, char **argv) { return do_push(ctx, argc, argv, true); }

BERTH_COMMAND(cmd_push) = { .name = "push", .usage = "push [OPTIONS] NAME[:TAG]", .summary = SUMMARY, .run = run_push };
BERTH_COMMAND(cmd_image_push) = { .group = "image", .name = "push", .usage = USAGE, .summary = SUMMARY, .run = run_image_push };
