/* netlink.c: rtnetlink over libmnl: bridges, veth pairs made across network namespaces,
 * addresses and routes, also over a socket opened inside a container's netns. */
#include "net/netlink.h"
#include <net/if.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "util/cleanup.h"
#include "util/fs.h"

/* One NETLINK_ROUTE socket per process in the host's netns (reopened after a fork), so a
 * container's start does not open and bind a socket per request. */
static struct mnl_socket *g_nl;
static pid_t g_nl_pid;
static unsigned g_seq;

static struct mnl_socket *sock_open(void)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		mnl_socket_close(nl);
		errno = e;
		return NULL;
	}
	return nl;
}

static struct mnl_socket *host_sock(void)
{
	if (g_nl && g_nl_pid == getpid())
		return g_nl;
	/* a forked child must not share its parent's socket (replies would be read by both) */
	g_nl = sock_open();
	g_nl_pid = getpid();
	return g_nl;
}

/* Send one request on nl and wait for its ACK (cb, if given, sees the other replies).
 * Returns 0 or -errno. */
static int talk_on(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	if (!nl)
		return -errno;
	if (!g_seq)
		g_seq = (unsigned)time(NULL);
	unsigned seq = ++g_seq;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof buf);
		if (n < 0)
			return -errno;
		int r = mnl_cb_run(buf, n, seq, mnl_socket_get_portid(nl), cb, data);
		if (r < 0)
			return -errno;
		if (r == MNL_CB_STOP)
			return 0;
	}
}

static int nl_talk(struct nlmsghdr *nlh)
{
	return talk_on(host_sock(), nlh, NULL, NULL);
}

static struct nlmsghdr *link_msg(char *buf, int type, int flags, int index, struct ifinfomsg **ifi)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	*ifi = mnl_nlmsg_put_extra_header(nlh, sizeof **ifi);
	(*ifi)->ifi_family = AF_UNSPEC;
	(*ifi)->ifi_index = index;
	return nlh;
}

static int ifindex(const char *name, berr *err)
{
	unsigned idx = if_nametoindex(name);
	if (!idx)
		return berr_sys(err, "no such interface %s", name);
	return (int)idx;
}

int nl_link_exists(const char *name)
{
	return if_nametoindex(name) != 0;
}

int nl_bridge_add(const char *name, const uint8_t mac[6], berr *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, &ifi);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	struct nlattr *li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, li);
	int rc = nl_talk(nlh);
	if (rc < 0 && rc != -EEXIST)
		return berr_set(err, -rc, "create bridge %s: %s", name, strerror(-rc));
	return 0;
}

int nl_link_del(const char *name, berr *err)
{
	unsigned idx = if_nametoindex(name);
	if (!idx)
		return 0;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = link_msg(buf, RTM_DELLINK, 0, (int)idx, &ifi);
	int rc = nl_talk(nlh);
	if (rc < 0 && rc != -ENODEV)
		return berr_set(err, -rc, "delete link %s: %s", name, strerror(-rc));
	return 0;
}

static int setlink(const char *name, const char *what, berr *err,
		   void (*fill)(struct nlmsghdr *, struct ifinfomsg *, const void *), const void *arg)
{
	int idx = ifindex(name, err);
	if (idx < 0)
		return -1;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, idx, &ifi);
	fill(nlh, ifi, arg);
	int rc = nl_talk(nlh);
	if (rc < 0)
		return berr_set(err, -rc, "%s %s: %s", what, name, strerror(-rc));
	return 0;
}

static void fill_up(struct nlmsghdr *nlh, struct ifinfomsg *ifi, const void *arg)
{
	(void)nlh;
	(void)arg;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
}
int nl_link_set_up(const char *name, berr *err)
{
	return setlink(name, "set up", err, fill_up, NULL);
}

/* Hairpin mode on a bridge port, so a container reaches its own published port. */
int nl_brport_hairpin(const char *name, berr *err)
{
	int idx = ifindex(name, err);
	if (idx < 0)
		return -1;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = link_msg(buf, RTM_SETLINK, 0, idx, &ifi);
	ifi->ifi_family = AF_BRIDGE;
	struct nlattr *p = mnl_attr_nest_start(nlh, IFLA_PROTINFO);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_MODE, 1);
	mnl_attr_nest_end(nlh, p);
	int rc = nl_talk(nlh);
	if (rc < 0)
		return berr_set(err, -rc, "hairpin mode on %s: %s", name, strerror(-rc));
	return 0;
}

int nl_addr_add(const char *name, uint32_t ip, int prefix, berr *err)
{
	int idx = ifindex(name, err);
	if (idx < 0)
		return -1;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof *ifa);
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = (unsigned)idx;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	uint32_t a = htonl(ip);
	uint32_t bc = htonl(ip | ~(prefix ? 0xffffffffu << (32 - prefix) : 0));
	mnl_attr_put_u32(nlh, IFA_LOCAL, a);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, a);
	if (prefix < 31)
		mnl_attr_put_u32(nlh, IFA_BROADCAST, bc);
	int rc = nl_talk(nlh);
	if (rc < 0 && rc != -EEXIST)
		return berr_set(err, -rc, "add address to %s: %s", name, strerror(-rc));
	return 0;
}

