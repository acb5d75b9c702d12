/* test_layer: layer_apply (whiteouts, links, metadata, compression, hostile tars) and
 * layer_diff_upper / layer_tar_dir (determinism, round trips). Tars are built in memory with
 * libarchive; every test works in a sandbox /tmp/berth-layer-XXXXXX with layer/ (the target),
 * outside/ (must never change) and scratch dirs. Runs as root (mknod, chown, trusted xattrs). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "image/layer.h"
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/fs.h"
#include "util/safepath.h"
#include "util/strbuf.h"

/* ---- sandbox ---- */
struct sandbox {
	char dir[64];
	char *layer, *outside;
	int layerfd;
};
static struct sandbox *S;

static void put(const char *path, const char *content)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static char *slurp(const char *path)
{
	char *s = NULL;
	size_t n;
	berr e = { 0 };
	if (read_file(path, &s, &n, &e) < 0)
		return NULL;
	return s;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *de;
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static int setup(void **state)
{
	(void)state;
	S = calloc(1, sizeof *S);
	strcpy(S->dir, "/tmp/berth-layer-XXXXXX");
	if (!mkdtemp(S->dir))
		return -1;
	S->layer = xasprintf("%s/layer", S->dir);
	S->outside = xasprintf("%s/outside", S->dir);
	mkdir(S->layer, 0755);
	mkdir(S->outside, 0755);
	_cleanup_free_ char *v = xasprintf("%s/victim", S->outside);
	put(v, "precious");
	S->layerfd = open(S->layer, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return S->layerfd < 0 ? -1 : 0;
}

/* The sandbox invariant: outside/ holds only victim, unchanged, and the sandbox only the
 * dirs the tests made. */
static void assert_outside_intact(void)
{
	assert_int_equal(count_entries(S->outside), 1);
	_cleanup_free_ char *v = xasprintf("%s/victim", S->outside);
	_cleanup_free_ char *c = slurp(v);
	assert_non_null(c);
	assert_string_equal(c, "precious");
}

static int teardown(void **state)
{
	(void)state;
	berr e = { 0 };
	assert_outside_intact();
	close(S->layerfd);
	rm_rf(S->dir, &e);
	free(S->layer);
	free(S->outside);
	free(S);
	return 0;
}

static char *sbpath(const char *rel)
{
	return xasprintf("%s/%s", S->dir, rel);
}

/* ---- in-memory tar builder ---- */
struct tb {
	struct archive *a;
	char *buf;
	size_t cap, used;
};

static struct tb *tb_new(int filter)
{
	struct tb *t = calloc(1, sizeof *t);
	t->cap = 8 << 20;
	t->buf = malloc(t->cap);
	t->a = archive_write_new();
	archive_write_set_format_pax_restricted(t->a);
	if (filter != ARCHIVE_FILTER_NONE)
		assert_int_equal(archive_write_add_filter(t->a, filter), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(t->a, t->buf, t->cap, &t->used), ARCHIVE_OK);
	return t;
}

static struct archive_entry *ent(const char *name, mode_t type, mode_t perm)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, perm);
	archive_entry_set_mtime(e, 1600000000, 0);
	return e;
}

static void tb_put(struct tb *t, struct archive_entry *e, const char *data)
{
	if (data)
		archive_entry_set_size(e, (la_int64_t)strlen(data));
	assert_int_equal(archive_write_header(t->a, e), ARCHIVE_OK);
	if (data && *data)
		assert_int_equal(archive_write_data(t->a, data, strlen(data)), (la_ssize_t)strlen(data));
	archive_entry_free(e);
}

static void tb_file(struct tb *t, const char *name, const char *data)
{
	tb_put(t, ent(name, AE_IFREG, 0644), data);
}

static void tb_dir(struct tb *t, const char *name)
{
	tb_put(t, ent(name, AE_IFDIR, 0755), NULL);
}

static void tb_symlink(struct tb *t, const char *name, const char *target)
{
	struct archive_entry *e = ent(name, AE_IFLNK, 0777);
	archive_entry_set_symlink(e, target);
	tb_put(t, e, NULL);
}

static void tb_hardlink(struct tb *t, const char *name, const char *target)
{
	struct archive_entry *e = ent(name, AE_IFREG, 0644);
	archive_entry_set_hardlink(e, target);
	archive_entry_set_size(e, 0);
	tb_put(t, e, NULL);
}

/* Finish and return an fd (memfd) positioned at 0; *raw gets the bytes if asked. */
static int tb_fd(struct tb *t)
{
	assert_int_equal(archive_write_close(t->a), ARCHIVE_OK);
	archive_write_free(t->a);
	int fd = memfd_create("layer", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, t->buf, t->used), 0);
	lseek(fd, 0, SEEK_SET);
	free(t->buf);
	free(t);
	return fd;
}

static int apply_fd(int fd, int dirfd, enum layer_apply_mode mode, struct layer_apply_stats *st, berr *e)
{
	struct layer_apply_opts o = { .mode = mode };
	int r = layer_apply(fd, dirfd, &o, st, e);
	close(fd);
	return r;
}

static int apply_tb(struct tb *t, enum layer_apply_mode mode, berr *e)
{
	return apply_fd(tb_fd(t), S->layerfd, mode, NULL, e);
}

static struct stat lst(const char *rel)
{
	struct stat st;
	memset(&st, 0, sizeof st);
	if (fstatat(S->layerfd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0)
		st.st_mode = 0;
	return st;
}

static bool exists(const char *rel)
{
	return lst(rel).st_mode != 0;
}

static bool is_whiteout(const char *rel)
{
	struct stat st = lst(rel);
	return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
}

static bool is_opaque(const char *rel)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", S->layer, rel);
	char v[4];
	ssize_t n = lgetxattr(p, "trusted.overlay.opaque", v, sizeof v);
	return n == 1 && v[0] == 'y';
}

static char *layer_read(const char *rel)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", S->layer, rel);
	return slurp(p);
}

/* ---- basic extraction ---- */

