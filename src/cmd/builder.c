/* builder.c: `berth builder prune [-a] [-f]` (docker builder prune) and the build cache's part
 * in `system prune`: forget every cached step (build/cache.h), with -a also the
 * RUN --mount=type=cache directories, then free the layers no image uses. */
#include <stdint.h>
#include <string.h>
#include <time.h>
#include "build/cache.h"
#include "cli/cli.h"
#include "cmd/imgcmd.h"
#include "cmd/system_hooks.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/units.h"

static int prune_build_cache(struct store *st, int flags, const struct strvec *filters, struct strvec *out,
			     uint64_t *freed, berr *err)
{
	/* until=TIME: only what was last used before; label=...: cache records have no labels,
	 * so nothing matches a label filter (as Docker's build cache) */
	int64_t until = INT64_MAX;
	bool labelled = false;
	for (size_t i = 0; filters && i < filters->n; i++) {
		const char *f = filters->v[i];
		if (!strncmp(f, "until=", 6)) {
			int64_t sec;
			long nsec;
			if (units_parse_timestamp(f + 6, time(NULL), &sec, &nsec, err) < 0)
				return -1;
			until = sec * 1000000000 + nsec;
		} else if (!strncmp(f, "label=", 6) || !strncmp(f, "label!=", 7))
			labelled = true;
		else
			return berr_set(err, EINVAL, "invalid filter '%s'", f);
	}
	if (labelled)
		return 0;
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "SELECT key FROM build_cache WHERE used < ? ORDER BY used", err) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, until);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(s, 0);
		if (k && strlen(k) > 7 + 25)
			sv_pushf(out, "%.25s", k + 7);
	}
	_cleanup_stmt_ sqlite3_stmt *d = NULL;
	if (store_prepare(st, &d, "DELETE FROM build_cache WHERE used < ?", err) < 0)
		return -1;
	sqlite3_bind_int64(d, 1, until);
	if (sqlite3_step(d) != SQLITE_DONE)
		return store_dberr(st, err, "build cache");
	if ((flags & PRUNE_ALL) && until == INT64_MAX) {
		_cleanup_free_ char *m = store_path(st, "cache/mounts");
		uint64_t before = path_du(m);
		if (rm_rf(m, err) < 0)
			return -1;
		*freed += before;
	}
	uint64_t gc = 0;
	if (img_gc(st, &gc, NULL, err) < 0)
		return -1;
	*freed += gc;
	return 0;
}

BERTH_PRUNER(build_cache_pruner) = {
	.what = "build cache", .order = 50, .warning = "  - all dangling build cache",
	.warning_all = "  - all build cache", .prune = prune_build_cache,
	.heading = "Deleted build cache objects:",
};

static int run_builder_prune(struct berth_ctx *ctx, int argc, char **argv)
{
	bool all = false, force = false;
	_cleanup_strvec_ struct strvec args = STRVEC_INIT, filter = STRVEC_INIT;
	struct opt opts[] = {
		{ "all", 'a', OPT_BOOL, &all, "Remove all unused build cache, not just dangling ones", NULL },
		{ "filter", 0, OPT_LIST, &filter, "Provide filter values (e.g. \"until=24h\")", "filter" },
		{ "force", 'f', OPT_BOOL, &force, "Do not prompt for confirmation", NULL },
		OPT_SENTINEL,
	};
	int status;
	const char *usage = "builder prune", *summary = "Remove build cache";
	if (opts_parse("builder prune", usage, summary, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("builder prune", usage, summary, &args, 0, 0)))
		return status;
	if (!force && !imgcmd_confirm(all ? "WARNING! This will remove all build cache."
					  : "WARNING! This will remove all dangling build cache."))
		return 0;
	_cleanup_store_ struct store *st = NULL;
	if ((status = imgcmd_open(ctx, &st)))
		return status;
	_cleanup_strvec_ struct strvec out = STRVEC_INIT;
	uint64_t freed = 0;
	berr err = { 0 };
	if (prune_build_cache(st, all ? PRUNE_ALL : 0, &filter, &out, &freed, &err) < 0)
		return cli_error(&err);
	if (out.n) {
		printf("Deleted build cache objects:\n");
		for (size_t i = 0; i < out.n; i++)
			printf("%s\n", out.v[i]);
		printf("\n");
	}
	char b[UNITS_BUF];
	printf("Total reclaimed space: %s\n", units_human_size((double)freed, b));
	return 0;
}

BERTH_COMMAND(cmd_builder_prune) = {
	.group = "builder", .name = "prune", .usage = "builder prune", .summary = "Remove build cache",
	.run = run_builder_prune,
};
