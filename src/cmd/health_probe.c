/* health_probe.c: hidden `berth debug health-probe ID IN_START_PERIOD`: one healthcheck probe,
 * forked by the container's monitor at each interval (one at a time). It runs the test in the
 * container as `exec` does (same namespaces, cgroup, user, seccomp), keeps at most 4096 bytes
 * of its stdout+stderr, kills it at the timeout, and records the result (health_record). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "runtime/runtime.h"
#include "runtime/supervise.h"
#include "util/cleanup.h"

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int run_health_probe(struct berth_ctx *ctx, int argc, char **argv)
{
	if (argc != 3)
		return 125;
	bool in_start = !strcmp(argv[2], "1");
	_cleanup_store_ struct store *st = NULL;
	berr e = { 0 };
	if (store_open(&st, ctx->root, ctx->runroot, &e) < 0)
		return 125;
	_cleanup_ctr_ struct ctr *c = NULL;
	if (ctr_lookup(st, argv[1], &c, &e) < 0 || c->state != CTR_RUNNING || !ctr_is_running(c))
		return 1;
	json_t *hc = health_config(c->cfg);
	if (!hc)
		return 1;
	json_t *test = json_object_get(hc, "Test");
	_cleanup_strvec_ struct strvec av = STRVEC_INIT;
	const char *kind = json_string_value(json_array_get(test, 0));
	if (kind && !strcmp(kind, "CMD-SHELL")) {
		sv_push(&av, "/bin/sh");
		sv_push(&av, "-c");
		sv_push(&av, json_string_value(json_array_get(test, 1)) ?: "");
	} else
		for (size_t i = 1; i < json_array_size(test); i++)
			sv_push(&av, json_string_value(json_array_get(test, i)) ?: "");
	int64_t t[4];
	health_timing(c->cfg, t);
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return 125;
	int64_t start_rt = now_ns(), deadline = mono_ns() + t[1];
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return 125;
	if (pid == 0) {
		/* the probe's own process group, so the timeout kills all of it; and it goes with this
		 * process if the monitor kills it (the monitor's container exited) */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (getppid() == 1)
			_exit(125);
		dup2(p[1], 1);
		dup2(p[1], 2);
		int dn = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (dn >= 0)
			dup2(dn, 0);
		struct exec_opts o = { .argv = av.v, .env = STRVEC_INIT };
		int status = 0;
		if (sandbox_exec(st, c, &o, &status, &e) < 0)
			_exit(cli_error(&e));
		fflush(NULL);
		_exit(status);
	}
	close(p[1]);
	struct strbuf out = STRBUF_INIT;
	bool timed_out = false;
	char buf[4096];
	for (;;) {
		int64_t left = (deadline - mono_ns()) / 1000000;
		if (left <= 0) {
			timed_out = true;
			break;
		}
		struct pollfd pf = { p[0], POLLIN, 0 };
		int r = poll(&pf, 1, left > 1000000 ? 1000000 : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			continue;
		ssize_t n = read(p[0], buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* EOF: the probe and whatever held its output are done */
		if (out.len < 8192)
			sb_add(&out, buf, (size_t)n);
	}
	close(p[0]);
	if (timed_out) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	int ws = 0;
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	int code = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	health_record(st->root, c, start_rt, code, timed_out, sb_str(&out), out.len, in_start);
	sb_release(&out);
	return 0;
}

BERTH_COMMAND(cmd_debug_health_probe) = {
	.group = "debug", .name = "health-probe", .usage = "debug health-probe ID IN_START_PERIOD",
	.summary = "Run one healthcheck probe and record it (used by the monitor)", .run = run_health_probe,
	.hidden = true,
};