static void test_basic_types(void **state)
{
	(void)state;
	berr e = { 0 };
	struct tb *t = tb_new(ARCHIVE_FILTER_GZIP);
	tb_dir(t, "etc/");
	tb_file(t, "etc/hosts", "127.0.0.1 localhost\n");
	tb_symlink(t, "etc/link", "/etc/hosts");
	tb_hardlink(t, "etc/hard", "etc/hosts");
	struct archive_entry *x = ent("bin/su", AE_IFREG, 04755);
	archive_entry_set_uid(x, 1234);
	archive_entry_set_gid(x, 5678);
	archive_entry_xattr_add_entry(x, "user.note", "hi", 2);
	archive_entry_xattr_add_entry(x, "trusted.overlay.redirect", "/x", 2); /* must be dropped */
	tb_put(t, x, "#!/bin/sh\n");
	x = ent("dev/null", AE_IFCHR, 0666);
	archive_entry_set_rdevmajor(x, 1);
	archive_entry_set_rdevminor(x, 3);
	tb_put(t, x, NULL);
	tb_put(t, ent("run/fifo", AE_IFIFO, 0600), NULL);
	x = ent("m/", AE_IFDIR, 0750);
	archive_entry_set_mtime(x, 1000000, 0);
	tb_put(t, x, NULL);
	tb_file(t, "m/inner", "x");
	tb_file(t, "/abs/path", "rooted");          /* leading / is dropped */
	tb_file(t, "/../../clamped", "clamped");     /* rooted .. stays at the root */
	tb_file(t, "./dot/./name", "dot");
	assert_int_equal(apply_tb(t, LAYER_APPLY_OVERLAY, &e), 0);

	_cleanup_free_ char *h = layer_read("etc/hosts");
	assert_string_equal(h, "127.0.0.1 localhost\n");
	char buf[64] = { 0 };
	assert_int_equal(readlinkat(S->layerfd, "etc/link", buf, sizeof buf), 10);
	assert_string_equal(buf, "/etc/hosts");
	struct stat a = lst("etc/hosts"), b = lst("etc/hard");
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(a.st_nlink, 2);
	struct stat su = lst("bin/su");
	assert_int_equal(su.st_mode & 07777, 04755);
	assert_int_equal(su.st_uid, 1234);
	assert_int_equal(su.st_gid, 5678);
	assert_int_equal(su.st_mtime, 1600000000);
	_cleanup_free_ char *sup = xasprintf("%s/bin/su", S->layer);
	char v[8] = { 0 };
	assert_int_equal(getxattr(sup, "user.note", v, sizeof v), 2);
	assert_string_equal(v, "hi");
	assert_int_equal(getxattr(sup, "trusted.overlay.redirect", v, sizeof v), -1);
	struct stat dn = lst("dev/null");
	assert_true(S_ISCHR(dn.st_mode));
	assert_int_equal(dn.st_rdev, makedev(1, 3));
	assert_int_equal(dn.st_mode & 0777, 0666);
	assert_true(S_ISFIFO(lst("run/fifo").st_mode));
	struct stat m = lst("m");
	assert_int_equal(m.st_mode & 07777, 0750);
	assert_int_equal(m.st_mtime, 1000000); /* fixed after its contents */
	_cleanup_free_ char *ab = layer_read("abs/path");
	assert_string_equal(ab, "rooted");
	_cleanup_free_ char *cl = layer_read("clamped");
	assert_string_equal(cl, "clamped");
	_cleanup_free_ char *dt = layer_read("dot/name");
	assert_string_equal(dt, "dot");
	assert_int_equal(lst("etc/link").st_mtime, 1600000000);
}

static void test_replace_semantics(void **state)
{
	(void)state;
	berr e = { 0 };
	_cleanup_free_ char *victim = xasprintf("%s/victim", S->outside);
	struct tb *t = tb_new(ARCHIVE_FILTER_NONE);
	/* a symlink to the outside victim, then a regular file of the same name: the link is
	 * replaced, never written through */
	tb_symlink(t, "s", victim);
	tb_file(t, "s", "replaced");
	/* a hard link, then a file of the link's name: the original keeps its content */
	tb_file(t, "orig", "original");
	tb_hardlink(t, "h", "orig");
	tb_file(t, "h", "new");
	/* a dir replaced by a file and a file by a dir */
	tb_dir(t, "d/");
	tb_file(t, "d/x", "x");
	tb_file(t, "d", "now a file");
	tb_file(t, "f", "file");
	tb_dir(t, "f/");
	/* a dir entry over an existing dir keeps its contents */
	tb_dir(t, "k/");
	tb_file(t, "k/keep", "keep");
	tb_dir(t, "k/");
	assert_int_equal(apply_tb(t, LAYER_APPLY_OVERLAY, &e), 0);
	assert_true(S_ISREG(lst("s").st_mode));
	_cleanup_free_ char *s = layer_read("s");
	assert_string_equal(s, "replaced");
	_cleanup_free_ char *o = layer_read("orig");
	assert_string_equal(o, "original");
	_cleanup_free_ char *h = layer_read("h");
	assert_string_equal(h, "new");
	assert_true(S_ISREG(lst("d").st_mode));
	assert_true(S_ISDIR(lst("f").st_mode));
	assert_true(exists("k/keep"));
}

/* ---- whiteouts ---- */

static struct tb *whiteout_tar(void)
{
	struct tb *t = tb_new(ARCHIVE_FILTER_GZIP);
	tb_dir(t, "a/");
	tb_file(t, "a/.wh.b", "");
	tb_file(t, ".wh.c", "");
	tb_dir(t, "d/");
	tb_file(t, "d/.wh..wh..opq", "");
	tb_file(t, "d/keep", "new");
	tb_file(t, "e/.wh..wh..opq", ""); /* opaque dir without its own header */
	tb_file(t, ".wh..wh.plnk", "");   /* aufs metadata: ignored */
	tb_file(t, "g/new", "g");         /* added before the opaque marker: kept by FLATTEN */
	tb_file(t, "g/.wh..wh..opq", "");
	return t;
}

