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
