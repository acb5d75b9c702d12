/* main.c: global options and verb dispatch. Verbs register themselves (cli.h BERTH_COMMAND);
 * this file only finds them: `berth [GLOBAL OPTIONS] VERB [ARGS]` or `berth GROUP VERB [ARGS]`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "util/log.h"

extern const struct berth_cmd *const __start_berth_cmds[];
extern const struct berth_cmd *const __stop_berth_cmds[];

const struct berth_cmd *const *cmds_begin(void) { return __start_berth_cmds; }
const struct berth_cmd *const *cmds_end(void) { return __stop_berth_cmds; }

const struct berth_cmd *cmd_find(const char *group, const char *name)
{
	for (const struct berth_cmd *const *c = cmds_begin(); c < cmds_end(); c++) {
		if ((group == NULL) != ((*c)->group == NULL))
			continue;
		if (group && strcmp(group, (*c)->group))
			continue;
		if (!strcmp((*c)->name, name))
			return *c;
	}
	return NULL;
}

bool cmd_is_group(const char *name)
{
	for (const struct berth_cmd *const *c = cmds_begin(); c < cmds_end(); c++)
		if ((*c)->group && !strcmp((*c)->group, name))
			return true;
	return false;
}

static int cmp_cmd(const void *a, const void *b)
{
	const struct berth_cmd *x = *(const struct berth_cmd *const *)a, *y = *(const struct berth_cmd *const *)b;
	return strcmp(x->name, y->name);
}

static void list_cmds(const char *group)
{
	const struct berth_cmd *v[512];
	size_t n = 0;
	for (const struct berth_cmd *const *c = cmds_begin(); c < cmds_end() && n < 512; c++) {
		if ((*c)->hidden || (group == NULL) != ((*c)->group == NULL))
			continue;
		if (group && strcmp(group, (*c)->group))
			continue;
		v[n++] = *c;
	}
	qsort(v, n, sizeof v[0], cmp_cmd);
	for (size_t i = 0; i < n; i++)
		printf("  %-12s %s\n", v[i]->name, v[i]->summary ? v[i]->summary : "");
}

/* Docker's wording for a management group ("Manage images"); "system" manages berth itself. */
static const char *group_summary(const char *group)
{
	static char buf[64];
	if (!strcmp(group, "system"))
		return "Manage berth";
	if (!strcmp(group, "builder"))
		return "Manage builds";
	snprintf(buf, sizeof buf, "Manage %ss", group);
	return buf;
}

static void list_groups(void)
{
	const char *seen[64];
	size_t n = 0;
	for (const struct berth_cmd *const *c = cmds_begin(); c < cmds_end(); c++) {
		if (!(*c)->group || (*c)->hidden)
			continue;
		bool dup = false;
		for (size_t i = 0; i < n; i++)
			dup |= !strcmp(seen[i], (*c)->group);
		if (!dup && n < 64)
			seen[n++] = (*c)->group;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(seen[i], seen[j]) > 0) {
				const char *t = seen[i];
				seen[i] = seen[j];
				seen[j] = t;
			}
	for (size_t i = 0; i < n; i++)
		printf("  %-12s %s\n", seen[i], group_summary(seen[i]));
}

void berth_print_help(void)
{
	printf("\nUsage:  berth [OPTIONS] COMMAND\n\n"
	       "A daemonless, Docker-compatible container engine\n\n"
	       "Options:\n"
	       "      --root string        Root directory of the store (default \"/var/lib/berth\", env BERTH_ROOT)\n"
	       "      --runroot string     Directory for run state (default \"/run/berth\", env BERTH_RUNROOT)\n"
	       "  -l, --log-level string   Set the logging level (\"debug\"|\"info\"|\"warn\"|\"error\") (default \"warn\")\n"
	       "  -v, --version            Print version information and quit\n\n"
	       "Management Commands:\n");
	list_groups();
	printf("\nCommands:\n");
	list_cmds(NULL);
	printf("\nRun 'berth COMMAND --help' for more information on a command.\n");
}

