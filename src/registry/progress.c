/* progress.c: see progress.h. The bar is jsonmessage's: "[====>   ]  1.2MB/3MB". */
#include "registry/progress.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "util/strbuf.h"
#include "util/units.h"

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void prog_init(struct progress *p, FILE *out, bool quiet)
{
	memset(p, 0, sizeof *p);
	p->out = out;
	p->quiet = quiet;
	p->tty = isatty(fileno(out)) && getenv("TERM") && strcmp(getenv("TERM"), "dumb");
	pthread_mutex_init(&p->mu, NULL);
}

size_t prog_add(struct progress *p, const char *short_id)
{
	pthread_mutex_lock(&p->mu);
	p->ids = xrealloc(p->ids, (p->n + 1) * sizeof *p->ids);
	p->lines = xrealloc(p->lines, (p->n + 1) * sizeof *p->lines);
	p->ids[p->n] = xstrdup(short_id);
	p->lines[p->n] = xstrdup("");
	size_t i = p->n++;
	pthread_mutex_unlock(&p->mu);
	return i;
}

static void redraw(struct progress *p)
{
	if (p->drawn)
		fprintf(p->out, "\033[%zuA", p->drawn);
	for (size_t i = 0; i < p->n; i++)
		fprintf(p->out, "\r\033[2K%s: %s\n", p->ids[i], p->lines[i]);
	p->drawn = p->n;
	fflush(p->out);
	p->last_ms = now_ms();
}

void prog_status(struct progress *p, size_t i, const char *status)
{
	if (p->quiet)
		return;
	pthread_mutex_lock(&p->mu);
	if (i < p->n && strcmp(p->lines[i], status)) {
		free(p->lines[i]);
		p->lines[i] = xstrdup(status);
		if (p->tty)
			redraw(p);
		else {
			fprintf(p->out, "%s: %s\n", p->ids[i], status);
			fflush(p->out);
		}
	}
	pthread_mutex_unlock(&p->mu);
}

void prog_bar(struct progress *p, size_t i, const char *what, uint64_t cur, uint64_t total, bool force)
{
	if (p->quiet || !p->tty)
		return;
	pthread_mutex_lock(&p->mu);
	if (i >= p->n) {
		pthread_mutex_unlock(&p->mu);
		return;
	}
	char a[UNITS_BUF], b[UNITS_BUF];
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "%s ", what);
	if (total) {
		int pct = (int)((double)cur / (double)total * 100) / 2;
		if (pct > 50)
			pct = 50;
		sb_addc(&sb, '[');
		for (int k = 0; k < pct; k++)
			sb_addc(&sb, '=');
		sb_addc(&sb, '>');
		for (int k = pct; k < 50; k++)
			sb_addc(&sb, ' ');
		sb_adds(&sb, "] ");
		sb_addf(&sb, "%8s/%s", units_human_size((double)cur, a), units_human_size((double)total, b));
	} else
		sb_addf(&sb, "%8s", units_human_size((double)cur, a));
	free(p->lines[i]);
	p->lines[i] = sb_detach(&sb);
	if (force || now_ms() - p->last_ms >= 100)
		redraw(p);
	pthread_mutex_unlock(&p->mu);
}

void prog_line(struct progress *p, const char *fmt, ...)
{
	if (p->quiet)
		return;
	pthread_mutex_lock(&p->mu);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(p->out, fmt, ap);
	va_end(ap);
	fputc('\n', p->out);
	fflush(p->out);
	/* lines printed after this are below the in-place area */
	for (size_t i = 0; i < p->n; i++) {
		free(p->ids[i]);
		free(p->lines[i]);
	}
	p->n = 0;
	p->drawn = 0;
	pthread_mutex_unlock(&p->mu);
}

void prog_release(struct progress *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->ids[i]);
		free(p->lines[i]);
	}
	free(p->ids);
	free(p->lines);
	pthread_mutex_destroy(&p->mu);
	memset(p, 0, sizeof *p);
}
