/* strbuf.h: growable NUL-terminated byte buffers (git's strbuf) and string vectors. */
#pragma once
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *buf;   /* always NUL-terminated once initialised; never NULL after sb_init */
	size_t len;
	size_t alloc;
};
#define STRBUF_INIT { NULL, 0, 0 }

void sb_init(struct strbuf *sb);
void sb_release(struct strbuf *sb);
void sb_grow(struct strbuf *sb, size_t extra);  /* aborts on OOM */
void sb_add(struct strbuf *sb, const void *data, size_t len);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addc(struct strbuf *sb, char c);
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void sb_reset(struct strbuf *sb);
void sb_setlen(struct strbuf *sb, size_t len);
char *sb_detach(struct strbuf *sb);  /* caller frees; sb is reset */
const char *sb_str(struct strbuf *sb); /* "" for an empty, uninitialised buffer */

static inline void cleanup_sbp(struct strbuf *sb) { sb_release(sb); }
#define _cleanup_strbuf_ __attribute__((cleanup(cleanup_sbp)))

struct strvec {
	char **v;    /* NULL-terminated */
	size_t n;
	size_t alloc;
};
#define STRVEC_INIT { NULL, 0, 0 }

void sv_push(struct strvec *sv, const char *s);   /* copies s */
void sv_pushf(struct strvec *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sv_push_owned(struct strvec *sv, char *s);   /* takes ownership */
void sv_clear(struct strvec *sv);
bool sv_contains(const struct strvec *sv, const char *s);

static inline void cleanup_svp(struct strvec *sv) { sv_clear(sv); }
#define _cleanup_strvec_ __attribute__((cleanup(cleanup_svp)))

/* Allocation helpers that abort on OOM (as git's xmalloc). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
