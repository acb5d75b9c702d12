/* compose.c: `berth compose [OPTIONS] COMMAND`: Compose's global flags, then its own table of
 * sub-verbs (config, version; up/down/ps... plug in here later). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "compose/compose.h"
#include "util/cleanup.h"
#include "util/fs.h"

#ifndef BERTH_VERSION
#define BERTH_VERSION "0.1.0-dev"
#endif

struct compose_sub {
	const char *name;
	const char *usage;
	const char *summary;
	int (*run)(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv);
};

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int compose_config(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
{
	const char *format = "yaml", *output = NULL;
	bool services = false, volumes = false, networks = false, profiles = false, images = false, quiet = false;
	bool environment = false;
	struct opt opts[] = {
		{ "environment", 0, OPT_BOOL, &environment, "Print environment used for interpolation.", NULL },
		{ "format", 0, OPT_STR, &format, "Format the output. Values: [yaml | json]", "string" },
		{ "images", 0, OPT_BOOL, &images, "Print the image names, one per line.", NULL },
		{ "networks", 0, OPT_BOOL, &networks, "Print the network names, one per line.", NULL },
		{ "output", 'o', OPT_STR, &output, "Save to file (default to stdout)", "string" },
		{ "profiles", 0, OPT_BOOL, &profiles, "Print the profile names, one per line.", NULL },
		{ "quiet", 'q', OPT_BOOL, &quiet, "Only validate the configuration, don't print anything", NULL },
		{ "services", 0, OPT_BOOL, &services, "Print the service names, one per line.", NULL },
		{ "volumes", 0, OPT_BOOL, &volumes, "Print the volume names, one per line.", NULL },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	(void)ctx;
	const char *usage = "compose config [OPTIONS] [SERVICE...]";
	const char *summary = "Parse, resolve and render compose file in canonical format";
	if (opts_parse("compose config", usage, summary, opts, true, argc, argv, &args, &status))
		return status;
	if (strcmp(format, "yaml") && strcmp(format, "json"))
		return cli_usage_error("compose config", "unsupported format \"%s\"", format);
	if (profiles && !o->profiles.n)
		sv_push(&o->profiles, "*");
	struct compose_project p;
	berr err = { 0 };
	for (size_t i = 0; i < args.n; i++)
		sv_push(&o->services, args.v[i]);
	if (compose_load(o, &p, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return err.status ? err.status : 1;
	}
	json_t *svcs = json_object_get(p.model, "services");
	_cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
	sb_init(&out);
	const char *k;
	json_t *v;
	if (quiet) {
	} else if (services) {
		json_object_foreach(svcs, k, v) sb_addf(&out, "%s\n", k);
	} else if (volumes) {
		json_object_foreach(json_object_get(p.model, "volumes"), k, v) sb_addf(&out, "%s\n", k);
	} else if (networks) {
		json_object_foreach(json_object_get(p.model, "networks"), k, v) sb_addf(&out, "%s\n", k);
	} else if (environment) {
		json_t *srt = json_object();
		json_object_update(srt, p.env);
		_cleanup_free_ const char **keys = xcalloc(json_object_size(srt) + 1, sizeof *keys);
		size_t n = 0;
		json_object_foreach(srt, k, v) keys[n++] = k;
		qsort(keys, n, sizeof *keys, cmpstr);
		for (size_t i = 0; i < n; i++)
			sb_addf(&out, "%s=%s\n", keys[i], json_string_value(json_object_get(srt, keys[i])));
		json_decref(srt);
	} else if (profiles) {
		_cleanup_strvec_ struct strvec pl = STRVEC_INIT;
		compose_list_profiles(p.model, &pl);
		for (size_t i = 0; i < pl.n; i++)
			sb_addf(&out, "%s\n", pl.v[i]);
	} else if (images) {
		json_object_foreach(svcs, k, v) {
			const char *img = json_string_value(json_object_get(v, "image"));
			if (img)
				sb_addf(&out, "%s\n", img);
			else
				sb_addf(&out, "%s-%s\n", p.name, k);
		}
	} else {
		char *s = !strcmp(format, "json") ? json_dumps(p.model, JSON_INDENT(2) | JSON_PRESERVE_ORDER)
						  : compose_yaml_emit(p.model);
		/* as compose: every '$' doubled, so the output reads back as the same model */
		for (const char *c = s ? s : ""; *c; c++) {
			if (*c == '$')
				sb_addc(&out, '$');
			sb_addc(&out, *c);
		}
		if (!strcmp(format, "json"))
			sb_addc(&out, '\n');
		free(s);
	}
	compose_project_free(&p);
	if (output) {
		if (write_file_atomic(output, out.buf, out.len, 0644, &err) < 0)
			return cli_error(&err);
	} else
		fwrite(out.buf, 1, out.len, stdout);
	return 0;
}

static int compose_version(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
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

static const struct compose_sub subs[] = {
	{ "config", "compose config [OPTIONS] [SERVICE...]", "Parse, resolve and render compose file in canonical format",
	  compose_config },
	{ "version", "compose version [OPTIONS]", "Show the berth compose version information", compose_version },
};

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
	for (size_t i = 0; i < ARRAY_SIZE(subs); i++)
		printf("  %-10s %s\n", subs[i].name, subs[i].summary);
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
	status = -1;
	for (size_t i = 0; i < ARRAY_SIZE(subs); i++)
		if (!strcmp(subs[i].name, args.v[0])) {
			status = subs[i].run(ctx, &o, (int)args.n, args.v);
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
