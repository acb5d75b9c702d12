/* layer.h: layer tarballs <-> directories (OCI/Docker whiteouts), hostile-tar safe.
 * Implemented in src/image/layer_apply.c and layer_diff.c; see docs/layers.md. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "util/err.h"
#include "util/strbuf.h"

enum layer_apply_mode {
	/* Extract into a fresh layer directory used as an overlay lowerdir (Docker's overlay2):
	 * `.wh.NAME` becomes an overlayfs whiteout (char device 0:0 named NAME) and
	 * `.wh..wh..opq` sets trusted.overlay.opaque=y on its directory. */
	LAYER_APPLY_OVERLAY = 0,
	/* Apply onto an existing tree (export, squash, a flat rootfs): `.wh.NAME` really deletes
	 * NAME, `.wh..wh..opq` deletes everything in its directory that this layer did not add. */
	LAYER_APPLY_FLATTEN = 1,
};

struct layer_apply_opts {
	bool rootless;        /* skip device nodes and chown failures (not root) */
	enum layer_apply_mode mode;
};

struct layer_apply_stats {
	char diff_id[80];     /* "sha256:..." of the uncompressed tar stream */
	uint64_t uncompressed_size;
};

/* Apply the layer tar read from fd (gzip, zstd, bzip2, xz or uncompressed, detected by magic)
 * onto the directory dirfd (opts NULL = OVERLAY mode, as root), honouring whiteouts as `mode`
 * says. Entry names are cleaned (a leading "/" is dropped, ".." may not climb above the root).
 * Refuses hostile entries with an error naming the entry and writes nothing outside dirfd:
 * "../" escapes, a write through a symlink (any symlink this tar made in an entry's parent path,
 * including a directory replaced by a symlink earlier in the tar; in FLATTEN mode a symlink or
 * file left by an EARLIER layer where this one has a directory is replaced by a directory, as
 * the overlay view shows it, never followed), hard links whose target escapes or does
 * not exist in dirfd, whiteouts of "." / ".." or escaping names. Symlink entries themselves may
 * point anywhere: they are created, never followed. Overlay xattrs (trusted.overlay.*,
 * user.overlay.*) in a tar are dropped. stats may be NULL. */
int layer_apply(int fd, int dirfd, const struct layer_apply_opts *opts,
		struct layer_apply_stats *stats, berr *err);

enum layer_compression { LAYER_GZIP, LAYER_ZSTD, LAYER_NONE };

struct layer_diff_result {
	char digest[80];      /* digest of the compressed blob written */
	char diff_id[80];     /* digest of the uncompressed tar */
	uint64_t size;        /* compressed size */
};

/* out_fd < 0 below: nothing is written, only the digests and size are computed. */
/* Compute the changes of an overlay upper dir (overlayfs whiteouts -> .wh. files) and write
 * them as a layer tar to out_fd, compressed as asked; deterministic for equal inputs (sorted
 * names; mtimes clamped to source_date_epoch when >= 0). PAX tar (ustar headers, PAX records
 * only when needed: long names, xattrs), numeric uid/gid, hard links by inode, xattrs
 * (except overlay and security.selinux ones); sockets are skipped. Both digests are computed
 * in the same pass. */
int layer_diff_upper(const char *upperdir, int out_fd, enum layer_compression comp,
		     int64_t source_date_epoch, struct layer_diff_result *res, berr *err);
/* As layer_diff_upper, leaving out the entries (and their subtrees) whose path relative to the
 * upper dir ("etc/hosts", no leading slash) is in skip (`commit`: the runtime's mount points). */
int layer_diff_upper_skip(const char *upperdir, const struct strvec *skip, int out_fd, enum layer_compression comp,
			  int64_t source_date_epoch, struct layer_diff_result *res, berr *err);

/* Tar a whole directory tree as one layer (no parent: `import`, tests, squash): as
 * layer_diff_upper but char devices 0:0 stay devices and opaque xattrs are not converted
 * into whiteouts (overlay xattrs are still left out). */
int layer_tar_dir(const char *dir, int out_fd, enum layer_compression comp,
		  int64_t source_date_epoch, struct layer_diff_result *res, berr *err);
