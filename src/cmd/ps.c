/* ps.c: `berth ps [-a] [-q] [-n N] [-l] [--filter K=V] [--format T] [--no-trunc]`, with
 * Docker's columns and status strings; every record is refreshed first so a killed monitor
 * or container shows as exited. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli/cli.h"
#include "util/template.h"
#include "runtime/runtime.h"
#include "runtime/supervise.h"
#include "image/istore.h"
#include "util/cleanup.h"
#include "util/units.h"

#define USAGE "ps [OPTIONS]"
#define SUMMARY "List containers"

static char *command_of(struct ctr *c, bool trunc)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *a = json_object_get(c->cfg, "Args");
	sb_adds(&sb, json_string_value(json_object_get(c->cfg, "Path")) ?: "");
	size_t i;
	json_t *v;
	/* Docker's daemon quotes the arguments that contain a space: sh -c 'exit 3' */
	json_array_foreach(a, i, v) {
		const char *arg = json_string_value(v);
		sb_addf(&sb, strchr(arg ? arg : "", ' ') ? " '%s'" : " %s", arg ? arg : "");
	}
	if (trunc && sb.len > 20) {
		/* Docker's Ellipsis: 19 runes then "…" */
		sb_setlen(&sb, 19);
		sb_adds(&sb, "\xe2\x80\xa6");
	}
	/* strconv.Quote */
	struct strbuf q = STRBUF_INIT;
	sb_addc(&q, '"');
	for (size_t k = 0; k < sb.len; k++) {
		char ch = sb.buf[k];
		if (ch == '"' || ch == '\\')
			sb_addc(&q, '\\');
		if (ch == '\n') { sb_adds(&q, "\\n"); continue; }
		if (ch == '\t') { sb_adds(&q, "\\t"); continue; }
		sb_addc(&q, ch);
	}
	sb_addc(&q, '"');
	sb_release(&sb);
	return sb_detach(&q);
}

static const char *state_of(struct ctr *c)
{
	if (ctr_restarting(c))
		return "restarting";
	if (c->state == CTR_RUNNING && ctr_paused(c))
		return "paused";
	return ctr_state_name(c->state);
}

static json_t *row_json(struct store *st, struct ctr *c, bool trunc, bool want_size)
{
	json_t *r = json_object();
	char id[65];
	snprintf(id, sizeof id, "%s", c->id);
	if (trunc)
		id[12] = 0;
	json_object_set_new(r, "ID", json_string(id));
	const char *img = c->image && *c->image ? c->image : json_string_value(json_object_get(json_object_get(c->cfg, "BerthRootfs"), "Rootfs"));
	json_object_set_new(r, "Image", json_string(img ? img : ""));
	char *cmd = command_of(c, trunc);
	json_object_set_new(r, "Command", json_string(cmd));
	free(cmd);
	time_t s = c->created / 1000000000LL;
	struct tm tm;
	localtime_r(&s, &tm);
	char tb[64];
	strftime(tb, sizeof tb, "%Y-%m-%d %H:%M:%S %z %Z", &tm);
	json_object_set_new(r, "CreatedAt", json_string(tb));
	char *d = human_duration(now_ns() - c->created);
	json_object_set_new(r, "RunningFor", json_sprintf("%s ago", d));
	free(d);
	{
		char *pc = ctr_net_ports_column(st, c, c->state == CTR_RUNNING);
		json_object_set_new(r, "Ports", json_string(pc));
		free(pc);
	}
	json_object_set_new(r, "State", json_string(state_of(c)));
	char *status = ctr_status_string(c);
	const char *hs = st ? health_status(st, c) : NULL;
	if (c->state == CTR_RUNNING && ctr_paused(c))
		json_object_set_new(r, "Status", json_sprintf("%s (Paused)", status));
	else if (hs && !strcmp(hs, "starting"))
		json_object_set_new(r, "Status", json_sprintf("%s (health: starting)", status));
	else if (hs)
		json_object_set_new(r, "Status", json_sprintf("%s (%s)", status, hs));
	else
		json_object_set_new(r, "Status", json_string(status));
	free(status);
	json_object_set_new(r, "Names", json_string(c->name));
	struct strbuf lb = STRBUF_INIT;
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(json_object_get(c->cfg, "Config"), "Labels"), k, v)
		sb_addf(&lb, "%s%s=%s", lb.len ? "," : "", k, json_string_value(v));
	json_object_set_new(r, "Labels", json_string(sb_str(&lb)));
	sb_release(&lb);
	struct strbuf mb = STRBUF_INIT;
	size_t i;
	json_array_foreach(json_object_get(c->cfg, "Mounts"), i, v) {
		const char *n = json_string_value(json_object_get(v, "Name"));
		if (!n)
			n = json_string_value(json_object_get(v, "Source"));
		sb_addf(&mb, "%s%s", mb.len ? "," : "", n ? n : "");
	}
	json_object_set_new(r, "Mounts", json_string(sb_str(&mb)));
	sb_release(&mb);
	{
		struct strbuf nb = STRBUF_INIT;
		json_t *bn = json_object_get(c->cfg, "BerthNetworks");
		if (json_object_size(bn))
			json_object_foreach(bn, k, v) sb_addf(&nb, "%s%s", nb.len ? "," : "", k);
		else
			sb_adds(&nb, ctr_netmode(c->cfg));
		json_object_set_new(r, "Networks", json_string(sb_str(&nb)));
		sb_release(&nb);
	}
	if (want_size) {
		/* SizeRw (virtual: plus the image's layers), units.HumanSizeWithPrecision(x, 3) */
		int64_t rw = ctr_size_rw(st, c), img = 0;
		struct img_info ii;
		berr e2;
		const char *iid = json_string_value(json_object_get(c->cfg, "Image"));
		if (iid && *iid && img_get(st, iid, &ii, &e2) == 0) {
			img = (int64_t)ii.size;
			img_info_release(&ii);
		}
		char u1[UNITS_BUF], u2[UNITS_BUF];
		json_object_set_new(r, "Size", json_sprintf("%s (virtual %s)", units_human_size_prec((double)rw, 3, u1),
							    units_human_size_prec((double)(rw + img), 3, u2)));
	} else
		json_object_set_new(r, "Size", json_string(""));
	return r;
}

