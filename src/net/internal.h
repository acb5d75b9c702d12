/* internal.h: functions shared between the files of src/net/ (not part of the public API). */
#pragma once
#include <stdlib.h>
#include "net/net.h"

/* ipam.c (call inside a store transaction) */
int ipam_pick_subnet(struct store *st, uint32_t *subnet, int *prefix, berr *err);
bool ipam_subnet_in_use(struct store *st, uint32_t subnet, int prefix, const char *except_id, berr *err);
bool ipam_overlaps_host_route(uint32_t subnet, int prefix, const char *except_dev);
int ipam_alloc_ip(struct store *st, const struct net_network *n, const char *requested, uint32_t *ip, berr *err);

/* network.c */
int net_row_load(struct store *st, sqlite3_stmt *s, struct net_network *n);
int net_bridge_ensure(const struct store *st, const struct net_network *n, berr *err);
int net_bridge_remove(const struct net_network *n, berr *err);

/* attach.c: net_reconcile with the lock already held */
int net_reconcile_locked(struct store *st, berr *err);
void net_bridge_remove_if_unused(struct store *st, const struct net_network *n);
/* gc.c: bridges and tables of berth roots that no longer exist (with the lock held) */
void net_gc_orphans(const char *keep_root);
void net_bridge_mark_root(const struct store *st, const char *bridge);

/* lock.c: <runroot>/net.lock, flock'd exclusively; returns fd or -1 */
int net_lock(struct store *st, berr *err);
void net_unlock(int fd);

/* nat.c: berth's table (`ip berth`, net_names). nat_sync rebuilds all of it from the store
 * (kept, never deleted: flush and refill in one transaction); a container's start and stop
 * only add or delete its map elements: nat_script_* collect the elements of a container's
 * ports (read them before the rows go), nat_apply sends them in one nfnetlink batch
 * (nftelem.c), or rebuilds everything when the set of networks changed since the last
 * rebuild or the elements do not apply. nat_remove_table: system prune with nothing attached. */
struct nat_elem {
	bool add, udp;
	uint32_t host_ip;      /* 0: the pub_*_any map */
	uint16_t host_port;
	uint32_t container_ip;
	uint16_t container_port;
};
struct nat_batch {
	struct nat_elem *v;
	size_t n;
};
static inline void nat_batch_release(struct nat_batch *b)
{
	free(b->v);
	b->v = NULL;
	b->n = 0;
}
#define _cleanup_nat_batch_ __attribute__((cleanup(nat_batch_release)))
int nat_sync(struct store *st, berr *err);
int nat_script_ports(struct store *st, const char *container_id, bool add, struct nat_batch *b, berr *err);
int nat_script_ports_on(struct store *st, const char *container_id, const char *net_id, bool add, struct nat_batch *b, berr *err);
void nat_script_port_keys(const struct net_port *p, size_t n, struct nat_batch *b);
int nat_apply(struct store *st, const struct nat_batch *b, berr *err);
int nat_table_exists(const char *table);
/* nftelem.c: the elements in one batch (a transaction); table is the name without family */
int nat_elems_apply(const char *table, const struct nat_elem *v, size_t n, berr *err);
int nat_remove_table(struct store *st, berr *err);
/* ports.c: check and bind host ports of an endpoint (inside a transaction). */
int ports_reserve(struct store *st, const char *net_id, const char *container_id, const struct net_network *n,
		  const struct net_port *ports, size_t np, struct net_port **bound, berr *err);

/* dns.c */
int net_dns_serve(struct store *st, const char *network, berr *err);  /* the responder loop */
int net_dns_ensure(struct store *st, const struct net_network *n, berr *err);
void net_dns_stop(struct store *st, const char *net_id);
int dns_parse_question(const uint8_t *q, size_t len, char name[256], uint16_t *qtype);
size_t dns_build_reply(const uint8_t *q, size_t qend, int rcode, const uint32_t *addrs, size_t naddrs, bool ra,
		       uint8_t *out, size_t outlen);
