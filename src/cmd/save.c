/* save.c: `berth save [-o FILE] [--format docker-archive|oci-archive|oci-dir] IMAGE...`. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "cmd/imgcmd.h"
#include "image/save.h"
#include "util/cleanup.h"

#define USAGE "image save [OPTIONS] IMAGE [IMAGE...]"
#define SUMMARY "Save one or more images to a tar archive (streamed to STDOUT by default)"

static int run_save(struct berth_ctx *ctx, int argc, char **argv)
{
	const char *output = NULL, *format = "docker-archive";
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	struct opt opts[] = {
		{ "format", 0, OPT_STR, &format, "Output format: docker-archive (default), oci-archive or oci-dir", "string" },
		{ "output", 'o', OPT_STR, &output, "Write to a file, instead of STDOUT", "string" },
		OPT_SENTINEL,
	};
	int status;
	const char *cmdpath = strcmp(argv[0], "save") ? "image save" : "save";
	if (opts_parse(cmdpath, USAGE, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args(cmdpath, USAGE, SUMMARY, &args, 1, -1)))
		return status;
	enum save_format fmt;
	if (!strcmp(format, "docker-archive"))
		fmt = SAVE_DOCKER_ARCHIVE;
	else if (!strcmp(format, "oci-archive"))
		fmt = SAVE_OCI_ARCHIVE;
	else if (!strcmp(format, "oci-dir"))
		fmt = SAVE_OCI_DIR;
	else
		return cli_usage_error(cmdpath, "invalid --format \"%s\": use docker-archive, oci-archive or oci-dir", format);
	if (fmt == SAVE_OCI_DIR && !output) {
		fprintf(stderr, "Error: --format oci-dir needs -o DIR\n");
		return 125;
	}
	if (!output && isatty(1)) {
		fprintf(stderr, "Error: cowardly refusing to save to a terminal. Use the -o flag or redirect\n");
		return 1;
	}
	_cleanup_store_ struct store *st = NULL;
	if ((status = imgcmd_open(ctx, &st)))
		return status;
	berr err = { 0 };
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	if (fmt != SAVE_OCI_DIR) {
		if (output) {
			/* Docker writes to a temp file next to the output and renames it when complete */
			tmp = xasprintf("%s.berth-tmp-%d", output, getpid());
			fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (fd < 0) {
				fprintf(stderr, "Error: failed to save image: open %s: %s\n", output, strerror(errno));
				return 1;
			}
		} else {
			fd = dup(1);
		}
	}
	if (image_save(st, &args, fmt, fd, output, &err) < 0) {
		if (tmp)
			unlink(tmp);
		fprintf(stderr, "Error response from daemon: %s\n", err.msg);
		return 1;
	}
	if (tmp && (fsync(fd) < 0 || rename(tmp, output) < 0)) {
		fprintf(stderr, "Error: failed to save image: %s: %s\n", output, strerror(errno));
		unlink(tmp);
		return 1;
	}
	return 0;
}

BERTH_COMMAND(cmd_save) = { .name = "save", .usage = "save [OPTIONS] IMAGE [IMAGE...]", .summary = SUMMARY, .run = run_save };
BERTH_COMMAND(cmd_image_save) = { .group = "image", .name = "save", .usage = USAGE, .summary = SUMMARY, .run = run_save };
