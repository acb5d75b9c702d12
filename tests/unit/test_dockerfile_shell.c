/* test_dockerfile_shell: the Dockerfile word expander (dockerfile/shell.h): matched and
 * unmatched variable sets, every ${} modifier, patterns, lexer options, the backtick escape,
 * BuildKit's error messages, word splitting quirks and UTF-8 handling. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dockerfile/shell.h"
#include "util/cleanup.h"
#include "util/strbuf.h"

/* "A B" -> is set exactly {A, B} (order-insensitive); "" -> empty. */
static void assert_set(const struct strvec *got, const char *want, const char *what, const char *word)
{
	_cleanup_free_ char *copy = xstrdup(want);
	size_t n = 0;
	for (char *save = NULL, *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (!sv_contains(got, t))
			fail_msg("%s: %s lacks %s", word, what, t);
		n++;
	}
	if (got->n != n) {
		for (size_t i = 0; i < got->n; i++)
			print_error("%s: %s has %s\n", word, what, got->v[i]);
		fail_msg("%s: %s has %zu names, want %zu", word, what, got->n, n);
	}
}

struct mcase {
	const char *word;
	const char *env[5];
	const char *want;      /* NULL: must fail */
	const char *matched;
	const char *unmatched;
	const char *errmsg;    /* if non-NULL, the exact error */
};

static void run_cases(const struct mcase *c, size_t n)
{
	for (size_t i = 0; i < n; i++, c++) {
		struct shell_env env = { .kv = c->env };
		struct shell_matches m = SHELL_MATCHES_INIT;
		_cleanup_free_ char *out = NULL;
		berr err = { 0 };
		int rc = shell_expand_word(c->word, &env, '\\', &out, &m, &err);
		if (c->want) {
			if (rc != 0)
				fail_msg("%s: unexpected error %s", c->word, err.msg);
			if (strcmp(out, c->want))
				fail_msg("%s: got [%s] want [%s]", c->word, out, c->want);
		} else {
			if (rc == 0)
				fail_msg("%s: expected an error, got [%s]", c->word, out);
			if (c->errmsg && strcmp(err.msg, c->errmsg))
				fail_msg("%s: error [%s] want [%s]", c->word, err.msg, c->errmsg);
		}
		if (c->matched)
			assert_set(&m.matched, c->matched, "matched", c->word);
		if (c->unmatched)
			assert_set(&m.unmatched, c->unmatched, "unmatched", c->word);
		shell_matches_clear(&m);
	}
}

