/* parse_line.c: one instruction line -> a node (BuildKit's split_command.go and
 * line_parsers.go): the instruction name, --flags, and the per-instruction argument
 * parsers (JSON-or-shell, whitespace lists, key=value, HEALTHCHECK, ONBUILD). */
#include <string.h>
#include <stdio.h>
#include "dockerfile/parse_internal.h"
#include "util/cleanup.h"

static char *msgf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *msgf(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	return sb_detach(&sb);
}

/* unicode.IsSpace(rune(b)) for a single byte, as split_command.go and HEALTHCHECK do. */
static bool byte_space(unsigned char b)
{
	return df_isspace(b);
}

/* Words being split out of one line: written one after the other, NUL-terminated, into one
 * arena buffer big enough for all of them (a byte can become at most 3: U+FFFD). */
struct words {
	char *buf;
	size_t size, o, start; /* buffer size, write position, start of the current word */
	char **v;              /* the finished words */
	size_t n, cap;
	char *stack[32];
};

static void w_init(struct words *w, struct arena *a, size_t len)
{
	w->size = 4 * len + 2;
	w->buf = arena_alloc(a, w->size);
	w->o = w->start = 0;
	w->v = w->stack;
	w->n = 0;
	w->cap = sizeof(w->stack) / sizeof(w->stack[0]);
}

static inline void w_put(struct words *w, uint32_t r)
{
	char *p = w->buf + w->o;
	if (r < 0x80) {
		*p = (char)r;
		w->o++;
		return;
	}
	if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = 0xFFFD;
	if (r < 0x800) {
		p[0] = (char)(0xC0 | (r >> 6));
		p[1] = (char)(0x80 | (r & 0x3F));
		w->o += 2;
	} else if (r < 0x10000) {
		p[0] = (char)(0xE0 | (r >> 12));
		p[1] = (char)(0x80 | ((r >> 6) & 0x3F));
		p[2] = (char)(0x80 | (r & 0x3F));
		w->o += 3;
	} else {
		p[0] = (char)(0xF0 | (r >> 18));
		p[1] = (char)(0x80 | ((r >> 12) & 0x3F));
		p[2] = (char)(0x80 | ((r >> 6) & 0x3F));
		p[3] = (char)(0x80 | (r & 0x3F));
		w->o += 4;
	}
}

static inline size_t w_len(const struct words *w)
{
	return w->o - w->start;
}

/* Is the current word "--"? */
static inline bool w_dashdash(const struct words *w)
{
	return w_len(w) == 2 && w->buf[w->start] == '-' && w->buf[w->start + 1] == '-';
}

/* Finish the current word and keep it. */
static void w_end(struct words *w)
{
	w->buf[w->o++] = 0;
	if (w->n == w->cap) {
		char **nv = xmalloc(2 * w->cap * sizeof(*nv));
		memcpy(nv, w->v, w->n * sizeof(*nv));
		if (w->v != w->stack)
			free(w->v);
		w->v = nv;
		w->cap *= 2;
	}
	w->v[w->n++] = w->buf + w->start;
	w->start = w->o;
}

/* Drop the current word. */
static inline void w_drop(struct words *w)
{
	w->o = w->start;
}

/* The words are complete: give the buffer's unused tail back (before anything else is
 * allocated in the arena). */
static void w_shrink(struct words *w, struct arena *a)
{
	arena_shrink(a, w->buf, w->size, w->o);
}

static void w_done(struct words *w)
{
	if (w->v != w->stack)
		free(w->v);
}

/* extractBuilderFlags: leading "--x=y" words become flags; returns the rest of the line.
 * Bytes are taken one at a time (a byte >= 0x80 becomes the rune of the same value, as
 * in BuildKit). */
