/* security.c: capabilities (Docker's default set, --cap-add/--cap-drop, --privileged) with
 * libcap, and the default seccomp profile with Docker's behaviour (libseccomp): EPERM by
 * default, an allow list, capability-gated groups, clone without namespace flags, clone3
 * answering ENOSYS, AF_VSOCK/AF_ALG sockets denied, personality for a few values. */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/fs.h"

static const cap_value_t default_caps[] = {
	CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD, CAP_NET_RAW, CAP_SETGID,
	CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL,
	CAP_AUDIT_WRITE,
};

static int cap_parse(const char *s, cap_value_t *out)
{
	char buf[64];
	if (strncasecmp(s, "CAP_", 4))
		snprintf(buf, sizeof buf, "cap_%s", s);
	else
		snprintf(buf, sizeof buf, "%s", s);
	for (char *p = buf; *p; p++)
		*p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
	return cap_from_name(buf, out);
}

static bool is_priv(json_t *cfg)
{
	return json_is_true(json_object_get(json_object_get(cfg, "HostConfig"), "Privileged"));
}

uint64_t security_cap_mask(json_t *cfg)
{
	json_t *hc = json_object_get(cfg, "HostConfig");
	int last = (int)cap_max_bits() - 1;
	uint64_t all = last >= 63 ? ~0ULL : ((1ULL << (last + 1)) - 1);
	/* never more than the runtime's own bounding set (e.g. no CAP_SYS_RESOURCE here) */
	for (int c = 0; c <= last; c++)
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) != 1)
			all &= ~(1ULL << c);
	if (is_priv(cfg))
		return all;
	uint64_t m = 0;
	for (size_t i = 0; i < sizeof default_caps / sizeof default_caps[0]; i++)
		m |= 1ULL << default_caps[i];
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(hc, "CapAdd"), i, v) {
		cap_value_t c;
		if (!strcasecmp(json_string_value(v), "ALL"))
			m = all;
		else if (cap_parse(json_string_value(v), &c) == 0)
			m |= 1ULL << c;
	}
	json_array_foreach(json_object_get(hc, "CapDrop"), i, v) {
		cap_value_t c;
		if (!strcasecmp(json_string_value(v), "ALL"))
			m = 0;
		else if (cap_parse(json_string_value(v), &c) == 0)
			m &= ~(1ULL << c);
	}
	return m & all;
}

/* Validate --cap-add/--cap-drop names (used by spec.c before anything starts). */
int security_check_caps(json_t *list, berr *err)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) {
		cap_value_t c;
		const char *s = json_string_value(v);
		if (strcasecmp(s, "ALL") && cap_parse(s, &c) < 0)
			return berr_set(err, EINVAL, "invalid capability: %s", s);
	}
	return 0;
}

static bool seccomp_unconfined(json_t *cfg)
{
	if (is_priv(cfg))
		return true;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(json_object_get(cfg, "HostConfig"), "SecurityOpt"), i, v) {
		const char *s = json_string_value(v);
		if (s && (!strcmp(s, "seccomp=unconfined") || !strcmp(s, "seccomp:unconfined")))
			return true;
	}
	return false;
}

bool security_no_new_privs(json_t *cfg)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(json_object_get(cfg, "HostConfig"), "SecurityOpt"), i, v) {
		const char *s = json_string_value(v);
		if (s && (!strcmp(s, "no-new-privileges") || !strcmp(s, "no-new-privileges:true") ||
			  !strcmp(s, "no-new-privileges=true")))
			return true;
	}
	return false;
}

static const char *allow[] = {
	"accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "capget", "capset", "chdir",
	"chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres",
	"clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
	"clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range", "creat", "dup",
	"dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
	"epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat",
	"exit", "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate",
	"fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32", "fchownat", "fcntl",
	"fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr",
	"fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate",
	"ftruncate64", "futex", "futex_time64", "futex_waitv", "futimesat", "getcpu", "getcwd",
	"getdents", "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32",
	"getgroups", "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid",
	"getppid", "getpriority", "getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32",
	"getrlimit", "get_robust_list", "getrusage", "getsid", "getsockname", "getsockopt",
	"get_thread_area", "gettid", "gettimeofday", "getuid", "getuid32", "getxattr",
	"inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel", "ioctl",
	"io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "ioprio_get",
	"ioprio_set", "io_setup", "io_submit", "ipc", "kill", "landlock_add_rule",
	"landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32", "lgetxattr", "link",
	"linkat", "listen", "listxattr", "llistxattr", "_llseek", "lremovexattr", "lseek", "lsetxattr",
	"lstat", "lstat64", "madvise", "membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir",
	"mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect",
	"mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
	"mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv",
	"msgsnd", "msync", "munlock", "munlockall", "munmap", "name_to_handle_at", "nanosleep",
	"newfstatat", "_newselect", "open", "openat", "openat2", "pause", "pidfd_open",
	"pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll",
	"ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2", "prlimit64",
	"process_mrelease", "pselect6", "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read",
	"readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom", "recvmmsg",
	"recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "rename", "renameat",
	"renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending",
	"rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
	"rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr",
	"sched_getparam", "sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler",
	"sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
	"sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget",
	"semop", "semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg",
	"sendmsg", "sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32",
	"setgroups", "setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32",
	"setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit",
	"set_robust_list", "setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid",
	"setuid32", "setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack",
	"signalfd", "signalfd4", "sigprocmask", "sigreturn", "socketcall", "socketpair", "splice",
	"stat", "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync",
	"sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create",
	"timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
	"timer_settime64", "timerfd_create", "timerfd_gettime", "timerfd_gettime64",
	"timerfd_settime", "timerfd_settime64", "times", "tkill", "truncate", "truncate64",
	"ugetrlimit", "umask", "uname", "unlink", "unlinkat", "utime", "utimensat",
	"utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write",
	"writev", "arch_prctl", "modify_ldt", NULL,
};

