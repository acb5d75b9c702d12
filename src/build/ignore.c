/* ignore.c: .dockerignore reading and matching exactly as moby/patternmatcher and BuildKit's
 * fsutil walker do it. A pattern is turned into the same Go regular expression string Docker
 * builds (so its quirks are kept: "a^b" never matches, "\d" is a digit class, "[a*]" contains an
 * injected "[^/]*"), which a small parser for the RE2 subset that can occur there turns into a
 * program run by a Pike VM (linear time, no backtracking). Also Go's filepath.Match/Clean/Dir. */
#include "build/ignore.h"
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "util/cleanup.h"

/* ---------------------------------------------------------------- UTF-8 (Go's rules) */

#define RUNE_ERROR 0xFFFD

/* Decode one rune of s (len > 0): invalid or truncated sequences give (U+FFFD, 1). */
static uint32_t dec_rune(const unsigned char *s, size_t len, size_t *w)
{
	unsigned c = s[0];
	if (c < 0x80) {
		*w = 1;
		return c;
	}
	size_t n;
	uint32_t r, min;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2; r = c & 0x1F; min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3; r = c & 0x0F; min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4; r = c & 0x07; min = 0x10000;
	} else {
		*w = 1;
		return RUNE_ERROR;
	}
	if (len < n) {
		*w = 1;
		return RUNE_ERROR;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*w = 1;
			return RUNE_ERROR;
		}
		r = (r << 6) | (s[i] & 0x3F);
	}
	if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) {
		*w = 1;
		return RUNE_ERROR;
	}
	*w = n;
	return r;
}

