/* check.c: BuildKit's Dockerfile build checks (linter/ruleset.go), run without building:
 * parse-time rules (NoEmptyContinuation, FromAsCasing, StageNameCasing, LegacyKeyValueFormat,
 * MaintainerDeprecated) up to the first parse error, then the dispatch-time rules over every
 * stage, plus berth's explanations. Printing as `docker build --check` does. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dockerfile/check.h"
#include "dockerfile/envmap.h"
#include "build/ignore.h"
#include "image/ref.h"
#include "dockerfile/parse_internal.h"
#include "dockerfile/shell.h"
#include "util/cleanup.h"
#include "util/fs.h"

enum {
	R_STAGE_NAME_CASING, R_FROM_AS_CASING, R_NO_EMPTY_CONTINUATION, R_CONSISTENT_CASING,
	R_DUPLICATE_STAGE, R_RESERVED_STAGE, R_JSON_ARGS, R_MAINTAINER, R_UNDEF_ARG_FROM,
	R_WORKDIR_RELATIVE, R_UNDEF_VAR, R_MULTIPLE_INSTR, R_LEGACY_KV, R_INVALID_DEFAULT_ARG,
	R_PLATFORM_CONST, R_REDUNDANT_PLATFORM, R_SECRETS, R_EXPOSE_PROTO, R_EXPOSE_FORMAT,
	R_COPY_IGNORED, R_COUNT,
};

static const struct rule {
	const char *name, *desc, *slug;
	bool experimental;
} rules[R_COUNT] = {
	[R_STAGE_NAME_CASING] = { "StageNameCasing", "Stage names should be lowercase", "stage-name-casing", false },
	[R_FROM_AS_CASING] = { "FromAsCasing", "The 'as' keyword should match the case of the 'from' keyword", "from-as-casing", false },
	[R_NO_EMPTY_CONTINUATION] = { "NoEmptyContinuation", "Empty continuation lines will become errors in a future release", "no-empty-continuation", false },
	[R_CONSISTENT_CASING] = { "ConsistentInstructionCasing", "All commands within the Dockerfile should use the same casing (either upper or lower)", "consistent-instruction-casing", false },
	[R_DUPLICATE_STAGE] = { "DuplicateStageName", "Stage names should be unique", "duplicate-stage-name", false },
	[R_RESERVED_STAGE] = { "ReservedStageName", "Reserved words should not be used as stage names", "reserved-stage-name", false },
	[R_JSON_ARGS] = { "JSONArgsRecommended", "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals", "json-args-recommended", false },
	[R_MAINTAINER] = { "MaintainerDeprecated", "The MAINTAINER instruction is deprecated, use a label instead to define an image author", "maintainer-deprecated", false },
	[R_UNDEF_ARG_FROM] = { "UndefinedArgInFrom", "FROM command must use declared ARGs", "undefined-arg-in-from", false },
	[R_WORKDIR_RELATIVE] = { "WorkdirRelativePath", "Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes", "workdir-relative-path", false },
	[R_UNDEF_VAR] = { "UndefinedVar", "Variables should be defined before their use", "undefined-var", false },
	[R_MULTIPLE_INSTR] = { "MultipleInstructionsDisallowed", "Multiple instructions of the same type should not be used in the same stage", "multiple-instructions-disallowed", false },
	[R_LEGACY_KV] = { "LegacyKeyValueFormat", "Legacy key/value format with whitespace separator should not be used", "legacy-key-value-format", false },
	[R_INVALID_DEFAULT_ARG] = { "InvalidDefaultArgInFrom", "Default value for global ARG results in an empty or invalid base image name", "invalid-default-arg-in-from", false },
	[R_PLATFORM_CONST] = { "FromPlatformFlagConstDisallowed", "FROM --platform flag should not use a constant value", "from-platform-flag-const-disallowed", false },
	[R_REDUNDANT_PLATFORM] = { "RedundantTargetPlatform", "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior", "redundant-target-platform", false },
	[R_SECRETS] = { "SecretsUsedInArgOrEnv", "Sensitive data should not be used in the ARG or ENV commands", "secrets-used-in-arg-or-env", false },
	[R_EXPOSE_PROTO] = { "ExposeProtoCasing", "Protocol in EXPOSE instruction should be lowercase", "expose-proto-casing", false },
	[R_EXPOSE_FORMAT] = { "ExposeInvalidFormat", "IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release", "expose-invalid-format", false },
	[R_COPY_IGNORED] = { "CopyIgnoredFile", "Attempting to Copy file that is excluded by .dockerignore", "copy-ignored-file", true },
};

static const char *const predefined[] = {
	"TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT", "BUILDPLATFORM", "BUILDOS",
	"BUILDARCH", "BUILDVARIANT", NULL,
};

struct ck {
	struct df_check_result *r;
	const struct df_check_opts *o;
	bool skip[R_COUNT];
	bool experimental[R_COUNT];
	bool as_error;
	int escape;
	const char *filename;
	struct strvec urls;
};

__attribute__((format(printf, 5, 6)))
static struct df_lint *warn(struct ck *c, int rule, int start, int end, const char *fmt, ...)
{
	if (c->skip[rule] || (rules[rule].experimental && !c->experimental[rule]))
		return NULL;
	struct df_check_result *r = c->r;
	r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	struct df_lint *w = &r->v[r->n++];
	memset(w, 0, sizeof(*w));
	w->rule = rules[rule].name;
	w->description = rules[rule].desc;
	char *url = xasprintf("https://docs.docker.com/go/dockerfile/rule/%s/", rules[rule].slug);
	sv_push_owned(&c->urls, url);
	w->url = url;
	va_list ap;
	va_start(ap, fmt);
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	w->message = sb_detach(&sb);
	w->start_line = start;
	w->end_line = end ? end : start;
	return w;
}

static void set_rules(bool *set, const char *list)
{
	char *dup = xstrdup(list), *save = NULL;
	for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ')
			t++;
		size_t l = strlen(t);
		while (l && t[l - 1] == ' ')
			t[--l] = 0;
		for (int i = 0; i < R_COUNT; i++)
			if (!strcmp(t, "all") || !strcasecmp(t, rules[i].name))
				set[i] = true;
	}
	free(dup);
}

/* "skip=A,B;error=true;experimental=all" */
static void parse_directive(struct ck *c, const char *d)
{
	char *dup = xstrdup(d), *save = NULL;
	for (char *t = strtok_r(dup, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
		while (*t == ' ')
			t++;
		char *eq = strchr(t, '=');
		if (!eq)
			continue;
		*eq = 0;
		const char *v = eq + 1;
		if (!strcasecmp(t, "skip"))
			set_rules(c->skip, v);
		else if (!strcasecmp(t, "error"))
			c->as_error = !strcasecmp(v, "true") || !strcmp(v, "1");
		else if (!strcasecmp(t, "experimental"))
			set_rules(c->experimental, v);
	}
	free(dup);
}

static bool is_lower(const char *s, size_t l)
{
	for (size_t i = 0; i < l; i++)
		if (isupper((unsigned char)s[i]))
			return false;
	return true;
}

static bool is_upper(const char *s, size_t l)
{
	for (size_t i = 0; i < l; i++)
		if (islower((unsigned char)s[i]))
			return false;
	return true;
}

static size_t levenshtein(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = xcalloc(lb + 1, sizeof(size_t));
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t m = prev + cost;
			if (row[j] + 1 < m)
				m = row[j] + 1;
			if (row[j - 1] + 1 < m)
				m = row[j - 1] + 1;
			row[j] = m;
			prev = cur;
		}
	}
	size_t d = row[lb];
	free(row);
	return d;
}

