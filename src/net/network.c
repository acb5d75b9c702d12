/* network.c: the network model: the store's networks table, predefined networks (bridge, host,
 * none), create / lookup / list / remove, bridge devices, and Docker's inspect JSON. */
#include "net/internal.h"
#include "util/sha256.h"
#include "net/netlink.h"
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/strbuf.h"

BERTH_SCHEMA(net_schema) = {
	"net",
	"CREATE TABLE IF NOT EXISTS networks ("
	" id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, driver TEXT NOT NULL, bridge TEXT NOT NULL DEFAULT '',"
	" subnet INTEGER NOT NULL DEFAULT 0, prefix INTEGER NOT NULL DEFAULT 0, gateway INTEGER NOT NULL DEFAULT 0,"
	" range INTEGER NOT NULL DEFAULT 0, range_prefix INTEGER NOT NULL DEFAULT 0,"
	" internal INTEGER NOT NULL DEFAULT 0, user_subnet INTEGER NOT NULL DEFAULT 0,"
	" labels TEXT NOT NULL DEFAULT '{}', created TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS net_endpoints ("
	" network_id TEXT NOT NULL REFERENCES networks(id), container_id TEXT NOT NULL,"
	" container_name TEXT NOT NULL DEFAULT '', endpoint_id TEXT NOT NULL, ip INTEGER NOT NULL,"
	" mac TEXT NOT NULL, host_veth TEXT NOT NULL UNIQUE, aliases TEXT NOT NULL DEFAULT '[]',"
	" PRIMARY KEY (network_id, container_id), UNIQUE (network_id, ip));"
	"CREATE TABLE IF NOT EXISTS net_ports ("
	" network_id TEXT NOT NULL, container_id TEXT NOT NULL, proto TEXT NOT NULL,"
	" host_ip INTEGER NOT NULL, host_port INTEGER NOT NULL, container_port INTEGER NOT NULL,"
	" UNIQUE (proto, host_ip, host_port),"
	" FOREIGN KEY (network_id, container_id) REFERENCES net_endpoints(network_id, container_id) ON DELETE CASCADE);"
	/* networks created with --subnet and --gateway: Docker's inspect shows IPAM.Config's
	 * Gateway only then (or when it picked the subnet itself) */
	"CREATE TABLE IF NOT EXISTS net_user_gateway (network_id TEXT PRIMARY KEY);",
};

#define NET_COLS "id, name, driver, bridge, subnet, prefix, gateway, range, range_prefix, internal, user_subnet, labels, created"

char *net_ip_str(uint32_t ip, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
	return buf;
}

int net_ip_parse(const char *s, uint32_t *ip)
{
	struct in_addr a;
	if (!s || inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*ip = ntohl(a.s_addr);
	return 0;
}

int net_cidr_parse(const char *s, uint32_t *ip, int *prefix)
{
	const char *slash = strchr(s, '/');
	if (!slash || slash - s > 15)
		return -1;
	char a[16];
	memcpy(a, s, (size_t)(slash - s));
	a[slash - s] = 0;
	char *end;
	errno = 0;
	long p = strtol(slash + 1, &end, 10);
	if (!slash[1] || *end || p < 0 || p > 32 || errno)
		return -1;
	if (net_ip_parse(a, ip) < 0)
		return -1;
	*prefix = (int)p;
	return 0;
}

void net_network_free(struct net_network *n)
{
	if (n) {
		free(n->labels);
		n->labels = NULL;
	}
}

void net_list_free(struct net_network *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		net_network_free(&v[i]);
	free(v);
}

void net_names(const struct store *st, struct net_names *out)
{
	if (!strcmp(st->root, NET_DEFAULT_ROOT)) {
		snprintf(out->table, sizeof out->table, "%s", NET_NFT_TABLE);
		snprintf(out->default_bridge, sizeof out->default_bridge, "%s", NET_DEFAULT_BRIDGE);
		return;
	}
	uint8_t h[32];
	struct sha256 sh;
	sha256_init(&sh);
	sha256_update(&sh, st->root, strlen(st->root));
	sha256_final(&sh, h);
	char hex[7];
	snprintf(hex, sizeof hex, "%02x%02x%02x", h[0], h[1], h[2]);
	snprintf(out->table, sizeof out->table, "%s_%s", NET_NFT_TABLE, hex);
	snprintf(out->default_bridge, sizeof out->default_bridge, "berth%s", hex);
}

bool net_is_predefined(const char *name)
{
	return !strcmp(name, "bridge") || !strcmp(name, "host") || !strcmp(name, "none");
}

static void random_hex(char *out, size_t nbytes)
{
	unsigned char b[64];
	if (getrandom(b, nbytes, 0) != (ssize_t)nbytes)
		for (size_t i = 0; i < nbytes; i++)
			b[i] = (unsigned char)rand();
	for (size_t i = 0; i < nbytes; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * nbytes] = 0;
}

static void now_rfc3339(char out[40])
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	char b[24];
	strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 40, "%s.%09ldZ", b, ts.tv_nsec);
}

