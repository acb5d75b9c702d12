/* netcfg.c: containers on networks: the network flags of run/create, attaching a new
 * container's netns (called by sandbox_launch before the process may run), releasing its
 * endpoints, /etc/hosts and /etc/resolv.conf, inspect's NetworkSettings, ps's PORTS, and
 * network connect/disconnect. The plumbing itself is the network library (src/net/net.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "net/net.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

const char *ctr_netmode(json_t *cfg)
{
	const char *nm = jstr(json_object_get(cfg, "HostConfig"), "NetworkMode");
	if (!nm || !*nm || !strcmp(nm, "default"))
		return NET_DEFAULT;
	return nm;
}

static int conflict(berr *err, const char *what)
{
	berr_set(err, EINVAL, "conflicting options: %s and the network mode", what);
	return -1;
}

/* "80", "80/udp", "8000-8010/tcp" -> ExposedPorts keys */
static int add_expose(json_t *exposed, const char *spec, berr *err)
{
	_cleanup_free_ char *s = xstrdup(spec);
	const char *proto = "tcp";
	char *slash = strchr(s, '/');
	if (slash) {
		*slash = 0;
		proto = slash + 1;
	}
	if (strcmp(proto, "tcp") && strcmp(proto, "udp") && strcmp(proto, "sctp"))
		return berr_set(err, EINVAL, "invalid proto: %s", proto);
	char *end;
	long lo = strtol(s, &end, 10), hi = lo;
	if (*end == '-')
		hi = strtol(end + 1, &end, 10);
	if (end == s || *end || lo < 1 || hi > 65535 || hi < lo)
		return berr_set(err, EINVAL, "invalid range format for --expose: %s, error: invalid port", spec);
	for (long p = lo; p <= hi; p++) {
		char k[32];
		snprintf(k, sizeof k, "%ld/%s", p, proto);
		json_object_set_new(exposed, k, json_object());
	}
	return 0;
}

