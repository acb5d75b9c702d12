/* test_safepath: path resolution inside a root fd, with openat2 and with the fallback walk.
 * Every test builds a sandbox /tmp/berth-sp-XXXXXX holding root/ and outside/ and checks that
 * nothing reaches outside/. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/safepath.h"
#include "util/strbuf.h"

struct sandbox {
	char dir[64];
	char *root, *outside;
	int rootfd;
};

static void put(const char *path, const char *content)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static int count_entries(const char *dir)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	int n = 0;
	struct dirent *de;
	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	return n;
}

static int setup(void **state, bool fallback)
{
	struct sandbox *sb = calloc(1, sizeof *sb);
	strcpy(sb->dir, "/tmp/berth-sp-XXXXXX");
	if (!mkdtemp(sb->dir))
		return -1;
	sb->root = xasprintf("%s/root", sb->dir);
	sb->outside = xasprintf("%s/outside", sb->dir);
	mkdir(sb->root, 0755);
	mkdir(sb->outside, 0755);
	_cleanup_free_ char *secret = xasprintf("%s/secret", sb->outside);
	put(secret, "outside");
	_cleanup_free_ char *isecret = xasprintf("%s/secret", sb->root);
	put(isecret, "inside");
	sb->rootfd = open(sb->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	safepath_no_openat2 = fallback;
	*state = sb;
	return 0;
}
static int setup_openat2(void **state) { return setup(state, false); }
static int setup_fallback(void **state) { return setup(state, true); }

static int teardown(void **state)
{
	struct sandbox *sb = *state;
	berr e = { 0 };
	/* outside/ must hold exactly what setup put there */
	assert_int_equal(count_entries(sb->outside), 1);
	close(sb->rootfd);
	rm_rf(sb->dir, &e);
	free(sb->root);
	free(sb->outside);
	free(sb);
	safepath_no_openat2 = false;
	return 0;
}

static void test_clean(void **state)
{
	(void)state;
	struct { const char *in, *out; } ok[] = {
		{ "a/b/c", "a/b/c" }, { "/a//b/./c/", "a/b/c" }, { "/", "" }, { ".", "" }, { "", "" },
		{ "/../etc/passwd", "etc/passwd" }, { "a/../b", "b" }, { "a/b/../../c", "c" },
		{ "./a/./", "a" }, { "/..", "" }, { "a/..", "" }, { "..a/b..", "..a/b.." },
	};
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		_cleanup_free_ char *c = sp_clean(ok[i].in);
		assert_non_null(c);
		assert_string_equal(c, ok[i].out);
	}
	const char *bad[] = { "..", "../x", "a/../../x", "./../x", "a/b/../../../x" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		assert_null(sp_clean(bad[i]));
		assert_int_equal(errno, EXDEV);
	}
}

/* Read `path` through sp_open and return its content. */
static char *sp_read(struct sandbox *sb, const char *path, unsigned flags)
{
	berr e = { 0 };
	int fd = sp_open(sb->rootfd, path, O_RDONLY, 0, flags, &e);
	if (fd < 0)
		return NULL;
	char buf[64] = { 0 };
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	return n >= 0 ? xstrdup(buf) : NULL;
}

static void test_open_plain(void **state)
{
	struct sandbox *sb = *state;
	_cleanup_free_ char *s = sp_read(sb, "secret", 0);
	assert_non_null(s);
	assert_string_equal(s, "inside");
	_cleanup_free_ char *s2 = sp_read(sb, "./secret", SP_NO_SYMLINKS | SP_NOFOLLOW_LAST);
	assert_string_equal(s2, "inside");
}

static void test_dotdot_clamped(void **state)
{
	struct sandbox *sb = *state;
	_cleanup_free_ char *a = sp_read(sb, "../outside/secret", 0);
	assert_null(a); /* resolves to root/outside/secret: absent */
	_cleanup_free_ char *b = sp_read(sb, "../../../secret", 0);
	assert_non_null(b);
	assert_string_equal(b, "inside");
	_cleanup_free_ char *c = sp_read(sb, "/secret", 0);
	assert_string_equal(c, "inside");
}

