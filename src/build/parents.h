/* parents.h: `COPY --parents` (BuildKit's Dockerfile 1.7 semantics): every source keeps its
 * path relative to the context root (or to the source root of --from), or, when the source
 * contains a "/./" pivot, its path after the pivot; "**" matches any number of path
 * components (also none); other components are Go filepath.Match globs; a source that matches
 * nothing is skipped, as BuildKit does. See docs/build.md. */
#pragma once
#include "build/context.h"
#include "build/copy.h"
#include "util/err.h"
#include "util/strbuf.h"

/* What the sources match: src[i] (a path as the copy takes it, relative to the root) goes to
 * DEST/rel[i]. */
struct bparents {
	struct strvec src, rel;
};
void bparents_release(struct bparents *p);

/* Match the sources against the context's (filtered) entries. */
int bparents_expand_ctx(const struct bctx *c, const char *const *srcs, size_t n, struct bparents *out, berr *err);
/* Match the sources against a directory tree (COPY --from), walked without following symlinks. */
int bparents_expand_root(int rootfd, const char *const *srcs, size_t n, struct bparents *out, berr *err);

/* The copies themselves: each match to dest/rel (dest absolute, cleaned). */
int bparents_copy_ctx(int rootfd, struct bctx *c, const struct bparents *p, const char *const *excludes,
		      size_t nexcludes, const char *dest, const struct copy_owner *o, long chmod, berr *err);
int bparents_copy_root(int rootfd, int srcroot, const struct bparents *p, const char *const *excludes,
		       size_t nexcludes, const char *dest, const struct copy_owner *o, long chmod, berr *err);
