/* gotmpl.c: see gotmpl.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "runtime/gotmpl.h"
#include "util/cleanup.h"

static json_t *lookup(json_t *data, const char *path)
{
	if (!strcmp(path, "."))
		return data;
	json_t *cur = data;
	_cleanup_free_ char *p = xstrdup(path);
	for (char *tok = strtok(p, "."); tok && cur; tok = strtok(NULL, "."))
		cur = json_object_get(cur, tok);
	return cur;
}

static void emit(json_t *v, struct strbuf *out)
{
	if (!v || json_is_null(v)) {
		sb_adds(out, "<no value>");
	} else if (json_is_string(v))
		sb_adds(out, json_string_value(v));
	else if (json_is_integer(v))
		sb_addf(out, "%lld", (long long)json_integer_value(v));
	else if (json_is_true(v))
		sb_adds(out, "true");
	else if (json_is_false(v))
		sb_adds(out, "false");
	else if (json_is_real(v))
		sb_addf(out, "%g", json_real_value(v));
	else if (json_is_array(v)) {
		sb_addc(out, '[');
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			if (i)
				sb_addc(out, ' ');
			emit(e, out);
		}
		sb_addc(out, ']');
	} else {
		char *s = json_dumps(v, JSON_COMPACT);
		sb_adds(out, s);
		free(s);
	}
}

int gotmpl_render(const char *t, json_t *data, struct strbuf *out, berr *err)
{
	while (*t) {
		const char *o = strstr(t, "{{");
		if (!o) {
			sb_adds(out, t);
			break;
		}
		sb_add(out, t, (size_t)(o - t));
		const char *c = strstr(o, "}}");
		if (!c)
			return berr_set(err, EINVAL, "template: unclosed action");
		_cleanup_free_ char *act = xstrndup(o + 2, (size_t)(c - o - 2));
		char *a = act;
		while (*a == ' ' || *a == '-')
			a++;
		char *e = a + strlen(a);
		while (e > a && (e[-1] == ' ' || e[-1] == '-'))
			*--e = 0;
		if (!strncmp(a, "json ", 5)) {
			char *p = a + 5;
			while (*p == ' ')
				p++;
			json_t *v = lookup(data, p);
			char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : xstrdup("null");
			sb_adds(out, s);
			free(s);
		} else if (a[0] == '.') {
			emit(lookup(data, a), out);
		} else
			return berr_set(err, EINVAL, "template: unsupported action \"%s\"", a);
		t = c + 2;
	}
	return 0;
}
