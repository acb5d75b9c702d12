/* ast.h: the Dockerfile parse tree (BuildKit's frontend/dockerfile/parser Node) and the
 * parser entry points. The parser only splits a Dockerfile into instructions and their
 * arguments; it does not know instruction semantics (that is instructions.c's job). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "util/arena.h"
#include "util/err.h"
#include "util/strbuf.h"

/* One heredoc attached to an instruction (RUN/COPY/ADD <<EOF ...). */
struct df_heredoc {
	char *name;     /* delimiter word without quotes or "-", e.g. "EOF" */
	char *content;  /* body as written, lines with their newlines; NOT chomped (as BuildKit:
	                 * use df_heredoc_chomp() when chomp is set) */
	bool expand;    /* false if the delimiter was quoted ('EOF' or "EOF"): no variable expansion */
	bool chomp;     /* <<-EOF: leading tabs are to be stripped from every body line */
	unsigned fd;    /* 3<<EOF: the file descriptor number before "<<" (0 if none) */
};

/* ChompHeredocContent: a copy of content with the leading tabs of every line removed. */
char *df_heredoc_chomp(const char *content);

/* A node of the parse tree. The root has value NULL and the instructions as children.
 * An instruction node has value = lower-cased instruction name ("run", "from", ...)
 * and its arguments as the linked list next (each an arg node with only value set).
 * ONBUILD's argument is a nested instruction node: ONBUILD's next has children[0] =
 * the sub-instruction (whose value is its lower-cased name, with its own next).
 * Nodes, their values, originals and flags live in the parse result's arena and are freed
 * with it (df_parse_result_free); heredocs, prev_comments and the root's children array are
 * malloc'd. */
struct df_node {
	char *value;                 /* instruction name (lower case) or argument text;
	                              * never NULL except for the root */
	size_t len;                  /* strlen(value), except that a JSON-form argument may
	                              * contain NUL bytes ("\u0000"): then len is its length */
	struct df_node *next;        /* next argument (linked list) */
	struct df_node **children;   /* root: instructions; ONBUILD arg node: the sub-instruction */
	size_t nchildren;
	struct strvec flags;         /* "--from=x", "--mount=type=cache,..." as written (before args) */
	bool json;                   /* attributes["json"]: arguments were in JSON (exec) form */
	char *original;              /* whole original instruction text, continuations joined
	                              * (escape + newline removed), e.g. "RUN echo a  b" */
	struct df_heredoc *heredocs; /* RUN/COPY/ADD heredocs in order of appearance (for
	                              * ONBUILD RUN <<EOF: on the ONBUILD node) */
	size_t nheredocs;
	int start_line;              /* 1-based line of the instruction's first line */
	int end_line;                /* 1-based line of its last line (incl. heredoc bodies) */
	struct strvec prev_comments; /* comment lines ("# text" -> "text") right before it */
};

/* Parser directives found at the top of the file (# syntax=, # escape=, # check=). */
struct df_directives {
	char *syntax;   /* NULL if absent */
	char *escape;   /* NULL if absent (then escape is '\\') */
	char *check;    /* NULL if absent, e.g. "skip=JSONArgsRecommended;error=true" */
};

/* A parse-time warning with its line number (BuildKit's Warning). */
struct df_warning {
	char *short_desc;   /* e.g. "Empty continuation line" */
	char *detail;       /* longer text, may be NULL */
	char *url;          /* rule docs link, may be NULL */
	char *rule;         /* lint rule name, e.g. "NoEmptyContinuation" */
	int line;           /* 1-based line */
};

struct df_parse_result {
	struct df_node *ast;          /* root node (value NULL, children = instructions) */
	int escape_token;             /* '\\' or '`' */
	/* Human-readable warnings, each "file:line: text" (e.g. empty continuation lines). */
	struct strvec warnings;
	struct df_warning *warns;     /* the same warnings, structured (for lint) */
	size_t nwarns;
	struct df_directives directives;
	char *filename;               /* as passed to df_parse ("Dockerfile" if NULL) */
	struct arena arena;           /* the nodes and their strings */
};

/* Parse a Dockerfile. data need not be NUL-terminated; it may contain a UTF-8 BOM.
 * On error returns -1 with err naming "file:line" and the offending line; *out is NULL.
 * On success returns 0 and *out must be freed with df_parse_result_free. */
int df_parse(const char *data, size_t len, const char *filename,
	     struct df_parse_result **out, berr *err);
void df_parse_result_free(struct df_parse_result *r);

/* Append the dump format (BuildKit's Node.Dump(), as in the parser's testfiles/<x>/result)
 * of every instruction under ast to out: one line per instruction, e.g.
 *   (from "ubuntu:14.04")
 *   (run "echo" "hi")           json form
 *   (copy ["--from=a"] "x" "y") with flags
 *   (onbuild (run "echo"))      nested
 * Each line ends with '\n'. */
void df_dump(const struct df_node *ast, struct strbuf *out);
/* Dump one node (no trailing newline). */
void df_dump_node(const struct df_node *n, struct strbuf *out);
