/* sandbox.c: start a container: clone the init into new mount, PID, UTS, IPC and net
 * namespaces (cgroup namespace once it sits in its cgroup), build the rootfs and mounts,
 * pivot_root, apply user, capabilities, seccomp, cwd and stdio, and exec the process.
 *
 * The child is a fork of berth, never an exec of the berth binary inside the container
 * (CVE-2019-5736); it is non-dumpable until it execs the container's program, so no process
 * in the container can open its /proc/PID/exe. Errors travel back over a CLOEXEC
 * SOCK_SEQPACKET pair: EOF after execve means success. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include "net/net.h"
#include "runtime/runtime.h"
#include "runtime/sandbox_int.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

struct child_msg {
	int status;
	char msg[1536];
};

void __attribute__((noreturn, format(printf, 3, 4))) child_fail(int sync, int status, const char *fmt, ...)
{
	struct child_msg m = { .status = status };
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m.msg, sizeof m.msg, fmt, ap);
	va_end(ap);
	if (write(sync, &m, sizeof m) < 0) {
		/* nothing more we can do */
	}
	_exit(status);
}

void __attribute__((noreturn)) child_fail_err(int sync, berr *e)
{
	child_fail(sync, e->status ? e->status : 125, "%s", e->msg);
}

int send_fd(int sock, int fd)
{
	char c = 'P';
	struct iovec iov = { &c, 1 };
	union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof fd);
	return sendmsg(sock, &mh, 0) < 0 ? -1 : 0;
}

/* Read the child's report: EOF = exec'd; a child_msg = failure; 'P' + fd = pty master. */
int sync_read(int sock, int *pty, berr *err)
{
	for (;;) {
		struct child_msg m;
		struct iovec iov = { &m, sizeof m };
		union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
		ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		if (cm && cm->cmsg_type == SCM_RIGHTS) {
			int fd;
			memcpy(&fd, CMSG_DATA(cm), sizeof fd);
			if (pty)
				*pty = fd;
			else
				close(fd);
			continue;
		}
		if ((size_t)n < sizeof m) {
			berr_set(err, EIO, "container setup failed");
			err->status = 125;
			return -1;
		}
		m.msg[sizeof m.msg - 1] = 0;
		berr_set(err, 0, "%s", m.msg);
		err->status = m.status;
		return -1;
	}
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void lo_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return;
	struct ifreq ifr = { 0 };
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
}

/* Move the given stdio fds to 0, 1, 2 (-1 = /dev/null). */
int setup_stdio(int in, int out, int errfd)
{
	int src[3] = { in, out, errfd }, tmp[3];
	for (int i = 0; i < 3; i++) {
		if (src[i] < 0)
			src[i] = open("/dev/null", O_RDWR | O_CLOEXEC);
		tmp[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 10);
		if (tmp[i] < 0)
			return -1;
	}
	for (int i = 0; i < 3; i++) {
		if (dup2(tmp[i], i) < 0)
			return -1;
		close(tmp[i]);
	}
	return 0;
}