static void sb_add_rune(struct strbuf *sb, uint32_t r)
{
	char b[4];
	if (r < 0x80) {
		sb_addc(sb, (char)r);
	} else if (r < 0x800) {
		b[0] = (char)(0xC0 | (r >> 6)); b[1] = (char)(0x80 | (r & 0x3F));
		sb_add(sb, b, 2);
	} else if (r < 0x10000) {
		b[0] = (char)(0xE0 | (r >> 12)); b[1] = (char)(0x80 | ((r >> 6) & 0x3F));
		b[2] = (char)(0x80 | (r & 0x3F));
		sb_add(sb, b, 3);
	} else {
		b[0] = (char)(0xF0 | (r >> 18)); b[1] = (char)(0x80 | ((r >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((r >> 6) & 0x3F)); b[3] = (char)(0x80 | (r & 0x3F));
		sb_add(sb, b, 4);
	}
}

/* ---------------------------------------------------------------- Go's path/filepath */

char *gopath_clean(const char *path)
{
	size_t n = strlen(path);
	if (n == 0)
		return xstrdup(".");
	bool rooted = path[0] == '/';
	char *out = xmalloc(n + 2);
	size_t w = 0, r = 0, dotdot = 0;
	if (rooted) {
		out[w++] = '/';
		r = dotdot = 1;
	}
	while (r < n) {
		if (path[r] == '/') {
			r++;
		} else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/')) {
			r++;
		} else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			for (; r < n && path[r] != '/'; r++)
				out[w++] = path[r];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = 0;
	return out;
}

char *gopath_dir(const char *path)
{
	const char *s = strrchr(path, '/');
	_cleanup_free_ char *head = s ? xstrndup(path, (size_t)(s - path) + 1) : xstrdup("");
	return gopath_clean(head);
}

/* getEsc of filepath.Match. */
static int go_getesc(const char **chunk, const char *end, uint32_t *r)
{
	const char *c = *chunk;
	if (c >= end || *c == '-' || *c == ']')
		return -1;
	if (*c == '\\') {
		c++;
		if (c >= end)
			return -1;
	}
	size_t w;
	*r = dec_rune((const unsigned char *)c, (size_t)(end - c), &w);
	int rc = 0;
	/* Go: RuneError with width 1 (invalid UTF-8) is an error; a literal U+FFFD is not. */
	if (*r == RUNE_ERROR && w == 1)
		rc = -1;
	c += w;
	if (c >= end)
		rc = -1;
	*chunk = c;
	return rc;
}

/* matchChunk of filepath.Match: 1 matched (*rest set), 0 not, -1 bad pattern. */
static int go_match_chunk(const char *chunk, const char *cend, const char *s, const char **rest)
{
	bool failed = false;
	size_t slen = strlen(s);
	while (chunk < cend) {
		if (!failed && slen == 0)
			failed = true;
		switch (*chunk) {
		case '[': {
			uint32_t r = 0;
			if (!failed) {
				size_t w;
				r = dec_rune((const unsigned char *)s, slen, &w);
				s += w;
				slen -= w;
			}
			chunk++;
			bool negated = false;
			if (chunk < cend && *chunk == '^') {
				negated = true;
				chunk++;
			}
			bool match = false;
			int nrange = 0;
			for (;;) {
				if (chunk < cend && *chunk == ']' && nrange > 0) {
					chunk++;
					break;
				}
				uint32_t lo, hi;
				if (go_getesc(&chunk, cend, &lo) < 0)
					return -1;
				hi = lo;
				if (*chunk == '-') {
					chunk++;
					if (go_getesc(&chunk, cend, &hi) < 0)
						return -1;
				}
				if (lo <= r && r <= hi)
					match = true;
				nrange++;
			}
			if (match == negated)
				failed = true;
			break;
		}
		case '?':
			if (!failed) {
				if (*s == '/')
					failed = true;
				size_t w;
				dec_rune((const unsigned char *)s, slen, &w);
				s += w;
				slen -= w;
			}
			chunk++;
			break;
		case '\\':
			chunk++;
			if (chunk >= cend)
				return -1;
			/* fallthrough */
		default:
			if (!failed) {
				if (*chunk != *s)
					failed = true;
				s++;
				slen--;
			}
			chunk++;
		}
	}
	if (failed)
		return 0;
	*rest = s;
	return 1;
}

static void go_scan_chunk(const char **pattern, bool *star, const char **chunk, const char **cend)
{
	const char *p = *pattern;
	*star = false;
	while (*p == '*') {
		p++;
		*star = true;
	}
	bool inrange = false;
	size_t i, n = strlen(p);
	for (i = 0; i < n; i++) {
		char c = p[i];
		if (c == '\\') {
			if (i + 1 < n)
				i++;
		} else if (c == '[') {
			inrange = true;
		} else if (c == ']') {
			inrange = false;
		} else if (c == '*' && !inrange) {
			break;
		}
	}
	*chunk = p;
	*cend = p + i;
	*pattern = p + i;
}

static int go_match(const char *pattern, const char *name, bool *matched, bool strict)
{
	*matched = false;
	const char *pat = pattern;
	while (*pat) {
		bool star;
		const char *chunk, *cend, *t;
		go_scan_chunk(&pat, &star, &chunk, &cend);
		if (star && chunk == cend) {
			*matched = strchr(name, '/') == NULL;
			return 0;
		}
		int ok = go_match_chunk(chunk, cend, name, &t);
		if (ok == 1 && (*t == 0 || *pat)) {
			name = t;
			continue;
		}
		if (ok < 0)
			goto bad;
		if (star) {
			bool cont = false;
			for (size_t i = 0; name[i] && name[i] != '/'; i++) {
				ok = go_match_chunk(chunk, cend, name + i + 1, &t);
				if (ok == 1) {
					if (!*pat && *t)
						continue;
					name = t;
					cont = true;
					break;
				}
				if (ok < 0)
					goto bad;
			}
			if (cont)
				continue;
		}
		while (strict && *pat) {
			go_scan_chunk(&pat, &star, &chunk, &cend);
			if (go_match_chunk(chunk, cend, "", &t) < 0)
				goto bad;
		}
		return 0;
	}
	*matched = *name == 0;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

int gopath_match(const char *pattern, const char *name, bool *matched)
{
	return go_match(pattern, name, matched, true);
}

int gopath_match_go119(const char *pattern, const char *name, bool *matched)
{
	return go_match(pattern, name, matched, false);
}

/* ---------------------------------------------------------------- a tiny RE2 subset */

enum { OP_CHAR, OP_ANYNL, OP_CLASS, OP_SPLIT, OP_JMP, OP_BEGIN, OP_END, OP_WORDB, OP_NWORDB, OP_MATCH };

struct rrange { uint32_t lo, hi; };
struct rclass {
	struct rrange *r;
	size_t n, alloc;
};

struct inst {
	int op;
	uint32_t c;      /* OP_CHAR */
	int x, y;        /* OP_SPLIT / OP_JMP */
	int cls;         /* OP_CLASS index */
};

struct ign_prog {
	struct inst *in;
	size_t n, alloc;
	struct rclass *cls;
	size_t ncls, clsalloc;
};

/* AST */
enum { N_LIT, N_ANYNL, N_CLASS, N_BEGIN, N_END, N_WORDB, N_NWORDB, N_CAT, N_STAR, N_PLUS, N_QUEST };
struct node {
	int kind;
	uint32_t c;
	int cls;
	struct node **kids;
	size_t nkids;
};

struct rparser {
	const unsigned char *s, *end;
	struct ign_prog *prog;
	int err;
};

static void node_free(struct node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n);
}

static struct node *node_new(int kind)
{
	struct node *n = xcalloc(1, sizeof *n);
	n->kind = kind;
	return n;
}

static void node_add(struct node *p, struct node *k)
{
	p->kids = xrealloc(p->kids, (p->nkids + 1) * sizeof *p->kids);
	p->kids[p->nkids++] = k;
}

static void cls_add(struct rclass *c, uint32_t lo, uint32_t hi)
{
	if (c->n == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 8;
		c->r = xrealloc(c->r, c->alloc * sizeof *c->r);
	}
	c->r[c->n++] = (struct rrange){ lo, hi };
}

static int cmp_range(const void *a, const void *b)
{
	const struct rrange *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort and merge; optionally negate over [0, 0x10FFFF]. */
static void cls_finish(struct rclass *c, bool negate)
{
	if (c->n)
		qsort(c->r, c->n, sizeof *c->r, cmp_range);
	size_t w = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (w && c->r[i].lo <= c->r[w - 1].hi + 1) {
			if (c->r[i].hi > c->r[w - 1].hi)
				c->r[w - 1].hi = c->r[i].hi;
		} else {
			c->r[w++] = c->r[i];
		}
	}
	c->n = w;
	if (!negate)
		return;
	struct rclass neg = { 0 };
	uint32_t next = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (c->r[i].lo > next)
			cls_add(&neg, next, c->r[i].lo - 1);
		next = c->r[i].hi + 1;
	}
	if (next <= 0x10FFFF)
		cls_add(&neg, next, 0x10FFFF);
	free(c->r);
	*c = neg;
}

static int prog_newcls(struct ign_prog *p)
{
	if (p->ncls == p->clsalloc) {
		p->clsalloc = p->clsalloc ? 2 * p->clsalloc : 4;
		p->cls = xrealloc(p->cls, p->clsalloc * sizeof *p->cls);
	}
	memset(&p->cls[p->ncls], 0, sizeof p->cls[0]);
	return (int)p->ncls++;
}

/* Perl classes \d \s \w (ASCII, as RE2). */
static bool perl_class(struct rclass *c, char k, bool *neg)
{
	*neg = k == 'D' || k == 'S' || k == 'W';
	switch (k) {
	case 'd': case 'D':
		cls_add(c, '0', '9');
		return true;
	case 's': case 'S':
		cls_add(c, '\t', '\n'); cls_add(c, '\f', '\r'); cls_add(c, ' ', ' ');
		return true;
	case 'w': case 'W':
		cls_add(c, '0', '9'); cls_add(c, 'A', 'Z'); cls_add(c, '_', '_'); cls_add(c, 'a', 'z');
		return true;
	}
	return false;
}

/* Add the ranges of `from` negated (within [0,0x10FFFF]) to c. */
static void cls_add_class(struct rclass *c, struct rclass *from, bool negate)
{
	cls_finish(from, negate);
	for (size_t i = 0; i < from->n; i++)
		cls_add(c, from->r[i].lo, from->r[i].hi);
	free(from->r);
	memset(from, 0, sizeof *from);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A single-rune escape after '\' (Go's parseEscape): returns 0 and *r, or -1. */
static int parse_escape_rune(struct rparser *ps, uint32_t *r)
{
	if (ps->s >= ps->end)
		return -1;
	unsigned c = *ps->s;
	if (c >= '1' && c <= '7') {
		if (ps->s + 1 >= ps->end || ps->s[1] < '0' || ps->s[1] > '7')
			return -1; /* backreference */
	}
	if (c >= '0' && c <= '7') {
		uint32_t v = 0;
		int i;
		for (i = 0; i < 3 && ps->s < ps->end && *ps->s >= '0' && *ps->s <= '7'; i++)
			v = v * 8 + (uint32_t)(*ps->s++ - '0');
		*r = v;
		return 0;
	}
	ps->s++;
	switch (c) {
	case 'a': *r = 7; return 0;
	case 'f': *r = '\f'; return 0;
	case 'n': *r = '\n'; return 0;
	case 'r': *r = '\r'; return 0;
	case 't': *r = '\t'; return 0;
	case 'v': *r = '\v'; return 0;
	case 'x': {
		if (ps->s >= ps->end)
			return -1;
		if (*ps->s == '{') {
			ps->s++;
			uint32_t v = 0;
			int nd = 0;
			while (ps->s < ps->end && *ps->s != '}') {
				int h = hexval(*ps->s++);
				if (h < 0 || v > 0x10FFFF)
					return -1;
				v = v * 16 + (uint32_t)h;
				nd++;
			}
			if (ps->s >= ps->end || nd == 0 || v > 0x10FFFF)
				return -1;
			ps->s++;
			*r = v;
			return 0;
		}
		if (ps->s + 2 > ps->end)
			return -1;
		int h1 = hexval(ps->s[0]), h2 = hexval(ps->s[1]);
		if (h1 < 0 || h2 < 0)
			return -1;
		ps->s += 2;
		*r = (uint32_t)(h1 * 16 + h2);
		return 0;
	}
	}
	if (c < 0x80 && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
		*r = c;
		return 0;
	}
	return -1;
}

static const struct { const char *name; const char *ranges; } posix_classes[] = {
	{ "alnum", "09AZaz" }, { "alpha", "AZaz" }, { "ascii", "\x01\x7f" }, { "blank", "\t\t  " },
	{ "cntrl", "\x01\x1f\x7f\x7f" }, { "digit", "09" }, { "graph", "!~" }, { "lower", "az" },
	{ "print", " ~" }, { "punct", "!/:@[`{~" }, { "space", "\t\r  " }, { "upper", "AZ" },
	{ "word", "09AZ__az" }, { "xdigit", "09AFaf" },
};

static struct node *parse_class(struct rparser *ps)
{
	/* ps->s is after '[' */
	int ci = prog_newcls(ps->prog);
	struct rclass cls = { 0 };
	bool negate = false;
	if (ps->s < ps->end && *ps->s == '^') {
		negate = true;
		ps->s++;
	}
	bool first = true;
	while (ps->s < ps->end && (*ps->s != ']' || first)) {
		first = false;
		/* POSIX [:name:] */
		if (*ps->s == '[' && ps->s + 1 < ps->end && ps->s[1] == ':') {
			const unsigned char *e = ps->s + 2;
			while (e + 1 < ps->end && !(e[0] == ':' && e[1] == ']'))
				e++;
			if (e + 1 < ps->end) {
				const char *nm = (const char *)ps->s + 2;
				size_t nl = (size_t)(e - ps->s) - 2;
				bool pneg = false;
				if (nl && nm[0] == '^') {
					pneg = true;
					nm++;
					nl--;
				}
				size_t k;
				for (k = 0; k < ARRAY_SIZE(posix_classes); k++)
					if (strlen(posix_classes[k].name) == nl && !memcmp(posix_classes[k].name, nm, nl))
						break;
				if (k == ARRAY_SIZE(posix_classes)) {
					ps->err = 1;
					goto fail;
				}
				struct rclass tmp = { 0 };
				const char *rg = posix_classes[k].ranges;
				size_t rl = strlen(rg);
				if (k == 2) /* ascii: NUL..DEL, strlen stops at NUL */
					cls_add(&tmp, 0, 0x7f);
				else if (k == 4) {
					cls_add(&tmp, 0, 0x1f);
					cls_add(&tmp, 0x7f, 0x7f);
				} else
					for (size_t j = 0; j + 1 < rl; j += 2)
						cls_add(&tmp, (unsigned char)rg[j], (unsigned char)rg[j + 1]);
				cls_add_class(&cls, &tmp, pneg);
				ps->s = e + 2;
				continue;
			}
		}
		uint32_t lo, hi;
		if (*ps->s == '\\') {
			ps->s++;
			if (ps->s >= ps->end) {
				ps->err = 1;
				goto fail;
			}
			bool pneg;
			struct rclass tmp = { 0 };
			if (perl_class(&tmp, (char)*ps->s, &pneg)) {
				ps->s++;
				cls_add_class(&cls, &tmp, pneg);
				continue;
			}
			if (*ps->s == 'p' || *ps->s == 'P' || parse_escape_rune(ps, &lo) < 0) {
				ps->err = 1;
				goto fail;
			}
		} else {
			size_t w;
			lo = dec_rune(ps->s, (size_t)(ps->end - ps->s), &w);
			ps->s += w;
		}
		hi = lo;
		if (ps->s + 1 < ps->end && *ps->s == '-' && ps->s[1] != ']') {
			ps->s++;
			if (*ps->s == '\\') {
				ps->s++;
				if (parse_escape_rune(ps, &hi) < 0) {
					ps->err = 1;
					goto fail;
				}
			} else {
				size_t w;
				hi = dec_rune(ps->s, (size_t)(ps->end - ps->s), &w);
				ps->s += w;
			}
			if (hi < lo) {
				ps->err = 1;
				goto fail;
			}
		}
		cls_add(&cls, lo, hi);
	}
	if (ps->s >= ps->end) { /* missing closing ] */
		ps->err = 1;
		goto fail;
	}
	ps->s++;
	/* ClassNL is on (Go's Perl flags): a negated class matches '\n' too. */
	cls_finish(&cls, negate);
	ps->prog->cls[ci] = cls;
	struct node *n = node_new(N_CLASS);
	n->cls = ci;
	return n;
fail:
	free(cls.r);
	return NULL;
}

static struct node *parse_concat(struct rparser *ps, bool in_group);

static struct node *parse_atom(struct rparser *ps, bool in_group)
{
	unsigned c = *ps->s;
	struct node *n;
	switch (c) {
	case '(':
		ps->s++;
		if (ps->s < ps->end && *ps->s == '?') { /* flags/named groups: never produced */
			ps->err = 1;
			return NULL;
		}
		n = parse_concat(ps, true);
		if (!n)
			return NULL;
		if (ps->s >= ps->end || *ps->s != ')') {
			node_free(n);
			ps->err = 1;
			return NULL;
		}
		ps->s++;
		return n;
	case '[':
		ps->s++;
		return parse_class(ps);
	case '.':
		ps->s++;
		return node_new(N_ANYNL);
	case '^':
		ps->s++;
		return node_new(N_BEGIN);
	case '$':
		ps->s++;
		return node_new(N_END);
	case '|':
		ps->err = 1; /* alternation: never produced (Docker escapes '|') */
		return NULL;
	case '\\': {
		ps->s++;
		if (ps->s >= ps->end) {
			ps->err = 1;
			return NULL;
		}
		char k = (char)*ps->s;
		if (k == 'A' || k == 'z' || k == 'b' || k == 'B') {
			ps->s++;
			return node_new(k == 'A' ? N_BEGIN : k == 'z' ? N_END : k == 'b' ? N_WORDB : N_NWORDB);
		}
		bool pneg;
		struct rclass tmp = { 0 };
		if (perl_class(&tmp, k, &pneg)) {
			ps->s++;
			int ci = prog_newcls(ps->prog);
			cls_finish(&tmp, pneg);
			ps->prog->cls[ci] = tmp;
			n = node_new(N_CLASS);
			n->cls = ci;
			return n;
		}
		uint32_t r;
		if (k == 'p' || k == 'P' || k == 'Q' || parse_escape_rune(ps, &r) < 0) {
			ps->err = 1; /* Unicode classes and \Q..\E are not supported: a bad pattern */
			return NULL;
		}
		n = node_new(N_LIT);
		n->c = r;
		return n;
	}
	default: {
		(void)in_group;
		size_t w;
		n = node_new(N_LIT);
		n->c = dec_rune(ps->s, (size_t)(ps->end - ps->s), &w);
		ps->s += w;
		return n;
	}
	}
}

static struct node *parse_concat(struct rparser *ps, bool in_group)
{
	struct node *cat = node_new(N_CAT);
	while (ps->s < ps->end && !(in_group && *ps->s == ')')) {
		if (*ps->s == '*' || *ps->s == '+' || *ps->s == '?') {
			/* repetition: applies to the last atom */
			if (cat->nkids == 0) {
				ps->err = 1; /* missing argument to repetition operator */
				goto fail;
			}
			struct node *last = cat->kids[cat->nkids - 1];
			if (last->kind == N_STAR || last->kind == N_PLUS || last->kind == N_QUEST) {
				/* "a*?" (non-greedy) matches the same strings; "a**" is an error in Go. */
				if (*ps->s == '?') {
					ps->s++;
					continue;
				}
				ps->err = 1;
				goto fail;
			}
			struct node *rep = node_new(*ps->s == '*' ? N_STAR : *ps->s == '+' ? N_PLUS : N_QUEST);
			node_add(rep, last);
			cat->kids[cat->nkids - 1] = rep;
			ps->s++;
			continue;
		}
		if (*ps->s == ')') {
			ps->err = 1; /* unexpected ) */
			goto fail;
		}
		struct node *a = parse_atom(ps, in_group);
		if (!a)
			goto fail;
		node_add(cat, a);
	}
	return cat;
fail:
	node_free(cat);
	return NULL;
}

static int emit(struct ign_prog *p, int op)
{
	if (p->n == p->alloc) {
		p->alloc = p->alloc ? 2 * p->alloc : 32;
		p->in = xrealloc(p->in, p->alloc * sizeof *p->in);
	}
	memset(&p->in[p->n], 0, sizeof p->in[0]);
	p->in[p->n].op = op;
	return (int)p->n++;
}

static void compile_node(struct ign_prog *p, struct node *n)
{
	int l1, l2;
	switch (n->kind) {
	case N_LIT:
		l1 = emit(p, OP_CHAR); /* not p->in[emit()]: emit may move p->in */
		p->in[l1].c = n->c;
		break;
	case N_ANYNL:
		emit(p, OP_ANYNL);
		break;
	case N_CLASS:
		l1 = emit(p, OP_CLASS);
		p->in[l1].cls = n->cls;
		break;
	case N_BEGIN: emit(p, OP_BEGIN); break;
	case N_END: emit(p, OP_END); break;
	case N_WORDB: emit(p, OP_WORDB); break;
	case N_NWORDB: emit(p, OP_NWORDB); break;
	case N_CAT:
		for (size_t i = 0; i < n->nkids; i++)
			compile_node(p, n->kids[i]);
		break;
	case N_STAR:
		l1 = emit(p, OP_SPLIT);
		p->in[l1].x = l1 + 1;
		compile_node(p, n->kids[0]);
		l2 = emit(p, OP_JMP);
		p->in[l2].x = l1;
		p->in[l1].y = (int)p->n;
		break;
	case N_PLUS:
		l1 = (int)p->n;
		compile_node(p, n->kids[0]);
		l2 = emit(p, OP_SPLIT);
		p->in[l2].x = l1;
		p->in[l2].y = l2 + 1;
		break;
	case N_QUEST:
		l1 = emit(p, OP_SPLIT);
		p->in[l1].x = l1 + 1;
		compile_node(p, n->kids[0]);
		p->in[l1].y = (int)p->n;
		break;
	}
}

static void prog_free(struct ign_prog *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->ncls; i++)
		free(p->cls[i].r);
	free(p->cls);
	free(p->in);
	free(p);
}

