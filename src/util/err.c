/* err.c: building and wrapping error messages. */
#include "util/err.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

int berr_set(berr *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	err->errnum = errnum;
	return -1;
}

int berr_sys(berr *err, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t n;
	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof err->msg - n, ": %s", strerror(saved));
	err->errnum = saved;
	errno = saved;
	return -1;
}

int berr_wrap(berr *err, const char *fmt, ...)
{
	char prefix[BERR_MSG_MAX], old[BERR_MSG_MAX];
	va_list ap;
	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	size_t n = strnlen(prefix, sizeof prefix - 1);
	memcpy(err->msg, prefix, n);
	if (n + 2 < sizeof err->msg) {
		memcpy(err->msg + n, ": ", 2);
		n += 2;
	}
	size_t m = strnlen(old, sizeof old - 1);
	if (m > sizeof err->msg - 1 - n)
		m = sizeof err->msg - 1 - n;
	memcpy(err->msg + n, old, m);
	err->msg[n + m] = 0;
	return -1;
}

void berr_clear(berr *err)
{
	if (err) {
		err->errnum = 0;
		err->status = 0;
		err->msg[0] = 0;
	}
}