static const struct { cap_value_t cap; const char *calls[24]; } by_cap[] = {
	{ CAP_SYS_ADMIN, { "bpf", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick",
			   "lookup_dcookie", "mount", "mount_setattr", "move_mount", "open_tree",
			   "perf_event_open", "quotactl", "quotactl_fd", "setdomainname", "sethostname",
			   "setns", "syslog", "umount", "umount2", "unshare", NULL } },
	{ CAP_SYS_BOOT, { "reboot", NULL } },
	{ CAP_SYS_CHROOT, { "chroot", NULL } },
	{ CAP_SYS_MODULE, { "delete_module", "init_module", "finit_module", NULL } },
	{ CAP_SYS_PACCT, { "acct", NULL } },
	{ CAP_SYS_PTRACE, { "kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace", NULL } },
	{ CAP_SYS_RAWIO, { "iopl", "ioperm", NULL } },
	{ CAP_SYS_TIME, { "settimeofday", "stime", "clock_settime", "clock_settime64", NULL } },
	{ CAP_SYS_TTY_CONFIG, { "vhangup", NULL } },
	{ CAP_SYS_NICE, { "get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node", NULL } },
	{ CAP_SYSLOG, { "syslog", NULL } },
	{ CAP_DAC_READ_SEARCH, { "open_by_handle_at", NULL } },
};

static void allow_name(scmp_filter_ctx ctx, const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR || nr < 0)
		return;
	seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
}

/* The filter for a capability set, built with libseccomp (NULL on failure). */
static scmp_filter_ctx build_filter(uint64_t caps)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (!ctx)
		return NULL;
	/* the runtime holds CAP_SYS_ADMIN here: no implicit no_new_privs (Docker's default) */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	for (const char **p = allow; *p; p++)
		allow_name(ctx, *p);
	for (size_t i = 0; i < sizeof by_cap / sizeof by_cap[0]; i++)
		if (caps & (1ULL << by_cap[i].cap))
			for (const char *const *p = by_cap[i].calls; *p; p++)
				allow_name(ctx, *p);
	/* clone: namespace flags only with CAP_SYS_ADMIN; clone3 can't be filtered: ENOSYS */
	const uint64_t nsflags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
				 CLONE_NEWNET | CLONE_NEWCGROUP;
	if (caps & (1ULL << CAP_SYS_ADMIN)) {
		allow_name(ctx, "clone");
		allow_name(ctx, "clone3");
	} else {
		seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1, SCMP_A0(SCMP_CMP_MASKED_EQ, nsflags, 0));
		seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	}
	/* socket: every family but AF_VSOCK and AF_ALG */
	/* (AF_ALG 38, AF_VSOCK 40: one comparison per rule, libseccomp can't AND two on one arg) */
	seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_LT, AF_ALG, 0));
	seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_ALG + 1, 0));
	seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_GT, AF_VSOCK, 0));
	/* personality: only the harmless values Docker allows */
	static const uint64_t pers[] = { 0x0, 0x0008, 0x20000, 0x20008, 0xffffffff };
	for (size_t i = 0; i < 5; i++)
		seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(personality), 1, SCMP_A0(SCMP_CMP_EQ, pers[i], 0));
	return ctx;
}

/* ---- compiled filters, cached in <runroot>/seccomp/ ----
 * Building the filter with libseccomp costs ~0.7 ms of CPU per container start; the BPF it
 * makes depends only on the capability set, the rule tables above and libseccomp itself. So
 * the parent compiles it once (security_seccomp_prepare, before clone), keeps it in a file
 * named after a hash of all of that, and the child loads the program with seccomp(2) as
 * libseccomp would (flags 0: no TSYNC, no implicit no_new_privs). */
static struct {
	bool ready;
	uint64_t caps;
	struct sock_filter *prog;
	unsigned short len;
} prepared;

