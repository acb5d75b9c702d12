/* test_dockerfile_shell_conformance: every vector of BuildKit's shell/envVarTest (A and U
 * lines) and shell/wordsTest, read from the conformance data and parsed as BuildKit's
 * lex_test.go does, must give BuildKit's result; and tests/unit/data/
 * dockerfile-shell-reference.tsv, 1200 random and fuzzer-found inputs (with every lexer
 * option) whose expected result, words, matched/unmatched sets or error message were
 * recorded from BuildKit's own lexer (lex.go at SOURCE-COMMIT, built with Go 1.19). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dockerfile/gounicode.h"
#include "dockerfile/shell.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strbuf.h"

static char *conformance_file(const char *rel)
{
	const char *dirs[] = { getenv("CONFORMANCE"), "../shared/conformance", "/work/shared/conformance" };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		if (!dirs[i])
			continue;
		char *p = xasprintf("%s/%s", dirs[i], rel);
		if (path_exists(p))
			return p;
		free(p);
	}
	fail_msg("conformance file %s not found (set CONFORMANCE)", rel);
	return NULL;
}

/* strings.TrimSpace with unicode.IsSpace */
static char *trim_space(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t a = 0, b = len, w;
	while (a < b) {
		int32_t r = gou_decode(p + a, b - a, &w);
		if (!gou_is_space(r))
			break;
		a += w;
	}
	while (b > a) { /* the data is ASCII around the edges */
		if (!gou_is_space(p[b - 1]) || p[b - 1] >= 0x80)
			break;
		b--;
	}
	return xstrndup(s + a, b - a);
}

/* Split a file into lines as bufio.ScanLines (a trailing \r is dropped). */
static void split_lines(char *data, struct strvec *lines)
{
	char *save = data;
	for (char *nl; (nl = strchr(save, '\n')); save = nl + 1) {
		*nl = 0;
		size_t l = strlen(save);
		if (l && save[l - 1] == '\r')
			save[l - 1] = 0;
		sv_push(lines, save);
	}
	if (*save)
		sv_push(lines, save);
}

static void test_env_var_vectors(void **state)
{
	(void)state;
	_cleanup_free_ char *path = conformance_file("dockerfile/shell/envVarTest");
	_cleanup_free_ char *data = NULL;
	size_t len;
	berr err = { 0 };
	assert_int_equal(read_file(path, &data, &len, &err), 0);
	_cleanup_strvec_ struct strvec lines = STRVEC_INIT;
	split_lines(data, &lines);

	const char *envv[] = { "PWD=/home", "SHELL=bash", "KOREAN=한국어", "NULL=", NULL };
	struct shell_env env = { .kv = envv };
	int run = 0, passed = 0, skipped = 0;
	for (size_t i = 0; i < lines.n; i++) {
		if (lines.v[i][0] == '#')
			continue;
		_cleanup_free_ char *line = trim_space(lines.v[i], strlen(lines.v[i]));
		if (!*line)
			continue;
		char *p1 = strchr(line, '|'), *p2 = p1 ? strchr(p1 + 1, '|') : NULL;
		assert_non_null(p2);
		assert_null(strchr(p2 + 1, '|'));
		_cleanup_free_ char *plat = trim_space(line, (size_t)(p1 - line));
		_cleanup_free_ char *src = trim_space(p1 + 1, (size_t)(p2 - p1 - 1));
		_cleanup_free_ char *want = trim_space(p2 + 1, strlen(p2 + 1));
		assert_true(!strcmp(plat, "A") || !strcmp(plat, "U") || !strcmp(plat, "W"));
		if (!strcmp(plat, "W")) {
			skipped++;
			continue;
		}
		run++;
		_cleanup_free_ char *got = NULL;
		struct shell_matches m = SHELL_MATCHES_INIT;
		berr e = { 0 };
		int rc = shell_expand_word(src, &env, '\\', &got, &m, &e);
		shell_matches_clear(&m);
		bool ok = !strcmp(want, "error") ? rc < 0 : (rc == 0 && !strcmp(got, want));
		if (ok)
			passed++;
		else
			print_error("envVarTest line %zu: %s: want [%s], got [%s] (%s)\n", i + 1, src, want,
				    rc == 0 ? got : "error", rc == 0 ? "" : e.msg);
	}
	print_message("envVarTest: %d of %d vectors pass (%d Windows-only skipped)\n", passed, run, skipped);
	assert_true(run > 200);
	assert_int_equal(passed, run);
}

static void test_words_vectors(void **state)
{
	(void)state;
	_cleanup_free_ char *path = conformance_file("dockerfile/shell/wordsTest");
	_cleanup_free_ char *data = NULL;
	size_t len;
	berr err = { 0 };
	assert_int_equal(read_file(path, &data, &len, &err), 0);
	_cleanup_strvec_ struct strvec lines = STRVEC_INIT, envs = STRVEC_INIT;
	split_lines(data, &lines);
	int run = 0, passed = 0;
	for (size_t i = 0; i < lines.n; i++) {
		const char *l = lines.v[i];
		if (l[0] == '#')
			continue;
		if (!strncmp(l, "ENV ", 4)) {
			l += 3;
			while (*l == ' ')
				l++;
			sv_push(&envs, l);
			continue;
		}
		const char *bar = strchr(l, '|');
		assert_non_null(bar);
		assert_null(strchr(bar + 1, '|'));
		_cleanup_free_ char *src = trim_space(l, (size_t)(bar - l));
		const char *want = bar + 1;
		while (*want == ' ')
			want++;
		struct shell_env env = { .kv = (const char *const *)envs.v };
		_cleanup_strvec_ struct strvec words = STRVEC_INIT;
		berr e = { 0 };
		_cleanup_strvec_ struct strvec exp = STRVEC_INIT; /* strings.Split(want, ",") */
		for (const char *c = want;; ) {
			const char *comma = strchr(c, ',');
			if (!comma) {
				sv_push(&exp, c);
				break;
			}
			sv_push_owned(&exp, xstrndup(c, (size_t)(comma - c)));
			c = comma + 1;
		}
		if (shell_expand_words(src, &env, '\\', &words, NULL, &e) < 0) {
			sv_clear(&words);
			sv_push(&words, "error");
		}
		run++;
		bool ok = words.n == exp.n;
		for (size_t k = 0; ok && k < exp.n; k++)
			ok = !strcmp(words.v[k], exp.v[k]);
		if (ok) {
			passed++;
		} else {
			_cleanup_strbuf_ struct strbuf got = STRBUF_INIT;
			for (size_t k = 0; k < words.n; k++)
				sb_addf(&got, "%s[%s]", k ? "," : "", words.v[k]);
			print_error("wordsTest line %zu: %s: want [%s], got %s\n", i + 1, src, want, sb_str(&got));
		}
	}
	print_message("wordsTest: %d of %d vectors pass\n", passed, run);
	assert_true(run > 20);
	assert_int_equal(passed, run);
}

