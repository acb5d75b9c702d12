/* test_template: the Go text/template subset, Docker's formatter layer and tabwriter,
 * against the exact strings Go / Docker print. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include "util/template.h"

static const char *DATA =
	"{\"Id\":\"sha256:abcdef0123456789\",\"Name\":\"web\",\"Size\":1234,\"Ratio\":0.5,"
	"\"Big\":1000000.0,\"Running\":true,\"Stopped\":false,\"Nil\":null,\"Empty\":\"\","
	"\"Tags\":[\"a\",\"b\",\"c\"],\"NoTags\":[],"
	"\"Config\":{\"Env\":[\"PATH=/bin\",\"A=1\"],\"Labels\":{\"z\":\"last\",\"com.x\":\"y\",\"a\":\"first\"},"
	"\"Cmd\":[\"sh\",\"-c\",\"echo <hi> & bye\"],\"User\":\"\"},"
	"\"RootFS\":{\"Type\":\"layers\",\"Layers\":[\"sha256:l1\",\"sha256:l2\"]},"
	"\"Ports\":{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"8080\"}]},"
	"\"Num\":3,\"Mixed\":[1,\"x\",true,null,{\"k\":\"v\"},[1,2]]}";

static json_t *data(void)
{
	json_error_t je;
	json_t *v = json_loads(DATA, JSON_PRESERVE_ORDER, &je);
	assert_non_null(v);
	return v;
}

/* Render `t` over DATA; returns malloc'd output or "ERR: msg". */
static char *render_flags(const char *t, int flags)
{
	json_t *d = data();
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	berr err = { 0 };
	char *res;
	if (tmpl_render(t, d, flags, &sb, &err) < 0)
		res = xasprintf("ERR: %s", err.msg);
	else
		res = xstrdup(sb.buf);
	sb_release(&sb);
	json_decref(d);
	return res;
}

#define EXPECT(tmpl, want)                                              \
	do {                                                            \
		char *_got = render_flags((tmpl), 0);                   \
		if (strcmp(_got, (want)))                               \
			print_error("template %s\n  got  [%s]\n  want [%s]\n", (tmpl), _got, (want)); \
		int _ok = !strcmp(_got, (want));                        \
		free(_got);                                             \
		assert_true(_ok);                                       \
	} while (0)
#define EXPECT_MK(tmpl, want)                                           \
	do {                                                            \
		char *_got = render_flags((tmpl), TMPL_MISSINGKEY_ERROR); \
		int _ok = !strcmp(_got, (want));                        \
		free(_got);                                             \
		assert_true(_ok);                                       \
	} while (0)

static void test_fields(void **state)
{
	(void)state;
	EXPECT("{{.Name}}", "web");
	EXPECT("name={{.Name}} size={{.Size}}", "name=web size=1234");
	EXPECT("{{.Config.User}}|", "|");
	EXPECT("{{.Missing}}", "<no value>");
	EXPECT("{{.Missing.Deeper}}", "<no value>");
	EXPECT("{{.Nil}}", "<no value>");
	EXPECT("{{.Nil.Foo}}", "ERR: template: :1:2: executing \"\" at <.Nil.Foo>: nil pointer evaluating interface {}.Foo");
	EXPECT("{{.Running}} {{.Stopped}}", "true false");
	EXPECT("{{.Ratio}} {{.Big}} {{.Num}}", "0.5 1e+06 3");
	EXPECT("{{.Tags}}", "[a b c]");
	EXPECT("{{.NoTags}}", "[]");
	EXPECT("{{.Config.Env}}", "[PATH=/bin A=1]");
	EXPECT("{{.Config.Labels}}", "map[a:first com.x:y z:last]");
	EXPECT("{{.Mixed}}", "[1 x true <nil> map[k:v] [1 2]]");
	EXPECT("{{.RootFS}}", "map[Layers:[sha256:l1 sha256:l2] Type:layers]");
	EXPECT("{{.Config.Labels.a}}", "first");
	EXPECT("{{$.Name}}", "web");
	EXPECT("{{.Name.Foo}}", "ERR: template: :1:2: executing \"\" at <.Name.Foo>: can't evaluate field Foo in type string");
}

