/* merge.c: merging several Compose files (-f a -f b) by the Compose spec's merge rules, as
 * compose-go's override package: mappings merge recursively, scalars are replaced (a null
 * override keeps the base), command / entrypoint / healthcheck.test are replaced whole,
 * environment / labels / build.args ... merge by key, depends_on / networks as maps, other
 * sequences are appended; then the sequences the spec keys (ports, volumes, expose, secrets,
 * environment...) are made unique by their key, a later entry replacing an earlier one in
 * place; `!reset` and `!override` tags. */
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
					      "services.*.models", "services.*.build.ulimits" };
static const char *const replaced[] = { "services.*.command", "services.*.entrypoint", "services.*.healthcheck.test" };
/* merged as maps of KEY=VALUE (compose-go: mergeToSequence, then unique by key) */
static const char *const to_map[] = { "services.*.environment", "services.*.labels", "services.*.build.args",
				       "services.*.build.labels", "services.*.annotations", "services.*.deploy.labels",
				       "services.*.sysctls", "services.*.build.additional_contexts",
				       "networks.*.labels", "volumes.*.labels" };
/* a string counts as a one-item sequence */
static const char *const to_seq[] = { "services.*.dns", "services.*.dns_opt", "services.*.dns_search",
				       "services.*.tmpfs", "services.*.env_file", "services.*.label_file" };

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

static json_t *list_to_map(json_t *v, bool depends)
{
	if (!json_is_array(v))
		return json_incref(v);
	json_t *m = json_object();
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x)
		if (json_is_string(x))
			json_object_set_new(m, json_string_value(x),
					    depends ? json_pack("{s:s,s:b}", "condition", "service_started", "required", 1)
						    : json_null());
	return m;
}

static json_t *as_seq(json_t *v)
{
	if (json_is_array(v))
		return json_incref(v);
	if (json_is_null(v))
		return json_array();
	return json_pack("[O]", v);
}

/* extra_hosts: a map {host: ip or [ips]} as "host=ip" items, sorted */
static json_t *hosts_seq(json_t *v)
{
	if (!json_is_object(v))
		return as_seq(v);
	json_t *out = json_array();
	const char *k;
	json_t *x;
	json_object_foreach(v, k, x) {
		json_t *l = as_seq(x);
		size_t i;
		json_t *ip;
		json_array_foreach(l, i, ip) {
			char *s = xasprintf("%s=%s", k, json_string_value(ip) ?: "");
			json_array_append_new(out, json_string(s));
			free(s);
		}
		json_decref(l);
	}
	return out;
}

static json_t *merge_at(const char *path, json_t *a, json_t *b, berr *err);

/* the concrete path being merged ("services.web.ports"), for messages */
static struct strbuf real_path = STRBUF_INIT;

static json_t *merge_obj(const char *path, json_t *a, json_t *b, berr *err)
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
		size_t rl = real_path.len;
		if (!real_path.buf)
			sb_init(&real_path);
		if (rl)
			sb_addc(&real_path, '.');
		sb_adds(&real_path, k);
		json_t *m = merge_at(cp, old, v, err);
		sb_setlen(&real_path, rl);
		if (!m) {
			json_decref(out);
			return NULL;
		}
		json_object_set_new(out, k, m);
	}
	return out;
}

static json_t *merge_pair(const char *path, json_t *ma, json_t *mb, berr *err)
{
	json_t *r = json_is_object(ma) && json_is_object(mb) ? merge_obj(path, ma, mb, err) : json_incref(mb);
	json_decref(ma);
	json_decref(mb);
	return r;
}

static json_t *concat(json_t *a, json_t *b)
{
	json_t *out = json_deep_copy(a);
	json_array_extend(out, b);
	json_decref(a);
	json_decref(b);
	return out;
}

