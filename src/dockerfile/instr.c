/* instr.c: typed instructions from the parse tree (BuildKit's instructions/parse.go):
 * argument counts, flags per instruction (BFlags semantics and wording), FROM ... AS,
 * ENV/LABEL pairs, ARG declarations, HEALTHCHECK, ONBUILD. Mount and duration parsing
 * live in instr_mount.c. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dockerfile/instr.h"
#include "dockerfile/parse_internal.h"

static const char *const kind_names[] = {
	[DF_ADD] = "ADD", [DF_ARG] = "ARG", [DF_CMD] = "CMD", [DF_COPY] = "COPY",
	[DF_ENTRYPOINT] = "ENTRYPOINT", [DF_ENV] = "ENV", [DF_EXPOSE] = "EXPOSE",
	[DF_FROM] = "FROM", [DF_HEALTHCHECK] = "HEALTHCHECK", [DF_LABEL] = "LABEL",
	[DF_MAINTAINER] = "MAINTAINER", [DF_ONBUILD] = "ONBUILD", [DF_RUN] = "RUN",
	[DF_SHELL] = "SHELL", [DF_STOPSIGNAL] = "STOPSIGNAL", [DF_USER] = "USER",
	[DF_VOLUME] = "VOLUME", [DF_WORKDIR] = "WORKDIR",
};

const char *df_kind_name(enum df_kind k)
{
	return kind_names[k];
}

static int kind_of(const char *lower, enum df_kind *k)
{
	size_t l = strlen(lower);
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if ((kind_names[i][0] | 0x20) == (lower[0] | 0x20) && strlen(kind_names[i]) == l &&
		    !strcasecmp(kind_names[i], lower)) {
			*k = (enum df_kind)i;
			return 0;
		}
	return -1;
}

__attribute__((format(printf, 4, 5)))
static int perr(berr *err, const char *filename, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return berr_set(err, 0, "%s:%d: dockerfile parse error on line %d: %s",
			filename ? filename : "Dockerfile", line, line, msg);
}

/* ---- flags (BFlags) ---- */
enum fk { FK_STR, FK_BOOL, FK_LIST };
struct fdef {
	const char *name;
	enum fk kind;
	size_t off;       /* offset of char* / bool / strvec in df_instr, or SIZE_MAX (custom) */
};
#define OFF(f) offsetof(struct df_instr, f)
#define CUSTOM ((size_t)-1)

static const struct fdef add_flags[] = {
	{ "chown", FK_STR, OFF(chown) }, { "chmod", FK_STR, OFF(chmod) },
	{ "link", FK_BOOL, OFF(link) }, { "keep-git-dir", FK_BOOL, CUSTOM },
	{ "checksum", FK_STR, OFF(checksum) }, { "exclude", FK_LIST, OFF(excludes) }, { 0 },
};
static const struct fdef copy_flags[] = {
	{ "from", FK_STR, OFF(from) }, { "chown", FK_STR, OFF(chown) },
	{ "chmod", FK_STR, OFF(chmod) }, { "link", FK_BOOL, OFF(link) },
	{ "parents", FK_BOOL, OFF(parents) }, { "exclude", FK_LIST, OFF(excludes) }, { 0 },
};
static const struct fdef from_flags[] = { { "platform", FK_STR, OFF(platform) }, { 0 } };
static const struct fdef run_flags[] = {
	{ "mount", FK_LIST, CUSTOM }, { "network", FK_STR, OFF(network) },
	{ "security", FK_STR, OFF(security) }, { 0 },
};
static const struct fdef hc_flags[] = {
	{ "interval", FK_STR, CUSTOM }, { "timeout", FK_STR, CUSTOM },
	{ "start-period", FK_STR, CUSTOM }, { "start-interval", FK_STR, CUSTOM },
	{ "retries", FK_STR, CUSTOM }, { 0 },
};
static const struct fdef no_flags[] = { { 0 } };

