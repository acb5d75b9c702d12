/* fs.h: small file-system helpers: whole-file reads, crash-safe writes, mkdir -p, rm -rf. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "util/err.h"

/* Read a whole file (at dirfd, AT_FDCWD for cwd) into a NUL-terminated malloc'd buffer. */
int read_file_at(int dirfd, const char *path, char **out, size_t *len, berr *err);
static inline int read_file(const char *path, char **out, size_t *len, berr *err)
{
	return read_file_at(-100 /* AT_FDCWD */, path, out, len, err);
}
/* Write data to path atomically: temp file in the same dir, fsync, rename, fsync dir. */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, berr *err);
/* Write all of buf to fd, retrying short writes and EINTR. */
int write_all(int fd, const void *buf, size_t len);
/* mkdir -p with mode for the created parts. */
int mkdir_p(const char *path, mode_t mode, berr *err);
/* rm -rf that never follows symlinks (works on fds). Missing path is not an error. */
int rm_rf(const char *path, berr *err);
int rm_rf_at(int dirfd, const char *name, berr *err);
/* fsync a directory by path. */
int fsync_dir(const char *path);
bool path_exists(const char *path);