static json_t *merge_at(const char *path, json_t *a, json_t *b, berr *err)
{
	if (is_reset(b))
		return json_null();
	json_t *o = override_of(b);
	if (o)
		return json_incref(o);
	if (path_is(path, replaced, ARRAY_SIZE(replaced)))
		return json_incref(b);
	if (path_is(path, to_map, ARRAY_SIZE(to_map)))
		return merge_pair(path, as_map(a), as_map(b), err);
	if (path_is(path, to_seq, ARRAY_SIZE(to_seq)))
		return concat(as_seq(a), as_seq(b));
	if (!strcmp(path, "services.*.extra_hosts") || !strcmp(path, "services.*.build.extra_hosts")) {
		json_t *sa = hosts_seq(a), *sb = hosts_seq(b);
		json_t *out = json_deep_copy(sa);
		size_t i, j;
		json_t *x, *y;
		json_array_foreach(sb, i, x) {
			bool dup = false;
			json_array_foreach(sa, j, y) dup |= json_equal(x, y);
			if (!dup)
				json_array_append(out, x);
		}
		json_decref(sa);
		json_decref(sb);
		return out;
	}
	if (!strcmp(path, "services.*.depends_on"))
		return merge_pair(path, list_to_map(a, true), list_to_map(b, true), err);
	if (!strcmp(path, "services.*.networks") || !strcmp(path, "services.*.models"))
		return merge_pair(path, list_to_map(a, false), list_to_map(b, false), err);
	if (!strcmp(path, "services.*.build")) {
		json_t *ma = json_is_string(a) ? json_pack("{s:O}", "context", a) : json_incref(a);
		json_t *mb = json_is_string(b) ? json_pack("{s:O}", "context", b) : json_incref(b);
		return merge_pair(path, ma, mb, err);
	}
	if (!strcmp(path, "services.*.ulimits.*"))
		return json_incref(b);
	if (!strcmp(path, "services.*.logging") && json_is_object(a) && json_is_object(b)) {
		json_t *da = json_object_get(a, "driver"), *db = json_object_get(b, "driver");
		if (da && db && !json_equal(da, db))
			return json_incref(b);
	}
	if (json_is_null(b))
		return json_incref(a);
	if (json_is_object(a)) {
		if (!json_is_object(b)) {
			berr_set(err, 0, "cannot override %s", real_path.len ? real_path.buf : path);
			return NULL;
		}
		return merge_obj(path, a, b, err);
	}
	if (json_is_array(a)) {
		if (!json_is_array(b)) {
			berr_set(err, 0, "cannot override %s", real_path.len ? real_path.buf : path);
			return NULL;
		}
		return concat(json_incref(a), json_incref(b));
	}
	return json_incref(b);
}

json_t *compose_merge(json_t *base, json_t *override, berr *err)
{
	sb_release(&real_path);
	json_t *r = merge_at("", base, override, err);
	sb_release(&real_path);
	return r;
}

json_t *compose_merge_service(json_t *base, json_t *override, berr *err)
{
	sb_release(&real_path);
	json_t *r = merge_at("services.*", base, override, err);
	sb_release(&real_path);
	return r;
}

/* ---- unicity (compose-go's EnforceUnicity) ---- */
enum idx { I_KV, I_VOLUME, I_DEVICE, I_PORT, I_EXPOSE, I_SECRET, I_CONFIG, I_ENVFILE };
static const struct {
	const char *path; /* under services.<name>. */
	enum idx idx;
} uniq[] = {
	{ "annotations", I_KV }, { "build.args", I_KV }, { "build.additional_contexts", I_KV },
	{ "build.platforms", I_KV }, { "build.tags", I_KV }, { "build.labels", I_KV }, { "cap_add", I_KV },
	{ "cap_drop", I_KV }, { "devices", I_DEVICE }, { "configs", I_CONFIG }, { "deploy.labels", I_KV },
	{ "dns", I_KV }, { "dns_opt", I_KV }, { "dns_search", I_KV }, { "environment", I_KV },
	{ "env_file", I_ENVFILE }, { "expose", I_EXPOSE }, { "labels", I_KV }, { "links", I_KV },
	{ "ports", I_PORT }, { "profiles", I_KV }, { "secrets", I_SECRET }, { "sysctls", I_KV },
	{ "tmpfs", I_KV }, { "volumes", I_VOLUME },
};

