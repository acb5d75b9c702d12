/* compose_start.c: `berth compose start [SERVICE...]`: start existing containers, in
 * dependency order. */
#include <stdio.h>
#include "cmd/compose_cmd.h"
#include "util/cleanup.h"

static int run_start(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	bool wait = false;
	struct opt opts[] = {
		{ "wait", 0, OPT_BOOL, &wait, "Wait for services to be running|healthy. Implies detached mode.", NULL },
		OPT_SENTINEL,
	};
	int status;
	if (opts_parse("compose start", "compose start [SERVICE...]", "Start services", opts, true, argc, argv, &args, &status))
		return status;
	struct compose_project p;
	struct cengine e;
	if ((status = compose_cmd_open(ctx, o, &p, &e)))
		return status;
	berr err = { 0 };
	_cleanup_strvec_ struct strvec order = STRVEC_INIT;
	if (compose_plan(p.model, &args, false, &order, &err) < 0 || cengine_start(&e, &args, &err) < 0)
		status = compose_engine_error(&e, &err);
	else {
		for (size_t i = 0; wait && i < order.n; i++)
			if (json_object_get(json_object_get(json_object_get(p.model, "services"), order.v[i]), "healthcheck") &&
			    cengine_wait_condition(&e, order.v[i], "service_healthy", &err) < 0) {
				status = compose_engine_error(&e, &err);
				break;
			}
		cengine_flush(&e, "Running");
	}
	compose_cmd_close(&p, &e);
	return status;
}

BERTH_COMPOSE_COMMAND(compose_start_cmd) = {
	.name = "start", .usage = "compose start [SERVICE...]", .summary = "Start services", .run = run_start,
};
