/* log.c: leveled diagnostics. */
#include "util/log.h"
#include <stdarg.h>
#include <stdio.h>

int log_level = LOG_WARN;

void log_msg(int level, const char *fmt, ...)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	va_list ap;
	if (level > log_level)
		return;
	fprintf(stderr, "berth: %s: ", names[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