static void test_missingkey_error(void **state)
{
	(void)state;
	EXPECT_MK("{{.Name}}", "web");
	EXPECT_MK("{{.Foo}}", "ERR: template: :1:2: executing \"\" at <.Foo>: map has no entry for key \"Foo\"");
	EXPECT_MK("x\n {{.Config.Nope}}", "ERR: template: :2:3: executing \"\" at <.Config.Nope>: map has no entry for key \"Nope\"");
}

static void test_json(void **state)
{
	(void)state;
	EXPECT("{{json .Tags}}", "[\"a\",\"b\",\"c\"]");
	EXPECT("{{json .RootFS}}", "{\"Type\":\"layers\",\"Layers\":[\"sha256:l1\",\"sha256:l2\"]}");
	EXPECT("{{.RootFS | json}}", "{\"Type\":\"layers\",\"Layers\":[\"sha256:l1\",\"sha256:l2\"]}");
	/* Docker's json func turns HTML escaping off (SetEscapeHTML(false)) */
	EXPECT("{{json .Config.Cmd}}", "[\"sh\",\"-c\",\"echo <hi> & bye\"]");
	EXPECT("{{json .Missing}}", "null");
	EXPECT("{{json .Nil}}", "null");
	EXPECT("{{json .Ratio}} {{json .Big}} {{json .Size}}", "0.5 1000000 1234");
	EXPECT("{{json .Name}}", "\"web\"");
	EXPECT("{{json \"a\\\"b\\n\"}}", "\"a\\\"b\\n\"");
	/* Go's json.Marshal escapes <, >, & */
	json_t *v = json_pack("{s:s,s:[i,b,n]}", "h", "<a&b>", "x", 1, 1);
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	tmpl_json_marshal(&sb, v);
	assert_string_equal(sb.buf, "{\"h\":\"\\u003ca\\u0026b\\u003e\",\"x\":[1,true,null]}");
	sb_reset(&sb);
	tmpl_json_encode(&sb, v, false);
	assert_string_equal(sb.buf, "{\"h\":\"<a&b>\",\"x\":[1,true,null]}");
	sb_reset(&sb);
	json_t *w = json_pack("[{s:s,s:[],s:{},s:[s,f],s:{s:i}}]", "Id", "x", "E", "O", "L", "a", 1.5, "M", "k", 2);
	tmpl_json_indent(&sb, w, "    ");
	assert_string_equal(sb.buf,
			    "[\n"
			    "    {\n"
			    "        \"Id\": \"x\",\n"
			    "        \"E\": [],\n"
			    "        \"O\": {},\n"
			    "        \"L\": [\n"
			    "            \"a\",\n"
			    "            1.5\n"
			    "        ],\n"
			    "        \"M\": {\n"
			    "            \"k\": 2\n"
			    "        }\n"
			    "    }\n"
			    "]");
	json_decref(w);
	sb_reset(&sb);
	tmpl_print_value(&sb, v);
	assert_string_equal(sb.buf, "map[h:<a&b> x:[1 true <nil>]]");
	sb_release(&sb);
	json_decref(v);
}

static void test_index(void **state)
{
	(void)state;
	EXPECT("{{index .RootFS.Layers 0}}", "sha256:l1");
	EXPECT("{{index .RootFS.Layers 1}}", "sha256:l2");
	EXPECT("{{index .Config.Labels \"com.x\"}}", "y");
	EXPECT("{{index .Config.Labels \"nope\"}}", "<no value>");
	EXPECT("{{(index (index .Ports \"80/tcp\") 0).HostPort}}", "8080");
	EXPECT("{{index .Ports \"80/tcp\" 0 \"HostIp\"}}", "0.0.0.0");
	EXPECT("{{index .Name 0}}", "119");
	EXPECT("{{index .Name 0 1}}", "ERR: template: :1:2: executing \"\" at <index .Name 0 1>: error calling index: can't index item of type uint8");
	EXPECT("{{index .Tags 5}}", "ERR: template: :1:2: executing \"\" at <index .Tags 5>: error calling index: index out of range: 5");
}

