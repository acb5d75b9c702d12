/* attach.c: joining a network namespace to a network (address, veth pair, routes, ports),
 * leaving it, publishing ports afterwards, and reconciling the host with the store. */
#include "net/internal.h"
#include "net/netlink.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/random.h>
#include <unistd.h>
#include "util/cleanup.h"
#include "util/log.h"

void net_attach_result_free(struct net_attach_result *r)
{
	if (r) {
		free(r->ports);
		r->ports = NULL;
		r->nports = 0;
	}
}

static void rand_hex(char *out, size_t nhex)
{
	unsigned char b[32];
	size_t nb = (nhex + 1) / 2;
	if (getrandom(b, nb, 0) != (ssize_t)nb)
		for (size_t i = 0; i < nb; i++)
			b[i] = (unsigned char)rand();
	for (size_t i = 0; i < nhex; i++)
		out[i] = "0123456789abcdef"[(b[i / 2] >> (i % 2 ? 0 : 4)) & 15];
	out[nhex] = 0;
}

/* A bridge with no ports left (neither ours nor anyone's) may go. */
static bool bridge_has_ports(const char *br)
{
	char p[64];
	snprintf(p, sizeof p, "/sys/class/net/%s/brif", br);
	_cleanup_closedir_ DIR *d = opendir(p);
	if (!d)
		return false;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			return true;
	return false;
}

/* Remove a network's bridge when nothing uses it (network rm, system prune); a container's
 * stop keeps it, as Docker keeps docker0 and its br-* bridges: deleting a bridge costs an RCU
 * grace period (tens of ms) and the next start would pay again to create it. */
void net_bridge_remove_if_unused(struct store *st, const struct net_network *n)
{
	berr e = { 0 };
	if (!n->bridge[0] || !nl_link_exists(n->bridge))
		return;
	if (net_endpoint_count(st, n->id, &e) == 0 && !bridge_has_ports(n->bridge)) {
		nl_link_del(n->bridge, &e);
		net_dns_stop(st, n->id);
	}
}

static int delete_endpoint(struct store *st, const char *net_id, const char *cid, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *a = NULL, *b = NULL;
	if (store_prepare(st, &a, "DELETE FROM net_ports WHERE network_id = ? AND container_id = ?", err) < 0 ||
	    store_prepare(st, &b, "DELETE FROM net_endpoints WHERE network_id = ? AND container_id = ?", err) < 0)
		return -1;
	sqlite3_stmt *s[2] = { a, b };
	for (int i = 0; i < 2; i++) {
		sqlite3_bind_text(s[i], 1, net_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s[i], 2, cid, -1, SQLITE_STATIC);
		if (sqlite3_step(s[i]) != SQLITE_DONE)
			return store_dberr(st, err, "delete endpoint");
	}
	return 0;
}

/* With the lock held (internal.h): drop endpoints whose veth is gone, remove idle bridges, resync rules. */
static int reconcile(struct store *st, bool always_sync, berr *err);

int net_reconcile_locked(struct store *st, berr *err)
{
	return reconcile(st, true, err);
}

/* always_sync = false: rebuild the rules only if a stale endpoint was dropped (the caller is
 * about to rebuild them anyway). */
static int reconcile(struct store *st, bool always_sync, berr *err)
{
	bool dropped = false;
	struct net_network *nets = NULL;
	size_t nn = 0;
	if (net_list(st, &nets, &nn, err) < 0)
		return -1;
	int rc = -1;
	{
		_cleanup_stmt_ sqlite3_stmt *s = NULL;
		if (store_prepare(st, &s, "SELECT network_id, container_id, host_veth FROM net_endpoints", err) < 0)
			goto out;
		_cleanup_strvec_ struct strvec stale = STRVEC_INIT;
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *veth = (const char *)sqlite3_column_text(s, 2);
			char peer[20];
			snprintf(peer, sizeof peer, "%.11sp", veth);
			if (nl_link_exists(veth)) {
				/* alive unless an attach died before moving the inner end into the netns */
				if (!nl_link_exists(peer))
					continue;
				berr ign = { 0 };
				nl_link_del(veth, &ign);
			}
			sv_push(&stale, (const char *)sqlite3_column_text(s, 0));
			sv_push(&stale, (const char *)sqlite3_column_text(s, 1));
		}
		if (stale.n) {
			if (store_begin(st, err) < 0)
				goto out;
			for (size_t i = 0; i < stale.n; i += 2) {
				log_debug("net: dropping stale endpoint %.12s on %.12s", stale.v[i + 1], stale.v[i]);
				if (delete_endpoint(st, stale.v[i], stale.v[i + 1], err) < 0) {
					store_rollback(st);
					goto out;
				}
			}
			if (store_commit(st, err) < 0) {
				store_rollback(st);
				goto out;
			}
			dropped = true;
		}
	}
	if (always_sync)
		net_gc_orphans(st->root);
	rc = always_sync || dropped ? nat_sync(st, err) : 0;
