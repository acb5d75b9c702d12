/* mounts.c: the container's mount tree, built inside its private mount namespace with the
 * fd-based mount API: the overlay rootfs (fsopen + "lowerdir+", so any number of layers),
 * /proc, /sys, the generated /etc files, binds, volumes and tmpfs, Docker's masked and
 * read-only paths. Every target inside the rootfs is resolved with openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS), opened O_PATH|O_NOFOLLOW and checked before anything is mounted. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "runtime/runtime.h"
#include "runtime/mnt.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/safepath.h"

/* Resolve inside the root with util/safepath (openat2 RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS).
 * O_NOFOLLOW in flags means: do not follow a final symlink. */
static int openat2_in_root(int rootfd, const char *path, int flags)
{
	berr e;
	unsigned spf = (flags & O_NOFOLLOW) ? SP_NOFOLLOW_LAST : 0;
	return sp_open(rootfd, path, flags & ~O_NOFOLLOW, 0, spf, &e);
}

/* If the last component of path is a symlink, its target as a path inside the root. */
static char *dangling_target(int rootfd, const char *path)
{
	berr e;
	char *last = NULL;
	int pfd = sp_open_parent(rootfd, path, 0, &last, &e);
	if (pfd < 0)
		return NULL;
	char t[4096];
	ssize_t n = readlinkat(pfd, last, t, sizeof t - 1);
	close(pfd);
	free(last);
	if (n <= 0)
		return NULL;
	t[n] = 0;
	if (t[0] == '/')
		return xstrdup(t);
	_cleanup_free_ char *dir = xstrdup(path);
	char *sl = strrchr(dir, '/');
	if (sl)
		*sl = 0;
	return xasprintf("%s/%s", sl ? dir : "", t);
}

int rootfs_open_in(int rootfd, const char *path, int flags, bool mkdirs, bool mkfile, mode_t mode)
{
	int fd = openat2_in_root(rootfd, path, flags);
	if (fd >= 0 || errno != ENOENT || (!mkdirs && !mkfile))
		return fd;
	berr e;
	if (!(flags & O_NOFOLLOW)) {
		/* a dangling symlink (followed inside the root): create what it names, as Docker */
		_cleanup_free_ char *cur = xstrdup(path);
		for (int depth = 0; depth < 16; depth++) {
			char *t = dangling_target(rootfd, cur);
			if (!t)
				break;
			free(cur);
			cur = t;
		}
		static int recursion;
		if (strcmp(cur, path) && recursion < 4) {
			recursion++;
			int r = rootfs_open_in(rootfd, cur, flags, mkdirs, mkfile, mode);
			recursion--;
			return r;
		}
	}
	if (mkdirs) {
		int d = sp_mkdir_p(rootfd, path, mode ? mode : 0755, 0, &e);
		if (d < 0)
			return -1;
		close(d);
	} else {
		char *last = NULL;
		int pfd = sp_open_parent(rootfd, path, 0, &last, &e);
		if (pfd < 0) {
			/* create the parents first, then the file */
			_cleanup_free_ char *dir = xstrdup(path);
			char *sl = strrchr(dir, '/');
			if (!sl)
				return -1;
			*sl = 0;
			int d = sp_mkdir_p(rootfd, *dir ? dir : "/", 0755, 0, &e);
			if (d < 0)
				return -1;
			close(d);
			pfd = sp_open_parent(rootfd, path, 0, &last, &e);
			if (pfd < 0)
				return -1;
		}
		int f = openat(pfd, last, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode ? mode : 0644);
		int saved = errno;
		close(pfd);
		free(last);
		if (f < 0 && saved != EEXIST) {
			errno = saved;
			return -1;
		}
		if (f >= 0)
			close(f);
	}
	return openat2_in_root(rootfd, path, flags);
}

