/* load.c: read a Compose YAML file into jansson with libfyaml, resolving scalars as Compose v2
 * (go-yaml v3, YAML 1.2 core schema: `2222:22`, `no`, `on` stay strings), anchors, aliases and
 * `<<` merge keys; and emit JSON values back as YAML. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include "util/lazy_fyaml.h"
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compose/compose.h"
#include "util/cleanup.h"
#include "util/fs.h"

void compose_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("WARN[0000] ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Go's strconv.ParseInt(s, 0, 64) after removing underscores (go-yaml v3's resolve). */
static bool parse_go_int(const char *in, long long *out)
{
	char buf[128];
	size_t n = 0;
	for (const char *p = in; *p && n < sizeof buf - 1; p++)
		if (*p != '_')
			buf[n++] = *p;
	buf[n] = 0;
	if (strlen(in) >= sizeof buf - 1 || !n)
		return false;
	const char *s = buf;
	bool neg = false;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	int base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		base = 8, s += 2;
	else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		base = 2, s += 2;
	else if (s[0] == '0' && s[1])
		base = 8, s += 1;
	if (!*s)
		return false;
	for (const char *p = s; *p; p++) {
		int d = isdigit((unsigned char)*p) ? *p - '0' : isalpha((unsigned char)*p) ? tolower(*p) - 'a' + 10 : 99;
		if (d >= base)
			return false;
	}
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, base);
	if (errno || *end)
		return false;
	if (neg ? v > (unsigned long long)LLONG_MAX + 1 : v > (unsigned long long)LLONG_MAX)
		return false;
	*out = neg ? (long long)(0 - v) : (long long)v;
	return true;
}

static bool is_yaml_float(const char *s)
{
	static regex_t re;
	static bool init;
	if (!init) {
		regcomp(&re, "^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$", REG_EXTENDED | REG_NOSUB);
		init = true;
	}
	return regexec(&re, s, 0, NULL, 0) == 0;
}

static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
static const char *const trues[] = { "true", "True", "TRUE" };
static const char *const falses[] = { "false", "False", "FALSE" };
static const char *const specials[] = { ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf",
					"-.INF", ".nan", ".NaN", ".NAN" };

static bool in_list(const char *s, const char *const *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, l[i]))
			return true;
	return false;
}

/* The value of a plain scalar as go-yaml v3 resolves it. */
static json_t *resolve_plain(const char *s)
{
	if (in_list(s, nulls, ARRAY_SIZE(nulls)))
		return json_null();
	if (in_list(s, trues, ARRAY_SIZE(trues)))
		return json_true();
	if (in_list(s, falses, ARRAY_SIZE(falses)))
		return json_false();
	long long iv;
	char c = s[0];
	if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
		if (parse_go_int(s, &iv))
			return json_integer(iv);
		char buf[128];
		size_t n = 0;
		for (const char *p = s; *p && n < sizeof buf - 1; p++)
			if (*p != '_')
				buf[n++] = *p;
		buf[n] = 0;
		if (is_yaml_float(buf))
			return json_real(strtod(buf, NULL));
	}
	return json_string(s);
}

bool compose_yaml_plain_is_string(const char *s)
{
	if (in_list(s, specials, ARRAY_SIZE(specials)))
		return false;
	json_t *v = resolve_plain(s);
	bool r = json_is_string(v);
	json_decref(v);
	return r;
}

struct ld {
	const char *name;
	berr *err;
	int depth;
	const char *text; /* the source, for scalar_text() */
	size_t len;
};

/* A scalar's text (malloc'd, *lenp set). A one-line single-quoted scalar is decoded from the
 * source here: libfyaml 0.7.12 leaks memory formatting one with many '' escapes. */