static void test_range(void **state)
{
	(void)state;
	EXPECT("{{range .Tags}}<{{.}}>{{end}}", "<a><b><c>");
	EXPECT("{{range $i, $v := .Tags}}{{$i}}={{$v}} {{end}}", "0=a 1=b 2=c ");
	EXPECT("{{range $v := .Tags}}{{$v}}{{end}}", "abc");
	EXPECT("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}", "a=first;com.x=y;z=last;");
	EXPECT("{{range .NoTags}}x{{else}}none{{end}}", "none");
	EXPECT("{{range .Missing}}x{{else}}none{{end}}", "none");
	EXPECT("{{range .Config.Env}}{{println .}}{{end}}", "PATH=/bin\nA=1\n");
	EXPECT("{{range $p, $conf := .Ports}}{{$p}} -> {{(index $conf 0).HostPort}}{{end}}", "80/tcp -> 8080");
	EXPECT("{{range .Tags}}{{$.Name}}{{end}}", "webwebweb");
	EXPECT("{{range .Tags}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}}", "a");
	EXPECT("{{range .Tags}}{{if eq . \"b\"}}{{continue}}{{end}}{{.}}{{end}}", "ac");
	EXPECT("{{range $k, $v := .Config.Labels}}{{range $.Tags}}{{break}}{{end}}{{$k}}{{if eq $k \"com.x\"}}{{break}}{{end}}{{end}}", "acom.x");
	EXPECT("{{break}}", "ERR: template: :1: {{break}} outside {{range}}");
	EXPECT("{{range .Tags}}{{else}}{{continue}}{{end}}", "ERR: template: :1: {{continue}} outside {{range}}");
	EXPECT("{{range .Name}}{{end}}", "ERR: template: :1:8: executing \"\" at <.Name>: range can't iterate over web");
}

static void test_if_with(void **state)
{
	(void)state;
	EXPECT("{{if .Running}}up{{end}}", "up");
	EXPECT("{{if .Stopped}}up{{else}}down{{end}}", "down");
	EXPECT("{{if .Empty}}a{{else if .Missing}}b{{else if .Tags}}c{{else}}d{{end}}", "c");
	EXPECT("{{if .NoTags}}a{{else if .Nil}}b{{else}}d{{end}}", "d");
	EXPECT("{{if eq .Name \"web\"}}yes{{end}}", "yes");
	EXPECT("{{if ne .Size 1234}}a{{else}}b{{end}}", "b");
	EXPECT("{{if and .Running .Name}}t{{end}}", "t");
	EXPECT("{{and .Running .Name}} {{or .Empty .Name}} {{or .Empty .Stopped}}", "web web false");
	EXPECT("{{not .Running}} {{not .Empty}}", "false true");
	EXPECT("{{if lt .Num 5}}small{{end}} {{if gt .Num 1}}big{{end}}", "small big");
	EXPECT("{{with .RootFS}}{{.Type}}{{end}}", "layers");
	EXPECT("{{with .Missing}}x{{else}}nothing{{end}}", "nothing");
	EXPECT("{{with $x := .Name}}{{$x}}{{end}}", "web");
	EXPECT("{{eq .Name \"a\" \"web\"}}", "true");
	EXPECT("{{eq 0.0 .Ratio}}", "false");
	EXPECT("{{eq .Missing \"x\"}} {{ne .Missing \"x\"}} {{eq .Missing .Nil}}", "false true true");
	EXPECT("{{eq .Name 1}}", "ERR: template: :1:2: executing \"\" at <eq .Name 1>: error calling eq: incompatible types for comparison");
	EXPECT("{{lt .Missing 1}}", "ERR: template: :1:2: executing \"\" at <lt .Missing 1>: error calling lt: invalid type for comparison");
	EXPECT("{{if ge .Num 3}}{{if le .Num 3}}three{{end}}{{end}}", "three");
}

