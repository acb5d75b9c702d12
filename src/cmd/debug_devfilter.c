/* debug_devfilter.c: hidden `berth debug devfilter CGROUP2_DIR [RULE...]`: attach the cgroup v2
 * device filter (Docker's default list plus RULEs such as "c 1:11 r") to a cgroup (used by the
 * tests on hosts whose containers use cgroup v1). */
#include "cli/cli.h"
#include "runtime/runtime.h"

static int run_devfilter(struct berth_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	if (argc < 2)
		return 125;
	berr err = { 0 };
	json_t *hc = json_pack("{s:[]}", "DeviceCgroupRules");
	for (int i = 2; i < argc; i++)
		json_array_append_new(json_object_get(hc, "DeviceCgroupRules"), json_string(argv[i]));
	struct dev_rule rules[DEV_RULES_MAX];
	ssize_t n = dev_rules_of(hc, rules, DEV_RULES_MAX, &err);
	json_decref(hc);
	if (n < 0 || cgroup_devfilter_attach(argv[1], rules, (size_t)n, &err) < 0)
		return cli_error(&err);
	return 0;
}

BERTH_COMMAND(cmd_debug_devfilter) = {
	.group = "debug", .name = "devfilter", .usage = "debug devfilter CGROUP2_DIR [RULE...]",
	.summary = "Attach berth's device filter to a cgroup v2 directory", .run = run_devfilter, .hidden = true,
};
