/* compose_build.c: `berth compose build [SERVICE...]`, `compose pull`, `compose push`.
 * build runs the builder (`berth build`, the same code path) for each service with `build:`,
 * tagging <project>-<service> or the service's image; pull and push need a registry client,
 * which berth does not have yet: they say so. */
#include <stdio.h>
#include <string.h>
#include "cmd/compose_cmd.h"
#include "util/cleanup.h"

static int run_build(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT, bargs = STRVEC_INIT;
	bool no_cache = false, quiet = false, pull = false;
	struct opt opts[] = {
		{ "build-arg", 0, OPT_LIST, &bargs, "Set build-time variables for services", "stringArray" },
		{ "no-cache", 0, OPT_BOOL, &no_cache, "Do not use cache when building the image", NULL },
		{ "pull", 0, OPT_BOOL, &pull, "Always attempt to pull a newer version of the image", NULL },
		{ "quiet", 'q', OPT_BOOL, &quiet, "Don't print anything to STDOUT", NULL },
		OPT_SENTINEL,
	};
	int status;
	if (opts_parse("compose build", "compose build [OPTIONS] [SERVICE...]", "Build or rebuild services", opts, true, argc, argv,
		       &args, &status))
		return status;
	if (pull)
		return cli_usage_error("compose build", "--pull needs a registry client, which berth does not have yet");
	if (bargs.n || no_cache)
		return cli_usage_error("compose build", "--build-arg and --no-cache are not supported by berth compose build yet");
	struct compose_project p;
	struct cengine e;
	if ((status = compose_cmd_open(ctx, o, &p, &e)))
		return status;
	berr err = { 0 };
	if (cengine_build(&e, &args, true, quiet, &err) < 0)
		status = compose_engine_error(&e, &err);
	else
		cengine_flush(&e, "Building");
	compose_cmd_close(&p, &e);
	return status;
}

static int run_registry(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	bool quiet = false, ignore = false, include_deps = false;
	struct opt opts[] = {
		{ "ignore-pull-failures", 0, OPT_BOOL, &ignore, "Pull what it can and ignores images with pull failures", NULL },
		{ "include-deps", 0, OPT_BOOL, &include_deps, "Also pull services declared as dependencies", NULL },
		{ "quiet", 'q', OPT_BOOL, &quiet, "Pull without printing progress information", NULL },
		OPT_SENTINEL,
	};
	int status;
	_cleanup_free_ char *path = xasprintf("compose %s", argv[0]);
	_cleanup_free_ char *usage = xasprintf("compose %s [OPTIONS] [SERVICE...]", argv[0]);
	if (opts_parse(path, usage, NULL, opts, true, argc, argv, &args, &status))
		return status;
	struct compose_project p;
	struct cengine e;
	if ((status = compose_cmd_open(ctx, o, &p, &e)))
		return status;
	berr err = { 0 };
	_cleanup_strvec_ struct strvec order = STRVEC_INIT;
	if (compose_plan(p.model, &args, false, &order, &err) < 0) {
		status = compose_engine_error(&e, &err);
		compose_cmd_close(&p, &e);
		return status;
	}
	compose_cmd_close(&p, &e);
	fprintf(stderr, "berth compose %s: berth has no registry client yet: use `berth load` or `berth import` "
		"for images, `berth save` to export them\n", argv[0]);
	return 1;
}

BERTH_COMPOSE_COMMAND(compose_build_cmd) = {
	.name = "build", .usage = "compose build [OPTIONS] [SERVICE...]", .summary = "Build or rebuild services", .run = run_build,
};
BERTH_COMPOSE_COMMAND(compose_pull_cmd) = {
	.name = "pull", .usage = "compose pull [OPTIONS] [SERVICE...]", .summary = "Pull service images", .run = run_registry,
};
BERTH_COMPOSE_COMMAND(compose_push_cmd) = {
	.name = "push", .usage = "compose push [OPTIONS] [SERVICE...]", .summary = "Push service images", .run = run_registry,
};
