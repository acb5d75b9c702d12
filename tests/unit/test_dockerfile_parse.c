/* test_dockerfile_parse: the Dockerfile parser's tricky cases: directives and the escape
 * token, continuations with comments and blank lines, heredocs, ONBUILD nesting, JSON
 * form, key=value parsing, error line numbers, and inputs the fuzzer once crashed on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dockerfile/ast.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Parse src and return its dump (caller frees), or NULL with *errout set. */
static char *dump_of(const char *src, struct df_parse_result **keep, char **errout)
{
	struct df_parse_result *r = NULL;
	berr err = { 0 };
	if (df_parse(src, strlen(src), "Dockerfile", &r, &err)) {
		assert_null(r);
		if (errout)
			*errout = strdup(err.msg);
		return NULL;
	}
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	df_dump(r->ast, &sb);
	if (keep)
		*keep = r;
	else
		df_parse_result_free(r);
	return sb_detach(&sb);
}

static void expect(const char *src, const char *want)
{
	char *e = NULL;
	char *got = dump_of(src, NULL, &e);
	if (!got)
		fail_msg("parse failed: %s", e);
	assert_string_equal(got, want);
	free(got);
}

static void expect_error(const char *src, const char *want)
{
	char *e = NULL;
	char *got = dump_of(src, NULL, &e);
	if (got)
		fail_msg("parsed, expected error %s: %s", want, got);
	if (!strstr(e, want))
		fail_msg("error %s lacks %s", e, want);
	free(e);
}

static void test_escape_directive(void **state)
{
	(void)state;
	expect("# escape=`\nFROM a\nRUN dir c:\\ `\n  && echo\n", "(from \"a\")\n(run \"dir c:\\\\   && echo\")\n");
	/* a directive after an instruction or another comment is only a comment */
	expect("FROM a\n# escape=`\nRUN a \\\n b\n", "(from \"a\")\n(run \"a  b\")\n");
	expect("# hello\n# escape=`\nRUN a \\\n b\n", "(run \"a  b\")\n");
	/* directive names are case-insensitive; values are trimmed */
	struct df_parse_result *r = NULL;
	char *d = dump_of("#  SYNTAX = docker/dockerfile:1  \n# Check=skip=all\n# escape=\\\nFROM a\n", &r, NULL);
	assert_non_null(d);
	assert_string_equal(r->directives.syntax, "docker/dockerfile:1");
	assert_string_equal(r->directives.check, "skip=all");
	assert_string_equal(r->directives.escape, "\\");
	assert_int_equal(r->escape_token, '\\');
	assert_int_equal(r->ast->children[0]->start_line, 4);
	assert_int_equal(r->ast->children[0]->prev_comments.n, 0);
	df_parse_result_free(r);
	free(d);
	expect_error("# escape=`\n# ESCAPE=\\\nFROM a\n", "Dockerfile:2: only one escape parser directive");
	expect_error("#escape=ab\nFROM a\n", "Dockerfile:1: invalid escape token 'ab'");
	/* a BOM before the directives */
	expect("\xEF\xBB\xBF# escape=`\nRUN a `\n b\n", "(run \"a  b\")\n");
}

static void test_continuations(void **state)
{
	(void)state;
	expect("RUN a \\\n# comment\n\n   # indented comment\n b\n", "(run \"a  b\")\n");
	expect("RUN a\\\\\nRUN b\n", "(run \"a\\\\\\\\\")\n(run \"b\")\n");
	expect("RUN a \\  \t\n b\r\n", "(run \"a  b\")\n");
	expect("RUN \\\n", "(run)\n");
	/* blank continuation lines are a warning with the last line number */
	struct df_parse_result *r = NULL;
	char *d = dump_of("FROM a\nRUN a \\\n\n b\n", &r, NULL);
	assert_string_equal(d, "(from \"a\")\n(run \"a  b\")\n");
	assert_int_equal(r->nwarns, 1);
	assert_int_equal(r->warns[0].line, 4);
	assert_string_equal(r->warns[0].rule, "NoEmptyContinuation");
	assert_string_equal(r->warnings.v[0], "Dockerfile:4: Empty continuation line found in: RUN a  b");
	assert_int_equal(r->ast->children[1]->start_line, 2);
	assert_int_equal(r->ast->children[1]->end_line, 4);
	assert_string_equal(r->ast->children[1]->original, "RUN a  b");
	df_parse_result_free(r);
	free(d);
}