static void test_matches(void **state)
{
	(void)state;
	static const struct mcase cases[] = {
		{ "x", { "DUMMY=dummy" }, "x", "", "", NULL },
		{ "x ${UNUSED}", { "DUMMY=dummy" }, "x ", "", "UNUSED", NULL },
		{ "x ${FOO}", { "FOO=y" }, "x y", "FOO", "", NULL },
		{ "${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}", { "FOO=xxx", "BAR=" }, "xxx  ccc", "FOO BAR", "BAZ", NULL },
		{ "${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}", { "FOO=xxx", "BAR=" }, "xxx bbb ccc", "FOO BAR", "BAZ", NULL },
		{ "${FOO:-}", { "FOO=xxx" }, "xxx", "FOO", "", NULL },
		{ "${FOO:-}", { NULL }, "", "", "FOO", NULL },
		{ "${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}", { "FOO=xxx", "BAR=" }, "aaa bbb ", "FOO BAR", "BAZ", NULL },
		{ "${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}", { "FOO=xxx", "BAR=" }, "aaa  ", "FOO BAR", "BAZ", NULL },
		{ "${FOO?aaa}", { "FOO=xxx", "BAR=" }, "xxx", "FOO", "", NULL },
		{ "${BAR?bbb}", { "FOO=xxx", "BAR=" }, "", "BAR", "", NULL },
		{ "${BAZ?ccc}", { "FOO=xxx" }, NULL, "", "BAZ", "failed to process \"${BAZ?ccc}\": BAZ: ccc" },
		{ "${BAR:?bbb}", { "BAR=" }, NULL, "BAR", "", "failed to process \"${BAR:?bbb}\": BAR: bbb" },
		{ "${BAZ:?}", { NULL }, NULL, "", "BAZ", "failed to process \"${BAZ:?}\": BAZ: is not allowed to be unset" },
		{ "${BAR:?}", { "BAR=" }, NULL, "BAR", "", "failed to process \"${BAR:?}\": BAR: is not allowed to be empty" },
		{ "${VAR:?message here$ARG}", { "VAR=", "ARG=x" }, NULL, NULL, NULL,
		  "failed to process \"${VAR:?message here$ARG}\": VAR: message herex" },
		{ "${VAR?message here$ARG}", { "VAR=", "ARG=x" }, "", "VAR ARG", "", NULL },
		/* $1, $@ ... are looked up (and never set) */
		{ "$1$@${#}", { NULL }, "", "", "1 @ #", NULL },
		/* a name is recorded once; an entry without '=' sets the name to "" */
		{ "$A$A${A}${B-x}", { "A=1", "B" }, "111", "A B", "", NULL },
		/* the last entry wins */
		{ "$A", { "A=1", "A=2" }, "2", "A", "", NULL },
		{ "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz",
		  { "VERSION=v1.2.3", "TARGETOS=linux", "TARGETARCH=arm", "TARGETVARIANT=v7" },
		  "something-v1.2.3.linux-arm-v7.tar.gz", "VERSION TARGETOS TARGETARCH TARGETVARIANT", "", NULL },
		{ "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz",
		  { "VERSION=v1.2.3", "TARGETOS=linux", "TARGETARCH=arm64" },
		  "something-v1.2.3.linux-arm64.tar.gz", "VERSION TARGETOS TARGETARCH", "TARGETVARIANT", NULL },
	};
	run_cases(cases, ARRAY_SIZE(cases));
}