static char *unhex(const char *s)
{
	size_t n = strlen(s) / 2;
	char *o = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(s + 2 * i, "%2x", &v);
		o[i] = (char)v;
	}
	o[n] = 0;
	return o;
}

static void add_hex(struct strbuf *sb, const char *s)
{
	for (; *s; s++)
		sb_addf(sb, "%02x", (unsigned char)*s);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void add_set(struct strbuf *sb, const struct strvec *sv)
{
	_cleanup_strvec_ struct strvec h = STRVEC_INIT;
	for (size_t i = 0; i < sv->n; i++) {
		_cleanup_strbuf_ struct strbuf x = STRBUF_INIT;
		sb_init(&x);
		add_hex(&x, sv->v[i]);
		sv_push(&h, x.buf);
	}
	if (h.n)
		qsort(h.v, h.n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < h.n; i++)
		sb_addf(sb, "%s%s", i ? "," : "", h.v[i]);
}

/* One line: "FLAGS xWORDHEX xENVHEX...<TAB>EXPECTED", FLAGS = escape char then 0/1 for
 * raw quotes, raw escapes, skip process quotes, skip unset env; EXPECTED is
 * "R <hex> W <hex,...> M <hex,...> U <hex,...>" or "E <hex message> M ... U ...". */
static void test_reference_vectors(void **state)
{
	(void)state;
	_cleanup_free_ char *data = NULL;
	size_t len;
	berr err = { 0 };
	const char *path = "tests/unit/data/dockerfile-shell-reference.tsv";
	if (read_file(path, &data, &len, &err) < 0)
		fail_msg("%s", err.msg);
	_cleanup_strvec_ struct strvec lines = STRVEC_INIT;
	split_lines(data, &lines);
	int run = 0, passed = 0;
	for (size_t i = 0; i < lines.n; i++) {
		char *tab = strchr(lines.v[i], '\t');
		assert_non_null(tab);
		*tab = 0;
		const char *want = tab + 1;
		_cleanup_strvec_ struct strvec f = STRVEC_INIT;
		char *save = NULL;
		for (char *t = strtok_r(lines.v[i], " ", &save); t; t = strtok_r(NULL, " ", &save))
			sv_push(&f, t);
		assert_true(f.n >= 2 && strlen(f.v[0]) == 5);
		struct shell_lex lex = SHELL_LEX_INIT;
		lex.escape_token = f.v[0][0] == '`' ? '`' : '\\';
		lex.raw_quotes = f.v[0][1] == '1';
		lex.raw_escapes = f.v[0][2] == '1';
		lex.skip_process_quotes = f.v[0][3] == '1';
		lex.skip_unset_env = f.v[0][4] == '1';
		_cleanup_free_ char *word = unhex(f.v[1] + 1);
		_cleanup_strvec_ struct strvec envs = STRVEC_INIT;
		for (size_t k = 2; k < f.n; k++)
			sv_push_owned(&envs, unhex(f.v[k] + 1));
		const char *none[] = { NULL };
		struct shell_env env = { .kv = envs.n ? (const char *const *)envs.v : none };
		struct shell_matches m = SHELL_MATCHES_INIT;
		_cleanup_strvec_ struct strvec words = STRVEC_INIT;
		_cleanup_free_ char *out = NULL;
		berr e = { 0 };
		_cleanup_strbuf_ struct strbuf got = STRBUF_INIT;
		if (shell_lex_process(&lex, word, &env, &out, &words, &m, &e) < 0) {
			sb_adds(&got, "E ");
			add_hex(&got, e.msg);
		} else {
			sb_adds(&got, "R ");
			add_hex(&got, out);
			sb_adds(&got, " W ");
			for (size_t k = 0; k < words.n; k++) {
				if (k)
					sb_addc(&got, ',');
				add_hex(&got, words.v[k]);
			}
		}
		sb_adds(&got, " M ");
		add_set(&got, &m.matched);
		sb_adds(&got, " U ");
		add_set(&got, &m.unmatched);
		shell_matches_clear(&m);
		run++;
		if (!strcmp(got.buf, want))
			passed++;
		else
			print_error("reference line %zu differs:\n want %s\n got  %s\n", i + 1, want, got.buf);
	}
	print_message("reference vectors: %d of %d match BuildKit\n", passed, run);
	assert_true(run >= 1000);
	assert_int_equal(passed, run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_var_vectors),
		cmocka_unit_test(test_words_vectors),
		cmocka_unit_test(test_reference_vectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
