/* cp.c: copy between a container's filesystem and the host (CVE-2018-15664 / CVE-2019-10152
 * safe). The container side is only ever touched through fds: its root (/proc/PID/root of a
 * running container, or a private overlay mount for a stopped one, made in a helper process's
 * own mount namespace), paths resolved with openat2(RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS),
 * entries created with *at() calls and O_NOFOLLOW relative to the resolved directory fd. No
 * code runs inside the container and nothing of it (NSS, libraries) is loaded (CVE-2019-14271). */
#include "util/lazy_archive.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/safepath.h"
#include "image/layer.h"

static int copy_file_fd(int in, int out)
{
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write_all(out, buf, (size_t)n) < 0)
			return -1;
	return n < 0 ? -1 : 0;
}

static const char *base_of(const char *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s", p);
	size_t l = strlen(buf);
	while (l > 1 && buf[l - 1] == '/')
		buf[--l] = 0;
	char *s = strrchr(buf, '/');
	return s ? s + 1 : buf;
}

/* Copy one opened source (dir, regular file or symlink, given as parent dirfd + name) to
 * dstdir/name. */
static int copy_entry(int sdir, const char *sname, int ddir, const char *dname, berr *err)
{
	struct stat sb;
	if (fstatat(sdir, sname, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return berr_sys(err, "stat %s", sname);
	if (S_ISDIR(sb.st_mode)) {
		if (mkdirat(ddir, dname, sb.st_mode & 07777) < 0 && errno != EEXIST)
			return berr_sys(err, "mkdir %s", dname);
		_cleanup_close_ int s = openat(sdir, sname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		_cleanup_close_ int d = openat(ddir, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s < 0 || d < 0)
			return berr_sys(err, "open directory %s", dname);
		return copy_tree(s, d, true);
	}
	if (S_ISLNK(sb.st_mode)) {
		char t[4096];
		ssize_t n = readlinkat(sdir, sname, t, sizeof t - 1);
		if (n < 0)
			return berr_sys(err, "readlink %s", sname);
		t[n] = 0;
		unlinkat(ddir, dname, 0);
		if (symlinkat(t, ddir, dname) < 0)
			return berr_sys(err, "symlink %s", dname);
		return 0;
	}
	if (!S_ISREG(sb.st_mode))
		return berr_set(err, EINVAL, "%s: not a regular file, directory or symlink", sname);
	_cleanup_close_ int in = openat(sdir, sname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return berr_sys(err, "open %s", sname);
	int out = openat(ddir, dname, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, sb.st_mode & 07777);
	if (out < 0 && errno == ELOOP && unlinkat(ddir, dname, 0) == 0) /* a symlink in the way: replace it */
		out = openat(ddir, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, sb.st_mode & 07777);
	if (out < 0)
		return berr_sys(err, "create %s", dname);
	int rc = copy_file_fd(in, out);
	close(out);
	return rc < 0 ? berr_sys(err, "copy %s", sname) : 0;
}

/* Errors Docker's CLI prints itself (no "Error" prefix): status 2. */
static int cli_err(berr *err, const char *fmt, const char *arg)
{
	berr_set(err, EINVAL, fmt, arg);
	err->status = 2;
	return -1;
}

static bool trailing_slash(const char *p)
{
	size_t l = strlen(p);
	return l > 1 && p[l - 1] == '/';
}

/* Resolve the destination: an existing directory receives basename(src); otherwise the
 * destination's parent must exist and the entry is named after the destination. */
static int resolve_dest(int rootfd, const struct cp_opts *o, const char *name_src, int *dirfd, char **name, berr *err)
{
	const char *dst = o->dst;
	char b[4096];
	const char *sb_name = base_of(name_src, b, sizeof b);
	int fd;
	if (rootfd >= 0)
		fd = sp_open(rootfd, dst, O_RDONLY | O_DIRECTORY, 0, 0, err);
	else
		fd = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		*dirfd = fd;
		*name = xstrdup(sb_name);
		return 0;
	}
	berr_clear(err);
	if (rootfd >= 0) {
		if (trailing_slash(dst))
			return cli_err(err, "no such directory", NULL);
		fd = sp_open_parent(rootfd, dst, 0, name, err);
		if (fd < 0) {
			_cleanup_free_ char *d = xstrdup(dst);
			return berr_set(err, ENOENT, "Could not find the file %s in container %s", dirname(d), o->name);
		}
		/* O_PATH dir fd: *at() calls work on it */
		*dirfd = fd;
		return 0;
	}
	/* the host side was checked by the CLI (cmd/cp.c) */
	_cleanup_free_ char *d = xstrdup(dst);
	char *parent = dirname(d);
	fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, "destination directory %s", parent);
	*dirfd = fd;
	char b2[4096];
	*name = xstrdup(base_of(dst, b2, sizeof b2));
	return 0;
}

/* ---- tar streams (cp CONTAINER:SRC - and cp - CONTAINER:DEST), fd by fd ---- */
static int tar_entry(struct archive *a, int pdir, const char *name, const char *arcname, int depth, berr *err)
{
	struct stat sb;
	if (fstatat(pdir, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return berr_sys(err, "lstat %s", arcname);
	struct archive_entry *e = archive_entry_new();
	archive_entry_copy_stat(e, &sb);
	int rc = 0;
	if (S_ISDIR(sb.st_mode)) {
		_cleanup_free_ char *dn = xasprintf("%s/", arcname);
		archive_entry_set_pathname(e, dn);
		archive_entry_set_size(e, 0);
		if (archive_write_header(a, e) != ARCHIVE_OK)
			rc = berr_set(err, EIO, "tar: %s", archive_error_string(a));
		archive_entry_free(e);
		int d = rc == 0 && depth < 256 ? openat(pdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
		if (d < 0)
			return rc;
		DIR *dd = fdopendir(d);
		struct strvec names = STRVEC_INIT;
		struct dirent *de;
		while (dd && (de = readdir(dd)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				sv_push(&names, de->d_name);
		for (size_t i = 0; i < names.n && rc == 0; i++) {
			_cleanup_free_ char *an = xasprintf("%s/%s", arcname, names.v[i]);
			rc = tar_entry(a, dirfd(dd), names.v[i], an, depth + 1, err);
		}
		sv_clear(&names);
		if (dd)
			closedir(dd);
		return rc;
	}
	archive_entry_set_pathname(e, arcname);
	if (S_ISLNK(sb.st_mode)) {
		char t[4096];
		ssize_t n = readlinkat(pdir, name, t, sizeof t - 1);
		t[n < 0 ? 0 : n] = 0;
		archive_entry_set_symlink(e, t);
		archive_entry_set_size(e, 0);
	} else if (!S_ISREG(sb.st_mode))
		archive_entry_set_size(e, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		rc = berr_set(err, EIO, "tar: %s", archive_error_string(a));
	archive_entry_free(e);
	if (rc == 0 && S_ISREG(sb.st_mode)) {
		_cleanup_close_ int f = openat(pdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		char buf[65536];
		ssize_t n;
		while (f >= 0 && (n = read(f, buf, sizeof buf)) > 0)
			if (archive_write_data(a, buf, (size_t)n) != n)
				return berr_set(err, EIO, "tar: %s", archive_error_string(a));
	}
	return rc;
}

static int tar_out(int sdir, const char *sname, const char *arcname, berr *err)
{
	if (lazylib_load_archive(err) < 0)
		return -1;
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	int rc = -1;
	if (archive_write_open_fd(a, 1) != ARCHIVE_OK)
		berr_set(err, EIO, "tar: %s", archive_error_string(a));
	else if (tar_entry(a, sdir, sname, arcname, 0, err) == 0 && archive_write_close(a) == ARCHIVE_OK)
		rc = 0;
	archive_write_free(a);
	return rc;
}

static int do_copy(int rootfd, const struct cp_opts *o, berr *err)
{
	_cleanup_close_ int sdir = -1;
	_cleanup_free_ char *sname = NULL, *resolved = NULL;
	const char *src = o->src;
	if (o->tar_in) {
		/* cp - CONTAINER:DEST: DEST must be a directory; the tar is applied inside it */
		_cleanup_close_ int d = sp_open(rootfd, o->dst, O_RDONLY | O_DIRECTORY, 0, 0, err);
		if (d < 0) {
			berr_clear(err);
			return berr_set(err, ENOENT, "Could not find the file %s in container %s", o->dst, o->name);
		}
		struct layer_apply_opts lo = { .mode = LAYER_APPLY_FLATTEN };
		return layer_apply(0, d, &lo, NULL, err);
	}
	size_t sl = strlen(src);
	bool contents = sl >= 2 && !strcmp(src + sl - 2, "/.");
	_cleanup_free_ char *src_trim = contents ? xstrndup(src, sl - 2) : xstrdup(src);
	if (!*src_trim) {
		free(src_trim);
		src_trim = xstrdup("/");
	}
	if (o->to_container) {
		_cleanup_free_ char *s = xstrdup(src_trim);
		char b[4096];
		const char *real = src_trim;
		if (o->follow && (resolved = realpath(src_trim, NULL)))
			real = resolved;
		_cleanup_free_ char *s2 = xstrdup(real);
		sdir = open(dirname(s2), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		sname = xstrdup(contents ? "." : base_of(real, b, sizeof b));
		(void)s;
		if (sdir < 0)
			return berr_sys(err, "lstat %s", src);
	} else {
		const char *real = src_trim;
		if (o->follow && sp_resolve(rootfd, src_trim, 0, &resolved, err) == 0)
			real = resolved;
		berr_clear(err);
		sdir = sp_open_parent(rootfd, real, 0, &sname, err);
		if (sdir < 0) {
			if (!strcmp(real, "/") || !*real) {
				berr_clear(err);
				sdir = dup(rootfd);
				sname = xstrdup(".");
			} else
				return berr_set(err, ENOENT, "Could not find the file %s in container %s", src_trim, o->name);
		}
		berr_clear(err);
	}
	struct stat st;
	if (fstatat(sdir, sname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return o->to_container ? berr_sys(err, "lstat %s", src)
				       : berr_set(err, ENOENT, "Could not find the file %s in container %s", src_trim, o->name);
	if (trailing_slash(src) && !S_ISDIR(st.st_mode))
		return berr_set(err, ENOTDIR, "lstat %s: not a directory", src);
	if (o->tar_out) {
		char b[4096];
		const char *arc = contents ? "." : base_of(src_trim, b, sizeof b);
		if (!strcmp(arc, "/"))
			arc = ".";
		return tar_out(sdir, sname, arc, err);
	}
	if (o->to_container && S_ISDIR(st.st_mode) && !contents) {
		/* a directory onto an existing non-directory */
		struct stat ds;
		_cleanup_close_ int t = sp_open(rootfd, o->dst, O_PATH | O_NOFOLLOW, 0, 0, err);
		berr_clear(err);
		if (t >= 0 && fstat(t, &ds) == 0 && !S_ISDIR(ds.st_mode))
			return cli_err(err, "cannot copy directory", NULL);
	}
	int ddir = -1;
	_cleanup_free_ char *dname = NULL;
	if (resolve_dest(o->to_container ? rootfd : -1, o, src_trim, &ddir, &dname, err) < 0)
		return -1;
	/* "SRC/." copies the contents of SRC into the destination directory */
	int rc;
	if (contents && S_ISDIR(st.st_mode)) {
		_cleanup_close_ int s = openat(sdir, sname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int dd = ddir;
		_cleanup_close_ int made = -1;
		/* an existing destination directory receives the contents itself */
		struct stat ds;
		bool dst_is_dir = (o->to_container ? sp_open(rootfd, o->dst, O_PATH | O_DIRECTORY, 0, 0, err) >= 0
						   : stat(o->dst, &ds) == 0 && S_ISDIR(ds.st_mode));
		berr_clear(err);
		if (!dst_is_dir) {
			if (faccessat(ddir, dname, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
				mkdirat(ddir, dname, st.st_mode & 07777);
			made = openat(ddir, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (made >= 0)
				dd = made;
		}
		rc = s < 0 ? berr_sys(err, "open %s", src) : copy_tree(s, dd, true);
	} else
		rc = copy_entry(sdir, sname, ddir, dname, err);
	close(ddir);
	return rc;
}

int ctr_cp_ex(struct store *st, struct ctr *c, const struct cp_opts *o, berr *err)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return berr_sys(err, "pipe");
	bool running = ctr_refresh(st, c) == CTR_RUNNING;
	_cleanup_free_ char *cdir = ctr_dir(st, c->id);
	fflush(NULL);
	pid_t p = fork();
	if (p < 0)
		return berr_sys(err, "fork");
	if (p == 0) {
		close(pipefd[0]);
		berr e = { 0 };
		int rootfd = -1;
		if (running) {
			char path[64];
			snprintf(path, sizeof path, "/proc/%d/root", c->pid);
			rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (rootfd < 0 || !proc_alive(c->pid, c->pid_start))
				berr_set(&e, ESRCH, "container %s stopped during cp", c->id);
		} else if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
			berr_sys(&e, "private mount namespace");
		} else if (mounts_overlay(c->cfg, cdir, &e) == 0) {
			_cleanup_free_ char *merged = xasprintf("%s/merged", cdir);
			rootfd = open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
		}
		if (rootfd >= 0 && !e.msg[0])
			do_copy(rootfd, o, &e);
		if (e.msg[0] && write(pipefd[1], e.msg, strlen(e.msg)) < 0) {
		}
		_exit(e.msg[0] ? (e.status == 2 ? 2 : 1) : 0);
	}
	close(pipefd[1]);
	char msg[BERR_MSG_MAX];
	ssize_t n = read(pipefd[0], msg, sizeof msg - 1);
	close(pipefd[0]);
	int ws;
	waitpid(p, &ws, 0);
	if (n > 0) {
		msg[n] = 0;
		berr_set(err, 0, "%s", msg);
		err->status = WIFEXITED(ws) && WEXITSTATUS(ws) == 2 ? 2 : 1;
		return -1;
	}
	if (!WIFEXITED(ws) || WEXITSTATUS(ws)) {
		berr_set(err, EIO, "copy failed");
		err->status = 1;
		return -1;
	}
	return 0;
}

int ctr_cp(struct store *st, struct ctr *c, bool to_container, const char *src, const char *dst, berr *err)
{
	struct cp_opts o = { .to_container = to_container, .src = src, .dst = dst, .name = c->name };
	return ctr_cp_ex(st, c, &o, err);
}
