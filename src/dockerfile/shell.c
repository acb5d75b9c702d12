/* shell.c: Dockerfile word expansion with the semantics of BuildKit's shell lexer
 * (frontend/dockerfile/shell/lex.go), including its corner cases: Go's text/scanner rune
 * reading (invalid UTF-8 becomes U+FFFD, a leading BOM is skipped), the `<<` heredoc marker,
 * Go-regexp-compatible shell patterns for ${X#p} ${X%p} ${X/p/r}, Go's $-template expansion
 * in ${X//p/r} replacements and the word buffer shared between nesting levels (a partial
 * word before ${X:-y} is lost from the split words, as in BuildKit). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include "dockerfile/gounicode.h"
#include "dockerfile/shell.h"
#include "util/cleanup.h"

#define SC_EOF (-1)
#define SC_INIT (-2)
#define SHELL_MAX_DEPTH 1000

/* ---- Go text/scanner: Peek / Next over runes ---- */
struct scanner {
	const unsigned char *src;
	size_t len, pos; /* pos: first byte after the peeked character */
	int32_t ch;      /* the peeked character, SC_EOF, or SC_INIT before the first Peek */
};

static void sc_init(struct scanner *s, const char *src, size_t len)
{
	s->src = (const unsigned char *)src;
	s->len = len;
	s->pos = 0;
	s->ch = SC_INIT;
}

static int32_t sc_read(struct scanner *s)
{
	if (s->pos >= s->len)
		return SC_EOF;
	size_t w;
	int32_t c = gou_decode(s->src + s->pos, s->len - s->pos, &w);
	s->pos += w;
	return c;
}

static int32_t sc_peek(struct scanner *s)
{
	if (s->ch == SC_INIT) {
		s->ch = sc_read(s);
		if (s->ch == 0xFEFF) /* a BOM is ignored at the very start */
			s->ch = sc_read(s);
	}
	return s->ch;
}

static int32_t sc_next(struct scanner *s)
{
	int32_t c = sc_peek(s);
	if (c != SC_EOF)
		s->ch = sc_read(s);
	return c;
}

/* strings.Builder.WriteRune; string(rune(-1)) is "\uFFFD" as in Go. */
static void sb_addrune(struct strbuf *sb, int32_t c)
{
	char b[4];
	sb_add(sb, b, gou_encode(c, b));
}

/* ---- the lexer state (BuildKit's shellWord) ---- */
struct sw {
	const struct shell_lex *lex;
	const struct shell_env *env;
	struct scanner sc;
	bool raw_escapes;
	struct strbuf wordsbuf; /* shared by every nesting level, as sw.wordsBuffer */
	struct shell_matches *m;
	char *errmsg;           /* the unwrapped error, malloc'd */
	int depth;
};