out:
	net_list_free(nets, nn);
	return rc;
}

int net_reconcile_stale(struct store *st, berr *err)
{
	{
		/* one query and one ioctl per endpoint, no lock: an endpoint is alive exactly as long
		 * as its host-side veth (the kernel deletes the pair with the container's netns) */
		_cleanup_stmt_ sqlite3_stmt *s = NULL;
		if (store_prepare(st, &s, "SELECT host_veth FROM net_endpoints", err) < 0)
			return -1;
		bool stale = false;
		while (!stale && sqlite3_step(s) == SQLITE_ROW)
			stale = !nl_link_exists((const char *)sqlite3_column_text(s, 0));
		if (!stale)
			return 0;
	}
	int lk = net_lock(st, err);
	if (lk < 0)
		return -1;
	int rc = reconcile(st, false, err);
	net_unlock(lk);
	return rc;
}

int net_reconcile(struct store *st, berr *err)
{
	int lk = net_lock(st, err);
	if (lk < 0)
		return -1;
	int rc = net_reconcile_locked(st, err);
	net_unlock(lk);
	return rc;
}

/* Bring the network's bridge up before any address is handed out. A network whose bridge is
 * down has no route on the host; if its subnet was chosen by berth and something else (another
 * berth root, a VPN) now routes it, and nobody is attached yet, move it to a free subnet. */
static int bridge_prepare(struct store *st, struct net_network *n, berr *err)
{
	if (!nl_link_exists(n->bridge) && ipam_overlaps_host_route(n->subnet, n->prefix, n->bridge) && !n->user_subnet &&
	    net_endpoint_count(st, n->id, err) == 0) {
		uint32_t sub;
		int prefix;
		_cleanup_stmt_ sqlite3_stmt *u = NULL;
		if (store_begin(st, err) < 0)
			return -1;
		if (ipam_pick_subnet(st, &sub, &prefix, err) < 0 ||
		    store_prepare(st, &u, "UPDATE networks SET subnet = ?, prefix = ?, gateway = ? WHERE id = ?", err) < 0)
			goto fail;
		sqlite3_bind_int64(u, 1, sub);
		sqlite3_bind_int(u, 2, prefix);
		sqlite3_bind_int64(u, 3, sub + 1);
		sqlite3_bind_text(u, 4, n->id, -1, SQLITE_STATIC);
		if (sqlite3_step(u) != SQLITE_DONE) {
			store_dberr(st, err, "update network subnet");
			goto fail;
		}
		if (store_commit(st, err) < 0)
			goto fail;
		char a[16], b[16];
		log_info("network %s: %s/%d is routed on this host now; moved to %s/%d", n->name, net_ip_str(n->subnet, a), n->prefix,
			 net_ip_str(sub, b), prefix);
		n->subnet = sub;
		n->prefix = prefix;
		n->gateway = sub + 1;
	}
	return net_bridge_ensure(st, n, err);
fail:
	store_rollback(st);
	return -1;
}

/* The veth pair (its inner end made directly in the container's netns, named ifname or the
 * first free ethN), then the inner address, lo and the default route. */
