/* merge.c: merging several Compose files (-f a -f b) by the Compose spec's merge rules, as
 * compose-go's override package: mappings merge recursively, scalars are replaced, command /
 * entrypoint / healthcheck.test are replaced whole, environment / labels / build.args become
 * maps and merge by key, ports / volumes / expose / secrets ... are appended and made unique by
 * their key (a later entry replaces an earlier one in place); `!reset` and `!override` tags. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compose/compose.h"
#include "util/cleanup.h"

static bool is_reset(json_t *v)
{
	return json_is_object(v) && json_object_size(v) == 1 && json_object_get(v, COMPOSE_RESET_KEY);
}
static json_t *override_of(json_t *v)
{
	return json_is_object(v) && json_object_size(v) == 1 ? json_object_get(v, COMPOSE_OVERRIDE_KEY) : NULL;
}

static bool path_is(const char *path, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(path, list[i]))
			return true;
	return false;
}

/* Paths whose children are named entries (their key becomes "*"). */
static const char *const named_parents[] = { "services", "networks", "volumes", "secrets", "configs", "models",
					      "services.*.ulimits", "services.*.networks", "services.*.depends_on",
					      "services.*.models" };
static const char *const replaced[] = { "services.*.command", "services.*.entrypoint", "services.*.healthcheck.test" };
static const char *const to_map[] = { "services.*.environment", "services.*.labels", "services.*.build.args",
				       "services.*.build.labels", "services.*.annotations", "services.*.deploy.labels",
				       "services.*.sysctls", "services.*.build.additional_contexts",
				       "networks.*.labels", "volumes.*.labels", "networks.*.ipam.options",
				       "services.*.volumes.*.volume.labels" };

/* A list of "K=V" (or a map) as a map; "K" alone maps to null. New reference. */
static json_t *as_map(json_t *v)
{
	if (json_is_object(v))
		return json_incref(v);
	json_t *m = json_object();
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x) {
		if (!json_is_string(x))
			continue;
		const char *s = json_string_value(x);
		const char *eq = strchr(s, '=');
		if (!eq) {
			json_object_set_new(m, s, json_null());
			continue;
		}
		_cleanup_free_ char *k = xstrndup(s, (size_t)(eq - s));
		json_object_set_new(m, k, json_string(eq + 1));
	}
	return m;
}

static json_t *depends_map(json_t *v)
{
	if (!json_is_array(v))
		return json_incref(v);
	json_t *m = json_object();
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x)
		if (json_is_string(x))
			json_object_set_new(m, json_string_value(x),
					    json_pack("{s:s,s:b}", "condition", "service_started", "required", 1));
	return m;
}

static json_t *networks_map(json_t *v)
{
	if (!json_is_array(v))
		return json_incref(v);
	json_t *m = json_object();
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x)
		if (json_is_string(x))
			json_object_set_new(m, json_string_value(x), json_null());
	return m;
}

/* The unicity key of a sequence item, by the sequence's path. Caller frees. */
static char *item_key(const char *path, json_t *x)
{
	if (!strcmp(path, "services.*.volumes") || !strcmp(path, "services.*.devices")) {
		if (json_is_object(x))
			return xstrdup(json_string_value(json_object_get(x, "target")) ?: "");
		if (json_is_string(x)) {
			const char *s = json_string_value(x);
			const char *c = strchr(s, ':');
			if (!c)
				return xstrdup(s);
			const char *e = strchr(c + 1, ':');
			return e ? xstrndup(c + 1, (size_t)(e - c - 1)) : xstrdup(c + 1);
		}
	}
	if (!strcmp(path, "services.*.ports") && json_is_object(x)) {
		json_t *pub = json_object_get(x, "published");
		_cleanup_free_ char *ps = pub ? json_dumps(pub, JSON_ENCODE_ANY) : xstrdup("");
		return xasprintf("%s:%s:%lld/%s", json_string_value(json_object_get(x, "host_ip")) ?: "", ps,
				 json_integer_value(json_object_get(x, "target")),
				 json_string_value(json_object_get(x, "protocol")) ?: "tcp");
	}
	if ((!strcmp(path, "services.*.secrets") || !strcmp(path, "services.*.configs")) && json_is_object(x)) {
		const char *t = json_string_value(json_object_get(x, "target"));
		return xstrdup(t ? t : json_string_value(json_object_get(x, "source")) ?: "");
	}
	if (!strcmp(path, "services.*.env_file") && json_is_object(x))
		return xstrdup(json_string_value(json_object_get(x, "path")) ?: "");
	if (json_is_string(x)) {
		const char *s = json_string_value(x);
		if (strcmp(path, "services.*.ports") && strcmp(path, "services.*.expose")) {
			const char *eq = strchr(s, '=');
			if (eq)
				return xstrndup(s, (size_t)(eq - s));
		}
		return xstrdup(s);
	}
	if (json_is_integer(x))
		return xasprintf("%lld", (long long)json_integer_value(x));
	return json_dumps(x, JSON_ENCODE_ANY | JSON_SORT_KEYS | JSON_COMPACT);
}

