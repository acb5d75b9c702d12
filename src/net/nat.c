/* nat.c: berth's nftables rules (libnftables), in a table of its own, `ip berth` (net_names),
 * made on the first attach and kept (as Docker keeps docker0) until system prune. Published
 * ports are elements of four DNAT maps: a container's start adds its elements and its stop
 * deletes them, one transaction each. The network-level rules (masquerade, isolation,
 * internal networks, DNS) depend only on the set of networks that are up; when it changes, or
 * an element does not apply, the whole table is rebuilt from the store in one transaction
 * (flush and refill: the base chains' hooks stay registered). Docker's and firewalld's tables
 * are never touched (but for one rule in DOCKER-USER). Chains (docs/networking.md):
 *   prerouting  nat    hook prerouting  priority dstnat  published ports (fib daddr type local)
 *   output      nat    hook output      priority -100    published ports for host-local clients
 *   publish     regular chain: dnat through the maps pub_tcp, pub_tcp_any, pub_udp, pub_udp_any
 *   input       filter hook input       priority -10     drop 127.0.0.0/8 from containers, and DNS
 *                                                        to a gateway from other interfaces
 *   postrouting nat    hook postrouting priority srcnat  outbound masquerade; masquerade of
 *                                                        127.0.0.1 and hairpin clients
 *   forward     filter hook forward     priority filter  internal networks cut off, networks
 *                                                        isolated from one another */
#include "net/internal.h"
#include "net/netlink.h"
#include <errno.h>
#include <jansson.h>
#include "util/lazy_nftables.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strbuf.h"

/* Set on forwarded packets berth accepts, for the one rule berth adds to Docker's DOCKER-USER
 * chain (see docker_user_sync). */
#define NAT_ACCEPT_MARK 0x08000000u

struct active {
	char bridge[16];
	uint32_t subnet, gateway;
	int prefix;
	bool internal;
};

static int run_nft(const char *script, berr *err)
{
	if (lazylib_load_nftables(err) < 0)
		return -1;
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft)
		return berr_set(err, ENOMEM, "nftables: cannot create context");
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	int rc = nft_run_cmd_from_buffer(nft, script);
	if (rc != 0) {
		const char *e = nft_ctx_get_error_buffer(nft);
		berr_set(err, EIO, "nftables: %s", e && *e ? e : "command failed");
		log_debug("nft script was:\n%s", script);
	}
	nft_ctx_free(nft);
	return rc ? -1 : 0;
}

/* The network-level part of the rules depends only on the set of bridge networks; it is
 * rebuilt (with everything else) when that set changes. This string describes the set; the
 * last one applied is kept in <runroot>/net/nft-state, so a container's start or stop only adds
 * or deletes its own map elements (one small transaction). */
static int net_set_desc(struct store *st, struct active **out, size_t *nout, struct strbuf *desc, berr *err)
{
	struct active *act = NULL;
	size_t na = 0;
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "SELECT bridge, subnet, prefix, internal, gateway FROM networks WHERE driver = 'bridge' ORDER BY bridge", err) < 0)
		return -1;
	struct net_names nm;
	net_names(st, &nm);
	sb_addf(desc, "v2 %s", nm.table);
	while (sqlite3_step(s) == SQLITE_ROW) {
		/* only networks that are up: a bridge that exists holds its subnet's route, so no
		 * other root can have taken the subnet (ipam_overlaps_host_route) */
		if (!nl_link_exists((const char *)sqlite3_column_text(s, 0)))
			continue;
		act = xrealloc(act, (na + 1) * sizeof *act);
		snprintf(act[na].bridge, sizeof act[na].bridge, "%s", (const char *)sqlite3_column_text(s, 0));
		act[na].subnet = (uint32_t)sqlite3_column_int64(s, 1);
		act[na].prefix = sqlite3_column_int(s, 2);
		act[na].internal = sqlite3_column_int(s, 3);
		act[na].gateway = (uint32_t)sqlite3_column_int64(s, 4);
		sb_addf(desc, " %s/%u/%d/%d/%u", act[na].bridge, act[na].subnet, act[na].prefix, act[na].internal, act[na].gateway);
		na++;
	}
	*out = act;
	*nout = na;
	return 0;
}

