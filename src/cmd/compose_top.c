/* compose_top.c: `berth compose top [SERVICE...]`: `berth top` of each running container,
 * under its name. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cmd/compose_cmd.h"
#include "util/cleanup.h"

static int run_top(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	struct opt opts[] = { OPT_SENTINEL };
	int status;
	if (opts_parse("compose top", "compose top [SERVICES...]", "Display the running processes", opts, true, argc, argv, &args, &status))
		return status;
	struct compose_project p;
	struct cengine e;
	if ((status = compose_cmd_open(ctx, o, &p, &e)))
		return status;
	berr err = { 0 };
	struct ctr **v;
	size_t n;
	_cleanup_strvec_ struct strvec order = STRVEC_INIT, ids = STRVEC_INIT, names = STRVEC_INIT;
	if (compose_plan(p.model, &args, false, &order, &err) < 0 || cengine_containers(&e, NULL, 0, &v, &n, &err) < 0) {
		status = compose_engine_error(&e, &err);
		compose_cmd_close(&p, &e);
		return status;
	}
	for (size_t i = 0; i < n; i++)
		if (v[i]->state == CTR_RUNNING && (!args.n || sv_contains(&args, ctr_label(v[i], CL_SERVICE) ?: ""))) {
			sv_push(&ids, v[i]->id);
			sv_push(&names, v[i]->name);
		}
	ctr_list_free(v, n);
	compose_cmd_close(&p, &e);
	for (size_t i = 0; i < ids.n; i++) {
		printf("%s%s\n", i ? "\n" : "", names.v[i]);
		_cleanup_strvec_ struct strvec av = STRVEC_INIT;
		sv_push(&av, "top");
		sv_push(&av, ids.v[i]);
		/* each `berth top` in its own process: a verb may keep state across calls */
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0)
			_exit(cengine_call_verb(ctx, NULL, &av));
		int ws = 0, r = 1;
		if (pid > 0 && waitpid(pid, &ws, 0) == pid && WIFEXITED(ws))
			r = WEXITSTATUS(ws);
		if (r)
			status = r;
	}
	return status;
}

BERTH_COMPOSE_COMMAND(compose_top_cmd) = {
	.name = "top", .usage = "compose top [SERVICES...]", .summary = "Display the running processes", .run = run_top,
};
