/* pull.c: `berth pull [OPTIONS] NAME[:TAG|@DIGEST]` / `berth image pull`. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "cmd/imgcmd.h"
#include "cmd/regopts.h"
#include "image/ref.h"
#include "util/cleanup.h"

#define USAGE "image pull [OPTIONS] NAME[:TAG|@DIGEST]"
#define SUMMARY "Pull an image or a repository from a registry"

static int do_pull(struct berth_ctx *ctx, int argc, char **argv, bool grouped)
{
	struct reg_opts o = REG_OPTS_INIT;
	bool tv = true, dct = false;
	const char *platform = NULL;
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	struct opt opts[] = {
		{ "all-tags", 'a', OPT_BOOL, &o.all_tags, "Download all tagged images in the repository", NULL },
		{ "disable-content-trust", 0, OPT_BOOL, &dct, "Skip image verification (default true)", NULL },
		{ "platform", 0, OPT_STR, &platform, "Set platform if server is multi-platform capable", "string" },
		{ "quiet", 'q', OPT_BOOL, &o.quiet, "Suppress verbose output", NULL },
		REG_COMMON_OPTS(o, tv),
		OPT_SENTINEL,
	};
	int status;
	const char *cmdpath = grouped ? "image pull" : "pull";
	const char *usage = grouped ? USAGE : "pull [OPTIONS] NAME[:TAG|@DIGEST]";
	if (opts_parse(cmdpath, usage, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args(cmdpath, usage, SUMMARY, &args, 1, 1)))
		return status;
	regopts_tls(&o, tv, argc, argv);
	o.platform = platform;
	struct ref r;
	berr err = { 0 };
	if (ref_parse(args.v[0], &r, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	bool notag = !r.tag && !r.digest;
	ref_free(&r);
	if (o.all_tags && !notag) {
		fprintf(stderr, "tag can't be used with --all-tags/-a\n");
		return 1;
	}
	if (notag && !o.all_tags && !o.quiet)
		printf("Using default tag: latest\n");
	_cleanup_store_ struct store *st = NULL;
	if ((status = imgcmd_open(ctx, &st)))
		return status;
	if (registry_pull(st, args.v[0], &o, NULL, &err) < 0) {
		fflush(stdout);
		fprintf(stderr, "Error response from daemon: %s\n", err.msg);
		return err.status ? err.status : 1;
	}
	return 0;
}

static int run_pull(struct berth_ctx *ctx, int argc, char **argv) { return do_pull(ctx, argc, argv, false); }
static int run_image_pull(struct berth_ctx *ctx, int argc, char **argv) { return do_pull(ctx, argc, argv, true); }

BERTH_COMMAND(cmd_pull) = { .name = "pull", .usage = "pull [OPTIONS] NAME[:TAG|@DIGEST]", .summary = SUMMARY, .run = run_pull };
BERTH_COMMAND(cmd_image_pull) = { .group = "image", .name = "pull", .usage = USAGE, .summary = SUMMARY, .run = run_image_pull };