/* BuildKit's suggest.Search: the closest option within a small edit distance. */
static const char *suggest(const char *v, const struct strvec *opts)
{
	const char *best = NULL;
	size_t bestd = 3;
	size_t lim = strlen(v) / 2;
	for (size_t i = 0; i < opts->n; i++) {
		const char *o = opts->v[i];
		size_t d = levenshtein(v, o);
		if (d < bestd && d <= lim && d > 0) {
			best = o;
			bestd = d;
		}
	}
	return best;
}

static void key_of(const char *kv, char *out, size_t n)
{
	size_t l = strcspn(kv, "=");
	if (l >= n)
		l = n - 1;
	memcpy(out, kv, l);
	out[l] = 0;
}

static void keys_of(const struct strvec *env, struct strvec *keys)
{
	for (size_t i = 0; i < env->n; i++) {
		char k[256];
		key_of(env->v[i], k, sizeof(k));
		if (!sv_contains(keys, k))
			sv_push(keys, k);
	}
}


/* where an ARG is declared */
struct argdecl {
	char *name;
	int stage;   /* -1: global */
	int line;
};

struct stage_state {
	struct strvec env;       /* ENV and ARG values ("K=V"), for expansion */
	struct envmap idx;       /* env's entries by key, same order (unless dup) */
	bool dup;                /* a key twice in env (or a key with '='): linear search */
	struct strvec declared;  /* ARG names declared in the stage */
	struct strvec arg_from;  /* "KEY=stage": env values that came from an ARG of that stage */
	struct strvec noted;     /* names already explained in this stage */
	bool shell_set, abs_workdir; /* abs_workdir: a WORKDIR was set in the Dockerfile */
	int name_index;
};

/* Append "K=V" (copied) to the stage's env. */
static void env_push(struct stage_state *st, const char *kv)
{
	sv_push(&st->env, kv);
	if (st->dup)
		return;
	const char *e = st->env.v[st->env.n - 1];
	const char *eq = strchr(e, '=');
	if (envmap_find(&st->idx, e, eq ? (size_t)(eq - e) : strlen(e)) >= 0)
		st->dup = true;
	else
		envmap_put(&st->idx, e);
}

/* Set k=v: the first entry of k replaced, else appended. */
static void env_set(struct stage_state *st, const char *k, const char *v)
{
	struct strvec *env = &st->env;
	size_t kl = strlen(k);
	if (!st->dup && strchr(k, '='))
		st->dup = true;
	if (!st->dup) {
		long i = envmap_find(&st->idx, k, kl);
		char *kv = xasprintf("%s=%s", k, v);
		char *old = i >= 0 ? env->v[i] : NULL;
		if (i >= 0)
			env->v[i] = kv;
		else
			sv_push_owned(env, kv);
		envmap_put(&st->idx, kv); /* replaces entry i (found through old), or appends */
		free(old);
		return;
	}
	for (size_t i = 0; i < env->n; i++)
		if (!strncmp(env->v[i], k, kl) && (env->v[i][kl] == '=' || !env->v[i][kl])) {
			free(env->v[i]);
			env->v[i] = xasprintf("%s=%s", k, v);
			return;
		}
	sv_pushf(env, "%s=%s", k, v);
}

/* Expansion in the stage's env (last entry of a name wins, as BuildKit's BuildEnvs). */
static struct shell_env env_of(struct stage_state *st)
{
	if (st->dup)
		return (struct shell_env){ .kv = (const char *const *)st->env.v };
	return (struct shell_env){ .get = envmap_lookup, .ctx = &st->idx };
}

static void sst_release(struct stage_state *s)
{
	sv_clear(&s->env);
	envmap_release(&s->idx);
	sv_clear(&s->declared);
	sv_clear(&s->arg_from);
	sv_clear(&s->noted);
}

struct walk {
	struct ck *c;
	struct df_instr **instrs;
	size_t ninstrs;
	struct df_instr **froms;     /* FROM of each stage */
	size_t nstages;
	size_t *stage_first;         /* index in instrs of each stage's first instruction */
	struct argdecl *decls;
	size_t ndecls;
	struct strvec meta;          /* global ARGs with values (predefined + declared + build args) */
	struct strvec meta_declared; /* names declared globally or predefined */
	struct stage_state *st;      /* per stage, filled in order */
	char **names;                /* lower-cased stage names or NULL */
};

static const char *stage_label(struct walk *w, int s, char *buf, size_t n)
{
	if (w->froms[s]->stage_name)
		snprintf(buf, n, "'%s'", w->froms[s]->stage_name);
	else
		snprintf(buf, n, "%d", s);
	return buf;
}

