/* container_inspect.c: `berth container inspect [-f FORMAT] CONTAINER...` and the container
 * inspector for the top-level `berth inspect` (tried before images, as Docker). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli/cli.h"
#include "cmd/inspect.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/template.h"

#define USAGE "container inspect [OPTIONS] CONTAINER [CONTAINER...]"
#define SUMMARY "Display detailed information on one or more containers"

static int find_container(struct store *st, const char *name, bool size, json_t **out, berr *err)
{
	(void)size;
	_cleanup_ctr_ struct ctr *c = NULL;
	berr e = { 0 };
	if (ctr_lookup(st, name, &c, &e) < 0) {
		if (e.errnum == EINVAL) { /* ambiguous prefix */
			*err = e;
			return -1;
		}
		return 1;
	}
	ctr_refresh(st, c);
	*out = ctr_inspect_json(st, c);
	return 0;
}

BERTH_INSPECTOR(container_inspector) = { .type = "container", .order = 10, .find = find_container };

static int run_inspect(struct berth_ctx *ctx, int argc, char **argv)
{
	const char *format = NULL;
	bool size = false;
	struct opt opts[] = {
		{ "format", 'f', OPT_STR, &format, "Format the output using the given Go template", "string" },
		{ "size", 's', OPT_BOOL, &size, "Display total file sizes", NULL },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	if (opts_parse("container inspect", USAGE, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("container inspect", USAGE, SUMMARY, &args, 1, -1)))
		return status;
	_cleanup_store_ struct store *st = NULL;
	berr err = { 0 };
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	json_t *all = json_array();
	for (size_t i = 0; i < args.n; i++) {
		_cleanup_ctr_ struct ctr *c = NULL;
		if (ctr_lookup(st, args.v[i], &c, &err) < 0) {
			cli_error(&err);
			status = 1;
			continue;
		}
		ctr_refresh(st, c);
		json_t *j = ctr_inspect_json(st, c);
		if (format) {
			if (fmt_inspect(stdout, format, j, &err) < 0) {
				json_decref(j);
				json_decref(all);
				fprintf(stderr, "%s\n", err.msg);
				return 1;
			}
			json_decref(j);
		} else
			json_array_append_new(all, j);
	}
	if (!format) {
		char *s = json_dumps(all, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
		printf("%s\n", json_array_size(all) ? s : "[]");
		free(s);
	}
	json_decref(all);
	return status;
}

BERTH_COMMAND(cmd_container_inspect) = { .group = "container", .name = "inspect", .usage = USAGE, .summary = SUMMARY, .run = run_inspect };
