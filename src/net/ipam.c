/* ipam.c: address management: subnets for new networks (from berth's pool 10.211.0.0/16 in
 * /24s, never Docker's 172.17.0.0/16 or podman's 10.88.0.0/16, never a subnet the host
 * already routes or another berth network uses) and addresses for endpoints. Callers run
 * these inside a store transaction (BEGIN IMMEDIATE) so allocations are serialised between
 * processes; the UNIQUE (network_id, ip) constraint is the last line of defence. */
#include "net/internal.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/cleanup.h"

#define POOL_BASE 0x0ad30000u /* 10.211.0.0 */
#define POOL_PREFIX 16
#define POOL_SUBNET_PREFIX 24

static bool overlaps(uint32_t a, int ap, uint32_t b, int bp)
{
	int p = ap < bp ? ap : bp;
	return (a & net_mask(p)) == (b & net_mask(p));
}

bool ipam_overlaps_host_route(uint32_t subnet, int prefix, const char *except_dev)
{
	/* /proc/net/route: Iface Destination Gateway Flags RefCnt Use Metric Mask ... (hex, network order) */
	_cleanup_fclose_ FILE *f = fopen("/proc/net/route", "re");
	if (!f)
		return false;
	char line[512];
	if (!fgets(line, sizeof line, f))
		return false;
	while (fgets(line, sizeof line, f)) {
		char dev[64];
		unsigned dst, gw, flags, refcnt, use, metric, mask;
		if (sscanf(line, "%63s %x %x %x %u %u %u %x", dev, &dst, &gw, &flags, &refcnt, &use, &metric, &mask) != 8)
			continue;
		if (except_dev && !strcmp(dev, except_dev))
			continue;
		uint32_t d = __builtin_bswap32(dst), m = __builtin_bswap32(mask);
		if (m == 0)
			continue; /* the default route covers everything; it is not a collision */
		int p = __builtin_popcount(m);
		if (overlaps(subnet, prefix, d, p))
			return true;
	}
	return false;
}

bool ipam_subnet_in_use(struct store *st, uint32_t subnet, int prefix, const char *except_id, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "SELECT subnet, prefix FROM networks WHERE prefix > 0 AND id != ?", err) < 0)
		return true;
	sqlite3_bind_text(s, 1, except_id ? except_id : "", -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW)
		if (overlaps(subnet, prefix, (uint32_t)sqlite3_column_int64(s, 0), sqlite3_column_int(s, 1)))
			return true;
	return false;
}

static bool reserved(uint32_t subnet, int prefix)
{
	return overlaps(subnet, prefix, 0xac110000u, 16) /* Docker's 172.17.0.0/16 */
	       || overlaps(subnet, prefix, 0x0a580000u, 16); /* podman's 10.88.0.0/16 */
}

int ipam_pick_subnet(struct store *st, uint32_t *subnet, int *prefix, berr *err)
{
	unsigned n = 1u << (POOL_SUBNET_PREFIX - POOL_PREFIX);
	for (unsigned i = 0; i < n; i++) {
		uint32_t s = POOL_BASE + (i << (32 - POOL_SUBNET_PREFIX));
		if (reserved(s, POOL_SUBNET_PREFIX) || ipam_overlaps_host_route(s, POOL_SUBNET_PREFIX, NULL))
			continue;
		berr e = { 0 };
		if (ipam_subnet_in_use(st, s, POOL_SUBNET_PREFIX, NULL, &e)) {
			if (e.msg[0]) {
				*err = e;
				return -1;
			}
			continue;
		}
		*subnet = s;
		*prefix = POOL_SUBNET_PREFIX;
		return 0;
	}
	return berr_set(err, ENOSPC, "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network");
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

int ipam_alloc_ip(struct store *st, const struct net_network *n, const char *requested, uint32_t *ip, berr *err)
{
	char b[16];
	uint32_t bcast = n->subnet | ~net_mask(n->prefix);
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "SELECT ip FROM net_endpoints WHERE network_id = ? ORDER BY ip", err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, n->id, -1, SQLITE_STATIC);
	size_t cnt = 0, alloc = 0;
	_cleanup_free_ uint32_t *used = NULL;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (cnt == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			used = xrealloc(used, alloc * sizeof *used);
		}
		used[cnt++] = (uint32_t)sqlite3_column_int64(s, 0);
	}
	if (requested) {
		uint32_t r;
		if (net_ip_parse(requested, &r) < 0)
			return berr_set(err, EINVAL, "invalid IPv4 address: %s", requested);
		if (!n->user_subnet)
			return berr_set(err, EINVAL, "user specified IP address is supported only when connecting to networks with user configured subnets");
		if ((r & net_mask(n->prefix)) != n->subnet || r == n->subnet || r == bcast)
			return berr_set(err, EINVAL, "no available IPv4 addresses on this network's address pools: %s (requested address %s is outside the subnet)", n->name, requested);
		if (r == n->gateway || bsearch(&r, used, cnt, sizeof *used, cmp_u32))
			return berr_set(err, EADDRINUSE, "Address already in use: %s", requested);
		*ip = r;
		return 0;
	}
	uint32_t lo = n->subnet + 1, hi = bcast - 1;
	if (n->range) {
		lo = n->range > lo ? n->range : lo;
		uint32_t rb = n->range | ~net_mask(n->range_prefix);
		hi = rb < hi ? rb : hi;
	}
	/* lowest free address, as Docker does: simple to reason about and reuse after release */
	size_t j = 0;
	for (uint32_t a = lo; a <= hi; a++) {
		if (a == n->gateway)
			continue;
		while (j < cnt && used[j] < a)
			j++;
		if (j < cnt && used[j] == a)
			continue;
		*ip = a;
		return 0;
	}
	return berr_set(err, ENOSPC, "no available IPv4 addresses on this network's address pools: %s (%s/%d)", n->name,
			net_ip_str(n->subnet, b), n->prefix);
}
