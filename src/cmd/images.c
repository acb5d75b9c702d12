/* images.c: `berth images` / `berth image ls`: Docker's columns, -a -q --no-trunc --digests,
 * --filter dangling=|reference=|before=|since=|label=, and --format. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cmd/imgcmd.h"
#include "image/istore.h"
#include "image/ref.h"
#include "util/cleanup.h"
#include "util/template.h"
#include "util/units.h"

#define USAGE "image ls [OPTIONS] [REPOSITORY[:TAG]]"
#define SUMMARY "List images"

struct filters {
	int dangling;  /* -1 unset, 0 false, 1 true */
	struct strvec refs, labels;
	int64_t before, since; /* added-time bounds (0 unset) */
	char *before_id, *since_id;
};

static bool label_match(json_t *labels, const char *f)
{
	const char *eq = strchr(f, '=');
	_cleanup_free_ char *k = eq ? xstrndup(f, (size_t)(eq - f)) : xstrdup(f);
	json_t *v = json_object_get(labels, k);
	if (!v)
		return false;
	return !eq || (json_is_string(v) && !strcmp(json_string_value(v), eq + 1));
}

static bool ref_match(const struct strvec *tags, const char *pattern)
{
	for (size_t i = 0; i < tags->n; i++) {
		struct ref r;
		berr e;
		if (ref_parse(tags->v[i], &r, &e) < 0)
			continue;
		_cleanup_free_ char *name = ref_familiar_name(&r);
		_cleanup_free_ char *full = ref_familiar_string(&r);
		_cleanup_free_ char *fullname = ref_name(&r);
		_cleanup_free_ char *fullstr = ref_string(&r);
		ref_free(&r);
		if (!fnmatch(pattern, name, FNM_PATHNAME) || !fnmatch(pattern, full, FNM_PATHNAME) ||
		    !fnmatch(pattern, fullname, FNM_PATHNAME) || !fnmatch(pattern, fullstr, FNM_PATHNAME))
			return true;
	}
	return false;
}


/* creation time in nanoseconds (images made within one second must still order) */
static int64_t created_sec(json_t *cfg)
{
	long ns = 0;
	int64_t s = parse_rfc3339(json_string_value(json_object_get(cfg, "created")), &ns);
	return s * 1000000000LL + ns;
}

static int by_created_desc(const void *a, const void *b)
{
	int64_t x = created_sec(((const struct img_info *)a)->config), y = created_sec(((const struct img_info *)b)->config);
	return x < y ? 1 : x > y ? -1 : strcmp(((const struct img_info *)a)->id, ((const struct img_info *)b)->id);
}

/* The columns that depend on the image alone, computed once per image and shared (json_copy is
 * shallow: the strings are referenced, not copied) by its rows, one per tag. Repository, Tag and
 * Digest are placeholders, so every row keeps the keys in the same (alphabetical) order. */
static json_t *image_cols(const struct img_info *in, bool notrunc)
{
	char idb[13], sz[UNITS_BUF], vsz[UNITS_BUF], dur[UNITS_BUF], at[64];
	long ns = 0;
	int64_t c = parse_rfc3339(json_string_value(json_object_get(in->config, "created")), &ns);
	short_id(in->id, idb);
	units_human_size_prec((double)in->size, 3, sz);
	units_human_size((double)in->size, vsz); /* Docker prints VirtualSize with HumanSize */
	int64_t now = (int64_t)time(NULL);
	units_human_duration((now - c) * 1000000000LL, dur);
	time_t ct = (time_t)c;
	struct tm tm;
	gmtime_r(&ct, &tm);
	strftime(at, sizeof at, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
	_cleanup_free_ char *since = xasprintf("%s ago", dur);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Containers", "N/A", "CreatedAt", at,
			 "CreatedSince", since, "Digest", "", "ID", notrunc ? in->id : idb, "Repository", "",
			 "SharedSize", "N/A", "Size", sz, "Tag", "", "UniqueSize", "N/A", "VirtualSize", vsz);
}

static json_t *row(json_t *cols, const char *repo, const char *tag, const char *digest)
{
	json_t *r = json_copy(cols);
	json_object_set_new(r, "Digest", json_string(digest));
	json_object_set_new(r, "Repository", json_string(repo));
	json_object_set_new(r, "Tag", json_string(tag));
	return r;
}

static void split_name_tag(const char *full, char **repo, char **tag, char **digest)
{
	struct ref r;
	berr e;
	*repo = *tag = *digest = NULL;
	if (ref_parse(full, &r, &e) < 0) {
		*repo = xstrdup(full);
		return;
	}
	*repo = ref_familiar_name(&r);
	if (r.tag)
		*tag = xstrdup(r.tag);
	if (r.digest)
		*digest = xstrdup(r.digest);
	ref_free(&r);
}

