/* changes.c: Dockerfile instructions applied to an image config, as `import --change` does
 * (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME, WORKDIR, STOPSIGNAL). */
#include "image/changes.h"
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include "util/cleanup.h"
#include "util/strbuf.h"

static const char *skip_ws(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* JSON array of strings -> array; anything else -> NULL (shell form). */
static json_t *json_form(const char *s)
{
	if (*s != '[')
		return NULL;
	json_t *a = json_loads(s, JSON_DECODE_ANY, NULL);
	if (!a || !json_is_array(a)) {
		json_decref(a);
		return NULL;
	}
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) if (!json_is_string(v))
	{
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *cmd_form(const char *s)
{
	json_t *a = json_form(s);
	if (a)
		return a;
	return json_pack("[s, s, s]", "/bin/sh", "-c", s);
}

/* Split "a b" / "k=v k2=\"v 2\"" words honouring quotes and backslashes. */
static void split_words(const char *s, struct strvec *out)
{
	struct strbuf w = STRBUF_INIT;
	bool inw = false;
	char q = 0;
	for (const char *p = s;; p++) {
		char c = *p;
		if (!c || (!q && isspace((unsigned char)c))) {
			if (inw)
				sv_push(out, sb_str(&w));
			sb_reset(&w);
			inw = false;
			if (!c)
				break;
			continue;
		}
		inw = true;
		if (q) {
			if (c == q) q = 0;
			else if (c == '\\' && q == '"' && p[1]) sb_addc(&w, *++p);
			else sb_addc(&w, c);
		} else if (c == '"' || c == '\'') {
			q = c;
		} else if (c == '\\' && p[1]) {
			sb_addc(&w, *++p);
		} else {
			sb_addc(&w, c);
		}
	}
	sb_release(&w);
}

static json_t *obj(json_t *cfg, const char *k)
{
	json_t *o = json_object_get(cfg, k);
	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(cfg, k, o);
	}
	return o;
}

/* key=value pairs (or the legacy "key value" form) */
static int kv_pairs(const char *rest, const char *what, void (*set)(json_t *, const char *, const char *), json_t *target, berr *err)
{
	_cleanup_strvec_ struct strvec w = STRVEC_INIT;
	split_words(rest, &w);
	if (!w.n)
		return berr_set(err, EINVAL, "%s requires at least one argument", what);
	if (!strchr(w.v[0], '=')) {
		/* legacy: KEY rest-of-line */
		const char *sp = rest;
		while (*sp && !isspace((unsigned char)*sp))
			sp++;
		_cleanup_free_ char *k = xstrndup(rest, (size_t)(sp - rest));
		set(target, k, skip_ws(sp));
		return 0;
	}
	for (size_t i = 0; i < w.n; i++) {
		char *eq = strchr(w.v[i], '=');
		if (!eq)
			return berr_set(err, EINVAL, "Syntax error - can't find = in \"%s\". Must be of the form: name=value", w.v[i]);
		*eq = 0;
		set(target, w.v[i], eq + 1);
	}
	return 0;
}

static void set_env(json_t *env, const char *k, const char *v)
{
	size_t kl = strlen(k), i;
	json_t *e;
	char *kv = xasprintf("%s=%s", k, v);
	json_array_foreach(env, i, e)
	{
		const char *s = json_string_value(e);
		if (s && !strncmp(s, k, kl) && s[kl] == '=') {
			json_array_set_new(env, i, json_string(kv));
			free(kv);
			return;
		}
	}
	json_array_append_new(env, json_string(kv));
	free(kv);
}

static void set_label(json_t *labels, const char *k, const char *v)
{
	json_object_set_new(labels, k, json_string(v));
}

int image_apply_change(json_t *cfg, const char *line, berr *err)
{
	const char *s = skip_ws(line);
	const char *sp = s;
	while (*sp && !isspace((unsigned char)*sp))
		sp++;
	_cleanup_free_ char *ins = xstrndup(s, (size_t)(sp - s));
	const char *rest = skip_ws(sp);
	for (char *p = ins; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	if (!*ins)
		return 0;
	if (!strcmp(ins, "CMD") || !strcmp(ins, "ENTRYPOINT")) {
		json_object_set_new(cfg, !strcmp(ins, "CMD") ? "Cmd" : "Entrypoint", cmd_form(rest));
	} else if (!strcmp(ins, "ENV")) {
		json_t *env = json_object_get(cfg, "Env");
		if (!json_is_array(env)) {
			env = json_array();
			json_object_set_new(cfg, "Env", env);
		}
		return kv_pairs(rest, "ENV", set_env, env, err);
	} else if (!strcmp(ins, "LABEL")) {
		return kv_pairs(rest, "LABEL", set_label, obj(cfg, "Labels"), err);
	} else if (!strcmp(ins, "EXPOSE")) {
		_cleanup_strvec_ struct strvec w = STRVEC_INIT;
		split_words(rest, &w);
		json_t *ports = obj(cfg, "ExposedPorts");
		for (size_t i = 0; i < w.n; i++) {
			_cleanup_free_ char *p = strchr(w.v[i], '/') ? xstrdup(w.v[i]) : xasprintf("%s/tcp", w.v[i]);
			json_object_set_new(ports, p, json_object());
		}
	} else if (!strcmp(ins, "VOLUME")) {
		json_t *a = json_form(rest);
		json_t *vols = obj(cfg, "Volumes");
		if (a) {
			size_t i;
			json_t *v;
			json_array_foreach(a, i, v) json_object_set_new(vols, json_string_value(v), json_object());
			json_decref(a);
		} else {
			_cleanup_strvec_ struct strvec w = STRVEC_INIT;
			split_words(rest, &w);
			for (size_t i = 0; i < w.n; i++)
				json_object_set_new(vols, w.v[i], json_object());
		}
	} else if (!strcmp(ins, "USER") || !strcmp(ins, "WORKDIR") || !strcmp(ins, "STOPSIGNAL")) {
		const char *key = !strcmp(ins, "USER") ? "User" : !strcmp(ins, "WORKDIR") ? "WorkingDir" : "StopSignal";
		if (!*rest)
			return berr_set(err, EINVAL, "%s requires exactly one argument", ins);
		json_object_set_new(cfg, key, json_string(rest));
	} else if (!strcmp(ins, "ONBUILD")) {
		json_t *a = json_object_get(cfg, "OnBuild");
		if (!json_is_array(a)) {
			a = json_array();
			json_object_set_new(cfg, "OnBuild", a);
		}
		json_array_append_new(a, json_string(rest));
	} else {
		/* Docker's wording: the instruction in lower case */
		for (char *p = ins; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		return berr_set(err, EINVAL, "%s is not a valid change command", ins);
	}
	return 0;
}