static void test_heredocs(void **state)
{
	(void)state;
	struct df_parse_result *r = NULL;
	const char *src = "FROM a\n"
			  "RUN <<EOF 3<<-'END' cat\n"
			  "echo $x\n"
			  "EOF\n"
			  "\tline\n"
			  "\tEND\n"
			  "COPY <<\"A\" <<B /dst/\n"
			  "a\n"
			  "A\n"
			  "B\n"
			  "RUN [\"<<EOF\"]\n";
	char *d = dump_of(src, &r, NULL);
	assert_non_null(d);
	assert_string_equal(d, "(from \"a\")\n(run \"<<EOF 3<<-'END' cat\")\n(copy \"<<\\\"A\\\"\" \"<<B\" \"/dst/\")\n(run \"<<EOF\")\n");
	struct df_node *run = r->ast->children[1];
	assert_int_equal(run->nheredocs, 2);
	assert_string_equal(run->heredocs[0].name, "EOF");
	assert_string_equal(run->heredocs[0].content, "echo $x\n");
	assert_true(run->heredocs[0].expand);
	assert_false(run->heredocs[0].chomp);
	assert_string_equal(run->heredocs[1].name, "END");
	assert_string_equal(run->heredocs[1].content, "\tline\n");
	assert_false(run->heredocs[1].expand);
	assert_true(run->heredocs[1].chomp);
	assert_int_equal(run->heredocs[1].fd, 3);
	char *c = df_heredoc_chomp(run->heredocs[1].content);
	assert_string_equal(c, "line\n");
	free(c);
	assert_int_equal(run->start_line, 2);
	assert_int_equal(run->end_line, 6);
	struct df_node *copy = r->ast->children[2];
	assert_int_equal(copy->nheredocs, 2);
	assert_string_equal(copy->heredocs[0].content, "a\n");
	assert_false(copy->heredocs[0].expand);
	assert_string_equal(copy->heredocs[1].content, "");
	assert_int_equal(r->ast->children[3]->nheredocs, 0); /* JSON form: no heredoc */
	assert_int_equal(r->ast->children[3]->start_line, 11);
	df_parse_result_free(r);
	free(d);
	/* heredoc in ONBUILD; not in other instructions */
	r = NULL;
	d = dump_of("ONBUILD RUN <<X\nhi\nX\nENV a <<X\n", &r, NULL);
	assert_string_equal(d, "(onbuild (run \"<<X\"))\n(env \"a\" \"<<X\" \"\")\n");
	assert_int_equal(r->ast->children[0]->nheredocs, 1);
	assert_string_equal(r->ast->children[0]->heredocs[0].content, "hi\n");
	df_parse_result_free(r);
	free(d);
	expect_error("FROM a\nRUN <<EOF\nx\n", "Dockerfile:2: unterminated heredoc");
	/* an unterminated quote on the line: not a heredoc (BuildKit ignores lexing errors) */
	expect("RUN <<EOF 'x\n", "(run \"<<EOF 'x\")\n");
}

