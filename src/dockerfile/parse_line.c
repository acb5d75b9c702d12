/* parse_line.c: one instruction line -> a node (BuildKit's split_command.go and
 * line_parsers.go): the instruction name, --flags, and the per-instruction argument
 * parsers (JSON-or-shell, whitespace lists, key=value, HEALTHCHECK, ONBUILD). */
#include <string.h>
#include <stdio.h>
#include "dockerfile/parse_internal.h"
#include "util/cleanup.h"

static char *msgf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *msgf(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	return sb_detach(&sb);
}

/* unicode.IsSpace(rune(b)) for a single byte, as split_command.go and HEALTHCHECK do. */
static bool byte_space(unsigned char b)
{
	return df_isspace(b);
}

/* extractBuilderFlags: leading "--x=y" words become flags; returns the rest of the line.
 * Bytes are taken one at a time (a byte >= 0x80 becomes the rune of the same value, as
 * in BuildKit). */
static void extract_flags(const char *line, size_t len, int esc, struct strvec *flags,
			  const char **rest, size_t *restlen)
{
	enum { SPACES, WORD, QUOTE } phase = SPACES;
	struct strbuf w = STRBUF_INIT;
	sb_init(&w);
	bool blank_ok = false;
	unsigned char quote = 0, ch = 0;
	*rest = line + len;
	*restlen = 0;
	for (size_t pos = 0; pos <= len; pos++) {
		if (pos != len)
			ch = (unsigned char)line[pos];
		if (phase == SPACES) {
			if (pos == len)
				break;
			if (byte_space(ch))
				continue;
			if (ch != '-' || pos + 1 == len || line[pos + 1] != '-') {
				*rest = line + pos;
				*restlen = len - pos;
				goto out;
			}
			phase = WORD;
		}
		if (pos == len) {
			if (strcmp(w.buf, "--") && (blank_ok || w.len))
				sv_push(flags, w.buf);
			break;
		}
		if (phase == WORD) {
			if (byte_space(ch)) {
				phase = SPACES;
				if (!strcmp(w.buf, "--")) {
					*rest = line + pos;
					*restlen = len - pos;
					goto out;
				}
				if (blank_ok || w.len)
					sv_push(flags, w.buf);
				sb_reset(&w);
				blank_ok = false;
				continue;
			}
			if (ch == '\'' || ch == '"') {
				quote = ch;
				blank_ok = true;
				phase = QUOTE;
				continue;
			}
			if (ch == esc) {
				if (pos + 1 == len)
					continue;
				ch = (unsigned char)line[++pos];
			}
			df_put_rune(&w, ch);
			continue;
		}
		/* QUOTE */
		if (ch == quote) {
			phase = WORD;
			continue;
		}
		if (ch == esc) {
			if (pos + 1 == len) {
				phase = WORD;
				continue;
			}
			ch = (unsigned char)line[++pos];
		}
		df_put_rune(&w, ch);
	}
out:
	sb_release(&w);
}

/* parseWords: space-separated words, quotes kept, escapes kept before the escaped char. */
static void parse_words(const char *s, size_t len, int esc, struct strvec *words)
{
	enum { SPACES, WORD, QUOTE } phase = SPACES;
	struct strbuf w = STRBUF_INIT;
	sb_init(&w);
	uint32_t quote = 0, ch = 0;
	bool blank_ok = false;
	size_t cw = 0;
	for (size_t pos = 0; pos <= len; pos += cw) {
		if (pos != len)
			cw = df_rune(s + pos, len - pos, &ch);
		if (phase == SPACES) {
			if (pos == len)
				break;
			if (df_isspace(ch))
				continue;
			phase = WORD;
		}
		if (pos == len) {
			if (blank_ok || w.len)
				sv_push(words, w.buf);
			break;
		}
		if (phase == WORD) {
			if (df_isspace(ch)) {
				phase = SPACES;
				if (blank_ok || w.len)
					sv_push(words, w.buf);
				sb_reset(&w);
				blank_ok = false;
				continue;
			}
			if (ch == '\'' || ch == '"') {
				quote = ch;
				blank_ok = true;
				phase = QUOTE;
			}
			if (ch == (uint32_t)esc) {
				if (pos + cw == len)
					continue;
				df_put_rune(&w, ch);
				pos += cw;
				cw = df_rune(s + pos, len - pos, &ch);
			}
			df_put_rune(&w, ch);
			continue;
		}
		/* QUOTE */
		if (ch == quote)
			phase = WORD;
		if (ch == (uint32_t)esc && quote != '\'') {
			if (pos + cw == len) {
				phase = WORD;
				continue;
			}
			pos += cw;
			df_put_rune(&w, ch);
			cw = df_rune(s + pos, len - pos, &ch);
		}
		df_put_rune(&w, ch);
	}
	sb_release(&w);
}