static void test_functions(void **state)
{
	(void)state;
	EXPECT("{{join .Tags \", \"}}", "a, b, c");
	EXPECT("{{split \"a:b:c\" \":\"}}", "[a b c]");
	EXPECT("{{index (split .Id \":\") 1}}", "abcdef0123456789");
	EXPECT("{{lower \"ABC\"}} {{upper .Name}} {{title \"hello world-x\"}}", "abc WEB Hello World-X");
	EXPECT("{{truncate .Id 10}}|{{truncate .Name 10}}", "sha256:abc|web");
	EXPECT("{{pad .Name 2 3}}|{{pad .Empty 2 3}}|", "  web   ||");
	EXPECT("{{pad .Name -1 0}}", "ERR: template: :1:2: executing \"\" at <pad .Name -1 0>: error calling pad: strings: negative Repeat count");
	EXPECT("{{len .Tags}} {{len .Name}} {{len .Config.Labels}}", "3 3 3");
	EXPECT("{{printf \"%s-%d\" .Name .Size}}", "web-1234");
	EXPECT("{{printf \"%v %q\" .Tags .Name}}", "[a b c] \"web\"");
	EXPECT("{{printf \"%5s|%-5s|\" \"ab\" \"cd\"}}", "   ab|cd   |");
	EXPECT("{{printf \"%d\" .Name}}", "%!d(string=web)");
	EXPECT("{{printf \"%05d|%x|%X|%.2f|%f|%g|%t\" .Num .Size .Name .Ratio .Ratio .Big .Running}}",
	       "00003|4d2|776562|0.50|0.500000|1e+06|true");
	EXPECT("{{printf \"%s %d\" .Name}}", "web %!d(MISSING)");
	EXPECT("{{printf \"%.2s|%99999999999s|\" .Name .Name}}", "we|%!(BADWIDTH)web|");
	EXPECT("{{print \"a\" \"b\" 1 2 \"c\"}}", "ab1 2c");
	EXPECT("{{println \"a\" 1}}", "a 1\n");
	EXPECT("{{.Name | printf \"%s!\"}}", "web!");
	EXPECT("{{.Name | upper | printf \"<%s>\"}}", "<WEB>");
	EXPECT("{{$x := .Name}}{{$x}}{{$x = \"other\"}}{{$x}}", "webother");
	EXPECT("{{len .Num}}", "ERR: template: :1:2: executing \"\" at <len .Num>: error calling len: len of type int");
	EXPECT("{{upper .Num}}", "ERR: template: :1:8: executing \"\" at <.Num>: wrong type for value; expected string; got int");
	EXPECT("{{.Num | lower}}", "ERR: template: :1:9: executing \"\" at <lower>: wrong type for value; expected string; got int");
	EXPECT("{{truncate .Name .Name}}", "ERR: template: :1:17: executing \"\" at <.Name>: wrong type for value; expected int; got string");
}

static void test_trim_comments(void **state)
{
	(void)state;
	EXPECT("a  {{- .Name -}}  \n b", "awebb");
	EXPECT("{{range .Tags -}}\n  {{.}}\n{{- end}}", "abc");
	EXPECT("x{{/* comment */}}y", "xy");
	EXPECT("a {{-\t.Name\n-}} b", "awebb");
	EXPECT("x {{- /* c */ -}} y", "xy");
	EXPECT("{{.Name}}-{{3}}", "web-3");
	EXPECT("{{\"raw\"}} {{`back\\tick`}}", "raw back\\tick");
}

