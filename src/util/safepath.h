/* safepath.h: resolve, open and create paths INSIDE a root directory given as an fd, so that
 * nothing outside the root can be read or written, whatever symlinks the tree holds.
 *
 * Every function takes `rootfd`, an fd of the root directory (O_PATH or O_RDONLY|O_DIRECTORY),
 * and a `path` that is interpreted as if the process were chroot()ed into that root:
 *   - a leading "/" means the root; absolute symlinks are resolved relative to the root;
 *   - ".." never climbs above the root (it stays at the root, like "/.." does);
 *   - "magic links" (/proc/self/fd/N, /proc/PID/root, ...) are never followed: openat2 refuses
 *     them (RESOLVE_NO_MAGICLINKS); the fallback reads every symlink as plain text and resolves
 *     that text inside the root, so a magic link is just a (usually missing) path in the root.
 * The kernel's openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) does the work when available
 * (Linux >= 5.6); otherwise a component-by-component walk with O_PATH|O_NOFOLLOW fds and a stack
 * of ancestors does the same (no string is ever concatenated with the root and passed to open).
 *
 * Use this for: container rootfs paths (volume mount targets, /dev setup, `cp`), build contexts
 * and COPY/ADD destinations, and layer extraction.
 *
 * Errors: -1 with errno set AND *err filled ("open PATH in root: reason"). errno is ELOOP for a
 * refused symlink (SP_NO_SYMLINKS, or O_CREAT/SP_NOFOLLOW_LAST on a final symlink) or a magic
 * link, EXDEV if the kernel saw an escape attempt (a racing rename), ENOENT/ENOTDIR as open(2).
 * `err` may be NULL when only errno matters.
 */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include "util/err.h"

enum {
	/* Do not follow a symlink in the LAST component: with O_PATH the symlink itself is
	 * opened; otherwise the open fails with ELOOP. (Intermediate symlinks still resolve.) */
	SP_NOFOLLOW_LAST = 1 << 0,
	/* Refuse every symlink on the way, intermediate or final (ELOOP). The strict mode for
	 * untrusted archives: "write through a symlink" is an error, not a redirection. */
	SP_NO_SYMLINKS = 1 << 1,
};

/* Testing hook: when true, never call openat2 (exercise the fallback walk). */
extern bool safepath_no_openat2;

/* Lexically clean `path` into a root-relative path without ".", "..", empty components, or
 * leading/trailing "/": "/a//b/./c/" -> "a/b/c", the root itself -> "".
 * A leading "/" (rooted path) clamps ".." at the root ("/../etc" -> "etc"), as Docker does for
 * tar entry names. A relative path whose ".." climbs above its start ("../x", "a/../../x")
 * fails with errno EXDEV. No file system access. Returns a malloc'd string or NULL. */
char *sp_clean(const char *path);

/* Open `path` inside the root with open(2) `oflags` (O_CLOEXEC is always added) and `mode`.
 * With O_CREAT the final component is never followed (O_NOFOLLOW is implied): create/open
 * of a final symlink fails with ELOOP instead of creating the symlink's target.
 * `spflags`: SP_NOFOLLOW_LAST, SP_NO_SYMLINKS. Returns the fd. */
int sp_open(int rootfd, const char *path, int oflags, mode_t mode, unsigned spflags, berr *err);

/* Open (O_PATH|O_DIRECTORY) the directory that contains `path`'s last component, resolved in
 * the root as sp_open does, and return that last component (a plain name: no "/", never "."
 * or "..") in *last (malloc'd; caller frees). The last component is NOT resolved, so callers
 * act on it with *at() calls and AT_SYMLINK_NOFOLLOW / O_NOFOLLOW (unlinkat, mknodat,
 * symlinkat, fchownat, utimensat ...). A path naming the root itself, or ending in "." or
 * "..", fails with EINVAL. Returns the directory fd. */
int sp_open_parent(int rootfd, const char *path, unsigned spflags, char **last, berr *err);

/* mkdir -p inside the root: create every missing directory of `path` with `mode` (umask
 * applies) and return an O_RDONLY|O_DIRECTORY fd of the final directory. Existing symlinks
 * on the way are followed inside the root (refused with SP_NO_SYMLINKS); an existing
 * non-directory fails with ENOTDIR; a dangling symlink fails with ENOENT. */
int sp_mkdir_p(int rootfd, const char *path, mode_t mode, unsigned spflags, berr *err);

/* Create (or open) a regular file for writing: O_WRONLY|O_CREAT|O_NOFOLLOW|O_CLOEXEC plus
 * `extra` (O_TRUNC, O_EXCL, O_APPEND). The parent is resolved inside the root (and must exist;
 * combine with sp_mkdir_p); a symlink as the final component fails with ELOOP and is never
 * followed. Returns the fd. */
int sp_create(int rootfd, const char *path, int extra, mode_t mode, unsigned spflags, berr *err);

/* Resolve `path` inside the root as sp_open(O_PATH) does (the target must exist) and return
 * where it landed as an absolute path INSIDE the root ("/" for the root itself), e.g.
 * "/usr/lib/x" for "lib/x" when lib -> usr/lib (Docker's FollowSymlinkInScope, minus the host
 * prefix). For messages and for recording; to act on the file, keep using fds. */
int sp_resolve(int rootfd, const char *path, unsigned spflags, char **out, berr *err);

/* "/proc/self/fd/N" for an fd, e.g. to mount onto an O_PATH fd returned above. */
struct sp_fdpath { char s[32]; };
struct sp_fdpath sp_fd_path(int fd);
