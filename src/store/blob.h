/* blob.h: the content-addressed blob store, root/blobs/sha256/<hex> (OCI image layout).
 * Writes go to a temp file under root/tmp (held under flock while written, so a crashed
 * writer's leftovers are recognisable), are fsynced, checked against the expected digest and
 * renamed into place; the directory is fsynced after. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "store/store.h"
#include "util/digest.h"

struct blob_writer;

int blob_writer_open(struct store *st, struct blob_writer **out, berr *err);
int blob_writer_write(struct blob_writer *w, const void *data, size_t len, berr *err);
/* Finish: fsync, compare with expect (if not NULL; mismatch is an error), rename into place.
 * digest_out receives the digest; size_out the size. Always frees w. */
int blob_writer_commit(struct blob_writer *w, const char *expect, char digest_out[DIGEST_STR_LEN + 1],
		       uint64_t *size_out, berr *err);
void blob_writer_abort(struct blob_writer *w);

int blob_write_buf(struct store *st, const void *data, size_t len, const char *expect,
		   char digest_out[DIGEST_STR_LEN + 1], berr *err);
/* Copy fd to EOF into the store. */
int blob_write_fd(struct store *st, int fd, const char *expect, char digest_out[DIGEST_STR_LEN + 1],
		  uint64_t *size_out, berr *err);

char *blob_path(struct store *st, const char *digest);
bool blob_exists(struct store *st, const char *digest);
/* Open for reading; -1 with "blob sha256:... not found" if absent. */
int blob_open(struct store *st, const char *digest, berr *err);
int blob_read(struct store *st, const char *digest, char **data, size_t *len, berr *err);
/* Re-hash the blob and compare with its name. */
int blob_verify(struct store *st, const char *digest, berr *err);
int blob_remove(struct store *st, const char *digest, berr *err);

/* A temp entry under root/tmp held under an exclusive flock by its creator: *lockfd keeps the
 * lock, *path is its absolute path. dir=true makes a directory. */
int store_tmp_create(struct store *st, const char *prefix, bool dir, int *lockfd, char **path, berr *err);
/* Remove temp entries under root/tmp whose creator is gone (their flock is free).
 * Returns the number removed; bytes freed in *freed if not NULL. */
int store_tmp_gc(struct store *st, uint64_t *freed, bool dry_run);
