/* parse_heredoc.c: finding heredocs (<<EOF, <<-EOF, <<"EOF", 3<<EOF) in RUN/COPY/ADD
 * lines, as BuildKit's heredocsFromLine: the line is split into words by a shell lexer
 * (quotes and escapes kept raw, unset variables kept as written) and each word that
 * matches ^(\d*)<<(-?)\s*([^<]*)$ names a heredoc. This is a subset of BuildKit's shell
 * lexer sufficient for that: the environment is always empty. */
#include <stdlib.h>
#include <string.h>
#include "dockerfile/parse_internal.h"
#include "util/cleanup.h"

#define LEX_EOF (-1)

struct lex {
	const char *s;
	size_t len, pos;
	bool raw_quotes, raw_escapes;
	int depth; /* ${...} nesting, bounded so that a huge line cannot exhaust the stack */
	const char *err;
};

struct words {
	struct strbuf buf;
	struct strvec v;
	bool in_word;
};

static long peek(struct lex *l)
{
	if (l->pos >= l->len)
		return LEX_EOF;
	uint32_t r;
	df_rune(l->s + l->pos, l->len - l->pos, &r);
	return r;
}

static long next(struct lex *l)
{
	if (l->pos >= l->len)
		return LEX_EOF;
	uint32_t r;
	l->pos += df_rune(l->s + l->pos, l->len - l->pos, &r);
	return r;
}

static void w_raw_char(struct words *w, uint32_t c)
{
	df_put_rune(&w->buf, c);
	w->in_word = true;
}

static void w_char(struct words *w, uint32_t c)
{
	if (df_isspace(c)) {
		if (w->in_word && w->buf.len) {
			sv_push(&w->v, w->buf.buf);
			sb_reset(&w->buf);
			w->in_word = false;
		}
	} else {
		w_raw_char(w, c);
	}
}

static void w_string(struct words *w, const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		uint32_t r;
		i += df_rune(s + i, len - i, &r);
		w_char(w, r);
	}
}

static int stop_on(struct lex *l, long stop, bool raw_escapes, struct strbuf *result, struct strvec *words);

static int single_quote(struct lex *l, struct strbuf *out)
{
	long ch = next(l);
	if (l->raw_quotes)
		df_put_rune(out, (uint32_t)ch);
	for (;;) {
		ch = next(l);
		if (ch == LEX_EOF) {
			l->err = "unexpected end of statement while looking for matching single-quote";
			return -1;
		}
		if (ch == '\'') {
			if (l->raw_quotes)
				df_put_rune(out, (uint32_t)ch);
			return 0;
		}
		df_put_rune(out, (uint32_t)ch);
	}
}

static int dollar(struct lex *l, struct strbuf *out, bool raw_escapes);

static int double_quote(struct lex *l, struct strbuf *out, bool raw_escapes)
{
	long ch = next(l);
	if (l->raw_quotes)
		df_put_rune(out, (uint32_t)ch);
	for (;;) {
		long p = peek(l);
		if (p == LEX_EOF) {
			l->err = "unexpected end of statement while looking for matching double-quote";
			return -1;
		}
		if (p == '"') {
			next(l);
			if (l->raw_quotes)
				sb_addc(out, '"');
			return 0;
		}
		if (p == '$') {
			if (dollar(l, out, raw_escapes))
				return -1;
			continue;
		}
		ch = next(l);
		if (ch == '\\') {
			if (raw_escapes)
				sb_addc(out, '\\');
			p = peek(l);
			if (p == LEX_EOF)
				continue;
			if (p == '"' || p == '$' || p == '\\')
				ch = next(l);
		}
		df_put_rune(out, (uint32_t)ch);
	}
}

static bool is_special_param(long c)
{
	return c != LEX_EOF && strchr("@*#?-$!0", (int)c) && c;
}

static bool is_digit(long c) { return c >= '0' && c <= '9'; }
static bool is_name_char(long c)
{
	/* unicode.IsLetter/IsDigit: non-ASCII runes are taken as letters */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c >= 0x80;
}

static void name(struct lex *l, struct strbuf *n)
{
	long c = peek(l);
	if (is_digit(c)) {
		while (is_digit(peek(l)))
			sb_addc(n, (char)next(l));
		return;
	}
	if (is_special_param(c)) {
		sb_addc(n, (char)next(l));
		return;
	}
	while (is_name_char(peek(l)))
		df_put_rune(n, (uint32_t)next(l));
}