int net_row_load(struct store *st, sqlite3_stmt *s, struct net_network *n)
{
	(void)st;
	memset(n, 0, sizeof *n);
	snprintf(n->id, sizeof n->id, "%s", (const char *)sqlite3_column_text(s, 0));
	snprintf(n->name, sizeof n->name, "%s", (const char *)sqlite3_column_text(s, 1));
	snprintf(n->driver, sizeof n->driver, "%s", (const char *)sqlite3_column_text(s, 2));
	snprintf(n->bridge, sizeof n->bridge, "%s", (const char *)sqlite3_column_text(s, 3));
	n->subnet = (uint32_t)sqlite3_column_int64(s, 4);
	n->prefix = sqlite3_column_int(s, 5);
	n->gateway = (uint32_t)sqlite3_column_int64(s, 6);
	n->range = (uint32_t)sqlite3_column_int64(s, 7);
	n->range_prefix = sqlite3_column_int(s, 8);
	n->internal = sqlite3_column_int(s, 9);
	n->user_subnet = sqlite3_column_int(s, 10);
	n->labels = xstrdup((const char *)sqlite3_column_text(s, 11));
	snprintf(n->created, sizeof n->created, "%s", (const char *)sqlite3_column_text(s, 12));
	return 0;
}

static int insert_network(struct store *st, const struct net_network *n, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "INSERT INTO networks (" NET_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, n->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, n->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, n->driver, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, n->bridge, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, n->subnet);
	sqlite3_bind_int(s, 6, n->prefix);
	sqlite3_bind_int64(s, 7, n->gateway);
	sqlite3_bind_int64(s, 8, n->range);
	sqlite3_bind_int(s, 9, n->range_prefix);
	sqlite3_bind_int(s, 10, n->internal);
	sqlite3_bind_int(s, 11, n->user_subnet);
	sqlite3_bind_text(s, 12, n->labels ? n->labels : "{}", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 13, n->created, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		return store_dberr(st, err, "insert network");
	return 0;
}

int net_ensure_defaults(struct store *st, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *q = NULL;
	if (store_prepare(st, &q, "SELECT count(*) FROM networks WHERE name IN ('bridge','host','none')", err) < 0)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) == 3)
		return 0;
	if (store_begin(st, err) < 0)
		return -1;
	static const char *names[] = { "bridge", "host", "none" };
	static const char *drivers[] = { "bridge", "host", "null" };
	for (int i = 0; i < 3; i++) {
		_cleanup_stmt_ sqlite3_stmt *e = NULL;
		if (store_prepare(st, &e, "SELECT 1 FROM networks WHERE name = ?", err) < 0)
			goto fail;
		sqlite3_bind_text(e, 1, names[i], -1, SQLITE_STATIC);
		if (sqlite3_step(e) == SQLITE_ROW)
			continue;
		struct net_network n = { 0 };
		random_hex(n.id, 32);
		snprintf(n.name, sizeof n.name, "%s", names[i]);
		snprintf(n.driver, sizeof n.driver, "%s", drivers[i]);
		now_rfc3339(n.created);
		n.labels = (char *)"{}";
		if (i == 0) {
			struct net_names nm;
			net_names(st, &nm);
			snprintf(n.bridge, sizeof n.bridge, "%s", nm.default_bridge);
			if (ipam_pick_subnet(st, &n.subnet, &n.prefix, err) < 0)
				goto fail;
			n.gateway = n.subnet + 1;
		}
		if (insert_network(st, &n, err) < 0)
			goto fail;
	}
	return store_commit(st, err);
