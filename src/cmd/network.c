/* network.c: `berth network create|ls|inspect|rm|prune` with Docker's flags, output and JSON.
 * (connect/disconnect are in network_connect.c.) */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cli/cli.h"
#include "cmd/system_hooks.h"
#include "util/template.h"
#include "net/net.h"
#include "store/store.h"
#include "util/cleanup.h"
#include "util/units.h"

static int open_store(struct berth_ctx *ctx, struct store **st)
{
	berr err = { 0 };
	if (store_open(st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	/* endpoints of containers that died with a SIGKILLed supervisor go now */
	berr e2 = { 0 };
	net_reconcile_stale(*st, &e2);
	return 0;
}

static int lib_error(berr *err)
{
	if (!err->status)
		err->status = 1; /* Docker's CLI exits 1 on an error from the engine */
	return cli_error(err);
}

/* ---- create ---- */
#define CREATE_USAGE "network create [OPTIONS] NETWORK"
#define CREATE_SUMMARY "Create a network"

static int run_create(struct berth_ctx *ctx, int argc, char **argv)
{
	const char *driver = NULL, *gateway = NULL;
	bool internal = false, attachable = false, ipv6 = false;
	_cleanup_strvec_ struct strvec subnets = STRVEC_INIT, ranges = STRVEC_INIT, gateways = STRVEC_INIT,
				       labels = STRVEC_INIT, opts_o = STRVEC_INIT, args = STRVEC_INIT;
	struct opt opts[] = {
		{ "attachable", 0, OPT_BOOL, &attachable, "Enable manual container attachment", NULL },
		{ "driver", 'd', OPT_STR, &driver, "Driver to manage the Network (default \"bridge\")", "string" },
		{ "gateway", 0, OPT_LIST, &gateways, "IPv4 Gateway for the master subnet", "strings" },
		{ "internal", 0, OPT_BOOL, &internal, "Restrict external access to the network", NULL },
		{ "ip-range", 0, OPT_LIST, &ranges, "Allocate container ip from a sub-range", "strings" },
		{ "ipv6", 0, OPT_BOOL, &ipv6, "Enable IPv6 networking", NULL },
		{ "label", 0, OPT_LIST, &labels, "Set metadata on a network", "list" },
		{ "opt", 'o', OPT_LIST, &opts_o, "Set driver specific options", "map" },
		{ "subnet", 0, OPT_LIST, &subnets, "Subnet in CIDR format that represents a network segment", "strings" },
		OPT_SENTINEL,
	};
	int status;
	if (opts_parse("network create", CREATE_USAGE, CREATE_SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("network create", CREATE_USAGE, CREATE_SUMMARY, &args, 1, 1)))
		return status;
	berr err = { 0 };
	if (ipv6) {
		berr_set(&err, ENOTSUP, "IPv6 networks are not supported by berth yet");
		return lib_error(&err);
	}
	if (opts_o.n) {
		berr_set(&err, ENOTSUP, "driver options (-o %s) are not supported by berth yet", opts_o.v[0]);
		return lib_error(&err);
	}
	if (subnets.n > 1 || ranges.n > 1 || gateways.n > 1) {
		berr_set(&err, ENOTSUP, "berth supports one subnet (with one gateway and one ip-range) per network");
		return lib_error(&err);
	}
	gateway = gateways.n ? gateways.v[0] : NULL;
	_cleanup_store_ struct store *st = NULL;
	if ((status = open_store(ctx, &st)))
		return status;
	struct net_create_opts o = {
		.driver = driver,
		.subnet = subnets.n ? subnets.v[0] : NULL,
		.gateway = gateway,
		.ip_range = ranges.n ? ranges.v[0] : NULL,
		.internal = internal,
		.labels = (const char *const *)labels.v,
	};
	char id[65];
	if (net_create(st, args.v[0], &o, id, &err) < 0)
		return lib_error(&err);
	printf("%s\n", id);
	return 0;
}

BERTH_COMMAND(cmd_network_create) = {
	.group = "network", .name = "create", .usage = CREATE_USAGE, .summary = CREATE_SUMMARY, .run = run_create,
};

/* ---- ls ---- */
#define LS_USAGE "network ls [OPTIONS]"
#define LS_SUMMARY "List networks"

static char *labels_text(const char *labels_json)
{
	json_t *l = json_loads(labels_json ? labels_json : "{}", 0, NULL);
	struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "");
	const char *k;
	json_t *v;
	bool first = true;
	json_object_foreach(l, k, v) {
		sb_addf(&sb, "%s%s=%s", first ? "" : ",", k, json_string_value(v));
		first = false;
	}
	json_decref(l);
	return sb_detach(&sb);
}

static bool label_match(const char *labels_json, const char *want)
{
	json_t *l = json_loads(labels_json ? labels_json : "{}", 0, NULL);
	const char *eq = strchr(want, '=');
	_cleanup_free_ char *k = eq ? xstrndup(want, (size_t)(eq - want)) : xstrdup(want);
	json_t *v = json_object_get(l, k);
	bool ok = v && (!eq || !strcmp(json_string_value(v), eq + 1));
	json_decref(l);
	return ok;
}

/* Docker's filter semantics: values of one key OR, keys AND. */
static int filters_check(const struct strvec *filters, const char *const *keys, const char *cmd)
{
	for (size_t i = 0; i < filters->n; i++) {
		const char *eq = strchr(filters->v[i], '=');
		if (!eq) {
			fprintf(stderr, "Error: bad format of filter (expected name=value)\n");
			return 1;
		}
		bool ok = false;
		for (const char *const *k = keys; *k; k++)
			ok |= strlen(*k) == (size_t)(eq - filters->v[i]) && !strncmp(*k, filters->v[i], (size_t)(eq - filters->v[i]));
		if (!ok) {
			fprintf(stderr, "Error: invalid filter '%.*s'\n", (int)(eq - filters->v[i]), filters->v[i]);
			(void)cmd;
			return 1;
		}
	}
	return 0;
}

static bool net_matches(struct store *st, const struct net_network *n, const struct strvec *filters)
{
	static const char *keys[] = { "driver", "id", "label", "name", "scope", "type", "dangling" };
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		bool any = false, hit = false;
		size_t kl = strlen(keys[k]);
		for (size_t i = 0; i < filters->n; i++) {
			const char *f = filters->v[i];
			if (strncmp(f, keys[k], kl) || f[kl] != '=')
				continue;
			const char *v = f + kl + 1;
			any = true;
			if (k == 0)
				hit |= !strcmp(n->driver, v);
			else if (k == 1)
				hit |= !strncmp(n->id, v, strlen(v));
			else if (k == 2)
				hit |= label_match(n->labels, v);
			else if (k == 3)
				hit |= strstr(n->name, v) != NULL;
			else if (k == 4)
				hit |= !strcmp(v, "local");
			else if (k == 5)
				hit |= !strcmp(v, "custom") ? !net_is_predefined(n->name) : !strcmp(v, "builtin") ? net_is_predefined(n->name) : false;
			else {
				berr e = { 0 };
				bool dangling = !net_is_predefined(n->name) && net_endpoint_count(st, n->id, &e) == 0;
				hit |= (!strcmp(v, "true") || !strcmp(v, "1")) ? dangling : !dangling;
			}
		}
		if (any && !hit)
			return false;
	}
	return true;
}

