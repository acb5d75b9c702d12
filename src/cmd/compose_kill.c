/* compose_kill.c: `berth compose kill [-s SIGNAL] [SERVICE...]`. */
#include <signal.h>
#include <stdio.h>
#include "cmd/compose_cmd.h"
#include "util/cleanup.h"

static int run_kill(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	const char *sig = "SIGKILL";
	bool orphans = false;
	struct opt opts[] = {
		{ "remove-orphans", 0, OPT_BOOL, &orphans, "Remove containers for services not defined in the Compose file", NULL },
		{ "signal", 's', OPT_STR, &sig, "SIGNAL to send to the container", "string" },
		OPT_SENTINEL,
	};
	int status;
	if (opts_parse("compose kill", "compose kill [OPTIONS] [SERVICE...]", "Force stop service containers", opts, true, argc,
		       argv, &args, &status))
		return status;
	int s = signal_parse(sig);
	if (s <= 0) {
		fprintf(stderr, "invalid signal %s\n", sig);
		return 1;
	}
	struct compose_project p;
	struct cengine e;
	if ((status = compose_cmd_open(ctx, o, &p, &e)))
		return status;
	berr err = { 0 };
	_cleanup_strvec_ struct strvec order = STRVEC_INIT;
	if (compose_plan(p.model, &args, false, &order, &err) < 0 || cengine_kill(&e, &args, s, &err) < 0)
		status = compose_engine_error(&e, &err);
	else
		cengine_flush(&e, "Killing");
	compose_cmd_close(&p, &e);
	return status;
}

BERTH_COMPOSE_COMMAND(compose_kill_cmd) = {
	.name = "kill", .usage = "compose kill [OPTIONS] [SERVICE...]", .summary = "Force stop service containers", .run = run_kill,
};
