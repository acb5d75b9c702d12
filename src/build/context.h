/* context.h: the build context of `berth build`: walk a context directory through fds (never
 * following a symlink, never leaving the root), apply .dockerignore as BuildKit does, resolve
 * COPY sources (Go filepath.Match globs, symlinks followed only inside the context) and
 * compute content digests of files and file sets, with a stat cache in the store so an
 * unchanged context costs only stat calls. Digests never depend on where the context lives.
 * See docs/build-context.md. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "build/ignore.h"
#include "store/store.h"
#include "util/digest.h"
#include "util/err.h"
#include "util/strbuf.h"

struct bctx_entry {
	char *path;            /* relative to the context root: "" for the root, "a/b" */
	mode_t mode;           /* st_mode: type and permission bits */
	uint64_t size;
	int64_t mtime_ns, ctime_ns;
	dev_t dev, rdev;
	ino_t ino;
	uid_t uid;
	gid_t gid;
	char *link;            /* symlink target as stored (never followed by the walk) */
	bool parent_only;      /* excluded itself, kept as the parent of an included path */
	size_t end;            /* entries [i+1, end) are this directory's subtree */
	char digest[DIGEST_STR_LEN + 1]; /* regular files: content digest once computed, else "" */
};

struct bctx_stats {
	size_t entries;        /* entries kept (root excluded) */
	size_t hashed;         /* files read and hashed */
	uint64_t hashed_bytes;
	size_t cache_hits;     /* digests taken from the stat cache */
};

struct bctx_index;
struct bctx_cache;

struct bctx {
	int rootfd;            /* O_RDONLY|O_DIRECTORY of the context root */
	char *root;            /* absolute path of the root (messages, stat cache keys only) */
	struct bctx_entry *e;  /* e[0] is the root; tree order (names sorted bytewise, depth first) */
	size_t n;
	struct ignore *ign;    /* NULL: no ignore file */
	char *ignore_file;     /* which file gave the patterns (for messages), or NULL */
	struct store *store;   /* stat cache and file-set manifests; may be NULL */
	struct bctx_stats stats;
	struct bctx_index *idx;
	struct bctx_cache *cache;
};

struct bctx_opts {
	/* The Dockerfile, for BuildKit's Dockerfile-specific ignore file "<Dockerfile>.dockerignore"
	 * (which takes precedence over the context's .dockerignore): NULL = "Dockerfile" in the
	 * context; "-" = from stdin (none); else the -f path as given (relative to the cwd). */
	const char *dockerfile;
	const char *ignore_file;   /* use this ignore file instead (tests, --ignore-file) */
	bool no_ignore;            /* no ignore rules at all */
	struct store *store;       /* optional: stat cache + manifests */
};

/* Open and walk the context directory `dir`. */
int bctx_open(const char *dir, const struct bctx_opts *o, struct bctx **out, berr *err);
void bctx_free(struct bctx *c);
static inline void cleanup_bctxp(struct bctx **c) { bctx_free(*c); }
#define _cleanup_bctx_ __attribute__((cleanup(cleanup_bctxp)))

/* The entry at a relative path ("" or "." for the root), without following symlinks; NULL if
 * the path is not in the (filtered) context. */
const struct bctx_entry *bctx_lookup(const struct bctx *c, const char *path);

/* Resolve `path` inside the context as BuildKit's FollowSymlinkInScope on the transferred
 * context: symlinks (also in the last component when follow_last) are followed, absolute
 * targets start at the context root, ".." stops at the root; paths excluded by .dockerignore do
 * not exist. Returns the resolved relative path (malloc'd) in *out; ENOENT/ENOTDIR/ELOOP. */
int bctx_resolve(const struct bctx *c, const char *path, bool follow_last, char **out, berr *err);

/* Open a regular file entry for reading (O_RDONLY|O_NONBLOCK|O_CLOEXEC) beneath the root with
 * no symlink followed anywhere, and check it is still the walked inode (EAGAIN otherwise);
 * *st (may be NULL) gets its fstat. For the builder's copy. Returns the fd. */
int bctx_open_entry(const struct bctx *c, const struct bctx_entry *e, struct stat *st, berr *err);

/* Content digest of a regular file entry (stat cache, else read through an fd opened beneath
 * the root without following symlinks; the file must still be the walked inode). */
int bctx_file_digest(struct bctx *c, struct bctx_entry *e, berr *err);