static char *state_path(struct store *st)
{
	return xasprintf("%s/net/nft-state", st->runroot);
}

/* One map element per published port: pub_<proto> keyed by host address . port, pub_<proto>_any
 * by port alone (published on 0.0.0.0). */
static void port_elem(struct strbuf *sb, const char *verb, const char *table, const char *proto, uint32_t hip, int hport,
		      uint32_t cip, int cport, bool with_value)
{
	char a[16], c[16];
	if (hip)
		sb_addf(sb, "%s element ip %s pub_%s { %s . %d", verb, table, proto, net_ip_str(hip, a), hport);
	else
		sb_addf(sb, "%s element ip %s pub_%s_any { %d", verb, table, proto, hport);
	if (with_value)
		sb_addf(sb, " : %s . %d", net_ip_str(cip, c), cport);
	sb_adds(sb, " }\n");
}

/* The published ports of one container (NULL: of every container; net_id: on one network
 * only) as map elements, appended to b (when b) or as `VERB element` lines to sb. Ports of
 * endpoints on internal networks are not reachable, as in Docker. */
static int port_elems(struct store *st, const char *container_id, const char *net_id, bool add, struct nat_batch *b,
		      struct strbuf *sb, berr *err)
{
	struct net_names nm;
	net_names(st, &nm);
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "SELECT p.proto, p.host_ip, p.host_port, p.container_port, e.ip FROM net_ports p"
			  " JOIN net_endpoints e ON e.network_id = p.network_id AND e.container_id = p.container_id"
			  " JOIN networks n ON n.id = p.network_id WHERE n.internal = 0 AND (?1 IS NULL OR p.container_id = ?1)"
			  " AND (?2 IS NULL OR p.network_id = ?2)"
			  " ORDER BY p.proto, p.host_port", err) < 0)
		return -1;
	if (container_id)
		sqlite3_bind_text(s, 1, container_id, -1, SQLITE_STATIC);
	if (net_id)
		sqlite3_bind_text(s, 2, net_id, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *proto = (const char *)sqlite3_column_text(s, 0);
		if (strcmp(proto, "tcp") && strcmp(proto, "udp"))
			continue;
		struct nat_elem e = {
			.add = add, .udp = !strcmp(proto, "udp"), .host_ip = (uint32_t)sqlite3_column_int64(s, 1),
			.host_port = (uint16_t)sqlite3_column_int(s, 2), .container_ip = (uint32_t)sqlite3_column_int64(s, 4),
			.container_port = (uint16_t)sqlite3_column_int(s, 3),
		};
		if (b) {
			b->v = xrealloc(b->v, (b->n + 1) * sizeof *b->v);
			b->v[b->n++] = e;
		} else {
			port_elem(sb, add ? "add" : "delete", nm.table, proto, e.host_ip, e.host_port, e.container_ip, e.container_port, add);
		}
	}
	return 0;
}

/* Build the whole table's text from the store. The table and its base chains are kept once
 * made (as Docker keeps docker0): flushing keeps the base chains' hooks registered (deleting
 * and re-adding them costs RCU grace periods); `delete` (fresh = true) is the fallback for a
 * table of another shape. */
