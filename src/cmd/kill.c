/* kill.c: `berth kill [-s SIGNAL] CONTAINER...`. */
#include <signal.h>
#include <stdio.h>
#include "cli/cli.h"
#include "cmd/ctr_each.h"
#include "runtime/lifecycle.h"
#include "util/cleanup.h"

#define USAGE "kill [OPTIONS] CONTAINER [CONTAINER...]"
#define SUMMARY "Kill one or more running containers"

static int kill_one(struct store *st, struct ctr *c, void *data, berr *err)
{
	int sig = *(int *)data;
	if (ctr_kill(st, c, sig, err) < 0)
		return -1;
	if (sig == SIGKILL)
		ctr_wait_stopped(st, c, 5000);
	return 0;
}

static int run_kill(struct berth_ctx *ctx, int argc, char **argv)
{
	const char *sigs = "KILL";
	struct opt opts[] = {
		{ "signal", 's', OPT_STR, &sigs, "Signal to send to the container", "string" },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	if (opts_parse("kill", USAGE, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("kill", USAGE, SUMMARY, &args, 1, -1)))
		return status;
	int sig = signal_parse(sigs);
	if (sig <= 0) {
		fprintf(stderr, "Error: Invalid signal: %s\n", sigs);
		return 1;
	}
	return ctr_each(ctx, &args, kill_one, &sig);
}

BERTH_COMMAND(cmd_kill) = { .name = "kill", .usage = USAGE, .summary = SUMMARY, .run = run_kill };
BERTH_COMMAND(cmd_container_kill) = { .group = "container", .name = "kill", .usage = USAGE, .summary = SUMMARY, .run = run_kill };
