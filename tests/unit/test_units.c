/* test_units: go-units sizes and durations (docker/go-units test vectors), Go durations,
 * RFC3339Nano and Docker's --since/--until parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include "util/units.h"

#define KB 1000.0
#define MB (1000 * KB)
#define GB (1000 * MB)
#define TB (1000 * GB)
#define PB (1000 * TB)
#define KiB 1024.0
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)
#define TiB (1024 * GiB)
#define PiB (1024 * TiB)

static void test_human_size(void **state)
{
	(void)state;
	char b[UNITS_BUF];
	assert_string_equal(units_human_size(1000, b), "1kB");
	assert_string_equal(units_human_size(1024, b), "1.024kB");
	assert_string_equal(units_human_size(1000000, b), "1MB");
	assert_string_equal(units_human_size(1048576, b), "1.049MB");
	assert_string_equal(units_human_size(2 * MB, b), "2MB");
	assert_string_equal(units_human_size(3.42 * GB, b), "3.42GB");
	assert_string_equal(units_human_size(5.372 * TB, b), "5.372TB");
	assert_string_equal(units_human_size(2.22 * PB, b), "2.22PB");
	assert_string_equal(units_human_size(10000000000000 * PB, b), "1e+04YB");
	assert_string_equal(units_human_size(123, b), "123B");
	assert_string_equal(units_human_size(0, b), "0B");
	/* docker images uses precision 3 */
	assert_string_equal(units_human_size_prec(2158000, 3, b), "2.16MB");
	assert_string_equal(units_human_size_prec(1050, 3, b), "1.05kB");
	assert_string_equal(units_human_size_prec(4261274, 3, b), "4.26MB");
}

static void test_bytes_size(void **state)
{
	(void)state;
	char b[UNITS_BUF];
	assert_string_equal(units_bytes_size(1024, b), "1KiB");
	assert_string_equal(units_bytes_size(1024 * 1024, b), "1MiB");
	assert_string_equal(units_bytes_size(2 * MiB, b), "2MiB");
	assert_string_equal(units_bytes_size(1.5 * MiB, b), "1.5MiB");
	assert_string_equal(units_bytes_size(3.42 * GiB, b), "3.42GiB");
	assert_string_equal(units_bytes_size(5.372 * TiB, b), "5.372TiB");
	assert_string_equal(units_bytes_size(2.22 * PiB, b), "2.22PiB");
	assert_string_equal(units_bytes_size(KiB * KiB * KiB * KiB * KiB * PiB, b), "1.049e+06YiB");
	assert_string_equal(units_bytes_size(512, b), "512B");
}

#define SEC 1000000000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
#define WEEK (7 * DAY)
#define MONTH (30 * DAY)
#define YEAR (365 * DAY)
#define HD(d, want) assert_string_equal(units_human_duration((d), b), (want))

static void test_human_duration(void **state)
{
	(void)state;
	char b[UNITS_BUF];
	HD(450 * 1000000LL, "Less than a second");
	HD(1 * SEC, "1 second");
	HD(45 * SEC, "45 seconds");
	HD(59 * SEC, "59 seconds");
	HD(60 * SEC, "About a minute");
	HD(3 * MIN, "3 minutes");
	HD(35 * MIN + 40 * SEC, "35 minutes");
	HD(59 * MIN, "59 minutes");
	HD(1 * HOUR, "About an hour");
	HD(1 * HOUR + 29 * MIN, "About an hour");
	HD(1 * HOUR + 31 * MIN, "2 hours");
	HD(1 * HOUR + 59 * MIN, "2 hours");
	HD(3 * HOUR + 29 * MIN, "3 hours");
	HD(3 * HOUR + 31 * MIN, "4 hours");
	HD(24 * HOUR, "24 hours");
	HD(1 * DAY + 12 * HOUR, "36 hours");
	HD(2 * DAY, "2 days");
	HD(7 * DAY, "7 days");
	HD(13 * DAY + 5 * HOUR, "13 days");
	HD(2 * WEEK, "2 weeks");
	HD(2 * WEEK + 4 * DAY, "2 weeks");
	HD(3 * WEEK, "3 weeks");
	HD(4 * WEEK + 3 * DAY, "4 weeks");
	HD(1 * MONTH, "4 weeks");
	HD(1 * MONTH + 2 * WEEK, "6 weeks");
	HD(2 * MONTH, "2 months");
	HD(3 * MONTH + 1 * WEEK, "3 months");
	HD(5 * MONTH + 2 * WEEK, "5 months");
	HD(13 * MONTH, "13 months");
	HD(24 * MONTH, "24 months");
	HD(24 * MONTH + 2 * WEEK, "2 years");
	HD(3 * YEAR + 2 * MONTH, "3 years");
}

