/* extends.c: `extends: {file, service}` / `extends: service`: a service built on another one
 * (in the same file or another), merged by the spec's merge rules; paths of a service taken
 * from another file are resolved against that file's directory; cycles are errors. */
#include <stdlib.h>
#include <string.h>
#include "compose/compose.h"
#include "util/cleanup.h"

struct xctx {
	json_t *env;
	struct strvec chain; /* "file#service" being resolved */
	berr *err;
};

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

static int load_other(const char *path, json_t *env, json_t **out, berr *err)
{
	json_t *m;
	if (compose_yaml_load_file(path, &m, err) < 0)
		return -1;
	json_object_del(m, "version");
	if (compose_interpolate(m, compose_lookup_json, env, err) < 0) {
		json_decref(m);
		return -1;
	}
	*out = m;
	return 0;
}

/* Resolve the extends of services[name] in model (loaded from file); returns a new reference
 * to the resolved service. */
static json_t *resolve(struct xctx *x, json_t *model, const char *file, const char *name)
{
	json_t *svc = json_object_get(json_object_get(model, "services"), name);
	if (!svc) {
		berr_set(x->err, 0, "service \"%s\" not found in %s", name, file);
		return NULL;
	}
	if (json_is_null(svc))
		svc = json_object();
	else
		json_incref(svc);
	json_t *ext = json_object_get(svc, "extends");
	if (!ext)
		return svc;
	_cleanup_free_ char *key = xasprintf("%s#%s", file, name);
	if (sv_contains(&x->chain, key)) {
		/* as compose: "Circular reference:\n  a in f\n  extends b in f\n  extends a in f" */
		struct strbuf b = STRBUF_INIT;
		sb_init(&b);
		sb_adds(&b, "Circular reference:");
		for (size_t i = 0; i <= x->chain.n; i++) {
			const char *e = i < x->chain.n ? x->chain.v[i] : key;
			const char *hash = strrchr(e, '#');
			sb_addf(&b, "\n  %s%s in %.*s", i ? "extends " : "", hash + 1, (int)(hash - e), e);
		}
		berr_set(x->err, 0, "%s", b.buf);
		sb_release(&b);
		json_decref(svc);
		return NULL;
	}
	const char *base_name = json_is_string(ext) ? json_string_value(ext)
						     : json_string_value(json_object_get(ext, "service"));
	const char *base_file = json_is_object(ext) ? json_string_value(json_object_get(ext, "file")) : NULL;
	if (!base_name) {
		berr_set(x->err, 0, "extends.%s.service is required", name);
		json_decref(svc);
		return NULL;
	}
	sv_push(&x->chain, key);
	json_t *base = NULL;
	if (base_file) {
		_cleanup_free_ char *d = dir_of(file);
		_cleanup_free_ char *path = compose_abspath(d, base_file);
		json_t *other;
		if (load_other(path, x->env, &other, x->err) == 0) {
			if (!json_object_get(json_object_get(other, "services"), base_name)) {
				berr_set(x->err, 0, "cannot extend service \"%s\" in %s: service \"%s\" not found in %s", name, file,
					 base_name, base_file);
				json_decref(other);
				other = NULL;
			}
			base = other ? resolve(x, other, path, base_name) : NULL;
			if (base) {
				/* the base's relative paths are relative to its own file */
				_cleanup_free_ char *bd = dir_of(path);
				json_t *wrap = json_pack("{s:{s:O}}", "services", "x", base);
				compose_resolve_paths(wrap, bd);
				json_decref(base);
				base = json_incref(json_object_get(json_object_get(wrap, "services"), "x"));
				json_decref(wrap);
			}
			json_decref(other);
		}
	} else if (!json_object_get(json_object_get(model, "services"), base_name)) {
		berr_set(x->err, 0, "cannot extend service \"%s\" in %s: service \"%s\" not found", name, file, base_name);
	} else
		base = resolve(x, model, file, base_name);
	free(x->chain.v[--x->chain.n]);
	x->chain.v[x->chain.n] = NULL;
	if (!base) {
		json_decref(svc);
		return NULL;
	}
	json_t *over = json_deep_copy(svc);
	json_object_del(over, "extends");
	json_decref(svc);
	json_t *merged = compose_merge_service(base, over, x->err);
	json_decref(base);
	json_decref(over);
	if (merged)
		json_object_del(merged, "extends");
	return merged;
}

int compose_apply_extends(json_t *model, const char *file, const char *dir, json_t *env, berr *err)
{
	(void)dir;
	json_t *services = json_object_get(model, "services");
	if (!json_is_object(services))
		return 0;
	struct xctx x = { env, STRVEC_INIT, err };
	json_t *done = json_object();
	const char *name;
	json_t *svc;
	int rc = 0;
	json_object_foreach(services, name, svc) {
		if (!json_is_object(svc) || !json_object_get(svc, "extends"))
			continue;
		json_t *r = resolve(&x, model, file, name);
		if (!r) {
			rc = -1;
			break;
		}
		json_object_set_new(done, name, r);
	}
	if (rc == 0)
		json_object_update(services, done);
	json_decref(done);
	sv_clear(&x.chain);
	return rc;
}