/* Open a pty in the container's own devpts (after pivot_root): returns the master, slave in *slave. */
int open_container_pty(int *slave)
{
	int m = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return -1;
	int unlock = 0;
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0) {
		close(m);
		return -1;
	}
	*slave = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0) {
		close(m);
		return -1;
	}
	/* the caller's window size before the process starts (stdin is still the caller's) */
	struct winsize ws;
	if (ioctl(0, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		ioctl(m, TIOCSWINSZ, &ws);
	return m;
}

/* PATH lookup inside the container (we are already pivoted) and execve, Docker's errors. */
void __attribute__((noreturn)) exec_in_container(int sync, char **argv, char **envp)
{
	const char *file = argv[0];
	if (!file || !*file)
		child_fail(sync, 127, "unable to start container process: exec: \"\": executable file not found in $PATH");
	if (strchr(file, '/')) {
		struct stat sb;
		if (stat(file, &sb) < 0)
			child_fail(sync, errno == EACCES ? 126 : 127, "unable to start container process: exec: \"%s\": stat %s: %s", file, file,
				   errno == ENOENT ? "no such file or directory" : strerror(errno));
		/* a directory: execve's EACCES, "permission denied" as runc 1.1 under Docker 20.10 */
		execve(file, argv, envp);
		int e = errno;
		child_fail(sync, e == ENOENT ? 127 : 126, "unable to start container process: exec: \"%s\": %s", file,
			   e == EACCES ? "permission denied" : e == ENOENT ? "no such file or directory" : strerror(e));
	}
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (char **e = envp; e && *e; e++)
		if (!strncmp(*e, "PATH=", 5))
			path = *e + 5;
	_cleanup_free_ char *p = xstrdup(path);
	for (char *dir = strtok(p, ":"); dir; dir = strtok(NULL, ":")) {
		char cand[4096];
		snprintf(cand, sizeof cand, "%s/%s", *dir ? dir : ".", file);
		struct stat sb;
		if (stat(cand, &sb) < 0 || !S_ISREG(sb.st_mode) || !(sb.st_mode & 0111))
			continue;
		execve(cand, argv, envp);
		int e = errno;
		child_fail(sync, e == ENOENT ? 127 : 126, "unable to start container process: exec: \"%s\": %s", file,
			   e == EACCES ? "permission denied" : strerror(e));
	}
	child_fail(sync, 127, "unable to start container process: exec: \"%s\": executable file not found in $PATH", file);
}

void reset_signals(void)
{
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Overwrite this (forked) process's argument area so /proc/PID/cmdline shows `title`
 * instead of the CLI's command line (setproctitle); needs no privilege. */
void set_cmdline(const char *title)
{
	char buf[2048];
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	if (!p)
		return;
	unsigned long start = 0, end = 0;
	int field = 2;
	for (char *tok = strtok(p + 1, " "); tok; tok = strtok(NULL, " ")) {
		field++;
		if (field == 48)
			start = strtoul(tok, NULL, 10);
		else if (field == 49) {
			end = strtoul(tok, NULL, 10);
			break;
		}
	}
	if (!start || end <= start)
		return;
	size_t len = end - start;
	memset((void *)start, 0, len);
	snprintf((char *)start, len, "%s", title);
	prctl(PR_SET_NAME, title, 0, 0, 0);
}

/* The built-in --init: reap zombies, forward signals to the child, exit with its status. */
void __attribute__((noreturn)) mini_init(pid_t child)
{
	sigset_t all;
	sigfillset(&all);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);
		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(child, sig);
			continue;
		}
		int st;
		pid_t p;
		while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
			if (p != child)
				continue;
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		}
	}
}

char **env_array(json_t *env, const char *home, bool tty)
{
	size_t n = json_array_size(env);
	char **v = xcalloc(n + 4, sizeof *v);
	size_t k = 0;
	bool has_home = false, has_term = false;
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(env, i));
		if (!s)
			continue;
		has_home |= !strncmp(s, "HOME=", 5);
		has_term |= !strncmp(s, "TERM=", 5);
		v[k++] = (char *)s;
	}
	if (!has_home)
		v[k++] = xasprintf("HOME=%s", home && *home ? home : "/");
	if (tty && !has_term)
		v[k++] = "TERM=xterm";
	return v;
}