int nl_veth_add_into(const char *host, int master, const char *peer, int netns_fd, const uint8_t peer_mac[6], berr *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, &ifi);
	ifi->ifi_flags = IFF_UP; /* ifi_change 0: these flags as given */
	mnl_attr_put_strz(nlh, IFLA_IFNAME, host);
	/* one queue each way on both ends: a veth is made with one per CPU, and veth_newlink
	 * then lowers the real tx count to 1 on each end, which (the device being registered)
	 * waits for an RCU grace period under the RTNL lock each: 2-40 ms per container start
	 * here. The count the kernel ends up with is the same. */
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, 1);
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, 1);
	if (master > 0)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	struct nlattr *li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	struct nlattr *pi = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	struct ifinfomsg *pifi = mnl_nlmsg_put_extra_header(nlh, sizeof *pifi);
	memset(pifi, 0, sizeof *pifi); /* (not up yet: a veth cannot open before its peer is linked) */
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, 1);
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, 1);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, peer_mac);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	mnl_attr_nest_end(nlh, pi);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	int rc = nl_talk(nlh);
	if (rc < 0)
		return berr_set(err, -rc, "create veth pair %s/%s: %s", host, peer, strerror(-rc));
	return 0;
}

static int link_index_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type == RTM_NEWLINK) {
		const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
		*(int *)data = ifi->ifi_index;
	}
	return MNL_CB_OK;
}

/* A NETLINK_ROUTE socket in another netns: sockets stay in the netns they were made in, so
 * enter it for the socket() call only (no helper process). */
static struct mnl_socket *netns_sock(int netns_fd, berr *err)
{
	_cleanup_close_ int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		berr_sys(err, "open own network namespace");
		return NULL;
	}
	if (setns(netns_fd, CLONE_NEWNET) < 0) {
		berr_sys(err, "enter network namespace");
		return NULL;
	}
	struct mnl_socket *nl = sock_open();
	int e = errno;
	if (setns(self, CLONE_NEWNET) < 0)
		abort(); /* cannot go home: never carry on in the container's namespace */
	if (!nl)
		berr_set(err, e, "netlink socket in the container's namespace: %s", strerror(e));
	return nl;
}

int nl_netns_configure(int netns_fd, const char *ifname, uint32_t ip, int prefix, uint32_t gw, berr *err)
{
	struct mnl_socket *nl = netns_sock(netns_fd, err);
	if (!nl)
		return -1;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifi;
	int idx = 0, rc;
	/* the interface's index there */
	struct nlmsghdr *nlh = link_msg(buf, RTM_GETLINK, 0, 0, &ifi);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	if ((rc = talk_on(nl, nlh, link_index_cb, &idx)) < 0 || idx <= 0) {
		berr_set(err, rc < 0 ? -rc : ENODEV, "find %s in the container's namespace: %s", ifname, strerror(rc < 0 ? -rc : ENODEV));
		goto fail;
	}
	/* its address */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof *ifa);
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = (unsigned)idx;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	uint32_t a = htonl(ip), bc = htonl(ip | ~(prefix ? 0xffffffffu << (32 - prefix) : 0));
	mnl_attr_put_u32(nlh, IFA_LOCAL, a);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, a);
	if (prefix < 31)
		mnl_attr_put_u32(nlh, IFA_BROADCAST, bc);
	if ((rc = talk_on(nl, nlh, NULL, NULL)) < 0 && rc != -EEXIST) {
		berr_set(err, -rc, "add address to %s: %s", ifname, strerror(-rc));
		goto fail;
	}
	/* it and lo (ifindex 1 in every netns) up */
	for (int i = 0; i < 2; i++) {
		nlh = link_msg(buf, RTM_NEWLINK, 0, i ? 1 : idx, &ifi);
		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
		if ((rc = talk_on(nl, nlh, NULL, NULL)) < 0) {
			berr_set(err, -rc, "set %s up: %s", i ? "lo" : ifname, strerror(-rc));
			goto fail;
		}
	}
	if (gw) {
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_NEWROUTE;
		nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
		struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof *rtm);
		rtm->rtm_family = AF_INET;
		rtm->rtm_table = RT_TABLE_MAIN;
		rtm->rtm_protocol = RTPROT_BOOT;
		rtm->rtm_scope = RT_SCOPE_UNIVERSE;
		rtm->rtm_type = RTN_UNICAST;
		mnl_attr_put_u32(nlh, RTA_GATEWAY, htonl(gw));
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)idx);
		if ((rc = talk_on(nl, nlh, NULL, NULL)) < 0 && rc != -EEXIST) {
			berr_set(err, -rc, "add default route: %s", strerror(-rc));
			goto fail;
		}
	}
	mnl_socket_close(nl);
	return 0;
fail:
	mnl_socket_close(nl);
	return -1;
}

int nl_link_set_alias(const char *name, const char *alias, berr *err)
{
	int idx = ifindex(name, err);
	if (idx < 0)
		return -1;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, idx, &ifi);
	mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias);
	int rc = nl_talk(nlh);
	if (rc < 0)
		return berr_set(err, -rc, "set alias of %s: %s", name, strerror(-rc));
	return 0;
}

int nl_sysctl_set(const char *path, const char *value, berr *err)
{
	char p[256];
	snprintf(p, sizeof p, "/proc/sys/%s", path);
	_cleanup_close_ int fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, "open %s", p);
	if (write_all(fd, value, strlen(value)) < 0)
		return berr_sys(err, "write %s", p);
	return 0;
}
