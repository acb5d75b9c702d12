/* validate.c: a small JSON-schema (draft-07 subset) validator for the keywords the Compose
 * specification's schema uses (type, properties, patternProperties, additionalProperties,
 * required, enum, oneOf/anyOf/allOf, $ref to #/definitions, items, uniqueItems, pattern,
 * minimum/maximum), checking a model against compose-spec.schema.json read at run time. */
#include <limits.h>
#include <stdarg.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "compose/compose.h"
#include "util/cleanup.h"
#include "util/fs.h"

static json_t *schema_root;

const char *compose_schema_path(void)
{
	static char found[PATH_MAX];
	const char *e = getenv("BERTH_COMPOSE_SCHEMA");
	if (e && *e)
		return e;
	if (*found)
		return found;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	const char *rel[] = { "/../shared/conformance/compose/compose-spec.schema.json",
			      "/../../shared/conformance/compose/compose-spec.schema.json",
			      "/../share/berth/compose-spec.schema.json" };
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = 0;
		for (size_t i = 0; i < ARRAY_SIZE(rel); i++) {
			snprintf(found, sizeof found, "%s%s", exe, rel[i]);
			if (path_exists(found))
				return found;
		}
	}
	const char *fixed[] = { "/usr/share/berth/compose-spec.schema.json",
				"/work/shared/conformance/compose/compose-spec.schema.json" };
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		if (path_exists(fixed[i])) {
			snprintf(found, sizeof found, "%s", fixed[i]);
			return found;
		}
	found[0] = 0;
	return NULL;
}

static json_t *load_schema(berr *err)
{
	if (schema_root)
		return schema_root;
	const char *p = compose_schema_path();
	if (!p)
		return berr_set(err, 0, "the Compose schema (compose-spec.schema.json) was not found; set BERTH_COMPOSE_SCHEMA"),
		       NULL;
	json_error_t je;
	schema_root = json_load_file(p, 0, &je);
	if (!schema_root)
		berr_set(err, 0, "reading the Compose schema %s: %s", p, je.text);
	return schema_root;
}

/* compiled patterns, keyed by their text */
static struct re_cache {
	char *pat;
	regex_t re;
	bool ok;
	struct re_cache *next;
} *res;

static bool pat_match(const char *pat, const char *s)
{
	struct re_cache *c;
	for (c = res; c; c = c->next)
		if (!strcmp(c->pat, pat))
			break;
	if (!c) {
		c = xcalloc(1, sizeof *c);
		c->pat = xstrdup(pat);
		c->ok = regcomp(&c->re, pat, REG_EXTENDED | REG_NOSUB) == 0;
		c->next = res;
		res = c;
	}
	return !c->ok || regexec(&c->re, s, 0, NULL, 0) == 0;
}

struct vctx {
	struct strbuf path;
	char msg[1024];   /* the deepest error seen */
	size_t msgdepth;
	bool have;
};

static void fail(struct vctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct vctx *c, const char *fmt, ...)
{
	if (c->have && c->path.len < c->msgdepth)
		return;
	char m[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	snprintf(c->msg, sizeof c->msg, "%s%s%s", c->path.len ? c->path.buf : "(root)", ": ", m);
	c->msgdepth = c->path.len;
	c->have = true;
}

static const char *jtype(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	case JSON_NULL: return "null";
	}
	return "?";
}

static bool type_ok(const char *t, json_t *v)
{
	if (!strcmp(t, "object")) return json_is_object(v);
	if (!strcmp(t, "array")) return json_is_array(v);
	if (!strcmp(t, "string")) return json_is_string(v);
	if (!strcmp(t, "boolean")) return json_is_boolean(v);
	if (!strcmp(t, "null")) return json_is_null(v);
	if (!strcmp(t, "number")) return json_is_number(v);
	if (!strcmp(t, "integer"))
		return json_is_integer(v) || (json_is_real(v) && json_real_value(v) == (double)(long long)json_real_value(v));
	return true;
}

static bool check(struct vctx *c, json_t *v, json_t *s, int depth);

static json_t *deref(json_t *s)
{
	for (int i = 0; i < 16; i++) {
		json_t *r = json_object_get(s, "$ref");
		if (!json_is_string(r))
			return s;
		const char *ref = json_string_value(r);
		if (strncmp(ref, "#/definitions/", 14))
			return s;
		s = json_object_get(json_object_get(schema_root, "definitions"), ref + 14);
		if (!s)
			return json_object();
	}
	return s;
}