static void test_whiteouts_overlay(void **state)
{
	(void)state;
	berr e = { 0 };
	assert_int_equal(apply_tb(whiteout_tar(), LAYER_APPLY_OVERLAY, &e), 0);
	assert_true(is_whiteout("a/b"));
	assert_true(is_whiteout("c"));
	assert_true(is_opaque("d"));
	assert_true(is_opaque("e"));
	assert_true(is_opaque("g"));
	assert_false(is_opaque("a"));
	assert_true(exists("d/keep"));
	assert_true(exists("g/new"));
	assert_false(exists("a/.wh.b"));
	assert_false(exists(".wh.c"));
	assert_false(exists("d/.wh..wh..opq"));
	assert_false(exists(".wh..wh.plnk"));
	assert_int_equal(lst("c").st_uid, 0);
}

static void test_whiteouts_flatten(void **state)
{
	(void)state;
	berr e = { 0 };
	/* the base tree */
	struct tb *t = tb_new(ARCHIVE_FILTER_NONE);
	tb_dir(t, "a/");
	tb_file(t, "a/b", "gone");
	tb_file(t, "a/stay", "stay");
	tb_dir(t, "c/");
	tb_file(t, "c/deep", "gone");
	tb_dir(t, "d/");
	tb_file(t, "d/old", "gone");
	tb_file(t, "d/keep", "old");
	tb_dir(t, "g/");
	tb_file(t, "g/old", "gone");
	assert_int_equal(apply_tb(t, LAYER_APPLY_FLATTEN, &e), 0);
	assert_int_equal(apply_tb(whiteout_tar(), LAYER_APPLY_FLATTEN, &e), 0);
	assert_false(exists("a/b"));
	assert_true(exists("a/stay"));
	assert_false(exists("c"));
	assert_false(exists("d/old"));
	_cleanup_free_ char *k = layer_read("d/keep");
	assert_string_equal(k, "new");
	assert_false(exists("g/old"));
	assert_true(exists("g/new"));
	assert_false(exists("a/.wh.b"));
	assert_false(is_whiteout("a/b"));
	assert_false(is_opaque("d"));
	/* a whiteout of something missing (and in a missing dir) is fine */
	t = tb_new(ARCHIVE_FILTER_NONE);
	tb_file(t, ".wh.nothing", "");
	tb_file(t, "nodir/.wh.x", "");
	tb_file(t, "nodir2/.wh..wh..opq", "");
	assert_int_equal(apply_tb(t, LAYER_APPLY_FLATTEN, &e), 0);
	assert_false(exists("nodir"));
}

/* FLATTEN over an earlier layer's symlink or file where this layer has a directory: the
 * overlay view shows this layer's directory, so the old non-dir is replaced (not followed). */
static void test_flatten_replaces_lower_nondir(void **state)
{
	(void)state;
	berr e = { 0 };
	struct tb *t = tb_new(ARCHIVE_FILTER_NONE);
	tb_dir(t, "usr/");
	tb_dir(t, "usr/lib/");
	tb_file(t, "usr/lib/a", "a");
	tb_symlink(t, "lib", "usr/lib");
	tb_symlink(t, "out", S->outside);
	tb_file(t, "f", "file");
	assert_int_equal(apply_tb(t, LAYER_APPLY_FLATTEN, &e), 0);
	t = tb_new(ARCHIVE_FILTER_NONE);
	tb_file(t, "lib/foo", "foo");
	tb_file(t, "out/victim", "pwned");
	tb_file(t, "f/x", "x");
	assert_int_equal(apply_tb(t, LAYER_APPLY_FLATTEN, &e), 0);
	assert_true(S_ISDIR(lst("lib").st_mode));
	assert_true(exists("lib/foo"));
	assert_false(exists("lib/a"));
	assert_true(exists("usr/lib/a"));
	assert_false(exists("usr/lib/foo"));
	_cleanup_free_ char *v = layer_read("out/victim");
	assert_string_equal(v, "pwned"); /* inside the layer; outside/victim untouched (teardown) */
	assert_true(S_ISDIR(lst("f").st_mode));
	/* the same in OVERLAY mode (a fresh layer dir never holds earlier layers): refused */
	t = tb_new(ARCHIVE_FILTER_NONE);
	tb_symlink(t, "lib2", "usr/lib");
	tb_file(t, "lib2/foo", "foo");
	assert_int_equal(apply_tb(t, LAYER_APPLY_OVERLAY, &e), -1);
	assert_non_null(strstr(e.msg, "refusing to write through symlink \"lib2\""));
}

/* ---- compression and diff_id ---- */

#define SAMPLE "some content that compresses some content that compresses"
static void build_sample(struct tb *t)
{
	tb_dir(t, "x/");
	tb_file(t, "x/y", SAMPLE);
	tb_symlink(t, "x/z", "y");
}

static void test_compressions(void **state)
{
	(void)state;
	/* the uncompressed bytes and their digest */
	struct tb *t = tb_new(ARCHIVE_FILTER_NONE);
	build_sample(t);
	assert_int_equal(archive_write_close(t->a), ARCHIVE_OK);
	char want[DIGEST_STR_LEN + 1];
	digest_buf(t->buf, t->used, want);
	size_t usize = t->used;
	archive_write_free(t->a);
	free(t->buf);
	free(t);
	int filters[] = { ARCHIVE_FILTER_NONE, ARCHIVE_FILTER_GZIP, ARCHIVE_FILTER_ZSTD,
			  ARCHIVE_FILTER_BZIP2, ARCHIVE_FILTER_XZ };
	for (size_t i = 0; i < ARRAY_SIZE(filters); i++) {
		_cleanup_free_ char *dir = xasprintf("%s/c%zu", S->dir, i);
		assert_int_equal(mkdir(dir, 0755), 0);
		_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY);
		t = tb_new(filters[i]);
		build_sample(t);
		struct layer_apply_stats st = { 0 };
		berr e = { 0 };
		assert_int_equal(apply_fd(tb_fd(t), dfd, LAYER_APPLY_OVERLAY, &st, &e), 0);
		assert_string_equal(st.diff_id, want);
		assert_int_equal(st.uncompressed_size, usize);
		struct stat s;
		assert_int_equal(fstatat(dfd, "x/y", &s, 0), 0);
		assert_int_equal(s.st_size, strlen(SAMPLE));
	}
}

