/* dns.c: name resolution on user-defined networks. One small responder per network, a berth
 * process of its own (`berth debug net-dns NETWORK_ID`, started by net_attach), listening on
 * UDP port 53 of the network's gateway. It answers A queries for container names, short ids
 * and aliases of every network the asking container is on, from the store (so a peer that
 * comes back with a new address is answered right away); several endpoints with one alias
 * all answer. Other names go to the host's resolvers, except on internal networks, where they
 * are REFUSED and nothing is forwarded (CVE-2024-29018). It is stopped (pidfile under the run
 * root) when its bridge is removed, and exits by itself within a second once the bridge is
 * gone anyway. UDP only. */
#include "net/internal.h"
#include "net/netlink.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

#define DNS_TTL 10
enum { QTYPE_A = 1, QTYPE_AAAA = 28, RCODE_OK = 0, RCODE_SERVFAIL = 2, RCODE_NXDOMAIN = 3, RCODE_REFUSED = 5 };

/* Parse the question of a query: the name (lowercased, no trailing dot) and its type. Returns
 * the offset just past the question, or -1. */
int dns_parse_question(const uint8_t *q, size_t len, char name[256], uint16_t *qtype)
{
	if (len < 12 || (q[2] & 0x80) || ((q[4] << 8) | q[5]) != 1)
		return -1; /* a response, or not exactly one question */
	size_t off = 12, n = 0;
	while (off < len && q[off]) {
		size_t l = q[off];
		if (l > 63 || off + 1 + l > len || n + l + 1 > 255)
			return -1; /* compression pointers are not expected in a question */
		if (n)
			name[n++] = '.';
		for (size_t i = 0; i < l; i++)
			name[n++] = (char)tolower(q[off + 1 + i]);
		off += 1 + l;
	}
	if (off + 5 > len)
		return -1;
	name[n] = 0;
	off++;
	*qtype = (uint16_t)((q[off] << 8) | q[off + 1]);
	return (int)off + 4;
}

/* Build a response to query q (question ending at qend) with rcode and addresses (host order). */
size_t dns_build_reply(const uint8_t *q, size_t qend, int rcode, const uint32_t *addrs, size_t naddrs, bool ra,
		       uint8_t *out, size_t outlen)
{
	if (qend > outlen)
		return 0;
	memcpy(out, q, qend);
	out[2] = (uint8_t)(0x80 | (q[2] & 0x79) | 0x04); /* QR, opcode and RD from the query, AA */
	out[3] = (uint8_t)((ra ? 0x80 : 0) | (rcode & 15));
	out[6] = (uint8_t)(naddrs >> 8);
	out[7] = (uint8_t)naddrs;
	memset(out + 8, 0, 4); /* no authority or additional records */
	size_t off = qend;
	for (size_t i = 0; i < naddrs && off + 16 <= outlen; i++) {
		static const uint8_t hdr[] = { 0xc0, 0x0c, 0, QTYPE_A, 0, 1, 0, 0, 0, DNS_TTL, 0, 4 };
		memcpy(out + off, hdr, sizeof hdr);
		uint32_t a = htonl(addrs[i]);
		memcpy(out + off + 12, &a, 4);
		off += 16;
	}
	return off;
}

/* Addresses of `name` as seen by the container that has address `src` on network net_id. */
static int lookup(struct store *st, const char *net_id, uint32_t src, const char *name, uint32_t *addrs, size_t max,
		  size_t *n, bool *known)
{
	*n = 0;
	*known = false;
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	berr err = { 0 };
	if (store_prepare(st, &s,
			  "SELECT DISTINCT e2.ip FROM net_endpoints me"
			  " JOIN net_endpoints e1 ON e1.container_id = me.container_id"
			  " JOIN networks n ON n.id = e1.network_id AND n.name != 'bridge' AND n.driver = 'bridge'"
			  " JOIN net_endpoints e2 ON e2.network_id = e1.network_id"
			  " WHERE me.network_id = ?1 AND me.ip = ?2 AND ("
			  "  lower(e2.container_name) = ?3 OR substr(e2.container_id, 1, 12) = ?3 OR e2.container_id = ?3"
			  "  OR EXISTS (SELECT 1 FROM json_each(e2.aliases) WHERE lower(value) = ?3))"
			  " ORDER BY random()", &err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, net_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, src);
	sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*known = true;
		if (*n < max)
			addrs[(*n)++] = (uint32_t)sqlite3_column_int64(s, 0);
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The host's first resolver (the responder runs in the host netns, so 127.0.0.53 works).
 * BERTH_DNS_UPSTREAM=IP overrides it; "none" disables forwarding (the tests use this). */
static bool upstream(struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons(53);
	const char *env = getenv("BERTH_DNS_UPSTREAM");
	if (env)
		return strcmp(env, "none") && inet_pton(AF_INET, env, &sa->sin_addr) == 1;
	_cleanup_fclose_ FILE *f = fopen("/etc/resolv.conf", "re");
	char line[256], ip[64];
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, " nameserver %63s", ip) == 1 && inet_pton(AF_INET, ip, &sa->sin_addr) == 1)
			return true;
	return false;
}

