/* compose_cmd.h: the sub-verbs of `berth compose` (config, version, later up, down, ps...).
 * A sub-verb registers itself with BERTH_COMPOSE_COMMAND in its own file under src/cmd/;
 * `berth compose` (compose.c) parses compose's global flags (-f, -p, --project-directory,
 * --env-file, --profile) into struct compose_opts and calls the sub-verb, which loads the
 * project with compose_load() when it needs it. */
#pragma once
#include "cli/cli.h"
#include "compose/compose.h"

struct compose_cmd {
	const char *name;     /* "config" */
	const char *usage;    /* "compose config [OPTIONS] [SERVICE...]" (without "berth ") */
	const char *summary;
	/* argv[0] is the sub-verb name; o holds the global compose flags */
	int (*run)(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv);
	bool hidden;
};

#define BERTH_COMPOSE_COMMAND(ident)                                                  \
	static const struct compose_cmd ident;                                        \
	static const struct compose_cmd *const ident##_entry                         \
		__attribute__((used, section("berth_compose_cmds"))) = &ident;       \
	static const struct compose_cmd ident

/* Print a loader error as docker compose does (the message alone) and give its status (1). */
int compose_cmd_error(berr *err);

#include "compose/engine.h"
/* compose_common.c: load the project (o's files, -p) and open the engine on it. On error the
 * message is printed and the status returned (non-zero). */
int compose_cmd_open(struct berth_ctx *ctx, struct compose_opts *o, struct compose_project *p, struct cengine *e);
void compose_cmd_close(struct compose_project *p, struct cengine *e);
/* Print an engine error as compose does ("Error response from daemon: ..." is left to the
 * message) and give the status (1 unless set). */
int compose_engine_error(struct cengine *e, berr *err);
/* -t/--timeout string: seconds or -1 when NULL. */
int compose_timeout(const char *s);
