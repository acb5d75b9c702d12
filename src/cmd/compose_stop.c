/* compose_stop.c: `berth compose stop [-t N] [SERVICE...]`: stop running containers, in
 * reverse dependency order. */
#include <stdio.h>
#include "cmd/compose_cmd.h"
#include "util/cleanup.h"

static int run_stop(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	const char *timeout = NULL;
	struct opt opts[] = {
		{ "timeout", 't', OPT_STR, &timeout, "Specify a shutdown timeout in seconds", "int" },
		OPT_SENTINEL,
	};
	int status;
	if (opts_parse("compose stop", "compose stop [OPTIONS] [SERVICE...]", "Stop services", opts, true, argc, argv, &args, &status))
		return status;
	struct compose_project p;
	struct cengine e;
	if ((status = compose_cmd_open(ctx, o, &p, &e)))
		return status;
	berr err = { 0 };
	_cleanup_strvec_ struct strvec order = STRVEC_INIT;
	if (compose_plan(p.model, &args, false, &order, &err) < 0 || cengine_stop(&e, &args, compose_timeout(timeout), &err) < 0)
		status = compose_engine_error(&e, &err);
	else
		cengine_flush(&e, "Stopping");
	compose_cmd_close(&p, &e);
	return status;
}

BERTH_COMPOSE_COMMAND(compose_stop_cmd) = {
	.name = "stop", .usage = "compose stop [OPTIONS] [SERVICE...]", .summary = "Stop services", .run = run_stop,
};
