/* shell.h: Dockerfile word expansion, as BuildKit's shell lexer
 * (frontend/dockerfile/shell/lex.go: ProcessWord, ProcessWords, ProcessWordWithMatches).
 *
 * Expands $VAR, ${VAR}, ${VAR:-x} ${VAR-x} ${VAR:+x} ${VAR+x} ${VAR:?m} ${VAR?m}
 * ${VAR#p} ${VAR##p} ${VAR%p} ${VAR%%p} ${VAR/p/r} ${VAR//p/r}, removes quotes and
 * escapes, and optionally splits the result into words. Errors carry BuildKit's wording:
 * `failed to process "WORD": syntax error: bad substitution` etc. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "util/err.h"
#include "util/strbuf.h"

/* Where variable values come from.
 * - get != NULL: get(ctx, name) returns the value of name, or NULL when it is unset.
 * - otherwise kv: a NULL-terminated array of "K=V" strings (e.g. strvec.v); the last entry
 *   for a name wins; an entry without '=' sets that name to "" (as BuildKit's BuildEnvs).
 * A NULL env, or both fields NULL, means no variable is set. Names compare exactly. */
struct shell_env {
	const char *const *kv;
	const char *(*get)(void *ctx, const char *name);
	void *ctx;
};

/* Variable names a word referred to (BuildKit's Matched / Unmatched sets), each name once,
 * in order of first reference. Calls APPEND to these sets (without duplicates), so one
 * shell_matches can collect the names of every word of an instruction. They are filled as
 * far as expansion got even when it fails. Every name looked up counts, including the one
 * in ${X:-default} and special names like "1" or "@" ($1, $@ are looked up, never set). */
struct shell_matches {
	struct strvec matched;    /* referenced and set (possibly to "") */
	struct strvec unmatched;  /* referenced but unset */
};
#define SHELL_MATCHES_INIT { STRVEC_INIT, STRVEC_INIT }
void shell_matches_clear(struct shell_matches *m);

/* Lexer options, BuildKit's Lex struct. SHELL_LEX_INIT is NewLex('\\'). */
struct shell_lex {
	int escape_token;         /* '\\' (default) or '`' (# escape=` directive) */
	bool raw_quotes;          /* keep the ' and " characters in the result */
	bool raw_escapes;         /* keep the escape characters in the result */
	bool skip_process_quotes; /* ' and " are ordinary characters */
	bool skip_unset_env;      /* leave $X / ${X} / ${X:-y}... verbatim when X is unset */
};
#define SHELL_LEX_INIT { '\\', false, false, false, false }

/* The general entry point: expand word. On success *out (if out != NULL) receives the
 * malloc'd expansion (ProcessWord's result) and out_words (if != NULL) gets the words
 * appended (ProcessWords' result: split on Unicode white space after expansion, quoted
 * and escaped spaces do not split, empty words dropped). m may be NULL.
 * Returns 0, or -1 with err set (nothing stored in *out / out_words). */
int shell_lex_process(const struct shell_lex *lex, const char *word, const struct shell_env *env,
		      char **out, struct strvec *out_words, struct shell_matches *m, berr *err);

/* ProcessWordWithMatches with NewLex(escape_token). */
int shell_expand_word(const char *word, const struct shell_env *env, int escape_token,
		      char **out, struct shell_matches *m, berr *err);

/* ProcessWords with NewLex(escape_token): the expanded word split into words, appended. */
int shell_expand_words(const char *word, const struct shell_env *env, int escape_token,
		       struct strvec *out_words, struct shell_matches *m, berr *err);
