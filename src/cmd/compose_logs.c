/* compose_logs.c: `berth compose logs [-f] [--tail N] [-t] [--no-log-prefix] [SERVICE...]`. */
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cmd/compose_cmd.h"
#include "util/units.h"
#include "util/cleanup.h"

static volatile sig_atomic_t stop;
static void on_sig(int s) { (void)s; stop = 1; }

static int run_logs(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	bool follow = false, stamps = false, no_color = false, no_prefix = false;
	const char *tail = "all", *since = NULL, *until = NULL, *index = NULL;
	struct opt opts[] = {
		{ "follow", 'f', OPT_BOOL, &follow, "Follow log output", NULL },
		{ "index", 0, OPT_STR, &index, "index of the container if service has multiple replicas", "int" },
		{ "no-color", 0, OPT_BOOL, &no_color, "Produce monochrome output", NULL },
		{ "no-log-prefix", 0, OPT_BOOL, &no_prefix, "Don't print prefix in logs", NULL },
		{ "since", 0, OPT_STR, &since, "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)", "string" },
		{ "tail", 'n', OPT_STR, &tail, "Number of lines to show from the end of the logs for each container", "string" },
		{ "timestamps", 't', OPT_BOOL, &stamps, "Show timestamps", NULL },
		{ "until", 0, OPT_STR, &until, "Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)", "string" },
		OPT_SENTINEL,
	};
	int status;
	if (opts_parse("compose logs", "compose logs [OPTIONS] [SERVICE...]", "View output from containers", opts, true, argc,
		       argv, &args, &status))
		return status;
	int64_t tsince = 0, tuntil = 0;
	const char *tv[2] = { since, until };
	int64_t *to[2] = { &tsince, &tuntil };
	for (int i = 0; i < 2; i++) {
		if (!tv[i])
			continue;
		int64_t sec;
		long nsec;
		berr terr = { 0 };
		if (units_parse_timestamp(tv[i], time(NULL), &sec, &nsec, &terr) < 0) {
			fprintf(stderr, "%s\n", terr.msg);
			return 1;
		}
		*to[i] = sec > INT64_MAX / 1000000000LL - 1 ? INT64_MAX : sec * 1000000000LL + nsec;
	}
	long ntail = -1;
	if (strcmp(tail, "all")) {
		char *end;
		ntail = strtol(tail, &end, 10);
		if (*end || ntail < 0)
			return cli_usage_error("compose logs", "invalid --tail value \"%s\"", tail);
	}
	struct compose_project p;
	struct cengine e;
	if ((status = compose_cmd_open(ctx, o, &p, &e)))
		return status;
	berr err = { 0 };
	struct ctr **v;
	size_t n;
	_cleanup_strvec_ struct strvec order = STRVEC_INIT;
	if (compose_plan(p.model, &args, false, &order, &err) < 0 || cengine_containers(&e, NULL, -1, &v, &n, &err) < 0) {
		status = compose_engine_error(&e, &err);
		compose_cmd_close(&p, &e);
		return status;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		bool keep = !args.n || sv_contains(&args, ctr_label(v[i], CL_SERVICE) ?: "");
		if (keep && index && strcmp(ctr_label(v[i], CL_NUMBER) ?: "", index))
			keep = false;
		if (keep)
			v[k++] = v[i];
		else
			ctr_free(v[i]);
	}
	signal(SIGINT, on_sig);
	signal(SIGTERM, on_sig);
	struct compose_logs_opts lo = { .follow = follow, .timestamps = stamps, .no_prefix = no_prefix,
					.color = !no_color && isatty(1), .tail = ntail, .stop = &stop,
					.since = tsince, .until = tuntil };
	compose_logs(&e, v, k, &lo);
	ctr_list_free(v, k);
	compose_cmd_close(&p, &e);
	return 0;
}

BERTH_COMPOSE_COMMAND(compose_logs_cmd) = {
	.name = "logs", .usage = "compose logs [OPTIONS] [SERVICE...]", .summary = "View output from containers", .run = run_logs,
};
