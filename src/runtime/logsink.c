/* logsink.c: Docker's json-file log lines ({"log":"...","stream":"stdout","time":"..."}) with
 * rotation before a write that would start past max-size (<log> -> <log>.1 -> ...; with
 * max-file 1 the file is truncated in place; the live fd number stays), or journald's native
 * protocol. libc only and no allocation: linked into berth and into berth-monitor. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "runtime/logsink.h"

static void put_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* append s to out[*o] within cap (always leaves room for the terminator) */
static void cat(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
	if (*o + n >= cap)
		n = *o < cap - 1 ? cap - 1 - *o : 0;
	memcpy(out + *o, s, n);
	*o += n;
	out[*o] = 0;
}

static size_t utoa(uint64_t v, char *out)
{
	char t[24];
	size_t n = 0;
	do
		t[n++] = (char)('0' + v % 10);
	while (v /= 10);
	for (size_t i = 0; i < n; i++)
		out[i] = t[n - 1 - i];
	out[n] = 0;
	return n;
}

static void digits(char *out, uint64_t v, int w)
{
	for (int i = w - 1; i >= 0; i--, v /= 10)
		out[i] = (char)('0' + v % 10);
}

size_t logsink_time(int64_t sec, long nsec, char *out)
{
	/* days since 1970-01-01 to a civil date (Howard Hinnant's algorithm) */
	int64_t days = sec / 86400, rem = sec % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;
	digits(out, (uint64_t)y, 4);
	out[4] = '-';
	digits(out + 5, (uint64_t)m, 2);
	out[7] = '-';
	digits(out + 8, (uint64_t)d, 2);
	out[10] = 'T';
	digits(out + 11, (uint64_t)(rem / 3600), 2);
	out[13] = ':';
	digits(out + 14, (uint64_t)(rem / 60 % 60), 2);
	out[16] = ':';
	digits(out + 17, (uint64_t)(rem % 60), 2);
	out[19] = '.';
	digits(out + 20, (uint64_t)nsec, 9);
	out[29] = 'Z';
	out[30] = 0;
	return 30;
}

void logsink_none(struct logsink *ls)
{
	memset(ls, 0, sizeof *ls);
	ls->fd = -1;
	ls->journald = -1;
	ls->files = 1;
}

int logsink_open_json(struct logsink *ls, const char *path, int64_t max_size, int max_file)
{
	logsink_none(ls);
	size_t n = strlen(path);
	if (n >= sizeof ls->path)
		return -1;
	memcpy(ls->path, path, n + 1);
	ls->max = max_size;
	ls->files = max_file >= 1 ? max_file : 1;
	ls->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	struct stat sb;
	ls->size = ls->fd >= 0 && fstat(ls->fd, &sb) == 0 ? sb.st_size : 0;
	return ls->fd >= 0 ? 0 : -1;
}

int logsink_open_journald(struct logsink *ls, const char *id, const char *name)
{
	logsink_none(ls);
	size_t o = 0;
	cat(ls->id, sizeof ls->id, &o, id, strlen(id));
	o = 0;
	cat(ls->name, sizeof ls->name, &o, name, strlen(name));
	ls->journald = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return ls->journald >= 0 ? 0 : -1;
}

void logsink_close(struct logsink *ls)
{
	if (ls->fd >= 0)
		close(ls->fd);
	if (ls->journald >= 0)
		close(ls->journald);
	ls->fd = ls->journald = -1;
}