/* The asking container's own `--dns` servers are its upstreams (as Docker's embedded DNS
 * forwards to them): the first IPv4 one recorded in its config, if any. */
static bool container_upstream(struct store *st, const char *net_id, uint32_t src, struct sockaddr_in *sa)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	berr err = { 0 };
	if (store_prepare(st, &s, "SELECT j.value FROM net_endpoints e JOIN containers c ON c.id = e.container_id,"
			  " json_each(c.config, '$.HostConfig.Dns') j WHERE e.network_id = ?1 AND e.ip = ?2", &err) < 0)
		return false; /* no runtime tables (the library alone) */
	sqlite3_bind_text(s, 1, net_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, src);
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons(53);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *ip = (const char *)sqlite3_column_text(s, 0);
		/* never the host's loopback: in Docker the resolver runs in the container's netns, where
		 * 127.x is the container's own; here it would reach host-only services */
		if (ip && inet_pton(AF_INET, ip, &sa->sin_addr) == 1 && (ntohl(sa->sin_addr.s_addr) >> 24) != 127)
			return true;
	}
	return false;
}

static size_t forward(const uint8_t *q, size_t len, uint8_t *out, size_t outlen, const struct sockaddr_in *mine)
{
	struct sockaddr_in up;
	if (mine)
		up = *mine;
	else if (!upstream(&up))
		return 0;
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, q, len, 0, (struct sockaddr *)&up, sizeof up) < 0)
		return 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	for (;;) {
		if (poll(&p, 1, 2000) <= 0)
			return 0;
		ssize_t r = recv(fd, out, outlen, 0);
		if (r >= 12 && out[0] == q[0] && out[1] == q[1])
			return (size_t)r;
		if (r < 0)
			return 0;
	}
}

/* <runroot>/net/dns-<network id>.pid, written by the responder once it is bound. */
static char *pidfile(struct store *st, const char *net_id)
{
	return xasprintf("%s/net/dns-%s.pid", st->runroot, net_id);
}

/* The pid of the running responder of net_id, or 0. Checked against /proc/PID/cmdline, so a
 * recycled pid is never mistaken for it. */
