/* test_supervise: restart policy parsing and Docker's restart decision, log option validation,
 * health flag validation (supervise.c, supervise_spec.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "runtime/supervise.h"

static void test_policy_parse(void **state)
{
	(void)state;
	struct restart_policy rp;
	berr e;
	assert_int_equal(restart_policy_parse("no", &rp, &e), 0);
	assert_string_equal(rp.name, "no");
	assert_int_equal(restart_policy_parse(NULL, &rp, &e), 0);
	assert_string_equal(rp.name, "no");
	assert_int_equal(restart_policy_parse("on-failure:5", &rp, &e), 0);
	assert_string_equal(rp.name, "on-failure");
	assert_int_equal(rp.max, 5);
	assert_int_equal(restart_policy_parse("unless-stopped", &rp, &e), 0);
	assert_int_equal(restart_policy_parse("always:2", &rp, &e), -1);
	assert_string_equal(e.msg, "maximum retry count cannot be used with restart policy 'always'");
	assert_int_equal(restart_policy_parse("on-failure:-1", &rp, &e), -1);
	assert_string_equal(e.msg, "maximum retry count cannot be negative");
	assert_int_equal(restart_policy_parse("on-failure:x", &rp, &e), -1);
	assert_int_equal(restart_policy_parse("a:b:c", &rp, &e), -1);
	assert_string_equal(e.msg, "invalid restart policy format");
	assert_int_equal(restart_policy_parse("sometimes", &rp, &e), -1);
	assert_string_equal(e.msg, "invalid restart policy 'sometimes'");
}

static json_t *cfg_with(const char *name, int max, int count, bool manual)
{
	return json_pack("{s:{s:{s:s,s:i}},s:i,s:{s:b}}", "HostConfig", "RestartPolicy", "Name", name,
			 "MaximumRetryCount", max, "RestartCount", count, "BerthSupervise", "ManuallyStopped", manual);
}

static void test_should_restart(void **state)
{
	(void)state;
	struct { const char *name; int max, count; bool manual; int code; bool want; } t[] = {
		{ "no", 0, 0, false, 1, false },
		{ "always", 0, 10, false, 0, true },
		{ "always", 0, 0, true, 1, false },       /* stopped by hand */
		{ "unless-stopped", 0, 0, false, 0, true },
		{ "unless-stopped", 0, 0, true, 0, false },
		{ "on-failure", 0, 100, false, 1, true },  /* no limit */
		{ "on-failure", 0, 0, false, 0, false },   /* clean exit */
		{ "on-failure", 3, 2, false, 1, true },
		{ "on-failure", 3, 3, false, 1, false },   /* retries used up */
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		json_t *c = cfg_with(t[i].name, t[i].max, t[i].count, t[i].manual);
		assert_int_equal(restart_should(c, t[i].code), t[i].want);
		json_decref(c);
	}
}

static void test_log_config(void **state)
{
	(void)state;
	struct strvec o = STRVEC_INIT;
	json_t *lc = NULL;
	berr e;
	sv_push(&o, "max-size=10m");
	sv_push(&o, "max-file=3");
	assert_int_equal(log_config_build(NULL, &o, &lc, &e), 0);
	json_t *cfg = json_pack("{s:{s:o}}", "HostConfig", "LogConfig", lc);
	struct log_opts lo;
	log_opts_of(cfg, &lo);
	assert_string_equal(lo.driver, "json-file");
	assert_int_equal(lo.max_size, 10 * 1024 * 1024);
	assert_int_equal(lo.max_file, 3);
	json_decref(cfg);
	sv_clear(&o);
	sv_push(&o, "max-file=2");
	assert_int_equal(log_config_build("json-file", &o, &lc, &e), -1);
	assert_string_equal(e.msg, "max-file cannot be set without max-size");
	sv_clear(&o);
	assert_int_equal(log_config_build("syslogx", &o, &lc, &e), -1);
	assert_string_equal(e.msg, "logger: no log driver named 'syslogx' is registered");
	sv_push(&o, "tag=x");
	assert_int_equal(log_config_build("none", &o, &lc, &e), -1);
	assert_string_equal(e.msg, "unknown log opt 'tag' for none log driver");
	sv_clear(&o);
}

static void test_health_spec(void **state)
{
	(void)state;
	json_t *cfg = json_pack("{s:{},s:{s:{s:[s,s],s:I}}}", "HostConfig", "Config", "Healthcheck", "Test", "CMD",
				"/check", "Interval", (json_int_t)5000000000LL);
	struct sup_flags sf = { .health_timeout = "1m30s", .health_retries = "7" };
	berr e;
	assert_int_equal(supervise_spec("always", &sf, cfg, &e), 0);
	json_t *hc = json_object_get(json_object_get(cfg, "Config"), "Healthcheck");
	/* the image's test and interval stay, the flags override the rest */
	assert_string_equal(json_string_value(json_array_get(json_object_get(hc, "Test"), 1)), "/check");
	assert_int_equal(json_integer_value(json_object_get(hc, "Interval")), 5000000000LL);
	assert_int_equal(json_integer_value(json_object_get(hc, "Timeout")), 90000000000LL);
	assert_int_equal(json_integer_value(json_object_get(hc, "Retries")), 7);
	assert_non_null(health_config(cfg));
	struct sup_flags none = { .no_healthcheck = true };
	assert_int_equal(supervise_spec(NULL, &none, cfg, &e), 0);
	assert_null(health_config(cfg));
	struct sup_flags bad = { .no_healthcheck = true, .health_cmd = "x" };
	assert_int_equal(supervise_spec(NULL, &bad, cfg, &e), -1);
	assert_int_equal(e.status, 125);
	json_decref(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_parse),
		cmocka_unit_test(test_should_restart),
		cmocka_unit_test(test_log_config),
		cmocka_unit_test(test_health_spec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