static const struct fdef *flags_for(enum df_kind k)
{
	switch (k) {
	case DF_ADD: return add_flags;
	case DF_COPY: return copy_flags;
	case DF_FROM: return from_flags;
	case DF_RUN: return run_flags;
	case DF_HEALTHCHECK: return hc_flags;
	default: return no_flags;
	}
}

static bool valid_network(const char *v)
{
	return !strcmp(v, "default") || !strcmp(v, "none") || !strcmp(v, "host");
}

static int parse_health_duration(const char *name, const char *v, int64_t *out, char **msg)
{
	int64_t d;
	*out = 0;
	if (!*v)
		return 0;
	if (df_parse_duration(v, &d)) {
		*msg = xasprintf("time: invalid duration \"%s\"", v);
		return -1;
	}
	if (d == 0)
		return 0;
	if (d < 0) {
		*msg = xasprintf("Interval \"%s\" cannot be negative", name);
		return -1;
	}
	if (d < 1000000) {
		*msg = xasprintf("Interval \"%s\" cannot be less than 1ms", name);
		return -1;
	}
	*out = d;
	return 0;
}

/* Parse the node's flags into in. Returns -1 with *msg on error. */
static int parse_flags(struct df_instr *in, const struct strvec *flags, char **msg)
{
	const struct fdef *defs = flags_for(in->kind);
	bool seen[8] = { 0 };
	for (size_t i = 0; i < flags->n; i++) {
		const char *arg = flags->v[i];
		if (strncmp(arg, "--", 2)) {
			*msg = xasprintf("Arguments must start with '--': %s", arg);
			return -1;
		}
		arg += 2;
		const char *eq = strchr(arg, '=');
		size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
		const char *val = eq ? eq + 1 : "";
		const struct fdef *d = NULL;
		size_t di = 0;
		for (size_t j = 0; defs[j].name; j++)
			if (strlen(defs[j].name) == nlen && !strncmp(defs[j].name, arg, nlen)) {
				d = &defs[j];
				di = j;
			}
		if (!d) {
			*msg = xasprintf("Unknown flag: %.*s", (int)nlen, arg);
			return -1;
		}
		if (d->kind != FK_LIST && seen[di]) {
			*msg = xasprintf("Duplicate flag specified: %s", d->name);
			return -1;
		}
		seen[di] = true;
		if (d->kind == FK_BOOL) {
			bool b = true;
			if (eq) {
				if (!strcasecmp(val, "true"))
					b = true;
				else if (!strcasecmp(val, "false"))
					b = false;
				else {
					*msg = xasprintf("expecting boolean value for flag %s, not: %s", d->name, val);
					return -1;
				}
			}
			if (d->off == CUSTOM)
				in->keep_git_dir = b;
			else
				*(bool *)((char *)in + d->off) = b;
			continue;
		}
		if (!eq) {
			*msg = xasprintf("Missing a value on flag: %s", d->name);
			return -1;
		}
		if (d->kind == FK_LIST && d->off != CUSTOM) {
			sv_push((struct strvec *)((char *)in + d->off), val);
			continue;
		}
		if (in->kind == DF_RUN && !strcmp(d->name, "mount")) {
			in->mounts = xrealloc(in->mounts, (in->nmounts + 1) * sizeof(*in->mounts));
			if (df_mount_parse(val, &in->mounts[in->nmounts], msg))
				return -1;
			in->nmounts++;
			continue;
		}
		if (in->kind == DF_HEALTHCHECK) {
			struct df_health *h = &in->health;
			if (!strcmp(d->name, "retries")) {
				char *end;
				errno = 0;
				long r = *val ? strtol(val, &end, 10) : 0;
				if (*val && (errno || *end)) {
					*msg = xasprintf("strconv.ParseInt: parsing \"%s\": invalid syntax", val);
					return -1;
				}
				if (r < 0) {
					*msg = xasprintf("--retries cannot be negative (%ld)", r);
					return -1;
				}
				h->retries = r;
				continue;
			}
			int64_t *dst = !strcmp(d->name, "interval") ? &h->interval
				     : !strcmp(d->name, "timeout") ? &h->timeout
				     : !strcmp(d->name, "start-period") ? &h->start_period
				     : &h->start_interval;
			if (parse_health_duration(d->name, val, dst, msg))
				return -1;
			continue;
		}
		char **dst = (char **)((char *)in + d->off);
		*dst = xstrdup(val);
	}
	if (in->network && !valid_network(in->network)) {
		*msg = xasprintf("unsupported network mode \"%s\"", in->network);
		return -1;
	}
	if (in->security && strcmp(in->security, "sandbox") && strcmp(in->security, "insecure")) {
		*msg = xasprintf("unsupported security mode \"%s\"", in->security);
		return -1;
	}
	return 0;
}