/* Compile a Go regexp string of the subset above (anchors included in the string). */
static struct ign_prog *regex_compile(const char *re)
{
	struct ign_prog *p = xcalloc(1, sizeof *p);
	struct rparser ps = { (const unsigned char *)re, (const unsigned char *)re + strlen(re), p, 0 };
	struct node *n = parse_concat(&ps, false);
	if (!n || ps.err || ps.s != ps.end) {
		node_free(n);
		prog_free(p);
		return NULL;
	}
	compile_node(p, n);
	emit(p, OP_MATCH);
	node_free(n);
	return p;
}

static bool is_word(uint32_t r)
{
	return r < 0x80 && ((r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r == '_');
}

static bool cls_has(const struct rclass *c, uint32_t r)
{
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (r < c->r[mid].lo)
			hi = mid;
		else if (r > c->r[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

struct tlist {
	int *pc;
	size_t n;
	unsigned *mark;  /* generation per pc */
};

/* Add pc and its epsilon closure; pos context: at_begin, at_end, prev/next rune. */
static void addthread(const struct ign_prog *p, struct tlist *l, int pc, unsigned gen, bool at_begin,
		      bool at_end, uint32_t prev, uint32_t next, int *stack)
{
	size_t sp = 0;
	stack[sp++] = pc;
	while (sp) {
		pc = stack[--sp];
		if (l->mark[pc] == gen)
			continue;
		l->mark[pc] = gen;
		const struct inst *in = &p->in[pc];
		switch (in->op) {
		case OP_JMP:
			stack[sp++] = in->x;
			break;
		case OP_SPLIT:
			stack[sp++] = in->y;
			stack[sp++] = in->x;
			break;
		case OP_BEGIN:
			if (at_begin)
				stack[sp++] = pc + 1;
			break;
		case OP_END:
			if (at_end)
				stack[sp++] = pc + 1;
			break;
		case OP_WORDB:
		case OP_NWORDB: {
			bool b = is_word(prev) != is_word(next);
			if (b == (in->op == OP_WORDB))
				stack[sp++] = pc + 1;
			break;
		}
		default:
			l->pc[l->n++] = pc;
		}
	}
}

static bool prog_match(const struct ign_prog *p, const char *str)
{
	size_t n = p->n, len = strlen(str);
	int sbuf[4 * 64 + 2];
	unsigned smarks[2 * 64];
	bool heap = n > 64;
	int *buf = heap ? xmalloc((4 * n + 2) * sizeof *buf) : sbuf;
	unsigned *marks = heap ? xcalloc(2 * n, sizeof *marks) : smarks;
	if (!heap)
		memset(smarks, 0, sizeof smarks);
	struct tlist cl = { buf, 0, marks }, nl = { buf + n, 0, marks + n };
	int *stack = buf + 2 * n;
	unsigned gen = 1;
	const unsigned char *s = (const unsigned char *)str;
	size_t pos = 0, w = 0;
	uint32_t prev = (uint32_t)-1, cur = len ? dec_rune(s, len, &w) : (uint32_t)-1;
	addthread(p, &cl, 0, gen, true, len == 0, prev, cur, stack);
	bool matched = false;
	for (;;) {
		if (pos >= len) {
			for (size_t i = 0; i < cl.n; i++)
				if (p->in[cl.pc[i]].op == OP_MATCH)
					matched = true;
			break;
		}
		if (cl.n == 0)
			break;
		size_t npos = pos + w;
		uint32_t nxt = (uint32_t)-1;
		size_t nw = 0;
		if (npos < len)
			nxt = dec_rune(s + npos, len - npos, &nw);
		gen++;
		nl.n = 0;
		for (size_t i = 0; i < cl.n; i++) {
			const struct inst *in = &p->in[cl.pc[i]];
			bool ok = false;
			switch (in->op) {
			case OP_CHAR: ok = in->c == cur; break;
			case OP_ANYNL: ok = cur != '\n'; break;
			case OP_CLASS: ok = cls_has(&p->cls[in->cls], cur); break;
			default: break;
			}
			if (ok)
				addthread(p, &nl, cl.pc[i] + 1, gen, false, npos >= len, cur, nxt, stack);
		}
		struct tlist t = cl;
		cl = nl;
		nl = t;
		prev = cur;
		cur = nxt;
		pos = npos;
		w = nw;
	}
	(void)prev;
	if (heap) {
		free(buf);
		free(marks);
	}
	return matched;
}

/* ---------------------------------------------------------------- patterns */

/* The regexp string patternmatcher's compile() builds, and the match type it detects. */
static char *docker_compile(const char *pattern, enum ignore_match_type *type)
{
	struct strbuf re = STRBUF_INIT;
	sb_adds(&re, "^");
	enum ignore_match_type t = IGN_EXACT;
	const unsigned char *s = (const unsigned char *)pattern, *end = s + strlen(pattern);
	for (int i = 0; s < end; i++) {
		size_t w;
		uint32_t ch = dec_rune(s, (size_t)(end - s), &w);
		s += w;
		if (ch == '*') {
			if (s < end && *s == '*') {
				s++;
				if (s < end && *s == '/')
					s++;
				if (s >= end) {
					if (t == IGN_EXACT) {
						t = IGN_PREFIX;
					} else {
						sb_adds(&re, ".*");
						t = IGN_REGEXP;
					}
				} else {
					sb_adds(&re, "(.*/)?");
					t = IGN_REGEXP;
				}
				if (i == 0)
					t = IGN_SUFFIX;
			} else {
				sb_adds(&re, "[^/]*");
				t = IGN_REGEXP;
			}
		} else if (ch == '?') {
			sb_adds(&re, "[^/]");
			t = IGN_REGEXP;
		} else if (ch < 0x80 && strchr(".+()|{}$", (int)ch)) {
			sb_addc(&re, '\\');
			sb_addc(&re, (char)ch);
		} else if (ch == '\\') {
			if (s < end) {
				uint32_t nx = dec_rune(s, (size_t)(end - s), &w);
				s += w;
				sb_addc(&re, '\\');
				sb_add_rune(&re, nx);
				t = IGN_REGEXP;
			} else {
				sb_addc(&re, '\\');
			}
		} else if (ch == '[' || ch == ']') {
			sb_addc(&re, (char)ch);
			t = IGN_REGEXP;
		} else {
			sb_add_rune(&re, ch);
		}
	}
	*type = t;
	if (t == IGN_REGEXP) {
		sb_addc(&re, '$');
		return sb_detach(&re);
	}
	sb_release(&re);
	return NULL;
}

static bool has_prefix(const char *s, const char *p, size_t plen)
{
	return strncmp(s, p, plen) == 0;
}

static bool pattern_match(const struct ignore_pattern *p, const char *path)
{
	size_t pl = strlen(p->pattern), l = strlen(path);
	switch (p->type) {
	case IGN_EXACT:
		return strcmp(path, p->pattern) == 0;
	case IGN_PREFIX:
		return has_prefix(path, p->pattern, pl - 2);
	case IGN_SUFFIX: {
		const char *suffix = p->pattern + 2;
		size_t sl = pl - 2;
		if (l >= sl && memcmp(path + l - sl, suffix, sl) == 0)
			return true;
		return suffix[0] == '/' && strcmp(path, suffix + 1) == 0;
	}
	case IGN_REGEXP:
		return p->prog && prog_match(p->prog, path);
	}
	return false;
}

void ignore_free(struct ignore *ig)
{
	if (!ig)
		return;
	for (size_t i = 0; i < ig->n; i++) {
		free(ig->p[i].pattern);
		free(ig->p[i].regex);
		prog_free(ig->p[i].prog);
	}
	free(ig->p);
	free(ig);
}

/* Go's unicode.IsSpace. */
static bool go_is_space(uint32_t r)
{
	switch (r) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ': case 0x85: case 0xA0:
	case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
		return true;
	}
	return r >= 0x2000 && r <= 0x200A;
}

/* Go's strings.TrimSpace. */
static char *trim_space(const char *s, size_t len)
{
	const unsigned char *b = (const unsigned char *)s, *e = b + len;
	while (b < e) {
		size_t w;
		uint32_t r = dec_rune(b, (size_t)(e - b), &w);
		if (!go_is_space(r) || (r == RUNE_ERROR && w == 1))
			break;
		b += w;
	}
	while (e > b) {
		/* find the start of the last rune */
		const unsigned char *q = e - 1;
		while (q > b && (*q & 0xC0) == 0x80 && e - q < 4)
			q--;
		size_t w;
		uint32_t r = dec_rune(q, (size_t)(e - q), &w);
		if (q + w != e || !go_is_space(r))
			break;
		e = q;
	}
	return xstrndup((const char *)b, (size_t)(e - b));
}

/* fsutil's patternWithoutTrailingGlob: drop a trailing "/\*\*", then a trailing "/\*" (both may go). */
static size_t trailing_glob_len(const char *pat)
{
	size_t l = strlen(pat);
	if (l >= 3 && !memcmp(pat + l - 3, "/**", 3))
		l -= 3;
	if (l >= 2 && !memcmp(pat + l - 2, "/*", 2))
		l -= 2;
	return l;
}

int ignore_new(const char *const *patterns, size_t n, struct ignore **out, berr *err)
{
	struct ignore *ig = xcalloc(1, sizeof *ig);
	ig->p = xcalloc(n ? n : 1, sizeof *ig->p);
	ig->only_prefix_exceptions = true;
	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *t = trim_space(patterns[i], strlen(patterns[i]));
		if (!*t)
			continue;
		_cleanup_free_ char *c = gopath_clean(t);
		struct ignore_pattern *p = &ig->p[ig->n];
		const char *body = c;
		if (c[0] == '!') {
			if (c[1] == 0) {
				ignore_free(ig);
				return berr_set(err, EINVAL, "illegal exclusion pattern: \"!\"");
			}
			p->exclusion = true;
			ig->exclusions = true;
			body = c + 1;
		}
		bool m;
		if (gopath_match(body, ".", &m) < 0) {
			ignore_free(ig);
			return berr_set(err, EINVAL, "syntax error in pattern");
		}
		p->pattern = xstrdup(body);
		p->regex = docker_compile(body, &p->type);
		ig->n++;
		if (p->regex) {
			p->prog = regex_compile(p->regex);
			if (!p->prog) {
				/* Docker compiles lazily and fails the walk at the first path; we fail here. */
				ignore_free(ig);
				return berr_set(err, EINVAL, "syntax error in pattern");
			}
		}
		if (p->exclusion) {
			/* fsutil: patternWithoutTrailingGlob, then look for pattern characters */
			size_t l = trailing_glob_len(body);
			if (strcspn(body, "*[]?^\\") < l)
				ig->only_prefix_exceptions = false;
		}
	}
	*out = ig;
	return 0;
}

int ignore_read(const char *text, size_t len, struct strvec *out, berr *err)
{
	const char *p = text, *end = text + len;
	bool first = true;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t l = (size_t)(le - p);
		if (l > 0 && p[l - 1] == '\r') /* bufio.ScanLines drops a trailing \r */
			l--;
		if (l > 64 * 1024) /* bufio.Scanner's default token limit */
			return berr_set(err, EINVAL, "bufio.Scanner: token too long");
		const char *line = p;
		if (first && l >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3)) {
			line += 3;
			l -= 3;
		}
		first = false;
		p = nl ? nl + 1 : end;
		if (l > 0 && line[0] == '#')
			continue;
		_cleanup_free_ char *pat = trim_space(line, l);
		if (!*pat)
			continue;
		bool invert = pat[0] == '!';
		const char *body = pat;
		_cleanup_free_ char *inner = NULL;
		if (invert) {
			inner = trim_space(pat + 1, strlen(pat + 1));
			body = inner;
		}
		struct strbuf sb = STRBUF_INIT;
		if (invert)
			sb_addc(&sb, '!');
		if (*body) {
			_cleanup_free_ char *c = gopath_clean(body);
			const char *q = c;
			if (strlen(q) > 1 && q[0] == '/')
				q++;
			sb_adds(&sb, q);
		}
		sv_push_owned(out, sb_detach(&sb));
	}
	return 0;
}