/* berth's explanation when name is an ARG declared elsewhere but not visible in stage s. */
static char *arg_elsewhere(struct walk *w, int s, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < w->ndecls; i++) {
		struct argdecl *d = &w->decls[i];
		if (strcmp(d->name, name) || d->stage == s)
			continue;
		char here[160], there[160];
		stage_label(w, s, here, sizeof(here));
		sb_init(&sb);
		if (d->stage < 0)
			sb_addf(&sb,
				"berth: ARG %s is declared before the first FROM (%s:%d). Such a global ARG is only visible in FROM lines: to use it in stage %s, declare it again inside the stage (a bare `ARG %s` keeps the global default).",
				name, w->c->filename, d->line, here, name);
		else
			sb_addf(&sb,
				"berth: ARG %s is declared in stage %s (%s:%d), not in stage %s. An ARG is only visible in the stage that declares it (ENV values carry into stages built FROM it, ARG values do not): declare `ARG %s` again in stage %s.",
				name, stage_label(w, d->stage, there, sizeof(there)), w->c->filename, d->line, here,
				name, here);
		return sb_detach(&sb);
	}
	return NULL;
}

static bool is_predefined(const char *k)
{
	for (size_t i = 0; predefined[i]; i++)
		if (!strcmp(predefined[i], k))
			return true;
	return false;
}

static int arg_origin(const struct stage_state *st, const char *name)
{
	size_t l = strlen(name);
	for (size_t i = st->arg_from.n; i-- > 0;)
		if (!strncmp(st->arg_from.v[i], name, l) && st->arg_from.v[i][l] == '=')
			return atoi(st->arg_from.v[i] + l + 1);
	return -2;
}

static void set_arg_origin(struct stage_state *st, const char *name, int stage)
{
	size_t l = strlen(name);
	for (size_t i = 0; i < st->arg_from.n; i++)
		if (!strncmp(st->arg_from.v[i], name, l) && st->arg_from.v[i][l] == '=') {
			free(st->arg_from.v[i]);
			if (stage == -2) {
				/* an ENV now owns the name */
				memmove(&st->arg_from.v[i], &st->arg_from.v[i + 1],
					(st->arg_from.n - i) * sizeof(char *));
				st->arg_from.n--;
			} else
				st->arg_from.v[i] = xasprintf("%s=%d", name, stage);
			return;
		}
	if (stage != -2)
		sv_pushf(&st->arg_from, "%s=%d", name, stage);
}

/* A name whose value here is an ARG of an ancestor stage: BuildKit passes it on (in the
 * build state), though ARGs are documented to end with their stage. Explain, once. */
static void note_inherited_arg(struct walk *w, int s, const struct df_instr *in, const char *name)
{
	struct stage_state *st = &w->st[s];
	int o = arg_origin(st, name);
	if (o < 0 || o == s || sv_contains(&st->declared, name) || sv_contains(&st->noted, name))
		return;
	sv_push(&st->noted, name);
	char here[160], there[160];
	sv_pushf(&w->c->r->notes,
		 "%s:%d: %s uses $%s, an ARG of stage %s. BuildKit passes its value on because stage %s is built FROM it, although the Dockerfile reference says an ARG ends with its stage; declare `ARG %s` again in stage %s to rely on documented behaviour.",
		 w->c->filename, in->line, df_kind_name(in->kind), name, stage_label(w, o, there, sizeof(there)),
		 stage_label(w, s, here, sizeof(here)), name, here);
}

/* Expand word in stage s's environment; report UndefinedVar for unmatched names. */
static void check_word(struct walk *w, int s, const struct df_instr *in, const char *word,
		       char **expanded)
{
	struct stage_state *st = &w->st[s];
	struct shell_matches m = SHELL_MATCHES_INIT;
	struct shell_env se = env_of(st);
	berr e = { 0 };
	char *out = NULL;
	shell_expand_word(word, &se, w->c->escape, &out, &m, &e);
	if (expanded)
		*expanded = out;
	else
		free(out);
	struct strvec keys = STRVEC_INIT;
	bool have_keys = false; /* made when a name needs a suggestion: O(n^2) in the env */
	for (size_t i = 0; i < m.unmatched.n; i++) {
		const char *name = m.unmatched.v[i];
		if (sv_contains(&st->declared, name) || is_predefined(name))
			continue;
		if (!have_keys) {
			keys_of(&st->env, &keys);
			have_keys = true;
		}
		const char *sug = suggest(name, &keys);
		struct df_lint *l;
		if (sug)
			l = warn(w->c, R_UNDEF_VAR, in->line, in->end_line,
				 "Usage of undefined variable '$%s' (did you mean $%s?)", name, sug);
		else
			l = warn(w->c, R_UNDEF_VAR, in->line, in->end_line, "Usage of undefined variable '$%s'", name);
		if (l)
			l->explain = arg_elsewhere(w, s, name);
	}
	for (size_t i = 0; i < m.matched.n; i++)
		note_inherited_arg(w, s, in, m.matched.v[i]);
	sv_clear(&keys);
	shell_matches_clear(&m);
}

/* RUN/CMD/ENTRYPOINT/HEALTHCHECK text: the shell expands it at run time; BuildKit does not
 * check it. berth notes $NAME references to an ARG declared only in another stage. */
static void note_shell_refs(struct walk *w, int s, const struct df_instr *in, const char *text)
{
	struct stage_state *st = &w->st[s];
	struct shell_lex lex = SHELL_LEX_INIT;
	lex.escape_token = w->c->escape;
	lex.skip_process_quotes = true;
	struct shell_matches m = SHELL_MATCHES_INIT;
	struct shell_env se = env_of(st);
	berr e = { 0 };
	char *out = NULL;
	shell_lex_process(&lex, text, &se, &out, NULL, &m, &e);
	free(out);
	for (size_t i = 0; i < m.matched.n; i++)
		note_inherited_arg(w, s, in, m.matched.v[i]);
	for (size_t i = 0; i < m.unmatched.n; i++) {
		const char *name = m.unmatched.v[i];
		if (sv_contains(&st->declared, name))
			continue;
		char *x = arg_elsewhere(w, s, name);
		if (x && arg_origin(st, name) >= 0) {
			free(x);
			x = NULL;
		}
		if (x) {
			sv_pushf(&w->c->r->notes, "%s:%d: %s uses $%s, which is empty there. %s", w->c->filename,
				 in->line, df_kind_name(in->kind), name, x + strlen("berth: "));
			free(x);
		}
	}
	shell_matches_clear(&m);
}