static void extract_flags(struct arena *a, const char *line, size_t len, int esc,
			  struct strvec *flags, const char **rest, size_t *restlen)
{
	enum { SPACES, WORD, QUOTE } phase = SPACES;
	*rest = line + len;
	*restlen = 0;
	if (!len || line[0] != '-') {
		/* no flag: skip the spaces */
		size_t pos = 0;
		while (pos < len && byte_space((unsigned char)line[pos]))
			pos++;
		if (pos == len || line[pos] != '-' || pos + 1 == len || line[pos + 1] != '-') {
			*rest = line + pos;
			*restlen = len - pos;
			return;
		}
	}
	struct words w;
	w_init(&w, a, len);
	bool blank_ok = false;
	unsigned char quote = 0, ch = 0;
	for (size_t pos = 0; pos <= len; pos++) {
		if (pos != len)
			ch = (unsigned char)line[pos];
		if (phase == SPACES) {
			if (pos == len)
				break;
			if (byte_space(ch))
				continue;
			if (ch != '-' || pos + 1 == len || line[pos + 1] != '-') {
				*rest = line + pos;
				*restlen = len - pos;
				goto out;
			}
			phase = WORD;
		}
		if (pos == len) {
			if (!w_dashdash(&w) && (blank_ok || w_len(&w)))
				w_end(&w);
			break;
		}
		if (phase == WORD) {
			if (byte_space(ch)) {
				phase = SPACES;
				if (w_dashdash(&w)) {
					*rest = line + pos;
					*restlen = len - pos;
					goto out;
				}
				if (blank_ok || w_len(&w))
					w_end(&w);
				else
					w_drop(&w);
				blank_ok = false;
				continue;
			}
			if (ch == '\'' || ch == '"') {
				quote = ch;
				blank_ok = true;
				phase = QUOTE;
				continue;
			}
			if (ch == esc) {
				if (pos + 1 == len)
					continue;
				ch = (unsigned char)line[++pos];
			}
			w_put(&w, ch);
			continue;
		}
		/* QUOTE */
		if (ch == quote) {
			phase = WORD;
			continue;
		}
		if (ch == esc) {
			if (pos + 1 == len) {
				phase = WORD;
				continue;
			}
			ch = (unsigned char)line[++pos];
		}
		w_put(&w, ch);
	}
out:
	w_drop(&w);
	w_shrink(&w, a);
	if (w.n) {
		flags->v = arena_alloc(a, (w.n + 1) * sizeof(char *));
		memcpy(flags->v, w.v, w.n * sizeof(char *));
		flags->v[w.n] = NULL;
		flags->n = w.n;
		flags->alloc = 0; /* in the arena */
	}
	w_done(&w);
}

/* One rune of s[pos..len): ASCII without a call. */
static inline size_t rune_at(const char *s, size_t len, size_t pos, uint32_t *r)
{
	unsigned char c = (unsigned char)s[pos];
	if (c < 0x80) {
		*r = c;
		return 1;
	}
	return df_rune(s + pos, len - pos, r);
}

static inline bool rune_space(uint32_t r)
{
	return r < 0x80 ? (r == ' ' || (r >= '\t' && r <= '\r')) : df_isspace(r);
}

/* A byte parseWords copies as it is inside a word (not in quotes). */
static inline bool word_byte(char c, int esc)
{
	unsigned char u = (unsigned char)c;
	return u < 0x80 && u != ' ' && (u < '\t' || u > '\r') && u != '\'' && u != '"' &&
	       u != (unsigned)esc;
}

/* parseWords: space-separated words, quotes kept, escapes kept before the escaped char.
 * The words are in w (their text in the arena). */
static void parse_words(struct arena *a, const char *s, size_t len, int esc, struct words *w)
{
	enum { SPACES, WORD, QUOTE } phase = SPACES;
	w_init(w, a, len);
	uint32_t quote = 0, ch = 0;
	bool blank_ok = false;
	size_t cw = 0;
	for (size_t pos = 0; pos <= len; pos += cw) {
		if (phase != SPACES && pos < len) {
			/* a run of ASCII bytes that are copied as they are: no space, quote or
			 * escape (in a quote: not its closing quote or the escape) */
			size_t e = pos;
			if (phase == WORD)
				while (e < len && word_byte(s[e], esc))
					e++;
			else
				while (e < len && (unsigned char)s[e] < 0x80 && s[e] != (char)quote &&
				       s[e] != (char)esc)
					e++;
			if (e > pos) {
				memcpy(w->buf + w->o, s + pos, e - pos);
				w->o += e - pos;
				cw = e - pos;
				continue;
			}
		}
		if (pos != len)
			cw = rune_at(s, len, pos, &ch);
		if (phase == SPACES) {
			if (pos == len)
				break;
			if (rune_space(ch))
				continue;
			phase = WORD;
		}
		if (pos == len) {
			if (blank_ok || w_len(w))
				w_end(w);
			break;
		}
		if (phase == WORD) {
			if (rune_space(ch)) {
				phase = SPACES;
				if (blank_ok || w_len(w))
					w_end(w);
				else
					w_drop(w);
				blank_ok = false;
				continue;
			}
			if (ch == '\'' || ch == '"') {
				quote = ch;
				blank_ok = true;
				phase = QUOTE;
			}
			if (ch == (uint32_t)esc) {
				if (pos + cw == len)
					continue;
				w_put(w, ch);
				pos += cw;
				cw = rune_at(s, len, pos, &ch);
			}
			w_put(w, ch);
			continue;
		}
		/* QUOTE */
		if (ch == quote)
			phase = WORD;
		if (ch == (uint32_t)esc && quote != '\'') {
			if (pos + cw == len) {
				phase = WORD;
				continue;
			}
			pos += cw;
			w_put(w, ch);
			cw = rune_at(s, len, pos, &ch);
		}
		w_put(w, ch);
	}
	w_drop(w);
	w_shrink(w, a);
}

