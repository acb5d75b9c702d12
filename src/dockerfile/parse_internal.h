/* parse_internal.h: helpers shared by the Dockerfile parser's files (not a public API).
 * Go semantics that BuildKit's parser relies on (UTF-8 decoding, unicode.IsSpace,
 * strconv.Quote, strings.ToLower/TrimSpace) are reimplemented here. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dockerfile/ast.h"
#include "util/arena.h"

#define DF_MAX_NESTING 1000 /* ONBUILD ONBUILD ... depth (BuildKit: unbounded) */

/* Decode one UTF-8 rune of s[0..len) (len > 0) as Go's utf8.DecodeRune: returns the width;
 * an invalid sequence gives *r = 0xFFFD and width 1. */
size_t df_rune(const char *s, size_t len, uint32_t *r);
bool df_isspace(uint32_t r);            /* unicode.IsSpace */
void df_put_rune(struct strbuf *sb, uint32_t r); /* utf8.EncodeRune (invalid -> U+FFFD) */
void df_quote(struct strbuf *sb, const char *s, size_t len); /* strconv.Quote */
char *df_lower(const char *s, size_t len); /* strings.ToLower (simple case mapping) */
/* strings.TrimSpace / TrimLeftFunc(unicode.IsSpace) on a (ptr,len) span. */
void df_trim_space(const char **s, size_t *len);
void df_trim_left_space(const char **s, size_t *len);
/* Is c in Go's reWhitespace class [\t\v\f\r ]? */
static inline bool df_ws(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; }

/* A node with a copy of value[0..len), both in arena a. */
struct df_node *df_node_new(struct arena *a, const char *value, size_t len);
/* strings.ToLower of s[0..len) into arena a. */
char *df_lower_arena(struct arena *a, const char *s, size_t len);

/* newNodeFromLine: split line into instruction, flags and arguments. On error returns -1
 * and sets *errmsg (malloc'd). */
int df_node_from_line(struct arena *a, const char *line, size_t len, int escape, int depth,
		      struct df_node **out, char **errmsg);
/* The JSON array form: 0 = array of strings (*out set, may be NULL for []), 1 = not JSON
 * (use the shell form), -1 = a JSON array with a non-string element (error). */
int df_parse_json(struct arena *a, const char *s, size_t len, struct df_node **out);
/* heredocsFromLine: the heredocs (<<EOF words) of an instruction line, contents empty. */
int df_heredocs_from_line(const char *line, size_t len, struct df_heredoc **docs, size_t *n,
			  char **errmsg);
void df_heredoc_release(struct df_heredoc *h);
