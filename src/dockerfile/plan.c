/* plan.c: the build planner. Walks the stages a target needs in dependency order and
 * dispatches every instruction as BuildKit's dockerfile2llb (Docker 20.10) does, without
 * running anything: variable scoping (global ARGs, per-stage ARG redeclaration, build-arg
 * overrides, predefined platform/proxy args, the LLB state environment), ONBUILD triggers,
 * the image config and the history created_by strings. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "dockerfile/gounicode.h"
#include "dockerfile/parse_internal.h"
#include "dockerfile/plan.h"
#include "dockerfile/envmap.h"
#include "dockerfile/shell.h"

static const char *const proxy_args[] = {
	"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
	"NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", NULL,
};

const char *plan_host_platform(void)
{
	static char buf[64];
	if (!buf[0]) {
		struct utsname u;
		const char *arch = "amd64";
		if (!uname(&u)) {
			if (!strcmp(u.machine, "aarch64"))
				arch = "arm64";
			else if (!strncmp(u.machine, "arm", 3))
				arch = "arm";
			else if (!strcmp(u.machine, "i686") || !strcmp(u.machine, "i386"))
				arch = "386";
			else if (!strcmp(u.machine, "ppc64le"))
				arch = "ppc64le";
			else if (!strcmp(u.machine, "s390x"))
				arch = "s390x";
			else if (!strcmp(u.machine, "riscv64"))
				arch = "riscv64";
		}
		snprintf(buf, sizeof(buf), "linux/%s", arch);
	}
	return buf;
}

/* ---- "K=V" lists ---- */
static const char *kv_get(const struct strvec *env, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = env->n; i-- > 0;)
		if (!strncmp(env->v[i], key, kl) && (env->v[i][kl] == '=' || !env->v[i][kl]))
			return env->v[i][kl] ? env->v[i] + kl + 1 : "";
	return NULL;
}

/* ---- vectors and strings in the plan's arena ---- */
/* Append s (kept, not copied: a string that lives as long as the plan) to the arena
 * vector sv. */
static void av_push(struct arena *a, struct strvec *sv, const char *s)
{
	if (sv->n + 2 > sv->alloc) {
		size_t cap = sv->alloc ? 2 * sv->alloc : 4;
		char **nv = arena_alloc(a, cap * sizeof(char *));
		if (sv->n)
			memcpy(nv, sv->v, sv->n * sizeof(char *));
		sv->v = nv;
		sv->alloc = cap;
	}
	sv->v[sv->n++] = (char *)s;
	sv->v[sv->n] = NULL;
}

/* dst gets src's strings (which outlive the plan: the parse tree's, the instruction's) */
static void av_copy(struct arena *a, struct strvec *dst, const struct strvec *src)
{
	for (size_t i = 0; i < src->n; i++)
		av_push(a, dst, src->v[i]);
}

/* "K=V" in the arena */
static char *akv(struct arena *a, const char *k, const char *v)
{
	size_t kl = strlen(k), vl = strlen(v);
	char *p = arena_alloc(a, kl + vl + 2);
	memcpy(p, k, kl);
	p[kl] = '=';
	memcpy(p + kl + 1, v, vl + 1);
	return p;
}

/* ---- the planner's state ---- */
struct arg {                /* strings in the plan's arena or the planner's */
	char *key;
	char *value;       /* NULL: unset */
	char *kv_default;  /* "K=value" (or "K=") when the state env lacks K, made once */
	size_t klen;       /* strlen(key) */
};

struct dstate {
	struct envmap env;        /* LLB state env: ENV and ARG values */
	struct envmap img_env;    /* image config Env */
	struct shell_env se;      /* expansion in env */
	const char **args_snap;   /* build args "K=V" as of the last change */
	const char **args_last;   /* the last snapshot made, kept to rebuild it incrementally */
	size_t nargs_last;
	const char *dirty[4];     /* "K=V" set in env since args_last (arena strings) */
	size_t ndirty;            /* > 4: too many, rebuild all */
	const char **env_snap;    /* RUN environment as of the last change */
	size_t nenv_snap;
	const char *last_wd, *last_user; /* in the plan's arena */
	unsigned owned;           /* config objects already private to this stage */
	struct arg *args;         /* d.buildArgs, in declaration order */
	size_t nargs;
	struct envmap argkeys;    /* the args' keys, in the same order (unless dup_args) */
	bool dup_args;            /* a key declared twice: args_snapshot scans them all */
	bool cmd_set;
};

struct planner {
	const struct df_file *f;
	const struct plan_opts *o;
	struct plan *p;
	struct strvec meta;       /* global ARGs "K=V" (predefined + declared before FROM) */
	struct strvec meta_set;   /* names of the meta args that have a value */
	struct strvec build_args; /* --build-arg K=V */
	struct strvec consumed;
	int *visiting;
	struct strbuf cb;         /* created_by being built (reused) ... */
	bool cb_busy;             /* ... unless a dispatch planning another stage (COPY --from)
	                           * uses it */
	berr *err;
};

static const char *build_arg(struct planner *pl, const char *key)
{
	const char *v = kv_get(&pl->build_args, key);
	if (v && !sv_contains(&pl->consumed, key))
		sv_push(&pl->consumed, key);
	return v;
}

__attribute__((format(printf, 3, 4)))
static int lerr(struct planner *pl, const struct df_instr *in, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (in)
		return berr_set(pl->err, 0, "%s:%d: %s", pl->f->filename, in->line, msg);
	return berr_set(pl->err, 0, "%s: %s", pl->f->filename, msg);
}

#define META(pl) ((struct shell_env){ .kv = (const char *const *)(pl)->meta.v })

#define A(pl) (&(pl)->p->arena)

