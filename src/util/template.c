/* template.c: a Go text/template subset evaluated over jansson values, as Docker's --format.
 * Parsing builds a small node tree; execution walks it with json_t values (NULL = Go's
 * "invalid" value, printed as "<no value>"). Messages follow Go's wording. */
#include "util/template.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---------- tree ---------- */

enum akind { A_FIELD, A_DOT, A_VAR, A_FUNC, A_STRING, A_NUMBER, A_BOOL, A_NIL, A_PIPE };
struct pipe;
struct arg {
	enum akind kind;
	int pos;
	char *name;          /* function or variable name; original text of a constant */
	struct strvec fields; /* field chain after a var, dot-field or (pipe) */
	json_t *cval;        /* constant value */
	struct pipe *pipe;
};
struct cmd {
	struct arg **args;
	size_t n;
	int pos;
};
struct pipe {
	char *decl[2];
	int ndecl;
	bool assign;
	struct cmd **cmds;
	size_t n;
	int pos;
};
enum nkind { N_TEXT, N_ACTION, N_IF, N_RANGE, N_WITH, N_BREAK, N_CONTINUE };
struct node;
struct list {
	struct node **v;
	size_t n;
};
struct node {
	enum nkind kind;
	int pos;
	char *text;
	size_t textlen;
	struct pipe *pipe;
	struct list list, elselist;
};
struct tmpl {
	char *src;
	char *name;  /* Go's template name, "" for Docker's --format */
	struct list root;
};

static void pipe_free(struct pipe *p);
static void arg_free(struct arg *a)
{
	if (!a)
		return;
	free(a->name);
	sv_clear(&a->fields);
	if (a->cval)
		json_decref(a->cval);
	pipe_free(a->pipe);
	free(a);
}
static void pipe_free(struct pipe *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->ndecl; i++)
		free(p->decl[i]);
	for (size_t i = 0; i < p->n; i++) {
		for (size_t j = 0; j < p->cmds[i]->n; j++)
			arg_free(p->cmds[i]->args[j]);
		free(p->cmds[i]->args);
		free(p->cmds[i]);
	}
	free(p->cmds);
	free(p);
}
static void list_free(struct list *l);
static void node_free(struct node *n)
{
	if (!n)
		return;
	free(n->text);
	pipe_free(n->pipe);
	list_free(&n->list);
	list_free(&n->elselist);
	free(n);
}
static void list_free(struct list *l)
{
	for (size_t i = 0; i < l->n; i++)
		node_free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
static void list_add(struct list *l, struct node *n)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n++] = n;
}

void tmpl_free(struct tmpl *t)
{
	if (!t)
		return;
	list_free(&t->root);
	free(t->src);
	free(t->name);
	free(t);
}

/* ---------- functions table ---------- */

static const char *const funcs[] = {
	"and", "eq", "ge", "gt", "html", "index", "js", "le", "len", "lt", "ne", "not", "or",
	"print", "printf", "println", "slice", "urlquery", "call",
	"json", "join", "split", "lower", "upper", "title", "truncate", "pad", NULL,
};
static bool func_known(const char *name)
{
	for (size_t i = 0; funcs[i]; i++)
		if (!strcmp(funcs[i], name))
			return true;
	return false;
}

/* ---------- lexer ---------- */

enum tok { T_EOF, T_FIELD, T_DOT, T_VAR, T_IDENT, T_STRING, T_NUMBER, T_CHAR, T_LPAREN, T_RPAREN,
	   T_PIPE, T_DECLARE, T_ASSIGN, T_COMMA, T_ERROR };
struct token {
	enum tok t;
	int pos;
	char *s;  /* text (identifier, field chain ".A.B", var "$x", decoded string) */
};

/* An action's tokens. */
struct action {
	struct token *v;
	size_t n, i;
	int pos;  /* offset of the action's content */
};

struct parser {
	int range_depth;      /* {{break}}/{{continue}} are allowed inside range */
	const char *src;
	size_t len;
	size_t off;
	struct strvec vars;   /* variables in scope */
	berr *err;
	char *name;
};

static int line_of(const char *src, int pos)
{
	int l = 1;
	for (int i = 0; i < pos && src[i]; i++)
		if (src[i] == '\n')
			l++;
	return l;
}

static int perr(struct parser *p, int pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int perr(struct parser *p, int pos, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return berr_set(p->err, 0, "template: %s:%d: %s", p->name, line_of(p->src, pos), msg);
}

static void action_free(struct action *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i].s);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}
static void tok_push(struct action *a, enum tok t, int pos, char *s)
{
	a->v = xrealloc(a->v, (a->n + 1) * sizeof *a->v);
	a->v[a->n++] = (struct token){ t, pos, s };
}

static bool is_ident_char(int c)
{
	return isalnum(c) || c == '_' || (unsigned char)c >= 0x80;
}

static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Decode a Go interpreted string literal starting at s[0]=='"'. Returns length consumed or -1. */
static int lex_quoted(const char *s, size_t max, struct strbuf *out)
{
	size_t i = 1;
	while (i < max && s[i] != '"') {
		if (s[i] == '\n')
			return -1;
		if (s[i] != '\\') {
			sb_addc(out, s[i++]);
			continue;
		}
		if (++i >= max)
			return -1;
		switch (s[i]) {
		case 'n': sb_addc(out, '\n'); break;
		case 't': sb_addc(out, '\t'); break;
		case 'r': sb_addc(out, '\r'); break;
		case 'a': sb_addc(out, '\a'); break;
		case 'b': sb_addc(out, '\b'); break;
		case 'f': sb_addc(out, '\f'); break;
		case 'v': sb_addc(out, '\v'); break;
		case '\\': sb_addc(out, '\\'); break;
		case '"': sb_addc(out, '"'); break;
		case '\'': sb_addc(out, '\''); break;
		case 'x': {
			if (i + 2 >= max || !isxdigit(s[i + 1]) || !isxdigit(s[i + 2]))
				return -1;
			char h[3] = { s[i + 1], s[i + 2], 0 };
			sb_addc(out, (char)strtol(h, NULL, 16));
			i += 2;
			break;
		}
		case 'u': {
			if (i + 4 >= max)
				return -1;
			char h[5] = { s[i + 1], s[i + 2], s[i + 3], s[i + 4], 0 };
			for (int k = 0; k < 4; k++)
				if (!isxdigit((unsigned char)h[k]))
					return -1;
			unsigned cp = (unsigned)strtol(h, NULL, 16);
			if (cp < 0x80) {
				sb_addc(out, (char)cp);
			} else if (cp < 0x800) {
				sb_addc(out, (char)(0xc0 | (cp >> 6)));
				sb_addc(out, (char)(0x80 | (cp & 0x3f)));
			} else {
				sb_addc(out, (char)(0xe0 | (cp >> 12)));
				sb_addc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
				sb_addc(out, (char)(0x80 | (cp & 0x3f)));
			}
			i += 4;
			break;
		}
		default:
			return -1;
		}
		i++;
	}
	if (i >= max)
		return -1;
	return (int)i + 1;
}

/* Tokenize the action content src[start, end). */
static int lex_action(struct parser *p, size_t start, size_t end, struct action *a)
{
	const char *s = p->src;
	size_t i = start;
	a->pos = (int)start;
	while (i < end) {
		char c = s[i];
		int pos = (int)i;
		if (is_space(c)) {
			i++;
		} else if (c == '.' || c == '$') {
			size_t j = i;
			if (c == '$') {
				j++;
				while (j < end && is_ident_char(s[j]))
					j++;
			} else if (j + 1 < end && isdigit((unsigned char)s[j + 1])) {
				goto number;
			}
			/* field chain */
			while (j < end && s[j] == '.') {
				size_t k = j + 1;
				while (k < end && is_ident_char(s[k]))
					k++;
				if (k == j + 1) {
					if (j == i && c == '.')
						break; /* bare dot */
					return perr(p, pos, "unexpected . after term \"%.*s\"", (int)(j - i), s + i);
				}
				j = k;
			}
			if (c == '.' && j == i) {
				tok_push(a, T_DOT, pos, NULL);
				i++;
			} else {
				tok_push(a, c == '$' ? T_VAR : T_FIELD, pos, xstrndup(s + i, j - i));
				i = j;
			}
		} else if (c == '"') {
			struct strbuf sb = STRBUF_INIT;
			sb_init(&sb);
			int n = lex_quoted(s + i, end - i, &sb);
			if (n < 0) {
				sb_release(&sb);
				return perr(p, pos, "unterminated quoted string");
			}
			tok_push(a, T_STRING, pos, sb_detach(&sb));
			i += (size_t)n;
		} else if (c == '`') {
			size_t j = i + 1;
			while (j < end && s[j] != '`')
				j++;
			if (j >= end)
				return perr(p, pos, "unterminated raw quoted string");
			tok_push(a, T_STRING, pos, xstrndup(s + i + 1, j - i - 1));
			i = j + 1;
		} else if (c == '\'') {
			size_t j = i + 1;
			if (j < end && s[j] == '\\')
				j++;
			j++;
			if (j >= end || s[j] != '\'')
				return perr(p, pos, "unterminated character constant");
			char buf[16];
			int ch = s[j - 1];
			if (s[i + 1] == '\\')
				ch = ch == 'n' ? '\n' : ch == 't' ? '\t' : ch;
			snprintf(buf, sizeof buf, "%d", ch);
			tok_push(a, T_NUMBER, pos, xstrdup(buf));
			i = j + 1;
		} else if (isdigit((unsigned char)c) || ((c == '-' || c == '+') && i + 1 < end &&
				(isdigit((unsigned char)s[i + 1]) || s[i + 1] == '.'))) {
number:;
			size_t j = i + 1;
			while (j < end && (isalnum((unsigned char)s[j]) || s[j] == '.' || s[j] == '_' ||
					   ((s[j] == '-' || s[j] == '+') && (s[j - 1] == 'e' || s[j - 1] == 'E'))))
				j++;
			tok_push(a, T_NUMBER, pos, xstrndup(s + i, j - i));
			i = j;
		} else if (isalpha((unsigned char)c) || c == '_') {
			size_t j = i;
			while (j < end && is_ident_char(s[j]))
				j++;
			tok_push(a, T_IDENT, pos, xstrndup(s + i, j - i));
			i = j;
		} else if (c == '(') {
			tok_push(a, T_LPAREN, pos, NULL);
			i++;
		} else if (c == ')') {
			/* a field chain may follow a closing paren */
			tok_push(a, T_RPAREN, pos, NULL);
			i++;
			if (i < end && s[i] == '.' && i + 1 < end && is_ident_char(s[i + 1])) {
				size_t j = i;
				while (j < end && s[j] == '.') {
					size_t k = j + 1;
					while (k < end && is_ident_char(s[k]))
						k++;
					j = k;
				}
				tok_push(a, T_FIELD, (int)i, xstrndup(s + i, j - i));
				a->v[a->n - 1].t = T_CHAR; /* marks "chain after paren" */
				i = j;
			}
		} else if (c == '|') {
			tok_push(a, T_PIPE, pos, NULL);
			i++;
		} else if (c == ':' && i + 1 < end && s[i + 1] == '=') {
			tok_push(a, T_DECLARE, pos, NULL);
			i += 2;
		} else if (c == '=') {
			tok_push(a, T_ASSIGN, pos, NULL);
			i++;
		} else if (c == ',') {
			tok_push(a, T_COMMA, pos, NULL);
			i++;
		} else {
			if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f)
				return perr(p, pos, "unrecognized character in action: U+%04X '%c'", c, c);
			return perr(p, pos, "unrecognized character in action: U+%04X", (unsigned char)c);
		}
	}
	tok_push(a, T_EOF, (int)end, NULL);
	return 0;
}

