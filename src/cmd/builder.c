/* builder.c: `berth builder prune [-a] [-f]` (docker builder prune) and the build cache's part
 * in `system prune`: forget every cached step (build/cache.h), with -a also the
 * RUN --mount=type=cache directories, then free the layers no image uses. */
#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>
#include <string.h>
#include <time.h>
#include "build/cache.h"
#include "build/cache_du.h"
#include "cli/cli.h"
#include "cmd/imgcmd.h"
#include "cmd/system_hooks.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/template.h"
#include "util/units.h"

static int prune_build_cache(struct store *st, int flags, const struct strvec *filters, struct strvec *out,
			     uint64_t *freed, berr *err)
{
	/* until=TIME: only what was last used before; label=...: cache records have no labels,
	 * so nothing matches a label filter (as Docker's build cache) */
	int64_t until;
	bool labelled;
	if (bdu_parse_filters(filters, &until, &labelled, err) < 0)
		return -1;
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
	if (flags & PRUNE_ALL) {
		/* the cache mounts (exec.cachemount records) last used before until */
		_cleanup_free_ char *m = store_path(st, "cache/mounts");
		_cleanup_closedir_ DIR *d = opendir(m);
		struct dirent *e;
		size_t left = 0;
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			_cleanup_free_ char *p = xasprintf("%s/%s", m, e->d_name);
			struct stat sb;
			if (lstat(p, &sb) == 0 && (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec >= until) {
				left++;
				continue;
			}
			uint64_t before = path_du(p);
			if (rm_rf(p, err) < 0)
				return -1;
			*freed += before;
			sv_pushf(out, "%.25s", e->d_name);
		}
		if (!left && rm_rf(m, err) < 0)
			return -1;
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

/* ---- builder du (docker buildx du) ---- */

static const char *ago(int64_t ns, char buf[UNITS_BUF])
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	units_human_duration((int64_t)now.tv_sec * 1000000000 + now.tv_nsec - ns, buf);
	size_t l = strlen(buf);
	snprintf(buf + l, UNITS_BUF - l, " ago");
	return buf;
}

static json_t *rec_json(const struct bdu_rec *r)
{
	char sz[UNITS_BUF], cr[UNITS_BUF], lu[UNITS_BUF], la[UNITS_BUF];
	units_human_size((double)r->size, sz);
	units_rfc3339nano(r->created_ns / 1000000000, (long)(r->created_ns % 1000000000), cr);
	units_rfc3339nano(r->used_ns / 1000000000, (long)(r->used_ns % 1000000000), lu);
	_cleanup_free_ char *id = xasprintf("%s%s", r->id, r->mutable_ ? "*" : "");
	_cleanup_free_ char *size = xasprintf("%s%s", sz, r->shared ? "*" : "");
	return json_pack("{s:s,s:s,s:s,s:s,s:b,s:b,s:b,s:s,s:I,s:s,s:I,s:s,s:s,s:s,s:s}", "ID", r->id, "Parents", r->parent,
			 "CreatedAt", cr, "LastUsedAt", lu, "Mutable", r->mutable_, "Reclaimable", !r->shared, "Shared", r->shared,
			 "Size", sz, "Bytes", (json_int_t)r->size, "Description", r->description, "UsageCount", (json_int_t)r->usage,
			 "Type", r->type, "TableID", id, "TableSize", size, "LastAccessed", ago(r->used_ns, la));
}

static void print_verbose(const struct bdu_rec *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct bdu_rec *r = &v[i];
		char b[UNITS_BUF];
		printf("%-14s%s\n", "ID:", r->id);
		if (r->parent[0])
			printf("%-14s%s\n", "Parent:", r->parent);
		printf("%-14s%s\n", "Created at:", units_rfc3339nano(r->created_ns / 1000000000, (long)(r->created_ns % 1000000000), b));
		printf("%-14s%s\n", "Mutable:", r->mutable_ ? "true" : "false");
		printf("%-14s%s\n", "Reclaimable:", r->shared ? "false" : "true");
		printf("%-14s%s\n", "Shared:", r->shared ? "true" : "false");
		printf("%-14s%s\n", "Size:", units_human_size((double)r->size, b));
		if (r->description && *r->description)
			printf("%-14s%s\n", "Description:", r->description);
		printf("%-14s%d\n", "Usage count:", r->usage);
		printf("%-14s%s\n", "Last used:", ago(r->used_ns, b));
		printf("%-14s%s\n\n", "Type:", r->type);
	}
}

static void print_summary(const struct bdu_rec *v, size_t n)
{
	struct bdu_sum s;
	bdu_summarize(v, n, &s);
	char b[UNITS_BUF];
	if (s.shared) {
		printf("%-15s%s\n", "Shared:", units_human_size((double)s.shared, b));
		printf("%-15s%s\n", "Private:", units_human_size((double)s.private_, b));
	}
	printf("%-15s%s\n", "Reclaimable:", units_human_size((double)s.reclaimable, b));
	printf("%-15s%s\n", "Total:", units_human_size((double)s.total, b));
}

