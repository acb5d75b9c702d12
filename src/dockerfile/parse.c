/* parse.c: the Dockerfile parser (BuildKit's frontend/dockerfile/parser Parse): lines,
 * parser directives, escape character, line continuations, comments, heredoc bodies,
 * errors with file:line, and the S-expression dump. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dockerfile/parse_internal.h"
#include "util/cleanup.h"

#define MAX_LINE 65535 /* bufio.MaxScanTokenSize - 1 */

struct dirs {
	int escape;
	bool done;
	bool seen[3];
	struct df_directives *out;
};

struct src {
	const char *data;
	size_t len, pos;
	int line; /* lines consumed so far */
};

/* Next physical line (with its newline), or false at the end. */
static bool next_line(struct src *s, const char **l, size_t *n)
{
	if (s->pos >= s->len)
		return false;
	const char *p = s->data + s->pos;
	const char *nl = memchr(p, '\n', s->len - s->pos);
	*l = p;
	*n = nl ? (size_t)(nl - p) + 1 : s->len - s->pos;
	s->pos += *n;
	return true;
}

static void trim_newline(const char **l, size_t *n)
{
	while (*n && ((*l)[*n - 1] == '\n' || (*l)[*n - 1] == '\r'))
		(*n)--;
}

static bool is_comment(const char *l, size_t n)
{
	df_trim_left_space(&l, &n);
	return n && l[0] == '#';
}

static bool re_s(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

/* The directive parser: "# name = value" lines before anything else.
 * Returns 1 if the line was a directive, 0 if not, -1 on error (*msg set). */
static int directive(struct dirs *d, const char *l, size_t n, char **msg)
{
	if (d->done)
		return 0;
	if (!n || l[0] != '#') {
		d->done = true;
		return 0;
	}
	l++, n--;
	df_trim_left_space(&l, &n);
	/* ^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$ */
	size_t i = 0;
	if (!n || !((l[0] >= 'a' && l[0] <= 'z') || (l[0] >= 'A' && l[0] <= 'Z'))) {
		d->done = true;
		return 0;
	}
	while (i < n && ((l[i] >= 'a' && l[i] <= 'z') || (l[i] >= 'A' && l[i] <= 'Z') || (l[i] >= '0' && l[i] <= '9')))
		i++;
	size_t klen = i;
	while (i < n && re_s(l[i]))
		i++;
	if (i >= n || l[i] != '=') {
		d->done = true;
		return 0;
	}
	i++;
	size_t vstart = i, vend = n;
	while (vstart < n && re_s(l[vstart]))
		vstart++;
	while (vend > vstart && re_s(l[vend - 1]))
		vend--;
	if (vstart == vend) {
		if (i == n || vstart != n) { /* no value at all */
			d->done = true;
			return 0;
		}
		vstart = n - 1; /* only whitespace: (.+?) takes the last character */
		vend = n;
	}
	for (size_t j = vstart; j < vend; j++)
		if (l[j] == '\n') {
			d->done = true;
			return 0;
		}
	_cleanup_free_ char *key = df_lower(l, klen);
	static const char *const names[] = { "syntax", "escape", "check" };
	int k = -1;
	for (int j = 0; j < 3; j++)
		if (!strcmp(key, names[j]))
			k = j;
	if (k < 0) {
		d->done = true;
		return 0;
	}
	if (d->seen[k]) {
		*msg = xasprintf("only one %s parser directive can be used", key);
		return -1;
	}
	d->seen[k] = true;
	char *v = xstrndup(l + vstart, vend - vstart);
	if (k == 1) {
		if (strcmp(v, "`") && strcmp(v, "\\")) {
			*msg = xasprintf("invalid escape token '%s' does not match ` or \\", v);
			free(v);
			return -1;
		}
		d->escape = v[0];
		d->out->escape = v;
	} else if (k == 0) {
		d->out->syntax = v;
	} else {
		d->out->check = v;
	}
	return 1;
}

/* processLine: strip the newline (and leading space), feed the directive parser, and
 * drop a comment line's text. */
static int process_line(struct dirs *d, const char **l, size_t *n, bool strip, bool *is_dir, char **msg)
{
	trim_newline(l, n);
	if (strip)
		df_trim_left_space(l, n);
	int r = directive(d, *l, *n, msg);
	if (r < 0)
		return -1;
	*is_dir = r == 1;
	if (is_comment(*l, *n))
		*n = 0;
	return 0;
}

/* The line continuation: ([^E])E[ \t]*$ or ^E[ \t]*$ with E the escape token. Returns true
 * (and shortens *n) if the line continues. */
static bool trim_continuation(const char *l, size_t *n, int esc)
{
	size_t e = *n;
	while (e && (l[e - 1] == ' ' || l[e - 1] == '\t'))
		e--;
	if (!e || l[e - 1] != esc)
		return false;
	if (e >= 2 && l[e - 2] == esc)
		return false;
	*n = e - 1;
	return true;
}

static void add_warning(struct df_parse_result *r, int line, const char *instr)
{
	r->warns = xrealloc(r->warns, (r->nwarns + 1) * sizeof(*r->warns));
	struct df_warning *w = &r->warns[r->nwarns++];
	w->short_desc = xasprintf("Empty continuation line found in: %s", instr);
	w->detail = xstrdup("Empty continuation lines will become errors in a future release");
	w->url = xstrdup("https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/");
	w->rule = xstrdup("NoEmptyContinuation");
	w->line = line;
	sv_pushf(&r->warnings, "%s:%d: %s", r->filename, line, w->short_desc);
}

/* The text of physical line `line` (1-based) of data, without its newline. */
static void line_text(const char *data, size_t len, int line, struct strbuf *out)
{
	size_t pos = 0;
	for (int i = 1; i < line && pos < len; i++) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		if (!nl) {
			pos = len;
			break;
		}
		pos = (size_t)(nl - data) + 1;
	}
	size_t end = pos;
	while (end < len && data[end] != '\n')
		end++;
	while (end > pos && data[end - 1] == '\r')
		end--;
	for (size_t i = pos; i < end; i++)
		sb_addc(out, (unsigned char)data[i] < 0x20 && data[i] != '\t' ? '?' : data[i]);
}