static bool secret_key(const char *k)
{
	static const char *const deny[] = { "apikey", "auth", "credential", "credentials", "key",
					    "password", "pword", "passwd", "secret", "token", NULL };
	char *low = xstrdup(k);
	for (char *p = low; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	bool hit = false, allow = false;
	char *save = NULL;
	for (char *t = strtok_r(low, "_-.", &save); t; t = strtok_r(NULL, "_-.", &save)) {
		if (!strcmp(t, "public"))
			allow = true;
		for (size_t i = 0; deny[i]; i++)
			if (!strcmp(t, deny[i]))
				hit = true;
	}
	free(low);
	return hit && !allow;
}

/* The legacy ENV form swallowing `NAME value` pairs: explain with the = form. */
static char *legacy_env_explain(const struct df_kv *kv, const char *kw)
{
	struct strvec tok = STRVEC_INIT;
	const char *p = kv->value;
	while (*p) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		const char *b = p;
		char q = 0;
		while (*p && (q || !isspace((unsigned char)*p))) {
			if (q && *p == q)
				q = 0;
			else if (!q && (*p == '"' || *p == '\''))
				q = *p;
			p++;
		}
		sv_push_owned(&tok, xstrndup(b, (size_t)(p - b)));
	}
	char *res = NULL;
	if (tok.n < 2)
		goto out;
	struct strvec pairs = STRVEC_INIT;
	sv_pushf(&pairs, "%s=%s", kv->key, tok.v[0]);
	bool ok = true;
	for (size_t i = 1; i < tok.n && ok;) {
		const char *t = tok.v[i];
		if (strchr(t, '=') && t[0] != '=') {
			sv_push(&pairs, t);
			i++;
			continue;
		}
		bool name = isalpha((unsigned char)t[0]) || t[0] == '_';
		for (const char *c = t; *c && name; c++)
			name = isalnum((unsigned char)*c) || *c == '_';
		if (!name || i + 1 >= tok.n) {
			ok = false;
			break;
		}
		sv_pushf(&pairs, "%s=%s", t, tok.v[i + 1]);
		i += 2;
	}
	if (ok && pairs.n > 1) {
		struct strbuf sb = STRBUF_INIT;
		sb_init(&sb);
		sb_addf(&sb, "berth: this legacy `%s %s %s ...` sets ONE variable, %s, to all the rest of the instruction:\n    %s=\"%s\"\n",
			kw, kv->key, tok.v[0], kv->key, kv->key, kv->value);
		sb_addf(&sb, "  The following NAME value pairs are swallowed into that value. To set %zu variables, use the = form:\n", pairs.n);
		for (size_t i = 0; i < pairs.n; i++)
			sb_addf(&sb, "    %s%s%s\n", i ? "    " : "ENV ", pairs.v[i], i + 1 < pairs.n ? " \\" : "");
		sb_setlen(&sb, sb.len - 1);
		res = sb_detach(&sb);
	}
	sv_clear(&pairs);
out:
	sv_clear(&tok);
	return res;
}

/* A base image name that distribution/reference accepts (the store's parser). */
static bool valid_ref(const char *r)
{
	struct ref ref;
	berr e = { 0 };
	if (ref_parse(r, &ref, &e) < 0)
		return false;
	ref_free(&ref);
	return true;
}

/* The context's .dockerignore, compiled with the builder's matcher; NULL if none. */
static struct ignore *load_dockerignore(const char *ctx)
{
	struct ignore *ig = NULL;
	char *data = NULL;
	size_t len;
	berr e = { 0 };
	if (!ctx)
		return NULL;
	_cleanup_free_ char *path = xasprintf("%s/.dockerignore", ctx);
	if (read_file(path, &data, &len, &e) < 0)
		return NULL;
	if (ignore_parse(data, len, &ig, &e) < 0)
		ig = NULL; /* the build reports a broken .dockerignore; the lint only skips the rule */
	free(data);
	return ig;
}

static int cmp_lint(const void *a, const void *b)
{
	const struct df_lint *x = a, *y = b;
	if (x->start_line != y->start_line)
		return x->start_line - y->start_line;
	return strcmp(x->message, y->message);
}

/* LegacyKeyValueFormat (BuildKit reports it when it dispatches ENV / LABEL) */
static void legacy_kv(struct ck *c, const struct df_instr *in)
{
	for (size_t i = 0; i < in->nkvs; i++)
		if (in->kvs[i].legacy) {
			const char *nm = df_kind_name(in->kind);
			struct df_lint *l = warn(c, R_LEGACY_KV, in->line, in->end_line,
						 "\"%s key=value\" should be used instead of legacy \"%s key value\" format",
						 nm, nm);
			if (l && in->kind == DF_ENV)
				l->explain = legacy_env_explain(&in->kvs[i], nm);
			break;
		}
}

/* parse-time rules for one instruction (BuildKit reports these as it parses) */
static void parse_time(struct ck *c, const struct df_instr *in)
{
	if (in->kind == DF_FROM && in->stage_name) {
		const char *n = in->stage_name;
		if (!is_lower(n, strlen(n)))
			warn(c, R_STAGE_NAME_CASING, in->line, in->end_line, "Stage name '%s' should be lowercase", n);
		const char *as = in->as_keyword;
		bool fu = is_upper(in->keyword, in->keyword_len), fl = is_lower(in->keyword, in->keyword_len);
		bool au = is_upper(as, strlen(as)), al = is_lower(as, strlen(as));
		if ((fu && !au) || (fl && !al))
			warn(c, R_FROM_AS_CASING, in->line, in->end_line, "'%s' and '%.*s' keywords' casing do not match",
			     as, (int)in->keyword_len, in->keyword);
	}
	if (in->kind == DF_MAINTAINER)
		warn(c, R_MAINTAINER, in->line, in->end_line, "Maintainer instruction is deprecated in favor of using label");
}

