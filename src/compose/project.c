/* project.c: the Compose loading pipeline: discover files, read the env, load each file
 * (YAML, `version:` warning, interpolation, include, extends, schema validation), merge them,
 * choose the project name, apply profiles, normalise and check dependencies. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "compose/compose.h"
#include "util/cleanup.h"
#include "util/fs.h"

static char *dirname_of(const char *path)
{
	char *d = xstrdup(path);
	char *slash = strrchr(d, '/');
	if (slash == d)
		d[1] = 0;
	else if (slash)
		*slash = 0;
	return d;
}

/* Load one document of a file into its raw model: interpolation, include, extends. */
static int load_doc(const char *file, json_t *m, json_t *env, struct strvec *chain, berr *err)
{
	_cleanup_free_ char *dir = dirname_of(file);
	/* `name:` with no body: an empty service */
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(m, "services"), k, v)
		if (json_is_null(v))
			json_object_set_new(json_object_get(m, "services"), k, json_object());
	if (compose_interpolate(m, compose_lookup_json, env, err) < 0)
		return -1;
	sv_push(chain, file);
	int rc = compose_apply_include(m, file, dir, env, chain, err);
	free(chain->v[--chain->n]);
	chain->v[chain->n] = NULL;
	if (rc < 0)
		return -1;
	return compose_apply_extends(m, file, dir, env, err);
}

/* Load one file: each of its YAML documents, merged in order. */
static int load_one(const char *file, json_t *env, struct strvec *chain, json_t **out, berr *err)
{
	json_t *docs = NULL, *m = NULL;
	if (compose_yaml_load_file_all(file, &docs, err) < 0)
		return -1;
	size_t i;
	json_t *d;
	json_array_foreach(docs, i, d) {
		if (load_doc(file, d, env, chain, err) < 0)
			goto fail;
		if (!m) {
			m = json_incref(d);
			continue;
		}
		json_t *merged = compose_merge(m, d, err);
		json_decref(m);
		m = merged;
		if (!m)
			goto fail;
	}
	json_decref(docs);
	*out = m ? m : json_object();
	return 0;
fail:
	json_decref(docs);
	json_decref(m);
	return -1;
}

int compose_load_files(const struct strvec *files, json_t *env, struct strvec *chain, json_t **out, berr *err)
{
	json_t *model = NULL;
	for (size_t i = 0; i < files->n; i++) {
		json_t *m = NULL;
		if (load_one(files->v[i], env, chain, &m, err) < 0)
			goto fail;
		if (!model)
			model = m;
		else {
			json_t *merged = compose_merge(model, m, err);
			json_decref(model);
			json_decref(m);
			model = merged;
			if (!model)
				goto fail;
		}
		compose_enforce_unicity(model);
		/* the merged model so far must be valid (an override file alone need not be) */
		json_t *copy = json_deep_copy(model);
		compose_strip_markers(copy);
		int rc = compose_validate(copy, files->v[i], err);
		json_decref(copy);
		if (rc < 0)
			goto fail;
		if (json_object_get(model, "version")) {
			compose_warn("%s: the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion",
				     files->v[i]);
			json_object_del(model, "version");
		}
	}
	compose_strip_markers(model);
	*out = model ? model : json_object();
	return 0;
fail:
	json_decref(model);
	return -1;
}

static int load_env(const struct compose_opts *o, const char *project_dir, json_t *penv, json_t **out, berr *err)
{
	char cwd[PATH_MAX];
	if (compose_getcwd(o, cwd, sizeof cwd, err) < 0)
		return -1;
	json_t *env = json_object();
	if (o->env_files.n) {
		for (size_t i = 0; i < o->env_files.n; i++) {
			_cleanup_free_ char *p = compose_abspath(cwd, o->env_files.v[i]);
			if (!path_exists(p)) {
				json_decref(env);
				return berr_set(err, 2, "couldn't find env file: %s", p);
			}
			if (compose_dotenv_load(p, compose_lookup_json, penv, env, err) < 0) {
				json_decref(env);
				return -1;
			}
		}
	} else {
		_cleanup_free_ char *p = xasprintf("%s/.env", project_dir);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		    compose_dotenv_load(p, compose_lookup_json, penv, env, err) < 0) {
			json_decref(env);
			return -1;
		}
	}
	json_object_update(env, penv); /* the process environment wins */
	*out = env;
	return 0;
}

