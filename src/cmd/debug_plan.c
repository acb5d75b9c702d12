/* debug_plan.c: `berth debug plan [OPTIONS] CONTEXT` (hidden): parse and plan a Dockerfile
 * without building, and print the plan as JSON: the target stage's image config, its
 * history (created_by, empty_layer) and every stage's steps. Base images are given with
 * --image REF[=CONFIG.json] (a file holding the image's "config" object; without a file the
 * image has an empty config, as an imported image). Errors print "Error: ..." and exit 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "build/options.h"
#include "cli/cli.h"
#include "dockerfile/plan.h"
#include "util/cleanup.h"

#define USAGE "debug plan [OPTIONS] CONTEXT"
#define SUMMARY "Plan a Dockerfile build and print the plan"

/* "busybox" -> "busybox:latest"; "docker.io/library/x" -> "x" */
static char *norm_ref(const char *ref)
{
	const char *r = ref;
	if (!strncmp(r, "docker.io/", 10))
		r += 10;
	if (!strncmp(r, "library/", 8))
		r += 8;
	const char *slash = strrchr(r, '/');
	const char *colon = strrchr(slash ? slash : r, ':');
	if (!colon && !strchr(r, '@'))
		return xasprintf("%s:latest", r);
	return xstrdup(r);
}

static int base_cb(void *ctx, const char *ref, const char *platform, json_t **config, berr *err)
{
	const struct strvec *images = ctx;
	(void)platform;
	_cleanup_free_ char *want = norm_ref(ref);
	for (size_t i = 0; i < images->n; i++) {
		_cleanup_free_ char *name = xstrdup(images->v[i]);
		char *eq = strchr(name, '=');
		if (eq)
			*eq++ = 0;
		_cleanup_free_ char *have = norm_ref(name);
		if (strcmp(have, want))
			continue;
		if (!eq) {
			*config = json_object();
			return 0;
		}
		json_error_t je;
		json_t *doc = json_load_file(eq, 0, &je);
		if (!doc)
			return berr_set(err, 0, "%s: %s", eq, je.text);
		json_t *c = json_object_get(doc, "config");
		if (!c)
			c = json_object_get(doc, "Config");
		*config = json_incref(c ? c : doc);
		json_decref(doc);
		return 0;
	}
	return berr_set(err, 0, "pull access denied for %s, repository does not exist or may require authorization (no such image in the store)", ref);
}

static double cpu_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int run_debug_plan(struct berth_ctx *ctx, int argc, char **argv)
{
	const char *target = NULL, *file = NULL, *platform = NULL;
	_cleanup_strvec_ struct strvec bargs = STRVEC_INIT, images = STRVEC_INIT, args = STRVEC_INIT;
	_cleanup_strvec_ struct strvec resolved = STRVEC_INIT;
	bool compact = false;
	long bench = 0;
	struct opt opts[] = {
		{ "target", 0, OPT_STR, &target, "Target stage", NULL },
		{ "file", 'f', OPT_STR, &file, "Dockerfile (default CONTEXT/Dockerfile)", NULL },
		{ "build-arg", 0, OPT_LIST, &bargs, "Build argument K=V", NULL },
		{ "image", 0, OPT_LIST, &images, "Known base image REF[=CONFIG.json]", NULL },
		{ "platform", 0, OPT_STR, &platform, "Target platform", NULL },
		{ "compact", 0, OPT_BOOL, &compact, "One-line JSON", NULL },
		{ "bench", 0, OPT_INT, &bench, "Parse, plan and free N times, print the mean CPU time (no plan output)", NULL },
		OPT_SENTINEL,
	};
	int status;
	(void)ctx;
	if (opts_parse("debug plan", USAGE, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("debug plan", USAGE, SUMMARY, &args, 1, 1)))
		return status;
	struct build_opts bo = { 0 };
	bo.file = file;
	bo.context = args.v[0];
	bo.build_args = bargs;
	berr err = { 0 };
	_cleanup_free_ char *data = NULL, *name = NULL;
	size_t len = 0;
	if (build_load_dockerfile(&bo, &data, &len, &name, &err))
		goto fail;
	build_opts_args(&bo, &resolved);
	struct plan_opts po = {
		.target = target,
		.build_args = (const char *const *)resolved.v,
		.platform = platform,
		.base = base_cb,
		.base_ctx = &images,
	};
	if (bench > 0) {
		/* what the builder does with the file: load (parse + typed instructions + stages),
		 * plan, the target's config, and free both at the end */
		double parse_ms = 0, plan_ms = 0, free_ms = 0;
		size_t steps = 0;
		for (long i = 0; i < bench; i++) {
			struct df_file *bf = NULL;
			struct plan *bp = NULL;
			double t0 = cpu_ms();
			if (df_file_load(data, len, name, &bf, &err))
				goto fail;
			double t1 = cpu_ms();
			if (plan_build(bf, &po, &bp, &err)) {
				df_file_free(bf);
				goto fail;
			}
			plan_stage_config(bp, bp->target);
			double t2 = cpu_ms();
			steps = 0;
			for (size_t s = 0; s < bp->nstages; s++)
				steps += bp->stages[s].nsteps;
			plan_free(bp);
			df_file_free(bf);
			double t3 = cpu_ms();
			parse_ms += t1 - t0;
			plan_ms += t2 - t1;
			free_ms += t3 - t2;
		}
		double n = (double)bench;
		printf("parse+plan+free: %.3f ms CPU (parse %.3f ms, plan %.3f ms, free %.3f ms; mean of %ld runs, %zu bytes, %zu planned steps)\n",
		       (parse_ms + plan_ms + free_ms) / n, parse_ms / n, plan_ms / n, free_ms / n, bench, len, steps);
		return 0;
	}
	struct df_file *f = NULL;
	if (df_file_load(data, len, name, &f, &err))
		goto fail;
	struct plan *p = NULL;
	if (plan_build(f, &po, &p, &err)) {
		df_file_free(f);
		goto fail;
	}
	json_t *j = plan_to_json(p);
	char *s = json_dumps(j, (compact ? JSON_COMPACT : JSON_INDENT(2)) | JSON_SORT_KEYS);
	puts(s);
	free(s);
	json_decref(j);
	for (size_t i = 0; i < p->unused_build_args.n; i++)
		fprintf(stderr, "[Warning] One or more build-args [%s] were not consumed\n", p->unused_build_args.v[i]);
	plan_free(p);
	df_file_free(f);
	return 0;
fail:
	fprintf(stderr, "Error: %s\n", err.msg);
	return 1;
}

BERTH_COMMAND(cmd_debug_plan) = {
	.group = "debug",
	.name = "plan",
	.usage = USAGE,
	.summary = SUMMARY,
	.run = run_debug_plan,
	.hidden = true,
};
