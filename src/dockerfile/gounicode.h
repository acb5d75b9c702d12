/* gounicode.h: Go's rune classes (unicode.IsLetter, IsDigit, IsSpace, strconv.IsPrint),
 * unicode.ToLower, and
 * UTF-8 decoding with Go's rules (invalid byte -> U+FFFD, width 1), so the Dockerfile lexer
 * treats non-ASCII input exactly as BuildKit does. Tables: gounicode_tables.c (generated). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GOU_RUNE_ERROR 0xFFFD

struct gou_range { uint32_t lo, hi; };
extern const struct gou_range gou_letter[], gou_digit[], gou_print[];
extern const size_t gou_letter_n, gou_digit_n, gou_print_n;

bool gou_in(const struct gou_range *r, size_t n, uint32_t c);
static inline bool gou_is_letter(int32_t c)
{
	if (c < 0x80) return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
	return gou_in(gou_letter, gou_letter_n, (uint32_t)c);
}
static inline bool gou_is_digit(int32_t c)
{
	if (c < 0x80) return c >= '0' && c <= '9';
	return gou_in(gou_digit, gou_digit_n, (uint32_t)c);
}
static inline bool gou_is_print(int32_t c)
{
	if (c < 0x80) return c >= 0x20 && c < 0x7f;
	return gou_in(gou_print, gou_print_n, (uint32_t)c);
}
/* unicode.ToLower (simple case mapping), tables as runs: c in [lo, hi] with
 * (c - lo) % stride == 0 maps to c + delta. */
struct gou_case_run { uint32_t lo, hi; int32_t delta; uint32_t stride; };
extern const struct gou_case_run gou_lower[];
extern const size_t gou_lower_n;
int32_t gou_to_lower(int32_t c);

/* unicode.IsSpace: the White_Space property. */
bool gou_is_space(int32_t c);

/* utf8.DecodeRune on s[0..len): returns the rune, *width the bytes used (1 for an invalid
 * byte, which decodes to U+FFFD). len must be > 0. */
int32_t gou_decode(const unsigned char *s, size_t len, size_t *width);
/* utf8.EncodeRune / strings.Builder.WriteRune: appends 1-4 bytes to buf, returns the count.
 * Invalid runes (surrogates, negative, > U+10FFFF) encode as U+FFFD. */
size_t gou_encode(int32_t c, char buf[4]);
