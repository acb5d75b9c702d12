/* debug_context.c: `berth debug context [OPTIONS] DIR|- [SRC...]` (hidden): the files a build
 * would send from DIR after .dockerignore, and the digest of what `COPY SRC` takes, for each
 * SRC; --changed-since names what changed since digests printed by an earlier run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "build/context.h"
#include "cli/cli.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/fs.h"

static const char usage[] = "debug context [OPTIONS] DIR|- [SRC...]";
static const char summary[] = "Show the build context of DIR and the digests of COPY sources";

/* Lines "digest<TAB>SRC<TAB>sha256:..." of an earlier run. */
static char *old_digest_for(const char *text, const char *src)
{
	const char *p = text;
	while (p && *p) {
		const char *nl = strchrnul(p, '\n');
		if (!strncmp(p, "digest\t", 7)) {
			const char *s = p + 7;
			const char *tab = NULL;
			for (const char *q = nl - 1; q > s; q--)
				if (*q == '\t') {
					tab = q;
					break;
				}
			if (tab && (size_t)(tab - s) == strlen(src) && !strncmp(s, src, strlen(src)))
				return xstrndup(tab + 1, (size_t)(nl - tab - 1));
		}
		p = *nl ? nl + 1 : nl;
	}
	return NULL;
}

static int run_debug_context(struct berth_ctx *ctx, int argc, char **argv)
{
	const char *ignore_file = NULL, *dockerfile = NULL, *changed_since = NULL;
	bool stats = false, no_cache = false, no_ignore = false, show_matches = false;
	_cleanup_strvec_ struct strvec excludes = STRVEC_INIT;
	struct opt opts[] = {
		{ "ignore-file", 0, OPT_STR, &ignore_file, "Use this ignore file", "string" },
		{ "file", 'f', OPT_STR, &dockerfile, "Name of the Dockerfile (for <Dockerfile>.dockerignore)", "string" },
		{ "changed-since", 0, OPT_STR, &changed_since, "Say what changed since the digests in this file", "string" },
		{ "stats", 0, OPT_BOOL, &stats, "Print walk and hashing statistics to stderr", NULL },
		{ "no-cache", 0, OPT_BOOL, &no_cache, "Do not use the stat cache", NULL },
		{ "no-ignore", 0, OPT_BOOL, &no_ignore, "Ignore .dockerignore", NULL },
		{ "exclude", 0, OPT_LIST, &excludes, "COPY --exclude pattern for every SRC", "list" },
		{ "matches", 0, OPT_BOOL, &show_matches, "Print what each SRC matches (as named -> as read)", NULL },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	if (opts_parse("debug context", usage, summary, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("debug context", usage, summary, &args, 1, -1)))
		return status;
	berr err = { 0 };
	_cleanup_store_ struct store *st = NULL;
	if (!no_cache || args.n > 1 || changed_since || !strcmp(args.v[0], "-")) {
		if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
			return cli_error(&err);
	}
	_cleanup_free_ char *tmpdir = NULL;
	const char *dir = args.v[0];
	if (!strcmp(dir, "-")) {
		_cleanup_free_ char *tmp = store_path(st, "tmp");
		_cleanup_free_ char *df = NULL;
		size_t dflen;
		if (bctx_from_stdin(STDIN_FILENO, tmp, &tmpdir, &df, &dflen, &err) < 0)
			return cli_error(&err);
		if (!tmpdir) {
			printf("dockerfile\t%zu bytes\n", dflen);
			return 0;
		}
		dir = tmpdir;
	}
	struct bctx_opts bo = { .dockerfile = dockerfile, .ignore_file = ignore_file, .no_ignore = no_ignore,
				.store = (no_cache || tmpdir) ? NULL : st };
	_cleanup_bctx_ struct bctx *c = NULL;
	_cleanup_free_ char *old = NULL;
	int rc = 0;
	if (bctx_open(dir, &bo, &c, &err) < 0) {
		rc = cli_error(&err);
		goto out;
	}
	for (size_t i = 1; i < c->n; i++) {
		const struct bctx_entry *e = &c->e[i];
		if (S_ISDIR(e->mode))
			printf("%s/\n", e->path);
		else if (S_ISLNK(e->mode))
			printf("%s -> %s\n", e->path, e->link);
		else
			printf("%s\n", e->path);
	}
	if (changed_since && read_file(changed_since, &old, NULL, &err) < 0) {
		rc = cli_error(&err);
		goto out;
	}
	for (size_t s = 1; s < args.n; s++) {
		struct bctx_fileset fs;
		const char *src = args.v[s];
		if (show_matches) {
			_cleanup_strvec_ struct strvec m = STRVEC_INIT, r = STRVEC_INIT;
			if (bctx_copy_source(c, src, &m, &r, &err) < 0) {
				rc = cli_error(&err);
				goto out;
			}
			for (size_t i = 0; i < m.n; i++)
				printf("match\t%s\t%s -> %s\n", src, m.v[i], *r.v[i] ? r.v[i] : ".");
		}
		if (bctx_fileset_ex(c, &src, 1, (const char *const *)excludes.v, excludes.n, &fs, &err) < 0) {
			rc = cli_error(&err);
			goto out;
		}
		printf("digest\t%s\t%s\n", src, fs.digest);
		_cleanup_free_ char *od = old ? old_digest_for(old, src) : NULL;
		if (od && strcmp(od, fs.digest)) {
			_cleanup_free_ char *why = bctx_fileset_explain(st, od, &fs, 5);
			printf("changed\t%s\t%s\n", src, why);
		} else if (od) {
			printf("unchanged\t%s\n", src);
		}
		bctx_fileset_release(&fs);
	}
	if (stats)
		fprintf(stderr, "ignore file: %s\nentries: %zu\nhashed: %zu files, %llu bytes\ncache hits: %zu\n",
			c->ignore_file ? c->ignore_file : "(none)", c->stats.entries, c->stats.hashed,
			(unsigned long long)c->stats.hashed_bytes, c->stats.cache_hits);
out:
	if (tmpdir) {
		berr e2 = { 0 };
		rm_rf(tmpdir, &e2);
	}
	return rc;
}

BERTH_COMMAND(cmd_debug_context) = {
	.group = "debug",
	.name = "context",
	.usage = usage,
	.summary = summary,
	.run = run_debug_context,
	.hidden = true,
};
