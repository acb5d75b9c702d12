/* compose_common.c: helpers shared by the `berth compose` sub-verbs (compose_cmd.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/compose_cmd.h"

int compose_cmd_open(struct berth_ctx *ctx, struct compose_opts *o, struct compose_project *p, struct cengine *e)
{
	berr err = { 0 };
	memset(p, 0, sizeof *p);
	memset(e, 0, sizeof *e);
	if (compose_load(o, p, &err) < 0)
		return compose_cmd_error(&err);
	if (cengine_open(e, ctx, p, p->name, &err) < 0) {
		compose_project_free(p);
		memset(p, 0, sizeof *p);
		return compose_cmd_error(&err);
	}
	e->parallel = o->parallel;
	return 0;
}

void compose_cmd_close(struct compose_project *p, struct cengine *e)
{
	cengine_close(e);
	if (p->model)
		compose_project_free(p);
}

int compose_engine_error(struct cengine *e, berr *err)
{
	cengine_flush(e, "Running");
	fprintf(stderr, "%s\n", err->msg);
	return err->status ? err->status : 1;
}

int compose_timeout(const char *s)
{
	return s ? atoi(s) : -1;
}