/* "file:line: msg" followed by the offending lines (at most 5). */
static int loc_error(berr *err, const char *file, const char *data, size_t len, int start, int end, const char *msg)
{
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
	if (start < 1)
		start = 1;
	if (end < start)
		end = start;
	sb_addf(&sb, "%s:%d: %s", file, start, msg);
	int nlines = 0;
	for (size_t i = 0; i < len; i++)
		nlines += data[i] == '\n';
	if (len && data[len - 1] != '\n')
		nlines++;
	for (int l = start; l <= end && l <= nlines && l < start + 5; l++) {
		sb_addf(&sb, "\n %5d | ", l);
		line_text(data, len, l, &sb);
	}
	if (end >= start + 5 && end <= nlines)
		sb_adds(&sb, "\n       | ...");
	return berr_set(err, 0, "%s", sb.buf);
}

static bool can_contain_heredoc(const struct df_node *n)
{
	if (!strcmp(n->value, "onbuild") && n->next && n->next->nchildren)
		n = n->next->children[0];
	if (strcmp(n->value, "add") && strcmp(n->value, "copy") && strcmp(n->value, "run"))
		return false;
	return !n->json;
}

static void add_child(struct df_node *root, struct df_node *child)
{
	/* capacity is the next power of two of nchildren: grow when full */
	size_t n = root->nchildren;
	if (!(n & (n - 1)))
		root->children = xrealloc(root->children, (n ? 2 * n : 1) * sizeof(*root->children));
	root->children[root->nchildren++] = child;
}