/* One COPY source as BuildKit resolves it: a path, or a glob (Go filepath.Match per walked
 * path; '*', '?', '[]' from the first component that has one; "**" is not special). Each match
 * is given as named (`matches`, relative to the root, what COPY names the copy after) and as
 * resolved through symlinks (`resolved`, what is read). A non-glob source that does not exist
 * fails as BuildKit does: "\"/PATH\" not found: not found" (ENOENT); a glob may match nothing. */
int bctx_copy_source(struct bctx *c, const char *src, struct strvec *matches, struct strvec *resolved, berr *err);

/* Visit exactly what `COPY [--exclude=P...] srcs... dest` takes from the context, in order:
 * for every match (bctx_copy_source), the match itself (sub = "") and, for a directory, every
 * entry of its subtree the excludes keep (sub = path relative to the matched directory). The
 * excludes are .dockerignore-syntax patterns ("!" exceptions) matched as BuildKit's copier
 * does, relative to each copied directory; a match itself is never excluded. `match` is the
 * match as named ("." for the context root). A non-zero return of fn stops the walk and is
 * returned. Entries' resolved paths contain no symlink: open them with SP_NO_SYMLINKS. */
typedef int (*bctx_visit_fn)(void *arg, const char *match, const char *sub, struct bctx_entry *e, berr *err);
int bctx_copy_walk(struct bctx *c, const char *const *srcs, size_t nsrcs, const char *const *excludes,
		   size_t nexcludes, bctx_visit_fn fn, void *arg, berr *err);

/* The digest of exactly what `COPY srcs... dest` takes from the context: for every match (in
 * order) the entry and, for a directory, its whole subtree: relative path (from the context
 * root, as matched), type, permission bits, symlink target, device numbers and file contents.
 * Not included: uid/gid (Docker resets them to 0:0 when it sends the context), times, xattrs.
 * With a store the manifest is saved under its digest so a later build can say what changed. */
struct bctx_fileset {
	char digest[DIGEST_STR_LEN + 1];
	char *manifest;        /* records "PATH\0META\0" (see docs/build-context.md) */
	size_t len;
	size_t nentries;
};
int bctx_fileset(struct bctx *c, const char *const *srcs, size_t nsrcs, struct bctx_fileset *out, berr *err);
/* The same for `COPY --exclude=PATTERN...`: patterns (patternmatcher syntax, "!" exceptions)
 * are matched, as BuildKit's copier does, against paths relative to each copied directory;
 * a match itself (a file, or a directory named by SRC) is never excluded. */
int bctx_fileset_ex(struct bctx *c, const char *const *srcs, size_t nsrcs, const char *const *excludes,
		    size_t nexcludes, struct bctx_fileset *out, berr *err);
void bctx_fileset_release(struct bctx_fileset *fs);

/* Write pending stat cache updates (one transaction); called by bctx_fileset, harmless twice. */
int bctx_flush(struct bctx *c, berr *err);

/* Manifest of a file-set digest saved earlier (1 and *manifest), 0 if unknown. */
int bctx_fileset_load(struct store *st, const char *digest, char **manifest, size_t *len, berr *err);

enum bctx_change_kind { BCTX_ADDED, BCTX_REMOVED, BCTX_CHANGED };
struct bctx_change {
	char *path;
	enum bctx_change_kind kind;
};
/* What differs between two manifests, sorted by path. Returns the count; *out malloc'd. */
size_t bctx_fileset_diff(const char *old_m, size_t old_len, const char *new_m, size_t new_len,
			 struct bctx_change **out);
void bctx_changes_free(struct bctx_change *ch, size_t n);
/* "src/main.py changed", "a added, b removed", "x changed and 12 more" (at most `max` named). */
char *bctx_changes_summary(const struct bctx_change *ch, size_t n, size_t max);

/* The builder's cache-miss reason for a COPY: what changed since the set saved under
 * old_digest ("src/main.py changed", "a.py added and 3 more"), "files changed" when that set is
 * unknown, "file order changed" when only the order of the sources differs. Never fails. */
char *bctx_fileset_explain(struct store *st, const char *old_digest, const struct bctx_fileset *now, size_t max);

/* Context on stdin (`berth build -`): a tar stream (any compression layer_apply reads) is
 * extracted safely into a new directory under tmpdir (*dir set, caller removes it); anything
 * else is a bare Dockerfile (*dockerfile set, *dir NULL: the build has an empty context). */
int bctx_from_stdin(int fd, const char *tmpdir, char **dir, char **dockerfile, size_t *dflen, berr *err);