static char *scalar_text(struct ld *ld, struct fy_node *n, size_t *lenp)
{
	if (fy_node_get_style(n) == FYNS_SINGLE_QUOTED && ld->text) {
		struct fy_token *t = fy_node_get_scalar_token(n);
		const struct fy_mark *sm = t ? fy_token_start_mark(t) : NULL, *em = t ? fy_token_end_mark(t) : NULL;
		/* the marks enclose the content, without the quotes */
		if (sm && em && sm->input_pos >= 1 && em->input_pos < ld->len && sm->input_pos <= em->input_pos) {
			const char *a = ld->text + sm->input_pos, *b = ld->text + em->input_pos;
			if (a[-1] == '\'' && b[0] == '\'' && !memchr(a, '\n', (size_t)(b - a))) {
				struct strbuf sb = STRBUF_INIT;
				sb_init(&sb);
				for (const char *c = a; c < b; c++) {
					sb_addc(&sb, *c);
					if (*c == '\'' && c + 1 < b && c[1] == '\'')
						c++;
				}
				*lenp = sb.len;
				return sb_detach(&sb);
			}
		}
	}
	size_t len = 0;
	const char *s = fy_node_get_scalar(n, &len);
	*lenp = s ? len : 0;
	return xstrndup(s ? s : "", s ? len : 0);
}

static json_t *node_to_json(struct ld *ld, struct fy_node *n);

static int mark_line(struct fy_node *n)
{
	struct fy_token *t = fy_node_is_scalar(n) ? fy_node_get_scalar_token(n) : NULL;
	const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
	return m ? m->line + 1 : 0;
}

/* Merge the mapping src's pairs into dst where dst has no such key. */
static int merge_from(struct ld *ld, json_t *dst, struct fy_node *src)
{
	if (fy_node_is_alias(src))
		src = fy_node_resolve_alias(src);
	if (!src || !fy_node_is_mapping(src)) {
		berr_set(ld->err, 0, "%s: line %d: map merge requires map or sequence of maps as the value", ld->name,
			 src ? mark_line(src) : 0);
		return -1;
	}
	json_t *m = node_to_json(ld, src);
	if (!m)
		return -1;
	const char *k;
	json_t *v;
	json_object_foreach(m, k, v)
		if (!json_object_get(dst, k))
			json_object_set(dst, k, v);
	json_decref(m);
	return 0;
}

static json_t *mapping_to_json(struct ld *ld, struct fy_node *n)
{
	json_t *obj = json_object();
	struct fy_node *merges[64];
	size_t nmerges = 0;
	void *it = NULL;
	struct fy_node_pair *p;
	while ((p = fy_node_mapping_iterate(n, &it))) {
		struct fy_node *k = fy_node_pair_key(p), *v = fy_node_pair_value(p);
		if (k && fy_node_is_alias(k))
			k = fy_node_resolve_alias(k);
		if (!k || !fy_node_is_scalar(k)) {
			berr_set(ld->err, 0, "%s: line %d: mapping keys must be strings", ld->name, k ? mark_line(k) : 0);
			goto fail;
		}
		size_t kl;
		_cleanup_free_ char *key = scalar_text(ld, k, &kl);
		bool plain = fy_node_get_style(k) == FYNS_PLAIN;
		if (plain && kl == 2 && !memcmp(key, "<<", 2)) {
			if (nmerges < ARRAY_SIZE(merges))
				merges[nmerges++] = v;
			continue;
		}
		if (plain) {
			/* keys resolve too: `1: x` has key "1", `null:` key "null"; keep the text */
		}
		json_t *jv = v ? node_to_json(ld, v) : json_null();
		if (!jv)
			goto fail;
		json_object_set_new(obj, key, jv);
	}
	for (size_t i = 0; i < nmerges; i++) {
		struct fy_node *v = merges[i];
		if (v && fy_node_is_alias(v))
			v = fy_node_resolve_alias(v);
		if (v && fy_node_is_sequence(v)) {
			void *it2 = NULL;
			struct fy_node *item;
			while ((item = fy_node_sequence_iterate(v, &it2)))
				if (merge_from(ld, obj, item) < 0)
					goto fail;
		} else if (merge_from(ld, obj, v) < 0)
			goto fail;
	}
	return obj;
fail:
	json_decref(obj);
	return NULL;
}

