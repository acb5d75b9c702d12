/* cli.h: the command table, the global context and Docker-style option parsing.
 *
 * A verb registers itself with BERTH_COMMAND in its own file under src/cmd/; main.c
 * finds every registered verb through the "berth_cmds" linker section, so adding a verb
 * never touches a shared table. */
#pragma once
#include <stdbool.h>
#include "util/err.h"
#include "util/strbuf.h"

struct berth_ctx {
	const char *root;     /* --root / BERTH_ROOT, default /var/lib/berth */
	const char *runroot;  /* --runroot / BERTH_RUNROOT, default /run/berth */
	int log_level;        /* LOG_ERROR..LOG_DEBUG */
	const char *argv0;
};

struct berth_cmd {
	const char *group;    /* NULL for a top-level verb, else "image", "container", ... */
	const char *name;     /* verb name within its group */
	const char *usage;    /* e.g. "image ls [OPTIONS] [REPOSITORY[:TAG]]" (without "berth ") */
	const char *summary;  /* one line for `berth help` */
	int (*run)(struct berth_ctx *ctx, int argc, char **argv); /* argv[0] is the verb */
	bool hidden;          /* not listed by help */
};

#define BERTH_COMMAND(ident)                                                          \
	static const struct berth_cmd ident;                                          \
	static const struct berth_cmd *const ident##_entry                           \
		__attribute__((used, section("berth_cmds"))) = &ident;               \
	static const struct berth_cmd ident

/* Iterate over every registered command. */
const struct berth_cmd *const *cmds_begin(void);
const struct berth_cmd *const *cmds_end(void);
const struct berth_cmd *cmd_find(const char *group, const char *name);
bool cmd_is_group(const char *name);

/* ---- option parsing (cobra/pflag compatible) ---- */
enum opt_kind {
	OPT_BOOL,   /* bool *; accepts --x, --x=true|false */
	OPT_STR,    /* const char **; last one wins */
	OPT_LIST,   /* struct strvec *; repeated flags accumulate */
	OPT_INT,    /* long * */
	OPT_END,
};

struct opt {
	const char *name;     /* long name without "--" */
	char shorthand;       /* 0 if none */
	enum opt_kind kind;
	void *value;
	const char *help;
	const char *argname;  /* shown in help: "string", "list", "int" */
};
#define OPT_SENTINEL { NULL, 0, OPT_END, NULL, NULL, NULL }

/* Outcome of opts_parse. */
enum { OPTS_OK = 0, OPTS_EXIT = 1 };

/* Parse argv[1..] (argv[0] is the verb) against opts. Positional arguments go to *args.
 * interspersed=false stops at the first positional (as docker run / exec do), leaving the
 * rest untouched. cmdpath names the verb for messages ("run", "image ls").
 * Returns OPTS_OK, or OPTS_EXIT with *status set (0 after --help, 125 on a usage error,
 * with the message already printed in Docker's words). */
int opts_parse(const char *cmdpath, const char *usage, const char *summary, const struct opt *opts,
	       bool interspersed, int argc, char **argv, struct strvec *args, int *status);

/* Print Docker-style usage errors: "berth: <msg>.\nSee 'berth <cmd> --help'.\n". Returns 125. */
int cli_usage_error(const char *cmdpath, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Check the positional count: Docker's "requires at least 1 argument." messages. */
int cli_require_args(const char *cmdpath, const char *usage, const char *summary,
		     const struct strvec *args, int min, int max);
/* Print an error from the library once, as "Error: msg" / "Error response from daemon"-free form. */
int cli_error(berr *err);
