/* top.c: `berth top CONTAINER`: the container's processes (from its cgroup), as `ps -f`. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"

#define USAGE "top CONTAINER [ps OPTIONS]"
#define SUMMARY "Display the running processes of a container"

static int run_top(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	if (opts_parse("top", USAGE, SUMMARY, NULL, false, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("top", USAGE, SUMMARY, &args, 1, -1)))
		return status;
	_cleanup_store_ struct store *st = NULL;
	berr err = { 0 };
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	_cleanup_ctr_ struct ctr *c = NULL;
	if (ctr_lookup(st, args.v[0], &c, &err) < 0)
		return cli_error(&err);
	if (ctr_refresh(st, c) != CTR_RUNNING) {
		fprintf(stderr, "Error: Container %s is not running\n", c->id);
		return 1;
	}
	pid_t pids[4096];
	int n = cgroup_pids(c->id, pids, 4096);
	struct strbuf pl = STRBUF_INIT;
	for (int i = 0; i < n; i++)
		sb_addf(&pl, "%s%d", i ? "," : "", pids[i]);
	if (!n) {
		sb_release(&pl);
		return 0;
	}
	/* ps on the host, restricted to the container's pids (Docker does the same) */
	struct strvec cmd = STRVEC_INIT;
	sv_push(&cmd, "ps");
	if (args.n > 1)
		for (size_t i = 1; i < args.n; i++)
			sv_push(&cmd, args.v[i]);
	else
		sv_push(&cmd, "-f");
	sv_push(&cmd, "-p");
	sv_push(&cmd, pl.buf);
	sb_release(&pl);
	fflush(stdout);
	execvp("ps", cmd.v);
	perror("ps");
	sv_clear(&cmd);
	return 125;
}

BERTH_COMMAND(cmd_top) = { .name = "top", .usage = USAGE, .summary = SUMMARY, .run = run_top };
BERTH_COMMAND(cmd_container_top) = { .group = "container", .name = "top", .usage = USAGE, .summary = SUMMARY, .run = run_top };
