/* exec.c: run a process in a running container: join its cgroup and namespaces (setns), its
 * root, then the same user/capability/seccomp setup as the init. The joining child is
 * non-dumpable until its final execve, so the container can't reach the berth binary through
 * /proc/PID/exe (CVE-2019-5736). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "runtime/runtime.h"
#include "runtime/sandbox_int.h"
#include "util/cleanup.h"

void __attribute__((noreturn)) mini_init(pid_t child);

int sandbox_exec(struct store *st, struct ctr *c, struct exec_opts *o, int *status, berr *err)
{
	(void)st;
	static const struct { const char *n; int t; } ns[] = {
		{ "cgroup", CLONE_NEWCGROUP }, { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS },
		{ "net", CLONE_NEWNET }, { "pid", CLONE_NEWPID }, { "mnt", CLONE_NEWNS },
	};
	int nsfd[6];
	char p[64];
	for (int i = 0; i < 6; i++) {
		snprintf(p, sizeof p, "/proc/%d/ns/%s", c->pid, ns[i].n);
		nsfd[i] = open(p, O_RDONLY | O_CLOEXEC);
	}
	snprintf(p, sizeof p, "/proc/%d/root", c->pid);
	int rootfd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (!proc_alive(c->pid, c->pid_start) || rootfd < 0 || nsfd[5] < 0) {
		for (int i = 0; i < 6; i++)
			if (nsfd[i] >= 0)
				close(nsfd[i]);
		if (rootfd >= 0)
			close(rootfd);
		berr_set(err, ESRCH, "Container %s is not running", c->id);
		err->status = 1;
		return -1;
	}
	/* the process description: container env + -e, user, workdir */
	json_t *conf = json_object_get(c->cfg, "Config");
	json_t *proc = json_object();
	json_t *argv = json_array();
	for (char **a = o->argv; *a; a++)
		json_array_append_new(argv, json_string(*a));
	json_object_set_new(proc, "Argv", argv);
	json_t *env = json_deep_copy(json_object_get(json_object_get(c->cfg, "BerthProcess"), "Env"));
	if (!env)
		env = json_array();
	for (size_t i = 0; i < o->env.n; i++) {
		const char *kv = o->env.v[i];
		const char *eq = strchr(kv, '=');
		size_t kl = eq ? (size_t)(eq - kv) : strlen(kv);
		_cleanup_free_ char *full = eq ? xstrdup(kv) : (getenv(kv) ? xasprintf("%s=%s", kv, getenv(kv)) : NULL);
		if (!full)
			continue;
		size_t k;
		json_t *v;
		bool done = false;
		json_array_foreach(env, k, v) {
			const char *s = json_string_value(v);
			if (!strncmp(s, kv, kl) && s[kl] == '=') {
				json_array_set_new(env, k, json_string(full));
				done = true;
				break;
			}
		}
		if (!done)
			json_array_append_new(env, json_string(full));
	}
	json_object_set_new(proc, "Env", env);
	json_object_set_new(proc, "User", json_string(o->user ? o->user : json_string_value(json_object_get(conf, "User")) ?: ""));
	const char *wd = o->workdir ? o->workdir : json_string_value(json_object_get(conf, "WorkingDir"));
	json_object_set_new(proc, "WorkingDir", json_string(wd && *wd ? wd : "/"));
	json_t *cfg = c->cfg;
	if (o->privileged) {
		cfg = json_deep_copy(c->cfg);
		json_object_set_new(json_object_get(cfg, "HostConfig"), "Privileged", json_true());
	}
	security_seccomp_prepare(cfg, st->runroot);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return berr_sys(err, "socketpair");
	fflush(NULL);
	signal(SIGCHLD, SIG_DFL);
	pid_t mid = fork();
	if (mid < 0)
		return berr_sys(err, "fork");
	if (mid == 0) {
		close(sv[0]);
		int sync = sv[1];
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		set_cmdline("exec"); /* the container never sees the CLI's command line */
		if (o->detach)
			setsid();
		else
			prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		berr e = { 0 };
		if (cgroup_enter_self(c->id, &e) < 0)
			child_fail_err(sync, &e);
		for (int i = 0; i < 6; i++)
			if (nsfd[i] >= 0 && setns(nsfd[i], ns[i].t) < 0)
				child_fail(sync, 125, "setns %s: %s", ns[i].n, strerror(errno));
		if (fchdir(rootfd) < 0 || chroot(".") < 0 || chdir("/") < 0)
			child_fail(sync, 125, "enter container root: %s", strerror(errno));
		for (int i = 0; i < 6; i++)
			if (nsfd[i] >= 0)
				close(nsfd[i]);
		close(rootfd);
		int slave = -1;
		if (o->tty) {
			int m = open_container_pty(&slave);
			if (m < 0 || send_fd(sync, m) < 0)
				child_fail(sync, 125, "allocate pty: %s", strerror(errno));
			close(m);
		}
		sigset_t all, old;
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, &old);
		pid_t gc = fork(); /* enters the pid namespace */
		if (gc < 0)
			child_fail(sync, 125, "fork: %s", strerror(errno));
		if (gc == 0) {
			sigprocmask(SIG_SETMASK, &old, NULL);
			int stdio[3] = { o->interactive && !o->detach ? 0 : -1, o->detach ? -1 : 1, o->detach ? -1 : 2 };
			finish_and_exec(sync, cfg, proc, -1, stdio, slave, true);
		}
		close(sync);
		if (slave >= 0)
			close(slave);
		int dn = open("/dev/null", O_RDWR);
		if (dn >= 0 && o->detach) {
			dup2(dn, 0); dup2(dn, 1); dup2(dn, 2);
		}
		mini_init(gc);
	}
	close(sv[1]);
	for (int i = 0; i < 6; i++)
		if (nsfd[i] >= 0)
			close(nsfd[i]);
	close(rootfd);
	int pty = -1;
	int rc = sync_read(sv[0], &pty, err);
	close(sv[0]);
	if (cfg != c->cfg)
		json_decref(cfg);
	json_decref(proc);
	if (rc < 0) {
		/* Docker's daemon gives every failed exec start exit code 126 */
		char m[BERR_MSG_MAX];
		snprintf(m, sizeof m, "%s", err->msg);
		berr_set(err, err->errnum, "OCI runtime exec failed: exec failed: %.1900s: unknown", m);
		err->status = o->detach ? 1 : 126; /* Docker: -d reports the daemon's error, status 1 */
		waitpid(mid, NULL, 0);
		if (pty >= 0)
			close(pty);
		return -1;
	}
	if (o->detach) {
		*status = 0;
		return 0;
	}
	if (o->tty) {
		struct supervise s = { .out_fd = pty, .err_fd = -1, .in_fd = o->interactive ? pty : -1, .tty = true,
				       .attached = true, .forward_signals = true, .log_fd = -1, .pid = mid };
		*status = supervise_run(&s);
		return 0;
	}
	/* stdio was handed over directly: just forward signals and wait */
	struct supervise s = { .out_fd = -1, .err_fd = -1, .in_fd = -1, .attached = true, .forward_signals = true,
			       .log_fd = -1, .pid = mid };
	*status = supervise_run(&s);
	return 0;
}