static void check_from(struct walk *w, int s)
{
	struct ck *c = w->c;
	const struct df_instr *in = w->froms[s];
	/* DuplicateStageName / ReservedStageName */
	if (w->names[s]) {
		for (int j = 0; j < s; j++)
			if (w->names[j] && !strcmp(w->names[j], w->names[s])) {
				warn(c, R_DUPLICATE_STAGE, in->line, in->end_line,
				     "Duplicate stage name \"%s\", stage names should be unique", in->stage_name);
				break;
			}
		if (!strcmp(w->names[s], "scratch") || !strcmp(w->names[s], "context"))
			warn(c, R_RESERVED_STAGE, in->line, in->end_line,
			     "Stage name should not use the same name as reserved stage \"%s\"", w->names[s]);
	}
	/* FROM's words are expanded with the global ARGs */
	struct strvec keys = STRVEC_INIT;
	for (size_t i = 0; i < w->meta_declared.n; i++)
		sv_push(&keys, w->meta_declared.v[i]);
	const char *words[2] = { in->args.v[0], in->platform };
	for (int k = 0; k < 2; k++) {
		if (!words[k])
			continue;
		struct shell_matches m = SHELL_MATCHES_INIT;
		struct shell_env se = { .kv = (const char *const *)w->meta.v };
		berr e = { 0 };
		char *out = NULL;
		shell_expand_word(words[k], &se, c->escape, &out, &m, &e);
		free(out);
		for (size_t i = 0; i < m.unmatched.n; i++) {
			const char *a = m.unmatched.v[i];
			if (sv_contains(&w->meta_declared, a))
				continue;
			const char *sug = suggest(a, &keys);
			struct df_lint *l;
			if (sug)
				l = warn(c, R_UNDEF_ARG_FROM, in->line, in->end_line,
					 "FROM argument '%s' is not declared (did you mean %s?)", a, sug);
			else
				l = warn(c, R_UNDEF_ARG_FROM, in->line, in->end_line, "FROM argument '%s' is not declared", a);
			if (l) {
				for (size_t d = 0; d < w->ndecls; d++)
					if (!strcmp(w->decls[d].name, a) && w->decls[d].stage >= 0) {
						char b[160];
						l->explain = xasprintf(
							"berth: ARG %s is declared in stage %s (%s:%d); FROM lines only see the ARGs declared before the first FROM: move `ARG %s` above the first FROM.",
							a, stage_label(w, w->decls[d].stage, b, sizeof(b)), c->filename,
							w->decls[d].line, a);
						break;
					}
			}
		}
		shell_matches_clear(&m);
	}
	sv_clear(&keys);
	/* InvalidDefaultArgInFrom: the base name with the global defaults only */
	if (strchr(in->args.v[0], '$')) {
		struct strvec defs = STRVEC_INIT;
		for (size_t i = 0; i < w->ninstrs && w->instrs[i]->kind != DF_FROM; i++) {
			const struct df_instr *a = w->instrs[i];
			if (a->kind != DF_ARG)
				continue;
			for (size_t j = 0; j < a->nkvs; j++)
				if (a->kvs[j].value) {
					struct shell_env de = { .kv = (const char *const *)defs.v };
					berr e3 = { 0 };
					char *dv = NULL;
					if (shell_expand_word(a->kvs[j].value, &de, c->escape, &dv, NULL, &e3))
						dv = xstrdup(a->kvs[j].value);
					sv_pushf(&defs, "%s=%s", a->kvs[j].key, dv);
					free(dv);
				}
		}
		struct shell_env se = { .kv = (const char *const *)defs.v };
		berr e = { 0 };
		char *out = NULL;
		if (!shell_expand_word(in->args.v[0], &se, c->escape, &out, NULL, &e) &&
		    (!valid_ref(out)) && strcasecmp(out, "scratch"))
			warn(c, R_INVALID_DEFAULT_ARG, in->line, in->end_line,
			     "Default value for ARG %s results in empty or invalid base image name", in->args.v[0]);
		free(out);
		sv_clear(&defs);
	}
	if (in->platform) {
		const char *p = in->platform;
		if (!strcmp(p, "$TARGETPLATFORM") || !strcmp(p, "${TARGETPLATFORM}"))
			warn(c, R_REDUNDANT_PLATFORM, in->line, in->end_line,
			     "Setting platform to predefined %s in FROM is redundant as this is the default behavior", p);
		else if (!strchr(p, '$')) {
			/* allowed when the stage name names the platform, e.g. AS build-amd64 */
			char os[64] = "", arch[64] = "";
			sscanf(p, "%63[^/]/%63[^/]", os, arch);
			bool named = w->names[s] && ((*os && strstr(w->names[s], os)) || (*arch && strstr(w->names[s], arch)));
			if (!named)
				warn(c, R_PLATFORM_CONST, in->line, in->end_line,
				     "FROM --platform flag should not use constant value \"%s\"", p);
		}
	}
}