/* Common tail of run and exec: user, security, cwd, stdio, exec. */
void __attribute__((noreturn)) finish_and_exec(int sync, json_t *cfg, json_t *proc, int parentfd,
						int stdio[3], int pty_slave, bool exec_mode)
{
	berr e = { 0 };
	json_t *hc = json_object_get(cfg, "HostConfig");
	/* the process starts with default dispositions and nothing blocked, whatever the CLI
	 * inherited (an ignored SIGHUP would make `trap ... HUP` a no-op in sh) */
	reset_signals();
	_cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct run_user u;
	if (user_resolve(rootfd, jstr(proc, "User"), &u, &e) < 0)
		child_fail_err(sync, &e);
	const char *wd = jstr(proc, "WorkingDir");
	if (!wd || !*wd)
		wd = "/";
	if (wd[0] != '/')
		child_fail(sync, 125, "the working directory '%s' is invalid, it needs to be an absolute path", wd);
	int wfd = rootfs_open_in(rootfd, wd, O_PATH | O_DIRECTORY, !exec_mode, false, 0);
	if (wfd < 0) {
		/* runc's wording, Go's lower-case errno text */
		char es[128];
		snprintf(es, sizeof es, "%s", strerror(errno));
		es[0] = (char)tolower((unsigned char)es[0]);
		child_fail(sync, exec_mode ? 126 : 125, "%schdir to cwd (\"%s\") set in config.json failed: %s",
			   exec_mode ? "unable to start container process: " : "", wd, es);
	}
	if (fchdir(wfd) < 0)
		child_fail(sync, 125, "chdir %s: %s", wd, strerror(errno));
	close(wfd);
	/* CVE-2024-21626: the cwd must be inside the container root */
	char cwd[4096];
	if (!getcwd(cwd, sizeof cwd) || cwd[0] != '/')
		child_fail(sync, 125, "current working directory is outside of container mount namespace root");
	if (pty_slave >= 0) {
		if (setsid() < 0 || ioctl(pty_slave, TIOCSCTTY, 0) < 0)
			child_fail(sync, 125, "setting up the terminal: %s", strerror(errno));
		stdio[0] = stdio[1] = stdio[2] = pty_slave;
	} else if (!exec_mode)
		setsid();
	if (setup_stdio(stdio[0], stdio[1], stdio[2]) < 0)
		child_fail(sync, 125, "stdio: %s", strerror(errno));
	if (pty_slave > 2)
		close(pty_slave);
	bool priv = json_is_true(json_object_get(hc, "Privileged"));
	if (!priv && security_apply(cfg, exec_mode, &e) < 0)
		child_fail_err(sync, &e);
	if (security_seccomp_load(cfg, &e) < 0)
		child_fail_err(sync, &e);
	/* the builder's RUN (BuildKit's executor) sets no supplementary groups */
	if (json_is_true(json_object_get(proc, "NoSupplementaryGroups")))
		u.ngroups = 0;
	if (setgroups((size_t)u.ngroups, u.groups) < 0 || setresgid(u.gid, u.gid, u.gid) < 0)
		child_fail(sync, 125, "setgid: %s", strerror(errno));
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setresuid(u.uid, u.uid, u.uid) < 0)
		child_fail(sync, 125, "setuid: %s", strerror(errno));
	if (security_caps_final(cfg, u.uid, &e) < 0)
		child_fail_err(sync, &e);
	char **envp = env_array(json_object_get(proc, "Env"), u.home, pty_slave >= 0);
	size_t na = json_array_size(json_object_get(proc, "Argv"));
	char **argv = xcalloc(na + 1, sizeof *argv);
	for (size_t i = 0; i < na; i++)
		argv[i] = (char *)json_string_value(json_array_get(json_object_get(proc, "Argv"), i));
	if (na == 0)
		child_fail(sync, 125, "no command specified");
	/* every inherited fd beyond stdio and the sync socket goes at exec */
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (parentfd >= 0) {
		struct pollfd p = { parentfd, POLLIN, 0 };
		if (poll(&p, 1, 0) > 0)
			_exit(137); /* the supervisor died before we could watch it */
	}
	if (json_is_true(json_object_get(hc, "Init")) && !exec_mode) {
		sigset_t all, old;
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, &old);
		/* before the fork, so no process of the container ever sees the CLI's argv
		 * (argv/envp above point into the config, not into the argument area) */
		set_cmdline("init");
		pid_t ch = fork();
		if (ch < 0)
			child_fail(sync, 125, "init: fork: %s", strerror(errno));
		if (ch == 0) {
			sigprocmask(SIG_SETMASK, &old, NULL);
			prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
			prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
			exec_in_container(sync, argv, envp);
		}
		close(sync);
		mini_init(ch);
	}
	exec_in_container(sync, argv, envp);
}

