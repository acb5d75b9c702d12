/* lock.c: the network lock, <runroot>/net.lock, held (flock) around every change to bridges,
 * veths, endpoints and nftables rules so concurrent berth processes apply them in order. */
#include "net/internal.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include "util/cleanup.h"
#include "util/fs.h"

int net_lock(struct store *st, berr *err)
{
	if (mkdir_p(st->runroot, 0700, err) < 0)
		return -1;
	_cleanup_free_ char *p = xasprintf("%s/net.lock", st->runroot);
	int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
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
