/* test_compose: the Compose loader's pieces: YAML 1.2 scalars and merge keys, interpolation,
 * dotenv parsing, the merge rules, schema validation and normalisation helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compose/compose.h"

static json_t *yaml(const char *text)
{
	json_t *j = NULL;
	berr err = { 0 };
	if (compose_yaml_parse("test.yaml", text, strlen(text), &j, &err) < 0) {
		fprintf(stderr, "parse: %s\n", err.msg);
		return NULL;
	}
	return j;
}

static void test_yaml_scalars(void **state)
{
	(void)state;
	json_t *j = yaml("a: 2222:22\nb: no\nc: on\nd: yes\ne: 12\nf: 0x1f\ng: 1.5\nh: true\ni: ~\nj: \"12\"\nk: 0o17\n"
			 "l: 0755\nm: 1_000\nn: 'true'\no: False\np: .5\nq: 1e3\nr: -7\n");
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "a")), "2222:22");
	assert_string_equal(json_string_value(json_object_get(j, "b")), "no");
	assert_string_equal(json_string_value(json_object_get(j, "c")), "on");
	assert_string_equal(json_string_value(json_object_get(j, "d")), "yes");
	assert_int_equal(json_integer_value(json_object_get(j, "e")), 12);
	assert_int_equal(json_integer_value(json_object_get(j, "f")), 31);
	assert_true(json_is_real(json_object_get(j, "g")));
	assert_true(json_is_true(json_object_get(j, "h")));
	assert_true(json_is_null(json_object_get(j, "i")));
	assert_string_equal(json_string_value(json_object_get(j, "j")), "12");
	assert_int_equal(json_integer_value(json_object_get(j, "k")), 15);
	assert_int_equal(json_integer_value(json_object_get(j, "l")), 493);
	assert_int_equal(json_integer_value(json_object_get(j, "m")), 1000);
	assert_string_equal(json_string_value(json_object_get(j, "n")), "true");
	assert_true(json_is_false(json_object_get(j, "o")));
	assert_true(json_is_real(json_object_get(j, "p")));
	assert_true(json_is_real(json_object_get(j, "q")));
	assert_int_equal(json_integer_value(json_object_get(j, "r")), -7);
	json_decref(j);
}

static void test_yaml_anchors_merge(void **state)
{
	(void)state;
	json_t *j = yaml("x-base: &base\n  image: busybox\n  restart: always\n"
			 "x-more: &more\n  restart: no\n  user: nobody\n"
			 "services:\n  a:\n    <<: [*base, *more]\n    restart: on-failure\n  b: *base\n"
			 "  c:\n    <<: *base\n");
	assert_non_null(j);
	json_t *s = json_object_get(j, "services");
	json_t *a = json_object_get(s, "a");
	assert_string_equal(json_string_value(json_object_get(a, "image")), "busybox");
	assert_string_equal(json_string_value(json_object_get(a, "restart")), "on-failure");
	assert_string_equal(json_string_value(json_object_get(a, "user")), "nobody");
	assert_string_equal(json_string_value(json_object_get(json_object_get(s, "b"), "restart")), "always");
	assert_string_equal(json_string_value(json_object_get(json_object_get(s, "c"), "image")), "busybox");
	json_decref(j);
	/* the earlier mapping in a merge list wins */
	j = yaml("x: &x {k: 1}\ny: &y {k: 2}\nz:\n  <<: [*x, *y]\n");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "z"), "k")), 1);
	json_decref(j);
}

