/* interp.c: variable interpolation in Compose files, as compose-go's template package:
 * $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?e}, ${VAR?e}, ${VAR:+x}, ${VAR+x}, $$ and nested
 * defaults; then casts of the values the spec types as bool/int/float. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include "compose/compose.h"
#include "util/cleanup.h"

const char *compose_lookup_json(void *ud, const char *name)
{
	json_t *v = json_object_get((json_t *)ud, name);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool name_start(char c) { return c == '_' || isalpha((unsigned char)c); }
static bool name_char(char c) { return c == '_' || isalnum((unsigned char)c); }

/* Index of the '}' closing the "${" at s[0], as compose-go's getFirstBraceClosingIndex: every
 * '{' opens (the character after it is skipped), every '}' closes. */
static long closing_brace(const char *s)
{
	int open = 0;
	long n = (long)strlen(s);
	for (long i = 0; i < n; i++) {
		if (s[i] == '}') {
			if (--open == 0)
				return i;
		}
		if (s[i] == '{') {
			open++;
			i++;
		}
	}
	return -1;
}

static int subst(const char *in, compose_lookup_fn lookup, void *ud, struct strbuf *out, struct strvec *unset,
		 berr *err, int depth);

static int braced(const char *whole, const char *body, size_t blen, compose_lookup_fn lookup, void *ud,
		  struct strbuf *out, struct strvec *unset, berr *err, int depth)
{
	size_t n = 0;
	if (!blen || !name_start(body[0]))
		return berr_set(err, 0, "Invalid template: \"%s\"", whole);
	while (n < blen && name_char(body[n]))
		n++;
	_cleanup_free_ char *name = xstrndup(body, n);
	const char *val = lookup(ud, name);
	if (n == blen) {
		if (!val) {
			if (unset && !sv_contains(unset, name))
				sv_push(unset, name);
			val = "";
		}
		sb_adds(out, val);
		return 0;
	}
	bool colon = body[n] == ':';
	size_t op = n + colon;
	if (op >= blen || !strchr("-+?", body[op]))
		return berr_set(err, 0, "Invalid template: \"%s\"", whole);
	char o = body[op];
	_cleanup_free_ char *arg = xstrndup(body + op + 1, blen - op - 1);
	bool set = val != NULL, nonempty = val && *val;
	bool cond = colon ? nonempty : set;
	switch (o) {
	case '-':
		if (cond) {
			sb_adds(out, val);
			return 0;
		}
		return subst(arg, lookup, ud, out, unset, err, depth + 1);
	case '+':
		if (cond)
			return subst(arg, lookup, ud, out, unset, err, depth + 1);
		return 0;
	case '?':
		if (cond) {
			sb_adds(out, val);
			return 0;
		}
		{
			_cleanup_strbuf_ struct strbuf m = STRBUF_INIT;
			if (subst(arg, lookup, ud, &m, unset, err, depth + 1) < 0)
				return -1;
			if (m.len)
				return berr_set(err, 0, "required variable %s is missing a value: %s", name, m.buf);
			return berr_set(err, 0, "required variable %s is missing a value", name);
		}
	}
	return 0;
}

static int subst(const char *in, compose_lookup_fn lookup, void *ud, struct strbuf *out, struct strvec *unset,
		 berr *err, int depth)
{
	if (depth > 32)
		return berr_set(err, 0, "Invalid template: \"%s\": nested too deeply", in);
	for (const char *p = in; *p;) {
		if (*p != '$') {
			sb_addc(out, *p++);
			continue;
		}
		if (p[1] == '$') {
			sb_addc(out, '$');
			p += 2;
			continue;
		}
		if (p[1] == '{') {
			long e = closing_brace(p);
			if (e < 0)
				return berr_set(err, 0, "Invalid template: \"%s\"", in);
			if (braced(in, p + 2, (size_t)e - 2, lookup, ud, out, unset, err, depth) < 0)
				return -1;
			p += e + 1;
			continue;
		}
		if (name_start(p[1])) {
			size_t n = 1;
			while (name_char(p[1 + n]))
				n++;
			_cleanup_free_ char *name = xstrndup(p + 1, n);
			const char *val = lookup(ud, name);
			if (!val) {
				if (unset && !sv_contains(unset, name))
					sv_push(unset, name);
				val = "";
			}
			sb_adds(out, val);
			p += 1 + n;
			continue;
		}
		sb_addc(out, *p++); /* a lone '$' stays */
	}
	return 0;
}

