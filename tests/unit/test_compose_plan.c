/* test_compose_plan: the compose engine's pure parts: dependency order (plan.c), the config
 * hash that decides recreation, the replica count, and the notes' indented "..." error. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compose/engine.h"

static json_t *model(const char *js)
{
	json_error_t e;
	json_t *j = json_loads(js, 0, &e);
	assert_non_null(j);
	return j;
}

static char *order_str(json_t *m, const char *sel, bool deps, int *rc, berr *err)
{
	struct strvec s = STRVEC_INIT, o = STRVEC_INIT;
	if (sel)
		sv_push(&s, sel);
	*rc = compose_plan(m, &s, deps, &o, err);
	struct strbuf b = STRBUF_INIT;
	for (size_t i = 0; i < o.n; i++)
		sb_addf(&b, "%s%s", i ? " " : "", o.v[i]);
	sv_clear(&s);
	sv_clear(&o);
	return sb_detach(&b);
}

static void test_plan_order(void **state)
{
	(void)state;
	json_t *m = model("{\"services\":{\"proxy\":{\"depends_on\":{\"web\":{}}},\"web\":{\"depends_on\":{\"db\":{},\"cache\":{}}},"
			  "\"db\":{},\"cache\":{},\"lone\":{}}}");
	berr err = { 0 };
	int rc;
	char *s = order_str(m, NULL, true, &rc, &err);
	assert_int_equal(rc, 0);
	/* dependencies first (in depends_on order), then the model's order */
	assert_string_equal(s, "db cache web proxy lone");
	free(s);
	s = order_str(m, "web", true, &rc, &err);
	assert_string_equal(s, "db cache web");
	free(s);
	s = order_str(m, "web", false, &rc, &err);
	assert_string_equal(s, "web");
	free(s);
	s = order_str(m, "nosuch", true, &rc, &err);
	assert_int_equal(rc, -1);
	assert_string_equal(err.msg, "no such service: nosuch");
	free(s);
	json_decref(m);
}

/* the dependency levels up converges concurrently (engine.c: cengine_levels) */
static void test_levels(void **state)
{
	(void)state;
	json_t *m = model("{\"services\":{\"proxy\":{\"depends_on\":{\"web\":{}}},\"web\":{\"depends_on\":{\"db\":{},\"cache\":{}}},"
			  "\"db\":{},\"cache\":{\"depends_on\":{\"db\":{}}},\"lone\":{}}}");
	struct strvec o = STRVEC_INIT;
	berr err = { 0 };
	assert_int_equal(compose_plan(m, NULL, true, &o, &err), 0);
	int lv[8] = { 0 };
	compose_levels(m, &o, lv);
	struct strbuf b = STRBUF_INIT;
	for (size_t i = 0; i < o.n; i++)
		sb_addf(&b, "%s%s=%d", i ? " " : "", o.v[i], lv[i]);
	assert_string_equal(b.buf, "db=0 cache=1 web=2 proxy=3 lone=0");
	sb_release(&b);
	sv_clear(&o);
	json_decref(m);
}

static void test_pull_policy(void **state)
{
	(void)state;
	json_t *s = model("{\"pull_policy\":\"always\"}");
	assert_string_equal(cengine_pull_policy(s, NULL), "always");
	assert_string_equal(cengine_pull_policy(s, "never"), "never");
	json_object_set_new(s, "pull_policy", json_string("if_not_present"));
	assert_string_equal(cengine_pull_policy(s, NULL), "missing");
	json_object_set_new(s, "pull_policy", json_string("every_12h"));
	assert_string_equal(cengine_pull_policy(s, NULL), "missing");
	json_object_set_new(s, "pull_policy", json_string("build"));
	assert_string_equal(cengine_pull_policy(s, NULL), "build");
	json_object_del(s, "pull_policy");
	assert_string_equal(cengine_pull_policy(s, NULL), "missing");
	json_decref(s);
}

static void test_plan_cycle(void **state)
{
	(void)state;
	json_t *m = model("{\"services\":{\"a\":{\"depends_on\":{\"b\":{}}},\"b\":{\"depends_on\":{\"c\":{}}},\"c\":{\"depends_on\":{\"a\":{}}}}}");
	berr err = { 0 };
	int rc;
	char *s = order_str(m, NULL, true, &rc, &err);
	assert_int_equal(rc, -1);
	assert_string_equal(err.msg, "dependency cycle detected: a -> b -> c -> a");
	free(s);
	json_decref(m);
}

static void test_hash(void **state)
{
	(void)state;
	json_t *a = model("{\"image\":\"busybox\",\"environment\":{\"A\":\"1\"},\"deploy\":{\"replicas\":2}}");
	json_t *b = model("{\"deploy\":{\"replicas\":5},\"environment\":{\"A\":\"1\"},\"image\":\"busybox\",\"build\":{\"context\":\"/x\"}}");
	json_t *c = model("{\"image\":\"busybox\",\"environment\":{\"A\":\"2\"}}");
	char *ha = compose_service_hash(a), *hb = compose_service_hash(b), *hc = compose_service_hash(c);
	assert_int_equal(strlen(ha), 64);
	/* key order, replicas and build do not change the hash; the environment does */
	assert_string_equal(ha, hb);
	assert_string_not_equal(ha, hc);
	free(ha); free(hb); free(hc);
	json_decref(a); json_decref(b); json_decref(c);
}

static void test_replicas(void **state)
{
	(void)state;
	json_t *s = model("{\"deploy\":{\"replicas\":3}}");
	struct strvec sc = STRVEC_INIT;
	assert_int_equal(compose_replicas(s, "web", &sc), 3);
	sv_push(&sc, "webx=7");
	sv_push(&sc, "web=2");
	assert_int_equal(compose_replicas(s, "web", &sc), 2);
	json_object_set_new(s, "scale", json_integer(4));
	assert_int_equal(compose_replicas(s, "other", &sc), 4);
	json_t *none = model("{}");
	assert_int_equal(compose_replicas(none, "x", NULL), 1);
	sv_clear(&sc);
	json_decref(s);
	json_decref(none);
}

static void test_notes_dots(void **state)
{
	(void)state;
	const char *t = "services:\n  app:\n    image: x\n    ports:\n        - 80:8000\n    ...\n";
	json_t *j = NULL;
	berr err = { 0 };
	assert_int_equal(compose_yaml_parse("n.yml", t, strlen(t), &j, &err), -1);
	assert_string_equal(err.msg, "failed to parse n.yml: yaml: line 6: could not find expected ':'\n"
				     "n.yml:6: the indented \"...\" is not YAML's document end marker; it is the notes' "
				     "\"more follows\" shorthand: remove that line");
	/* in column 0 it is the document end marker */
	const char *ok = "services:\n  app:\n    image: x\n...\n";
	assert_int_equal(compose_yaml_parse("ok.yml", ok, strlen(ok), &j, &err), 0);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_order),
		cmocka_unit_test(test_plan_cycle),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_pull_policy),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_replicas),
		cmocka_unit_test(test_notes_dots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
