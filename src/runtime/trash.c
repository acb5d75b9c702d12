/* trash.c: deferred deletion of a removed container's files. Removing a container renames its
 * directory (root/containers/ID: upper/, work/, merged/, hosts, the log ...) into
 * root/trash/ID in one rename(2), deletes the record, and the files are deleted by a detached
 * process that the CLI forks as it exits, so `run --rm` reports the exit status without
 * waiting for ext4 to unlink the writable layer. Nothing is half-removed in between: the
 * record and root/containers/ID are gone together, so `ps -a` right afterwards shows nothing,
 * and a name can be reused at once. Anything in root/trash is garbage by definition: if the
 * reaper is killed, the next reaper (any later removal), `container prune` or `system prune`
 * deletes it. Reapers take root/trash/.lock (flock) so two never walk the same tree. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "net/net.h"
#include "runtime/runtime.h"
#include "runtime/sandbox_int.h"
#include "util/cleanup.h"
#include "util/fs.h"

static char *pending_root; /* set once a removal put something in the trash */
static int held_fd = -1;   /* an exited --rm container's mount namespace (trash_hold) */

void trash_hold(int fd)
{
	if (held_fd >= 0)
		close(held_fd);
	held_fd = fd;
}

char *trash_dir(const char *root)
{
	return xasprintf("%s/trash", root);
}

bool trash_pending(void)
{
	return pending_root != NULL;
}

int trash_put(const char *root, const char *path, const char *name)
{
	_cleanup_free_ char *t = trash_dir(root);
	if (mkdir(t, 0700) < 0 && errno != EEXIST)
		return -1;
	_cleanup_free_ char *dst = xasprintf("%s/%s", t, name);
	if (rename(path, dst) < 0)
		return -1;
	if (!pending_root)
		pending_root = xstrdup(root);
	trash_arm();
	return 0;
}

void trash_arm(void)
{
	static bool armed;
	if (!armed) {
		armed = true;
		atexit(trash_reap_spawn);
	}
}

int trash_reap(const char *root)
{
	_cleanup_free_ char *t = trash_dir(root);
	int dfd = open(t, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : -1;
	int lfd = openat(dfd, ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lfd < 0 || flock(lfd, LOCK_EX) < 0) {
		if (lfd >= 0)
			close(lfd);
		close(dfd);
		return -1;
	}
	int n = 0, bad = 0;
	DIR *d = fdopendir(dup(dfd));
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		berr e;
		if (rm_rf_at(dfd, de->d_name, &e) < 0)
			bad++;
		else
			n++;
	}
	if (d)
		closedir(d);
	close(lfd); /* (the lock goes with it) */
	close(dfd);
	return bad ? -1 : n;
}

void trash_reap_spawn(void)
{
	if (!pending_root && !net_has_deferred() && !store_deferred_wal())
		return;
	if (getenv("BERTH_TEST_NO_REAP")) /* tests: leave the trash for a later sweep */
		return;
	int parent = held_fd >= 0 ? (int)syscall(SYS_pidfd_open, getpid(), 0) : -1;
	pid_t p = fork();
	if (p != 0) {
		/* (the CLI is exiting; init reaps the orphan.) The reaper holds the last reference
		 * to the container's mount namespace: its teardown (overlay unmount, RCU waits)
		 * happens there, after the CLI has exited */
		if (held_fd >= 0)
			close(held_fd);
		if (parent >= 0)
			close(parent);
		return;
	}
	/* the reaper: no terminal, no pipe of the caller kept open (a shell reading the CLI's
	 * output would wait for it), its own session so ^C of the CLI's group misses it */
	setsid();
	if (held_fd >= 0) {
		close_range(0, 2, 0);
		if (parent >= 0) { /* drop the namespace once the CLI is gone, not before */
			struct pollfd pf = { .fd = parent, .events = POLLIN };
			poll(&pf, 1, 5000);
		}
	}
	close_range(0, ~0U, 0);
	int nul = open("/dev/null", O_RDWR);
	if (nul >= 0) {
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(nul, 2);
		if (nul > 2)
			close(nul);
	}
	set_cmdline("trash-reap");
	net_delete_deferred(); /* the exited containers' veths (RTM_DELLINK waits for RCU) */
	const char *wal = store_deferred_wal();
	int wfd = wal ? open(wal, O_RDONLY | O_CLOEXEC) : -1;
	if (wfd >= 0) { /* the CLI's writes, which it left unsynced (run --rm) */
		fdatasync(wfd);
		close(wfd);
	}
	if (pending_root)
		trash_reap(pending_root);
	_exit(0);
}