/* ---- fd-based mount helpers ---- */
int mnt_fs(const char *type, const char *source, const char *const *opts, unsigned attrs, berr *err)
{
	_cleanup_close_ int fs = fsopen(type, FSOPEN_CLOEXEC);
	if (fs < 0)
		return berr_sys(err, "fsopen %s", type);
	if (source && fsconfig(fs, FSCONFIG_SET_STRING, "source", source, 0) < 0)
		return berr_sys(err, "%s: source", type);
	for (const char *const *o = opts; o && *o; o++) {
		char k[128];
		const char *eq = strchr(*o, '=');
		int r;
		if (eq) {
			snprintf(k, sizeof k, "%.*s", (int)(eq - *o), *o);
			r = fsconfig(fs, FSCONFIG_SET_STRING, k, eq + 1, 0);
		} else
			r = fsconfig(fs, FSCONFIG_SET_FLAG, *o, NULL, 0);
		if (r < 0)
			return berr_sys(err, "%s: option %s", type, *o);
	}
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return berr_sys(err, "create %s", type);
	int m = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
	if (m < 0)
		return berr_sys(err, "fsmount %s", type);
	return m;
}

int mnt_attach(int mfd, int targetfd, const char *what, berr *err)
{
	if (move_mount(mfd, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return berr_sys(err, "mount %s", what);
	return 0;
}

/* Open a mount target inside the root: must be a directory (or a regular file when
 * want_file) and not a symlink. */
int mnt_target(int rootfd, const char *path, bool want_file, berr *err)
{
	return mnt_target_ex(rootfd, path, want_file, false, err);
}

int mnt_target_ex(int rootfd, const char *path, bool want_file, bool follow, berr *err)
{
	int fd = rootfs_open_in(rootfd, path, O_PATH | (follow ? 0 : O_NOFOLLOW), !want_file, want_file, 0);
	if (fd < 0)
		return berr_sys(err, "mount target %s", path);
	struct stat sb;
	if (fstat(fd, &sb) < 0 || (want_file ? S_ISDIR(sb.st_mode) || S_ISLNK(sb.st_mode) : !S_ISDIR(sb.st_mode))) {
		close(fd);
		return berr_set(err, ENOTDIR, "mount target %s: not a %s", path, want_file ? "file" : "directory");
	}
	return fd;
}

static int mount_fs_at(int rootfd, const char *target, const char *type, const char *source,
		       const char *const *opts, unsigned attrs, berr *err)
{
	_cleanup_close_ int t = mnt_target(rootfd, target, false, err);
	if (t < 0)
		return -1;
	_cleanup_close_ int m = mnt_fs(type, source, opts, attrs, err);
	if (m < 0)
		return berr_wrap(err, "%s", target);
	return mnt_attach(m, t, target, err);
}

int mounts_overlay(json_t *cfg, const char *ctrdir, berr *err)
{
	json_t *rfs = json_object_get(cfg, "BerthRootfs");
	json_t *lowers = json_object_get(rfs, "LowerDirs");
	size_t n = json_array_size(lowers);
	if (!n)
		return berr_set(err, EINVAL, "container has no root filesystem");
	_cleanup_free_ char *upper = xasprintf("%s/upper", ctrdir);
	_cleanup_free_ char *work = xasprintf("%s/work", ctrdir);
	_cleanup_free_ char *merged = xasprintf("%s/merged", ctrdir);
	_cleanup_close_ int fs = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs < 0)
		return berr_sys(err, "fsopen overlay");
	/* lowerdir+ takes the top-most lower first; LowerDirs is bottom-most first */
	for (size_t i = n; i-- > 0;) {
		const char *d = json_string_value(json_array_get(lowers, i));
		if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", d, 0) < 0)
			return berr_sys(err, "overlay lowerdir %s", d);
	}
	if (fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "workdir", work, 0) < 0)
		return berr_sys(err, "overlay upper/work");
	/* --rm: the writable layer is thrown away at exit, so it need not survive a crash:
	 * "volatile" skips overlay's syncs, above all the sync_filesystem of the whole upper
	 * filesystem when the mount goes at the container's exit (5-15 ms of writeback waits in
	 * the exit path here). podman does the same for --rm. An older kernel without the option
	 * gets the ordinary mount. */
	if (json_is_true(json_object_get(json_object_get(cfg, "HostConfig"), "AutoRemove")))
		(void)fsconfig(fs, FSCONFIG_SET_FLAG, "volatile", NULL, 0);
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return berr_sys(err, "create overlay");
	_cleanup_close_ int m = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	if (m < 0)
		return berr_sys(err, "fsmount overlay");
	if (move_mount(m, "", AT_FDCWD, merged, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return berr_sys(err, "mount overlay on %s", merged);
	return 0;
}

static const char *masked_paths[] = { "/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore",
	"/proc/keys", "/proc/latency_stats", "/proc/sched_debug", "/proc/scsi", "/proc/timer_list",
	"/proc/timer_stats", "/sys/devices/virtual/powercap", "/sys/firmware", NULL };
static const char *ro_paths[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL };

const char *const *mounts_masked_paths(void)
{
	return masked_paths;
}

const char *const *mounts_readonly_paths(void)
{
	return ro_paths;
}

/* Mask one path: a file gets the container's /dev/null bound over it, a directory an empty
 * read-only tmpfs. The target must be on procfs or sysfs (checked with fstatfs), the source
 * must be our own character device 1:3. */
static int mask_path(int rootfd, const char *path, int devnull_tree, berr *err)
{
	_cleanup_close_ int t = openat2_in_root(rootfd, path, O_PATH | O_NOFOLLOW);
	if (t < 0)
		return errno == ENOENT ? 0 : berr_sys(err, "mask %s", path);
	struct statfs sf;
	struct stat sb;
	if (fstatfs(t, &sf) < 0 || fstat(t, &sb) < 0)
		return berr_sys(err, "mask %s", path);
	if (sf.f_type != PROC_SUPER_MAGIC && sf.f_type != SYSFS_MAGIC)
		return berr_set(err, EPERM, "mask %s: target is not on procfs/sysfs", path);
	if (S_ISDIR(sb.st_mode)) {
		static const char *const o[] = { "size=0", NULL };
		_cleanup_close_ int m = mnt_fs("tmpfs", "tmpfs", o, MOUNT_ATTR_RDONLY, err);
		if (m < 0)
			return -1;
		return mnt_attach(m, t, path, err);
	}
	_cleanup_close_ int m = open_tree(devnull_tree, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (m < 0)
		return berr_sys(err, "mask %s: open_tree", path);
	return mnt_attach(m, t, path, err);
}

static int ro_path(int rootfd, const char *path, berr *err)
{
	_cleanup_close_ int t = openat2_in_root(rootfd, path, O_PATH | O_NOFOLLOW);
	if (t < 0)
		return errno == ENOENT ? 0 : berr_sys(err, "readonly %s", path);
	struct statfs sf;
	if (fstatfs(t, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)
		return berr_set(err, EPERM, "readonly %s: target is not on procfs", path);
	_cleanup_close_ int m = open_tree(t, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
	if (m < 0)
		return berr_sys(err, "readonly %s: open_tree", path);
	struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC };
	if (mount_setattr(m, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof a) < 0)
		return berr_sys(err, "readonly %s", path);
	return mnt_attach(m, t, path, err);
}

/* /sys/fs/cgroup, read-only (read-write for --privileged, as Docker), seen through the
 * container's cgroup namespace (its own cgroup is the root): cgroup2 on a unified host; on v1
 * a tmpfs with one mount per controller. */
static int mount_cgroupfs(int rootfd, bool priv, berr *err)
{
	_cleanup_close_ int t = mnt_target(rootfd, "/sys/fs/cgroup", false, err);
	if (t < 0)
		return -1;
	const unsigned ro = (priv ? 0 : MOUNT_ATTR_RDONLY) | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
	if (cgroup_version() == 2) {
		_cleanup_close_ int m = mnt_fs("cgroup2", "cgroup", NULL, ro, err);
		return m < 0 ? -1 : mnt_attach(m, t, "/sys/fs/cgroup", err);
	}
	static const char *const topt[] = { "mode=755", "size=64k", NULL };
	_cleanup_close_ int tm = mnt_fs("tmpfs", "tmpfs", topt, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, err);
	if (tm < 0)
		return -1;
	_cleanup_close_ int dir = openat(tm, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	static const char *ctrls[] = { "memory", "cpu", "cpuacct", "pids", "devices", "freezer", "blkio", NULL };
	for (const char **c = ctrls; *c && dir >= 0; c++) {
		char host[64];
		snprintf(host, sizeof host, "/sys/fs/cgroup/%s", *c);
		struct statfs sf;
		if (statfs(host, &sf) < 0 || sf.f_type != CGROUP_SUPER_MAGIC)
			continue;
		if (mkdirat(dir, *c, 0755) < 0)
			continue;
		_cleanup_close_ int sub = openat(dir, *c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		const char *const o[] = { *c, NULL };
		berr e2;
		_cleanup_close_ int m = sub < 0 ? -1 : mnt_fs("cgroup", "cgroup", o, ro, &e2);
		if (m >= 0)
			mnt_attach(m, sub, *c, &e2);
	}
	struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
	if (!priv)
		mount_setattr(tm, "", AT_EMPTY_PATH, &a, sizeof a);
	return mnt_attach(tm, t, "/sys/fs/cgroup", err);
}

int mounts_proc_sys(int rootfd, json_t *cfg, berr *err)
{
	json_t *hc = json_object_get(cfg, "HostConfig");
	bool priv = json_is_true(json_object_get(hc, "Privileged"));
	if (mount_fs_at(rootfd, "/proc", "proc", "proc", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, err) < 0)
		return -1;
	const char *nm = json_string_value(json_object_get(hc, "NetworkMode"));
	unsigned sysattr = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | (priv ? 0 : MOUNT_ATTR_RDONLY);
	if (nm && !strcmp(nm, "host")) {
		/* sysfs belongs to the host's network namespace: bind it read-only */
		_cleanup_close_ int t = mnt_target(rootfd, "/sys", false, err);
		if (t < 0)
			return -1;
		_cleanup_close_ int m = open_tree(AT_FDCWD, "/sys", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		struct mount_attr a = { .attr_set = sysattr };
		if (m < 0 || mount_setattr(m, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof a) < 0)
			return berr_sys(err, "bind /sys");
		if (mnt_attach(m, t, "/sys", err) < 0)
			return -1;
	} else if (mount_fs_at(rootfd, "/sys", "sysfs", "sysfs", NULL, sysattr, err) < 0)
		return -1;
	if (mount_cgroupfs(rootfd, priv, err) < 0)
		return -1;
	if (priv)
		return 0;
	/* /dev/null of our own fresh /dev tmpfs: verify it before binding it anywhere */
	_cleanup_close_ int dn = openat2_in_root(rootfd, "/dev/null", O_PATH | O_NOFOLLOW);
	struct stat sb;
	struct statfs sf;
	if (dn < 0 || fstat(dn, &sb) < 0 || fstatfs(dn, &sf) < 0 || !S_ISCHR(sb.st_mode) ||
	    sb.st_rdev != makedev(1, 3) || sf.f_type != TMPFS_MAGIC)
		return berr_set(err, EPERM, "container /dev/null is not the expected device");
	for (const char **p = masked_paths; *p; p++)
		if (mask_path(rootfd, *p, dn, err) < 0)
			return -1;
	for (const char **p = ro_paths; *p; p++)
		if (ro_path(rootfd, *p, err) < 0)
			return -1;
	return 0;
}

/* Copy a directory tree fd by fd, never following symlinks (seeding named volumes, cp). */
int copy_tree(int sfd, int dfd, bool overwrite)
{
	int dup_fd = openat(sfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dup_fd < 0)
		return -1;
	DIR *d = fdopendir(dup_fd);
	if (!d) {
		close(dup_fd);
		return -1;
	}
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		struct stat sb;
		if (fstatat(sfd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			if (mkdirat(dfd, e->d_name, sb.st_mode & 07777) < 0 && errno != EEXIST)
				continue;
			int s2 = openat(sfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			int d2 = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (s2 >= 0 && d2 >= 0)
				copy_tree(s2, d2, overwrite);
			if (s2 >= 0) close(s2);
			if (d2 >= 0) close(d2);
		} else if (S_ISREG(sb.st_mode)) {
			int in = openat(sfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			int out = openat(dfd, e->d_name, O_WRONLY | O_CREAT | (overwrite ? O_TRUNC : O_EXCL) | O_NOFOLLOW | O_CLOEXEC, sb.st_mode & 07777);
			if (out < 0 && overwrite && errno == ELOOP && unlinkat(dfd, e->d_name, 0) == 0)
				out = openat(dfd, e->d_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, sb.st_mode & 07777);
			if (in >= 0 && out >= 0) {
				char buf[65536];
				ssize_t r;
				while ((r = read(in, buf, sizeof buf)) > 0)
					write_all(out, buf, (size_t)r);
			}
			if (in >= 0) close(in);
			if (out >= 0) close(out);
		} else if (S_ISLNK(sb.st_mode)) {
			char t[4096];
			ssize_t l = readlinkat(sfd, e->d_name, t, sizeof t - 1);
			if (l < 0)
				continue;
			t[l] = 0;
			if (overwrite)
				unlinkat(dfd, e->d_name, 0);
			if (symlinkat(t, dfd, e->d_name) < 0)
				continue;
		} else
			continue;
		fchownat(dfd, e->d_name, sb.st_uid, sb.st_gid, AT_SYMLINK_NOFOLLOW);
	}
	closedir(d);
	return rc;
}

static int cmp_depth(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a, "Destination"));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b, "Destination"));
	int cx = 0, cy = 0;
	for (; x && *x; x++) cx += *x == '/';
	for (; y && *y; y++) cy += *y == '/';
	return cx - cy;
}

/* Binds, volumes, tmpfs and the generated /etc files. */
int mounts_setup(int rootfd, json_t *cfg, const char *ctrdir, struct store *st, berr *err)
{
	(void)st;
	json_t *hc = json_object_get(cfg, "HostConfig");
	const char *nm = json_string_value(json_object_get(hc, "NetworkMode"));
	static const char *etc[] = { "hosts", "hostname", "resolv.conf" };
	for (size_t i = 0; i < 3; i++) {
		_cleanup_free_ char *src = xasprintf("%s/%s", ctrdir, etc[i]);
		_cleanup_free_ char *dst = xasprintf("/etc/%s", etc[i]);
		if (nm && !strcmp(nm, "host") && i != 1) {
			free(src);
			src = xasprintf("/etc/%s", etc[i]);
		}
		berr e2;
		_cleanup_close_ int t = mnt_target(rootfd, dst, true, &e2);
		if (t < 0)
			continue; /* e.g. /etc/resolv.conf a dangling symlink: leave it */
		_cleanup_close_ int m = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (m < 0)
			continue;
		if (mnt_attach(m, t, dst, err) < 0)
			return -1;
	}
	json_t *mounts = json_object_get(cfg, "Mounts");
	size_t n = json_array_size(mounts);
	json_t **sorted = xcalloc(n + 1, sizeof *sorted);
	for (size_t i = 0; i < n; i++)
		sorted[i] = json_array_get(mounts, i);
	qsort(sorted, n, sizeof *sorted, cmp_depth);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		json_t *m = sorted[i];
		const char *type = json_string_value(json_object_get(m, "Type"));
		const char *src = json_string_value(json_object_get(m, "Source"));
		const char *dst = json_string_value(json_object_get(m, "Destination"));
		bool rw = json_is_true(json_object_get(m, "RW"));
		if (!type || !dst) {
			rc = berr_set(err, EINVAL, "invalid mount");
			break;
		}
		if (!strcmp(type, "tmpfs")) {
			const char *opt = json_string_value(json_object_get(m, "Options"));
			struct strvec o = STRVEC_INIT;
			unsigned attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
			if (opt && *opt) {
				_cleanup_free_ char *cp = xstrdup(opt);
				for (char *tok = strtok(cp, ","); tok; tok = strtok(NULL, ",")) {
					if (!strcmp(tok, "exec")) attrs &= ~MOUNT_ATTR_NOEXEC;
					else if (!strcmp(tok, "noexec")) attrs |= MOUNT_ATTR_NOEXEC;
					else if (!strcmp(tok, "suid")) attrs &= ~MOUNT_ATTR_NOSUID;
					else if (!strcmp(tok, "nosuid")) attrs |= MOUNT_ATTR_NOSUID;
					else if (!strcmp(tok, "dev")) attrs &= ~MOUNT_ATTR_NODEV;
					else if (!strcmp(tok, "nodev")) attrs |= MOUNT_ATTR_NODEV;
					else if (!strcmp(tok, "ro")) attrs |= MOUNT_ATTR_RDONLY;
					else if (!strcmp(tok, "rw")) ;
					else sv_push(&o, tok);
				}
			}
			_cleanup_close_ int tt = mnt_target_ex(rootfd, dst, false, true, err);
			_cleanup_close_ int mm = tt < 0 ? -1 : mnt_fs("tmpfs", "tmpfs", (const char *const *)o.v, attrs, err);
			rc = mm < 0 ? -1 : mnt_attach(mm, tt, dst, err);
			sv_clear(&o);
			continue;
		}
		/* bind and volume: the source is a host path chosen by the user (bind) or our
		 * volume dir; the target is resolved inside the rootfs */
		struct stat sb;
		if (stat(src, &sb) < 0) {
			rc = berr_sys(err, "invalid mount config: bind source path does not exist: %s", src);
			break;
		}
		/* user mount targets follow symlinks, but only inside the root (RESOLVE_IN_ROOT) */
		_cleanup_close_ int t = mnt_target_ex(rootfd, dst, !S_ISDIR(sb.st_mode), true, err);
		if (t < 0) {
			rc = -1;
			break;
		}
		if (!strcmp(type, "volume") && json_is_true(json_object_get(m, "Seed"))) {
			/* Docker copies the image's content at the target into an empty new volume */
			_cleanup_close_ int sfd = openat(t, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			_cleanup_close_ int dfd = open(src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sfd >= 0 && dfd >= 0) {
				DIR *dd = fdopendir(dup(dfd));
				int entries = 0;
				struct dirent *e;
				while (dd && (e = readdir(dd)))
					entries += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
				if (dd)
					closedir(dd);
				if (!entries) {
					copy_tree(sfd, dfd, false);
					struct stat ts;
					if (fstat(sfd, &ts) == 0) {
						fchown(dfd, ts.st_uid, ts.st_gid);
						fchmod(dfd, ts.st_mode & 07777);
					}
				}
			}
		}
		_cleanup_close_ int mt = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (mt < 0) {
			rc = berr_sys(err, "bind %s", src);
			break;
		}
		if (!rw) {
			struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
			if (mount_setattr(mt, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof a) < 0) {
				rc = berr_sys(err, "bind %s read-only", src);
				break;
			}
		}
		rc = mnt_attach(mt, t, dst, err);
	}
	free(sorted);
	return rc;
}
