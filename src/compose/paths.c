/* paths.c: making the relative paths of a raw Compose model absolute against a directory
 * (build contexts, bind-mount sources, env_file, label_file, secrets/configs files), used for
 * files pulled in by `extends` and `include` and for the project itself when normalising. */
#include <stdlib.h>
#include <string.h>
#include "compose/compose.h"
#include "util/cleanup.h"

static bool is_remote_context(const char *s)
{
	return strstr(s, "://") || !strncmp(s, "git@", 4) || !strncmp(s, "github.com/", 11);
}


static void set_abs(json_t *obj, const char *key, const char *dir)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_string(v))
		return;
	const char *s = json_string_value(v);
	if (s[0] == '/' || is_remote_context(s))
		return;
	char *a = compose_abspath(dir, s);
	json_object_set_new(obj, key, json_string(a));
	free(a);
}

/* A short-syntax volume's source is a path when it starts with ".", "/" or "~". */
static json_t *abs_short_volume(const char *s, const char *dir)
{
	const char *c = strchr(s, ':');
	if (!c || (s[0] != '.' && s[0] != '~'))
		return NULL;
	_cleanup_free_ char *src = xstrndup(s, (size_t)(c - s));
	_cleanup_free_ char *a = compose_abspath(dir, src);
	_cleanup_free_ char *r = xasprintf("%s%s", a, c);
	return json_string(r);
}

static void file_list(json_t *svc, const char *key, const char *dir)
{
	json_t *v = json_object_get(svc, key);
	if (json_is_string(v)) {
		set_abs(svc, key, dir);
		return;
	}
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x) {
		if (json_is_string(x) && json_string_value(x)[0] != '/') {
			char *a = compose_abspath(dir, json_string_value(x));
			json_array_set_new(v, i, json_string(a));
			free(a);
		} else if (json_is_object(x))
			set_abs(x, "path", dir);
	}
}

void compose_resolve_paths(json_t *model, const char *dir)
{
	const char *name;
	json_t *svc;
	json_object_foreach(json_object_get(model, "services"), name, svc) {
		if (!json_is_object(svc))
			continue;
		json_t *b = json_object_get(svc, "build");
		if (json_is_string(b)) {
			if (json_string_value(b)[0] != '/' && !is_remote_context(json_string_value(b))) {
				char *a = compose_abspath(dir, json_string_value(b));
				json_object_set_new(svc, "build", json_pack("{s:s}", "context", a));
				free(a);
			}
		} else if (json_is_object(b)) {
			if (!json_object_get(b, "context"))
				json_object_set_new(b, "context", json_string("."));
			set_abs(b, "context", dir);
		}
		json_t *vols = json_object_get(svc, "volumes");
		size_t i;
		json_t *v;
		json_array_foreach(vols, i, v) {
			if (json_is_string(v)) {
				json_t *n = abs_short_volume(json_string_value(v), dir);
				if (n)
					json_array_set_new(vols, i, n);
			} else if (json_is_object(v)) {
				const char *t = json_string_value(json_object_get(v, "type"));
				if (t && !strcmp(t, "bind"))
					set_abs(v, "source", dir);
			}
		}
		file_list(svc, "env_file", dir);
		file_list(svc, "label_file", dir);
		json_t *ext = json_object_get(svc, "extends");
		if (json_is_object(ext))
			set_abs(ext, "file", dir);
	}
	const char *tops[] = { "secrets", "configs" };
	for (size_t t = 0; t < 2; t++) {
		const char *k;
		json_t *o;
		json_object_foreach(json_object_get(model, tops[t]), k, o)
			if (json_is_object(o))
				set_abs(o, "file", dir);
	}
}