int spec_network(struct store *st, struct run_flags *f, json_t *cfg, json_t *conf, json_t *hc, berr *err)
{
	const char *nm = f->network && *f->network ? f->network : "default";
	bool host = !strcmp(nm, "host"), none = !strcmp(nm, "none");
	bool def = !strcmp(nm, "default") || !strcmp(nm, NET_DEFAULT);
	bool cmode = !strncmp(nm, "container:", 10);
	json_t *exposed = json_object_get(conf, "ExposedPorts");
	if (!json_is_object(exposed)) {
		exposed = json_object();
		json_object_set_new(conf, "ExposedPorts", exposed);
	}
	for (size_t i = 0; i < f->expose.n; i++)
		if (add_expose(exposed, f->expose.v[i], err) < 0)
			return -1;
	if (cmode) {
		if (f->hostname)
			return conflict(err, "hostname");
		if (f->dns.n)
			return conflict(err, "dns");
		if (f->add_host.n)
			return conflict(err, "custom host-to-IP mapping");
		if (f->publish.n || f->publish_all || f->expose.n)
			return berr_set(err, EINVAL, "conflicting options: port publishing and the container type network mode");
		_cleanup_ctr_ struct ctr *t = NULL;
		if (ctr_lookup(st, nm + 10, &t, err) < 0)
			return -1;
		json_object_set_new(hc, "NetworkMode", json_sprintf("container:%s", t->id));
		/* Docker: the host name (and /etc/hosts, resolv.conf) of the container joined */
		const char *thn = jstr(json_object_get(t->cfg, "Config"), "Hostname");
		if (thn)
			json_object_set_new(conf, "Hostname", json_string(thn));
	} else if (host || none) {
		if (host && (f->publish.n || f->publish_all))
			fprintf(stderr, "WARNING: Published ports are discarded when using host network mode\n");
		json_object_set_new(hc, "NetworkMode", json_string(nm));
	} else {
		struct net_network n = { 0 };
		if (def)
			n.internal = false;
		else if (net_lookup(st, nm, &n, err) < 0) {
			if (err->status == 1)
				berr_set(err, ENOENT, "network %s not found", nm);
			err->status = 0;
			return -1;
		}
		net_network_free(&n);
		json_object_set_new(hc, "NetworkMode", json_string(def ? (f->network ? NET_DEFAULT : "default") : n.name));
		if (!def && (!strcmp(n.driver, "host") || !strcmp(n.driver, "null")))
			json_object_set_new(hc, "NetworkMode", json_string(n.name));
		else {
			json_t *bn = json_object(), *ep = json_object();
			json_t *al = json_null();
			if (f->network_alias.n) {
				if (def)
					return berr_set(err, EINVAL, "network-scoped alias is supported only for containers in user defined networks");
				al = json_array();
				for (size_t i = 0; i < f->network_alias.n; i++)
					json_array_append_new(al, json_string(f->network_alias.v[i]));
			}
			if (f->ip) {
				uint32_t ip;
				if (def)
					return berr_set(err, EINVAL, "user specified IP address is supported on user defined networks only");
				if (net_ip_parse(f->ip, &ip) < 0)
					return berr_set(err, EINVAL, "invalid IPv4 address: %s", f->ip);
			}
			json_object_set_new(ep, "Aliases", al);
			json_object_set_new(ep, "IPv4Address", json_string(f->ip ? f->ip : ""));
			json_object_set_new(bn, def ? NET_DEFAULT : n.name, ep);
			json_object_set_new(cfg, "BerthNetworks", bn);
		}
	}
	/* published ports (validated now, bound at start) */
	json_t *pb = json_object(), *specs = json_array();
	bool keep = !host && !none && !cmode;
	for (size_t i = 0; i < f->publish.n; i++) {
		struct net_port *v = NULL;
		size_t np = 0;
		if (net_port_parse(f->publish.v[i], &v, &np, err) < 0) {
			json_decref(pb);
			json_decref(specs);
			return -1;
		}
		json_array_append_new(specs, json_string(f->publish.v[i]));
		for (size_t k = 0; k < np; k++) {
			char key[32], ipb[16], hp[16] = "";
			snprintf(key, sizeof key, "%u/%s", v[k].container_port, v[k].proto);
			json_object_set_new(exposed, key, json_object());
			if (v[k].host_port_end > v[k].host_port)
				snprintf(hp, sizeof hp, "%u-%u", v[k].host_port, v[k].host_port_end);
			else if (v[k].host_port)
				snprintf(hp, sizeof hp, "%u", v[k].host_port);
			json_t *arr = json_object_get(pb, key);
			if (!arr) {
				arr = json_array();
				json_object_set_new(pb, key, arr);
			}
			json_array_append_new(arr, json_pack("{s:s,s:s}", "HostIp", v[k].host_ip ? net_ip_str(v[k].host_ip, ipb) : "",
							      "HostPort", hp));
		}
		free(v);
	}
	if (keep)
		json_object_set_new(cfg, "BerthPublish", specs);
	else
		json_decref(specs);
	json_object_set_new(hc, "PortBindings", pb);
	json_object_set_new(hc, "PublishAllPorts", json_boolean(f->publish_all));
	if (!json_object_size(exposed))
		json_object_del(conf, "ExposedPorts");
	return 0;
}

/* -p specs plus -P's exposed ports (host port 0 = any free one) */
static int wanted_ports(json_t *cfg, struct net_port **v, size_t *n, berr *err)
{
	*v = NULL;
	*n = 0;
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(cfg, "BerthPublish"), i, s) if (net_port_parse(json_string_value(s), v, n, err) < 0)
		return -1;
	json_t *hc = json_object_get(cfg, "HostConfig");
	if (!json_is_true(json_object_get(hc, "PublishAllPorts")))
		return 0;
	const char *k;
	json_t *x;
	json_object_foreach(json_object_get(json_object_get(cfg, "Config"), "ExposedPorts"), k, x) {
		unsigned port;
		char proto[8] = "tcp";
		if (sscanf(k, "%u/%7s", &port, proto) < 1 || !port || port > 65535 || (strcmp(proto, "tcp") && strcmp(proto, "udp")))
			continue;
		bool bound = false;
		for (size_t j = 0; j < *n; j++)
			bound |= (*v)[j].container_port == port && !strcmp((*v)[j].proto, proto);
		if (bound)
			continue;
		*v = xrealloc(*v, (*n + 1) * sizeof **v);
		struct net_port *p = &(*v)[(*n)++];
		memset(p, 0, sizeof *p);
		memcpy(p->proto, proto, strlen(proto) + 1); /* "tcp" or "udp" (checked above) */
		p->container_port = (uint16_t)port;
	}
	return 0;
}

