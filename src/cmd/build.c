/* build.c: `berth build` (docker build's flags). What works today is the front end:
 * `--check` / `--call check` lints the Dockerfile as BuildKit does, `--call targets` and
 * `--call outline` list stages and build args as BuildKit prints them; a plain build runs the
 * builder (build/exec.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "build/context.h"
#include "build/exec.h"
#include "build/options.h"
#include "cli/cli.h"
#include "dockerfile/check.h"
#include "dockerfile/parse_internal.h"
#include "dockerfile/plan.h"
#include "dockerfile/shell.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* A tiny text/tabwriter: cells separated by '\t', lines by '\n'; every cell but the last of
 * a line is padded to its column's width + padding. */
static void tab_print(FILE *f, const struct strvec *lines, int padding)
{
	size_t widths[16] = { 0 };
	for (size_t i = 0; i < lines->n; i++) {
		const char *s = lines->v[i];
		for (size_t col = 0; col < 16; col++) {
			const char *t = strchr(s, '\t');
			if (!t)
				break;
			if ((size_t)(t - s) > widths[col])
				widths[col] = (size_t)(t - s);
			s = t + 1;
		}
	}
	for (size_t i = 0; i < lines->n; i++) {
		const char *s = lines->v[i];
		for (size_t col = 0;; col++) {
			const char *t = strchr(s, '\t');
			if (!t || col >= 16) {
				fprintf(f, "%s\n", s);
				break;
			}
			fprintf(f, "%-*.*s", (int)(widths[col] + (size_t)padding), (int)(t - s), s);
			s = t + 1;
		}
	}
}

/* BuildKit's getComment: the comment "NAME description" right above a definition. */
static const char *definition_comment(const struct strvec *comments, const char *name)
{
	if (!name)
		return "";
	size_t l = strlen(name);
	for (size_t i = 0; i < comments->n; i++)
		if (!strncmp(comments->v[i], name, l) && comments->v[i][l] == ' ')
			return comments->v[i] + l + 1;
	return "";
}

static int call_targets(const struct df_file *f)
{
	struct strvec lines = STRVEC_INIT;
	sv_push(&lines, "TARGET\tDESCRIPTION");
	for (size_t i = 0; i < f->nstages; i++) {
		const struct df_stage *s = &f->stages[i];
		const char *name = s->from->stage_name ? s->from->stage_name : "";
		bool def = i + 1 == f->nstages;
		const char *desc = definition_comment(&s->from->node->prev_comments, s->from->stage_name);
		if (def)
			sv_pushf(&lines, "%s%s\t%s", name, *name ? " (default)" : "(default)", desc);
		else
			sv_pushf(&lines, "%s\t%s", name, desc);
	}
	tab_print(stdout, &lines, 1);
	sv_clear(&lines);
	return 0;
}

static bool predefined_arg(const char *k)
{
	static const char *const names[] = { "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
					     "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT", NULL };
	for (size_t i = 0; names[i]; i++)
		if (!strcmp(names[i], k))
			return true;
	return false;
}

/* Does word reference variable name ($name, ${name...})? */
static bool refers_to(const char *word, const char *name, int escape)
{
	struct shell_matches m = SHELL_MATCHES_INIT;
	berr e = { 0 };
	char *out = NULL;
	shell_expand_word(word, NULL, escape, &out, &m, &e);
	free(out);
	bool r = sv_contains(&m.matched, name) || sv_contains(&m.unmatched, name);
	shell_matches_clear(&m);
	return r;
}