static json_t *ptrs_json(const char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* " K=V" / "K=V" without printf: these run once per step */
static void sb_add_kv(struct strbuf *sb, const char *lead, const char *k, const char *v)
{
	sb_adds(sb, lead);
	sb_adds(sb, k);
	sb_addc(sb, '=');
	sb_adds(sb, v);
}



/* v[0..n) joined with spaces, grown once */
static void sb_add_joined(struct strbuf *sb, const char *const *v, size_t n)
{
	size_t stack[64], *lens = n <= 64 ? stack : xmalloc(n * sizeof(size_t)), total = n;
	for (size_t i = 0; i < n; i++)
		total += lens[i] = strlen(v[i]);
	sb_grow(sb, total);
	char *p = sb->buf + sb->len;
	for (size_t i = 0; i < n; i++) {
		if (i)
			*p++ = ' ';
		memcpy(p, v[i], lens[i]);
		p += lens[i];
	}
	sb->len = (size_t)(p - sb->buf);
	sb->buf[sb->len] = 0;
	if (lens != stack)
		free(lens);
}

static void sb_add_num(struct strbuf *sb, size_t x)
{
	char num[24];
	size_t l = 0;
	do
		num[sizeof(num) - 1 - l++] = (char)('0' + x % 10);
	while ((x /= 10));
	sb_add(sb, num + sizeof(num) - l, l);
}

/* kv: the "K=V" just set in the state env (NULL: none set) */
static void env_changed(struct dstate *d, const char *kv)
{
	d->args_snap = NULL;
	d->env_snap = NULL;
	if (kv) {
		if (d->ndirty < 4)
			d->dirty[d->ndirty] = kv;
		if (d->ndirty <= 4)
			d->ndirty++;
	}
}

/* The expansion of word, in the plan's arena. */
static int expand(struct planner *pl, const struct df_instr *in, const char *word,
		  const struct shell_env *se, char **out)
{
	/* fast path: nothing to expand or unquote */
	int esc = pl->f->pr->escape_token;
	size_t n = strcspn(word, esc == '`' ? "$'\"`" : "$'\"\\");
	if (!word[n]) {
		*out = arena_strndup(A(pl), word, n);
		return 0;
	}
	berr e = { 0 };
	char *x = NULL;
	if (shell_expand_word(word, se, esc, &x, NULL, &e))
		return lerr(pl, in, "%s", e.msg);
	*out = arena_strdup(A(pl), x);
	free(x);
	return 0;
}

/* Go's %q of a []string: ["a" "b"] */
static void quote_list(struct strbuf *sb, const struct strvec *v)
{
	sb_addc(sb, '[');
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			sb_addc(sb, ' ');
		df_quote(sb, v->v[i], strlen(v->v[i]));
	}
	sb_addc(sb, ']');
}

/* Go's %v of a []string: [a b] */
static void plain_list(struct strbuf *sb, const struct strvec *v)
{
	sb_addc(sb, '[');
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			sb_addc(sb, ' ');
		sb_adds(sb, v->v[i]);
	}
	sb_addc(sb, ']');
}

/* Go's %q of an int (strconv.QuoteRune). */
static void quote_rune(struct strbuf *sb, long r)
{
	if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = 0xFFFD;
	sb_addc(sb, '\'');
	if (r == '\'' || r == '\\') {
		sb_addc(sb, '\\');
		sb_addc(sb, (char)r);
	} else if (r == 7) sb_adds(sb, "\\a");
	else if (r == 8) sb_adds(sb, "\\b");
	else if (r == 12) sb_adds(sb, "\\f");
	else if (r == 10) sb_adds(sb, "\\n");
	else if (r == 13) sb_adds(sb, "\\r");
	else if (r == 9) sb_adds(sb, "\\t");
	else if (r == 11) sb_adds(sb, "\\v");
	else if (r < 0x20 || r == 0x7f)
		sb_addf(sb, "\\x%02x", (unsigned)r);
	else if (r < 0x80 || gou_is_print((int32_t)r))
		df_put_rune(sb, (uint32_t)r);
	else if (r < 0x10000)
		sb_addf(sb, "\\u%04x", (unsigned)r);
	else
		sb_addf(sb, "\\U%08x", (unsigned)r);
	sb_addc(sb, '\'');
}

static json_t *sv_json(const struct strvec *v)
{
	json_t *a = json_array();
	for (size_t i = 0; i < v->n; i++)
		json_array_append_new(a, json_string(v->v[i]));
	return a;
}

static void json_sv(json_t *a, struct strvec *out)
{
	size_t i;
	json_t *x;
	if (!json_is_array(a))
		return;
	json_array_foreach(a, i, x)
		if (json_is_string(x))
			sv_push(out, json_string_value(x));
}

/* A config object with every key Docker writes, values taken from base. */
static json_t *config_from(json_t *base)
{
	json_t *c = json_object();
	static const char *const bools[] = { "AttachStdin", "AttachStdout", "AttachStderr", "Tty",
					     "OpenStdin", "StdinOnce" };
	json_object_set_new(c, "Hostname", json_string(""));
	json_object_set_new(c, "Domainname", json_string(""));
	json_object_set_new(c, "User", json_string(""));
	for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++)
		json_object_set_new(c, bools[i], json_false());
	json_object_set_new(c, "Env", json_null());
	json_object_set_new(c, "Cmd", json_null());
	json_object_set_new(c, "Image", json_string(""));
	json_object_set_new(c, "Volumes", json_null());
	json_object_set_new(c, "WorkingDir", json_string(""));
	json_object_set_new(c, "Entrypoint", json_null());
	json_object_set_new(c, "OnBuild", json_null());
	json_object_set_new(c, "Labels", json_null());
	if (json_is_object(base)) {
		json_t *copy = json_deep_copy(base);
		json_object_update(c, copy);
		json_decref(copy);
	}
	return c;
}

static void push_hist(struct plan_stage *s, const char *created_by, bool layer)
{
	if (!(s->nhist & (s->nhist - 1)))
		s->hist = xrealloc(s->hist, (s->nhist ? 2 * s->nhist : 1) * sizeof(*s->hist));
	s->hist[s->nhist].created_by = created_by;
	s->hist[s->nhist].empty_layer = !layer;
	s->nhist++;
}

static struct plan_step *new_step(struct plan_stage *s, const struct df_instr *in, bool trigger)
{
	if (!(s->nsteps & (s->nsteps - 1)))
		s->steps = xrealloc(s->steps, (s->nsteps ? 2 * s->nsteps : 1) * sizeof(*s->steps));
	struct plan_step *st = &s->steps[s->nsteps++];
	memset(st, 0, sizeof(*st));
	st->instr = in;
	st->trigger = trigger;
	st->from_stage = -1;
	return st;
}

static void add_dep(struct plan_stage *s, int d)
{
	for (size_t i = 0; i < s->ndeps; i++)
		if (s->deps[i] == d)
			return;
	s->deps = xrealloc(s->deps, (s->ndeps + 1) * sizeof(int));
	s->deps[s->ndeps++] = d;
}

/* The config's shell (its strings belong to the config, which may go: copied). */
static void shell_of(struct planner *pl, json_t *config, struct strvec *out)
{
	json_t *sh = json_object_get(config, "Shell");
	if (json_is_array(sh) && json_array_size(sh)) {
		size_t i;
		json_t *x;
		json_array_foreach(sh, i, x)
			if (json_is_string(x))
				av_push(A(pl), out, arena_strdup(A(pl), json_string_value(x)));
	} else {
		av_push(A(pl), out, "/bin/sh");
		av_push(A(pl), out, "-c");
	}
}

static int plan_stage(struct planner *pl, int idx);