static uint64_t fnv64(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

static uint64_t profile_key(uint64_t caps)
{
	uint64_t h = 14695981039346656037ULL;
	const struct scmp_version *v = seccomp_version();
	unsigned ver[3] = { v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0 };
	h = fnv64(h, "berth-seccomp-1", 15);
	h = fnv64(h, &caps, sizeof caps);
	h = fnv64(h, ver, sizeof ver);
	uint32_t arch = seccomp_arch_native();
	h = fnv64(h, &arch, sizeof arch);
	for (const char **p = allow; *p; p++)
		h = fnv64(h, *p, strlen(*p) + 1);
	for (size_t i = 0; i < sizeof by_cap / sizeof by_cap[0]; i++) {
		h = fnv64(h, &by_cap[i].cap, sizeof by_cap[i].cap);
		for (const char *const *p = by_cap[i].calls; *p; p++)
			h = fnv64(h, *p, strlen(*p) + 1);
	}
	return h;
}

/* a cached program: a regular file of ours, not writable by others, whole instructions */
static bool read_prog(int fd)
{
	struct stat sb;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_uid != geteuid() || (sb.st_mode & 022) ||
	    sb.st_size <= 0 || sb.st_size % (off_t)sizeof(struct sock_filter) ||
	    sb.st_size > (off_t)(BPF_MAXINSNS * sizeof(struct sock_filter)))
		return false;
	struct sock_filter *p = xmalloc((size_t)sb.st_size);
	if (pread(fd, p, (size_t)sb.st_size, 0) != sb.st_size) {
		free(p);
		return false;
	}
	free(prepared.prog);
	prepared.prog = p;
	prepared.len = (unsigned short)(sb.st_size / (off_t)sizeof(struct sock_filter));
	return true;
}

void security_seccomp_prepare(json_t *cfg, const char *runroot)
{
	prepared.ready = false;
	if (seccomp_unconfined(cfg) || !runroot)
		return;
	uint64_t caps = security_cap_mask(cfg);
	char dir[4096], path[4200], tmp[4300];
	snprintf(dir, sizeof dir, "%s/seccomp", runroot);
	snprintf(path, sizeof path, "%s/%016llx.bpf", dir, (unsigned long long)profile_key(caps));
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		scmp_filter_ctx ctx = build_filter(caps);
		if (!ctx)
			return;
		snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid());
		berr e;
		if (mkdir_p(dir, 0700, &e) == 0 &&
		    (fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) >= 0) {
			if (seccomp_export_bpf(ctx, fd) < 0 || rename(tmp, path) < 0) {
				close(fd);
				fd = -1;
				unlink(tmp);
			}
		}
		seccomp_release(ctx);
		if (fd < 0)
			return;
	}
	if (read_prog(fd)) {
		prepared.caps = caps;
		prepared.ready = true;
	}
	close(fd);
}

int security_seccomp_load(json_t *cfg, berr *err)
{
	if (seccomp_unconfined(cfg))
		return 0;
	uint64_t caps = security_cap_mask(cfg);
	if (prepared.ready && prepared.caps == caps) {
		struct sock_fprog fp = { .len = prepared.len, .filter = prepared.prog };
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) == 0)
			return 0;
		/* a program the kernel refuses: build it afresh below */
	}
	scmp_filter_ctx ctx = build_filter(caps);
	if (!ctx)
		return berr_set(err, ENOMEM, "seccomp_init failed");
	int rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		errno = -rc;
		return berr_sys(err, "load seccomp profile");
	}
	return 0;
}

/* Drop every capability outside the container's set from the bounding set (needs
 * CAP_SETPCAP, so it runs while the runtime is still fully privileged). */
int security_apply(json_t *cfg, bool exec_mode, berr *err)
{
	(void)exec_mode;
	uint64_t m = security_cap_mask(cfg);
	for (int c = 0; c <= (int)cap_max_bits() - 1; c++) {
		if (m & (1ULL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return berr_sys(err, "drop capability %d", c);
	}
	return 0;
}

/* After setuid: permitted/effective = the container set for root (execve keeps them since the
 * kernel treats root's files as fully capable), nothing inheritable, no ambient. */
int security_caps_final(json_t *cfg, uid_t uid, berr *err)
{
	uint64_t m = uid == 0 ? security_cap_mask(cfg) : 0;
	cap_t c = cap_init();
	if (!c)
		return berr_sys(err, "cap_init");
	for (int i = 0; i < 64; i++) {
		if (!(m & (1ULL << i)))
			continue;
		cap_value_t v = i;
		cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_SET);
		cap_set_flag(c, CAP_PERMITTED, 1, &v, CAP_SET);
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	int rc = cap_set_proc(c);
	cap_free(c);
	if (rc < 0)
		return berr_sys(err, "set capabilities");
	if (security_no_new_privs(cfg) && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return berr_sys(err, "no_new_privs");
	return 0;
}