static json_t *node_to_json(struct ld *ld, struct fy_node *n)
{
	if (++ld->depth > 200) {
		berr_set(ld->err, 0, "%s: document nested too deeply (alias loop?)", ld->name);
		ld->depth--;
		return NULL;
	}
	json_t *r = NULL;
	if (fy_node_is_alias(n)) {
		struct fy_node *t = fy_node_resolve_alias(n);
		if (!t) {
			berr_set(ld->err, 0, "%s: line %d: unknown anchor referenced", ld->name, mark_line(n));
			goto out;
		}
		r = node_to_json(ld, t);
		goto out;
	}
	size_t tl = 0;
	const char *tag = fy_node_get_tag(n, &tl);
	bool reset = tag && tl == 6 && !memcmp(tag, "!reset", 6);
	bool override = tag && tl == 9 && !memcmp(tag, "!override", 9);
	switch (fy_node_get_type(n)) {
	case FYNT_SCALAR: {
		size_t len;
		_cleanup_free_ char *str = scalar_text(ld, n, &len);
		if (fy_node_get_style(n) == FYNS_PLAIN && !(tag && tl == 5 && !memcmp(tag, "!!str", 5)) &&
		    !(tag && !strncmp(tag, "tag:yaml.org,2002:str", tl)))
			r = resolve_plain(str);
		else
			r = json_string(str);
		if (!r) /* invalid UTF-8 */
			r = json_stringn_nocheck(str, strlen(str));
		break;
	}
	case FYNT_SEQUENCE: {
		r = json_array();
		void *it = NULL;
		struct fy_node *item;
		while ((item = fy_node_sequence_iterate(n, &it))) {
			json_t *j = node_to_json(ld, item);
			if (!j) {
				json_decref(r);
				r = NULL;
				goto out;
			}
			json_array_append_new(r, j);
		}
		break;
	}
	case FYNT_MAPPING:
		r = mapping_to_json(ld, n);
		break;
	}
	if (r && reset) {
		json_decref(r);
		r = json_pack("{s:n}", COMPOSE_RESET_KEY);
	} else if (r && override)
		r = json_pack("{s:o}", COMPOSE_OVERRIDE_KEY, r);
out:
	ld->depth--;
	return r;
}

/* A line holding only "..." indented: not YAML's document end marker (that one sits in column
 * 0), but the notes' example uses it to end the file. Returns its offset or -1. */
static long indented_doc_end(const char *text, size_t len, int max_line)
{
	int line = 1;
	for (size_t i = 0; i < len; line++) {
		size_t e = i;
		while (e < len && text[e] != '\n')
			e++;
		size_t j = i;
		while (j < e && (text[j] == ' ' || text[j] == '\t'))
			j++;
		if (j > i && e - j >= 3 && !memcmp(text + j, "...", 3)) {
			size_t k = j + 3;
			while (k < e && (text[k] == ' ' || text[k] == '\t' || text[k] == '\r'))
				k++;
			if (k == e && line <= max_line + 1)
				return (long)i;
		}
		i = e + 1;
	}
	return -1;
}

struct diagcap {
	int line, col;
	char msg[512];
	bool have;
};

/* libfyaml's diagnostics arrive as "<input>:LINE:COL: error: MESSAGE"; keep the first. */
static void diag_out(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag;
	struct diagcap *c = user;
	if (c->have)
		return;
	char tmp[1024];
	snprintf(tmp, sizeof tmp, "%.*s", (int)(len < sizeof tmp ? len : sizeof tmp - 1), buf);
	char *e = strstr(tmp, ": error: ");
	if (!e)
		return;
	*e = 0;
	char *msg = e + 9;
	msg[strcspn(msg, "\n")] = 0;
	char *c2 = strrchr(tmp, ':');
	if (c2) {
		c->col = atoi(c2 + 1);
		*c2 = 0;
		char *c1 = strrchr(tmp, ':');
		if (c1)
			c->line = atoi(c1 + 1);
	}
	snprintf(c->msg, sizeof c->msg, "%s", msg);
	c->have = true;
}

/* Parse every document of the stream into a JSON array. -1: a syntax error (in *cap) or a
 * conversion error (in err, cap->have false). */