static int run_builder_du(struct berth_ctx *ctx, int argc, char **argv)
{
	bool verbose = false;
	const char *format = NULL;
	_cleanup_strvec_ struct strvec args = STRVEC_INIT, filter = STRVEC_INIT;
	struct opt opts[] = {
		{ "filter", 0, OPT_LIST, &filter, "Provide filter values", "filter" },
		{ "format", 0, OPT_STR, &format, "Format the output", "string" },
		{ "verbose", 'v', OPT_BOOL, &verbose, "Shorthand for --format=pretty", NULL },
		OPT_SENTINEL,
	};
	int status;
	const char *usage = "builder du [OPTIONS]", *summary = "Disk usage";
	if (opts_parse("builder du", usage, summary, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("builder du", usage, summary, &args, 0, 0)))
		return status;
	berr err = { 0 };
	int64_t until;
	if (bdu_parse_filters(&filter, &until, NULL, &err) < 0)
		return cli_error(&err);
	if (verbose && format && strcmp(format, "pretty"))
		return cli_error(&(berr){ .status = 125, .msg = "--verbose and --format are mutually exclusive" });
	if (verbose)
		format = "pretty";
	_cleanup_store_ struct store *st = NULL;
	if ((status = imgcmd_open(ctx, &st)))
		return status;
	struct bdu_rec *v = NULL;
	size_t n = 0;
	if (bdu_list(st, until, &v, &n, &err) < 0)
		return cli_error(&err);
	int ret = 0;
	if (format && !strcmp(format, "pretty")) {
		print_verbose(v, n);
		print_summary(v, n);
	} else {
		json_t *rows = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(rows, rec_json(&v[i]));
		static const struct fmt_header hdr[] = {
			{ "TableID", "ID" }, { "ID", "ID" }, { "Reclaimable", "RECLAIMABLE" }, { "TableSize", "SIZE" },
			{ "Size", "SIZE" }, { "LastAccessed", "LAST ACCESSED" }, { "LastUsedAt", "LAST USED" },
			{ "CreatedAt", "CREATED AT" }, { "Type", "TYPE" }, { "Shared", "SHARED" }, { "Mutable", "MUTABLE" },
			{ "Description", "DESCRIPTION" }, { "UsageCount", "USAGE" }, { "Parents", "PARENTS" }, { "Bytes", "BYTES" },
			{ NULL, NULL },
		};
		bool table = !format || !strcmp(format, "table"); /* the summary only under the default table */
		if (fmt_render(stdout, format, "table {{.TableID}}\t{{.Reclaimable}}\t{{.TableSize}}\t{{.LastAccessed}}", hdr, rows, &err) < 0)
			ret = cli_error(&err);
		else if (table)
			print_summary(v, n);
		json_decref(rows);
	}
	bdu_free(v, n);
	return ret;
}

BERTH_COMMAND(cmd_builder_du) = {
	.group = "builder", .name = "du", .usage = "builder du [OPTIONS]", .summary = "Disk usage",
	.run = run_builder_du,
};

/* ---- the build cache's rows in `system df` ---- */

static int df_cache_fill(struct store *st, struct df_row *row, bool verbose, struct strbuf *out, berr *err)
{
	struct bdu_rec *v = NULL;
	size_t n = 0;
	if (bdu_list(st, INT64_MAX, &v, &n, err) < 0)
		return -1;
	struct bdu_sum s;
	bdu_summarize(v, n, &s);
	/* Docker counts only the records no image shares. The private layers are measured under
	 * layers/ and blobs/ (the images' directories), which the image row gives back; the blocks
	 * of cache/ itself are no record's and go to Metadata. */
	row->total = s.count;
	row->active = 0;
	row->overhead = row->size > s.mounts ? row->size - s.mounts : 0;
	row->size = s.mounts + s.private_layers; /* = Private, each layer counted once */
	row->reclaimable = row->size;
	int ret = 0;
	if (verbose) {
		char b[UNITS_BUF];
		sb_addf(out, "Build cache usage: %s\n\n", units_human_size((double)row->size, b));
		json_t *rows = json_array();
		for (size_t i = 0; i < n; i++) {
			char id[13], sz[UNITS_BUF], cr[UNITS_BUF], lu[UNITS_BUF];
			snprintf(id, sizeof id, "%.12s", v[i].id);
			units_human_size_prec((double)v[i].size, 3, sz);
			_cleanup_free_ char *usage = xasprintf("%d", v[i].usage);
			json_array_append_new(rows, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "ID", id, "CacheType", v[i].type, "Size", sz,
							      "CreatedSince", ago(v[i].created_ns, cr), "LastUsedSince", ago(v[i].used_ns, lu),
							      "UsageCount", usage, "Shared", v[i].shared ? "true" : "false"));
		}
		static const struct fmt_header hdr[] = {
			{ "ID", "CACHE ID" }, { "CacheType", "CACHE TYPE" }, { "Size", "SIZE" }, { "CreatedSince", "CREATED" },
			{ "LastUsedSince", "LAST USED" }, { "UsageCount", "USAGE" }, { "Shared", "SHARED" }, { NULL, NULL },
		};
		ret = fmt_render_sb(out, NULL, "table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}",
				    hdr, rows, err);
		json_decref(rows);
		sb_addc(out, '\n');
	}
	bdu_free(v, n);
	return ret;
}

static const char *const cache_dirs[] = { "cache", NULL };
BERTH_DF_PROVIDER(df_build_cache) = { .type = "Build Cache", .order = 40, .dirs = cache_dirs, .fill = df_cache_fill };