/* Go's path.Clean for an absolute path. */
static char *df_path_clean(const char *p)
{
	struct strvec parts = STRVEC_INIT;
	const char *s = p;
	while (*s) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		const char *e = strchr(s, '/');
		size_t l = e ? (size_t)(e - s) : strlen(s);
		if (l == 1 && s[0] == '.') {
		} else if (l == 2 && s[0] == '.' && s[1] == '.') {
			if (parts.n) {
				free(parts.v[--parts.n]);
				parts.v[parts.n] = NULL;
			}
		} else
			sv_push_owned(&parts, xstrndup(s, l));
		s += l;
	}
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 0; i < parts.n; i++)
		sb_addf(&sb, "/%s", parts.v[i]);
	if (!sb.len)
		sb_addc(&sb, '/');
	sv_clear(&parts);
	return sb_detach(&sb);
}

/* A stage or an image named by COPY --from / RUN --mount from=. */
static int resolve_from(struct planner *pl, struct plan_stage *s, const struct df_instr *in,
			const char *what, const char *raw, int *stage, char **image)
{
	char *v = NULL;
	*stage = -1;
	*image = NULL;
	if (expand(pl, in, raw, &META(pl), &v))
		return -1;
	int t = df_stage_find(pl->f, v, true);
	bool numeric = *v && isdigit((unsigned char)v[0]) && strspn(v, "0123456789") == strlen(v);
	if (numeric && t < 0) {
		lerr(pl, in, "%s=%s: invalid stage index %s (the Dockerfile has %zu stages)", what, v, v,
		     pl->f->nstages);
		return -1;
	}
	if (t >= 0) {
		if (t == s->index) {
			lerr(pl, in, "circular dependency detected on stage: %s", v);
			return -1;
		}
		if (plan_stage(pl, t))
			return -1;
		*stage = t;
		add_dep(s, t);
		return 0;
	}
	if (pl->o->base) {
		json_t *cfg = NULL;
		berr e = { 0 };
		if (pl->o->base(pl->o->base_ctx, v, s->platform, &cfg, &e)) {
			char *list = df_stage_list(pl->f);
			lerr(pl, in, "%s=%s: no stage named \"%s\" (stages: %s) and no such image: %s", what, v,
			     v, list, e.msg);
			free(list);
			return -1;
		}
		json_decref(cfg);
	}
	*image = v;
	return 0;
}

static int dispatch(struct planner *pl, struct plan_stage *s, struct dstate *d,
		    const struct df_instr *in, bool trigger);

static int run_triggers(struct planner *pl, struct plan_stage *s, struct dstate *d)
{
	json_t *ob = json_object_get(s->config, "OnBuild");
	if (!json_is_array(ob) || !json_array_size(ob)) {
		json_object_set_new(s->config, "OnBuild", json_null());
		return 0;
	}
	struct strvec triggers = STRVEC_INIT;
	json_sv(ob, &triggers);
	json_object_set_new(s->config, "OnBuild", json_null());
	int rc = 0;
	for (size_t i = 0; i < triggers.n && !rc; i++) {
		struct df_parse_result *pr = NULL;
		berr e = { 0 };
		if (df_parse(triggers.v[i], strlen(triggers.v[i]), "ONBUILD trigger", &pr, &e)) {
			rc = lerr(pl, s->df->from, "failed to parse ONBUILD trigger \"%s\": %s", triggers.v[i], e.msg);
			break;
		}
		s->trigger_pr = xrealloc(s->trigger_pr, (s->ntrigger_pr + 1) * sizeof(*s->trigger_pr));
		s->trigger_pr[s->ntrigger_pr++] = pr;
		for (size_t j = 0; j < pr->ast->nchildren && !rc; j++) {
			struct df_instr *tin = NULL;
			if (df_instr_parse(pr->ast->children[j], "ONBUILD trigger", &tin, &e)) {
				rc = lerr(pl, s->df->from, "ONBUILD trigger \"%s\": %s", triggers.v[i], e.msg);
				break;
			}
			if (tin->kind == DF_ONBUILD || tin->kind == DF_FROM || tin->kind == DF_MAINTAINER) {
				rc = lerr(pl, s->df->from, "%s isn't allowed as an ONBUILD trigger",
					  df_kind_name(tin->kind));
				df_instr_free(tin);
				break;
			}
			rc = dispatch(pl, s, d, tin, true);
		}
	}
	sv_clear(&triggers);
	return rc;
}

static const char *const *args_snapshot(struct planner *pl, struct dstate *d)
{
	if (!d->args_snap) {
		/* entries before nargs_last whose key was not set in env since are unchanged */
		bool inc = d->args_last && d->ndirty <= 4 && d->nargs >= d->nargs_last;
		size_t hits[4], nhits = 0;
		if (inc && !d->dup_args) {
			/* the args named by the dirty keys, found by hash */
			for (size_t j = 0; j < d->ndirty; j++) {
				const char *eq = strchr(d->dirty[j], '=');
				long x = envmap_find(&d->argkeys, d->dirty[j],
						     eq ? (size_t)(eq - d->dirty[j]) : strlen(d->dirty[j]));
				if (x >= 0 && (size_t)x < d->nargs_last)
					hits[nhits++] = (size_t)x;
			}
			if (!nhits && d->nargs == d->nargs_last) {
				/* nothing changed */
				d->args_snap = d->args_last;
				d->ndirty = 0;
				return d->args_snap;
			}
		}
		const char **a = arena_alloc(A(pl), (d->nargs + 1) * sizeof(char *));
		if (inc && !d->dup_args) {
			memcpy(a, d->args_last, d->nargs_last * sizeof(char *));
			for (size_t j = 0; j < nhits; j++)
				a[hits[j]] = NULL;
		}
		for (size_t i = 0; inc && d->dup_args && i < d->nargs_last; i++) {
			const char *key = d->args[i].key;
			size_t kl = d->args[i].klen;
			bool hit = false;
			for (size_t j = 0; j < d->ndirty && !hit; j++)
				hit = d->dirty[j][0] == key[0] && !strncmp(d->dirty[j], key, kl) &&
				      d->dirty[j][kl] == '=';
			a[i] = hit ? NULL : d->args_last[i];
		}
		for (size_t i = 0; i < d->nargs; i++) {
			if (inc && i < d->nargs_last && a[i])
				continue;
			/* runCommandString: the value in the state env, else the ARG's own */
			const char *kv = envmap_get_kv(&d->env, d->args[i].key);
			if (!kv) {
				if (!d->args[i].kv_default)
					d->args[i].kv_default = akv(A(pl), d->args[i].key,
								    d->args[i].value ? d->args[i].value : "");
				kv = d->args[i].kv_default;
			}
			a[i] = kv;
		}
		a[d->nargs] = NULL;
		d->args_snap = a;
		d->args_last = a;
		d->nargs_last = d->nargs;
		d->ndirty = 0;
	}
	return d->args_snap;
}

