/* exec.c: `berth exec [-d] [-i] [-t] [-u USER] [-w DIR] [-e K=V] CONTAINER CMD [ARG...]`. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"

#define USAGE "exec [OPTIONS] CONTAINER COMMAND [ARG...]"
#define SUMMARY "Execute a command in a running container"

static int run_exec(struct berth_ctx *ctx, int argc, char **argv)
{
	struct exec_opts o = { 0 };
	struct opt opts[] = {
		{ "detach", 'd', OPT_BOOL, &o.detach, "Detached mode: run command in the background", NULL },
		{ "env", 'e', OPT_LIST, &o.env, "Set environment variables", "list" },
		{ "interactive", 'i', OPT_BOOL, &o.interactive, "Keep STDIN open even if not attached", NULL },
		{ "privileged", 0, OPT_BOOL, &o.privileged, "Give extended privileges to the command", NULL },
		{ "tty", 't', OPT_BOOL, &o.tty, "Allocate a pseudo-TTY", NULL },
		{ "user", 'u', OPT_STR, &o.user, "Username or UID (format: <name|uid>[:<group|gid>])", "string" },
		{ "workdir", 'w', OPT_STR, &o.workdir, "Working directory inside the container", "string" },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	if (opts_parse("exec", USAGE, SUMMARY, opts, false, argc, argv, &args, &status))
		goto out;
	if ((status = cli_require_args("exec", USAGE, SUMMARY, &args, 2, -1)))
		goto out;
	{
		_cleanup_store_ struct store *st = NULL;
		berr err = { 0 };
		if (store_open(&st, ctx->root, ctx->runroot, &err) < 0) {
			status = cli_error(&err);
			goto out;
		}
		_cleanup_ctr_ struct ctr *c = NULL;
		if (ctr_lookup(st, args.v[0], &c, &err) < 0) {
			status = cli_error(&err);
			goto out;
		}
		if (ctr_refresh(st, c) != CTR_RUNNING) {
			fprintf(stderr, "Error: Container %s is not running\n", c->id);
			status = 1;
			goto out;
		}
		o.argv = args.v + 1;
		if (sandbox_exec(st, c, &o, &status, &err) < 0) {
			/* Docker prints a failed exec start as is; with -d as the daemon's answer */
			if (!strncmp(err.msg, "OCI runtime exec failed", 23)) {
				fprintf(stderr, "%s%s\n", o.detach ? "Error response from daemon: " : "", err.msg);
				status = err.status;
			} else
				status = cli_error(&err);
		}
	}
out:
	sv_clear(&o.env);
	return status;
}

BERTH_COMMAND(cmd_exec) = { .name = "exec", .usage = USAGE, .summary = SUMMARY, .run = run_exec };
BERTH_COMMAND(cmd_container_exec) = { .group = "container", .name = "exec", .usage = USAGE, .summary = SUMMARY, .run = run_exec };
