/* blob_adopt.h: move a file the caller wrote and verified (under root/tmp, same file system)
 * into the blob store without copying it (the registry client's resumable downloads). */
#pragma once
#include "store/store.h"
#include "util/digest.h"

/* fd is open on tmp_path; its contents must already be verified to hash to `digest`.
 * fsync, chmod 0644, rename to blobs/sha256/<hex>, fsync the directory. */
int blob_adopt(struct store *st, int fd, const char *tmp_path, const char *digest, berr *err);