int compose_interp_string(const char *in, compose_lookup_fn lookup, void *ud, char **out, struct strvec *unset,
			  berr *err)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	if (subst(in, lookup, ud, &sb, unset, err, 0) < 0) {
		sb_release(&sb);
		return -1;
	}
	*out = sb_detach(&sb);
	return 0;
}

/* ---- casts after interpolation (compose-go's interpolateTypeCastMapping) ---- */
enum cast { C_NONE, C_BOOL, C_INT, C_FLOAT };
struct castrule {
	const char *path; /* dotted, "*" any key, "[]" any index */
	enum cast c;
};
static const struct castrule casts[] = {
	{ "services.*.cpu_count", C_INT },
	{ "services.*.cpu_percent", C_FLOAT },
	{ "services.*.cpu_period", C_INT },
	{ "services.*.cpu_quota", C_INT },
	{ "services.*.cpu_rt_period", C_INT },
	{ "services.*.cpu_rt_runtime", C_INT },
	{ "services.*.cpus", C_FLOAT },
	{ "services.*.cpu_shares", C_INT },
	{ "services.*.init", C_BOOL },
	{ "services.*.deploy.replicas", C_INT },
	{ "services.*.deploy.update_config.parallelism", C_INT },
	{ "services.*.deploy.update_config.max_failure_ratio", C_FLOAT },
	{ "services.*.deploy.rollback_config.parallelism", C_INT },
	{ "services.*.deploy.rollback_config.max_failure_ratio", C_FLOAT },
	{ "services.*.deploy.restart_policy.max_attempts", C_INT },
	{ "services.*.deploy.placement.max_replicas_per_node", C_INT },
	{ "services.*.healthcheck.retries", C_INT },
	{ "services.*.healthcheck.disable", C_BOOL },
	{ "services.*.oom_kill_disable", C_BOOL },
	{ "services.*.oom_score_adj", C_INT },
	{ "services.*.pids_limit", C_INT },
	{ "services.*.ports.[].target", C_INT },
	{ "services.*.privileged", C_BOOL },
	{ "services.*.read_only", C_BOOL },
	{ "services.*.scale", C_INT },
	{ "services.*.stdin_open", C_BOOL },
	{ "services.*.tty", C_BOOL },
	{ "services.*.ulimits.*", C_INT },
	{ "services.*.ulimits.*.hard", C_INT },
	{ "services.*.ulimits.*.soft", C_INT },
	{ "services.*.volumes.[].read_only", C_BOOL },
	{ "services.*.volumes.[].volume.nocopy", C_BOOL },
	{ "services.*.depends_on.*.required", C_BOOL },
	{ "services.*.depends_on.*.restart", C_BOOL },
	{ "networks.*.external", C_BOOL },
	{ "networks.*.internal", C_BOOL },
	{ "networks.*.attachable", C_BOOL },
	{ "networks.*.enable_ipv4", C_BOOL },
	{ "networks.*.enable_ipv6", C_BOOL },
	{ "volumes.*.external", C_BOOL },
	{ "secrets.*.external", C_BOOL },
	{ "configs.*.external", C_BOOL },
};

/* segs: the generic path of the current value ("services", "*", "ports", "[]", ...). */
static enum cast cast_for(const struct strvec *segs)
{
	for (size_t r = 0; r < ARRAY_SIZE(casts); r++) {
		const char *p = casts[r].path;
		size_t i = 0;
		bool ok = true;
		while (*p && ok) {
			const char *dot = strchr(p, '.');
			size_t l = dot ? (size_t)(dot - p) : strlen(p);
			if (i >= segs->n)
				ok = false;
			else if (l == 1 && *p == '*')
				ok = strcmp(segs->v[i], "[]") != 0;
			else
				ok = strlen(segs->v[i]) == l && !strncmp(segs->v[i], p, l);
			i++;
			p += l + (dot ? 1 : 0);
			if (!dot)
				break;
		}
		if (ok && i == segs->n)
			return casts[r].c;
	}
	return C_NONE;
}