static bool match_filter(struct store *stor, struct ctr *c, const char *f)
{
	const char *eq = strchr(f, '=');
	if (!eq)
		return false;
	size_t kl = (size_t)(eq - f);
	const char *val = eq + 1;
	if (!strncmp(f, "status", kl) && kl == 6)
		return !strcmp(val, state_of(c));
	if (!strncmp(f, "health", kl) && kl == 6) {
		const char *hs = health_status(stor, c);
		return !strcmp(val, hs ? hs : "none");
	}
	if (!strncmp(f, "id", kl) && kl == 2)
		return !strncmp(c->id, val, strlen(val));
	if (!strncmp(f, "name", kl) && kl == 4) {
		regex_t re;
		if (regcomp(&re, val, REG_EXTENDED | REG_NOSUB))
			return false;
		bool m = regexec(&re, c->name, 0, NULL, 0) == 0;
		regfree(&re);
		return m;
	}
	if (!strncmp(f, "exited", kl) && kl == 6)
		return c->state == CTR_EXITED && c->exit_code == atoi(val);
	if (!strncmp(f, "label", kl) && kl == 5) {
		json_t *labels = json_object_get(json_object_get(c->cfg, "Config"), "Labels");
		const char *e2 = strchr(val, '=');
		if (!e2)
			return json_object_get(labels, val) != NULL;
		_cleanup_free_ char *key = xstrndup(val, (size_t)(e2 - val));
		const char *lv = json_string_value(json_object_get(labels, key));
		return lv && !strcmp(lv, e2 + 1);
	}
	if (!strncmp(f, "ancestor", kl) && kl == 8)
		return c->image && !strcmp(c->image, val);
	if (!strncmp(f, "network", kl) && kl == 7) {
		json_t *bn = json_object_get(c->cfg, "BerthNetworks");
		return json_object_size(bn) ? json_object_get(bn, val) != NULL : !strcmp(ctr_netmode(c->cfg), val);
	}
	return false;
}