static int parse_docs(struct ld *ld, const char *text, size_t len, struct diagcap *cap, json_t **docs)
{
	struct fy_diag_cfg dcfg;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = diag_out;
	dcfg.user = cap;
	dcfg.colorize = false;
	struct fy_diag *diag = fy_diag_create(&dcfg);
	/* collect errors rather than print them: libfyaml 0.7 can crash drawing the source line
	 * of an error (found by fuzzing) */
	fy_diag_set_collect_errors(diag, true);
	struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET | FYPCF_JSON_NONE, .diag = diag };
	struct fy_parser *fyp = fy_parser_create(&cfg);
	json_t *arr = json_array();
	int rc = 0;
	if (!fyp || fy_parser_set_string(fyp, text, len) < 0) {
		snprintf(cap->msg, sizeof cap->msg, "cannot set up the YAML parser");
		cap->have = true;
		rc = -1;
	}
	struct fy_document *fyd;
	while (rc == 0 && (fyd = fy_parse_load_document(fyp))) {
		struct fy_node *root = fy_document_root(fyd);
		json_t *j = root ? node_to_json(ld, root) : json_null();
		fy_parse_document_destroy(fyp, fyd);
		if (!j) {
			rc = -1;
			break;
		}
		json_array_append_new(arr, j);
	}
	void *it = NULL;
	struct fy_diag_error *de = fy_diag_errors_iterate(diag, &it);
	if (de && !cap->have) {
		cap->line = de->line + 1;
		cap->col = de->column + 1;
		snprintf(cap->msg, sizeof cap->msg, "%s", de->msg ? de->msg : "invalid YAML");
		cap->have = true;
	}
	fy_diag_set_collect_errors(diag, false); /* frees the collected errors */
	if (rc == 0 && cap->have)
		rc = -1;
	if (fyp)
		fy_parser_destroy(fyp);
	fy_diag_unref(diag);
	if (rc < 0)
		json_decref(arr);
	else
		*docs = arr;
	return rc;
}

/* Offset of the first byte that is not well-formed UTF-8, or -1. (YAML streams are Unicode;
 * go-yaml refuses invalid UTF-8, and libfyaml 0.7 can loop on it after a '%'.) */
static long bad_utf8(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t n;
		unsigned int cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0)
			n = 1, cp = c & 0x1F;
		else if ((c & 0xF0) == 0xE0)
			n = 2, cp = c & 0x0F;
		else if ((c & 0xF8) == 0xF0)
			n = 3, cp = c & 0x07;
		else
			return (long)i;
		for (size_t k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
				return (long)i;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return (long)i;
		i += n + 1;
	}
	return -1;
}

int compose_yaml_parse_all(const char *name, const char *text, size_t len, json_t **out, berr *err)
{
	struct diagcap cap = { 0 };
	if (lazylib_load_fyaml(err) < 0)
		return -1;
	long bad = bad_utf8((const unsigned char *)text, len);
	if (bad >= 0) {
		int line = 1;
		for (long i = 0; i < bad; i++)
			line += text[i] == '\n';
		return berr_set(err, 0, "failed to parse %s: yaml: line %d: invalid UTF-8 (byte 0x%02x at offset %ld)", name,
				line, (unsigned char)text[bad], bad);
	}
	struct ld ld = { name, err, 0, text, len };
	json_t *docs = NULL;
	if (parse_docs(&ld, text, len, &cap, &docs) < 0) {
		if (!cap.have)
			return -1; /* err is set */
		/* An indented "..." alone on a line is not YAML's document end marker (that one sits in
		 * column 0): go-yaml v3 (compose v2) reads it as a plain scalar that must be a mapping
		 * key and fails with "could not find expected ':'" on its line. The user's notes end
		 * their compose example with it as a "more follows" shorthand: fail exactly as compose
		 * does, then say why. */
		long cut = indented_doc_end(text, len, cap.line);
		struct diagcap cap2 = { 0 };
		json_t *docs2 = NULL;
		if (cut >= 0 && parse_docs(&ld, text, (size_t)cut, &cap2, &docs2) == 0) {
			json_decref(docs2);
			int l = 1;
			for (long i = 0; i < cut; i++)
				l += text[i] == '\n';
			return berr_set(err, 0,
					"failed to parse %s: yaml: line %d: could not find expected ':'\n"
					"%s:%d: the indented \"...\" is not YAML's document end marker; it is the notes' "
					"\"more follows\" shorthand: remove that line",
					name, l, name, l);
		} else if (cut >= 0 && !cap2.have) {
			return -1;
		}
		return berr_set(err, 0, "failed to parse %s: yaml: line %d, column %d: %s", name, cap.line, cap.col,
				cap.msg);
	}
	size_t i;
	json_t *d;
	json_array_foreach(docs, i, d) {
		if (json_is_null(d))
			json_array_set_new(docs, i, json_object());
		else if (!json_is_object(d)) {
			json_decref(docs);
			return berr_set(err, 0, "failed to parse %s: top-level object must be a mapping", name);
		}
	}
	*out = docs;
	return 0;
}

