/* network_connect.c: `berth network connect [--alias] [--ip] NETWORK CONTAINER`,
 * `berth network disconnect [-f] NETWORK CONTAINER` and `berth port CONTAINER [PORT[/PROTO]]`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "net/net.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"

static int engine_error(berr *err)
{
	if (!err->status)
		err->status = 1;
	return cli_error(err);
}

#define CONNECT_USAGE "network connect [OPTIONS] NETWORK CONTAINER"
#define CONNECT_SUMMARY "Connect a container to a network"

static int run_connect(struct berth_ctx *ctx, int argc, char **argv)
{
	const char *ip = NULL, *ip6 = NULL;
	_cleanup_strvec_ struct strvec aliases = STRVEC_INIT, links = STRVEC_INIT, lla = STRVEC_INIT, args = STRVEC_INIT;
	struct opt opts[] = {
		{ "alias", 0, OPT_LIST, &aliases, "Add network-scoped alias for the container", "strings" },
		{ "ip", 0, OPT_STR, &ip, "IPv4 address (e.g., 172.30.100.104)", "string" },
		{ "ip6", 0, OPT_STR, &ip6, "IPv6 address (e.g., 2001:db8::33)", "string" },
		{ "link", 0, OPT_LIST, &links, "Add link to another container", "list" },
		{ "link-local-ip", 0, OPT_LIST, &lla, "Add a link-local address for the container", "strings" },
		OPT_SENTINEL,
	};
	int status;
	if (opts_parse("network connect", CONNECT_USAGE, CONNECT_SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("network connect", CONNECT_USAGE, CONNECT_SUMMARY, &args, 2, 2)))
		return status;
	berr err = { 0 };
	if (ip6 || links.n || lla.n) {
		berr_set(&err, ENOTSUP, "--ip6, --link and --link-local-ip are not supported by berth yet");
		return engine_error(&err);
	}
	_cleanup_store_ struct store *st = NULL;
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	_cleanup_ctr_ struct ctr *c = NULL;
	if (ctr_lookup(st, args.v[1], &c, &err) < 0 || ctr_net_connect(st, c, args.v[0], ip, &aliases, &err) < 0)
		return engine_error(&err);
	return 0;
}

#define DISCONNECT_USAGE "network disconnect [OPTIONS] NETWORK CONTAINER"
#define DISCONNECT_SUMMARY "Disconnect a container from a network"

static int run_disconnect(struct berth_ctx *ctx, int argc, char **argv)
{
	bool force = false;
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	struct opt opts[] = {
		{ "force", 'f', OPT_BOOL, &force, "Force the container to disconnect from a network", NULL },
		OPT_SENTINEL,
	};
	int status;
	if (opts_parse("network disconnect", DISCONNECT_USAGE, DISCONNECT_SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("network disconnect", DISCONNECT_USAGE, DISCONNECT_SUMMARY, &args, 2, 2)))
		return status;
	berr err = { 0 };
	_cleanup_store_ struct store *st = NULL;
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	_cleanup_ctr_ struct ctr *c = NULL;
	if (ctr_lookup(st, args.v[1], &c, &err) < 0) {
		if (force) {
			/* -f: also clean up an endpoint whose container record is gone */
			berr e2 = { 0 };
			if (net_detach(st, args.v[0], args.v[1], &e2) == 0)
				return 0;
		}
		return engine_error(&err);
	}
	if (ctr_net_disconnect(st, c, args.v[0], force, &err) < 0)
		return engine_error(&err);
	return 0;
}

BERTH_COMMAND(cmd_network_connect) = {
	.group = "network", .name = "connect", .usage = CONNECT_USAGE, .summary = CONNECT_SUMMARY, .run = run_connect,
};
BERTH_COMMAND(cmd_network_disconnect) = {
	.group = "network", .name = "disconnect", .usage = DISCONNECT_USAGE, .summary = DISCONNECT_SUMMARY, .run = run_disconnect,
};

/* ---- port ---- */
#define PORT_USAGE "port CONTAINER [PRIVATE_PORT[/PROTO]]"
#define PORT_SUMMARY "List port mappings or a specific mapping for the container"

static int run_port(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	struct opt opts[] = { OPT_SENTINEL };
	int status;
	if (opts_parse("port", PORT_USAGE, PORT_SUMMARY, opts, false, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("port", PORT_USAGE, PORT_SUMMARY, &args, 1, 2)))
		return status;
	berr err = { 0 };
	unsigned want = 0;
	char proto[8] = "tcp";
	if (args.n == 2) {
		char *end;
		const char *spec = args.v[1];
		long p = strtol(spec, &end, 10);
		if (*end == '/')
			snprintf(proto, sizeof proto, "%s", end + 1), end += strlen(end);
		if (end == spec || *end || p < 1 || p > 65535) {
			berr_set(&err, EINVAL, "Error: invalid port (%s): invalid syntax", spec);
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		want = (unsigned)p;
	}
	_cleanup_store_ struct store *st = NULL;
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	_cleanup_ctr_ struct ctr *c = NULL;
	if (ctr_lookup(st, args.v[0], &c, &err) < 0)
		return engine_error(&err);
	struct net_port *p = NULL;
	size_t n = 0;
	if (ctr_refresh(st, c) == CTR_RUNNING && net_ports_of(st, c->id, &p, &n, &err) < 0)
		return engine_error(&err);
	bool found = false;
	for (size_t i = 0; i < n; i++) {
		char ip[16];
		net_ip_str(p[i].host_ip, ip);
		if (!want)
			printf("%u/%s -> %s:%u\n", p[i].container_port, p[i].proto, ip, p[i].host_port);
		else if (p[i].container_port == want && !strcmp(p[i].proto, proto)) {
			printf("%s:%u\n", ip, p[i].host_port);
			found = true;
		}
	}
	free(p);
	if (want && !found) {
		fprintf(stderr, "Error: No public port '%u/%s' published for %s\n", want, proto, args.v[0]);
		return 1;
	}
	return 0;
}

BERTH_COMMAND(cmd_port) = { .name = "port", .usage = PORT_USAGE, .summary = PORT_SUMMARY, .run = run_port };
BERTH_COMMAND(cmd_container_port) = { .group = "container", .name = "port", .usage = PORT_USAGE, .summary = PORT_SUMMARY, .run = run_port };

/* hidden: `debug net-setup ID PID`: attach a starting container (sandbox_launch runs it) */
static int run_net_setup(struct berth_ctx *ctx, int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: berth debug net-setup ID PID\n");
		return 125;
	}
	berr err = { 0 };
	_cleanup_store_ struct store *st = NULL;
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	_cleanup_ctr_ struct ctr *c = NULL;
	if (ctr_lookup(st, argv[1], &c, &err) < 0 || sandbox_net_setup(st, c, (pid_t)atoi(argv[2]), &err) < 0) {
		fprintf(stderr, "Error: %s\n", err.msg);
		return err.status ? err.status : 125;
	}
	return 0;
}

BERTH_COMMAND(cmd_debug_net_setup) = {
	.group = "debug", .name = "net-setup", .usage = "debug net-setup ID PID",
	.summary = "Attach a starting container to its networks (used by the runtime)", .run = run_net_setup, .hidden = true,
};
