/* attach.c: how `attach` reaches a detached container's stdin without any socket in the
 * monitor (the monitor holds none, SECURITY.md: CVE-2020-15257). The interface is what any
 * monitor implementation must keep, documented in docs/runtime.md:
 *   - the monitor (ctr.mon_pid) holds the write end of the container's stdin pipe (-i) for the
 *     container's lifetime, so the pipe never sees EOF; attach reopens that pipe for writing
 *     through the container init's /proc/PID/fd/0 (a pipe reopened through /proc is a new
 *     open file of the same pipe, as a FIFO);
 *   - with -t the monitor holds the pty master; attach takes a duplicate of that fd with
 *     pidfd_getfd() (root, same as ptrace access), found as the master whose TIOCGPTN is the
 *     pts number the container's fd 0 names.
 * The container's output is read from its json-file log, which the monitor writes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "runtime/runtime.h"
#include "util/cleanup.h"

static int pty_number(const char *link)
{
	/* "/dev/pts/3" (the container's devpts) */
	const char *p = strstr(link, "/pts/");
	if (!p)
		return -1;
	char *e;
	long n = strtol(p + 5, &e, 10);
	return *e || e == p + 5 ? -1 : (int)n;
}

int ctr_stdin_open(struct ctr *c, bool tty, berr *err)
{
	char p[64], link[256];
	snprintf(p, sizeof p, "/proc/%d/fd/0", (int)c->pid);
	if (!tty) {
		ssize_t n = readlink(p, link, sizeof link - 1);
		if (n < 0)
			return berr_sys(err, "container stdin");
		link[n] = 0;
		if (strncmp(link, "pipe:", 5))
			return berr_set(err, EINVAL, "the container's stdin is not a pipe (%s)", link);
		int fd = open(p, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return berr_sys(err, "open the container's stdin");
		return fd;
	}
	ssize_t n = readlink(p, link, sizeof link - 1);
	int want = -1;
	if (n > 0) {
		link[n] = 0;
		want = pty_number(link);
	}
	if (c->mon_pid <= 0 || !proc_alive(c->mon_pid, c->mon_start))
		return berr_set(err, ESRCH, "the container's monitor is not running");
	int pidfd = (int)syscall(SYS_pidfd_open, c->mon_pid, 0);
	if (pidfd < 0)
		return berr_sys(err, "pidfd_open monitor %d", (int)c->mon_pid);
	snprintf(p, sizeof p, "/proc/%d/fd", (int)c->mon_pid);
	DIR *d = opendir(p);
	if (!d) {
		close(pidfd);
		return berr_sys(err, "%s", p);
	}
	int found = -1, any = -1, nmasters = 0;
	struct dirent *e;
	while ((e = readdir(d)) && found < 0) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		int tfd = atoi(e->d_name);
		snprintf(p, sizeof p, "/proc/%d/fd/%d", (int)c->mon_pid, tfd);
		ssize_t l = readlink(p, link, sizeof link - 1);
		if (l <= 0)
			continue;
		link[l] = 0;
		if (!strstr(link, "ptmx"))
			continue;
		int fd = (int)syscall(SYS_pidfd_getfd, pidfd, tfd, 0);
		if (fd < 0)
			continue;
		unsigned int ptn;
		if (ioctl(fd, TIOCGPTN, &ptn) < 0) {
			close(fd);
			continue;
		}
		nmasters++;
		if (want >= 0 && (int)ptn == want) {
			found = fd;
			if (any >= 0)
				close(any);
			any = -1;
		} else if (any < 0)
			any = fd;
		else
			close(fd);
	}
	closedir(d);
	close(pidfd);
	if (found < 0 && nmasters == 1)
		found = any, any = -1;
	if (any >= 0)
		close(any);
	if (found < 0)
		return berr_set(err, ENOENT, "the container's terminal was not found in its monitor");
	fcntl(found, F_SETFD, FD_CLOEXEC);
	return found;
}
