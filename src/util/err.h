/* err.h: error values passed up the stack with context (crun's libcrun_error_t idea).
 * A failing function returns -1 and fills *err; callers add context with berr_wrap();
 * only the CLI prints it. */
#pragma once
#include <stdarg.h>

#define BERR_MSG_MAX 2048

typedef struct berr {
	int errnum;           /* errno value, 0 if none */
	int status;           /* exit status the CLI should use (0 = default 125) */
	char msg[BERR_MSG_MAX];
} berr;

/* Set the error message; returns -1 so callers can `return berr_set(...)`. */
int berr_set(berr *err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Like berr_set with errnum = errno and ": strerror" appended. */
int berr_sys(berr *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefix context: "ctx: previous message". Returns -1. */
int berr_wrap(berr *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void berr_clear(berr *err);