static int call_outline(const struct df_file *f, const struct build_opts *o, const struct strvec *bargs)
{
	int target = (int)f->nstages - 1;
	if (o->target && *o->target) {
		target = df_stage_find(f, o->target, false);
		if (target < 0) {
			char *list = df_stage_list(f);
			fprintf(stderr, "ERROR: target stage \"%s\" could not be found; the stages are: %s\n",
				o->target, list);
			free(list);
			return 1;
		}
	}
	/* the stages the target needs: FROM a stage, COPY --from, RUN --mount from= */
	bool *need = xcalloc(f->nstages + 1, sizeof(bool));
	need[target] = true;
	for (int changed = 1; changed;) {
		changed = 0;
		for (size_t i = 0; i < f->nstages; i++) {
			if (!need[i])
				continue;
			const struct df_stage *s = &f->stages[i];
			int d = df_stage_find(f, s->from->args.v[0], false);
			if (d >= 0 && (size_t)d != i && !need[d])
				need[d] = true, changed = 1;
			for (size_t j = 0; j < s->ninstrs; j++) {
				const struct df_instr *in = s->instrs[j];
				const char *from = in->kind == DF_COPY ? in->from : NULL;
				for (size_t m = 0; !from && m < in->nmounts; m++)
					from = in->mounts[m].from;
				if (from && (d = df_stage_find(f, from, true)) >= 0 && !need[d])
					need[d] = true, changed = 1;
			}
		}
	}
	const struct df_stage *t = &f->stages[target];
	const char *desc = definition_comment(&t->from->node->prev_comments, t->from->stage_name);
	struct strvec lines = STRVEC_INIT;
	if (t->from->stage_name || *desc) {
		sv_pushf(&lines, "TARGET:\t%s", t->from->stage_name ? t->from->stage_name : "(default)");
		if (*desc)
			sv_pushf(&lines, "DESCRIPTION:\t%s", desc);
		tab_print(stdout, &lines, 1);
		printf("\n");
		sv_clear(&lines);
	}
	/* build args: global ones used by a needed FROM or redeclared, and those of needed stages */
	struct strvec names = STRVEC_INIT, args = STRVEC_INIT, secrets = STRVEC_INIT, ssh = STRVEC_INIT;
	sv_push(&args, "BUILD ARG\tVALUE\tDESCRIPTION");
	for (size_t i = 0; i < f->ninstrs; i++) {
		const struct df_instr *in = f->instrs[i];
		int stage = -1;
		for (size_t s = 0; s < f->nstages; s++)
			if (f->stages[s].from->line <= in->line)
				stage = (int)s;
		if (stage >= 0 && !need[stage])
			continue;
		if (in->kind == DF_RUN)
			for (size_t m = 0; m < in->nmounts; m++) {
				const struct df_mount *mt = &in->mounts[m];
				if (mt->type == DF_MOUNT_SECRET && !sv_contains(&names, mt->id)) {
					sv_pushf(&secrets, "%s\t%s\t", mt->id, mt->required ? "true" : "");
					sv_push(&names, mt->id);
				}
				if (mt->type == DF_MOUNT_SSH && !sv_contains(&names, mt->id)) {
					sv_pushf(&ssh, "%s\t%s\t", mt->id, mt->required ? "true" : "");
					sv_push(&names, mt->id);
				}
			}
		if (in->kind != DF_ARG)
			continue;
		for (size_t j = 0; j < in->nkvs; j++) {
			const char *k = in->kvs[j].key;
			if (predefined_arg(k) || sv_contains(&names, k))
				continue;
			if (stage < 0) {
				/* global: listed when a needed FROM uses it or a needed stage redeclares it */
				bool used = false;
				for (size_t s = 0; s < f->nstages && !used; s++) {
					if (!need[s])
						continue;
					const struct df_instr *fr = f->stages[s].from;
					used = refers_to(fr->args.v[0], k, f->pr->escape_token) ||
					       (fr->platform && refers_to(fr->platform, k, f->pr->escape_token));
					for (size_t x = 0; x < f->stages[s].ninstrs && !used; x++) {
						const struct df_instr *a = f->stages[s].instrs[x];
						for (size_t y = 0; a->kind == DF_ARG && y < a->nkvs; y++)
							used |= !strcmp(a->kvs[y].key, k);
					}
				}
				if (!used)
					continue;
			}
			const char *val = in->kvs[j].value ? in->kvs[j].value : "";
			size_t kl = strlen(k);
			for (size_t b = 0; b < bargs->n; b++)
				if (!strncmp(bargs->v[b], k, kl) && bargs->v[b][kl] == '=')
					val = bargs->v[b] + kl + 1;
			/* a stage's bare ARG inherits the global default */
			if (!in->kvs[j].value && stage >= 0)
				for (size_t g = 0; g < f->nmeta; g++)
					for (size_t y = 0; y < f->meta[g]->nkvs; y++)
						if (!strcmp(f->meta[g]->kvs[y].key, k) && f->meta[g]->kvs[y].value)
							val = f->meta[g]->kvs[y].value;
			sv_pushf(&args, "%s\t%s\t%s", k, val, definition_comment(&in->node->prev_comments, k));
			sv_push(&names, k);
		}
	}
	if (args.n > 1) {
		tab_print(stdout, &args, 3);
		printf("\n");
	}
	if (secrets.n) {
		struct strvec l = STRVEC_INIT;
		sv_push(&l, "SECRET\tREQUIRED\tDESCRIPTION");
		for (size_t i = 0; i < secrets.n; i++)
			sv_push(&l, secrets.v[i]);
		tab_print(stdout, &l, 3);
		printf("\n");
		sv_clear(&l);
	}
	if (ssh.n) {
		struct strvec l = STRVEC_INIT;
		sv_push(&l, "SSH\tREQUIRED\tDESCRIPTION");
		for (size_t i = 0; i < ssh.n; i++)
			sv_push(&l, ssh.v[i]);
		tab_print(stdout, &l, 3);
		printf("\n");
		sv_clear(&l);
	}
	sv_clear(&names);
	sv_clear(&args);
	sv_clear(&secrets);
	sv_clear(&ssh);
	free(need);
	return 0;
}

