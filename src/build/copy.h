/* copy.h: COPY/ADD/WORKDIR file operations of the builder, done inside a root directory fd
 * (the step's overlay mount) with util/safepath.h, never following a symlink out of it. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include "build/context.h"
#include "util/err.h"

struct copy_owner {
	bool set;          /* --chown given (else: context files 0:0, --from keeps owners) */
	uid_t uid;
	gid_t gid;
};

/* mkdir -p PATH inside the root; directories created get owner o (0:0 if !o->set). */
int bcopy_mkdir(int rootfd, const char *path, const struct copy_owner *o, berr *err);

/* COPY/ADD from the build context: srcs (as written, expanded) to dest (absolute, cleaned by
 * the caller; dest_dir: it names a directory). chmod < 0: keep modes. add: local archives are
 * extracted (ADD). */
int bcopy_from_context(int rootfd, struct bctx *c, const char *const *srcs, size_t nsrcs,
		       const char *const *excludes, size_t nexcludes, const char *dest, bool dest_dir,
		       const struct copy_owner *o, long chmod, bool add, berr *err);

/* COPY --from: srcs resolved inside srcroot (globs in the last component), owners kept unless
 * o->set. */
int bcopy_from_root(int rootfd, int srcroot, const char *const *srcs, size_t nsrcs, const char *dest,
		    bool dest_dir, const struct copy_owner *o, long chmod, berr *err);

/* The same with COPY --from --exclude=PATTERN... (patterns as for the context's copy, matched
 * against paths relative to each copied directory; a match itself is never excluded). */
int bcopy_from_root_ex(int rootfd, int srcroot, const char *const *srcs, size_t nsrcs, const char *const *excludes,
		       size_t nexcludes, const char *dest, bool dest_dir, const struct copy_owner *o, long chmod,
		       berr *err);

/* Write data as the file path (parents created with owner o), mode, owner o (0:0 unset):
 * COPY <<EOF heredocs. */
int bcopy_write(int rootfd, const char *path, const char *data, size_t len, const struct copy_owner *o,
		mode_t mode, berr *err);

/* Copy the open file srcfd to path (parents created with owner o), mode, owner o (0:0 if
 * unset), mtime (NULL: now): ADD of a URL. */
int bcopy_file(int rootfd, const char *path, int srcfd, mode_t mode, const struct copy_owner *o,
	       const struct timespec *mtime, berr *err);