static int run_ps(struct berth_ctx *ctx, int argc, char **argv)
{
	bool all = false, quiet = false, latest = false, notrunc = false, size = false;
	long last = -1;
	const char *format = NULL;
	_cleanup_strvec_ struct strvec filters = STRVEC_INIT;
	struct opt opts[] = {
		{ "all", 'a', OPT_BOOL, &all, "Show all containers (default shows just running)", NULL },
		{ "filter", 'f', OPT_LIST, &filters, "Filter output based on conditions provided", "filter" },
		{ "format", 0, OPT_STR, &format, "Pretty-print containers using a Go template", "string" },
		{ "last", 'n', OPT_INT, &last, "Show n last created containers (includes all states)", "int" },
		{ "latest", 'l', OPT_BOOL, &latest, "Show the latest created container (includes all states)", NULL },
		{ "no-trunc", 0, OPT_BOOL, &notrunc, "Don't truncate output", NULL },
		{ "quiet", 'q', OPT_BOOL, &quiet, "Only display container IDs", NULL },
		{ "size", 's', OPT_BOOL, &size, "Display total file sizes", NULL },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	if (opts_parse("ps", USAGE, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("ps", USAGE, SUMMARY, &args, 0, 0)))
		return status;
	for (size_t i = 0; i < filters.n; i++) {
		const char *f = filters.v[i];
		const char *eq = strchr(f, '=');
		static const char *known[] = { "status", "id", "name", "exited", "label", "ancestor", "health", "network" };
		bool ok = false;
		for (size_t k = 0; eq && k < ARRAY_SIZE(known); k++)
			ok |= strlen(known[k]) == (size_t)(eq - f) && !strncmp(known[k], f, (size_t)(eq - f));
		if (!ok) {
			fprintf(stderr, "Error: invalid filter '%.*s'\n", eq ? (int)(eq - f) : (int)strlen(f), f);
			return 1;
		}
	}
	if (latest)
		last = 1;
	if (last >= 0)
		all = true;
	_cleanup_store_ struct store *st = NULL;
	berr err = { 0 };
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	ctr_net_reconcile(st); /* endpoints of a SIGKILLed run or monitor (one query when none) */
	struct ctr **v;
	size_t n;
	if (ctr_list(st, &v, &n, &err) < 0)
		return cli_error(&err);
	json_t *rows = json_array();
	long shown = 0;
	for (size_t i = 0; i < n; i++) {
		struct ctr *c = v[i];
		ctr_refresh(st, c);
		if (last >= 0 && shown >= last)
			break;
		bool ok = true;
		bool status_filter = false;
		for (size_t k = 0; k < filters.n; k++) {
			ok &= match_filter(st, c, filters.v[k]);
			status_filter |= !strncmp(filters.v[k], "status=", 7) || !strncmp(filters.v[k], "exited=", 7);
		}
		if (!all && !status_filter && c->state != CTR_RUNNING && !ctr_restarting(c))
			continue;
		if (!ok)
			continue;
		shown++;
		json_array_append_new(rows, row_json(st, c, !notrunc, size || (format && strstr(format, ".Size"))));
	}
	ctr_list_free(v, n);
	static const struct fmt_header headers[] = {
		{ "ID", "CONTAINER ID" }, { "Image", "IMAGE" }, { "Command", "COMMAND" }, { "CreatedAt", "CREATED AT" },
		{ "RunningFor", "CREATED" }, { "Ports", "PORTS" }, { "State", "STATE" }, { "Status", "STATUS" },
		{ "Size", "SIZE" }, { "Names", "NAMES" }, { "Labels", "LABELS" }, { "Mounts", "MOUNTS" },
		{ "Networks", "NETWORKS" }, { NULL, NULL },
	};
	const char *def = size ? "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}\t{{.Size}}"
			       : "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
	if (quiet && !format)
		format = "{{.ID}}";
	int rc = fmt_render(stdout, format, def, headers, rows, &err);
	json_decref(rows);
	if (rc < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 125;
	}
	return 0;
}

BERTH_COMMAND(cmd_ps) = { .name = "ps", .usage = USAGE, .summary = SUMMARY, .run = run_ps };
BERTH_COMMAND(cmd_container_ls) = { .group = "container", .name = "ls", .usage = "container ls [OPTIONS]", .summary = SUMMARY, .run = run_ps };
BERTH_COMMAND(cmd_container_list) = { .group = "container", .name = "list", .usage = "container list [OPTIONS]", .summary = SUMMARY, .run = run_ps, .hidden = true };
