/* shell_fuzz.c: libFuzzer harness for the Dockerfile word expander (dockerfile/shell.h).
 * Input: one flags byte (bit 0 backtick escape, 1 raw quotes, 2 raw escapes, 3 skip
 * quotes, 4 skip unset env), then the word, then "K=V" entries, separated by NUL bytes.
 * Checks: no crash/leak/UB, deterministic results, ProcessWord and ProcessWords agree on
 * success, errors carry BuildKit's "failed to process" prefix. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dockerfile/shell.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 16384)
		return 0;
	uint8_t flags = data[0];
	char *buf = malloc(size);
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = 0;
	/* split at NULs: word, env... */
	struct strvec env = STRVEC_INIT;
	const char *word = buf;
	for (size_t i = 0; i + 1 < size; i++)
		if (buf[i] == 0 && i + 1 < size - 1)
			sv_push(&env, buf + i + 1);
	const char *none[] = { NULL };
	struct shell_env se = { .kv = env.v ? (const char *const *)env.v : none };
	struct shell_lex lex = SHELL_LEX_INIT;
	lex.escape_token = (flags & 1) ? '`' : '\\';
	lex.raw_quotes = flags & 2;
	lex.raw_escapes = flags & 4;
	lex.skip_process_quotes = flags & 8;
	lex.skip_unset_env = flags & 16;

	struct shell_matches m1 = SHELL_MATCHES_INIT, m2 = SHELL_MATCHES_INIT;
	struct strvec w1 = STRVEC_INIT, w2 = STRVEC_INIT;
	char *o1 = NULL, *o2 = NULL;
	berr e1 = { 0 }, e2 = { 0 };
	int r1 = shell_lex_process(&lex, word, &se, &o1, &w1, &m1, &e1);
	int r2 = shell_lex_process(&lex, word, &se, &o2, NULL, &m2, &e2);
	if (r1 != r2)
		abort();
	if (r1 == 0) {
		if (strcmp(o1, o2))
			abort();
		for (size_t i = 0; i < w1.n; i++)
			if (!w1.v[i][0]) /* words are never empty */
				abort();
	} else {
		if (strncmp(e1.msg, "failed to process \"", 19) || strcmp(e1.msg, e2.msg))
			abort();
	}
	if (m1.matched.n != m2.matched.n || m1.unmatched.n != m2.unmatched.n)
		abort();
	for (size_t i = 0; i < m1.matched.n; i++)
		if (sv_contains(&m1.unmatched, m1.matched.v[i]))
			abort(); /* one environment: a name is either set or not */
	/* the words entry point agrees with the combined call */
	if (!(flags & 30)) {
		int r3 = shell_expand_words(word, &se, lex.escape_token, &w2, NULL, &e2);
		if (r3 != r1 || (r3 == 0 && w2.n != w1.n))
			abort();
	}
	free(o1);
	free(o2);
	sv_clear(&w1);
	sv_clear(&w2);
	shell_matches_clear(&m1);
	shell_matches_clear(&m2);
	sv_clear(&env);
	free(buf);
	return 0;
}
