/* compose.c: `berth compose [OPTIONS] COMMAND`: Compose's global flags, then a sub-verb from
 * the berth_compose_cmds table (each sub-verb registers itself with BERTH_COMPOSE_COMMAND in
 * its own file, see cmd/compose_cmd.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/compose_cmd.h"
#include "util/cleanup.h"

extern const struct compose_cmd *const __start_berth_compose_cmds[] __attribute__((weak));
extern const struct compose_cmd *const __stop_berth_compose_cmds[] __attribute__((weak));

int compose_cmd_error(berr *err)
{
	fprintf(stderr, "%s\n", err->msg);
	return err->status ? err->status : 1;
}

static int cmp_sub(const void *a, const void *b)
{
	return strcmp((*(const struct compose_cmd *const *)a)->name, (*(const struct compose_cmd *const *)b)->name);
}

static void compose_help(const struct opt *opts)
{
	printf("\nUsage:  berth compose [OPTIONS] COMMAND\n\nDefine and run multi-container applications with berth\n\nOptions:\n");
	for (const struct opt *p = opts; p->kind != OPT_END; p++) {
		char left[64];
		snprintf(left, sizeof left, "%s%s%s", p->name, p->kind == OPT_BOOL ? "" : " ",
			 p->kind == OPT_BOOL ? "" : (p->argname ? p->argname : "string"));
		if (p->shorthand)
			printf("  -%c, --%-28s %s\n", p->shorthand, left, p->help);
		else
			printf("      --%-28s %s\n", left, p->help);
	}
	printf("\nCommands:\n");
	const struct compose_cmd *v[128];
	size_t n = 0;
	for (const struct compose_cmd *const *c = __start_berth_compose_cmds; c < __stop_berth_compose_cmds && n < 128; c++)
		if (!(*c)->hidden)
			v[n++] = *c;
	qsort(v, n, sizeof v[0], cmp_sub);
	for (size_t i = 0; i < n; i++)
		printf("  %-10s %s\n", v[i]->name, v[i]->summary);
	printf("\nRun 'berth compose COMMAND --help' for more information on a command.\n");
}

static int run_compose(struct berth_ctx *ctx, int argc, char **argv)
{
	struct compose_opts o = { .files = STRVEC_INIT, .env_files = STRVEC_INIT, .profiles = STRVEC_INIT,
				  .services = STRVEC_INIT };
	const char *ansi = NULL, *progress = NULL;
	bool compat = false, dry = false;
	long parallel = -1;
	struct opt opts[] = {
		{ "ansi", 0, OPT_STR, &ansi, "Control when to print ANSI control characters (\"never\"|\"always\"|\"auto\")", "string" },
		{ "compatibility", 0, OPT_BOOL, &compat, "Run compose in backward compatibility mode", NULL },
		{ "dry-run", 0, OPT_BOOL, &dry, "Execute command in dry run mode", NULL },
		{ "env-file", 0, OPT_LIST, &o.env_files, "Specify an alternate environment file", "stringArray" },
		{ "file", 'f', OPT_LIST, &o.files, "Compose configuration files", "stringArray" },
		{ "parallel", 0, OPT_INT, &parallel, "Control max parallelism, -1 for unlimited", "int" },
		{ "profile", 0, OPT_LIST, &o.profiles, "Specify a profile to enable", "stringArray" },
		{ "progress", 0, OPT_STR, &progress, "Set type of progress output (auto, tty, plain, json, quiet)", "string" },
		{ "project-directory", 0, OPT_STR, &o.project_dir, "Specify an alternate working directory", "string" },
		{ "project-name", 'p', OPT_STR, &o.project_name, "Project name", "string" },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status = 0;
	/* --help / -h before the sub-verb prints compose's own help */
	for (int i = 1; i < argc && argv[i][0] == '-'; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			compose_help(opts);
			return 0;
		}
	if (opts_parse("compose", "compose [OPTIONS] COMMAND", NULL, opts, false, argc, argv, &args, &status))
		goto out;
	if (dry) {
		fprintf(stderr, "berth compose: --dry-run is not supported yet\n");
		status = 1;
		goto out;
	}
	if (!args.n) {
		compose_help(opts);
		goto out;
	}
	o.parallel = parallel;
	if (parallel < 0 && getenv("COMPOSE_PARALLEL_LIMIT"))
		o.parallel = atol(getenv("COMPOSE_PARALLEL_LIMIT"));
	status = -1;
	for (const struct compose_cmd *const *c = __start_berth_compose_cmds; c < __stop_berth_compose_cmds; c++)
		if (!strcmp((*c)->name, args.v[0])) {
			status = (*c)->run(ctx, &o, (int)args.n, args.v);
			break;
		}
	if (status == -1) {
		fprintf(stderr, "unknown berth command: \"compose %s\"\nSee 'berth compose --help'.\n", args.v[0]);
		status = 1;
	}
out:
	sv_clear(&o.files);
	sv_clear(&o.env_files);
	sv_clear(&o.profiles);
	sv_clear(&o.services);
	return status;
}

BERTH_COMMAND(cmd_compose) = {
	.name = "compose",
	.usage = "compose [OPTIONS] COMMAND",
	.summary = "Define and run multi-container applications",
	.run = run_compose,
};