static int build_script(struct store *st, struct strbuf *sb, bool fresh, struct strbuf *desc, berr *err)
{
	char a[16];
	struct active *act = NULL;
	size_t na = 0;
	if (net_set_desc(st, &act, &na, desc, err) < 0)
		return -1;
	struct net_names nm;
	net_names(st, &nm);
	/* the root in the table's comment, for net_gc_orphans once the root is gone (a comment
	 * is only taken when the table is made) */
	_cleanup_free_ char *comment = !strchr(st->root, '"') && strlen(st->root) < 200 ? xasprintf(" comment \"berth-root:%s\";", st->root)
										     : xstrdup("");
	if (fresh)
		sb_addf(sb, "table ip %s {%s }\ndelete table ip %s\n", nm.table, comment, nm.table);
	else
		sb_addf(sb, "table ip %s {%s }\nflush table ip %s\n", nm.table, comment, nm.table);
	sb_addf(sb, "table ip %s {%s\n", nm.table, comment);
	for (int u = 0; u < 2; u++) {
		const char *proto = u ? "udp" : "tcp";
		sb_addf(sb, "  map pub_%s {\n    type ipv4_addr . inet_service : ipv4_addr . inet_service\n  }\n", proto);
		sb_addf(sb, "  map pub_%s_any {\n    type inet_service : ipv4_addr . inet_service\n  }\n", proto);
	}
	sb_adds(sb, "  chain prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n"
		    "    fib daddr type local jump publish\n  }\n");
	sb_adds(sb, "  chain output {\n    type nat hook output priority -100; policy accept;\n"
		    "    fib daddr type local jump publish\n  }\n");
	sb_adds(sb, "  chain publish {\n"
		    "    dnat ip to ip daddr . tcp dport map @pub_tcp\n    dnat ip to tcp dport map @pub_tcp_any\n"
		    "    dnat ip to ip daddr . udp dport map @pub_udp\n    dnat ip to udp dport map @pub_udp_any\n  }\n");
	/* route_localnet is on for berth bridges (so 127.0.0.1 clients can be DNATed to a
	 * container); never let a container itself reach the host's 127.0.0.0/8 through it
	 * (CVE-2020-8558). Replies to DNATed 127.0.0.1 clients are in the reply direction. */
	sb_adds(sb, "  chain input {\n    type filter hook input priority filter - 10; policy accept;\n"
		    "    iifname \"berth*\" ip daddr 127.0.0.0/8 ct direction original drop\n");
	/* a network's DNS responder (dns.c) answers its own bridge only */
	for (size_t i = 0; i < na; i++)
		sb_addf(sb, "    ip daddr %s udp dport 53 iifname != \"%s\" drop\n", net_ip_str(act[i].gateway, a), act[i].bridge);
	sb_adds(sb, "  }\n");
	sb_adds(sb, "  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n");
	for (size_t i = 0; i < na; i++) {
		net_ip_str(act[i].subnet, a);
		if (!act[i].internal)
			sb_addf(sb, "    ip saddr %s/%d oifname != \"%s\" masquerade\n", a, act[i].prefix, act[i].bridge);
		/* clients on 127.0.0.1 (route_localnet) and hairpin clients on the same bridge */
		sb_addf(sb, "    oifname \"%s\" ct status dnat ip saddr { 127.0.0.0/8, %s/%d } masquerade\n", act[i].bridge, a, act[i].prefix);
	}
	sb_adds(sb, "  }\n");
	/* priority filter - 10: before Docker's FORWARD (priority filter), so the mark is set
	 * when DOCKER-USER looks at it */
	sb_adds(sb, "  chain forward {\n    type filter hook forward priority filter - 10; policy accept;\n");
	for (size_t i = 0; i < na; i++) {
		const char *br = act[i].bridge;
		if (act[i].internal) {
			sb_addf(sb, "    iifname \"%s\" oifname != \"%s\" drop\n", br, br);
			sb_addf(sb, "    oifname \"%s\" iifname != \"%s\" drop\n", br, br);
		}
	}
	sb_addf(sb, "    ct status dnat meta mark set mark | 0x%08x accept\n", NAT_ACCEPT_MARK);
	for (size_t i = 0; i < na && na > 1; i++) {
		sb_addf(sb, "    iifname \"%s\" oifname { ", act[i].bridge);
		bool first = true;
		for (size_t j = 0; j < na; j++) {
			if (j == i)
				continue;
			sb_addf(sb, "%s\"%s\"", first ? "" : ", ", act[j].bridge);
			first = false;
		}
		sb_adds(sb, " } drop\n");
	}
	/* what berth lets through: traffic from its bridges (after the drops above), replies
	 * to it; the mark tells a policy-drop FORWARD chain of another table (Docker's) */
	sb_addf(sb, "    iifname \"berth*\" meta mark set mark | 0x%08x\n", NAT_ACCEPT_MARK);
	sb_addf(sb, "    oifname \"berth*\" ct state established,related meta mark set mark | 0x%08x\n", NAT_ACCEPT_MARK);
	sb_adds(sb, "  }\n}\n");
	free(act);
	/* `flush table` leaves set elements: empty the maps, then fill them from the store */
	if (!fresh)
		for (int u = 0; u < 2; u++)
			sb_addf(sb, "flush map ip %s pub_%s\nflush map ip %s pub_%s_any\n", nm.table, u ? "udp" : "tcp", nm.table,
				u ? "udp" : "tcp");
	return port_elems(st, NULL, NULL, true, NULL, sb, err);
}