fail:
	store_rollback(st);
	return -1;
}

static bool valid_name(const char *s)
{
	/* Docker: [a-zA-Z0-9][a-zA-Z0-9_.-]* */
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-'))
			return false;
	return strlen(s) < 200;
}

int net_create(struct store *st, const char *name, const struct net_create_opts *o, char id_out[65], berr *err)
{
	struct net_network n = { 0 };
	if (!valid_name(name))
		return berr_set(err, EINVAL, "invalid name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name);
	if (net_is_predefined(name))
		return berr_set(err, EEXIST, "network with name %s already exists", name);
	if (o->driver && strcmp(o->driver, "bridge"))
		return berr_set(err, ENOTSUP, "plugin \"%s\" not found (berth supports only the bridge driver)", o->driver);
	if (!o->subnet && (o->gateway || o->ip_range))
		return berr_set(err, EINVAL, "every ip-range or gateway must have a corresponding subnet");
	snprintf(n.driver, sizeof n.driver, "bridge");
	snprintf(n.name, sizeof n.name, "%s", name);
	n.internal = o->internal;
	now_rfc3339(n.created);
	random_hex(n.id, 32);
	/* every berth bridge is berth*: one wildcard names them all in firewall rules */
	snprintf(n.bridge, sizeof n.bridge, "berth-%.9s", n.id);

	json_t *labels = json_object();
	for (const char *const *l = o->labels; l && *l; l++) {
		const char *eq = strchr(*l, '=');
		_cleanup_free_ char *k = eq ? xstrndup(*l, (size_t)(eq - *l)) : xstrdup(*l);
		json_object_set_new(labels, k, json_string(eq ? eq + 1 : ""));
	}
	_cleanup_free_ char *ltext = json_dumps(labels, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(labels);
	n.labels = ltext;

	if (o->subnet) {
		if (net_cidr_parse(o->subnet, &n.subnet, &n.prefix) < 0)
			return berr_set(err, EINVAL, "invalid CIDR address: %s", o->subnet);
		if (n.prefix > 30 || n.prefix < 8)
			return berr_set(err, EINVAL, "invalid subnet %s: berth needs a prefix between /8 and /30", o->subnet);
		if (n.subnet & ~net_mask(n.prefix)) {
			char b[16];
			return berr_set(err, EINVAL, "invalid subnet %s: it should be %s/%d", o->subnet,
					net_ip_str(n.subnet & net_mask(n.prefix), b), n.prefix);
		}
		n.user_subnet = true;
		if (o->gateway) {
			if (net_ip_parse(o->gateway, &n.gateway) < 0)
				return berr_set(err, EINVAL, "invalid gateway address %s", o->gateway);
			if ((n.gateway & net_mask(n.prefix)) != n.subnet || n.gateway == n.subnet ||
			    n.gateway == (n.subnet | ~net_mask(n.prefix)))
				return berr_set(err, EINVAL, "no matching subnet for gateway %s", o->gateway);
		} else {
			n.gateway = n.subnet + 1;
		}
		if (o->ip_range) {
			if (net_cidr_parse(o->ip_range, &n.range, &n.range_prefix) < 0)
				return berr_set(err, EINVAL, "invalid CIDR address: %s", o->ip_range);
			if (n.range_prefix < n.prefix || (n.range & net_mask(n.prefix)) != n.subnet)
				return berr_set(err, EINVAL, "no matching subnet for range %s", o->ip_range);
			n.range &= net_mask(n.range_prefix);
		}
		if (ipam_overlaps_host_route(n.subnet, n.prefix, NULL)) {
			char b[16];
			return berr_set(err, EEXIST, "Pool overlaps with other one on this address space (%s/%d is routed on this host)",
					net_ip_str(n.subnet, b), n.prefix);
		}
	}

	if (net_ensure_defaults(st, err) < 0 || store_begin(st, err) < 0)
		return -1;
	{
		_cleanup_stmt_ sqlite3_stmt *e = NULL;
		if (store_prepare(st, &e, "SELECT 1 FROM networks WHERE name = ?", err) < 0)
			goto fail;
		sqlite3_bind_text(e, 1, name, -1, SQLITE_STATIC);
		if (sqlite3_step(e) == SQLITE_ROW) {
			berr_set(err, EEXIST, "network with name %s already exists", name);
			goto fail;
		}
	}
	if (o->subnet) {
		if (ipam_subnet_in_use(st, n.subnet, n.prefix, NULL, err)) {
			berr_set(err, EEXIST, "Pool overlaps with other one on this address space");
			goto fail;
		}
	} else {
		if (ipam_pick_subnet(st, &n.subnet, &n.prefix, err) < 0)
			goto fail;
		n.gateway = n.subnet + 1;
	}
	if (insert_network(st, &n, err) < 0)
		goto fail;
	if (o->subnet && o->gateway) {
		_cleanup_stmt_ sqlite3_stmt *g = NULL;
		if (store_prepare(st, &g, "INSERT OR REPLACE INTO net_user_gateway (network_id) VALUES (?)", err) < 0)
			goto fail;
		sqlite3_bind_text(g, 1, n.id, -1, SQLITE_STATIC);
		if (sqlite3_step(g) != SQLITE_DONE) {
			store_dberr(st, err, "record gateway");
			goto fail;
		}
	}
	if (store_commit(st, err) < 0)
		goto fail;
	memcpy(id_out, n.id, 65);
	return 0;
fail:
	store_rollback(st);
	return -1;
}

int net_lookup(struct store *st, const char *ref, struct net_network *out, berr *err)
{
	if (net_ensure_defaults(st, err) < 0)
		return -1;
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	/* exact name, then exact id, then a unique id prefix */
	if (store_prepare(st, &s, "SELECT " NET_COLS ", (name = ?1) AS byname, (id = ?1) AS byid FROM networks"
			  " WHERE name = ?1 OR id = ?1 OR (length(?1) > 0 AND substr(id, 1, length(?1)) = ?1)"
			  " ORDER BY byname DESC, byid DESC", err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, ref, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		if (rc != SQLITE_DONE)
			return store_dberr(st, err, "network lookup");
		berr_set(err, ENOENT, "No such network: %s", ref);
		err->status = 1;
		return -1;
	}
	bool exact = sqlite3_column_int(s, 13) || sqlite3_column_int(s, 14);
	net_row_load(st, s, out);
	if (!exact && sqlite3_step(s) == SQLITE_ROW) {
		net_network_free(out);
		berr_set(err, EINVAL, "network %s is ambiguous (2 matches found on name)", ref);
		err->status = 1;
		return -1;
	}
	return 0;
}

int net_list(struct store *st, struct net_network **out, size_t *n, berr *err)
{
	*out = NULL;
	*n = 0;
	if (net_ensure_defaults(st, err) < 0)
		return -1;
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "SELECT " NET_COLS " FROM networks ORDER BY name", err) < 0)
		return -1;
	size_t alloc = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == alloc) {
			alloc = alloc ? 2 * alloc : 8;
			*out = xrealloc(*out, alloc * sizeof **out);
		}
		net_row_load(st, s, &(*out)[(*n)++]);
	}
	if (rc != SQLITE_DONE) {
		net_list_free(*out, *n);
		*out = NULL;
		*n = 0;
		return store_dberr(st, err, "list networks");
	}
	return 0;
}

