/* safepath.c: chroot-like path resolution inside a root dir fd (openat2 RESOLVE_IN_ROOT, or a
 * manual O_NOFOLLOW walk), mkdir -p and file creation that never leave the root. */
#include "util/safepath.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "util/cleanup.h"
#include "util/strbuf.h"

#define SP_MAXLINKS 40

bool safepath_no_openat2;

char *sp_clean(const char *path)
{
	size_t plen = strlen(path);
	char *out = xmalloc(plen + 1);
	size_t *starts = xmalloc((plen / 2 + 2) * sizeof *starts);
	size_t len = 0, depth = 0;
	bool rooted = path[0] == '/';
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = strchrnul(p, '/');
		size_t cl = (size_t)(e - p);
		if (cl == 1 && p[0] == '.') {
			/* skip */
		} else if (cl == 2 && p[0] == '.' && p[1] == '.') {
			if (depth == 0) {
				if (!rooted) {
					free(out);
					free(starts);
					errno = EXDEV;
					return NULL;
				}
			} else {
				len = starts[--depth];
				if (len > 0)
					len--; /* drop the separator */
			}
		} else {
			if (len > 0)
				out[len++] = '/';
			starts[depth++] = len;
			memcpy(out + len, p, cl);
			len += cl;
		}
		p = e;
	}
	out[len] = 0;
	free(starts);
	return out;
}

struct sp_fdpath sp_fd_path(int fd)
{
	struct sp_fdpath r;
	snprintf(r.s, sizeof r.s, "/proc/self/fd/%d", fd);
	return r;
}

/* ---- the fallback walk ---- */

struct fdstack {
	int *v;
	size_t n, alloc;
};

static void fds_push(struct fdstack *s, int fd)
{
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? 2 * s->alloc : 16;
		s->v = xrealloc(s->v, s->alloc * sizeof *s->v);
	}
	s->v[s->n++] = fd;
}

static void fds_pop(struct fdstack *s)
{
	if (s->n)
		close(s->v[--s->n]);
}

static void fds_clear(struct fdstack *s)
{
	while (s->n)
		fds_pop(s);
	free(s->v);
	s->v = NULL;
	s->alloc = 0;
}

