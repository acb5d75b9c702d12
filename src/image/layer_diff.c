/* layer_diff.c: an overlay upper dir (or a whole tree) -> a deterministic layer tar (PAX,
 * sorted names, numeric owners, hard links by inode, xattrs, whiteouts), compressed with
 * gzip/zstd/none, hashing the uncompressed (diff_id) and compressed (digest) streams at once. */
#include "image/layer.h"
#include "util/lazy_archive.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/safepath.h"
#include "image/pcomp.h"

/* ---- output: the tar stream goes to the threaded compressor (image/pcomp.h) ---- */
struct out {
	struct pcomp *pc;
	bool failed;
	berr perr;
};

static la_ssize_t tar_write_cb(struct archive *a, void *ud, const void *buf, size_t len)
{
	struct out *o = ud;
	(void)a;
	/* On failure remember it and swallow the rest: a FATAL libarchive writer leaks its
	 * client state (libarchive 3.6), so the walker checks o->failed itself. */
	if (!o->failed && pcomp_write(o->pc, buf, len, &o->perr) < 0)
		o->failed = true;
	return (la_ssize_t)len;
}

/* ---- hard links: (dev, ino) -> first name ---- */
struct ino_ent {
	dev_t dev;
	ino_t ino;
	char *name;
};

struct inomap {
	struct ino_ent *v;
	size_t cap, n;
};

static const char *inomap_get_or_add(struct inomap *m, dev_t dev, ino_t ino, const char *name)
{
	if (2 * (m->n + 1) > m->cap) {
		size_t nc = m->cap ? 2 * m->cap : 64;
		struct ino_ent *nv = xcalloc(nc, sizeof *nv);
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->v[i].name)
				continue;
			size_t j = (m->v[i].ino * 31 + m->v[i].dev) & (nc - 1);
			while (nv[j].name)
				j = (j + 1) & (nc - 1);
			nv[j] = m->v[i];
		}
		free(m->v);
		m->v = nv;
		m->cap = nc;
	}
	size_t i = (ino * 31 + dev) & (m->cap - 1);
	for (; m->v[i].name; i = (i + 1) & (m->cap - 1))
		if (m->v[i].dev == dev && m->v[i].ino == ino)
			return m->v[i].name;
	m->v[i] = (struct ino_ent){ dev, ino, xstrdup(name) };
	m->n++;
	return NULL;
}

static void inomap_free(struct inomap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->v[i].name);
	free(m->v);
}

/* ---- the walk ---- */
struct walker {
	struct archive *a;
	bool upper;              /* convert overlay whiteouts / opaque dirs */
	int64_t epoch;
	struct inomap links;
	struct out *o;
	const struct strvec *skip; /* relative paths left out (commit: the runtime's mount points) */
	berr *err;
};

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool skip_xattr(const char *n)
{
	return !strncmp(n, "trusted.overlay.", 16) || !strncmp(n, "user.overlay.", 13) ||
	       !strcmp(n, "security.selinux");
}

/* Add xattrs of the object (fd usable with f*xattr, or a /proc/self/fd path), sorted. */
static int add_xattrs(struct archive_entry *e, int fd, const char *procpath, bool *opaque, berr *err,
		      const char *name)
{
	char list[65536];
	ssize_t n = fd >= 0 ? flistxattr(fd, list, sizeof list) : listxattr(procpath, list, sizeof list);
	if (n < 0) {
		if (errno == ENOTSUP || errno == EPERM)
			return 0;
		return berr_sys(err, "list xattrs of %s", name);
	}
	struct strvec names = STRVEC_INIT;
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(list + i) + 1) {
		if (opaque && (!strcmp(list + i, "trusted.overlay.opaque") || !strcmp(list + i, "user.overlay.opaque"))) {
			char v[8];
			ssize_t vl = fd >= 0 ? fgetxattr(fd, list + i, v, sizeof v) : getxattr(procpath, list + i, v, sizeof v);
			if (vl == 1 && v[0] == 'y')
				*opaque = true;
		}
		if (!skip_xattr(list + i))
			sv_push(&names, list + i);
	}
	if (names.n)
		qsort(names.v, names.n, sizeof *names.v, cmpstr);
	for (size_t i = 0; i < names.n; i++) {
		char val[65536];
		ssize_t vl = fd >= 0 ? fgetxattr(fd, names.v[i], val, sizeof val)
				     : getxattr(procpath, names.v[i], val, sizeof val);
		if (vl < 0) {
			sv_clear(&names);
			return berr_sys(err, "get xattr %s of %s", names.v[i], name);
		}
		archive_entry_xattr_add_entry(e, names.v[i], val, (size_t)vl);
	}
	sv_clear(&names);
	return 0;
}

static time_t clamp(const struct walker *w, time_t t)
{
	return (w->epoch >= 0 && t > w->epoch) ? (time_t)w->epoch : t;
}

