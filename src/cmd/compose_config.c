/* compose_config.c: `berth compose config`: the normalised model as YAML or JSON, or its
 * service / volume / network / profile / image names, as `docker compose config`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/compose_cmd.h"
#include "util/cleanup.h"
#include "util/fs.h"

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int run_config(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
{
	const char *format = "yaml", *output = NULL, *hash = NULL;
	bool services = false, volumes = false, networks = false, profiles = false, images = false, quiet = false;
	bool environment = false;
	struct opt opts[] = {
		{ "environment", 0, OPT_BOOL, &environment, "Print environment used for interpolation.", NULL },
		{ "format", 0, OPT_STR, &format, "Format the output. Values: [yaml | json]", "string" },
		{ "hash", 0, OPT_STR, &hash, "Print the service config hash, one per line.", "string" },
		{ "images", 0, OPT_BOOL, &images, "Print the image names, one per line.", NULL },
		{ "networks", 0, OPT_BOOL, &networks, "Print the network names, one per line.", NULL },
		{ "output", 'o', OPT_STR, &output, "Save to file (default to stdout)", "string" },
		{ "profiles", 0, OPT_BOOL, &profiles, "Print the profile names, one per line.", NULL },
		{ "quiet", 'q', OPT_BOOL, &quiet, "Only validate the configuration, don't print anything", NULL },
		{ "services", 0, OPT_BOOL, &services, "Print the service names, one per line.", NULL },
		{ "volumes", 0, OPT_BOOL, &volumes, "Print the volume names, one per line.", NULL },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	(void)ctx;
	const char *usage = "compose config [OPTIONS] [SERVICE...]";
	const char *summary = "Parse, resolve and render compose file in canonical format";
	if (opts_parse("compose config", usage, summary, opts, true, argc, argv, &args, &status))
		return status;
	if (strcmp(format, "yaml") && strcmp(format, "json"))
		return cli_usage_error("compose config", "unsupported format \"%s\"", format);
	if (profiles && !o->profiles.n)
		sv_push(&o->profiles, "*");
	struct compose_project p;
	berr err = { 0 };
	for (size_t i = 0; i < args.n; i++)
		sv_push(&o->services, args.v[i]);
	if (compose_load(o, &p, &err) < 0)
		return compose_cmd_error(&err);
	json_t *svcs = json_object_get(p.model, "services");
	_cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
	sb_init(&out);
	const char *k;
	json_t *v;
	if (quiet) {
	} else if (hash) {
		/* "SERVICE HASH" for the listed services (comma-separated) or "*": the
		 * com.docker.compose.config-hash label up would give the containers */
		_cleanup_free_ char *list = xstrdup(hash);
		char *save = NULL;
		for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (!strcmp(t, "*")) {
				json_object_foreach(svcs, k, v) {
					_cleanup_free_ char *h = compose_service_hash(v);
					sb_addf(&out, "%s %s\n", k, h);
				}
				continue;
			}
			json_t *sv = json_object_get(svcs, t);
			if (!sv) {
				compose_project_free(&p);
				fprintf(stderr, "no such service: %s\n", t);
				return 1;
			}
			_cleanup_free_ char *h = compose_service_hash(sv);
			sb_addf(&out, "%s %s\n", t, h);
		}
	} else if (services) {
		json_object_foreach(svcs, k, v) sb_addf(&out, "%s\n", k);
	} else if (volumes) {
		json_object_foreach(json_object_get(p.model, "volumes"), k, v) sb_addf(&out, "%s\n", k);
	} else if (networks) {
		json_object_foreach(json_object_get(p.model, "networks"), k, v) sb_addf(&out, "%s\n", k);
	} else if (environment) {
		json_t *srt = json_object();
		json_object_update(srt, p.env);
		_cleanup_free_ const char **keys = xcalloc(json_object_size(srt) + 1, sizeof *keys);
		size_t n = 0;
		json_object_foreach(srt, k, v) keys[n++] = k;
		qsort(keys, n, sizeof *keys, cmpstr);
		for (size_t i = 0; i < n; i++)
			sb_addf(&out, "%s=%s\n", keys[i], json_string_value(json_object_get(srt, keys[i])));
		json_decref(srt);
	} else if (profiles) {
		_cleanup_strvec_ struct strvec pl = STRVEC_INIT;
		compose_list_profiles(p.model, &pl);
		for (size_t i = 0; i < pl.n; i++)
			sb_addf(&out, "%s\n", pl.v[i]);
	} else if (images) {
		json_object_foreach(svcs, k, v) {
			const char *img = json_string_value(json_object_get(v, "image"));
			if (img)
				sb_addf(&out, "%s\n", img);
			else
				sb_addf(&out, "%s-%s\n", p.name, k);
		}
	} else {
		char *s = !strcmp(format, "json") ? json_dumps(p.model, JSON_INDENT(2) | JSON_PRESERVE_ORDER)
						  : compose_yaml_emit(p.model);
		/* as compose: every '$' doubled, so the output reads back as the same model */
		for (const char *c = s ? s : ""; *c; c++) {
			if (*c == '$')
				sb_addc(&out, '$');
			sb_addc(&out, *c);
		}
		if (!strcmp(format, "json"))
			sb_addc(&out, '\n');
		free(s);
	}
	compose_project_free(&p);
	if (output) {
		if (write_file_atomic(output, out.buf, out.len, 0644, &err) < 0)
			return cli_error(&err);
	} else
		fwrite(out.buf, 1, out.len, stdout);
	return 0;
}

BERTH_COMPOSE_COMMAND(compose_config_cmd) = {
	.name = "config",
	.usage = "compose config [OPTIONS] [SERVICE...]",
	.summary = "Parse, resolve and render compose file in canonical format",
	.run = run_config,
};
