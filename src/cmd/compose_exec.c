/* compose_exec.c: `berth compose exec [OPTIONS] SERVICE COMMAND [ARGS...]`: `berth exec` in a
 * service's running container (--index, default 1); a TTY when stdin is one, unless -T. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cmd/compose_cmd.h"
#include "util/cleanup.h"

static int run_exec(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT, env = STRVEC_INIT;
	bool detach = false, no_tty = false, privileged = false, tty_flag = false, interactive = true;
	const char *user = NULL, *workdir = NULL, *index = "1";
	struct opt opts[] = {
		{ "detach", 'd', OPT_BOOL, &detach, "Detached mode: Run command in the background", NULL },
		{ "env", 'e', OPT_LIST, &env, "Set environment variables", "stringArray" },
		{ "index", 0, OPT_STR, &index, "Index of the container if service has multiple replicas", "int" },
		{ "interactive", 'i', OPT_BOOL, &interactive, "Keep STDIN open even if not attached", NULL },
		{ "no-TTY", 'T', OPT_BOOL, &no_tty, "Disable pseudo-TTY allocation. By default `docker compose exec` allocates a TTY.", NULL },
		{ "privileged", 0, OPT_BOOL, &privileged, "Give extended privileges to the process", NULL },
		{ "tty", 't', OPT_BOOL, &tty_flag, "Allocate a pseudo-TTY", NULL },
		{ "user", 'u', OPT_STR, &user, "Run the command as this user", "string" },
		{ "workdir", 'w', OPT_STR, &workdir, "Path to workdir directory for this command", "string" },
		OPT_SENTINEL,
	};
	int status;
	const char *usage = "compose exec [OPTIONS] SERVICE COMMAND [ARGS...]";
	if (opts_parse("compose exec", usage, "Execute a command in a running container", opts, false, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("compose exec", usage, "Execute a command in a running container", &args, 2, -1)))
		return status;
	struct compose_project p;
	struct cengine e;
	if ((status = compose_cmd_open(ctx, o, &p, &e)))
		return status;
	berr err = { 0 };
	if (!json_object_get(json_object_get(p.model, "services"), args.v[0])) {
		compose_cmd_close(&p, &e);
		fprintf(stderr, "service \"%s\" is not running\n", args.v[0]);
		return 1;
	}
	struct ctr **v;
	size_t n;
	if (cengine_containers(&e, args.v[0], 0, &v, &n, &err) < 0) {
		status = compose_engine_error(&e, &err);
		compose_cmd_close(&p, &e);
		return status;
	}
	char id[65] = "";
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ctr_label(v[i], CL_NUMBER) ?: "", index) && v[i]->state == CTR_RUNNING)
			snprintf(id, sizeof id, "%s", v[i]->id);
	ctr_list_free(v, n);
	compose_cmd_close(&p, &e);
	if (!*id) {
		fprintf(stderr, "service \"%s\" is not running\n", args.v[0]);
		return 1;
	}
	_cleanup_strvec_ struct strvec av = STRVEC_INIT;
	sv_push(&av, "exec");
	if (detach)
		sv_push(&av, "-d");
	else if (interactive)
		sv_push(&av, "-i");
	if (!detach && !no_tty && (tty_flag || isatty(0)))
		sv_push(&av, "-t");
	if (privileged)
		sv_push(&av, "--privileged");
	for (size_t i = 0; i < env.n; i++) {
		sv_push(&av, "-e");
		sv_push(&av, env.v[i]);
	}
	if (user) {
		sv_push(&av, "-u");
		sv_push(&av, user);
	}
	if (workdir) {
		sv_push(&av, "-w");
		sv_push(&av, workdir);
	}
	sv_push(&av, id);
	for (size_t i = 1; i < args.n; i++)
		sv_push(&av, args.v[i]);
	return cengine_call_verb(ctx, NULL, &av);
}

BERTH_COMPOSE_COMMAND(compose_exec_cmd) = {
	.name = "exec", .usage = "compose exec [OPTIONS] SERVICE COMMAND [ARGS...]",
	.summary = "Execute a command in a running container", .run = run_exec,
};
