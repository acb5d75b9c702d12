/* blob.c: the content-addressed blob store (see blob.h) and the store's temp area. */
#include "store/blob.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strbuf.h"

struct blob_writer {
	struct store *st;
	int fd;
	char *tmp;
	struct digester *d;
	uint64_t size;
};

int store_tmp_create(struct store *st, const char *prefix, bool dir, int *lockfd, char **path, berr *err)
{
	static unsigned seq;
	for (int tries = 0; tries < 100; tries++) {
		char *p = xasprintf("%s/tmp/%s-%d-%u-%lx", st->root, prefix, getpid(), seq++, (unsigned long)random());
		int fd;
		if (dir) {
			if (mkdir(p, 0700) < 0) {
				free(p);
				if (errno == EEXIST)
					continue;
				return berr_sys(err, "create temp dir");
			}
			fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		} else {
			fd = open(p, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			if (fd < 0 && errno == EEXIST) {
				free(p);
				continue;
			}
		}
		if (fd < 0) {
			berr_sys(err, "create temp file %s", p);
			free(p);
			return -1;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			berr_sys(err, "lock %s", p);
			close(fd);
			free(p);
			return -1;
		}
		*lockfd = fd;
		*path = p;
		return 0;
	}
	return berr_set(err, EEXIST, "cannot create a temp file under %s/tmp", st->root);
}

static uint64_t du_at(int dfd, const char *name)
{
	struct stat s;
	if (fstatat(dfd, name, &s, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	uint64_t t = (uint64_t)s.st_blocks * 512;
	if (S_ISDIR(s.st_mode)) {
		int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return t;
		DIR *d = fdopendir(fd);
		if (!d) {
			close(fd);
			return t;
		}
		struct dirent *e;
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				t += du_at(dirfd(d), e->d_name);
		closedir(d);
	}
	return t;
}

int store_tmp_gc(struct store *st, uint64_t *freed, bool dry_run)
{
	_cleanup_free_ char *tmpdir = store_path(st, "tmp");
	_cleanup_closedir_ DIR *d = opendir(tmpdir);
	int n = 0;
	if (freed)
		*freed = 0;
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		_cleanup_close_ int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0)
			continue; /* its writer is alive */
		if (freed)
			*freed += du_at(dirfd(d), e->d_name);
		n++;
		if (!dry_run) {
			berr err;
			rm_rf_at(dirfd(d), e->d_name, &err);
		}
	}
	return n;
}

char *blob_path(struct store *st, const char *digest)
{
	return xasprintf("%s/blobs/sha256/%s", st->root, digest_hex(digest));
}

/* Lazy blobs (see blob.h): a hook set once by the image layer. */
static const struct blob_lazy_ops *lazy_ops;

void blob_set_lazy(const struct blob_lazy_ops *ops)
{
	lazy_ops = ops;
}

bool blob_exists(struct store *st, const char *digest)
{
	if (!digest_valid(digest))
		return false;
	_cleanup_free_ char *p = blob_path(st, digest);
	if (access(p, F_OK) == 0)
		return true;
	return lazy_ops && lazy_ops->has(st, digest);
}

int blob_writer_open(struct store *st, struct blob_writer **out, berr *err)
{
	struct blob_writer *w = xcalloc(1, sizeof *w);
	w->st = st;
	if (store_tmp_create(st, "blob", false, &w->fd, &w->tmp, err) < 0) {
		free(w);
		return -1;
	}
	w->d = digester_new();
	*out = w;
	return 0;
}

int blob_writer_write(struct blob_writer *w, const void *data, size_t len, berr *err)
{
	if (write_all(w->fd, data, len) < 0)
		return berr_sys(err, "write blob");
	digester_update(w->d, data, len);
	w->size += len;
	return 0;
}

void blob_writer_abort(struct blob_writer *w)
{
	if (!w)
		return;
	unlink(w->tmp);
	close(w->fd);
	if (w->d)
		digester_free(w->d);
	free(w->tmp);
	free(w);
}

int blob_writer_commit(struct blob_writer *w, const char *expect, char digest_out[DIGEST_STR_LEN + 1],
		       uint64_t *size_out, berr *err)
{
	char dg[DIGEST_STR_LEN + 1];
	digester_finish(w->d, dg);
	w->d = NULL;
	if (expect && strcmp(expect, dg)) {
		berr_set(err, EINVAL, "digest mismatch: expected %s, got %s", expect, dg);
		blob_writer_abort(w);
		return -1;
	}
	if (fsync(w->fd) < 0) {
		berr_sys(err, "fsync blob");
		blob_writer_abort(w);
		return -1;
	}
	fchmod(w->fd, 0644);
	_cleanup_free_ char *dst = blob_path(w->st, dg);
	if (rename(w->tmp, dst) < 0) {
		berr_sys(err, "rename blob into %s", dst);
		blob_writer_abort(w);
		return -1;
	}
	_cleanup_free_ char *dir = store_path(w->st, "blobs/sha256");
	fsync_dir(dir);
	if (digest_out)
		memcpy(digest_out, dg, sizeof dg);
	if (size_out)
		*size_out = w->size;
	close(w->fd);
	free(w->tmp);
	free(w);
	return 0;
}

int blob_write_buf(struct store *st, const void *data, size_t len, const char *expect,
		   char digest_out[DIGEST_STR_LEN + 1], berr *err)
{
	char dg[DIGEST_STR_LEN + 1];
	digest_buf(data, len, dg);
	if (expect && strcmp(expect, dg))
		return berr_set(err, EINVAL, "digest mismatch: expected %s, got %s", expect, dg);
	if (digest_out)
		memcpy(digest_out, dg, sizeof dg);
	if (blob_exists(st, dg))
		return 0;
	struct blob_writer *w;
	if (blob_writer_open(st, &w, err) < 0)
		return -1;
	if (blob_writer_write(w, data, len, err) < 0) {
		blob_writer_abort(w);
		return -1;
	}
	return blob_writer_commit(w, dg, NULL, NULL, err);
}

int blob_write_fd(struct store *st, int fd, const char *expect, char digest_out[DIGEST_STR_LEN + 1],
		  uint64_t *size_out, berr *err)
{
	struct blob_writer *w;
	if (blob_writer_open(st, &w, err) < 0)
		return -1;
	_cleanup_free_ char *buf = xmalloc(1 << 20);
	for (;;) {
		ssize_t n = read(fd, buf, 1 << 20);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			berr_sys(err, "read");
			blob_writer_abort(w);
			return -1;
		}
		if (n == 0)
			break;
		if (blob_writer_write(w, buf, (size_t)n, err) < 0) {
			blob_writer_abort(w);
			return -1;
		}
	}
	return blob_writer_commit(w, expect, digest_out, size_out, err);
}

