/* test_runtime: pure pieces of the container runtime: -u resolution against passwd/group
 * files inside a root, sizes, signals, Docker's humanised durations, capability masks, names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/fs.h"

static char root[256];

static void put(const char *rel, const char *content)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static int setup_root(void **state)
{
	(void)state;
	snprintf(root, sizeof root, "/tmp/berth-test-runtime.XXXXXX");
	assert_non_null(mkdtemp(root));
	char p[512];
	snprintf(p, sizeof p, "%s/etc", root);
	mkdir(p, 0755);
	put("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n"
			  "broken line\nnobody:x:65534:65534::/nonexistent:/bin/false\n");
	put("etc/group", "root:x:0:\nwheel:x:10:root,user\nusers:x:100:user\nuser:x:1000:\n");
	return 0;
}

static int teardown_root(void **state)
{
	(void)state;
	berr e;
	rm_rf(root, &e);
	return 0;
}

static void test_user_resolve(void **state)
{
	(void)state;
	_cleanup_close_ int rfd = open(root, O_PATH | O_DIRECTORY);
	struct run_user u;
	berr e = { 0 };
	assert_int_equal(user_resolve(rfd, "user", &u, &e), 0);
	assert_int_equal(u.uid, 1000);
	assert_int_equal(u.gid, 1000);
	assert_string_equal(u.home, "/home/user");
	assert_int_equal(u.ngroups, 3); /* 1000, wheel, users */
	assert_int_equal(user_resolve(rfd, "1000:users", &u, &e), 0);
	assert_int_equal(u.gid, 100);
	assert_int_equal(u.ngroups, 1);
	assert_int_equal(user_resolve(rfd, "4242", &u, &e), 0);
	assert_int_equal(u.uid, 4242);
	assert_int_equal(u.gid, 0);
	assert_string_equal(u.home, "/");
	assert_int_equal(user_resolve(rfd, "", &u, &e), 0);
	assert_int_equal(u.uid, 0);
	assert_int_equal(u.ngroups, 2); /* root, wheel */
	assert_int_equal(user_resolve(rfd, "ghost", &u, &e), -1);
	assert_string_equal(e.msg, "unable to find user ghost: no matching entries in passwd file");
	assert_int_equal(user_resolve(rfd, "user:ghosts", &u, &e), -1);
	assert_string_equal(e.msg, "unable to find group ghosts: no matching entries in group file");
}

static void test_user_symlink_stays_in_root(void **state)
{
	(void)state;
	/* /etc/passwd as a symlink to the host's: resolved inside the root, so "not found" */
	char p[512];
	snprintf(p, sizeof p, "%s/etc/passwd", root);
	unlink(p);
	assert_int_equal(symlink("/../../../../../etc/shadow", p), 0);
	_cleanup_close_ int rfd = open(root, O_PATH | O_DIRECTORY);
	struct run_user u;
	berr e = { 0 };
	assert_int_equal(user_resolve(rfd, "root", &u, &e), -1);
	unlink(p);
	put("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
}

static void test_parse_bytes(void **state)
{
	(void)state;
	int64_t v;
	assert_int_equal(parse_bytes("512m", &v), 0);
	assert_int_equal(v, 512LL * 1024 * 1024);
	assert_int_equal(parse_bytes("1g", &v), 0);
	assert_int_equal(v, 1LL << 30);
	assert_int_equal(parse_bytes("100", &v), 0);
	assert_int_equal(v, 100);
	assert_int_equal(parse_bytes("64MB", &v), 0);
	assert_int_equal(v, 64LL << 20);
	assert_int_equal(parse_bytes("lots", &v), -1);
	assert_int_equal(parse_bytes("1x", &v), -1);
}

static void test_signals(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("TERM"), 15);
	assert_int_equal(signal_parse("SIGKILL"), 9);
	assert_int_equal(signal_parse("sigusr1"), 10);
	assert_int_equal(signal_parse("2"), 2);
	assert_int_equal(signal_parse("BOGUS"), -1);
	assert_int_equal(signal_parse("99"), -1);
}

static void test_human_duration(void **state)
{
	(void)state;
	const int64_t s = 1000000000LL;
	struct { int64_t ns; const char *want; } v[] = {
		{ 0, "Less than a second" }, { s, "1 second" }, { 59 * s, "59 seconds" },
		{ 60 * s, "About a minute" }, { 46 * 60 * s, "46 minutes" }, { 3600 * s, "About an hour" },
		{ 2 * 3600 * s, "2 hours" }, { 3 * 86400 * s, "3 days" },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char *d = human_duration(v[i].ns);
		assert_string_equal(d, v[i].want);
		free(d);
	}
}

static void test_cap_mask(void **state)
{
	(void)state;
	json_t *cfg = json_pack("{s:{s:b}}", "HostConfig", "Privileged", 0);
	assert_int_equal(security_cap_mask(cfg), 0xa80425fbULL);
	json_object_set_new(json_object_get(cfg, "HostConfig"), "CapDrop", json_pack("[s]", "chown"));
	json_object_set_new(json_object_get(cfg, "HostConfig"), "CapAdd", json_pack("[s]", "CAP_NET_ADMIN"));
	assert_int_equal(security_cap_mask(cfg), (0xa80425fbULL & ~1ULL) | (1ULL << 12));
	json_object_set_new(json_object_get(cfg, "HostConfig"), "CapDrop", json_pack("[s]", "ALL"));
	json_object_set_new(json_object_get(cfg, "HostConfig"), "CapAdd", json_null());
	assert_int_equal(security_cap_mask(cfg), 0);
	berr e = { 0 };
	json_t *bad = json_pack("[s]", "NOT_A_CAP");
	assert_int_equal(security_check_caps(bad, &e), -1);
	json_decref(bad);
	json_decref(cfg);
}

static void test_names(void **state)
{
	(void)state;
	assert_true(ctr_name_valid("web"));
	assert_true(ctr_name_valid("a.b-c_d"));
	assert_false(ctr_name_valid("w"));
	assert_false(ctr_name_valid("-x"));
	assert_false(ctr_name_valid("bad name"));
	char id[65];
	ctr_new_id(id);
	assert_int_equal(strlen(id), 64);
	assert_int_equal(strspn(id, "0123456789abcdef"), 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_resolve),
		cmocka_unit_test(test_user_symlink_stays_in_root),
		cmocka_unit_test(test_parse_bytes),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_human_duration),
		cmocka_unit_test(test_cap_mask),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, setup_root, teardown_root);
}
