/* compose_rm.c: `berth compose rm [-f] [-s] [-v] [SERVICE...]`: remove stopped containers.
 * berth does not prompt: without -f it lists what it would remove and asks for -f, as compose
 * does when stdin is not a terminal. */
#include <stdio.h>
#include <string.h>
#include "cmd/compose_cmd.h"
#include "util/cleanup.h"

static int run_rm(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	bool force = false, stop = false, vols = false;
	struct opt opts[] = {
		{ "force", 'f', OPT_BOOL, &force, "Don't ask to confirm removal", NULL },
		{ "stop", 's', OPT_BOOL, &stop, "Stop the containers, if required, before removing", NULL },
		{ "volumes", 'v', OPT_BOOL, &vols, "Remove any anonymous volumes attached to containers", NULL },
		OPT_SENTINEL,
	};
	int status;
	if (opts_parse("compose rm", "compose rm [OPTIONS] [SERVICE...]", "Removes stopped service containers", opts, true, argc,
		       argv, &args, &status))
		return status;
	struct compose_project p;
	struct cengine e;
	if ((status = compose_cmd_open(ctx, o, &p, &e)))
		return status;
	berr err = { 0 };
	_cleanup_strvec_ struct strvec order = STRVEC_INIT;
	_cleanup_strvec_ struct strvec names = STRVEC_INIT; /* before the first goto fail */
	if (compose_plan(p.model, &args, false, &order, &err) < 0)
		goto fail;
	if (stop && cengine_stop(&e, &args, -1, &err) < 0)
		goto fail;
	struct ctr **v;
	size_t n;
	if (cengine_containers(&e, NULL, -1, &v, &n, &err) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (v[i]->state != CTR_RUNNING && (!args.n || sv_contains(&args, ctr_label(v[i], CL_SERVICE) ?: "")))
			sv_push(&names, v[i]->name);
	ctr_list_free(v, n);
	if (!names.n) {
		fprintf(stderr, "No stopped containers\n");
		compose_cmd_close(&p, &e);
		return 0;
	}
	if (!force) {
		fprintf(stderr, "Going to remove");
		for (size_t i = 0; i < names.n; i++)
			fprintf(stderr, " %s", names.v[i]);
		fprintf(stderr, "\nberth does not prompt: use -f to remove them\n");
		compose_cmd_close(&p, &e);
		return 1;
	}
	if (cengine_rm(&e, &args, false, vols, -1, &err) < 0)
		goto fail;
	cengine_flush(&e, "Removing");
	compose_cmd_close(&p, &e);
	return 0;
fail:
	status = compose_engine_error(&e, &err);
	compose_cmd_close(&p, &e);
	return status;
}

BERTH_COMPOSE_COMMAND(compose_rm_cmd) = {
	.name = "rm", .usage = "compose rm [OPTIONS] [SERVICE...]", .summary = "Removes stopped service containers", .run = run_rm,
};