static int attach_one(struct store *st, struct ctr *c, pid_t pid, const char *name, json_t *ep,
		      const struct net_port *ports, size_t np, berr *err)
{
	_cleanup_strvec_ struct strvec al = STRVEC_INIT;
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(ep, "Aliases"), i, a) if (json_string_value(a))
		sv_push(&al, json_string_value(a));
	/* extra names on every network the container joins (compose: the service name and its
	 * `aliases`) */
	json_array_foreach(json_object_get(json_object_get(c->cfg, "HostConfig"), "BerthAliases"), i, a)
		if (json_string_value(a) && !sv_contains(&al, json_string_value(a)))
			sv_push(&al, json_string_value(a));
	const char **alv = xcalloc(al.n + 1, sizeof *alv);
	for (i = 0; i < al.n; i++)
		alv[i] = al.v[i];
	const char *ip = jstr(ep, "IPv4Address");
	struct net_attach_opts o = {
		.ip = ip && *ip ? ip : NULL, .aliases = alv, .container_name = c->name,
		.ports = ports, .nports = np,
	};
	struct net_attach_result r;
	int rc = net_attach_pid(st, name, c->id, pid, &o, &r, err);
	free(alv);
	if (rc < 0)
		return -1;
	net_attach_result_free(&r);
	return 0;
}

int ctr_net_attach(struct store *st, struct ctr *c, pid_t pid, berr *err)
{
	json_t *bn = json_object_get(c->cfg, "BerthNetworks");
	if (!json_object_size(bn))
		return 0;
	struct net_port *ports = NULL;
	size_t np = 0;
	if (wanted_ports(c->cfg, &ports, &np, err) < 0)
		goto fail;
	/* ports go with the first non-internal network (the first one if all are internal:
	 * recorded, never reachable, as in Docker) */
	const char *pub = NULL, *name;
	json_t *ep;
	json_object_foreach(bn, name, ep) {
		struct net_network n = { 0 };
		berr e = { 0 };
		if (net_lookup(st, name, &n, &e) == 0) {
			bool internal = n.internal;
			net_network_free(&n);
			if (!internal) {
				pub = name;
				break;
			}
		}
	}
	json_object_foreach(bn, name, ep) {
		if (!pub)
			pub = name;
		bool mine = !strcmp(pub, name);
		if (attach_one(st, c, pid, name, ep, mine ? ports : NULL, mine ? np : 0, err) < 0) {
			if (err->status == 1)
				berr_set(err, ENOENT, "network %s not found", name);
			goto fail;
		}
	}
	free(ports);
	return 0;
fail:
	free(ports);
	ctr_net_release(st, c->id);
	err->status = 125;
	return -1;
}

void ctr_net_release(struct store *st, const char *id)
{
	berr e = { 0 };
	if (net_detach_all(st, id, &e) < 0)
		log_warn("releasing the network of %.12s: %s", id, e.msg);
}

void ctr_net_reconcile(struct store *st)
{
	berr e = { 0 };
	if (net_reconcile_stale(st, &e) < 0)
		log_debug("network reconcile: %s", e.msg);
}

int ctr_net_container_ns(struct store *st, struct ctr *c, berr *err)
{
	const char *nm = ctr_netmode(c->cfg);
	_cleanup_ctr_ struct ctr *t = NULL;
	if (ctr_lookup(st, nm + 10, &t, err) < 0)
		return -1;
	if (ctr_refresh(st, t) != CTR_RUNNING || !ctr_is_running(t)) {
		berr_set(err, EINVAL, "cannot join network of a non running container: %s", t->id);
		return -1;
	}
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/ns/net", (int)t->pid);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, "open %s", p);
	return fd;
}

/* --network container:ID: the container whose network (and /etc/hosts, resolv.conf) it
 * shares, as Docker's HostsPath and ResolvConfPath are the joined container's files */
static struct ctr *joined(struct store *st, struct ctr *c)
{
	const char *nm = ctr_netmode(c->cfg);
	struct ctr *t = NULL;
	berr e;
	if (strncmp(nm, "container:", 10) || ctr_lookup(st, nm + 10, &t, &e) < 0 || !strcmp(t->id, c->id)) {
		if (t)
			ctr_free(t);
		return NULL;
	}
	return t;
}

