/* nftelem.c: adding and deleting the elements of berth's port maps (nat.c) with one raw
 * nfnetlink batch (libmnl). libnftables would first fetch its cache of every table, chain, set
 * and element on the host (tens of round trips, megabytes with Docker's tables around) for a
 * change of a few elements; this sends exactly one transaction: BATCH_BEGIN, one
 * NEWSETELEM/DELSETELEM per element, BATCH_END. Any error (a missing table or map, an element
 * already present with another value) aborts the whole batch, and the caller rebuilds the
 * table from the store. */
#include "net/internal.h"
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

/* a concatenation's fields each take a multiple of 4 bytes (NFT_REG32) */
static size_t key_of(const struct nat_elem *e, uint8_t out[8])
{
	memset(out, 0, 8);
	uint16_t port = htons(e->host_port);
	if (!e->host_ip) {
		memcpy(out, &port, 2); /* pub_P_any: inet_service */
		return 2;
	}
	uint32_t ip = htonl(e->host_ip);
	memcpy(out, &ip, 4);
	memcpy(out + 4, &port, 2);
	return 8;
}

static void put_data(struct nlmsghdr *nlh, int type, const void *v, size_t len)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, (uint16_t)type);
	mnl_attr_put(nlh, NFTA_DATA_VALUE, len, v);
	mnl_attr_nest_end(nlh, n);
}

static struct nlmsghdr *put_hdr(char *buf, uint16_t type, uint16_t flags, uint8_t family, uint16_t res_id, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	struct nfgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof *g);
	g->nfgen_family = family;
	g->version = NFNETLINK_V0;
	g->res_id = htons(res_id);
	return nlh;
}

int nat_elems_apply(const char *table, const struct nat_elem *v, size_t n, berr *err)
{
	if (!n)
		return 0;
	size_t cap = 256 + n * 192;
	char *buf = xcalloc(1, cap);
	struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, cap);
	uint32_t seq = 1;
	put_hdr(mnl_nlmsg_batch_current(b), NFNL_MSG_BATCH_BEGIN, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, seq++);
	mnl_nlmsg_batch_next(b);
	for (size_t i = 0; i < n; i++) {
		const struct nat_elem *e = &v[i];
		char set[16];
		snprintf(set, sizeof set, "pub_%s%s", e->udp ? "udp" : "tcp", e->host_ip ? "" : "_any");
		uint16_t type = (uint16_t)(NFNL_SUBSYS_NFTABLES << 8 | (e->add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM));
		struct nlmsghdr *nlh = put_hdr(mnl_nlmsg_batch_current(b), type, (uint16_t)(NLM_F_ACK | (e->add ? NLM_F_CREATE : 0)),
					       NFPROTO_IPV4, 0, seq++);
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, table);
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set);
		struct nlattr *list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
		struct nlattr *el = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
		uint8_t key[8];
		put_data(nlh, NFTA_SET_ELEM_KEY, key, key_of(e, key));
		if (e->add) {
			uint8_t val[8] = { 0 };
			uint32_t ip = htonl(e->container_ip);
			uint16_t port = htons(e->container_port);
			memcpy(val, &ip, 4);
			memcpy(val + 4, &port, 2);
			put_data(nlh, NFTA_SET_ELEM_DATA, val, 8);
		}
		mnl_attr_nest_end(nlh, el);
		mnl_attr_nest_end(nlh, list);
		mnl_nlmsg_batch_next(b);
	}
	put_hdr(mnl_nlmsg_batch_current(b), NFNL_MSG_BATCH_END, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, seq++);
	mnl_nlmsg_batch_next(b);

	int rc = -1;
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		berr_sys(err, "nftables netlink socket");
		goto out;
	}
	if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b)) < 0) {
		berr_sys(err, "nftables: send");
		goto out;
	}
	/* one NLMSG_ERROR (an ACK when 0) per element message */
	size_t acks = 0;
	int first_err = 0;
	char rbuf[8192];
	while (acks < n) {
		struct pollfd p = { .fd = mnl_socket_get_fd(nl), .events = POLLIN };
		if (poll(&p, 1, 2000) <= 0) {
			berr_set(err, ETIMEDOUT, "nftables: no answer");
			goto out;
		}
		ssize_t len = mnl_socket_recvfrom(nl, rbuf, sizeof rbuf);
		if (len < 0) {
			berr_sys(err, "nftables: receive");
			goto out;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; mnl_nlmsg_ok(h, (int)len); h = mnl_nlmsg_next(h, (int *)&len)) {
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
			acks++;
			if (e->error && !first_err)
				first_err = -e->error;
		}
	}
	if (first_err) {
		berr_set(err, first_err, "nftables: %s", strerror(first_err));
		goto out;
	}
	rc = 0;
out:
	if (nl)
		mnl_socket_close(nl);
	free(buf);
	return rc;
}

/* Whether berth's table still exists (one NFT_MSG_GETTABLE round trip): a container without
 * published ports changes no element, so nothing else would notice a table deleted by hand
 * (outbound NAT would be gone for it). 1 yes, 0 no, -1 could not ask. */
int nat_table_exists(const char *table)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!nl)
		return -1;
	int rc = -1;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == 0) {
		struct nlmsghdr *nlh = put_hdr(buf, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE, NLM_F_ACK, NFPROTO_IPV4, 0, 1);
		mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, table);
		if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) >= 0) {
			ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof buf);
			if (n > 0) {
				errno = 0;
				int r = mnl_cb_run(buf, (size_t)n, 1, mnl_socket_get_portid(nl), NULL, NULL);
				if (r >= 0)
					rc = 1;
				else if (errno == ENOENT)
					rc = 0;
			}
		}
	}
	mnl_socket_close(nl);
	return rc;
}
