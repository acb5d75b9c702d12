/* compose_ps.c: `berth compose ps [-a] [-q] [--services] [--format table|json|TEMPLATE]
 * [SERVICE...]`: the project's containers as compose v2 lists them (running ones unless -a). */
#include <stdio.h>
#include <string.h>
#include "cmd/compose_cmd.h"
#include "util/cleanup.h"
#include "util/template.h"
#include "runtime/supervise.h"

static char *quoted_command(struct ctr *c)
{
	struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, json_string_value(json_object_get(c->cfg, "Path")) ?: "");
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(c->cfg, "Args"), i, v) sb_addf(&sb, " %s", json_string_value(v));
	return sb_detach(&sb);
}

static json_t *row(struct store *st, struct ctr *c)
{
	json_t *r = json_object();
	_cleanup_free_ char *cmd = quoted_command(c);
	_cleanup_free_ char *sts = ctr_status_string(c);
	_cleanup_free_ char *ago = human_duration(now_ns() - c->created);
	json_object_set_new(r, "Command", json_sprintf("\"%s\"", cmd));
	json_object_set_new(r, "CreatedAt", json_sprintf("%s ago", ago));
	json_object_set_new(r, "Created", json_integer(c->created / 1000000000LL));
	json_object_set_new(r, "ExitCode", json_integer(c->state == CTR_EXITED ? c->exit_code : 0));
	json_object_set_new(r, "ID", json_string(c->id));
	json_object_set_new(r, "Image", json_string(c->image ?: ""));
	json_object_set_new(r, "Name", json_string(c->name));
	json_object_set_new(r, "Project", json_string(ctr_label(c, CL_PROJECT) ?: ""));
	json_object_set_new(r, "Service", json_string(ctr_label(c, CL_SERVICE) ?: ""));
	json_object_set_new(r, "State", json_string(ctr_state_name(c->state)));
	json_object_set_new(r, "Status", json_string(sts));
	/* published ports as docker ps shows them, and compose's Publishers list */
	bool running = c->state == CTR_RUNNING;
	json_t *pubs = json_array();
	json_t *ns = ctr_net_settings(st, c, running);
	const char *key;
	json_t *binds;
	json_object_foreach(json_object_get(ns, "Ports"), key, binds) {
		unsigned cp = 0;
		char proto[8] = "tcp";
		if (sscanf(key, "%u/%7s", &cp, proto) < 1)
			continue;
		size_t i;
		json_t *b;
		json_array_foreach(binds, i, b) {
			const char *hp = json_string_value(json_object_get(b, "HostPort"));
			const char *hip = json_string_value(json_object_get(b, "HostIp"));
			json_array_append_new(pubs, json_pack("{s:s,s:I,s:I,s:s}", "URL", hip ? hip : "", "TargetPort",
							       (json_int_t)cp, "PublishedPort", (json_int_t)(hp ? atoi(hp) : 0),
							       "Protocol", proto));
		}
	}
	json_decref(ns);
	json_object_set_new(r, "Publishers", pubs);
	char *pc = ctr_net_ports_column(st, c, running);
	json_object_set_new(r, "Ports", json_string(pc));
	free(pc);
	const char *h = c->state == CTR_RUNNING ? health_status(st, c) : NULL;
	json_object_set_new(r, "Health", json_string(h ? h : ""));
	if (h) {
		/* "Up 3 seconds (healthy)" */
		const char *cur = json_string_value(json_object_get(r, "Status"));
		json_object_set_new(r, "Status", json_sprintf("%s (%s)", cur, !strcmp(h, "starting") ? "health: starting" : h));
	}
	return r;
}

/* Go's tabwriter with padding 3, as compose's table output */
static void print_table(struct strvec *cells, size_t ncol)
{
	size_t w[16] = { 0 };
	for (size_t i = 0; i < cells->n; i++) {
		size_t l = 0;
		for (const unsigned char *p = (const unsigned char *)cells->v[i]; *p; p++)
			l += (*p & 0xc0) != 0x80;
		if (l > w[i % ncol])
			w[i % ncol] = l;
	}
	for (size_t i = 0; i < cells->n; i++) {
		size_t col = i % ncol;
		fputs(cells->v[i], stdout);
		if (col == ncol - 1) {
			putchar('\n');
			continue;
		}
		size_t l = 0;
		for (const unsigned char *p = (const unsigned char *)cells->v[i]; *p; p++)
			l += (*p & 0xc0) != 0x80;
		printf("%*s", (int)(w[col] - l + 3), "");
	}
}

