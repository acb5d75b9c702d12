/* options.c: `berth build` flag parsing (docker build's flags and messages) and loading
 * the Dockerfile from the context. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "build/options.h"
#include "cli/cli.h"
#include "util/fs.h"

#define USAGE "build [OPTIONS] PATH | URL | -"
#define SUMMARY "Build an image from a Dockerfile"

int build_opts_parse(int argc, char **argv, struct build_opts *o, int *status)
{
	memset(o, 0, sizeof(*o));
	struct opt opts[] = {
		{ "tag", 't', OPT_LIST, &o->tags, "Name and optionally a tag in the \"name:tag\" format", "list" },
		{ "file", 'f', OPT_STR, &o->file, "Name of the Dockerfile (default: \"PATH/Dockerfile\")", "string" },
		{ "target", 0, OPT_STR, &o->target, "Set the target build stage to build", "string" },
		{ "build-arg", 0, OPT_LIST, &o->build_args, "Set build-time variables", "list" },
		{ "label", 0, OPT_LIST, &o->labels, "Set metadata for an image", "list" },
		{ "no-cache", 0, OPT_BOOL, &o->no_cache, "Do not use cache when building the image", NULL },
		{ "no-cache-filter", 0, OPT_LIST, &o->no_cache_filter, "Do not cache specified stages", "list" },
		{ "progress", 0, OPT_STR, &o->progress, "Set type of progress output (\"auto\", \"plain\", \"tty\", \"quiet\")", "string" },
		{ "quiet", 'q', OPT_BOOL, &o->quiet, "Suppress the build output and print image ID on success", NULL },
		{ "iidfile", 0, OPT_STR, &o->iidfile, "Write the image ID to a file", "string" },
		{ "network", 0, OPT_STR, &o->network, "Set the networking mode for the RUN instructions during build", "string" },
		{ "secret", 0, OPT_LIST, &o->secrets, "Secret to expose to the build (format: \"id=mysecret[,src=/local/secret]\")", "stringArray" },
		{ "output", 'o', OPT_LIST, &o->outputs, "Output destination (format: \"type=local,dest=path\")", "stringArray" },
		{ "cache-from", 0, OPT_LIST, &o->cache_from, "External cache sources (e.g., \"type=local,src=path/to/dir\")", "stringArray" },
		{ "cache-to", 0, OPT_LIST, &o->cache_to, "Cache export destinations (e.g., \"type=local,dest=path/to/dir\")", "stringArray" },
		{ "compression", 0, OPT_STR, &o->compression, "Layer compression (\"gzip\", \"zstd\", \"uncompressed\")", "string" },
		{ "platform", 0, OPT_STR, &o->platform, "Set target platform for build", "string" },
		{ "check", 0, OPT_BOOL, &o->check, "Shorthand for \"--call=check\"", NULL },
		{ "call", 0, OPT_STR, &o->call, "Set method for evaluating build (\"check\", \"outline\", \"targets\")", "string" },
		OPT_SENTINEL,
	};
	struct strvec args = STRVEC_INIT;
	if (opts_parse("build", USAGE, SUMMARY, opts, true, argc, argv, &args, status)) {
		sv_clear(&args);
		build_opts_release(o);
		return 1;
	}
	if ((*status = cli_require_args("build", USAGE, SUMMARY, &args, 1, 1))) {
		sv_clear(&args);
		build_opts_release(o);
		return 1;
	}
	o->context = xstrdup(args.v[0]);
	sv_clear(&args);
	if (o->progress && strcmp(o->progress, "auto") && strcmp(o->progress, "plain") &&
	    strcmp(o->progress, "tty") && strcmp(o->progress, "quiet") && strcmp(o->progress, "rawjson")) {
		*status = cli_usage_error("build", "invalid progress mode \"%s\" (auto, plain, tty, quiet, rawjson)", o->progress);
		build_opts_release(o);
		return 1;
	}
	if (o->compression && strcmp(o->compression, "gzip") && strcmp(o->compression, "zstd") &&
	    strcmp(o->compression, "uncompressed")) {
		*status = cli_usage_error("build", "invalid compression \"%s\" (gzip, zstd, uncompressed)", o->compression);
		build_opts_release(o);
		return 1;
	}
	if (o->network && strcmp(o->network, "default") && strcmp(o->network, "host") &&
	    strcmp(o->network, "none")) {
		*status = cli_usage_error("build", "network mode \"%s\" not supported by buildkit (default, host, none)", o->network);
		build_opts_release(o);
		return 1;
	}
	if (o->check) {
		if (o->call && strcmp(o->call, "check")) {
			*status = cli_usage_error("build", "cannot use --check and --call=%s together", o->call);
			build_opts_release(o);
			return 1;
		}
		o->call = "check";
	}
	if (o->call) {
		char m[32];
		snprintf(m, sizeof(m), "%.*s", (int)strcspn(o->call, ","), o->call);
		if (strcmp(m, "build") && strcmp(m, "check") && strcmp(m, "outline") && strcmp(m, "targets")) {
			*status = cli_usage_error("build", "invalid --call \"%s\": want build, check, outline or targets", o->call);
			build_opts_release(o);
			return 1;
		}
	}
	for (size_t i = 0; i < o->secrets.n; i++)
		if (!strstr(o->secrets.v[i], "id=") && !strstr(o->secrets.v[i], "src=") &&
		    !strstr(o->secrets.v[i], "env=")) {
			*status = cli_usage_error("build", "invalid secret \"%s\": want id=ID[,src=FILE|env=VAR]", o->secrets.v[i]);
			build_opts_release(o);
			return 1;
		}
	return 0;
}

void build_opts_release(struct build_opts *o)
{
	sv_clear(&o->tags);
	sv_clear(&o->build_args);
	sv_clear(&o->labels);
	sv_clear(&o->no_cache_filter);
	sv_clear(&o->secrets);
	sv_clear(&o->outputs);
	sv_clear(&o->cache_from);
	sv_clear(&o->cache_to);
	free((char *)o->context);
	o->context = NULL;
}

void build_opts_args(const struct build_opts *o, struct strvec *out)
{
	for (size_t i = 0; i < o->build_args.n; i++) {
		const char *a = o->build_args.v[i];
		if (strchr(a, '=')) {
			sv_push(out, a);
			continue;
		}
		const char *v = getenv(a);
		if (v)
			sv_pushf(out, "%s=%s", a, v);
	}
}

static int read_fd(int fd, char **data, size_t *len, berr *err)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	char tmp[65536];
	ssize_t n;
	while ((n = read(fd, tmp, sizeof(tmp))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			sb_release(&sb);
			return berr_sys(err, "read stdin");
		}
		sb_add(&sb, tmp, (size_t)n);
	}
	*len = sb.len;
	*data = sb_detach(&sb);
	return 0;
}

int build_load_dockerfile(const struct build_opts *o, char **data, size_t *len, char **name,
			  berr *err)
{
	*data = NULL;
	*name = NULL;
	if ((o->file && !strcmp(o->file, "-")) || (!o->file && !strcmp(o->context, "-"))) {
		*name = xstrdup("Dockerfile");
		return read_fd(0, data, len, err);
	}
	char *path = o->file ? xstrdup(o->file) : xasprintf("%s/Dockerfile", o->context);
	if (read_file(path, data, len, err)) {
		if (err->errnum == ENOENT)
			berr_set(err, ENOENT, "failed to read dockerfile: open %s: no such file or directory", path);
		free(path);
		return -1;
	}
	const char *b = strrchr(path, '/');
	*name = xstrdup(b ? b + 1 : path);
	free(path);
	return 0;
}
