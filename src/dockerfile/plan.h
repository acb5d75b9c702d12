/* plan.h: the build plan, computed from a Dockerfile without running anything, as
 * BuildKit's dockerfile2llb dispatch (20.10) does: per stage its base and ordered steps,
 * per step the expanded instruction, the build args it can see, the environment a RUN
 * gets, the history created_by string and whether it makes a layer, and per stage the image
 * config (Docker's container Config shape, jansson). */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include "dockerfile/envmap.h"
#include "dockerfile/stages.h"

/* The config of a base image: return a new reference to its "config" object (Docker's
 * Config shape: Env, Cmd, ...; may lack keys) or -1 with err if the image is unknown. */
typedef int (*plan_base_fn)(void *ctx, const char *ref, const char *platform, json_t **config,
			    berr *err);

struct plan_opts {
	const char *target;           /* stage name or NULL for the last stage */
	const char *const *build_args;/* "K=V" (NULL-terminated), may be NULL */
	const char *platform;         /* target platform "os/arch[/variant]", NULL = host */
	plan_base_fn base;            /* resolves images (FROM, COPY --from, RUN --mount from=) */
	void *base_ctx;
	bool all_configs;             /* keep every planned stage's config, history and
	                               * environment (by default a stage that is not the target
	                               * hands them on to the only stage built FROM it) */
};

enum plan_base_kind { PLAN_BASE_IMAGE, PLAN_BASE_STAGE, PLAN_BASE_SCRATCH };

struct plan_step {
	const struct df_instr *instr; /* the typed instruction (ONBUILD triggers: owned by plan) */
	bool trigger;                 /* came from the base's ONBUILD */
	struct strvec args;           /* expanded: RUN/CMD/ENTRYPOINT full argv (shell added),
	                               * COPY/ADD sources and dest, ENV/LABEL "K=V", EXPOSE ports,
	                               * VOLUME paths, USER/WORKDIR/STOPSIGNAL/ARG/... words.
	                               * args and shell are read-only: array and strings live in
	                               * the plan's arena (never sv_clear them) */
	char *chown, *chmod;          /* COPY/ADD, expanded */
	int from_stage;               /* COPY --from a stage: its index, else -1 */
	char *from_image;             /* COPY --from an image, else NULL */
	int *mount_stage;             /* per RUN mount: stage of from=, -1 if none/image */
	char **mount_image;           /* per RUN mount: image of from=, or NULL */
	char *created_by;             /* history entry, exactly as BuildKit writes it */
	bool layer;                   /* false: empty_layer metadata step */
	const char *const *build_args;/* "K=V" build args visible (the |N prefix of RUN, the
	                               * cache key's args); shared between steps */
	size_t nbuild_args;
	const char *const *env;       /* RUN: the environment the command sees (ENV + ARG values
	                               * + proxy build args), nenv entries; else NULL */
	size_t nenv;
	const char *workdir, *user;   /* at this step (shared strings) */
	struct strvec shell;          /* at this step */
};

struct plan_hist {
	const char *created_by;       /* owned by the step that made it */
	bool empty_layer;
};

struct plan_stage {
	int index;
	const struct df_stage *df;
	enum plan_base_kind base_kind;
	char *base_ref;               /* image reference (expanded FROM) */
	int base_stage;               /* PLAN_BASE_STAGE: index */
	char *platform;               /* expanded --platform or NULL */
	struct plan_step *steps;
	size_t nsteps;
	json_t *config;               /* final image config of this stage; its "Env" is only
	                               * filled in by plan_stage_config() (done for the target).
	                               * NULL for a stage handed on (see below) */
	struct plan_hist *hist;       /* history entries added by this Dockerfile (inherited
	                               * from parent stages first; not the base image's own) */
	/* A stage that is not the target and is the base (FROM) of exactly one stage hands its
	 * config, hist, state_env and img_env on to that stage instead of being copied (unless
	 * opts.all_configs): they are then NULL / empty here. Its steps stay. */
	size_t nhist;
	struct envmap state_env;      /* environment state at the end (for child stages) */
	struct envmap img_env;        /* the config's Env as a map (for child stages) */
	bool env_done;
	bool handed_on;               /* config, hist and envs moved to the stage built on it */
	unsigned owned;               /* private: config objects not shared with the base's */
	int refs;                     /* private: stages FROM this one not planned yet */
	bool needed;                  /* the target needs it */
	bool planned;
	int wave;                     /* stages of the same wave are independent: parallel */
	int *deps;                    /* stages this one needs (base, --from, mount from=) */
	size_t ndeps;
	struct df_parse_result **trigger_pr; /* parse results of executed ONBUILD triggers */
	size_t ntrigger_pr;
};

struct plan {
	const struct df_file *file;
	struct plan_stage *stages;
	size_t nstages;
	int target;
	struct strvec unused_build_args; /* --build-arg names no ARG consumed */
	/* private: the steps' strings and arrays (args, shell, created_by, chown, chmod,
	 * from_image, build_args, env, workdir, user), the stages' base_ref and platform */
	struct arena arena;
};

/* Plan the stages the target needs. The file must outlive the plan. */
int plan_build(const struct df_file *f, const struct plan_opts *o, struct plan **out, berr *err);
void plan_free(struct plan *p);

/* Stage i's complete image config (borrowed; NULL if the stage was not planned). */
json_t *plan_stage_config(struct plan *p, int i);

/* The default PATH BuildKit sets when an image has none. */
#define PLAN_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* Host platform as "linux/amd64" (static string). */
const char *plan_host_platform(void);
/* A JSON document of the plan: {"target", "config", "history":[{created_by, empty_layer}],
 * "stages":[...]} (new reference). */
json_t *plan_to_json(const struct plan *p);
