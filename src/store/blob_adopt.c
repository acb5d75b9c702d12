/* blob_adopt.c: see blob_adopt.h. */
#include "store/blob_adopt.h"
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include "store/blob.h"
#include "util/cleanup.h"
#include "util/fs.h"

int blob_adopt(struct store *st, int fd, const char *tmp_path, const char *digest, berr *err)
{
	if (fsync(fd) < 0)
		return berr_sys(err, "fsync %s", tmp_path);
	fchmod(fd, 0644);
	_cleanup_free_ char *dst = blob_path(st, digest);
	if (rename(tmp_path, dst) < 0)
		return berr_sys(err, "rename blob into %s", dst);
	_cleanup_free_ char *dir = store_path(st, "blobs/sha256");
	fsync_dir(dir);
	return 0;
}
