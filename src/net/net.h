/* net.h: berth's network layer: bridge networks, IPAM, veth plumbing and published ports.
 *
 * This is the API the container runtime calls. A "container" here is anything with a network
 * namespace: the runtime passes the container's netns as an fd (or a pid), the tests pass an
 * `ip netns` namespace (see `berth debug net-attach`).
 *
 * Model (docs/networking.md):
 *  - networks live in the store (table `networks`); three are predefined: `bridge` (device
 *    berth0), `host` and `none`. User networks use the bridge driver, device br-<id12>.
 *  - a bridge device is created on the first attach to its network and kept (as Docker keeps
 *    docker0) until `network rm` or `system prune` (net_release_host); bridges of deleted
 *    roots are collected (net_gc).
 *  - an endpoint (table `net_endpoints`) is one container on one network: an address, a MAC, a
 *    host-side veth. An endpoint whose host veth is gone (its netns died) is stale and is
 *    removed by net_reconcile, which every attach and detach also runs.
 *  - published ports (table `net_ports`) belong to an endpoint; they become elements of DNAT
 *    maps in berth's own nftables table `ip berth`: a container's start adds its elements and
 *    its stop deletes them (one transaction each); the whole table is rebuilt from the store
 *    when the set of networks changes or by a reconcile; other roots use their own table and
 *    default bridge (net_names).
 *  - every mutating call holds /run/berth-net.lock (flock) and does its IPAM in one SQLite
 *    transaction, so two berth processes never hand out one address or one host port twice.
 * IPv4 only. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "store/store.h"
#include "util/err.h"
#include "util/strbuf.h"

#define NET_DEFAULT "bridge"        /* Docker's name of the default network */
#define NET_DEFAULT_BRIDGE "berth0" /* its device (for the default --root) */
#define NET_NFT_TABLE "berth"        /* nftables table `ip berth` (for the default --root) */
#define NET_DEFAULT_ROOT "/var/lib/berth"

/* Host-wide names of a store: the default root uses `ip berth` and berth0; any other root
 * (tests, a second engine) uses `ip berth_<6 hex of sha256(root)>` and berth<same 6 hex>, so
 * two roots on one host never rebuild each other's table or share a default bridge. */
struct net_names {
	char table[32];
	char default_bridge[16];
};
void net_names(const struct store *st, struct net_names *out);

/* ---- networks (network.c) ---- */
struct net_network {
	char id[65];
	char name[256];
	char driver[16];       /* "bridge", "host", "null" */
	char bridge[16];       /* device name, "" for host/null */
	uint32_t subnet;       /* host byte order; 0 for host/null */
	int prefix;
	uint32_t gateway;
	uint32_t range;        /* --ip-range (0 if none): addresses are handed out from here */
	int range_prefix;
	bool internal;
	bool user_subnet;      /* --subnet was given (then --ip works, as in Docker) */
	char *labels;          /* JSON object text, malloc'd */
	char created[40];      /* RFC 3339 with nanoseconds */
};
void net_network_free(struct net_network *n); /* frees labels only (n itself is the caller's) */

struct net_create_opts {
	const char *driver;     /* NULL = bridge */
	const char *subnet;     /* "10.1.0.0/24" or NULL: allocated */
	const char *gateway;    /* NULL: first address of the subnet */
	const char *ip_range;   /* NULL: the whole subnet */
	bool internal;
	const char *const *labels; /* "k=v" strings, NULL-terminated, may be NULL */
};

/* Create the predefined networks (bridge, host, none) if missing. Idempotent. */
int net_ensure_defaults(struct store *st, berr *err);
/* Create a user network; writes its 64-hex id to id_out. Errors use Docker's wording. */
int net_create(struct store *st, const char *name, const struct net_create_opts *o, char id_out[65], berr *err);
/* Find by exact name, exact id or unique id prefix (as Docker). err->status = 1 if absent. */
int net_lookup(struct store *st, const char *ref, struct net_network *out, berr *err);
/* All networks (defaults first created), sorted by name. Free with net_list_free. */
int net_list(struct store *st, struct net_network **out, size_t *n, berr *err);
void net_list_free(struct net_network *v, size_t n);
/* Remove a user network (no endpoints allowed); removes its bridge device if present. */
int net_remove(struct store *st, const char *ref, char name_out[256], berr *err);
/* Number of endpoints on a network. */
int net_endpoint_count(struct store *st, const char *net_id, berr *err);
/* Docker's `network inspect` object for one network (new reference). */
json_t *net_inspect_json(struct store *st, const struct net_network *n, berr *err);
bool net_is_predefined(const char *name);

/* ---- published ports (ports.c) ---- */
struct net_port {
	char proto[4];          /* "tcp" or "udp" */
	uint32_t host_ip;       /* 0 = every address (0.0.0.0) */
	uint16_t host_port;     /* 0 = pick a free port at attach time */
	uint16_t container_port;
	uint16_t host_port_end; /* > host_port: take the first free port of host_port..end */
};
/* Parse one `-p [ip:][hostPort:]containerPort[/tcp|/udp]`: ranges of equal length map one to
 * one (8000-8001:80-81); a host range with one container port (8000-8010:80) takes the first
 * free host port of the range at attach time. Appends to *v (realloc'd). */
int net_port_parse(const char *spec, struct net_port **v, size_t *n, berr *err);

