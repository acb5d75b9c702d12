/* prune.c: `berth image prune [-a] [-f]` and `berth system prune [-a] [--volumes] [-f]`, over
 * the pruners registered in system_hooks.h. */
#include <stdlib.h>
#include <string.h>
#include "cmd/imgcmd.h"
#include "cmd/system_hooks.h"
#include "image/remove.h"
#include "util/cleanup.h"
#include "util/units.h"

extern const struct berth_pruner *const __start_berth_pruners[] __attribute__((weak));
extern const struct berth_pruner *const __stop_berth_pruners[] __attribute__((weak));

static int prune_images(struct store *st, int flags, const struct strvec *filters, struct strvec *out, uint64_t *freed, berr *err)
{
	return image_prune(st, flags & PRUNE_ALL, filters, out, freed, err);
}

BERTH_PRUNER(image_pruner) = {
	.what = "images", .order = 40, .warning = "  - all dangling images",
	.warning_all = "  - all images without at least one container associated to them",
	.prune = prune_images, .heading = "Deleted Images:",
};

static int cmp(const void *a, const void *b)
{
	return (*(const struct berth_pruner *const *)a)->order - (*(const struct berth_pruner *const *)b)->order;
}

static int run_prunes(struct berth_ctx *ctx, const char *only, int flags, const struct strvec *filters)
{
	_cleanup_store_ struct store *st = NULL;
	int status;
	if ((status = imgcmd_open(ctx, &st)))
		return status;
	const struct berth_pruner *list[32];
	size_t n = 0;
	if (__start_berth_pruners)
		for (const struct berth_pruner *const *p = __start_berth_pruners; p < __stop_berth_pruners && n < 32; p++)
			if ((!only || !strcmp((*p)->what, only)) && (!(*p)->needs_volumes_flag || (flags & PRUNE_VOLUMES)))
				list[n++] = *p;
	qsort(list, n, sizeof list[0], cmp);
	if (flags & PRUNE_VOLUMES) {
		bool vol = false;
		for (size_t i = 0; i < n; i++)
			vol = vol || list[i]->needs_volumes_flag;
		if (!vol)
			fprintf(stderr, "berth: --volumes: this build has no volume support registered; no volumes pruned\n");
	}
	uint64_t total = 0;
	int ret = 0;
	for (size_t i = 0; i < n; i++) {
		_cleanup_strvec_ struct strvec out = STRVEC_INIT;
		uint64_t freed = 0;
		berr err = { 0 };
		if (list[i]->prune(st, flags, filters, &out, &freed, &err) < 0) {
			fprintf(stderr, "Error response from daemon: %s\n", err.msg);
			return 1;
		}
		total += freed;
		if (out.n) {
			printf("%s\n", list[i]->heading);
			for (size_t k = 0; k < out.n; k++)
				printf("%s\n", out.v[k]);
			printf("\n");
		}
	}
	char b[UNITS_BUF];
	printf("Total reclaimed space: %s\n", units_human_size((double)total, b));
	return ret;
}

static int run_image_prune(struct berth_ctx *ctx, int argc, char **argv)
{
	bool all = false, force = false;
	_cleanup_strvec_ struct strvec args = STRVEC_INIT, filter = STRVEC_INIT;
	struct opt opts[] = {
		{ "all", 'a', OPT_BOOL, &all, "Remove all unused images, not just dangling ones", NULL },
		{ "filter", 0, OPT_LIST, &filter, "Provide filter values (e.g. \"until=<timestamp>\")", "filter" },
		{ "force", 'f', OPT_BOOL, &force, "Do not prompt for confirmation", NULL },
		OPT_SENTINEL,
	};
	int status;
	const char *usage = "image prune [OPTIONS]", *summary = "Remove unused images";
	if (opts_parse("image prune", usage, summary, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("image prune", usage, summary, &args, 0, 0)))
		return status;
	if (!force && !imgcmd_confirm(all ? "WARNING! This will remove all images without at least one container associated to them."
					  : "WARNING! This will remove all dangling images."))
		return 0;
	return run_prunes(ctx, "images", all ? PRUNE_ALL : 0, &filter);
}

static int run_system_prune(struct berth_ctx *ctx, int argc, char **argv)
{
	bool all = false, force = false, volumes = false;
	_cleanup_strvec_ struct strvec args = STRVEC_INIT, filter = STRVEC_INIT;
	struct opt opts[] = {
		{ "all", 'a', OPT_BOOL, &all, "Remove all unused images not just dangling ones", NULL },
		{ "filter", 0, OPT_LIST, &filter, "Provide filter values (e.g. \"label=<key>=<value>\")", "filter" },
		{ "force", 'f', OPT_BOOL, &force, "Do not prompt for confirmation", NULL },
		{ "volumes", 0, OPT_BOOL, &volumes, "Prune volumes", NULL },
		OPT_SENTINEL,
	};
	int status;
	const char *usage = "system prune [OPTIONS]", *summary = "Remove unused data";
	if (opts_parse("system prune", usage, summary, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("system prune", usage, summary, &args, 0, 0)))
		return status;
	int flags = (all ? PRUNE_ALL : 0) | (volumes ? PRUNE_VOLUMES : 0);
	if (!force) {
		struct strbuf w = STRBUF_INIT;
		sb_adds(&w, "WARNING! This will remove:\n");
		const struct berth_pruner *list[32];
		size_t n = 0;
		if (__start_berth_pruners)
			for (const struct berth_pruner *const *p = __start_berth_pruners; p < __stop_berth_pruners && n < 32; p++)
				if (!(*p)->needs_volumes_flag || volumes)
					list[n++] = *p;
		qsort(list, n, sizeof list[0], cmp);
		for (size_t i = 0; i < n; i++)
			sb_addf(&w, "%s\n", all && list[i]->warning_all ? list[i]->warning_all : list[i]->warning);
		bool ok = imgcmd_confirm(w.buf);
		sb_release(&w);
		if (!ok)
			return 0;
	}
	return run_prunes(ctx, NULL, flags, &filter);
}

BERTH_COMMAND(cmd_image_prune) = { .group = "image", .name = "prune", .usage = "image prune [OPTIONS]", .summary = "Remove unused images", .run = run_image_prune };
BERTH_COMMAND(cmd_system_prune) = { .group = "system", .name = "prune", .usage = "system prune [OPTIONS]", .summary = "Remove unused data", .run = run_system_prune };