static char *item_key(enum idx idx, json_t *x)
{
	const char *s = json_string_value(x);
	switch (idx) {
	case I_KV:
		if (s)
			return xstrndup(s, strcspn(s, "="));
		break;
	case I_VOLUME:
	case I_DEVICE:
		if (json_is_object(x))
			return xstrdup(json_string_value(json_object_get(x, "target")) ?: "");
		if (s) {
			/* SOURCE:TARGET[:MODE] or TARGET */
			const char *c = strchr(s, ':');
			if (!c)
				return xstrdup(s);
			return xstrndup(c + 1, strcspn(c + 1, ":"));
		}
		break;
	case I_PORT:
		if (json_is_integer(x))
			return xasprintf("%lld", (long long)json_integer_value(x));
		if (json_is_object(x)) {
			json_t *pub = json_object_get(x, "published");
			_cleanup_free_ char *ps = json_is_string(pub) ? xstrdup(json_string_value(pub))
					       : pub ? json_dumps(pub, JSON_ENCODE_ANY) : xstrdup("");
			return xasprintf("%s:%s:%lld/%s", json_string_value(json_object_get(x, "host_ip")) ?: "0.0.0.0", ps,
					 (long long)json_integer_value(json_object_get(x, "target")),
					 json_string_value(json_object_get(x, "protocol")) ?: "tcp");
		}
		if (s)
			return xstrdup(s);
		break;
	case I_EXPOSE:
		if (json_is_integer(x))
			return xasprintf("%lld", (long long)json_integer_value(x));
		if (s)
			return xstrdup(s);
		break;
	case I_SECRET:
	case I_CONFIG: {
		const char *def = idx == I_SECRET ? "/run/secrets" : "";
		if (s)
			return xasprintf("%s/%s", def, s);
		if (json_is_object(x)) {
			const char *t = json_string_value(json_object_get(x, "target"));
			return t ? xstrdup(t) : xasprintf("%s/%s", def, json_string_value(json_object_get(x, "source")) ?: "");
		}
		break;
	}
	case I_ENVFILE:
		if (s)
			return xstrdup(s);
		if (json_is_object(x))
			return xstrdup(json_string_value(json_object_get(x, "path")) ?: "");
		break;
	}
	return json_dumps(x, JSON_ENCODE_ANY | JSON_SORT_KEYS | JSON_COMPACT);
}

static void unique_seq(json_t *arr, enum idx idx)
{
	_cleanup_strvec_ struct strvec keys = STRVEC_INIT;
	json_t *out = json_array();
	size_t i;
	json_t *x;
	json_array_foreach(arr, i, x) {
		char *k = item_key(idx, x);
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
	json_array_clear(arr);
	json_array_extend(arr, out);
	json_decref(out);
}

static json_t *get_path(json_t *o, const char *path)
{
	_cleanup_free_ char *copy = xstrdup(path);
	char *save = NULL;
	for (char *t = strtok_r(copy, ".", &save); t && o; t = strtok_r(NULL, ".", &save))
		o = json_object_get(o, t);
	return o;
}

void compose_enforce_unicity(json_t *model)
{
	const char *name;
	json_t *svc;
	json_object_foreach(json_object_get(model, "services"), name, svc) {
		for (size_t u = 0; u < ARRAY_SIZE(uniq); u++) {
			json_t *arr = get_path(svc, uniq[u].path);
			if (json_is_array(arr))
				unique_seq(arr, uniq[u].idx);
		}
		const char *n;
		json_t *net;
		json_object_foreach(json_object_get(svc, "networks"), n, net) {
			json_t *al = json_object_get(net, "aliases");
			if (json_is_array(al))
				unique_seq(al, I_KV);
		}
	}
	const char *tops[] = { "networks", "volumes" };
	for (int t = 0; t < 2; t++) {
		json_t *res;
		json_object_foreach(json_object_get(model, tops[t]), name, res) {
			json_t *l = json_object_get(res, "labels");
			if (json_is_array(l))
				unique_seq(l, I_KV);
		}
	}
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
		for (size_t i = 0; i < json_array_size(v);) {
			json_t *x = json_array_get(v, i);
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
