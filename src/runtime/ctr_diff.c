/* ctr_diff.c: what a container changed in its root filesystem (`diff`, `commit`): the
 * entries of its overlay upper dir compared with the image's layers, as Docker's naive diff
 * reports them (A added, C changed, D deleted; a directory is C when something beneath it
 * changed or its mode/owner did; within a directory, deletions come after the other
 * entries). The mount points berth itself creates in the upper dir (empty /etc/hosts,
 * /etc/resolv.conf, /etc/hostname, /proc, /sys, /dev when the image lacks them: Docker keeps
 * these in its hidden init layer) are left out of both. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "runtime/runtime.h"
#include "util/cleanup.h"

struct dctx {
	json_t *lowers;           /* bottom-most first */
	const struct strvec *skip;
	json_t *out;
};

static bool is_whiteout(const struct stat *sb)
{
	return S_ISCHR(sb->st_mode) && sb->st_rdev == makedev(0, 0);
}

static bool opaque_fd(int fd)
{
	char v[4];
	ssize_t n = fgetxattr(fd, "trusted.overlay.opaque", v, sizeof v);
	if (n != 1)
		n = fgetxattr(fd, "user.overlay.opaque", v, sizeof v);
	return n == 1 && v[0] == 'y';
}

/* The entry at rel in the image's merged lowers (top-most first; a whiteout hides it). */
static bool lower_stat(struct dctx *d, const char *rel, struct stat *out)
{
	for (size_t i = json_array_size(d->lowers); i-- > 0;) {
		_cleanup_free_ char *p = xasprintf("%s/%s", json_string_value(json_array_get(d->lowers, i)), rel);
		struct stat sb;
		if (lstat(p, &sb) == 0)
			return is_whiteout(&sb) ? false : (*out = sb, true);
	}
	return false;
}

static bool skipped(struct dctx *d, const char *rel)
{
	for (size_t i = 0; d->skip && i < d->skip->n; i++)
		if (!strcmp(d->skip->v[i], rel))
			return true;
	return false;
}

