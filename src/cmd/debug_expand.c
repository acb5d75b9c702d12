/* debug_expand.c: hidden developer verbs `berth debug expand` and `berth debug words`, which
 * run the Dockerfile word expander (dockerfile/shell.h) on one word, as BuildKit's
 * ProcessWord / ProcessWords would for an instruction argument. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "util/cleanup.h"
#include "dockerfile/shell.h"

static int run_expand_common(int argc, char **argv, bool words_mode)
{
	const char *verb = words_mode ? "debug words" : "debug expand";
	const char *usage = words_mode ? "debug words [OPTIONS] WORD" : "debug expand [OPTIONS] WORD";
	const char *summary = words_mode ? "Expand a Dockerfile word and print the split words, one per line"
					 : "Expand a Dockerfile word as BuildKit does";
	_cleanup_strvec_ struct strvec envs = STRVEC_INIT;
	const char *escape = "\\";
	bool raw_quotes = false, raw_escapes = false, skip_unset = false, skip_quotes = false, matches = false;
	struct opt opts[] = {
		{ "env", 'e', OPT_LIST, &envs, "Set a variable (K=V; K alone sets it empty); the last one wins", "list" },
		{ "escape", 0, OPT_STR, &escape, "Escape character: \\ or `", "string" },
		{ "raw-quotes", 0, OPT_BOOL, &raw_quotes, "Keep quote characters (Lex.RawQuotes)", NULL },
		{ "raw-escapes", 0, OPT_BOOL, &raw_escapes, "Keep escape characters (Lex.RawEscapes)", NULL },
		{ "skip-unset-env", 0, OPT_BOOL, &skip_unset, "Leave unset variables unexpanded (Lex.SkipUnsetEnv)", NULL },
		{ "skip-process-quotes", 0, OPT_BOOL, &skip_quotes, "Treat quotes as ordinary characters (Lex.SkipProcessQuotes)", NULL },
		{ "matches", 0, OPT_BOOL, &matches, "Also print the matched and unmatched variable names", NULL },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	if (opts_parse(verb, usage, summary, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args(verb, usage, summary, &args, 1, 1)))
		return status;
	if (strcmp(escape, "\\") && strcmp(escape, "`"))
		return cli_usage_error(verb, "invalid escape token '%s' does not match ` or \\", escape);

	struct shell_lex lex = SHELL_LEX_INIT;
	lex.escape_token = escape[0];
	lex.raw_quotes = raw_quotes;
	lex.raw_escapes = raw_escapes;
	lex.skip_unset_env = skip_unset;
	lex.skip_process_quotes = skip_quotes;
	struct shell_env env = { .kv = (const char *const *)envs.v };
	struct shell_matches m = SHELL_MATCHES_INIT;
	_cleanup_strvec_ struct strvec words = STRVEC_INIT;
	_cleanup_free_ char *out = NULL;
	berr err = { 0 };
	if (shell_lex_process(&lex, args.v[0], &env, words_mode ? NULL : &out, words_mode ? &words : NULL,
			      &m, &err) < 0) {
		shell_matches_clear(&m);
		err.status = 1;
		return cli_error(&err);
	}
	if (words_mode) {
		for (size_t i = 0; i < words.n; i++)
			printf("%s\n", words.v[i]);
	} else {
		printf("%s\n", out);
	}
	if (matches) {
		printf("matched:");
		for (size_t i = 0; i < m.matched.n; i++)
			printf(" %s", m.matched.v[i]);
		printf("\nunmatched:");
		for (size_t i = 0; i < m.unmatched.n; i++)
			printf(" %s", m.unmatched.v[i]);
		printf("\n");
	}
	shell_matches_clear(&m);
	return 0;
}

static int run_debug_expand(struct berth_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	return run_expand_common(argc, argv, false);
}

static int run_debug_words(struct berth_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	return run_expand_common(argc, argv, true);
}

BERTH_COMMAND(cmd_debug_expand) = {
	.group = "debug",
	.name = "expand",
	.usage = "debug expand [OPTIONS] WORD",
	.summary = "Expand a Dockerfile word as BuildKit does",
	.run = run_debug_expand,
	.hidden = true,
};

BERTH_COMMAND(cmd_debug_words) = {
	.group = "debug",
	.name = "words",
	.usage = "debug words [OPTIONS] WORD",
	.summary = "Expand a Dockerfile word and print the split words, one per line",
	.run = run_debug_words,
	.hidden = true,
};
