/* env.c: `.env` files as compose-go's dotenv parser reads them (KEY=VALUE, `export`, YAML-ish
 * `KEY: VALUE`, quotes, escapes in double quotes, inline comments, ${VAR} expansion), and the
 * process environment as a JSON object. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "compose/compose.h"
#include "util/cleanup.h"
#include "util/fs.h"

extern char **environ;

json_t *compose_environ(void)
{
	json_t *o = json_object();
	for (char **e = environ; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		if (!eq || eq == *e)
			continue;
		_cleanup_free_ char *k = xstrndup(*e, (size_t)(eq - *e));
		json_t *s = json_string(eq + 1);
		if (s)
			json_object_set_new(o, k, s);
	}
	return o;
}

struct lk {
	compose_lookup_fn lookup;
	void *ud;
	json_t *vars;
};

/* The process environment wins over what the file defined so far. */
static const char *lk_fn(void *ud, const char *name)
{
	struct lk *l = ud;
	const char *v = l->lookup ? l->lookup(l->ud, name) : NULL;
	return v ? v : compose_lookup_json(l->vars, name);
}

static bool key_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-' || c == '[' || c == ']';
}

int compose_dotenv_parse(const char *name, const char *text, compose_lookup_fn lookup, void *ud, json_t *into,
			 berr *err)
{
	struct lk l = { lookup, ud, into };
	const char *p = text;
	int line = 1;
	while (*p) {
		/* skip blank space and comment lines */
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			line += *p == '\n';
			p++;
		}
		if (!*p)
			break;
		if (*p == '#') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (!strncmp(p, "export", 6) && (p[6] == ' ' || p[6] == '\t')) {
			p += 6;
			while (*p == ' ' || *p == '\t')
				p++;
		}
		const char *ks = p;
		while (key_char(*p))
			p++;
		const char *ke = p;
		while (*p == ' ' || *p == '\t')
			p++;
		if (ke == ks)
			return berr_set(err, 0, "failed to read %s: line %d: unexpected character \"%c\" in variable name",
					name, line, *p);
		_cleanup_free_ char *key = xstrndup(ks, (size_t)(ke - ks));
		if (*p == '\n' || *p == '\r' || !*p || *p == '#') {
			/* a bare KEY takes its value from the environment */
			const char *v = lookup ? lookup(ud, key) : NULL;
			if (v)
				json_object_set_new(into, key, json_string(v));
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (*p != '=' && *p != ':')
			return berr_set(err, 0, "failed to read %s: line %d: unexpected character \"%c\" in variable name \"%s\"",
					name, line, *p, key);
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		_cleanup_strbuf_ struct strbuf val = STRBUF_INIT;
		sb_init(&val);
		bool expand = true;
		if (*p == '\'' || *p == '"') {
			char q = *p++;
			const char *start = p;
			while (*p && *p != q) {
				if (q == '"' && *p == '\\' && p[1])
					p++;
				line += *p == '\n';
				p++;
			}
			if (!*p)
				return berr_set(err, 0, "failed to read %s: line %d: unterminated quoted value", name, line);
			if (q == '\'') {
				sb_add(&val, start, (size_t)(p - start));
				expand = false;
			} else {
				for (const char *c = start; c < p; c++) {
					if (*c != '\\' || c + 1 >= p) {
						sb_addc(&val, *c);
						continue;
					}
					c++;
					switch (*c) {
					case 'n': sb_addc(&val, '\n'); break;
					case 'r': sb_addc(&val, '\r'); break;
					case 't': sb_addc(&val, '\t'); break;
					case '\\': sb_addc(&val, '\\'); break;
					case '"': sb_addc(&val, '"'); break;
					case '\'': sb_addc(&val, '\''); break;
					case '$': sb_adds(&val, "$$"); break; /* kept literal by the expansion below */
					default: sb_addc(&val, '\\'); sb_addc(&val, *c); break;
					}
				}
			}
			p++;
			while (*p && *p != '\n')
				p++; /* trailing comment */
		} else {
			const char *start = p;
			while (*p && *p != '\n') {
				if (*p == '#' && p > start && (p[-1] == ' ' || p[-1] == '\t'))
					break;
				p++;
			}
			const char *end = p;
			while (end > start && isspace((unsigned char)end[-1]))
				end--;
			sb_add(&val, start, (size_t)(end - start));
			while (*p && *p != '\n')
				p++;
		}
		if (expand) {
			char *out;
			if (compose_interp_string(val.buf, lk_fn, &l, &out, NULL, err) < 0)
				return berr_wrap(err, "failed to read %s: line %d", name, line);
			json_object_set_new(into, key, json_stringn_nocheck(out, strlen(out)));
			free(out);
		} else
			json_object_set_new(into, key, json_stringn_nocheck(val.buf, val.len));
	}
	return 0;
}

int compose_dotenv_load(const char *path, compose_lookup_fn lookup, void *ud, json_t *into, berr *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	if (read_file(path, &text, &len, err) < 0)
		return -1;
	return compose_dotenv_parse(path, text, lookup, ud, into, err);
}