/* $name / ${...} with every variable unset and SkipUnsetEnv: written back as is. */
static int dollar(struct lex *l, struct strbuf *out, bool raw_escapes)
{
	(void)raw_escapes;
	next(l);
	_cleanup_strbuf_ struct strbuf n = STRBUF_INIT;
	sb_init(&n);
	if (peek(l) != '{') {
		name(l, &n);
		sb_addc(out, '$');
		sb_add(out, n.buf, n.len);
		return 0;
	}
	next(l);
	long p = peek(l);
	if (p == LEX_EOF) {
		l->err = "syntax error: missing '}'";
		return -1;
	}
	if (p == '{' || p == '}' || p == ':') {
		l->err = "syntax error: bad substitution";
		return -1;
	}
	name(l, &n);
	long ch = next(l);
	_cleanup_strbuf_ struct strbuf chs = STRBUF_INIT;
	sb_init(&chs);
	df_put_rune(&chs, ch == LEX_EOF ? 0xFFFD : (uint32_t)ch);
	bool null_unset = false;
	switch (ch) {
	case '}':
		sb_addf(out, "${%s}", n.buf);
		return 0;
	case ':':
		null_unset = true;
		ch = next(l);
		df_put_rune(&chs, ch == LEX_EOF ? 0xFFFD : (uint32_t)ch);
		/* fallthrough */
	case '+': case '-': case '?': case '#': case '%': {
		bool raw = ch == '#' || ch == '%';
		if (null_unset && raw) {
			l->err = "unsupported modifier in substitution";
			return -1;
		}
		_cleanup_strbuf_ struct strbuf word = STRBUF_INIT;
		sb_init(&word);
		if (++l->depth > DF_MAX_NESTING) {
			l->err = "substitutions nested too deep";
			return -1;
		}
		int rc = stop_on(l, '}', raw, &word, NULL);
		l->depth--;
		if (rc)
			return -1;
		sb_addf(out, "${%s%s%s}", n.buf, chs.buf, word.buf);
		return 0;
	}
	case '/': {
		if (peek(l) == '/')
			next(l);
		_cleanup_strbuf_ struct strbuf pat = STRBUF_INIT, rep = STRBUF_INIT;
		sb_init(&pat);
		sb_init(&rep);
		if (++l->depth > DF_MAX_NESTING) {
			l->err = "substitutions nested too deep";
			return -1;
		}
		int rc = stop_on(l, '/', true, &pat, NULL) || stop_on(l, '}', true, &rep, NULL);
		l->depth--;
		if (rc)
			return -1;
		sb_addf(out, "${%s/%s/%s}", n.buf, pat.buf, rep.buf);
		return 0;
	}
	default:
		l->err = "unsupported modifier in substitution";
		return -1;
	}
}

static void possible_heredoc(struct lex *l, struct strbuf *out)
{
	next(l);
	if (peek(l) != '<') {
		sb_addc(out, '<');
		return;
	}
	next(l);
	sb_adds(out, "<<");
	for (long c = peek(l); c == '\t' || c == '\r' || c == ' '; c = peek(l))
		sb_addc(out, (char)next(l));
}

/* processStopOn: the text up to stop (LEX_EOF: the end), and its words if words != NULL. */
static int stop_on(struct lex *l, long stop, bool raw_escapes, struct strbuf *result, struct strvec *words)
{
	struct words w = { STRBUF_INIT, STRVEC_INIT, false };
	sb_init(&w.buf);
	int rc = 0;
	struct strbuf tmp = STRBUF_INIT;
	sb_init(&tmp);
	for (;;) {
		long ch = peek(l);
		if (ch == LEX_EOF)
			break;
		if (stop != LEX_EOF && ch == stop) {
			next(l);
			goto done;
		}
		if (ch == '$' || ch == '<' || ch == '\'' || ch == '"') {
			sb_reset(&tmp);
			if (ch == '$')
				rc = dollar(l, &tmp, raw_escapes);
			else if (ch == '<')
				possible_heredoc(l, &tmp), rc = 0;
			else if (ch == '\'')
				rc = single_quote(l, &tmp);
			else
				rc = double_quote(l, &tmp, raw_escapes);
			if (rc)
				goto out;
			sb_add(result, tmp.buf, tmp.len);
			if (ch == '$') {
				w_string(&w, tmp.buf, tmp.len);
			} else {
				sb_add(&w.buf, tmp.buf, tmp.len);
				w.in_word = true;
			}
			continue;
		}
		ch = next(l);
		if (ch == '\\') {
			if (raw_escapes) {
				w_raw_char(&w, (uint32_t)ch);
				sb_addc(result, '\\');
			}
			ch = next(l);
			if (ch == LEX_EOF)
				break;
			w_raw_char(&w, (uint32_t)ch);
		} else {
			w_char(&w, (uint32_t)ch);
		}
		df_put_rune(result, (uint32_t)ch);
	}
	if (stop != LEX_EOF) {
		l->err = "unexpected end of statement";
		rc = -1;
		goto out;
	}
done:
	if (words) {
		if (w.buf.len)
			sv_push(&w.v, w.buf.buf);
		for (size_t i = 0; i < w.v.n; i++)
			sv_push(words, w.v.v[i]);
	}
out:
	sb_release(&tmp);
	sb_release(&w.buf);
	sv_clear(&w.v);
	return rc;
}

