/* test_build: the builder's pieces that need no container: the step cache table (hit, miss,
 * the previous row of an instruction for miss explanations) and the COPY file operations
 * (Docker's directory-content and trailing-slash rules, --chown, --chmod, owners kept by
 * COPY --from, context files 0:0, globs, a missing source named, symlinks never followed out
 * of the destination root, ADD extracting a tar). */
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
#include "build/cache.h"
#include "build/context.h"
#include "build/copy.h"
#include "util/cleanup.h"
#include "util/fs.h"

static char tmp[] = "/tmp/test_build.XXXXXX";

static void put(const char *rel, const char *content)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", tmp, rel);
	_cleanup_free_ char *d = xstrdup(p);
	*strrchr(d, '/') = 0;
	berr e = { 0 };
	assert_int_equal(mkdir_p(d, 0755, &e), 0);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static char *slurp(const char *rel)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", tmp, rel);
	char *data = NULL;
	size_t len;
	berr e = { 0 };
	if (read_file(p, &data, &len, &e) < 0)
		return NULL;
	return data;
}

static struct stat st_of(const char *rel)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", tmp, rel);
	struct stat st;
	memset(&st, 0, sizeof st);
	if (lstat(p, &st) < 0)
		st.st_mode = 0;
	return st;
}

static int openroot(const char *rel)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", tmp, rel);
	berr e = { 0 };
	assert_int_equal(mkdir_p(p, 0755, &e), 0);
	int fd = open(p, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	return fd;
}

static int setup(void **state)
{
	(void)state;
	strcpy(tmp, "/tmp/test_build.XXXXXX");
	assert_non_null(mkdtemp(tmp));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	berr e = { 0 };
	rm_rf(tmp, &e);
	return 0;
}

static void test_cache_rows(void **state)
{
	(void)state;
	_cleanup_free_ char *root = xasprintf("%s/store", tmp);
	struct store *st = NULL;
	berr e = { 0 };
	assert_int_equal(store_open(&st, root, root, &e), 0);
	struct bcache_row r = { 0 }, got = { 0 };
	snprintf(r.key, sizeof r.key, "sha256:%064d", 1);
	snprintf(r.parent, sizeof r.parent, "sha256:%064d", 0);
	r.instr = "COPY src/ /app/";
	r.args = "V=1\n";
	snprintf(r.files, sizeof r.files, "sha256:%064d", 7);
	snprintf(r.base, sizeof r.base, "sha256:%064d", 9);
	snprintf(r.layer.blob, sizeof r.layer.blob, "sha256:%064d", 5);
	snprintf(r.layer.media_type, sizeof r.layer.media_type, "x");
	r.layer.blob_size = 42;
	snprintf(r.layer.diff_id, sizeof r.layer.diff_id, "sha256:%064d", 6);
	snprintf(r.created, sizeof r.created, "2024-01-01T00:00:00Z");
	assert_int_equal(bcache_put(st, &r, &e), 0);
	assert_int_equal(bcache_get(st, r.key, &got, &e), 1);
	assert_string_equal(got.instr, "COPY src/ /app/");
	assert_string_equal(got.args, "V=1\n");
	assert_string_equal(got.layer.blob, r.layer.blob);
	assert_int_equal(got.layer.blob_size, 42);
	assert_string_equal(got.created, "2024-01-01T00:00:00Z");
	bcache_row_release(&got);
	char other[DIGEST_STR_LEN + 1];
	snprintf(other, sizeof other, "sha256:%064d", 2);
	assert_int_equal(bcache_get(st, other, &got, &e), 0);
	/* the previous build of the same instruction on the same parent, and on any parent */
	assert_int_equal(bcache_find_prev(st, r.parent, "COPY src/ /app/", &got, &e), 1);
	assert_string_equal(got.files, r.files);
	bcache_row_release(&got);
	assert_int_equal(bcache_find_prev(st, other, "COPY src/ /app/", &got, &e), 0);
	assert_int_equal(bcache_find_prev(st, NULL, "COPY src/ /app/", &got, &e), 1);
	assert_string_equal(got.base, r.base);
	bcache_row_release(&got);
	assert_int_equal(bcache_find_prev(st, NULL, "RUN true", &got, &e), 0);
	store_close(st);
}