int net_endpoint_count(struct store *st, const char *net_id, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "SELECT count(*) FROM net_endpoints WHERE network_id = ?", err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, net_id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_ROW)
		return store_dberr(st, err, "count endpoints");
	return sqlite3_column_int(s, 0);
}

int net_bridge_ensure(const struct store *st, const struct net_network *n, berr *err)
{
	bool created = false;
	berr ign = { 0 };
	if (!nl_link_exists(n->bridge)) {
		if (ipam_overlaps_host_route(n->subnet, n->prefix, n->bridge)) {
			char b[16];
			return berr_set(err, EEXIST, "network %s: subnet %s/%d is already routed on this host", n->name,
					net_ip_str(n->subnet, b), n->prefix);
		}
		/* a locally administered unicast MAC fixed per network: 02:b7 + 4 bytes of the id */
		uint8_t mac[6] = { 0x02, 0xb7 };
		for (int i = 0; i < 4; i++)
			sscanf(n->id + 2 * i, "%2hhx", &mac[2 + i]);
		if (nl_bridge_add(n->bridge, mac, err) < 0)
			return -1;
		created = true;
		net_bridge_mark_root(st, n->bridge); /* for net_gc_orphans */
		net_gc_orphans(st->root);         /* bridges of deleted roots (rare: only here) */
	} else if (!n->internal) {
		/* kept from an earlier container (as docker0 is): up, addressed, configured */
		return nl_sysctl_set("net/ipv4/ip_forward", "1", err);
	}
	char path[96];
	if (nl_addr_add(n->bridge, n->gateway, n->prefix, err) < 0 || nl_link_set_up(n->bridge, err) < 0)
		goto fail;
	/* DNAT of 127.0.0.1 to a container needs route_localnet on the bridge (masqueraded in
	 * postrouting, see nat.c); IPv6 is not configured on berth bridges. */
	snprintf(path, sizeof path, "net/ipv4/conf/%s/route_localnet", n->bridge);
	if (nl_sysctl_set(path, "1", err) < 0)
		goto fail;
	snprintf(path, sizeof path, "net/ipv6/conf/%s/disable_ipv6", n->bridge);
	nl_sysctl_set(path, "1", &ign);
	if (!n->internal && nl_sysctl_set("net/ipv4/ip_forward", "1", err) < 0)
		goto fail;
	return 0;
fail:
	if (created) /* never take down a bridge that already carries endpoints */
		nl_link_del(n->bridge, &ign);
	return -1;
}

