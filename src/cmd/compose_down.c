/* compose_down.c: `berth compose down`: stop and remove the project's containers (reverse
 * dependency order), its networks, and with -v its volumes, with --rmi its images. */
#include <stdio.h>
#include <string.h>
#include "cmd/compose_cmd.h"
#include "util/fs.h"
#include "util/cleanup.h"

static int run_down(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
{
	bool vols = false, orphans = false;
	const char *rmi = NULL, *timeout = NULL;
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	struct opt opts[] = {
		{ "remove-orphans", 0, OPT_BOOL, &orphans, "Remove containers for services not defined in the Compose file", NULL },
		{ "rmi", 0, OPT_STR, &rmi, "Remove images used by services. \"local\" remove only images that don't have a custom tag (\"local\"|\"all\")", "string" },
		{ "timeout", 't', OPT_STR, &timeout, "Specify a shutdown timeout in seconds", "int" },
		{ "volumes", 'v', OPT_BOOL, &vols, "Remove named volumes declared in the \"volumes\" section of the Compose file and anonymous volumes attached to containers", NULL },
		OPT_SENTINEL,
	};
	int status;
	if (opts_parse("compose down", "compose down [OPTIONS] [SERVICES]", "Stop and remove containers, networks", opts, true,
		       argc, argv, &args, &status))
		return status;
	if (rmi && strcmp(rmi, "local") && strcmp(rmi, "all"))
		return cli_usage_error("compose down", "invalid value for --rmi: %s", rmi);
	struct compose_project p;
	struct cengine e;
	if ((status = compose_cmd_open(ctx, o, &p, &e)))
		return status;
	berr err = { 0 };
	_cleanup_strvec_ struct strvec orph = STRVEC_INIT;
	if (cengine_orphans(&e, &orph, &err) < 0)
		goto fail;
	if (orph.n && !orphans)
		compose_warn("Found orphan containers ([%s]) for this project. If you removed or renamed this service in your "
			     "compose file, you can run this command with the --remove-orphans flag to clean it up.", orph.v[0]);
	/* every service container and one-off container (orphans only with --remove-orphans) */
	if (cengine_stop(&e, args.n ? &args : NULL, compose_timeout(timeout), &err) < 0)
		goto fail;
	{
		struct ctr **v;
		size_t n;
		if (cengine_containers(&e, NULL, -1, &v, &n, &err) < 0)
			goto fail;
		_cleanup_strvec_ struct strvec rmsvc = STRVEC_INIT;
		for (size_t i = 0; i < n; i++) {
			const char *s = ctr_label(v[i], CL_SERVICE);
			if (!s || (args.n && !sv_contains(&args, s)))
				continue;
			if (!orphans && sv_contains(&orph, v[i]->name))
				continue;
			if (!sv_contains(&rmsvc, s))
				sv_push(&rmsvc, s);
		}
		ctr_list_free(v, n);
		if (rmsvc.n && cengine_rm(&e, &rmsvc, true, vols, -1, &err) < 0)
			goto fail;
	}
	if (!args.n) {
		if (cengine_remove_networks(&e, &err) < 0)
			goto fail;
		if (vols && cengine_remove_volumes(&e, &err) < 0)
			goto fail;
		/* the files written for environment/content secrets and configs */
		_cleanup_free_ char *fd = cengine_files_dir(&e);
		berr e2 = { 0 };
		rm_rf(fd, &e2);
	}
	if (rmi) {
		const char *k;
		json_t *s;
		json_object_foreach(json_object_get(p.model, "services"), k, s) {
			if (!strcmp(rmi, "local") && json_object_get(s, "image"))
				continue;
			_cleanup_free_ char *img = cengine_service_image(&e, k);
			_cleanup_strvec_ struct strvec av = STRVEC_INIT;
			sv_push(&av, "rmi");
			sv_push(&av, img);
			FILE *saved = stdout;
			stdout = fopen("/dev/null", "w");
			int r = cengine_call_verb(ctx, NULL, &av);
			fclose(stdout);
			stdout = saved;
			if (r == 0) {
				cengine_event(&e, "Image", img, "Removed");
			}
		}
	}
	cengine_flush(&e, "Running");
	compose_cmd_close(&p, &e);
	return 0;
fail:
	status = compose_engine_error(&e, &err);
	compose_cmd_close(&p, &e);
	return status;
}

BERTH_COMPOSE_COMMAND(compose_down_cmd) = {
	.name = "down",
	.usage = "compose down [OPTIONS] [SERVICES]",
	.summary = "Stop and remove containers, networks",
	.run = run_down,
};
