/* system_check.c: `berth system check [--repair]`: exit 0 when the store is sound, 1 when
 * problems remain. */
#include <string.h>
#include "cmd/imgcmd.h"
#include "image/check.h"
#include "util/cleanup.h"

#define USAGE "system check [OPTIONS]"
#define SUMMARY "Verify every blob against its digest and every database reference"

static int run_check(struct berth_ctx *ctx, int argc, char **argv)
{
	bool repair = false, quiet = false;
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	struct opt opts[] = {
		{ "quiet", 'q', OPT_BOOL, &quiet, "Only report problems", NULL },
		{ "repair", 0, OPT_BOOL, &repair, "Fix what is wrong (recompute refcounts, drop corrupt content)", NULL },
		OPT_SENTINEL,
	};
	int status;
	if (opts_parse("system check", USAGE, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("system check", USAGE, SUMMARY, &args, 0, 0)))
		return status;
	_cleanup_store_ struct store *st = NULL;
	if ((status = imgcmd_open(ctx, &st)))
		return status;
	struct check_report r;
	berr err = { 0 };
	if (image_check(st, repair, &r, &err) < 0) {
		sv_clear(&r.lines);
		return cli_error(&err);
	}
	for (size_t i = 0; i < r.lines.n; i++)
		printf("%s\n", r.lines.v[i]);
	if (!quiet) {
		printf("checked %d blobs, %d layers\n", r.blobs_checked, r.layers_checked);
		if (r.unreferenced)
			printf("%d unreferenced blobs/layers (reclaimable with 'berth image prune')\n", r.unreferenced);
		if (r.stale_tmp)
			printf("%d leftovers of interrupted writes under tmp/ (%s)\n", r.stale_tmp, repair ? "removed" : "removed by --repair or prune");
	}
	int remaining = r.problems;
	if (repair && r.problems) {
		struct check_report again;
		if (image_check(st, false, &again, &err) == 0) {
			remaining = again.problems;
			for (size_t i = 0; i < again.lines.n; i++)
				printf("still wrong: %s\n", again.lines.v[i]);
		}
		sv_clear(&again.lines);
	}
	if (!repair && r.problems)
		printf("%d problems found\n", r.problems);
	else if (remaining)
		printf("%d problems remain after repair\n", remaining);
	else if (!quiet)
		printf(r.problems ? "%d problems found and repaired\n" : "no problems found\n", r.problems);
	sv_clear(&r.lines);
	return remaining ? 1 : 0;
}

BERTH_COMMAND(cmd_system_check) = { .group = "system", .name = "check", .usage = USAGE, .summary = SUMMARY, .run = run_check };