static int invalid_name(const char *n, berr *err)
{
	return berr_set(err, 0,
			"invalid project name \"%s\": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number",
			n);
}

int compose_load(const struct compose_opts *o, struct compose_project *p, berr *err)
{
	memset(p, 0, sizeof *p);
	_cleanup_strvec_ struct strvec profiles = STRVEC_INIT;
	json_t *penv = compose_environ();
	int rc = -1;
	json_t *model = NULL;
	{
		/* COMPOSE_FILE may come from the .env of the working (or project) directory */
		json_t *denv = json_deep_copy(penv);
		if (!o->files.n && !compose_lookup_json(penv, "COMPOSE_FILE")) {
			char cwd[PATH_MAX];
			const char *d = o->project_dir ? o->project_dir
						       : compose_getcwd(o, cwd, sizeof cwd, err) == 0 ? cwd : NULL;
			_cleanup_free_ char *dot = d ? xasprintf("%s/.env", d) : NULL;
			struct stat st;
			json_t *tmp = json_object();
			if (dot && stat(dot, &st) == 0 && S_ISREG(st.st_mode) &&
			    compose_dotenv_load(dot, compose_lookup_json, penv, tmp, err) == 0 &&
			    compose_lookup_json(tmp, "COMPOSE_FILE")) {
				json_object_set(denv, "COMPOSE_FILE", json_object_get(tmp, "COMPOSE_FILE"));
				if (compose_lookup_json(tmp, "COMPOSE_PATH_SEPARATOR"))
					json_object_set(denv, "COMPOSE_PATH_SEPARATOR", json_object_get(tmp, "COMPOSE_PATH_SEPARATOR"));
			}
			json_decref(tmp);
		}
		int r = compose_discover(o, denv, &p->files, &p->dir, err);
		json_decref(denv);
		if (r < 0)
			goto out;
	}
	if (load_env(o, p->dir, penv, &p->env, err) < 0)
		goto out;
	{
		_cleanup_strvec_ struct strvec chain = STRVEC_INIT;
		if (compose_load_files(&p->files, p->env, &chain, &model, err) < 0)
			goto out;
	}
	if (!json_object_size(model)) {
		berr_set(err, 0, "empty compose file");
		goto out;
	}
	/* project name: -p, COMPOSE_PROJECT_NAME, name:, the project directory's name */
	const char *n = o->project_name;
	if (!n || !*n)
		n = compose_lookup_json(p->env, "COMPOSE_PROJECT_NAME");
	if (n && *n) {
		if (!compose_valid_name(n)) {
			invalid_name(n, err);
			goto out;
		}
		p->name = xstrdup(n);
	} else if (json_is_string(json_object_get(model, "name")) &&
		   *(p->name = compose_normalize_name(json_string_value(json_object_get(model, "name"))))) {
		/* name: from the files, normalised */
	} else {
		free(p->name);
		const char *base = strrchr(p->dir, '/');
		p->name = compose_normalize_name(base ? base + 1 : p->dir);
		if (!*p->name) {
			berr_set(err, 0, "project name must not be empty");
			goto out;
		}
	}
	for (size_t i = 0; i < o->profiles.n; i++)
		sv_push(&profiles, o->profiles.v[i]);
	const char *cp = compose_lookup_json(p->env, "COMPOSE_PROFILES");
	if (!profiles.n && cp && *cp) {
		_cleanup_free_ char *copy = xstrdup(cp);
		char *save = NULL;
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
			sv_push(&profiles, t);
	}
	if (compose_apply_profiles(model, &profiles, &o->services, err) < 0)
		goto out;
	if (compose_normalize(model, p->name, p->dir, p->env, err) < 0)
		goto out;
	if (compose_check_depends(model, err) < 0)
		goto out;
	p->model = steal_pointer(&model);
	rc = 0;
out:
	json_decref(model);
	json_decref(penv);
	if (rc < 0)
		compose_project_free(p);
	return rc;
}

void compose_project_free(struct compose_project *p)
{
	free(p->name);
	free(p->dir);
	sv_clear(&p->files);
	json_decref(p->env);
	json_decref(p->model);
	memset(p, 0, sizeof *p);
}