/* ---------- parser ---------- */

static void split_fields(const char *chain, struct strvec *out)
{
	/* chain is ".A.B" */
	const char *s = chain;
	while (*s == '.') {
		const char *e = strchr(s + 1, '.');
		size_t n = e ? (size_t)(e - s - 1) : strlen(s + 1);
		sv_push_owned(out, xstrndup(s + 1, n));
		s += n + 1;
	}
}

static bool var_known(struct parser *p, const char *name)
{
	for (size_t i = p->vars.n; i-- > 0;)
		if (!strcmp(p->vars.v[i], name))
			return true;
	return false;
}

static struct pipe *parse_pipeline(struct parser *p, struct action *a, const char *ctx, bool inparen);

static const char *tok_desc(struct token *t)
{
	switch (t->t) {
	case T_RPAREN: return "right paren";
	case T_LPAREN: return "left paren";
	case T_PIPE: return "|";
	case T_COMMA: return "comma";
	case T_DECLARE: return "declaration";
	case T_ASSIGN: return "assignment";
	default: return "token";
	}
}

static struct arg *parse_operand(struct parser *p, struct action *a)
{
	struct token *t = &a->v[a->i];
	struct arg *arg = xcalloc(1, sizeof *arg);
	arg->pos = t->pos;
	switch (t->t) {
	case T_DOT:
		arg->kind = A_DOT;
		a->i++;
		return arg;
	case T_FIELD:
		arg->kind = A_FIELD;
		split_fields(t->s, &arg->fields);
		a->i++;
		return arg;
	case T_VAR: {
		arg->kind = A_VAR;
		const char *dot = strchr(t->s + 1, '.');
		arg->name = dot ? xstrndup(t->s, (size_t)(dot - t->s)) : xstrdup(t->s);
		if (dot)
			split_fields(dot, &arg->fields);
		if (!var_known(p, arg->name)) {
			perr(p, t->pos, "undefined variable \"%s\"", arg->name);
			arg_free(arg);
			return NULL;
		}
		a->i++;
		return arg;
	}
	case T_STRING:
		arg->kind = A_STRING;
		arg->cval = json_string(t->s);
		if (!arg->cval)
			arg->cval = json_stringn_nocheck(t->s, strlen(t->s));
		arg->name = xstrdup(t->s);
		a->i++;
		return arg;
	case T_NUMBER: {
		arg->kind = A_NUMBER;
		arg->name = xstrdup(t->s);
		char *end;
		errno = 0;
		long long v = strtoll(t->s, &end, 0);
		if (!*end && !errno) {
			arg->cval = json_integer(v);
		} else {
			double d = strtod(t->s, &end);
			if (*end) {
				perr(p, t->pos, "bad number syntax: \"%s\"", t->s);
				arg_free(arg);
				return NULL;
			}
			arg->cval = json_real(d);
		}
		a->i++;
		return arg;
	}
	case T_IDENT:
		if (!strcmp(t->s, "true") || !strcmp(t->s, "false")) {
			arg->kind = A_BOOL;
			arg->cval = json_boolean(!strcmp(t->s, "true"));
			arg->name = xstrdup(t->s);
		} else if (!strcmp(t->s, "nil")) {
			arg->kind = A_NIL;
			arg->name = xstrdup("nil");
		} else {
			if (!func_known(t->s)) {
				perr(p, t->pos, "function \"%s\" not defined", t->s);
				arg_free(arg);
				return NULL;
			}
			arg->kind = A_FUNC;
			arg->name = xstrdup(t->s);
		}
		a->i++;
		return arg;
	case T_LPAREN: {
		a->i++;
		arg->kind = A_PIPE;
		arg->pipe = parse_pipeline(p, a, "parenthesized pipeline", true);
		if (!arg->pipe) {
			arg_free(arg);
			return NULL;
		}
		if (a->v[a->i].t != T_RPAREN) {
			perr(p, a->v[a->i].pos, "unclosed left paren");
			arg_free(arg);
			return NULL;
		}
		a->i++;
		if (a->v[a->i].t == T_CHAR) {
			split_fields(a->v[a->i].s, &arg->fields);
			a->i++;
		}
		return arg;
	}
	default:
		free(arg);
		return NULL;
	}
}

static struct pipe *parse_pipeline(struct parser *p, struct action *a, const char *ctx, bool inparen)
{
	struct pipe *pp = xcalloc(1, sizeof *pp);
	pp->pos = a->v[a->i].pos;
	/* declarations: $x := / $i, $v := / $x = */
	size_t save = a->i;
	if (a->v[a->i].t == T_VAR && !strchr(a->v[a->i].s + 1, '.')) {
		size_t k = a->i + 1;
		int nd = 1;
		if (a->v[k].t == T_COMMA && a->v[k + 1].t == T_VAR) {
			nd = 2;
			k += 2;
		}
		if (a->v[k].t == T_DECLARE || (a->v[k].t == T_ASSIGN && nd == 1)) {
			pp->assign = a->v[k].t == T_ASSIGN;
			pp->ndecl = nd;
			pp->decl[0] = xstrdup(a->v[a->i].s);
			if (nd == 2)
				pp->decl[1] = xstrdup(a->v[a->i + 2].s);
			if (pp->assign && !var_known(p, pp->decl[0])) {
				perr(p, a->v[a->i].pos, "undefined variable \"%s\"", pp->decl[0]);
				pipe_free(pp);
				return NULL;
			}
			a->i = k + 1;
		} else {
			a->i = save;
		}
	}
	for (;;) {
		struct cmd *c = xcalloc(1, sizeof *c);
		c->pos = a->v[a->i].pos;
		pp->cmds = xrealloc(pp->cmds, (pp->n + 1) * sizeof *pp->cmds);
		pp->cmds[pp->n++] = c;
		for (;;) {
			enum tok t = a->v[a->i].t;
			if (t == T_EOF || t == T_PIPE || t == T_RPAREN)
				break;
			struct arg *arg = parse_operand(p, a);
			if (!arg) {
				if (!p->err->msg[0] || strncmp(p->err->msg, "template:", 9))
					perr(p, a->v[a->i].pos, "unexpected %s in operand", tok_desc(&a->v[a->i]));
				pipe_free(pp);
				return NULL;
			}
			c->args = xrealloc(c->args, (c->n + 1) * sizeof *c->args);
			c->args[c->n++] = arg;
		}
		if (c->n == 0) {
			if (a->v[a->i].t == T_RPAREN && !inparen)
				perr(p, a->v[a->i].pos, "unexpected right paren U+0029 ')'");
			else
				perr(p, a->v[a->i].pos, "missing value for %s", ctx);
			pipe_free(pp);
			return NULL;
		}
		if (a->v[a->i].t == T_PIPE) {
			a->i++;
			continue;
		}
		break;
	}
	if (a->v[a->i].t == T_RPAREN && !inparen) {
		perr(p, a->v[a->i].pos, "unexpected right paren U+0029 ')'");
		pipe_free(pp);
		return NULL;
	}
	/* non-executable first commands after a pipe are fine in Go only if they are functions */
	for (size_t i = 1; i < pp->n; i++) {
		struct arg *first = pp->cmds[i]->args[0];
		if (first->kind == A_STRING || first->kind == A_NUMBER || first->kind == A_BOOL ||
		    first->kind == A_NIL) {
			perr(p, first->pos, "non executable command in pipeline stage %zu", i + 1);
			pipe_free(pp);
			return NULL;
		}
	}
	for (int i = 0; i < pp->ndecl && !pp->assign; i++)
		sv_push(&p->vars, pp->decl[i]);
	return pp;
}

/* Find the next action from p->off. Adds preceding text to *list. Returns 1 with the action's
 * content range in [*cs, *ce), 0 at end of input, -1 on error. */