int blob_open(struct store *st, const char *digest, berr *err)
{
	if (!digest_valid(digest))
		return berr_set(err, EINVAL, "invalid digest %s", digest);
	_cleanup_free_ char *p = blob_path(st, digest);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && lazy_ops && lazy_ops->has(st, digest)) {
		if (lazy_ops->make(st, digest, err) < 0)
			return -1;
		fd = open(p, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return berr_set(err, errno, "blob %s not found", digest);
	return fd;
}

int blob_read(struct store *st, const char *digest, char **data, size_t *len, berr *err)
{
	_cleanup_close_ int fd = blob_open(st, digest, err);
	if (fd < 0)
		return -1;
	_cleanup_free_ char *p = blob_path(st, digest);
	return read_file(p, data, len, err);
}

int blob_verify(struct store *st, const char *digest, berr *err)
{
	_cleanup_close_ int fd = blob_open(st, digest, err);
	char dg[DIGEST_STR_LEN + 1];
	if (fd < 0)
		return -1;
	if (digest_fd(fd, dg, err) < 0)
		return -1;
	if (strcmp(dg, digest))
		return berr_set(err, EINVAL, "blob %s has digest %s", digest, dg);
	return 0;
}

int blob_remove(struct store *st, const char *digest, berr *err)
{
	if (lazy_ops)
		lazy_ops->forget(st, digest);
	_cleanup_free_ char *p = blob_path(st, digest);
	if (unlink(p) < 0 && errno != ENOENT)
		return berr_sys(err, "remove %s", p);
	return 0;
}