static int run_images(struct berth_ctx *ctx, int argc, char **argv)
{
	bool all = false, quiet = false, notrunc = false, digests = false;
	const char *format = NULL;
	_cleanup_strvec_ struct strvec filter = STRVEC_INIT, args = STRVEC_INIT;
	struct opt opts[] = {
		{ "all", 'a', OPT_BOOL, &all, "Show all images (default hides intermediate images)", NULL },
		{ "digests", 0, OPT_BOOL, &digests, "Show digests", NULL },
		{ "filter", 'f', OPT_LIST, &filter, "Filter output based on conditions provided", "filter" },
		{ "format", 0, OPT_STR, &format, "Pretty-print images using a Go template", "string" },
		{ "no-trunc", 0, OPT_BOOL, &notrunc, "Don't truncate output", NULL },
		{ "quiet", 'q', OPT_BOOL, &quiet, "Only show image IDs", NULL },
		OPT_SENTINEL,
	};
	int status;
	const char *cmdpath = strcmp(argv[0], "images") ? "image ls" : "images";
	if (opts_parse(cmdpath, USAGE, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args(cmdpath, USAGE, SUMMARY, &args, 0, 1)))
		return status;
	_cleanup_store_ struct store *st = NULL;
	if ((status = imgcmd_open(ctx, &st)))
		return status;
	berr err = { 0 };
	struct filters f = { .dangling = -1 };
	int ret = 0;
	for (size_t i = 0; i < filter.n; i++) {
		char *eq = strchr(filter.v[i], '=');
		if (!eq) {
			fprintf(stderr, "Error: bad format of filter (expected name=value)\n");
			ret = 125;
			goto out;
		}
		*eq = 0;
		const char *k = filter.v[i], *v = eq + 1;
		if (!strcmp(k, "dangling")) {
			if (!strcasecmp(v, "true") || !strcmp(v, "1")) f.dangling = 1;
			else if (!strcasecmp(v, "false") || !strcmp(v, "0")) f.dangling = 0;
			else {
				fprintf(stderr, "Error response from daemon: Invalid filter 'dangling=[%s]'\n", v);
				ret = 125;
				goto out;
			}
		} else if (!strcmp(k, "reference")) {
			sv_push(&f.refs, v);
		} else if (!strcmp(k, "label")) {
			sv_push(&f.labels, v);
		} else if (!strcmp(k, "before") || !strcmp(k, "since")) {
			char *id = NULL;
			if (img_lookup(st, v, &id, NULL, &err) < 0) {
				ret = cli_error(&err);
				goto out;
			}
			struct img_info ri;
			if (img_get(st, id, &ri, &err) < 0) {
				free(id);
				ret = cli_error(&err);
				goto out;
			}
			if (!strcmp(k, "before")) { f.before = created_sec(ri.config) ? created_sec(ri.config) : 1; f.before_id = id; }
			else { f.since = created_sec(ri.config); f.since_id = id; }
			img_info_release(&ri);
		} else {
			fprintf(stderr, "Error response from daemon: Invalid filter '%s'\n", k);
			ret = 125;
			goto out;
		}
	}
	if (args.n)
		sv_push(&f.refs, args.v[0]);
	{
		_cleanup_strvec_ struct strvec ids = STRVEC_INIT;
		if (img_list(st, &ids, &err) < 0) {
			ret = cli_error(&err);
			goto out;
		}
		/* intermediate images: untagged parents of another image */
		_cleanup_strvec_ struct strvec parents = STRVEC_INIT;
		{
			_cleanup_stmt_ sqlite3_stmt *s = NULL;
			if (store_prepare(st, &s, "SELECT DISTINCT parent FROM images WHERE parent != ''", &err) == 0)
				while (sqlite3_step(s) == SQLITE_ROW)
					sv_push(&parents, (const char *)sqlite3_column_text(s, 0));
		}
		json_t *rows = json_array();
		_cleanup_strvec_ struct strvec seen = STRVEC_INIT;
		/* newest first by creation time, as Docker sorts */
		struct img_info *infos = xcalloc(ids.n ? ids.n : 1, sizeof *infos);
		for (size_t i = 0; i < ids.n; i++) {
			if (img_get(st, ids.v[i], &infos[i], &err) < 0) {
				for (size_t k = 0; k < i; k++)
					img_info_release(&infos[k]);
				free(infos);
				json_decref(rows);
				ret = cli_error(&err);
				goto out;
			}
		}
		qsort(infos, ids.n, sizeof *infos, by_created_desc);
		for (size_t i = 0; i < ids.n; i++) {
			struct img_info in = infos[i];
			bool dangling = in.tags.n == 0 && in.digests.n == 0;
			bool keep = true;
			if (f.dangling == 1 && !dangling) keep = false;
			if (f.dangling == 0 && dangling) keep = false;
			if (!all && dangling && sv_contains(&parents, in.id) && f.dangling != 1) keep = false;
			int64_t c = created_sec(in.config);
			if (f.before_id && (c >= f.before || !strcmp(in.id, f.before_id))) keep = false;
			if (f.since_id && (c <= f.since || !strcmp(in.id, f.since_id))) keep = false;
			json_t *labels = json_object_get(json_object_get(in.config, "config"), "Labels");
			for (size_t k = 0; keep && k < f.labels.n; k++)
				if (!label_match(labels, f.labels.v[k])) keep = false;
			bool anyref = false;
			for (size_t k = 0; keep && k < f.refs.n; k++)
				if (ref_match(&in.tags, f.refs.v[k]) || ref_match(&in.digests, f.refs.v[k])) anyref = true;
			if (f.refs.n && !anyref) keep = false;
			if (!keep) {
				img_info_release(&in);
				continue;
			}
			if (quiet) {
				char idb[13];
				short_id(in.id, idb);
				const char *show = notrunc ? in.id : idb;
				if (!sv_contains(&seen, show)) {
					sv_push(&seen, show);
					json_array_append_new(rows, json_pack("{s:s}", "ID", show));
				}
				img_info_release(&in);
				continue;
			}
			json_t *cols = image_cols(&in, notrunc);
			if (dangling) {
				json_array_append_new(rows, row(cols, "<none>", "<none>", "<none>"));
			}
			/* one row per tag; digests shown on the row of the same repository */
			/* the image's digest references, parsed once (not once per tag) */
			size_t nd = in.digests.n;
			char **drepo = xcalloc(nd + 1, sizeof *drepo), **ddig = xcalloc(nd + 1, sizeof *ddig);
			bool *dused = xcalloc(nd + 1, sizeof *dused);
			for (size_t q = 0; q < nd; q++) {
				_cleanup_free_ char *t2 = NULL;
				split_name_tag(in.digests.v[q], &drepo[q], &t2, &ddig[q]);
			}
			for (size_t k = 0; k < in.tags.n; k++) {
				_cleanup_free_ char *repo = NULL, *tag = NULL, *dg = NULL;
				split_name_tag(in.tags.v[k], &repo, &tag, &dg);
				if (f.refs.n) {
					struct strvec one = { &in.tags.v[k], 1, 0 };
					bool m = false;
					for (size_t q = 0; q < f.refs.n; q++)
						if (ref_match(&one, f.refs.v[q])) m = true;
					if (!m)
						continue;
				}
				const char *digest = "<none>";
				for (size_t q = 0; q < nd; q++) {
					if (!strcmp(drepo[q], repo) && ddig[q]) {
						dused[q] = true;
						digest = in.digests.v[q] + strlen(in.digests.v[q]) - strlen(ddig[q]);
					}
				}
				json_array_append_new(rows, row(cols, repo, tag ? tag : "<none>", digest));
			}
			for (size_t q = 0; digests && q < nd; q++) {
				/* (a digest reference equal to a used one is shown once, as before) */
				bool shown = dused[q];
				for (size_t q2 = 0; !shown && q2 < nd; q2++)
					shown = dused[q2] && !strcmp(in.digests.v[q2], in.digests.v[q]);
				if (shown)
					continue;
				json_array_append_new(rows, row(cols, drepo[q], "<none>", ddig[q] ? ddig[q] : "<none>"));
			}
			for (size_t q = 0; q < nd; q++) {
				free(drepo[q]);
				free(ddig[q]);
			}
			free(drepo);
			free(ddig);
			free(dused);
			json_decref(cols);
			img_info_release(&in);
		}
		free(infos);
		static const struct fmt_header hdr[] = {
			{ "Repository", "REPOSITORY" }, { "Tag", "TAG" }, { "Digest", "DIGEST" }, { "ID", "IMAGE ID" },
			{ "CreatedSince", "CREATED" }, { "CreatedAt", "CREATED AT" }, { "Size", "SIZE" },
			{ "Containers", "CONTAINERS" }, { "SharedSize", "SHARED SIZE" }, { "UniqueSize", "UNIQUE SIZE" },
			{ "VirtualSize", "VIRTUAL SIZE" }, { NULL, NULL },
		};
		const char *def = digests ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
					  : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
		if (quiet)
			format = "{{.ID}}";
		if (fmt_render(stdout, format, def, hdr, rows, &err) < 0)
			ret = cli_error(&err);
		json_decref(rows);
	}
out:
	sv_clear(&f.refs);
	sv_clear(&f.labels);
	free(f.before_id);
	free(f.since_id);
	return ret;
}

BERTH_COMMAND(cmd_images) = {
	.name = "images", .usage = "images [OPTIONS] [REPOSITORY[:TAG]]", .summary = SUMMARY, .run = run_images,
};
BERTH_COMMAND(cmd_image_ls) = {
	.group = "image", .name = "ls", .usage = USAGE, .summary = SUMMARY, .run = run_images,
};
BERTH_COMMAND(cmd_image_list) = {
	.group = "image", .name = "list", .usage = USAGE, .summary = SUMMARY, .run = run_images, .hidden = true,
};