static void test_parse_errors(void **state)
{
	(void)state;
	EXPECT("{{foo .Name}}", "ERR: template: :1: function \"foo\" not defined");
	EXPECT("a\n{{bar}}", "ERR: template: :2: function \"bar\" not defined");
	EXPECT("{{.Name", "ERR: template: :1: unclosed action");
	EXPECT("{{if .Name}}x", "ERR: template: :1: unexpected EOF");
	EXPECT("{{end}}", "ERR: template: :1: unexpected {{end}}");
	EXPECT("{{$x}}", "ERR: template: :1: undefined variable \"$x\"");
	EXPECT("{{range .Tags}}{{$v := .}}{{end}}{{$v}}", "ERR: template: :1: undefined variable \"$v\"");
	EXPECT("{{}}", "ERR: template: :1: missing value for command");
	EXPECT("{{.Name @}}", "ERR: template: :1: unrecognized character in action: U+0040 '@'");
	EXPECT("{{.Name)}}", "ERR: template: :1: unexpected right paren U+0029 ')'");
	EXPECT("{{(.Name}}", "ERR: template: :1: unclosed left paren");
	EXPECT("{{if $x := .Empty}}a{{else}}[{{$x}}]{{end}}", "[]");
	EXPECT("{{.Name | \"x\"}}", "ERR: template: :1: non executable command in pipeline stage 2");
	EXPECT("{{.Name \"x\"}}", "ERR: template: :1:2: executing \"\" at <.Name>: Name is not a method but has arguments");
	EXPECT("{{\"a\" \"x\"}}", "ERR: template: :1:2: executing \"\" at <\"a\">: can't give argument to non-function \"a\"");
	EXPECT("{{(index .Ports \"80/tcp\" 0 \"HostPort\") | len | printf \"%d\" | printf \"%s\" 1}}", "%!s(int=1)%!(EXTRA string=4)");
	EXPECT("{{index .Nope 1 2 3 4 5 6 7 8 9}}", "ERR: template: :1:2: executing \"\" at <index .Nope 1 2 3 4 ...>: error calling index: index of untyped nil");
}

static char *fmt(const char *format, const char *rows_json)
{
	static const struct fmt_header hdr[] = {
		{ "ID", "IMAGE ID" }, { "Repository", "REPOSITORY" }, { "Tag", "TAG" }, { "Size", "SIZE" },
		{ NULL, NULL },
	};
	json_error_t je;
	json_t *rows = json_loads(rows_json, JSON_PRESERVE_ORDER, &je);
	assert_non_null(rows);
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	berr err = { 0 };
	char *res;
	if (fmt_render_sb(&sb, format, "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.Size}}", hdr, rows, &err) < 0)
		res = xasprintf("ERR: %s", err.msg);
	else
		res = xstrdup(sb.buf);
	sb_release(&sb);
	json_decref(rows);
	return res;
}

#define ROWS "[{\"ID\":\"0123456789ab\",\"Repository\":\"busybox\",\"Tag\":\"latest\",\"Size\":\"4.26MB\"}," \
	     "{\"ID\":\"ba9876543210\",\"Repository\":\"registry.example.com/team/app\",\"Tag\":\"v1.2.3-rc1\",\"Size\":\"123MB\"}]"

#define FMT(format, rows, want)                                                           \
	do {                                                                              \
		char *_got = fmt((format), (rows));                                       \
		if (strcmp(_got, (want)))                                                 \
			print_error("format %s\n  got  [%s]\n  want [%s]\n", (const char *)(format) ? (const char *)(format) : "(null)", _got, (want)); \
		int _ok = !strcmp(_got, (want));                                          \
		free(_got);                                                               \
		assert_true(_ok);                                                         \
	} while (0)

