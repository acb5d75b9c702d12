/* ports.c: published ports: parsing `-p` specs and reserving host ports (no two endpoints, and
 * no host socket already bound, may hold one proto/address/port). */
#include "net/internal.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "util/cleanup.h"

static int parse_range(const char *s, unsigned *lo, unsigned *hi, bool allow_empty)
{
	if (!*s) {
		if (!allow_empty)
			return -1;
		*lo = *hi = 0;
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long a = strtoul(s, &end, 10), b = a;
	if (end == s || errno || a > 65535)
		return -1;
	if (*end == '-') {
		const char *t = end + 1;
		b = strtoul(t, &end, 10);
		if (end == t || errno || b > 65535 || b < a)
			return -1;
	}
	if (*end)
		return -1;
	*lo = (unsigned)a;
	*hi = (unsigned)b;
	return 0;
}

int net_port_parse(const char *spec, struct net_port **v, size_t *n, berr *err)
{
	_cleanup_free_ char *s = xstrdup(spec);
	const char *proto = "tcp";
	char *slash = strrchr(s, '/');
	if (slash) {
		*slash = 0;
		proto = slash + 1;
		if (strcmp(proto, "tcp") && strcmp(proto, "udp"))
			return berr_set(err, EINVAL, "invalid proto: %s", proto);
	}
	/* split from the right: containerPort, hostPort, ip */
	char *c = strrchr(s, ':');
	char *cport = c ? c + 1 : s;
	char *hport = (char *)"";
	char *ip = NULL;
	if (c) {
		*c = 0;
		char *h = strrchr(s, ':');
		if (h) {
			*h = 0;
			hport = h + 1;
			ip = s;
		} else {
			hport = s;
		}
	}
	uint32_t hip = 0;
	if (ip) {
		size_t l = strlen(ip);
		if (l >= 2 && ip[0] == '[' && ip[l - 1] == ']')
			return berr_set(err, EINVAL, "IPv6 published ports are not supported by berth: %s", spec);
		if (net_ip_parse(ip, &hip) < 0)
			return berr_set(err, EINVAL, "invalid IP address: %s", ip);
	}
	unsigned clo, chi, hlo, hhi;
	if (parse_range(cport, &clo, &chi, false) < 0 || clo == 0)
		return berr_set(err, EINVAL, "invalid containerPort: %s", cport);
	if (parse_range(hport, &hlo, &hhi, true) < 0)
		return berr_set(err, EINVAL, "invalid hostPort: %s", hport);
	bool pick_in_range = hlo && hhi > hlo && clo == chi;
	if (hlo && hhi - hlo != chi - clo && !pick_in_range)
		return berr_set(err, EINVAL, "invalid ranges specified for container and host Ports: %s and %s", cport, hport);
	for (unsigned p = clo; p <= chi; p++) {
		*v = xrealloc(*v, (*n + 1) * sizeof **v);
		struct net_port *np = &(*v)[(*n)++];
		memset(np, 0, sizeof *np);
		snprintf(np->proto, sizeof np->proto, "%s", proto);
		np->host_ip = hip;
		np->host_port = (uint16_t)(hlo ? hlo + (p - clo) : 0);
		np->container_port = (uint16_t)p;
		if (pick_in_range)
			np->host_port_end = (uint16_t)hhi;
	}
	return 0;
}

/* Try to bind proto host_ip:port on the host; port 0 asks the kernel for a free one. */
static int probe_bind(const struct net_port *p, uint16_t *got, berr *err)
{
	bool udp = !strcmp(p->proto, "udp");
	_cleanup_close_ int fd = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return berr_sys(err, "socket");
	int one = 1;
	if (!udp)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one); /* TIME_WAIT is not "in use" */
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(p->host_port), .sin_addr.s_addr = htonl(p->host_ip) };
	char b[16];
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || (!udp && listen(fd, 1) < 0)) {
		if (errno == EADDRINUSE)
			return berr_set(err, EADDRINUSE, "driver failed programming external connectivity: listen %s4 %s:%u: bind: address already in use",
					p->proto, net_ip_str(p->host_ip, b), p->host_port);
		return berr_sys(err, "bind %s:%u/%s", net_ip_str(p->host_ip, b), p->host_port, p->proto);
	}
	socklen_t sl = sizeof sa;
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	*got = ntohs(sa.sin_port);
	return 0;
}