static void step_common(struct plan_step *st, struct dstate *d, struct plan_stage *s,
			struct planner *pl)
{
	args_snapshot(pl, d);
	st->build_args = d->args_snap;
	st->nbuild_args = d->nargs;
	if (st->instr->kind == DF_RUN) {
		if (!d->env_snap) {
			bool proxies = false;
			for (size_t i = 0; proxy_args[i] && !proxies; i++)
				proxies = kv_get(&pl->build_args, proxy_args[i]) && !envmap_get(&d->env, proxy_args[i]);
			if (!proxies)
				d->env_snap = (const char **)envmap_snapshot(&d->env, &d->nenv_snap);
			else {
				const char **e = arena_alloc(A(pl), (d->env.n + 11) * sizeof(char *));
				size_t n = 0;
				for (size_t i = 0; i < d->env.n; i++)
					e[n++] = d->env.kv[i];
				for (size_t i = 0; proxy_args[i]; i++) {
					const char *v = kv_get(&pl->build_args, proxy_args[i]);
					if (v && !envmap_get(&d->env, proxy_args[i]))
						e[n++] = akv(A(pl), proxy_args[i], v);
				}
				d->env_snap = e;
				d->nenv_snap = n;
			}
		}
		st->nenv = d->nenv_snap;
		st->env = d->env_snap;
	}
	/* only WORKDIR and USER change them after the stage's start */
	enum df_kind k = st->instr->kind;
	if (!d->last_wd || !d->last_user || k == DF_WORKDIR || k == DF_USER) {
		json_t *wd = json_object_get(s->config, "WorkingDir");
		json_t *us = json_object_get(s->config, "User");
		const char *w = json_is_string(wd) ? json_string_value(wd) : "";
		const char *u = json_is_string(us) ? json_string_value(us) : "";
		if (!d->last_wd || strcmp(d->last_wd, w))
			d->last_wd = arena_strdup(A(pl), w);
		if (!d->last_user || strcmp(d->last_user, u))
			d->last_user = arena_strdup(A(pl), u);
	}
	st->workdir = d->last_wd;
	st->user = d->last_user;
	if (st->instr->kind == DF_RUN)
		shell_of(pl, s->config, &st->shell);
}

/* The object (or array) under key, made private to this stage first: a stage built on
 * another starts from a shallow copy of its config, so nested values are copied on write. */
static json_t *obj_or_new(struct dstate *d, json_t *c, const char *key, bool array)
{
	static const char *const keys[] = { "Labels", "ExposedPorts", "Volumes", "OnBuild" };
	unsigned bit = 0;
	for (unsigned i = 0; i < 4; i++)
		if (!strcmp(keys[i], key))
			bit = 1u << i;
	json_t *o = json_object_get(c, key);
	bool ok = array ? json_is_array(o) : json_is_object(o);
	if (ok && !(d->owned & bit)) {
		o = json_copy(o) /* values are immutable leaves, replaced never edited */;
		json_object_set_new(c, key, o);
	} else if (!ok) {
		o = array ? json_array() : json_object();
		json_object_set_new(c, key, o);
	}
	d->owned |= bit;
	return o;
}

