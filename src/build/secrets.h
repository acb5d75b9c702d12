/* secrets.h: `berth build --secret` and `RUN --mount=type=secret` (BuildKit's semantics). The
 * values are read only when a RUN mounts them, written to a private tmpfs of the builder and
 * bind-mounted read-only into the step's sandbox: never in a layer, in history or in a cache
 * key. See docs/build.md. */
#pragma once
#include "dockerfile/instr.h"
#include "util/err.h"
#include "util/strbuf.h"

struct bsecret_src {
	char *id;
	char *file;   /* src= / source= (NULL: env) */
	char *env;    /* env= (NULL: file) */
};

struct bsecrets {
	struct bsecret_src *v;
	size_t n;
	char *dir;            /* the tmpfs (mounted on first use), NULL before */
	unsigned seq;
};

/* Parse the --secret values: id=ID[,src=FILE|source=FILE][,env=VAR][,type=file|env]; "id=X"
 * alone is the environment variable X when it is set, else the file X (as buildx). Errors
 * use buildx's wording. */
int bsecrets_parse(const struct strvec *specs, struct bsecrets *out, berr *err);
void bsecrets_release(struct bsecrets *s);

/* One RUN --mount=type=secret: the value is written to a file in a new directory of a tmpfs
 * under tmpdir (mode, uid and gid of the mount, default 0400 0:0), that directory is pushed
 * to cleanup (the caller removes it after the step) and a runtime --mount string for target
 * (the absolute target, NULL when the mount has only env=) is pushed to mounts; env= pushes
 * "VAR=value" to env. A secret that was not given is skipped unless required=true: "secret ID
 * not found: not found". Safe to call from parallel steps. */
int bsecrets_mount(struct bsecrets *s, const char *tmpdir, const struct df_mount *m, const char *target,
		   struct strvec *mounts, struct strvec *env, struct strvec *cleanup, berr *err);