static pid_t responder_pid(struct store *st, const char *net_id)
{
	_cleanup_free_ char *pf = pidfile(st, net_id);
	_cleanup_fclose_ FILE *f = fopen(pf, "re");
	int pid = 0;
	if (!f || fscanf(f, "%d", &pid) != 1 || pid <= 0)
		return 0;
	char cp[64], buf[4096];
	snprintf(cp, sizeof cp, "/proc/%d/cmdline", pid);
	_cleanup_close_ int fd = open(cp, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (n <= 0)
		return 0;
	buf[n] = 0;
	for (ssize_t i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = ' ';
	return strstr(buf, "net-dns") && strstr(buf, net_id) ? (pid_t)pid : 0;
}

void net_dns_stop(struct store *st, const char *net_id)
{
	pid_t pid = responder_pid(st, net_id);
	if (pid > 0)
		kill(pid, SIGTERM);
	_cleanup_free_ char *pf = pidfile(st, net_id);
	unlink(pf);
}

int net_dns_serve(struct store *st, const char *network, berr *err)
{
	struct net_network n;
	if (net_lookup(st, network, &n, err) < 0)
		return -1;
	bool internal = n.internal;
	char bridge[16], id[65];
	uint32_t gw = n.gateway, subnet = n.subnet, mask = net_mask(n.prefix);
	memcpy(bridge, n.bridge, sizeof bridge);
	memcpy(id, n.id, sizeof id);
	net_network_free(&n);
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return berr_sys(err, "socket");
	int one = 1;
	setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof one);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(53), .sin_addr.s_addr = htonl(gw) };
	/* the responder of a network that just went away may still hold the address briefly */
	for (int tries = 0; bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0; tries++) {
		if (errno != EADDRINUSE || tries > 60)
			return berr_sys(err, "bind DNS responder");
		usleep(50000);
	}
	{
		_cleanup_free_ char *dir = xasprintf("%s/net", st->runroot);
		_cleanup_free_ char *pf = pidfile(st, id);
		char pidtxt[32];
		int l = snprintf(pidtxt, sizeof pidtxt, "%d\n", (int)getpid());
		if (mkdir_p(dir, 0700, err) < 0 || write_file_atomic(pf, pidtxt, (size_t)l, 0600, err) < 0)
			return -1;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int pr = poll(&p, 1, 1000);
		if (!nl_link_exists(bridge))
			return 0; /* the network is down: nothing to answer for */
		if (pr <= 0)
			continue;
		uint8_t q[1500], out[1500];
		struct sockaddr_in from;
		socklen_t fl = sizeof from;
		ssize_t len = recvfrom(fd, q, sizeof q, 0, (struct sockaddr *)&from, &fl);
		/* only the network's own containers are served: never an open resolver for anyone
		 * who can route to the gateway address (nat.c also drops port 53 from elsewhere) */
		if (len <= 0 || (ntohl(from.sin_addr.s_addr) & mask) != subnet)
			continue;
		char name[256];
		uint16_t qtype;
		int qend = dns_parse_question(q, (size_t)len, name, &qtype);
		if (qend < 0)
			continue;
		uint32_t addrs[32];
		size_t na = 0;
		bool known = false;
		size_t olen;
		if (lookup(st, id, ntohl(from.sin_addr.s_addr), name, addrs, 32, &na, &known) < 0) {
			olen = dns_build_reply(q, (size_t)qend, RCODE_SERVFAIL, NULL, 0, !internal, out, sizeof out);
		} else if (known) {
			/* a container name: A records; other types exist but are empty (NOERROR) */
			olen = dns_build_reply(q, (size_t)qend, RCODE_OK, addrs, qtype == QTYPE_A ? na : 0, !internal, out, sizeof out);
		} else if (internal) {
			olen = dns_build_reply(q, (size_t)qend, RCODE_REFUSED, NULL, 0, false, out, sizeof out);
		} else {
			struct sockaddr_in cu;
			bool have = container_upstream(st, id, ntohl(from.sin_addr.s_addr), &cu);
			olen = forward(q, (size_t)len, out, sizeof out, have ? &cu : NULL);
			if (!olen)
				olen = dns_build_reply(q, (size_t)qend, RCODE_SERVFAIL, NULL, 0, true, out, sizeof out);
		}
		sendto(fd, out, olen, 0, (struct sockaddr *)&from, fl);
	}
}

/* Start the responder of a user network unless one already holds its address. */
int net_dns_ensure(struct store *st, const struct net_network *n, berr *err)
{
	if (!strcmp(n->name, NET_DEFAULT) || strcmp(n->driver, "bridge"))
		return 0; /* the default bridge network has no name resolution, as in Docker */
	if (responder_pid(st, n->id) > 0)
		return 0;
	_cleanup_free_ char *pf = pidfile(st, n->id);
	unlink(pf);
	pid_t pid = fork();
	if (pid < 0)
		return berr_sys(err, "fork");
	if (pid == 0) {
		/* detach: new session, stdio to /dev/null, every other fd closed; then a second fork
		 * so the responder is not our child and nobody has to wait for it */
		setsid();
		int nul = open("/dev/null", O_RDWR);
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
			dup2(nul, 2);
		}
		close_range(3, ~0U, 0);
		signal(SIGHUP, SIG_IGN);
		if (fork() != 0)
			_exit(0);
		char *argv[] = { "berth", "--root", st->root, "--runroot", st->runroot, "debug", "net-dns", (char *)n->id, NULL };
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* wait until it answers, so a container's first lookup does not race its start */
	for (int i = 0; i < 400; i++) {
		if (responder_pid(st, n->id) > 0)
			return 0;
		usleep(10000);
	}
	return berr_set(err, ETIMEDOUT, "DNS responder for %s did not start", n->name);
}

int net_dns_server(struct store *st, const char *container_id, char out[16], berr *err)
{
	out[0] = 0;
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "SELECT n.gateway FROM net_endpoints e JOIN networks n ON n.id = e.network_id"
			  " WHERE e.container_id = ? AND n.name != 'bridge' AND n.driver = 'bridge' ORDER BY n.name LIMIT 1", err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, container_id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		net_ip_str((uint32_t)sqlite3_column_int64(s, 0), out);
	return 0;
}