static void test_yaml_errors(void **state)
{
	(void)state;
	json_t *j = NULL;
	berr err = { 0 };
	assert_int_equal(compose_yaml_parse("bad.yaml", "a: [1, 2\n", 9, &j, &err), -1);
	assert_non_null(strstr(err.msg, "bad.yaml"));
	assert_int_equal(compose_yaml_parse("dup.yaml", "a: 1\na: 2\n", 10, &j, &err), -1);
	assert_int_equal(compose_yaml_parse("list.yaml", "- a\n", 4, &j, &err), -1);
	/* invalid UTF-8 is refused (libfyaml could loop on it); valid multi-byte text is fine */
	assert_int_equal(compose_yaml_parse("u.yaml", "a: 1\n%\xb0\n", 8, &j, &err), -1);
	assert_non_null(strstr(err.msg, "invalid UTF-8"));
	j = yaml("a: \"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"\n");
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "a")), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	json_decref(j);
	/* single-quoted scalars, including many '' escapes (decoded by berth, see scalar_text) */
	j = yaml("a: 'it''s'\nb: ''\nc: ''''''''''''''''''''''''''''''''''''''''''''\n'd''': 'multi\n  line'\n");
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "a")), "it's");
	assert_string_equal(json_string_value(json_object_get(j, "b")), "");
	assert_int_equal(strlen(json_string_value(json_object_get(j, "c"))), 21);
	assert_string_equal(json_string_value(json_object_get(j, "d'")), "multi line");
	json_decref(j);
	/* a document end marker in column 0 is fine */
	j = yaml("a: 1\n...\n");
	assert_non_null(j);
	json_decref(j);
}

static void test_yaml_emit_roundtrip(void **state)
{
	(void)state;
	json_t *v = json_pack("{s:s,s:s,s:s,s:i,s:b,s:n,s:[s,s],s:s}", "port", "80", "no", "no", "plain", "hello",
			      "int", 5, "bool", 1, "null", "list", "a", "b c", "multi", "line1\nline2");
	char *s = compose_yaml_emit(v);
	assert_non_null(s);
	json_t *back = yaml(s);
	assert_non_null(back);
	assert_true(json_equal(v, back));
	free(s);
	json_decref(v);
	json_decref(back);
}

static const char *lk(void *ud, const char *name)
{
	(void)ud;
	if (!strcmp(name, "SET")) return "value";
	if (!strcmp(name, "EMPTY")) return "";
	if (!strcmp(name, "lower_case")) return "lc";
	return NULL;
}

static char *interp(const char *in)
{
	char *out = NULL;
	berr err = { 0 };
	if (compose_interp_string(in, lk, NULL, &out, NULL, &err) < 0)
		return NULL;
	return out;
}

#define ASSERT_INTERP(in, want)                          \
	do {                                             \
		char *_o = interp(in);                   \
		assert_non_null(_o);                     \
		assert_string_equal(_o, want);           \
		free(_o);                                \
	} while (0)

static void test_interp(void **state)
{
	(void)state;
	ASSERT_INTERP("${SET}", "value");
	ASSERT_INTERP("$SET", "value");
	ASSERT_INTERP("a${SET}b", "avalueb");
	ASSERT_INTERP("$SET.x", "value.x");
	ASSERT_INTERP("${UNSET}", "");
	ASSERT_INTERP("${UNSET:-def}", "def");
	ASSERT_INTERP("${EMPTY:-def}", "def");
	ASSERT_INTERP("${EMPTY-def}", "");
	ASSERT_INTERP("${UNSET-def}", "def");
	ASSERT_INTERP("${SET:-def}", "value");
	ASSERT_INTERP("${SET:+alt}", "alt");
	ASSERT_INTERP("${EMPTY:+alt}", "");
	ASSERT_INTERP("${EMPTY+alt}", "alt");
	ASSERT_INTERP("${UNSET+alt}", "");
	ASSERT_INTERP("$$SET", "$SET");
	ASSERT_INTERP("$${SET}", "${SET}");
	ASSERT_INTERP("cost: 5$", "cost: 5$");
	ASSERT_INTERP("$1", "$1");
	ASSERT_INTERP("${UNSET:-${SET}}", "value");
	ASSERT_INTERP("${UNSET:-${ALSO_UNSET:-deep}}", "deep");
	ASSERT_INTERP("${UNSET:-a}${SET}", "avalue");
	ASSERT_INTERP("${lower_case}", "lc");
	ASSERT_INTERP("${UNSET:-with spaces and : colons}", "with spaces and : colons");
	ASSERT_INTERP("${SET:?must be set}", "value");
	ASSERT_INTERP("${UNSET:-{x}y}", "{x}y");
	ASSERT_INTERP("${UNSET:-a}}", "a}");

	char *out = NULL;
	berr err = { 0 };
	assert_int_equal(compose_interp_string("${UNSET:?please set it}", lk, NULL, &out, NULL, &err), -1);
	assert_string_equal(err.msg, "required variable UNSET is missing a value: please set it");
	assert_int_equal(compose_interp_string("${EMPTY:?}", lk, NULL, &out, NULL, &err), -1);
	assert_string_equal(err.msg, "required variable EMPTY is missing a value");
	assert_int_equal(compose_interp_string("${EMPTY?x}", lk, NULL, &out, NULL, &err), 0);
	free(out);
	assert_int_equal(compose_interp_string("${UNSET?x}", lk, NULL, &out, NULL, &err), -1);
	assert_int_equal(compose_interp_string("${", lk, NULL, &out, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "Invalid template"));
	assert_int_equal(compose_interp_string("${9X}", lk, NULL, &out, NULL, &err), -1);
	assert_int_equal(compose_interp_string("${SET:x}", lk, NULL, &out, NULL, &err), -1);

	struct strvec unset = STRVEC_INIT;
	assert_int_equal(compose_interp_string("$A ${A} ${B:-x} $C", lk, NULL, &out, &unset, &err), 0);
	free(out);
	assert_int_equal(unset.n, 2);
	assert_string_equal(unset.v[0], "A");
	assert_string_equal(unset.v[1], "C");
	sv_clear(&unset);
}

