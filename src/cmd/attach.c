/* attach.c: `berth attach [--no-stdin] [--sig-proxy=true] [--detach-keys KEYS] CONTAINER`:
 * attach the terminal to a running detached container, as Docker's: from now on its output
 * (read from the json-file log the monitor writes), its stdin when it was started with -i
 * (the stdin pipe, or the pty master with -t: runtime/attach.c), signals forwarded to it
 * (not with -t), the detach keys (default ctrl-p,ctrl-q: "read escape sequence", exit 1), and
 * the container's exit status when it stops. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include "cli/cli.h"
#include "cmd/attach.h"
#include "runtime/lifecycle.h"
#include "runtime/runtime.h"
#include "runtime/supervise.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define USAGE "attach [OPTIONS] CONTAINER"
#define SUMMARY "Attach local standard input, output, and error streams to a running container"

/* Docker's detach-key grammar: comma-separated "ctrl-X" or single characters. */
static int parse_keys(const char *s, unsigned char *out, size_t max)
{
	size_t n = 0;
	_cleanup_free_ char *dup = xstrdup(s);
	for (char *p = dup, *tok; (tok = strsep(&p, ","));) {
		if (n >= max)
			return -1;
		if (strlen(tok) == 1) {
			out[n++] = (unsigned char)tok[0];
		} else if (!strncmp(tok, "ctrl-", 5) && strlen(tok) == 6) {
			char k = tok[5];
			if (k >= 'a' && k <= 'z')
				out[n++] = (unsigned char)(k - 'a' + 1);
			else if (k == '@')
				out[n++] = 0;
			else if (k == '[' || k == '\\' || k == ']' || k == '^' || k == '_')
				out[n++] = (unsigned char)(k - '@');
			else
				return -1;
		} else
			return -1;
	}
	return (int)n;
}

static struct termios saved_tio;
static bool tio_saved;

static void tty_restore(void)
{
	if (tio_saved)
		tcsetattr(0, TCSANOW, &saved_tio);
}

static void follow_log(int *fd, const char *lp, struct strbuf *pend)
{
	char buf[65536];
	for (;;) {
		ssize_t n = *fd >= 0 ? read(*fd, buf, sizeof buf) : 0;
		if (n <= 0) {
			/* the monitor rotated the file: go on with the new one */
			struct stat a, b;
			if (*fd >= 0 && fstat(*fd, &a) == 0 && stat(lp, &b) == 0 && a.st_ino != b.st_ino) {
				close(*fd);
				*fd = open(lp, O_RDONLY | O_CLOEXEC);
				continue;
			}
			break;
		}
		sb_add(pend, buf, (size_t)n);
	}
	char *nl;
	size_t off = 0;
	while ((nl = memchr(pend->buf + off, '\n', pend->len - off))) {
		*nl = 0;
		json_t *e = json_loads(pend->buf + off, 0, NULL);
		const char *log = json_string_value(json_object_get(e, "log"));
		const char *stream = json_string_value(json_object_get(e, "stream"));
		if (log)
			write_all(stream && !strcmp(stream, "stderr") ? 2 : 1, log, json_string_length(json_object_get(e, "log")));
		json_decref(e);
		off = (size_t)(nl - pend->buf) + 1;
	}
	memmove(pend->buf, pend->buf + off, pend->len - off);
	sb_setlen(pend, pend->len - off);
}