static struct df_node *push(struct df_node ***tail, const char *v, size_t len)
{
	struct df_node *n = df_node_new(v, len);
	**tail = n;
	*tail = &n->next;
	return n;
}

/* parseStringsWhitespaceDelimited: regexp [\t\v\f\r ]+ split. */
static struct df_node *split_ws(const char *s, size_t len)
{
	if (!len)
		return NULL;
	struct df_node *head = NULL, **tail = &head;
	size_t beg = 0, i = 0;
	while (i < len) {
		if (df_ws(s[i])) {
			size_t j = i;
			while (j < len && df_ws(s[j]))
				j++;
			push(&tail, s + beg, i - beg);
			beg = i = j;
		} else {
			i++;
		}
	}
	push(&tail, s + beg, len - beg);
	return head;
}

static struct df_node *kv_node(const char *k, size_t klen, const char *v, size_t vlen, const char *sep)
{
	struct df_node *n = df_node_new(k, klen);
	n->next = df_node_new(v, vlen);
	n->next->next = df_node_new(sep, strlen(sep));
	return n;
}

/* parseNameVal: ENV/LABEL "k=v k2=v2" or the legacy "k the rest of the line". */
static int parse_name_val(const char *s, size_t len, const char *key, int esc,
			  struct df_node **out, char **errmsg)
{
	_cleanup_strvec_ struct strvec words = STRVEC_INIT;
	parse_words(s, len, esc, &words);
	*out = NULL;
	if (!words.n)
		return 0;
	if (!strchr(words.v[0], '=')) {
		size_t i = 0;
		while (i < len && !df_ws(s[i]))
			i++;
		if (i == len) {
			*errmsg = msgf("%s must have two arguments", key);
			return -1;
		}
		size_t j = i;
		while (j < len && df_ws(s[j]))
			j++;
		*out = kv_node(s, i, s + j, len - j, "");
		return 0;
	}
	struct df_node **tail = out;
	for (size_t i = 0; i < words.n; i++) {
		char *eq = strchr(words.v[i], '=');
		if (!eq) {
			struct strbuf q = STRBUF_INIT;
			df_quote(&q, words.v[i], strlen(words.v[i]));
			*errmsg = msgf("Syntax error - can't find = in %s. Must be of the form: name=value", q.buf);
			sb_release(&q);
			df_node_free(*out);
			*out = NULL;
			return -1;
		}
		struct df_node *n = kv_node(words.v[i], (size_t)(eq - words.v[i]), eq + 1, strlen(eq + 1), "=");
		*tail = n;
		tail = &n->next->next->next;
	}
	return 0;
}

/* parseMaybeJSON: the JSON form, else the whole rest as one argument. */
static int maybe_json(const char *s, size_t len, struct df_node **out, bool *json, char **errmsg)
{
	*out = NULL;
	if (!len)
		return 0;
	int r = df_parse_json(s, len, out);
	if (r == 0) {
		*json = true;
		return 0;
	}
	if (r < 0) {
		*errmsg = msgf("when using JSON array syntax, arrays must be comprised of strings only");
		return -1;
	}
	*out = df_node_new(s, len);
	return 0;
}

static int maybe_json_list(const char *s, size_t len, struct df_node **out, bool *json, char **errmsg)
{
	int r = df_parse_json(s, len, out);
	if (r == 0) {
		*json = true;
		return 0;
	}
	if (r < 0) {
		*errmsg = msgf("when using JSON array syntax, arrays must be comprised of strings only");
		return -1;
	}
	*out = split_ws(s, len);
	return 0;
}