/* Does the value's JSON type fit the (dereferenced) schema's "type"? No "type": yes. */
static bool type_fits(json_t *v, json_t *s)
{
	json_t *t = json_object_get(deref(s), "type");
	if (!t)
		return true;
	if (json_is_string(t))
		return type_ok(json_string_value(t), v);
	size_t i;
	json_t *x;
	json_array_foreach(t, i, x)
		if (type_ok(json_string_value(x), v))
			return true;
	return false;
}

static bool check_oneof(struct vctx *c, json_t *v, json_t *arr, const char *kw, int depth)
{
	size_t i, ok = 0, fitting = 0;
	json_t *sub;
	struct vctx best = { 0 };
	json_array_foreach(arr, i, sub) {
		struct vctx t = { STRBUF_INIT, "", 0, false };
		sb_init(&t.path);
		sb_adds(&t.path, c->path.buf);
		bool fits = type_fits(v, sub);
		fitting += fits;
		if (check(&t, v, sub, depth + 1))
			ok++;
		else if (fits && (!best.have || t.msgdepth > best.msgdepth)) {
			memcpy(best.msg, t.msg, sizeof best.msg);
			best.msgdepth = t.msgdepth;
			best.have = true;
		}
		sb_release(&t.path);
	}
	if (!strcmp(kw, "allOf"))
		ok = ok == json_array_size(arr);
	if (!strcmp(kw, "oneOf") && ok > 1) {
		fail(c, "must match exactly one schema in oneOf");
		return false;
	}
	if (ok)
		return true;
	if (best.have) {
		/* the error of the alternative whose type the value has */
		if (!c->have || best.msgdepth >= c->msgdepth) {
			memcpy(c->msg, best.msg, sizeof c->msg);
			c->msgdepth = best.msgdepth;
			c->have = true;
		}
		return false;
	}
	/* describe the alternatives by type */
	_cleanup_strbuf_ struct strbuf want = STRBUF_INIT;
	sb_init(&want);
	json_array_foreach(arr, i, sub) {
		json_t *t = json_object_get(deref(sub), "type");
		if (json_is_string(t) && !strstr(want.buf, json_string_value(t)))
			sb_addf(&want, "%s%s", want.len ? " or " : "", json_string_value(t));
		size_t j;
		json_t *x;
		json_array_foreach(t, j, x)
			if (json_is_string(x) && !strstr(want.buf, json_string_value(x)))
				sb_addf(&want, "%s%s", want.len ? " or " : "", json_string_value(x));
	}
	(void)fitting;
	if (want.len)
		fail(c, "expected %s, got %s", want.buf, jtype(v));
	else
		fail(c, "does not match any allowed form");
	return false;
}

