/* version.c: `berth version` prints the client's version, as `docker version` does. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include "cli/cli.h"
#include "util/template.h"

#ifndef BERTH_VERSION
#define BERTH_VERSION "0.1.0-dev"
#endif

static int run_version(struct berth_ctx *ctx, int argc, char **argv)
{
	bool shrt = false;
	const char *format = NULL;
	struct opt opts[] = {
		{ "format", 'f', OPT_STR, &format, "Format the output using the given Go template", "string" },
		{ "short", 0, OPT_BOOL, &shrt, "Print only the version number", NULL },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	(void)ctx;
	if (opts_parse("version", "version [OPTIONS]", "Show the berth version information", opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("version", "version [OPTIONS]", "Show the berth version information", &args, 0, 0)))
		return status;
	if (shrt) {
		printf("berth version %s\n", BERTH_VERSION);
		return 0;
	}
	struct utsname u;
	uname(&u);
	const char *arch = !strcmp(u.machine, "x86_64") ? "amd64" : !strcmp(u.machine, "aarch64") ? "arm64" : u.machine;
	if (format && *format) {
		/* docker version --format: template named "version" over {Client, Server}; a parse
		 * error exits 64 ("Template parsing error: ..."), an execution error 1. */
		berr err = { 0 };
		struct tmpl *t = tmpl_parse_named("version", format, &err);
		if (!t) {
			fprintf(stderr, "Template parsing error: %s\n", err.msg);
			return 64;
		}
		json_t *vd = json_pack("{s:{s:{s:s},s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b},s:n}",
				       "Client", "Platform", "Name", "berth", "Version", BERTH_VERSION,
				       "APIVersion", "1.41", "DefaultAPIVersion", "1.41", "GitCommit", "",
				       "GoVersion", "", "Os", "linux", "Arch", arch, "BuildTime", __DATE__ " " __TIME__,
				       "Context", "default", "Experimental", 1, "Server");
		_cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
		sb_init(&out);
		int r = tmpl_exec(t, vd, 0, &out, &err);
		tmpl_free(t);
		json_decref(vd);
		fwrite(out.buf, 1, out.len, stdout);
		putchar('\n');
		if (r < 0) {
			fflush(stdout);
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		return 0;
	}
	printf("Client:\n Version:\t%s\n Built:\t%s %s\n OS/Arch:\tlinux/%s\n Daemon:\tnone (berth is daemonless)\n",
	       BERTH_VERSION, __DATE__, __TIME__, arch);
	return 0;
}

BERTH_COMMAND(cmd_version) = {
	.name = "version",
	.usage = "version [OPTIONS]",
	.summary = "Show the berth version information",
	.run = run_version,
};