static void test_patterns(void **state)
{
	(void)state;
	static const struct mcase cases[] = {
		{ "${FOO#()[]{\\}^$.\\*\\?|\\\\}", { "FOO=()[]{}^$.*?|\\x" }, "x", "FOO", "", NULL },
		{ "${FOO%%\\**}", { "FOO=xx**" }, "xx", "FOO", "", NULL },
		{ "${FOO#*x*y}", { "FOO=xxyy" }, "y", NULL, NULL, NULL },
		{ "${FOO#*}", { "FOO=xxyy" }, "xxyy", NULL, NULL, NULL },
		{ "${FOO##*}", { "FOO=xxyy" }, "", NULL, NULL, NULL },
		{ "${FOO#$BAR}", { "FOO=xxyy", "BAR=x" }, "xyy", "FOO BAR", "", NULL },
		{ "${FOO#$BAR}", { "FOO=xxyy", "BAR=" }, "xxyy", "FOO BAR", "", NULL },
		{ "${FOO#}", { "FOO=xxyy" }, "xxyy", NULL, NULL, NULL },
		{ "${FOO##*x}", { "FOO=xxyy" }, "yy", NULL, NULL, NULL },
		{ "${FOO##}", { "FOO=xxyy" }, "xxyy", NULL, NULL, NULL },
		{ "${FOO#?\\?}", { "FOO=???y" }, "?y", NULL, NULL, NULL },
		{ "${ABC:-.}${FOO%x}${ABC:-.}", { "FOO=xxyy" }, ".xxyy.", "FOO", "ABC", NULL },
		{ "${FOO%y}", { "FOO=xxyy" }, "xxy", NULL, NULL, NULL },
		{ "${FOO%y*}", { "FOO=xxyy" }, "xxy", NULL, NULL, NULL },
		{ "${FOO%%y*}", { "FOO=xxyy" }, "xx", NULL, NULL, NULL },
		{ "${FOO%%\\**\\*}", { "FOO=a***yy*" }, "a", NULL, NULL, NULL },
		{ "${FOO%}", { "FOO=xxyy" }, "xxyy", NULL, NULL, NULL },
		{ "${FOO%%$BAR}", { "FOO=xxyy", "BAR=" }, "xxyy", "FOO BAR", "", NULL },
		{ "${FOO%.*}", { "FOO=file.tar.gz" }, "file.tar", NULL, NULL, NULL },
		{ "${FOO%%.*}", { "FOO=file.tar.gz" }, "file", NULL, NULL, NULL },
		{ "${FOO#*/}", { "FOO=a/b/c" }, "b/c", NULL, NULL, NULL },
		{ "${FOO##*/}", { "FOO=a/b/c" }, "c", NULL, NULL, NULL },
		/* '*' and '?' never match a newline (Go's "." without the s flag) */
		{ "${FOO#*x}", { "FOO=a\nbx" }, "a\nbx", NULL, NULL, NULL },
		{ "${FOO#?}", { "FOO=\nb" }, "\nb", NULL, NULL, NULL },
		{ "${FOO:#}", { NULL }, NULL, NULL, NULL, "failed to process \"${FOO:#}\": unsupported modifier (:#) in substitution" },
		{ "${FOO:##}", { NULL }, NULL, NULL, NULL, NULL },
		{ "${FOO:%}", { NULL }, NULL, NULL, NULL, NULL },
		{ "${FOO:%%}", { NULL }, NULL, NULL, NULL, NULL },
		{ "${FOO#a\\b}", { "FOO=x" }, NULL, NULL, NULL,
		  "failed to process \"${FOO#a\\\\b}\": invalid pattern (a\\b) in substitution: invalid escape '\\b'" },
		/* % reverses the pattern first: BuildKit reports the reversed pattern */
		{ "${FOO%a\\b}", { "FOO=x" }, NULL, NULL, NULL,
		  "failed to process \"${FOO%a\\\\b}\": invalid pattern (\\ba) in substitution: invalid escape '\\b'" },
		/* a pattern ending in an escape (from a variable): Go prints EOF with %c as U+FFFD */
		{ "${FOO#$P}", { "FOO=x", "P=a\\" }, NULL, NULL, NULL,
		  "failed to process \"${FOO#$P}\": invalid pattern (a\\) in substitution: invalid escape '\\\xEF\xBF\xBD'" },
		/* replacement */
		{ "${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}", { "FOO=/foo*/*/*.txt", "NEEDLE=\\*/" },
		  "/foo.*/*.txt - /foo..*.txt", "FOO NEEDLE", "", NULL },
		{ "${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}", { "FOO=/tmp/tmp/bar.txt", "NEEDLE=/tmp" }, "/tmp/bar.txt - /bar.txt", NULL, NULL, NULL },
		{ "${FOO/$NEEDLE/$R} - ${FOO//$NEEDLE/$R}", { "FOO=/a/foo/b/c.txt", "NEEDLE=/?/", "R=/" },
		  "/foo/b/c.txt - /foo/c.txt", "FOO NEEDLE R", "", NULL },
		{ "${FOO/$NEEDLE/$R}", { "FOO=http://google.de", "NEEDLE=http://", "R=https://" }, "https://google.de", NULL, NULL, NULL },
		{ "${FOO//\\//\\/}", { "FOO=/tmp/foo.txt" }, "\\/tmp\\/foo.txt", NULL, NULL, NULL },
		{ "${FOO/$BAR/ww}", { "FOO=xxyy", "BAR=" }, "wwxxyy", NULL, NULL, NULL },
		{ "${FOO//ww}", { "FOO=xxyy" }, NULL, NULL, NULL, "failed to process \"${FOO//ww}\": syntax error: missing '/' in ${}" },
		{ "${FOO//}", { "FOO=xxyy" }, NULL, NULL, NULL, NULL },
		{ "${FOO/a/b", { "FOO=xxyy" }, NULL, NULL, NULL, "failed to process \"${FOO/a/b\": syntax error: missing '}'" },
		{ "${FOO///}", { "FOO=xxyy" }, "xxyy", "FOO", "", NULL },
		{ "${FOO///}", { NULL }, "", "", "FOO", NULL },
		/* Go's ReplaceAllString: empty matches, and $ templates in the replacement */
		{ "${FOO//$E/-}", { "FOO=ab", "E=" }, "-a-b-", NULL, NULL, NULL },
		{ "${FOO//*/-}", { "FOO=ab" }, "-", NULL, NULL, NULL },
		{ "${FOO/*/-}", { "FOO=ab" }, "-", NULL, NULL, NULL },
		{ "${FOO//o/$R}", { "FOO=foo", "R=<$0>" }, "f<o><o>", NULL, NULL, NULL },
		{ "${FOO/o/$R}", { "FOO=foo", "R=<$0>" }, "f<$0>o", NULL, NULL, NULL },
		{ "${FOO//o/$R}", { "FOO=foo", "R=[${0}]" }, "f[o][o]", NULL, NULL, NULL },
		{ "${FOO//o/$R}", { "FOO=foo", "R=$$" }, "f$$", NULL, NULL, NULL },
		{ "${FOO//o/$R}", { "FOO=foo", "R=<$1$0a$00>" }, "f<><>", NULL, NULL, NULL },
		{ "${FOO//o/$R}", { "FOO=foo", "R=${0" }, "f${0${0", NULL, NULL, NULL },
		{ "${FOO//o/$R}", { "FOO=foo", "R=$" }, "f$$", NULL, NULL, NULL },
		{ "${FOO//?/.}", { "FOO=한국" }, "..", NULL, NULL, NULL },
	};
	run_cases(cases, ARRAY_SIZE(cases));
}

