/* instr.h: typed Dockerfile instructions (BuildKit's frontend/dockerfile/instructions),
 * built from the parse tree (ast.h). Every instruction with every flag Docker documents;
 * unknown instructions and flags are errors in BuildKit's words, prefixed "file:line: ".
 * Nothing here is expanded: words are kept as written, expansion happens in plan.c. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "dockerfile/ast.h"

enum df_kind {
	DF_ADD, DF_ARG, DF_CMD, DF_COPY, DF_ENTRYPOINT, DF_ENV, DF_EXPOSE, DF_FROM,
	DF_HEALTHCHECK, DF_LABEL, DF_MAINTAINER, DF_ONBUILD, DF_RUN, DF_SHELL, DF_STOPSIGNAL,
	DF_USER, DF_VOLUME, DF_WORKDIR,
};
const char *df_kind_name(enum df_kind k); /* "ADD", "ARG", ... */

/* ENV / LABEL pair, ARG declaration. */
struct df_kv {
	char *key;
	char *value;     /* NULL: ARG without default */
	bool legacy;     /* ENV/LABEL "KEY value" form (no '=') */
};

enum df_mount_type { DF_MOUNT_BIND, DF_MOUNT_CACHE, DF_MOUNT_TMPFS, DF_MOUNT_SECRET, DF_MOUNT_SSH };
enum df_mount_sharing { DF_SHARING_SHARED, DF_SHARING_PRIVATE, DF_SHARING_LOCKED };

/* RUN --mount=... (BuildKit's instructions.Mount), validated. */
struct df_mount {
	enum df_mount_type type;
	char *from;        /* from= (stage, index or image) for bind/cache, NULL if none */
	char *source;      /* source= / src= */
	char *target;      /* target= / dst= / destination=; defaults for secret/ssh */
	bool readonly;     /* ro/readonly (bind default true, rw/readwrite false) */
	char *id;          /* id= (cache, secret, ssh) */
	enum df_mount_sharing sharing;
	char *env;         /* env= (secret) */
	bool required;     /* required= (secret, ssh) */
	long mode;         /* mode= octal, -1 if unset */
	long uid, gid;     /* -1 if unset */
	int64_t size;      /* tmpfs size= in bytes, 0 unset */
	char *raw;         /* the flag value as written */
};

/* HEALTHCHECK. Durations in nanoseconds, 0 = inherit default. */
struct df_health {
	struct strvec test;   /* ["NONE"] | ["CMD", args...] | ["CMD-SHELL", cmd] */
	int64_t interval, timeout, start_period, start_interval;
	long retries;
};

struct df_instr {
	enum df_kind kind;
	const struct df_node *node;   /* borrowed from the parse tree */
	int line, end_line;
	const char *keyword;          /* instruction keyword as written (for casing checks),
	                               * points into node->original; keyword_len chars */
	size_t keyword_len;
	struct strvec args;           /* arguments as written (shell form: one string); the
	                               * strings belong to the parse tree (node) */
	bool json;                    /* exec (JSON) form */
	/* FROM */
	char *platform;               /* --platform */
	char *stage_name;             /* AS name as written, NULL if none */
	const char *as_keyword;       /* "AS"/"as" as written, NULL if none */
	/* COPY / ADD */
	char *from, *chown, *chmod, *checksum;
	bool link, parents;
	int keep_git_dir;             /* -1 unset, 0/1 */
	struct strvec excludes;
	/* RUN */
	struct df_mount *mounts;
	size_t nmounts;
	char *network, *security;
	/* ENV / LABEL / ARG */
	struct df_kv *kvs;
	size_t nkvs;
	bool kvs_borrowed;            /* ENV/LABEL: key/value point into the parse tree */
	/* HEALTHCHECK */
	struct df_health health;
	/* ONBUILD */
	struct df_instr *sub;
	char *expression;             /* ONBUILD trigger text, e.g. "RUN echo hi" */
	/* heredocs (borrowed from node) */
	const struct df_heredoc *heredocs;
	size_t nheredocs;
	struct arena *arena;          /* df_instr_parse_in: the struct, args.v and kvs (with
	                               * ARG's strings) live there; NULL: malloc'd */
};

/* Build the typed instruction of one parse-tree node. filename is used in errors
 * ("Dockerfile:2: dockerfile parse error on line 2: Unknown flag: bogus"). */
int df_instr_parse(const struct df_node *n, const char *filename, struct df_instr **out, berr *err);
/* The same with the instruction, its argument and pair arrays in arena a (the parse
 * tree's: they go with it); df_instr_free still frees the rest (flags' values, mounts). */
int df_instr_parse_in(struct arena *a, const struct df_node *n, const char *filename,
		      struct df_instr **out, berr *err);
void df_instr_free(struct df_instr *in);

/* Parse a Go duration ("1m30s", "500ms", "1.5h"); returns -1 with *msg on error. */
int df_parse_duration(const char *s, int64_t *ns);
/* Format as Go's time.Duration.String(). */
void df_format_duration(struct strbuf *sb, int64_t ns);
/* Parse one --mount value (used by RUN; public for tests). */
int df_mount_parse(const char *value, struct df_mount *m, char **errmsg);
void df_mount_release(struct df_mount *m);