int df_parse(const char *data, size_t len, const char *filename, struct df_parse_result **out, berr *err)
{
	const char *file = filename ? filename : "Dockerfile";
	*out = NULL;
	struct df_parse_result *r = xcalloc(1, sizeof(*r));
	r->filename = xstrdup(file);
	struct dirs d = { .escape = '\\', .out = &r->directives };
	struct src s = { data, len, 0, 0 };
	struct df_node *root = arena_calloc(&r->arena, 1, sizeof(*root));
	root->start_line = -1;
	r->ast = root;
	_cleanup_strvec_ struct strvec comments = STRVEC_INIT;
	_cleanup_strbuf_ struct strbuf buf = STRBUF_INIT;
	char *msg = NULL;
	const char *l;
	size_t n;
	int start = 0;

	const char *nul = memchr(data, '\0', len);
	if (nul) {
		int line = 1;
		for (const char *p = data; p < nul; p++)
			line += *p == '\n';
		loc_error(err, file, data, len, line, line, "invalid NUL byte in Dockerfile");
		goto fail;
	}
	/* bufio.Scanner's line limit */
	for (size_t pos = 0, line = 1; pos < len; line++) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - data) - pos + 1 : len - pos;
		if (ll > MAX_LINE + 1 || (!nl && ll > MAX_LINE)) {
			msg = xasprintf("dockerfile line greater than max allowed size of %d", MAX_LINE);
			loc_error(err, file, "", 0, (int)line, (int)line, msg);
			goto fail;
		}
		pos += ll;
	}

	while (next_line(&s, &l, &n)) {
		if (s.line == 0 && n >= 3 && !memcmp(l, "\xEF\xBB\xBF", 3))
			l += 3, n -= 3;
		if (is_comment(l, n)) {
			const char *c = l + 1;
			size_t cn = n - 1;
			df_trim_space(&c, &cn);
			if (!cn)
				sv_clear(&comments);
			else
				sv_push_owned(&comments, xstrndup(c, cn));
		}
		bool is_dir;
		if (process_line(&d, &l, &n, true, &is_dir, &msg)) {
			loc_error(err, file, data, len, s.line + 1, s.line + 1, msg);
			goto fail;
		}
		if (is_dir && comments.n) {
			free(comments.v[--comments.n]);
			comments.v[comments.n] = NULL;
		}
		s.line++;
		start = s.line;
		bool cont = trim_continuation(l, &n, d.escape);
		if (!cont && !n)
			continue;
		sb_reset(&buf);
		sb_add(&buf, l, n);
		bool empty_cont = false;
		while (cont && next_line(&s, &l, &n)) {
			const char *raw = l;
			size_t rawn = n;
			if (process_line(&d, &l, &n, false, &is_dir, &msg)) {
				loc_error(err, file, data, len, s.line + 1, s.line + 1, msg);
				goto fail;
			}
			s.line++;
			if (is_comment(raw, rawn))
				continue;
			const char *t = l;
			size_t tn = n;
			df_trim_left_space(&t, &tn);
			if (!tn) {
				empty_cont = true;
				continue;
			}
			cont = trim_continuation(l, &n, d.escape);
			sb_add(&buf, l, n);
		}
		if (empty_cont)
			add_warning(r, s.line, buf.buf);
		struct df_node *child;
		if (df_node_from_line(&r->arena, buf.buf, buf.len, d.escape, 0, &child, &msg)) {
			loc_error(err, file, data, len, start, s.line, msg);
			goto fail;
		}
		add_child(root, child);
		for (size_t i = 0; i < comments.n; i++)
			sv_push(&child->prev_comments, comments.v[i]);
		if (can_contain_heredoc(child) && strstr(buf.buf, "<<")) {
			if (df_heredocs_from_line(buf.buf, buf.len, &child->heredocs, &child->nheredocs, &msg)) {
				loc_error(err, file, data, len, start, s.line, msg);
				goto fail;
			}
			for (size_t i = 0; i < child->nheredocs; i++) {
				struct df_heredoc *h = &child->heredocs[i];
				bool done = false;
				struct strbuf content = STRBUF_INIT;
				sb_init(&content);
				while (next_line(&s, &l, &n)) {
					s.line++;
					const char *t = l;
					size_t tn = n;
					trim_newline(&t, &tn);
					if (h->chomp)
						while (tn && *t == '\t')
							t++, tn--;
					if (tn == strlen(h->name) && !memcmp(t, h->name, tn)) {
						done = true;
						break;
					}
					sb_add(&content, l, n);
				}
				free(h->content);
				h->content = sb_detach(&content);
				if (!done) {
					loc_error(err, file, data, len, start, s.line, "unterminated heredoc");
					goto fail;
				}
			}
		}
		child->start_line = start;
		child->end_line = s.line;
		if (root->start_line < 0)
			root->start_line = start;
		root->end_line = s.line;
		sv_clear(&comments);
	}
	if (root->start_line < 0) {
		loc_error(err, file, data, len, s.line, s.line, "file with no instructions");
		goto fail;
	}
	r->escape_token = d.escape;
	*out = r;
	return 0;
