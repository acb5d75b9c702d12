/* engine.h: the Compose engine: turns a loaded project (compose.h) into containers, networks
 * and volumes through the runtime's library (the same code path as `berth create/start`:
 * runtime/create.h, runtime/lifecycle.h) and the network library (net/net.h).
 *
 * Resources are found again by their labels, as compose v2 does: every container carries
 * com.docker.compose.{project,service,container-number,oneoff,config-hash,
 * project.working_dir,project.config_files}; networks carry com.docker.compose.{project,network}.
 * Names: containers `<project>-<service>-<n>` (or container_name), networks `<project>_<net>`,
 * volumes `<project>_<vol>` (from the normalised model's `name`). See docs/compose.md. */
#pragma once
#include <signal.h>
#include <stdint.h>
#include <stdbool.h>
#include <jansson.h>
#include "compose/compose.h"
#include "runtime/runtime.h"

#define CL_PROJECT "com.docker.compose.project"
#define CL_SERVICE "com.docker.compose.service"
#define CL_NUMBER "com.docker.compose.container-number"
#define CL_ONEOFF "com.docker.compose.oneoff"
#define CL_HASH "com.docker.compose.config-hash"
#define CL_WORKDIR "com.docker.compose.project.working_dir"
#define CL_FILES "com.docker.compose.project.config_files"
#define CL_NETWORK "com.docker.compose.network"
#define CL_VOLUME "com.docker.compose.volume"
#define CL_IMAGE "com.docker.compose.image"

/* ---- plan.c ---- */
/* The services to act on, in dependency order (dependencies first). selected (may be empty:
 * every service) names services; their dependencies are added. Unknown service: "no such
 * service: X"; a cycle: compose's "dependency cycle detected: a -> b -> a". */
int compose_plan(json_t *model, const struct strvec *selected, bool with_deps, struct strvec *order, berr *err);
/* The config hash of a service (sha256 hex of its canonical JSON, without the keys that do not
 * change a container: build, deploy.replicas, pull_policy, scale). */
char *compose_service_hash(json_t *svc);
/* The dependency level of each service of order (0: no dependency in order): up converges
 * the services of a level concurrently. */
void compose_levels(json_t *model, const struct strvec *order, int *levels);
/* Number of replicas of a service (scale > deploy.replicas > 1), with --scale overrides
 * ("web=3" strings) applied. */
int compose_replicas(json_t *svc, const char *name, const struct strvec *scale);

/* ---- engine.c ---- */
struct cengine {
	struct berth_ctx *ctx;
	struct store *st;
	struct compose_project *p;   /* NULL when acting on a project by name only (ls, down -p) */
	const char *project;         /* the project name */
	bool tty;                    /* progress as compose's tty display (stderr is a terminal) */
	int nevents, ndone;
	struct strvec events;        /* "Kind\tName\tStatus" lines for the tty summary */
	bool net_warned, ports_warned;
	bool quiet;                  /* no progress events (pull -q, push -q) */
	const struct strvec *build_args; /* compose build --build-arg (over build.args), or NULL */
	bool no_cache;               /* compose build --no-cache */
	const struct strvec *carry_volumes; /* "NAME:DST" anonymous volumes a recreated container keeps */
	int evfd;                    /* > 0: events go to this pipe (a forked worker, see up) */
	long parallel;               /* max concurrent workers (--parallel); <= 0: no limit */
};
int cengine_open(struct cengine *e, struct berth_ctx *ctx, struct compose_project *p, const char *project, berr *err);
void cengine_close(struct cengine *e);
/* Progress: one resource moved to a status (" Container x-web-1  Started"). On a terminal the
 * lines are collected and printed by cengine_flush under "[+] Running N/N". */
void cengine_event(struct cengine *e, const char *kind, const char *name, const char *status);
void cengine_flush(struct cengine *e, const char *verb);

/* The project's containers (label com.docker.compose.project), sorted by service then number.
 * service NULL: all; oneoff: 0 = only service containers, 1 = only `run` containers, -1 = all. */
int cengine_containers(struct cengine *e, const char *service, int oneoff, struct ctr ***out, size_t *n, berr *err);
const char *ctr_label(struct ctr *c, const char *key);

/* Networks and volumes of the model: create what is missing (labelled); external networks
 * must exist ("network X declared as external, but could not be found"). check_only: only
 * verify the external ones. */
int cengine_ensure_networks(struct cengine *e, bool check_only, berr *err);
int cengine_ensure_volumes(struct cengine *e, berr *err);
int cengine_remove_networks(struct cengine *e, berr *err);
int cengine_remove_volumes(struct cengine *e, berr *err);

/* Create one container of service svc, number n (oneoff: a `run` container, cmd overrides the
 * command when ncmd > 0). */
struct cengine_run_opts {
	bool oneoff, rm, tty, interactive, detach, no_deps;
	char **cmd;
	int ncmd;
	const char *entrypoint, *name, *user, *workdir;
	struct strvec *env;
	/* compose run: -p (Docker's syntax), -v (relative sources against the project directory,
	 * declared volumes by their key), --service-ports, --use-aliases, --cap-add/--cap-drop, -l */
	struct strvec *publish, *volumes, *cap_add, *cap_drop, *labels;
	bool service_ports, use_aliases;
};
int cengine_create(struct cengine *e, const char *svc, int n, const struct cengine_run_opts *ro, struct ctr **out, berr *err);