static void test_copy_from_root(void **state)
{
	(void)state;
	put("src/dir/a.txt", "a");
	put("src/dir/sub/b.txt", "bb");
	put("src/one.txt", "1");
	put("src/two.log", "2");
	put("src/three.log", "3");
	_cleanup_free_ char *sub = xasprintf("%s/src/dir/sub", tmp);
	assert_int_equal(chown(sub, 1234, 5678), 0);
	_cleanup_close_ int src = openroot("src");
	_cleanup_close_ int dst = openroot("dst");
	struct copy_owner keep = { 0 };
	berr e = { 0 };
	/* a directory copies its contents; owners are kept */
	const char *s1[] = { "dir" };
	assert_int_equal(bcopy_from_root(dst, src, s1, 1, "/out", false, &keep, -1, &e), 0);
	_cleanup_free_ char *a = slurp("dst/out/a.txt");
	assert_string_equal(a, "a");
	assert_int_equal(st_of("dst/out/sub").st_uid, 1234);
	assert_int_equal(st_of("dst/out/sub").st_gid, 5678);
	/* a file to a name without slash is that name; with a slash goes inside */
	const char *s2[] = { "one.txt" };
	assert_int_equal(bcopy_from_root(dst, src, s2, 1, "/renamed", false, &keep, -1, &e), 0);
	assert_true(S_ISREG(st_of("dst/renamed").st_mode));
	assert_int_equal(bcopy_from_root(dst, src, s2, 1, "/deep/er/", true, &keep, 0600, &e), 0);
	assert_int_equal(st_of("dst/deep/er/one.txt").st_mode & 07777, 0600);
	/* globs in the last component */
	const char *s3[] = { "*.log" };
	assert_int_equal(bcopy_from_root(dst, src, s3, 1, "/logs/", true, &keep, -1, &e), 0);
	assert_true(S_ISREG(st_of("dst/logs/two.log").st_mode));
	assert_true(S_ISREG(st_of("dst/logs/three.log").st_mode));
	assert_int_equal(st_of("dst/logs/one.txt").st_mode, 0);
	/* --chown applies to the copy and the directories it creates */
	struct copy_owner o = { true, 1000, 100 };
	assert_int_equal(bcopy_from_root(dst, src, s2, 1, "/owned/x/", true, &o, -1, &e), 0);
	assert_int_equal(st_of("dst/owned/x/one.txt").st_uid, 1000);
	assert_int_equal(st_of("dst/owned").st_gid, 100);
	/* a missing source is named as BuildKit does */
	const char *s4[] = { "nope.txt" };
	assert_int_equal(bcopy_from_root(dst, src, s4, 1, "/", true, &keep, -1, &e), -1);
	assert_string_equal(e.msg, "\"/nope.txt\" not found: not found");
}

static void test_copy_no_escape(void **state)
{
	(void)state;
	put("src2/f.txt", "payload");
	_cleanup_close_ int src = openroot("src2");
	_cleanup_close_ int dst = openroot("dst2");
	/* the destination root holds a symlink pointing out of it */
	_cleanup_free_ char *outside = xasprintf("%s/outside", tmp);
	berr e = { 0 };
	assert_int_equal(mkdir_p(outside, 0755, &e), 0);
	_cleanup_free_ char *lnk = xasprintf("%s/dst2/evil", tmp);
	assert_int_equal(symlink(outside, lnk), 0);
	struct copy_owner keep = { 0 };
	const char *s[] = { "f.txt" };
	bcopy_from_root(dst, src, s, 1, "/evil/", true, &keep, -1, &e);
	_cleanup_free_ char *leaked = xasprintf("%s/outside/f.txt", tmp);
	assert_false(path_exists(leaked));
	/* a file copied over the symlink replaces it */
	assert_int_equal(bcopy_from_root(dst, src, s, 1, "/evil", false, &keep, -1, &e), 0);
	assert_true(S_ISREG(st_of("dst2/evil").st_mode));
	assert_false(path_exists(leaked));
}

static void test_copy_from_context(void **state)
{
	(void)state;
	put("ctx/dir/x.txt", "x");
	put("ctx/f.txt", "f");
	_cleanup_free_ char *f = xasprintf("%s/ctx/f.txt", tmp);
	assert_int_equal(chown(f, 4321, 4321), 0);
	/* a tar archive for ADD */
	_cleanup_free_ char *cmd = xasprintf("tar -C %s/ctx/dir -cf %s/ctx/a.tar x.txt", tmp, tmp);
	assert_int_equal(system(cmd), 0);
	_cleanup_free_ char *cd = xasprintf("%s/ctx", tmp);
	struct bctx *c = NULL;
	struct bctx_opts co = { .no_ignore = true };
	berr e = { 0 };
	assert_int_equal(bctx_open(cd, &co, &c, &e), 0);
	_cleanup_close_ int dst = openroot("dst3");
	struct copy_owner none = { 0 };
	const char *s1[] = { "f.txt", "dir" };
	assert_int_equal(bcopy_from_context(dst, c, s1, 2, NULL, 0, "/multi/", true, &none, -1, false, &e), 0);
	/* context files become 0:0 */
	assert_int_equal(st_of("dst3/multi/f.txt").st_uid, 0);
	assert_true(S_ISREG(st_of("dst3/multi/x.txt").st_mode));
	assert_int_equal(st_of("dst3/multi/dir").st_mode, 0);
	/* COPY keeps a tar as a file, ADD extracts it */
	const char *s2[] = { "a.tar" };
	assert_int_equal(bcopy_from_context(dst, c, s2, 1, NULL, 0, "/copied/", true, &none, -1, false, &e), 0);
	assert_true(S_ISREG(st_of("dst3/copied/a.tar").st_mode));
	assert_int_equal(bcopy_from_context(dst, c, s2, 1, NULL, 0, "/added", false, &none, -1, true, &e), 0);
	_cleanup_free_ char *x = slurp("dst3/added/x.txt");
	assert_string_equal(x, "x");
	const char *s3[] = { "missing.txt" };
	assert_int_equal(bcopy_from_context(dst, c, s3, 1, NULL, 0, "/", true, &none, -1, false, &e), -1);
	assert_string_equal(e.msg, "\"/missing.txt\" not found: not found");
	bctx_free(c);
}

int main(void)
{
	if (geteuid() != 0) {
		printf("test_build: skipped (needs root for chown)\n");
		return 0;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache_rows),
		cmocka_unit_test(test_copy_from_root),
		cmocka_unit_test(test_copy_no_escape),
		cmocka_unit_test(test_copy_from_context),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
