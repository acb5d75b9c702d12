/* logs.c: the project's json-file logs, several containers at once, each line prefixed with
 * the container's name in the project ("web-1  | "), as `docker compose logs` and attached
 * `up` print them. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "compose/engine.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/units.h"

struct src {
	struct ctr *c;
	char *prefix;
	int fd;
	struct strbuf pending;
	bool done;
	int color;
};

static const int colors[] = { 36, 33, 32, 35, 34, 96, 93, 92, 95, 94 };

static int64_t entry_time(const char *ts)
{
	int64_t sec;
	long nsec;
	berr e;
	if (!ts || units_parse_rfc3339(ts, &sec, &nsec, &e) < 0)
		return 0;
	return sec * 1000000000LL + nsec;
}

static void emit(struct src *s, json_t *j, const struct compose_logs_opts *o)
{
	bool stamps = o->timestamps, color = o->color;
	const char *log = json_string_value(json_object_get(j, "log"));
	const char *ts = json_string_value(json_object_get(j, "time"));
	if (!log)
		return;
	if (o->since || o->until) {
		int64_t t = entry_time(ts);
		if ((o->since && t < o->since) || (o->until && t > o->until))
			return;
	}
	size_t len = json_string_length(json_object_get(j, "log"));
	if (len && log[len - 1] == '\n')
		len--;
	if (color)
		printf("\x1b[%dm%s\x1b[0m", s->color, s->prefix);
	else
		fputs(s->prefix, stdout);
	if (stamps && ts)
		printf("%s ", ts);
	fwrite(log, 1, len, stdout);
	putchar('\n');
}

/* Read what is new in one log; returns true if anything was read. */
static bool pump(struct src *s, const struct compose_logs_opts *o)
{
	char buf[65536];
	bool any = false;
	ssize_t n;
	while (s->fd >= 0 && (n = read(s->fd, buf, sizeof buf)) > 0) {
		any = true;
		sb_add(&s->pending, buf, (size_t)n);
		char *nl;
		size_t off = 0;
		while ((nl = memchr(s->pending.buf + off, '\n', s->pending.len - off))) {
			*nl = 0;
			json_t *j = json_loads(s->pending.buf + off, 0, NULL);
			if (j) {
				emit(s, j, o);
				json_decref(j);
			}
			off = (size_t)(nl - s->pending.buf) + 1;
		}
		memmove(s->pending.buf, s->pending.buf + off, s->pending.len - off);
		sb_setlen(&s->pending, s->pending.len - off);
	}
	fflush(stdout);
	return any;
}

static off_t tail_start(const char *path, long ntail)
{
	_cleanup_free_ char *all = NULL;
	size_t len = 0;
	berr e;
	if (ntail < 0 || read_file(path, &all, &len, &e) < 0)
		return 0;
	if (ntail == 0)
		return (off_t)len;
	long seen = 0;
	for (size_t i = len; i-- > 0;)
		if (all[i] == '\n' && i != len - 1 && ++seen == ntail)
			return (off_t)i + 1;
	return 0;
}

/* The prefix name, as compose's getContainerNameWithoutProject: SERVICE-N for a container named
 * PROJECT-SERVICE-N, else (container_name:, one-off run) the container's own name. */
static char *log_name(struct ctr *c)
{
	const char *proj = ctr_label(c, CL_PROJECT), *svc = ctr_label(c, CL_SERVICE), *num = ctr_label(c, CL_NUMBER);
	if (!proj || !svc || !num || !strcmp(ctr_label(c, CL_ONEOFF) ?: "", "True"))
		return xstrdup(c->name);
	_cleanup_free_ char *def = xasprintf("%s-%s-%s", proj, svc, num);
	return strcmp(c->name, def) ? xstrdup(c->name) : xasprintf("%s-%s", svc, num);
}

int compose_logs(struct cengine *e, struct ctr **v, size_t n, const struct compose_logs_opts *o)
{
	struct src *s = xcalloc(n + 1, sizeof *s);
	size_t width = 0;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *nm = log_name(v[i]);
		if (strlen(nm) > width)
			width = strlen(nm);
	}
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *nm = log_name(v[i]);
		s[i].c = v[i];
		s[i].prefix = o->no_prefix ? xstrdup("") : xasprintf("%-*s | ", (int)width + 1, nm);
		s[i].color = colors[i % (sizeof colors / sizeof colors[0])];
		_cleanup_free_ char *lp = ctr_log_path(e->st, v[i]->id);
		s[i].fd = open(lp, O_RDONLY | O_CLOEXEC);
		if (s[i].fd >= 0)
			lseek(s[i].fd, tail_start(lp, o->tail), SEEK_SET);
	}
	int rc = 0;
	for (;;) {
		bool any = false;
		size_t live = 0;
		for (size_t i = 0; i < n; i++) {
			if (s[i].done)
				continue;
			any |= pump(&s[i], o);
			if (!o->follow) {
				s[i].done = true;
				continue;
			}
			if (s[i].fd < 0) {
				_cleanup_free_ char *lp = ctr_log_path(e->st, s[i].c->id);
				s[i].fd = open(lp, O_RDONLY | O_CLOEXEC);
			}
			if (ctr_refresh(e->st, s[i].c) != CTR_RUNNING) {
				pump(&s[i], o);
				s[i].done = true;
				if (o->on_exit) {
					int r = o->on_exit(s[i].c, o->ud);
					if (r) {
						rc = r;
						goto out;
					}
				}
				continue;
			}
			live++;
		}
		if (!o->follow || !live || (o->stop && *o->stop))
			break;
		if (!any)
			usleep(50000);
	}
out:
	for (size_t i = 0; i < n; i++) {
		if (s[i].fd >= 0)
			close(s[i].fd);
		free(s[i].prefix);
		sb_release(&s[i].pending);
	}
	free(s);
	return rc;
}