/* up: converge every planned service (create missing, recreate changed, start stopped) in
 * dependency order, honouring depends_on conditions. */
struct cengine_up_opts {
	bool force_recreate, no_recreate, remove_orphans, wait, no_start, build, no_build, quiet_pull;
	bool no_deps;                /* only the named services, not their dependencies */
	bool recreate_deps;          /* --always-recreate-deps: recreate the dependencies too */
	bool renew_anon;             /* -V: a recreated container gets new anonymous volumes */
	const char *pull;            /* --pull always|missing|never (NULL: each service's pull_policy) */
	const struct strvec *scale;
	const struct strvec *services;
	int timeout;                 /* stop timeout for recreate (-1: the service's) */
};
int cengine_up(struct cengine *e, const struct cengine_up_opts *o, berr *err);
/* Wait until a service's containers meet a depends_on condition. */
int cengine_wait_condition(struct cengine *e, const char *svc, const char *condition, berr *err);
/* Stop (reverse dependency order), kill, start, remove. */
int cengine_stop(struct cengine *e, const struct strvec *services, int timeout, berr *err);
int cengine_start(struct cengine *e, const struct strvec *services, berr *err);
int cengine_kill(struct cengine *e, const struct strvec *services, int sig, berr *err);
/* Remove stopped containers (force: stop them first); volumes: anonymous volumes too. */
int cengine_rm(struct cengine *e, const struct strvec *services, bool stop_first, bool volumes, int oneoff, berr *err);
/* Containers of services no longer in the model. */
int cengine_orphans(struct cengine *e, struct strvec *names, berr *err);
/* Image the containers of a service run: image:, else "<project>-<service>" (built). */
char *cengine_service_image(struct cengine *e, const char *svc);
/* Build the services that have `build:` (only those whose image is missing unless force). */
int cengine_build(struct cengine *e, const struct strvec *services, bool force, bool quiet, berr *err);
/* The image ID of ref in the store ("sha256:..." malloc'd in *id); -1 when missing. */
int cengine_image_id(struct cengine *e, const char *ref, char **id);

/* ---- parallel.c ---- */
/* Run fn(e, 0..n-1) concurrently, one forked worker each with its own store connection; their
 * events are printed by the caller's process. The first error is returned. */
typedef int (*cengine_job_fn)(struct cengine *e, size_t i, void *ud, berr *err);
int cengine_parallel(struct cengine *e, size_t n, cengine_job_fn fn, void *ud, berr *err);

/* ---- secrets.c ---- */
/* The service's secrets and configs as "-v SRC:TARGET:ro" binds (see secrets.c). volumes
 * NULL: only check that they can be mounted (up does it before creating anything). */
int cengine_secret_mounts(struct cengine *e, const char *svc, json_t *s, struct strvec *volumes, berr *err);
/* <root>/compose/<project>: files written for environment/content secrets and configs
 * (removed by down). malloc'd. */
char *cengine_files_dir(struct cengine *e);

/* ---- pull.c: compose pull / push, pull_policy (the registry client, registry/registry.h) ---- */
struct cengine_pull_opts {
	bool ignore_buildable, ignore_failures, include_deps, quiet;
	const char *policy;              /* --policy missing|always, overrides pull_policy */
	const struct strvec *services;
};
int cengine_pull(struct cengine *e, const struct cengine_pull_opts *o, berr *err);
/* Push the images of services with build: and image: (and build.tags). */
int cengine_push(struct cengine *e, const struct strvec *services, bool include_deps, bool ignore_failures, bool quiet,
		 berr *err);
/* compose build --pull: pull again the base images (FROM) of a service's Dockerfile. */
int cengine_pull_bases(struct cengine *e, const char *svc, berr *err);
/* Pull one service's image (" web Pulling" / " web Pulled"); id_out may be NULL. */
int cengine_pull_service(struct cengine *e, const char *svc, char **id_out, berr *err);
/* A service's pull policy: policy_override, else pull_policy, else "missing" (daily, weekly,
 * every_* and if_not_present read as missing). (plan.c) */
const char *cengine_pull_policy(json_t *svc, const char *policy_override);

/* Call another berth verb in process (exec, top, port, build): the same code path. */
int cengine_call_verb(struct berth_ctx *ctx, const char *group, struct strvec *argv);

/* ---- logs.c ---- */
struct compose_logs_opts {
	bool follow, timestamps, no_prefix, color;
	long tail;                       /* -1: all */
	int64_t since, until;            /* ns since the epoch; 0: no bound (--since, --until) */
	volatile sig_atomic_t *stop;     /* set by a signal handler: stop following */
	/* called when a followed container exits; a non-zero return stops and is returned */
	int (*on_exit)(struct ctr *c, void *ud);
	void *ud;
};
/* Print the logs of containers v (prefixed "web-1  | "), following them while they run. */
int compose_logs(struct cengine *e, struct ctr **v, size_t n, const struct compose_logs_opts *o);
