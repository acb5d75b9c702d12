/* inspect.c: `berth inspect [--type T] [-f FMT] NAME...` over every registered inspector, and
 * `berth image inspect` (images only). Output: a JSON array (4-space indent) or -f per object. */
#include "cmd/inspect.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/imgcmd.h"
#include "util/cleanup.h"
#include "util/template.h"

extern const struct berth_inspector *const __start_berth_inspectors[] __attribute__((weak));
extern const struct berth_inspector *const __stop_berth_inspectors[] __attribute__((weak));

static int cmp_insp(const void *a, const void *b)
{
	const struct berth_inspector *x = *(const struct berth_inspector *const *)a, *y = *(const struct berth_inspector *const *)b;
	return x->order - y->order;
}

static int inspect_objects(struct berth_ctx *ctx, const char *cmdpath, const char *usage, const char *summary, const char *only,
			   int argc, char **argv)
{
	const char *format = NULL, *type = only;
	bool size = false;
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	struct opt all_opts[] = {
		{ "format", 'f', OPT_STR, &format, "Format the output using the given Go template", "string" },
		{ "size", 's', OPT_BOOL, &size, "Display total file sizes if the type is container", NULL },
		{ "type", 0, OPT_STR, &type, "Return JSON for specified type", "string" },
		OPT_SENTINEL,
	};
	struct opt img_opts[] = {
		{ "format", 'f', OPT_STR, &format, "Format the output using the given Go template", "string" },
		OPT_SENTINEL,
	};
	int status;
	if (opts_parse(cmdpath, usage, summary, only ? img_opts : all_opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args(cmdpath, usage, summary, &args, 1, -1)))
		return status;
	size_t n = 0;
	const struct berth_inspector *list[64];
	if (__start_berth_inspectors)
		for (const struct berth_inspector *const *p = __start_berth_inspectors; p < __stop_berth_inspectors && n < 64; p++)
			if (!type || !strcmp((*p)->type, type))
				list[n++] = *p;
	if (type && !n) {
		fprintf(stderr, "\"%s\" is not a valid value for --type\n", type);
		return 125;
	}
	qsort(list, n, sizeof list[0], cmp_insp);
	_cleanup_store_ struct store *st = NULL;
	if ((status = imgcmd_open(ctx, &st)))
		return status;
	json_t *arr = json_array();
	int ret = 0;
	struct strbuf out = STRBUF_INIT;
	sb_init(&out);
	for (size_t i = 0; i < args.n; i++) {
		json_t *obj = NULL;
		berr err = { 0 };
		int found = 1;
		for (size_t k = 0; k < n && found == 1; k++) {
			found = list[k]->find(st, args.v[i], size, &obj, &err);
			if (found < 0)
				break;
		}
		if (found != 0) {
			if (found < 0)
				fprintf(stderr, "Error: %s\n", err.msg);
			else if (only)
				fprintf(stderr, "Error: No such image: %s\n", args.v[i]);
			else
				fprintf(stderr, "Error: No such object: %s\n", args.v[i]);
			ret = 1;
			continue;
		}
		if (format) {
			if (fmt_inspect_sb(&out, format, obj, &err) < 0) {
				json_decref(obj);
				fwrite(out.buf, 1, out.len, stdout);
				sb_release(&out);
				json_decref(arr);
				fprintf(stderr, "%s\n", err.msg);
				return 1;
			}
			json_decref(obj);
		} else {
			json_array_append_new(arr, obj);
		}
	}
	if (format) {
		fwrite(out.buf, 1, out.len, stdout);
	} else {
		char *s = json_dumps(arr, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
		printf("%s\n", json_array_size(arr) ? s : "[]");
		free(s);
	}
	sb_release(&out);
	json_decref(arr);
	return ret;
}

static int run_inspect(struct berth_ctx *ctx, int argc, char **argv)
{
	return inspect_objects(ctx, "inspect", "inspect [OPTIONS] NAME|ID [NAME|ID...]", "Return low-level information on berth objects",
			       NULL, argc, argv);
}

static int run_image_inspect(struct berth_ctx *ctx, int argc, char **argv)
{
	return inspect_objects(ctx, "image inspect", "image inspect [OPTIONS] IMAGE [IMAGE...]",
			       "Display detailed information on one or more images", "image", argc, argv);
}

BERTH_COMMAND(cmd_inspect) = {
	.name = "inspect", .usage = "inspect [OPTIONS] NAME|ID [NAME|ID...]",
	.summary = "Return low-level information on berth objects", .run = run_inspect,
};
BERTH_COMMAND(cmd_image_inspect) = {
	.group = "image", .name = "inspect", .usage = "image inspect [OPTIONS] IMAGE [IMAGE...]",
	.summary = "Display detailed information on one or more images", .run = run_image_inspect,
};