/* Docker's `ip filter` FORWARD chain has policy drop: a packet berth accepts in its own table
 * is still dropped there. Docker's documented place for other rules is its DOCKER-USER chain;
 * berth keeps exactly one rule there while it has active networks,
 *   meta mark & NAT_ACCEPT_MARK == NAT_ACCEPT_MARK accept   (iptables: -m mark --mark X/X -j ACCEPT)
 * written in a form iptables-nft still understands, and removes it when it has none. */
static int docker_user_sync(bool want, berr *err)
{
	if (lazylib_load_nftables(err) < 0)
		return -1;
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft)
		return berr_set(err, ENOMEM, "nftables: cannot create context");
	nft_ctx_output_set_flags(nft, NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE);
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	int rc = 0;
	if (nft_run_cmd_from_buffer(nft, "list chain ip filter DOCKER-USER") != 0) {
		nft_ctx_free(nft); /* no Docker chain: nothing to do */
		return 0;
	}
	json_t *root = json_loads(nft_ctx_get_output_buffer(nft), 0, NULL);
	nft_ctx_free(nft);
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "");
	char want_mark[16];
	snprintf(want_mark, sizeof want_mark, "%u", NAT_ACCEPT_MARK);
	int have = 0;
	json_t *items = json_object_get(root, "nftables"), *it;
	size_t i;
	json_array_foreach(items, i, it) {
		json_t *r = json_object_get(it, "rule");
		if (!r)
			continue;
		/* ours: [match (meta mark & M) == M, accept] */
		json_t *ex = json_object_get(r, "expr");
		json_t *m = json_object_get(json_array_get(ex, 0), "match");
		json_t *band = json_object_get(json_object_get(m, "left"), "&");
		if (json_array_size(ex) != 2 || !json_object_get(json_array_get(ex, 1), "accept") || !band ||
		    json_integer_value(json_object_get(m, "right")) != NAT_ACCEPT_MARK ||
		    json_integer_value(json_array_get(band, 1)) != NAT_ACCEPT_MARK)
			continue;
		if (want && !have++)
			continue;
		sb_addf(&sb, "delete rule ip filter DOCKER-USER handle %lld\n", (long long)json_integer_value(json_object_get(r, "handle")));
	}
	json_decref(root);
	if (want && !have)
		sb_addf(&sb, "insert rule ip filter DOCKER-USER meta mark & 0x%08x == 0x%08x accept\n", NAT_ACCEPT_MARK, NAT_ACCEPT_MARK);
	if (sb.len && run_nft(sb.buf, err) < 0)
		rc = berr_wrap(err, "update Docker's DOCKER-USER chain");
	return rc;
}

