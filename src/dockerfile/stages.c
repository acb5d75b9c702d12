/* stages.c: split typed instructions into global ARGs and stages (BuildKit's
 * instructions.Parse), stage lookup and the duplicate-name rule. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "dockerfile/parse_internal.h"
#include "dockerfile/stages.h"

static int load(const char *data, size_t len, const char *filename, bool strict,
		struct df_file **out, berr *err)
{
	*out = NULL;
	struct df_file *f = xcalloc(1, sizeof(*f));
	f->filename = xstrdup(filename ? filename : "Dockerfile");
	f->data = xstrndup(data, len);
	f->len = len;
	if (df_parse(data, len, f->filename, &f->pr, err)) {
		df_file_free(f);
		return -1;
	}
	const struct df_node *root = f->pr->ast;
	f->instrs = xcalloc(root->nchildren + 1, sizeof(*f->instrs));
	for (size_t i = 0; i < root->nchildren; i++) {
		if (df_instr_parse_in(&f->pr->arena, root->children[i], f->filename, &f->instrs[i], err)) {
			df_file_free(f);
			return -1;
		}
		f->ninstrs++;
	}
	f->meta = xcalloc(f->ninstrs + 1, sizeof(*f->meta));
	f->stages = xcalloc(f->ninstrs + 1, sizeof(*f->stages));
	struct df_stage *cur = NULL;
	for (size_t i = 0; i < f->ninstrs; i++) {
		struct df_instr *in = f->instrs[i];
		if (in->kind == DF_FROM) {
			cur = &f->stages[f->nstages];
			cur->index = (int)f->nstages++;
			cur->from = in;
			cur->instrs = &f->instrs[i + 1];
			if (in->stage_name)
				cur->name = df_lower(in->stage_name, strlen(in->stage_name));
			const struct strvec *c = &in->node->prev_comments;
			if (c->n) {
				struct strbuf sb = STRBUF_INIT;
				sb_init(&sb);
				for (size_t j = 0; j < c->n; j++) {
					if (j)
						sb_addc(&sb, ' ');
					sb_adds(&sb, c->v[j]);
				}
				cur->description = sb_detach(&sb);
			}
			continue;
		}
		if (!cur) {
			if (in->kind == DF_ARG) {
				f->meta[f->nmeta++] = in;
				continue;
			}
			if (strict) {
				berr_set(err, 0, "%s:%d: no build stage in current context", f->filename, in->line);
				df_file_free(f);
				return -1;
			}
			continue;
		}
		cur->ninstrs++;
	}
	if (strict && !f->nstages) {
		berr_set(err, 0, "%s: no build stage in current context", f->filename);
		df_file_free(f);
		return -1;
	}
	if (strict)
		for (size_t i = 0; i < f->nstages; i++)
			for (size_t j = 0; j < i; j++)
				if (f->stages[i].name && f->stages[j].name &&
				    !strcmp(f->stages[i].name, f->stages[j].name)) {
					berr_set(err, 0,
						 "%s:%d: duplicate stage name \"%s\" (also stage %zu on line %d): stage names must be unique",
						 f->filename, f->stages[i].from->line, f->stages[i].from->stage_name, j,
						 f->stages[j].from->line);
					df_file_free(f);
					return -1;
				}
	*out = f;
	return 0;
}

int df_file_load(const char *data, size_t len, const char *filename, struct df_file **out, berr *err)
{
	return load(data, len, filename, true, out, err);
}

int df_file_load_lenient(const char *data, size_t len, const char *filename, struct df_file **out,
			 berr *err)
{
	return load(data, len, filename, false, out, err);
}

void df_file_free(struct df_file *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->ninstrs; i++)
		df_instr_free(f->instrs[i]);
	free(f->instrs);
	free(f->meta);
	for (size_t i = 0; i < f->nstages; i++) {
		free(f->stages[i].name);
		free(f->stages[i].description);
	}
	free(f->stages);
	if (f->pr)
		df_parse_result_free(f->pr);
	free(f->filename);
	free(f->data);
	free(f);
}

int df_stage_find(const struct df_file *f, const char *s, bool numeric)
{
	if (numeric && *s) {
		char *end;
		long v = strtol(s, &end, 10);
		if (!*end && isdigit((unsigned char)s[0]))
			return v >= 0 && (size_t)v < f->nstages ? (int)v : -1;
	}
	char *lower = df_lower(s, strlen(s));
	int r = -1;
	for (size_t i = 0; i < f->nstages && r < 0; i++)
		if (f->stages[i].name && !strcmp(f->stages[i].name, lower))
			r = (int)i;
	free(lower);
	return r;
}

char *df_stage_list(const struct df_file *f)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 0; i < f->nstages; i++) {
		if (i)
			sb_adds(&sb, ", ");
		if (f->stages[i].name)
			sb_adds(&sb, f->stages[i].from->stage_name);
		else
			sb_addf(&sb, "%zu (unnamed)", i);
	}
	return sb_detach(&sb);
}
