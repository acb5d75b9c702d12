/* run.c: `berth run` and `berth create` (container create): build the container record from
 * flags and the image, then (run) start it attached, or detached under a monitor. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "image/image.h"
#include "runtime/runtime.h"
#include "runtime/create.h"
#include "runtime/supervise.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/log.h"
#include "util/cleanup.h"

#define RUN_USAGE "run [OPTIONS] IMAGE [COMMAND] [ARG...]"
#define CREATE_USAGE "create [OPTIONS] IMAGE [COMMAND] [ARG...]"

struct run_sup_ud {
	const char *restart;
	struct sup_flags *sf;
};

/* --restart, --health-*, --log-* on the config spec_build made (supervise_spec) */
static int run_sup_adjust(json_t *cfg, void *ud, berr *err)
{
	struct run_sup_ud *u = ud;
	return supervise_spec(u->restart, u->sf, cfg, err);
}

static int do_run(struct berth_ctx *ctx, int argc, char **argv, bool create)
{
	struct run_flags f = { 0 };
	struct sup_flags sf = { 0 }; /* supervision flags: supervise_spec.c */
	const char *usage = create ? CREATE_USAGE : RUN_USAGE;
	const char *summary = create ? "Create a new container" : "Run a command in a new container";
	const char *cmdpath = create ? "create" : "run";
	struct opt opts[] = {
		{ "add-host", 0, OPT_LIST, &f.add_host, "Add a custom host-to-IP mapping (host:ip)", "list" },
		{ "cap-add", 0, OPT_LIST, &f.cap_add, "Add Linux capabilities", "list" },
		{ "cap-drop", 0, OPT_LIST, &f.cap_drop, "Drop Linux capabilities", "list" },
		{ "cpu-shares", 'c', OPT_STR, &f.cpu_shares, "CPU shares (relative weight)", "int" },
		{ "cpus", 0, OPT_STR, &f.cpus, "Number of CPUs", "decimal" },
		{ "detach", 'd', OPT_BOOL, &f.detach, "Run container in background and print container ID", NULL },
		{ "device", 0, OPT_LIST, &f.devices, "Add a host device to the container", "list" },
		{ "device-cgroup-rule", 0, OPT_LIST, &f.device_cgroup_rules, "Add a rule to the cgroup allowed devices list", "list" },
		{ "dns", 0, OPT_LIST, &f.dns, "Set custom DNS servers", "list" },
		{ "entrypoint", 0, OPT_STR, &f.entrypoint, "Overwrite the default ENTRYPOINT of the image", "string" },
		{ "env", 'e', OPT_LIST, &f.env, "Set environment variables", "list" },
		{ "env-file", 0, OPT_LIST, &f.env_file, "Read in a file of environment variables", "list" },
		{ "health-cmd", 0, OPT_STR, &sf.health_cmd, "Command to run to check health", "string" },
		{ "health-interval", 0, OPT_STR, &sf.health_interval, "Time between running the check (ms|s|m|h) (default 0s)", "duration" },
		{ "health-retries", 0, OPT_STR, &sf.health_retries, "Consecutive failures needed to report unhealthy", "int" },
		{ "health-start-interval", 0, OPT_STR, &sf.health_start_interval, "Time between running the check during the start period (ms|s|m|h) (default 0s)", "duration" },
		{ "health-start-period", 0, OPT_STR, &sf.health_start_period, "Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)", "duration" },
		{ "health-timeout", 0, OPT_STR, &sf.health_timeout, "Maximum time to allow one check to run (ms|s|m|h) (default 0s)", "duration" },
		{ "hostname", 'h', OPT_STR, &f.hostname, "Container host name", "string" },
		{ "init", 0, OPT_BOOL, &f.init, "Run an init inside the container that forwards signals and reaps processes", NULL },
		{ "interactive", 'i', OPT_BOOL, &f.interactive, "Keep STDIN open even if not attached", NULL },
		{ "label", 'l', OPT_LIST, &f.label, "Set meta data on a container", "list" },
		{ "log-driver", 0, OPT_STR, &sf.log_driver, "Logging driver for the container", "string" },
		{ "log-opt", 0, OPT_LIST, &sf.log_opt, "Log driver options", "list" },
		{ "memory", 'm', OPT_STR, &f.memory, "Memory limit", "bytes" },
		{ "memory-swap", 0, OPT_STR, &f.memory_swap, "Swap limit equal to memory plus swap: '-1' to enable unlimited swap", "bytes" },
		{ "mount", 0, OPT_LIST, &f.mounts, "Attach a filesystem mount to the container", "mount" },
		{ "name", 0, OPT_STR, &f.name, "Assign a name to the container", "string" },
		{ "expose", 0, OPT_LIST, &f.expose, "Expose a port or a range of ports", "list" },
		{ "ip", 0, OPT_STR, &f.ip, "IPv4 address (e.g., 172.30.100.104)", "string" },
		{ "network", 0, OPT_STR, &f.network, "Connect a container to a network", "network" },
		{ "net", 0, OPT_STR, &f.network, "Connect a container to a network", "network" },
		{ "network-alias", 0, OPT_LIST, &f.network_alias, "Add network-scoped alias for the container", "list" },
		{ "net-alias", 0, OPT_LIST, &f.network_alias, "Add network-scoped alias for the container", "list" },
		{ "no-healthcheck", 0, OPT_BOOL, &sf.no_healthcheck, "Disable any container-specified HEALTHCHECK", NULL },
		{ "publish", 'p', OPT_LIST, &f.publish, "Publish a container's port(s) to the host", "list" },
		{ "publish-all", 'P', OPT_BOOL, &f.publish_all, "Publish all exposed ports to random ports", NULL },
		{ "pids-limit", 0, OPT_STR, &f.pids_limit, "Tune container pids limit (set -1 for unlimited)", "int" },
		{ "privileged", 0, OPT_BOOL, &f.privileged, "Give extended privileges to this container", NULL },
		{ "read-only", 0, OPT_BOOL, &f.read_only, "Mount the container's root filesystem as read only", NULL },
		{ "restart", 0, OPT_STR, &f.restart, "Restart policy to apply when a container exits", "string" },
		{ "rm", 0, OPT_BOOL, &f.rm, "Automatically remove the container when it exits", NULL },
		{ "rootfs", 0, OPT_STR, &f.rootfs, "Use DIR as the container's lower root filesystem instead of an image", "DIR" },
		{ "security-opt", 0, OPT_LIST, &f.security_opt, "Security Options", "list" },
		{ "stop-signal", 0, OPT_STR, &f.stop_signal, "Signal to stop the container", "string" },
		{ "stop-timeout", 0, OPT_STR, &f.stop_timeout, "Timeout (in seconds) to stop a container", "int" },
		{ "tmpfs", 0, OPT_LIST, &f.tmpfs, "Mount a tmpfs directory", "list" },
		{ "tty", 't', OPT_BOOL, &f.tty, "Allocate a pseudo-TTY", NULL },
		{ "user", 'u', OPT_STR, &f.user, "Username or UID (format: <name|uid>[:<group|gid>])", "string" },
		{ "volume", 'v', OPT_LIST, &f.volumes, "Bind mount a volume", "list" },
		{ "volumes-from", 0, OPT_LIST, &f.volumes_from, "Mount volumes from the specified container(s)", "list" },
		{ "workdir", 'w', OPT_STR, &f.workdir, "Working directory inside the container", "string" },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--entrypoint") || !strncmp(argv[i], "--entrypoint=", 13))
			f.entrypoint_set = true;
	if (opts_parse(cmdpath, usage, summary, opts, false, argc, argv, &args, &status))
		goto done;
	int min = f.rootfs ? 0 : 1;
	if ((status = cli_require_args(cmdpath, usage, summary, &args, min, -1)))
		goto done;
	if (f.rm && f.restart && strcmp(f.restart, "no")) {
		status = cli_usage_error(cmdpath, "Conflicting options: --restart and --rm");
		goto done;
	}
	{
		_cleanup_store_ struct store *st = NULL;
		berr err = { 0 };
		if (store_open(&st, ctx->root, ctx->runroot, &err) < 0) {
			status = cli_error(&err);
			goto done;
		}
		const char *image = f.rootfs ? NULL : args.v[0];
		char **cmd = args.v + (f.rootfs ? 0 : 1);
		int ncmd = (int)args.n - (f.rootfs ? 0 : 1);
		_cleanup_ctr_ struct ctr *c = NULL;
		struct run_sup_ud sud = { f.restart, &sf };
		if (ctr_create(st, &f, image, cmd, ncmd, run_sup_adjust, &sud, &c, &err) < 0) {
			status = cli_error(&err);
			/* Docker: `run` reports engine errors as 125, `create` as 1 (flag errors: 125) */
			if (create && status == 125)
				status = 1;
			goto done;
		}
		event_emit_ctr(st, c, "create", NULL);
		if (create) {
			printf("%s\n", c->id);
			status = 0;
			goto done;
		}
		if (f.detach) {
			if (monitor_start(st, c, &err) < 0) {
				status = cli_error(&err);
				if (f.rm) {
					berr e2;
					ctr_remove(st, c, true, &e2);
				}
				goto done;
			}
			printf("%s\n", c->id);
			status = 0;
			goto done;
		}
		status = attached_start(st, c, f.interactive, true, &err);
		/* --rm, removed: the WAL's fdatasync goes to the trash reaper that runs after we
		 * exit (the net change is nothing; docs/runtime.md "Start-up path") */
		if (f.rm && trash_pending())
			st->defer_sync = true;
		if (status < 0) {
			status = cli_error(&err);
			if (f.rm) {
				berr e2;
				_cleanup_ctr_ struct ctr *c2 = NULL;
				if (ctr_lookup(st, c->id, &c2, &e2) == 0)
					ctr_remove(st, c2, true, &e2);
			}
		}
	}
done:
	sv_clear(&f.env); sv_clear(&f.env_file); sv_clear(&f.volumes); sv_clear(&f.mounts);
	sv_clear(&f.tmpfs); sv_clear(&f.cap_add); sv_clear(&f.cap_drop); sv_clear(&f.security_opt);
	sv_clear(&f.label); sv_clear(&f.add_host); sv_clear(&f.dns); sv_clear(&f.volumes_from);
	sv_clear(&f.network_alias); sv_clear(&f.publish); sv_clear(&f.expose);
	sv_clear(&f.devices); sv_clear(&f.device_cgroup_rules);
	sv_clear(&sf.log_opt);
	return status;
}

static int run_run(struct berth_ctx *ctx, int argc, char **argv) { return do_run(ctx, argc, argv, false); }
static int run_create(struct berth_ctx *ctx, int argc, char **argv) { return do_run(ctx, argc, argv, true); }

BERTH_COMMAND(cmd_run) = { .name = "run", .usage = RUN_USAGE, .summary = "Run a command in a new container", .run = run_run };
BERTH_COMMAND(cmd_container_run) = { .group = "container", .name = "run", .usage = RUN_USAGE, .summary = "Run a command in a new container", .run = run_run };
BERTH_COMMAND(cmd_create) = { .name = "create", .usage = CREATE_USAGE, .summary = "Create a new container", .run = run_create };
BERTH_COMMAND(cmd_container_create) = { .group = "container", .name = "create", .usage = CREATE_USAGE, .summary = "Create a new container", .run = run_create };
