/* logsink.h: a container's log writer: Docker's json-file lines with rotation (max-size,
 * max-file), or journald's native protocol. libc only (no stdio, no allocation): it is built
 * into berth (the attached CLI) and into the small static `berth-monitor` binary. */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct logsink {
	int fd;            /* the live json-file log, -1 = no log (driver none) */
	int journald;      /* datagram socket to journald, or -1 */
	int64_t size, max; /* bytes in the live file; max-size (0 = unlimited) */
	int files;         /* max-file (>= 1) */
	char path[4096];   /* the live file (json-file) */
	char id[65], name[256];
};

/* Nothing open (driver none). */
void logsink_none(struct logsink *ls);
/* json-file at path (appended, created 0640, O_CLOEXEC); max_size 0 = unlimited. -1 on error. */
int logsink_open_json(struct logsink *ls, const char *path, int64_t max_size, int max_file);
/* journald: lines go to /run/systemd/journal/socket with CONTAINER_ID, CONTAINER_NAME... */
int logsink_open_journald(struct logsink *ls, const char *id, const char *name);
/* One chunk of a stream ("stdout"/"stderr"): split into lines (each entry keeps its newline,
 * as Docker's; lines longer than 4000 bytes are split) and written. */
void logsink_chunk(struct logsink *ls, const char *stream, const char *buf, size_t n);
void logsink_close(struct logsink *ls);
/* Format ns since the epoch as RFC 3339 with 9 fraction digits and Z (Docker's "time").
 * out needs 31 bytes; returns the length. */
size_t logsink_time(int64_t sec, long nsec, char *out);
