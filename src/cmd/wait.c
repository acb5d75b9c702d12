/* wait.c: `berth wait CONTAINER...`: block until each stops, print its exit code. */
#include <stdio.h>
#include <unistd.h>
#include "cli/cli.h"
#include "runtime/lifecycle.h"
#include "runtime/supervise.h"
#include <string.h>
#include "util/cleanup.h"

#define USAGE "wait CONTAINER [CONTAINER...]"
#define SUMMARY "Block until one or more containers stop, then print their exit codes"

static int run_wait(struct berth_ctx *ctx, int argc, char **argv)
{
	const char *cond = "not-running";
	long timeout = -1;
	struct opt opts[] = {
		{ "condition", 0, OPT_STR, &cond, "Condition to wait for: not-running, or healthy/unhealthy (berth)", "string" },
		{ "timeout", 0, OPT_INT, &timeout, "With healthy/unhealthy: give up after N seconds (exit 1)", "int" },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	if (opts_parse("wait", USAGE, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("wait", USAGE, SUMMARY, &args, 1, -1)))
		return status;
	bool health = !strcmp(cond, "healthy") || !strcmp(cond, "unhealthy");
	if (!health && strcmp(cond, "not-running")) {
		fprintf(stderr, "Error: wait: condition \"%s\" is not supported (not-running, healthy, unhealthy)\n", cond);
		return 125;
	}
	_cleanup_store_ struct store *st = NULL;
	berr err = { 0 };
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	for (size_t i = 0; i < args.n; i++) {
		_cleanup_ctr_ struct ctr *c = NULL;
		if (ctr_lookup(st, args.v[i], &c, &err) < 0) {
			cli_error(&err);
			status = 1;
			continue;
		}
		if (health) {
			/* sleeps on the monitor's health file (inotify) and its pidfd: no polling */
			int r = health_wait(st, c->id, cond, timeout < 0 ? -1 : (int)timeout * 1000);
			if (r == 0)
				printf("%s\n", cond);
			else {
				fprintf(stderr, "Error: %s: %s\n", args.v[i], r == 1 ? "container is not running or has no healthcheck" : "timed out");
				status = 1;
			}
			continue;
		}
		if (c->state == CTR_CREATED) {
			/* Docker waits for a created container to run and stop; poll the record */
			while (c->state == CTR_CREATED) {
				_cleanup_ctr_ struct ctr *c2 = NULL;
				if (ctr_lookup(st, args.v[i], &c2, &err) < 0)
					break;
				c->state = c2->state;
				c->pid = c2->pid; c->pid_start = c2->pid_start;
				c->mon_pid = c2->mon_pid; c->mon_start = c2->mon_start;
				if (c->state == CTR_CREATED)
					usleep(50000);
			}
		}
		ctr_wait_stopped(st, c, -1);
		printf("%d\n", c->exit_code);
		fflush(stdout);
	}
	return status;
}

BERTH_COMMAND(cmd_wait) = { .name = "wait", .usage = USAGE, .summary = SUMMARY, .run = run_wait };
BERTH_COMMAND(cmd_container_wait) = { .group = "container", .name = "wait", .usage = USAGE, .summary = SUMMARY, .run = run_wait };