static void test_not_a_tar(void **state)
{
	(void)state;
	berr e = { 0 };
	int fd = memfd_create("junk", MFD_CLOEXEC);
	char junk[2048];
	memset(junk, 'A', sizeof junk);
	assert_int_equal(write_all(fd, junk, sizeof junk), 0);
	lseek(fd, 0, SEEK_SET);
	assert_int_equal(apply_fd(fd, S->layerfd, LAYER_APPLY_OVERLAY, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "layer"));
	/* a truncated gzip stream */
	struct tb *t = tb_new(ARCHIVE_FILTER_GZIP);
	build_sample(t);
	fd = tb_fd(t);
	struct stat st;
	fstat(fd, &st);
	assert_int_equal(ftruncate(fd, st.st_size / 2), 0);
	assert_int_equal(apply_fd(fd, S->layerfd, LAYER_APPLY_OVERLAY, NULL, &e), -1);
	/* an empty stream is an empty layer */
	fd = memfd_create("empty", MFD_CLOEXEC);
	struct layer_apply_stats ls;
	assert_int_equal(apply_fd(fd, S->layerfd, LAYER_APPLY_OVERLAY, &ls, &e), 0);
	assert_string_equal(ls.diff_id, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* ---- hostile tars ---- */

/* Apply a tar that must be refused; the error must name `entry`. */
static void refuse(struct tb *t, enum layer_apply_mode mode, const char *entry, const char *why)
{
	berr e = { 0 };
	assert_int_equal(apply_tb(t, mode, &e), -1);
	_cleanup_free_ char *q = xasprintf("\"%s\"", entry);
	if (!strstr(e.msg, q) || (why && !strstr(e.msg, why)))
		fail_msg("unexpected error: %s", e.msg);
	assert_outside_intact();
	/* nothing next to layer/ and outside/ either */
	int n = count_entries(S->dir);
	assert_int_equal(n, 2);
}

static void test_hostile_dotdot(void **state)
{
	(void)state;
	struct tb *t = tb_new(ARCHIVE_FILTER_NONE);
	tb_file(t, "../outside/pwned", "x");
	refuse(t, LAYER_APPLY_OVERLAY, "../outside/pwned", "escapes");
	t = tb_new(ARCHIVE_FILTER_NONE);
	tb_file(t, "ok", "fine");
	tb_file(t, "a/../../outside/victim", "x");
	refuse(t, LAYER_APPLY_OVERLAY, "a/../../outside/victim", "escapes");
	t = tb_new(ARCHIVE_FILTER_GZIP);
	tb_dir(t, "../");
	refuse(t, LAYER_APPLY_FLATTEN, "../", "escapes");
}

static void test_hostile_absolute(void **state)
{
	(void)state;
	berr e = { 0 };
	/* the absolute path of the real outside dir lands inside the layer */
	_cleanup_free_ char *abs = xasprintf("%s/victim", S->outside);
	struct tb *t = tb_new(ARCHIVE_FILTER_NONE);
	tb_file(t, abs, "harmless");
	assert_int_equal(apply_tb(t, LAYER_APPLY_OVERLAY, &e), 0);
	assert_outside_intact();
	_cleanup_free_ char *in = layer_read(abs + 1);
	assert_string_equal(in, "harmless");
}

static void test_hostile_symlink_write(void **state)
{
	(void)state;
	/* symlink to the outside dir, then a write through it */
	struct tb *t = tb_new(ARCHIVE_FILTER_NONE);
	tb_symlink(t, "s", S->outside);
	tb_file(t, "s/victim", "pwned");
	refuse(t, LAYER_APPLY_OVERLAY, "s/victim", "symlink \"s\"");
	/* relative symlink escaping, then a new file through it */
	t = tb_new(ARCHIVE_FILTER_NONE);
	tb_symlink(t, "r", "../outside");
	tb_file(t, "r/new", "pwned");
	refuse(t, LAYER_APPLY_FLATTEN, "r/new", "symlink \"r\"");
	/* a symlink even to a harmless place inside is not written through */
	t = tb_new(ARCHIVE_FILTER_NONE);
	tb_dir(t, "real/");
	tb_symlink(t, "in", "real");
	tb_file(t, "in/f", "x");
	refuse(t, LAYER_APPLY_OVERLAY, "in/f", "symlink");
	/* a deeper parent */
	t = tb_new(ARCHIVE_FILTER_NONE);
	tb_dir(t, "a/");
	tb_symlink(t, "a/b", "/");
	tb_dir(t, "a/b/c/");
	refuse(t, LAYER_APPLY_OVERLAY, "a/b/c/", "symlink \"a/b\"");
}

static void test_hostile_dir_replaced_by_symlink(void **state)
{
	(void)state;
	struct tb *t = tb_new(ARCHIVE_FILTER_NONE);
	tb_dir(t, "d/");
	tb_file(t, "d/ok", "ok");
	tb_symlink(t, "d", S->outside); /* replaces the directory */
	tb_file(t, "d/victim", "pwned");
	refuse(t, LAYER_APPLY_OVERLAY, "d/victim", "symlink \"d\"");
	/* and a hard link through it */
	t = tb_new(ARCHIVE_FILTER_NONE);
	tb_symlink(t, "d2", S->outside);
	tb_hardlink(t, "d2/h", "x");
	refuse(t, LAYER_APPLY_OVERLAY, "d2/h", "symlink");
	/* a symlink entry itself placed through a symlink */
	t = tb_new(ARCHIVE_FILTER_NONE);
	tb_symlink(t, "d3", S->outside);
	tb_symlink(t, "d3/l", "/etc/passwd");
	refuse(t, LAYER_APPLY_OVERLAY, "d3/l", "symlink");
}

static void test_hostile_hardlinks(void **state)
{
	(void)state;
	struct tb *t = tb_new(ARCHIVE_FILTER_NONE);
	tb_hardlink(t, "h", "../outside/victim");
	refuse(t, LAYER_APPLY_OVERLAY, "h", "escapes");
	/* absolute targets are inside the layer: /outside/victim does not exist there */
	_cleanup_free_ char *abs = xasprintf("%s/victim", S->outside);
	t = tb_new(ARCHIVE_FILTER_NONE);
	tb_hardlink(t, "h", abs);
	refuse(t, LAYER_APPLY_OVERLAY, "h", "hard link target");
	/* through a symlink to the outside */
	t = tb_new(ARCHIVE_FILTER_NONE);
	tb_symlink(t, "s", S->outside);
	tb_hardlink(t, "h", "s/victim");
	refuse(t, LAYER_APPLY_OVERLAY, "h", "symlink");
	/* to a symlink that points outside: links the symlink itself, harmless */
	berr e = { 0 };
	t = tb_new(ARCHIVE_FILTER_NONE);
	tb_symlink(t, "s2", abs);
	tb_hardlink(t, "h2", "s2");
	assert_int_equal(apply_tb(t, LAYER_APPLY_OVERLAY, &e), 0);
	assert_true(S_ISLNK(lst("h2").st_mode));
	assert_outside_intact();
	/* to a directory */
	t = tb_new(ARCHIVE_FILTER_NONE);
	tb_dir(t, "dd/");
	tb_hardlink(t, "h3", "dd");
	refuse(t, LAYER_APPLY_OVERLAY, "h3", "directory");
}

static void test_hostile_whiteouts(void **state)
{
	(void)state;
	struct tb *t = tb_new(ARCHIVE_FILTER_NONE);
	tb_file(t, "../outside/.wh.victim", "");
	refuse(t, LAYER_APPLY_FLATTEN, "../outside/.wh.victim", "escapes");
	t = tb_new(ARCHIVE_FILTER_NONE);
	tb_file(t, "a/.wh..", "");
	refuse(t, LAYER_APPLY_FLATTEN, "a/.wh..", "invalid whiteout");
	t = tb_new(ARCHIVE_FILTER_NONE);
	tb_file(t, ".wh.", "");
	refuse(t, LAYER_APPLY_OVERLAY, ".wh.", "invalid whiteout");
	t = tb_new(ARCHIVE_FILTER_NONE);
	tb_symlink(t, "s", S->outside);
	tb_file(t, "s/.wh.victim", "");
	refuse(t, LAYER_APPLY_FLATTEN, "s/.wh.victim", "symlink \"s\"");
	t = tb_new(ARCHIVE_FILTER_NONE);
	tb_symlink(t, "s", S->outside);
	tb_file(t, "s/.wh..wh..opq", "");
	refuse(t, LAYER_APPLY_FLATTEN, "s/.wh..wh..opq", "symlink \"s\"");
	t = tb_new(ARCHIVE_FILTER_NONE);
	tb_file(t, "../.wh..wh..opq", "");
	refuse(t, LAYER_APPLY_FLATTEN, "../.wh..wh..opq", "escapes");
	/* the root as a non-directory */
	t = tb_new(ARCHIVE_FILTER_NONE);
	tb_file(t, ".", "x");
	refuse(t, LAYER_APPLY_OVERLAY, ".", "root");
}

/* ---- diff / tar writing ---- */

/* Build an overlay-upper-like tree under S->dir/<name>. */
static char *make_upper(const char *name)
{
	char *up = sbpath(name);
	_cleanup_free_ char *p = NULL;
	assert_int_equal(mkdir(up, 0755), 0);
	int d = open(up, O_RDONLY | O_DIRECTORY);
	assert_int_equal(mkdirat(d, "etc", 0755), 0);
	int f = openat(d, "etc/conf", O_WRONLY | O_CREAT, 0640);
	assert_int_equal(write(f, "key=value\n", 10), 10);
	assert_int_equal(fsetxattr(f, "user.tag", "t1", 2, 0), 0);
	close(f);
	assert_int_equal(fchownat(d, "etc/conf", 100, 200, 0), 0);
	assert_int_equal(linkat(d, "etc/conf", d, "etc/conf.hard", 0), 0);
	assert_int_equal(symlinkat("conf", d, "etc/conf.sym"), 0);
	f = openat(d, "setuid", O_WRONLY | O_CREAT, 0755);
	close(f);
	assert_int_equal(fchmodat(d, "setuid", 04755, 0), 0);
	assert_int_equal(mknodat(d, "gone", S_IFCHR, makedev(0, 0)), 0);      /* whiteout */
	assert_int_equal(mknodat(d, "etc/gone2", S_IFCHR, makedev(0, 0)), 0);
	assert_int_equal(mknodat(d, "fifo", S_IFIFO | 0600, 0), 0);
	assert_int_equal(mknodat(d, "zero", S_IFCHR | 0666, makedev(1, 5)), 0);
	assert_int_equal(mkdirat(d, "opq", 0700), 0);
	p = xasprintf("%s/opq", up);
	assert_int_equal(setxattr(p, "trusted.overlay.opaque", "y", 1, 0), 0);
	f = openat(d, "opq/inside", O_WRONLY | O_CREAT, 0600);
	close(f);
	char longname[200];
	memset(longname, 'n', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	_cleanup_free_ char *ln = xasprintf("etc/%s", longname);
	f = openat(d, ln, O_WRONLY | O_CREAT, 0600);
	close(f);
	f = openat(d, "etc/na\xc3\xafve", O_WRONLY | O_CREAT, 0600); /* UTF-8 "naïve" */
	close(f);
	f = openat(d, "etc/bad\xff", O_WRONLY | O_CREAT, 0600);        /* not UTF-8 */
	close(f);
	struct timespec ts[2] = { { 1500000000, 0 }, { 1500000000, 0 } };
	utimensat(d, "etc/conf", ts, AT_SYMLINK_NOFOLLOW);
	/* whiteouts with a time of their own: an applier that leaves a marker at "now" differs
	 * (it did, and the test only noticed when it crossed a second boundary) */
	utimensat(d, "etc/gone2", ts, AT_SYMLINK_NOFOLLOW);
	utimensat(d, "gone", ts, AT_SYMLINK_NOFOLLOW);
	utimensat(d, "etc", ts, AT_SYMLINK_NOFOLLOW);
	close(d);
	return up;
}

static struct layer_diff_result diff_to(const char *dir, bool upper, enum layer_compression c, int64_t epoch,
					int *fdout)
{
	struct layer_diff_result r;
	memset(&r, 0, sizeof r);
	berr e = { 0 };
	int fd = memfd_create("diff", MFD_CLOEXEC);
	int rc = upper ? layer_diff_upper(dir, fd, c, epoch, &r, &e) : layer_tar_dir(dir, fd, c, epoch, &r, &e);
	if (rc < 0)
		fail_msg("diff: %s", e.msg);
	lseek(fd, 0, SEEK_SET);
	if (fdout)
		*fdout = fd;
	else
		close(fd);
	return r;
}

/* List the entry names of a layer blob. */
static void list_names(int fd, struct strvec *out)
{
	struct archive *a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_fd(a, fd, 65536), ARCHIVE_OK);
	struct archive_entry *e;
	int r;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN)
		sv_push(out, archive_entry_pathname(e));
	assert_int_equal(r, ARCHIVE_EOF);
	archive_read_free(a);
	lseek(fd, 0, SEEK_SET);
}

static void test_diff_names_and_digests(void **state)
{
	(void)state;
	_cleanup_free_ char *up = make_upper("upper");
	int fd;
	struct layer_diff_result r = diff_to(up, true, LAYER_GZIP, -1, &fd);
	char d[DIGEST_STR_LEN + 1];
	berr e = { 0 };
	assert_int_equal(digest_fd(fd, d, &e), 0);
	assert_string_equal(d, r.digest);
	struct stat st;
	fstat(fd, &st);
	assert_int_equal(r.size, st.st_size);
	lseek(fd, 0, SEEK_SET);
	_cleanup_strvec_ struct strvec names = STRVEC_INIT;
	list_names(fd, &names);
	const char *want[] = { "etc/", "etc/conf", "etc/na\xc3\xafve", "etc/bad\xff", "etc/conf.hard", "etc/conf.sym", "etc/.wh.gone2", "fifo",
			       ".wh.gone", "opq/", "opq/.wh..wh..opq", "opq/inside", "setuid", "zero" };
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		if (!sv_contains(&names, want[i]))
			fail_msg("missing %s", want[i]);
	assert_false(sv_contains(&names, "gone"));
	/* sorted by the on-disk names (a whiteout sits where its victim would) */
	assert_string_equal(names.v[0], "etc/");
	size_t ifi = 0, igone = 0;
	for (size_t i = 0; i < names.n; i++) {
		if (!strcmp(names.v[i], "fifo"))
			ifi = i;
		if (!strcmp(names.v[i], ".wh.gone"))
			igone = i;
	}
	assert_int_equal(igone, ifi + 1);
	/* the uncompressed digest matches what apply computes */
	struct layer_apply_stats as;
	_cleanup_free_ char *dst = sbpath("applied");
	mkdir(dst, 0755);
	_cleanup_close_ int dfd = open(dst, O_RDONLY | O_DIRECTORY);
	assert_int_equal(apply_fd(fd, dfd, LAYER_APPLY_OVERLAY, &as, &e), 0);
	assert_string_equal(as.diff_id, r.diff_id);
	/* deterministic: again, and with the other compressions the diff_id is the same */
	struct layer_diff_result r2 = diff_to(up, true, LAYER_GZIP, -1, NULL);
	assert_string_equal(r.digest, r2.digest);
	struct layer_diff_result rz = diff_to(up, true, LAYER_ZSTD, -1, NULL);
	struct layer_diff_result rn = diff_to(up, true, LAYER_NONE, -1, NULL);
	assert_string_equal(rz.diff_id, r.diff_id);
	assert_string_equal(rn.diff_id, r.diff_id);
	assert_string_equal(rn.digest, rn.diff_id);
	assert_string_not_equal(rz.digest, r.digest);
}

/* Compare two trees: type, mode, owner, size, content, link target, rdev, mtime (non-dirs
 * and dirs), user xattrs, opaque marker, hard link structure. */
static void compare_trees(const char *a, const char *b, const char *rel)
{
	_cleanup_free_ char *pa = xasprintf("%s/%s", a, rel);
	_cleanup_free_ char *pb = xasprintf("%s/%s", b, rel);
	struct stat sa, sb;
	assert_int_equal(lstat(pa, &sa), 0);
	if (lstat(pb, &sb) < 0)
		fail_msg("%s missing in %s", rel, b);
	if (sa.st_mode != sb.st_mode || sa.st_uid != sb.st_uid || sa.st_gid != sb.st_gid)
		fail_msg("%s: mode/owner differ: %o %u:%u vs %o %u:%u", rel, sa.st_mode, sa.st_uid, sa.st_gid,
			 sb.st_mode, sb.st_uid, sb.st_gid);
	if (*rel && sa.st_mtime != sb.st_mtime)
		fail_msg("%s: mtime differs %ld vs %ld", rel, (long)sa.st_mtime, (long)sb.st_mtime);
	if (!S_ISDIR(sa.st_mode) && sa.st_nlink != sb.st_nlink)
		fail_msg("%s: nlink differs", rel);
	char va[64] = { 0 }, vb[64] = { 0 };
	ssize_t la = lgetxattr(pa, "trusted.overlay.opaque", va, sizeof va);
	ssize_t lb = lgetxattr(pb, "trusted.overlay.opaque", vb, sizeof vb);
	assert_int_equal(la, lb);
	if (!S_ISLNK(sa.st_mode)) {
		la = lgetxattr(pa, "user.tag", va, sizeof va);
		lb = lgetxattr(pb, "user.tag", vb, sizeof vb);
		assert_int_equal(la, lb);
		assert_memory_equal(va, vb, sizeof va);
	}
	if (S_ISREG(sa.st_mode)) {
		_cleanup_free_ char *ca = slurp(pa);
		_cleanup_free_ char *cb = slurp(pb);
		assert_string_equal(ca, cb);
	} else if (S_ISLNK(sa.st_mode)) {
		char ta[256] = { 0 }, tb2[256] = { 0 };
		assert_true(readlink(pa, ta, sizeof ta) > 0);
		assert_true(readlink(pb, tb2, sizeof tb2) > 0);
		assert_string_equal(ta, tb2);
	} else if (S_ISCHR(sa.st_mode) || S_ISBLK(sa.st_mode)) {
		assert_int_equal(sa.st_rdev, sb.st_rdev);
	} else if (S_ISDIR(sa.st_mode)) {
		assert_int_equal(count_entries(pa), count_entries(pb));
		DIR *d = opendir(pa);
		struct dirent *de;
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			_cleanup_free_ char *r = *rel ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
			compare_trees(a, b, r);
		}
		closedir(d);
	}
}

