/* include.c: the top-level `include:` list: each entry is loaded as its own Compose project
 * (paths relative to the including file, its own project directory and .env), and its
 * services, networks, volumes, secrets and configs are added to the including model (a
 * resource also defined by the including file is merged under that definition); an include
 * cycle is an error. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "compose/compose.h"
#include "util/cleanup.h"
#include "util/fs.h"

static char *dir_of(const char *path)
{
	char *d = xstrdup(path);
	char *s = strrchr(d, '/');
	if (s == d)
		d[1] = 0;
	else if (s)
		*s = 0;
	return d;
}

static void str_or_list(json_t *v, const char *dir, struct strvec *out)
{
	if (json_is_string(v)) {
		sv_push_owned(out, compose_abspath(dir, json_string_value(v)));
		return;
	}
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x)
		if (json_is_string(x))
			sv_push_owned(out, compose_abspath(dir, json_string_value(x)));
}

static int include_one(json_t *model, json_t *item, const char *dir, json_t *env, struct strvec *chain, berr *err)
{
	_cleanup_strvec_ struct strvec paths = STRVEC_INIT;
	_cleanup_strvec_ struct strvec envfiles = STRVEC_INIT;
	const char *pd = NULL;
	if (json_is_string(item))
		str_or_list(item, dir, &paths);
	else {
		str_or_list(json_object_get(item, "path"), dir, &paths);
		str_or_list(json_object_get(item, "env_file"), dir, &envfiles);
		pd = json_string_value(json_object_get(item, "project_directory"));
	}
	if (!paths.n)
		return berr_set(err, 0, "include: a path is required");
	for (size_t i = 0; i < paths.n; i++)
		if (strstr(paths.v[i], "://") || strstr(paths.v[i], "git@"))
			return berr_set(err, 0, "include %s: remote resources are not supported yet", paths.v[i]);
	for (size_t i = 0; i < paths.n; i++)
		if (sv_contains(chain, paths.v[i])) {
			struct strbuf b = STRBUF_INIT;
			sb_init(&b);
			sb_addf(&b, "include cycle detected:\n%s", chain->v[0]);
			for (size_t j = 1; j < chain->n; j++)
				sb_addf(&b, "\n include %s", chain->v[j]);
			sb_addf(&b, "\n include %s", paths.v[i]);
			berr_set(err, 0, "%s", b.buf);
			sb_release(&b);
			return -1;
		}
	_cleanup_free_ char *pdir = pd ? compose_abspath(dir, pd) : dir_of(paths.v[0]);
	/* the included project's variables: the including one's, then its env files / .env */
	json_t *ienv = json_object();
	if (!envfiles.n) {
		char *p = xasprintf("%s/.env", pdir);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			sv_push_owned(&envfiles, p);
		else
			free(p);
	}
	for (size_t i = 0; i < envfiles.n; i++)
		if (compose_dotenv_load(envfiles.v[i], compose_lookup_json, env, ienv, err) < 0) {
			json_decref(ienv);
			return -1;
		}
	json_object_update(ienv, env);
	json_t *inc = NULL;
	int rc = -1;
	if (compose_load_files(&paths, ienv, chain, &inc, err) < 0)
		goto out;
	compose_strip_markers(inc);
	compose_resolve_paths(inc, pdir);
	const char *kinds[] = { "services", "networks", "volumes", "secrets", "configs", "models" };
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		json_t *src = json_object_get(inc, kinds[k]);
		if (!json_is_object(src))
			continue;
		json_t *dst = json_object_get(model, kinds[k]);
		if (!json_is_object(dst)) {
			dst = json_object();
			json_object_set_new(model, kinds[k], dst);
		}
		const char *name;
		json_t *v;
		json_object_foreach(src, name, v) {
			json_t *local = json_object_get(dst, name);
			if (!local || json_equal(local, v)) {
				json_object_set(dst, name, v);
				continue;
			}
			/* defined on both sides: the including file's definition is merged over the
			 * imported one (as compose-go does) */
			json_t *wrap_a = json_pack("{s:{s:O}}", kinds[k], name, v);
			json_t *wrap_b = json_pack("{s:{s:O}}", kinds[k], name, local);
			json_t *merged = compose_merge(wrap_a, wrap_b, err);
			json_decref(wrap_a);
			json_decref(wrap_b);
			if (!merged)
				goto out;
			json_object_set(dst, name, json_object_get(json_object_get(merged, kinds[k]), name));
			json_decref(merged);
		}
	}
	rc = 0;
out:
	json_decref(inc);
	json_decref(ienv);
	return rc;
}

int compose_apply_include(json_t *model, const char *file, const char *dir, json_t *env, struct strvec *chain,
			  berr *err)
{
	(void)file;
	json_t *list = json_object_get(model, "include");
	if (!list)
		return 0;
	json_incref(list);
	json_object_del(model, "include");
	size_t i;
	json_t *item;
	int rc = 0;
	json_array_foreach(list, i, item)
		if ((rc = include_one(model, item, dir, env, chain, err)) < 0)
			break;
	json_decref(list);
	return rc;
}
