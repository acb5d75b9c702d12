/* compose_version.c: `berth compose version`. */
#include <stdio.h>
#include <string.h>
#include "cmd/compose_cmd.h"

#ifndef BERTH_VERSION
#define BERTH_VERSION "0.1.0-dev"
#endif

static int run_version(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
{
	const char *format = NULL;
	bool shrt = false;
	struct opt opts[] = {
		{ "format", 'f', OPT_STR, &format, "Format the output. Values: [pretty | json]. (Default: pretty)", "string" },
		{ "short", 0, OPT_BOOL, &shrt, "Shows only Compose's version number", NULL },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	(void)ctx;
	(void)o;
	if (opts_parse("compose version", "compose version [OPTIONS]", "Show the berth compose version information", opts,
		       true, argc, argv, &args, &status))
		return status;
	if (shrt)
		printf("%s\n", BERTH_VERSION);
	else if (format && !strcmp(format, "json"))
		printf("{\"version\":\"v%s\"}\n", BERTH_VERSION);
	else
		printf("berth compose version v%s\n", BERTH_VERSION);
	return 0;
}

BERTH_COMPOSE_COMMAND(compose_version_cmd) = {
	.name = "version",
	.usage = "compose version [OPTIONS]",
	.summary = "Show the berth compose version information",
	.run = run_version,
};