static int run_build(struct berth_ctx *ctx, int argc, char **argv)
{
	struct build_opts o;
	int status;
	if (build_opts_parse(argc, argv, &o, &status))
		return status;
	char method[32] = "build";
	if (o.call)
		snprintf(method, sizeof(method), "%.*s", (int)strcspn(o.call, ","), o.call);
	berr err = { 0 };
	_cleanup_free_ char *data = NULL, *name = NULL;
	size_t len = 0;
	_cleanup_strvec_ struct strvec bargs = STRVEC_INIT;
	build_opts_args(&o, &bargs);
	/* `build - < ctx.tar`: a context tarball on stdin is extracted into a temp dir (a bare
	 * Dockerfile on stdin builds with an empty context); -f then names a file inside it */
	_cleanup_free_ char *stdin_dir = NULL, *stdin_file = NULL;
	if (!strcmp(method, "build") && !strcmp(o.context, "-") && !(o.file && !strcmp(o.file, "-"))) {
		const char *tmp = getenv("TMPDIR");
		if (bctx_from_stdin(0, tmp && *tmp ? tmp : "/tmp", &stdin_dir, &data, &len, &err) < 0) {
			fprintf(stderr, "ERROR: %s\n", err.msg);
			build_opts_release(&o);
			return 1;
		}
		if (stdin_dir) {
			free((char *)o.context); /* owned by the options */
			o.context = xstrdup(stdin_dir);
			if (o.file)
				o.file = stdin_file = xasprintf("%s/%s", stdin_dir, o.file);
		} else
			name = xstrdup("Dockerfile");
	}
	if (!data && build_load_dockerfile(&o, &data, &len, &name, &err)) {
		fprintf(stderr, "ERROR: %s\n", err.msg);
		if (stdin_dir) {
			berr e2;
			rm_rf(stdin_dir, &e2);
		}
		build_opts_release(&o);
		return 1;
	}
	int rc = 0;
	if (!strcmp(method, "build")) {
		/* every build prints the lint summary (as buildx does at the end of a build) */
		struct df_check_opts co = { .build_args = (const char *const *)bargs.v, .target = o.target };
		struct df_check_result r;
		if (!df_check(data, len, name, &co, &r, &err)) {
			df_check_print_summary(stderr, &r);
			df_check_result_release(&r);
		}
		struct build_request req = {
			.o = &o,
			.build_args = (const char *const *)bargs.v,
			.dockerfile = data,
			.dockerfile_len = len,
			.dockerfile_name = name,
			.context_dir = strcmp(o.context, "-") ? o.context : NULL,
			.root = ctx->root,
			.runroot = ctx->runroot,
		};
		rc = build_run(&req);
		if (stdin_dir) {
			berr e2;
			rm_rf(stdin_dir, &e2);
		}
		build_opts_release(&o);
		return rc;
	}
	if (!strcmp(method, "check")) {
		struct df_check_opts co = {
			.build_args = (const char *const *)bargs.v,
			.target = o.target,
			.context = strcmp(o.context, "-") ? o.context : NULL,
		};
		struct df_check_result r;
		if (df_check(data, len, name, &co, &r, &err)) {
			fprintf(stderr, "ERROR: %s\n", err.msg);
			rc = 1;
		} else {
			rc = df_check_print(stdout, &r, name, data, len);
			df_check_result_release(&r);
		}
	} else {
		struct df_file *f = NULL;
		if (df_file_load_lenient(data, len, name, &f, &err)) {
			fprintf(stderr, "ERROR: %s\n", err.msg);
			rc = 1;
		} else if (!f->nstages) {
			fprintf(stderr, "ERROR: no build stage in current context\n");
			rc = 1;
		} else
			rc = !strcmp(method, "targets") ? call_targets(f) : call_outline(f, &o, &bargs);
		df_file_free(f);
	}
	build_opts_release(&o);
	return rc;
}

BERTH_COMMAND(cmd_build) = {
	.name = "build",
	.usage = "build [OPTIONS] PATH | URL | -",
	.summary = "Build an image from a Dockerfile",
	.run = run_build,
};

BERTH_COMMAND(cmd_image_build) = {
	.group = "image",
	.name = "build",
	.usage = "image build [OPTIONS] PATH | URL | -",
	.summary = "Build an image from a Dockerfile",
	.run = run_build,
};
