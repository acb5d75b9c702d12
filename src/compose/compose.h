/* compose.h: the Compose loader's public API (files -> one normalised model as jansson json_t).
 *
 * Pipeline (compose_load, project.c): discover files (discover.c), read the env (.env, --env-file,
 * process environment; env.c), per file: parse YAML (load.c), interpolate (interp.c), resolve
 * include (include.c) and extends (extends.c), validate against the Compose schema (validate.c);
 * merge the files (merge.c), apply profiles (profiles.c), normalise (normalize.c), check
 * depends_on for unknown services and cycles (normalize.c). */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include "util/err.h"
#include "util/strbuf.h"

/* ---- load.c: YAML -> JSON, scalars as YAML 1.2 core schema (go-yaml v3, as compose v2) ---- */
/* Parse YAML text (name is used in messages); the first document. An empty stream gives an
 * empty object.
 * Anchors, aliases and "<<" merge keys are resolved; "!reset" and "!override" tags become the
 * markers below (consumed by merge.c). */
int compose_yaml_parse(const char *name, const char *text, size_t len, json_t **out, berr *err);
int compose_yaml_load_file(const char *path, json_t **out, berr *err);
/* Every document of a multi-document stream ("---"), as a JSON array of objects. */
int compose_yaml_parse_all(const char *name, const char *text, size_t len, json_t **out, berr *err);
int compose_yaml_load_file_all(const char *path, json_t **out, berr *err);
/* Emit a JSON value as block YAML (strings that would read back as another type are quoted).
 * Returns a malloc'd string. */
char *compose_yaml_emit(json_t *v);
/* True if a plain YAML scalar with this text resolves to a string (not null/bool/int/float). */
bool compose_yaml_plain_is_string(const char *s);
#define COMPOSE_RESET_KEY "\x01reset"      /* {"\x01reset": null} stands for `!reset` */
#define COMPOSE_OVERRIDE_KEY "\x01override" /* {"\x01override": v} stands for `!override v` */

/* Print Docker compose's warning line: "WARN[0000] msg". */
void compose_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- interp.c: ${VAR} interpolation as compose-go's template package ---- */
/* Look up a variable: returns its value, or NULL when unset. */
typedef const char *(*compose_lookup_fn)(void *ud, const char *name);
/* Substitute one string. Unset variables without a default become "" and are pushed (once)
 * to *unset if unset != NULL. Errors: "Invalid template: ..." or "required variable X is
 * missing a value[: msg]". */
int compose_interp_string(const char *in, compose_lookup_fn lookup, void *ud, char **out,
			  struct strvec *unset, berr *err);
/* Interpolate every string value in the model (not keys), then cast the values that the spec
 * types as bool/int/float (privileged: "${X}" -> true). Errors name the path:
 * "error while interpolating services.web.image: ...". Prints compose's "variable is not set"
 * warnings. */
int compose_interpolate(json_t *model, compose_lookup_fn lookup, void *ud, berr *err);
/* A lookup over a JSON object of strings (ud is the json_t *). */
const char *compose_lookup_json(void *ud, const char *name);

/* ---- env.c: .env files (compose-go dotenv) ---- */
/* Parse dotenv text into the object `into` (later keys win). Values are expanded with the
 * variables already read and lookup (which wins, as the process environment does). */
int compose_dotenv_parse(const char *name, const char *text, compose_lookup_fn lookup, void *ud,
			 json_t *into, berr *err);
int compose_dotenv_load(const char *path, compose_lookup_fn lookup, void *ud, json_t *into, berr *err);
/* The process environment as a JSON object. */
json_t *compose_environ(void);

/* ---- merge.c: the Compose spec's merge rules for several -f files ---- */
/* Merge override into base (both raw, per-file models); returns a new reference, or NULL
 * with err set ("cannot override services.web.ports"). */
