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

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

static bool key_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '-' || c == '[' || c == ']' || c >= 0x80;
}

/* Double-quoted escapes: \a \b \c? \f \n \r \t \v \$ \" \\ and \0NNN octal; others stay. */
static void expand_escapes(const char *s, struct strbuf *out)
{
	for (; *s; s++) {
		if (*s != '\\' || !s[1]) {
			sb_addc(out, *s);
			continue;
		}
		char c = s[1];
		const char *map = strchr("abfnrtv", c);
		if (map && c) {
			sb_addc(out, "\a\b\f\n\r\t\v"[map - "abfnrtv"]);
			s++;
		} else if (c == '$') {
			sb_adds(out, "$$"); /* kept literal by the expansion */
			s++;
		} else if (c == '"' || c == '\\') {
			sb_addc(out, c);
			s++;
		} else if (c == '0') {
			int v = 0, n = 0;
			const char *d = s + 2;
			while (n < 3 && *d >= '0' && *d <= '7')
				v = v * 8 + (*d++ - '0'), n++;
			sb_addc(out, (char)v);
			s = d - 1;
		} else
			sb_addc(out, '\\');
	}
}

int compose_dotenv_parse(const char *name, const char *text, compose_lookup_fn lookup, void *ud, json_t *into,
			 berr *err)
{
	struct lk l = { lookup, ud, into };
	const char *p = text;
	int line = 1;
	if (!strncmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	for (;;) {
		/* the next statement: skip white space and comment lines */
		while (*p && isspace((unsigned char)*p))
			line += *p++ == '\n';
		if (!*p)
			break;
		if (*p == '#') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (!strncmp(p, "export", 6) && is_space(p[6])) {
			p += 6;
			while (is_space(*p))
				p++;
		}
		const char *ks = p;
		char term = 0;
		for (; *p; p++) {
			if (is_space(*p))
				continue;
			if (*p == '=' || *p == ':' || *p == '\n') {
				term = *p;
				break;
			}
			if (!key_char((unsigned char)*p)) {
				size_t ll = strcspn(ks, "\n");
				return berr_set(err, 0, "failed to read %s: line %d: unexpected character \"%c\" in variable name \"%.*s\"",
						name, line, *p, (int)ll, ks);
			}
		}
		const char *ke = p;
		while (ke > ks && is_space(ke[-1]))
			ke--;
		_cleanup_free_ char *key = xstrndup(ks, (size_t)(ke - ks));
		if (strchr(key, ' ') || strchr(key, '\t'))
			return berr_set(err, 0, "failed to read %s: line %d: key cannot contain a space", name, line);
		if (term != '=' && term != ':') {
			/* a bare KEY takes its value from the environment */
			const char *v = lookup ? lookup(ud, key) : NULL;
			if (v && *key)
				json_object_set_new(into, key, json_string(v));
			if (*p)
				p++;
			line++;
			continue;
		}
		p++;
		while (is_space(*p))
			p++;
		_cleanup_strbuf_ struct strbuf val = STRBUF_INIT;
		sb_init(&val);
		if (*p == '\'' || *p == '"') {
			char q = *p++;
			bool esc = false, closed = false;
			struct strbuf raw = STRBUF_INIT;
			sb_init(&raw);
			for (; *p; p++) {
				line += *p == '\n';
				if (*p != q) {
					if (!esc && *p == '\\') {
						esc = true;
						continue;
					}
					if (esc) {
						esc = false;
						sb_addc(&raw, '\\');
					}
					sb_addc(&raw, *p);
					continue;
				}
				if (esc) {
					esc = false;
					sb_addc(&raw, *p);
					continue;
				}
				closed = true;
				p++;
				break;
			}
			if (!closed) {
				sb_release(&raw);
				return berr_set(err, 0, "failed to read %s: line %d: unterminated quoted value", name, line);
			}
			if (q == '\'') {
				json_object_set_new(into, key, json_stringn_nocheck(raw.buf, raw.len));
				sb_release(&raw);
				continue;
			}
			expand_escapes(raw.buf, &val);
			sb_release(&raw);
		} else {
			const char *start = p;
			while (*p && *p != '\n')
				p++;
			const char *end = p;
			for (const char *c = start; c + 1 < end; c++)
				if (c[0] == ' ' && c[1] == '#') {
					end = c;
					break;
				}
			while (end > start && isspace((unsigned char)end[-1]))
				end--;
			sb_add(&val, start, (size_t)(end - start));
			if (*p)
				p++;
			line++;
		}
		char *out;
		if (compose_interp_string(val.buf, lk_fn, &l, &out, NULL, err) < 0)
			return berr_wrap(err, "failed to read %s: line %d", name, line);
		json_object_set_new(into, key, json_stringn_nocheck(out, strlen(out)));
		free(out);
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
