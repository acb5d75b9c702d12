/* test_trash: deferred deletion (runtime/trash.c): trash_put moves a tree away in one rename,
 * trash_reap deletes every entry (also unreadable directories, as overlay's work/work), and a
 * missing source or trash directory is no error. The reaper process itself is exercised by
 * tests/system/03f-run-fastpath.bats. Also cgroup_enter_self on a fake v1 and v2 tree. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "runtime/runtime.h"
#include "util/fs.h"

static void mkfile(const char *p)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
}

static void test_put_and_reap(void **state)
{
	(void)state;
	setenv("BERTH_TEST_NO_REAP", "1", 1); /* no reaper forked at this test's exit */
	char root[] = "/tmp/berth-trash-XXXXXX";
	assert_non_null(mkdtemp(root));
	char p[512];
	/* nothing in the trash yet, no trash directory: nothing to do */
	assert_int_equal(trash_reap(root), 0);
	snprintf(p, sizeof p, "%s/c1", root);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof p, "%s/c1/upper", root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/c1/upper/f", root);
	mkfile(p);
	snprintf(p, sizeof p, "%s/c1/work", root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/c1/work/work", root);
	assert_int_equal(mkdir(p, 0), 0);
	snprintf(p, sizeof p, "%s/c1", root);
	assert_int_equal(trash_put(root, p, "id1"), 0);
	assert_false(path_exists(p)); /* gone at once */
	snprintf(p, sizeof p, "%s/trash/id1/upper/f", root);
	assert_true(path_exists(p));
	assert_true(trash_pending());
	/* a second entry; a missing source fails with ENOENT and changes nothing */
	snprintf(p, sizeof p, "%s/c2", root);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(trash_put(root, p, "id2"), 0);
	snprintf(p, sizeof p, "%s/nosuch", root);
	assert_int_equal(trash_put(root, p, "id3"), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(trash_reap(root), 2);
	snprintf(p, sizeof p, "%s/trash/id1", root);
	assert_false(path_exists(p));
	snprintf(p, sizeof p, "%s/trash/.lock", root); /* the lock stays */
	assert_true(path_exists(p));
	assert_int_equal(trash_reap(root), 0);
	berr e;
	assert_int_equal(rm_rf(root, &e), 0);
}

static char *slurp(const char *p)
{
	static char buf[64];
	int fd = open(p, O_RDONLY);
	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = 0;
	return buf;
}

static void test_enter_self(void **state)
{
	(void)state;
	berr e = { 0 };
	char root[] = "/tmp/berth-cgself-XXXXXX";
	assert_non_null(mkdtemp(root));
	char p[512];
	/* v1: "0" into each present hierarchy's tasks (a thread moving itself), absent ones skipped */
	const char *ctrls[] = { "memory", "pids", "devices" };
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s/%s/berth/ID", root, ctrls[i]);
		assert_int_equal(mkdir_p(p, 0755, &e), 0);
		snprintf(p, sizeof p, "%s/%s/berth/ID/tasks", root, ctrls[i]);
		mkfile(p);
	}
	cgroup_test_root(root, 1);
	assert_int_equal(cgroup_enter_self("ID", &e), 0);
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s/%s/berth/ID/tasks", root, ctrls[i]);
		assert_string_equal(slurp(p), "0");
		snprintf(p, sizeof p, "%s/%s/berth/ID/cgroup.procs", root, ctrls[i]);
		assert_false(path_exists(p));
	}
	assert_int_equal(cgroup_open_v2("ID"), -1); /* v1: no CLONE_INTO_CGROUP */
	/* v2: "0" into cgroup.procs; a fake tree gets no clone3 fd either */
	snprintf(p, sizeof p, "%s/v2/berth/ID", root);
	assert_int_equal(mkdir_p(p, 0755, &e), 0);
	snprintf(p, sizeof p, "%s/v2/berth/ID/cgroup.procs", root);
	mkfile(p);
	snprintf(p, sizeof p, "%s/v2", root);
	cgroup_test_root(p, 2);
	assert_int_equal(cgroup_enter_self("ID", &e), 0);
	snprintf(p, sizeof p, "%s/v2/berth/ID/cgroup.procs", root);
	assert_string_equal(slurp(p), "0");
	assert_int_equal(cgroup_open_v2("ID"), -1);
	/* a cgroup that does not exist (v2) is an error */
	assert_int_equal(cgroup_enter_self("NOPE", &e), -1);
	cgroup_test_root(NULL, 0);
	assert_int_equal(rm_rf(root, &e), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_and_reap),
		cmocka_unit_test(test_enter_self),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