static void test_errors(void **state)
{
	(void)state;
	static const struct mcase cases[] = {
		{ "${}", { NULL }, NULL, NULL, NULL, "failed to process \"${}\": syntax error: bad substitution" },
		{ "a${:-x}", { NULL }, NULL, NULL, NULL, "failed to process \"a${:-x}\": syntax error: bad substitution" },
		{ "${{x}", { NULL }, NULL, NULL, NULL, "failed to process \"${{x}\": syntax error: bad substitution" },
		{ "${", { NULL }, NULL, NULL, NULL, "failed to process \"${\": syntax error: missing '}'" },
		{ "${aaa:-bbb", { NULL }, NULL, NULL, NULL, "failed to process \"${aaa:-bbb\": syntax error: missing '}'" },
		{ "${aaa:-'bbb}", { NULL }, NULL, NULL, NULL, "failed to process \"${aaa:-'bbb}\": syntax error: missing '}'" },
		{ "${aaa:-${}}", { NULL }, NULL, NULL, NULL, "failed to process \"${aaa:-${}}\": syntax error: bad substitution" },
		{ "${aaa", { NULL }, NULL, NULL, NULL, "failed to process \"${aaa\": unsupported modifier (\xEF\xBF\xBD) in substitution" },
		{ "${aaa:", { NULL }, NULL, NULL, NULL, "failed to process \"${aaa:\": syntax error: missing '}'" },
		{ "he${.}", { NULL }, NULL, NULL, NULL, "failed to process \"he${.}\": unsupported modifier (.) in substitution" },
		{ "${X=y}", { NULL }, NULL, NULL, NULL, "failed to process \"${X=y}\": unsupported modifier (=) in substitution" },
		{ "${X:=y}", { NULL }, NULL, NULL, NULL, "failed to process \"${X:=y}\": unsupported modifier (:=) in substitution" },
		{ "'abc", { NULL }, NULL, NULL, NULL,
		  "failed to process \"'abc\": unexpected end of statement while looking for matching single-quote" },
		{ "\"abc\\\"", { NULL }, NULL, NULL, NULL,
		  "failed to process \"\\\"abc\\\\\\\"\": unexpected end of statement while looking for matching double-quote" },
		/* the word is quoted as Go's %q does */
		{ "'a\tb\n\x01\x7f\xff", { NULL }, NULL, NULL, NULL,
		  "failed to process \"'a\\tb\\n\\x01\\x7f\\xff\": unexpected end of statement while looking for matching single-quote" },
		{ "'\xC2\xA0\xE2\x80\x8B\xF0\x9F\x98\x80", { NULL }, NULL, NULL, NULL,
		  "failed to process \"'\\u00a0\\u200b\xF0\x9F\x98\x80\": unexpected end of statement while looking for matching single-quote" },
		{ "'\xF3\xA0\x80\x81", { NULL }, NULL, NULL, NULL,
		  "failed to process \"'\\U000e0001\": unexpected end of statement while looking for matching single-quote" },
	};
	run_cases(cases, ARRAY_SIZE(cases));
}

