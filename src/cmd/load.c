/* load.c: `berth load [-i FILE|DIR] [-q]` / `berth image load`. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cmd/imgcmd.h"
#include "image/load.h"
#include "util/cleanup.h"

#define USAGE "image load [OPTIONS]"
#define SUMMARY "Load an image from a tar archive or STDIN"

static int run_load(struct berth_ctx *ctx, int argc, char **argv)
{
	const char *input = NULL;
	bool quiet = false;
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	struct opt opts[] = {
		{ "input", 'i', OPT_STR, &input, "Read from tar archive file, instead of STDIN", "string" },
		{ "quiet", 'q', OPT_BOOL, &quiet, "Suppress the load output", NULL },
		OPT_SENTINEL,
	};
	int status;
	const char *cmdpath = strcmp(argv[0], "load") ? "image load" : "load";
	(void)quiet; /* berth prints no progress bars; the "Loaded image" lines stay, as in Docker */
	if (opts_parse(cmdpath, USAGE, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args(cmdpath, USAGE, SUMMARY, &args, 0, 0)))
		return status;
	_cleanup_close_ int fd = -1;
	const char *dir = NULL;
	if (input) {
		struct stat s;
		if (stat(input, &s) < 0) {
			fprintf(stderr, "Error: open %s: %s\n", input, strerror(errno));
			return 1;
		}
		if (S_ISDIR(s.st_mode))
			dir = input;
		else if ((fd = open(input, O_RDONLY | O_CLOEXEC)) < 0) {
			fprintf(stderr, "Error: open %s: %s\n", input, strerror(errno));
			return 1;
		}
	} else {
		if (isatty(0)) {
			fprintf(stderr, "Error: requested load from stdin, but stdin is empty\n");
			return 1;
		}
		fd = dup(0);
	}
	_cleanup_store_ struct store *st = NULL;
	if ((status = imgcmd_open(ctx, &st)))
		return status;
	_cleanup_strvec_ struct strvec out = STRVEC_INIT;
	berr err = { 0 };
	int r = image_load(st, fd, dir, &out, &err);
	for (size_t i = 0; i < out.n; i++)
		printf("%s\n", out.v[i]);
	if (r < 0) {
		fprintf(stderr, "Error: %s\n", err.msg);
		return 1;
	}
	return 0;
}

BERTH_COMMAND(cmd_load) = { .name = "load", .usage = "load [OPTIONS]", .summary = SUMMARY, .run = run_load };
BERTH_COMMAND(cmd_image_load) = { .group = "image", .name = "load", .usage = USAGE, .summary = SUMMARY, .run = run_load };