void ctr_net_hosts(struct store *st, struct ctr *c, struct strbuf *h)
{
	{
		_cleanup_ctr_ struct ctr *t = joined(st, c);
		if (t) {
			ctr_net_hosts(st, t, h);
			return;
		}
	}
	sb_adds(h, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
		   "ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n");
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(json_object_get(c->cfg, "HostConfig"), "ExtraHosts"), i, v) {
		const char *s = json_string_value(v);
		const char *colon = s ? strchr(s, ':') : NULL;
		if (colon)
			sb_addf(h, "%s\t%.*s\n", colon + 1, (int)(colon - s), s);
	}
	struct net_endpoint_info *eps = NULL;
	size_t n = 0;
	berr e;
	if (!json_object_size(json_object_get(c->cfg, "BerthNetworks")))
		return; /* none, host, container:ID: no endpoint of its own */
	if (net_endpoints_of(st, c->id, &eps, &n, &e) < 0 || !n)
		return;
	/* the container's own address: its host name, and on a user network its name and
	 * aliases there */
	const char *hn = jstr(json_object_get(c->cfg, "Config"), "Hostname");
	sb_addf(h, "%s\t%s", eps[0].ip, hn ? hn : "");
	if (eps[0].user) {
		if (c->name && (!hn || strcmp(hn, c->name)))
			sb_addf(h, " %s", c->name);
		json_array_foreach(eps[0].aliases, i, v) if (json_string_value(v) && strcmp(json_string_value(v), c->name))
			sb_addf(h, " %s", json_string_value(v));
	}
	sb_addc(h, '\n');
	/* every further network: its address for the host name, as Docker adds one line per
	 * endpoint it joins (network connect, or several networks at start) */
	for (size_t k = 1; k < n; k++)
		sb_addf(h, "%s\t%s\n", eps[k].ip, hn ? hn : "");
	net_endpoints_free(eps, n);
}

/* A running container's /etc/hosts after network connect/disconnect: rewritten in place (it
 * is bind-mounted into the container, so the inode must stay). */
static void rewrite_hosts(struct store *st, struct ctr *c)
{
	struct strbuf h = STRBUF_INIT;
	ctr_net_hosts(st, c, &h);
	_cleanup_free_ char *p = xasprintf("%s/containers/%s/hosts", st->root, c->id);
	int fd = open(p, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || write_all(fd, h.buf, h.len) < 0)
		log_warn("updating /etc/hosts of %.12s: %s", c->id, strerror(errno));
	if (fd >= 0)
		close(fd);
	sb_release(&h);
}

void ctr_net_resolv(struct store *st, struct ctr *c, struct strbuf *r)
{
	{
		_cleanup_ctr_ struct ctr *t = joined(st, c);
		if (t) {
			ctr_net_resolv(st, t, r);
			return;
		}
	}
	json_t *dns = json_object_get(json_object_get(c->cfg, "HostConfig"), "Dns");
	char resp[16] = "";
	berr e;
	if (json_object_size(json_object_get(c->cfg, "BerthNetworks")) && net_dns_server(st, c->id, resp, &e) < 0)
		resp[0] = 0;
	size_t i;
	json_t *v;
	bool any = false;
	_cleanup_free_ char *host = NULL;
	size_t len;
	berr e2;
	if (read_file("/etc/resolv.conf", &host, &len, &e2) < 0)
		host = NULL;
	if (*resp) {
		/* a user network: its responder (it forwards other names to the host's resolvers) */
		sb_addf(r, "nameserver %s\n", resp);
		any = true;
	} else if (json_array_size(dns)) {
		json_array_foreach(dns, i, v) sb_addf(r, "nameserver %s\n", json_string_value(v));
		any = true;
	}
	bool ndots = false;
	for (char *l = host ? strtok(host, "\n") : NULL; l; l = strtok(NULL, "\n")) {
		if (!strncmp(l, "nameserver", 10)) {
			if (*resp || json_array_size(dns))
				continue;
			const char *ip = l + 10;
			while (*ip == ' ' || *ip == '\t')
				ip++;
			/* loopback resolvers are unreachable from the container (Docker drops them) */
			if (!strncmp(ip, "127.", 4) || !strncmp(ip, "::1", 3) || strchr(ip, ':'))
				continue;
			any = true;
		}
		if (*resp && !strncmp(l, "options", 7)) {
			sb_addf(r, "%s ndots:0\n", l);
			ndots = true;
			continue;
		}
		sb_addf(r, "%s\n", l);
	}
	if (*resp && !ndots)
		sb_adds(r, "options ndots:0\n");
	if (!any)
		/* Docker's fallback when no usable resolver is left */
		sb_adds(r, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
}

static json_t *ports_object(struct store *st, struct ctr *c, bool running)
{
	/* Docker: empty while not running; then every exposed port, null unless bound */
	json_t *o = json_object();
	if (!running)
		return o;
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(json_object_get(c->cfg, "Config"), "ExposedPorts"), k, v)
		json_object_set_new(o, k, json_null());
	struct net_port *p = NULL;
	size_t n = 0;
	berr e;
	if (net_ports_of(st, c->id, &p, &n, &e) < 0)
		return o;
	for (size_t i = 0; i < n; i++) {
		char key[32], ip[16], hp[8];
		snprintf(key, sizeof key, "%u/%s", p[i].container_port, p[i].proto);
		snprintf(hp, sizeof hp, "%u", p[i].host_port);
		json_t *arr = json_object_get(o, key);
		if (!json_is_array(arr)) {
			arr = json_array();
			json_object_set_new(o, key, arr);
		}
		json_array_append_new(arr, json_pack("{s:s,s:s}", "HostIp", net_ip_str(p[i].host_ip, ip), "HostPort", hp));
	}
	free(p);
	return o;
}