static void test_diff_roundtrip_overlay(void **state)
{
	(void)state;
	_cleanup_free_ char *up = make_upper("upper");
	int fd;
	diff_to(up, true, LAYER_ZSTD, -1, &fd);
	_cleanup_free_ char *dst = sbpath("rt");
	mkdir(dst, 0755);
	_cleanup_close_ int dfd = open(dst, O_RDONLY | O_DIRECTORY);
	berr e = { 0 };
	assert_int_equal(apply_fd(fd, dfd, LAYER_APPLY_OVERLAY, NULL, &e), 0);
	compare_trees(up, dst, "");
}

static void test_tar_dir_roundtrip_flatten(void **state)
{
	(void)state;
	_cleanup_free_ char *src = make_upper("tree");
	int fd;
	diff_to(src, false, LAYER_NONE, -1, &fd);
	_cleanup_strvec_ struct strvec names = STRVEC_INIT;
	list_names(fd, &names);
	assert_true(sv_contains(&names, "gone")); /* a plain tree: 0:0 devices stay devices */
	assert_false(sv_contains(&names, "opq/.wh..wh..opq"));
	_cleanup_free_ char *dst = sbpath("flat");
	mkdir(dst, 0755);
	_cleanup_close_ int dfd = open(dst, O_RDONLY | O_DIRECTORY);
	berr e = { 0 };
	assert_int_equal(apply_fd(fd, dfd, LAYER_APPLY_FLATTEN, NULL, &e), 0);
	_cleanup_free_ char *p = xasprintf("%s/opq", src);
	assert_int_equal(removexattr(p, "trusted.overlay.opaque"), 0); /* not carried by tar_dir */
	compare_trees(src, dst, "");
}

