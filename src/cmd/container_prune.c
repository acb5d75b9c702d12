/* container_prune.c: `berth container prune [-f]` and the containers pruner of `system prune`:
 * remove every stopped container. */
#include <stdio.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include "cli/cli.h"
#include "cmd/imgcmd.h"
#include "cmd/system_hooks.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/units.h"

static uint64_t du(const char *path)
{
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "du -sb '%s' 2>/dev/null", path);
	FILE *p = popen(cmd, "re");
	unsigned long long v = 0;
	if (p) {
		if (fscanf(p, "%llu", &v) != 1)
			v = 0;
		pclose(p);
	}
	return v;
}

/* Docker's prune filters: until=<timestamp|duration>, label=k / label=k=v, label!=... */
static int keep_by_filters(struct ctr *c, const struct strvec *filters, bool *keep, berr *err)
{
	*keep = false;
	for (size_t i = 0; filters && i < filters->n; i++) {
		const char *f = filters->v[i];
		json_t *labels = json_object_get(json_object_get(c->cfg, "Config"), "Labels");
		if (!strncmp(f, "until=", 6)) {
			int64_t sec;
			long nsec;
			if (units_parse_timestamp(f + 6, time(NULL), &sec, &nsec, err) < 0)
				return -1;
			if (c->created / 1000000000LL >= sec)
				*keep = true;
		} else if (!strncmp(f, "label=", 6) || !strncmp(f, "label!=", 7)) {
			bool neg = f[5] == '!';
			const char *kv = f + (neg ? 7 : 6);
			const char *eq = strchr(kv, '=');
			_cleanup_free_ char *k = eq ? xstrndup(kv, (size_t)(eq - kv)) : xstrdup(kv);
			const char *val = json_string_value(json_object_get(labels, k));
			bool match = val && (!eq || !strcmp(val, eq + 1));
			if (match == neg)
				*keep = true;
		} else
			return berr_set(err, EINVAL, "invalid filter '%.*s'", (int)strcspn(f, "!="), f);
	}
	return 0;
}

static int prune_containers(struct store *st, int flags, const struct strvec *filters, struct strvec *out, uint64_t *freed, berr *err)
{
	(void)flags;
	struct ctr **v;
	size_t n;
	if (ctr_list(st, &v, &n, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (ctr_refresh(st, v[i]) == CTR_RUNNING)
			continue;
		bool keep;
		if (keep_by_filters(v[i], filters, &keep, err) < 0) {
			rc = -1;
			break;
		}
		if (keep)
			continue;
		/* Docker counts the container's SizeRw (file sizes of its writable layer) */
		uint64_t sz = (uint64_t)ctr_size_rw(st, v[i]);
		if (ctr_remove(st, v[i], false, err) < 0) {
			rc = -1;
			break;
		}
		*freed += sz;
		sv_push(out, v[i]->id);
	}
	ctr_list_free(v, n);
	trash_reap(st->root); /* prune frees the disk now, and sweeps what a killed reaper left */
	return rc;
}

BERTH_PRUNER(container_pruner) = {
	.what = "containers", .order = 10, .warning = "  - all stopped containers",
	.prune = prune_containers, .heading = "Deleted Containers:",
};

static int run_container_prune(struct berth_ctx *ctx, int argc, char **argv)
{
	bool force = false;
	_cleanup_strvec_ struct strvec args = STRVEC_INIT, filter = STRVEC_INIT;
	struct opt opts[] = {
		{ "filter", 0, OPT_LIST, &filter, "Provide filter values (e.g. \"until=<timestamp>\")", "filter" },
		{ "force", 'f', OPT_BOOL, &force, "Do not prompt for confirmation", NULL },
		OPT_SENTINEL,
	};
	int status;
	const char *usage = "container prune [OPTIONS]", *summary = "Remove all stopped containers";
	if (opts_parse("container prune", usage, summary, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("container prune", usage, summary, &args, 0, 0)))
		return status;
	if (!force && !imgcmd_confirm("WARNING! This will remove all stopped containers."))
		return 0;
	_cleanup_store_ struct store *st = NULL;
	if ((status = imgcmd_open(ctx, &st)))
		return status;
	_cleanup_strvec_ struct strvec out = STRVEC_INIT;
	uint64_t freed = 0;
	berr err = { 0 };
	int rc = prune_containers(st, 0, &filter, &out, &freed, &err);
	if (out.n) {
		printf("Deleted Containers:\n");
		for (size_t i = 0; i < out.n; i++)
			printf("%s\n", out.v[i]);
		printf("\n");
	}
	char b[UNITS_BUF];
	printf("Total reclaimed space: %s\n", units_human_size((double)freed, b));
	if (rc < 0)
		return cli_error(&err);
	return 0;
}

BERTH_COMMAND(cmd_container_prune) = {
	.group = "container", .name = "prune", .usage = "container prune [OPTIONS]",
	.summary = "Remove all stopped containers", .run = run_container_prune,
};

/* `system df`: the Containers row (active = running; reclaimable = stopped containers' dirs). */
static int containers_df(struct store *st, struct df_row *row, bool verbose, struct strbuf *out, berr *err)
{
	(void)verbose;
	(void)out;
	struct ctr **v;
	size_t n;
	if (ctr_list(st, &v, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		row->total++;
		if (ctr_refresh(st, v[i]) == CTR_RUNNING) {
			row->active++;
			continue;
		}
		_cleanup_free_ char *d = xasprintf("%s/containers/%s", st->root, v[i]->id);
		row->reclaimable += du(d);
	}
	ctr_list_free(v, n);
	return 0;
}

static const char *const ctr_dirs[] = { "containers", NULL };
BERTH_DF_PROVIDER(df_containers) = { .type = "Containers", .order = 20, .dirs = ctr_dirs, .fill = containers_df };