/* BuildKit's heredoc cases: each instruction's heredocs as "name|content|expand|chomp|fd;..." */
static void test_heredoc_table(void **state)
{
	(void)state;
	const char *src = "\nFROM alpine:3.6\n\nENV NAME=me\n\nRUN ls\n\nUSER <<INVALID\nINVALID\n\n"
		"RUN <<EMPTY\nEMPTY\n\nRUN 3<<EMPTY2\nEMPTY2\n\nRUN \"<<NOHEREDOC\"\n\n"
		"RUN <<INDENT\n\tfoo\n\tbar\nINDENT\n\nRUN <<-UNINDENT\n\tbaz\n\tquux\nUNINDENT\n\n"
		"RUN <<-UNINDENT2\n\tbaz\n\tquux\n\tUNINDENT2\n\nRUN <<-EXPAND\n\texpand $NAME\nEXPAND\n\n"
		"RUN <<-'NOEXPAND'\n\tdon't expand $NAME\nNOEXPAND\n\n"
		"RUN --mount=type=cache,target=/foo <<MOUNT\necho hello\nMOUNT\n\n"
		"COPY <<FILE1 <<FILE2 /dest\ncontent 1\nFILE1\ncontent 2\nFILE2\n\n"
		"COPY <<X <<Y /dest\nY\nX\nX\nY\n\n"
		"RUN <<COMPLEX python3\nprint('hello world')\nCOMPLEX\n\n"
		"RUN <<eo'f'\necho foo\neof\n\nRUN <<eo\\'f\necho foo\neo'f\n\n"
		"RUN <<'e'o\\'f\necho foo\neo'f\n\nRUN <<'one two'\necho bar\none two\n\n"
		"RUN <<$EOF\n$EOF\n\nRUN <<  EOF\nEOF\n\nRUN <<  EOF  > foo\nEOF\n"
		"RUN <<EOF sh <<\"B\" '<<C' \"<<D\" 4<<E\nEOF\nB\nE\n\t";
	const char *want[] = {
		"-", "-", "-", "-",
		"EMPTY||1|0|0;", "EMPTY2||1|0|3;", "-",
		"INDENT|\tfoo\n\tbar\n|1|0|0;", "UNINDENT|\tbaz\n\tquux\n|1|1|0;",
		"UNINDENT2|\tbaz\n\tquux\n|1|1|0;", "EXPAND|\texpand $NAME\n|1|1|0;",
		"NOEXPAND|\tdon't expand $NAME\n|0|1|0;", "MOUNT|echo hello\n|1|0|0;",
		"FILE1|content 1\n|1|0|0;FILE2|content 2\n|1|0|0;", "X|Y\n|1|0|0;Y|X\n|1|0|0;",
		"COMPLEX|print('hello world')\n|1|0|0;", "eof|echo foo\n|0|0|0;", "eo'f|echo foo\n|1|0|0;",
		"eo'f|echo foo\n|0|0|0;", "one two|echo bar\n|0|0|0;", "$EOF||1|0|0;", "EOF||1|0|0;",
		"EOF||1|0|0;", "EOF||1|0|0;B||0|0|0;E||1|0|4;",
	};
	struct df_parse_result *r = NULL;
	char *e = NULL;
	char *d = dump_of(src, &r, &e);
	if (!d)
		fail_msg("%s", e);
	assert_int_equal(r->ast->nchildren, 1 + ARRAY_LEN(want));
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		struct df_node *n = r->ast->children[i + 1];
		struct strbuf sb = STRBUF_INIT;
		sb_init(&sb);
		if (!n->nheredocs)
			sb_adds(&sb, "-");
		for (size_t j = 0; j < n->nheredocs; j++)
			sb_addf(&sb, "%s|%s|%d|%d|%u;", n->heredocs[j].name, n->heredocs[j].content,
				n->heredocs[j].expand, n->heredocs[j].chomp, n->heredocs[j].fd);
		if (strcmp(sb.buf, want[i]))
			fail_msg("instruction %zu (%s): got %s want %s", i + 1, n->original, sb.buf, want[i]);
		sb_release(&sb);
	}
	df_parse_result_free(r);
	free(d);
}

/* Line numbers with directives, blank lines, comments and empty continuation lines. */
static void test_line_numbers(void **state)
{
	(void)state;
	const char *src = "# ESCAPE=\\\n\n\n\nFROM b/u:14.04\n\n\n# TORUN -v /a:/a\n\n\nENV GOPATH \\\n/go\n\n\n\n"
		"# Install\nRUN a \\\n\t&& b \\\n\n\n    && c \\\n    && d \\\n    && e \\\n\n\t&& f \\\n    && g \\\n\n"
		"\t&& h \\\n\t&& i \\\n\t&& j \\\n\t&& k\n\n\n\n\t";
	struct df_parse_result *r = NULL;
	char *d = dump_of(src, &r, NULL);
	assert_non_null(d);
	assert_int_equal(r->ast->start_line, 5);
	assert_int_equal(r->ast->end_line, 31);
	assert_int_equal(r->ast->nchildren, 3);
	int want[3][2] = { { 5, 5 }, { 11, 12 }, { 17, 31 } };
	for (int i = 0; i < 3; i++) {
		assert_int_equal(r->ast->children[i]->start_line, want[i][0]);
		assert_int_equal(r->ast->children[i]->end_line, want[i][1]);
	}
	assert_int_equal(r->ast->children[2]->prev_comments.n, 1);
	assert_string_equal(r->ast->children[2]->prev_comments.v[0], "Install");
	assert_int_equal(r->nwarns, 1);
	assert_int_equal(r->warns[0].line, 31);
	df_parse_result_free(r);
	free(d);

	r = NULL;
	d = dump_of("\nFROM alpine:3.6\nRUN valid \\\n    continuation\nRUN something \\\n\n    following \\\n\n    more\n"
		    "RUN another \\\n\n    thing\nRUN non-indented \\\n# this is a comment\n   after-comment\n\n"
		    "RUN indented \\\n    # this is an indented comment\n    comment\n\t", &r, NULL);
	assert_non_null(d);
	assert_int_equal(r->nwarns, 2);
	assert_string_equal(r->warns[0].short_desc, "Empty continuation line found in: RUN something     following     more");
	assert_string_equal(r->warns[1].short_desc, "Empty continuation line found in: RUN another     thing");
	assert_string_equal(r->warns[0].detail, "Empty continuation lines will become errors in a future release");
	df_parse_result_free(r);
	free(d);
}

