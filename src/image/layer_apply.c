/* layer_apply.c: extract a (compressed) layer tar into a directory, converting OCI/Docker
 * whiteouts for overlayfs or applying them, refusing hostile entries. All file-system access is
 * relative to the target dir fd through util/safepath (no symlink is ever followed). */
#include "image/layer.h"
#include "util/lazy_archive.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/safepath.h"

#define WH_PREFIX ".wh."
#define WH_META_PREFIX ".wh..wh."
#define WH_OPAQUE ".wh..wh..opq"

/* ---- a small string set (paths this layer added; FLATTEN's opaque handling) ---- */
struct strset {
	char **slots;
	size_t cap, n;
};

static size_t strhash(const char *s)
{
	size_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static bool set_has(const struct strset *set, const char *s)
{
	if (!set->cap)
		return false;
	for (size_t i = strhash(s) & (set->cap - 1);; i = (i + 1) & (set->cap - 1)) {
		if (!set->slots[i])
			return false;
		if (!strcmp(set->slots[i], s))
			return true;
	}
}

static void set_add1(struct strset *set, const char *s)
{
	if (set_has(set, s))
		return;
	if (2 * (set->n + 1) > set->cap) {
		size_t ncap = set->cap ? 2 * set->cap : 64;
		char **ns = xcalloc(ncap, sizeof *ns);
		for (size_t i = 0; i < set->cap; i++) {
			if (!set->slots[i])
				continue;
			size_t j = strhash(set->slots[i]) & (ncap - 1);
			while (ns[j])
				j = (j + 1) & (ncap - 1);
			ns[j] = set->slots[i];
		}
		free(set->slots);
		set->slots = ns;
		set->cap = ncap;
	}
	size_t i = strhash(s) & (set->cap - 1);
	while (set->slots[i])
		i = (i + 1) & (set->cap - 1);
	set->slots[i] = xstrdup(s);
	set->n++;
}

/* Add path and all its ancestors. */
static void set_add_path(struct strset *set, const char *path)
{
	_cleanup_free_ char *p = xstrdup(path);
	set_add1(set, p);
	for (char *s = strrchr(p, '/'); s; s = strrchr(p, '/')) {
		*s = 0;
		set_add1(set, p);
	}
}

static void set_free(struct strset *set)
{
	for (size_t i = 0; i < set->cap; i++)
		free(set->slots[i]);
	free(set->slots);
}

/* ---- state of one apply ---- */
struct dirtime {
	char *path;
	struct timespec mtime;
};

struct applier {
	int rootfd;
	bool rootless;
	enum layer_apply_mode mode;
	struct strset added;
	struct dirtime *dirs;
	size_t ndirs, adirs;
	const char *name; /* current entry, for messages */
};

static int entry_err(struct applier *ap, berr *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int entry_err(struct applier *ap, berr *err, int errnum, const char *fmt, ...)
{
	char msg[1024];
	va_list va;
	va_start(va, fmt);
	vsnprintf(msg, sizeof msg, fmt, va);
	va_end(va);
	if (errnum)
		return berr_set(err, errnum, "layer entry \"%s\": %s: %s", ap->name, msg, strerror(errnum));
	return berr_set(err, EINVAL, "layer entry \"%s\": %s", ap->name, msg);
}

/* Name the first symlink (or non-directory) on `dir`'s way, for a clear error. */
static char *first_bad_component(int rootfd, const char *dir)
{
	_cleanup_free_ char *p = xstrdup(dir);
	for (char *s = p;; s++) {
		if (*s == '/' || !*s) {
			char c = *s;
			*s = 0;
			struct stat st;
			if (*p && fstatat(rootfd, p, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
				return xstrdup(p);
			if (!c)
				break;
			*s = c;
		}
	}
	return NULL;
}

/* Open (O_PATH) the parent directory `dir` of an entry, creating it (0755) if `create`.
 * Returns the fd, -1 on error, or -2 (no error set) when !create and it is missing.
 * A symlink or non-directory on the way is refused if this layer made it (a write through a
 * symlink); in FLATTEN mode one left by an EARLIER layer is replaced by a directory, which is
 * what the overlay view of the same layers shows (an upper dir hides a lower non-dir). */
static int open_parent(struct applier *ap, const char *dir, bool create, berr *err)
{
	for (int tries = 0;; tries++) {
		berr e2 = { 0 };
		int fd = sp_open(ap->rootfd, dir, O_PATH | O_DIRECTORY, 0, SP_NO_SYMLINKS, &e2);
		if (fd >= 0)
			return fd;
		if (errno == ENOENT) {
			if (!create)
				return -2;
			fd = sp_mkdir_p(ap->rootfd, dir, 0755, SP_NO_SYMLINKS, &e2);
			if (fd >= 0)
				return fd;
		}
		if (errno != ELOOP && errno != ENOTDIR)
			return entry_err(ap, err, 0, "%s", e2.msg);
		_cleanup_free_ char *bad = first_bad_component(ap->rootfd, dir);
		if (!bad)
			return entry_err(ap, err, 0, "%s", e2.msg);
		if (ap->mode == LAYER_APPLY_FLATTEN && !set_has(&ap->added, bad) && tries < 256) {
			_cleanup_free_ char *last = NULL;
			_cleanup_close_ int bpfd = sp_open_parent(ap->rootfd, bad, SP_NO_SYMLINKS, &last, &e2);
			if (bpfd < 0)
				return entry_err(ap, err, 0, "%s", e2.msg);
			if (unlinkat(bpfd, last, 0) < 0)
				return entry_err(ap, err, errno, "replace \"%s\" by a directory", bad);
			continue;
		}
		struct stat st;
		if (fstatat(ap->rootfd, bad, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			return entry_err(ap, err, 0, "refusing to write through symlink \"%s\"", bad);
		return entry_err(ap, err, 0, "parent \"%s\" is not a directory", bad);
	}
}

static bool overlay_xattr(const char *name)
{
	return !strncmp(name, "trusted.overlay.", 16) || !strncmp(name, "user.overlay.", 13);
}

/* Apply ownership, mode, xattrs to the object `name` in pfd (fd: an open fd of it, or -1). */
static int apply_meta(struct applier *ap, struct archive_entry *e, int pfd, const char *name,
		      int fd, berr *err)
{
	mode_t type = archive_entry_filetype(e);
	uid_t uid = (uid_t)archive_entry_uid(e);
	gid_t gid = (gid_t)archive_entry_gid(e);
	int r = fd >= 0 ? fchown(fd, uid, gid) : fchownat(pfd, name, uid, gid, AT_SYMLINK_NOFOLLOW);
	if (r < 0 && !(ap->rootless && (errno == EPERM || errno == EINVAL)))
		return entry_err(ap, err, errno, "chown %u:%u", (unsigned)uid, (unsigned)gid);
	if (type != AE_IFLNK) {
		mode_t perm = archive_entry_perm(e) & 07777;
		r = fd >= 0 ? fchmod(fd, perm) : fchmodat(pfd, name, perm, AT_SYMLINK_NOFOLLOW);
		if (r < 0)
			return entry_err(ap, err, errno, "chmod %o", (unsigned)perm);
	}
	const char *xn;
	const void *xv;
	size_t xs;
	archive_entry_xattr_reset(e);
	_cleanup_close_ int pathfd = -1;
	while (archive_entry_xattr_next(e, &xn, &xv, &xs) == ARCHIVE_OK) {
		if (overlay_xattr(xn))
			continue;
		if (fd >= 0) {
			r = fsetxattr(fd, xn, xv, xs, 0);
		} else {
			if (pathfd < 0)
				pathfd = openat(pfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
			if (pathfd < 0)
				return entry_err(ap, err, errno, "open for xattrs");
			r = setxattr(sp_fd_path(pathfd).s, xn, xv, xs, 0);
		}
		if (r < 0) {
			if (errno == ENOTSUP || errno == EPERM) {
				log_warn("layer entry \"%s\": xattr %s not set: %s", ap->name, xn, strerror(errno));
				continue;
			}
			return entry_err(ap, err, errno, "set xattr %s", xn);
		}
	}
	return 0;
}

static int set_mtime(int pfd, const char *name, int fd, struct archive_entry *e)
{
	struct timespec ts[2];
	ts[1].tv_sec = archive_entry_mtime(e);
	ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	if (archive_entry_atime_is_set(e)) {
		ts[0].tv_sec = archive_entry_atime(e);
		ts[0].tv_nsec = archive_entry_atime_nsec(e);
	} else {
		ts[0] = ts[1];
	}
	return fd >= 0 ? futimens(fd, ts) : utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW);
}

static void push_dir(struct applier *ap, const char *path, struct archive_entry *e)
{
	if (ap->ndirs == ap->adirs) {
		ap->adirs = ap->adirs ? 2 * ap->adirs : 64;
		ap->dirs = xrealloc(ap->dirs, ap->adirs * sizeof *ap->dirs);
	}
	ap->dirs[ap->ndirs].path = xstrdup(path);
	ap->dirs[ap->ndirs].mtime.tv_sec = archive_entry_mtime(e);
	ap->dirs[ap->ndirs].mtime.tv_nsec = archive_entry_mtime_nsec(e);
	ap->ndirs++;
}

static int write_data(struct applier *ap, struct archive *a, int fd, struct archive_entry *e, berr *err)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	for (;;) {
		int r = archive_read_data_block(a, &buf, &len, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return entry_err(ap, err, 0, "read: %s", archive_error_string(a));
		const char *p = buf;
		while (len) {
			ssize_t n = pwrite(fd, p, len, off);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				return entry_err(ap, err, errno, "write");
			}
			p += n;
			len -= (size_t)n;
			off += n;
		}
	}
	if (archive_entry_size_is_set(e) && ftruncate(fd, archive_entry_size(e)) < 0)
		return entry_err(ap, err, errno, "truncate");
	return 0;
}

static void split(const char *clean, char **dir, const char **base)
{
	const char *s = strrchr(clean, '/');
	if (s) {
		*dir = xstrndup(clean, (size_t)(s - clean));
		*base = s + 1;
	} else {
		*dir = xstrdup("");
		*base = clean;
	}
}

static int whiteout(struct applier *ap, struct archive_entry *e, const char *dir, const char *base,
		    berr *err)
{
	if (!strcmp(base, WH_OPAQUE)) {
		if (ap->mode == LAYER_APPLY_OVERLAY) {
			_cleanup_close_ int pfd = open_parent(ap, dir, true, err);
			if (pfd < 0)
				return -1;
			_cleanup_close_ int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (dfd < 0 || fsetxattr(dfd, "trusted.overlay.opaque", "y", 1, 0) < 0)
				return entry_err(ap, err, errno, "set opaque xattr");
			return 0;
		}
		_cleanup_close_ int pfd = open_parent(ap, dir, false, err);
		if (pfd < 0)
			return pfd == -2 ? 0 : -1;
		int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			return entry_err(ap, err, errno, "open directory");
		_cleanup_closedir_ DIR *d = fdopendir(dfd);
		if (!d) {
			close(dfd);
			return entry_err(ap, err, errno, "open directory");
		}
		struct dirent *de;
		struct strvec victims = STRVEC_INIT;
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			_cleanup_free_ char *p = *dir ? xasprintf("%s/%s", dir, de->d_name) : xstrdup(de->d_name);
			if (!set_has(&ap->added, p))
				sv_push(&victims, de->d_name);
		}
		for (size_t i = 0; i < victims.n; i++) {
			if (rm_rf_at(dirfd(d), victims.v[i], err) < 0) {
				sv_clear(&victims);
				return entry_err(ap, err, 0, "opaque: %s", err->msg);
			}
		}
		sv_clear(&victims);
		return 0;
	}
	if (!strncmp(base, WH_META_PREFIX, strlen(WH_META_PREFIX)))
		return 0; /* aufs metadata (.wh..wh.plnk, ...): ignored as Docker does */
	const char *victim = base + strlen(WH_PREFIX);
	if (!*victim || !strcmp(victim, ".") || !strcmp(victim, "..") || strchr(victim, '/'))
		return entry_err(ap, err, 0, "invalid whiteout name");
	_cleanup_close_ int pfd = open_parent(ap, dir, ap->mode == LAYER_APPLY_OVERLAY, err);
	if (pfd < 0)
		return pfd == -2 ? 0 : -1;
	if (rm_rf_at(pfd, victim, err) < 0)
		return entry_err(ap, err, 0, "whiteout: %s", err->msg);
	if (ap->mode == LAYER_APPLY_FLATTEN)
		return 0;
	if (mknodat(pfd, victim, S_IFCHR | 0000, makedev(0, 0)) < 0)
		return entry_err(ap, err, errno, "create overlay whiteout");
	if (fchownat(pfd, victim, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e),
		     AT_SYMLINK_NOFOLLOW) < 0 && !ap->rootless)
		return entry_err(ap, err, errno, "chown whiteout");
	/* the marker's time from the layer, as every other entry (a round trip keeps it) */
	if (set_mtime(pfd, victim, -1, e) < 0)
		return entry_err(ap, err, errno, "set whiteout time");
	return 0;
}

static int apply_entry(struct applier *ap, struct archive *a, struct archive_entry *e, berr *err)
{
	const char *hl = archive_entry_hardlink(e);
	mode_t type = archive_entry_filetype(e);
	_cleanup_free_ char *clean = sp_clean(ap->name);
	if (!clean)
		return entry_err(ap, err, 0, "path escapes the layer root");
	if (!*clean) {
		/* The root itself ("./"): only its metadata. */
		if (hl || type != AE_IFDIR)
			return entry_err(ap, err, 0, "the layer root must be a directory");
		_cleanup_close_ int rfd = openat(ap->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (rfd < 0)
			return entry_err(ap, err, errno, "open layer root");
		if (apply_meta(ap, e, -1, NULL, rfd, err) < 0)
			return -1;
		push_dir(ap, "", e);
		return 0;
	}
	_cleanup_free_ char *dir = NULL;
	const char *base;
	split(clean, &dir, &base);
	if (!strncmp(base, WH_PREFIX, strlen(WH_PREFIX)))
		return whiteout(ap, e, dir, base, err);

	_cleanup_close_ int pfd = open_parent(ap, dir, true, err);
	if (pfd < 0)
		return -1;
	if (ap->mode == LAYER_APPLY_FLATTEN)
		set_add_path(&ap->added, clean);

	_cleanup_free_ char *tclean = NULL;
	_cleanup_free_ char *tlast = NULL;
	_cleanup_close_ int tpfd = -1;
	if (hl) {
		tclean = sp_clean(hl);
		if (!tclean || !*tclean)
			return entry_err(ap, err, 0, "hard link target \"%s\" escapes the layer root", hl);
		berr e2 = { 0 };
		tpfd = sp_open_parent(ap->rootfd, tclean, SP_NO_SYMLINKS, &tlast, &e2);
		if (tpfd < 0)
			return entry_err(ap, err, 0, "hard link target \"%s\": %s", hl, e2.msg);
		struct stat tst;
		if (fstatat(tpfd, tlast, &tst, AT_SYMLINK_NOFOLLOW) < 0)
			return entry_err(ap, err, errno, "hard link target \"%s\"", hl);
		if (S_ISDIR(tst.st_mode))
			return entry_err(ap, err, 0, "hard link target \"%s\" is a directory", hl);
		if (!strcmp(tclean, clean))
			return 0; /* a link to itself: nothing to do */
	}

	struct stat st;
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!(S_ISDIR(st.st_mode) && !hl && type == AE_IFDIR) && rm_rf_at(pfd, base, err) < 0)
			return entry_err(ap, err, 0, "replace: %s", err->msg);
	} else if (errno != ENOENT) {
		return entry_err(ap, err, errno, "stat");
	}

	if (hl) {
		if (linkat(tpfd, tlast, pfd, base, 0) < 0)
			return entry_err(ap, err, errno, "hard link to \"%s\"", hl);
		return 0;
	}

	switch (type) {
	case AE_IFDIR: {
		if (mkdirat(pfd, base, 0700) < 0 && errno != EEXIST)
			return entry_err(ap, err, errno, "mkdir");
		_cleanup_close_ int fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return entry_err(ap, err, errno, "open directory");
		if (apply_meta(ap, e, pfd, base, fd, err) < 0)
			return -1;
		push_dir(ap, clean, e);
		return 0;
	}
	case AE_IFREG: {
		_cleanup_close_ int fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return entry_err(ap, err, errno, "create");
		if (write_data(ap, a, fd, e, err) < 0 || apply_meta(ap, e, pfd, base, fd, err) < 0)
			return -1;
		if (set_mtime(pfd, base, fd, e) < 0)
			return entry_err(ap, err, errno, "set times");
		return 0;
	}
	case AE_IFLNK: {
		const char *target = archive_entry_symlink(e);
		if (!target)
			return entry_err(ap, err, 0, "symlink without a target");
		if (symlinkat(target, pfd, base) < 0)
			return entry_err(ap, err, errno, "symlink");
		break;
	}
	case AE_IFCHR:
	case AE_IFBLK:
	case AE_IFIFO: {
		dev_t dev = type == AE_IFIFO ? 0 : makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
		if (mknodat(pfd, base, type | 0600, dev) < 0) {
			if (errno == EPERM) {
				log_debug("layer entry \"%s\": device node skipped: %s", ap->name, strerror(errno));
				return 0;
			}
			return entry_err(ap, err, errno, "mknod");
		}
		break;
	}
	default:
		log_warn("layer entry \"%s\": unsupported file type 0%o skipped", ap->name, (unsigned)type);
		return 0;
	}
	if (apply_meta(ap, e, pfd, base, -1, err) < 0)
		return -1;
	if (set_mtime(pfd, base, -1, e) < 0)
		return entry_err(ap, err, errno, "set times");
	return 0;
}

/* ---- the stream: raw (decompressing) reader -> digest -> tar reader ---- */
struct rawsrc {
	struct archive *raw;
	struct digester *dg;
	uint64_t size;
	bool eof;
};

static la_ssize_t tar_read_cb(struct archive *a, void *ud, const void **buf)
{
	struct rawsrc *s = ud;
	const void *b;
	size_t len;
	la_int64_t off;
	for (;;) {
		if (s->eof)
			return 0;
		int r = archive_read_data_block(s->raw, &b, &len, &off);
		if (r == ARCHIVE_EOF) {
			s->eof = true;
			return 0;
		}
		if (r < ARCHIVE_WARN) {
			archive_set_error(a, archive_errno(s->raw) ? archive_errno(s->raw) : EIO, "%s",
					  archive_error_string(s->raw));
			return -1;
		}
		if (len == 0)
			continue;
		digester_update(s->dg, b, len);
		s->size += len;
		*buf = b;
		return (la_ssize_t)len;
	}
}

static int apply_stream(int fd, int dirfd, const struct layer_apply_opts *opts,
			struct layer_apply_stats *stats, berr *err)
{
	struct applier ap = { .rootfd = dirfd };
	struct rawsrc src = { 0 };
	struct archive *tar = NULL;
	int ret = -1;
	if (opts) {
		ap.rootless = opts->rootless;
		ap.mode = opts->mode;
	}
	src.raw = archive_read_new();
	archive_read_support_filter_gzip(src.raw);
	archive_read_support_filter_zstd(src.raw);
	archive_read_support_filter_bzip2(src.raw);
	archive_read_support_filter_xz(src.raw);
	archive_read_support_format_raw(src.raw);
	archive_read_support_format_empty(src.raw);
	src.dg = digester_new();
	struct archive_entry *e;
	if (archive_read_open_fd(src.raw, fd, 65536) != ARCHIVE_OK) {
		berr_set(err, archive_errno(src.raw), "layer: %s", archive_error_string(src.raw));
		goto out;
	}
	int r = archive_read_next_header(src.raw, &e);
	if (r == ARCHIVE_EOF) {
		src.eof = true; /* empty stream: nothing to apply */
	} else if (r < ARCHIVE_WARN) {
		berr_set(err, archive_errno(src.raw), "layer: %s", archive_error_string(src.raw));
		goto out;
	} else {
		tar = archive_read_new();
		archive_read_support_format_tar(tar);
		archive_read_support_format_empty(tar);
		if (archive_read_open(tar, &src, NULL, tar_read_cb, NULL) != ARCHIVE_OK) {
			berr_set(err, archive_errno(tar), "layer: not a tar archive: %s", archive_error_string(tar));
			goto out;
		}
		for (;;) {
			r = archive_read_next_header(tar, &e);
			if (r == ARCHIVE_EOF)
				break;
			if (r < ARCHIVE_WARN) {
				berr_set(err, archive_errno(tar), "layer: reading tar: %s", archive_error_string(tar));
				goto out;
			}
			ap.name = archive_entry_pathname(e);
			if (!ap.name) {
				berr_set(err, EINVAL, "layer: entry without a name");
				goto out;
			}
			if (apply_entry(&ap, tar, e, err) < 0)
				goto out;
		}
		/* Hash whatever follows the end-of-archive marker too: diff_id covers the stream. */
		const void *b;
		while (tar_read_cb(tar, &src, &b) > 0)
			;
		if (!src.eof) {
			berr_set(err, EIO, "layer: reading tar: %s", archive_error_string(tar));
			goto out;
		}
	}
	/* Directory times last (after their contents changed them); a later entry wins. */
	for (size_t i = 0; i < ap.ndirs; i++) {
		int dfd = sp_open(dirfd, ap.dirs[i].path, O_RDONLY | O_DIRECTORY, 0, SP_NO_SYMLINKS, NULL);
		if (dfd < 0)
			continue;
		struct timespec ts[2] = { ap.dirs[i].mtime, ap.dirs[i].mtime };
		if (futimens(dfd, ts) < 0)
			log_debug("layer: set times of %s: %s", ap.dirs[i].path, strerror(errno));
		close(dfd);
	}
	ret = 0;
out:
	if (stats) {
		if (ret == 0) {
			digester_finish(src.dg, stats->diff_id);
			src.dg = NULL;
		} else {
			stats->diff_id[0] = 0;
		}
		stats->uncompressed_size = src.size;
	}
	if (src.dg)
		digester_free(src.dg);
	if (tar)
		archive_read_free(tar);
	archive_read_free(src.raw);
	for (size_t i = 0; i < ap.ndirs; i++)
		free(ap.dirs[i].path);
	free(ap.dirs);
	set_free(&ap.added);
	return ret;
}

/* Names in PAX records are UTF-8; read them under C.UTF-8 (thread-local) so libarchive does
 * not have to squeeze them through the C locale's ASCII. Undecodable names (hdrcharset=BINARY
 * or plain ustar bytes) are used as the bytes they are. */
int layer_apply(int fd, int dirfd, const struct layer_apply_opts *opts,
		struct layer_apply_stats *stats, berr *err)
{
	if (lazylib_load_archive(err) < 0)
		return -1;
	locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t old = loc ? uselocale(loc) : (locale_t)0;
	int r = apply_stream(fd, dirfd, opts, stats, err);
	if (loc) {
		uselocale(old);
		freelocale(loc);
	}
	return r;
}
