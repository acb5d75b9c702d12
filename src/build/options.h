/* options.h: `berth build` options (docker build's flags) and loading the build context's
 * Dockerfile; shared by the lint/--call front end and the builder. */
#pragma once
#include <stdbool.h>
#include "util/err.h"
#include "util/strbuf.h"

struct build_opts {
	struct strvec tags;          /* -t */
	const char *file;            /* -f (NULL: CONTEXT/Dockerfile; "-": stdin) */
	const char *target;          /* --target */
	struct strvec build_args;    /* --build-arg as given (K=V or K) */
	struct strvec labels;        /* --label */
	bool no_cache;
	struct strvec no_cache_filter;
	const char *progress;        /* auto|plain|tty|quiet|rawjson */
	bool quiet;                  /* -q */
	const char *iidfile;
	const char *network;         /* default|host|none */
	struct strvec secrets;       /* id=X,src=F|env=V */
	struct strvec outputs;       /* -o */
	struct strvec cache_from, cache_to;
	const char *platform;
	const char *compression;      /* --compression gzip|zstd|uncompressed (NULL: gzip) */
	bool check;                  /* --check (= --call check) */
	const char *call;            /* --call build|check|outline|targets[,format=json] */
	const char *context;         /* CONTEXT positional ("-": stdin) */
};

/* Parse argv (argv[0] = "build"). Returns 0, or 1 with *status set (help / usage error:
 * message printed). Validates --progress, --network, --call, --secret syntax. */
int build_opts_parse(int argc, char **argv, struct build_opts *o, int *status);
void build_opts_release(struct build_opts *o);

/* The resolved --build-arg list as "K=V" (K alone takes $K from the environment, and is
 * dropped when unset, as docker does). */
void build_opts_args(const struct build_opts *o, struct strvec *out);

/* Read the Dockerfile: -f FILE (relative to the cwd, as docker), "-f -" stdin, default
 * CONTEXT/Dockerfile; a context of "-" reads a Dockerfile from stdin. *name gets the name to
 * show in messages (the file's base name, "Dockerfile" for stdin). */
int build_load_dockerfile(const struct build_opts *o, char **data, size_t *len, char **name,
			  berr *err);
