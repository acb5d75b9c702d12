/* debug_layer.c: hidden developer verbs to exercise layer tars from the shell (system tests,
 * debugging): `berth debug layer-tar DIR` writes a layer tar of DIR to stdout and its digests to
 * stderr; `berth debug layer-apply DIR` applies a layer tar from stdin onto DIR. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "image/layer.h"
#include "util/cleanup.h"

static int run_layer_tar(struct berth_ctx *ctx, int argc, char **argv)
{
	static const char usage[] = "debug layer-tar [OPTIONS] DIR";
	static const char summary[] = "Write a layer tar of DIR to stdout (digests on stderr)";
	bool upper = false;
	const char *compress = "gzip";
	long epoch = -1;
	struct opt opts[] = {
		{ "upper", 0, OPT_BOOL, &upper, "DIR is an overlay upper dir: convert whiteouts", NULL },
		{ "compress", 0, OPT_STR, &compress, "gzip, zstd or none", "string" },
		{ "source-date-epoch", 0, OPT_INT, &epoch, "Clamp mtimes to this time", "int" },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	(void)ctx;
	if (opts_parse("debug layer-tar", usage, summary, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("debug layer-tar", usage, summary, &args, 1, 1)))
		return status;
	enum layer_compression c;
	if (!strcmp(compress, "gzip"))
		c = LAYER_GZIP;
	else if (!strcmp(compress, "zstd"))
		c = LAYER_ZSTD;
	else if (!strcmp(compress, "none"))
		c = LAYER_NONE;
	else
		return cli_usage_error("debug layer-tar", "invalid --compress %s", compress);
	if (isatty(STDOUT_FILENO))
		return cli_usage_error("debug layer-tar", "refusing to write a tar to a terminal");
	struct layer_diff_result r;
	berr err = { 0 };
	int rc = upper ? layer_diff_upper(args.v[0], STDOUT_FILENO, c, epoch, &r, &err)
		       : layer_tar_dir(args.v[0], STDOUT_FILENO, c, epoch, &r, &err);
	if (rc < 0)
		return cli_error(&err);
	fprintf(stderr, "digest: %s\ndiff_id: %s\nsize: %llu\n", r.digest, r.diff_id,
		(unsigned long long)r.size);
	return 0;
}

static int run_layer_apply(struct berth_ctx *ctx, int argc, char **argv)
{
	static const char usage[] = "debug layer-apply [OPTIONS] DIR";
	static const char summary[] = "Apply a layer tar from stdin onto DIR (prints the diff_id)";
	bool flatten = false;
	struct opt opts[] = {
		{ "flatten", 0, OPT_BOOL, &flatten, "Really delete whited-out paths (no overlay whiteouts)", NULL },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	(void)ctx;
	if (opts_parse("debug layer-apply", usage, summary, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("debug layer-apply", usage, summary, &args, 1, 1)))
		return status;
	_cleanup_close_ int dfd = open(args.v[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	berr err = { 0 };
	if (dfd < 0) {
		berr_sys(&err, "open %s", args.v[0]);
		return cli_error(&err);
	}
	struct layer_apply_opts o = { .rootless = geteuid() != 0,
				      .mode = flatten ? LAYER_APPLY_FLATTEN : LAYER_APPLY_OVERLAY };
	struct layer_apply_stats st;
	if (layer_apply(STDIN_FILENO, dfd, &o, &st, &err) < 0)
		return cli_error(&err);
	printf("%s\n", st.diff_id);
	return 0;
}

BERTH_COMMAND(cmd_debug_layer_tar) = {
	.group = "debug",
	.name = "layer-tar",
	.usage = "debug layer-tar [OPTIONS] DIR",
	.summary = "Write a layer tar of DIR to stdout",
	.run = run_layer_tar,
	.hidden = true,
};

BERTH_COMMAND(cmd_debug_layer_apply) = {
	.group = "debug",
	.name = "layer-apply",
	.usage = "debug layer-apply [OPTIONS] DIR",
	.summary = "Apply a layer tar from stdin onto DIR",
	.run = run_layer_apply,
	.hidden = true,
};