static int run_attach(struct berth_ctx *ctx, int argc, char **argv)
{
	bool no_stdin = false, sig_proxy = true;
	const char *keys = "ctrl-p,ctrl-q";
	struct opt opts[] = {
		{ "detach-keys", 0, OPT_STR, &keys, "Override the key sequence for detaching a container", "string" },
		{ "no-stdin", 0, OPT_BOOL, &no_stdin, "Do not attach STDIN", NULL },
		{ "sig-proxy", 0, OPT_BOOL, &sig_proxy, "Proxy all received signals to the process (default true)", NULL },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	if (opts_parse("attach", USAGE, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("attach", USAGE, SUMMARY, &args, 1, 1)))
		return status;
	_cleanup_store_ struct store *st = NULL;
	berr err = { 0 };
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	_cleanup_ctr_ struct ctr *c = NULL;
	if (ctr_lookup(st, args.v[0], &c, &err) < 0)
		return cli_error(&err);
	if (ctr_refresh(st, c) != CTR_RUNNING) {
		fprintf(stderr, "You cannot attach to a stopped container, start it first\n");
		return 1;
	}
	return attach_running(st, c, no_stdin, sig_proxy, keys);
}

int attach_running(struct store *st, struct ctr *c, bool no_stdin, bool sig_proxy, const char *keys)
{
	berr err = { 0 };
	unsigned char dkeys[16];
	int ndk = parse_keys(keys, dkeys, sizeof dkeys);
	if (ndk < 0) {
		fprintf(stderr, "Invalid detach keys (%s) provided\n", keys);
		return 1;
	}
	if (ctr_paused(c)) {
		fprintf(stderr, "You cannot attach to a paused container, unpause it first\n");
		return 1;
	}
	struct log_opts lo;
	log_opts_of(c->cfg, &lo);
	if (strcmp(lo.driver, "json-file")) {
		fprintf(stderr, "Error: berth attach reads the container's output from its json-file log; this container logs to %s\n", lo.driver);
		return 1;
	}
	json_t *conf = json_object_get(c->cfg, "Config");
	bool tty = json_is_true(json_object_get(conf, "Tty"));
	bool want_in = !no_stdin && json_is_true(json_object_get(conf, "OpenStdin"));
	int in_fd = -1;
	if (want_in && (in_fd = ctr_stdin_open(c, tty, &err)) < 0)
		return cli_error(&err);
	_cleanup_free_ char *lp = ctr_log_path(st, c->id);
	int log_fd = open(lp, O_RDONLY | O_CLOEXEC);
	if (log_fd >= 0)
		lseek(log_fd, 0, SEEK_END);
	/* signals: forwarded to the container (not with a tty), SIGWINCH resizes its terminal */
	sigset_t mask;
	sigemptyset(&mask);
	static const int fwd[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
	for (size_t i = 0; i < sizeof fwd / sizeof fwd[0]; i++)
		if ((!tty && sig_proxy) || fwd[i] == SIGWINCH)
			sigaddset(&mask, fwd[i]);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	bool term_in = tty && want_in && isatty(0);
	if (term_in && tcgetattr(0, &saved_tio) == 0) {
		tio_saved = true;
		atexit(tty_restore);
		struct termios t = saved_tio;
		cfmakeraw(&t);
		tcsetattr(0, TCSANOW, &t);
	}
	if (tty && in_fd >= 0 && isatty(0)) {
		struct winsize ws;
		if (ioctl(0, TIOCGWINSZ, &ws) == 0 && ws.ws_row)
			ioctl(in_fd, TIOCSWINSZ, &ws);
	}
	struct strbuf pend = STRBUF_INIT;
	unsigned char held[16];
	int nheld = 0, rc = -1;
	bool stdin_open = in_fd >= 0;
	while (rc < 0) {
		struct pollfd p[2] = { { stdin_open ? 0 : -1, POLLIN, 0 }, { sfd, POLLIN, 0 } };
		poll(p, 2, 50);
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
				if ((int)si.ssi_signo == SIGWINCH) {
					struct winsize ws;
					if (tty && in_fd >= 0 && ioctl(0, TIOCGWINSZ, &ws) == 0)
						ioctl(in_fd, TIOCSWINSZ, &ws);
				} else
					kill(c->pid, (int)si.ssi_signo);
			}
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			unsigned char buf[4096], out[4096 + 16];
			ssize_t n = read(0, buf, sizeof buf);
			if (n <= 0) {
				/* EOF: stop sending; the container's stdin stays open (the monitor holds it) */
				if (nheld)
					write_all(in_fd, held, (size_t)nheld);
				stdin_open = false;
				close(in_fd);
				in_fd = -1;
			} else {
				size_t k = 0;
				for (ssize_t i = 0; i < n && rc < 0; i++) {
					if (ndk > 0 && buf[i] == dkeys[nheld]) {
						held[nheld++] = buf[i];
						if (nheld == ndk)
							rc = 256; /* detached */
						continue;
					}
					memcpy(out + k, held, (size_t)nheld);
					k += (size_t)nheld;
					nheld = 0;
					out[k++] = buf[i];
				}
				if (k && write_all(in_fd, out, k) < 0 && errno == EPIPE)
					stdin_open = false;
			}
		}
		follow_log(&log_fd, lp, &pend);
		if (rc < 0 && ctr_refresh(st, c) != CTR_RUNNING) {
			ctr_wait_stopped(st, c, -1);
			/* the last lines the monitor flushed */
			usleep(20000);
			follow_log(&log_fd, lp, &pend);
			rc = c->exit_code;
		}
	}
	tty_restore();
	tio_saved = false;
	if (in_fd >= 0)
		close(in_fd);
	if (log_fd >= 0)
		close(log_fd);
	sb_release(&pend);
	if (rc == 256) {
		fprintf(stderr, "read escape sequence\n");
		return 1;
	}
	return rc;
}

BERTH_COMMAND(cmd_attach) = { .name = "attach", .usage = USAGE, .summary = SUMMARY, .run = run_attach };
BERTH_COMMAND(cmd_container_attach) = { .group = "container", .name = "attach", .usage = "container " USAGE, .summary = SUMMARY, .run = run_attach };