static void test_parse_size(void **state)
{
	(void)state;
	int64_t v;
	berr e = { 0 };
	static const struct { const char *s; int64_t ram, dec; } ok[] = {
		{ "32", 32, 32 }, { "32b", 32, 32 }, { "32B", 32, 32 },
		{ "32k", 32 * 1024, 32000 }, { "32K", 32 * 1024, 32000 }, { "32kb", 32 * 1024, 32000 },
		{ "32Kib", 32 * 1024, 32000 }, { "32KIB", 32 * 1024, 32000 },
		{ "32Mb", 32LL << 20, 32000000 }, { "32Gb", 32LL << 30, 32000000000LL },
		{ "32Tb", 32LL << 40, 32000000000000LL }, { "32Pb", 32LL << 50, 32000000000000000LL },
		{ "32P", 32LL << 50, 32000000000000000LL }, { "32.5 kB", 33280, 32500 },
		{ "32.3", 32, 32 }, { "0.3 K", 307, 300 }, { "512k", 524288, 512000 },
		{ "10m", 10485760, 10000000 }, { "1g", 1073741824, 1000000000 },
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		assert_int_equal(units_ram_in_bytes(ok[i].s, &v, &e), 0);
		assert_int_equal(v, ok[i].ram);
		assert_int_equal(units_from_human_size(ok[i].s, &v, &e), 0);
		assert_int_equal(v, ok[i].dec);
	}
	assert_int_equal(units_ram_in_bytes("32.3 mb", &v, &e), 0);
	assert_int_equal(v, (int64_t)(32.3 * 1024 * 1024));
	static const char *const bad[] = { "", "hello", "-32", ".3kB", " 32 ", "32m b", "32bm" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(units_ram_in_bytes(bad[i], &v, &e), -1);
		assert_int_equal(units_from_human_size(bad[i], &v, &e), -1);
	}
	units_ram_in_bytes("hello", &v, &e);
	assert_string_equal(e.msg, "invalid size: 'hello'");
}

static void test_parse_duration(void **state)
{
	(void)state;
	int64_t d;
	berr e = { 0 };
	assert_int_equal(units_parse_duration("10m", &d, &e), 0);
	assert_int_equal(d, 10 * MIN);
	assert_int_equal(units_parse_duration("1h30m", &d, &e), 0);
	assert_int_equal(d, 90 * MIN);
	assert_int_equal(units_parse_duration("1.5h", &d, &e), 0);
	assert_int_equal(d, 90 * MIN);
	assert_int_equal(units_parse_duration("300ms", &d, &e), 0);
	assert_int_equal(d, 300000000);
	assert_int_equal(units_parse_duration("-2s", &d, &e), 0);
	assert_int_equal(d, -2 * SEC);
	assert_int_equal(units_parse_duration("0", &d, &e), 0);
	assert_int_equal(d, 0);
	assert_int_equal(units_parse_duration("10", &d, &e), -1);
	assert_string_equal(e.msg, "time: missing unit in duration \"10\"");
	assert_int_equal(units_parse_duration("3x", &d, &e), -1);
	assert_string_equal(e.msg, "time: unknown unit \"x\" in duration \"3x\"");
	assert_int_equal(units_parse_duration("", &d, &e), -1);
	assert_string_equal(e.msg, "time: invalid duration \"\"");
}