json_t *ctr_net_settings(struct store *st, struct ctr *c, bool running)
{
	const char *nm = ctr_netmode(c->cfg);
	struct net_endpoint_info *eps = NULL;
	size_t n = 0;
	berr e;
	if (!running || net_endpoints_of(st, c->id, &eps, &n, &e) < 0)
		n = 0;
	json_t *s = json_object();
	struct net_endpoint_info *bridge = NULL;
	for (size_t i = 0; i < n; i++)
		if (!eps[i].user)
			bridge = &eps[i];
	char sandbox[64] = "";
	if (running && c->pid > 0 && strcmp(nm, "host"))
		snprintf(sandbox, sizeof sandbox, "/proc/%d/ns/net", (int)c->pid);
	json_object_set_new(s, "Bridge", json_string(""));
	json_object_set_new(s, "SandboxID", json_string(running && *sandbox ? c->id : ""));
	json_object_set_new(s, "HairpinMode", json_false());
	json_object_set_new(s, "LinkLocalIPv6Address", json_string(""));
	json_object_set_new(s, "LinkLocalIPv6PrefixLen", json_integer(0));
	json_object_set_new(s, "Ports", ports_object(st, c, running));
	json_object_set_new(s, "SandboxKey", json_string(sandbox));
	json_object_set_new(s, "SecondaryIPAddresses", json_null());
	json_object_set_new(s, "SecondaryIPv6Addresses", json_null());
	json_object_set_new(s, "EndpointID", json_string(bridge ? bridge->endpoint_id : ""));
	json_object_set_new(s, "Gateway", json_string(bridge ? bridge->gateway : ""));
	json_object_set_new(s, "GlobalIPv6Address", json_string(""));
	json_object_set_new(s, "GlobalIPv6PrefixLen", json_integer(0));
	json_object_set_new(s, "IPAddress", json_string(bridge ? bridge->ip : ""));
	json_object_set_new(s, "IPPrefixLen", json_integer(bridge ? bridge->prefix : 0));
	json_object_set_new(s, "IPv6Gateway", json_string(""));
	json_object_set_new(s, "MacAddress", json_string(bridge ? bridge->mac : ""));
	json_t *nets = json_object();
	/* every configured network (empty addresses while stopped), then any extra endpoint */
	json_t *bn = json_object_get(c->cfg, "BerthNetworks");
	const char *name;
	json_t *cfgep;
	if (!json_object_size(bn) && strncmp(nm, "container:", 10))
		json_object_set_new(nets, nm, json_null());
	json_object_foreach(bn, name, cfgep) json_object_set_new(nets, name, json_null());
	for (size_t i = 0; i < n; i++)
		if (!json_object_get(nets, eps[i].network))
			json_object_set_new(nets, eps[i].network, json_null());
	json_t *tmp;
	json_object_foreach_safe(nets, tmp, name, cfgep) {
		struct net_endpoint_info *ep = NULL;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(eps[i].network, name))
				ep = &eps[i];
		json_t *cep = json_object_get(bn, name);
		json_t *o = json_object();
		const char *want_ip = jstr(cep, "IPv4Address");
		json_object_set_new(o, "IPAMConfig", want_ip && *want_ip ? json_pack("{s:s}", "IPv4Address", want_ip) : json_null());
		json_object_set_new(o, "Links", json_null());
		json_t *al = json_null();
		bool user = strcmp(name, NET_DEFAULT) && strcmp(name, "host") && strcmp(name, "none");
		if (user) {
			/* Docker's: the configured aliases, then the short id */
			al = json_array();
			json_t *a;
			size_t k;
			json_array_foreach(json_object_get(cep, "Aliases"), k, a) json_array_append(al, a);
			json_array_append_new(al, json_sprintf("%.12s", c->id));
		}
		json_object_set_new(o, "Aliases", al);
		struct net_network nn = { 0 };
		berr le;
		bool have = net_lookup(st, name, &nn, &le) == 0;
		json_object_set_new(o, "NetworkID", json_string(ep ? ep->network_id : have ? nn.id : ""));
		if (have)
			net_network_free(&nn);
		json_object_set_new(o, "EndpointID", json_string(ep ? ep->endpoint_id : ""));
		json_object_set_new(o, "Gateway", json_string(ep ? ep->gateway : ""));
		json_object_set_new(o, "IPAddress", json_string(ep ? ep->ip : ""));
		json_object_set_new(o, "IPPrefixLen", json_integer(ep ? ep->prefix : 0));
		json_object_set_new(o, "IPv6Gateway", json_string(""));
		json_object_set_new(o, "GlobalIPv6Address", json_string(""));
		json_object_set_new(o, "GlobalIPv6PrefixLen", json_integer(0));
		json_object_set_new(o, "MacAddress", json_string(ep ? ep->mac : ""));
		json_object_set_new(o, "DriverOpts", json_null());
		json_object_set_new(nets, name, o);
	}
	json_object_set_new(s, "Networks", nets);
	net_endpoints_free(eps, n);
	return s;
}

