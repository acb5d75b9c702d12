/* stages.h: a Dockerfile as typed instructions split into the global ARGs (before the first
 * FROM) and its build stages; stage lookup by name (case-insensitive) or index. */
#pragma once
#include "dockerfile/ast.h"
#include "dockerfile/instr.h"

struct df_stage {
	int index;
	char *name;                 /* lower-cased AS name, NULL if unnamed */
	const struct df_instr *from;
	struct df_instr **instrs;   /* the instructions after FROM (borrowed from df_file) */
	size_t ninstrs;
	char *description;          /* the comment right above FROM (for --call targets), or NULL */
};

struct df_file {
	char *filename;
	char *data;                 /* the Dockerfile text (for source excerpts) */
	size_t len;
	struct df_parse_result *pr;
	struct df_instr **instrs;   /* every instruction in order */
	size_t ninstrs;
	struct df_instr **meta;     /* ARG instructions before the first FROM */
	size_t nmeta;
	struct df_stage *stages;
	size_t nstages;
};

/* Parse data into instructions and stages. Errors: parse errors, unknown instructions and
 * flags, "no build stage in current context", duplicate stage names. */
int df_file_load(const char *data, size_t len, const char *filename, struct df_file **out, berr *err);
/* Like df_file_load but without rejecting duplicate stage names or a missing FROM
 * (for lint, which reports them itself). */
int df_file_load_lenient(const char *data, size_t len, const char *filename, struct df_file **out,
			 berr *err);
void df_file_free(struct df_file *f);

/* Stage by name (case-insensitive) or, if numeric is true and s is a number, by index.
 * Returns the index or -1. */
int df_stage_find(const struct df_file *f, const char *s, bool numeric);
/* "one, two, 2" style list of the stage names (unnamed stages by index), malloc'd. */
char *df_stage_list(const struct df_file *f);