static int health(const char *s, size_t len, struct df_node **out, bool *json, char **errmsg)
{
	size_t sep = 0, next;
	*out = NULL;
	while (sep < len && !byte_space((unsigned char)s[sep]))
		sep++;
	for (next = sep; next < len && byte_space((unsigned char)s[next]); next++)
		;
	if (sep == 0)
		return 0;
	struct df_node *cmd;
	if (maybe_json(s + next, len - next, &cmd, json, errmsg))
		return -1;
	*out = df_node_new(s, sep);
	(*out)->next = cmd;
	return 0;
}

enum kind { K_IGNORE, K_JSON_LIST, K_NAME_OR_NAMEVAL, K_JSON, K_ENV, K_LABEL, K_WS, K_HEALTH, K_STRING, K_ONBUILD };

static const struct { const char *name; enum kind kind; } dispatch[] = {
	{ "add", K_JSON_LIST }, { "arg", K_NAME_OR_NAMEVAL }, { "cmd", K_JSON },
	{ "copy", K_JSON_LIST }, { "entrypoint", K_JSON }, { "env", K_ENV },
	{ "expose", K_WS }, { "from", K_WS }, { "healthcheck", K_HEALTH },
	{ "label", K_LABEL }, { "maintainer", K_STRING }, { "onbuild", K_ONBUILD },
	{ "run", K_JSON }, { "shell", K_JSON }, { "stopsignal", K_STRING },
	{ "user", K_STRING }, { "volume", K_JSON_LIST }, { "workdir", K_STRING },
};

int df_node_from_line(const char *line, size_t len, int esc, int depth, struct df_node **out, char **errmsg)
{
	*out = NULL;
	if (depth > DF_MAX_NESTING) {
		*errmsg = msgf("instructions nested more than %d deep", DF_MAX_NESTING);
		return -1;
	}
	const char *orig = line;
	size_t origlen = len;
	df_trim_space(&line, &len);
	size_t cl = 0;
	while (cl < len && !df_ws(line[cl]))
		cl++;
	struct df_node *node = xcalloc(1, sizeof(*node));
	node->value = df_lower(line, cl);
	node->len = strlen(node->value);
	const char *args = "";
	size_t alen = 0;
	if (cl < len) {
		size_t r = cl;
		while (r < len && df_ws(line[r]))
			r++;
		extract_flags(line + r, len - r, esc, &node->flags, &args, &alen);
		df_trim_space(&args, &alen);
	}
	enum kind k = K_IGNORE;
	for (size_t i = 0; i < sizeof(dispatch) / sizeof(dispatch[0]); i++)
		if (dispatch[i].name[0] == node->value[0] && !strcmp(dispatch[i].name, node->value)) {
			k = dispatch[i].kind; /* names are unique */
			break;
		}
	int rc = 0;
	_cleanup_strvec_ struct strvec words = STRVEC_INIT;
	switch (k) {
	case K_IGNORE:
		node->next = df_node_new("", 0);
		break;
	case K_JSON_LIST:
		rc = maybe_json_list(args, alen, &node->next, &node->json, errmsg);
		break;
	case K_JSON:
		rc = maybe_json(args, alen, &node->next, &node->json, errmsg);
		break;
	case K_NAME_OR_NAMEVAL: {
		parse_words(args, alen, esc, &words);
		struct df_node **tail = &node->next;
		for (size_t i = 0; i < words.n; i++)
			push(&tail, words.v[i], strlen(words.v[i]));
		break;
	}
	case K_ENV:
		rc = parse_name_val(args, alen, "ENV", esc, &node->next, errmsg);
		break;
	case K_LABEL:
		rc = parse_name_val(args, alen, "LABEL", esc, &node->next, errmsg);
		break;
	case K_WS:
		node->next = split_ws(args, alen);
		break;
	case K_HEALTH:
		rc = health(args, alen, &node->next, &node->json, errmsg);
		break;
	case K_STRING:
		if (alen)
			node->next = df_node_new(args, alen);
		break;
	case K_ONBUILD:
		if (alen) {
			struct df_node *child;
			rc = df_node_from_line(args, alen, esc, depth + 1, &child, errmsg);
			if (rc == 0) {
				node->next = df_node_new("", 0);
				node->next->children = xmalloc(sizeof(*node->next->children));
				node->next->children[0] = child;
				node->next->nchildren = 1;
			}
		}
		break;
	}
	if (rc) {
		df_node_free(node);
		return -1;
	}
	node->original = xstrndup(orig, origlen);
	*out = node;
	return 0;
}