static void test_symlinks_stay_inside(void **state)
{
	struct sandbox *sb = *state;
	_cleanup_free_ char *abs_out = xasprintf("%s", sb->outside);
	/* relative escape, absolute escape, absolute link to the real outside dir */
	assert_int_equal(symlinkat("../../outside", sb->rootfd, "rel"), 0);
	assert_int_equal(symlinkat("/", sb->rootfd, "slash"), 0);
	assert_int_equal(symlinkat(abs_out, sb->rootfd, "abs"), 0);
	assert_int_equal(symlinkat("/secret", sb->rootfd, "final"), 0);
	_cleanup_free_ char *r1 = sp_read(sb, "rel/secret", 0);
	assert_null(r1); /* root/outside/secret does not exist */
	_cleanup_free_ char *r2 = sp_read(sb, "slash/secret", 0);
	assert_string_equal(r2, "inside");
	_cleanup_free_ char *r3 = sp_read(sb, "abs/secret", 0);
	assert_null(r3);
	_cleanup_free_ char *r4 = sp_read(sb, "final", 0);
	assert_string_equal(r4, "inside");
	/* refusing symlinks */
	berr e = { 0 };
	assert_int_equal(sp_open(sb->rootfd, "slash/secret", O_RDONLY, 0, SP_NO_SYMLINKS, &e), -1);
	assert_int_equal(errno, ELOOP);
	assert_non_null(strstr(e.msg, "slash/secret"));
	assert_int_equal(sp_open(sb->rootfd, "final", O_RDONLY, 0, SP_NOFOLLOW_LAST, &e), -1);
	assert_int_equal(errno, ELOOP);
	/* O_PATH|NOFOLLOW_LAST gives the link itself */
	int fd = sp_open(sb->rootfd, "final", O_PATH, 0, SP_NOFOLLOW_LAST, &e);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	close(fd);
}

static void test_symlink_loop(void **state)
{
	struct sandbox *sb = *state;
	berr e = { 0 };
	assert_int_equal(symlinkat("b", sb->rootfd, "a"), 0);
	assert_int_equal(symlinkat("a", sb->rootfd, "b"), 0);
	assert_int_equal(sp_open(sb->rootfd, "a", O_RDONLY, 0, 0, &e), -1);
	assert_int_equal(errno, ELOOP);
}

