/* network_fmt.c: the small subset of Go templates the network verbs need for --format
 * (`{{.Field}}`, `{{.A.B}}`, `{{json .X}}`, `{{json .}}`, `{{index .Labels "k"}}`, `table`,
 * `\t`), and a Go tabwriter-style table printer. To be replaced by the shared formatter. */
#include "cmd/network_fmt.h"
#include <stdio.h>
#include <string.h>
#include "util/cleanup.h"

static void go_value(struct strbuf *sb, json_t *v)
{
	if (!v || json_is_null(v)) {
		sb_adds(sb, "<nil>");
	} else if (json_is_string(v)) {
		sb_adds(sb, json_string_value(v));
	} else if (json_is_true(v) || json_is_false(v)) {
		sb_adds(sb, json_is_true(v) ? "true" : "false");
	} else if (json_is_integer(v)) {
		sb_addf(sb, "%lld", (long long)json_integer_value(v));
	} else if (json_is_object(v)) {
		sb_adds(sb, "map[");
		const char *k;
		json_t *x;
		bool first = true;
		/* Go prints maps with sorted keys */
		json_t *keys = json_array();
		json_object_foreach(v, k, x)
			json_array_append_new(keys, json_string(k));
		size_t n = json_array_size(keys);
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++)
				if (strcmp(json_string_value(json_array_get(keys, i)), json_string_value(json_array_get(keys, j))) > 0) {
					json_t *a = json_incref(json_array_get(keys, i));
					json_array_set(keys, i, json_array_get(keys, j));
					json_array_set_new(keys, j, a);
				}
		for (size_t i = 0; i < n; i++) {
			k = json_string_value(json_array_get(keys, i));
			sb_addf(sb, "%s%s:", first ? "" : " ", k);
			go_value(sb, json_object_get(v, k));
			first = false;
		}
		json_decref(keys);
		sb_adds(sb, "]");
	} else if (json_is_array(v)) {
		sb_adds(sb, "[");
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				sb_adds(sb, " ");
			go_value(sb, json_array_get(v, i));
		}
		sb_adds(sb, "]");
	} else {
		_cleanup_free_ char *s = json_dumps(v, JSON_ENCODE_ANY);
		sb_adds(sb, s ? s : "");
	}
}

static json_t *walk(json_t *root, const char *path)
{
	if (!strcmp(path, "."))
		return root;
	if (path[0] != '.')
		return NULL;
	json_t *cur = root;
	_cleanup_free_ char *p = xstrdup(path + 1);
	for (char *save = NULL, *tok = strtok_r(p, ".", &save); tok; tok = strtok_r(NULL, ".", &save)) {
		if (!json_is_object(cur))
			return NULL;
		cur = json_object_get(cur, tok);
	}
	return cur;
}

int fmt_render(const char *tmpl, json_t *obj, struct strbuf *out, berr *err)
{
	const char *p = tmpl;
	while (*p) {
		const char *o = strstr(p, "{{");
		if (!o) {
			sb_adds(out, p);
			break;
		}
		sb_add(out, p, (size_t)(o - p));
		const char *c = strstr(o, "}}");
		if (!c)
			return berr_set(err, 22, "template: unclosed action in %s", tmpl);
		_cleanup_free_ char *act = xstrndup(o + 2, (size_t)(c - o - 2));
		char *a = act;
		while (*a == ' ')
			a++;
		char *e = a + strlen(a);
		while (e > a && e[-1] == ' ')
			*--e = 0;
		if (!strncmp(a, "json ", 5)) {
			json_t *v = walk(obj, a + 5 + strspn(a + 5, " "));
			_cleanup_free_ char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
			sb_adds(out, s ? s : "null");
		} else if (!strncmp(a, "index ", 6)) {
			char path[256], key[256];
			if (sscanf(a + 6, "%255s \"%255[^\"]\"", path, key) != 2)
				return berr_set(err, 22, "template: unsupported action {{%s}}", a);
			json_t *m = walk(obj, path);
			json_t *v = json_is_object(m) ? json_object_get(m, key) : NULL;
			if (v)
				go_value(out, v);
			else
				sb_adds(out, "<no value>");
		} else if (a[0] == '.') {
			json_t *v = walk(obj, a);
			if (!v)
				return berr_set(err, 22, "template: can't evaluate field %s", a + 1);
			go_value(out, v);
		} else {
			return berr_set(err, 22, "template: unsupported action {{%s}}", a);
		}
		p = c + 2;
	}
	return 0;
}

char *fmt_prepare(const char *format, bool *table)
{
	const char *f = format;
	*table = false;
	if (!strncmp(f, "table", 5) && (f[5] == 0 || f[5] == ' ' || f[5] == '\t')) {
		*table = true;
		f += 5;
	}
	struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "");
	while (*f == ' ')
		f++;
	for (; *f; f++) {
		if (f[0] == '\\' && f[1] == 't') {
			sb_addc(&sb, '\t');
			f++;
		} else if (f[0] == '\\' && f[1] == 'n') {
			sb_addc(&sb, '\n');
			f++;
		} else {
			sb_addc(&sb, *f);
		}
	}
	while (sb.len && sb.buf[sb.len - 1] == ' ')
		sb_setlen(&sb, sb.len - 1);
	return sb_detach(&sb);
}

void fmt_table_print(const struct strvec *lines)
{
	/* Go's tabwriter (minwidth 10, padding 3): a cell ends at a tab; the last cell of a line is
	 * not padded. */
	size_t widths[32] = { 0 };
	for (size_t i = 0; i < lines->n; i++) {
		const char *s = lines->v[i];
		size_t col = 0;
		for (const char *t; (t = strchr(s, '\t')) && col < 32; s = t + 1, col++) {
			size_t w = (size_t)(t - s) + 3;
			if (w < 10)
				w = 10;
			if (w > widths[col])
				widths[col] = w;
		}
	}
	for (size_t i = 0; i < lines->n; i++) {
		const char *s = lines->v[i];
		size_t col = 0;
		const char *t;
		for (; (t = strchr(s, '\t')) && col < 32; s = t + 1, col++)
			printf("%-*.*s", (int)widths[col], (int)(t - s), s);
		printf("%s\n", s);
	}
}
