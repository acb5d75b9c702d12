/* cp.c: `berth cp CONTAINER:SRC_PATH DEST_PATH` and `berth cp SRC_PATH CONTAINER:DEST_PATH`. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string.h>
#include "cli/cli.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"

#define USAGE "cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH"
#define SUMMARY "Copy files/folders between a container and the local filesystem"

static char *split_ctr(const char *arg, const char **path)
{
	/* CONTAINER:PATH, where a local path containing ':' must start with '/' or '.' */
	if (arg[0] == '/' || arg[0] == '.')
		return NULL;
	const char *c = strchr(arg, ':');
	if (!c)
		return NULL;
	*path = c + 1;
	return xstrndup(arg, (size_t)(c - arg));
}

static int run_cp(struct berth_ctx *ctx, int argc, char **argv)
{
	bool archive = false, follow = false, quiet = false;
	struct opt opts[] = {
		{ "archive", 'a', OPT_BOOL, &archive, "Archive mode (copy all uid/gid information)", NULL },
		{ "follow-link", 'L', OPT_BOOL, &follow, "Always follow symbol link in SRC_PATH", NULL },
		{ "quiet", 'q', OPT_BOOL, &quiet, "Suppress progress output during copy", NULL },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	if (opts_parse("cp", USAGE, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("cp", USAGE, SUMMARY, &args, 2, 2)))
		return status;
	const char *sp = NULL, *dp = NULL;
	_cleanup_free_ char *sc = split_ctr(args.v[0], &sp);
	_cleanup_free_ char *dc = split_ctr(args.v[1], &dp);
	if (sc && dc) {
		fprintf(stderr, "copying between containers is not supported\n");
		return 1;
	}
	if (!sc && !dc) {
		fprintf(stderr, "must specify at least one container source\n");
		return 1;
	}
	(void)archive;
	(void)quiet;
	struct cp_opts o = { .to_container = dc != NULL, .src = sc ? sp : args.v[0], .dst = dc ? dp : args.v[1], .follow = follow };
	o.tar_in = o.to_container && !strcmp(o.src, "-");
	o.tar_out = !o.to_container && !strcmp(o.dst, "-");
	/* the host side is checked first, as Docker's CLI does (messages with absolute paths) */
	char cwd[4096];
	if (!getcwd(cwd, sizeof cwd))
		snprintf(cwd, sizeof cwd, ".");
	if (o.to_container && !o.tar_in) {
		struct stat sb;
		if (lstat(o.src, &sb) < 0) {
			char e[128];
			snprintf(e, sizeof e, "%s", strerror(errno));
			e[0] = (char)tolower((unsigned char)e[0]);
			fprintf(stderr, "lstat %s%s%s: %s\n", o.src[0] == '/' ? "" : cwd, o.src[0] == '/' ? "" : "/", o.src, e);
			return 1;
		}
	}
	if (!o.to_container && !o.tar_out) {
		_cleanup_free_ char *abs = o.dst[0] == '/' ? xstrdup(o.dst) : xasprintf("%s/%s", cwd, o.dst);
		size_t l = strlen(abs);
		while (l > 1 && abs[l - 1] == '/')
			abs[--l] = 0;
		struct stat sb;
		bool exists = stat(abs, &sb) == 0;
		size_t dl = strlen(o.dst);
		if (dl > 1 && o.dst[dl - 1] == '/' && (!exists || !S_ISDIR(sb.st_mode))) {
			fprintf(stderr, "destination \"%s\" must be a directory\n", o.dst);
			return 1;
		}
		char *sl = strrchr(abs, '/');
		if (!exists && sl) {
			*sl = 0;
			if (stat(*abs ? abs : "/", &sb) < 0 || !S_ISDIR(sb.st_mode)) {
				fprintf(stderr, "invalid output path: directory \"%s\" does not exist\n", *abs ? abs : "/");
				return 1;
			}
		}
	}
	_cleanup_store_ struct store *st = NULL;
	berr err = { 0 };
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	_cleanup_ctr_ struct ctr *c = NULL;
	if (ctr_lookup(st, sc ? sc : dc, &c, &err) < 0)
		return cli_error(&err);
	o.name = sc ? sc : dc;
	if (ctr_cp_ex(st, c, &o, &err) < 0) {
		if (err.status == 2)
			fprintf(stderr, "%s\n", err.msg);
		else
			cli_error(&err);
		return 1;
	}
	return 0;
}

BERTH_COMMAND(cmd_cp) = { .name = "cp", .usage = USAGE, .summary = SUMMARY, .run = run_cp };
BERTH_COMMAND(cmd_container_cp) = { .group = "container", .name = "cp", .usage = USAGE, .summary = SUMMARY, .run = run_cp };
