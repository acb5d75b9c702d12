/* netlink.h: rtnetlink primitives (libmnl) used by the network layer: links, addresses,
 * routes, also inside a container's network namespace. Internal to src/net/. */
#pragma once
#include <stdint.h>
#include "util/err.h"

/* The calls share one NETLINK_ROUTE socket per process (reopened after a fork), in the netns
 * the process started in. Names are interface names (< 16 bytes). Addresses are IPv4, host
 * byte order. */
/* A bridge with a fixed MAC: otherwise it takes its lowest port's and changes as ports come
 * and go, and neighbours holding the old gateway MAC lose it. EEXIST is not an error. */
int nl_bridge_add(const char *name, const uint8_t mac[6], berr *err);
int nl_link_del(const char *name, berr *err);              /* ENODEV is not an error */
int nl_link_set_up(const char *name, berr *err);
int nl_brport_hairpin(const char *name, berr *err);
int nl_addr_add(const char *name, uint32_t ip, int prefix, berr *err); /* EEXIST ok */
int nl_link_exists(const char *name);                      /* 1 / 0 */
/* A veth pair in one request: `host` up (on bridge index master if > 0), its peer created
 * directly in netns_fd (no move between namespaces, which costs an RCU grace period), named
 * `peer`, with MAC peer_mac (brought up by nl_netns_configure). A name already taken there
 * fails with errnum EEXIST. */
int nl_veth_add_into(const char *host, int master, const char *peer, int netns_fd, const uint8_t peer_mac[6], berr *err);
/* Inside netns_fd, on a socket opened there (no helper process): address ip/prefix on ifname,
 * it and lo up, and a default route via gw (0 = none). */
int nl_netns_configure(int netns_fd, const char *ifname, uint32_t ip, int prefix, uint32_t gw, berr *err);
/* IFLA_IFALIAS (/sys/class/net/NAME/ifalias). */
int nl_link_set_alias(const char *name, const char *alias, berr *err);

/* Write a sysctl under /proc/sys (path relative, e.g. "net/ipv4/ip_forward"). */
int nl_sysctl_set(const char *path, const char *value, berr *err);