fail:
	free(msg);
	df_parse_result_free(r);
	return -1;
}

/* Free what a node has outside the arena: heredocs and comments (on instruction nodes and
 * ONBUILD's nested ones). */
static void node_release(struct df_node *n)
{
	for (; n; n = n->next) {
		for (size_t i = 0; i < n->nchildren; i++)
			node_release(n->children[i]);
		if (n->nheredocs) {
			for (size_t i = 0; i < n->nheredocs; i++)
				df_heredoc_release(&n->heredocs[i]);
			free(n->heredocs);
		}
		if (n->prev_comments.n)
			sv_clear(&n->prev_comments);
	}
}

void df_parse_result_free(struct df_parse_result *r)
{
	if (!r)
		return;
	if (r->ast) {
		node_release(r->ast);
		free(r->ast->children); /* the root's array grows with realloc */
	}
	arena_release(&r->arena);
	sv_clear(&r->warnings);
	for (size_t i = 0; i < r->nwarns; i++) {
		free(r->warns[i].short_desc);
		free(r->warns[i].detail);
		free(r->warns[i].url);
		free(r->warns[i].rule);
	}
	free(r->warns);
	free(r->directives.syntax);
	free(r->directives.escape);
	free(r->directives.check);
	free(r->filename);
	free(r);
}

char *df_heredoc_chomp(const char *content)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	bool bol = true;
	for (const char *p = content; *p; p++) {
		if (bol && *p == '\t')
			continue;
		bol = *p == '\n';
		sb_addc(&sb, *p);
	}
	return sb_detach(&sb);
}

/* Node.Dump: value, flags, children, next args; then strings.TrimSpace. */
static void dump(const struct df_node *n, struct strbuf *out)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	if (n->value)
		sb_add(&sb, n->value, n->len);
	if (n->flags.n) {
		sb_adds(&sb, " [");
		for (size_t i = 0; i < n->flags.n; i++) {
			if (i)
				sb_addc(&sb, ' ');
			df_quote(&sb, n->flags.v[i], strlen(n->flags.v[i]));
		}
		sb_addc(&sb, ']');
	}
	for (size_t i = 0; i < n->nchildren; i++) {
		sb_addc(&sb, '(');
		dump(n->children[i], &sb);
		sb_adds(&sb, ")\n");
	}
	for (const struct df_node *a = n->next; a; a = a->next) {
		sb_addc(&sb, ' ');
		if (a->nchildren)
			dump(a, &sb);
		else
			df_quote(&sb, a->value, a->len);
	}
	const char *p = sb.buf;
	size_t len = sb.len;
	df_trim_space(&p, &len);
	sb_add(out, p, len);
	sb_release(&sb);
}

void df_dump_node(const struct df_node *n, struct strbuf *out)
{
	dump(n, out);
}

void df_dump(const struct df_node *ast, struct strbuf *out)
{
	if (!ast)
		return;
	dump(ast, out);
	sb_addc(out, '\n');
}