static void add(struct dctx *d, const char *rel, int kind)
{
	json_array_append_new(d->out, json_pack("{s:s+,s:i}", "Path", "/", rel, "Kind", kind));
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sorted_names(int dfd, struct strvec *names)
{
	int dup_fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (!dir) {
		if (dup_fd >= 0)
			close(dup_fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(dir)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			sv_push(names, e->d_name);
	closedir(dir);
	if (names->n)
		qsort(names->v, names->n, sizeof *names->v, cmpstr);
}

/* Walk upper dir dfd (entries rel/NAME); in_lower: the directory exists below (not opaque).
 * Returns how many changes were recorded beneath it. */
static size_t walk(struct dctx *d, int dfd, const char *rel, bool in_lower)
{
	struct strvec names = STRVEC_INIT;
	sorted_names(dfd, &names);
	size_t count = 0;
	struct strvec dels = STRVEC_INIT;
	for (size_t i = 0; i < names.n; i++) {
		_cleanup_free_ char *r = *rel ? xasprintf("%s/%s", rel, names.v[i]) : xstrdup(names.v[i]);
		if (skipped(d, r))
			continue;
		struct stat sb, lb;
		if (fstatat(dfd, names.v[i], &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (is_whiteout(&sb)) {
			if (in_lower && lower_stat(d, r, &lb))
				sv_push(&dels, r);
			continue;
		}
		bool below = in_lower && lower_stat(d, r, &lb);
		if (!S_ISDIR(sb.st_mode)) {
			add(d, r, below ? 0 : 1);
			count++;
			continue;
		}
		int sub = openat(dfd, names.v[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;
		bool opq = opaque_fd(sub);
		size_t at = json_array_size(d->out);
		bool dir_below = below && S_ISDIR(lb.st_mode);
		size_t n = walk(d, sub, r, dir_below && !opq);
		if (dir_below && opq) {
			/* an opaque directory hides everything the image had in it */
			int lfd = -1;
			for (size_t k = json_array_size(d->lowers); k-- > 0 && lfd < 0;) {
				_cleanup_free_ char *p = xasprintf("%s/%s", json_string_value(json_array_get(d->lowers, k)), r);
				lfd = open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			}
			struct strvec old = STRVEC_INIT;
			if (lfd >= 0) {
				sorted_names(lfd, &old);
				close(lfd);
			}
			for (size_t k = 0; k < old.n; k++) {
				struct stat x;
				if (fstatat(sub, old.v[k], &x, AT_SYMLINK_NOFOLLOW) < 0) {
					_cleanup_free_ char *p = xasprintf("%s/%s", r, old.v[k]);
					add(d, p, 2);
					n++;
				}
			}
			sv_clear(&old);
		}
		close(sub);
		bool changed = !below || !S_ISDIR(lb.st_mode) || n > 0 || (sb.st_mode != lb.st_mode) ||
			       sb.st_uid != lb.st_uid || sb.st_gid != lb.st_gid;
		if (changed) {
			/* the directory's own line goes before its children */
			json_t *e = json_pack("{s:s+,s:i}", "Path", "/", r, "Kind", dir_below ? 0 : 1);
			json_array_insert_new(d->out, at, e);
			count++;
		}
		count += n;
	}
	for (size_t i = 0; i < dels.n; i++)
		add(d, dels.v[i], 2);
	count += dels.n;
	sv_clear(&dels);
	sv_clear(&names);
	return count;
}

int ctr_upper_skips(struct store *st, struct ctr *c, struct strvec *skip)
{
	(void)st;
	struct dctx d = { json_object_get(json_object_get(c->cfg, "BerthRootfs"), "LowerDirs"), NULL, NULL };
	_cleanup_free_ char *cdir = ctr_dir(st, c->id);
	static const char *const files[] = { "etc/hosts", "etc/resolv.conf", "etc/hostname", NULL };
	static const char *const dirs[] = { "proc", "sys", "dev", NULL };
	struct stat sb, lb;
	int nfiles = 0;
	for (const char *const *f = files; *f; f++) {
		_cleanup_free_ char *p = xasprintf("%s/upper/%s", cdir, *f);
		if (lstat(p, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size == 0 && !lower_stat(&d, *f, &lb)) {
			sv_push(skip, *f);
			nfiles++;
		}
	}
	for (const char *const *f = dirs; *f; f++) {
		_cleanup_free_ char *p = xasprintf("%s/upper/%s", cdir, *f);
		if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode) && !lower_stat(&d, *f, &lb))
			sv_push(skip, *f);
	}
	/* an /etc berth made only for those files */
	if (nfiles && !lower_stat(&d, "etc", &lb)) {
		_cleanup_free_ char *p = xasprintf("%s/upper/etc", cdir);
		int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			struct strvec names = STRVEC_INIT;
			sorted_names(fd, &names);
			close(fd);
			if ((int)names.n == nfiles)
				sv_push(skip, "etc");
			sv_clear(&names);
		}
	}
	return 0;
}

int ctr_changes(struct store *st, struct ctr *c, json_t **out, berr *err)
{
	json_t *lowers = json_object_get(json_object_get(c->cfg, "BerthRootfs"), "LowerDirs");
	_cleanup_free_ char *cdir = ctr_dir(st, c->id);
	_cleanup_free_ char *upper = xasprintf("%s/upper", cdir);
	_cleanup_close_ int fd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, "open %s", upper);
	struct strvec skip = STRVEC_INIT;
	ctr_upper_skips(st, c, &skip);
	struct dctx d = { lowers, &skip, json_array() };
	walk(&d, fd, "", true);
	sv_clear(&skip);
	*out = d.out;
	return 0;
}

/* Docker's directory.Size: the sizes of everything but directories, hard links once. */
static int64_t tree_size(int dfd, int depth)
{
	struct strvec names = STRVEC_INIT;
	sorted_names(dfd, &names);
	int64_t total = 0;
	for (size_t i = 0; i < names.n; i++) {
		struct stat sb;
		if (fstatat(dfd, names.v[i], &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			int sub = depth < 256 ? openat(dfd, names.v[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
			if (sub >= 0) {
				total += tree_size(sub, depth + 1);
				close(sub);
			}
		} else if (sb.st_nlink <= 1 || S_ISLNK(sb.st_mode))
			total += sb.st_size;
		else
			total += sb.st_size / (int64_t)sb.st_nlink; /* shared among its links in this tree */
	}
	sv_clear(&names);
	return total;
}

int64_t ctr_size_rw(struct store *st, struct ctr *c)
{
	_cleanup_free_ char *cdir = ctr_dir(st, c->id);
	_cleanup_free_ char *upper = xasprintf("%s/upper", cdir);
	_cleanup_close_ int fd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? 0 : tree_size(fd, 0);
}