static void test_utf8(void **state)
{
	(void)state;
	static const struct mcase cases[] = {
		/* invalid bytes read by the lexer become U+FFFD; values are copied as they are */
		{ "a\xff" "b", { NULL }, "a\xEF\xBF\xBD" "b", NULL, NULL, NULL },
		{ "$X", { "X=a\xff" }, "a\xff", NULL, NULL, NULL },
		{ "${X#a}", { "X=a\xff" }, "\xff", NULL, NULL, NULL },
		/* % works on []rune(value), so invalid bytes come back as U+FFFD */
		{ "${X%b}", { "X=\xff" "ab" }, "\xEF\xBF\xBD" "a", NULL, NULL, NULL },
		/* a BOM is skipped at the very start only */
		{ "\xEF\xBB\xBF" "abc", { NULL }, "abc", NULL, NULL, NULL },
		{ "a\xEF\xBB\xBF", { NULL }, "a\xEF\xBB\xBF", NULL, NULL, NULL },
		/* names are Unicode letters, digits and _ */
		{ "$한국어!", { "한국어=ok" }, "ok!", "한국어", "", NULL },
		{ "$\xD9\xA1" "x", { NULL }, "x", "", "\xD9\xA1", NULL },
		{ "$é_1.", { "é_1=v" }, "v.", NULL, NULL, NULL },
		/* Unicode 15.0 (Go 1.21+): KAWI LETTER A is a letter, KAWI DIGIT ONE a digit */
		{ "$\xF0\x91\xBC\x84.", { "\xF0\x91\xBC\x84=kawi" }, "kawi.", NULL, NULL, NULL },
		{ "$\xF0\x91\xBD\x91" "x", { NULL }, "x", "", "\xF0\x91\xBD\x91", NULL },
	};
	run_cases(cases, ARRAY_SIZE(cases));
}

static void check_lex(const struct shell_lex *lex, const char *word, const char *const *envv, const char *want,
		      const char *want_words)
{
	struct shell_env env = { .kv = envv };
	_cleanup_free_ char *out = NULL;
	_cleanup_strvec_ struct strvec words = STRVEC_INIT;
	berr err = { 0 };
	if (shell_lex_process(lex, word, &env, &out, &words, NULL, &err) < 0)
		fail_msg("%s: %s", word, err.msg);
	if (want && strcmp(out, want))
		fail_msg("%s: got [%s] want [%s]", word, out, want);
	if (want_words) {
		_cleanup_strbuf_ struct strbuf j = STRBUF_INIT;
		for (size_t i = 0; i < words.n; i++)
			sb_addf(&j, "%s[%s]", i ? "," : "", words.v[i]);
		if (strcmp(sb_str(&j), want_words))
			fail_msg("%s: words %s want %s", word, sb_str(&j), want_words);
	}
}

static void test_backtick_escape(void **state)
{
	(void)state;
	struct shell_lex bt = SHELL_LEX_INIT;
	bt.escape_token = '`';
	const char *env[] = { "PWD=/home", NULL };
	check_lex(&bt, "a`$b", env, "a$b", NULL);
	check_lex(&bt, "C:\\path\\x", env, "C:\\path\\x", NULL);
	check_lex(&bt, "\\$PWD", env, "\\/home", NULL);
	check_lex(&bt, "`$PWD", env, "$PWD", NULL);
	check_lex(&bt, "\"a``b\"", env, "a`b", NULL);
	check_lex(&bt, "\"a`\"b\"", env, "a\"b", NULL);
	check_lex(&bt, "\"a`xb\\\"", env, "a`xb\\", NULL);
	check_lex(&bt, "a`", env, "a", NULL);
	check_lex(&bt, "a` b c", env, "a b c", "[a b],[c]");
	/* with the backtick escape, ${X%\*} still uses \ in patterns (BuildKit) */
	const char *env2[] = { "X=a*", NULL };
	check_lex(&bt, "${X%\\*}", env2, "a", NULL);

	/* shell_expand_word takes the escape token too */
	_cleanup_free_ char *out = NULL;
	berr err = { 0 };
	struct shell_env e = { .kv = env };
	assert_int_equal(shell_expand_word("x`$PWD\\$PWD", &e, '`', &out, NULL, &err), 0);
	assert_string_equal(out, "x$PWD\\/home");
}

