/* layer_adopt.c: see layer_adopt.h. */
#include "image/layer_adopt.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "image/layer.h"
#include "store/blob.h"
#include "store/blob_adopt.h"
#include "util/cleanup.h"
#include "util/fs.h"

static bool keep_xattr(const char *n)
{
	if (strncmp(n, "trusted.overlay.", 16) && strncmp(n, "user.overlay.", 13))
		return true;
	return !strcmp(n, "trusted.overlay.opaque") || !strcmp(n, "user.overlay.opaque");
}

/* Drop overlay bookkeeping xattrs (origin, impure, nlink, ...) below dfd/name. */
static void strip_at(int dfd, const char *name)
{
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
		int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
		if (fd < 0)
			return;
		char list[4096];
		ssize_t n = flistxattr(fd, list, sizeof list);
		for (ssize_t i = 0; i < n; i += (ssize_t)strlen(list + i) + 1)
			if (!keep_xattr(list + i))
				fremovexattr(fd, list + i);
		if (!S_ISDIR(st.st_mode)) {
			close(fd);
			return;
		}
		DIR *d = fdopendir(fd);
		if (!d) {
			close(fd);
			return;
		}
		struct dirent *e;
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				strip_at(dirfd(d), e->d_name);
		closedir(d);
	}
}

int layer_adopt_dir(struct store *st, const char *parent_chain, struct img_layer *l, const char *dir, berr *err)
{
	chain_id_next(parent_chain, l->diff_id, l->chain_id);
	_cleanup_free_ char *ld = xasprintf("%s/layers/%s", st->root, digest_hex(l->chain_id));
	if (mkdir(ld, 0700) < 0 && errno != EEXIST)
		return berr_sys(err, "mkdir %s", ld);
	_cleanup_close_ int lk = open(ld, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lk < 0 || flock(lk, LOCK_EX) < 0)
		return berr_sys(err, "lock %s", ld);
	_cleanup_free_ char *dst = layer_dir(st, l->chain_id);
	berr e2;
	if (path_exists(dst)) {
		rm_rf(dir, &e2);
	} else {
		strip_at(AT_FDCWD, dir);
		chmod(dir, 0700); /* as an extracted layer's root (a fresh temp dir) */
		if (rename(dir, dst) < 0) {
			if (errno != EXDEV)
				return berr_sys(err, "rename layer into %s", dst);
			close(lk);
			lk = -1;
			return layer_ensure(st, parent_chain, l, err);
		}
		fsync_dir(ld);
	}
	l->size = path_apparent_size(dst);
	return 0;
}

/* ---- lazy blobs ---- */
static char *recipe_path(struct store *st, const char *digest)
{
	return xasprintf("%s/lazyblobs/%s", st->root, digest_hex(digest));
}

int layer_lazy_blob_record(struct store *st, const char *digest, const char *chain_id, enum layer_compression comp,
			   int64_t epoch, berr *err)
{
	_cleanup_free_ char *dir = xasprintf("%s/lazyblobs", st->root);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return berr_sys(err, "mkdir %s", dir);
	_cleanup_free_ char *p = recipe_path(st, digest);
	_cleanup_free_ char *text = xasprintf("%s\n%d\n%lld\n", chain_id, (int)comp, (long long)epoch);
	return write_file_atomic(p, text, strlen(text), 0600, err);
}

static int recipe_read(struct store *st, const char *digest, char chain[DIGEST_STR_LEN + 1], int *comp, long long *epoch)
{
	_cleanup_free_ char *p = recipe_path(st, digest);
	FILE *f = fopen(p, "re");
	if (!f)
		return -1;
	char c[128];
	int ok = fscanf(f, "%127s %d %lld", c, comp, epoch) == 3 && digest_valid(c);
	fclose(f);
	if (!ok)
		return -1;
	snprintf(chain, DIGEST_STR_LEN + 1, "%.71s", c);
	return 0;
}

static bool lazy_has(struct store *st, const char *digest)
{
	char chain[DIGEST_STR_LEN + 1];
	int comp;
	long long epoch;
	if (recipe_read(st, digest, chain, &comp, &epoch) < 0)
		return false;
	_cleanup_free_ char *d = layer_dir(st, chain);
	return path_exists(d);
}

static int lazy_make(struct store *st, const char *digest, berr *err)
{
	char chain[DIGEST_STR_LEN + 1];
	int comp;
	long long epoch;
	if (recipe_read(st, digest, chain, &comp, &epoch) < 0)
		return berr_set(err, ENOENT, "blob %s not found", digest);
	_cleanup_free_ char *d = layer_dir(st, chain);
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	if (store_tmp_create(st, "lazyblob", false, &fd, &tmp, err) < 0)
		return -1;
	struct layer_diff_result res;
	if (layer_diff_upper(d, fd, (enum layer_compression)comp, epoch, &res, err) < 0) {
		unlink(tmp);
		return -1;
	}
	if (strcmp(res.digest, digest)) {
		unlink(tmp);
		return berr_set(err, EIO, "blob %s: the layer %s no longer gives it (got %s)", digest, chain, res.digest);
	}
	if (blob_adopt(st, fd, tmp, digest, err) < 0) {
		unlink(tmp);
		return -1;
	}
	_cleanup_free_ char *p = recipe_path(st, digest);
	unlink(p);
	return 0;
}

static void lazy_forget(struct store *st, const char *digest)
{
	_cleanup_free_ char *p = recipe_path(st, digest);
	unlink(p);
}

static const struct blob_lazy_ops lazy_ops = { lazy_has, lazy_make, lazy_forget };

__attribute__((constructor)) static void lazy_register(void)
{
	blob_set_lazy(&lazy_ops);
}
