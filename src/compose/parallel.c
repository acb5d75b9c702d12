/* parallel.c: run the jobs of one dependency level at the same time, as compose v2 does
 * (it starts and stops the services of a level concurrently).
 *
 * One forked worker per job. The parent closes its store connection before forking (an SQLite
 * connection must not cross a fork) and each worker opens its own, so every worker's writes
 * are its own transactions (BEGIN IMMEDIATE under WAL: writers serialise, nothing interleaves).
 * A worker's progress events and its error come back to the parent through a pipe (one
 * write per line, under PIPE_BUF, hence atomic) and the parent prints them, so the output is
 * the same as in-process (plain lines, or the tty summary). The parent does not wait for EOF on
 * the pipe (a container's monitor started by a worker may inherit it): it reaps the workers
 * and then drains what they wrote. At most e->parallel workers run at once (compose's
 * --parallel / COMPOSE_PARALLEL_LIMIT); 1, or BERTH_COMPOSE_SERIAL=1, runs the jobs one after the
 * other in-process. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli/cli.h"
#include "compose/engine.h"
#include "util/cleanup.h"

static void handle_line(struct cengine *e, char *line, berr *err, bool *failed)
{
	if (line[0] == 'E' && line[1] == '\t') {
		char *kind = line + 2, *name = strchr(kind, '\t'), *status = name ? strchr(name + 1, '\t') : NULL;
		if (!status)
			return;
		*name++ = 0;
		*status++ = 0;
		cengine_event(e, kind, name, status);
	} else if (line[0] == 'X' && line[1] == '\t') {
		char *code = line + 2, *msg = strchr(code, '\t');
		if (!msg || *failed)
			return;
		*msg++ = 0;
		for (char *p = msg; *p; p++)
			if (*p == '\x1f')
				*p = '\n';
		berr_set(err, atoi(code), "%s", msg);
		*failed = true;
	}
}

static void drain(struct cengine *e, int fd, struct strbuf *acc, berr *err, bool *failed)
{
	char buf[4096];
	ssize_t r;
	while ((r = read(fd, buf, sizeof buf)) > 0) {
		sb_add(acc, buf, (size_t)r);
		char *nl;
		while ((nl = memchr(acc->buf, '\n', acc->len))) {
			*nl = 0;
			size_t used = (size_t)(nl - acc->buf) + 1;
			_cleanup_free_ char *line = xstrdup(acc->buf);
			memmove(acc->buf, acc->buf + used, acc->len - used);
			acc->len -= used;
			acc->buf[acc->len] = 0;
			handle_line(e, line, err, failed);
		}
	}
}

int cengine_parallel(struct cengine *e, size_t n, cengine_job_fn fn, void *ud, berr *err)
{
	const char *serial = getenv("BERTH_COMPOSE_SERIAL");
	if (n <= 1 || e->parallel == 1 || (serial && *serial && strcmp(serial, "0"))) {
		for (size_t i = 0; i < n; i++)
			if (fn(e, i, ud, err) < 0)
				return -1;
		return 0;
	}
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return berr_sys(err, "pipe");
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	store_close(e->st);
	e->st = NULL;
	pid_t *pids = xcalloc(n, sizeof *pids);
	size_t started = 0, running = 0, codes = 0;
	size_t limit = e->parallel > 0 ? (size_t)e->parallel : n;
	bool failed = false, fork_failed = false;
	struct strbuf acc = STRBUF_INIT;
	for (;;) {
		/* start workers up to the limit (none after a failure: compose stops there too) */
		while (started < n && running < limit && !failed && !fork_failed) {
			fflush(NULL);
			pid_t pid = fork();
			if (pid < 0) {
				berr_sys(err, "fork");
				fork_failed = failed = true;
				break;
			}
			if (pid == 0) {
				close(pfd[0]);
				e->evfd = pfd[1];
				if (e->parallel > 0)
					e->parallel = 1; /* under a limit, nested jobs (replicas) run one at a time */
				berr werr = { 0 };
				int rc = store_open(&e->st, e->ctx->root, e->ctx->runroot, &werr);
				if (rc == 0)
					rc = fn(e, started, ud, &werr);
				if (rc < 0) {
					char line[BERR_MSG_MAX + 32];
					int len = snprintf(line, sizeof line, "X\t%d\t%s", werr.status, werr.msg);
					if (len > (int)sizeof line - 2)
						len = (int)sizeof line - 2;
					for (int k = 2; k < len; k++)
						if (line[k] == '\n')
							line[k] = '\x1f';
					line[len++] = '\n';
					if (write(pfd[1], line, (size_t)len) < 0) {
					}
				}
				if (e->st)
					store_close(e->st);
				fflush(NULL);
				_exit(rc < 0 ? 1 : 0);
			}
			pids[started++] = pid;
			running++;
		}
		if (!running)
			break;
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		poll(&p, 1, 20);
		drain(e, pfd[0], &acc, err, &failed);
		for (size_t i = 0; i < started; i++) {
			int st;
			if (pids[i] > 0 && waitpid(pids[i], &st, WNOHANG) == pids[i]) {
				pids[i] = 0;
				running--;
				if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0))
					codes++;
			}
		}
	}
	close(pfd[1]);
	drain(e, pfd[0], &acc, err, &failed);
	sb_release(&acc);
	if (codes && !failed) {
		berr_set(err, 0, "a compose worker process failed");
		failed = true;
	}
	close(pfd[0]);
	free(pids);
	berr oerr = { 0 };
	if (store_open(&e->st, e->ctx->root, e->ctx->runroot, &oerr) < 0) {
		if (!failed)
			*err = oerr;
		return -1;
	}
	return failed ? -1 : 0;
}