static void set_keyword(struct df_instr *in, const struct df_node *n)
{
	const char *s = n->original ? n->original : "";
	while (*s == ' ' || *s == '\t')
		s++;
	size_t l = 0;
	while (isalpha((unsigned char)s[l]))
		l++;
	in->keyword = s;
	in->keyword_len = l;
}

static size_t nargs(const struct df_node *n)
{
	size_t c = 0;
	for (const struct df_node *a = n->next; a; a = a->next)
		c++;
	return c;
}

static bool valid_stage_name(const char *name)
{
	/* ^[a-z][a-z0-9-_\.]*$ on the lower-cased name */
	if (!isalpha((unsigned char)name[0]))
		return false;
	for (const char *p = name + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return false;
	return true;
}

static int build(struct arena *a, const struct df_node *n, const char *filename, int depth,
		 struct df_instr **out, berr *err);

/* in a's arena if the instruction is (else malloc'd) */
static void *ialloc(struct df_instr *in, size_t n)
{
	return in->arena ? arena_alloc(in->arena, n) : xmalloc(n);
}

static char *istrndup(struct df_instr *in, const char *s, size_t n)
{
	return in->arena ? arena_strndup(in->arena, s, n) : xstrndup(s, n);
}

static int parse_body(struct df_instr *in, const struct df_node *n, const char *filename,
		      int depth, char **msg, berr *err, bool *berr_set_already)
{
	size_t na = nargs(n);
	const char *name = df_kind_name(in->kind);
	if (na) {
		in->args.v = ialloc(in, (na + 1) * sizeof(char *));
		in->args.alloc = na + 1;
		for (const struct df_node *a = n->next; a; a = a->next)
			if (a->value)
				in->args.v[in->args.n++] = a->value; /* borrowed from the node */
		in->args.v[in->args.n] = NULL;
	}
	switch (in->kind) {
	case DF_FROM:
		if (na != 1 && na != 3) {
			*msg = xstrdup("FROM requires either one or three arguments");
			return -1;
		}
		if (na == 3) {
			if (strcasecmp(in->args.v[1], "as")) {
				*msg = xstrdup("FROM requires either one or three arguments");
				return -1;
			}
			in->as_keyword = n->next->next->value;
			in->stage_name = xstrdup(in->args.v[2]);
			char *lower = df_lower(in->stage_name, strlen(in->stage_name));
			bool ok = valid_stage_name(lower);
			free(lower);
			if (!ok) {
				*msg = xasprintf("invalid name for build stage: \"%s\", name can't start with a number or contain symbols",
						 in->stage_name);
				return -1;
			}
		}
		return 0;
	case DF_ENV:
	case DF_LABEL:
		if (na == 0) {
			*msg = xasprintf("%s requires at least one argument", name);
			return -1;
		}
		if (na % 3) {
			*msg = xasprintf("Bad input to %s, too many arguments", name);
			return -1;
		}
		in->nkvs = na / 3;
		in->kvs_borrowed = true;
		in->kvs = ialloc(in, in->nkvs * sizeof(*in->kvs));
		for (size_t i = 0; i < in->nkvs; i++) {
			in->kvs[i].key = in->args.v[3 * i];      /* borrowed */
			in->kvs[i].value = in->args.v[3 * i + 1];
			in->kvs[i].legacy = strcmp(in->args.v[3 * i + 2], "=") != 0;
		}
		return 0;
	case DF_ARG:
		if (na == 0) {
			*msg = xstrdup("ARG requires at least one argument");
			return -1;
		}
		in->nkvs = na;
		in->kvs = ialloc(in, na * sizeof(*in->kvs));
		memset(in->kvs, 0, na * sizeof(*in->kvs));
		for (size_t i = 0; i < na; i++) {
			const char *w = in->args.v[i];
			const char *eq = strchr(w, '=');
			if (eq == w) {
				*msg = xasprintf("ARG names can not be blank");
				return -1;
			}
			in->kvs[i].key = eq ? istrndup(in, w, (size_t)(eq - w)) : istrndup(in, w, strlen(w));
			in->kvs[i].value = eq ? istrndup(in, eq + 1, strlen(eq + 1)) : NULL;
		}
		return 0;
	case DF_MAINTAINER:
	case DF_USER:
	case DF_WORKDIR:
	case DF_STOPSIGNAL:
		if (na != 1 || !in->args.v[0][0]) {
			*msg = xasprintf("%s requires exactly one argument", name);
			return -1;
		}
		return 0;
	case DF_EXPOSE:
	case DF_VOLUME:
		if (na == 0) {
			*msg = xasprintf("%s requires at least one argument", name);
			return -1;
		}
		if (in->kind == DF_VOLUME)
			for (size_t i = 0; i < in->args.n; i++) {
				const char *s = in->args.v[i];
				size_t l = strlen(s);
				df_trim_space(&s, &l);
				if (!l) {
					*msg = xstrdup("VOLUME specified can not be an empty string");
					return -1;
				}
			}
		return 0;
	case DF_SHELL:
		if (!in->json) {
			*msg = xstrdup("SHELL requires the arguments to be in JSON form");
			return -1;
		}
		if (na == 0) {
			*msg = xstrdup("SHELL requires at least one argument");
			return -1;
		}
		return 0;
	case DF_ADD:
	case DF_COPY:
		if (na == 0) {
			*msg = xasprintf("%s requires at least two arguments", name);
			return -1;
		}
		if (na == 1 && !in->nheredocs) {
			*msg = xasprintf("%s requires at least two arguments, but only one was provided. Destination could not be determined",
					 name);
			return -1;
		}
		if (in->kind == DF_COPY && in->from && !*in->from) {
			*msg = xstrdup("--from requires a value");
			return -1;
		}
		return 0;
	case DF_RUN:
	case DF_CMD:
	case DF_ENTRYPOINT:
		return 0;
	case DF_HEALTHCHECK: {
		if (na == 0) {
			*msg = xstrdup("HEALTHCHECK requires at least one argument");
			return -1;
		}
		char *typ = xstrdup(in->args.v[0]);
		for (char *p = typ; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		if (!strcmp(typ, "NONE")) {
			free(typ);
			if (na != 1) {
				*msg = xstrdup("HEALTHCHECK NONE takes no arguments");
				return -1;
			}
			if (n->flags.n) {
				*msg = xstrdup("HEALTHCHECK NONE takes no flags");
				return -1;
			}
			sv_push(&in->health.test, "NONE");
			return 0;
		}
		if (strcmp(typ, "CMD")) {
			struct strbuf q = STRBUF_INIT;
			sb_init(&q);
			df_quote(&q, in->args.v[0], strlen(in->args.v[0]));
			*msg = xasprintf("Unknown type %s in HEALTHCHECK (try CMD)", q.buf);
			sb_release(&q);
			free(typ);
			return -1;
		}
		free(typ);
		if (na < 2) {
			*msg = xstrdup("Missing command after HEALTHCHECK CMD");
			return -1;
		}
		if (in->json) {
			sv_push(&in->health.test, "CMD");
			for (size_t i = 1; i < in->args.n; i++)
				sv_push(&in->health.test, in->args.v[i]);
		} else {
			sv_push(&in->health.test, "CMD-SHELL");
			sv_push(&in->health.test, in->args.v[1]);
		}
		return 0;
	}
	case DF_ONBUILD: {
		const struct df_node *sub = n->next && n->next->nchildren ? n->next->children[0] : NULL;
		if (!sub) {
			*msg = xstrdup("ONBUILD requires at least one argument");
			return -1;
		}
		const char *sv = sub->value ? sub->value : "";
		if (!strcasecmp(sv, "onbuild")) {
			*msg = xstrdup("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
			return -1;
		}
		if (!strcasecmp(sv, "from") || !strcasecmp(sv, "maintainer")) {
			*msg = xasprintf("%s isn't allowed as an ONBUILD trigger", !strcasecmp(sv, "from") ? "FROM" : "MAINTAINER");
			return -1;
		}
		if (build(in->arena, sub, filename, depth + 1, &in->sub, err)) {
			*berr_set_already = true;
			return -1;
		}
		/* the trigger text: the original without the leading ONBUILD keyword */
		const char *o = n->original ? n->original : "";
		while (*o == ' ' || *o == '\t')
			o++;
		o += in->keyword_len;
		size_t ol = strlen(o);
		df_trim_space(&o, &ol);
		in->expression = xstrndup(o, ol);
		if (!in->arena)
			free(in->args.v);
		memset(&in->args, 0, sizeof(in->args));
		return 0;
	}
	}
	return 0;
}

static int build(struct arena *a, const struct df_node *n, const char *filename, int depth,
		 struct df_instr **out, berr *err)
{
	enum df_kind k;
	*out = NULL;
	if (!n->value || kind_of(n->value, &k)) {
		char *up = xstrdup(n->value ? n->value : "");
		for (char *p = up; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		perr(err, filename, n->start_line, "unknown instruction: %s", up);
		free(up);
		return -1;
	}
	struct df_instr *in = a ? arena_calloc(a, 1, sizeof(*in)) : xcalloc(1, sizeof(*in));
	in->arena = a;
	in->kind = k;
	in->node = n;
	in->line = n->start_line;
	in->end_line = n->end_line;
	in->json = n->json;
	in->keep_git_dir = -1;
	in->heredocs = n->heredocs;
	in->nheredocs = n->nheredocs;
	set_keyword(in, n);
	char *msg = NULL;
	bool already = false;
	if (parse_flags(in, &n->flags, &msg) ||
	    parse_body(in, n, filename, depth, &msg, err, &already)) {
		if (!already)
			perr(err, filename, n->start_line, "%s", msg ? msg : "invalid instruction");
		free(msg);
		df_instr_free(in);
		return -1;
	}
	*out = in;
	return 0;
}

int df_instr_parse(const struct df_node *n, const char *filename, struct df_instr **out, berr *err)
{
	return build(NULL, n, filename, 0, out, err);
}

int df_instr_parse_in(struct arena *a, const struct df_node *n, const char *filename,
		      struct df_instr **out, berr *err)
{
	return build(a, n, filename, 0, out, err);
}

#define FREE(p) do { if (p) free(p); } while (0)

void df_instr_free(struct df_instr *in)
{
	if (!in)
		return;
	bool own = !in->arena; /* else the struct and its arrays are in the arena */
	if (own)
		FREE(in->args.v); /* the strings belong to the node */
	FREE(in->platform);
	FREE(in->stage_name);
	FREE(in->from);
	FREE(in->chown);
	FREE(in->chmod);
	FREE(in->checksum);
	if (in->excludes.n)
		sv_clear(&in->excludes);
	for (size_t i = 0; i < in->nmounts; i++)
		df_mount_release(&in->mounts[i]);
	FREE(in->mounts);
	FREE(in->network);
	FREE(in->security);
	for (size_t i = 0; own && i < in->nkvs && !in->kvs_borrowed; i++) {
		free(in->kvs[i].key);
		free(in->kvs[i].value);
	}
	if (own)
		FREE(in->kvs);
	if (in->health.test.n)
		sv_clear(&in->health.test);
	if (in->sub)
		df_instr_free(in->sub);
	FREE(in->expression);
	if (own)
		free(in);
}
