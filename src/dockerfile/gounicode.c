/* gounicode.c: Go-compatible UTF-8 decoding and rune classes for the Dockerfile lexer. */
#include "dockerfile/gounicode.h"

bool gou_in(const struct gou_range *r, size_t n, uint32_t c)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c < r[mid].lo)
			hi = mid;
		else if (c > r[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

bool gou_is_space(int32_t c)
{
	switch (c) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ': case 0x85: case 0xA0:
	case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
		return true;
	}
	return c >= 0x2000 && c <= 0x200A;
}

int32_t gou_decode(const unsigned char *s, size_t len, size_t *width)
{
	unsigned b0 = s[0];
	*width = 1;
	if (b0 < 0x80)
		return (int32_t)b0;
	unsigned lo = 0x80, hi = 0xBF;
	size_t n;
	int32_t r;
	if (b0 >= 0xC2 && b0 <= 0xDF) {
		n = 2; r = b0 & 0x1F;
	} else if (b0 >= 0xE0 && b0 <= 0xEF) {
		n = 3; r = b0 & 0x0F;
		if (b0 == 0xE0) lo = 0xA0;
		if (b0 == 0xED) hi = 0x9F;
	} else if (b0 >= 0xF0 && b0 <= 0xF4) {
		n = 4; r = b0 & 0x07;
		if (b0 == 0xF0) lo = 0x90;
		if (b0 == 0xF4) hi = 0x8F;
	} else {
		return GOU_RUNE_ERROR;
	}
	if (len < n)
		return GOU_RUNE_ERROR;
	for (size_t i = 1; i < n; i++) {
		unsigned b = s[i];
		if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
			return GOU_RUNE_ERROR;
		r = (r << 6) | (int32_t)(b & 0x3F);
	}
	*width = n;
	return r;
}

size_t gou_encode(int32_t c, char buf[4])
{
	if (c < 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		c = GOU_RUNE_ERROR;
	if (c < 0x80) {
		buf[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		buf[0] = (char)(0xC0 | (c >> 6));
		buf[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		buf[0] = (char)(0xE0 | (c >> 12));
		buf[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		buf[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	buf[0] = (char)(0xF0 | (c >> 18));
	buf[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	buf[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	buf[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

int32_t gou_to_lower(int32_t c)
{
	if (c < 0x80)
		return c >= 'A' && c <= 'Z' ? c + 32 : c;
	size_t lo = 0, hi = gou_lower_n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((uint32_t)c < gou_lower[mid].lo)
			hi = mid;
		else if ((uint32_t)c > gou_lower[mid].hi)
			lo = mid + 1;
		else
			return ((uint32_t)c - gou_lower[mid].lo) % gou_lower[mid].stride ? c : c + gou_lower[mid].delta;
	}
	return c;
}