static int next_action(struct parser *p, struct list *list, size_t *cs, size_t *ce, bool *comment)
{
	const char *s = p->src;
	const char *open = strstr(s + p->off, "{{");
	size_t tstart = p->off;
	size_t tend = open ? (size_t)(open - s) : p->len;
	size_t inner = 0;
	bool trim_left = false, trim_right = false;
	*comment = false;
	if (open) {
		inner = tend + 2;
		if (s[inner] == '-' && is_space(s[inner + 1])) {
			trim_left = true;
			inner += 2;
		}
	}
	if (trim_left)
		while (tend > tstart && is_space(s[tend - 1]))
			tend--;
	if (tend > tstart) {
		struct node *n = xcalloc(1, sizeof *n);
		n->kind = N_TEXT;
		n->pos = (int)tstart;
		n->text = xstrndup(s + tstart, tend - tstart);
		n->textlen = tend - tstart;
		list_add(list, n);
	}
	if (!open) {
		p->off = p->len;
		return 0;
	}
	/* find the closing delimiter, skipping quoted strings and comments */
	size_t i = inner;
	while (i < p->len && is_space(s[i]))
		i++;
	if (s[i] == '/' && s[i + 1] == '*') {
		const char *e = strstr(s + i + 2, "*/");
		if (!e)
			return perr(p, (int)inner, "unclosed comment");
		i = (size_t)(e - s) + 2;
		while (i < p->len && is_space(s[i]))
			i++;
		if (s[i] == '-' && s[i + 1] == '}' && s[i + 2] == '}') {
			trim_right = true;
			*ce = i;
			i += 3;
		} else if (s[i] == '}' && s[i + 1] == '}') {
			*ce = i;
			i += 2;
		} else {
			return perr(p, (int)inner, "comment ends before closing delimiter");
		}
		*comment = true;
		*cs = inner;
	} else {
		for (;;) {
			if (i >= p->len)
				return perr(p, (int)inner, "unclosed action");
			char c = s[i];
			if (c == '"' || c == '`') {
				size_t j = i + 1;
				while (j < p->len && s[j] != c) {
					if (c == '"' && s[j] == '\\')
						j++;
					if (c == '"' && s[j] == '\n')
						return perr(p, (int)i, "unterminated quoted string");
					j++;
				}
				if (j >= p->len)
					return perr(p, (int)i, "unterminated quoted string");
				i = j + 1;
				continue;
			}
			if (is_space(c) && s[i + 1] == '-' && s[i + 2] == '}' && s[i + 3] == '}') {
				trim_right = true;
				*ce = i;
				i += 4;
				break;
			}
			if (c == '}' && s[i + 1] == '}') {
				*ce = i;
				i += 2;
				break;
			}
			i++;
		}
		*cs = inner;
	}
	if (trim_right)
		while (i < p->len && is_space(s[i]))
			i++;
	p->off = i;
	return 1;
}

enum endkind { END_EOF, END_END, END_ELSE };

/* Parse nodes until {{end}} / {{else ...}} / EOF. On END_ELSE, *else_action holds the
 * remaining tokens of the else action (e.g. "if x"). */
static int parse_list(struct parser *p, struct list *list, enum endkind *why, struct action *else_action, int *endpos);

static int parse_control(struct parser *p, struct action *a, enum nkind kind, const char *kw, struct node **out)
{
	struct node *n = xcalloc(1, sizeof *n);
	n->kind = kind;
	n->pos = a->v[a->i].pos;
	size_t nvars = p->vars.n;
	char ctx[64];
	snprintf(ctx, sizeof ctx, "%s", kw);
	if (a->v[a->i].t == T_EOF) {
		perr(p, a->pos, "missing value for %s", ctx);
		free(n);
		return -1;
	}
	n->pipe = parse_pipeline(p, a, ctx, false);
	if (!n->pipe) {
		free(n);
		return -1;
	}
	if (a->v[a->i].t != T_EOF) {
		perr(p, a->v[a->i].pos, "unexpected %s in %s", tok_desc(&a->v[a->i]), kw);
		node_free(n);
		return -1;
	}
	if (kind == N_RANGE && n->pipe->ndecl == 2 && n->pipe->assign) {
		perr(p, n->pos, "range can only initialize variables");
		node_free(n);
		return -1;
	}
	enum endkind why;
	struct action ea = { 0 };
	int endpos = 0;
	if (kind == N_RANGE)
		p->range_depth++;
	int lr = parse_list(p, &n->list, &why, &ea, &endpos);
	if (kind == N_RANGE)
		p->range_depth--;
	if (lr < 0) {
		node_free(n);
		return -1;
	}
	if (why == END_EOF) {
		perr(p, (int)p->len, "unexpected EOF");
		node_free(n);
		return -1;
	}
	if (why == END_ELSE) {
		/* Go keeps the control's variables in scope until {{end}} */
		if (ea.v[ea.i].t == T_IDENT && (!strcmp(ea.v[ea.i].s, "if") || !strcmp(ea.v[ea.i].s, "with"))) {
			/* else if / else with: a nested node that consumes our {{end}} */
			bool isif = !strcmp(ea.v[ea.i].s, "if");
			ea.i++;
			struct node *sub = NULL;
			int r = parse_control(p, &ea, isif ? N_IF : N_WITH, isif ? "if" : "with", &sub);
			action_free(&ea);
			if (r < 0) {
				node_free(n);
				return -1;
			}
			list_add(&n->elselist, sub);
		} else {
			if (ea.v[ea.i].t != T_EOF) {
				perr(p, ea.v[ea.i].pos, "unexpected %s in else", tok_desc(&ea.v[ea.i]));
				action_free(&ea);
				node_free(n);
				return -1;
			}
			action_free(&ea);
			if (parse_list(p, &n->elselist, &why, &ea, &endpos) < 0) {
				node_free(n);
				return -1;
			}
			if (why != END_END) {
				if (why == END_ELSE) {
					perr(p, endpos, "expected end; found {{else}}");
					action_free(&ea);
				} else {
					perr(p, (int)p->len, "unexpected EOF");
				}
				node_free(n);
				return -1;
			}
		}
	}
	while (p->vars.n > nvars) {
		free(p->vars.v[--p->vars.n]);
		p->vars.v[p->vars.n] = NULL;
	}
	*out = n;
	return 0;
}

static int parse_list(struct parser *p, struct list *list, enum endkind *why, struct action *else_action, int *endpos)
{
	for (;;) {
		size_t cs = 0, ce = 0;
		bool comment = false;
		int r = next_action(p, list, &cs, &ce, &comment);
		if (r < 0)
			return -1;
		if (r == 0) {
			*why = END_EOF;
			return 0;
		}
		if (comment)
			continue;
		struct action a = { 0 };
		if (lex_action(p, cs, ce, &a) < 0) {
			action_free(&a);
			return -1;
		}
		struct token *t = &a.v[0];
		if (t->t == T_EOF) {
			perr(p, (int)cs, "missing value for command");
			action_free(&a);
			return -1;
		}
		if (t->t == T_IDENT) {
			const char *kw = t->s;
			if (!strcmp(kw, "end")) {
				if (a.v[1].t != T_EOF) {
					perr(p, a.v[1].pos, "unexpected %s in end", tok_desc(&a.v[1]));
					action_free(&a);
					return -1;
				}
				*why = END_END;
				*endpos = t->pos;
				action_free(&a);
				return 0;
			}
			if (!strcmp(kw, "else")) {
				*why = END_ELSE;
				*endpos = t->pos;
				a.i = 1;
				*else_action = a;
				return 0;
			}
			if (!strcmp(kw, "if") || !strcmp(kw, "range") || !strcmp(kw, "with")) {
				enum nkind k = kw[0] == 'i' ? N_IF : kw[0] == 'r' ? N_RANGE : N_WITH;
				char kwc[8];
				snprintf(kwc, sizeof kwc, "%s", kw);
				struct node *n = NULL;
				a.i = 1;
				r = parse_control(p, &a, k, kwc, &n);
				action_free(&a);
				if (r < 0)
					return -1;
				list_add(list, n);
				continue;
			}
			if (!strcmp(kw, "break") || !strcmp(kw, "continue")) {
				bool brk = kw[0] == 'b';
				if (a.v[1].t != T_EOF)
					perr(p, a.v[1].pos, "unexpected %s in {{%s}}", tok_desc(&a.v[1]), kw);
				else if (p->range_depth == 0)
					perr(p, t->pos, "{{%s}} outside {{range}}", kw);
				if (a.v[1].t != T_EOF || p->range_depth == 0) {
					action_free(&a);
					return -1;
				}
				struct node *n = xcalloc(1, sizeof *n);
				n->kind = brk ? N_BREAK : N_CONTINUE;
				n->pos = t->pos;
				list_add(list, n);
				action_free(&a);
				continue;
			}
			if (!strcmp(kw, "define") || !strcmp(kw, "template") || !strcmp(kw, "block")) {
				perr(p, t->pos, "{{%s}} is not supported", kw);
				action_free(&a);
				return -1;
			}
		}
		struct node *n = xcalloc(1, sizeof *n);
		n->kind = N_ACTION;
		n->pos = t->pos;
		n->pipe = parse_pipeline(p, &a, "command", false);
		if (!n->pipe) {
			free(n);
			action_free(&a);
			return -1;
		}
		if (a.v[a.i].t != T_EOF) {
			perr(p, a.v[a.i].pos, "unexpected %s in command", tok_desc(&a.v[a.i]));
			node_free(n);
			action_free(&a);
			return -1;
		}
		action_free(&a);
		list_add(list, n);
	}
}

struct tmpl *tmpl_parse(const char *text, berr *err)
{
	return tmpl_parse_named("", text, err);
}

struct tmpl *tmpl_parse_named(const char *name, const char *text, berr *err)
{
	struct parser p = { .src = text ? text : "", .err = err, .name = (char *)(name ? name : "") };
	p.len = strlen(p.src);
	berr dummy;
	if (!p.err)
		p.err = &dummy;
	p.err->msg[0] = 0;
	struct tmpl *t = xcalloc(1, sizeof *t);
	t->src = xstrdup(p.src);
	t->name = xstrdup(p.name);
	p.src = t->src;
	sv_push(&p.vars, "$");
	enum endkind why;
	struct action ea = { 0 };
	int endpos = 0;
	int r = parse_list(&p, &t->root, &why, &ea, &endpos);
	if (r == 0 && why != END_EOF) {
		perr(&p, endpos, "unexpected {{%s}}", why == END_END ? "end" : "else");
		action_free(&ea);
		r = -1;
	}
	sv_clear(&p.vars);
	if (r < 0) {
		tmpl_free(t);
		return NULL;
	}
	return t;
}

/* ---------- value printing ---------- */

/* Go's strconv shortest formatting: digits and decimal exponent of v (v finite, != 0). */
static void shortest_digits(double v, char *digits, int *dp)
{
	char buf[64];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*e", prec - 1, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	/* buf: d.ddde±XX */
	char *e = strchr(buf, 'e');
	int n = 0;
	for (char *q = buf; q < e; q++)
		if (isdigit((unsigned char)*q))
			digits[n++] = *q;
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = 0;
	*dp = atoi(e + 1) + 1;
}

