/* progress.h: Docker's pull/push progress: one line per layer redrawn in place with a bar on a
 * tty, plain "<id>: <status>" lines otherwise (as `docker pull | cat` prints). */
#pragma once
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct progress {
	FILE *out;
	bool tty, quiet;
	size_t n;
	char **ids;      /* 12-hex short IDs */
	char **lines;    /* current text per line (tty) */
	size_t drawn;    /* lines on screen (tty) */
	uint64_t last_ms;
	pthread_mutex_t mu;  /* the downloader and the extractor report from two threads */
};

void prog_init(struct progress *p, FILE *out, bool quiet);
/* Add a line for a layer; returns its index. */
size_t prog_add(struct progress *p, const char *short_id);
/* A status change ("Pulling fs layer", "Download complete", "Pull complete"...). */
void prog_status(struct progress *p, size_t i, const char *status);
/* Bytes so far (tty only; redrawn at most every 100 ms unless force). */
void prog_bar(struct progress *p, size_t i, const char *what, uint64_t cur, uint64_t total, bool force);
/* A line not bound to a layer ("Digest: ..."): ends the in-place area. */
void prog_line(struct progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void prog_release(struct progress *p);