/* Bytes of a tar builder as a memfd, keeping nothing else. */
static int tb_memfd(struct tb *t)
{
	return tb_fd(t);
}

static int reopen_dir(const char *rel)
{
	_cleanup_free_ char *p = sbpath(rel);
	mkdir(p, 0755);
	int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

/* The real thing: two layers extracted in OVERLAY mode are mounted as overlay lowerdirs; the
 * merged view must show the whiteouts and opaque dirs; changes made through the mount are
 * diffed from the upper dir; FLATTEN-applying base + layers + diff must give exactly the merged
 * view. Mounting happens in a child in its own mount namespace; skipped where overlay cannot be
 * mounted. */
static void test_overlay_mount_roundtrip(void **state)
{
	(void)state;
	berr e = { 0 };
	struct tb *t1 = tb_new(ARCHIVE_FILTER_GZIP);
	struct archive_entry *x;
	const char *dirs1[] = { "a/", "d/", "keep/" };
	for (size_t i = 0; i < ARRAY_SIZE(dirs1); i++) {
		x = ent(dirs1[i], AE_IFDIR, 0755);
		tb_put(t1, x, NULL);
	}
	tb_file(t1, "a/x", "x1");
	tb_file(t1, "a/y", "y1");
	tb_file(t1, "d/old", "old");
	tb_file(t1, "f", "f1");
	tb_file(t1, "keep/k", "k");
	struct tb *t2 = tb_new(ARCHIVE_FILTER_ZSTD);
	tb_dir(t2, "a/");
	tb_file(t2, "a/.wh.x", "");
	tb_dir(t2, "d/");
	tb_file(t2, "d/.wh..wh..opq", "");
	tb_file(t2, "d/new", "new");
	tb_file(t2, "g", "g2");
	int l1tar = tb_memfd(t1), l2tar = tb_memfd(t2);
	int l1 = reopen_dir("l1"), l2 = reopen_dir("l2");
	struct layer_apply_opts ov = { .mode = LAYER_APPLY_OVERLAY };
	assert_int_equal(layer_apply(l1tar, l1, &ov, NULL, &e), 0);
	assert_int_equal(layer_apply(l2tar, l2, &ov, NULL, &e), 0);
	close(l1);
	close(l2);
	int difffd = memfd_create("diff", 0), snapfd = memfd_create("snap", 0);
	_cleanup_free_ char *up = sbpath("up"), *work = sbpath("work"), *merged = sbpath("merged");
	_cleanup_free_ char *l1p = sbpath("l1"), *l2p = sbpath("l2");
	mkdir(up, 0755);
	mkdir(work, 0755);
	mkdir(merged, 0755);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWNS) < 0 || mount("", "/", NULL, MS_PRIVATE | MS_REC, NULL) < 0)
			_exit(77);
		_cleanup_free_ char *opts = xasprintf("lowerdir=%s:%s,upperdir=%s,workdir=%s", l2p, l1p, up, work);
		if (mount("overlay", merged, "overlay", 0, opts) < 0)
			_exit(77);
		int m = open(merged, O_RDONLY | O_DIRECTORY);
		struct stat st;
		/* the view of the two layers */
		if (fstatat(m, "a/x", &st, 0) == 0 || fstatat(m, "d/old", &st, 0) == 0 ||
		    fstatat(m, "a/y", &st, 0) < 0 || fstatat(m, "d/new", &st, 0) < 0 ||
		    fstatat(m, "keep/k", &st, 0) < 0 || fstatat(m, "g", &st, 0) < 0)
			_exit(10);
		/* changes: delete a lower file, replace a lower dir, copy-up, new file */
		berr ce = { 0 };
		if (unlinkat(m, "f", 0) < 0 || rm_rf_at(m, "keep", &ce) < 0 || mkdirat(m, "keep", 0700) < 0)
			_exit(11);
		int f = openat(m, "keep/z", O_WRONLY | O_CREAT, 0644);
		int y = openat(m, "a/y", O_WRONLY | O_TRUNC);
		int h = openat(m, "h", O_WRONLY | O_CREAT, 0600);
		if (f < 0 || y < 0 || h < 0 || write(y, "y3", 2) != 2 || write(h, "h3", 2) != 2)
			_exit(12);
		close(f);
		close(y);
		close(h);
		struct layer_diff_result r;
		if (layer_diff_upper(up, difffd, LAYER_GZIP, -1, &r, &ce) < 0)
			_exit(13);
		if (layer_tar_dir(merged, snapfd, LAYER_NONE, -1, &r, &ce) < 0)
			_exit(14);
		close(m);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		close(difffd);
		close(snapfd);
		skip();
	}
	assert_int_equal(WEXITSTATUS(status), 0);
	/* the upper dir has what overlay made: a whiteout for f, an opaque keep/ */
	_cleanup_strvec_ struct strvec names = STRVEC_INIT;
	lseek(difffd, 0, SEEK_SET);
	list_names(difffd, &names);
	assert_true(sv_contains(&names, ".wh.f"));
	assert_true(sv_contains(&names, "keep/.wh..wh..opq"));
	assert_true(sv_contains(&names, "a/y"));
	/* flatten base + layer + diff, and compare with the merged view's snapshot */
	int flat = reopen_dir("flat"), snap = reopen_dir("snap");
	struct layer_apply_opts fl = { .mode = LAYER_APPLY_FLATTEN };
	lseek(l1tar, 0, SEEK_SET);
	lseek(l2tar, 0, SEEK_SET);
	lseek(difffd, 0, SEEK_SET);
	lseek(snapfd, 0, SEEK_SET);
	assert_int_equal(layer_apply(l1tar, flat, &fl, NULL, &e), 0);
	assert_int_equal(layer_apply(l2tar, flat, &fl, NULL, &e), 0);
	assert_int_equal(layer_apply(difffd, flat, &fl, NULL, &e), 0);
	assert_int_equal(layer_apply(snapfd, snap, &fl, NULL, &e), 0);
	_cleanup_free_ char *flatp = sbpath("flat"), *snapp = sbpath("snap");
	compare_trees(snapp, flatp, "");
	_cleanup_free_ char *y = xasprintf("%s/a/y", flatp);
	_cleanup_free_ char *yc = slurp(y);
	assert_string_equal(yc, "y3");
	for (int *fdp = (int[]){ l1tar, l2tar, difffd, snapfd, flat, snap }, i = 0; i < 6; i++)
		close(fdp[i]);
}