/* nat.ParsePortSpecs for one EXPOSE word: "80", "80/tcp", "8000-8002/udp", "ip:host:80". */
static int expose_ports(struct arena *a, const char *spec, struct strvec *out, char **msg)
{
	const char *p = strrchr(spec, ':');
	p = p ? p + 1 : spec;
	char *port = xstrdup(p);
	char *proto = strchr(port, '/');
	const char *pr = "tcp";
	if (proto) {
		*proto++ = 0;
		pr = proto;
	}
	char *lproto = xstrdup(pr);
	for (char *c = lproto; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	if (strcmp(lproto, "tcp") && strcmp(lproto, "udp") && strcmp(lproto, "sctp")) {
		*msg = xasprintf("invalid proto: %s", pr);
		free(port);
		free(lproto);
		return -1;
	}
	char *dash = strchr(port, '-');
	char *end;
	unsigned long lo = strtoul(port, &end, 10), hi = lo;
	if (!*port || (end != dash && *end) || lo > 65535) {
		*msg = xasprintf("invalid containerPort: %s", port);
		goto bad;
	}
	if (dash) {
		hi = strtoul(dash + 1, &end, 10);
		if (!dash[1] || *end || hi > 65535 || hi < lo) {
			*msg = xasprintf("invalid containerPort: %s", port);
			goto bad;
		}
	}
	for (unsigned long x = lo; x <= hi; x++) {
		char num[24];
		size_t nl = 0, pl = strlen(lproto);
		unsigned long y = x;
		do
			num[sizeof(num) - 1 - nl++] = (char)('0' + y % 10);
		while ((y /= 10));
		char *e = arena_alloc(a, nl + 1 + pl + 1);
		memcpy(e, num + sizeof(num) - nl, nl);
		e[nl] = '/';
		memcpy(e + nl + 1, lproto, pl + 1);
		av_push(a, out, e);
	}
	free(port);
	free(lproto);
	return 0;
bad:
	free(port);
	free(lproto);
	return -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int dispatch(struct planner *pl, struct plan_stage *s, struct dstate *d,
		    const struct df_instr *in, bool trigger)
{
	struct plan_step *st = new_step(s, in, trigger);
	struct arena *ar = A(pl);
	struct strbuf local = STRBUF_INIT;
	bool mine = !pl->cb_busy;
	struct strbuf *cb = mine ? &pl->cb : &local;
	pl->cb_busy = true;
	sb_reset(cb);
	json_t *c = s->config;
	int rc = 0;
	char *v = NULL;
	switch (in->kind) {
	case DF_ENV: {
		/* every pair is expanded against the environment before the instruction */
		char *kbuf[16], *vbuf[16];
		char **keys = in->nkvs <= 16 ? kbuf : xmalloc(in->nkvs * sizeof(char *));
		char **vals = in->nkvs <= 16 ? vbuf : xmalloc(in->nkvs * sizeof(char *));
		for (size_t i = 0; i < in->nkvs && !rc; i++)
			if (expand(pl, in, in->kvs[i].key, &d->se, &keys[i]) ||
			    expand(pl, in, in->kvs[i].value, &d->se, &vals[i]))
				rc = -1;
		if (!rc) {
			sb_adds(cb, "ENV");
			for (size_t i = 0; i < in->nkvs; i++) {
				sb_add_kv(cb, " ", keys[i], vals[i]);
				const char *kv = envmap_set(&d->env, ar, keys[i], vals[i]);
				envmap_put(&d->img_env, kv);
				env_changed(d, kv);
				av_push(ar, &st->args, kv);
			}
		}
		if (keys != kbuf)
			free(keys);
		if (vals != vbuf)
			free(vals);
		break;
	}
	case DF_ARG: {
		struct arg *na = xcalloc(in->nkvs, sizeof(*na));
		for (size_t i = 0; i < in->nkvs && !rc; i++) {
			if (expand(pl, in, in->kvs[i].key, &d->se, &na[i].key) ||
			    (in->kvs[i].value && expand(pl, in, in->kvs[i].value, &d->se, &na[i].value)))
				rc = -1;
		}
		if (!rc) {
			sb_adds(cb, "ARG");
			for (size_t i = 0; i < in->nkvs; i++) {
				sb_addc(cb, ' ');
				sb_adds(cb, na[i].key);
				if (na[i].value) {
					sb_addc(cb, '=');
					sb_adds(cb, na[i].value);
				}
				if (na[i].value)
					av_push(ar, &st->args, akv(ar, na[i].key, na[i].value));
				else
					av_push(ar, &st->args, na[i].key);
				const char *bv = build_arg(pl, na[i].key);
				const char *val = bv ? bv : na[i].value;
				if (!val && sv_contains(&pl->meta_set, na[i].key))
					val = kv_get(&pl->meta, na[i].key);
				const char *kv = NULL;
				if (val) {
					kv = envmap_set(&d->env, ar, na[i].key, val);
					val = kv + strlen(na[i].key) + 1; /* in the arena */
				}
				env_changed(d, kv);
				if (!(d->nargs & (d->nargs - 1)))
					d->args = xrealloc(d->args, (d->nargs ? 2 * d->nargs : 1) * sizeof(*d->args));
				if (strchr(na[i].key, '=') || envmap_get_kv(&d->argkeys, na[i].key))
					d->dup_args = true;
				else
					envmap_put(&d->argkeys, na[i].key);
				d->args[d->nargs].key = na[i].key;
				d->args[d->nargs].klen = strlen(na[i].key);
				d->args[d->nargs].value = (char *)val;
				d->args[d->nargs].kv_default = NULL;
				d->nargs++;
			}
		}
		free(na);
		break;
	}
	case DF_RUN: {
		if (!in->json) {
			const char *cmd = in->args.n ? in->args.v[0] : "";
			const char *full = cmd;
			if (in->nheredocs) {
				bool single = !strncmp(cmd, "<<", 2) && !strpbrk(cmd, " \t");
				char *f;
				if (single)
					f = in->heredocs[0].chomp ? df_heredoc_chomp(in->heredocs[0].content)
								   : xstrdup(in->heredocs[0].content);
				else {
					struct strbuf fb = STRBUF_INIT;
					sb_init(&fb);
					sb_adds(&fb, cmd);
					for (size_t i = 0; i < in->nheredocs; i++)
						sb_addf(&fb, "\n%s%s", in->heredocs[i].content, in->heredocs[i].name);
					f = sb_detach(&fb);
				}
				full = arena_strdup(ar, f);
				free(f);
			}
			shell_of(pl, c, &st->args);
			av_push(ar, &st->args, full);
		} else
			av_copy(ar, &st->args, &in->args);
		for (size_t i = 0; i < in->nmounts && !rc; i++) {
			st->mount_stage = xrealloc(st->mount_stage, (i + 1) * sizeof(int));
			st->mount_image = xrealloc(st->mount_image, (i + 1) * sizeof(char *));
			st->mount_stage[i] = -1;
			st->mount_image[i] = NULL;
			if (in->mounts[i].from)
				rc = resolve_from(pl, s, in, "--mount from", in->mounts[i].from,
						  &st->mount_stage[i], &st->mount_image[i]);
		}
		sb_adds(cb, "RUN ");
		if (d->nargs) {
			const char *const *a = args_snapshot(pl, d);
			sb_addc(cb, '|');
			sb_add_num(cb, d->nargs);
			sb_addc(cb, ' ');
			sb_add_joined(cb, a, d->nargs);
			sb_addc(cb, ' ');
		}
		sb_add_joined(cb, (const char *const *)st->args.v, st->args.n);
		sb_adds(cb, " # buildkit");
		st->layer = true;
		break;
	}
	case DF_CMD:
	case DF_ENTRYPOINT: {
		if (!in->json) {
			shell_of(pl, c, &st->args);
			av_push(ar, &st->args, in->args.n ? in->args.v[0] : "");
		} else
			av_copy(ar, &st->args, &in->args);
		const char *key = in->kind == DF_CMD ? "Cmd" : "Entrypoint";
		json_object_set_new(c, key, sv_json(&st->args));
		json_object_set_new(c, "ArgsEscaped", json_true());
		if (in->kind == DF_CMD)
			d->cmd_set = true;
		else if (!d->cmd_set)
			json_object_set_new(c, "Cmd", json_null());
		sb_adds(cb, df_kind_name(in->kind));
		sb_addc(cb, ' ');
		quote_list(cb, &st->args);
		break;
	}
	case DF_SHELL:
		json_object_set_new(c, "Shell", sv_json(&in->args));
		sb_adds(cb, "SHELL ");
		plain_list(cb, &in->args);
		av_copy(ar, &st->args, &in->args);
		break;
	case DF_LABEL: {
		json_t *labels = obj_or_new(d, c, "Labels", false);
		sb_adds(cb, "LABEL");
		char *kbuf[16], *vbuf[16];
		char **keys = in->nkvs <= 16 ? kbuf : xmalloc(in->nkvs * sizeof(char *));
		char **vals = in->nkvs <= 16 ? vbuf : xmalloc(in->nkvs * sizeof(char *));
		for (size_t i = 0; i < in->nkvs && !rc; i++)
			if (expand(pl, in, in->kvs[i].key, &d->se, &keys[i]) ||
			    expand(pl, in, in->kvs[i].value, &d->se, &vals[i]))
				rc = -1;
		for (size_t i = 0; !rc && i < in->nkvs; i++) {
			json_object_set_new(labels, keys[i], json_string(vals[i]));
			sb_add_kv(cb, " ", keys[i], vals[i]);
			av_push(ar, &st->args, akv(ar, keys[i], vals[i]));
		}
		if (keys != kbuf)
			free(keys);
		if (vals != vbuf)
			free(vals);
		break;
	}
	case DF_MAINTAINER:
		sb_adds(cb, "MAINTAINER ");
		sb_adds(cb, in->args.v[0]);
		av_push(ar, &st->args, in->args.v[0]);
		break;
	case DF_EXPOSE: {
		struct strvec ports = STRVEC_INIT; /* in the arena */
		for (size_t i = 0; i < in->args.n && !rc; i++) {
			if (expand(pl, in, in->args.v[i], &d->se, &v)) {
				rc = -1;
				break;
			}
			char *msg = NULL;
			if (expose_ports(ar, v, &ports, &msg)) {
				rc = lerr(pl, in, "%s", msg);
				free(msg);
			}
		}
		if (!rc) {
			json_t *ep = obj_or_new(d, c, "ExposedPorts", false);
			if (ports.n)
				qsort(ports.v, ports.n, sizeof(char *), cmp_str);
			sb_adds(cb, "EXPOSE map[");
			bool first = true;
			for (size_t i = 0; i < ports.n; i++) {
				if (i && !strcmp(ports.v[i], ports.v[i - 1]))
					continue;
				json_object_set_new(ep, ports.v[i], json_object());
				if (!first)
					sb_addc(cb, ' ');
				sb_adds(cb, ports.v[i]);
				sb_adds(cb, ":{}");
				first = false;
				av_push(ar, &st->args, ports.v[i]);
			}
			sb_addc(cb, ']');
		}
		break;
	}
	case DF_VOLUME: {
		json_t *vols = obj_or_new(d, c, "Volumes", false);
		for (size_t i = 0; i < in->args.n && !rc; i++) {
			if (expand(pl, in, in->args.v[i], &d->se, &v)) {
				rc = -1;
				break;
			}
			if (!*v) {
				rc = lerr(pl, in, "VOLUME specified can not be an empty string");
				break;
			}
			json_object_set_new(vols, v, json_object());
			av_push(ar, &st->args, v);
		}
		sb_adds(cb, "VOLUME ");
		plain_list(cb, &st->args);
		break;
	}
	case DF_USER:
	case DF_STOPSIGNAL:
		if (expand(pl, in, in->args.v[0], &d->se, &v)) {
			rc = -1;
			break;
		}
		json_object_set_new(c, in->kind == DF_USER ? "User" : "StopSignal", json_string(v));
		sb_adds(cb, df_kind_name(in->kind));
		sb_addc(cb, ' ');
		sb_adds(cb, v);
		av_push(ar, &st->args, v);
		break;
	case DF_WORKDIR: {
		if (expand(pl, in, in->args.v[0], &d->se, &v)) {
			rc = -1;
			break;
		}
		const char *wd = v;
		if (wd[0] != '/') {
			json_t *old = json_object_get(c, "WorkingDir");
			const char *o = json_is_string(old) ? json_string_value(old) : "";
			struct strbuf j = STRBUF_INIT;
			sb_init(&j);
			sb_addf(&j, "/%s/%s", o, wd);
			char *clean = df_path_clean(j.buf);
			sb_release(&j);
			wd = arena_strdup(ar, clean);
			free(clean);
		}
		json_object_set_new(c, "WorkingDir", json_string(wd));
		sb_adds(cb, "WORKDIR ");
		sb_adds(cb, wd);
		av_push(ar, &st->args, wd);
		st->layer = true;
		break;
	}
	case DF_COPY:
	case DF_ADD: {
		for (size_t i = 0; i < in->args.n && !rc; i++) {
			if (expand(pl, in, in->args.v[i], &d->se, &v)) {
				rc = -1;
				break;
			}
			av_push(ar, &st->args, v);
		}
		if (!rc && in->chown && expand(pl, in, in->chown, &d->se, &st->chown))
			rc = -1;
		if (!rc && in->chmod && expand(pl, in, in->chmod, &d->se, &st->chmod))
			rc = -1;
		if (!rc && in->kind == DF_COPY && in->from)
			rc = resolve_from(pl, s, in, "--from", in->from, &st->from_stage, &st->from_image);
		sb_adds(cb, df_kind_name(in->kind));
		if (st->args.n) {
			sb_addc(cb, ' ');
			sb_add_joined(cb, (const char *const *)st->args.v, st->args.n);
		}
		sb_adds(cb, " # buildkit");
		st->layer = true;
		break;
	}
	case DF_HEALTHCHECK: {
		const struct df_health *h = &in->health;
		json_t *hc = json_object();
		json_object_set_new(hc, "Test", sv_json(&h->test));
		if (h->interval) json_object_set_new(hc, "Interval", json_integer(h->interval));
		if (h->timeout) json_object_set_new(hc, "Timeout", json_integer(h->timeout));
		if (h->start_period) json_object_set_new(hc, "StartPeriod", json_integer(h->start_period));
		if (h->start_interval) json_object_set_new(hc, "StartInterval", json_integer(h->start_interval));
		if (h->retries) json_object_set_new(hc, "Retries", json_integer(h->retries));
		json_object_set_new(c, "Healthcheck", hc);
		sb_adds(cb, "HEALTHCHECK &{");
		quote_list(cb, &h->test);
		int64_t durs[] = { h->interval, h->timeout, h->start_period };
		for (size_t i = 0; i < 3; i++) {
			struct strbuf ds = STRBUF_INIT;
			sb_init(&ds);
			df_format_duration(&ds, durs[i]);
			sb_addc(cb, ' ');
			df_quote(cb, ds.buf, ds.len);
			sb_release(&ds);
		}
		sb_addc(cb, ' ');
		quote_rune(cb, h->retries);
		sb_addc(cb, '}');
		av_copy(ar, &st->args, &h->test);
		break;
	}
	case DF_ONBUILD: {
		json_t *ob = obj_or_new(d, c, "OnBuild", true);
		json_array_append_new(ob, json_string(in->expression));
		av_push(ar, &st->args, in->expression);
		break;
	}
	case DF_FROM:
		rc = lerr(pl, in, "FROM is not allowed here");
		break;
	}
	if (!rc) {
		step_common(st, d, s, pl);
		/* 20.10 writes no history entry for ONBUILD */
		st->created_by = arena_strndup(ar, cb->buf, cb->len);
		if (in->kind != DF_ONBUILD)
			push_hist(s, st->created_by, st->layer);
	}
	if (mine)
		pl->cb_busy = false;
	sb_release(&local);
	return rc;
}

static int plan_stage(struct planner *pl, int idx)
{
	struct plan_stage *s = &pl->p->stages[idx];
	if (s->planned)
		return 0;
	if (pl->visiting[idx])
		return lerr(pl, s->df->from, "circular dependency detected on stage: %s",
			    s->df->name ? s->df->from->stage_name : "(unnamed)");
	pl->visiting[idx] = 1;
	s->needed = true;
	const struct df_instr *from = s->df->from;
	char *base = NULL;
	if (expand(pl, from, from->args.v[0], &META(pl), &base))
		return -1;
	if (!*base)
		return lerr(pl, from, "base name (%s) should not be blank", from->args.v[0]);
	if (from->platform && expand(pl, from, from->platform, &META(pl), &s->platform))
		return -1;
	struct dstate d = { 0 };
	d.se.get = envmap_lookup;
	d.se.ctx = &d.env;
	int bs = df_stage_find(pl->f, base, false);
	if (bs == idx)
		bs = -1; /* FROM its own name: an image */
	if (!strcasecmp(base, "scratch")) {
		s->base_kind = PLAN_BASE_SCRATCH;
		s->config = config_from(NULL);
		json_object_set_new(s->config, "WorkingDir", json_string("/"));
		envmap_set(&d.img_env, A(pl), "PATH", PLAN_DEFAULT_PATH);
	} else if (bs >= 0) {
		if (plan_stage(pl, bs))
			return -1;
		struct plan_stage *b = &pl->p->stages[bs];
		s->base_kind = PLAN_BASE_STAGE;
		s->base_stage = bs;
		add_dep(s, bs);
		/* the last stage built on b takes b's config, history and environment over
		 * when nothing else will read them (b is not the target) */
		bool hand_on = !pl->o->all_configs && bs != pl->p->target && b->refs == 1 &&
			       !b->handed_on && b->config;
		if (b->refs > 0)
			b->refs--;
		if (hand_on) {
			s->config = b->config;
			b->config = NULL;
			d.owned = b->owned;
			d.img_env = b->img_env;
			d.env = b->state_env;
			memset(&b->img_env, 0, sizeof(b->img_env));
			memset(&b->state_env, 0, sizeof(b->state_env));
			s->hist = b->hist;
			s->nhist = b->nhist;
			b->hist = NULL;
			b->nhist = 0;
			b->handed_on = true;
		} else {
			s->config = json_copy(b->config); /* shallow: see obj_or_new */
			b->owned = 0; /* its objects are shared now: a stage it is handed on to
			               * later must copy them before changing them */
			envmap_copy(&d.img_env, &b->img_env);
			envmap_copy(&d.env, &b->state_env);
			for (size_t i = 0; i < b->nhist; i++)
				push_hist(s, b->hist[i].created_by, !b->hist[i].empty_layer);
		}
		if (!s->platform && b->platform)
			s->platform = b->platform; /* in the arena */
	} else {
		json_t *cfg = NULL;
		s->base_kind = PLAN_BASE_IMAGE;
		if (pl->o->base) {
			berr e = { 0 };
			if (pl->o->base(pl->o->base_ctx, base, s->platform, &cfg, &e)) {
				lerr(pl, from, "%s", e.msg);
				return -1;
			}
		}
		s->config = config_from(cfg);
		json_decref(cfg);
		size_t i;
		json_t *x;
		json_array_foreach(json_object_get(s->config, "Env"), i, x)
			if (json_is_string(x))
				envmap_put(&d.img_env, arena_strdup(A(pl), json_string_value(x)));
		if (!envmap_get(&d.img_env, "PATH"))
			envmap_set(&d.img_env, A(pl), "PATH", PLAN_DEFAULT_PATH);
	}
	s->base_ref = base;
	if (s->base_kind != PLAN_BASE_STAGE)
		envmap_copy(&d.env, &d.img_env);
	json_object_set_new(s->config, "Image", json_string(""));
	int rc = run_triggers(pl, s, &d);
	for (size_t i = 0; i < s->df->ninstrs && !rc; i++)
		rc = dispatch(pl, s, &d, s->df->instrs[i], false);
	/* the Env array is made when the config is asked for (plan_stage_config): in a chain
	 * of stages most of them would be thrown away */
	json_object_set_new(s->config, "Env", json_null());
	s->state_env = d.env;
	s->img_env = d.img_env;
	s->owned = d.owned;
	free(d.args); /* the strings are in the arena */
	envmap_release(&d.argkeys);
	if (rc)
		return -1;
	int wave = 0;
	for (size_t i = 0; i < s->ndeps; i++)
		if (pl->p->stages[s->deps[i]].wave + 1 > wave)
			wave = pl->p->stages[s->deps[i]].wave + 1;
	s->wave = wave;
	s->planned = true;
	pl->visiting[idx] = 0;
	return 0;
}

/* How many stages are built FROM each stage (resolved as plan_stage does; a FROM that does
 * not expand counts for none: plan_stage reports it). Counting stages that turn out not to
 * be needed only keeps a config from being handed on. */
static void count_refs(struct planner *pl)
{
	const struct df_file *f = pl->f;
	for (size_t i = 0; i < f->nstages; i++) {
		const struct df_instr *from = f->stages[i].from;
		char *base = NULL;
		berr e = { 0 };
		if (shell_expand_word(from->args.v[0], &META(pl), f->pr->escape_token, &base, NULL, &e))
			continue;
		int bs = df_stage_find(f, base, false);
		if (strcasecmp(base, "scratch") && bs >= 0 && bs != (int)i)
			pl->p->stages[bs].refs++;
		free(base);
	}
}

static void predefined(struct planner *pl)
{
	const char *tp = pl->o->platform ? pl->o->platform : plan_host_platform();
	const char *bp = plan_host_platform();
	const char *names[2] = { "TARGET", "BUILD" };
	const char *plats[2] = { tp, bp };
	for (int i = 0; i < 2; i++) {
		char os[32] = "", arch[32] = "", var[32] = "";
		sscanf(plats[i], "%31[^/]/%31[^/]/%31s", os, arch, var);
		sv_pushf(&pl->meta, "%sPLATFORM=%s", names[i], plats[i]);
		sv_pushf(&pl->meta, "%sOS=%s", names[i], os);
		sv_pushf(&pl->meta, "%sARCH=%s", names[i], arch);
		sv_pushf(&pl->meta, "%sVARIANT=%s", names[i], var);
		sv_pushf(&pl->meta_set, "%sPLATFORM", names[i]);
		sv_pushf(&pl->meta_set, "%sOS", names[i]);
		sv_pushf(&pl->meta_set, "%sARCH", names[i]);
		sv_pushf(&pl->meta_set, "%sVARIANT", names[i]);
	}
}

int plan_build(const struct df_file *f, const struct plan_opts *o, struct plan **out, berr *err)
{
	*out = NULL;
	struct plan *p = xcalloc(1, sizeof(*p));
	p->file = f;
	p->nstages = f->nstages;
	p->stages = xcalloc(f->nstages + 1, sizeof(*p->stages));
	for (size_t i = 0; i < f->nstages; i++) {
		p->stages[i].index = (int)i;
		p->stages[i].df = &f->stages[i];
		p->stages[i].base_stage = -1;
	}
	struct planner pl = { .f = f, .o = o, .p = p, .err = err };
	pl.visiting = xcalloc(f->nstages + 1, sizeof(int));
	if (o->build_args)
		for (size_t i = 0; o->build_args[i]; i++)
			sv_push(&pl.build_args, o->build_args[i]);
	predefined(&pl);
	int rc = 0;
	/* global ARGs: each default expanded with the ones before it; --build-arg overrides */
	for (size_t i = 0; i < f->nmeta && !rc; i++) {
		const struct df_instr *in = f->meta[i];
		for (size_t j = 0; j < in->nkvs && !rc; j++) {
			char *exp = NULL;
			if (in->kvs[j].value && expand(&pl, in, in->kvs[j].value, &META(&pl), &exp)) {
				rc = -1;
				break;
			}
			const char *bv = build_arg(&pl, in->kvs[j].key);
			const char *val = bv ? bv : exp;
			if (val) {
				sv_pushf(&pl.meta, "%s=%s", in->kvs[j].key, val);
				if (!sv_contains(&pl.meta_set, in->kvs[j].key))
					sv_push(&pl.meta_set, in->kvs[j].key);
			} else {
				/* declared without a value: unset (remove a predefined value) */
				sv_push(&pl.meta, in->kvs[j].key);
			}
		}
	}
	if (!rc) {
		if (o->target && *o->target) {
			p->target = df_stage_find(f, o->target, false);
			if (p->target < 0) {
				char *list = df_stage_list(f);
				rc = berr_set(err, 0, "target stage \"%s\" could not be found; the stages are: %s",
					      o->target, list);
				free(list);
			}
		} else
			p->target = (int)f->nstages - 1;
	}
	if (!rc)
		count_refs(&pl);
	if (!rc)
		rc = plan_stage(&pl, p->target);
	if (!rc)
		plan_stage_config(p, p->target);
	for (size_t i = 0; i < pl.build_args.n && !rc; i++) {
		char *k = xstrdup(pl.build_args.v[i]);
		char *eq = strchr(k, '=');
		if (eq)
			*eq = 0;
		bool proxy = false;
		for (size_t j = 0; proxy_args[j]; j++)
			proxy |= !strcmp(proxy_args[j], k);
		if (!proxy && !sv_contains(&pl.consumed, k) && !sv_contains(&p->unused_build_args, k))
			sv_push(&p->unused_build_args, k);
		free(k);
	}
	sv_clear(&pl.meta);
	sv_clear(&pl.meta_set);
	sv_clear(&pl.build_args);
	sv_clear(&pl.consumed);
	sb_release(&pl.cb);
	free(pl.visiting);
	if (rc) {
		plan_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

void plan_free(struct plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nstages; i++) {
		struct plan_stage *s = &p->stages[i];
		for (size_t j = 0; j < s->nsteps; j++) {
			struct plan_step *st = &s->steps[j];
			/* strings and vectors are in the arena */
			if (st->trigger)
				df_instr_free((struct df_instr *)st->instr);
			if (st->mount_image) {
				free(st->mount_image);
				free(st->mount_stage);
			}
		}
		free(s->steps);
		free(s->hist);
		json_decref(s->config);
		envmap_release(&s->state_env);
		envmap_release(&s->img_env);
		free(s->deps);
		for (size_t j = 0; j < s->ntrigger_pr; j++)
			df_parse_result_free(s->trigger_pr[j]);
		free(s->trigger_pr);
	}
	free(p->stages);
	sv_clear(&p->unused_build_args);
	arena_release(&p->arena);
	free(p);
}

json_t *plan_stage_config(struct plan *p, int i)
{
	struct plan_stage *s = &p->stages[i];
	if (!s->config)
		return NULL;
	if (!s->env_done) {
		json_object_set_new(s->config, "Env", ptrs_json(s->img_env.kv, s->img_env.n));
		s->env_done = true;
	}
	return s->config;
}

json_t *plan_to_json(const struct plan *p)
{
	json_t *root = json_object();
	const struct plan_stage *t = &p->stages[p->target];
	json_object_set_new(root, "target", json_integer(p->target));
	json_object_set(root, "config", plan_stage_config((struct plan *)p, p->target));
	json_t *h = json_array();
	for (size_t i = 0; i < t->nhist; i++) {
		json_t *e = json_object();
		json_object_set_new(e, "created_by", json_string(t->hist[i].created_by));
		json_object_set_new(e, "empty_layer", json_boolean(t->hist[i].empty_layer));
		json_array_append_new(h, e);
	}
	json_object_set_new(root, "history", h);
	json_t *stages = json_array();
	for (size_t i = 0; i < p->nstages; i++) {
		const struct plan_stage *s = &p->stages[i];
		json_t *o = json_object();
		json_object_set_new(o, "index", json_integer(s->index));
		json_object_set_new(o, "name", s->df->name ? json_string(s->df->name) : json_null());
		json_object_set_new(o, "needed", json_boolean(s->needed));
		if (s->needed) {
			json_object_set_new(o, "base",
					    s->base_kind == PLAN_BASE_SCRATCH ? json_string("scratch")
					    : s->base_kind == PLAN_BASE_STAGE ? json_integer(s->base_stage)
									       : json_string(s->base_ref));
			json_object_set_new(o, "wave", json_integer(s->wave));
			json_t *deps = json_array();
			for (size_t j = 0; j < s->ndeps; j++)
				json_array_append_new(deps, json_integer(s->deps[j]));
			json_object_set_new(o, "deps", deps);
			json_t *steps = json_array();
			for (size_t j = 0; j < s->nsteps; j++) {
				const struct plan_step *st = &s->steps[j];
				json_t *so = json_object();
				json_object_set_new(so, "instruction", json_string(df_kind_name(st->instr->kind)));
				json_object_set_new(so, "line", json_integer(st->trigger ? 0 : st->instr->line));
				json_object_set_new(so, "args", sv_json(&st->args));
				json_object_set_new(so, "created_by", json_string(st->created_by));
				json_object_set_new(so, "layer", json_boolean(st->layer));
				json_object_set_new(so, "build_args", ptrs_json(st->build_args, st->nbuild_args));
				if (st->env)
					json_object_set_new(so, "env", ptrs_json(st->env, st->nenv));
				if (st->from_stage >= 0)
					json_object_set_new(so, "from_stage", json_integer(st->from_stage));
				if (st->from_image)
					json_object_set_new(so, "from_image", json_string(st->from_image));
				if (st->trigger)
					json_object_set_new(so, "onbuild_trigger", json_true());
				json_array_append_new(steps, so);
			}
			json_object_set_new(o, "steps", steps);
		}
		json_array_append_new(stages, o);
	}
	json_object_set_new(root, "stages", stages);
	return root;
}