static int write_header(struct walker *w, struct archive_entry *e)
{
	int r = archive_write_header(w->a, e);
	if (w->o->failed)
		return berr_set(w->err, w->o->perr.errnum, "%s", w->o->perr.msg);
	if (r < ARCHIVE_WARN)
		return berr_set(w->err, archive_errno(w->a), "write layer entry %s: %s",
				archive_entry_pathname(e), archive_error_string(w->a));
	return 0;
}

/* A zero-size regular file header (whiteouts). */
static int write_marker(struct walker *w, const char *name, const struct stat *st, mode_t perm)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, perm);
	archive_entry_set_uid(e, st->st_uid);
	archive_entry_set_gid(e, st->st_gid);
	archive_entry_set_size(e, 0);
	archive_entry_set_mtime(e, clamp(w, st->st_mtim.tv_sec), 0);
	int r = write_header(w, e);
	archive_entry_free(e);
	return r;
}

static int copy_data(struct walker *w, int fd, off_t size, const char *name)
{
	char buf[65536];
	off_t done = 0;
	while (done < size) {
		size_t want = (size_t)(size - done) < sizeof buf ? (size_t)(size - done) : sizeof buf;
		ssize_t n = read(fd, buf, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return berr_sys(w->err, "read %s", name);
		}
		if (n == 0) { /* the file shrank: pad, the header promised `size` bytes */
			memset(buf, 0, want);
			n = (ssize_t)want;
		}
		la_ssize_t wr = archive_write_data(w->a, buf, (size_t)n);
		if (w->o->failed)
			return berr_set(w->err, w->o->perr.errnum, "%s", w->o->perr.msg);
		if (wr < 0)
			return berr_set(w->err, archive_errno(w->a), "write layer entry %s: %s", name,
					archive_error_string(w->a));
		done += n;
	}
	return 0;
}

static int walk_dir(struct walker *w, int dfd, const char *prefix);

static int walk_one(struct walker *w, int dfd, const char *prefix, const char *name)
{
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return berr_sys(w->err, "stat %s%s", prefix, name);
	_cleanup_free_ char *path = xasprintf("%s%s", prefix, name);
	for (size_t i = 0; w->skip && i < w->skip->n; i++)
		if (!strcmp(w->skip->v[i], path))
			return 0;

	if (w->upper && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
		_cleanup_free_ char *wh = xasprintf("%s.wh.%s", prefix, name);
		return write_marker(w, wh, &st, 0600);
	}
	if (S_ISSOCK(st.st_mode)) {
		log_debug("layer: socket %s skipped", path);
		return 0;
	}

	struct archive_entry *e = archive_entry_new();
	_cleanup_close_ int fd = -1;
	bool opaque = false;
	int ret = -1;
	archive_entry_set_uid(e, st.st_uid);
	archive_entry_set_gid(e, st.st_gid);
	archive_entry_set_perm(e, st.st_mode & 07777);
	archive_entry_set_mtime(e, clamp(w, st.st_mtim.tv_sec), 0);

	if (S_ISDIR(st.st_mode)) {
		_cleanup_free_ char *dname = xasprintf("%s/", path);
		archive_entry_set_pathname(e, dname);
		archive_entry_set_filetype(e, AE_IFDIR);
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			berr_sys(w->err, "open %s", path);
			goto out;
		}
		if (add_xattrs(e, fd, NULL, w->upper ? &opaque : NULL, w->err, path) < 0 || write_header(w, e) < 0)
			goto out;
		if (opaque) {
			_cleanup_free_ char *opq = xasprintf("%s/.wh..wh..opq", path);
			if (write_marker(w, opq, &st, st.st_mode & 0777) < 0)
				goto out;
		}
		_cleanup_free_ char *np = xasprintf("%s/", path);
		ret = walk_dir(w, fd, np);
		fd = -1; /* walk_dir took it */
		goto out;
	}

	archive_entry_set_pathname(e, path);
	if (st.st_nlink > 1) {
		const char *first = inomap_get_or_add(&w->links, st.st_dev, st.st_ino, path);
		if (first) {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, first);
			archive_entry_set_size(e, 0);
			ret = write_header(w, e);
			goto out;
		}
	}
	if (S_ISREG(st.st_mode)) {
		archive_entry_set_filetype(e, AE_IFREG);
		fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			berr_sys(w->err, "open %s", path);
			goto out;
		}
		archive_entry_set_size(e, st.st_size);
		if (add_xattrs(e, fd, NULL, NULL, w->err, path) < 0 || write_header(w, e) < 0 ||
		    copy_data(w, fd, st.st_size, path) < 0)
			goto out;
		ret = 0;
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(dfd, name, target, sizeof target - 1);
		if (n < 0) {
			berr_sys(w->err, "readlink %s", path);
			goto out;
		}
		target[n] = 0;
		archive_entry_set_filetype(e, AE_IFLNK);
		archive_entry_set_symlink(e, target);
		ret = write_header(w, e);
		goto out;
	}
	/* devices, fifos */
	archive_entry_set_filetype(e, st.st_mode & S_IFMT);
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		archive_entry_set_rdev(e, st.st_rdev);
	fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		berr_sys(w->err, "open %s", path);
		goto out;
	}
	if (add_xattrs(e, -1, sp_fd_path(fd).s, NULL, w->err, path) < 0)
		goto out;
	ret = write_header(w, e);
