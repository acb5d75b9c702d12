/* compose_restart.c: `berth compose restart [-t N] [SERVICE...]`: stop (reverse order) then
 * start (dependency order) the project's containers. */
#include <stdio.h>
#include "cmd/compose_cmd.h"
#include "util/cleanup.h"

static int run_restart(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	const char *timeout = NULL;
	bool no_deps = false;
	struct opt opts[] = {
		{ "no-deps", 0, OPT_BOOL, &no_deps, "Don't restart dependent services", NULL },
		{ "timeout", 't', OPT_STR, &timeout, "Specify a shutdown timeout in seconds", "int" },
		OPT_SENTINEL,
	};
	int status;
	if (opts_parse("compose restart", "compose restart [OPTIONS] [SERVICE...]", "Restart service containers", opts, true,
		       argc, argv, &args, &status))
		return status;
	struct compose_project p;
	struct cengine e;
	if ((status = compose_cmd_open(ctx, o, &p, &e)))
		return status;
	berr err = { 0 };
	_cleanup_strvec_ struct strvec order = STRVEC_INIT;
	if (compose_plan(p.model, &args, false, &order, &err) < 0 ||
	    cengine_stop(&e, &args, compose_timeout(timeout), &err) < 0 || cengine_start(&e, &args, &err) < 0)
		status = compose_engine_error(&e, &err);
	else
		cengine_flush(&e, "Restarting");
	compose_cmd_close(&p, &e);
	return status;
}

BERTH_COMPOSE_COMMAND(compose_restart_cmd) = {
	.name = "restart", .usage = "compose restart [OPTIONS] [SERVICE...]", .summary = "Restart service containers",
	.run = run_restart,
};
