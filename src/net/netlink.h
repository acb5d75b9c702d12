/* netlink.h: rtnetlink primitives (libmnl) used by the network layer: links, addresses,
 * routes, and running a function inside another network namespace. Internal to src/net/. */
#pragma once
#include <stdint.h>
#include "util/err.h"

/* Each call opens its own NETLINK_ROUTE socket in the calling thread's netns. Names are
 * interface names (< 16 bytes). Addresses are IPv4, host byte order. */
/* A bridge with a fixed MAC: otherwise it takes its lowest port's and changes as ports come
 * and go, and neighbours holding the old gateway MAC lose it. EEXIST is not an error. */
int nl_bridge_add(const char *name, const uint8_t mac[6], berr *err);
int nl_veth_add(const char *name, const char *peer, berr *err);
int nl_link_del(const char *name, berr *err);              /* ENODEV is not an error */
int nl_link_set_netns(const char *name, int netns_fd, berr *err);
int nl_link_set_master(const char *name, const char *master, berr *err);
int nl_link_set_up(const char *name, berr *err);
int nl_link_rename(const char *name, const char *newname, berr *err);
int nl_link_set_mac(const char *name, const uint8_t mac[6], berr *err);
int nl_brport_hairpin(const char *name, berr *err);
int nl_addr_add(const char *name, uint32_t ip, int prefix, berr *err); /* EEXIST ok */
int nl_route_default(uint32_t gw, berr *err);
int nl_link_exists(const char *name);                      /* 1 / 0 */

/* Run fn(arg, err) in a forked child that has entered netns_fd; the child's error message
 * comes back in err. Returns fn's result (0 / -1). */
int nl_in_netns(int netns_fd, int (*fn)(void *arg, berr *err), void *arg, berr *err);
/* Write a sysctl under /proc/sys (path relative, e.g. "net/ipv4/ip_forward"). */
int nl_sysctl_set(const char *path, const char *value, berr *err);