static void test_onbuild(void **state)
{
	(void)state;
	expect("ONBUILD ONBUILD Copy --from=x a b\n", "(onbuild (onbuild (copy [\"--from=x\"] \"a\" \"b\")))\n");
	expect("ONBUILD\n", "(onbuild)\n");
	expect_error("FROM a\nONBUILD ENV x\n", "Dockerfile:2: ENV must have two arguments");
}

static void test_line_parsers(void **state)
{
	(void)state;
	expect("ENV a=\"b c\" d=e\\ f g=\n", "(env \"a\" \"\\\"b c\\\"\" \"=\" \"d\" \"e\\\\ f\" \"=\" \"g\" \"\" \"=\")\n");
	expect("LABEL a  b c\n", "(label \"a\" \"b c\" \"\")\n");
	expect("ARG a b=c \"d e\"\n", "(arg \"a\" \"b=c\" \"\\\"d e\\\"\")\n");
	expect("EXPOSE 80  443/udp\n", "(expose \"80\" \"443/udp\")\n");
	expect("FOO bar baz\n", "(foo \"\")\n");
	expect("VOLUME [\"/a\", \"/b\"]\nVOLUME /c /d\n", "(volume \"/a\" \"/b\")\n(volume \"/c\" \"/d\")\n");
	expect("CMD [\"a\", \"b\"\n", "(cmd \"[\\\"a\\\", \\\"b\\\"\")\n");
	expect("CMD [\"\\u00e9\\ud83d\\ude00\\ud800\"]\n", "(cmd \"\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbd\")\n");
	expect("CMD [1e999]\n", "(cmd \"[1e999]\")\n");
	expect("HEALTHCHECK NONE\n", "(healthcheck \"NONE\")\n");
	expect("COPY --chown=\"a b\" --x='c' -- --y z\n", "(copy [\"--chown=a b\" \"--x=c\"] \"--y\" \"z\")\n");
	expect("RUN \x01\x7f\xff \xc2\xa0x\n", "(run \"\\x01\\x7f\\xff \\u00a0x\")\n");
	/* strconv.Quote and strings.ToLower on non-ASCII text */
	expect("RUN \xc2\xad\xe2\x80\x8b\xee\x80\x80 \xe2\x99\xa5 \xf0\x9f\x98\x80 \xcd\xb8 \xf3\xa0\x80\x81\n",
	       "(run \"\\u00ad\\u200b\\ue000 \xe2\x99\xa5 \xf0\x9f\x98\x80 \\u0378 \\U000e0001\")\n");
	/* Unicode 15.0 (as Go 1.21+): U+1F6DC is printable, U+1F6ED is not assigned */
	expect("RUN \xf0\x9f\x9b\x9c \xf0\x9f\x9b\xad\n", "(run \"\xf0\x9f\x9b\x9c \\U0001f6ed\")\n");
	expect("\xc3\x89NV a b\nONBU\xc4\xb0LD RUN x\n\xe2\x84\xaaUX\n",
	       "(\xc3\xa9nv \"\")\n(onbuild (run \"x\"))\n(kux \"\")\n");
	expect_error("LABEL a=b c\n", "Syntax error - can't find = in \"c\". Must be of the form: name=value");
	expect_error("CMD [\"a\", 1]\n", "arrays must be comprised of strings only");
	const char *bad[] = { "[\"a\",42,\"b\"]", "[\"a\",123.456,\"b\"]", "[\"a\",{},\"b\"]",
			      "[\"a\",{\"c\": \"d\"},\"b\"]", "[\"a\",[\"c\"],\"b\"]", "[\"a\",true,\"b\"]",
			      "[\"a\",false,\"b\"]", "[\"a\",null,\"b\"]" };
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		char *src = NULL;
		assert_true(asprintf(&src, "COPY %s\n", bad[i]) > 0);
		expect_error(src, "Dockerfile:1: when using JSON array syntax");
		free(src);
	}
	expect("SHELL\t[\t\"a\",\t\"b\"\t]\t\nCMD []\nENTRYPOINT [\"\"]\n", "(shell \"a\" \"b\")\n(cmd)\n(entrypoint \"\")\n");
	struct df_parse_result *r = NULL;
	berr err = { 0 };
	assert_int_equal(df_parse("RUN a\n\0\n", 8, NULL, &r, &err), -1);
	assert_null(r);
	assert_non_null(strstr(err.msg, "Dockerfile:2: invalid NUL byte"));
	/* "\u0000" in the JSON form keeps the NUL (len says so) */
	assert_int_equal(df_parse("CMD [\"a\\u0000b\"]", 16, "x", &r, &err), 0);
	assert_int_equal(r->ast->children[0]->next->len, 3);
	assert_memory_equal(r->ast->children[0]->next->value, "a\0b", 3);
	df_parse_result_free(r);
}

