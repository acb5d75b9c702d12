/* progress.c: see build/progress.h. */
#include "build/progress.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strbuf.h"

#define NLOGS 6
#define EV_MAX 4000

enum vstate { V_NONE, V_RUNNING, V_CACHED, V_DONE, V_ERROR };

struct vtx {
	enum vstate st;
	char *title, *stage;
	double t0, t1;
	char *logs[NLOGS];
	size_t nlogs;             /* total lines seen; the ring holds the last NLOGS */
};

struct bprog {
	enum bprog_mode mode;
	int fd;
	int pipe_fd;              /* >= 0: in a child, events go there */
	double t0, last_draw;
	struct vtx *v;
	size_t nv;
	int drawn;                /* lines of the tty view on screen */
	struct strbuf raw;        /* tty: raw text printed after the view */
};

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct bprog *bprog_new(enum bprog_mode mode, int fd)
{
	struct bprog *p = xcalloc(1, sizeof *p);
	p->mode = mode;
	p->fd = fd;
	p->pipe_fd = -1;
	p->t0 = now_s();
	sb_init(&p->raw);
	return p;
}

void bprog_free(struct bprog *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nv; i++) {
		free(p->v[i].title);
		free(p->v[i].stage);
		for (int k = 0; k < NLOGS; k++)
			free(p->v[i].logs[k]);
	}
	free(p->v);
	sb_release(&p->raw);
	free(p);
}

enum bprog_mode bprog_mode(const struct bprog *p)
{
	return p->mode;
}

void bprog_to_pipe(struct bprog *p, int fd)
{
	p->pipe_fd = fd;
}

static struct vtx *vget(struct bprog *p, int vid)
{
	if (vid < 0)
		vid = 0;
	if ((size_t)vid >= p->nv) {
		size_t n = (size_t)vid + 16;
		p->v = xrealloc(p->v, n * sizeof *p->v);
		memset(p->v + p->nv, 0, (n - p->nv) * sizeof *p->v);
		p->nv = n;
	}
	return &p->v[vid];
}

static void out(struct bprog *p, const char *s, size_t n)
{
	if (write_all(p->fd, s, n) < 0 && errno == EPIPE)
		p->mode = BPROG_QUIET;
}

static void outf(struct bprog *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(struct bprog *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char tmp[512];
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof tmp) {
		va_start(ap, fmt);
		char *big = NULL;
		if (vasprintf(&big, fmt, ap) >= 0) {
			out(p, big, strlen(big));
			free(big);
		}
		va_end(ap);
	} else if (n > 0)
		out(p, tmp, (size_t)n);
}

/* ---- events through the pipe: "K vid payload\n", one write each (atomic below PIPE_BUF) ---- */
static void send_ev(struct bprog *p, char kind, int vid, const char *a, const char *b)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "%c %d ", kind, vid);
	for (int part = 0; part < 2; part++) {
		const char *s = part ? b : a;
		if (!s)
			continue;
		if (part)
			sb_addc(&sb, '\t');
		for (; *s && sb.len < EV_MAX; s++) {
			if (*s == '\\')
				sb_adds(&sb, "\\\\");
			else if (*s == '\n')
				sb_adds(&sb, "\\n");
			else if (*s == '\t')
				sb_adds(&sb, "\\t");
			else
				sb_addc(&sb, *s);
		}
	}
	sb_addc(&sb, '\n');
	write_all(p->pipe_fd, sb.buf, sb.len);
	sb_release(&sb);
}

static char *unescape(const char *s, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			i++;
			sb_addc(&sb, s[i] == 'n' ? '\n' : s[i] == 't' ? '\t' : s[i]);
		} else
			sb_addc(&sb, s[i]);
	}
	return sb_detach(&sb);
}

