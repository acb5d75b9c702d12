/* fs.c: file-system helpers used throughout the store and runtime. */
#include "util/fs.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util/cleanup.h"
#include "util/strbuf.h"

int read_file_at(int dirfd, const char *path, char **out, size_t *len, berr *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	struct strbuf sb = STRBUF_INIT;
	if (fd < 0)
		return berr_sys(err, "open %s", path);
	sb_init(&sb);
	for (;;) {
		sb_grow(&sb, 65536);
		ssize_t n = read(fd, sb.buf + sb.len, sb.alloc - sb.len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			sb_release(&sb);
			return berr_sys(err, "read %s", path);
		}
		if (n == 0)
			break;
		sb.len += (size_t)n;
		sb.buf[sb.len] = 0;
	}
	if (len)
		*len = sb.len;
	*out = sb_detach(&sb);
	return 0;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fsync_dir(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	return fsync(fd);
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, berr *err)
{
	_cleanup_free_ char *tmp = xasprintf("%s.tmp.%d", path, getpid());
	_cleanup_free_ char *dir = xstrdup(path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return berr_sys(err, "create %s", tmp);
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		berr_sys(err, "write %s", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		berr_sys(err, "rename %s", path);
		unlink(tmp);
		return -1;
	}
	fsync_dir(dirname(dir));
	return 0;
}

int mkdir_p(const char *path, mode_t mode, berr *err)
{
	_cleanup_free_ char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return berr_sys(err, "mkdir %s", p);
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return berr_sys(err, "mkdir %s", p);
	return 0;
}

static int rm_contents(int dfd, berr *err)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	if (!d) {
		close(dfd);
		return berr_sys(err, "fdopendir");
	}
	int rc = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (rm_rf_at(dirfd(d), de->d_name, err) < 0) {
			rc = -1;
			break;
		}
	}
	closedir(d);
	return rc;
}

int rm_rf_at(int dirfd, const char *name, berr *err)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return berr_sys(err, "unlink %s", name);
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return berr_sys(err, "open %s", name);
	}
	if (rm_contents(fd, err) < 0)
		return berr_wrap(err, "remove %s", name);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return berr_sys(err, "rmdir %s", name);
	return 0;
}

int rm_rf(const char *path, berr *err)
{
	return rm_rf_at(AT_FDCWD, path, err);
}

bool path_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}