static void test_error_lines(void **state)
{
	(void)state;
	expect_error("", "Dockerfile:1: file with no instructions");
	expect_error("# a\n\n# b\n", "file with no instructions");
	char *e = NULL;
	assert_null(dump_of("FROM a\n\nRUN a \\\n  b \\\n  c\nLABEL x=1 \\\n y\n", NULL, &e));
	assert_non_null(strstr(e, "Dockerfile:6: Syntax error"));
	assert_non_null(strstr(e, "    6 | LABEL x=1 \\"));
	assert_non_null(strstr(e, "    7 |  y"));
	free(e);
}

/* Edge cases kept as regressions (the fuzzer found no crash so far; add its finds here). */
static void test_fuzz_regressions(void **state)
{
	(void)state;
	/* deep nesting must not exhaust the stack: ${a:-${a:-... in a heredoc line, ONBUILD
	 * chains and JSON arrays far longer than one physical line allows */
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	sb_adds(&sb, "RUN <<EOF ");
	for (int i = 0; i < 200000; i++)
		sb_adds(&sb, "${a:-\\\n");
	sb_adds(&sb, "\n");
	char *e = NULL;
	char *d = dump_of(sb.buf, NULL, &e);
	assert_non_null(d);
	free(d);
	sb_reset(&sb);
	for (int i = 0; i < 5000; i++)
		sb_adds(&sb, "ONBUILD \\\n");
	sb_adds(&sb, "RUN x\n");
	assert_null(dump_of(sb.buf, NULL, &e));
	assert_non_null(strstr(e, "Dockerfile:1: instructions nested more than"));
	free(e);
	sb_reset(&sb);
	sb_adds(&sb, "CMD ");
	for (int i = 0; i < 100000; i++)
		sb_adds(&sb, "[\\\n");
	sb_adds(&sb, "\n");
	d = dump_of(sb.buf, NULL, &e);
	assert_non_null(d);
	free(d);
	sb_reset(&sb);
	sb_adds(&sb, "RUN ");
	for (int i = 0; i < 70000; i++)
		sb_addc(&sb, 'x');
	assert_null(dump_of(sb.buf, NULL, &e));
	assert_non_null(strstr(e, "Dockerfile:1: dockerfile line greater than max allowed size of 65535"));
	free(e);
	sb_release(&sb);
	expect("RUN <<${\n", "(run \"<<${\")\n");
	expect("RUN <<\"\"\n", "(run \"<<\\\"\\\"\")\n");
	expect("\\\n \\\n", "(\"\")\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_directive),
		cmocka_unit_test(test_continuations),
		cmocka_unit_test(test_heredocs),
		cmocka_unit_test(test_heredoc_table),
		cmocka_unit_test(test_line_numbers),
		cmocka_unit_test(test_onbuild),
		cmocka_unit_test(test_line_parsers),
		cmocka_unit_test(test_error_lines),
		cmocka_unit_test(test_fuzz_regressions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