static int process_words(const char *s, size_t len, bool raw, struct strvec *words, const char **err)
{
	struct lex l = { s, len, 0, raw, raw, 0, NULL };
	_cleanup_strbuf_ struct strbuf result = STRBUF_INIT;
	sb_init(&result);
	if (stop_on(&l, LEX_EOF, raw, &result, words)) {
		*err = l.err;
		return -1;
	}
	return 0;
}

static size_t count_quotes(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\'' || *s == '"';
	return n;
}

void df_heredoc_release(struct df_heredoc *h)
{
	free(h->name);
	free(h->content);
}

/* ParseHeredoc: a word ^(\d*)<<(-?)\s*([^<]*)$. Returns 1 (not a heredoc), 0, or -1. */
static int parse_heredoc(const char *word, struct df_heredoc *h, char **errmsg)
{
	const char *p = word;
	unsigned long long fd = 0;
	bool over = false;
	while (*p >= '0' && *p <= '9') {
		if (fd > (~0ULL - 9) / 10)
			over = true;
		fd = fd * 10 + (unsigned)(*p - '0');
		p++;
	}
	if (p > word && over)
		fd = ~0ULL;
	if (strncmp(p, "<<", 2))
		return 1;
	p += 2;
	bool chomp = *p == '-';
	if (chomp)
		p++;
	while (*p && strchr(" \t\n\f\r", *p))
		p++;
	if (strchr(p, '<') || !*p)
		return 1;
	_cleanup_strvec_ struct strvec words = STRVEC_INIT, raw = STRVEC_INIT;
	const char *err = NULL;
	if (process_words(p, strlen(p), false, &words, &err) ||
	    (words.n == 1 && process_words(p, strlen(p), true, &raw, &err))) {
		struct strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "failed to process heredoc %s: %s", p, err);
		*errmsg = sb_detach(&sb);
		return -1;
	}
	if (words.n != 1)
		return 1;
	if (raw.n != 1) {
		struct strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "internal lexing of heredoc produced inconsistent results: %s", p);
		*errmsg = sb_detach(&sb);
		return -1;
	}
	memset(h, 0, sizeof(*h));
	h->name = xstrdup(words.v[0]);
	h->content = xstrdup("");
	h->chomp = chomp;
	h->expand = count_quotes(words.v[0]) == count_quotes(raw.v[0]);
	h->fd = (unsigned)fd;
	return 0;
}

int df_heredocs_from_line(const char *line, size_t len, struct df_heredoc **docs, size_t *n, char **errmsg)
{
	_cleanup_strvec_ struct strvec words = STRVEC_INIT;
	const char *err;
	*docs = NULL;
	*n = 0;
	if (process_words(line, len, true, &words, &err))
		return 0; /* BuildKit ignores lexing errors here: no heredocs */
	for (size_t i = 0; i < words.n; i++) {
		struct df_heredoc h;
		int r = parse_heredoc(words.v[i], &h, errmsg);
		if (r < 0) {
			for (size_t j = 0; j < *n; j++)
				df_heredoc_release(&(*docs)[j]);
			free(*docs);
			*docs = NULL;
			*n = 0;
			return -1;
		}
		if (r == 0) {
			*docs = xrealloc(*docs, (*n + 1) * sizeof(**docs));
			(*docs)[(*n)++] = h;
		}
	}
	return 0;
}
