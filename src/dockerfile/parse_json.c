/* parse_json.c: the JSON (exec) form of CMD/RUN/COPY/...: Go's json.Unmarshal of the
 * argument into []any, then "every element must be a string" (BuildKit's parseJSON).
 * Syntax errors and float overflow make the caller fall back to the shell form. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dockerfile/parse_internal.h"

#define JSON_MAX_DEPTH 10000 /* Go's encoding/json limit */

struct jp {
	const char *s;
	size_t len, pos;
	bool overflow; /* a number out of float64 range: Unmarshal fails after the syntax check */
};

static void ws(struct jp *p)
{
	while (p->pos < p->len && strchr(" \t\n\r", p->s[p->pos]) && p->s[p->pos])
		p->pos++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

static int hex4(struct jp *p, uint32_t *v)
{
	if (p->len - p->pos < 4)
		return -1;
	*v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(p->s[p->pos + i]);
		if (h < 0)
			return -1;
		*v = (*v << 4) | (uint32_t)h;
	}
	p->pos += 4;
	return 0;
}

/* A string at p->pos (on '"'); decoded into out if out != NULL. */
static int string(struct jp *p, struct strbuf *out)
{
	p->pos++;
	while (p->pos < p->len) {
		unsigned char c = (unsigned char)p->s[p->pos];
		if (c == '"') {
			p->pos++;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c == '\\') {
			if (++p->pos >= p->len)
				return -1;
			char e = p->s[p->pos++];
			uint32_t r;
			switch (e) {
			case '"': case '\\': case '/': r = (uint32_t)e; break;
			case 'b': r = '\b'; break;
			case 'f': r = '\f'; break;
			case 'n': r = '\n'; break;
			case 'r': r = '\r'; break;
			case 't': r = '\t'; break;
			case 'u':
				if (hex4(p, &r))
					return -1;
				if (r >= 0xD800 && r < 0xDC00) {
					/* a surrogate pair, if a low surrogate escape follows */
					uint32_t lo;
					size_t save = p->pos;
					if (p->len - p->pos >= 6 && p->s[p->pos] == '\\' && p->s[p->pos + 1] == 'u') {
						p->pos += 2;
						if (hex4(p, &lo))
							return -1;
						if (lo >= 0xDC00 && lo < 0xE000) {
							r = 0x10000 + ((r - 0xD800) << 10) + (lo - 0xDC00);
						} else {
							r = 0xFFFD;
							p->pos = save;
						}
					} else {
						r = 0xFFFD;
					}
				} else if (r >= 0xD800 && r < 0xE000) {
					r = 0xFFFD;
				}
				break;
			default:
				return -1;
			}
			if (out)
				df_put_rune(out, r);
			continue;
		}
		uint32_t r;
		size_t w = df_rune(p->s + p->pos, p->len - p->pos, &r);
		if (out) {
			if (w == 1 && r == 0xFFFD)
				df_put_rune(out, 0xFFFD);
			else
				sb_add(out, p->s + p->pos, w);
		}
		p->pos += w;
	}
	return -1;
}

static bool digit(struct jp *p) { return p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9'; }

static int number(struct jp *p)
{
	size_t start = p->pos;
	if (p->s[p->pos] == '-')
		p->pos++;
	if (!digit(p))
		return -1;
	if (p->s[p->pos] == '0')
		p->pos++;
	else
		while (digit(p))
			p->pos++;
	if (p->pos < p->len && p->s[p->pos] == '.') {
		p->pos++;
		if (!digit(p))
			return -1;
		while (digit(p))
			p->pos++;
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (!digit(p))
			return -1;
		while (digit(p))
			p->pos++;
	}
	char *tmp = xstrndup(p->s + start, p->pos - start);
	double d = strtod(tmp, NULL);
	free(tmp);
	if (isinf(d))
		p->overflow = true;
	return 0;
}

static int value(struct jp *p, int depth);

static int container(struct jp *p, int depth, char close)
{
	if (depth > JSON_MAX_DEPTH)
		return -1;
	p->pos++;
	ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			ws(p);
			if (p->pos >= p->len || p->s[p->pos] != '"' || string(p, NULL))
				return -1;
			ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':')
				return -1;
			p->pos++;
		}
		if (value(p, depth + 1))
			return -1;
		ws(p);
		if (p->pos >= p->len)
			return -1;
		char c = p->s[p->pos++];
		if (c == close)
			return 0;
		if (c != ',')
			return -1;
	}
}

static int literal(struct jp *p, const char *word)
{
	size_t n = strlen(word);
	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n))
		return -1;
	p->pos += n;
	return 0;
}

static int value(struct jp *p, int depth)
{
	ws(p);
	if (p->pos >= p->len)
		return -1;
	switch (p->s[p->pos]) {
	case '"': return string(p, NULL);
	case '[': return container(p, depth, ']');
	case '{': return container(p, depth, '}');
	case 't': return literal(p, "true");
	case 'f': return literal(p, "false");
	case 'n': return literal(p, "null");
	default:
		if (p->s[p->pos] == '-' || (p->s[p->pos] >= '0' && p->s[p->pos] <= '9'))
			return number(p);
		return -1;
	}
}

int df_parse_json(struct arena *a, const char *s, size_t len, struct df_node **out)
{
	*out = NULL;
	df_trim_left_space(&s, &len);
	if (!len || s[0] != '[')
		return 1;
	struct jp p = { s, len, 0, false };
	if (value(&p, 1))
		return 1;
	ws(&p);
	if (p.pos != p.len || p.overflow)
		return 1;
	/* Valid: decode the top-level elements. */
	struct df_node *head = NULL, **tail = &head;
	p.pos = 1;
	ws(&p);
	if (p.s[p.pos] == ']')
		return 0;
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (;;) {
		ws(&p);
		if (p.s[p.pos] != '"') {
			sb_release(&sb); /* the nodes made so far go with the arena */
			return -1;
		}
		sb_reset(&sb);
		string(&p, &sb);
		struct df_node *n = arena_calloc(a, 1, sizeof(*n));
		n->len = sb.len;
		n->value = arena_strndup(a, sb.buf, sb.len);
		*tail = n;
		tail = &n->next;
		ws(&p);
		if (p.s[p.pos++] == ']')
			break;
	}
	sb_release(&sb);
	*out = head;
	return 0;
}