static void test_interpolate_model(void **state)
{
	(void)state;
	json_t *env = json_pack("{s:s,s:s,s:s}", "IMG", "busybox", "PRIV", "true", "PORT", "8080");
	json_t *m = json_pack("{s:{s:{s:s,s:s,s:[s]}}}", "services", "web", "image", "${IMG}:latest", "privileged",
			      "${PRIV}", "ports", "${PORT}:80");
	berr err = { 0 };
	assert_int_equal(compose_interpolate(m, compose_lookup_json, env, &err), 0);
	json_t *web = json_object_get(json_object_get(m, "services"), "web");
	assert_string_equal(json_string_value(json_object_get(web, "image")), "busybox:latest");
	assert_true(json_is_true(json_object_get(web, "privileged")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(web, "ports"), 0)), "8080:80");
	json_decref(m);
	m = json_pack("{s:{s:{s:[s,s]}}}", "services", "web", "environment", "A=1", "B=${NOPE:?need NOPE}");
	assert_int_equal(compose_interpolate(m, compose_lookup_json, env, &err), -1);
	assert_string_equal(err.msg, "error while interpolating services.web.environment[1]: required variable NOPE is missing a value: need NOPE");
	json_decref(m);
	json_decref(env);
}

static void test_dotenv(void **state)
{
	(void)state;
	const char *text = "# comment\n"
			   "A=1\n"
			   "export B=two words  \n"
			   "C='single $A quoted'\n"
			   "D=\"double ${A} \\n quoted\"\n"
			   "E=${A}x\n"
			   "F=value # inline comment\n"
			   "G=value#not-a-comment\n"
			   "H: yaml style\n"
			   "\n"
			   "I=\n"
			   "J=\"multi\nline\"\n"
			   "K=${FROM_ENV}\n"
			   "FROM_ENV=file\n"
			   "L=${FROM_ENV}\n";
	json_t *env = json_pack("{s:s}", "FROM_ENV", "process");
	json_t *o = json_object();
	berr err = { 0 };
	assert_int_equal(compose_dotenv_parse(".env", text, compose_lookup_json, env, o, &err), 0);
	assert_string_equal(json_string_value(json_object_get(o, "A")), "1");
	assert_string_equal(json_string_value(json_object_get(o, "B")), "two words");
	assert_string_equal(json_string_value(json_object_get(o, "C")), "single $A quoted");
	assert_string_equal(json_string_value(json_object_get(o, "D")), "double 1 \n quoted");
	assert_string_equal(json_string_value(json_object_get(o, "E")), "1x");
	assert_string_equal(json_string_value(json_object_get(o, "F")), "value");
	assert_string_equal(json_string_value(json_object_get(o, "G")), "value#not-a-comment");
	assert_string_equal(json_string_value(json_object_get(o, "H")), "yaml style");
	assert_string_equal(json_string_value(json_object_get(o, "I")), "");
	assert_string_equal(json_string_value(json_object_get(o, "J")), "multi\nline");
	assert_string_equal(json_string_value(json_object_get(o, "K")), "process");
	/* the process environment wins over the file's own variables */
	assert_string_equal(json_string_value(json_object_get(o, "L")), "process");
	json_decref(o);
	o = json_object();
	assert_int_equal(compose_dotenv_parse(".env", "A B=1\n", NULL, NULL, o, &err), -1);
	assert_int_equal(compose_dotenv_parse(".env", "A=\"unterminated\n", NULL, NULL, o, &err), -1);
	json_decref(o);
	json_decref(env);
}

