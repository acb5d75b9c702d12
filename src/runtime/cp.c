/* cp.c: copy between a container's filesystem and the host (CVE-2018-15664 / CVE-2019-10152
 * safe). The container side is only ever touched through fds: its root (/proc/PID/root of a
 * running container, or a private overlay mount for a stopped one, made in a helper process's
 * own mount namespace), paths resolved with openat2(RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS),
 * entries created with *at() calls and O_NOFOLLOW relative to the resolved directory fd. No
 * code runs inside the container and nothing of it (NSS, libraries) is loaded (CVE-2019-14271). */
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

/* Resolve the destination: an existing directory receives basename(src); otherwise the
 * destination's parent must exist and the entry is named after the destination. */
static int resolve_dest(int rootfd, const char *dst, const char *src, int *dirfd, char **name, berr *err)
{
	char b[4096];
	const char *sb_name = base_of(src, b, sizeof b);
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
		fd = sp_open_parent(rootfd, dst, 0, name, err);
		if (fd < 0)
			return berr_wrap(err, "Could not find the file %s in container", dst);
		/* O_PATH dir fd: *at() calls work on it */
		*dirfd = fd;
		return 0;
	}
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

static int do_copy(int rootfd, bool to_container, const char *src, const char *dst, berr *err)
{
	_cleanup_close_ int sdir = -1;
	_cleanup_free_ char *sname = NULL;
	if (to_container) {
		_cleanup_free_ char *s = xstrdup(src);
		_cleanup_free_ char *s2 = xstrdup(src);
		sdir = open(dirname(s), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		char b[4096];
		sname = xstrdup(base_of(s2, b, sizeof b));
		if (sdir < 0)
			return berr_sys(err, "stat %s", src);
	} else {
		sdir = sp_open_parent(rootfd, src, 0, &sname, err);
		if (sdir < 0) {
			if (!strcmp(src, "/") || !*src) {
				sdir = dup(rootfd);
				sname = xstrdup(".");
			} else
				return berr_set(err, ENOENT, "Could not find the file %s in container", src);
		}
	}
	struct stat st;
	if (fstatat(sdir, sname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return to_container ? berr_sys(err, "stat %s", src)
				    : berr_set(err, ENOENT, "Could not find the file %s in container", src);
	int ddir = -1;
	_cleanup_free_ char *dname = NULL;
	if (resolve_dest(to_container ? rootfd : -1, dst, src, &ddir, &dname, err) < 0)
		return -1;
	/* "SRC/." copies the contents of SRC into the destination directory */
	size_t sl = strlen(src);
	int rc;
	if (sl >= 2 && !strcmp(src + sl - 2, "/.") && S_ISDIR(st.st_mode)) {
		_cleanup_close_ int s = openat(sdir, sname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int dd = ddir;
		_cleanup_close_ int made = -1;
		if (faccessat(ddir, dname, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
			mkdirat(ddir, dname, st.st_mode & 07777);
		made = openat(ddir, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (made >= 0)
			dd = made;
		rc = s < 0 ? berr_sys(err, "open %s", src) : copy_tree(s, dd, true);
	} else
		rc = copy_entry(sdir, sname, ddir, dname, err);
	close(ddir);
	return rc;
}

int ctr_cp(struct store *st, struct ctr *c, bool to_container, const char *src, const char *dst, berr *err)
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
			do_copy(rootfd, to_container, src, dst, &e);
		if (e.msg[0] && write(pipefd[1], e.msg, strlen(e.msg)) < 0) {
		}
		_exit(e.msg[0] ? 1 : 0);
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
		err->status = 1;
		return -1;
	}
	if (!WIFEXITED(ws) || WEXITSTATUS(ws)) {
		berr_set(err, EIO, "copy failed");
		err->status = 1;
		return -1;
	}
	return 0;
}
