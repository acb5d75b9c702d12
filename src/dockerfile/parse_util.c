/* parse_util.c: Go string semantics for the Dockerfile parser: UTF-8 decoding, unicode
 * spaces, strconv.Quote (the dump format) and strings.ToLower. */
#include <stdlib.h>
#include <string.h>
#include "dockerfile/gounicode.h"
#include "dockerfile/parse_internal.h"

size_t df_rune(const char *s, size_t len, uint32_t *r)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned c = p[0];
	*r = 0xFFFD;
	if (c < 0x80) {
		*r = c;
		return 1;
	}
	size_t n;
	uint32_t v, min;
	if (c >= 0xC2 && c <= 0xDF) { n = 2; v = c & 0x1F; min = 0x80; }
	else if (c >= 0xE0 && c <= 0xEF) { n = 3; v = c & 0x0F; min = 0x800; }
	else if (c >= 0xF0 && c <= 0xF4) { n = 4; v = c & 0x07; min = 0x10000; }
	else return 1;
	if (len < n)
		return 1;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 1;
		v = (v << 6) | (p[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 1;
	*r = v;
	return n;
}

bool df_isspace(uint32_t r)
{
	switch (r) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ': case 0x85: case 0xA0:
	case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
		return true;
	}
	return r >= 0x2000 && r <= 0x200A;
}

void df_put_rune(struct strbuf *sb, uint32_t r)
{
	if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = 0xFFFD;
	if (r < 0x80) {
		sb_addc(sb, (char)r);
	} else if (r < 0x800) {
		sb_addc(sb, (char)(0xC0 | (r >> 6)));
		sb_addc(sb, (char)(0x80 | (r & 0x3F)));
	} else if (r < 0x10000) {
		sb_addc(sb, (char)(0xE0 | (r >> 12)));
		sb_addc(sb, (char)(0x80 | ((r >> 6) & 0x3F)));
		sb_addc(sb, (char)(0x80 | (r & 0x3F)));
	} else {
		sb_addc(sb, (char)(0xF0 | (r >> 18)));
		sb_addc(sb, (char)(0x80 | ((r >> 12) & 0x3F)));
		sb_addc(sb, (char)(0x80 | ((r >> 6) & 0x3F)));
		sb_addc(sb, (char)(0x80 | (r & 0x3F)));
	}
}

/* unicode.IsPrint */
static bool is_print(uint32_t r)
{
	if (r < 0x80)
		return r >= 0x20 && r < 0x7F;
	return r <= 0x10FFFF && gou_is_print((int32_t)r);
}

void df_quote(struct strbuf *sb, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	sb_addc(sb, '"');
	for (size_t i = 0; i < len;) {
		uint32_t r;
		size_t w = df_rune(s + i, len - i, &r);
		if (w == 1 && r == 0xFFFD) {
			unsigned char c = (unsigned char)s[i];
			sb_adds(sb, "\\x");
			sb_addc(sb, hex[c >> 4]);
			sb_addc(sb, hex[c & 15]);
			i++;
			continue;
		}
		if (r == '"' || r == '\\') {
			sb_addc(sb, '\\');
			sb_addc(sb, (char)r);
		} else if (is_print(r)) {
			sb_add(sb, s + i, w);
		} else {
			switch (r) {
			case '\a': sb_adds(sb, "\\a"); break;
			case '\b': sb_adds(sb, "\\b"); break;
			case '\f': sb_adds(sb, "\\f"); break;
			case '\n': sb_adds(sb, "\\n"); break;
			case '\r': sb_adds(sb, "\\r"); break;
			case '\t': sb_adds(sb, "\\t"); break;
			case '\v': sb_adds(sb, "\\v"); break;
			default:
				if (r < ' ' || r == 0x7F) {
					sb_adds(sb, "\\x");
					sb_addc(sb, hex[r >> 4]);
					sb_addc(sb, hex[r & 15]);
				} else if (r < 0x10000) {
					sb_addf(sb, "\\u%04x", (unsigned)r);
				} else {
					sb_addf(sb, "\\U%08x", (unsigned)r);
				}
			}
		}
		i += w;
	}
	sb_addc(sb, '"');
}

/* unicode.ToLower (simple case mapping) */
static uint32_t to_lower(uint32_t r)
{
	if (r >= 'A' && r <= 'Z')
		return r + 32;
	if (r < 0x80)
		return r;
	return r <= 0x10FFFF ? (uint32_t)gou_to_lower((int32_t)r) : r;
}

char *df_lower(const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	bool ascii = true;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			ascii = false;
	sb_grow(&sb, len + 1);
	for (size_t i = 0; i < len;) {
		uint32_t r;
		size_t w = ascii ? (r = (unsigned char)s[i], 1) : df_rune(s + i, len - i, &r);
		df_put_rune(&sb, to_lower(r));
		i += w;
	}
	return sb_detach(&sb);
}

void df_trim_left_space(const char **s, size_t *len)
{
	/* ASCII: no decoding */
	while (*len && (unsigned char)**s < 0x80) {
		unsigned char c = (unsigned char)**s;
		if (c != ' ' && (c < '\t' || c > '\r'))
			return;
		(*s)++;
		(*len)--;
	}
	while (*len) {
		uint32_t r;
		size_t w = df_rune(*s, *len, &r);
		if (!df_isspace(r) || (w == 1 && r == 0xFFFD))
			break;
		*s += w;
		*len -= w;
	}
}

/* Width of the last rune of s[0..len), decoded as Go's utf8.DecodeLastRune. */
static size_t last_rune(const char *s, size_t len, uint32_t *r)
{
	size_t start = len - 1, lim = len >= 4 ? len - 4 : 0;
	while (start > lim && ((unsigned char)s[start] & 0xC0) == 0x80)
		start--;
	size_t w = df_rune(s + start, len - start, r);
	if (start + w != len) {
		*r = 0xFFFD;
		return 1;
	}
	return w;
}

void df_trim_space(const char **s, size_t *len)
{
	df_trim_left_space(s, len);
	while (*len && (unsigned char)(*s)[*len - 1] < 0x80) {
		unsigned char c = (unsigned char)(*s)[*len - 1];
		if (c != ' ' && (c < '\t' || c > '\r'))
			return;
		(*len)--;
	}
	while (*len) {
		uint32_t r;
		size_t w = last_rune(*s, *len, &r);
		if (!df_isspace(r) || (w == 1 && r == 0xFFFD))
			break;
		*len -= w;
	}
}

struct df_node *df_node_new(struct arena *a, const char *value, size_t len)
{
	struct df_node *n = arena_calloc(a, 1, sizeof(*n));
	n->value = arena_strndup(a, value ? value : "", value ? len : 0);
	n->len = strlen(n->value);
	return n;
}

char *df_lower_arena(struct arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80) {
			/* not ASCII: Go's simple case mapping of every rune */
			char *l = df_lower(s, len);
			char *r = arena_strdup(a, l);
			free(l);
			return r;
		}
		p[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	p[len] = 0;
	return p;
}