static char *created_at(const char *rfc)
{
	/* Go's time.String(): "2006-01-02 15:04:05.999999999 +0000 UTC" (trailing zeros trimmed) */
	char date[11] = "", tm[9] = "", frac[16] = "";
	sscanf(rfc, "%10[0-9-]T%8[0-9:].%15[0-9]", date, tm, frac);
	size_t l = strlen(frac);
	while (l && frac[l - 1] == '0')
		frac[--l] = 0;
	return xasprintf("%s %s%s%s +0000 UTC", date, tm, l ? "." : "", frac);
}

static int run_ls(struct berth_ctx *ctx, int argc, char **argv)
{
	bool quiet = false, notrunc = false;
	const char *format = NULL;
	_cleanup_strvec_ struct strvec filters = STRVEC_INIT, args = STRVEC_INIT;
	struct opt opts[] = {
		{ "filter", 'f', OPT_LIST, &filters, "Provide filter values (e.g. 'driver=bridge')", "filter" },
		{ "format", 0, OPT_STR, &format, "Pretty-print networks using a Go template", "string" },
		{ "no-trunc", 0, OPT_BOOL, &notrunc, "Do not truncate the output", NULL },
		{ "quiet", 'q', OPT_BOOL, &quiet, "Only display network IDs", NULL },
		OPT_SENTINEL,
	};
	int status;
	if (opts_parse("network ls", LS_USAGE, LS_SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("network ls", LS_USAGE, LS_SUMMARY, &args, 0, 0)))
		return status;
	static const char *keys[] = { "driver", "id", "label", "name", "scope", "type", "dangling", NULL };
	if ((status = filters_check(&filters, keys, "network ls")))
		return status;
	_cleanup_store_ struct store *st = NULL;
	if ((status = open_store(ctx, &st)))
		return status;
	berr err = { 0 };
	struct net_network *nets = NULL;
	size_t nn = 0;
	if (net_list(st, &nets, &nn, &err) < 0)
		return lib_error(&err);
	static const struct fmt_header headers[] = {
		{ "ID", "NETWORK ID" }, { "Name", "NAME" }, { "Driver", "DRIVER" }, { "Scope", "SCOPE" },
		{ "IPv6", "IPV6" }, { "Internal", "INTERNAL" }, { "Labels", "LABELS" }, { "CreatedAt", "CREATED AT" },
		{ NULL, NULL },
	};
	json_t *rows = json_array();
	for (size_t i = 0; i < nn; i++) {
		if (!net_matches(st, &nets[i], &filters))
			continue;
		_cleanup_free_ char *lt = labels_text(nets[i].labels);
		_cleanup_free_ char *ca = created_at(nets[i].created);
		char id[65];
		snprintf(id, sizeof id, "%.*s", notrunc ? 64 : 12, nets[i].id);
		json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "ID", id, "Name", nets[i].name, "Driver", nets[i].driver,
				      "Scope", "local", "IPv6", "false", "Internal", nets[i].internal ? "true" : "false", "Labels", lt, "CreatedAt", ca);
		json_t *lab = json_loads(nets[i].labels, 0, NULL);
		json_object_set_new(o, "LabelsMap", lab ? lab : json_object());
		json_array_append_new(rows, o);
	}
	net_list_free(nets, nn);
	int rc = fmt_render(stdout, quiet ? "{{.ID}}" : format, "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}", headers, rows, &err);
	json_decref(rows);
	return rc < 0 ? lib_error(&err) : 0;
}