/* the reference parser's fixtures (quoted, unquoted, substitutions), restated */
static void test_dotenv_reference(void **state)
{
	(void)state;
	const char *text = "OPTION_A='1'\nOPTION_C=''\nOPTION_D='\\n'\nOPTION_G=\"\"\nOPTION_H=\"\\n\"\n"
			   "OPTION_I = \"echo 'asd'\" # Inline comment\n"
			   "OPTION_J = 'first line\nsecond line'\nOPTION_K='Let\\'s go!'\n"
			   "U_C = then another one with an unquoted phrase\n"
			   "S_A=1\nS_B=${S_A}\nS_C=$S_B\nS_D=${S_A}_${S_B}\nS_E=${S_NOT_DEFINED}\n"
			   "ESC=\"a\\tb\\$c\\'d\"\nINHERIT\nDOLLARS=$$x\n";
	json_t *env = json_pack("{s:s}", "INHERIT", "from-env");
	json_t *o = json_object();
	berr err = { 0 };
	assert_int_equal(compose_dotenv_parse(".env", text, compose_lookup_json, env, o, &err), 0);
#define V(k) json_string_value(json_object_get(o, k))
	assert_string_equal(V("OPTION_A"), "1");
	assert_string_equal(V("OPTION_C"), "");
	assert_string_equal(V("OPTION_D"), "\\n");
	assert_string_equal(V("OPTION_G"), "");
	assert_string_equal(V("OPTION_H"), "\n");
	assert_string_equal(V("OPTION_I"), "echo 'asd'");
	assert_string_equal(V("OPTION_J"), "first line\nsecond line");
	assert_string_equal(V("OPTION_K"), "Let's go!");
	assert_string_equal(V("U_C"), "then another one with an unquoted phrase");
	assert_string_equal(V("S_B"), "1");
	assert_string_equal(V("S_C"), "1");
	assert_string_equal(V("S_D"), "1_1");
	assert_string_equal(V("S_E"), "");
	assert_string_equal(V("ESC"), "a\tb$c\\'d");
	assert_string_equal(V("INHERIT"), "from-env");
	assert_string_equal(V("DOLLARS"), "$x");
#undef V
	json_decref(o);
	json_decref(env);
}

static void test_merge(void **state)
{
	(void)state;
	json_t *a = yaml("services:\n  web:\n    image: a\n    command: [a, b]\n    environment: [X=1, Y=2]\n"
			 "    ports: ['80:80', '443:443']\n    volumes: ['./a:/data', 'logs:/logs']\n"
			 "    labels: {l1: a}\n    expose: ['1']\n    depends_on: [db]\n"
			 "  db:\n    image: db\n");
	json_t *b = yaml("services:\n  web:\n    image: b\n    command: [c]\n    environment: {Y: 3, Z: 4}\n"
			 "    ports: ['80:80', '8080:80']\n    volumes: ['./b:/data']\n    labels: [l2=b]\n"
			 "    expose: ['1', '2']\n    depends_on: {cache: {condition: service_healthy}}\n"
			 "  cache:\n    image: redis\n");
	berr err = { 0 };
	json_t *m = compose_merge(a, b, &err);
	assert_non_null(m);
	compose_enforce_unicity(m);
	json_t *web = json_object_get(json_object_get(m, "services"), "web");
	assert_string_equal(json_string_value(json_object_get(web, "image")), "b");
	json_t *cmd = json_object_get(web, "command");
	assert_int_equal(json_array_size(cmd), 1);
	assert_string_equal(json_string_value(json_array_get(cmd, 0)), "c");
	json_t *env = json_object_get(web, "environment");
	assert_string_equal(json_string_value(json_object_get(env, "X")), "1");
	assert_int_equal(json_integer_value(json_object_get(env, "Y")), 3);
	assert_int_equal(json_integer_value(json_object_get(env, "Z")), 4);
	json_t *ports = json_object_get(web, "ports");
	assert_int_equal(json_array_size(ports), 3);
	json_t *vols = json_object_get(web, "volumes");
	assert_int_equal(json_array_size(vols), 2);
	assert_string_equal(json_string_value(json_array_get(vols, 0)), "./b:/data");
	assert_string_equal(json_string_value(json_array_get(vols, 1)), "logs:/logs");
	json_t *labels = json_object_get(web, "labels");
	assert_string_equal(json_string_value(json_object_get(labels, "l1")), "a");
	assert_string_equal(json_string_value(json_object_get(labels, "l2")), "b");
	assert_int_equal(json_array_size(json_object_get(web, "expose")), 2);
	json_t *deps = json_object_get(web, "depends_on");
	assert_non_null(json_object_get(deps, "db"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(deps, "cache"), "condition")), "service_healthy");
	assert_non_null(json_object_get(json_object_get(m, "services"), "cache"));
	assert_non_null(json_object_get(json_object_get(m, "services"), "db"));
	json_decref(a);
	json_decref(b);
	json_decref(m);
}