int ignore_parse(const char *text, size_t len, struct ignore **out, berr *err)
{
	_cleanup_strvec_ struct strvec pats = STRVEC_INIT;
	if (ignore_read(text, len, &pats, err) < 0)
		return -1;
	return ignore_new((const char *const *)pats.v, pats.n, out, err);
}

/* ---------------------------------------------------------------- matching */

bool ignore_matches_exact(const struct ignore *ig, const char *path)
{
	bool matched = false;
	for (size_t i = 0; i < ig->n; i++) {
		const struct ignore_pattern *p = &ig->p[i];
		if (p->exclusion != matched)
			continue;
		if (pattern_match(p, path))
			matched = !p->exclusion;
	}
	return matched;
}

/* Does pattern p match one of the parents of path (Dir(path) split, each prefix)? */
static bool parent_matches(const struct ignore_pattern *p, const char *parent)
{
	if (!strcmp(parent, "."))
		return false;
	_cleanup_free_ char *buf = xstrdup(parent);
	for (char *s = buf;; s++) {
		if (*s == '/' || *s == 0) {
			char save = *s;
			*s = 0;
			bool m = pattern_match(p, buf);
			*s = save;
			if (m)
				return true;
			if (!save)
				break;
		}
	}
	return false;
}

bool ignore_matches_or_parent(const struct ignore *ig, const char *path)
{
	_cleanup_free_ char *parent = gopath_dir(path);
	bool matched = false;
	for (size_t i = 0; i < ig->n; i++) {
		const struct ignore_pattern *p = &ig->p[i];
		if (p->exclusion != matched)
			continue;
		bool m = pattern_match(p, path);
		if (!m)
			m = parent_matches(p, parent);
		if (m)
			matched = !p->exclusion;
	}
	return matched;
}

