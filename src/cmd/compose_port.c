/* compose_port.c: `berth compose port [--protocol P] [--index N] SERVICE PRIVATE_PORT`: the
 * public address of a service container's port (`berth port`). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "net/net.h"
#include "cmd/compose_cmd.h"
#include "util/cleanup.h"

static int run_port(struct berth_ctx *ctx, struct compose_opts *o, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	const char *proto = "tcp", *index = "1";
	struct opt opts[] = {
		{ "index", 0, OPT_STR, &index, "Index of the container if service has multiple replicas", "int" },
		{ "protocol", 0, OPT_STR, &proto, "tcp or udp", "string" },
		OPT_SENTINEL,
	};
	int status;
	const char *usage = "compose port [OPTIONS] SERVICE PRIVATE_PORT";
	if (opts_parse("compose port", usage, "Print the public port for a port binding", opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("compose port", usage, "Print the public port for a port binding", &args, 2, 2)))
		return status;
	struct compose_project p;
	struct cengine e;
	if ((status = compose_cmd_open(ctx, o, &p, &e)))
		return status;
	berr err = { 0 };
	struct ctr **v;
	size_t n;
	if (cengine_containers(&e, args.v[0], 0, &v, &n, &err) < 0) {
		status = compose_engine_error(&e, &err);
		compose_cmd_close(&p, &e);
		return status;
	}
	char id[65] = "";
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ctr_label(v[i], CL_NUMBER) ?: "", index))
			snprintf(id, sizeof id, "%s", v[i]->id);
	ctr_list_free(v, n);
	_cleanup_free_ char *pname = xstrdup(p.name);
	compose_cmd_close(&p, &e);
	if (!*id) {
		fprintf(stderr, "service \"%s\" is not running\n", args.v[0]);
		return 1;
	}
	_cleanup_store_ struct store *st = NULL;
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return compose_cmd_error(&err);
	struct net_port *pv = NULL;
	size_t np = 0;
	if (net_ports_of(st, id, &pv, &np, &err) < 0)
		return compose_cmd_error(&err);
	int want = atoi(args.v[1]);
	bool found = false;
	for (size_t i = 0; i < np; i++)
		if (pv[i].container_port == want && !strcmp(pv[i].proto, proto)) {
			char ip[16];
			printf("%s:%u\n", net_ip_str(pv[i].host_ip, ip), pv[i].host_port);
			found = true;
			break;
		}
	free(pv);
	if (!found) {
		fprintf(stderr, "no port %s/%s for container %s-%s-%s\n", args.v[1], proto, pname, args.v[0], index);
		return 1;
	}
	return 0;
}

BERTH_COMPOSE_COMMAND(compose_port_cmd) = {
	.name = "port", .usage = "compose port [OPTIONS] SERVICE PRIVATE_PORT",
	.summary = "Print the public port for a port binding", .run = run_port,
};