static int walk_open(int rootfd, const char *path, int oflags, mode_t mode, unsigned spflags)
{
	struct fdstack st = { 0 };
	struct strbuf rest = STRBUF_INIT;
	int links = 0, ret = -1, saved = 0;
	bool nofollow_last = (spflags & SP_NOFOLLOW_LAST) || (oflags & O_CREAT);
	sb_adds(&rest, path);
	size_t pos = 0;

	for (;;) {
		int cur = st.n ? st.v[st.n - 1] : rootfd;
		while (rest.buf[pos] == '/')
			pos++;
		if (!rest.buf[pos]) {
			/* Everything consumed: the result is the current directory. */
			ret = openat(cur, ".", (oflags & ~O_NOFOLLOW) | O_CLOEXEC, mode);
			saved = errno;
			break;
		}
		size_t end = pos;
		while (rest.buf[end] && rest.buf[end] != '/')
			end++;
		size_t next = end;
		while (rest.buf[next] == '/')
			next++;
		bool last = !rest.buf[next];
		bool trailing_slash = last && end != next;
		_cleanup_free_ char *comp = xstrndup(rest.buf + pos, end - pos);

		if (!strcmp(comp, ".")) {
			pos = next;
			continue;
		}
		if (!strcmp(comp, "..")) {
			fds_pop(&st); /* never above the root */
			pos = next;
			continue;
		}
		struct stat sb;
		bool follow = !last || !nofollow_last || trailing_slash;
		if (last && !follow) {
			ret = openat(cur, comp, oflags | O_NOFOLLOW | O_CLOEXEC, mode);
			saved = errno;
			break;
		}
		if (fstatat(cur, comp, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
			saved = errno;
			break;
		}
		if (S_ISLNK(sb.st_mode)) {
			if ((spflags & SP_NO_SYMLINKS) || ++links > SP_MAXLINKS) {
				saved = ELOOP;
				break;
			}
			char target[PATH_MAX];
			ssize_t tl = readlinkat(cur, comp, target, sizeof target - 1);
			if (tl < 0) {
				saved = errno;
				break;
			}
			if (tl == 0) {
				saved = ENOENT;
				break;
			}
			target[tl] = 0;
			struct strbuf nr = STRBUF_INIT;
			sb_adds(&nr, target);
			if (rest.buf[end]) {
				sb_addc(&nr, '/');
				sb_adds(&nr, rest.buf + next);
			}
			sb_release(&rest);
			rest = nr;
			pos = 0;
			if (target[0] == '/')
				while (st.n)
					fds_pop(&st);
			continue;
		}
		if (last) {
			ret = openat(cur, comp, oflags | O_NOFOLLOW | O_CLOEXEC, mode);
			saved = errno;
			if (ret >= 0 && (oflags & O_PATH) && fstat(ret, &sb) == 0 && S_ISLNK(sb.st_mode)) {
				/* swapped for a symlink since the fstatat: resolve it (O_PATH does
				 * not fail on a symlink with O_NOFOLLOW) */
				close(ret);
				ret = -1;
				if (++links > SP_MAXLINKS) {
					saved = ELOOP;
					break;
				}
				continue;
			}
			break;
		}
		if (!S_ISDIR(sb.st_mode)) {
			saved = ENOTDIR;
			break;
		}
		int fd = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			saved = errno;
			break;
		}
		fds_push(&st, fd);
		pos = next;
	}
	fds_clear(&st);
	sb_release(&rest);
	if (ret < 0)
		errno = saved;
	return ret;
}

static int openat2_state = 0; /* 0 unknown, 1 works, -1 unavailable */

static int sys_openat2(int rootfd, const char *path, int oflags, mode_t mode, unsigned spflags)
{
	struct open_how how = { 0 };
	bool nofollow_last = (spflags & SP_NOFOLLOW_LAST) || (oflags & O_CREAT);
	how.flags = (uint64_t)(oflags | O_CLOEXEC | (nofollow_last ? O_NOFOLLOW : 0));
	how.mode = (oflags & (O_CREAT | __O_TMPFILE)) ? mode : 0;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	if (spflags & SP_NO_SYMLINKS)
		how.resolve |= RESOLVE_NO_SYMLINKS;
	for (int i = 0; i < 16; i++) {
		int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
		if (fd >= 0 || errno != EAGAIN)
			return fd;
	}
	return -1;
}

static int raw_open(int rootfd, const char *path, int oflags, mode_t mode, unsigned spflags)
{
	if (!*path)
		path = ".";
	if (!safepath_no_openat2 && openat2_state >= 0) {
		int fd = sys_openat2(rootfd, path, oflags, mode, spflags);
		if (fd >= 0) {
			openat2_state = 1;
			return fd;
		}
		if (errno == ENOSYS || (openat2_state == 0 && (errno == EPERM || errno == E2BIG)))
			openat2_state = -1;
		else if (errno != EAGAIN)
			return -1;
	}
	return walk_open(rootfd, path, oflags, mode, spflags);
}

int sp_open(int rootfd, const char *path, int oflags, mode_t mode, unsigned spflags, berr *err)
{
	int fd = raw_open(rootfd, path, oflags, mode, spflags);
	if (fd < 0) {
		if (errno == ELOOP && (spflags & SP_NO_SYMLINKS))
			return berr_set(err, ELOOP, "open %s in root: refusing to follow a symlink", path);
		if (errno == EXDEV)
			return berr_set(err, EXDEV, "open %s in root: path escapes the root", path);
		return berr_sys(err, "open %s in root", path);
	}
	return fd;
}

