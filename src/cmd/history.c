/* history.c: `berth history` / `berth image history`: Docker's columns, -H, --no-trunc, -q,
 * --format. Entries with a layer take the layers' sizes bottom-up; the newest row shows the
 * image ID, older rows "<missing>" (as Docker shows for images without local parents). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cmd/imgcmd.h"
#include "image/istore.h"
#include "util/cleanup.h"
#include "util/template.h"
#include "util/units.h"

#define USAGE "image history [OPTIONS] IMAGE"
#define SUMMARY "Show the history of an image"

/* Docker's stringutils.Ellipsis: at most max runes (UTF-8 code points), the last one "…". */
static char *ellipsis(const char *s, size_t max)
{
	size_t runes = 0, cut = 0;
	for (size_t i = 0; s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (runes == max - 1)
				cut = i;
			runes++;
		}
	if (runes <= max)
		return xstrdup(s);
	return xasprintf("%.*s…", (int)cut, s);
}

static int run_history(struct berth_ctx *ctx, int argc, char **argv)
{
	bool human = true, notrunc = false, quiet = false;
	const char *format = NULL;
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	struct opt opts[] = {
		{ "format", 0, OPT_STR, &format, "Pretty-print images using a Go template", "string" },
		{ "human", 'H', OPT_BOOL, &human, "Print sizes and dates in human readable format", NULL },
		{ "no-trunc", 0, OPT_BOOL, &notrunc, "Don't truncate output", NULL },
		{ "quiet", 'q', OPT_BOOL, &quiet, "Only show image IDs", NULL },
		OPT_SENTINEL,
	};
	int status;
	const char *cmdpath = strcmp(argv[0], "history") ? "image history" : "history";
	if (opts_parse(cmdpath, USAGE, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args(cmdpath, USAGE, SUMMARY, &args, 1, 1)))
		return status;
	_cleanup_store_ struct store *st = NULL;
	if ((status = imgcmd_open(ctx, &st)))
		return status;
	berr err = { 0 };
	_cleanup_free_ char *id = NULL;
	struct img_info in;
	if (img_lookup(st, args.v[0], &id, NULL, &err) < 0 || img_get(st, id, &in, &err) < 0) {
		fprintf(stderr, "Error response from daemon: %s\n", err.msg);
		return 1;
	}
	json_t *hist = json_object_get(in.config, "history");
	size_t nh = json_array_size(hist);
	json_t *rows = json_array();
	size_t layer = 0;
	/* Assign layer sizes oldest-first, then emit newest-first. */
	json_t *tmp = json_array();
	for (size_t i = 0; i < nh; i++) {
		json_t *h = json_array_get(hist, i);
		uint64_t size = 0;
		if (!json_is_true(json_object_get(h, "empty_layer")) && layer < in.nlayers)
			size = in.layers[layer++].size;
		const char *created = json_string_value(json_object_get(h, "created"));
		long ns = 0;
		int64_t c = parse_rfc3339(created, &ns);
		char dur[UNITS_BUF], sz[UNITS_BUF], at[UNITS_BUF];
		units_human_duration(((int64_t)time(NULL) - c) * 1000000000LL, dur);
		units_rfc3339nano(c, 0, at); /* Docker: time.Unix(created, 0).Format(time.RFC3339) */
		_cleanup_free_ char *since = human ? xasprintf("%s ago", dur) : xstrdup(at);
		_cleanup_free_ char *sizes = NULL;
		if (human)
			sizes = xstrdup(units_human_size_prec((double)size, 3, sz));
		else
			sizes = xasprintf("%llu", (unsigned long long)size);
		const char *cb = json_string_value(json_object_get(h, "created_by"));
		_cleanup_free_ char *cbs = xstrdup(cb ? cb : "");
		for (char *p = cbs; *p; p++) /* Docker shows tabs as spaces */
			if (*p == '\t')
				*p = ' ';
		_cleanup_free_ char *createdby = notrunc ? xstrdup(cbs) : ellipsis(cbs, 45);
		const char *comment = json_string_value(json_object_get(h, "comment"));
		/* keys in Docker's order (alphabetical, as {{json .}} prints them) */
		json_array_append_new(tmp, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "Comment", comment ? comment : "", "CreatedAt", at,
						     "CreatedBy", createdby, "CreatedSince", since, "ID", "<missing>", "Size", sizes));
	}
	for (size_t i = nh; i-- > 0;)
		json_array_append(rows, json_array_get(tmp, i));
	json_decref(tmp);
	if (json_array_size(rows)) {
		char sid[13];
		short_id(in.id, sid);
		json_object_set_new(json_array_get(rows, 0), "ID", json_string(notrunc ? in.id : sid));
	}
	static const struct fmt_header hdr[] = {
		{ "ID", "IMAGE" }, { "CreatedSince", "CREATED" }, { "CreatedAt", "CREATED AT" }, { "CreatedBy", "CREATED BY" },
		{ "Size", "SIZE" }, { "Comment", "COMMENT" }, { NULL, NULL },
	};
	int ret = 0;
	if (quiet)
		format = "{{.ID}}";
	const char *def = human ? "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
				: "table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
	if (fmt_render(stdout, format, def, hdr, rows, &err) < 0)
		ret = cli_error(&err);
	json_decref(rows);
	img_info_release(&in);
	return ret;
}

BERTH_COMMAND(cmd_history) = { .name = "history", .usage = "history [OPTIONS] IMAGE", .summary = SUMMARY, .run = run_history };
BERTH_COMMAND(cmd_image_history) = { .group = "image", .name = "history", .usage = USAGE, .summary = SUMMARY, .run = run_history };