static void test_lex_options(void **state)
{
	(void)state;
	const char *env[] = { "PWD=/home", "E=", NULL };
	const char *none[] = { NULL };
	struct shell_lex l = SHELL_LEX_INIT;

	l.raw_quotes = true;
	check_lex(&l, "'a'\"b $PWD\"", env, "'a'\"b /home\"", "['a'\"b /home\"]");
	l = (struct shell_lex)SHELL_LEX_INIT;
	l.raw_escapes = true;
	check_lex(&l, "a\\ b \"c\\\"d\"", env, "a\\ b c\\\"d", "[a\\ b],[c\\\"d]");
	l = (struct shell_lex)SHELL_LEX_INIT;
	l.skip_unset_env = true;
	check_lex(&l, "$X ${X} ${X:-d} ${X/a/b} ${X//a/b} $1 ${X#p} $PWD ${E:-e}", none,
		  "$X ${X} ${X:-d} ${X/a/b} ${X/a/b} $1 ${X#p} $PWD ${E:-e}", NULL);
	check_lex(&l, "$PWD ${E:-e} ${PWD/h/H}", env, "/home e /Home", NULL);
	l = (struct shell_lex)SHELL_LEX_INIT;
	l.skip_process_quotes = true;
	check_lex(&l, "'$PWD' \"x\"", env, "'/home' \"x\"", "['/home'],[\"x\"]");
	/* NULL lex = NewLex('\\') */
	check_lex(NULL, "'$PWD'", env, "$PWD", NULL);
}

static void test_words(void **state)
{
	(void)state;
	const char *env[] = { "X=a b", "N=a\xC2\xA0" "b", NULL };
	check_lex(NULL, "$X c", env, "a b c", "[a],[b],[c]");
	check_lex(NULL, "\"$X\" c", env, "a b c", "[a b],[c]");
	check_lex(NULL, "'' \"\" x", env, "  x", "[x]");
	/* Unicode white space splits words */
	check_lex(NULL, "$N", env, "a\xC2\xA0" "b", "[a],[b]");
	/* heredoc markers keep their spaces in one word */
	check_lex(NULL, "cat <<  EOF x", env, "cat <<  EOF x", "[cat],[<<  EOF],[x]");
	check_lex(NULL, "a < b a<b <", env, "a < b a<b <", "[a],[<],[b],[a<b],[<]");
	/* BuildKit's shared word buffer: the partial word before a ${X:-y} is dropped
	 * from the words (not from the result) */
	check_lex(NULL, "ab${U:-foo}cd", env, "abfoocd", "[foocd]");
	check_lex(NULL, "ab ${U:-foo}cd", env, "ab foocd", "[ab],[foocd]");
	check_lex(NULL, "ab$X", env, "aba b", "[aba],[b]");
	check_lex(NULL, "ab${X}", env, "aba b", "[aba],[b]");
	/* shell_expand_words appends */
	_cleanup_strvec_ struct strvec w = STRVEC_INIT;
	struct shell_env e = { .kv = env };
	berr err = { 0 };
	sv_push(&w, "first");
	assert_int_equal(shell_expand_words("$X", &e, '\\', &w, NULL, &err), 0);
	assert_int_equal(w.n, 3);
	assert_string_equal(w.v[0], "first");
	assert_string_equal(w.v[2], "b");
	/* errors leave the output alone */
	assert_int_equal(shell_expand_words("'", &e, '\\', &w, NULL, &err), -1);
	assert_int_equal(w.n, 3);
}

static const char *cb_get(void *ctx, const char *name)
{
	int *calls = ctx;
	(*calls)++;
	return !strcmp(name, "A") ? "from-callback" : NULL;
}