void bprog_apply(struct bprog *p, const char *line)
{
	char kind = line[0];
	if (!kind || line[1] != ' ')
		return;
	char *end;
	long vid = strtol(line + 2, &end, 10);
	if (*end == ' ')
		end++;
	const char *tab = strchr(end, '\t');
	_cleanup_free_ char *a = unescape(end, tab ? (size_t)(tab - end) : strlen(end));
	_cleanup_free_ char *b = tab ? unescape(tab + 1, strlen(tab + 1)) : NULL;
	switch (kind) {
	case 'S': bprog_start(p, (int)vid, b ? b : "", a); break;
	case 'L': bprog_log(p, (int)vid, a); break;
	case 'I': bprog_info(p, (int)vid, a); break;
	case 'C': bprog_cached(p, (int)vid); break;
	case 'D': bprog_done(p, (int)vid); break;
	case 'E': bprog_error(p, (int)vid, a); break;
	case 'R': bprog_raw(p, a); break;
	}
}

/* ---- the tty view ---- */
static void term_size(struct bprog *p, int *cols, int *rows)
{
	struct winsize ws;
	*cols = 80;
	*rows = 24;
	if (ioctl(p->fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) {
		*cols = ws.ws_col;
		if (ws.ws_row > 4)
			*rows = ws.ws_row;
	}
}

static void vline(struct strbuf *sb, int cols, const char *prefix, const char *text, const char *right)
{
	size_t pl = strlen(prefix), rl = right ? strlen(right) : 0;
	size_t room = (size_t)cols - 1 > pl + rl + 1 ? (size_t)cols - 1 - pl - rl - 1 : 0;
	size_t tl = strlen(text);
	/* whole UTF-8 sequences only, no control characters */
	size_t take = tl < room ? tl : room;
	while (take < tl && take > 0 && ((unsigned char)text[take] & 0xc0) == 0x80)
		take--;
	sb_adds(sb, prefix);
	for (size_t i = 0; i < take; i++)
		sb_addc(sb, (unsigned char)text[i] < 0x20 ? ' ' : text[i]);
	if (right) {
		size_t used = pl + take;
		while (used + rl < (size_t)cols - 1) {
			sb_addc(sb, ' ');
			used++;
		}
		sb_adds(sb, right);
	}
	sb_adds(sb, "\x1b[K\n");
}

static void draw(struct bprog *p, bool final)
{
	int cols, rows;
	term_size(p, &cols, &rows);
	double t = now_s();
	size_t total = 0, fin = 0;
	for (size_t i = 0; i < p->nv; i++) {
		total += p->v[i].st != V_NONE;
		fin += p->v[i].st == V_CACHED || p->v[i].st == V_DONE || p->v[i].st == V_ERROR;
	}
	/* lines of each vertex; when the view is taller than the screen, finished vertices at the
	 * top are left out (all of them come back in the final view) */
	size_t lines = 1;
	for (size_t i = 0; i < p->nv; i++)
		if (p->v[i].st != V_NONE)
			lines += 1 + (p->v[i].st == V_RUNNING ? (p->v[i].nlogs < NLOGS ? p->v[i].nlogs : NLOGS) : 0);
	size_t skip = 0;
	if (!final && lines > (size_t)rows - 1)
		skip = lines - ((size_t)rows - 1);
	struct strbuf sb = STRBUF_INIT;
	if (p->drawn)
		sb_addf(&sb, "\r\x1b[%dA", p->drawn);
	char head[128];
	snprintf(head, sizeof head, "[+] Building %.1fs (%zu/%zu)%s", t - p->t0, fin, total, final ? " FINISHED" : "");
	sb_adds(&sb, final ? "\x1b[34m" : "");
	vline(&sb, cols, "", head, NULL);
	if (final) {
		sb_setlen(&sb, sb.len - 4); /* before "\x1b[K\n" */
		sb_adds(&sb, "\x1b[0m\x1b[K\n");
	}
	int drawn = 1;
	for (size_t i = 0; i < p->nv; i++) {
		struct vtx *v = &p->v[i];
		if (v->st == V_NONE)
			continue;
		if (skip && v->st != V_RUNNING) {
			skip--;
			continue;
		}
		char right[32];
		double el = (v->st == V_RUNNING ? t : v->t1) - v->t0;
		snprintf(right, sizeof right, "%.1fs", el < 0 ? 0 : el);
		const char *pre = v->st == V_CACHED ? " => CACHED " : v->st == V_ERROR ? " => ERROR " : " => ";
		const char *color = v->st == V_ERROR ? "\x1b[31m" : v->st == V_RUNNING ? "" : "\x1b[34m";
		sb_adds(&sb, color);
		vline(&sb, cols, pre, v->title ? v->title : "", right);
		if (*color) {
			sb_setlen(&sb, sb.len - 4);
			sb_adds(&sb, "\x1b[0m\x1b[K\n");
		}
		drawn++;
		if (v->st == V_RUNNING && v->nlogs) {
			size_t k = v->nlogs < NLOGS ? v->nlogs : NLOGS;
			for (size_t j = v->nlogs - k; j < v->nlogs; j++) {
				sb_adds(&sb, "\x1b[2m");
				vline(&sb, cols, " => => # ", v->logs[j % NLOGS], NULL);
				sb_setlen(&sb, sb.len - 4);
				sb_adds(&sb, "\x1b[0m\x1b[K\n");
				drawn++;
			}
		}
	}
	sb_adds(&sb, "\x1b[J");
	out(p, sb.buf, sb.len);
	sb_release(&sb);
	p->drawn = final ? 0 : drawn;
	p->last_draw = t;
}

void bprog_tick(struct bprog *p)
{
	if (p->pipe_fd < 0 && p->mode == BPROG_TTY && now_s() - p->last_draw >= 0.1)
		draw(p, false);
}

/* ---- the events ---- */
void bprog_start(struct bprog *p, int vid, const char *title, const char *stage)
{
	if (p->pipe_fd >= 0)
		return send_ev(p, 'S', vid, stage, title);
	struct vtx *v = vget(p, vid);
	free(v->title);
	free(v->stage);
	v->title = xstrdup(title);
	v->stage = xstrdup(stage ? stage : "");
	v->st = V_RUNNING;
	v->t0 = v->t1 = now_s();
	if (p->mode == BPROG_PLAIN)
		outf(p, "#%d %s\n", vid, title);
	bprog_tick(p);
}

void bprog_log(struct bprog *p, int vid, const char *text)
{
	if (p->pipe_fd >= 0)
		return send_ev(p, 'L', vid, text, NULL);
	struct vtx *v = vget(p, vid);
	if (p->mode == BPROG_PLAIN)
		outf(p, "#%d %.3f %s\n", vid, now_s() - v->t0, text);
	free(v->logs[v->nlogs % NLOGS]);
	v->logs[v->nlogs % NLOGS] = xstrdup(text);
	v->nlogs++;
	bprog_tick(p);
}

void bprog_info(struct bprog *p, int vid, const char *text)
{
	if (p->pipe_fd >= 0)
		return send_ev(p, 'I', vid, text, NULL);
	if (p->mode == BPROG_PLAIN)
		outf(p, "#%d %s\n", vid, text);
}

static void finish_v(struct bprog *p, int vid, enum vstate st)
{
	struct vtx *v = vget(p, vid);
	v->st = st;
	v->t1 = now_s();
	if (p->mode == BPROG_TTY)
		draw(p, false);
}

void bprog_cached(struct bprog *p, int vid)
{
	if (p->pipe_fd >= 0)
		return send_ev(p, 'C', vid, NULL, NULL);
	if (p->mode == BPROG_PLAIN)
		outf(p, "#%d CACHED\n\n", vid);
	finish_v(p, vid, V_CACHED);
}

void bprog_done(struct bprog *p, int vid)
{
	if (p->pipe_fd >= 0)
		return send_ev(p, 'D', vid, NULL, NULL);
	if (p->mode == BPROG_PLAIN)
		outf(p, "#%d DONE %.1fs\n\n", vid, now_s() - vget(p, vid)->t0);
	finish_v(p, vid, V_DONE);
}

void bprog_error(struct bprog *p, int vid, const char *msg)
{
	if (p->pipe_fd >= 0)
		return send_ev(p, 'E', vid, msg, NULL);
	if (p->mode == BPROG_PLAIN)
		outf(p, "#%d ERROR: %s\n", vid, msg);
	finish_v(p, vid, V_ERROR);
}

void bprog_raw(struct bprog *p, const char *text)
{
	if (p->pipe_fd >= 0) {
		/* long text in pieces: each event stays one atomic write */
		size_t n = strlen(text);
		for (size_t off = 0; off < n; off += 1000) {
			_cleanup_free_ char *part = xstrndup(text + off, n - off < 1000 ? n - off : 1000);
			send_ev(p, 'R', 0, part, NULL);
		}
		return;
	}
	if (p->mode == BPROG_TTY)
		sb_adds(&p->raw, text);
	else
		out(p, text, strlen(text));
}

void bprog_finish(struct bprog *p, bool ok)
{
	if (p->pipe_fd >= 0)
		return;
	if (p->mode == BPROG_TTY) {
		draw(p, true);
		/* the view hides output once a step ends: the error box shows the failed step's last
		 * lines, as BuildKit's does ("------\n > TITLE:\n#N LINE\n------") */
		struct vtx *failed = NULL;
		int fid = 0;
		for (size_t i = 0; i < p->nv; i++)
			if (p->v[i].st == V_ERROR && p->v[i].nlogs) {
				failed = &p->v[i];
				fid = (int)i;
			}
		const char *box = p->raw.len ? strstr(p->raw.buf, "------\n > ") : NULL;
		const char *eol = box ? strstr(box + 10, ":\n") : NULL;
		if (failed && eol) {
			size_t at = (size_t)(eol + 2 - p->raw.buf);
			out(p, p->raw.buf, at);
			size_t k = failed->nlogs < NLOGS ? failed->nlogs : NLOGS;
			for (size_t j = failed->nlogs - k; j < failed->nlogs; j++)
				outf(p, "#%d %s\n", fid, failed->logs[j % NLOGS]);
			out(p, p->raw.buf + at, p->raw.len - at);
		} else if (p->raw.len)
			out(p, p->raw.buf, p->raw.len);
		sb_reset(&p->raw);
	}
	if (p->mode == BPROG_QUIET || !ok) /* after an error, the error stays the last line */
		return;
	/* time per stage: from its first step's start to its last step's end */
	struct strbuf sb = STRBUF_INIT;
	bool any = false;
	for (size_t i = 0; i < p->nv; i++) {
		struct vtx *v = &p->v[i];
		if (v->st == V_NONE || !v->stage || !*v->stage)
			continue;
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = p->v[j].st != V_NONE && p->v[j].stage && !strcmp(p->v[j].stage, v->stage);
		if (seen)
			continue;
		double a = v->t0, b = v->t1;
		size_t steps = 0, cached = 0;
		for (size_t j = i; j < p->nv; j++) {
			struct vtx *w = &p->v[j];
			if (w->st == V_NONE || !w->stage || strcmp(w->stage, v->stage))
				continue;
			steps++;
			cached += w->st == V_CACHED;
			if (w->t0 < a)
				a = w->t0;
			if (w->t1 > b)
				b = w->t1;
		}
		if (!any)
			sb_adds(&sb, "Time per stage:\n");
		any = true;
		sb_addf(&sb, "  %-20s %6.1fs  (%zu step%s, %zu cached)\n", v->stage, b - a, steps, steps == 1 ? "" : "s",
			cached);
	}
	if (any) {
		sb_addf(&sb, "  %-20s %6.1fs\n", "total", now_s() - p->t0);
		out(p, sb.buf, sb.len);
	}
	sb_release(&sb);
}
