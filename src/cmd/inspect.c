/* inspect.c: `berth container inspect [-f FORMAT] CONTAINER...`: Docker-compatible JSON. */
#include <stdio.h>
#include "cli/cli.h"
#include "runtime/gotmpl.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"

#define USAGE "container inspect [OPTIONS] CONTAINER [CONTAINER...]"
#define SUMMARY "Display detailed information on one or more containers"

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
			struct strbuf sb = STRBUF_INIT;
			if (gotmpl_render(format, j, &sb, &err) < 0) {
				json_decref(j);
				sb_release(&sb);
				json_decref(all);
				return cli_error(&err);
			}
			printf("%s\n", sb_str(&sb));
			sb_release(&sb);
			json_decref(j);
		} else
			json_array_append_new(all, j);
	}
	if (!format) {
		char *s = json_dumps(all, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
		printf("%s\n", s);
		free(s);
	}
	json_decref(all);
	return status;
}

BERTH_COMMAND(cmd_container_inspect) = { .group = "container", .name = "inspect", .usage = USAGE, .summary = SUMMARY, .run = run_inspect };