static int port_cmp(const void *a, const void *b)
{
	const struct net_port *x = a, *y = b;
	int c = strcmp(x->proto, y->proto);
	if (c)
		return c;
	if (x->host_ip != y->host_ip)
		return x->host_ip < y->host_ip ? -1 : 1;
	return (int)x->container_port - (int)y->container_port;
}

/* Docker's DisplayablePorts: consecutive ports with one host address collapse to ranges */
char *ctr_net_ports_column(struct store *st, struct ctr *c, bool running)
{
	struct strbuf out = STRBUF_INIT;
	sb_adds(&out, "");
	if (!running)
		return sb_detach(&out);
	struct net_port *p = NULL;
	size_t n = 0;
	berr e;
	if (net_ports_of(st, c->id, &p, &n, &e) < 0)
		n = 0;
	/* exposed ports without a binding appear as "80/tcp" (host_port 0, host_ip ~0 marks them) */
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(json_object_get(c->cfg, "Config"), "ExposedPorts"), k, v) {
		unsigned port;
		char proto[8] = "tcp";
		if (sscanf(k, "%u/%7s", &port, proto) < 1 || strlen(proto) > 3)
			continue;
		bool bound = false;
		for (size_t j = 0; j < n; j++)
			bound |= p[j].container_port == port && !strcmp(p[j].proto, proto) && p[j].host_port;
		if (bound)
			continue;
		p = xrealloc(p, (n + 1) * sizeof *p);
		memset(&p[n], 0, sizeof *p);
		memcpy(p[n].proto, proto, strlen(proto) + 1);
		p[n].container_port = (uint16_t)port;
		p[n].host_ip = 0xffffffffu;
		n++;
	}
	qsort(p, n, sizeof *p, port_cmp);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		bool pub = p[i].host_ip != 0xffffffffu;
		while (j + 1 < n && !strcmp(p[j + 1].proto, p[i].proto) && p[j + 1].host_ip == p[i].host_ip &&
		       p[j + 1].container_port == p[j].container_port + 1 &&
		       (!pub || p[j + 1].host_port == p[j].host_port + 1))
			j++;
		if (out.len)
			sb_adds(&out, ", ");
		char ip[16];
		if (pub) {
			sb_addf(&out, "%s:%u", net_ip_str(p[i].host_ip, ip), p[i].host_port);
			if (j > i)
				sb_addf(&out, "-%u", p[j].host_port);
			sb_adds(&out, "->");
		}
		sb_addf(&out, "%u", p[i].container_port);
		if (j > i)
			sb_addf(&out, "-%u", p[j].container_port);
		sb_addf(&out, "/%s", p[i].proto);
		i = j + 1;
	}
	free(p);
	return sb_detach(&out);
}