static void test_merge_reset_override(void **state)
{
	(void)state;
	json_t *a = yaml("services:\n  web:\n    image: a\n    ports: ['80:80']\n    environment: {A: 1, B: 2}\n");
	json_t *b = yaml("services:\n  web:\n    ports: !reset []\n    environment: !override {C: 3}\n");
	berr err = { 0 };
	json_t *m = compose_merge(a, b, &err);
	assert_non_null(m);
	compose_enforce_unicity(m);
	compose_strip_markers(m);
	json_t *web = json_object_get(json_object_get(m, "services"), "web");
	assert_null(json_object_get(web, "ports"));
	json_t *env = json_object_get(web, "environment");
	assert_int_equal(json_object_size(env), 1);
	assert_int_equal(json_integer_value(json_object_get(env, "C")), 3);
	json_decref(a);
	json_decref(b);
	json_decref(m);
}

static void test_merge_rules_more(void **state)
{
	(void)state;
	berr err = { 0 };
	json_t *a = yaml("services:\n  web:\n    image: a\n    user: root\n    dns: 1.1.1.1\n"
			 "    security_opt: [x]\n    ports: ['80:80', '80:80']\n    secrets: [s1]\n");
	json_t *b = yaml("services:\n  web:\n    user: null\n    dns: [8.8.8.8]\n    security_opt: [x]\n"
			 "    secrets: [{source: s1, mode: 0400}]\n");
	json_t *m = compose_merge(a, b, &err);
	assert_non_null(m);
	compose_enforce_unicity(m);
	json_t *web = json_object_get(json_object_get(m, "services"), "web");
	/* a null override keeps the base value */
	assert_string_equal(json_string_value(json_object_get(web, "user")), "root");
	/* a string is a one-item sequence; sequences append */
	assert_int_equal(json_array_size(json_object_get(web, "dns")), 2);
	/* sequences without a key rule are appended as they are */
	assert_int_equal(json_array_size(json_object_get(web, "security_opt")), 2);
	/* duplicates of keyed sequences collapse, even within one file */
	assert_int_equal(json_array_size(json_object_get(web, "ports")), 1);
	/* secrets keyed by target (/run/secrets/<source>): the later long form replaces */
	assert_int_equal(json_array_size(json_object_get(web, "secrets")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(web, "secrets"), 0), "mode")), 256);
	json_decref(m);
	json_decref(b);
	/* mismatched kinds cannot be merged */
	b = yaml("services:\n  web:\n    ports: {a: 1}\n");
	assert_null(compose_merge(a, b, &err));
	assert_string_equal(err.msg, "cannot override services.web.ports");
	json_decref(a);
	json_decref(b);
}