BERTH_COMMAND(cmd_network_ls) = {
	.group = "network", .name = "ls", .usage = LS_USAGE, .summary = LS_SUMMARY, .run = run_ls,
};
BERTH_COMMAND(cmd_network_list) = {
	.group = "network", .name = "list", .usage = LS_USAGE, .summary = LS_SUMMARY, .run = run_ls, .hidden = true,
};

/* ---- inspect ---- */
#define INSPECT_USAGE "network inspect [OPTIONS] NETWORK [NETWORK...]"
#define INSPECT_SUMMARY "Display detailed information on one or more networks"

static int run_inspect(struct berth_ctx *ctx, int argc, char **argv)
{
	const char *format = NULL;
	bool verbose = false;
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	struct opt opts[] = {
		{ "format", 'f', OPT_STR, &format, "Format the output using the given Go template", "string" },
		{ "verbose", 'v', OPT_BOOL, &verbose, "Verbose output for diagnostics", NULL },
		OPT_SENTINEL,
	};
	int status;
	if (opts_parse("network inspect", INSPECT_USAGE, INSPECT_SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("network inspect", INSPECT_USAGE, INSPECT_SUMMARY, &args, 1, -1)))
		return status;
	_cleanup_store_ struct store *st = NULL;
	if ((status = open_store(ctx, &st)))
		return status;
	json_t *arr = json_array();
	int rc = 0;
	_cleanup_strvec_ struct strvec errors = STRVEC_INIT;
	const char *tmpl = format && *format ? format : NULL;
	_cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
	sb_adds(&out, "");
	for (size_t i = 0; i < args.n; i++) {
		berr err = { 0 };
		struct net_network n;
		if (net_lookup(st, args.v[i], &n, &err) < 0) {
			sv_pushf(&errors, "Error: %s", err.msg);
			rc = 1;
			continue;
		}
		json_t *o = net_inspect_json(st, &n, &err);
		net_network_free(&n);
		if (!o) {
			sv_pushf(&errors, "Error: %s", err.msg);
			rc = 1;
			continue;
		}
		if (tmpl) {
			if (fmt_inspect_sb(&out, tmpl, o, &err) < 0) {
				json_decref(o);
				json_decref(arr);
				fprintf(stderr, "%s", out.buf);
				return lib_error(&err);
			}
		}
		json_array_append_new(arr, o);
	}
	if (tmpl) {
		fputs(out.buf, stdout);
	} else {
		tmpl_json_indent(&out, arr, "    ");
		printf("%s\n", out.buf);
	}
	json_decref(arr);
	for (size_t i = 0; i < errors.n; i++)
		fprintf(stderr, "%s\n", errors.v[i]);
	return rc;
}

