/* debug_parse.c: `berth debug parse FILE` (hidden): parse a Dockerfile and print BuildKit's
 * S-expression dump of it, as in the parser's testfiles/<name>/result. "-" reads stdin.
 * Parse warnings (e.g. empty continuation lines) go to stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "dockerfile/ast.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define USAGE "debug parse [OPTIONS] FILE"
#define SUMMARY "Parse a Dockerfile and print its parse tree"

static int read_stdin(char **out, size_t *len, berr *err)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	char tmp[65536];
	ssize_t n;
	while ((n = read(0, tmp, sizeof(tmp))) != 0) {
		if (n < 0) {
			sb_release(&sb);
			return berr_sys(err, "read stdin");
		}
		sb_add(&sb, tmp, (size_t)n);
	}
	*len = sb.len;
	*out = sb_detach(&sb);
	return 0;
}

static int run_debug_parse(struct berth_ctx *ctx, int argc, char **argv)
{
	bool quiet = false;
	struct opt opts[] = {
		{ "no-warnings", 0, OPT_BOOL, &quiet, "Do not print parse warnings", NULL },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	(void)ctx;
	if (opts_parse("debug parse", USAGE, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("debug parse", USAGE, SUMMARY, &args, 1, 1)))
		return status;
	berr err = { 0 };
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	const char *path = args.v[0];
	if (!strcmp(path, "-") ? read_stdin(&data, &len, &err) : read_file(path, &data, &len, &err))
		return cli_error(&err);
	struct df_parse_result *res;
	if (df_parse(data, len, !strcmp(path, "-") ? "Dockerfile" : path, &res, &err))
		return cli_error(&err);
	if (!quiet)
		for (size_t i = 0; i < res->warnings.n; i++)
			fprintf(stderr, "[WARNING]: %s\n", res->warnings.v[i]);
	struct strbuf out = STRBUF_INIT;
	sb_init(&out);
	df_dump(res->ast, &out);
	fwrite(out.buf, 1, out.len, stdout);
	sb_release(&out);
	df_parse_result_free(res);
	return 0;
}

BERTH_COMMAND(cmd_debug_parse) = {
	.group = "debug",
	.name = "parse",
	.usage = USAGE,
	.summary = SUMMARY,
	.run = run_debug_parse,
	.hidden = true,
};