static void test_validate(void **state)
{
	(void)state;
	if (!compose_schema_path()) {
		skip();
		return;
	}
	berr err = { 0 };
	json_t *m = yaml("services:\n  web:\n    image: x\n    ports: ['80:80', {target: 80, published: 8080}]\n");
	assert_int_equal(compose_validate(m, "c.yaml", &err), 0);
	json_decref(m);
	m = yaml("services:\n  web:\n    image: x\n    ports: [[1]]\n");
	assert_int_equal(compose_validate(m, "c.yaml", &err), -1);
	assert_non_null(strstr(err.msg, "validating c.yaml: services.web.ports[0]"));
	json_decref(m);
	m = yaml("services:\n  web:\n    image: x\n    restart: {a: 1}\n");
	assert_int_equal(compose_validate(m, "c.yaml", &err), -1);
	assert_non_null(strstr(err.msg, "services.web.restart: expected string"));
	json_decref(m);
	m = yaml("services:\n  web:\n    image: x\n    frobnicate: 1\n");
	assert_int_equal(compose_validate(m, "c.yaml", &err), -1);
	assert_non_null(strstr(err.msg, "additional property 'frobnicate' is not allowed"));
	json_decref(m);
	m = yaml("services:\n  web:\n    image: x\n    x-mine: {anything: [1]}\nx-top: 1\n");
	assert_int_equal(compose_validate(m, "c.yaml", &err), 0);
	json_decref(m);
}

static void test_names(void **state)
{
	(void)state;
	char *n = compose_normalize_name("My Project.v2");
	assert_string_equal(n, "myprojectv2");
	free(n);
	n = compose_normalize_name("__-x_Y");
	assert_string_equal(n, "x_y");
	free(n);
	assert_true(compose_valid_name("web-1_a"));
	assert_false(compose_valid_name("Web"));
	assert_false(compose_valid_name("_web"));
	assert_false(compose_valid_name(""));
	char *p = compose_abspath("/a/b", "./c/../d//e/.");
	assert_string_equal(p, "/a/b/d/e");
	free(p);
}

static void test_durations(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "90s", "1m30s" }, { "1m", "1m0s" }, { "1h", "1h0m0s" }, { "1.5h", "1h30m0s" }, { "30s", "30s" },
		{ "1m30s", "1m30s" }, { "500ms", "500ms" }, { "1.5s", "1.5s" }, { "0", "0s" }, { "2d", "48h0m0s" },
		{ "1500us", "1.5ms" }, { "10ns", "10ns" }, { "1w", "168h0m0s" }, { "2h45m", "2h45m0s" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		long long ns;
		assert_int_equal(compose_parse_duration(cases[i].in, &ns), 0);
		char *d = compose_format_duration(ns);
		assert_string_equal(d, cases[i].out);
		free(d);
	}
	long long ns;
	assert_int_equal(compose_parse_duration("30", &ns), -1);
	assert_int_equal(compose_parse_duration("abc", &ns), -1);
	assert_int_equal(compose_parse_duration("", &ns), -1);
	assert_int_equal(compose_parse_duration("5x", &ns), -1);
}

static void test_depends_cycle(void **state)
{
	(void)state;
	berr err = { 0 };
	json_t *m = json_pack("{s:{s:{s:{s:{}}},s:{s:{s:{}}},s:{}}}", "services", "a", "depends_on", "b", "b",
			      "depends_on", "a", "c");
	assert_int_equal(compose_check_depends(m, &err), -1);
	assert_string_equal(err.msg, "dependency cycle detected: a -> b -> a");
	json_decref(m);
	m = json_pack("{s:{s:{s:{s:{}}}}}", "services", "a", "depends_on", "ghost");
	assert_int_equal(compose_check_depends(m, &err), -1);
	assert_non_null(strstr(err.msg, "depends on undefined service \"ghost\""));
	json_decref(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yaml_scalars),
		cmocka_unit_test(test_yaml_anchors_merge),
		cmocka_unit_test(test_yaml_errors),
		cmocka_unit_test(test_yaml_emit_roundtrip),
		cmocka_unit_test(test_interp),
		cmocka_unit_test(test_interpolate_model),
		cmocka_unit_test(test_dotenv),
		cmocka_unit_test(test_dotenv_reference),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_merge_reset_override),
		cmocka_unit_test(test_merge_rules_more),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_depends_cycle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