static int plumb(const struct net_network *n, int netns_fd, const char *host_veth, const char *want, const uint8_t mac[6],
		 uint32_t ip, char got[16], berr *err)
{
	int master = (int)if_nametoindex(n->bridge);
	if (!master)
		return berr_sys(err, "no such bridge %s", n->bridge);
	for (int i = 0;; i++) {
		if (want && *want)
			snprintf(got, 16, "%s", want);
		else
			snprintf(got, 16, "eth%d", i);
		berr e = { 0 };
		if (nl_veth_add_into(host_veth, master, got, netns_fd, mac, &e) == 0)
			break;
		if (e.errnum != EEXIST || (want && *want) || i >= 99 || nl_link_exists(host_veth)) {
			*err = e;
			return -1;
		}
	}
	if (nl_brport_hairpin(host_veth, err) < 0)
		return -1;
	return nl_netns_configure(netns_fd, got, ip, n->prefix, n->internal ? 0 : n->gateway, err);
}

int net_attach(struct store *st, const char *network, const char *container_id, int netns_fd,
	       const struct net_attach_opts *o, struct net_attach_result *res, berr *err)
{
	static const struct net_attach_opts none = { 0 };
	if (!o)
		o = &none;
	memset(res, 0, sizeof *res);
	struct net_network n = { 0 };
	if (net_lookup(st, network, &n, err) < 0)
		return -1;
	int rc = -1, lk = -1;
	uint8_t mac[6];
	char host_veth[16] = "veth", endpoint_id[65], b[16], got[16] = "";
	bool committed = false;
	if (strcmp(n.driver, "bridge")) {
		berr_set(err, EINVAL, "network %s: the %s driver needs no attachment (the runtime handles host and none)", n.name, n.driver);
		goto out;
	}
	if ((lk = net_lock(st, err)) < 0 || reconcile(st, false, err) < 0 || bridge_prepare(st, &n, err) < 0)
		goto out;

	if (store_begin(st, err) < 0)
		goto out;
	{
		_cleanup_stmt_ sqlite3_stmt *s = NULL;
		if (store_prepare(st, &s, "SELECT 1 FROM net_endpoints WHERE network_id = ? AND container_id = ?", err) < 0)
			goto rollback;
		sqlite3_bind_text(s, 1, n.id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, container_id, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW) {
			berr_set(err, EEXIST, "endpoint with name %s already exists in network %s",
				 o->container_name ? o->container_name : container_id, n.name);
			goto rollback;
		}
	}
	uint32_t ip;
	if (ipam_alloc_ip(st, &n, o->ip, &ip, err) < 0)
		goto rollback;
	rand_hex(host_veth + 4, 7);
	rand_hex(endpoint_id, 64);
	mac[0] = 0x02;
	mac[1] = 0x42;
	for (int i = 0; i < 4; i++)
		mac[2 + i] = (uint8_t)(ip >> (24 - 8 * i));
	snprintf(res->mac, sizeof res->mac, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	{
		json_t *al = json_array();
		for (const char *const *a = o->aliases; a && *a; a++)
			json_array_append_new(al, json_string(*a));
		_cleanup_free_ char *altext = json_dumps(al, JSON_COMPACT);
		json_decref(al);
		_cleanup_stmt_ sqlite3_stmt *s = NULL;
		if (store_prepare(st, &s, "INSERT INTO net_endpoints (network_id, container_id, container_name, endpoint_id, ip, mac, host_veth, aliases)"
				  " VALUES (?,?,?,?,?,?,?,?)", err) < 0)
			goto rollback;
		sqlite3_bind_text(s, 1, n.id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, container_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, o->container_name ? o->container_name : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, endpoint_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 5, ip);
		sqlite3_bind_text(s, 6, res->mac, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 7, host_veth, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 8, altext, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE) {
			store_dberr(st, err, "insert endpoint");
			goto rollback;
		}
	}
	if (ports_reserve(st, n.id, container_id, &n, o->ports, o->nports, &res->ports, err) < 0)
		goto rollback;
	res->nports = o->nports;
	if (store_commit(st, err) < 0)
		goto rollback;
	committed = true;

	if (plumb(&n, netns_fd, host_veth, o->ifname, mac, ip, got, err) < 0)
		goto undo;
	{
		/* this container's published ports: a few map elements, one transaction */
		_cleanup_nat_batch_ struct nat_batch ns = { 0 };
		if (nat_script_ports(st, container_id, true, &ns, err) < 0 || nat_apply(st, &ns, err) < 0)
			goto undo;
	}
	{
		berr derr = { 0 };
		if (net_dns_ensure(st, &n, &derr) < 0)
			log_warn("network %s: no name resolution: %s", n.name, derr.msg);
	}
	net_ip_str(ip, res->ip);
	res->prefix = n.prefix;
	if (!n.internal)
		net_ip_str(n.gateway, res->gateway);
	snprintf(res->ifname, sizeof res->ifname, "%s", got);
	snprintf(res->host_veth, sizeof res->host_veth, "%s", host_veth);
	rc = 0;
	goto out;

rollback:
	store_rollback(st);
	goto out;
undo: {
	berr ign = { 0 };
	berr_wrap(err, "attach to network %s (%s)", n.name, net_ip_str(ip, b));
	nl_link_del(host_veth, &ign); /* (takes its peer in the netns along) */
	if (committed && store_begin(st, &ign) == 0) {
		if (delete_endpoint(st, n.id, container_id, &ign) == 0)
			store_commit(st, &ign);
		else
			store_rollback(st);
	}
	nat_sync(st, &ign);
}
out:
	if (rc < 0)
		net_attach_result_free(res);
	net_unlock(lk);
	net_network_free(&n);
	return rc;
}

int net_attach_pid(struct store *st, const char *network, const char *container_id, pid_t pid,
		   const struct net_attach_opts *o, struct net_attach_result *res, berr *err)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/ns/net", (int)pid);
	_cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, "open %s", p);
	return net_attach(st, network, container_id, fd, o, res, err);
}