static void test_rfc3339(void **state)
{
	(void)state;
	char b[UNITS_BUF];
	assert_string_equal(units_rfc3339nano(1700000000, 0, b), "2023-11-14T22:13:20Z");
	assert_string_equal(units_rfc3339nano(1700000000, 500000000, b), "2023-11-14T22:13:20.5Z");
	assert_string_equal(units_rfc3339nano(1700000000, 123456789, b), "2023-11-14T22:13:20.123456789Z");
	assert_string_equal(units_rfc3339nano(1700000000, 120, b), "2023-11-14T22:13:20.00000012Z");
	int64_t s;
	long ns;
	berr e = { 0 };
	assert_int_equal(units_parse_rfc3339("2023-11-14T22:13:20.5Z", &s, &ns, &e), 0);
	assert_int_equal(s, 1700000000);
	assert_int_equal(ns, 500000000);
	assert_int_equal(units_parse_rfc3339("2023-11-15T00:13:20+02:00", &s, &ns, &e), 0);
	assert_int_equal(s, 1700000000);
	assert_int_equal(ns, 0);
	assert_int_equal(units_parse_rfc3339("2023-11-14", &s, &ns, &e), -1);
	assert_int_equal(units_parse_rfc3339("2023-02-30T00:00:00Z", &s, &ns, &e), -1);
	assert_int_equal(units_parse_rfc3339("2023-11-14T22:13:20", &s, &ns, &e), -1);
}

static void test_timestamp(void **state)
{
	(void)state;
	int64_t s;
	long ns;
	berr e = { 0 };
	time_t ref = 1700000000;
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(units_parse_timestamp("10m", ref, &s, &ns, &e), 0);
	assert_int_equal(s, ref - 600);
	assert_int_equal(units_parse_timestamp("1h30m", ref, &s, &ns, &e), 0);
	assert_int_equal(s, ref - 5400);
	assert_int_equal(units_parse_timestamp("2023-11-14T22:13:20Z", ref, &s, &ns, &e), 0);
	assert_int_equal(s, 1700000000);
	assert_int_equal(units_parse_timestamp("2023-11-14T22:13:20.25+01:00", ref, &s, &ns, &e), 0);
	assert_int_equal(s, 1700000000 - 3600);
	assert_int_equal(ns, 250000000);
	assert_int_equal(units_parse_timestamp("2023-11-14", ref, &s, &ns, &e), 0);
	assert_int_equal(s, 1699920000);
	assert_int_equal(units_parse_timestamp("2023-11-14T22", ref, &s, &ns, &e), 0);
	assert_int_equal(s, 1699999200);
	assert_int_equal(units_parse_timestamp("1700000000", ref, &s, &ns, &e), 0);
	assert_int_equal(s, 1700000000);
	assert_int_equal(units_parse_timestamp("1700000000.5", ref, &s, &ns, &e), 0);
	assert_int_equal(s, 1700000000);
	assert_int_equal(ns, 500000000);
	assert_int_equal(units_parse_timestamp("0", ref, &s, &ns, &e), 0);
	assert_int_equal(s, 0);
	assert_int_equal(units_parse_timestamp("yesterday", ref, &s, &ns, &e), -1);
	assert_string_equal(e.msg, "failed to parse value as time or duration: \"yesterday\"");
	assert_int_equal(units_parse_timestamp("2023-13-01", ref, &s, &ns, &e), -1);
	/* local time when no zone is given */
	setenv("TZ", "EST5", 1);
	tzset();
	assert_int_equal(units_parse_timestamp("2023-11-14T17:13:20", ref, &s, &ns, &e), 0);
	assert_int_equal(s, 1700000000);
	unsetenv("TZ");
	tzset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_human_size),
		cmocka_unit_test(test_bytes_size),
		cmocka_unit_test(test_human_duration),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_timestamp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
