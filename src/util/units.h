/* units.h: Docker's go-units (sizes, durations) and Go time formats used by the CLI:
 * HumanSize "2.16MB", BytesSize "1.5MiB", HumanDuration "About a minute", RAMInBytes
 * "512m", RFC3339Nano, Go durations ("1h30m") and --since/--until timestamps. */
#pragma once
#include <stdint.h>
#include <time.h>
#include "util/err.h"

#define UNITS_BUF 64

/* go-units HumanSizeWithPrecision: decimal units, %.*g ("2.16MB", "1.05kB", "123B"). */
const char *units_human_size_prec(double size, int precision, char buf[UNITS_BUF]);
/* go-units HumanSize: precision 4 ("1.049MB"). */
const char *units_human_size(double size, char buf[UNITS_BUF]);
/* go-units BytesSize: binary units ("1.5MiB", "1KiB"). */
const char *units_bytes_size(double size, char buf[UNITS_BUF]);
/* go-units HumanDuration of a duration in nanoseconds ("Less than a second", "3 days"). */
const char *units_human_duration(int64_t ns, char buf[UNITS_BUF]);

/* go-units RAMInBytes ("512k", "1g", "10m", binary multiples) and FromHumanSize (decimal).
 * -1 and *err = "invalid size: 'x'" on bad input. */
int units_ram_in_bytes(const char *s, int64_t *out, berr *err);
int units_from_human_size(const char *s, int64_t *out, berr *err);

/* Go time.ParseDuration ("300ms", "1.5h", "2h45m"); -1 and "time: invalid duration \"x\"". */
int units_parse_duration(const char *s, int64_t *ns, berr *err);

/* Go time.Time.Format(time.RFC3339Nano) in UTC: "2024-01-02T03:04:05.5Z" (zeros trimmed). */
const char *units_rfc3339nano(int64_t sec, long nsec, char buf[UNITS_BUF]);
/* Go time.Parse(time.RFC3339Nano / RFC3339): Z or ±hh:mm offset, optional fraction. */
int units_parse_rfc3339(const char *s, int64_t *sec, long *nsec, berr *err);

/* Docker's --since/--until (timetypes.GetTimestamp): a Go duration before `reference`
 * ("10m"), an RFC3339-like date/time (with or without zone, local time otherwise),
 * or a unix timestamp "secs[.nanos]". Result as seconds + nanoseconds. */
int units_parse_timestamp(const char *value, time_t reference, int64_t *sec, long *nsec, berr *err);
