/* copy.c: COPY/ADD/WORKDIR file operations inside a root fd (see build/copy.h). Docker's
 * rules: a directory source copies its contents; a file source goes to DEST/NAME when DEST
 * names a directory (trailing slash, several sources, or an existing directory), else to DEST;
 * directories DEST needs are created with the --chown owner; context files become 0:0 unless
 * --chown; ADD extracts local tar archives (any compression) into DEST. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "build/copy.h"
#include "image/layer.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/safepath.h"

static char *join(const char *a, const char *b)
{
	if (!*b)
		return xstrdup(a);
	size_t l = strlen(a);
	return xasprintf("%s%s%s", a, l && a[l - 1] == '/' ? "" : "/", b);
}

static const char *base_name(const char *p)
{
	size_t l = strlen(p);
	while (l > 1 && p[l - 1] == '/')
		l--;
	const char *s = p + l;
	while (s > p && s[-1] != '/')
		s--;
	return s;
}

int bcopy_mkdir(int rootfd, const char *path, const struct copy_owner *o, berr *err)
{
	_cleanup_free_ char *clean = sp_clean(path[0] == '/' ? path : "/");
	if (!clean)
		return berr_set(err, EINVAL, "invalid path %s", path);
	if (path[0] != '/') {
		free(clean);
		_cleanup_free_ char *abs = xasprintf("/%s", path);
		clean = sp_clean(abs);
	}
	size_t n = strlen(clean);
	for (size_t i = 0; i <= n; i++) {
		if (i < n && clean[i] != '/')
			continue;
		if (!i)
			continue;
		_cleanup_free_ char *pre = xstrndup(clean, i);
		int fd = sp_open(rootfd, pre, O_PATH | O_DIRECTORY, 0, 0, NULL);
		if (fd >= 0) {
			close(fd);
			continue;
		}
		if (errno != ENOENT) {
			berr_sys(err, "mkdir %s", pre);
			return -1;
		}
		fd = sp_mkdir_p(rootfd, pre, 0755, 0, err);
		if (fd < 0)
			return -1;
		if (fchown(fd, o && o->set ? o->uid : 0, o && o->set ? o->gid : 0) < 0 || fchmod(fd, 0755) < 0) {
			close(fd);
			return berr_sys(err, "chown %s", pre);
		}
		close(fd);
	}
	return 0;
}

/* Remove whatever is at path unless it is a directory and keep_dir. */
static int clear_target(int rootfd, const char *path, bool keep_dir, berr *err)
{
	_cleanup_free_ char *last = NULL;
	_cleanup_close_ int pfd = sp_open_parent(rootfd, path, 0, &last, err);
	if (pfd < 0)
		return -1;
	struct stat st;
	if (fstatat(pfd, last, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : berr_sys(err, "stat %s", path);
	if (S_ISDIR(st.st_mode)) {
		if (keep_dir)
			return 0;
		return rm_rf_at(pfd, last, err);
	}
	if (unlinkat(pfd, last, 0) < 0)
		return berr_sys(err, "remove %s", path);
	return 0;
}

static int parent_dirs(int rootfd, const char *path, const struct copy_owner *o, berr *err)
{
	_cleanup_free_ char *d = xstrdup(path);
	char *s = strrchr(d, '/');
	if (!s || s == d)
		return 0;
	*s = 0;
	return bcopy_mkdir(rootfd, d, o, err);
}

static int put_dir(int rootfd, const char *path, mode_t mode, uid_t uid, gid_t gid, bool only_new, berr *err)
{
	if (path[strspn(path, "/")] == 0 && only_new)
		return 0; /* the root itself (COPY dir /): it exists */
	if (clear_target(rootfd, path, true, err) < 0)
		return -1;
	int fd = sp_open(rootfd, path, O_RDONLY | O_DIRECTORY, 0, 0, NULL);
	bool created = false;
	if (fd < 0) {
		fd = sp_mkdir_p(rootfd, path, 0755, 0, err);
		if (fd < 0)
			return -1;
		created = true;
	}
	if ((created || !only_new) && (fchown(fd, uid, gid) < 0 || fchmod(fd, mode & 07777) < 0)) {
		close(fd);
		return berr_sys(err, "set owner of %s", path);
	}
	close(fd);
	return 0;
}

static int put_file(int rootfd, const char *path, int srcfd, mode_t mode, uid_t uid, gid_t gid,
		    const struct timespec *mtime, berr *err)
{
	if (clear_target(rootfd, path, false, err) < 0)
		return -1;
	_cleanup_close_ int fd = sp_create(rootfd, path, O_TRUNC | O_EXCL, 0600, 0, err);
	if (fd < 0)
		return -1;
	char buf[65536];
	for (;;) {
		ssize_t n = read(srcfd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berr_sys(err, "read %s", path);
		if (!n)
			break;
		if (write_all(fd, buf, (size_t)n) < 0)
			return berr_sys(err, "write %s", path);
	}
	if (fchown(fd, uid, gid) < 0 || fchmod(fd, mode & 07777) < 0)
		return berr_sys(err, "set owner of %s", path);
	if (mtime) {
		struct timespec ts[2] = { *mtime, *mtime };
		futimens(fd, ts);
	}
	return 0;
}

static int put_symlink(int rootfd, const char *path, const char *target, uid_t uid, gid_t gid, berr *err)
{
	if (clear_target(rootfd, path, false, err) < 0)
		return -1;
	_cleanup_free_ char *last = NULL;
	_cleanup_close_ int pfd = sp_open_parent(rootfd, path, 0, &last, err);
	if (pfd < 0)
		return -1;
	if (symlinkat(target, pfd, last) < 0)
		return berr_sys(err, "symlink %s", path);
	fchownat(pfd, last, uid, gid, AT_SYMLINK_NOFOLLOW);
	return 0;
}

static bool is_archive(int fd)
{
	unsigned char b[512];
	ssize_t n = pread(fd, b, sizeof b, 0);
	if (n < 6)
		return false;
	if ((b[0] == 0x1f && b[1] == 0x8b) || !memcmp(b, "BZh", 3) || !memcmp(b, "\xfd" "7zXZ\0", 6) ||
	    !memcmp(b, "\x28\xb5\x2f\xfd", 4))
		return true;
	return n >= 262 && !memcmp(b + 257, "ustar", 5);
}

static int extract_into(int rootfd, const char *dest, int fd, const struct copy_owner *o, berr *err)
{
	if (bcopy_mkdir(rootfd, dest, o, err) < 0)
		return -1;
	_cleanup_close_ int dfd = sp_open(rootfd, dest, O_RDONLY | O_DIRECTORY, 0, 0, err);
	if (dfd < 0)
		return -1;
	struct layer_apply_opts lo = { .mode = LAYER_APPLY_FLATTEN };
	if (layer_apply(fd, dfd, &lo, NULL, err) < 0)
		return -1;
	return 0;
}

struct ctx_copy {
	int rootfd;
	struct bctx *c;
	const char *dest;
	bool dest_dir;
	const struct copy_owner *o;
	long chmod;
	bool add;
	char *base;   /* where the current directory match goes */
	bool skip;    /* current match was extracted (ADD archive) */
};

static int ctx_visit(void *arg, const char *match, const char *sub, struct bctx_entry *e, berr *err)
{
	struct ctx_copy *x = arg;
	uid_t uid = x->o->set ? x->o->uid : 0;
	gid_t gid = x->o->set ? x->o->gid : 0;
	_cleanup_free_ char *target = NULL;
	if (!*sub) {
		free(x->base);
		x->base = NULL;
		x->skip = false;
		if (S_ISDIR(e->mode)) {
			x->base = xstrdup(x->dest);
			if (parent_dirs(x->rootfd, x->dest, x->o, err) < 0)
				return -1;
			mode_t m = x->chmod >= 0 ? (mode_t)x->chmod : e->mode;
			return put_dir(x->rootfd, x->dest, m, uid, gid, true, err);
		}
		if (x->add && S_ISREG(e->mode)) {
			_cleanup_close_ int fd = bctx_open_entry(x->c, e, NULL, err);
			if (fd < 0)
				return -1;
			if (is_archive(fd)) {
				x->skip = true;
				return extract_into(x->rootfd, x->dest, fd, x->o, err);
			}
		}
		target = x->dest_dir ? join(x->dest, base_name(match)) : xstrdup(x->dest);
		if (parent_dirs(x->rootfd, target, x->o, err) < 0)
			return -1;
	} else {
		if (x->skip || !x->base)
			return 0;
		target = join(x->base, sub);
	}
	mode_t m = x->chmod >= 0 ? (mode_t)x->chmod : e->mode;
	if (S_ISDIR(e->mode))
		return put_dir(x->rootfd, target, m, uid, gid, false, err);
	if (S_ISLNK(e->mode))
		return put_symlink(x->rootfd, target, e->link ? e->link : "", uid, gid, err);
	if (S_ISREG(e->mode)) {
		_cleanup_close_ int fd = bctx_open_entry(x->c, e, NULL, err);
		if (fd < 0)
			return -1;
		struct timespec mt = { (time_t)(e->mtime_ns / 1000000000), (long)(e->mtime_ns % 1000000000) };
		return put_file(x->rootfd, target, fd, m, uid, gid, &mt, err);
	}
	return 0; /* devices, fifos, sockets: not copied */
}

int bcopy_from_context(int rootfd, struct bctx *c, const char *const *srcs, size_t nsrcs,
		       const char *const *excludes, size_t nexcludes, const char *dest, bool dest_dir,
		       const struct copy_owner *o, long chmod, bool add, berr *err)
{
	struct ctx_copy x = { rootfd, c, dest, dest_dir, o, chmod, add, NULL, false };
	if (dest_dir && bcopy_mkdir(rootfd, dest, o, err) < 0)
		return -1;
	int rc = bctx_copy_walk(c, srcs, nsrcs, excludes, nexcludes, ctx_visit, &x, err);
	free(x.base);
	return rc;
}

/* ---- COPY --from ---- */

/* ex: COPY --from --exclude patterns, matched as for the context (build/context.h) against
 * paths relative to the copied directory (rel: this directory's, "" at the top; pinfo: its
 * per-pattern results). An excluded directory is entered only when there are "!" exceptions. */
static int copy_tree_fd(int rootfd, int sdir, const char *dst, const struct copy_owner *o, long chmod,
			const struct ignore *ex, const char *rel, const bool *pinfo, berr *err)
{
	int d2 = dup(sdir);
	if (d2 < 0)
		return berr_sys(err, "dup");
	_cleanup_closedir_ DIR *dir = fdopendir(d2);
	if (!dir) {
		close(d2);
		return berr_sys(err, "opendir");
	}
	struct dirent *de;
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		struct stat st;
		if (fstatat(sdir, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return berr_sys(err, "stat %s", de->d_name);
		_cleanup_free_ char *t = join(dst, de->d_name);
		_cleanup_free_ char *sub = *rel ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		_cleanup_free_ bool *info = ex && ex->n ? xcalloc(ex->n, sizeof *info) : NULL;
		if (ex && ignore_matches_parent(ex, sub, pinfo, info) && (!S_ISDIR(st.st_mode) || !ex->exclusions))
			continue;
		uid_t uid = o->set ? o->uid : st.st_uid;
		gid_t gid = o->set ? o->gid : st.st_gid;
		mode_t m = chmod >= 0 ? (mode_t)chmod : st.st_mode;
		if (S_ISDIR(st.st_mode)) {
			if (put_dir(rootfd, t, m, uid, gid, false, err) < 0)
				return -1;
			_cleanup_close_ int subfd = openat(sdir, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (subfd < 0)
				return berr_sys(err, "open %s", de->d_name);
			if (copy_tree_fd(rootfd, subfd, t, o, chmod, ex, sub, info, err) < 0)
				return -1;
		} else if (S_ISREG(st.st_mode)) {
			_cleanup_close_ int f = openat(sdir, de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			if (f < 0)
				return berr_sys(err, "open %s", de->d_name);
			if (put_file(rootfd, t, f, m, uid, gid, &st.st_mtim, err) < 0)
				return -1;
		} else if (S_ISLNK(st.st_mode)) {
			char buf[4096];
			ssize_t n = readlinkat(sdir, de->d_name, buf, sizeof buf - 1);
			if (n < 0)
				return berr_sys(err, "readlink %s", de->d_name);
			buf[n] = 0;
			if (put_symlink(rootfd, t, buf, uid, gid, err) < 0)
				return -1;
		}
	}
	return 0;
}

static int copy_one_from(int rootfd, int srcroot, const char *spath, const char *shown, const char *dest,
			 bool dest_dir, const struct copy_owner *o, long chmod, const struct ignore *ex, berr *err)
{
	_cleanup_close_ int fd = sp_open(srcroot, spath, O_RDONLY, 0, 0, NULL);
	if (fd < 0 && errno == EISDIR)
		fd = sp_open(srcroot, spath, O_RDONLY | O_DIRECTORY, 0, 0, NULL);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return berr_set(err, ENOENT, "\"/%s\" not found: not found", shown);
		return berr_sys(err, "open %s", shown);
	}
	struct stat st;
	if (fstat(fd, &st) < 0)
		return berr_sys(err, "stat %s", shown);
	uid_t uid = o->set ? o->uid : st.st_uid;
	gid_t gid = o->set ? o->gid : st.st_gid;
	mode_t m = chmod >= 0 ? (mode_t)chmod : st.st_mode;
	if (S_ISDIR(st.st_mode)) {
		if (parent_dirs(rootfd, dest, o, err) < 0 || put_dir(rootfd, dest, m, uid, gid, true, err) < 0)
			return -1;
		return copy_tree_fd(rootfd, fd, dest, o, chmod, ex, "", NULL, err);
	}
	_cleanup_free_ char *t = dest_dir ? join(dest, base_name(shown)) : xstrdup(dest);
	if (parent_dirs(rootfd, t, o, err) < 0)
		return -1;
	return put_file(rootfd, t, fd, m, uid, gid, &st.st_mtim, err);
}

int bcopy_from_root(int rootfd, int srcroot, const char *const *srcs, size_t nsrcs, const char *dest,
		    bool dest_dir, const struct copy_owner *o, long chmod, berr *err)
{
	return bcopy_from_root_ex(rootfd, srcroot, srcs, nsrcs, NULL, 0, dest, dest_dir, o, chmod, err);
}

int bcopy_from_root_ex(int rootfd, int srcroot, const char *const *srcs, size_t nsrcs, const char *const *excludes,
		       size_t nexcludes, const char *dest, bool dest_dir, const struct copy_owner *o, long chmod,
		       berr *err)
{
	_cleanup_ignore_ struct ignore *ex = NULL;
	if (nexcludes && ignore_new(excludes, nexcludes, &ex, err) < 0)
		return berr_wrap(err, "invalid --exclude pattern");
	if (dest_dir && bcopy_mkdir(rootfd, dest, o, err) < 0)
		return -1;
	for (size_t i = 0; i < nsrcs; i++) {
		_cleanup_free_ char *abs = xasprintf("/%s", srcs[i]);
		_cleanup_free_ char *clean = sp_clean(abs);
		if (!clean)
			return berr_set(err, EINVAL, "invalid source %s", srcs[i]);
		if (!strpbrk(clean, "*?[")) {
			if (copy_one_from(rootfd, srcroot, *clean ? clean : ".", clean, dest, dest_dir, o, chmod, ex, err) < 0)
				return -1;
			continue;
		}
		/* a glob in the last component */
		char *slash = strrchr(clean, '/');
		_cleanup_free_ char *dir = slash ? xstrndup(clean, (size_t)(slash - clean)) : xstrdup(".");
		const char *pat = slash ? slash + 1 : clean;
		_cleanup_close_ int dfd = sp_open(srcroot, dir, O_RDONLY | O_DIRECTORY, 0, 0, NULL);
		if (dfd < 0)
			continue;
		struct dirent **names = NULL;
		int n = scandirat(dfd, ".", &names, NULL, alphasort);
		for (int k = 0; k < n; k++) {
			const char *nm = names[k]->d_name;
			int rc = 0;
			if (strcmp(nm, ".") && strcmp(nm, "..") && !fnmatch(pat, nm, 0)) {
				_cleanup_free_ char *p = slash ? xasprintf("%s/%s", dir, nm) : xstrdup(nm);
				rc = copy_one_from(rootfd, srcroot, p, p, dest, dest_dir, o, chmod, ex, err);
			}
			if (rc < 0) {
				for (; k < n; k++)
					free(names[k]);
				free(names);
				return -1;
			}
			free(names[k]);
		}
		free(names);
	}
	return 0;
}

int bcopy_write(int rootfd, const char *path, const char *data, size_t len, const struct copy_owner *o,
		mode_t mode, berr *err)
{
	if (parent_dirs(rootfd, path, o, err) < 0 || clear_target(rootfd, path, false, err) < 0)
		return -1;
	_cleanup_close_ int fd = sp_create(rootfd, path, O_TRUNC | O_EXCL, 0600, 0, err);
	if (fd < 0)
		return -1;
	if (write_all(fd, data, len) < 0)
		return berr_sys(err, "write %s", path);
	if (fchown(fd, o && o->set ? o->uid : 0, o && o->set ? o->gid : 0) < 0 || fchmod(fd, mode & 07777) < 0)
		return berr_sys(err, "set owner of %s", path);
	return 0;
}

int bcopy_file(int rootfd, const char *path, int srcfd, mode_t mode, const struct copy_owner *o,
	       const struct timespec *mtime, berr *err)
{
	if (parent_dirs(rootfd, path, o, err) < 0)
		return -1;
	return put_file(rootfd, path, srcfd, mode, o && o->set ? o->uid : 0, o && o->set ? o->gid : 0, mtime, err);
}