/* A node whose value is s (already in the arena, NUL-terminated), not copied. */
static struct df_node *node_of(struct arena *a, char *s, size_t len)
{
	struct df_node *n = arena_calloc(a, 1, sizeof(*n));
	n->value = s;
	n->len = len;
	return n;
}

static struct df_node *push(struct arena *a, struct df_node ***tail, const char *v, size_t len)
{
	struct df_node *n = df_node_new(a, v, len);
	**tail = n;
	*tail = &n->next;
	return n;
}

/* parseStringsWhitespaceDelimited: regexp [\t\v\f\r ]+ split. */
static struct df_node *split_ws(struct arena *a, const char *s, size_t len)
{
	if (!len)
		return NULL;
	struct df_node *head = NULL, **tail = &head;
	size_t beg = 0, i = 0;
	while (i < len) {
		if (df_ws(s[i])) {
			size_t j = i;
			while (j < len && df_ws(s[j]))
				j++;
			push(a, &tail, s + beg, i - beg);
			beg = i = j;
		} else {
			i++;
		}
	}
	push(a, &tail, s + beg, len - beg);
	return head;
}

static struct df_node *kv_node(struct arena *a, const char *k, size_t klen, const char *v, size_t vlen, const char *sep)
{
	struct df_node *n = df_node_new(a, k, klen);
	n->next = df_node_new(a, v, vlen);
	n->next->next = df_node_new(a, sep, strlen(sep));
	return n;
}

/* parseNameVal: ENV/LABEL "k=v k2=v2" or the legacy "k the rest of the line". */
static int parse_name_val(struct arena *a, const char *s, size_t len, const char *key, int esc,
			  struct df_node **out, char **errmsg)
{
	struct words words;
	parse_words(a, s, len, esc, &words);
	*out = NULL;
	int rc = 0;
	if (!words.n)
		goto out;
	if (!strchr(words.v[0], '=')) {
		size_t i = 0;
		while (i < len && !df_ws(s[i]))
			i++;
		if (i == len) {
			*errmsg = msgf("%s must have two arguments", key);
			rc = -1;
			goto out;
		}
		size_t j = i;
		while (j < len && df_ws(s[j]))
			j++;
		*out = kv_node(a, s, i, s + j, len - j, "");
		goto out;
	}
	struct df_node **tail = out;
	for (size_t i = 0; i < words.n; i++) {
		char *eq = strchr(words.v[i], '=');
		if (!eq) {
			struct strbuf q = STRBUF_INIT;
			df_quote(&q, words.v[i], strlen(words.v[i]));
			*errmsg = msgf("Syntax error - can't find = in %s. Must be of the form: name=value", q.buf);
			sb_release(&q);
			*out = NULL; /* the nodes go with the arena */
			rc = -1;
			goto out;
		}
		/* key copied, value is the rest of the word (in the arena already) */
		struct df_node *n = df_node_new(a, words.v[i], (size_t)(eq - words.v[i]));
		n->next = node_of(a, eq + 1, strlen(eq + 1));
		n->next->next = df_node_new(a, "=", 1);
		*tail = n;
		tail = &n->next->next->next;
	}
out:
	w_done(&words);
	return rc;
}

/* parseMaybeJSON: the JSON form, else the whole rest as one argument. */
static int maybe_json(struct arena *a, const char *s, size_t len, struct df_node **out, bool *json, char **errmsg)
{
	*out = NULL;
	if (!len)
		return 0;
	int r = df_parse_json(a, s, len, out);
	if (r == 0) {
		*json = true;
		return 0;
	}
	if (r < 0) {
		*errmsg = msgf("when using JSON array syntax, arrays must be comprised of strings only");
		return -1;
	}
	*out = df_node_new(a, s, len);
	return 0;
}

static int maybe_json_list(struct arena *a, const char *s, size_t len, struct df_node **out, bool *json, char **errmsg)
{
	int r = df_parse_json(a, s, len, out);
	if (r == 0) {
		*json = true;
		return 0;
	}
	if (r < 0) {
		*errmsg = msgf("when using JSON array syntax, arrays must be comprised of strings only");
		return -1;
	}
	*out = split_ws(a, s, len);
	return 0;
}

