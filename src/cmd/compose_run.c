/* compose_run.c: `berth compose run [OPTIONS] SERVICE [COMMAND] [ARGS...]`: a one-off
 * container of a service (<project>-<service>-run-<id>, label oneoff=True), its dependencies
 * brought up first (unless --no-deps); attached unless -d; --rm removes it when it exits. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cmd/compose_cmd.h"
#include "runtime/lifecycle.h"
#include "util/cleanup.h"

static int run_run(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT, env = STRVEC_INIT, publish = STRVEC_INIT, vols = STRVEC_INIT,
				       cap_add = STRVEC_INIT, cap_drop = STRVEC_INIT, labels = STRVEC_INIT;
	bool use_aliases = false;
	const char *pull = NULL;
	bool detach = false, rm = false, no_deps = false, no_tty = false, service_ports = false, build = false,
	     interactive = true, tty_flag = false, quiet_pull = false, remove_orphans = false;
	const char *entrypoint = NULL, *name = NULL, *user = NULL, *workdir = NULL;
	struct opt opts[] = {
		{ "build", 0, OPT_BOOL, &build, "Build image before starting container", NULL },
		{ "cap-add", 0, OPT_LIST, &cap_add, "Add Linux capabilities", "list" },
		{ "cap-drop", 0, OPT_LIST, &cap_drop, "Drop Linux capabilities", "list" },
		{ "detach", 'd', OPT_BOOL, &detach, "Run container in background and print container ID", NULL },
		{ "entrypoint", 0, OPT_STR, &entrypoint, "Override the entrypoint of the image", "string" },
		{ "env", 'e', OPT_LIST, &env, "Set environment variables", "stringArray" },
		{ "interactive", 'i', OPT_BOOL, &interactive, "Keep STDIN open even if not attached", NULL },
		{ "label", 'l', OPT_LIST, &labels, "Add or override a label", "stringArray" },
		{ "name", 0, OPT_STR, &name, "Assign a name to the container", "string" },
		{ "no-TTY", 'T', OPT_BOOL, &no_tty, "Disable pseudo-TTY allocation (default: auto-detected)", NULL },
		{ "no-deps", 0, OPT_BOOL, &no_deps, "Don't start linked services", NULL },
		{ "publish", 'p', OPT_LIST, &publish, "Publish a container's port(s) to the host", "stringArray" },
		{ "pull", 0, OPT_STR, &pull, "Pull image before running (\"always\"|\"missing\"|\"never\")", "string" },
		{ "quiet-pull", 0, OPT_BOOL, &quiet_pull, "Pull without printing progress information", NULL },
		{ "remove-orphans", 0, OPT_BOOL, &remove_orphans, "Remove containers for services not defined in the Compose file", NULL },
		{ "rm", 0, OPT_BOOL, &rm, "Automatically remove the container when it exits", NULL },
		{ "service-ports", 'P', OPT_BOOL, &service_ports, "Run command with all service's ports enabled and mapped to the host", NULL },
		{ "tty", 't', OPT_BOOL, &tty_flag, "Allocate a pseudo-TTY", NULL },
		{ "use-aliases", 0, OPT_BOOL, &use_aliases, "Use the service's network useAliases in the network(s) the container connects to", NULL },
		{ "user", 'u', OPT_STR, &user, "Run as specified username or uid", "string" },
		{ "volume", 'v', OPT_LIST, &vols, "Bind mount a volume", "stringArray" },
		{ "workdir", 'w', OPT_STR, &workdir, "Working directory inside the container", "string" },
		OPT_SENTINEL,
	};
	int status;
	const char *usage = "compose run [OPTIONS] SERVICE [COMMAND] [ARGS...]";
	const char *summary = "Run a one-off command on a service";
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--entrypoint") || !strncmp(argv[i], "--entrypoint=", 13)) {
			if (!entrypoint)
				entrypoint = "";
		}
	if (opts_parse("compose run", usage, summary, opts, false, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("compose run", usage, summary, &args, 1, -1)))
		return status;
	if (publish.n && service_ports) {
		fprintf(stderr, "--service-ports and --publish are incompatible\n");
		return 1;
	}
	if (pull && strcmp(pull, "always") && strcmp(pull, "missing") && strcmp(pull, "never") && strcmp(pull, "build")) {
		fprintf(stderr, "invalid --pull option \"%s\"\n", pull);
		return 1;
	}	struct compose_project p;
	struct cengine e;
	if ((status = compose_cmd_open(ctx, o, &p, &e)))
		return status;
	berr err = { 0 };
	const char *svc = args.v[0];
	if (!json_object_get(json_object_get(p.model, "services"), svc)) {
		fprintf(stderr, "no such service: %s\n", svc);
		compose_cmd_close(&p, &e);
		return 1;
	}
	/* the dependencies, as `up -d` brings them */
	json_t *deps = json_object_get(json_object_get(json_object_get(p.model, "services"), svc), "depends_on");
	if (!no_deps && json_object_size(deps)) {
		_cleanup_strvec_ struct strvec dl = STRVEC_INIT;
		const char *k;
		json_t *d;
		json_object_foreach(deps, k, d) sv_push(&dl, k);
		struct cengine_up_opts uo = { .services = &dl, .timeout = -1, .build = build, .pull = pull,
					      .quiet_pull = quiet_pull, .remove_orphans = remove_orphans };
		if (cengine_up(&e, &uo, &err) < 0)
			goto fail;
		cengine_flush(&e, "Running");
	} else if (cengine_ensure_networks(&e, false, &err) < 0 || cengine_ensure_volumes(&e, &err) < 0)
		goto fail;
	{
		/* the service's own image, by its pull policy (or --pull) */
		json_t *sj = json_object_get(json_object_get(p.model, "services"), svc);
		const char *pol = cengine_pull_policy(sj, pull);
		_cleanup_free_ char *img = cengine_service_image(&e, svc), *iid = NULL;
		bool have = cengine_image_id(&e, img, &iid) == 0;
		if (json_object_get(sj, "image") && (!strcmp(pol, "always") || (!have && !strcmp(pol, "missing") && !json_object_get(sj, "build")))) {
			e.quiet = quiet_pull;
			int r = cengine_pull_service(&e, svc, NULL, &err);
			e.quiet = false;
			cengine_flush(&e, "Pulling");
			if (r < 0 && !json_object_get(sj, "build"))
				goto fail;
		}
		if (!strcmp(pol, "build"))
			build = true;
	}
	if (build) {
		struct strvec one = STRVEC_INIT;
		sv_push(&one, svc);
		int r = cengine_build(&e, &one, true, false, &err);
		sv_clear(&one);
		if (r < 0)
			goto fail;
	}
	bool tty = !detach && !no_tty && (tty_flag || (isatty(0) && isatty(1)));
	struct cengine_run_opts ro = { .oneoff = true, .rm = rm, .tty = tty, .interactive = !detach && interactive && isatty(0),
				       .detach = detach, .cmd = args.v + 1, .ncmd = (int)args.n - 1, .entrypoint = entrypoint,
				       .name = name, .user = user, .workdir = workdir, .env = &env, .publish = &publish,
				       .volumes = &vols, .cap_add = &cap_add, .cap_drop = &cap_drop, .labels = &labels,
				       .service_ports = service_ports, .use_aliases = use_aliases };
	struct ctr *c = NULL;
	if (cengine_create(&e, svc, 1, &ro, &c, &err) < 0)
		goto fail;
	if (detach) {
		if (ctr_start(e.st, c, &err) < 0) {
			ctr_free(c);
			goto fail;
		}
		printf("%s\n", c->name);
		ctr_free(c);
		compose_cmd_close(&p, &e);
		return 0;
	}
	status = attached_start(e.st, c, ro.interactive, true, &err);
	if (status < 0)
		status = compose_engine_error(&e, &err);
	if (rm) {
		berr e2 = { 0 };
		struct ctr *c2 = NULL;
		if (ctr_lookup(e.st, c->id, &c2, &e2) == 0) {
			ctr_remove(e.st, c2, true, &e2);
			ctr_free(c2);
		}
	}
	ctr_free(c);
	compose_cmd_close(&p, &e);
	return status;
fail:
	status = compose_engine_error(&e, &err);
	compose_cmd_close(&p, &e);
	return status;
}

BERTH_COMPOSE_COMMAND(compose_run_cmd) = {
	.name = "run", .usage = "compose run [OPTIONS] SERVICE [COMMAND] [ARGS...]",
	.summary = "Run a one-off command on a service", .run = run_run,
};
