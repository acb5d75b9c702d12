/* compose_build.c: `berth compose build [SERVICE...]`, `compose pull`, `compose push`.
 * build runs the builder (`berth build`, the same code path) for each service with `build:`,
 * tagging <project>-<service> or the service's image; pull and push go through the registry
 * client (registry_pull / registry_push, the code path of `berth pull/push`): cengine_pull,
 * cengine_push. */
#include <stdio.h>
#include <string.h>
#include "cmd/compose_cmd.h"
#include "util/cleanup.h"

static int run_build(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT, bargs = STRVEC_INIT;
	bool no_cache = false, quiet = false, pull = false, push = false, with_deps = false;
	const char *ssh = NULL, *builder = NULL, *memory = NULL;
	struct opt opts[] = {
		{ "build-arg", 0, OPT_LIST, &bargs, "Set build-time variables for services", "stringArray" },
		{ "builder", 0, OPT_STR, &builder, "Set builder to use", "string" },
		{ "memory", 'm', OPT_STR, &memory, "Set memory limit for the build container. Not supported by BuildKit.", "bytes" },
		{ "no-cache", 0, OPT_BOOL, &no_cache, "Do not use cache when building the image", NULL },
		{ "pull", 0, OPT_BOOL, &pull, "Always attempt to pull a newer version of the image", NULL },
		{ "push", 0, OPT_BOOL, &push, "Push service images", NULL },
		{ "quiet", 'q', OPT_BOOL, &quiet, "Don't print anything to STDOUT", NULL },
		{ "ssh", 0, OPT_STR, &ssh, "Set SSH authentications used when building service images. (use 'default' for using your default SSH Agent)", "string" },
		{ "with-dependencies", 0, OPT_BOOL, &with_deps, "Also build dependencies (transitively)", NULL },
		OPT_SENTINEL,
	};
	int status;
	if (opts_parse("compose build", "compose build [OPTIONS] [SERVICE...]", "Build or rebuild services", opts, true, argc, argv,
		       &args, &status))
		return status;
	if (ssh) {
		fprintf(stderr, "berth compose build --ssh: berth build has no SSH agent forwarding yet\n");
		return 1;
	}
	if (builder)
		compose_warn("--builder %s ignored: berth has one builder", builder);
	struct compose_project p;
	struct cengine e;
	if ((status = compose_cmd_open(ctx, o, &p, &e)))
		return status;
	berr err = { 0 };
	e.build_args = &bargs;
	e.no_cache = no_cache;
	_cleanup_strvec_ struct strvec order = STRVEC_INIT;
	if (compose_plan(p.model, &args, with_deps, &order, &err) < 0)
		goto fail;
	for (size_t i = 0; pull && i < order.n; i++)
		if (cengine_pull_bases(&e, order.v[i], &err) < 0)
			goto fail;
	if (cengine_build(&e, args.n ? &order : &args, true, quiet, &err) < 0 ||
	    (push && cengine_push(&e, args.n ? &order : &args, false, false, quiet, &err) < 0))
		goto fail;
	cengine_flush(&e, "Building");
	compose_cmd_close(&p, &e);
	return 0;
fail:
	status = compose_engine_error(&e, &err);
	compose_cmd_close(&p, &e);
	return status;
}

static int run_pull(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	struct cengine_pull_opts po = { 0 };
	struct opt opts[] = {
		{ "ignore-buildable", 0, OPT_BOOL, &po.ignore_buildable, "Ignore images that can be built", NULL },
		{ "ignore-pull-failures", 0, OPT_BOOL, &po.ignore_failures, "Pull what it can and ignores images with pull failures", NULL },
		{ "include-deps", 0, OPT_BOOL, &po.include_deps, "Also pull services declared as dependencies", NULL },
		{ "policy", 0, OPT_STR, &po.policy, "Apply pull policy (\"missing\"|\"always\")", "string" },
		{ "quiet", 'q', OPT_BOOL, &po.quiet, "Pull without printing progress information", NULL },
		OPT_SENTINEL,
	};
	int status;
	if (opts_parse("compose pull", "compose pull [OPTIONS] [SERVICE...]", "Pull service images", opts, true, argc, argv,
		       &args, &status))
		return status;
	if (po.policy && strcmp(po.policy, "missing") && strcmp(po.policy, "always")) {
		fprintf(stderr, "invalid --policy option \"%s\"\n", po.policy);
		return 1;
	}
	struct compose_project p;
	struct cengine e;
	if ((status = compose_cmd_open(ctx, o, &p, &e)))
		return status;
	berr err = { 0 };
	po.services = &args;
	if (cengine_pull(&e, &po, &err) < 0)
		status = compose_engine_error(&e, &err);
	else
		cengine_flush(&e, "Pulled");
	compose_cmd_close(&p, &e);
	return status;
}

static int run_push(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	bool quiet = false, ignore = false, include_deps = false;
	struct opt opts[] = {
		{ "ignore-push-failures", 0, OPT_BOOL, &ignore, "Push what it can and ignores images with push failures", NULL },
		{ "include-deps", 0, OPT_BOOL, &include_deps, "Also push images of services declared as dependencies", NULL },
		{ "quiet", 'q', OPT_BOOL, &quiet, "Push without printing progress information", NULL },
		OPT_SENTINEL,
	};
	int status;
	if (opts_parse("compose push", "compose push [OPTIONS] [SERVICE...]", "Push service images", opts, true, argc, argv,
		       &args, &status))
		return status;
	struct compose_project p;
	struct cengine e;
	if ((status = compose_cmd_open(ctx, o, &p, &e)))
		return status;
	berr err = { 0 };
	if (cengine_push(&e, &args, include_deps, ignore, quiet, &err) < 0)
		status = compose_engine_error(&e, &err);
	else
		cengine_flush(&e, "Pushed");
	compose_cmd_close(&p, &e);
	return status;
}

BERTH_COMPOSE_COMMAND(compose_build_cmd) = {
	.name = "build", .usage = "compose build [OPTIONS] [SERVICE...]", .summary = "Build or rebuild services", .run = run_build,
};
BERTH_COMPOSE_COMMAND(compose_pull_cmd) = {
	.name = "pull", .usage = "compose pull [OPTIONS] [SERVICE...]", .summary = "Pull service images", .run = run_pull,
};
BERTH_COMPOSE_COMMAND(compose_push_cmd) = {
	.name = "push", .usage = "compose push [OPTIONS] [SERVICE...]", .summary = "Push service images", .run = run_push,
};