/* The casts of compose-go's loader; on failure *why says what went wrong. */
static json_t *do_cast(enum cast c, const char *s, char *why, size_t wl)
{
	char *end;
	switch (c) {
	case C_BOOL:
		if (!strcasecmp(s, "true"))
			return json_true();
		if (!strcasecmp(s, "false"))
			return json_false();
		if (!strcasecmp(s, "y") || !strcasecmp(s, "yes") || !strcasecmp(s, "on")) {
			compose_warn("\"%s\" for boolean is not supported by YAML 1.2, please use `true`", s);
			return json_true();
		}
		if (!strcasecmp(s, "n") || !strcasecmp(s, "no") || !strcasecmp(s, "off")) {
			compose_warn("\"%s\" for boolean is not supported by YAML 1.2, please use `false`", s);
			return json_false();
		}
		snprintf(why, wl, "invalid boolean: %s", s);
		return NULL;
	case C_INT: {
		errno = 0;
		long long v = strtoll(s, &end, 10);
		if (*s && !*end && !errno && !isspace((unsigned char)*s))
			return json_integer(v);
		snprintf(why, wl, "strconv.Atoi: parsing \"%s\": %s", s, errno == ERANGE ? "value out of range" : "invalid syntax");
		return NULL;
	}
	case C_FLOAT: {
		double d = strtod(s, &end);
		if (*s && !*end && !isspace((unsigned char)*s))
			return json_real(d);
		snprintf(why, wl, "strconv.ParseFloat: parsing \"%s\": invalid syntax", s);
		return NULL;
	}
	case C_NONE:
		break;
	}
	return NULL;
}

struct walk {
	compose_lookup_fn lookup;
	void *ud;
	struct strvec *unset;
	struct strvec segs;
	struct strbuf path;
	berr *err;
};

static int walk(struct walk *w, json_t *v, json_t **replace)
{
	if (json_is_string(v)) {
		char *s;
		if (compose_interp_string(json_string_value(v), w->lookup, w->ud, &s, w->unset, w->err) < 0) {
			if (!strncmp(w->err->msg, "Invalid template", 16)) {
				char *t = xstrdup(json_string_value(v));
				berr_set(w->err, 0, "invalid interpolation format for %s.\nYou may need to escape any $ with another $.\n%s",
					 w->path.buf, t);
				free(t);
			} else
				berr_wrap(w->err, "error while interpolating %s", w->path.buf);
			return -1;
		}
		enum cast c = cast_for(&w->segs);
		char why[256] = "";
		json_t *nv = c ? do_cast(c, s, why, sizeof why) : NULL;
		if (c && !nv) {
			free(s);
			return berr_set(w->err, 0, "error while interpolating %s: failed to cast to expected type: %s", w->path.buf, why);
		}
		*replace = nv ? nv : json_string(s);
		if (!*replace)
			*replace = json_stringn_nocheck(s, strlen(s));
		free(s);
		return 0;
	}
	size_t plen = w->path.len;
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		void *tmp;
		json_object_foreach_safe(v, tmp, k, x) {
			if (plen)
				sb_addc(&w->path, '.');
			sb_adds(&w->path, k);
			sv_push(&w->segs, k);
			json_t *r = NULL;
			int rc = walk(w, x, &r);
			free(w->segs.v[--w->segs.n]);
			w->segs.v[w->segs.n] = NULL;
			sb_setlen(&w->path, plen);
			if (rc < 0)
				return -1;
			if (r)
				json_object_set_new(v, k, r);
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) {
			sb_addf(&w->path, "[%zu]", i);
			sv_push(&w->segs, "[]");
			json_t *r = NULL;
			int rc = walk(w, x, &r);
			free(w->segs.v[--w->segs.n]);
			w->segs.v[w->segs.n] = NULL;
			sb_setlen(&w->path, plen);
			if (rc < 0)
				return -1;
			if (r)
				json_array_set_new(v, i, r);
		}
	}
	return 0;
}

int compose_interpolate(json_t *model, compose_lookup_fn lookup, void *ud, berr *err)
{
	_cleanup_strvec_ struct strvec unset = STRVEC_INIT;
	struct walk w = { lookup, ud, &unset, STRVEC_INIT, STRBUF_INIT, err };
	sb_init(&w.path);
	int rc = walk(&w, model, &(json_t *){ NULL });
	sv_clear(&w.segs);
	sb_release(&w.path);
	if (rc == 0)
		for (size_t i = 0; i < unset.n; i++)
			compose_warn("The \"%s\" variable is not set. Defaulting to a blank string.", unset.v[i]);
	return rc;
}