static void test_formatter(void **state)
{
	(void)state;
	const char *table =
		"REPOSITORY                      TAG          IMAGE ID       SIZE\n"
		"busybox                         latest       0123456789ab   4.26MB\n"
		"registry.example.com/team/app   v1.2.3-rc1   ba9876543210   123MB\n";
	FMT(NULL, ROWS, table);
	FMT("", ROWS, table);
	FMT("table", ROWS, table);
	FMT("table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.Size}}", ROWS, table);
	/* empty list: header only */
	FMT(NULL, "[]", "REPOSITORY   TAG       IMAGE ID   SIZE\n");
	/* short columns get minwidth 10 */
	FMT("table {{.Tag}}\\t{{.Size}}", "[{\"Tag\":\"a\",\"Size\":\"1B\"}]", "TAG       SIZE\na         1B\n");
	/* a custom template: no header, one line per row */
	FMT("{{.Repository}}:{{.Tag}}", ROWS, "busybox:latest\nregistry.example.com/team/app:v1.2.3-rc1\n");
	FMT("{{.ID}}\\t{{.Tag}}", ROWS, "0123456789ab\tlatest\nba9876543210\tv1.2.3-rc1\n");
	FMT("json", "[{\"ID\":\"x\",\"Size\":\"<1B>\"}]", "{\"ID\":\"x\",\"Size\":\"\\u003c1B\\u003e\"}\n");
	/* header functions leave titles intact */
	FMT("table {{.ID | lower}}\\t{{json .Tag}}\\t{{truncate .Repository 3}}",
	    "[{\"ID\":\"AB\",\"Tag\":\"t\",\"Repository\":\"busybox\"}]",
	    "IMAGE ID   TAG       REPOSITORY\nab         \"t\"       bus\n");
	/* header errors are ignored as Docker does; row errors are not */
	FMT("table {{range .Tag}}x{{end}}\t{{.Size}}", "[]", "\n");
	FMT("table {{.Size}}\t{{range .Tag}}{{.}}{{end}}", "[{\"Tag\":[\"a\",\"b\"],\"Size\":\"1B\"}]", "SIZE      \n1B        ab\n");
	FMT("{{range .Tag}}x{{end}}", "[{\"Tag\":\"s\"}]", "ERR: template parsing error: template: :1:8: executing \"\" at <.Tag>: range can't iterate over s");
	FMT("{{foo}}", ROWS, "ERR: template parsing error: template: :1: function \"foo\" not defined");
}

static void test_tabwriter(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	/* column blocks: a line with fewer cells ends the block above it */
	fmt_tabwrite(&sb, "a\tb\tc\naaaaaaaaaaaa\tb\nx\ny\tz\n");
	assert_string_equal(sb.buf,
			    "a              b         c\n"
			    "aaaaaaaaaaaa   b\n"
			    "x\n"
			    "y         z\n");
	sb_reset(&sb);
	/* trailing tab pads the last column; UTF-8 counted in runes */
	fmt_tabwrite(&sb, "h\u00e9llo\tx\t\nab\tyy\t\n");
	assert_string_equal(sb.buf, "h\u00e9llo     x         \nab        yy        \n");
	sb_release(&sb);
}

static void test_inspect(void **state)
{
	(void)state;
	json_t *d = data();
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	berr err = { 0 };
	assert_int_equal(fmt_inspect_sb(&sb, "{{.Name}} {{json .Tags}}", d, &err), 0);
	assert_string_equal(sb.buf, "web [\"a\",\"b\",\"c\"]\n");
	sb_reset(&sb);
	assert_int_equal(fmt_inspect_sb(&sb, "{{.Nope}}", d, &err), -1);
	assert_string_equal(err.msg, "template: :1:2: executing \"\" at <.Nope>: map has no entry for key \"Nope\"");
	assert_int_equal(fmt_inspect_sb(&sb, "{{nope}}", d, &err), -1);
	assert_string_equal(err.msg, "template parsing error: template: :1: function \"nope\" not defined");
	assert_int_equal(err.status, 1);
	/* a named template (docker version names it "version") */
	assert_null(tmpl_parse_named("version", "{{foo}}", &err));
	assert_string_equal(err.msg, "template: version:1: function \"foo\" not defined");
	struct tmpl *t = tmpl_parse_named("version", "{{.Nope}}", &err);
	assert_non_null(t);
	assert_int_equal(tmpl_exec(t, d, TMPL_MISSINGKEY_ERROR, &sb, &err), -1);
	assert_string_equal(err.msg, "template: version:1:2: executing \"version\" at <.Nope>: map has no entry for key \"Nope\"");
	tmpl_free(t);
	sb_release(&sb);
	json_decref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_missingkey_error),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_if_with),
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_trim_comments),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_formatter),
		cmocka_unit_test(test_tabwriter),
		cmocka_unit_test(test_inspect),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
