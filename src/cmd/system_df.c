/* system_df.c: `berth system df [-v] [--format]`. Unlike Docker, every byte under --root is
 * accounted for: each top-level entry is measured on disk (blocks, hard links once) and charged
 * to the kind that owns it (system_hooks.h providers), the rest to "Metadata" (database) and
 * "Temporary" (tmp/), so the rows add up to `du -s` of the root. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "build/cache_du.h"
#include "cmd/imgcmd.h"
#include "cmd/system_hooks.h"
#include "image/istore.h"
#include "image/ref.h"
#include "util/cleanup.h"
#include "util/template.h"
#include "util/units.h"

extern const struct berth_df_provider *const __start_berth_df[] __attribute__((weak));
extern const struct berth_df_provider *const __stop_berth_df[] __attribute__((weak));

/* ---- the image provider ---- */
static int images_fill(struct store *st, struct df_row *row, bool verbose, struct strbuf *out, berr *err)
{
	_cleanup_strvec_ struct strvec ids = STRVEC_INIT;
	if (img_list(st, &ids, err) < 0)
		return -1;
	row->total = (long)ids.n;
	/* bytes of layers and blobs that only unused images need */
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "SELECT COUNT(*) FROM images i WHERE EXISTS (SELECT 1 FROM image_holders h WHERE h.image_id = i.id)", err) < 0)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		row->active = sqlite3_column_int(s, 0);
	uint64_t used = 0;
	{
		_cleanup_stmt_ sqlite3_stmt *q = NULL;
		if (store_prepare(st, &q, "SELECT DISTINCT il.chain_id FROM image_layers il JOIN image_holders h ON h.image_id = il.image_id", err) < 0)
			return -1;
		while (sqlite3_step(q) == SQLITE_ROW) {
			_cleanup_free_ char *d = xasprintf("%s/layers/%s", st->root, digest_hex((const char *)sqlite3_column_text(q, 0)));
			used += path_du(d);
		}
		_cleanup_stmt_ sqlite3_stmt *b = NULL;
		if (store_prepare(st, &b, "SELECT DISTINCT ib.digest FROM image_blobs ib JOIN image_holders h ON h.image_id = ib.image_id", err) < 0)
			return -1;
		while (sqlite3_step(b) == SQLITE_ROW) {
			_cleanup_free_ char *p = xasprintf("%s/blobs/sha256/%s", st->root, digest_hex((const char *)sqlite3_column_text(b, 0)));
			used += path_du(p);
		}
	}
	/* blobs that only build-cache records keep are the Build Cache row's (builder.c) */
	{
		struct bdu_rec *v = NULL;
		size_t nv = 0;
		if (bdu_list(st, INT64_MAX, &v, &nv, err) < 0)
			return -1;
		struct bdu_sum bs;
		bdu_summarize(v, nv, &bs);
		bdu_free(v, nv);
		row->size = row->size > bs.private_layers ? row->size - bs.private_layers : 0;
	}
	row->reclaimable = row->size > used ? row->size - used : 0;
	if (!verbose)
		return 0;
	sb_adds(out, "Images space usage:\n\n");
	json_t *rows = json_array();
	for (size_t i = 0; i < ids.n; i++) {
		struct img_info in;
		if (img_get(st, ids.v[i], &in, err) < 0)
			continue;
		/* shared: layers another image also uses */
		uint64_t shared = 0, uniq = 0;
		for (size_t k = 0; k < in.nlayers; k++) {
			_cleanup_stmt_ sqlite3_stmt *q = NULL;
			if (store_prepare(st, &q, "SELECT refs FROM layers WHERE chain_id = ?", err) < 0)
				break;
			sqlite3_bind_text(q, 1, in.layers[k].chain_id, -1, SQLITE_STATIC);
			int refs = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : 1;
			if (refs > 1)
				shared += in.layers[k].size;
			else
				uniq += in.layers[k].size;
		}
		char idb[13], a[UNITS_BUF], b[UNITS_BUF], c[UNITS_BUF], dur[UNITS_BUF];
		short_id(in.id, idb);
		int64_t cr = parse_rfc3339(json_string_value(json_object_get(in.config, "created")), NULL);
		units_human_duration(((int64_t)time(NULL) - cr) * 1000000000LL, dur);
		_cleanup_free_ char *since = xasprintf("%s ago", dur);
		_cleanup_free_ char *cont = xasprintf("%d", in.holders);
		units_human_size_prec((double)in.size, 3, a);
		units_human_size((double)shared, b);
		units_human_size((double)uniq, c);
		if (!in.tags.n)
			json_array_append_new(rows, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "Repository", "<none>", "Tag", "<none>", "ID", idb,
							      "CreatedSince", since, "Size", a, "SharedSize", b, "UniqueSize", c, "Containers", cont));
		for (size_t k = 0; k < in.tags.n; k++) {
			struct ref r;
			berr e2;
			if (ref_parse(in.tags.v[k], &r, &e2) < 0)
				continue;
			_cleanup_free_ char *repo = ref_familiar_name(&r);
			json_array_append_new(rows, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "Repository", repo, "Tag", r.tag ? r.tag : "<none>",
							      "ID", idb, "CreatedSince", since, "Size", a, "SharedSize", b, "UniqueSize", c,
							      "Containers", cont));
			ref_free(&r);
		}
		img_info_release(&in);
	}
	static const struct fmt_header hdr[] = {
		{ "Repository", "REPOSITORY" }, { "Tag", "TAG" }, { "ID", "IMAGE ID" }, { "CreatedSince", "CREATED" },
		{ "Size", "SIZE" }, { "SharedSize", "SHARED SIZE" }, { "UniqueSize", "UNIQUE SIZE" }, { "Containers", "CONTAINERS" },
		{ NULL, NULL },
	};
	int r = fmt_render_sb(out, NULL,
			      "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}",
			      hdr, rows, err);
	json_decref(rows);
	sb_addc(out, '\n');
	return r;
}