BERTH_COMMAND(cmd_network_inspect) = {
	.group = "network", .name = "inspect", .usage = INSPECT_USAGE, .summary = INSPECT_SUMMARY, .run = run_inspect,
};

/* ---- rm ---- */
#define RM_USAGE "network rm NETWORK [NETWORK...]"
#define RM_SUMMARY "Remove one or more networks"

static int run_rm(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	if (opts_parse("network rm", RM_USAGE, RM_SUMMARY, NULL, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("network rm", RM_USAGE, RM_SUMMARY, &args, 1, -1)))
		return status;
	_cleanup_store_ struct store *st = NULL;
	if ((status = open_store(ctx, &st)))
		return status;
	int rc = 0;
	for (size_t i = 0; i < args.n; i++) {
		berr err = { 0 };
		char name[256];
		if (net_remove(st, args.v[i], name, &err) < 0) {
			lib_error(&err);
			rc = 1;
			continue;
		}
		printf("%s\n", args.v[i]);
	}
	return rc;
}

BERTH_COMMAND(cmd_network_rm) = {
	.group = "network", .name = "rm", .usage = RM_USAGE, .summary = RM_SUMMARY, .run = run_rm,
};
BERTH_COMMAND(cmd_network_remove) = {
	.group = "network", .name = "remove", .usage = RM_USAGE, .summary = RM_SUMMARY, .run = run_rm, .hidden = true,
};

/* ---- prune ---- */
#define PRUNE_USAGE "network prune [OPTIONS]"
#define PRUNE_SUMMARY "Remove all unused networks"

/* Unused custom networks (label filters only); names of the removed ones go to out. Returns 0,
 * 1 if some could not be removed (reported), -1 on an error. */
