/* test_util: strbuf, strvec, digests, errors and the option parser. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <stdio.h>
#include "cli/cli.h"
#include "util/digest.h"
#include "util/err.h"
#include "util/strbuf.h"

static void test_strbuf(void **state)
{
	(void)state;
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
	assert_string_equal(sb_str(&sb), "");
	sb_adds(&sb, "hello");
	sb_addf(&sb, " %d", 42);
	sb_addc(&sb, '!');
	assert_string_equal(sb.buf, "hello 42!");
	assert_int_equal(sb.len, 9);
	for (int i = 0; i < 1000; i++)
		sb_adds(&sb, "x");
	assert_int_equal(sb.len, 1009);
	sb_setlen(&sb, 5);
	assert_string_equal(sb.buf, "hello");
}

static void test_strvec(void **state)
{
	(void)state;
	_cleanup_strvec_ struct strvec sv = STRVEC_INIT;
	for (int i = 0; i < 20; i++)
		sv_pushf(&sv, "v%d", i);
	assert_int_equal(sv.n, 20);
	assert_null(sv.v[20]);
	assert_true(sv_contains(&sv, "v19"));
	assert_false(sv_contains(&sv, "v20"));
}

static void test_digest(void **state)
{
	(void)state;
	char d[DIGEST_STR_LEN + 1];
	digest_buf("", 0, d);
	assert_string_equal(d, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	digest_buf("abc", 3, d);
	assert_string_equal(d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_true(digest_valid(d));
	assert_false(digest_valid("sha256:BA7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	assert_false(digest_valid("sha256:abc"));
	assert_false(digest_valid("md5:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
}

static void test_err_wrap(void **state)
{
	(void)state;
	berr e = { 0 };
	assert_int_equal(berr_set(&e, 2, "open %s", "x"), -1);
	berr_wrap(&e, "step %d", 3);
	assert_string_equal(e.msg, "step 3: open x");
	assert_int_equal(e.errnum, 2);
}

static void test_opts(void **state)
{
	(void)state;
	bool it = false, tty = false, rm = true;
	const char *name = NULL;
	_cleanup_strvec_ struct strvec env = STRVEC_INIT;
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	long n = 0;
	struct opt opts[] = {
		{ "interactive", 'i', OPT_BOOL, &it, "", NULL },
		{ "tty", 't', OPT_BOOL, &tty, "", NULL },
		{ "rm", 0, OPT_BOOL, &rm, "", NULL },
		{ "name", 0, OPT_STR, &name, "", NULL },
		{ "env", 'e', OPT_LIST, &env, "", NULL },
		{ "num", 'n', OPT_INT, &n, "", NULL },
		OPT_SENTINEL,
	};
	char *argv[] = { "run", "-it", "--rm=false", "--name=web", "-e", "A=1", "-eB=2", "--env", "C=3", "-n5",
			 "busybox", "--not-a-flag", "-x", NULL };
	int status = -1;
	assert_int_equal(opts_parse("run", "run", NULL, opts, false, 13, argv, &args, &status), OPTS_OK);
	assert_true(it);
	assert_true(tty);
	assert_false(rm);
	assert_string_equal(name, "web");
	assert_int_equal(env.n, 3);
	assert_string_equal(env.v[1], "B=2");
	assert_int_equal(n, 5);
	assert_int_equal(args.n, 3);
	assert_string_equal(args.v[0], "busybox");
	assert_string_equal(args.v[1], "--not-a-flag");

	_cleanup_strvec_ struct strvec a2 = STRVEC_INIT;
	char *argv2[] = { "ls", "x", "--bogus", NULL };
	FILE *saved = stderr;
	stderr = fopen("/dev/null", "w");
	int r = opts_parse("image ls", "image ls", NULL, opts, true, 3, argv2, &a2, &status);
	fclose(stderr);
	stderr = saved;
	assert_int_equal(r, OPTS_EXIT);
	assert_int_equal(status, 125);

	_cleanup_strvec_ struct strvec a3 = STRVEC_INIT;
	char *argv3[] = { "ls", "--", "-a", "b", NULL };
	assert_int_equal(opts_parse("ls", "ls", NULL, opts, true, 4, argv3, &a3, &status), OPTS_OK);
	assert_int_equal(a3.n, 2);
	assert_string_equal(a3.v[0], "-a");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf),
		cmocka_unit_test(test_strvec),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_err_wrap),
		cmocka_unit_test(test_opts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