static int health(struct arena *a, const char *s, size_t len, struct df_node **out, bool *json, char **errmsg)
{
	size_t sep = 0, next;
	*out = NULL;
	while (sep < len && !byte_space((unsigned char)s[sep]))
		sep++;
	for (next = sep; next < len && byte_space((unsigned char)s[next]); next++)
		;
	if (sep == 0)
		return 0;
	struct df_node *cmd;
	if (maybe_json(a, s + next, len - next, &cmd, json, errmsg))
		return -1;
	*out = df_node_new(a, s, sep);
	(*out)->next = cmd;
	return 0;
}

enum kind { K_IGNORE, K_JSON_LIST, K_NAME_OR_NAMEVAL, K_JSON, K_ENV, K_LABEL, K_WS, K_HEALTH, K_STRING, K_ONBUILD };

static const struct { const char *name; enum kind kind; } dispatch[] = {
	{ "add", K_JSON_LIST }, { "arg", K_NAME_OR_NAMEVAL }, { "cmd", K_JSON },
	{ "copy", K_JSON_LIST }, { "entrypoint", K_JSON }, { "env", K_ENV },
	{ "expose", K_WS }, { "from", K_WS }, { "healthcheck", K_HEALTH },
	{ "label", K_LABEL }, { "maintainer", K_STRING }, { "onbuild", K_ONBUILD },
	{ "run", K_JSON }, { "shell", K_JSON }, { "stopsignal", K_STRING },
	{ "user", K_STRING }, { "volume", K_JSON_LIST }, { "workdir", K_STRING },
};

int df_node_from_line(struct arena *a, const char *line, size_t len, int esc, int depth, struct df_node **out, char **errmsg)
{
	*out = NULL;
	if (depth > DF_MAX_NESTING) {
		*errmsg = msgf("instructions nested more than %d deep", DF_MAX_NESTING);
		return -1;
	}
	const char *orig = line;
	size_t origlen = len;
	df_trim_space(&line, &len);
	size_t cl = 0;
	while (cl < len && !df_ws(line[cl]))
		cl++;
	struct df_node *node = arena_calloc(a, 1, sizeof(*node));
	node->value = df_lower_arena(a, line, cl);
	node->len = strlen(node->value);
	const char *args = "";
	size_t alen = 0;
	if (cl < len) {
		size_t r = cl;
		while (r < len && df_ws(line[r]))
			r++;
		extract_flags(a, line + r, len - r, esc, &node->flags, &args, &alen);
		df_trim_space(&args, &alen);
	}
	enum kind k = K_IGNORE;
	for (size_t i = 0; i < sizeof(dispatch) / sizeof(dispatch[0]); i++)
		if (dispatch[i].name[0] == node->value[0] && !strcmp(dispatch[i].name, node->value)) {
			k = dispatch[i].kind; /* names are unique */
			break;
		}
	int rc = 0;
	switch (k) {
	case K_IGNORE:
		node->next = df_node_new(a, "", 0);
		break;
	case K_JSON_LIST:
		rc = maybe_json_list(a, args, alen, &node->next, &node->json, errmsg);
		break;
	case K_JSON:
		rc = maybe_json(a, args, alen, &node->next, &node->json, errmsg);
		break;
	case K_NAME_OR_NAMEVAL: {
		struct words words;
		parse_words(a, args, alen, esc, &words);
		struct df_node **tail = &node->next;
		for (size_t i = 0; i < words.n; i++) {
			struct df_node *n = node_of(a, words.v[i], strlen(words.v[i]));
			*tail = n;
			tail = &n->next;
		}
		w_done(&words);
		break;
	}
	case K_ENV:
		rc = parse_name_val(a, args, alen, "ENV", esc, &node->next, errmsg);
		break;
	case K_LABEL:
		rc = parse_name_val(a, args, alen, "LABEL", esc, &node->next, errmsg);
		break;
	case K_WS:
		node->next = split_ws(a, args, alen);
		break;
	case K_HEALTH:
		rc = health(a, args, alen, &node->next, &node->json, errmsg);
		break;
	case K_STRING:
		if (alen)
			node->next = df_node_new(a, args, alen);
		break;
	case K_ONBUILD:
		if (alen) {
			struct df_node *child;
			rc = df_node_from_line(a, args, alen, esc, depth + 1, &child, errmsg);
			if (rc == 0) {
				node->next = df_node_new(a, "", 0);
				node->next->children = arena_alloc(a, sizeof(*node->next->children));
				node->next->children[0] = child;
				node->next->nchildren = 1;
			}
		}
		break;
	}
	if (rc)
		return -1; /* the nodes made so far go with the arena */
	node->original = arena_strndup(a, orig, origlen);
	*out = node;
	return 0;
}