static int prune_networks(struct store *st, const struct strvec *filters, struct strvec *out, berr *err)
{
	struct net_network *nets = NULL;
	size_t nn = 0;
	if (net_reconcile(st, err) < 0 || net_list(st, &nets, &nn, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < nn; i++) {
		if (net_is_predefined(nets[i].name))
			continue;
		bool keep = false;
		for (size_t f = 0; f < filters->n; f++) {
			if (!strncmp(filters->v[f], "label=", 6))
				keep |= !label_match(nets[i].labels, filters->v[f] + 6);
			else if (!strncmp(filters->v[f], "label!=", 7))
				keep |= label_match(nets[i].labels, filters->v[f] + 7);
			else if (!strncmp(filters->v[f], "until=", 6)) {
				/* created at or after the cutoff: kept */
				int64_t cut, made;
				long cn, mn;
				if (units_parse_timestamp(filters->v[f] + 6, time(NULL), &cut, &cn, err) < 0 ||
				    units_parse_rfc3339(nets[i].created, &made, &mn, err) < 0) {
					net_list_free(nets, nn);
					return -1;
				}
				keep |= made > cut || (made == cut && mn >= cn);
			}
		}
		berr e = { 0 };
		if (keep || net_endpoint_count(st, nets[i].id, &e) != 0)
			continue;
		if (net_remove(st, nets[i].id, NULL, &e) < 0) {
			lib_error(&e);
			rc = 1;
			continue;
		}
		sv_push(out, nets[i].name);
	}
	net_list_free(nets, nn);
	return rc;
}

/* system prune: unused custom networks, then (nothing attached any more) the default bridge
 * and berth's nftables table, which berth otherwise keeps as Docker keeps docker0 */
static int system_prune_networks(struct store *st, int flags, const struct strvec *filters, struct strvec *out, uint64_t *freed,
				 berr *err)
{
	(void)flags;
	(void)freed;
	for (size_t i = 0; i < filters->n; i++)
		if (strncmp(filters->v[i], "label", 5) && strncmp(filters->v[i], "until=", 6))
			return berr_set(err, EINVAL, "invalid filter '%.*s'", (int)strcspn(filters->v[i], "!="), filters->v[i]);
	if (prune_networks(st, filters, out, err) < 0)
		return -1;
	return net_release_host(st, err);
}

BERTH_PRUNER(network_pruner) = {
	.what = "networks", .order = 20, .warning = "  - all networks not used by at least one container",
	.prune = system_prune_networks, .heading = "Deleted Networks:",
};

static int run_prune(struct berth_ctx *ctx, int argc, char **argv)
{
	bool force = false;
	_cleanup_strvec_ struct strvec filters = STRVEC_INIT, args = STRVEC_INIT;
	struct opt opts[] = {
		{ "filter", 0, OPT_LIST, &filters, "Provide filter values (e.g. 'until=<timestamp>')", "filter" },
		{ "force", 'f', OPT_BOOL, &force, "Do not prompt for confirmation", NULL },
		OPT_SENTINEL,
	};
	int status;
	if (opts_parse("network prune", PRUNE_USAGE, PRUNE_SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("network prune", PRUNE_USAGE, PRUNE_SUMMARY, &args, 0, 0)))
		return status;
	static const char *keys[] = { "label", "label!", "until", NULL };
	if ((status = filters_check(&filters, keys, "network prune")))
		return status;
	if (!force) {
		printf("WARNING! This will remove all custom networks not used by at least one container.\n"
		       "Are you sure you want to continue? [y/N] ");
		fflush(stdout);
		char line[64] = "";
		if (!fgets(line, sizeof line, stdin) || (line[0] != 'y' && line[0] != 'Y'))
			return 0;
	}
	_cleanup_store_ struct store *st = NULL;
	if ((status = open_store(ctx, &st)))
		return status;
	berr err = { 0 };
	_cleanup_strvec_ struct strvec deleted = STRVEC_INIT;
	int rc = prune_networks(st, &filters, &deleted, &err);
	if (rc < 0)
		return lib_error(&err);
	if (deleted.n) {
		printf("Deleted Networks:\n");
		for (size_t i = 0; i < deleted.n; i++)
			printf("%s\n", deleted.v[i]);
		printf("\n");
	}
	return rc;
}

BERTH_COMMAND(cmd_network_prune) = {
	.group = "network", .name = "prune", .usage = PRUNE_USAGE, .summary = PRUNE_SUMMARY, .run = run_prune,
};