static void test_env_callback_and_accumulate(void **state)
{
	(void)state;
	int calls = 0;
	struct shell_env env = { .get = cb_get, .ctx = &calls };
	struct shell_matches m = SHELL_MATCHES_INIT;
	_cleanup_free_ char *o1 = NULL, *o2 = NULL;
	berr err = { 0 };
	assert_int_equal(shell_expand_word("$A-$B", &env, '\\', &o1, &m, &err), 0);
	assert_string_equal(o1, "from-callback-");
	assert_int_equal(shell_expand_word("${B:-$C}${A}", &env, '\\', &o2, &m, &err), 0);
	assert_string_equal(o2, "from-callback");
	assert_int_equal(calls, 5);
	assert_set(&m.matched, "A", "matched", "callback");
	assert_set(&m.unmatched, "B C", "unmatched", "callback");
	/* the sets are filled as far as expansion got, even on failure */
	assert_int_equal(shell_expand_word("$D${E?}", &env, '\\', NULL, &m, &err), -1);
	assert_set(&m.unmatched, "B C D E", "unmatched", "callback");
	shell_matches_clear(&m);
	/* no environment at all */
	_cleanup_free_ char *o3 = NULL;
	assert_int_equal(shell_expand_word("[$A]", NULL, '\\', &o3, NULL, &err), 0);
	assert_string_equal(o3, "[]");
}

static void test_deep_nesting(void **state)
{
	(void)state;
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 5000; i++)
		sb_adds(&sb, "${a:-");
	sb_adds(&sb, "x");
	for (int i = 0; i < 5000; i++)
		sb_addc(&sb, '}');
	berr err = { 0 };
	char *out = NULL;
	assert_int_equal(shell_expand_word(sb.buf, NULL, '\\', &out, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "nested more than"));
	sb_reset(&sb);
	for (int i = 0; i < 500; i++)
		sb_adds(&sb, "${a:-");
	sb_adds(&sb, "x");
	for (int i = 0; i < 500; i++)
		sb_addc(&sb, '}');
	assert_int_equal(shell_expand_word(sb.buf, NULL, '\\', &out, NULL, &err), 0);
	assert_string_equal(out, "x");
	free(out);
}

/* Words the fast path of ProcessWord handles ($NAME, ${NAME}, quotes, plain text) give
 * exactly what the full lexer gives (asking for the words too takes the full lexer): a
 * deterministic random sample over an alphabet made of the characters that matter. */
static void test_fast_path_differential(void **state)
{
	(void)state;
	static const char alpha[] = "ab$${}{}\"\"''_9 B<\\`-:.";
	const char *kv[] = { "B=bee", "C=", "_x=u", "b9=n", NULL };
	struct shell_env env = { .kv = kv };
	unsigned seed = 12345;
	for (int i = 0; i < 20000; i++) {
		char w[16];
		seed = seed * 1103515245u + 12345u;
		int l = (int)((seed >> 16) % 12);
		for (int j = 0; j < l; j++) {
			seed = seed * 1103515245u + 12345u;
			w[j] = alpha[(seed >> 16) % (sizeof(alpha) - 1)];
		}
		w[l] = 0;
		for (int e = 0; e < 2; e++) {
			struct shell_lex lex = SHELL_LEX_INIT;
			lex.escape_token = e ? '`' : '\\';
			char *o1 = NULL, *o2 = NULL;
			struct strvec words = STRVEC_INIT;
			struct shell_matches m1 = SHELL_MATCHES_INIT, m2 = SHELL_MATCHES_INIT;
			berr e1 = { 0 }, e2 = { 0 };
			int r1 = shell_lex_process(&lex, w, &env, &o1, NULL, &m1, &e1);
			int r2 = shell_lex_process(&lex, w, &env, &o2, &words, &m2, &e2);
			assert_int_equal(r1, r2);
			if (r1)
				assert_string_equal(e1.msg, e2.msg);
			else
				assert_string_equal(o1, o2);
			assert_int_equal(m1.matched.n, m2.matched.n);
			assert_int_equal(m1.unmatched.n, m2.unmatched.n);
			for (size_t k = 0; k < m1.matched.n; k++)
				assert_string_equal(m1.matched.v[k], m2.matched.v[k]);
			for (size_t k = 0; k < m1.unmatched.n; k++)
				assert_string_equal(m1.unmatched.v[k], m2.unmatched.v[k]);
			free(o1);
			free(o2);
			sv_clear(&words);
			shell_matches_clear(&m1);
			shell_matches_clear(&m2);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_backtick_escape),
		cmocka_unit_test(test_lex_options),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_env_callback_and_accumulate),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_fast_path_differential),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
