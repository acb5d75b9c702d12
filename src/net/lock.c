/* lock.c: the network lock, held (flock) around every change to bridges, veths, endpoints and
 * nftables rules so concurrent berth processes apply them in order. It is host-wide,
 * /run/berth-net.lock (root-only /run, so no other user can hold it), because bridges, routes
 * and Docker's DOCKER-USER chain are host-wide even when berth roots are not; a process that
 * cannot use /run falls back to <runroot>/net.lock. */
#include "net/internal.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include "util/cleanup.h"
#include "util/fs.h"

int net_lock(struct store *st, berr *err)
{
	_cleanup_free_ char *p = xstrdup("/run/berth-net.lock");
	int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		if (mkdir_p(st->runroot, 0700, err) < 0)
			return -1;
		free(p);
		p = xasprintf("%s/net.lock", st->runroot);
		fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	}
	if (fd < 0)
		return berr_sys(err, "open %s", p);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(fd);
			return berr_sys(err, "lock %s", p);
		}
	}
	return fd;
}

void net_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