static json_t *merge_seq(const char *path, json_t *a, json_t *b)
{
	json_t *out = json_array();
	_cleanup_strvec_ struct strvec keys = STRVEC_INIT;
	json_t *src[2] = { a, b };
	for (int s = 0; s < 2; s++) {
		size_t i;
		json_t *x;
		json_array_foreach(src[s], i, x) {
			char *k = item_key(path, x);
			size_t j;
			for (j = 0; j < keys.n; j++)
				if (!strcmp(keys.v[j], k))
					break;
			if (j < keys.n) {
				json_array_set(out, j, x);
				free(k);
			} else {
				sv_push_owned(&keys, k);
				json_array_append(out, x);
			}
		}
	}
	return out;
}

static json_t *merge_at(const char *path, json_t *a, json_t *b);

static json_t *merge_obj(const char *path, json_t *a, json_t *b)
{
	json_t *out = json_deep_copy(a);
	bool named = path_is(path, named_parents, ARRAY_SIZE(named_parents));
	const char *k;
	json_t *v;
	json_object_foreach(b, k, v) {
		_cleanup_free_ char *cp = named ? xasprintf("%s%s*", path, *path ? "." : "")
						: xasprintf("%s%s%s", path, *path ? "." : "", k);
		if (is_reset(v)) {
			json_object_del(out, k);
			continue;
		}
		json_t *o = override_of(v);
		if (o) {
			json_object_set(out, k, o);
			continue;
		}
		json_t *old = json_object_get(out, k);
		if (!old) {
			json_object_set(out, k, v);
			continue;
		}
		json_object_set_new(out, k, merge_at(cp, old, v));
	}
	return out;
}

static json_t *merge_at(const char *path, json_t *a, json_t *b)
{
	if (is_reset(b))
		return json_null();
	json_t *o = override_of(b);
	if (o)
		return json_incref(o);
	if (path_is(path, replaced, ARRAY_SIZE(replaced)))
		return json_incref(b);
	if (path_is(path, to_map, ARRAY_SIZE(to_map)) && (json_is_array(a) || json_is_object(a)) &&
	    (json_is_array(b) || json_is_object(b))) {
		json_t *ma = as_map(a), *mb = as_map(b);
		json_t *r = merge_obj(path, ma, mb);
		json_decref(ma);
		json_decref(mb);
		return r;
	}
	if (!strcmp(path, "services.*.depends_on") || !strcmp(path, "services.*.networks")) {
		bool dep = path[11] == 'd';
		json_t *ma = dep ? depends_map(a) : networks_map(a), *mb = dep ? depends_map(b) : networks_map(b);
		json_t *r = json_is_object(ma) && json_is_object(mb) ? merge_obj(path, ma, mb) : json_incref(mb);
		json_decref(ma);
		json_decref(mb);
		return r;
	}
	if (!strcmp(path, "services.*.build") && (json_is_string(a) || json_is_string(b))) {
		json_t *ma = json_is_string(a) ? json_pack("{s:O}", "context", a) : json_incref(a);
		json_t *mb = json_is_string(b) ? json_pack("{s:O}", "context", b) : json_incref(b);
		json_t *r = json_is_object(ma) && json_is_object(mb) ? merge_obj(path, ma, mb) : json_incref(mb);
		json_decref(ma);
		json_decref(mb);
		return r;
	}
	if (!strcmp(path, "services.*.logging") && json_is_object(a) && json_is_object(b)) {
		const char *da = json_string_value(json_object_get(a, "driver"));
		const char *db = json_string_value(json_object_get(b, "driver"));
		if (da && db && strcmp(da, db))
			return json_incref(b);
	}
	if (json_is_object(a) && json_is_object(b))
		return merge_obj(path, a, b);
	if (json_is_array(a) && json_is_array(b))
		return merge_seq(path, a, b);
	return json_incref(b);
}

json_t *compose_merge(json_t *base, json_t *override)
{
	return merge_at("", base, override);
}

json_t *compose_merge_service(json_t *base, json_t *override)
{
	return merge_at("services.*", base, override);
}

void compose_strip_markers(json_t *v)
{
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		void *tmp;
		json_object_foreach_safe(v, tmp, k, x) {
			if (is_reset(x)) {
				json_object_del(v, k);
				continue;
			}
			json_t *o = override_of(x);
			if (o) {
				json_object_set(v, k, o);
				x = o;
			}
			compose_strip_markers(x);
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		for (i = 0; i < json_array_size(v);) {
			x = json_array_get(v, i);
			if (is_reset(x)) {
				json_array_remove(v, i);
				continue;
			}
			json_t *o = override_of(x);
			if (o)
				json_array_set(v, i, o);
			compose_strip_markers(json_array_get(v, i));
			i++;
		}
	}
}
