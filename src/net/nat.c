/* nat.c: berth's nftables rules (libnftables), in a table of its own, `ip berth`, rebuilt
 * atomically from the store after every change: one nft transaction that creates the table,
 * deletes it and recreates it with the current rules, so rules of detached containers never
 * linger and a crash is repaired by the next reconcile. Docker's and firewalld's tables are
 * never touched. The chains and hooks are listed in docs/networking.md:
 *   prerouting  nat    hook prerouting  priority dstnat  published ports (fib daddr type local)
 *   output      nat    hook output      priority -100    published ports for host-local clients
 *   publish     regular chain: one dnat rule per published port
 *   input       filter hook input       priority -10     drop 127.0.0.0/8 from containers, and DNS
 *                                                        to a gateway from other interfaces
 *   postrouting nat    hook postrouting priority srcnat  outbound masquerade; masquerade of
 *                                                        127.0.0.1 and hairpin clients
 *   forward     filter hook forward     priority filter  internal networks cut off, networks
 *                                                        isolated from one another */
#include "net/internal.h"
#include <errno.h>
#include <jansson.h>
#include "util/lazy_nftables.h"
#include <fcntl.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* Build the whole table's text from the store; empty string when nothing needs rules. */
static int build_script(struct store *st, struct strbuf *sb, bool flush, berr *err)
{
	char a[16], c[16];
	struct active *act = NULL;
	size_t na = 0;
	{
		_cleanup_stmt_ sqlite3_stmt *s = NULL;
		if (store_prepare(st, &s, "SELECT bridge, subnet, prefix, internal, gateway FROM networks n WHERE driver = 'bridge'"
				  " AND EXISTS (SELECT 1 FROM net_endpoints e WHERE e.network_id = n.id) ORDER BY bridge", err) < 0)
			return -1;
		while (sqlite3_step(s) == SQLITE_ROW) {
			act = xrealloc(act, (na + 1) * sizeof *act);
			snprintf(act[na].bridge, sizeof act[na].bridge, "%s", (const char *)sqlite3_column_text(s, 0));
			act[na].subnet = (uint32_t)sqlite3_column_int64(s, 1);
			act[na].prefix = sqlite3_column_int(s, 2);
			act[na].internal = sqlite3_column_int(s, 3);
			act[na].gateway = (uint32_t)sqlite3_column_int64(s, 4);
			na++;
		}
	}
	struct net_names nm;
	net_names(st, &nm);
	if (na == 0) {
		sb_addf(sb, "table ip %s\ndelete table ip %s\n", nm.table, nm.table);
		free(act);
		return 0;
	}
	/* the chains are a fixed set: flushing keeps the base chains' hooks registered (deleting
	 * and re-adding them costs RCU grace periods on every change); `delete` is the fallback */
	if (flush)
		sb_addf(sb, "table ip %s\nflush table ip %s\n", nm.table, nm.table);
	else
		sb_addf(sb, "table ip %s\ndelete table ip %s\n", nm.table, nm.table);
	sb_addf(sb, "table ip %s {\n", nm.table);
	sb_adds(sb, "  chain prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n"
		    "    fib daddr type local jump publish\n  }\n");
	sb_adds(sb, "  chain output {\n    type nat hook output priority -100; policy accept;\n"
		    "    fib daddr type local jump publish\n  }\n");
	sb_adds(sb, "  chain publish {\n");
	{
		/* ports of endpoints on internal networks are not reachable, as in Docker */
		_cleanup_stmt_ sqlite3_stmt *s = NULL;
		if (store_prepare(st, &s, "SELECT p.proto, p.host_ip, p.host_port, p.container_port, e.ip FROM net_ports p"
				  " JOIN net_endpoints e ON e.network_id = p.network_id AND e.container_id = p.container_id"
				  " JOIN networks n ON n.id = p.network_id WHERE n.internal = 0 ORDER BY p.proto, p.host_port", err) < 0) {
			free(act);
			return -1;
		}
		while (sqlite3_step(s) == SQLITE_ROW) {
			uint32_t hip = (uint32_t)sqlite3_column_int64(s, 1);
			sb_adds(sb, "    ");
			if (hip)
				sb_addf(sb, "ip daddr %s ", net_ip_str(hip, a));
			sb_addf(sb, "%s dport %d dnat to %s:%d\n", (const char *)sqlite3_column_text(s, 0), sqlite3_column_int(s, 2),
				net_ip_str((uint32_t)sqlite3_column_int64(s, 4), c), sqlite3_column_int(s, 3));
		}
	}
	sb_adds(sb, "  }\n");
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
	return 0;
}

/* Docker's `ip filter` FORWARD chain has policy drop: a packet berth accepts in its own table
 * is still dropped there. Docker's documented place for other rules is its DOCKER-USER chain;
 * berth keeps exactly one rule there while it has active networks,
 *   meta mark & NAT_ACCEPT_MARK == NAT_ACCEPT_MARK accept   (iptables: -m mark --mark X/X -j ACCEPT)
 * written in a form iptables-nft still understands, and removes it when it has none. */
