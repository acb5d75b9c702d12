/* events.c: the events journal: root/events.jsonl, one event per line in Docker's JSON shape
 * ({"status","id","from","Type","Action","Actor":{"ID","Attributes"},"scope","time","timeNano"}),
 * appended with one O_APPEND write by the verbs and the monitors. `berth events` reads it. */
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include "runtime/supervise.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/template.h"

char *events_path(const char *root)
{
	return xasprintf("%s/events.jsonl", root);
}

static void emit_v(const char *root, const char *id, const char *name, const char *image, json_t *labels,
		   const char *action, va_list ap)
{
	int64_t t = now_ns();
	json_t *attrs = json_object();
	const char *k, *v;
	json_t *jv;
	json_object_foreach(labels, k, jv) if (json_is_string(jv))
		json_object_set(attrs, k, jv);
	while ((k = va_arg(ap, const char *))) {
		v = va_arg(ap, const char *);
		json_object_set_new(attrs, k, json_string(v ? v : ""));
	}
	json_object_set_new(attrs, "image", json_string(image ? image : ""));
	json_object_set_new(attrs, "name", json_string(name ? name : ""));
	json_t *ev = json_pack("{s:s,s:s,s:s,s:s,s:s,s:{s:s,s:o},s:s,s:I,s:I}", "status", action, "id", id, "from",
			       image ? image : "", "Type", "container", "Action", action, "Actor", "ID", id, "Attributes",
			       attrs, "scope", "local", "time", (json_int_t)(t / 1000000000), "timeNano", (json_int_t)t);
	if (!ev)
		return;
	struct strbuf sb = STRBUF_INIT;
	tmpl_json_encode(&sb, ev, false);
	sb_addc(&sb, '\n');
	json_decref(ev);
	_cleanup_free_ char *p = events_path(root);
	int fd = open(p, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		write_all(fd, sb.buf, sb.len);
		close(fd);
	}
	sb_release(&sb);
}

void event_emit(const char *root, const char *id, const char *name, const char *image, json_t *labels,
		const char *action, ...)
{
	va_list ap;
	va_start(ap, action);
	emit_v(root, id, name, image, labels, action, ap);
	va_end(ap);
}

void event_emit_ctr(struct store *st, struct ctr *c, const char *action, ...)
{
	va_list ap;
	va_start(ap, action);
	emit_v(st->root, c->id, c->name, c->image, json_object_get(json_object_get(c->cfg, "Config"), "Labels"),
	       action, ap);
	va_end(ap);
}
