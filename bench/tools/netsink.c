/* netsink: a TCP sink and source for bench/network.sh, so the benchmark measures the path
 * (NAT or a userland proxy) rather than the endpoints (busybox nc copies 4 KiB at a time).
 * Built statically by bench/network.sh and put into a one-file image, so berth, docker and
 * podman run the very same binary.
 *
 *   netsink -l PORT              accept connections on PORT; for each: send "R" (ready),
 *                                read until EOF with a 4 MiB buffer, reply with the byte
 *                                count (8 bytes, big-endian), close. Runs until killed.
 *   netsink -c HOST PORT SECS    connect (retrying for 30 s until the sink says "R"), send
 *                                4 MiB writes for SECS seconds, half-close, wait for the count;
 *                                prints "MB/s BYTES SECONDS" (MB = 10^6 bytes, the bytes the
 *                                sink received, over the time until its count arrived).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF (4u << 20)

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void bufsizes(int fd)
{
	int sz = 8 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
}

static int sink(int port)
{
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	bufsizes(l);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (bind(l, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(l, 16) < 0) {
		perror("netsink: listen");
		return 1;
	}
	char *buf = malloc(BUF);
	for (;;) {
		int c = accept(l, NULL, NULL);
		if (c < 0)
			continue;
		uint64_t total = 0;
		ssize_t n;
		if (write(c, "R", 1) == 1)
			while ((n = read(c, buf, BUF)) > 0 || (n < 0 && errno == EINTR))
				if (n > 0)
					total += (uint64_t)n;
		unsigned char out[8];
		for (int i = 0; i < 8; i++)
			out[i] = (unsigned char)(total >> (56 - 8 * i));
		if (write(c, out, 8) != 8) {
			/* the source went away: nothing to report to */
		}
		close(c);
	}
}

static int source(const char *host, int port, double secs)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "netsink: bad address %s\n", host);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	int fd = -1;
	double give_up = now() + 30;
	for (;;) {
		/* a proxy (docker-proxy) accepts before the sink listens, then closes: wait for "R" */
		fd = socket(AF_INET, SOCK_STREAM, 0);
		bufsizes(fd);
		char r = 0;
		if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && read(fd, &r, 1) == 1 && r == 'R')
			break;
		close(fd);
		if (now() > give_up) {
			fprintf(stderr, "netsink: %s:%d never answered\n", host, port);
			return 1;
		}
		usleep(50000);
	}
	char *buf = calloc(1, BUF);
	double t0 = now(), end = t0 + secs;
	while (now() < end) {
		size_t off = 0;
		while (off < BUF) {
			ssize_t n = write(fd, buf + off, BUF - off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				perror("netsink: write");
				return 1;
			}
			off += (size_t)n;
		}
	}
	shutdown(fd, SHUT_WR);
	unsigned char in[8];
	size_t got = 0;
	while (got < 8) {
		ssize_t n = read(fd, in + got, 8 - got);
		if (n <= 0) {
			fprintf(stderr, "netsink: no byte count from the sink\n");
			return 1;
		}
		got += (size_t)n;
	}
	double dt = now() - t0;
	uint64_t total = 0;
	for (int i = 0; i < 8; i++)
		total = total << 8 | in[i];
	printf("%.1f %llu %.3f\n", (double)total / 1e6 / dt, (unsigned long long)total, dt);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "-l"))
		return sink(atoi(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "-c"))
		return source(argv[2], atoi(argv[3]), atof(argv[4]));
	fprintf(stderr, "usage: netsink -l PORT | netsink -c HOST PORT SECONDS\n");
	return 2;
}