static const char *const image_dirs[] = { "blobs", "layers", "gc.lock", NULL };
BERTH_DF_PROVIDER(df_images) = { .type = "Images", .order = 10, .dirs = image_dirs, .fill = images_fill };

/* Default rows for kinds no module has registered yet: entries counted, nothing active. */
static int dir_fill(struct store *st, const char *dir, struct df_row *row)
{
	_cleanup_free_ char *p = store_path(st, dir);
	_cleanup_closedir_ DIR *d = opendir(p);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			row->total++;
	row->reclaimable = row->size;
	return 0;
}

static int run_df(struct berth_ctx *ctx, int argc, char **argv)
{
	bool verbose = false;
	const char *format = NULL;
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	struct opt opts[] = {
		{ "format", 0, OPT_STR, &format, "Pretty-print images using a Go template", "string" },
		{ "verbose", 'v', OPT_BOOL, &verbose, "Show detailed information on space usage", NULL },
		OPT_SENTINEL,
	};
	int status;
	const char *usage = "system df [OPTIONS]", *summary = "Show berth disk usage";
	if (opts_parse("system df", usage, summary, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("system df", usage, summary, &args, 0, 0)))
		return status;
	_cleanup_store_ struct store *st = NULL;
	if ((status = imgcmd_open(ctx, &st)))
		return status;
	berr err = { 0 };
	struct df_row rows[16];
	size_t n = 0;
	struct strbuf vout = STRBUF_INIT;
	sb_init(&vout);
	_cleanup_strvec_ struct strvec claimed = STRVEC_INIT;
	const struct berth_df_provider *prov[16];
	size_t np = 0;
	if (__start_berth_df)
		for (const struct berth_df_provider *const *p = __start_berth_df; p < __stop_berth_df && np < 16; p++)
			prov[np++] = *p;
	for (size_t i = 0; i < np; i++)
		for (size_t j = i + 1; j < np; j++)
			if (prov[j]->order < prov[i]->order) {
				const struct berth_df_provider *t = prov[i];
				prov[i] = prov[j];
				prov[j] = t;
			}
	static const char *const defaults[][2] = { { "Containers", "containers" }, { "Local Volumes", "volumes" }, { "Build Cache", "cache" } };
	for (size_t i = 0; i < np; i++) {
		struct df_row *r = &rows[n++];
		memset(r, 0, sizeof *r);
		snprintf(r->type, sizeof r->type, "%s", prov[i]->type);
		for (const char *const *d = prov[i]->dirs; d && *d; d++) {
			_cleanup_free_ char *p = store_path(st, *d);
			r->size += path_du(p);
			sv_push(&claimed, *d);
		}
		if (prov[i]->fill(st, r, verbose, &vout, &err) < 0) {
			sb_release(&vout);
			return cli_error(&err);
		}
	}
	for (size_t k = 0; k < 3; k++) {
		bool have = false;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(rows[i].type, defaults[k][0]))
				have = true;
		if (have || sv_contains(&claimed, defaults[k][1]))
			continue;
		struct df_row *r = &rows[n++];
		memset(r, 0, sizeof *r);
		snprintf(r->type, sizeof r->type, "%s", defaults[k][0]);
		_cleanup_free_ char *p = store_path(st, defaults[k][1]);
		r->size = path_du(p);
		sv_push(&claimed, defaults[k][1]);
		dir_fill(st, defaults[k][1], r);
	}
	/* everything else: the database, temp files, the root directory itself */
	struct df_row *meta = &rows[n++], *tmp = &rows[n++];
	memset(meta, 0, sizeof *meta);
	memset(tmp, 0, sizeof *tmp);
	snprintf(meta->type, sizeof meta->type, "Metadata");
	snprintf(tmp->type, sizeof tmp->type, "Temporary");
	{
		_cleanup_closedir_ DIR *d = opendir(st->root);
		struct dirent *e;
		struct stat sr;
		if (stat(st->root, &sr) == 0)
			meta->size += (uint64_t)sr.st_blocks * 512;
		while (d && (e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || sv_contains(&claimed, e->d_name) ||
			    !strcmp(e->d_name, "berth.db-shm") /* exists only while berth runs */)
				continue;
			_cleanup_free_ char *p = store_path(st, e->d_name);
			if (!strcmp(e->d_name, "tmp")) {
				tmp->size += path_du(p);
				_cleanup_closedir_ DIR *t = opendir(p);
				struct dirent *te;
				while (t && (te = readdir(t)))
					if (te->d_name[0] != '.')
						tmp->total++;
			} else {
				meta->size += path_du(p);
				meta->total++;
			}
		}
		tmp->reclaimable = tmp->size;
	}
	for (size_t i = 0; i < n; i++)
		meta->size += rows[i].overhead;
	json_t *jr = json_array();
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++) {
		char a[UNITS_BUF], b[UNITS_BUF];
		units_human_size((double)rows[i].size, a);
		units_human_size((double)rows[i].reclaimable, b);
		_cleanup_free_ char *rec = rows[i].size ? xasprintf("%s (%d%%)", b, (int)(rows[i].reclaimable * 100 / rows[i].size)) : xstrdup(b);
		_cleanup_free_ char *tc = xasprintf("%ld", rows[i].total);
		_cleanup_free_ char *ac = xasprintf("%ld", rows[i].active);
		_cleanup_free_ char *bytes = xasprintf("%llu", (unsigned long long)rows[i].size);
		json_array_append_new(jr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "Type", rows[i].type, "TotalCount", tc, "Active", ac,
						    "Size", a, "Reclaimable", rec, "Bytes", bytes));
		total += rows[i].size;
	}
	static const struct fmt_header hdr[] = {
		{ "Type", "TYPE" }, { "TotalCount", "TOTAL" }, { "Active", "ACTIVE" }, { "Size", "SIZE" }, { "Reclaimable", "RECLAIMABLE" },
		{ "Bytes", "BYTES" }, { NULL, NULL },
	};
	int ret = 0;
	if (verbose && !format) {
		/* Docker's sections for kinds no module reports yet, empty */
		static const char *const empty[][2] = {
			{ "Containers", "Containers space usage:\n\nCONTAINER ID   IMAGE     COMMAND   LOCAL VOLUMES   SIZE      CREATED   STATUS    NAMES\n\n" },
			{ "Local Volumes", "Local Volumes space usage:\n\nVOLUME NAME   LINKS     SIZE\n\n" },
			{ "Build Cache", "Build cache usage: 0B\n\nCACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   USAGE     SHARED\n\n" },
		};
		for (size_t k = 0; k < 3; k++) {
			bool have = false;
			for (size_t i = 0; i < np; i++)
				if (!strcmp(prov[i]->type, empty[k][0]))
					have = true;
			if (!have)
				sb_adds(&vout, empty[k][1]);
		}
		fwrite(vout.buf, 1, vout.len, stdout);
		printf("Store space usage:\n\n");
	}
	if (fmt_render(stdout, format, "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}", hdr, jr, &err) < 0)
		ret = cli_error(&err);
	else if (!format) {
		char a[UNITS_BUF];
		printf("Total under %s: %s (%llu bytes on disk)\n", st->root, units_human_size((double)total, a), (unsigned long long)total);
	}
	json_decref(jr);
	sb_release(&vout);
	return ret;
}

BERTH_COMMAND(cmd_system_df) = { .group = "system", .name = "df", .usage = "system df [OPTIONS]", .summary = "Show berth disk usage", .run = run_df };