/* fmt %v of float64 (strconv 'g', shortest, exponent threshold 21 for json / 6 for %v). */
static void fmt_float(struct strbuf *out, double v, bool json)
{
	if (isnan(v)) {
		sb_adds(out, "NaN");
		return;
	}
	if (isinf(v)) {
		sb_adds(out, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (v == 0) {
		sb_adds(out, signbit(v) && !json ? "-0" : "0");
		return;
	}
	if (v < 0) {
		sb_addc(out, '-');
		v = -v;
	}
	char d[32];
	int dp;
	shortest_digits(v, d, &dp);
	int nd = (int)strlen(d);
	int exp = dp - 1;
	/* json: 'e' below 1e-6 or from 1e21; %v: strconv 'g' shortest, %e when exp < -4 || exp >= 6 */
	bool use_e = json ? (v < 1e-6 || v >= 1e21) : (exp < -4 || exp >= 6);
	if (use_e) {
		sb_addc(out, d[0]);
		if (nd > 1) {
			sb_addc(out, '.');
			sb_adds(out, d + 1);
		}
		sb_addc(out, 'e');
		sb_addc(out, exp < 0 ? '-' : '+');
		int ax = exp < 0 ? -exp : exp;
		if (json)
			sb_addf(out, "%d", ax);
		else
			sb_addf(out, "%02d", ax);
		return;
	}
	if (dp <= 0) {
		sb_adds(out, "0.");
		for (int i = 0; i < -dp; i++)
			sb_addc(out, '0');
		sb_adds(out, d);
	} else if (dp >= nd) {
		sb_adds(out, d);
		for (int i = nd; i < dp; i++)
			sb_addc(out, '0');
	} else {
		sb_add(out, d, (size_t)dp);
		sb_addc(out, '.');
		sb_adds(out, d + dp);
	}
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char **sorted_keys(json_t *obj, size_t *n)
{
	*n = json_object_size(obj);
	const char **keys = xcalloc(*n + 1, sizeof *keys);
	size_t i = 0;
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v)
		keys[i++] = k;
	qsort(keys, *n, sizeof *keys, cmp_keys);
	return keys;
}

static void print_value(struct strbuf *out, json_t *v, bool nested)
{
	if (!v) {
		sb_adds(out, "<no value>");
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		sb_add(out, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		sb_addf(out, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		fmt_float(out, json_real_value(v), false);
		break;
	case JSON_TRUE:
		sb_adds(out, "true");
		break;
	case JSON_FALSE:
		sb_adds(out, "false");
		break;
	case JSON_NULL:
		sb_adds(out, nested ? "<nil>" : "<no value>");
		break;
	case JSON_ARRAY: {
		sb_addc(out, '[');
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				sb_addc(out, ' ');
			print_value(out, json_array_get(v, i), true);
		}
		sb_addc(out, ']');
		break;
	}
	case JSON_OBJECT: {
		size_t n;
		const char **keys = sorted_keys(v, &n);
		sb_adds(out, "map[");
		for (size_t i = 0; i < n; i++) {
			if (i)
				sb_addc(out, ' ');
			sb_adds(out, keys[i]);
			sb_addc(out, ':');
			print_value(out, json_object_get(v, keys[i]), true);
		}
		sb_addc(out, ']');
		free(keys);
		break;
	}
	}
}

void tmpl_print_value(struct strbuf *out, json_t *v)
{
	if (v && json_is_null(v)) {
		sb_adds(out, "<nil>");
		return;
	}
	print_value(out, v, true);
}

/* ---------- JSON (Go encoding/json) ---------- */

static void json_str(struct strbuf *out, const char *s, size_t n, bool html)
{
	static const char hex[] = "0123456789abcdef";
	sb_addc(out, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			sb_addc(out, '\\');
			sb_addc(out, (char)c);
		} else if (c == '\n') {
			sb_adds(out, "\\n");
		} else if (c == '\r') {
			sb_adds(out, "\\r");
		} else if (c == '\t') {
			sb_adds(out, "\\t");
		} else if (c < 0x20 || (html && (c == '<' || c == '>' || c == '&'))) {
			sb_adds(out, "\\u00");
			sb_addc(out, hex[c >> 4]);
			sb_addc(out, hex[c & 15]);
		} else if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
			   ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
			sb_adds(out, (unsigned char)s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029");
			i += 2;
		} else {
			sb_addc(out, (char)c);
		}
	}
	sb_addc(out, '"');
}

static void json_marshal(struct strbuf *out, json_t *v, bool html)
{
	if (!v) {
		sb_adds(out, "null");
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		json_str(out, json_string_value(v), json_string_length(v), html);
		break;
	case JSON_INTEGER:
		sb_addf(out, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		fmt_float(out, json_real_value(v), true);
		break;
	case JSON_TRUE:
		sb_adds(out, "true");
		break;
	case JSON_FALSE:
		sb_adds(out, "false");
		break;
	case JSON_NULL:
		sb_adds(out, "null");
		break;
	case JSON_ARRAY:
		sb_addc(out, '[');
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				sb_addc(out, ',');
			json_marshal(out, json_array_get(v, i), html);
		}
		sb_addc(out, ']');
		break;
	case JSON_OBJECT: {
		const char *k;
		json_t *x;
		bool first = true;
		sb_addc(out, '{');
		json_object_foreach(v, k, x) {
			if (!first)
				sb_addc(out, ',');
			first = false;
			json_str(out, k, strlen(k), html);
			sb_addc(out, ':');
			json_marshal(out, x, html);
		}
		sb_addc(out, '}');
		break;
	}
	}
}

void tmpl_json_marshal(struct strbuf *out, json_t *v)
{
	json_marshal(out, v, true);
}

void tmpl_json_encode(struct strbuf *out, json_t *v, bool escape_html)
{
	json_marshal(out, v, escape_html);
}

static void json_indent(struct strbuf *out, json_t *v, const char *indent, int depth)
{
	if (v && json_is_array(v) && json_array_size(v)) {
		sb_addc(out, '[');
		for (size_t i = 0; i < json_array_size(v); i++) {
			sb_adds(out, i ? ",\n" : "\n");
			for (int d = 0; d <= depth; d++)
				sb_adds(out, indent);
			json_indent(out, json_array_get(v, i), indent, depth + 1);
		}
		sb_addc(out, '\n');
		for (int d = 0; d < depth; d++)
			sb_adds(out, indent);
		sb_addc(out, ']');
	} else if (v && json_is_object(v) && json_object_size(v)) {
		const char *k;
		json_t *x;
		bool first = true;
		sb_addc(out, '{');
		json_object_foreach(v, k, x) {
			sb_adds(out, first ? "\n" : ",\n");
			first = false;
			for (int d = 0; d <= depth; d++)
				sb_adds(out, indent);
			json_str(out, k, strlen(k), false);
			sb_adds(out, ": ");
			json_indent(out, x, indent, depth + 1);
		}
		sb_addc(out, '\n');
		for (int d = 0; d < depth; d++)
			sb_adds(out, indent);
		sb_addc(out, '}');
	} else {
		json_marshal(out, v, false);
	}
}

void tmpl_json_indent(struct strbuf *out, json_t *v, const char *indent)
{
	json_indent(out, v, indent, 0);
}

/* ---------- execution ---------- */

struct var {
	char *name;
	json_t *val;
};
struct state {
	const struct tmpl *t;
	int flags;
	bool header;
	int loopctl;  /* 1 = {{break}}, 2 = {{continue}} pending */
	struct strbuf *out;
	struct var *vars;
	size_t nvars;
	berr *err;
};
#define TMPL_HEADER (1 << 16)

static void node_string(struct strbuf *sb, struct arg *a);
static void pipe_string(struct strbuf *sb, struct pipe *p)
{
	for (int i = 0; i < p->ndecl; i++) {
		if (i)
			sb_adds(sb, ", ");
		sb_adds(sb, p->decl[i]);
	}
	if (p->ndecl)
		sb_adds(sb, p->assign ? " = " : " := ");
	for (size_t i = 0; i < p->n; i++) {
		if (i)
			sb_adds(sb, " | ");
		for (size_t j = 0; j < p->cmds[i]->n; j++) {
			if (j)
				sb_addc(sb, ' ');
			node_string(sb, p->cmds[i]->args[j]);
		}
	}
}
static void node_string(struct strbuf *sb, struct arg *a)
{
	switch (a->kind) {
	case A_DOT: sb_addc(sb, '.'); return;
	case A_FIELD: break;
	case A_VAR: sb_adds(sb, a->name); break;
	case A_STRING: json_str(sb, a->name, strlen(a->name), false); return;
	case A_PIPE:
		sb_addc(sb, '(');
		pipe_string(sb, a->pipe);
		sb_addc(sb, ')');
		break;
	default: sb_adds(sb, a->name); return;
	}
	for (size_t i = 0; i < a->fields.n; i++) {
		sb_addc(sb, '.');
		sb_adds(sb, a->fields.v[i]);
	}
}

static int xerr(struct state *s, int pos, const char *ctx, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int xerr(struct state *s, int pos, const char *ctx, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	const char *src = s->t->src;
	int line = 1, col = pos;
	for (int i = 0; i < pos; i++)
		if (src[i] == '\n') {
			line++;
			col = pos - i - 1;
		}
	/* Go's ErrorContext shortens the node text to 20 bytes + "..." */
	if (strlen(ctx) > 20)
		return berr_set(s->err, 0, "template: %s:%d:%d: executing \"%s\" at <%.20s...>: %s", s->t->name, line,
				col, s->t->name, ctx, msg);
	return berr_set(s->err, 0, "template: %s:%d:%d: executing \"%s\" at <%s>: %s", s->t->name, line, col,
			s->t->name, ctx, msg);
}
static int xerr_arg(struct state *s, struct arg *a, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int xerr_arg(struct state *s, struct arg *a, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	node_string(&sb, a);
	xerr(s, a->pos, sb.buf, "%s", msg);
	sb_release(&sb);
	return -1;
}
static int xerr_cmd(struct state *s, struct cmd *c, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int xerr_cmd(struct state *s, struct cmd *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t j = 0; j < c->n; j++) {
		if (j)
			sb_addc(&sb, ' ');
		node_string(&sb, c->args[j]);
	}
	xerr(s, c->pos, sb.buf, "%s", msg);
	sb_release(&sb);
	return -1;
}

static const char *go_type(json_t *v)
{
	if (!v || json_is_null(v))
		return "<nil>";
	switch (json_typeof(v)) {
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "int";
	case JSON_REAL: return "float64";
	case JSON_TRUE:
	case JSON_FALSE: return "bool";
	case JSON_ARRAY: return "[]interface {}";
	case JSON_OBJECT: return "map[string]interface {}";
	default: return "interface {}";
	}
}

static bool truth(json_t *v)
{
	if (!v)
		return false;
	switch (json_typeof(v)) {
	case JSON_STRING: return json_string_length(v) > 0;
	case JSON_INTEGER: return json_integer_value(v) != 0;
	case JSON_REAL: return json_real_value(v) != 0;
	case JSON_TRUE: return true;
	case JSON_FALSE: return false;
	case JSON_NULL: return false;
	case JSON_ARRAY: return json_array_size(v) > 0;
	case JSON_OBJECT: return json_object_size(v) > 0;
	}
	return false;
}

static json_t *ref(json_t *v)
{
	return v ? json_incref(v) : NULL;
}
static void unref(json_t *v)
{
	if (v)
		json_decref(v);
}

/* Walk a field chain from v (borrowed); returns a new reference or NULL (no value). */
static int walk_fields(struct state *s, struct arg *a, json_t *v, json_t **res)
{
	json_t *cur = ref(v);
	for (size_t i = 0; i < a->fields.n; i++) {
		const char *f = a->fields.v[i];
		if (s->header && cur && json_is_string(cur))
			continue; /* header cells are titles: keep them */
		if (cur && json_is_null(cur) && (i > 0 || a->kind == A_VAR || a->kind == A_PIPE)) {
			/* a nil interface{} stored in a map */
			json_decref(cur);
			return xerr_arg(s, a, "nil pointer evaluating interface {}.%s", f);
		}
		if (!cur || json_is_null(cur)) {
			unref(cur);
			cur = NULL;
			if (s->flags & TMPL_MISSINGKEY_ERROR)
				return xerr_arg(s, a, "nil data; no entry for key \"%s\"", f);
			continue;
		}
		if (!json_is_object(cur)) {
			const char *ty = go_type(cur);
			unref(cur);
			return xerr_arg(s, a, "can't evaluate field %s in type %s", f, ty);
		}
		json_t *next = json_object_get(cur, f);
		if (!next && (s->flags & TMPL_MISSINGKEY_ERROR)) {
			unref(cur);
			return xerr_arg(s, a, "map has no entry for key \"%s\"", f);
		}
		next = ref(next);
		unref(cur);
		cur = next;
	}
	if (cur && json_is_null(cur) && a->fields.n) {
		json_decref(cur);
		cur = NULL; /* a nil interface{} from a map is Go's invalid value */
	}
	*res = cur;
	return 0;
}

static int exec_pipe(struct state *s, struct pipe *p, json_t *dot, json_t **res);

static json_t *var_get(struct state *s, const char *name)
{
	for (size_t i = s->nvars; i-- > 0;)
		if (!strcmp(s->vars[i].name, name))
			return s->vars[i].val;
	return NULL;
}
static void var_push(struct state *s, const char *name, json_t *val /* stolen */)
{
	s->vars = xrealloc(s->vars, (s->nvars + 1) * sizeof *s->vars);
	s->vars[s->nvars++] = (struct var){ xstrdup(name), val };
}
static void var_set(struct state *s, const char *name, json_t *val /* stolen */)
{
	for (size_t i = s->nvars; i-- > 0;)
		if (!strcmp(s->vars[i].name, name)) {
			unref(s->vars[i].val);
			s->vars[i].val = val;
			return;
		}
	var_push(s, name, val);
}
static void var_pop_to(struct state *s, size_t n)
{
	while (s->nvars > n) {
		s->nvars--;
		free(s->vars[s->nvars].name);
		unref(s->vars[s->nvars].val);
	}
}

static int eval_arg(struct state *s, struct arg *a, json_t *dot, json_t **res)
{
	switch (a->kind) {
	case A_DOT:
		*res = ref(dot);
		return 0;
	case A_FIELD:
		return walk_fields(s, a, dot, res);
	case A_VAR:
		return walk_fields(s, a, var_get(s, a->name), res);
	case A_STRING:
	case A_NUMBER:
	case A_BOOL:
		*res = ref(a->cval);
		return 0;
	case A_NIL:
		*res = NULL;
		return 0;
	case A_PIPE: {
		json_t *v = NULL;
		if (exec_pipe(s, a->pipe, dot, &v) < 0)
			return -1;
		int r = walk_fields(s, a, v, res);
		unref(v);
		return r;
	}
	case A_FUNC:
		return xerr_arg(s, a, "can't evaluate function %s here", a->name);
	}
	return -1;
}

/* Function argument helpers */
static bool as_int(json_t *v, long long *out)
{
	if (v && json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	if (v && json_is_real(v) && json_real_value(v) > -9e18 && json_real_value(v) < 9e18 &&
	    (double)(long long)json_real_value(v) == json_real_value(v)) {
		*out = (long long)json_real_value(v);
		return true;
	}
	return false;
}

static void printable(struct strbuf *sb, json_t *v)
{
	print_value(sb, v, false);
}

/* Go's fmt.Sprint: space between operands when neither is a string. */
static void go_sprint(struct strbuf *sb, json_t **args, size_t n, bool ln)
{
	for (size_t i = 0; i < n; i++) {
		bool isstr = args[i] && json_is_string(args[i]);
		if (i > 0 && (ln || (!isstr && !(args[i - 1] && json_is_string(args[i - 1])))))
			sb_addc(sb, ' ');
		if (!args[i])
			sb_adds(sb, "<nil>");
		else
			print_value(sb, args[i], true);
	}
	if (ln)
		sb_addc(sb, '\n');
}

static void go_quote(struct strbuf *sb, const char *s, size_t n)
{
	sb_addc(sb, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': sb_adds(sb, "\\\""); break;
		case '\\': sb_adds(sb, "\\\\"); break;
		case '\n': sb_adds(sb, "\\n"); break;
		case '\t': sb_adds(sb, "\\t"); break;
		case '\r': sb_adds(sb, "\\r"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				sb_addf(sb, "\\x%02x", c);
			else
				sb_addc(sb, (char)c);
		}
	}
	sb_addc(sb, '"');
}

/* Go's fmt.Sprintf for the common verbs. */
static void go_sprintf(struct strbuf *sb, const char *f, json_t **args, size_t n)
{
	size_t ai = 0;
	for (const char *p = f; *p; p++) {
		if (*p != '%') {
			sb_addc(sb, *p);
			continue;
		}
		p++;
		if (*p == '%') {
			sb_addc(sb, '%');
			continue;
		}
		char spec[64] = "%";
		size_t sl = 1;
		bool left = false;
		long width = -1, prec = -1;
		while (*p && strchr("+- #0", *p)) {
			if (sl < 8)
				spec[sl++] = *p;
			left |= *p == '-';
			p++;
		}
		/* Go rejects widths and precisions above 1e6 */
		if (isdigit((unsigned char)*p)) {
			width = 0;
			while (isdigit((unsigned char)*p)) {
				if (width <= 1000000)
					width = width * 10 + (*p - '0');
				p++;
			}
			if (width > 1000000) {
				sb_adds(sb, "%!(BADWIDTH)");
				width = -1;
			} else {
				sl += (size_t)snprintf(spec + sl, sizeof spec - sl, "%ld", width);
			}
		}
		if (*p == '.') {
			p++;
			prec = 0;
			while (isdigit((unsigned char)*p)) {
				if (prec <= 1000000)
					prec = prec * 10 + (*p - '0');
				p++;
			}
			if (prec > 1000000) {
				sb_adds(sb, "%!(BADPREC)");
				prec = -1;
			} else {
				sl += (size_t)snprintf(spec + sl, sizeof spec - sl, ".%ld", prec);
			}
		}
		char verb = *p;
		if (!verb) {
			sb_adds(sb, "%!(NOVERB)");
			break;
		}
		if (ai >= n) {
			sb_addf(sb, "%%!%c(MISSING)", verb);
			continue;
		}
		json_t *a = args[ai++];
		struct strbuf tmp = STRBUF_INIT;
		sb_init(&tmp);
		long long iv;
		switch (verb) {
		case 'v':
			if (!a)
				sb_adds(&tmp, "<nil>");
			else
				print_value(&tmp, a, true);
			break;
		case 's':
			if (a && !json_is_string(a) && !json_is_array(a) && !json_is_object(a)) {
				sb_addf(&tmp, "%%!s(%s=", go_type(a));
				print_value(&tmp, a, true);
				sb_addc(&tmp, ')');
				spec[1] = 0;
			} else if (!a) {
				sb_adds(&tmp, "%!s(<nil>)");
			} else {
				print_value(&tmp, a, true);
			}
			break;
		case 'q':
			if (a && json_is_string(a))
				go_quote(&tmp, json_string_value(a), json_string_length(a));
			else {
				sb_addf(&tmp, "%%!q(%s=", go_type(a));
				print_value(&tmp, a, true);
				sb_addc(&tmp, ')');
			}
			break;
		case 'd':
		case 'x':
		case 'X':
		case 'o':
			if ((verb == 'x' || verb == 'X') && a && json_is_string(a)) {
				const unsigned char *q = (const unsigned char *)json_string_value(a);
				for (size_t k = 0; k < json_string_length(a); k++)
					sb_addf(&tmp, verb == 'x' ? "%02x" : "%02X", q[k]);
				break;
			}
			if (as_int(a, &iv) && (!a || !json_is_real(a))) {
				spec[sl] = 'l';
				spec[sl + 1] = 'l';
				spec[sl + 2] = verb;
				spec[sl + 3] = 0;
				sb_addf(sb, spec, iv);
				sb_release(&tmp);
				continue;
			}
			sb_addf(&tmp, "%%!%c(%s=", verb, go_type(a));
			print_value(&tmp, a, true);
			sb_addc(&tmp, ')');
			break;
		case 'f':
		case 'e':
		case 'g':
			if (a && json_is_number(a)) {
				if (verb == 'g' && sl == 1) {
					/* Go's %g without precision is the shortest representation */
					fmt_float(sb, json_number_value(a), false);
				} else {
					spec[sl] = verb;
					spec[sl + 1] = 0;
					sb_addf(sb, spec, json_number_value(a));
				}
				sb_release(&tmp);
				continue;
			}
			sb_addf(&tmp, "%%!%c(%s=", verb, go_type(a));
			print_value(&tmp, a, true);
			sb_addc(&tmp, ')');
			break;
		case 't':
			if (a && json_is_boolean(a))
				sb_adds(&tmp, json_is_true(a) ? "true" : "false");
			else {
				sb_addf(&tmp, "%%!t(%s=", go_type(a));
				print_value(&tmp, a, true);
				sb_addc(&tmp, ')');
			}
			break;
		default:
			sb_addf(&tmp, "%%!%c(%s=", verb, go_type(a));
			print_value(&tmp, a, true);
			sb_addc(&tmp, ')');
		}
		/* precision truncates strings (%.3s), width pads string-ish verbs */
		if (prec >= 0 && verb == 's' && a && json_is_string(a) && (size_t)prec < tmp.len)
			sb_setlen(&tmp, (size_t)prec);
		if (!left)
			for (long k = (long)tmp.len; k < width; k++)
				sb_addc(sb, ' ');
		sb_add(sb, tmp.buf, tmp.len);
		if (left)
			for (long k = (long)tmp.len; k < width; k++)
				sb_addc(sb, ' ');
		sb_release(&tmp);
	}
	if (ai < n) {
		sb_adds(sb, "%!(EXTRA ");
		for (size_t i = ai; i < n; i++) {
			if (i > ai)
				sb_adds(sb, ", ");
			sb_addf(sb, "%s=", go_type(args[i]));
			print_value(sb, args[i], true);
		}
		sb_addc(sb, ')');
	}
}

static int cmp_basic(json_t *a, json_t *b, int *out, const char **why)
{
	if (!a || !b || json_is_null(a) || json_is_null(b)) {
		*why = "invalid type for comparison";
		return -1;
	}
	if (json_is_number(a) && json_is_number(b)) {
		if (json_is_integer(a) && json_is_integer(b)) {
			long long x = json_integer_value(a), y = json_integer_value(b);
			*out = x < y ? -1 : x > y;
		} else {
			double x = json_number_value(a), y = json_number_value(b);
			*out = x < y ? -1 : x > y;
		}
		return 0;
	}
	if (json_is_string(a) && json_is_string(b)) {
		int c = strcmp(json_string_value(a), json_string_value(b));
		*out = c < 0 ? -1 : c > 0;
		return 0;
	}
	if (json_is_boolean(a) && json_is_boolean(b)) {
		*out = json_is_true(a) != json_is_true(b);
		return 1; /* equality only */
	}
	if (json_typeof(a) != json_typeof(b) && !(json_is_boolean(a) && json_is_boolean(b))) {
		*why = "incompatible types for comparison";
		return -1;
	}
	*why = "non-comparable type";
	return -1;
}

static json_t *str_json(const char *s, size_t n)
{
	json_t *v = json_stringn(s, n);
	return v ? v : json_stringn_nocheck(s, n);
}

/* The node Go blames for a bad argument: the argument itself, or for a piped-in final
 * value the last explicit argument (or the function name). */
static struct arg *arg_node(struct cmd *c, int idx)
{
	size_t nexp = c->n - 1;
	if ((size_t)idx < nexp)
		return c->args[idx + 1];
	return c->args[nexp];
}

static int want_string(struct state *s, struct cmd *c, int idx, json_t *v, const char **str)
{
	if (v && json_is_string(v)) {
		*str = json_string_value(v);
		return 0;
	}
	if (!v || json_is_null(v))
		return xerr_arg(s, arg_node(c, idx), "invalid value; expected string");
	return xerr_arg(s, arg_node(c, idx), "wrong type for value; expected string; got %s", go_type(v));
}

static int want_int(struct state *s, struct cmd *c, int idx, json_t *v, long long *iv)
{
	if (as_int(v, iv))
		return 0;
	if (!v || json_is_null(v))
		return xerr_arg(s, arg_node(c, idx), "invalid value; expected int");
	return xerr_arg(s, arg_node(c, idx), "wrong type for value; expected int; got %s", go_type(v));
}

static int call_func(struct state *s, struct cmd *c, const char *name, json_t **args, size_t n, json_t **res)
{
#define NARGS(k)                                                                                \
	do {                                                                                    \
		if (n != (k))                                                                   \
			return xerr_cmd(s, c, "wrong number of args for %s: want %d got %zu", name, \
					(k), n);                                                \
	} while (0)
	*res = NULL;
	bool hdr = s->header;
	if (!strcmp(name, "json")) {
		NARGS(1);
		if (hdr && args[0] && json_is_string(args[0])) {
			*res = ref(args[0]);
			return 0;
		}
		struct strbuf sb = STRBUF_INIT;
		sb_init(&sb);
		json_marshal(&sb, args[0], (s->flags & TMPL_JSON_ESCAPE_HTML) != 0);
		*res = str_json(sb.buf, sb.len);
		sb_release(&sb);
		return 0;
	}
	if (!strcmp(name, "lower") || !strcmp(name, "upper") || !strcmp(name, "title")) {
		NARGS(1);
		const char *str;
		if (want_string(s, c, 0, args[0], &str) < 0)
			return -1;
		if (hdr) {
			*res = ref(args[0]);
			return 0;
		}
		size_t len = json_string_length(args[0]);
		char *d = xstrndup(str, len);
		bool prev_sep = true;
		for (size_t i = 0; i < len; i++) {
			unsigned char ch = (unsigned char)d[i];
			if (name[0] == 'l')
				d[i] = (char)tolower(ch);
			else if (name[0] == 'u')
				d[i] = (char)toupper(ch);
			else {
				if (prev_sep)
					d[i] = (char)toupper(ch);
				prev_sep = !(isalnum(ch) || ch == '_' || ch >= 0x80);
			}
		}
		*res = str_json(d, len);
		free(d);
		return 0;
	}
	if (!strcmp(name, "split")) {
		NARGS(2);
		const char *str, *sep;
		if (want_string(s, c, 0, args[0], &str) < 0 || want_string(s, c, 1, args[1], &sep) < 0)
			return -1;
		if (hdr) {
			*res = ref(args[0]);
			return 0;
		}
		json_t *arr = json_array();
		size_t sl = strlen(sep);
		if (sl == 0) {
			/* split into UTF-8 characters */
			for (const char *q = str; *q;) {
				size_t k = 1;
				while (((unsigned char)q[k] & 0xc0) == 0x80)
					k++;
				json_array_append_new(arr, str_json(q, k));
				q += k;
			}
		} else {
			const char *q = str;
			for (;;) {
				const char *e = strstr(q, sep);
				if (!e) {
					json_array_append_new(arr, str_json(q, strlen(q)));
					break;
				}
				json_array_append_new(arr, str_json(q, (size_t)(e - q)));
				q = e + sl;
			}
		}
		*res = arr;
		return 0;
	}
	if (!strcmp(name, "join")) {
		NARGS(2);
		const char *sep;
		if (hdr && args[0] && json_is_string(args[0])) {
			*res = ref(args[0]);
			return 0;
		}
		if (!args[0] || !json_is_array(args[0]))
			return xerr_cmd(s, c, "wrong type for value; expected []string; got %s", go_type(args[0]));
		if (want_string(s, c, 1, args[1], &sep) < 0)
			return -1;
		struct strbuf sb = STRBUF_INIT;
		sb_init(&sb);
		for (size_t i = 0; i < json_array_size(args[0]); i++) {
			json_t *e = json_array_get(args[0], i);
			if (!json_is_string(e)) {
				sb_release(&sb);
				return xerr_cmd(s, c, "wrong type for value; expected []string; got %s",
						go_type(args[0]));
			}
			if (i)
				sb_adds(&sb, sep);
			sb_add(&sb, json_string_value(e), json_string_length(e));
		}
		*res = str_json(sb.buf, sb.len);
		sb_release(&sb);
		return 0;
	}
	if (!strcmp(name, "truncate")) {
		NARGS(2);
		const char *str;
		long long l;
		if (want_string(s, c, 0, args[0], &str) < 0 || want_int(s, c, 1, args[1], &l) < 0)
			return -1;
		size_t len = json_string_length(args[0]);
		if (hdr || l < 0 || (long long)len < l)
			*res = ref(args[0]);
		else
			*res = str_json(str, (size_t)l);
		return 0;
	}
	if (!strcmp(name, "pad")) {
		NARGS(3);
		const char *str;
		long long pre, suf;
		if (want_string(s, c, 0, args[0], &str) < 0 || want_int(s, c, 1, args[1], &pre) < 0 ||
		    want_int(s, c, 2, args[2], &suf) < 0)
			return -1;
		if (!*str) {
			*res = ref(args[0]);
			return 0;
		}
		if (pre < 0 || suf < 0)
			return xerr_cmd(s, c, "error calling pad: strings: negative Repeat count");
		if (pre > 1000000 || suf > 1000000) /* Go would run out of memory; refuse instead */
			return xerr_cmd(s, c, "error calling pad: strings: Repeat output length overflow");
		struct strbuf sb = STRBUF_INIT;
		sb_init(&sb);
		for (long long i = 0; i < pre; i++)
			sb_addc(&sb, ' ');
		sb_adds(&sb, str);
		for (long long i = 0; i < suf; i++)
			sb_addc(&sb, ' ');
		*res = str_json(sb.buf, sb.len);
		sb_release(&sb);
		return 0;
	}
	if (!strcmp(name, "len")) {
		NARGS(1);
		json_t *v = args[0];
		if (v && json_is_string(v))
			*res = json_integer((json_int_t)json_string_length(v));
		else if (v && json_is_array(v))
			*res = json_integer((json_int_t)json_array_size(v));
		else if (v && json_is_object(v))
			*res = json_integer((json_int_t)json_object_size(v));
		else if (!v || json_is_null(v))
			return xerr_cmd(s, c, "error calling len: len of nil pointer");
		else
			return xerr_cmd(s, c, "error calling len: len of type %s", go_type(v));
		return 0;
	}
	if (!strcmp(name, "index")) {
		if (n < 1)
			return xerr_cmd(s, c, "wrong number of args for index: want at least 1 got 0");
		json_t *cur = args[0];
		if (!cur || json_is_null(cur))
			return xerr_cmd(s, c, "error calling index: index of untyped nil");
		for (size_t i = 1; i < n; i++) {
			json_t *k = args[i];
			if (json_is_array(cur) || json_is_string(cur)) {
				long long ix;
				if (!as_int(k, &ix))
					return xerr_cmd(s, c, "error calling index: cannot index slice/array with type %s",
							go_type(k));
				size_t len = json_is_array(cur) ? json_array_size(cur) : json_string_length(cur);
				if (ix < 0 || (size_t)ix >= len)
					return xerr_cmd(s, c, "error calling index: index out of range: %lld", ix);
				if (json_is_string(cur)) {
					if (i + 1 != n)
						return xerr_cmd(s, c, "error calling index: can't index item of type uint8");
					*res = json_integer((unsigned char)json_string_value(cur)[ix]);
					return 0;
				}
				cur = json_array_get(cur, (size_t)ix);
			} else if (json_is_object(cur)) {
				if (!k || !json_is_string(k))
					return xerr_cmd(s, c, "error calling index: value has type %s; should be string",
							go_type(k));
				cur = json_object_get(cur, json_string_value(k));
				if (!cur)
					break;
			} else {
				return xerr_cmd(s, c, "error calling index: can't index item of type %s", go_type(cur));
			}
			if (cur && json_is_null(cur) && i + 1 < n)
				return xerr_cmd(s, c, "error calling index: index of untyped nil");
		}
		*res = cur && !json_is_null(cur) ? ref(cur) : NULL;
		return 0;
	}
	if (!strcmp(name, "print") || !strcmp(name, "println") || !strcmp(name, "printf")) {
		struct strbuf sb = STRBUF_INIT;
		sb_init(&sb);
		if (name[5] == 'f') {
			const char *f;
			if (n < 1) {
				sb_release(&sb);
				return xerr_cmd(s, c, "wrong number of args for printf: want at least 1 got 0");
			}
			if (want_string(s, c, 0, args[0], &f) < 0) {
				sb_release(&sb);
				return -1;
			}
			go_sprintf(&sb, f, args + 1, n - 1);
		} else {
			go_sprint(&sb, args, n, name[5] == 'l');
		}
		*res = str_json(sb.buf, sb.len);
		sb_release(&sb);
		return 0;
	}
	if (!strcmp(name, "not")) {
		NARGS(1);
		*res = json_boolean(!truth(args[0]));
		return 0;
	}
	if (!strcmp(name, "eq") || !strcmp(name, "ne") || !strcmp(name, "lt") || !strcmp(name, "le") ||
	    !strcmp(name, "gt") || !strcmp(name, "ge")) {
		bool iseq = !strcmp(name, "eq");
		if (iseq ? n < 2 : n != 2) {
			if (iseq && n == 1)
				return xerr_cmd(s, c, "error calling eq: missing argument for comparison");
			return xerr_cmd(s, c, "wrong number of args for %s: want 2 got %zu", name, n);
		}
		if (iseq || !strcmp(name, "ne")) {
			/* Go >= 1.18: a nil/missing operand compares unequal to anything non-nil */
			bool any = false;
			for (size_t i = 1; i < n && !any; i++) {
				bool n0 = !args[0] || json_is_null(args[0]), ni = !args[i] || json_is_null(args[i]);
				if (n0 || ni) {
					any = n0 && ni;
					continue;
				}
				int cr;
				const char *why;
				int r = cmp_basic(args[0], args[i], &cr, &why);
				if (r < 0)
					return xerr_cmd(s, c, "error calling %s: %s", name, why);
				any = cr == 0;
			}
			*res = json_boolean(iseq ? any : !any);
			return 0;
		}
		int cr;
		const char *why;
		int r = cmp_basic(args[0], args[1], &cr, &why);
		if (r < 0)
			return xerr_cmd(s, c, "error calling %s: %s", name, why);
		if (r == 1 && strcmp(name, "ne"))
			return xerr_cmd(s, c, "error calling %s: invalid type for comparison", name);
		bool b = !strcmp(name, "ne") ? cr != 0 : !strcmp(name, "lt") ? cr < 0 : !strcmp(name, "le") ? cr <= 0
			: !strcmp(name, "gt") ? cr > 0 : cr >= 0;
		*res = json_boolean(b);
		return 0;
	}
	return xerr_cmd(s, c, "function \"%s\" is not supported", name);
#undef NARGS
}

static int exec_cmd(struct state *s, struct cmd *c, json_t *dot, json_t *final, bool has_final, json_t **res)
{
	struct arg *first = c->args[0];
	if (first->kind != A_FUNC) {
		if (c->n > 1 || has_final) {
			if (first->fields.n) /* a map field: Go's evalField message */
				return xerr_arg(s, first, "%s is not a method but has arguments",
						first->fields.v[first->fields.n - 1]);
			struct strbuf sb = STRBUF_INIT;
			sb_init(&sb);
			node_string(&sb, first);
			xerr_arg(s, first, "can't give argument to non-function %s", sb.buf);
			sb_release(&sb);
			return -1;
		}
		return eval_arg(s, first, dot, res);
	}
	const char *name = first->name;
	/* and / or short-circuit */
	if (!strcmp(name, "and") || !strcmp(name, "or")) {
		size_t total = c->n - 1 + (has_final ? 1 : 0);
		if (total < 1)
			return xerr_cmd(s, c, "wrong number of args for %s: want at least 1 got 0", name);
		bool isand = name[0] == 'a';
		json_t *v = NULL;
		for (size_t i = 1; i <= total; i++) {
			unref(v);
			v = NULL;
			if (i < c->n) {
				if (eval_arg(s, c->args[i], dot, &v) < 0)
					return -1;
			} else {
				v = ref(final);
			}
			if (truth(v) != isand)
				break;
		}
		*res = v;
		return 0;
	}
	size_t n = c->n - 1 + (has_final ? 1 : 0);
	json_t **args = xcalloc(n + 1, sizeof *args);
	int r = 0;
	for (size_t i = 1; i < c->n; i++) {
		if (c->args[i]->kind == A_FUNC) {
			/* a bare function name as argument is called with no args */
			struct cmd sub = { .args = &c->args[i], .n = 1, .pos = c->args[i]->pos };
			r = exec_cmd(s, &sub, dot, NULL, false, &args[i - 1]);
		} else {
			r = eval_arg(s, c->args[i], dot, &args[i - 1]);
		}
		if (r < 0)
			break;
	}
	if (r == 0 && has_final)
		args[n - 1] = ref(final);
	if (r == 0)
		r = call_func(s, c, name, args, n, res);
	for (size_t i = 0; i < n; i++)
		unref(args[i]);
	free(args);
	return r;
}

static int exec_pipe(struct state *s, struct pipe *p, json_t *dot, json_t **res)
{
	json_t *val = NULL;
	for (size_t i = 0; i < p->n; i++) {
		json_t *next = NULL;
		if (exec_cmd(s, p->cmds[i], dot, val, i > 0, &next) < 0) {
			unref(val);
			return -1;
		}
		unref(val);
		val = next;
	}
	for (int i = 0; i < p->ndecl; i++) {
		if (p->assign)
			var_set(s, p->decl[i], ref(val));
		else
			var_push(s, p->decl[i], ref(val));
	}
	*res = val;
	return 0;
}

static int exec_list(struct state *s, struct list *l, json_t *dot);

static int exec_node(struct state *s, struct node *n, json_t *dot)
{
	json_t *v = NULL;
	size_t nv = s->nvars;
	int r = 0;
	switch (n->kind) {
	case N_TEXT:
		sb_add(s->out, n->text, n->textlen);
		return 0;
	case N_BREAK:
	case N_CONTINUE:
		s->loopctl = n->kind == N_BREAK ? 1 : 2;
		return 0;
	case N_ACTION:
		if (exec_pipe(s, n->pipe, dot, &v) < 0)
			return -1;
		if (!n->pipe->ndecl)
			printable(s->out, v);
		unref(v);
		return 0;
	case N_IF:
	case N_WITH:
		if (exec_pipe(s, n->pipe, dot, &v) < 0)
			return -1;
		if (truth(v))
			r = exec_list(s, &n->list, n->kind == N_WITH ? v : dot);
		else
			r = exec_list(s, &n->elselist, dot);
		unref(v);
		break;
	case N_RANGE: {
		/* evaluate without declaring; range declares per element */
		struct pipe tmp = *n->pipe;
		tmp.ndecl = 0;
		if (exec_pipe(s, &tmp, dot, &v) < 0)
			return -1;
		size_t base = s->nvars;
		struct pipe *p = n->pipe;
		bool any = false, stop = false;
		if (!v || json_is_null(v)) {
			/* nothing to range over */
		} else if (json_is_array(v)) {
			for (size_t i = 0; i < json_array_size(v) && r == 0 && !stop; i++) {
				json_t *e = json_array_get(v, i);
				any = true;
				if (p->ndecl == 1)
					var_push(s, p->decl[0], ref(e));
				else if (p->ndecl == 2) {
					var_push(s, p->decl[0], json_integer((json_int_t)i));
					var_push(s, p->decl[1], ref(e));
				}
				r = exec_list(s, &n->list, e);
				stop = s->loopctl == 1;
				s->loopctl = 0;
				var_pop_to(s, base);
			}
		} else if (json_is_object(v)) {
			size_t cnt;
			const char **keys = sorted_keys(v, &cnt);
			for (size_t i = 0; i < cnt && r == 0 && !stop; i++) {
				json_t *e = json_object_get(v, keys[i]);
				any = true;
				if (p->ndecl == 1)
					var_push(s, p->decl[0], ref(e));
				else if (p->ndecl == 2) {
					var_push(s, p->decl[0], json_string(keys[i]));
					var_push(s, p->decl[1], ref(e));
				}
				r = exec_list(s, &n->list, e);
				stop = s->loopctl == 1;
				s->loopctl = 0;
				var_pop_to(s, base);
			}
			free(keys);
		} else if (json_is_integer(v)) {
			long long cnt = json_integer_value(v);
			for (long long i = 0; i < cnt && r == 0; i++) {
				json_t *e = json_integer(i);
				any = true;
				if (p->ndecl >= 1)
					var_push(s, p->decl[0], ref(e));
				r = exec_list(s, &n->list, e);
				if (s->loopctl == 1)
					i = cnt;
				s->loopctl = 0;
				json_decref(e);
				var_pop_to(s, base);
			}
		} else {
			struct strbuf sb = STRBUF_INIT;
			sb_init(&sb);
			print_value(&sb, v, true);
			/* Go reports it at the last node evaluated by the pipeline */
			struct cmd *last = p->cmds[p->n - 1];
			if (last->args[0]->kind == A_FUNC)
				r = xerr_cmd(s, last, "range can't iterate over %s", sb.buf);
			else
				r = xerr_arg(s, last->args[0], "range can't iterate over %s", sb.buf);
			sb_release(&sb);
		}
		if (r == 0 && !any)
			r = exec_list(s, &n->elselist, dot);
		unref(v);
		break;
	}
	}
	var_pop_to(s, nv);
	return r;
}

static int exec_list(struct state *s, struct list *l, json_t *dot)
{
	for (size_t i = 0; i < l->n && !s->loopctl; i++)
		if (exec_node(s, l->v[i], dot) < 0)
			return -1;
	return 0;
}

int tmpl_exec(const struct tmpl *t, json_t *data, int flags, struct strbuf *out, berr *err)
{
	berr dummy;
	struct state s = { .t = t, .flags = flags, .header = !!(flags & TMPL_HEADER), .out = out,
			   .err = err ? err : &dummy };
	if (!out->buf)
		sb_init(out);
	var_push(&s, "$", ref(data));
	int r = exec_list(&s, (struct list *)&t->root, data);
	var_pop_to(&s, 0);
	free(s.vars);
	return r;
}

int tmpl_render(const char *text, json_t *data, int flags, struct strbuf *out, berr *err)
{
	struct tmpl *t = tmpl_parse(text, err);
	if (!t)
		return -1;
	int r = tmpl_exec(t, data, flags, out, err);
	tmpl_free(t);
	return r;
}

/* ---------- tabwriter (Go text/tabwriter, Docker's settings) ---------- */

struct tw_cell {
	const char *s;
	size_t len;
	size_t width;  /* runes */
};
struct tw_line {
	struct tw_cell *c;
	size_t n;
};
struct tw {
	struct tw_line *lines;
	size_t nlines;
	size_t *widths;
	size_t nwidths;
	struct strbuf *out;
	size_t minwidth, padding;
};

static size_t rune_count(const char *s, size_t n)
{
	size_t r = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			r++;
	return r;
}

static void tw_write_lines(struct tw *w, size_t l0, size_t l1)
{
	for (size_t i = l0; i < l1; i++) {
		struct tw_line *ln = &w->lines[i];
		for (size_t j = 0; j < ln->n; j++) {
			struct tw_cell *c = &ln->c[j];
			sb_add(w->out, c->s, c->len);
			if (j < w->nwidths)
				for (size_t k = c->width; k < w->widths[j]; k++)
					sb_addc(w->out, ' ');
		}
		if (i + 1 < w->nlines)
			sb_addc(w->out, '\n');
	}
}

static size_t tw_format(struct tw *w, size_t line0, size_t line1)
{
	size_t column = w->nwidths;
	for (size_t th = line0; th < line1; th++) {
		struct tw_line *ln = &w->lines[th];
		if (column + 1 >= ln->n)
			continue;
		tw_write_lines(w, line0, th);
		line0 = th;
		size_t width = w->minwidth;
		for (; th < line1; th++) {
			ln = &w->lines[th];
			if (column + 1 >= ln->n)
				break;
			size_t cw = ln->c[column].width + w->padding;
			if (cw > width)
				width = cw;
		}
		w->widths = xrealloc(w->widths, (w->nwidths + 1) * sizeof *w->widths);
		w->widths[w->nwidths++] = width;
		tw_format(w, line0, th);
		w->nwidths--;
		line0 = th;
		th--; /* the for loop's increment re-examines line `th` */
		if (th + 1 >= line1)
			break;
	}
	tw_write_lines(w, line0, line1);
	return 0;
}

void fmt_tabwrite(struct strbuf *out, const char *text)
{
	struct tw w = { .out = out, .minwidth = 10, .padding = 3 };
	if (!out->buf)
		sb_init(out);
	/* split into lines and tab-terminated cells; the final line (after the last \n) is kept */
	const char *p = text;
	for (;;) {
		w.lines = xrealloc(w.lines, (w.nlines + 1) * sizeof *w.lines);
		struct tw_line *ln = &w.lines[w.nlines++];
		*ln = (struct tw_line){ 0 };
		const char *eol = strchr(p, '\n');
		const char *end = eol ? eol : p + strlen(p);
		const char *q = p;
		for (;;) {
			const char *tab = memchr(q, '\t', (size_t)(end - q));
			const char *ce = tab ? tab : end;
			ln->c = xrealloc(ln->c, (ln->n + 1) * sizeof *ln->c);
			ln->c[ln->n++] = (struct tw_cell){ q, (size_t)(ce - q), rune_count(q, (size_t)(ce - q)) };
			if (!tab)
				break;
			q = tab + 1;
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	tw_format(&w, 0, w.nlines);
	for (size_t i = 0; i < w.nlines; i++)
		free(w.lines[i].c);
	free(w.lines);
	free(w.widths);
}

/* ---------- Docker's formatter ---------- */

static char *unescape_format(const char *f)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (const char *p = f; *p; p++) {
		if (p[0] == '\\' && p[1] == 't') {
			sb_addc(&sb, '\t');
			p++;
		} else if (p[0] == '\\' && p[1] == 'n') {
			sb_addc(&sb, '\n');
			p++;
		} else {
			sb_addc(&sb, *p);
		}
	}
	return sb_detach(&sb);
}

static char *trim_spaces(const char *s)
{
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n && s[n - 1] == ' ')
		n--;
	return xstrndup(s, n);
}

int fmt_render_sb(struct strbuf *out, const char *format, const char *default_format,
		  const struct fmt_header *headers, json_t *rows, berr *err)
{
	if (!out->buf)
		sb_init(out);
	if (!format || !*format)
		format = default_format ? default_format : "json";
	if (!strcmp(format, "table") && default_format && !strncmp(default_format, "table", 5))
		format = default_format;
	bool table = !strncmp(format, "table", 5);
	const char *body = table ? format + 5 : format;
	char *trimmed = trim_spaces(body);
	char *tstr;
	if (!table && !strcmp(trimmed, "json"))
		tstr = xstrdup("{{json .}}");
	else
		tstr = unescape_format(trimmed);
	free(trimmed);
	struct tmpl *t = tmpl_parse(tstr, err);
	free(tstr);
	if (!t) {
		berr_wrap(err, "template parsing error");
		if (err)
			err->status = 1; /* docker exits 1 on template errors */
		return -1;
	}
	struct strbuf buf = STRBUF_INIT;
	sb_init(&buf);
	int r = 0;
	for (size_t i = 0; rows && i < json_array_size(rows); i++) {
		if (tmpl_exec(t, json_array_get(rows, i), TMPL_JSON_ESCAPE_HTML, &buf, err) < 0) {
			r = berr_wrap(err, "template parsing error");
			if (err)
				err->status = 1;
			break;
		}
		sb_addc(&buf, '\n');
	}
	if (r == 0 && table) {
		json_t *h = json_object();
		for (size_t i = 0; headers && headers[i].field; i++)
			json_object_set_new(h, headers[i].field, json_string(headers[i].title));
		struct strbuf all = STRBUF_INIT;
		sb_init(&all);
		/* Docker ignores errors from the header pass (partial header output is kept) */
		berr herr = { 0 };
		(void)tmpl_exec(t, h, TMPL_HEADER, &all, &herr);
		sb_addc(&all, '\n');
		sb_add(&all, buf.buf, buf.len);
		fmt_tabwrite(out, all.buf);
		sb_release(&all);
		json_decref(h);
	} else if (r == 0) {
		sb_add(out, buf.buf, buf.len);
	}
	sb_release(&buf);
	tmpl_free(t);
	return r;
}

int fmt_render(FILE *out, const char *format, const char *default_format,
	       const struct fmt_header *headers, json_t *rows, berr *err)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	int r = fmt_render_sb(&sb, format, default_format, headers, rows, err);
	if (r == 0 && sb.len && fwrite(sb.buf, 1, sb.len, out) != sb.len)
		r = berr_sys(err, "write");
	sb_release(&sb);
	return r;
}

int fmt_inspect_sb(struct strbuf *out, const char *format, json_t *value, berr *err)
{
	if (!out->buf)
		sb_init(out);
	struct tmpl *t = tmpl_parse(format, err);
	if (!t) {
		berr_wrap(err, "template parsing error");
		if (err)
			err->status = 1;
		return -1;
	}
	int r = tmpl_exec(t, value, TMPL_MISSINGKEY_ERROR, out, err);
	tmpl_free(t);
	if (r < 0 && err)
		err->status = 1;
	if (r == 0)
		sb_addc(out, '\n');
	return r;
}

int fmt_inspect(FILE *out, const char *format, json_t *value, berr *err)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	int r = fmt_inspect_sb(&sb, format, value, err);
	if (r == 0 && fwrite(sb.buf, 1, sb.len, out) != sb.len)
		r = berr_sys(err, "write");
	sb_release(&sb);
	return r;
}