static void check_stage(struct walk *w, int s, const struct ignore *ig)
{
	struct ck *c = w->c;
	struct stage_state *st = &w->st[s];
	const struct df_instr *from = w->froms[s];
	/* the base: a stage (its ENV, shell, workdir) or an image (its Env) */
	char *base = NULL;
	struct shell_env me = { .kv = (const char *const *)w->meta.v };
	berr e = { 0 };
	if (shell_expand_word(from->args.v[0], &me, c->escape, &base, NULL, &e))
		base = xstrdup(from->args.v[0]);
	int bs = -1;
	char *lb = df_lower(base, strlen(base));
	for (int j = 0; j < s; j++)
		if (w->names[j] && !strcmp(w->names[j], lb))
			bs = j;
	free(lb);
	if (bs >= 0) {
		/* BuildKit builds on the parent's state: its ENV and (undocumented) its ARG values */
		struct stage_state *b = &w->st[bs];
		for (size_t i = 0; i < b->env.n; i++)
			env_push(st, b->env.v[i]);
		for (size_t i = 0; i < b->arg_from.n; i++)
			sv_push(&st->arg_from, b->arg_from.v[i]);
		st->shell_set = b->shell_set;
		st->abs_workdir = b->abs_workdir;
	} else if (strcasecmp(base, "scratch")) {
		json_t *cfg = NULL;
		berr be = { 0 };
		if (c->o->base && !c->o->base(c->o->base_ctx, base, NULL, &cfg, &be)) {
			json_t *env = json_object_get(cfg, "Env");
			size_t i;
			json_t *x;
			json_array_foreach(env, i, x)
				if (json_is_string(x))
					env_push(st, json_string_value(x));
		}
		json_decref(cfg);
		bool has_path = false;
		for (size_t i = 0; i < st->env.n; i++)
			has_path |= !strncmp(st->env.v[i], "PATH=", 5);
		if (!has_path)
			env_push(st, "PATH=" PLAN_DEFAULT_PATH);
	} else
		env_push(st, "PATH=" PLAN_DEFAULT_PATH);
	free(base);

	int last_cmd = 0, last_ep = 0, last_hc = 0;
	size_t first = w->stage_first[s];
	size_t end = (size_t)s + 1 < w->nstages ? w->stage_first[s + 1] - 1 : w->ninstrs;
	for (size_t i = first; i < end; i++) {
		const struct df_instr *in = w->instrs[i];
		char *x = NULL;
		switch (in->kind) {
		case DF_ENV: {
			struct strvec vals = STRVEC_INIT;
			for (size_t j = 0; j < in->nkvs; j++) {
				check_word(w, s, in, in->kvs[j].value, &x);
				sv_push_owned(&vals, x ? x : xstrdup(""));
				x = NULL;
				if (secret_key(in->kvs[j].key))
					warn(c, R_SECRETS, in->line, in->end_line,
					     "Do not use ARG or ENV instructions for sensitive data (ENV \"%s\")", in->kvs[j].key);
			}
			for (size_t j = 0; j < in->nkvs; j++) {
				env_set(st, in->kvs[j].key, vals.v[j]);
				set_arg_origin(st, in->kvs[j].key, -2);
			}
			sv_clear(&vals);
			legacy_kv(c, in);
			break;
		}
		case DF_ARG:
			for (size_t j = 0; j < in->nkvs; j++) {
				const char *k = in->kvs[j].key;
				if (in->kvs[j].value)
					check_word(w, s, in, in->kvs[j].value, &x);
				if (secret_key(k))
					warn(c, R_SECRETS, in->line, in->end_line,
					     "Do not use ARG or ENV instructions for sensitive data (ARG \"%s\")", k);
				const char *val = NULL;
				const char *const *ba = c->o->build_args;
				size_t kl = strlen(k);
				for (size_t b = 0; ba && ba[b]; b++)
					if (!strncmp(ba[b], k, kl) && ba[b][kl] == '=')
						val = ba[b] + kl + 1;
				if (!val && x)
					val = x;
				if (!val)
					for (size_t m = w->meta.n; m-- > 0;)
						if (!strncmp(w->meta.v[m], k, kl) && w->meta.v[m][kl] == '=') {
							val = w->meta.v[m] + kl + 1;
							break;
						}
				if (val) {
					env_set(st, k, val);
					set_arg_origin(st, k, s);
				}
				if (!sv_contains(&st->declared, k))
					sv_push(&st->declared, k);
				free(x);
				x = NULL;
			}
			break;
		case DF_LABEL:
			for (size_t j = 0; j < in->nkvs; j++) {
				check_word(w, s, in, in->kvs[j].key, NULL);
				check_word(w, s, in, in->kvs[j].value, NULL);
			}
			legacy_kv(c, in);
			break;
		case DF_COPY:
		case DF_ADD:
			for (size_t j = 0; j < in->args.n; j++) {
				check_word(w, s, in, in->args.v[j], &x);
				if (x && j + 1 < in->args.n && !in->from && ig &&
				    strncmp(x, "<<", 2) && ignore_matches_or_parent(ig, x))
					warn(c, R_COPY_IGNORED, in->line, in->end_line,
					     "Attempting to %s file \"%s\" that is excluded by .dockerignore",
					     in->kind == DF_COPY ? "Copy" : "Add", x);
				free(x);
				x = NULL;
			}
			if (in->chown)
				check_word(w, s, in, in->chown, NULL);
			if (in->chmod)
				check_word(w, s, in, in->chmod, NULL);
			break;
		case DF_EXPOSE:
			for (size_t j = 0; j < in->args.n; j++) {
				check_word(w, s, in, in->args.v[j], &x);
				if (x) {
					if (strchr(x, ':'))
						warn(c, R_EXPOSE_FORMAT, in->line, in->end_line,
						     "EXPOSE instruction should not define an IP address or host-port mapping, found '%s'", x);
					const char *sl = strchr(x, '/');
					if (sl && !is_lower(sl + 1, strlen(sl + 1)))
						warn(c, R_EXPOSE_PROTO, in->line, in->end_line,
						     "Defined protocol '%s' in EXPOSE instruction should be lowercase", x);
				}
				free(x);
				x = NULL;
			}
			break;
		case DF_VOLUME:
		case DF_USER:
		case DF_STOPSIGNAL:
			for (size_t j = 0; j < in->args.n; j++)
				check_word(w, s, in, in->args.v[j], NULL);
			break;
		case DF_WORKDIR:
			check_word(w, s, in, in->args.v[0], &x);
			/* BuildKit: only the first WORKDIR of the stage is checked; the base
			 * image's WorkingDir does not count (it may change) */
			if (x && x[0] != '/' && !st->abs_workdir)
				warn(c, R_WORKDIR_RELATIVE, in->line, in->end_line,
				     "Relative workdir \"%s\" can have unexpected results if the base image changes", x);
			st->abs_workdir = true;
			free(x);
			x = NULL;
			break;
		case DF_SHELL:
			st->shell_set = true;
			break;
		case DF_CMD:
		case DF_ENTRYPOINT:
			if (!in->json && !st->shell_set)
				warn(c, R_JSON_ARGS, in->line, in->end_line,
				     "JSON arguments recommended for %s to prevent unintended behavior related to OS signals",
				     df_kind_name(in->kind));
			if (in->kind == DF_CMD) {
				if (last_cmd)
					warn(c, R_MULTIPLE_INSTR, last_cmd, 0,
					     "Multiple CMD instructions should not be used in the same stage because only the last one will be used");
				last_cmd = in->line;
			} else {
				if (last_ep)
					warn(c, R_MULTIPLE_INSTR, last_ep, 0,
					     "Multiple ENTRYPOINT instructions should not be used in the same stage because only the last one will be used");
				last_ep = in->line;
			}
			for (size_t j = 0; j < in->args.n; j++)
				note_shell_refs(w, s, in, in->args.v[j]);
			break;
		case DF_HEALTHCHECK:
			if (last_hc)
				warn(c, R_MULTIPLE_INSTR, last_hc, 0,
				     "Multiple HEALTHCHECK instructions should not be used in the same stage because only the last one will be used");
			last_hc = in->line;
			break;
		case DF_RUN:
			for (size_t j = 0; j < in->args.n; j++)
				note_shell_refs(w, s, in, in->args.v[j]);
			for (size_t j = 0; j < in->nheredocs; j++)
				if (in->heredocs[j].expand)
					note_shell_refs(w, s, in, in->heredocs[j].content);
			break;
		default:
			break;
		}
		free(x);
	}
}