static bool check(struct vctx *c, json_t *v, json_t *s, int depth)
{
	if (depth > 64)
		return true;
	s = deref(s);
	if (!json_is_object(s))
		return true;
	json_t *t = json_object_get(s, "type");
	if (t) {
		bool ok = false;
		if (json_is_string(t))
			ok = type_ok(json_string_value(t), v);
		else {
			size_t i;
			json_t *x;
			json_array_foreach(t, i, x) ok |= type_ok(json_string_value(x), v);
		}
		if (!ok) {
			_cleanup_free_ char *ts = json_is_string(t) ? xstrdup(json_string_value(t)) : NULL;
			if (!ts) {
				struct strbuf b = STRBUF_INIT;
				sb_init(&b);
				size_t i;
				json_t *x;
				json_array_foreach(t, i, x) sb_addf(&b, "%s%s", i ? " or " : "", json_string_value(x));
				ts = sb_detach(&b);
			}
			fail(c, "expected %s, got %s", ts, jtype(v));
			return false;
		}
	}
	json_t *e = json_object_get(s, "enum");
	if (json_is_array(e)) {
		size_t i;
		json_t *x;
		bool ok = false;
		json_array_foreach(e, i, x) ok |= json_equal(x, v);
		if (!ok) {
			_cleanup_free_ char *list = json_dumps(e, JSON_COMPACT);
			_cleanup_free_ char *got = json_dumps(v, JSON_ENCODE_ANY);
			fail(c, "must be one of %s, got %s", list, got);
			return false;
		}
	}
	json_t *x;
	if (json_is_string(v) && json_is_string(x = json_object_get(s, "pattern")) &&
	    !pat_match(json_string_value(x), json_string_value(v))) {
		fail(c, "\"%s\" does not match pattern %s", json_string_value(v), json_string_value(x));
		return false;
	}
	if (json_is_number(v)) {
		double d = json_number_value(v);
		if (json_is_number(x = json_object_get(s, "minimum")) && d < json_number_value(x)) {
			fail(c, "must be >= %g", json_number_value(x));
			return false;
		}
		if (json_is_number(x = json_object_get(s, "maximum")) && d > json_number_value(x)) {
			fail(c, "must be <= %g", json_number_value(x));
			return false;
		}
	}
	const char *kws[] = { "oneOf", "anyOf", "allOf" };
	for (size_t k = 0; k < 3; k++)
		if (json_is_array(x = json_object_get(s, kws[k])) && !check_oneof(c, v, x, kws[k], depth))
			return false;
	size_t plen = c->path.len;
	if (json_is_object(v)) {
		json_t *req = json_object_get(s, "required");
		size_t i;
		json_t *r;
		json_array_foreach(req, i, r) {
			if (json_is_string(r) && !json_object_get(v, json_string_value(r))) {
				fail(c, "missing required property '%s'", json_string_value(r));
				return false;
			}
		}
		json_t *props = json_object_get(s, "properties"), *pp = json_object_get(s, "patternProperties");
		json_t *ap = json_object_get(s, "additionalProperties");
		const char *k;
		json_t *val;
		bool ok = true;
		json_object_foreach(v, k, val) {
			if (plen)
				sb_addc(&c->path, '.');
			sb_adds(&c->path, k);
			bool matched = false;
			json_t *sub = json_object_get(props, k);
			if (sub) {
				matched = true;
				ok = check(c, val, sub, depth + 1) && ok;
			}
			const char *pk;
			json_t *psub;
			json_object_foreach(pp, pk, psub) {
				if (pat_match(pk, k)) {
					matched = true;
					ok = check(c, val, psub, depth + 1) && ok;
				}
			}
			if (!matched && ap) {
				sb_setlen(&c->path, plen);
				if (json_is_false(ap)) {
					fail(c, "additional property '%s' is not allowed", k);
					ok = false;
				} else if (json_is_object(ap)) {
					if (plen)
						sb_addc(&c->path, '.');
					sb_adds(&c->path, k);
					ok = check(c, val, ap, depth + 1) && ok;
				}
			}
			sb_setlen(&c->path, plen);
			if (!ok)
				return false;
		}
	}
	if (json_is_array(v)) {
		json_t *items = json_object_get(s, "items");
		size_t i, j;
		json_t *it;
		if (json_is_object(items))
			json_array_foreach(v, i, it) {
				sb_addf(&c->path, "[%zu]", i);
				bool ok = check(c, it, items, depth + 1);
				sb_setlen(&c->path, plen);
				if (!ok)
					return false;
			}
		if (json_is_true(json_object_get(s, "uniqueItems")))
			for (i = 0; i < json_array_size(v); i++)
				for (j = i + 1; j < json_array_size(v); j++)
					if (json_equal(json_array_get(v, i), json_array_get(v, j))) {
						_cleanup_free_ char *d = json_dumps(json_array_get(v, i), JSON_ENCODE_ANY);
						fail(c, "array items must be unique, %s appears twice", d);
						return false;
					}
	}
	return true;
}

int compose_validate(json_t *model, const char *file, berr *err)
{
	static bool warned;
	if (!compose_schema_path()) {
		/* an install without the schema still loads projects, and says so once */
		if (!warned)
			compose_warn("the Compose schema (compose-spec.schema.json) was not found; set BERTH_COMPOSE_SCHEMA. "
				     "The model is not validated against it");
		warned = true;
		return 0;
	}
	json_t *root = load_schema(err);
	if (!root)
		return -1;
	struct vctx c = { STRBUF_INIT, "", 0, false };
	sb_init(&c.path);
	bool ok = check(&c, model, root, 0);
	sb_release(&c.path);
	if (ok)
		return 0;
	return berr_set(err, 0, "validating %s: %s", file, c.msg);
}