/* Another berth root's table is still there (it needs the DOCKER-USER rule too). */
static bool other_berth_tables(const char *mine)
{
	berr e = { 0 };
	if (lazylib_load_nftables(&e) < 0)
		return false;
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft)
		return true;
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	bool other = false;
	if (nft_run_cmd_from_buffer(nft, "list tables ip") == 0) {
		const char *out = nft_ctx_get_output_buffer(nft);
		for (const char *l = out; l && *l;) {
			const char *e = strchr(l, '\n');
			size_t len = e ? (size_t)(e - l) : strlen(l);
			char name[64];
			if (sscanf(l, "table ip %63s", name) == 1 && !strncmp(name, "berth", 5) && strcmp(name, mine) &&
			    len < 80)
				other = true;
			l = e ? e + 1 : l + len;
		}
	} else {
		other = true; /* when in doubt, keep the rule */
	}
	nft_ctx_free(nft);
	return other;
}

int nat_sync(struct store *st, berr *err)
{
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT, desc = STRBUF_INIT;
	if (build_script(st, &sb, false, &desc, err) < 0)
		return -1;
	if (docker_user_sync(true, err) < 0)
		return -1;
	if (run_nft(sb.buf, err) < 0) {
		/* a table of another shape (an older berth): rebuild it from scratch */
		sb_reset(&sb);
		sb_reset(&desc);
		berr e2 = { 0 };
		if (build_script(st, &sb, true, &desc, &e2) < 0 || run_nft(sb.buf, &e2) < 0)
			return berr_wrap(err, "update berth's nftables table");
	}
	_cleanup_free_ char *dir = xasprintf("%s/net", st->runroot), *sp = state_path(st);
	berr ign = { 0 };
	if (mkdir_p(dir, 0700, &ign) == 0)
		write_file_atomic(sp, desc.buf, desc.len, 0600, &ign);
	return 0;
}

/* The table holds the network-level rules of the current set of networks (else: rebuild). */
static bool nat_current(struct store *st)
{
	_cleanup_strbuf_ struct strbuf desc = STRBUF_INIT;
	struct active *act = NULL;
	size_t na = 0;
	berr ign = { 0 };
	if (net_set_desc(st, &act, &na, &desc, &ign) < 0)
		return false;
	free(act);
	_cleanup_free_ char *sp = state_path(st), *cur = NULL;
	size_t len = 0;
	if (read_file(sp, &cur, &len, &ign) < 0)
		return false;
	return len == desc.len && !memcmp(cur, desc.buf, len);
}

int nat_script_ports(struct store *st, const char *container_id, bool add, struct nat_batch *b, berr *err)
{
	return port_elems(st, container_id, NULL, add, b, NULL, err);
}

int nat_script_ports_on(struct store *st, const char *container_id, const char *net_id, bool add, struct nat_batch *b, berr *err)
{
	return port_elems(st, container_id, net_id, add, b, NULL, err);
}

void nat_script_port_keys(const struct net_port *p, size_t n, struct nat_batch *b)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(p[i].proto, "tcp") && strcmp(p[i].proto, "udp"))
			continue;
		b->v = xrealloc(b->v, (b->n + 1) * sizeof *b->v);
		b->v[b->n++] = (struct nat_elem){ .udp = !strcmp(p[i].proto, "udp"), .host_ip = p[i].host_ip, .host_port = p[i].host_port };
	}
}

int nat_apply(struct store *st, const struct nat_batch *b, berr *err)
{
	if (!nat_current(st))
		return nat_sync(st, err);
	struct net_names nm;
	net_names(st, &nm);
	if (!b || !b->n)
		return nat_table_exists(nm.table) == 0 ? nat_sync(st, err) : 0;
	berr e = { 0 };
	if (nat_elems_apply(nm.table, b->v, b->n, &e) == 0)
		return 0;
	/* the table is not what berth left (flushed by hand, rebooted): rebuild it from the store */
	log_debug("%s; rebuilding the table", e.msg);
	return nat_sync(st, err);
}

int nat_remove_table(struct store *st, berr *err)
{
	struct net_names nm;
	net_names(st, &nm);
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "table ip %s\ndelete table ip %s\n", nm.table, nm.table);
	if (run_nft(sb.buf, err) < 0)
		return -1;
	_cleanup_free_ char *sp = state_path(st);
	unlink(sp);
	return docker_user_sync(other_berth_tables(nm.table), err);
}
