/* check.h: Dockerfile lint, BuildKit's build checks (frontend/dockerfile/linter) by their
 * names, descriptions, URLs and messages, with the `# check=skip=...;error=true;
 * experimental=...` directive, plus berth's explanations where BuildKit's words leave users
 * confused (an ARG used in a stage that did not declare it; the legacy `ENV a 1 b 2` form
 * that swallows the following pairs). Printing in `docker build --check`'s format. */
#pragma once
#include <stdbool.h>
#include <stdio.h>
#include "dockerfile/plan.h"
#include "dockerfile/stages.h"

struct df_lint {
	const char *rule;         /* "FromAsCasing" */
	const char *description;  /* the rule's description */
	const char *url;          /* https://docs.docker.com/go/dockerfile/rule/... */
	char *message;            /* "'as' and 'FROM' keywords' casing do not match" */
	int start_line, end_line; /* 1-based; 0 when the warning has no location */
	char *explain;            /* berth's explanation (may be NULL), printed after the source */
};

struct df_check_opts {
	const char *const *build_args; /* "K=V", NULL-terminated, may be NULL */
	const char *target;            /* only the stages the target needs are checked
	                                * (BuildKit checks every stage: NULL does that) */
	const char *context;           /* context dir (for CopyIgnoredFile), may be NULL */
	plan_base_fn base;             /* base image configs (their Env for UndefinedVar); NULL:
	                                * images are taken to have only PATH */
	void *base_ctx;
};

struct df_check_result {
	struct df_lint *v;           /* sorted by line, then rule */
	size_t n;
	bool error;                  /* # check=error=true and at least one warning */
	char *fatal;                 /* a parse error that stopped the check, or NULL */
	int fatal_line;              /* its line (0 if unknown) */
	struct strvec notes;         /* berth-only notes (not BuildKit warnings) */
};

/* Run the checks on a Dockerfile's text. Returns 0 (warnings and a parse error go into out)
 * or -1 on an internal error. */
int df_check(const char *data, size_t len, const char *filename, const struct df_check_opts *o,
	     struct df_check_result *out, berr *err);
void df_check_result_release(struct df_check_result *r);

/* Print in `docker build --check` format to f (warnings, then the error if any). Returns the
 * exit status docker would use: 1 on a parse error or error=true violations, else 0. */
int df_check_print(FILE *f, const struct df_check_result *r, const char *filename, const char *data,
		   size_t len);
/* The summary a normal build prints at its end (buildx):
 *   "\n 2 warnings found (use berth build --check to expand):\n - FromAsCasing: ... (line 3)\n"
 * Nothing when there are no warnings. */
void df_check_print_summary(FILE *f, const struct df_check_result *r);
/* BuildKit's source excerpt (errdefs.Source.Print) for lines start..end. */
void df_print_source(FILE *f, const char *filename, const char *data, size_t len, int start, int end);