static void casing(struct ck *c, struct df_instr **instrs, size_t n)
{
	size_t lower = 0, upper = 0;
	for (size_t i = 0; i < n; i++) {
		const struct df_instr *in = instrs[i];
		if (is_lower(in->keyword, in->keyword_len))
			lower++;
		else if (is_upper(in->keyword, in->keyword_len))
			upper++;
	}
	bool maj_lower = lower > upper;
	for (size_t i = 0; i < n; i++) {
		const struct df_instr *in = instrs[i];
		const char *want = NULL;
		if (maj_lower && !is_lower(in->keyword, in->keyword_len))
			want = "lowercase";
		else if (!maj_lower && !is_upper(in->keyword, in->keyword_len))
			want = "uppercase";
		if (want)
			warn(c, R_CONSISTENT_CASING, in->line, in->end_line,
			     "Command '%.*s' should match the case of the command majority (%s)", (int)in->keyword_len,
			     in->keyword, want);
	}
}

/* "FILE:LINE: dockerfile parse error on line N: msg\n excerpt" -> line, first-line msg */
static void set_fatal(struct df_check_result *r, const char *filename, const char *msg)
{
	size_t fl = strlen(filename);
	const char *m = msg;
	int line = 0;
	if (!strncmp(m, filename, fl) && m[fl] == ':') {
		char *end;
		line = (int)strtol(m + fl + 1, &end, 10);
		if (end[0] == ':' && end[1] == ' ')
			m = end + 2;
	}
	size_t l = strcspn(m, "\n");
	if (!strncmp(m, "dockerfile parse error", 22) || !line)
		r->fatal = xstrndup(m, l);
	else
		r->fatal = xasprintf("dockerfile parse error on line %d: %.*s", line, (int)l, m);
	r->fatal_line = line;
}

int df_check(const char *data, size_t len, const char *filename, const struct df_check_opts *o,
	     struct df_check_result *out, berr *err)
{
	(void)err;
	memset(out, 0, sizeof(*out));
	static const struct df_check_opts none = { 0 };
	struct ck c = { .r = out, .o = o ? o : &none, .filename = filename, .escape = '\\' };
	struct df_parse_result *pr = NULL;
	berr pe = { 0 };
	if (df_parse(data, len, filename, &pr, &pe)) {
		set_fatal(out, filename, pe.msg);
		return 0;
	}
	c.escape = pr->escape_token;
	if (pr->directives.check)
		parse_directive(&c, pr->directives.check);
	for (size_t i = 0; c.o->build_args && c.o->build_args[i]; i++)
		if (!strncmp(c.o->build_args[i], "BUILDKIT_DOCKERFILE_CHECK=", 26)) {
			memset(c.skip, 0, sizeof(c.skip));
			c.as_error = false;
			parse_directive(&c, c.o->build_args[i] + 26);
		}
	for (size_t i = 0; i < pr->nwarns; i++)
		if (pr->warns[i].rule && !strcmp(pr->warns[i].rule, "NoEmptyContinuation"))
			warn(&c, R_NO_EMPTY_CONTINUATION, pr->warns[i].line, 0, "Empty continuation line");
	struct walk w = { .c = &c };
	size_t nn = pr->ast->nchildren;
	w.instrs = xcalloc(nn + 1, sizeof(*w.instrs));
	for (size_t i = 0; i < nn; i++) {
		struct df_instr *in = NULL;
		if (df_instr_parse(pr->ast->children[i], filename, &in, &pe)) {
			set_fatal(out, filename, pe.msg);
			break;
		}
		w.instrs[w.ninstrs++] = in;
		parse_time(&c, in);
	}
	struct ignore *ig = NULL;
	if (!out->fatal) {
		casing(&c, w.instrs, w.ninstrs);
		w.froms = xcalloc(w.ninstrs + 1, sizeof(*w.froms));
		w.stage_first = xcalloc(w.ninstrs + 1, sizeof(size_t));
		for (size_t i = 0; i < w.ninstrs; i++)
			if (w.instrs[i]->kind == DF_FROM) {
				w.froms[w.nstages] = w.instrs[i];
				w.stage_first[w.nstages++] = i + 1;
			}
		if (!w.nstages) {
			out->fatal = xstrdup("no build stage in current context");
			goto done;
		}
		w.names = xcalloc(w.nstages, sizeof(char *));
		w.st = xcalloc(w.nstages, sizeof(*w.st));
		for (size_t s = 0; s < w.nstages; s++)
			if (w.froms[s]->stage_name)
				w.names[s] = df_lower(w.froms[s]->stage_name, strlen(w.froms[s]->stage_name));
		/* global args and where every ARG is declared */
		for (size_t i = 0; predefined[i]; i++)
			sv_push(&w.meta_declared, predefined[i]);
		const char *plat = plan_host_platform();
		sv_pushf(&w.meta, "TARGETPLATFORM=%s", plat);
		sv_pushf(&w.meta, "BUILDPLATFORM=%s", plat);
		sv_pushf(&w.meta, "TARGETOS=linux");
		sv_pushf(&w.meta, "BUILDOS=linux");
		sv_pushf(&w.meta, "TARGETARCH=%s", plat + 6);
		sv_pushf(&w.meta, "BUILDARCH=%s", plat + 6);
		sv_push(&w.meta, "TARGETVARIANT=");
		sv_push(&w.meta, "BUILDVARIANT=");
		int stage = -1;
		for (size_t i = 0; i < w.ninstrs; i++) {
			const struct df_instr *in = w.instrs[i];
			if (in->kind == DF_FROM)
				stage++;
			if (in->kind != DF_ARG)
				continue;
			for (size_t j = 0; j < in->nkvs; j++) {
				w.decls = xrealloc(w.decls, (w.ndecls + 1) * sizeof(*w.decls));
				w.decls[w.ndecls++] = (struct argdecl){ xstrdup(in->kvs[j].key), stage, in->line };
				if (stage >= 0)
					continue;
				const char *k = in->kvs[j].key;
				sv_push(&w.meta_declared, k);
				const char *val = in->kvs[j].value;
				char *x = NULL;
				if (val) {
					struct shell_env se = { .kv = (const char *const *)w.meta.v };
					berr e2 = { 0 };
					if (!shell_expand_word(val, &se, c.escape, &x, NULL, &e2))
						val = x;
				}
				size_t kl = strlen(k);
				for (size_t b = 0; c.o->build_args && c.o->build_args[b]; b++)
					if (!strncmp(c.o->build_args[b], k, kl) && c.o->build_args[b][kl] == '=')
						val = c.o->build_args[b] + kl + 1;
				if (val)
					sv_pushf(&w.meta, "%s=%s", k, val);
				free(x);
			}
		}
		if (c.experimental[R_COPY_IGNORED] && !c.skip[R_COPY_IGNORED])
			ig = load_dockerignore(c.o->context);
		for (size_t s = 0; s < w.nstages; s++) {
			check_from(&w, (int)s);
			check_stage(&w, (int)s, ig);
		}
	}
done:
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_lint);
	out->error = c.as_error && out->n > 0;
	for (size_t i = 0; i < w.ninstrs; i++)
		df_instr_free(w.instrs[i]);
	free(w.instrs);
	free(w.froms);
	free(w.stage_first);
	for (size_t s = 0; s < w.nstages && w.names; s++)
		free(w.names[s]);
	free(w.names);
	for (size_t s = 0; s < w.nstages && w.st; s++)
		sst_release(&w.st[s]);
	free(w.st);
	for (size_t i = 0; i < w.ndecls; i++)
		free(w.decls[i].name);
	free(w.decls);
	sv_clear(&w.meta);
	sv_clear(&w.meta_declared);
	ignore_free(ig);
	/* urls are static strings per rule: keep them alive with the result */
	for (size_t i = 0; i < out->n; i++)
		out->v[i].url = xstrdup(out->v[i].url);
	sv_clear(&c.urls);
	df_parse_result_free(pr);
	return 0;
}

