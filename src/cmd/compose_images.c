/* compose_images.c: `berth compose images [-q] [SERVICE...]`: the images the project's
 * containers use: CONTAINER REPOSITORY TAG IMAGE ID SIZE. */
#include <stdio.h>
#include <string.h>
#include "cmd/compose_cmd.h"
#include "image/istore.h"
#include "util/cleanup.h"
#include "util/units.h"

static int run_images(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	bool quiet = false;
	const char *format = "table";
	struct opt opts[] = {
		{ "format", 0, OPT_STR, &format, "Format the output. Values: [table | json]", "string" },
		{ "quiet", 'q', OPT_BOOL, &quiet, "Only display IDs", NULL },
		OPT_SENTINEL,
	};
	int status;
	if (opts_parse("compose images", "compose images [OPTIONS] [SERVICE...]", "List images used by the created containers", opts,
		       true, argc, argv, &args, &status))
		return status;
	struct compose_project p;
	struct cengine e;
	if ((status = compose_cmd_open(ctx, o, &p, &e)))
		return status;
	berr err = { 0 };
	struct ctr **v;
	size_t n;
	if (cengine_containers(&e, NULL, -1, &v, &n, &err) < 0) {
		status = compose_engine_error(&e, &err);
		compose_cmd_close(&p, &e);
		return status;
	}
	size_t w[4] = { 9, 10, 3, 8 };
	struct strvec rows = STRVEC_INIT;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		if (args.n && !sv_contains(&args, ctr_label(v[i], CL_SERVICE) ?: ""))
			continue;
		const char *iid = json_string_value(json_object_get(v[i]->cfg, "Image"));
		struct img_info in = { 0 };
		berr e2 = { 0 };
		if (!iid || img_get(e.st, iid, &in, &e2) < 0)
			continue;
		if (quiet) {
			printf("%s\n", iid);
			img_info_release(&in);
			continue;
		}
		/* the repository and tag the container was created from */
		_cleanup_free_ char *ref = xstrdup(v[i]->image ?: "");
		char *at = strrchr(ref, ':');
		const char *tag = "latest";
		if (at && !strchr(at, '/')) {
			*at = 0;
			tag = at + 1;
		}
		char sz[UNITS_BUF];
		units_human_size_prec((double)in.size, 3, sz);
		char idshort[13];
		snprintf(idshort, sizeof idshort, "%s", iid + (strncmp(iid, "sha256:", 7) ? 0 : 7));
		sv_push(&rows, v[i]->name);
		sv_push(&rows, ref);
		sv_push(&rows, tag);
		sv_push(&rows, idshort);
		sv_push(&rows, sz);
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:I}", "ContainerName", v[i]->name, "Repository", ref,
						     "Tag", tag, "ID", iid, "Size", (json_int_t)in.size));
		size_t l[4] = { strlen(v[i]->name), strlen(ref), strlen(tag), strlen(idshort) };
		for (int k = 0; k < 4; k++)
			if (l[k] > w[k])
				w[k] = l[k];
		img_info_release(&in);
	}
	if (!quiet && !strcmp(format, "json")) {
		char *s = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
		printf("%s\n", s);
		free(s);
	} else if (!quiet) {
		printf("%-*s   %-*s   %-*s   %-*s   %s\n", (int)w[0], "CONTAINER", (int)w[1], "REPOSITORY", (int)w[2], "TAG",
		       (int)w[3], "IMAGE ID", "SIZE");
		for (size_t i = 0; i + 4 < rows.n + 0 || i + 5 <= rows.n; i += 5)
			printf("%-*s   %-*s   %-*s   %-*s   %s\n", (int)w[0], rows.v[i], (int)w[1], rows.v[i + 1], (int)w[2],
			       rows.v[i + 2], (int)w[3], rows.v[i + 3], rows.v[i + 4]);
	}
	json_decref(arr);
	sv_clear(&rows);
	ctr_list_free(v, n);
	compose_cmd_close(&p, &e);
	return 0;
}

BERTH_COMPOSE_COMMAND(compose_images_cmd) = {
	.name = "images", .usage = "compose images [OPTIONS] [SERVICE...]",
	.summary = "List images used by the created containers", .run = run_images,
};