static int db_conflict(struct store *st, const struct net_port *p, bool *conflict, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "SELECT 1 FROM net_ports WHERE proto = ?1 AND host_port = ?2 AND (host_ip = 0 OR ?3 = 0 OR host_ip = ?3)", err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, p->proto, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, p->host_port);
	sqlite3_bind_int64(s, 3, p->host_ip);
	*conflict = sqlite3_step(s) == SQLITE_ROW;
	return 0;
}

int ports_reserve(struct store *st, const char *net_id, const char *container_id, const struct net_network *n,
		  const struct net_port *ports, size_t np, struct net_port **bound, berr *err)
{
	(void)n;
	*bound = np ? xcalloc(np, sizeof **bound) : NULL;
	char b[16];
	for (size_t i = 0; i < np; i++) {
		struct net_port p = ports[i];
		bool conflict = false;
		if (p.host_port == 0) {
			/* an ephemeral port the kernel says is free and no endpoint holds */
			for (int tries = 0;; tries++) {
				uint16_t got;
				if (probe_bind(&p, &got, err) < 0)
					return -1;
				struct net_port q = p;
				q.host_port = got;
				if (db_conflict(st, &q, &conflict, err) < 0)
					return -1;
				if (!conflict) {
					p.host_port = got;
					break;
				}
				if (tries > 100)
					return berr_set(err, EADDRINUSE, "no free host port for %u/%s", p.container_port, p.proto);
			}
		} else if (p.host_port_end > p.host_port) {
			/* the first port of the range that neither an endpoint nor a host socket holds */
			unsigned port;
			for (port = p.host_port; port <= p.host_port_end; port++) {
				struct net_port q = p;
				q.host_port = (uint16_t)port;
				uint16_t got;
				berr e = { 0 };
				if (db_conflict(st, &q, &conflict, err) < 0)
					return -1;
				if (!conflict && probe_bind(&q, &got, &e) == 0)
					break;
			}
			if (port > p.host_port_end)
				return berr_set(err, EADDRINUSE, "driver failed programming external connectivity: Bind for %s:%u-%u failed: port is already allocated",
						net_ip_str(p.host_ip, b), p.host_port, p.host_port_end);
			p.host_port = (uint16_t)port;
			p.host_port_end = 0;
		} else {
			if (db_conflict(st, &p, &conflict, err) < 0)
				return -1;
			if (conflict) {
				berr_set(err, EADDRINUSE, "driver failed programming external connectivity: Bind for %s:%u failed: port is already allocated",
					 net_ip_str(p.host_ip, b), p.host_port);
				return -1;
			}
			uint16_t got;
			if (probe_bind(&p, &got, err) < 0)
				return -1;
		}
		_cleanup_stmt_ sqlite3_stmt *s = NULL;
		if (store_prepare(st, &s, "INSERT INTO net_ports (network_id, container_id, proto, host_ip, host_port, container_port) VALUES (?,?,?,?,?,?)", err) < 0)
			return -1;
		sqlite3_bind_text(s, 1, net_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, container_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, p.proto, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, p.host_ip);
		sqlite3_bind_int(s, 5, p.host_port);
		sqlite3_bind_int(s, 6, p.container_port);
		if (sqlite3_step(s) != SQLITE_DONE) {
			if (sqlite3_extended_errcode(st->db) == SQLITE_CONSTRAINT_UNIQUE)
				return berr_set(err, EADDRINUSE, "driver failed programming external connectivity: Bind for %s:%u failed: port is already allocated",
						net_ip_str(p.host_ip, b), p.host_port);
			return store_dberr(st, err, "insert port");
		}
		(*bound)[i] = p;
	}
	return 0;
}

int net_ports_of(struct store *st, const char *container_id, struct net_port **out, size_t *n, berr *err)
{
	*out = NULL;
	*n = 0;
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "SELECT proto, host_ip, host_port, container_port FROM net_ports WHERE container_id = ? ORDER BY container_port, proto", err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, container_id, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		*out = xrealloc(*out, (*n + 1) * sizeof **out);
		struct net_port *p = &(*out)[(*n)++];
		memset(p, 0, sizeof *p);
		snprintf(p->proto, sizeof p->proto, "%s", (const char *)sqlite3_column_text(s, 0));
		p->host_ip = (uint32_t)sqlite3_column_int64(s, 1);
		p->host_port = (uint16_t)sqlite3_column_int(s, 2);
		p->container_port = (uint16_t)sqlite3_column_int(s, 3);
	}
	return 0;
}