static void rotate(struct logsink *ls)
{
	char from[4200], to[4200];
	if (ls->files > 1) {
		for (int i = ls->files - 1; i >= 1; i--) {
			size_t o = 0, p = 0;
			char num[16];
			cat(from, sizeof from, &o, ls->path, strlen(ls->path));
			if (i > 1) {
				cat(from, sizeof from, &o, ".", 1);
				cat(from, sizeof from, &o, num, utoa((uint64_t)(i - 1), num));
			}
			cat(to, sizeof to, &p, ls->path, strlen(ls->path));
			cat(to, sizeof to, &p, ".", 1);
			cat(to, sizeof to, &p, num, utoa((uint64_t)i, num));
			rename(from, to);
		}
		int nfd = open(ls->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
		if (nfd >= 0) {
			dup3(nfd, ls->fd, O_CLOEXEC);
			close(nfd);
		}
	} else if (ftruncate(ls->fd, 0) < 0) {
	}
	ls->size = 0;
}

static void journald_send(struct logsink *ls, const char *stream, const char *data, size_t len)
{
	char msg[8192];
	size_t o = 0;
	while (len && data[len - 1] == '\n')
		len--;
	if (memchr(data, '\n', len)) /* one entry per line: the native protocol needs binary fields otherwise */
		return;
	cat(msg, sizeof msg, &o, "CONTAINER_ID=", 13);
	cat(msg, sizeof msg, &o, ls->id, strnlen(ls->id, 12));
	cat(msg, sizeof msg, &o, "\nCONTAINER_ID_FULL=", 19);
	cat(msg, sizeof msg, &o, ls->id, strlen(ls->id));
	cat(msg, sizeof msg, &o, "\nCONTAINER_NAME=", 16);
	cat(msg, sizeof msg, &o, ls->name, strlen(ls->name));
	cat(msg, sizeof msg, &o, !strcmp(stream, "stderr") ? "\nPRIORITY=3" : "\nPRIORITY=6", 11);
	cat(msg, sizeof msg, &o, "\nSYSLOG_IDENTIFIER=", 19);
	cat(msg, sizeof msg, &o, ls->id, strnlen(ls->id, 12));
	cat(msg, sizeof msg, &o, "\nMESSAGE=", 9);
	cat(msg, sizeof msg, &o, data, len);
	cat(msg, sizeof msg, &o, "\n", 1);
	struct sockaddr_un a = { .sun_family = AF_UNIX, .sun_path = "/run/systemd/journal/socket" };
	if (sendto(ls->journald, msg, o, MSG_NOSIGNAL, (struct sockaddr *)&a, sizeof a) < 0) {
	}
}

static void entry(struct logsink *ls, const char *stream, const char *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	if (ls->journald >= 0) {
		journald_send(ls, stream, data, len);
		return;
	}
	if (ls->fd < 0 || !len)
		return;
	if (ls->max > 0 && ls->size >= ls->max)
		rotate(ls);
	char line[256 + 6 * 4096];
	size_t o = 0;
	cat(line, sizeof line, &o, "{\"log\":\"", 8);
	for (size_t i = 0; i < len && o < sizeof line - 128; i++) {
		unsigned char ch = (unsigned char)data[i];
		switch (ch) {
		case '"': line[o++] = '\\'; line[o++] = '"'; break;
		case '\\': line[o++] = '\\'; line[o++] = '\\'; break;
		case '\n': line[o++] = '\\'; line[o++] = 'n'; break;
		case '\r': line[o++] = '\\'; line[o++] = 'r'; break;
		case '\t': line[o++] = '\\'; line[o++] = 't'; break;
		default:
			if (ch < 0x20) {
				memcpy(line + o, "\\u00", 4);
				line[o + 4] = hex[ch >> 4];
				line[o + 5] = hex[ch & 15];
				o += 6;
			} else
				line[o++] = (char)ch;
		}
	}
	line[o] = 0;
	cat(line, sizeof line, &o, "\",\"stream\":\"", 12);
	cat(line, sizeof line, &o, stream, strlen(stream));
	cat(line, sizeof line, &o, "\",\"time\":\"", 10);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	char tb[32];
	cat(line, sizeof line, &o, tb, logsink_time(ts.tv_sec, ts.tv_nsec, tb));
	cat(line, sizeof line, &o, "\"}\n", 3);
	put_all(ls->fd, line, o);
	ls->size += (int64_t)o;
}

void logsink_chunk(struct logsink *ls, const char *stream, const char *buf, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\n' || i - start >= 4000) {
			entry(ls, stream, buf + start, i - start + 1);
			start = i + 1;
		}
	if (start < n)
		entry(ls, stream, buf + start, n - start);
}