struct child_args {
	struct store *st;
	struct ctr *c;
	struct launch *l;
	int sync;
	int parentfd;
	bool newnet;
	int netfd;     /* --network container:ID: the netns to join, else -1 */
	bool in_cgroup; /* cloned into its v2 cgroup (CLONE_INTO_CGROUP): nothing to join */
};

static void __attribute__((noreturn)) child_main(struct child_args *a)
{
	berr e = { 0 };
	int sync = a->sync;
	json_t *cfg = a->c->cfg;
	json_t *hc = json_object_get(cfg, "HostConfig");
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* the child joins its cgroups itself, first (its mounts are charged to the container):
	 * a single-threaded process moving itself skips the kernel's global threadgroup lock,
	 * whose first write lock waits for an RCU grace period (10-15 ms) when the parent
	 * writes the child's pid (cgroup.c) */
	if (!a->in_cgroup && cgroup_enter_self(a->c->id, &e) < 0)
		child_fail_err(sync, &e);
	if (a->netfd >= 0 && setns(a->netfd, CLONE_NEWNET) < 0)
		child_fail(sync, 125, "join the network namespace: %s", strerror(errno));
	if (a->netfd >= 0)
		close(a->netfd);
	/* the rootfs and /dev are built while the parent moves us into our cgroups (a v1 attach
	 * waits for an RCU grace period); the cgroup namespace and /proc, /sys come after */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		child_fail(sync, 125, "make / private: %s", strerror(errno));
	_cleanup_free_ char *cdir = ctr_dir(a->st, a->c->id);
	if (mounts_overlay(cfg, cdir, &e) < 0)
		child_fail_err(sync, &e);
	_cleanup_free_ char *merged = xasprintf("%s/merged", cdir);
	int rootfd = open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		child_fail(sync, 125, "open rootfs: %s", strerror(errno));
	if (dev_setup(rootfd, cfg, &e) < 0)
		child_fail_err(sync, &e);
	char go;
	if (read(sync, &go, 1) != 1)
		_exit(125);
	if (unshare(CLONE_NEWCGROUP) < 0)
		child_fail(sync, 125, "unshare cgroup namespace: %s", strerror(errno));
	if (mounts_proc_sys(rootfd, cfg, &e) < 0 || mounts_setup(rootfd, cfg, cdir, a->st, &e) < 0)
		child_fail_err(sync, &e);
	if (fchdir(rootfd) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		child_fail(sync, 125, "pivot_root: %s", strerror(errno));
	close(rootfd);
	if (json_is_true(json_object_get(hc, "ReadonlyRootfs"))) {
		struct mount_attr ma = { .attr_set = MOUNT_ATTR_RDONLY };
		if (mount_setattr(AT_FDCWD, "/", 0, &ma, sizeof ma) < 0)
			child_fail(sync, 125, "read-only rootfs: %s", strerror(errno));
	}
	const char *hn = jstr(json_object_get(cfg, "Config"), "Hostname");
	if (hn && sethostname(hn, strlen(hn)) < 0)
		child_fail(sync, 125, "sethostname: %s", strerror(errno));
	if (a->newnet)
		lo_up();
	int slave = -1;
	if (a->l->tty) {
		int m = open_container_pty(&slave);
		if (m < 0 || send_fd(sync, m) < 0)
			child_fail(sync, 125, "allocate pty: %s", strerror(errno));
		close(m);
	}
	int stdio[3] = { a->l->in_fd, a->l->out_fd, a->l->err_fd };
	json_t *proc = json_object_get(cfg, "BerthProcess");
	finish_and_exec(sync, cfg, proc, a->parentfd, stdio, slave, false);
}

/* The generated files are rewritten at every start: no fsync needed (it costs ms per run). */
static int write_quick(const char *path, const void *data, size_t len, berr *err)
{
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return berr_sys(err, "write %s", tmp);
	if (write_all(fd, data, len) < 0) {
		close(fd);
		return berr_sys(err, "write %s", tmp);
	}
	fchmod(fd, 0644);
	close(fd);
	if (rename(tmp, path) < 0)
		return berr_sys(err, "rename %s", path);
	return 0;
}

static int write_etc_files(struct store *st, struct ctr *c, berr *err)
{
	_cleanup_free_ char *d = ctr_dir(st, c->id);
	json_t *conf = json_object_get(c->cfg, "Config");
	const char *hn = jstr(conf, "Hostname");
	_cleanup_free_ char *hp = xasprintf("%s/hostname", d);
	_cleanup_free_ char *hv = xasprintf("%s\n", hn ? hn : "");
	if (write_quick(hp, hv, strlen(hv), err) < 0)
		return -1;
	/* hosts: localhost, --add-host, the container's own address (netcfg.c) */
	struct strbuf h = STRBUF_INIT;
	ctr_net_hosts(st, c, &h);
	_cleanup_free_ char *hostsp = xasprintf("%s/hosts", d);
	int rc = write_quick(hostsp, h.buf, h.len, err);
	sb_release(&h);
	if (rc < 0)
		return -1;
	/* resolv.conf: a user network's responder, or the host's resolvers without loopback ones
	 * (unreachable from the container), Docker's fallback to Google DNS when nothing is left */
	struct strbuf r = STRBUF_INIT;
	ctr_net_resolv(st, c, &r);
	_cleanup_free_ char *rp = xasprintf("%s/resolv.conf", d);
	rc = write_quick(rp, r.buf, r.len, err);
	sb_release(&r);
	return rc;
}

int sandbox_net_setup(struct store *st, struct ctr *c, pid_t pid, berr *err)
{
	if (ctr_net_attach(st, c, pid, err) < 0)
		return -1;
	if (write_etc_files(st, c, err) < 0) {
		ctr_net_release(st, c->id);
		return -1;
	}
	return 0;
}

/* Attach the new container's netns and write its etc files. With networks to join this runs in
 * a fresh `berth debug net-setup` process: the caller may be the detached monitor, which must
 * stay small (libnftables, netlink and SQLite pages stay in the helper) and has no database
 * connection of its own (SQLite connections never cross a fork). */
static int net_setup(struct store *st, struct ctr *c, pid_t pid, bool inproc, berr *err)
{
	if (!json_object_size(json_object_get(c->cfg, "BerthNetworks")))
		return write_etc_files(st, c, err);
	if (inproc)
		return sandbox_net_setup(st, c, pid, err);
	char pids[16];
	snprintf(pids, sizeof pids, "%d", (int)pid);
	char *argv[] = { "berth", "--root", st->root, "--runroot", st->runroot, "debug", "net-setup", c->id, pids, NULL };
	int ep[2];
	if (pipe2(ep, O_CLOEXEC) < 0)
		return berr_sys(err, "pipe");
	fflush(NULL);
	pid_t h = fork();
	if (h < 0) {
		close(ep[0]);
		close(ep[1]);
		return berr_sys(err, "fork");
	}
	if (h == 0) {
		dup2(ep[1], 2);
		int nul = open("/dev/null", O_RDWR);
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
		}
		close_range(3, ~0U, 0);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	close(ep[1]);
	struct strbuf e = STRBUF_INIT;
	char buf[2048];
	ssize_t n;
	while ((n = read(ep[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			sb_add(&e, buf, (size_t)n);
	close(ep[0]);
	int ws;
	while (waitpid(h, &ws, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0) {
		sb_release(&e);
		return 0;
	}
	const char *msg = sb_str(&e);
	if (!strncmp(msg, "Error: ", 7))
		msg += 7;
	berr_set(err, EIO, "%.*s", (int)strcspn(msg, "\n"), *msg ? msg : "network setup failed");
	err->status = 125;
	sb_release(&e);
	return -1;
}

/* clone3 with CLONE_INTO_CGROUP (v2): the child starts in its cgroup, no migration */
static pid_t clone_into(unsigned long flags, int cgfd)
{
	struct clone_args ca = { .flags = flags & ~0xffUL, .exit_signal = flags & 0xff,
				 .cgroup = (uint64_t)cgfd };
	ca.flags |= CLONE_INTO_CGROUP;
	return (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
}

int sandbox_launch(struct store *st, struct ctr *c, struct launch *l, berr *err)
{
	json_t *hc = json_object_get(c->cfg, "HostConfig");
	const char *nm = jstr(hc, "NetworkMode");
	bool hostnet = nm && !strcmp(nm, "host");
	bool joinnet = nm && !strncmp(nm, "container:", 10);
	l->pty_master = -1;
	l->pid = -1;
	int netfd = -1;
	if (joinnet && (netfd = ctr_net_container_ns(st, c, err)) < 0) {
		err->status = 125;
		return -1;
	}
	if (cgroup_create(c->id, hc, err) < 0) {
		if (netfd >= 0)
			close(netfd);
		return -1;
	}
	security_seccomp_prepare(c->cfg, st->runroot);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return berr_sys(err, "socketpair");
	int parentfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (parentfd >= 0)
		fcntl(parentfd, F_SETFD, FD_CLOEXEC);
	signal(SIGCHLD, SIG_DFL); /* an inherited SIG_IGN would auto-reap and lose the exit code */
	/* keep SIGCHLD pending until the supervisor's signalfd reads it (the child unblocks) */
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD;
	if (!hostnet && !joinnet)
		flags |= CLONE_NEWNET;
	fflush(NULL);
	int cgfd = cgroup_open_v2(c->id);
	pid_t pid = cgfd >= 0 ? clone_into(flags, cgfd) : -1;
	bool in_cgroup = pid >= 0;
	if (cgfd >= 0)
		close(cgfd);
	if (pid < 0) /* v1, or a kernel without clone3/CLONE_INTO_CGROUP: the child joins */
		pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		if (parentfd >= 0)
			close(parentfd);
		return berr_sys(err, "clone");
	}
	if (pid == 0) {
		close(sv[0]);
		struct child_args a = { st, c, l, sv[1], parentfd, !hostnet && !joinnet, netfd,
					in_cgroup };
		child_main(&a);
	}
	close(sv[1]);
	if (parentfd >= 0)
		close(parentfd);
	if (netfd >= 0)
		close(netfd);
	l->recorded = false;
	if (l->record_early) {
		berr e2;
		l->recorded = record_launching(st, c, pid, &e2) == 0;
	}
	/* while the child joins its cgroups and builds its rootfs: its network (veth, address,
	 * route, published ports), then /etc/hosts and resolv.conf with its address; only then
	 * may it mount them and exec, so the process never runs before its eth0 is up */
	if (net_setup(st, c, pid, l->net_inproc, err) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(sv[0]);
		if (l->net_inproc) /* (the helper releases what it attached itself) */
			ctr_net_release(st, c->id);
		return -1;
	}
	if (write(sv[0], "g", 1) != 1) {
		/* the child died: its report (or EOF) follows */
	}
	int rc = sync_read(sv[0], &l->pty_master, err);
	close(sv[0]);
	if (rc < 0) {
		int st2;
		waitpid(pid, &st2, 0);
		if (l->pty_master >= 0)
			close(l->pty_master);
		l->pty_master = -1;
		return -1;
	}
	/* EOF without an exec: the child died during setup */
	int st2;
	if (waitpid(pid, &st2, WNOHANG) == pid) {
		/* it may also simply have run to completion already: only an abnormal death
		 * before reporting is an error; a fast exit is a normal result */
		l->pid = pid;
		l->early_status = st2;
		l->early_exit = true;
		return 0;
	}
	l->pid = pid;
	return 0;
}
