/* compose_ls.c: `berth compose ls [-a] [-q] [--format table|json]`: the projects that have
 * containers (from their com.docker.compose.* labels): NAME STATUS CONFIG FILES. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/compose_cmd.h"
#include "util/cleanup.h"

struct proj {
	char *name, *files;
	int running, exited, created;
};

static int cmp(const void *a, const void *b)
{
	return strcmp(((const struct proj *)a)->name, ((const struct proj *)b)->name);
}

static int run_ls(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT, filter = STRVEC_INIT;
	bool all = false, quiet = false;
	const char *format = "table";
	struct opt opts[] = {
		{ "all", 'a', OPT_BOOL, &all, "Show all stopped Compose projects", NULL },
		{ "filter", 0, OPT_LIST, &filter, "Filter output based on conditions provided", "filter" },
		{ "format", 0, OPT_STR, &format, "Format the output. Values: [table | json]", "string" },
		{ "quiet", 'q', OPT_BOOL, &quiet, "Only display project names", NULL },
		OPT_SENTINEL,
	};
	int status;
	(void)o;
	if (opts_parse("compose ls", "compose ls [OPTIONS]", "List running compose projects", opts, true, argc, argv, &args, &status))
		return status;
	if (strcmp(format, "table") && strcmp(format, "json"))
		return cli_usage_error("compose ls", "format value \"%s\" could not be parsed", format);
	_cleanup_store_ struct store *st = NULL;
	berr err = { 0 };
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return compose_cmd_error(&err);
	struct ctr **v;
	size_t n;
	if (ctr_list(st, &v, &n, &err) < 0)
		return compose_cmd_error(&err);
	struct proj *pv = xcalloc(n + 1, sizeof *pv);
	size_t np = 0;
	for (size_t i = 0; i < n; i++) {
		const char *pn = ctr_label(v[i], CL_PROJECT);
		if (!pn)
			continue;
		size_t k;
		for (k = 0; k < np && strcmp(pv[k].name, pn); k++)
			;
		if (k == np) {
			pv[np].name = xstrdup(pn);
			pv[np].files = xstrdup(ctr_label(v[i], CL_FILES) ?: "");
			np++;
		}
		enum ctr_state s = ctr_refresh(st, v[i]);
		if (s == CTR_RUNNING)
			pv[k].running++;
		else if (s == CTR_CREATED)
			pv[k].created++;
		else
			pv[k].exited++;
	}
	ctr_list_free(v, n);
	qsort(pv, np, sizeof *pv, cmp);
	json_t *arr = json_array();
	size_t wn = 4, ws = 6;
	struct strvec rows = STRVEC_INIT;
	for (size_t k = 0; k < np; k++) {
		if (!all && !pv[k].running)
			continue;
		struct strbuf sb = STRBUF_INIT;
		if (pv[k].running)
			sb_addf(&sb, "running(%d)", pv[k].running);
		if (pv[k].exited)
			sb_addf(&sb, "%sexited(%d)", sb.len ? ", " : "", pv[k].exited);
		if (pv[k].created)
			sb_addf(&sb, "%screated(%d)", sb.len ? ", " : "", pv[k].created);
		if (quiet)
			printf("%s\n", pv[k].name);
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "Name", pv[k].name, "Status", sb_str(&sb), "ConfigFiles", pv[k].files));
		sv_push(&rows, pv[k].name);
		sv_push(&rows, sb_str(&sb));
		sv_push(&rows, pv[k].files);
		if (strlen(pv[k].name) > wn)
			wn = strlen(pv[k].name);
		if (sb.len > ws)
			ws = sb.len;
		sb_release(&sb);
	}
	if (!quiet && !strcmp(format, "json")) {
		char *s = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
		printf("%s\n", s);
		free(s);
	} else if (!quiet) {
		printf("%-*s   %-*s   %s\n", (int)wn, "NAME", (int)ws, "STATUS", "CONFIG FILES");
		for (size_t i = 0; i + 3 <= rows.n; i += 3)
			printf("%-*s   %-*s   %s\n", (int)wn, rows.v[i], (int)ws, rows.v[i + 1], rows.v[i + 2]);
	}
	json_decref(arr);
	sv_clear(&rows);
	for (size_t k = 0; k < np; k++) {
		free(pv[k].name);
		free(pv[k].files);
	}
	free(pv);
	return 0;
}

BERTH_COMPOSE_COMMAND(compose_ls_cmd) = {
	.name = "ls", .usage = "compose ls [OPTIONS]", .summary = "List running compose projects", .run = run_ls,
};