json_t *compose_merge(json_t *base, json_t *override, berr *err);
/* Merge one service definition over another (used by extends). New reference or NULL. */
json_t *compose_merge_service(json_t *base, json_t *override, berr *err);
/* Make the keyed sequences unique (ports, volumes, expose, secrets, environment...): a later
 * entry with the same key replaces the earlier one in place. */
void compose_enforce_unicity(json_t *model);
/* Remove the !reset / !override markers left after merging. */
void compose_strip_markers(json_t *v);

/* ---- validate.c: JSON-schema validation against compose-spec.schema.json ---- */
/* Validate a model; errors read "validating FILE: services.web.ports[0]: expected ...". */
int compose_validate(json_t *model, const char *file, berr *err);
/* Where the schema is read from: $BERTH_COMPOSE_SCHEMA, else the build-time path. */
const char *compose_schema_path(void);

/* ---- discover.c ---- */
struct compose_opts {
	struct strvec files;      /* -f, in order */
	const char *project_name; /* -p */
	const char *project_dir;  /* --project-directory */
	struct strvec env_files;  /* --env-file */
	struct strvec profiles;   /* --profile */
	struct strvec services;   /* services named on the command line (with their dependencies) */
	const char *workdir;      /* NULL: the current directory */
	long parallel;            /* --parallel / COMPOSE_PARALLEL_LIMIT: max concurrent workers (<= 0: no limit) */
};
/* Resolve the compose files (absolute paths) and the project directory. */
int compose_discover(const struct compose_opts *o, json_t *env, struct strvec *files,
		     char **project_dir, berr *err);
/* The working directory as Go's os.Getwd gives it ($PWD when it is the current directory). */
int compose_getcwd(const struct compose_opts *o, char *buf, size_t size, berr *err);
/* Normalise a project name as compose does (lowercase, [a-z0-9_-], no leading _ or -). */
char *compose_normalize_name(const char *s);
bool compose_valid_name(const char *s);

/* ---- extends.c / include.c ---- */
/* Resolve `extends` in every service of model (loaded from file in dir). */
int compose_apply_extends(json_t *model, const char *file, const char *dir, json_t *env, berr *err);
/* Resolve `include`: load each included file (relative to dir), merge its resources in.
 * chain holds the files being included (cycle detection). */
int compose_apply_include(json_t *model, const char *file, const char *dir, json_t *env,
			  struct strvec *chain, berr *err);
/* Make the relative paths of a raw model (build context, bind sources, env_file, secrets/configs
 * files, extends.file) absolute against dir. */
void compose_resolve_paths(json_t *model, const char *dir);
char *compose_abspath(const char *dir, const char *p);

/* ---- profiles.c ---- */
/* Drop services whose profiles are not enabled; when services are selected (`config web`),
 * keep exactly those and their dependencies ("no such service: X" for an unknown one). */
int compose_apply_profiles(json_t *model, const struct strvec *profiles, const struct strvec *selected, berr *err);
/* All profiles named in the model, sorted, unique. */
void compose_list_profiles(json_t *model, struct strvec *out);

/* ---- normalize.c ---- */
int compose_normalize(json_t *model, const char *project_name, const char *project_dir, json_t *env, berr *err);
/* Durations as compose: parse "1m30s", "1.5h", "2d"... into nanoseconds; print as Go does. */
int compose_parse_duration(const char *s, long long *ns);
char *compose_format_duration(long long ns);
/* Check depends_on: unknown services and cycles. */
int compose_check_depends(json_t *model, berr *err);

/* ---- project.c: the whole pipeline ---- */
struct compose_project {
	char *name;
	char *dir;
	struct strvec files;
	json_t *env;    /* the variables used for interpolation */
	json_t *model;  /* the normalised model */
};
int compose_load(const struct compose_opts *o, struct compose_project *p, berr *err);
/* Load and merge files (each interpolated with env, include and extends applied, the merged
 * model validated after each file); chain lists the files being included (cycles). */
int compose_load_files(const struct strvec *files, json_t *env, struct strvec *chain, json_t **out, berr *err);
void compose_project_free(struct compose_project *p);