void df_check_result_release(struct df_check_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].message);
		free(r->v[i].explain);
		free((char *)r->v[i].url);
	}
	free(r->v);
	free(r->fatal);
	sv_clear(&r->notes);
	memset(r, 0, sizeof(*r));
}

void df_print_source(FILE *f, const char *filename, const char *data, size_t len, int start, int end)
{
	/* lines := strings.Split(data, "\n") */
	size_t nlines = 1;
	for (size_t i = 0; i < len; i++)
		nlines += data[i] == '\n';
	if (start < 1 || (size_t)start > nlines)
		return;
	if ((size_t)end > nlines)
		end = (int)nlines;
	int pad = end == start ? 4 : 2;
	int p = 0, first = start, last = end;
	while (p < pad) {
		if (first > 1) {
			first--;
			p++;
		}
		if ((size_t)last != nlines) {
			last++;
			p++;
		}
		p++;
	}
	fprintf(f, "%s:%d\n--------------------\n", filename, start);
	const char *s = data;
	const char *lim = data + len;
	for (int ln = 1; ln <= last; ln++) {
		const char *nl = memchr(s, '\n', (size_t)(lim - s));
		size_t l = nl ? (size_t)(nl - s) : (size_t)(lim - s);
		if (ln >= first)
			fprintf(f, " %3d | %s %.*s\n", ln, ln >= start && ln <= end ? ">>>" : "   ", (int)l, s);
		s = nl ? nl + 1 : lim;
	}
	fprintf(f, "--------------------\n");
}

int df_check_print(FILE *f, const struct df_check_result *r, const char *filename, const char *data,
		   size_t len)
{
	if (r->n == 1)
		fprintf(f, "Check complete, 1 warning has been found!\n");
	else if (r->n > 1)
		fprintf(f, "Check complete, %zu warnings have been found!\n", r->n);
	for (size_t i = 0; i < r->n; i++) {
		const struct df_lint *w = &r->v[i];
		fprintf(f, "\nWARNING: %s - %s\n%s\n", w->rule, w->url, w->message);
		if (w->start_line)
			df_print_source(f, filename, data, len, w->start_line, w->end_line);
		if (w->explain)
			fprintf(f, "%s\n", w->explain);
	}
	if (r->notes.n) {
		fprintf(f, "\n");
		for (size_t i = 0; i < r->notes.n; i++)
			fprintf(f, "NOTE (berth): %s\n", r->notes.v[i]);
	}
	if (r->fatal) {
		if (r->n)
			fprintf(f, "\n");
		fprintf(f, "ERROR: %s\n", r->fatal);
		if (r->fatal_line)
			df_print_source(f, filename, data, len, r->fatal_line, r->fatal_line);
		if (strstr(r->fatal, "ARG requires at least one argument"))
			fprintf(f, "berth: ARG declares a build argument and needs a name: `ARG NAME` or `ARG NAME=default`. "
				   "To use an ARG of another stage here, declare it again by name in this stage.\n");
		return 1;
	}
	if (r->error) {
		struct strbuf sb = STRBUF_INIT;
		sb_init(&sb);
		for (size_t i = 0; i < r->n; i++) {
			bool dup = false;
			for (size_t j = 0; j < i; j++)
				dup |= !strcmp(r->v[j].rule, r->v[i].rule);
			if (!dup)
				sb_addf(&sb, "%s%s", sb.len ? ", " : "", r->v[i].rule);
		}
		fprintf(f, "\nERROR: lint violation found for rules: %s\n", sb.buf);
		sb_release(&sb);
		return 1;
	}
	if (!r->n)
		fprintf(f, "Check complete, no warnings found.\n");
	return 0;
}

void df_check_print_summary(FILE *f, const struct df_check_result *r)
{
	if (!r->n)
		return;
	fprintf(f, "\n %zu %s found (use berth build --check to expand):\n", r->n, r->n == 1 ? "warning" : "warnings");
	for (size_t i = 0; i < r->n; i++) {
		fprintf(f, " - %s: %s", r->v[i].rule, r->v[i].message);
		if (r->v[i].start_line)
			fprintf(f, " (line %d)", r->v[i].start_line);
		fprintf(f, "\n");
	}
}