bool ignore_matches_legacy(const struct ignore *ig, const char *path)
{
	_cleanup_free_ char *parent = gopath_dir(path);
	size_t pdirs = 1;
	for (const char *s = parent; *s; s++)
		pdirs += *s == '/';
	bool matched = false;
	for (size_t i = 0; i < ig->n; i++) {
		const struct ignore_pattern *p = &ig->p[i];
		if (p->exclusion != matched)
			continue;
		bool m = pattern_match(p, path);
		if (!m && strcmp(parent, ".")) {
			size_t ndirs = 1;
			for (const char *s = p->pattern; *s; s++)
				ndirs += *s == '/';
			if (ndirs <= pdirs) {
				_cleanup_free_ char *pre = xstrdup(parent);
				size_t k = 0;
				for (char *s = pre; *s; s++)
					if (*s == '/' && ++k == ndirs) {
						*s = 0;
						break;
					}
				m = pattern_match(p, pre);
			}
		}
		if (m)
			matched = !p->exclusion;
	}
	return matched;
}

bool ignore_matches_parent(const struct ignore *ig, const char *path, const bool *parent_info, bool *info_out)
{
	bool matched = false;
	_cleanup_free_ char *parent = NULL;
	for (size_t i = 0; i < ig->n; i++) {
		const struct ignore_pattern *p = &ig->p[i];
		bool m = parent_info ? parent_info[i] : false;
		if (!m) {
			if (p->exclusion != matched) {
				if (info_out)
					info_out[i] = false;
				continue;
			}
			m = pattern_match(p, path);
			if (!m && !parent_info) {
				if (!parent)
					parent = gopath_dir(path);
				m = parent_matches(p, parent);
			}
		}
		if (info_out)
			info_out[i] = m;
		if (m)
			matched = !p->exclusion;
	}
	return matched;
}

bool ignore_walk_excluded_dir(const struct ignore *ig, const char *dirpath)
{
	if (!ig->only_prefix_exceptions)
		return true;
	if (!ig->exclusions)
		return false;
	size_t dl = strlen(dirpath);
	for (size_t i = 0; i < ig->n; i++) {
		const struct ignore_pattern *p = &ig->p[i];
		if (!p->exclusion)
			continue;
		size_t l = trailing_glob_len(p->pattern);
		/* HasPrefix(patStr + "/", dirpath + "/") */
		if (l + 1 >= dl + 1 && !memcmp(p->pattern, dirpath, dl) && (l == dl ? true : p->pattern[dl] == '/'))
			return true;
	}
	return false;
}
