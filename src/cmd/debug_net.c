/* debug_net.c: hidden developer verbs that drive the network library without a container:
 *   berth debug net-attach NETWORK NETNS_PATH [--id ID] [--ip IP] [--alias A] [-p SPEC]...
 *   berth debug net-detach NETWORK ID      berth debug net-reconcile
 * The tests attach `ip netns` namespaces (/run/netns/NAME) as if they were containers. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "net/internal.h"
#include "util/cleanup.h"

static int fail(berr *err)
{
	if (!err->status)
		err->status = 1;
	return cli_error(err);
}

#define ATTACH_USAGE "debug net-attach [OPTIONS] NETWORK NETNS_PATH"
#define ATTACH_SUMMARY "Attach a network namespace to a network as if it were a container"

static int run_attach(struct berth_ctx *ctx, int argc, char **argv)
{
	const char *id = NULL, *ip = NULL, *ifname = NULL;
	_cleanup_strvec_ struct strvec ports = STRVEC_INIT, aliases = STRVEC_INIT, args = STRVEC_INIT;
	struct opt opts[] = {
		{ "alias", 0, OPT_LIST, &aliases, "Network-scoped alias", "list" },
		{ "id", 0, OPT_STR, &id, "Container id to record (default: the netns file name)", "string" },
		{ "ifname", 0, OPT_STR, &ifname, "Interface name inside the namespace", "string" },
		{ "ip", 0, OPT_STR, &ip, "IPv4 address", "string" },
		{ "publish", 'p', OPT_LIST, &ports, "Publish a port", "list" },
		OPT_SENTINEL,
	};
	int status;
	if (opts_parse("debug net-attach", ATTACH_USAGE, ATTACH_SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("debug net-attach", ATTACH_USAGE, ATTACH_SUMMARY, &args, 2, 2)))
		return status;
	berr err = { 0 };
	struct net_port *pv = NULL;
	size_t np = 0;
	for (size_t i = 0; i < ports.n; i++)
		if (net_port_parse(ports.v[i], &pv, &np, &err) < 0) {
			free(pv);
			return cli_usage_error("debug net-attach", "invalid argument \"%s\" for \"-p, --publish\" flag: %s", ports.v[i], err.msg);
		}
	_cleanup_free_ char *pathcopy = xstrdup(args.v[1]);
	if (!id)
		id = basename(pathcopy);
	_cleanup_close_ int fd = open(args.v[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(pv);
		berr_sys(&err, "open %s", args.v[1]);
		return fail(&err);
	}
	_cleanup_store_ struct store *st = NULL;
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0) {
		free(pv);
		return fail(&err);
	}
	struct net_attach_opts o = {
		.ip = ip, .aliases = (const char *const *)aliases.v, .ifname = ifname, .container_name = id,
		.ports = pv, .nports = np,
	};
	struct net_attach_result r;
	int rc = net_attach(st, args.v[0], id, fd, &o, &r, &err);
	free(pv);
	if (rc < 0)
		return fail(&err);
	printf("ip=%s/%d\ngateway=%s\nmac=%s\nifname=%s\nhost_veth=%s\n", r.ip, r.prefix, r.gateway, r.mac, r.ifname, r.host_veth);
	for (size_t i = 0; i < r.nports; i++) {
		char b[16];
		printf("port=%s:%u->%u/%s\n", net_ip_str(r.ports[i].host_ip, b), r.ports[i].host_port, r.ports[i].container_port, r.ports[i].proto);
	}
	net_attach_result_free(&r);
	return 0;
}

BERTH_COMMAND(cmd_debug_net_attach) = {
	.group = "debug", .name = "net-attach", .usage = ATTACH_USAGE, .summary = ATTACH_SUMMARY, .run = run_attach, .hidden = true,
};

static int run_detach(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	const char *usage = "debug net-detach NETWORK ID", *summary = "Detach a namespace attached with net-attach";
	if (opts_parse("debug net-detach", usage, summary, NULL, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("debug net-detach", usage, summary, &args, 2, 2)))
		return status;
	berr err = { 0 };
	_cleanup_store_ struct store *st = NULL;
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0 || net_detach(st, args.v[0], args.v[1], &err) < 0)
		return fail(&err);
	return 0;
}

BERTH_COMMAND(cmd_debug_net_detach) = {
	.group = "debug", .name = "net-detach", .usage = "debug net-detach NETWORK ID",
	.summary = "Detach a namespace attached with net-attach", .run = run_detach, .hidden = true,
};

static int run_reconcile(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	const char *usage = "debug net-reconcile", *summary = "Drop stale endpoints, idle bridges and stale nftables rules";
	if (opts_parse("debug net-reconcile", usage, summary, NULL, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("debug net-reconcile", usage, summary, &args, 0, 0)))
		return status;
	berr err = { 0 };
	_cleanup_store_ struct store *st = NULL;
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0 || net_reconcile(st, &err) < 0)
		return fail(&err);
	return 0;
}

BERTH_COMMAND(cmd_debug_net_reconcile) = {
	.group = "debug", .name = "net-reconcile", .usage = "debug net-reconcile",
	.summary = "Drop stale endpoints, idle bridges and stale nftables rules", .run = run_reconcile, .hidden = true,
};

static int run_names(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	const char *usage = "debug net-names", *summary = "Print this root's nftables table and default bridge";
	if (opts_parse("debug net-names", usage, summary, NULL, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("debug net-names", usage, summary, &args, 0, 0)))
		return status;
	berr err = { 0 };
	_cleanup_store_ struct store *st = NULL;
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return fail(&err);
	struct net_names nm;
	net_names(st, &nm);
	printf("table=ip %s\nbridge=%s\n", nm.table, nm.default_bridge);
	return 0;
}

BERTH_COMMAND(cmd_debug_net_names) = {
	.group = "debug", .name = "net-names", .usage = "debug net-names",
	.summary = "Print this root's nftables table and default bridge", .run = run_names, .hidden = true,
};

static int run_dns(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	const char *usage = "debug net-dns NETWORK", *summary = "Run the DNS responder of a network (started by attach)";
	if (opts_parse("debug net-dns", usage, summary, NULL, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("debug net-dns", usage, summary, &args, 1, 1)))
		return status;
	berr err = { 0 };
	_cleanup_store_ struct store *st = NULL;
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0 || net_dns_serve(st, args.v[0], &err) < 0)
		return fail(&err);
	return 0;
}

BERTH_COMMAND(cmd_debug_net_dns) = {
	.group = "debug", .name = "net-dns", .usage = "debug net-dns NETWORK",
	.summary = "Run the DNS responder of a network (started by attach)", .run = run_dns, .hidden = true,
};

static int run_publish(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	const char *network = NULL;
	struct opt opts[] = {
		{ "network", 0, OPT_STR, &network, "Network of the endpoint (default: the first non-internal)", "string" },
		OPT_SENTINEL,
	};
	int status;
	const char *usage = "debug net-publish [--network NET] ID SPEC...", *summary = "Publish ports of an attached namespace";
	if (opts_parse("debug net-publish", usage, summary, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("debug net-publish", usage, summary, &args, 2, -1)))
		return status;
	berr err = { 0 };
	struct net_port *pv = NULL, *bound = NULL;
	size_t np = 0;
	for (size_t i = 1; i < args.n; i++)
		if (net_port_parse(args.v[i], &pv, &np, &err) < 0) {
			free(pv);
			return fail(&err);
		}
	_cleanup_store_ struct store *st = NULL;
	int rc = store_open(&st, ctx->root, ctx->runroot, &err);
	if (rc == 0)
		rc = net_publish(st, args.v[0], network, pv, np, &bound, &err);
	free(pv);
	if (rc < 0)
		return fail(&err);
	for (size_t i = 0; i < np; i++) {
		char b[16];
		printf("port=%s:%u->%u/%s\n", net_ip_str(bound[i].host_ip, b), bound[i].host_port, bound[i].container_port, bound[i].proto);
	}
	free(bound);
	return 0;
}

BERTH_COMMAND(cmd_debug_net_publish) = {
	.group = "debug", .name = "net-publish", .usage = "debug net-publish [--network NET] ID SPEC...",
	.summary = "Publish ports of an attached namespace", .run = run_publish, .hidden = true,
};

static int run_unpublish(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	const char *usage = "debug net-unpublish ID", *summary = "Remove every published port of an attached namespace";
	if (opts_parse("debug net-unpublish", usage, summary, NULL, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("debug net-unpublish", usage, summary, &args, 1, 1)))
		return status;
	berr err = { 0 };
	_cleanup_store_ struct store *st = NULL;
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0 || net_unpublish(st, args.v[0], &err) < 0)
		return fail(&err);
	struct net_port *p = NULL;
	size_t n = 0;
	if (net_ports_of(st, args.v[0], &p, &n, &err) < 0)
		return fail(&err);
	free(p);
	return n ? 1 : 0;
}

BERTH_COMMAND(cmd_debug_net_unpublish) = {
	.group = "debug", .name = "net-unpublish", .usage = "debug net-unpublish ID",
	.summary = "Remove every published port of an attached namespace", .run = run_unpublish, .hidden = true,
};

static int run_gc(struct berth_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	const char *usage = "debug net-gc", *summary = "Remove bridges and nftables tables of berth roots that no longer exist";
	if (opts_parse("debug net-gc", usage, summary, NULL, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("debug net-gc", usage, summary, &args, 0, 0)))
		return status;
	berr err = { 0 };
	if (net_gc(&err) < 0)
		return fail(&err);
	return 0;
}

BERTH_COMMAND(cmd_debug_net_gc) = {
	.group = "debug", .name = "net-gc", .usage = "debug net-gc",
	.summary = "Remove bridges and nftables tables of berth roots that no longer exist", .run = run_gc, .hidden = true,
};
