/* test_logsink: the json-file writer shared by berth and berth-monitor: Docker's line format
 * and escaping, RFC 3339 times without libc's time formatting, line splitting, rotation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "runtime/logsink.h"

static char dir[64];

static char *slurp(const char *p)
{
	FILE *f = fopen(p, "r");
	if (!f)
		return NULL;
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static void test_time(void **state)
{
	(void)state;
	char b[32];
	assert_int_equal(logsink_time(0, 0, b), 30);
	assert_string_equal(b, "1970-01-01T00:00:00.000000000Z");
	logsink_time(951782400 + 86399, 5, b); /* leap day 2000 */
	assert_string_equal(b, "2000-02-29T23:59:59.000000005Z");
	/* against gmtime for a spread of instants */
	for (int64_t t = -86400 * 365LL * 3; t < 4102444800LL; t += 86400 * 37 + 3671) {
		struct tm tm;
		time_t tt = (time_t)t;
		gmtime_r(&tt, &tm);
		char want[40];
		strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S", &tm);
		logsink_time(t, 123456789, b);
		assert_memory_equal(b, want, 19);
		assert_string_equal(b + 19, ".123456789Z");
	}
}

static void test_lines(void **state)
{
	(void)state;
	char p[128];
	snprintf(p, sizeof p, "%s/a.log", dir);
	struct logsink ls;
	assert_int_equal(logsink_open_json(&ls, p, 0, 1), 0);
	const char in[] = "one\n\"q\\\"\t\x01 two\npartial";
	logsink_chunk(&ls, "stdout", in, sizeof in - 1);
	logsink_chunk(&ls, "stderr", "e\n", 2);
	logsink_close(&ls);
	char *s = slurp(p);
	assert_non_null(s);
	char *l1 = s, *l2 = strchr(l1, '\n') + 1, *l3 = strchr(l2, '\n') + 1, *l4 = strchr(l3, '\n') + 1;
	assert_memory_equal(l1, "{\"log\":\"one\\n\",\"stream\":\"stdout\",\"time\":\"", 41);
	assert_memory_equal(l2, "{\"log\":\"\\\"q\\\\\\\"\\t\\u0001 two\\n\",\"stream\":\"stdout\"", 48);
	assert_memory_equal(l3, "{\"log\":\"partial\",\"stream\":\"stdout\"", 34);
	assert_memory_equal(l4, "{\"log\":\"e\\n\",\"stream\":\"stderr\"", 30);
	assert_string_equal(strchr(l4, '\n'), "\n");
	/* a long line is split every 4001 bytes */
	char big[9000];
	memset(big, 'x', sizeof big);
	unlink(p);
	logsink_open_json(&ls, p, 0, 1);
	logsink_chunk(&ls, "stdout", big, sizeof big);
	logsink_close(&ls);
	s = slurp(p);
	int lines = 0;
	for (char *c = s; *c; c++)
		lines += *c == '\n';
	assert_int_equal(lines, 3);
}

static void test_rotate(void **state)
{
	(void)state;
	char p[128], q[140];
	snprintf(p, sizeof p, "%s/r.log", dir);
	struct logsink ls;
	assert_int_equal(logsink_open_json(&ls, p, 200, 3), 0);
	for (int i = 0; i < 20; i++) {
		char line[32];
		int n = snprintf(line, sizeof line, "line %02d\n", i);
		logsink_chunk(&ls, "stdout", line, (size_t)n);
	}
	logsink_close(&ls);
	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	snprintf(q, sizeof q, "%s.1", p);
	assert_int_equal(stat(q, &sb), 0);
	snprintf(q, sizeof q, "%s.2", p);
	assert_int_equal(stat(q, &sb), 0);
	snprintf(q, sizeof q, "%s.3", p);
	assert_int_not_equal(stat(q, &sb), 0);
	/* the newest line is in the live file, files are bounded by max-size plus one line */
	assert_non_null(strstr(slurp(p), "line 19"));
	assert_int_equal(stat(p, &sb), 0);
	assert_true(sb.st_size < 200 + 100);
	/* max-file 1: truncated in place */
	snprintf(p, sizeof p, "%s/t.log", dir);
	logsink_open_json(&ls, p, 100, 1);
	for (int i = 0; i < 10; i++)
		logsink_chunk(&ls, "stdout", "0123456789\n", 11);
	logsink_close(&ls);
	snprintf(q, sizeof q, "%s.1", p);
	assert_int_not_equal(stat(q, &sb), 0);
	stat(p, &sb);
	assert_true(sb.st_size < 200);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/test_logsink.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_rotate),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	return rc;
}
