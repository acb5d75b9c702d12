/* dev.c: the container's minimal /dev: a fresh tmpfs (so nothing of the image's /dev is
 * trusted), the device nodes Docker gives (null zero full random urandom tty), a private
 * devpts instance with /dev/ptmx, /dev/shm, /dev/mqueue and the usual symlinks; then the
 * --device nodes and, with --privileged, every host device (devices.c), as Docker. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "runtime/runtime.h"
#include "runtime/mnt.h"
#include "util/cleanup.h"

static const struct { const char *name; unsigned maj, min; } devices[] = {
	{ "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
	{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

int dev_setup(int rootfd, json_t *cfg, berr *err)
{
	_cleanup_close_ int t = mnt_target(rootfd, "/dev", false, err);
	if (t < 0)
		return -1;
	static const char *const o[] = { "mode=755", "size=65536k", NULL };
	_cleanup_close_ int m = mnt_fs("tmpfs", "tmpfs", o, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, err);
	if (m < 0 || mnt_attach(m, t, "/dev", err) < 0)
		return -1;
	/* the mount is ours and empty: work relative to its root */
	_cleanup_close_ int dfd = openat(m, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return berr_sys(err, "open /dev");
	mode_t old = umask(0);
	for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++) {
		if (mknodat(dfd, devices[i].name, S_IFCHR | 0666, makedev(devices[i].maj, devices[i].min)) < 0) {
			umask(old);
			return berr_sys(err, "mknod /dev/%s", devices[i].name);
		}
	}
	umask(old);
	static const char *dirs[] = { "pts", "shm", "mqueue" };
	for (size_t i = 0; i < 3; i++)
		if (mkdirat(dfd, dirs[i], 0755) < 0)
			return berr_sys(err, "mkdir /dev/%s", dirs[i]);
	static const struct { const char *l, *t; } links[] = {
		{ "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" }, { "ptmx", "pts/ptmx" }, { "core", "/proc/kcore" },
	};
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
		if (symlinkat(links[i].t, dfd, links[i].l) < 0)
			return berr_sys(err, "symlink /dev/%s", links[i].l);
	struct { const char *dir, *type, *src; const char *const *opts; unsigned attrs; } sub[] = {
		{ "pts", "devpts", "devpts", (const char *const[]){ "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL },
		  MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC },
		{ "shm", "tmpfs", "shm", (const char *const[]){ "mode=1777", "size=65536k", NULL },
		  MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC },
		{ "mqueue", "mqueue", "mqueue", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC },
	};
	for (size_t i = 0; i < 3; i++) {
		_cleanup_close_ int tt = openat(dfd, sub[i].dir, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
		if (tt < 0)
			return berr_sys(err, "/dev/%s", sub[i].dir);
		_cleanup_close_ int mm = mnt_fs(sub[i].type, sub[i].src, sub[i].opts, sub[i].attrs, err);
		if (mm < 0 || mnt_attach(mm, tt, sub[i].dir, err) < 0)
			return -1;
	}
	/* --device nodes, and for --privileged every device of the host (as Docker) */
	return dev_make_nodes(rootfd, json_object_get(cfg, "HostConfig"), err);
}