static int docker_user_sync(bool want, berr *err)
{
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

/* ---- skipping a sync that would change nothing ----
 * Every attach and detach rebuilds the table, but most (a container without published ports
 * joining a network that already has containers) produce the same script as the last one.
 * nftables keeps a generation number per network namespace that every change bumps, anyone's
 * (NFT_MSG_GETGEN, one netlink round trip with libmnl, no libnftables). After applying a script
 * berth records (hash of the script, generation, network namespace and boot) in
 * <runroot>/net/nat.state; the next sync with the same script and the same generation has
 * nothing to do: neither our table nor anybody else's (Docker's DOCKER-USER chain, another
 * root's table) changed since. */
static int gen_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == NFTA_GEN_ID && mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
		*(uint32_t *)data = ntohl(mnl_attr_get_u32(a));
	return MNL_CB_OK;
}

static int gen_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	uint32_t *gen = data;
	*gen = 0;
	mnl_attr_parse(nlh, sizeof(struct nfgenmsg), gen_cb, gen);
	return *gen ? MNL_CB_OK : MNL_CB_ERROR;
}

static int nft_generation(uint32_t *gen)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!nl)
		return -1;
	int rc = -1;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == 0) {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN;
		nlh->nlmsg_flags = NLM_F_REQUEST;
		nlh->nlmsg_seq = 1;
		struct nfgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof *g);
		g->nfgen_family = AF_UNSPEC;
		g->version = NFNETLINK_V0;
		g->res_id = 0;
		ssize_t n;
		if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) >= 0 &&
		    (n = mnl_socket_recvfrom(nl, buf, sizeof buf)) > 0 &&
		    mnl_cb_run(buf, (size_t)n, 1, mnl_socket_get_portid(nl), gen_msg_cb, gen) >= 0 && *gen)
			rc = 0;
	}
	mnl_socket_close(nl);
	return rc;
}

static uint64_t script_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static char *state_path(struct store *st)
{
	return xasprintf("%s/net/nat.state", st->runroot);
}

/* the generation counts per network namespace and restarts at boot: the state names both */
static void netns_and_boot(char *out, size_t n)
{
	struct stat sb;
	char boot[40] = "";
	_cleanup_fclose_ FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
	if (!f || !fgets(boot, sizeof boot, f))
		boot[0] = 0;
	boot[strcspn(boot, "\n")] = 0;
	snprintf(out, n, "%llu-%s", stat("/proc/self/ns/net", &sb) == 0 ? (unsigned long long)sb.st_ino : 0ULL, boot);
}

static bool unchanged_since_last_sync(struct store *st, uint64_t hash)
{
	_cleanup_free_ char *p = state_path(st);
	_cleanup_fclose_ FILE *f = fopen(p, "re");
	unsigned long long h = 0;
	unsigned g = 0;
	uint32_t now = 0;
	char where[96], here[96];
	if (!f || fscanf(f, "%llx %u %95s", &h, &g, where) != 3)
		return false;
	netns_and_boot(here, sizeof here);
	return h == hash && !strcmp(where, here) && nft_generation(&now) == 0 && now == g;
}

static void record_sync(struct store *st, uint64_t hash)
{
	uint32_t gen = 0;
	_cleanup_free_ char *p = state_path(st);
	if (nft_generation(&gen) < 0) {
		unlink(p);
		return;
	}
	char text[160], here[96];
	netns_and_boot(here, sizeof here);
	int n = snprintf(text, sizeof text, "%016llx %u %s\n", (unsigned long long)hash, (unsigned)gen, here);
	_cleanup_free_ char *dir = xasprintf("%s/net", st->runroot);
	berr e;
	/* (no fsync: the file only saves work, and a missing or stale one means a full sync) */
	_cleanup_free_ char *tmp = xasprintf("%s.%d", p, (int)getpid());
	int fd = mkdir_p(dir, 0700, &e) == 0 ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
	bool ok = fd >= 0 && write(fd, text, (size_t)n) == n;
	if (fd >= 0)
		close(fd);
	if (!ok || rename(tmp, p) < 0) {
		unlink(tmp);
		unlink(p);
	}
}

static void forget_sync(struct store *st)
{
	_cleanup_free_ char *p = state_path(st);
	unlink(p);
}

int nat_sync(struct store *st, berr *err)
{
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
	if (build_script(st, &sb, true, err) < 0)
		return -1;
	uint64_t hash = script_hash(sb.buf);
	if (unchanged_since_last_sync(st, hash))
		return 0;
	forget_sync(st);
	if (lazylib_load_nftables(err) < 0)
		return -1;
	bool active = strstr(sb.buf, "chain forward") != NULL;
	if (active && docker_user_sync(true, err) < 0)
		return -1;
	if (run_nft(sb.buf, err) < 0) {
		/* a table of another shape (an older berth): rebuild it from scratch */
		sb_reset(&sb);
		berr e2 = { 0 };
		if (!active || build_script(st, &sb, false, &e2) < 0 || run_nft(sb.buf, &e2) < 0)
			return berr_wrap(err, "update berth's nftables table");
	}
	struct net_names nm;
	net_names(st, &nm);
	if (!active && docker_user_sync(other_berth_tables(nm.table), err) < 0)
		return -1;
	record_sync(st, hash);
	return 0;
}
