/* login.c: `berth login [OPTIONS] [SERVER]` and `berth logout [SERVER]`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "cli/cli.h"
#include "cmd/regopts.h"
#include "util/cleanup.h"

/* "https://host/v1/" -> "host" (Docker accepts either). */
static char *server_host(const char *s)
{
	if (!s)
		return NULL;
	if (!strncmp(s, "https://", 8))
		s += 8;
	else if (!strncmp(s, "http://", 7))
		s += 7;
	return xstrndup(s, strcspn(s, "/"));
}

static char *read_line(FILE *f)
{
	char *line = NULL;
	size_t n = 0;
	ssize_t r = getline(&line, &n, f);
	if (r < 0) {
		free(line);
		return xstrdup("");
	}
	while (r > 0 && (line[r - 1] == '\n' || line[r - 1] == '\r'))
		line[--r] = 0;
	return line;
}

static int run_login(struct berth_ctx *ctx, int argc, char **argv)
{
	struct reg_opts o = REG_OPTS_INIT;
	bool tv = true, pstdin = false;
	const char *user = NULL, *pass = NULL;
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	struct opt opts[] = {
		{ "password", 'p', OPT_STR, &pass, "Password", "string" },
		{ "password-stdin", 0, OPT_BOOL, &pstdin, "Take the password from stdin", NULL },
		{ "username", 'u', OPT_STR, &user, "Username", "string" },
		REG_COMMON_OPTS(o, tv),
		OPT_SENTINEL,
	};
	int status;
	(void)ctx;
	if (opts_parse("login", "login [OPTIONS] [SERVER]", "Log in to a registry", opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("login", "login [OPTIONS] [SERVER]", "Log in to a registry", &args, 0, 1)))
		return status;
	regopts_tls(&o, tv, argc, argv);
	if (pass && pstdin) {
		fprintf(stderr, "Error: --password and --password-stdin are mutually exclusive\n");
		return 1;
	}
	_cleanup_free_ char *u = user ? xstrdup(user) : NULL, *p = pass ? xstrdup(pass) : NULL;
	if (pstdin) {
		if (!user) {
			fprintf(stderr, "Error: Must provide --username with --password-stdin\n");
			return 1;
		}
		p = read_line(stdin);
	}
	if (pass)
		fprintf(stderr, "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
	if (!u || !p) {
		if (!isatty(0)) {
			fprintf(stderr, "Error: Cannot perform an interactive login from a non TTY device\n");
			return 1;
		}
		if (!u) {
			printf("Username: ");
			fflush(stdout);
			u = read_line(stdin);
		}
		if (!p) {
			struct termios t, saved;
			printf("Password: ");
			fflush(stdout);
			tcgetattr(0, &saved);
			t = saved;
			t.c_lflag &= ~(tcflag_t)ECHO;
			tcsetattr(0, TCSAFLUSH, &t);
			p = read_line(stdin);
			tcsetattr(0, TCSAFLUSH, &saved);
			printf("\n");
		}
	}
	if (!*u) {
		fprintf(stderr, "Error: Non-null Username Required\n");
		return 1;
	}
	if (!*p) {
		fprintf(stderr, "Error: Error: Password Required\n");
		return 1;
	}
	_cleanup_free_ char *host = server_host(args.n ? args.v[0] : NULL);
	berr err = { 0 };
	if (registry_login(host, u, p, &o, &err) < 0) {
		fprintf(stderr, "Error response from daemon: %s\n", err.msg);
		return 1;
	}
	printf("Login Succeeded\n");
	return 0;
}

static int run_logout(struct berth_ctx *ctx, int argc, char **argv)
{
	struct reg_opts o = REG_OPTS_INIT;
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	struct opt opts[] = {
		{ "authfile", 0, OPT_STR, &o.authfile, "Path of the authentication file", "string" },
		OPT_SENTINEL,
	};
	int status;
	(void)ctx;
	if (opts_parse("logout", "logout [SERVER]", "Log out from a registry", opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("logout", "logout [SERVER]", "Log out from a registry", &args, 0, 1)))
		return status;
	_cleanup_free_ char *host = server_host(args.n ? args.v[0] : "docker.io");
	bool was;
	berr err = { 0 };
	if (registry_logout(host, &o, &was, &err) < 0) {
		fprintf(stderr, "Error: %s\n", err.msg);
		return 1;
	}
	const char *shown = !strcmp(host, "docker.io") ? "https://index.docker.io/v1/" : host;
	if (!was)
		printf("Not logged in to %s\n", shown);
	else
		printf("Removing login credentials for %s\n", shown);
	return 0;
}

BERTH_COMMAND(cmd_login) = { .name = "login", .usage = "login [OPTIONS] [SERVER]", .summary = "Log in to a registry", .run = run_login };
BERTH_COMMAND(cmd_logout) = { .name = "logout", .usage = "logout [SERVER]", .summary = "Log out from a registry", .run = run_logout };
