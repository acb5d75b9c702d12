/* debug_devfilter.c: hidden `berth debug devfilter CGROUP2_DIR`: attach the cgroup v2 device
 * filter to a cgroup (used by the tests on hosts whose containers use cgroup v1). */
#include "cli/cli.h"
#include "runtime/runtime.h"

static int run_devfilter(struct berth_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	if (argc != 2)
		return 125;
	berr err = { 0 };
	if (cgroup_devfilter_attach(argv[1], &err) < 0)
		return cli_error(&err);
	return 0;
}

BERTH_COMMAND(cmd_debug_devfilter) = {
	.group = "debug", .name = "devfilter", .usage = "debug devfilter CGROUP2_DIR",
	.summary = "Attach berth's device filter to a cgroup v2 directory", .run = run_devfilter, .hidden = true,
};
