/* plan_fuzz.c: libFuzzer harness for the Dockerfile front end above the parser: typed
 * instructions, stages, the planner (every stage as a target) and the linter. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "dockerfile/check.h"
#include "dockerfile/plan.h"

static int base(void *ctx, const char *ref, const char *platform, json_t **config, berr *err)
{
	(void)ctx;
	(void)platform;
	if (ref[0] == 'x')
		return berr_set(err, 0, "no such image");
	/* an image with ONBUILD triggers exercises the trigger path */
	*config = json_pack("{s:[s], s:[s]}", "Env", "A=1", "OnBuild", ref[0] == 'o' ? "RUN echo t" : "ENV B=2");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct df_file *f = NULL;
	berr err = { 0 };
	if (df_file_load((const char *)data, size, "Dockerfile", &f, &err) == 0) {
		const char *bargs[] = { "A=1", "TARGETARCH=x", NULL };
		for (size_t t = 0; t < f->nstages && t < 4; t++) {
			char name[32];
			snprintf(name, sizeof(name), "%zu", t);
			struct plan_opts o = { .target = f->stages[t].name, .build_args = bargs, .base = base };
			struct plan *p = NULL;
			if (plan_build(f, &o, &p, &err) == 0) {
				json_t *j = plan_to_json(p);
				json_decref(j);
				plan_free(p);
			}
		}
		df_file_free(f);
	}
	struct df_check_result r;
	if (df_check((const char *)data, size, "Dockerfile", NULL, &r, &err) == 0) {
		FILE *null = fopen("/dev/null", "w");
		if (null) {
			df_check_print(null, &r, "Dockerfile", (const char *)data, size);
			fclose(null);
		}
		df_check_result_release(&r);
	}
	return 0;
}