int ctr_net_connect(struct store *st, struct ctr *c, const char *network, const char *ip,
		    const struct strvec *aliases, berr *err)
{
	const char *nm = ctr_netmode(c->cfg);
	struct net_network n = { 0 };
	if (net_lookup(st, network, &n, err) < 0)
		return -1;
	_cleanup_free_ char *name = xstrdup(n.name);
	bool bridge = !strcmp(n.driver, "bridge");
	bool def = !strcmp(n.name, NET_DEFAULT);
	net_network_free(&n);
	if (!strcmp(nm, "host") || !bridge)
		return berr_set(err, EINVAL, "container cannot be disconnected from host network or connected to host network");
	if (!strcmp(nm, "none") || !strncmp(nm, "container:", 10))
		return berr_set(err, EINVAL, "container sharing network namespace with another container or host cannot be connected to any other network");
	if (def && (ip || (aliases && aliases->n)))
		return berr_set(err, EINVAL, ip ? "user specified IP address is supported on user defined networks only"
					    : "network-scoped alias is supported only for containers in user defined networks");
	json_t *bn = json_object_get(c->cfg, "BerthNetworks");
	if (!json_is_object(bn)) {
		bn = json_object();
		json_object_set_new(c->cfg, "BerthNetworks", bn);
	}
	if (json_object_get(bn, name)) {
		/* Docker: an error for a running container, nothing to do for a stopped one */
		if (!(ctr_refresh(st, c) == CTR_RUNNING && ctr_is_running(c)))
			return 0;
		return berr_set(err, EEXIST, "endpoint with name %s already exists in network %s", c->name, name);
	}
	json_t *ep = json_object();
	json_t *al = json_null();
	if (aliases && aliases->n) {
		al = json_array();
		for (size_t i = 0; i < aliases->n; i++)
			json_array_append_new(al, json_string(aliases->v[i]));
	}
	json_object_set_new(ep, "Aliases", al);
	json_object_set_new(ep, "IPv4Address", json_string(ip ? ip : ""));
	bool running = ctr_refresh(st, c) == CTR_RUNNING && ctr_is_running(c);
	if (running && attach_one(st, c, c->pid, name, ep, NULL, 0, err) < 0) {
		json_decref(ep);
		return -1;
	}
	json_object_set_new(bn, name, ep);
	if (running)
		rewrite_hosts(st, c);
	return ctr_save_config(st, c, err);
}

int ctr_net_disconnect(struct store *st, struct ctr *c, const char *network, bool force, berr *err)
{
	struct net_network n = { 0 };
	if (net_lookup(st, network, &n, err) < 0)
		return -1;
	_cleanup_free_ char *name = xstrdup(n.name);
	bool bridge = !strcmp(n.driver, "bridge");
	net_network_free(&n);
	if (!bridge)
		return berr_set(err, EINVAL, "container cannot be disconnected from host network or connected to host network");
	json_t *bn = json_object_get(c->cfg, "BerthNetworks");
	bool configured = json_object_get(bn, name) != NULL;
	berr de = { 0 };
	int rc = net_detach(st, name, c->id, &de);
	if (rc < 0 && de.errnum != ENOENT && !force) {
		*err = de;
		return -1;
	}
	if (!configured && rc < 0 && !force) {
		berr_set(err, ENOENT, "container %s is not connected to network %s", c->id, name);
		err->status = 1;
		return -1;
	}
	if (rc == 0 && ctr_refresh(st, c) == CTR_RUNNING && ctr_is_running(c))
		rewrite_hosts(st, c);
	if (configured) {
		json_object_del(bn, name);
		return ctr_save_config(st, c, err);
	}
	return 0;
}