/* ---- attaching containers ---- */
struct net_attach_opts {
	const char *ip;              /* requested address, or NULL */
	const char *const *aliases;  /* NULL-terminated, may be NULL (stored for DNS) */
	const char *ifname;          /* name inside the netns; NULL = first free ethN */
	const char *container_name;  /* for inspect's Containers map; may be NULL */
	const struct net_port *ports;
	size_t nports;
};
struct net_attach_result {
	char ip[16];
	int prefix;
	char gateway[16];     /* "" on internal networks (no default route there) */
	char mac[18];
	char ifname[16];      /* inside the netns */
	char host_veth[16];
	struct net_port *ports; /* as bound (host ports filled in); malloc'd, nports entries */
	size_t nports;
};
void net_attach_result_free(struct net_attach_result *r);

/* Attach the network namespace netns_fd (an fd of /proc/PID/ns/net or /run/netns/X) to a
 * network: allocate an address, create the bridge if needed, create a veth pair, move one end
 * into the netns, set its address, bring it and lo up, add the default route (not on internal
 * networks) and publish ports. On failure nothing is left behind. A host port already in use
 * (by berth or any host socket) fails with Docker's "port is already allocated" message. */
int net_attach(struct store *st, const char *network, const char *container_id, int netns_fd,
	       const struct net_attach_opts *o, struct net_attach_result *res, berr *err);
/* Same, with the netns of a pid. */
int net_attach_pid(struct store *st, const char *network, const char *container_id, pid_t pid,
		   const struct net_attach_opts *o, struct net_attach_result *res, berr *err);
/* Detach from one network: delete the veth, release the address and ports, delete its map
 * elements; the bridge and the table stay (net_release_host). Missing endpoint: err->status 1. */
int net_detach(struct store *st, const char *network, const char *container_id, berr *err);
/* Detach from every network (container stop/rm). Not an error if attached nowhere. */
int net_detach_all(struct store *st, const char *container_id, berr *err);
/* Deferred veth deletion: once on, detaching deletes the endpoint and its rules as always but
 * only records the host-side veth; net_delete_deferred() deletes the recorded links (RTM_DELLINK
 * waits for an RCU grace period under RTNL). For a container whose process has exited: the
 * kernel deletes the pair with its network namespace anyway, so a deletion that never runs
 * leaks nothing. */
void net_defer_link_deletes(bool on);
bool net_has_deferred(void);
void net_delete_deferred(void);
/* Add ports to an attached container's endpoint on network (NULL = its first non-internal). */
int net_publish(struct store *st, const char *container_id, const char *network,
		const struct net_port *ports, size_t n, struct net_port **bound, berr *err);
/* Remove every published port of a container. */
int net_unpublish(struct store *st, const char *container_id, berr *err);
/* Published ports of a container (for `berth port`), malloc'd. */
int net_ports_of(struct store *st, const char *container_id, struct net_port **out, size_t *n, berr *err);
/* Drop endpoints whose host veth is gone, rebuild the nftables table from the store, remove
 * bridges and tables of deleted roots. Safe to run any time. */
int net_reconcile(struct store *st, berr *err);
/* The same, but only if a stale endpoint exists (cheap when none is: one query and one
 * if_nametoindex per endpoint, no lock). Run by network ls/inspect, ps and rm. */
int net_reconcile_stale(struct store *st, berr *err);

/* Remove what this root made on the host (its default bridge, unused bridges, its nftables
 * table) if no endpoint is left; nothing otherwise. For `system prune`: bridges and the table
 * are otherwise kept once made, as Docker keeps docker0. */
int net_release_host(struct store *st, berr *err);
/* Remove bridges (and tables) of berth roots that no longer exist (the lock, no store). */
int net_gc(berr *err);

/* ---- name resolution (dns.c) ---- */
/* The nameserver a container should put in its resolv.conf: the gateway of the first
 * user-defined network it is on ("" if none: use the host's resolvers, as Docker's default
 * bridge does). A responder on that address answers container names and aliases of every
 * network the container shares with the peer, and forwards other names to the host's
 * resolvers (never on internal networks). */
int net_dns_server(struct store *st, const char *container_id, char out[16], berr *err);

/* ---- helpers shared by the net files ---- */
char *net_ip_str(uint32_t ip, char buf[16]);             /* host order -> dotted */
int net_ip_parse(const char *s, uint32_t *ip);           /* 0 / -1 */
int net_cidr_parse(const char *s, uint32_t *ip, int *prefix); /* "a.b.c.d/n" */
static inline uint32_t net_mask(int prefix) { return prefix ? 0xffffffffu << (32 - prefix) : 0; }

/* ---- what a container is attached to (for inspect, ps, resolv.conf) ---- */
struct net_endpoint_info {
	char network[256];
	char network_id[65];
	char endpoint_id[65];
	char ip[16];
	int prefix;
	char gateway[16];     /* "" on internal networks */
	char mac[18];
	bool internal;
	bool user;            /* a user-defined network (not the default bridge) */
	json_t *aliases;      /* JSON array (owned) */
};
/* Endpoints of a container, in attach order. Free with net_endpoints_free. */
int net_endpoints_of(struct store *st, const char *container_id, struct net_endpoint_info **out, size_t *n, berr *err);
void net_endpoints_free(struct net_endpoint_info *v, size_t n);
/* True if the container has any endpoint recorded (cheap: one indexed query, no lock). */
bool net_has_endpoints(struct store *st, const char *container_id);