static int run_ps(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT, status_f = STRVEC_INIT, filter = STRVEC_INIT;
	bool all = false, quiet = false, services = false, no_trunc = false, orphans = true;
	const char *format = "table";
	struct opt opts[] = {
		{ "all", 'a', OPT_BOOL, &all, "Show all stopped containers (including those created by the run command)", NULL },
		{ "filter", 0, OPT_LIST, &filter, "Filter services by a property (supported filters: status).", "string" },
		{ "format", 0, OPT_STR, &format, "Format output using a custom template", "string" },
		{ "no-trunc", 0, OPT_BOOL, &no_trunc, "Don't truncate output", NULL },
		{ "orphans", 0, OPT_BOOL, &orphans, "Include orphaned services (not declared by project)", NULL },
		{ "quiet", 'q', OPT_BOOL, &quiet, "Only display IDs", NULL },
		{ "services", 0, OPT_BOOL, &services, "Display services", NULL },
		{ "status", 0, OPT_LIST, &status_f, "Filter services by status. Values: [paused | restarting | removing | running | dead | created | exited]", "stringArray" },
		OPT_SENTINEL,
	};
	int status;
	if (opts_parse("compose ps", "compose ps [OPTIONS] [SERVICE...]", "List containers", opts, true, argc, argv, &args, &status))
		return status;
	for (size_t i = 0; i < filter.n; i++) {
		if (strncmp(filter.v[i], "status=", 7))
			return cli_usage_error("compose ps", "invalid filter \"%s\"", filter.v[i]);
		sv_push(&status_f, filter.v[i] + 7);
	}
	struct compose_project p;
	struct cengine e;
	if ((status = compose_cmd_open(ctx, o, &p, &e)))
		return status;
	berr err = { 0 };
	struct ctr **v;
	size_t n;
	_cleanup_strvec_ struct strvec order = STRVEC_INIT;
	if (compose_plan(p.model, &args, false, &order, &err) < 0 || cengine_containers(&e, NULL, all ? -1 : 0, &v, &n, &err) < 0) {
		status = compose_engine_error(&e, &err);
		compose_cmd_close(&p, &e);
		return status;
	}
	bool json = !strcmp(format, "json"), table = !strcmp(format, "table");
	struct tmpl *t = NULL;
	if (!json && !table) {
		const char *tx = !strncmp(format, "table ", 6) ? format + 6 : format;
		if (!(t = tmpl_parse(tx, &err))) {
			fprintf(stderr, "%s\n", err.msg);
			ctr_list_free(v, n);
			compose_cmd_close(&p, &e);
			return 1;
		}
	}
	_cleanup_strvec_ struct strvec cells = STRVEC_INIT, seen = STRVEC_INIT;
	if (table && !quiet && !services)
		for (const char *const *h = (const char *const[]){ "NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS", NULL }; *h; h++)
			sv_push(&cells, *h);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		struct ctr *c = v[i];
		const char *svc = ctr_label(c, CL_SERVICE) ?: "";
		if (args.n && !sv_contains(&args, svc))
			continue;
		if (!orphans && !json_object_get(json_object_get(p.model, "services"), svc))
			continue;
		if (status_f.n && !sv_contains(&status_f, ctr_state_name(c->state)))
			continue;
		if (!all && !status_f.n && c->state != CTR_RUNNING)
			continue;
		if (quiet) {
			printf("%s\n", c->id);
			continue;
		}
		if (services) {
			if (!sv_contains(&seen, svc)) {
				sv_push(&seen, svc);
				printf("%s\n", svc);
			}
			continue;
		}
		json_t *r = row(e.st, c);
		if (json)
			json_array_append(arr, r);
		else if (t) {
			struct strbuf out = STRBUF_INIT;
			if (tmpl_exec(t, r, TMPL_JSON_ESCAPE_HTML, &out, &err) == 0)
				printf("%s\n", sb_str(&out));
			sb_release(&out);
		} else {
			const char *cols[] = { "Name", "Image", "Command", "Service", "CreatedAt", "Status", "Ports" };
			for (size_t k = 0; k < 7; k++) {
				const char *s = json_string_value(json_object_get(r, cols[k])) ?: "";
				if (k == 2 && !no_trunc && strlen(s) > 22) {
					/* compose truncates the quoted command to 20 runes + "…" */
					char *x = xasprintf("%.*s\xe2\x80\xa6\"", 20, s);
					sv_push_owned(&cells, x);
				} else
					sv_push(&cells, s);
			}
		}
		json_decref(r);
	}
	if (json) {
		char *s = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
		printf("%s\n", s);
		free(s);
	} else if (table && !quiet && !services)
		print_table(&cells, 7);
	json_decref(arr);
	if (t)
		tmpl_free(t);
	ctr_list_free(v, n);
	compose_cmd_close(&p, &e);
	return 0;
}

BERTH_COMPOSE_COMMAND(compose_ps_cmd) = {
	.name = "ps", .usage = "compose ps [OPTIONS] [SERVICE...]", .summary = "List containers", .run = run_ps,
};