static bool defer_on;
static struct strvec deferred = STRVEC_INIT;

void net_defer_link_deletes(bool on)
{
	defer_on = on;
}

bool net_has_deferred(void)
{
	return deferred.n > 0;
}

void net_delete_deferred(void)
{
	for (size_t i = 0; i < deferred.n; i++) {
		berr e;
		nl_link_del(deferred.v[i], &e);
	}
	sv_clear(&deferred);
}

static int detach_one(struct store *st, const struct net_network *n, const char *container_id, struct nat_batch *nft, berr *err)
{
	_cleanup_free_ char *veth = NULL;
	if (store_begin(st, err) < 0)
		return -1;

	{
		_cleanup_stmt_ sqlite3_stmt *s = NULL;
		if (store_prepare(st, &s, "SELECT host_veth FROM net_endpoints WHERE network_id = ? AND container_id = ?", err) < 0)
			goto fail;
		sqlite3_bind_text(s, 1, n->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, container_id, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_ROW) {
			berr_set(err, ENOENT, "container %s is not connected to network %s", container_id, n->name);
			err->status = 1;
			goto fail;
		}
		veth = xstrdup((const char *)sqlite3_column_text(s, 0));
	}
	if (nft && nat_script_ports_on(st, container_id, n->id, false, nft, err) < 0)
		goto fail;
	if (delete_endpoint(st, n->id, container_id, err) < 0 || store_commit(st, err) < 0)
		goto fail;
	if (defer_on) {
		sv_push(&deferred, veth);
		return 0;
	}
	if (nl_link_del(veth, err) < 0)
		return -1;
	return 0;
fail:
	store_rollback(st);
	return -1;
}

int net_detach(struct store *st, const char *network, const char *container_id, berr *err)
{
	struct net_network n = { 0 };
	if (net_lookup(st, network, &n, err) < 0)
		return -1;
	int rc = -1;
	_cleanup_nat_batch_ struct nat_batch nft = { 0 };
	int lk = net_lock(st, err);
	if (lk >= 0 && detach_one(st, &n, container_id, &nft, err) == 0)
		rc = nat_apply(st, &nft, err);
	net_unlock(lk);
	net_network_free(&n);
	return rc;
}