static void test_create_no_final_follow(void **state)
{
	struct sandbox *sb = *state;
	berr e = { 0 };
	_cleanup_free_ char *target = xasprintf("%s/created", sb->outside);
	assert_int_equal(symlinkat(target, sb->rootfd, "dangling"), 0);
	_cleanup_free_ char *t2 = xasprintf("%s/secret", sb->outside);
	assert_int_equal(symlinkat(t2, sb->rootfd, "existing"), 0);
	assert_int_equal(sp_create(sb->rootfd, "dangling", O_TRUNC, 0644, 0, &e), -1);
	assert_int_equal(errno, ELOOP);
	assert_int_equal(sp_create(sb->rootfd, "existing", O_TRUNC, 0644, 0, &e), -1);
	assert_int_equal(errno, ELOOP);
	/* the parent through a symlink to "/" is fine: it lands inside */
	assert_int_equal(symlinkat("/", sb->rootfd, "up"), 0);
	int fd = sp_create(sb->rootfd, "up/new", O_EXCL, 0640, 0, &e);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
	struct stat st;
	assert_int_equal(fstatat(sb->rootfd, "new", &st, 0), 0);
	assert_int_equal(st.st_size, 1);
	assert_int_equal(sp_create(sb->rootfd, "new", O_EXCL, 0640, 0, &e), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(sp_create(sb->rootfd, "missing/new", 0, 0640, 0, &e), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_mkdir_p(void **state)
{
	struct sandbox *sb = *state;
	berr e = { 0 };
	/* an absolute link to the host's outside dir: mkdir must land at root/<that path> */
	assert_int_equal(symlinkat(sb->outside, sb->rootfd, "abs"), 0);
	/* while root/<outside path> is missing, the link dangles: mkdir -p fails as mkdir(1) */
	assert_int_equal(sp_mkdir_p(sb->rootfd, "abs/x/y", 0755, 0, &e), -1);
	int fd = sp_mkdir_p(sb->rootfd, sb->outside, 0755, 0, &e);
	assert_true(fd >= 0);
	close(fd);
	fd = sp_mkdir_p(sb->rootfd, "abs/x/y", 0755, 0, &e);
	assert_true(fd >= 0);
	close(fd);
	_cleanup_free_ char *inside = xasprintf("%s%s/x/y", sb->root, sb->outside);
	struct stat st;
	assert_int_equal(stat(inside, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	fd = sp_mkdir_p(sb->rootfd, "/a/../b//c/", 0700, 0, &e);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(fstatat(sb->rootfd, "b/c", &st, 0), 0);
	assert_int_equal(fstatat(sb->rootfd, "a", &st, 0), 0);
	/* strict: refuse the symlink */
	assert_int_equal(sp_mkdir_p(sb->rootfd, "abs/z", 0755, SP_NO_SYMLINKS, &e), -1);
	assert_int_equal(errno, ELOOP);
	/* an existing file on the way */
	assert_int_equal(sp_mkdir_p(sb->rootfd, "secret/d", 0755, 0, &e), -1);
	assert_int_equal(errno, ENOTDIR);
	/* a dangling symlink */
	assert_int_equal(symlinkat("/nowhere/deep", sb->rootfd, "dang"), 0);
	assert_int_equal(sp_mkdir_p(sb->rootfd, "dang/d", 0755, 0, &e), -1);
}

static void test_open_parent(void **state)
{
	struct sandbox *sb = *state;
	berr e = { 0 };
	char *last = NULL;
	assert_int_equal(mkdirat(sb->rootfd, "d", 0755), 0);
	assert_int_equal(symlinkat("/d", sb->rootfd, "l"), 0);
	int fd = sp_open_parent(sb->rootfd, "l/name/", 0, &last, &e);
	assert_true(fd >= 0);
	assert_string_equal(last, "name");
	assert_int_equal(mknodat(fd, last, S_IFIFO | 0600, 0), 0);
	struct stat st;
	assert_int_equal(fstatat(sb->rootfd, "d/name", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISFIFO(st.st_mode));
	close(fd);
	free(last);
	fd = sp_open_parent(sb->rootfd, "top", 0, &last, &e);
	assert_true(fd >= 0);
	assert_string_equal(last, "top");
	close(fd);
	free(last);
	last = NULL;
	assert_int_equal(sp_open_parent(sb->rootfd, "/", 0, &last, &e), -1);
	assert_int_equal(sp_open_parent(sb->rootfd, "a/..", 0, &last, &e), -1);
	assert_int_equal(sp_open_parent(sb->rootfd, "l/x", SP_NO_SYMLINKS, &last, &e), -1);
	assert_null(last);
	struct sp_fdpath p = sp_fd_path(7);
	assert_string_equal(p.s, "/proc/self/fd/7");
}

static void test_resolve(void **state)
{
	struct sandbox *sb = *state;
	berr e = { 0 };
	char *out = NULL;
	assert_int_equal(mkdirat(sb->rootfd, "usr", 0755), 0);
	assert_int_equal(mkdirat(sb->rootfd, "usr/lib", 0755), 0);
	assert_int_equal(symlinkat("usr/lib", sb->rootfd, "lib"), 0);
	assert_int_equal(symlinkat("/lib/../../../secret", sb->rootfd, "s"), 0);
	assert_int_equal(sp_resolve(sb->rootfd, "lib", 0, &out, &e), 0);
	assert_string_equal(out, "/usr/lib");
	free(out);
	assert_int_equal(sp_resolve(sb->rootfd, "/lib/../..", 0, &out, &e), 0);
	assert_string_equal(out, "/"); /* symlink-aware: lib/.. is usr, usr/.. is the root */
	free(out);
	assert_int_equal(sp_resolve(sb->rootfd, "s", 0, &out, &e), 0);
	assert_string_equal(out, "/secret");
	free(out);
	assert_int_equal(sp_resolve(sb->rootfd, "s", SP_NOFOLLOW_LAST, &out, &e), 0);
	assert_string_equal(out, "/s");
	free(out);
	out = NULL;
	assert_int_equal(sp_resolve(sb->rootfd, "lib/missing", 0, &out, &e), -1);
	assert_null(out);
}

/* With /proc/self as the root, its magic links (root, cwd, fd/N) must not lead out of it. */
static void test_magic_links(void **state)
{
	struct sandbox *sb = *state;
	berr e = { 0 };
	_cleanup_close_ int proc = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *secret = xasprintf("%s/secret", sb->outside);
	_cleanup_close_ int sfd = open(secret, O_RDONLY | O_CLOEXEC);
	assert_true(proc >= 0 && sfd >= 0);
	_cleanup_free_ char *viafd = xasprintf("fd/%d", sfd);
	assert_int_equal(sp_open(proc, viafd, O_RDONLY, 0, 0, &e), -1);
	assert_int_equal(sp_open(proc, "root/etc/passwd", O_RDONLY, 0, 0, &e), -1);
	assert_int_equal(sp_open(proc, "cwd", O_RDONLY | O_DIRECTORY, 0, 0, &e), -1);
	/* the plain files of the root still open */
	int fd = sp_open(proc, "status", O_RDONLY, 0, 0, &e);
	assert_true(fd >= 0);
	close(fd);
}

#define BOTH(t) cmocka_unit_test_setup_teardown(t, setup_openat2, teardown), \
	cmocka_unit_test_setup_teardown(t, setup_fallback, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		BOTH(test_open_plain),
		BOTH(test_dotdot_clamped),
		BOTH(test_symlinks_stay_inside),
		BOTH(test_symlink_loop),
		BOTH(test_create_no_final_follow),
		BOTH(test_mkdir_p),
		BOTH(test_open_parent),
		BOTH(test_magic_links),
		BOTH(test_resolve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
