/* compose_up.c: `berth compose up`: create and start the project's containers in dependency
 * order (cengine_up); attached, stream their logs ("web-1  | ...") until they exit or Ctrl-C
 * stops the project gracefully. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cmd/compose_cmd.h"
#include "util/cleanup.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	if (interrupted) {
		/* second Ctrl-C: force */
		signal(SIGINT, SIG_DFL);
		raise(SIGINT);
	}
	interrupted = 1;
}

struct abort_ud {
	bool abort;
	const char *from;    /* --exit-code-from: the service whose code is returned */
	bool fired;
	int code;
	char name[256];
};

static int on_exit_cb(struct ctr *c, void *vud)
{
	struct abort_ud *u = vud;
	const char *svc = ctr_label(c, CL_SERVICE), *num = ctr_label(c, CL_NUMBER);
	printf("%s-%s exited with code %d\n", svc ? svc : c->name, num ? num : "1", c->exit_code);
	fflush(stdout);
	if (!u->abort)
		return 0;
	u->fired = true;
	if (!u->from || !strcmp(svc ? svc : "", u->from))
		u->code = c->exit_code;
	snprintf(u->name, sizeof u->name, "%s", c->name);
	return 1;
}

/* compose's own argument checks are plain errors (exit 1), not flag-parsing errors */
static int up_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static int run_up(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
{
	bool detach = false, build = false, no_build = false, force = false, no_recreate = false, orphans = false,
	     wait = false, abort_exit = false, no_start = false, no_color = false, no_prefix = false, quiet_pull = false,
	     no_deps = false, timestamps = false;
	const char *timeout = NULL, *wait_timeout = NULL, *pull = NULL, *exit_from = NULL;
	_cleanup_strvec_ struct strvec scale = STRVEC_INIT, args = STRVEC_INIT, attach = STRVEC_INIT, no_attach = STRVEC_INIT;
	bool attach_deps = false, renew_anon = false, yes = false, recreate_deps = false;
	struct opt opts[] = {
		{ "abort-on-container-exit", 0, OPT_BOOL, &abort_exit, "Stops all containers if any container was stopped. Incompatible with -d", NULL },
		{ "always-recreate-deps", 0, OPT_BOOL, &recreate_deps, "Recreate dependent containers. Incompatible with --no-recreate.", NULL },
		{ "attach", 0, OPT_LIST, &attach, "Restrict attaching to the specified services. Incompatible with --attach-dependencies.", "stringArray" },
		{ "attach-dependencies", 0, OPT_BOOL, &attach_deps, "Automatically attach to log output of dependent services", NULL },
		{ "build", 0, OPT_BOOL, &build, "Build images before starting containers", NULL },
		{ "detach", 'd', OPT_BOOL, &detach, "Detached mode: Run containers in the background", NULL },
		{ "exit-code-from", 0, OPT_STR, &exit_from, "Return the exit code of the selected service container. Implies --abort-on-container-exit", "string" },
		{ "force-recreate", 0, OPT_BOOL, &force, "Recreate containers even if their configuration and image haven't changed", NULL },
		{ "no-attach", 0, OPT_LIST, &no_attach, "Do not attach (stream logs) to the specified services", "stringArray" },
		{ "no-build", 0, OPT_BOOL, &no_build, "Don't build an image, even if it's policy", NULL },
		{ "no-color", 0, OPT_BOOL, &no_color, "Produce monochrome output", NULL },
		{ "no-deps", 0, OPT_BOOL, &no_deps, "Don't start linked services", NULL },
		{ "no-log-prefix", 0, OPT_BOOL, &no_prefix, "Don't print prefix in logs", NULL },
		{ "no-recreate", 0, OPT_BOOL, &no_recreate, "If containers already exist, don't recreate them. Incompatible with --force-recreate.", NULL },
		{ "no-start", 0, OPT_BOOL, &no_start, "Don't start the services after creating them", NULL },
		{ "pull", 0, OPT_STR, &pull, "Pull image before running (\"always\"|\"missing\"|\"never\")", "string" },
		{ "quiet-pull", 0, OPT_BOOL, &quiet_pull, "Pull without printing progress information", NULL },
		{ "renew-anon-volumes", 'V', OPT_BOOL, &renew_anon, "Recreate anonymous volumes instead of retrieving data from the previous containers", NULL },
		{ "remove-orphans", 0, OPT_BOOL, &orphans, "Remove containers for services not defined in the Compose file", NULL },
		{ "scale", 0, OPT_LIST, &scale, "Scale SERVICE to NUM instances. Overrides the `scale` setting in the Compose file if present.", "scale" },
		{ "timeout", 't', OPT_STR, &timeout, "Use this timeout in seconds for container shutdown when attached or when containers are already running", "int" },
		{ "timestamps", 0, OPT_BOOL, &timestamps, "Show timestamps", NULL },
		{ "wait", 0, OPT_BOOL, &wait, "Wait for services to be running|healthy. Implies detached mode.", NULL },
		{ "yes", 'y', OPT_BOOL, &yes, "Assume \"yes\" as answer to all prompts and run non-interactively", NULL },
		{ "wait-timeout", 0, OPT_STR, &wait_timeout, "Maximum duration to wait for the project to be running|healthy", "int" },
		OPT_SENTINEL,
	};
	int status;
	const char *usage = "compose up [OPTIONS] [SERVICE...]";
	if (opts_parse("compose up", usage, "Create and start containers", opts, true, argc, argv, &args, &status))
		return status;
	if (wait)
		detach = true;
	if (exit_from)
		abort_exit = true;
	if (pull && strcmp(pull, "always") && strcmp(pull, "missing") && strcmp(pull, "never") && strcmp(pull, "build"))
		return up_error("invalid --pull option \"%s\"", pull);
	if (detach && abort_exit)
		return up_error("--abort-on-container-exit and --detach are incompatible");
	if (force && no_recreate)
		return up_error("--force-recreate and --no-recreate are incompatible");
	if (recreate_deps && no_recreate)
		return up_error("--always-recreate-deps and --no-recreate are incompatible");
	if (build && no_build)
		return up_error("--build and --no-build are incompatible");
	if (attach.n && attach_deps)
		return up_error("--attach-dependencies and --attach are incompatible");
	(void)yes;        /* berth never prompts */
	for (size_t i = 0; i < scale.n; i++) {
		const char *eq = strchr(scale.v[i], '=');
		if (!eq || !eq[1] || strspn(eq + 1, "0123456789") != strlen(eq + 1))
			return up_error("invalid --scale value \"%s\": expected SERVICE=NUM", scale.v[i]);
	}
	struct compose_project p;
	struct cengine e;
	if ((status = compose_cmd_open(ctx, o, &p, &e)))
		return status;
	berr err = { 0 };
	for (size_t i = 0; i < scale.n; i++) {
		_cleanup_free_ char *svc = xstrndup(scale.v[i], (size_t)(strchr(scale.v[i], '=') - scale.v[i]));
		if (!json_object_get(json_object_get(p.model, "services"), svc)) {
			fprintf(stderr, "no such service: %s\n", svc);
			compose_cmd_close(&p, &e);
			return 1;
		}
	}
	if (exit_from && !json_object_get(json_object_get(p.model, "services"), exit_from)) {
		fprintf(stderr, "no such service: %s\n", exit_from);
		compose_cmd_close(&p, &e);
		return 1;
	}
	struct cengine_up_opts uo = { .force_recreate = force, .no_recreate = no_recreate, .remove_orphans = orphans,
				      .wait = wait, .no_start = no_start, .build = build, .no_build = no_build,
				      .scale = &scale, .services = &args, .timeout = compose_timeout(timeout),
				      .no_deps = no_deps, .pull = pull, .quiet_pull = quiet_pull, .recreate_deps = recreate_deps,
				      .renew_anon = renew_anon };
	if (!detach && !no_start) {
		signal(SIGINT, on_sigint);
		signal(SIGTERM, on_sigint);
	}
	if (cengine_up(&e, &uo, &err) < 0) {
		status = compose_engine_error(&e, &err);
		compose_cmd_close(&p, &e);
		return status;
	}
	cengine_flush(&e, "Running");
	if (detach || no_start) {
		compose_cmd_close(&p, &e);
		return 0;
	}
	/* attached: the selected services' containers (with their dependencies) */
	_cleanup_strvec_ struct strvec order = STRVEC_INIT;
	compose_plan(p.model, &args, !no_deps, &order, &err);
	struct ctr **all, **v;
	size_t n, k = 0;
	if (cengine_containers(&e, NULL, 0, &all, &n, &err) < 0) {
		status = compose_engine_error(&e, &err);
		compose_cmd_close(&p, &e);
		return status;
	}
	v = xcalloc(n + 1, sizeof *v);
	struct strbuf names = STRBUF_INIT;
	/* which services' logs are streamed: --attach, else the named services (with their
	 * dependencies only with --attach-dependencies), else all; minus --no-attach */
	_cleanup_strvec_ struct strvec shown = STRVEC_INIT;
	const struct strvec *src = attach.n ? &attach : (args.n && !attach_deps) ? &args : &order;
	for (size_t i = 0; i < src->n; i++)
		if (!sv_contains(&no_attach, src->v[i]))
			sv_push(&shown, src->v[i]);
	for (size_t i = 0; i < n; i++)
		if (sv_contains(&shown, ctr_label(all[i], CL_SERVICE) ?: "")) {
			v[k++] = all[i];
			sb_addf(&names, "%s%s-%s", names.len ? ", " : "", ctr_label(all[i], CL_SERVICE), ctr_label(all[i], CL_NUMBER));
		}
	printf("Attaching to %s\n", sb_str(&names));
	fflush(stdout);
	sb_release(&names);
	struct abort_ud ud = { .abort = abort_exit, .from = exit_from };
	struct compose_logs_opts lo = { .follow = true, .tail = -1, .no_prefix = no_prefix, .timestamps = timestamps,
					.color = !no_color && isatty(1), .stop = &interrupted, .on_exit = on_exit_cb, .ud = &ud };
	compose_logs(&e, v, k, &lo);
	status = 0;
	if (interrupted || ud.fired) {
		if (interrupted)
			fprintf(stderr, "Gracefully stopping... (press Ctrl+C again to force)\n");
		else
			fprintf(stderr, "Aborting on container exit...\n");
		if (cengine_stop(&e, &order, compose_timeout(timeout), &err) < 0)
			status = compose_engine_error(&e, &err);
		cengine_flush(&e, "Stopping");
		if (!status && !interrupted && exit_from) {
			/* the named service's code, once everything is stopped */
			struct ctr **xv;
			size_t xn;
			if (cengine_containers(&e, exit_from, 0, &xv, &xn, &err) == 0) {
				if (xn)
					ud.code = xv[0]->exit_code;
				ctr_list_free(xv, xn);
			}
		}
		if (!status)
			status = interrupted ? 130 : ud.code;
	}
	free(v);
	ctr_list_free(all, n);
	compose_cmd_close(&p, &e);
	return status;
}

BERTH_COMPOSE_COMMAND(compose_up_cmd) = {
	.name = "up",
	.usage = "compose up [OPTIONS] [SERVICE...]",
	.summary = "Create and start containers",
	.run = run_up,
};
