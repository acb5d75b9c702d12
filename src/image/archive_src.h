/* archive_src.h: the files of an image archive (a `docker save` tar, an OCI archive, or an OCI
 * layout directory) read once: small files kept in memory, large ones streamed straight into
 * the blob store (verified against their blobs/sha256/<hex> names). Names are normalised and
 * never used as host paths; symlinks and hard links inside the archive are resolved by name. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "store/store.h"
#include "util/digest.h"
#include "util/strbuf.h"

struct arc_file {
	char *name;
	char *link;          /* symlink / hard link target (archive-relative), else NULL */
	char *data;          /* small file contents, else NULL */
	size_t len;
	char digest[DIGEST_STR_LEN + 1]; /* digest of the contents ("" for links) */
	bool in_store;       /* contents are the blob `digest` in the store */
};

struct arc {
	struct arc_file *f;
	size_t n, alloc;
	struct strvec created;  /* blobs this read created (removed again if the load fails) */
	uint64_t mem;           /* bytes of small files held in memory */
};

/* Read a tar stream (any compression) from fd, or the directory at path (fd < 0). */
int arc_read(struct store *st, int fd, const char *dirpath, struct arc *a, berr *err);
const struct arc_file *arc_get(const struct arc *a, const char *name);
/* Make sure the file is a blob in the store; fills digest. expect may be NULL. */
int arc_to_blob(struct store *st, struct arc *a, const struct arc_file *f, const char *expect,
		char digest[DIGEST_STR_LEN + 1], berr *err);
/* Contents of a small file (NUL-terminated), or error if large/missing. */
int arc_small(struct store *st, const struct arc *a, const char *name, const char **data, size_t *len, berr *err);
void arc_free(struct arc *a);
/* Remove blobs created by this read that no image references. */
void arc_cleanup_unused(struct store *st, struct arc *a);