static void group_help(const char *group)
{
	printf("\nUsage:  berth %s COMMAND\n\n%s\n\nCommands:\n", group, group_summary(group));
	list_cmds(group);
	printf("\nRun 'berth %s COMMAND --help' for more information on a command.\n", group);
}

static int parse_level(const char *s)
{
	if (!strcmp(s, "debug")) return LOG_DEBUG;
	if (!strcmp(s, "info")) return LOG_INFO;
	if (!strcmp(s, "warn") || !strcmp(s, "warning")) return LOG_WARN;
	if (!strcmp(s, "error") || !strcmp(s, "fatal")) return LOG_ERROR;
	return -1;
}

int main(int argc, char **argv)
{
	struct berth_ctx ctx = {
		.root = getenv("BERTH_ROOT") ? getenv("BERTH_ROOT") : "/var/lib/berth",
		.runroot = getenv("BERTH_RUNROOT") ? getenv("BERTH_RUNROOT") : "/run/berth",
		.log_level = LOG_WARN,
		.argv0 = argv[0],
	};
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		char *a = argv[i], *val = NULL;
		const char *name = a;
		char buf[64];
		char *eq = strchr(a, '=');
		if (eq && a[1] == '-') {
			snprintf(buf, sizeof buf, "%.*s", (int)(eq - a), a);
			name = buf;
			val = eq + 1;
		}
		if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
			berth_print_help();
			return 0;
		}
		if (!strcmp(name, "--version") || !strcmp(name, "-v")) {
			const struct berth_cmd *v = cmd_find(NULL, "version");
			char *vargv[] = { "version", "--short", NULL };
			return v ? v->run(&ctx, 2, vargv) : 0;
		}
		bool takes = !strcmp(name, "--root") || !strcmp(name, "--runroot") ||
			     !strcmp(name, "--log-level") || !strcmp(name, "-l");
		if (!takes) {
			fprintf(stderr, "unknown flag: %s\nSee 'berth --help'.\n", name);
			return 125;
		}
		if (!val) {
			if (i + 1 >= argc) {
				fprintf(stderr, "flag needs an argument: %s\nSee 'berth --help'.\n", name);
				return 125;
			}
			val = argv[++i];
		}
		if (!strcmp(name, "--root"))
			ctx.root = val;
		else if (!strcmp(name, "--runroot"))
			ctx.runroot = val;
		else {
			ctx.log_level = parse_level(val);
			if (ctx.log_level < 0) {
				fprintf(stderr, "Unable to parse logging level: %s\n", val);
				return 125;
			}
		}
	}
	log_level = ctx.log_level;
	if (i >= argc) {
		berth_print_help();
		return 0;
	}
	const char *verb = argv[i];
	if (!strcmp(verb, "help")) {
		if (i + 1 < argc && cmd_is_group(argv[i + 1])) {
			group_help(argv[i + 1]);
			return 0;
		}
		berth_print_help();
		return 0;
	}
	if (cmd_is_group(verb)) {
		if (i + 1 >= argc || !strcmp(argv[i + 1], "--help") || !strcmp(argv[i + 1], "-h")) {
			group_help(verb);
			return 0;
		}
		const struct berth_cmd *c = cmd_find(verb, argv[i + 1]);
		if (!c) {
			fprintf(stderr, "berth: '%s %s' is not a berth command.\nSee 'berth %s --help'\n", verb, argv[i + 1], verb);
			return 125;
		}
		return c->run(&ctx, argc - i - 1, argv + i + 1);
	}
	const struct berth_cmd *c = cmd_find(NULL, verb);
	if (!c) {
		fprintf(stderr, "berth: '%s' is not a berth command.\nSee 'berth --help'\n", verb);
		return 125;
	}
	return c->run(&ctx, argc - i, argv + i);
}