int compose_yaml_parse(const char *name, const char *text, size_t len, json_t **out, berr *err)
{
	json_t *docs;
	if (compose_yaml_parse_all(name, text, len, &docs, err) < 0)
		return -1;
	*out = json_array_size(docs) ? json_incref(json_array_get(docs, 0)) : json_object();
	json_decref(docs);
	return 0;
}

int compose_yaml_load_file_all(const char *path, json_t **out, berr *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	if (read_file(path, &text, &len, err) < 0)
		return -1;
	return compose_yaml_parse_all(path, text, len, out, err);
}

int compose_yaml_load_file(const char *path, json_t **out, berr *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	if (read_file(path, &text, &len, err) < 0)
		return -1;
	return compose_yaml_parse(path, text, len, out, err);
}

/* ---- emitting ---- */
static struct fy_node *json_to_node(struct fy_document *fyd, json_t *v);

static struct fy_node *quoted(struct fy_document *fyd, const char *s)
{
	json_t *str = json_string(s);
	char *j = json_dumps(str, JSON_ENCODE_ANY);
	json_decref(str);
	/* the document keeps (and frees) the buffer: the node points into it */
	struct fy_node *n = fy_node_build_from_malloc_string(fyd, j, FY_NT);
	if (!n)
		free(j);
	return n;
}

static bool needs_quotes(const char *s)
{
	if (!*s || !compose_yaml_plain_is_string(s))
		return true;
	/* YAML 1.1 booleans: go-yaml v3 quotes them on output for older readers. */
	static const char *const y11[] = { "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
					   "on", "On", "ON", "off", "Off", "OFF" };
	if (in_list(s, y11, ARRAY_SIZE(y11)))
		return true;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n')
			return true;
	return false;
}

static struct fy_node *json_to_node(struct fy_document *fyd, json_t *v)
{
	char buf[64];
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		struct fy_node *m = fy_node_create_mapping(fyd);
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x) {
			struct fy_node *kn = needs_quotes(k) ? quoted(fyd, k) : fy_node_create_scalar_copy(fyd, k, FY_NT);
			fy_node_mapping_append(m, kn, json_to_node(fyd, x));
		}
		return m;
	}
	case JSON_ARRAY: {
		struct fy_node *s = fy_node_create_sequence(fyd);
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x)
			fy_node_sequence_append(s, json_to_node(fyd, x));
		return s;
	}
	case JSON_STRING: {
		const char *s = json_string_value(v);
		if (needs_quotes(s) || strchr(s, '\n') || s[strlen(s) - 1] == ' ' || s[0] == ' ')
			return quoted(fyd, s);
		return fy_node_create_scalar_copy(fyd, s, FY_NT);
	}
	case JSON_INTEGER:
		snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return fy_node_create_scalar_copy(fyd, buf, FY_NT);
	case JSON_REAL: {
		double d = json_real_value(v);
		if (d == floor(d) && fabs(d) < 1e15)
			snprintf(buf, sizeof buf, "%.0f", d);
		else
			snprintf(buf, sizeof buf, "%.17g", d);
		/* shortest representation that round-trips */
		for (int prec = 1; prec <= 17; prec++) {
			char t[64];
			snprintf(t, sizeof t, "%.*g", prec, d);
			if (strtod(t, NULL) == d) {
				snprintf(buf, sizeof buf, "%s", t);
				break;
			}
		}
		return fy_node_create_scalar_copy(fyd, buf, FY_NT);
	}
	case JSON_TRUE:
		return fy_node_create_scalar_copy(fyd, "true", FY_NT);
	case JSON_FALSE:
		return fy_node_create_scalar_copy(fyd, "false", FY_NT);
	case JSON_NULL:
		return fy_node_create_scalar_copy(fyd, "null", FY_NT);
	}
	return NULL;
}

char *compose_yaml_emit(json_t *v)
{
	struct fy_document *fyd = fy_document_create(NULL);
	fy_document_set_root(fyd, json_to_node(fyd, v));
	char *s = fy_emit_document_to_string(fyd, FYECF_MODE_BLOCK | FYECF_INDENT_2 | FYECF_WIDTH_INF |
							  FYECF_DOC_START_MARK_OFF | FYECF_DOC_END_MARK_OFF);
	fy_document_destroy(fyd);
	return s;
}