out:
	archive_entry_free(e);
	return ret;
}

/* Walk the directory open at dfd (consumed), entries named prefix + name. */
static int walk_dir(struct walker *w, int dfd, const char *prefix)
{
	_cleanup_closedir_ DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return berr_sys(w->err, "open directory %s", *prefix ? prefix : ".");
	}
	struct strvec names = STRVEC_INIT;
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			sv_push(&names, de->d_name);
	if (names.n)
		qsort(names.v, names.n, sizeof *names.v, cmpstr);
	int ret = 0;
	for (size_t i = 0; i < names.n && ret == 0; i++)
		ret = walk_one(w, dirfd(d), prefix, names.v[i]);
	sv_clear(&names);
	return ret;
}

static int tar_tree(const char *dir, bool upper, const struct strvec *skip, int out_fd, enum layer_compression comp,
		    int64_t epoch, struct layer_diff_result *res, berr *err)
{
	struct out *o = xcalloc(1, sizeof *o);
	struct walker w = { .upper = upper, .epoch = epoch, .o = o, .skip = skip, .err = err };
	int ret = -1;
	o->pc = pcomp_new(out_fd, comp, 0);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		berr_sys(err, "open %s", dir);
		goto out;
	}
	w.a = archive_write_new();
	archive_write_set_format_pax_restricted(w.a);
	archive_write_set_format_option(w.a, "pax", "xattrheader", "SCHILY");
	archive_write_set_bytes_per_block(w.a, 0);
	if (archive_write_open(w.a, o, NULL, tar_write_cb, NULL) != ARCHIVE_OK) {
		close(dfd);
		berr_set(err, archive_errno(w.a), "layer: %s", archive_error_string(w.a));
		goto out;
	}
	if (walk_dir(&w, dfd, "") < 0) {
		berr_wrap(err, "layer from %s", dir);
		goto out;
	}
	if (archive_write_close(w.a) != ARCHIVE_OK) {
		berr_set(err, archive_errno(w.a), "layer: %s", archive_error_string(w.a));
		goto out;
	}
	if (o->failed) {
		berr_set(err, o->perr.errnum, "%s", o->perr.msg);
		goto out;
	}
	{
		char du[DIGEST_STR_LEN + 1], dc[DIGEST_STR_LEN + 1];
		uint64_t cs = 0;
		if (pcomp_finish(o->pc, du, dc, &cs, NULL, err) < 0)
			goto out;
		if (res) {
			snprintf(res->diff_id, sizeof res->diff_id, "%s", du);
			snprintf(res->digest, sizeof res->digest, "%s", dc);
			res->size = cs;
		}
	}
	ret = 0;
out:
	if (w.a)
		archive_write_free(w.a);
	pcomp_free(o->pc);
	inomap_free(&w.links);
	free(o);
	return ret;
}

/* libarchive converts names from the locale's charset to UTF-8 for PAX records; in the C
 * locale every non-ASCII name would become a "hdrcharset=BINARY" record. File names in images
 * are UTF-8 (Go's archive/tar writes them as such), so write under C.UTF-8 (thread-local);
 * names that are not valid UTF-8 still fall back to BINARY records. */
static int tar_tree_utf8(const char *dir, bool upper, const struct strvec *skip, int out_fd, enum layer_compression comp,
			 int64_t epoch, struct layer_diff_result *res, berr *err)
{
	locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t old = loc ? uselocale(loc) : (locale_t)0;
	int r = tar_tree(dir, upper, skip, out_fd, comp, epoch, res, err);
	if (loc) {
		uselocale(old);
		freelocale(loc);
	}
	return r;
}

int layer_diff_upper(const char *upperdir, int out_fd, enum layer_compression comp,
		     int64_t source_date_epoch, struct layer_diff_result *res, berr *err)
{
	if (lazylib_load_archive(err) < 0)
		return -1;
	return tar_tree_utf8(upperdir, true, NULL, out_fd, comp, source_date_epoch, res, err);
}

int layer_diff_upper_skip(const char *upperdir, const struct strvec *skip, int out_fd, enum layer_compression comp,
			  int64_t source_date_epoch, struct layer_diff_result *res, berr *err)
{
	if (lazylib_load_archive(err) < 0)
		return -1;
	return tar_tree_utf8(upperdir, true, skip, out_fd, comp, source_date_epoch, res, err);
}

int layer_tar_dir(const char *dir, int out_fd, enum layer_compression comp,
		  int64_t source_date_epoch, struct layer_diff_result *res, berr *err)
{
	if (lazylib_load_archive(err) < 0)
		return -1;
	return tar_tree_utf8(dir, false, NULL, out_fd, comp, source_date_epoch, res, err);
}
