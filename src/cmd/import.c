/* import.c: `berth import FILE|- [REPOSITORY[:TAG]]`: a rootfs tarball becomes an image. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "cmd/imgcmd.h"
#include "image/import.h"
#include "image/istore.h"
#include "image/ref.h"
#include "util/cleanup.h"

#define USAGE "import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]"
#define SUMMARY "Import the contents from a tarball to create a filesystem image"

static const char *goarch(void)
{
	static struct utsname u;
	uname(&u);
	if (!strcmp(u.machine, "x86_64")) return "amd64";
	if (!strcmp(u.machine, "aarch64")) return "arm64";
	if (!strncmp(u.machine, "arm", 3)) return "arm";
	return u.machine;
}

static int run_import(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec changes = STRVEC_INIT, args = STRVEC_INIT;
	const char *message = NULL, *platform = NULL;
	struct opt opts[] = {
		{ "change", 'c', OPT_LIST, &changes, "Apply Dockerfile instruction to the created image", "list" },
		{ "message", 'm', OPT_STR, &message, "Set commit message for imported image", "string" },
		{ "platform", 0, OPT_STR, &platform, "Set platform if server is multi-platform capable", "string" },
		OPT_SENTINEL,
	};
	int status;
	const char *cmdpath = "import";
	if (opts_parse(cmdpath, USAGE, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args(cmdpath, USAGE, SUMMARY, &args, 1, 2)))
		return status;
	berr err = { 0 };
	const char *src = args.v[0];
	struct ref r = { 0 };
	if (args.n == 2 && ref_parse_tagged(args.v[1], &r, &err) < 0)
		return cli_error(&err);
	if (!strncmp(src, "http://", 7) || !strncmp(src, "https://", 8)) {
		ref_free(&r);
		fprintf(stderr, "Error: importing from a URL is not supported by berth (no network); download the file first\n");
		return 125;
	}
	if (platform && strcmp(platform, "linux") && strncmp(platform, "linux/", 6)) {
		ref_free(&r);
		fprintf(stderr, "Error: operating system is not supported: %s\n", platform);
		return 125;
	}
	_cleanup_close_ int fd = -1;
	if (!strcmp(src, "-"))
		fd = dup(0);
	else if ((fd = open(src, O_RDONLY | O_CLOEXEC)) < 0) {
		ref_free(&r);
		fprintf(stderr, "Error: open %s: %s\n", src, strerror(errno) /* Go's wording below */);
		return 125;
	}
	_cleanup_store_ struct store *st = NULL;
	if ((status = imgcmd_open(ctx, &st))) {
		ref_free(&r);
		return status;
	}
	const char *arch = goarch();
	_cleanup_free_ char *archbuf = NULL;
	if (platform && strchr(platform, '/')) {
		archbuf = xstrdup(strchr(platform, '/') + 1);
		char *sl = strchr(archbuf, '/');
		if (sl)
			*sl = 0;
		arch = archbuf;
	}
	char id[DIGEST_STR_LEN + 1];
	if (image_import(st, fd, src, &changes, message, arch, id, &err) < 0) {
		ref_free(&r);
		return cli_error(&err);
	}
	if (r.domain) {
		_cleanup_free_ char *full = ref_string(&r);
		ref_free(&r);
		if (img_tag(st, full, id, NULL, &err) < 0)
			return cli_error(&err);
	}
	printf("%s\n", id);
	return 0;
}

BERTH_COMMAND(cmd_import) = {
	.name = "import", .usage = USAGE, .summary = SUMMARY, .run = run_import,
};
BERTH_COMMAND(cmd_image_import) = {
	.group = "image", .name = "import", .usage = "image " USAGE, .summary = SUMMARY, .run = run_import,
};