static int sw_fail(struct sw *sw, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sw_fail(struct sw *sw, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	free(sw->errmsg);
	sw->errmsg = sb_detach(&sb);
	return -1;
}

void shell_matches_clear(struct shell_matches *m)
{
	sv_clear(&m->matched);
	sv_clear(&m->unmatched);
}

static const char *env_lookup(const struct shell_env *env, const char *name)
{
	if (!env)
		return NULL;
	if (env->get)
		return env->get(env->ctx, name);
	if (!env->kv)
		return NULL;
	size_t n = 0, nl = strlen(name);
	while (env->kv[n])
		n++;
	while (n-- > 0) {
		const char *e = env->kv[n];
		if (strncmp(e, name, nl) == 0 && (e[nl] == '=' || e[nl] == '\0'))
			return e[nl] == '=' ? e + nl + 1 : e + nl;
	}
	return NULL;
}

static const char *sw_getenv(struct sw *sw, const char *name)
{
	const char *v = env_lookup(sw->env, name);
	if (sw->m) {
		struct strvec *set = v ? &sw->m->matched : &sw->m->unmatched;
		if (!sv_contains(set, name))
			sv_push(set, name);
	}
	return v;
}

/* ---- word splitting (BuildKit's wordsStruct) ---- */
struct words {
	struct strbuf *buf;
	struct strvec words;
	bool in_word;
};

static void words_add_raw_char(struct words *w, int32_t c)
{
	sb_addrune(w->buf, c);
	w->in_word = true;
}

static void words_add_char(struct words *w, int32_t c)
{
	bool space = gou_is_space(c);
	if (space && w->in_word) {
		if (w->buf->len) {
			sv_push(&w->words, w->buf->buf);
			sb_reset(w->buf);
			w->in_word = false;
		}
	} else if (!space) {
		words_add_raw_char(w, c);
	}
}

static void words_add_string(struct words *w, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, width;
	while (i < len) {
		words_add_char(w, gou_decode(p + i, len - i, &width));
		i += width;
	}
}

static void words_add_raw_string(struct words *w, const char *s, size_t len)
{
	sb_add(w->buf, s, len);
	w->in_word = true;
}

static void words_finish(struct words *w)
{
	if (w->buf->len) {
		sv_push(&w->words, w->buf->buf);
		sb_reset(w->buf);
		w->in_word = false;
	}
}

/* ---- shell patterns as Go regexps (convertShellPatternToRegex) ---- */
enum { PT_LIT, PT_ANY, PT_STAR };
struct ptok { int kind; int32_t r; };
struct pattern { struct ptok *t; size_t n; bool greedy; };

static void pattern_free(struct pattern *p) { free(p->t); p->t = NULL; p->n = 0; }

static void pattern_push(struct pattern *p, int kind, int32_t r, size_t *alloc)
{
	/* consecutive stars are equivalent to one (same greediness) */
	if (kind == PT_STAR && p->n && p->t[p->n - 1].kind == PT_STAR)
		return;
	if (p->n == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 16;
		p->t = xrealloc(p->t, *alloc * sizeof(*p->t));
	}
	p->t[p->n].kind = kind;
	p->t[p->n].r = r;
	p->n++;
}

/* Returns 0, or -1 with *why set to Go's regexp/escape error (malloc'd). */
static int pattern_compile(const char *src, size_t len, bool greedy, struct pattern *p, char **why)
{
	struct scanner s;
	size_t alloc = 0;
	sc_init(&s, src, len);
	p->t = NULL;
	p->n = 0;
	p->greedy = greedy;
	for (int32_t tok = sc_next(&s); tok != SC_EOF; tok = sc_next(&s)) {
		if (tok == '*') {
			pattern_push(p, PT_STAR, 0, &alloc);
			continue;
		}
		if (tok == '?') {
			pattern_push(p, PT_ANY, 0, &alloc);
			continue;
		}
		if (tok == '\\') {
			/* \} and \/ inside ${}: the escape is not part of the pattern */
			if (sc_peek(&s) == '}' || sc_peek(&s) == '/')
				continue;
			tok = sc_next(&s);
			if (tok != '*' && tok != '?' && tok != '\\') {
				struct strbuf sb = STRBUF_INIT;
				sb_adds(&sb, "invalid escape '\\");
				sb_addrune(&sb, tok);
				sb_addc(&sb, '\'');
				*why = sb_detach(&sb);
				pattern_free(p);
				return -1;
			}
		}
		pattern_push(p, PT_LIT, tok, &alloc);
	}
	return 0;
}

/* For every byte offset s of v, the end of the leftmost-first (Perl/RE2) match of the
 * pattern starting exactly at s, or -1: ends[s]. Dynamic programming over the tokens
 * from last to first, which gives the backtracking priority order without recursion:
 * O(tokens * len) time, O(len) memory. */
static ssize_t *pattern_ends(const struct pattern *p, const char *v, size_t len)
{
	ssize_t *next = xcalloc(len + 1, sizeof(ssize_t));
	ssize_t *cur = xcalloc(len + 1, sizeof(ssize_t));
	int32_t *rune = xcalloc(len + 1, sizeof(int32_t));
	size_t *width = xcalloc(len + 1, sizeof(size_t));
	for (size_t i = 0; i < len; i++)
		rune[i] = gou_decode((const unsigned char *)v + i, len - i, &width[i]);
	for (size_t i = 0; i <= len; i++)
		next[i] = (ssize_t)i; /* past the last token: matched, ends here */
	for (size_t ti = p->n; ti-- > 0;) {
		const struct ptok *t = &p->t[ti];
		for (size_t i = len + 1; i-- > 0;) {
			bool have = i < len;
			ssize_t r = -1;
			switch (t->kind) {
			case PT_LIT:
				if (have && rune[i] == t->r)
					r = next[i + width[i]];
				break;
			case PT_ANY:
				if (have && rune[i] != '\n')
					r = next[i + width[i]];
				break;
			case PT_STAR: {
				bool can = have && rune[i] != '\n';
				if (p->greedy) {
					if (can)
						r = cur[i + width[i]];
					if (r < 0)
						r = next[i];
				} else {
					r = next[i];
					if (r < 0 && can)
						r = cur[i + width[i]];
				}
				break;
			}
			}
			cur[i] = r;
		}
		ssize_t *tmp = next;
		next = cur;
		cur = tmp;
	}
	free(cur);
	free(rune);
	free(width);
	return next;
}

/* Leftmost match at or after from (at decoding boundaries). Returns the start or -1. */
static ssize_t leftmost(const ssize_t *ends, const char *v, size_t len, size_t from)
{
	size_t i = from, w;
	for (;;) {
		if (ends[i] >= 0)
			return (ssize_t)i;
		if (i >= len)
			return -1;
		gou_decode((const unsigned char *)v + i, len - i, &w);
		i += w;
	}
}

/* Go's regexp.expand for a template with only group 0 (the whole match). */
static void expand_template(struct strbuf *out, const char *tpl, const char *v, size_t ms, size_t me)
{
	const char *t = tpl;
	for (;;) {
		const char *d = strchr(t, '$');
		if (!d)
			break;
		sb_add(out, t, (size_t)(d - t));
		t = d + 1;
		if (*t == '$') {
			sb_addc(out, '$');
			t++;
			continue;
		}
		/* extract(): a name of letters, digits and '_', optionally in braces */
		const char *s = t;
		bool brace = false;
		if (*s == '{') {
			brace = true;
			s++;
		}
		size_t i = 0, slen = strlen(s), w;
		while (i < slen) {
			int32_t r = gou_decode((const unsigned char *)s + i, slen - i, &w);
			if (!gou_is_letter(r) && !gou_is_digit(r) && r != '_')
				break;
			i += w;
		}
		if (i == 0 || (brace && s[i] != '}')) {
			sb_addc(out, '$'); /* malformed: the $ is literal text */
			continue;
		}
		long num = 0;
		for (size_t k = 0; k < i; k++) {
			if (s[k] < '0' || s[k] > '9' || num >= 100000000) {
				num = -1;
				break;
			}
			num = num * 10 + (s[k] - '0');
		}
		if (s[0] == '0' && i > 1)
			num = -1;
		t = s + i + (brace ? 1 : 0);
		if (num == 0)
			sb_add(out, v + ms, me - ms);
	}
	sb_adds(out, t);
}

/* regexp.ReplaceAllString / the single replacement of ${X/p/r} */
static void pattern_replace(const struct pattern *p, const char *v, const char *repl, bool all, struct strbuf *out)
{
	size_t len = strlen(v);
	_cleanup_free_ ssize_t *ends = pattern_ends(p, v, len);
	if (!all) {
		ssize_t s = leftmost(ends, v, len, 0);
		if (s < 0) {
			sb_adds(out, v);
			return;
		}
		sb_add(out, v, (size_t)s);
		sb_adds(out, repl);
		sb_adds(out, v + ends[s]);
		return;
	}
	size_t last_end = 0, search = 0, w;
	while (search <= len) {
		ssize_t s = leftmost(ends, v, len, search);
		if (s < 0)
			break;
		size_t a0 = (size_t)s, a1 = (size_t)ends[s];
		sb_add(out, v + last_end, a0 - last_end);
		if (a1 > last_end || a0 == 0)
			expand_template(out, repl, v, a0, a1);
		last_end = a1;
		w = 0;
		if (search < len)
			gou_decode((const unsigned char *)v + search, len - search, &w);
		if (search + w > a1)
			search += w;
		else if (search + 1 > a1)
			search++;
		else
			search = a1;
	}
	sb_adds(out, v + last_end);
}

/* []rune(s) reversed, back to a string (invalid bytes become U+FFFD). */
static char *reverse_string(const char *s)
{
	size_t len = strlen(s), i = 0, n = 0, w;
	int32_t *r = xcalloc(len + 1, sizeof(int32_t));
	while (i < len) {
		r[n++] = gou_decode((const unsigned char *)s + i, len - i, &w);
		i += w;
	}
	struct strbuf sb = STRBUF_INIT;
	sb_grow(&sb, len + 1);
	while (n-- > 0)
		sb_addrune(&sb, r[n]);
	free(r);
	return sb_detach(&sb);
}

/* reversePattern: reverse the runes but keep "\x" escapes in order. */
static char *reverse_pattern(const char *s)
{
	size_t len = strlen(s), i = 0, n = 0, w;
	int32_t *r = xcalloc(len + 1, sizeof(int32_t));
	int32_t *o = xcalloc(len + 1, sizeof(int32_t));
	while (i < len) {
		r[n++] = gou_decode((const unsigned char *)s + i, len - i, &w);
		i += w;
	}
	for (size_t k = 0; k < n;) {
		size_t oi = n - 1 - k;
		if (r[k] == '\\' && k != n - 1) {
			o[oi - 1] = r[k];
			o[oi] = r[k + 1];
			k += 2;
		} else {
			o[oi] = r[k];
			k++;
		}
	}
	struct strbuf sb = STRBUF_INIT;
	sb_grow(&sb, len + 1);
	for (size_t k = 0; k < n; k++)
		sb_addrune(&sb, o[k]);
	free(r);
	free(o);
	return sb_detach(&sb);
}

static int trim_prefix(struct sw *sw, const char *pat, const char *value, bool greedy, struct strbuf *out)
{
	struct pattern p;
	_cleanup_free_ char *why = NULL;
	if (pattern_compile(pat, strlen(pat), greedy, &p, &why) < 0)
		return sw_fail(sw, "invalid pattern (%s) in substitution: %s", pat, why);
	size_t len = strlen(value);
	ssize_t *ends = pattern_ends(&p, value, len);
	sb_adds(out, ends[0] >= 0 ? value + ends[0] : value); /* anchored: ^ */
	free(ends);
	pattern_free(&p);
	return 0;
}

static int trim_suffix(struct sw *sw, const char *pat, const char *value, bool greedy, struct strbuf *out)
{
	_cleanup_free_ char *rpat = reverse_pattern(pat);
	_cleanup_free_ char *rval = reverse_string(value);
	_cleanup_strbuf_ struct strbuf tmp = STRBUF_INIT;
	if (trim_prefix(sw, rpat, rval, greedy, &tmp) < 0)
		return -1;
	_cleanup_free_ char *back = reverse_string(sb_str(&tmp));
	sb_adds(out, back);
	return 0;
}

/* ---- the lexer ---- */
static int process_stop_on(struct sw *sw, int32_t stop, bool raw_escapes, struct strbuf *result,
			   struct strvec *words_out);

static int process_single_quote(struct sw *sw, struct strbuf *out)
{
	int32_t ch = sc_next(&sw->sc);
	if (sw->lex->raw_quotes)
		sb_addrune(out, ch);
	for (;;) {
		ch = sc_next(&sw->sc);
		if (ch == SC_EOF)
			return sw_fail(sw, "unexpected end of statement while looking for matching single-quote");
		if (ch == '\'') {
			if (sw->lex->raw_quotes)
				sb_addrune(out, ch);
			return 0;
		}
		sb_addrune(out, ch);
	}
}

static int process_dollar(struct sw *sw, struct strbuf *out);

static int process_double_quote(struct sw *sw, struct strbuf *out)
{
	int32_t ch = sc_next(&sw->sc);
	if (sw->lex->raw_quotes)
		sb_addrune(out, ch);
	for (;;) {
		int32_t pk = sc_peek(&sw->sc);
		if (pk == SC_EOF)
			return sw_fail(sw, "unexpected end of statement while looking for matching double-quote");
		if (pk == '"') {
			ch = sc_next(&sw->sc);
			if (sw->lex->raw_quotes)
				sb_addrune(out, ch);
			return 0;
		}
		if (pk == '$') {
			if (process_dollar(sw, out) < 0)
				return -1;
			continue;
		}
		ch = sc_next(&sw->sc);
		if (ch == sw->lex->escape_token) {
			if (sw->raw_escapes)
				sb_addrune(out, ch);
			pk = sc_peek(&sw->sc);
			if (pk == SC_EOF)
				continue; /* an escape at the end of the word is ignored */
			if (pk == '"' || pk == '$' || pk == sw->lex->escape_token)
				ch = sc_next(&sw->sc);
		}
		sb_addrune(out, ch);
	}
}

static bool is_special_param(int32_t c)
{
	return c > 0 && c < 0x80 && strchr("@*#?-$!0", (int)c);
}

static void process_name(struct sw *sw, struct strbuf *name)
{
	while (sc_peek(&sw->sc) != SC_EOF) {
		int32_t ch = sc_peek(&sw->sc);
		if (name->len == 0 && gou_is_digit(ch)) {
			while (sc_peek(&sw->sc) != SC_EOF && gou_is_digit(sc_peek(&sw->sc)))
				sb_addrune(name, sc_next(&sw->sc));
			return;
		}
		if (name->len == 0 && is_special_param(ch)) {
			sb_addrune(name, sc_next(&sw->sc));
			return;
		}
		if (!gou_is_letter(ch) && !gou_is_digit(ch) && ch != '_')
			break;
		sb_addrune(name, sc_next(&sw->sc));
	}
}

static void process_possible_heredoc(struct sw *sw, struct strbuf *out)
{
	sc_next(&sw->sc);
	if (sc_peek(&sw->sc) != '<') {
		sb_addc(out, '<');
		return;
	}
	sc_next(&sw->sc);
	sb_adds(out, "<<");
	for (int32_t c = sc_peek(&sw->sc); c == '\t' || c == '\r' || c == ' '; c = sc_peek(&sw->sc))
		sb_addrune(out, sc_next(&sw->sc));
}

/* processStopOn for a ${...} part; maps an error at the end of input to `eof_msg`. */
static int process_part(struct sw *sw, int32_t stop, bool raw_escapes, struct strbuf *out, const char *eof_msg)
{
	if (process_stop_on(sw, stop, raw_escapes, out, NULL) < 0) {
		if (sc_peek(&sw->sc) == SC_EOF)
			return sw_fail(sw, "%s", eof_msg);
		return -1;
	}
	return 0;
}

static int process_dollar(struct sw *sw, struct strbuf *out)
{
	_cleanup_strbuf_ struct strbuf name = STRBUF_INIT;
	sb_init(&name);
	sc_next(&sw->sc);

	/* $xxx */
	if (sc_peek(&sw->sc) != '{') {
		process_name(sw, &name);
		if (name.len == 0) {
			sb_addc(out, '$');
			return 0;
		}
		const char *v = sw_getenv(sw, name.buf);
		if (!v && sw->lex->skip_unset_env) {
			sb_addc(out, '$');
			sb_adds(out, name.buf);
		} else if (v) {
			sb_adds(out, v);
		}
		return 0;
	}

	sc_next(&sw->sc);
	switch (sc_peek(&sw->sc)) {
	case SC_EOF:
		return sw_fail(sw, "syntax error: missing '}'");
	case '{': case '}': case ':':
		return sw_fail(sw, "syntax error: bad substitution");
	}
	process_name(sw, &name);
	int32_t ch = sc_next(&sw->sc);
	_cleanup_strbuf_ struct strbuf chs = STRBUF_INIT;
	sb_addrune(&chs, ch);
	bool null_is_unset = false;

	if (ch == '}') {
		const char *v = sw_getenv(sw, name.buf);
		if (!v && sw->lex->skip_unset_env)
			sb_addf(out, "${%s}", name.buf);
		else if (v)
			sb_adds(out, v);
		return 0;
	}
	if (ch == ':') {
		null_is_unset = true;
		ch = sc_next(&sw->sc);
		sb_addrune(&chs, ch);
	}
	if (null_is_unset || ch == '+' || ch == '-' || ch == '?' || ch == '#' || ch == '%') {
		bool raw = ch == '#' || ch == '%';
		if (null_is_unset && raw)
			return sw_fail(sw, "unsupported modifier (%s) in substitution", chs.buf);
		_cleanup_strbuf_ struct strbuf word = STRBUF_INIT;
		sb_init(&word);
		if (process_part(sw, '}', raw, &word, "syntax error: missing '}'") < 0)
			return -1;
		const char *v = sw_getenv(sw, name.buf);
		if (sw->lex->skip_unset_env && !v) {
			sb_addf(out, "${%s%s%s}", name.buf, chs.buf, word.buf);
			return 0;
		}
		bool empty = !v || (null_is_unset && !*v);
		switch (ch) {
		case '-':
			sb_adds(out, empty ? word.buf : v);
			return 0;
		case '+':
			if (!empty)
				sb_adds(out, word.buf);
			return 0;
		case '?':
			if (!v)
				return sw_fail(sw, "%s: %s", name.buf, word.len ? word.buf : "is not allowed to be unset");
			if (null_is_unset && !*v)
				return sw_fail(sw, "%s: %s", name.buf, word.len ? word.buf : "is not allowed to be empty");
			sb_adds(out, v);
			return 0;
		case '%':
		case '#': {
			/* %/# remove the shortest match, %%/## the longest */
			const char *pat = word.buf;
			bool greedy = false;
			if (word.len && (unsigned char)word.buf[0] == (unsigned)ch) {
				greedy = true;
				pat++;
			}
			if (ch == '%')
				return trim_suffix(sw, pat, v ? v : "", greedy, out);
			return trim_prefix(sw, pat, v ? v : "", greedy, out);
		}
		default:
			return sw_fail(sw, "unsupported modifier (%s) in substitution", chs.buf);
		}
	}
	if (ch == '/') {
		bool all = sc_peek(&sw->sc) == '/';
		if (all)
			sc_next(&sw->sc);
		_cleanup_strbuf_ struct strbuf pat = STRBUF_INIT, repl = STRBUF_INIT;
		sb_init(&pat);
		sb_init(&repl);
		if (process_part(sw, '/', true, &pat, "syntax error: missing '/' in ${}") < 0)
			return -1;
		if (process_part(sw, '}', true, &repl, "syntax error: missing '}'") < 0)
			return -1;
		const char *v = sw_getenv(sw, name.buf);
		if (sw->lex->skip_unset_env && !v) {
			sb_addf(out, "${%s/%s/%s}", name.buf, pat.buf, repl.buf);
			return 0;
		}
		struct pattern p;
		_cleanup_free_ char *why = NULL;
		if (pattern_compile(pat.buf, pat.len, true, &p, &why) < 0)
			return sw_fail(sw, "invalid pattern (%s) in substitution: %s", pat.buf, why);
		pattern_replace(&p, v ? v : "", repl.buf, all, out);
		pattern_free(&p);
		return 0;
	}
	return sw_fail(sw, "unsupported modifier (%s) in substitution", chs.buf);
}

static int process_stop_on(struct sw *sw, int32_t stop, bool raw_escapes, struct strbuf *result,
			   struct strvec *words_out)
{
	struct words w = { .buf = &sw->wordsbuf, .words = STRVEC_INIT, .in_word = false };
	_cleanup_strbuf_ struct strbuf tmp = STRBUF_INIT;
	bool saved = sw->raw_escapes;
	int rc = -1;

	if (++sw->depth > SHELL_MAX_DEPTH) {
		sw_fail(sw, "expansion nested more than %d levels deep", SHELL_MAX_DEPTH);
		goto out;
	}
	sb_reset(&sw->wordsbuf); /* BuildKit resets the shared buffer at every level */
	sw->raw_escapes = raw_escapes;
	while (sc_peek(&sw->sc) != SC_EOF) {
		int32_t ch = sc_peek(&sw->sc);
		if (stop != SC_EOF && ch == stop) {
			sc_next(&sw->sc);
			goto done;
		}
		bool quote = !sw->lex->skip_process_quotes && (ch == '\'' || ch == '"');
		if (ch == '$' || ch == '<' || quote) {
			sb_reset(&tmp);
			rc = 0;
			if (ch == '$')
				rc = process_dollar(sw, &tmp);
			else if (ch == '<')
				process_possible_heredoc(sw, &tmp);
			else if (ch == '\'')
				rc = process_single_quote(sw, &tmp);
			else
				rc = process_double_quote(sw, &tmp);
			if (rc < 0)
				goto out;
			rc = -1;
			sb_add(result, tmp.buf ? tmp.buf : "", tmp.len);
			if (ch == '$')
				words_add_string(&w, tmp.buf ? tmp.buf : "", tmp.len);
			else
				words_add_raw_string(&w, tmp.buf ? tmp.buf : "", tmp.len);
			continue;
		}
		ch = sc_next(&sw->sc);
		if (ch == sw->lex->escape_token) {
			if (sw->raw_escapes) {
				words_add_raw_char(&w, ch);
				sb_addrune(result, ch);
			}
			/* the escape character escapes the next one, except at the end */
			ch = sc_next(&sw->sc);
			if (ch == SC_EOF)
				break;
			words_add_raw_char(&w, ch);
		} else {
			words_add_char(&w, ch);
		}
		sb_addrune(result, ch);
	}
	if (stop != SC_EOF) {
		struct strbuf s = STRBUF_INIT;
		sb_addrune(&s, stop);
		sw_fail(sw, "unexpected end of statement while looking for matching %s", s.buf);
		sb_release(&s);
		goto out;
	}
done:
	words_finish(&w);
	if (words_out)
		for (size_t i = 0; i < w.words.n; i++)
			sv_push(words_out, w.words.v[i]);
	rc = 0;
out:
	sw->raw_escapes = saved;
	sw->depth--;
	sv_clear(&w.words);
	return rc;
}

/* Go's strconv.Quote, for "failed to process %q". */
static void go_quote(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = strlen(s), i = 0, w;
	sb_addc(sb, '"');
	while (i < len) {
		const unsigned char *p = (const unsigned char *)s + i;
		int32_t r = gou_decode(p, len - i, &w);
		i += w;
		if (w == 1 && r == GOU_RUNE_ERROR) {
			sb_addf(sb, "\\x%c%c", hex[p[0] >> 4], hex[p[0] & 15]);
			continue;
		}
		if (r == '"' || r == '\\') {
			sb_addc(sb, '\\');
			sb_addc(sb, (char)r);
			continue;
		}
		if (gou_is_print(r)) {
			sb_addrune(sb, r);
			continue;
		}
		switch (r) {
		case '\a': sb_adds(sb, "\\a"); break;
		case '\b': sb_adds(sb, "\\b"); break;
		case '\f': sb_adds(sb, "\\f"); break;
		case '\n': sb_adds(sb, "\\n"); break;
		case '\r': sb_adds(sb, "\\r"); break;
		case '\t': sb_adds(sb, "\\t"); break;
		case '\v': sb_adds(sb, "\\v"); break;
		default:
			if (r < ' ' || r == 0x7f)
				sb_addf(sb, "\\x%c%c", hex[(r >> 4) & 15], hex[r & 15]);
			else if (r < 0x10000)
				sb_addf(sb, "\\u%04x", (unsigned)r);
			else
				sb_addf(sb, "\\U%08x", (unsigned)r);
		}
	}
	sb_addc(sb, '"');
}

static inline bool name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static inline bool name_char(unsigned char c)
{
	return name_start(c) || (c >= '0' && c <= '9');
}

/* Length of the $NAME / ${NAME} reference at p (on '$'), or 0 if it is not one of these. */
static size_t simple_ref(const unsigned char *p)
{
	bool brace = p[1] == '{';
	const unsigned char *n = p + 1 + brace;
	if (!name_start(*n))
		return 0;
	while (name_char(*n))
		n++;
	if (brace) {
		if (*n != '}')
			return 0;
		n++;
	}
	return (size_t)(n - p);
}

/* ProcessWord of the common words: ASCII text, '...' and "..." quotes, $NAME and ${NAME}
 * (NAME of ASCII letters, digits and _, not starting with a digit); no escape character,
 * "<", other ${} forms or $ alone. Returns 1 when the word is not one of these (nothing
 * done, nothing looked up), else 0 with *out set and the lookups recorded in m, as the
 * full lexer does. */
static int expand_simple(const char *word, const struct shell_env *env, int esc, char **out,
			 struct shell_matches *m)
{
	const unsigned char *p = (const unsigned char *)word;
	int quote = 0;
	for (const unsigned char *q = p; *q; q++) {
		unsigned char c = *q;
		if (c >= 0x80 || c == (unsigned)esc)
			return 1;
		if (quote == '\'') {
			if (c == '\'')
				quote = 0;
			continue;
		}
		if (c == '"' || (c == '\'' && !quote)) {
			quote = quote ? 0 : c;
			continue;
		}
		if (c == '<' && !quote)
			return 1;
		if (c == '$') {
			size_t l = simple_ref(q);
			if (!l)
				return 1;
			q += l - 1;
		}
	}
	if (quote)
		return 1;
	struct strbuf sb = STRBUF_INIT;
	sb_grow(&sb, strlen(word) + 16);
	char name[256];
	while (*p) {
		unsigned char c = *p;
		if (quote == '\'') {
			if (c == '\'')
				quote = 0;
			else
				sb_addc(&sb, (char)c);
			p++;
			continue;
		}
		if (c == '"' || (c == '\'' && !quote)) {
			quote = quote ? 0 : c;
			p++;
			continue;
		}
		if (c != '$') {
			sb_addc(&sb, (char)c);
			p++;
			continue;
		}
		size_t l = simple_ref(p);
		bool brace = p[1] == '{';
		const unsigned char *n = p + 1 + brace;
		size_t nl = l - 1 - 2 * brace;
		char *heap = NULL, *nm = name;
		if (nl >= sizeof(name))
			nm = heap = xmalloc(nl + 1);
		memcpy(nm, n, nl);
		nm[nl] = 0;
		const char *v = env_lookup(env, nm);
		if (m) {
			struct strvec *set = v ? &m->matched : &m->unmatched;
			if (!sv_contains(set, nm))
				sv_push(set, nm);
		}
		free(heap);
		if (v)
			sb_adds(&sb, v);
		p += l;
	}
	*out = sb_detach(&sb);
	return 0;
}

int shell_lex_process(const struct shell_lex *lex, const char *word, const struct shell_env *env,
		      char **out, struct strvec *out_words, struct shell_matches *m, berr *err)
{
	static const struct shell_lex deflex = SHELL_LEX_INIT;
	if (out && !out_words && (!lex || (!lex->raw_quotes && !lex->raw_escapes &&
					   !lex->skip_process_quotes && !lex->skip_unset_env)) &&
	    !expand_simple(word, env, lex ? lex->escape_token : '\\', out, m))
		return 0;
	struct sw sw = { .lex = lex ? lex : &deflex, .env = env, .m = m };
	_cleanup_strbuf_ struct strbuf result = STRBUF_INIT;
	_cleanup_strvec_ struct strvec words = STRVEC_INIT;
	sb_init(&result);
	sb_init(&sw.wordsbuf);
	sc_init(&sw.sc, word, strlen(word));
	sw.raw_escapes = sw.lex->raw_escapes;
	int rc = process_stop_on(&sw, SC_EOF, sw.raw_escapes, &result, &words);
	sb_release(&sw.wordsbuf);
	if (rc < 0) {
		struct strbuf q = STRBUF_INIT;
		go_quote(&q, word);
		/* berr holds BERR_MSG_MAX bytes: shorten a huge word so the cause stays visible */
		const char *why = sw.errmsg ? sw.errmsg : "error";
		size_t whylen = strlen(why);
		if (q.len + whylen + 32 > BERR_MSG_MAX) {
			size_t keep = whylen + 64 < BERR_MSG_MAX ? BERR_MSG_MAX - whylen - 64 : 16;
			while (keep > 0 && ((unsigned char)q.buf[keep] & 0xC0) == 0x80)
				keep--;
			sb_setlen(&q, keep);
			sb_adds(&q, "...\"");
		}
		berr_set(err, 0, "failed to process %s: %.*s", q.buf, BERR_MSG_MAX / 2, why);
		sb_release(&q);
		free(sw.errmsg);
		return -1;
	}
	free(sw.errmsg);
	if (out)
		*out = sb_detach(&result);
	if (out_words)
		for (size_t i = 0; i < words.n; i++)
			sv_push(out_words, words.v[i]);
	return 0;
}

int shell_expand_word(const char *word, const struct shell_env *env, int escape_token,
		      char **out, struct shell_matches *m, berr *err)
{
	struct shell_lex lex = SHELL_LEX_INIT;
	lex.escape_token = escape_token;
	return shell_lex_process(&lex, word, env, out, NULL, m, err);
}

int shell_expand_words(const char *word, const struct shell_env *env, int escape_token,
		       struct strvec *out_words, struct shell_matches *m, berr *err)
{
	struct shell_lex lex = SHELL_LEX_INIT;
	lex.escape_token = escape_token;
	return shell_lex_process(&lex, word, env, NULL, out_words, m, err);
}
