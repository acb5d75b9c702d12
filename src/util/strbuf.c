/* strbuf.c: growable buffers, string vectors and aborting allocators. */
#include "util/strbuf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char sb_empty[1];

static void oom(void)
{
	fputs("berth: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		oom();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (!p)
		oom();
	return p;
}

/* vasprintf without its grow-and-shrink: format into a stack buffer, copy once */
static char *fmt_dup(const char *fmt, va_list ap)
{
	char buf[256];
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(buf, sizeof(buf), fmt, cp);
	va_end(cp);
	if (n < 0)
		oom();
	char *p = malloc((size_t)n + 1);
	if (!p)
		oom();
	if ((size_t)n < sizeof(buf))
		memcpy(p, buf, (size_t)n + 1);
	else
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = fmt_dup(fmt, ap);
	va_end(ap);
	return p;
}

void sb_init(struct strbuf *sb)
{
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
	sb_grow(sb, 0);
}

void sb_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
}

void sb_grow(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;
	if (need <= sb->alloc)
		return;
	size_t n = sb->alloc ? sb->alloc : 64;
	while (n < need)
		n *= 2;
	sb->buf = xrealloc(sb->alloc ? sb->buf : NULL, n);
	if (!sb->alloc)
		sb->buf[0] = 0;
	sb->alloc = n;
}

void sb_add(struct strbuf *sb, const void *data, size_t len)
{
	sb_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = 0;
}

void sb_adds(struct strbuf *sb, const char *s) { sb_add(sb, s, strlen(s)); }

void sb_addc(struct strbuf *sb, char c)
{
	if (sb->len + 2 > sb->alloc)
		sb_grow(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = 0;
}

void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	/* one pass when the text fits the spare room (the usual case), a second after growing */
	if (!sb->alloc || sb->alloc - sb->len < 64)
		sb_grow(sb, 64);
	va_list cp;
	va_copy(cp, ap);
	size_t room = sb->alloc - sb->len;
	int n = vsnprintf(sb->buf + sb->len, room, fmt, cp);
	va_end(cp);
	if (n < 0) {
		sb->buf[sb->len] = 0;
		return;
	}
	if ((size_t)n >= room) {
		sb_grow(sb, (size_t)n);
		vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	}
	sb->len += (size_t)n;
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

void sb_reset(struct strbuf *sb) { sb_setlen(sb, 0); }

void sb_setlen(struct strbuf *sb, size_t len)
{
	if (!sb->alloc)
		sb_grow(sb, len);
	sb->len = len;
	sb->buf[len] = 0;
}

char *sb_detach(struct strbuf *sb)
{
	char *r;
	if (!sb->alloc)
		sb_grow(sb, 0);
	r = sb->buf;
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
	return r;
}

const char *sb_str(struct strbuf *sb) { return sb->alloc ? sb->buf : sb_empty; }

void sv_push_owned(struct strvec *sv, char *s)
{
	if (sv->n + 2 > sv->alloc) {
		sv->alloc = sv->alloc ? sv->alloc * 2 : 8;
		sv->v = xrealloc(sv->v, sv->alloc * sizeof(char *));
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void sv_push(struct strvec *sv, const char *s) { sv_push_owned(sv, xstrdup(s)); }

void sv_pushf(struct strvec *sv, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = fmt_dup(fmt, ap);
	va_end(ap);
	sv_push_owned(sv, p);
}

void sv_clear(struct strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->alloc = 0;
}

bool sv_contains(const struct strvec *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return true;
	return false;
}