int net_bridge_remove(const struct net_network *n, berr *err)
{
	if (!n->bridge[0])
		return 0;
	return nl_link_del(n->bridge, err);
}

int net_remove(struct store *st, const char *ref, char name_out[256], berr *err)
{
	struct net_network n;
	if (net_lookup(st, ref, &n, err) < 0)
		return -1;
	int rc = -1;
	int lk = -1;
	_cleanup_stmt_ sqlite3_stmt *d = NULL; /* declared before any goto */
	if (net_is_predefined(n.name)) {
		berr_set(err, EPERM, "%s is a pre-defined network and cannot be removed", n.name);
		err->status = 1;
		goto out;
	}
	if ((lk = net_lock(st, err)) < 0)
		goto out;
	if (net_reconcile_locked(st, err) < 0 || store_begin(st, err) < 0)
		goto out;
	int cnt = net_endpoint_count(st, n.id, err);
	if (cnt < 0) {
		store_rollback(st);
		goto out;
	}
	if (cnt > 0) {
		store_rollback(st);
		berr_set(err, EBUSY, "error while removing network: network %s id %s has active endpoints", n.name, n.id);
		err->status = 1;
		goto out;
	}
	{
		_cleanup_stmt_ sqlite3_stmt *g = NULL;
		if (store_prepare(st, &g, "DELETE FROM net_user_gateway WHERE network_id = ?", err) == 0) {
			sqlite3_bind_text(g, 1, n.id, -1, SQLITE_STATIC);
			sqlite3_step(g);
		}
	}
	if (store_prepare(st, &d, "DELETE FROM networks WHERE id = ?", err) < 0) {
		store_rollback(st);
		goto out;
	}
	sqlite3_bind_text(d, 1, n.id, -1, SQLITE_STATIC);
	if (sqlite3_step(d) != SQLITE_DONE) {
		store_dberr(st, err, "delete network");
		store_rollback(st);
		goto out;
	}
	if (store_commit(st, err) < 0) {
		store_rollback(st);
		goto out;
	}
	berr ign = { 0 };
	net_bridge_remove(&n, &ign);
	net_dns_stop(st, n.id);
	nat_sync(st, &ign); /* its network-level rules go */
	if (name_out)
		snprintf(name_out, 256, "%s", n.name);
	rc = 0;
out:
	net_unlock(lk);
	net_network_free(&n);
	return rc;
}