static int split_last(const char *path, char **dir, char **last)
{
	size_t n = strlen(path);
	while (n > 0 && path[n - 1] == '/')
		n--;
	size_t s = n;
	while (s > 0 && path[s - 1] != '/')
		s--;
	if (s == n || (n - s == 1 && path[s] == '.') || (n - s == 2 && path[s] == '.' && path[s + 1] == '.')) {
		errno = EINVAL;
		return -1;
	}
	*last = xstrndup(path + s, n - s);
	*dir = s == 0 ? xstrdup(".") : xstrndup(path, s);
	return 0;
}

int sp_open_parent(int rootfd, const char *path, unsigned spflags, char **last, berr *err)
{
	_cleanup_free_ char *dir = NULL;
	char *l = NULL;
	if (split_last(path, &dir, &l) < 0)
		return berr_set(err, EINVAL, "%s: path has no final name component", path);
	int fd = sp_open(rootfd, dir, O_PATH | O_DIRECTORY, 0, spflags & SP_NO_SYMLINKS, err);
	if (fd < 0) {
		free(l);
		return -1;
	}
	*last = l;
	return fd;
}

int sp_mkdir_p(int rootfd, const char *path, mode_t mode, unsigned spflags, berr *err)
{
	_cleanup_free_ char *p = xstrdup(path);
	unsigned sf = spflags & SP_NO_SYMLINKS;
	size_t i = 0;
	for (;;) {
		while (p[i] == '/')
			i++;
		if (!p[i])
			break;
		while (p[i] && p[i] != '/')
			i++;
		char saved = p[i];
		p[i] = 0;
		int fd = raw_open(rootfd, p, O_PATH | O_DIRECTORY, 0, sf);
		if (fd >= 0) {
			close(fd);
		} else if (errno == ENOENT) {
			_cleanup_free_ char *last = NULL;
			_cleanup_close_ int pfd = sp_open_parent(rootfd, p, sf, &last, err);
			if (pfd < 0)
				return -1;
			if (mkdirat(pfd, last, mode) < 0 && errno != EEXIST)
				return berr_sys(err, "mkdir %s in root", p);
			fd = sp_open(rootfd, p, O_PATH | O_DIRECTORY, 0, sf, err);
			if (fd < 0)
				return -1;
			close(fd);
		} else {
			if (errno == ELOOP && sf)
				return berr_set(err, ELOOP, "mkdir %s in root: refusing to follow a symlink", p);
			return berr_sys(err, "mkdir %s in root", p);
		}
		p[i] = saved;
	}
	return sp_open(rootfd, path, O_RDONLY | O_DIRECTORY, 0, sf, err);
}

int sp_create(int rootfd, const char *path, int extra, mode_t mode, unsigned spflags, berr *err)
{
	return sp_open(rootfd, path, O_WRONLY | O_CREAT | O_NOFOLLOW | extra, mode, spflags, err);
}

static char *fd_host_path(int fd)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(sp_fd_path(fd).s, buf, sizeof buf - 1);
	if (n < 0)
		return NULL;
	buf[n] = 0;
	return xstrdup(buf);
}

int sp_resolve(int rootfd, const char *path, unsigned spflags, char **out, berr *err)
{
	_cleanup_close_ int fd = sp_open(rootfd, path, O_PATH, 0, spflags, err);
	if (fd < 0)
		return -1;
	_cleanup_free_ char *root = fd_host_path(rootfd);
	_cleanup_free_ char *target = fd_host_path(fd);
	if (!root || !target)
		return berr_sys(err, "resolve %s in root", path);
	size_t rl = strlen(root);
	if (!strcmp(root, "/"))
		rl = 0;
	if (strncmp(target, root, rl) || (target[rl] && target[rl] != '/'))
		return berr_set(err, EXDEV, "resolve %s in root: resolved outside the root (%s)", path, target);
	*out = xstrdup(target[rl] ? target + rl : "/");
	return 0;
}