int net_detach_all(struct store *st, const char *container_id, berr *err)
{
	if (!net_has_endpoints(st, container_id))
		return 0; /* attached nowhere: no lock, no rule rebuild */
	int lk = net_lock(st, err);
	if (lk < 0)
		return -1;
	struct net_network *nets = NULL;
	size_t nn = 0;
	int rc = -1;
	_cleanup_nat_batch_ struct nat_batch nft = { 0 };
	if (net_list(st, &nets, &nn, err) < 0)
		goto out;
	for (size_t i = 0; i < nn; i++) {
		berr e = { 0 };
		if (detach_one(st, &nets[i], container_id, &nft, &e) < 0 && e.errnum != ENOENT) {
			*err = e;
			goto out;
		}
	}
	rc = nat_apply(st, &nft, err);
out:
	net_list_free(nets, nn);
	net_unlock(lk);
	return rc;
}

static int unpublish_locked(struct store *st, const char *container_id, const struct net_port *only, size_t n, berr *err);

int net_publish(struct store *st, const char *container_id, const char *network,
		const struct net_port *ports, size_t np, struct net_port **bound, berr *err)
{
	*bound = NULL;
	int lk = net_lock(st, err);
	if (lk < 0)
		return -1;
	int rc = -1;
	struct net_network n = { 0 };
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	_cleanup_nat_batch_ struct nat_batch nft = { 0 };
	if (store_begin(st, err) < 0)
		goto out;
	if (store_prepare(st, &s, "SELECT n.id, n.name FROM net_endpoints e JOIN networks n ON n.id = e.network_id"
			  " WHERE e.container_id = ?1 AND (?2 IS NULL AND n.internal = 0 OR n.name = ?2 OR n.id = ?2) ORDER BY n.name", err) < 0)
		goto rollback;
	sqlite3_bind_text(s, 1, container_id, -1, SQLITE_STATIC);
	if (network)
		sqlite3_bind_text(s, 2, network, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_ROW) {
		berr_set(err, ENOENT, "container %s has no endpoint%s%s to publish ports on", container_id,
			 network ? " on network " : " on a non-internal network", network ? network : "");
		goto rollback;
	}
	snprintf(n.id, sizeof n.id, "%s", (const char *)sqlite3_column_text(s, 0));
	if (ports_reserve(st, n.id, container_id, &n, ports, np, bound, err) < 0 || store_commit(st, err) < 0)
		goto rollback;
	if (nat_script_ports(st, container_id, true, &nft, err) < 0 || nat_apply(st, &nft, err) < 0) {
		berr ign = { 0 };
		unpublish_locked(st, container_id, *bound, np, &ign); /* only what this call added */
		free(*bound);
		*bound = NULL;
		goto out;
	}
	rc = 0;
	goto out;
rollback:
	store_rollback(st);
	free(*bound);
	*bound = NULL;
out:
	net_unlock(lk);
	return rc;
}

static int unpublish_locked(struct store *st, const char *container_id, const struct net_port *only, size_t n, berr *err)
{
	_cleanup_nat_batch_ struct nat_batch nft = { 0 };
	if (only)
		nat_script_port_keys(only, n, &nft);
	else if (nat_script_ports(st, container_id, false, &nft, err) < 0)
		return -1;
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "DELETE FROM net_ports WHERE container_id = ?1 AND (?2 IS NULL OR (proto = ?2 AND host_ip = ?3 AND host_port = ?4))", err) < 0)
		return -1;
	for (size_t i = 0; i < (only ? n : 1); i++) {
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, container_id, -1, SQLITE_STATIC);
		if (only) {
			sqlite3_bind_text(s, 2, only[i].proto, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 3, only[i].host_ip);
			sqlite3_bind_int(s, 4, only[i].host_port);
		}
		if (sqlite3_step(s) != SQLITE_DONE)
			return store_dberr(st, err, "delete ports");
	}
	return nat_apply(st, &nft, err);
}

int net_unpublish(struct store *st, const char *container_id, berr *err)
{
	int lk = net_lock(st, err);
	if (lk < 0)
		return -1;
	int rc = unpublish_locked(st, container_id, NULL, 0, err);
	net_unlock(lk);
	return rc;
}