json_t *net_inspect_json(struct store *st, const struct net_network *n, berr *err)
{
	char b[16];
	json_t *o = json_object();
	json_object_set_new(o, "Name", json_string(n->name));
	json_object_set_new(o, "Id", json_string(n->id));
	json_object_set_new(o, "Created", json_string(n->created));
	json_object_set_new(o, "Scope", json_string("local"));
	json_object_set_new(o, "Driver", json_string(n->driver));
	json_object_set_new(o, "EnableIPv6", json_false());
	json_t *ipam = json_object();
	json_object_set_new(ipam, "Driver", json_string("default"));
	/* Docker: {} for user networks, null for the predefined ones */
	json_object_set_new(ipam, "Options", net_is_predefined(n->name) ? json_null() : json_object());
	json_t *cfg = json_array();
	if (n->subnet) {
		json_t *c = json_object();
		_cleanup_free_ char *sub = xasprintf("%s/%d", net_ip_str(n->subnet, b), n->prefix);
		json_object_set_new(c, "Subnet", json_string(sub));
		if (n->range) {
			_cleanup_free_ char *r = xasprintf("%s/%d", net_ip_str(n->range, b), n->range_prefix);
			json_object_set_new(c, "IPRange", json_string(r));
		}
		bool show_gw = !n->user_subnet;
		if (!show_gw) {
			_cleanup_stmt_ sqlite3_stmt *g = NULL;
			berr ign;
			if (store_prepare(st, &g, "SELECT 1 FROM net_user_gateway WHERE network_id = ?", &ign) == 0) {
				sqlite3_bind_text(g, 1, n->id, -1, SQLITE_STATIC);
				show_gw = sqlite3_step(g) == SQLITE_ROW;
			}
		}
		if (show_gw)
			json_object_set_new(c, "Gateway", json_string(net_ip_str(n->gateway, b)));
		json_array_append_new(cfg, c);
	}
	json_object_set_new(ipam, "Config", cfg);
	json_object_set_new(o, "IPAM", ipam);
	json_object_set_new(o, "Internal", json_boolean(n->internal));
	json_object_set_new(o, "Attachable", json_false());
	json_object_set_new(o, "Ingress", json_false());
	json_t *cf = json_object();
	json_object_set_new(cf, "Network", json_string(""));
	json_object_set_new(o, "ConfigFrom", cf);
	json_object_set_new(o, "ConfigOnly", json_false());

	json_t *ctrs = json_object();
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "SELECT container_id, container_name, endpoint_id, mac, ip FROM net_endpoints WHERE network_id = ? ORDER BY container_id", err) < 0) {
		json_decref(o);
		json_decref(ctrs);
		return NULL;
	}
	sqlite3_bind_text(s, 1, n->id, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		json_t *c = json_object();
		json_object_set_new(c, "Name", json_string((const char *)sqlite3_column_text(s, 1)));
		json_object_set_new(c, "EndpointID", json_string((const char *)sqlite3_column_text(s, 2)));
		json_object_set_new(c, "MacAddress", json_string((const char *)sqlite3_column_text(s, 3)));
		_cleanup_free_ char *a = xasprintf("%s/%d", net_ip_str((uint32_t)sqlite3_column_int64(s, 4), b), n->prefix);
		json_object_set_new(c, "IPv4Address", json_string(a));
		json_object_set_new(c, "IPv6Address", json_string(""));
		json_object_set_new(ctrs, (const char *)sqlite3_column_text(s, 0), c);
	}
	json_object_set_new(o, "Containers", ctrs);
	json_t *opts = json_object();
	if (!strcmp(n->name, "bridge")) {
		json_object_set_new(opts, "com.docker.network.bridge.default_bridge", json_string("true"));
		json_object_set_new(opts, "com.docker.network.bridge.enable_icc", json_string("true"));
		json_object_set_new(opts, "com.docker.network.bridge.enable_ip_masquerade", json_string("true"));
		json_object_set_new(opts, "com.docker.network.bridge.host_binding_ipv4", json_string("0.0.0.0"));
		json_object_set_new(opts, "com.docker.network.bridge.name", json_string(n->bridge));
		json_object_set_new(opts, "com.docker.network.driver.mtu", json_string("1500"));
	}
	json_object_set_new(o, "Options", opts);
	json_t *labels = json_loads(n->labels ? n->labels : "{}", 0, NULL);
	json_object_set_new(o, "Labels", labels ? labels : json_object());
	return o;
}