static void test_diff_epoch_clamp(void **state)
{
	(void)state;
	_cleanup_free_ char *up = make_upper("upper");
	int fd;
	diff_to(up, true, LAYER_NONE, 1000, &fd);
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_fd(a, fd, 65536), ARCHIVE_OK);
	struct archive_entry *e;
	int n = 0, r;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		assert_int_equal(archive_entry_mtime(e), 1000);
		assert_true(archive_entry_uname(e) == NULL || !*archive_entry_uname(e));
		n++;
	}
	assert_true(n > 10);
	archive_read_free(a);
	close(fd);
	/* unchanged content -> same digest even after touching mtimes beyond the epoch */
	struct layer_diff_result r1 = diff_to(up, true, LAYER_GZIP, 1000, NULL);
	_cleanup_free_ char *p = xasprintf("%s/setuid", up);
	assert_int_equal(utimensat(AT_FDCWD, p, NULL, 0), 0);
	struct layer_diff_result r2 = diff_to(up, true, LAYER_GZIP, 1000, NULL);
	assert_string_equal(r1.digest, r2.digest);
	struct layer_diff_result r3 = diff_to(up, true, LAYER_GZIP, -1, NULL);
	assert_string_not_equal(r1.digest, r3.digest);
}

static void test_diff_errors(void **state)
{
	(void)state;
	berr e = { 0 };
	struct layer_diff_result r;
	int fd = memfd_create("x", MFD_CLOEXEC);
	_cleanup_free_ char *missing = sbpath("nope");
	assert_int_equal(layer_diff_upper(missing, fd, LAYER_GZIP, -1, &r, &e), -1);
	assert_non_null(strstr(e.msg, "nope"));
	close(fd);
	/* an unwritable output */
	_cleanup_free_ char *up = make_upper("upper");
	int p[2];
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(layer_diff_upper(up, p[1], LAYER_NONE, -1, &r, &e), -1);
	close(p[1]);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_basic_types),
		T(test_replace_semantics),
		T(test_whiteouts_overlay),
		T(test_whiteouts_flatten),
		T(test_flatten_replaces_lower_nondir),
		T(test_compressions),
		T(test_not_a_tar),
		T(test_hostile_dotdot),
		T(test_hostile_absolute),
		T(test_hostile_symlink_write),
		T(test_hostile_dir_replaced_by_symlink),
		T(test_hostile_hardlinks),
		T(test_hostile_whiteouts),
		T(test_diff_names_and_digests),
		T(test_diff_roundtrip_overlay),
		T(test_tar_dir_roundtrip_flatten),
		T(test_diff_epoch_clamp),
		T(test_overlay_mount_roundtrip),
		T(test_diff_errors),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	/* the fallback path walk too, for the hostile cases */
	safepath_no_openat2 = true;
	const struct CMUnitTest fallback[] = {
		T(test_basic_types),
		T(test_hostile_dotdot),
		T(test_hostile_symlink_write),
		T(test_hostile_dir_replaced_by_symlink),
		T(test_hostile_hardlinks),
		T(test_hostile_whiteouts),
	};
	rc |= cmocka_run_group_tests_name("fallback walk", fallback, NULL, NULL);
	return rc;
}
