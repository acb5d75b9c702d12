/* layer.h: layer tarballs <-> directories (OCI/Docker whiteouts), hostile-tar safe.
 * Implemented in src/image/layer_apply.c and layer_diff.c. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "util/err.h"
#include "util/strbuf.h"

struct layer_apply_opts {
	bool rootless;        /* skip device nodes and chown failures (not root) */
};

struct layer_apply_stats {
	char diff_id[80];     /* "sha256:..." of the uncompressed tar stream */
	uint64_t uncompressed_size;
};

/* Apply the layer tar read from fd (gzip, zstd or uncompressed, detected by magic) onto the
 * directory dirfd, honouring whiteouts (.wh.NAME deletes NAME; .wh..wh..opq empties the
 * directory) as an overlay lower layer's extraction needs: for extraction into a fresh layer
 * directory, whiteouts are recorded as overlayfs whiteouts (0:0 char devices / the
 * trusted.overlay.opaque xattr) so the dir can be used as an overlay lowerdir.
 * Refuses hostile entries (../, absolute, symlink traversal, hard links out, a parent replaced
 * by a symlink) with a clear error and writes nothing outside dirfd. */
int layer_apply(int fd, int dirfd, const struct layer_apply_opts *opts,
		struct layer_apply_stats *stats, berr *err);

enum layer_compression { LAYER_GZIP, LAYER_ZSTD, LAYER_NONE };

struct layer_diff_result {
	char digest[80];      /* digest of the compressed blob written */
	char diff_id[80];     /* digest of the uncompressed tar */
	uint64_t size;        /* compressed size */
};

/* Compute the changes of an overlay upper dir (overlayfs whiteouts -> .wh. files) and write
 * them as a layer tar to out_fd, compressed as asked; deterministic for equal inputs (sorted
 * names; mtimes clamped to source_date_epoch when >= 0). */
int layer_diff_upper(const char *upperdir, int out_fd, enum layer_compression comp,
		     int64_t source_date_epoch, struct layer_diff_result *res, berr *err);
