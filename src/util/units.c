/* units.c: Docker's go-units sizes and durations, Go durations and RFC3339 times,
 * and Docker's --since/--until timestamp parsing (timetypes.GetTimestamp). */
#include "util/units.h"
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const dec_abbrs[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB" };
static const char *const bin_abbrs[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB" };

static const char *custom_size(double size, double base, const char *const *abbrs, int precision, char *buf)
{
	int i = 0;
	while (size >= base && i < 8) {
		size /= base;
		i++;
	}
	/* C's %.*g matches Go's for these magnitudes: shortest digits, e+XX above precision */
	snprintf(buf, UNITS_BUF, "%.*g%s", precision, size, abbrs[i]);
	return buf;
}

const char *units_human_size_prec(double size, int precision, char buf[UNITS_BUF])
{
	return custom_size(size, 1000.0, dec_abbrs, precision, buf);
}

const char *units_human_size(double size, char buf[UNITS_BUF])
{
	return units_human_size_prec(size, 4, buf);
}

const char *units_bytes_size(double size, char buf[UNITS_BUF])
{
	return custom_size(size, 1024.0, bin_abbrs, 4, buf);
}

#define NS_SEC 1000000000LL
#define NS_MIN (60 * NS_SEC)
#define NS_HOUR (60 * NS_MIN)

const char *units_human_duration(int64_t d, char buf[UNITS_BUF])
{
	int64_t seconds = d / NS_SEC, minutes = d / NS_MIN;
	/* time.Duration.Round(time.Hour): half away from zero */
	int64_t hours = d >= 0 ? (d + NS_HOUR / 2) / NS_HOUR : -((-d + NS_HOUR / 2) / NS_HOUR);
	if (seconds < 1)
		snprintf(buf, UNITS_BUF, "Less than a second");
	else if (seconds == 1)
		snprintf(buf, UNITS_BUF, "1 second");
	else if (seconds < 60)
		snprintf(buf, UNITS_BUF, "%lld seconds", (long long)seconds);
	else if (minutes == 1)
		snprintf(buf, UNITS_BUF, "About a minute");
	else if (minutes < 60)
		snprintf(buf, UNITS_BUF, "%lld minutes", (long long)minutes);
	else if (hours == 1)
		snprintf(buf, UNITS_BUF, "About an hour");
	else if (hours < 48)
		snprintf(buf, UNITS_BUF, "%lld hours", (long long)hours);
	else if (hours < 24 * 7 * 2)
		snprintf(buf, UNITS_BUF, "%lld days", (long long)(hours / 24));
	else if (hours < 24 * 30 * 2)
		snprintf(buf, UNITS_BUF, "%lld weeks", (long long)(hours / 24 / 7));
	else if (hours < 24 * 365 * 2)
		snprintf(buf, UNITS_BUF, "%lld months", (long long)(hours / 24 / 30));
	else
		snprintf(buf, UNITS_BUF, "%lld years", (long long)(d / NS_HOUR / 24 / 365));
	return buf;
}

/* (?i)^(\d+(\.\d+)*) ?([kmgtp])?i?b?$ */
static int parse_size(const char *s, bool binary, int64_t *out, berr *err)
{
	const char *p = s;
	const char *num0 = p;
	if (!isdigit((unsigned char)*p))
		goto bad;
	while (isdigit((unsigned char)*p))
		p++;
	int dots = 0;
	while (*p == '.' && isdigit((unsigned char)p[1])) {
		dots++;
		p++;
		while (isdigit((unsigned char)*p))
			p++;
	}
	const char *num1 = p;
	if (*p == ' ')
		p++;
	int64_t mul = 1;
	char c = (char)tolower((unsigned char)*p);
	const char *units = "kmgtp";
	const char *u = c ? strchr(units, c) : NULL;
	if (u) {
		for (int i = 0; i <= u - units; i++)
			mul *= binary ? 1024 : 1000;
		p++;
	}
	if (tolower((unsigned char)*p) == 'i')
		p++;
	if (tolower((unsigned char)*p) == 'b')
		p++;
	if (*p)
		goto bad;
	if (dots > 1) {
		/* the regexp matched but strconv.ParseFloat fails */
		return berr_set(err, EINVAL, "strconv.ParseFloat: parsing \"%.*s\": invalid syntax",
				(int)(num1 - num0), num0);
	}
	char *tmp = strndup(num0, (size_t)(num1 - num0));
	double v = strtod(tmp, NULL);
	free(tmp);
	*out = (int64_t)(v * (double)mul);
	return 0;
bad:
	*out = -1;
	return berr_set(err, EINVAL, "invalid size: '%s'", s);
}

int units_ram_in_bytes(const char *s, int64_t *out, berr *err)
{
	return parse_size(s, true, out, err);
}

int units_from_human_size(const char *s, int64_t *out, berr *err)
{
	return parse_size(s, false, out, err);
}

int units_parse_duration(const char *orig, int64_t *ns, berr *err)
{
	static const struct { const char *u; int64_t mul; } tab[] = {
		{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 }, { "\xce\xbcs", 1000 },
		{ "ms", 1000000 }, { "s", NS_SEC }, { "m", NS_MIN }, { "h", NS_HOUR },
	};
	const char *s = orig;
	bool neg = false;
	double total = 0;
	if (*s == '-' || *s == '+') {
		neg = *s == '-';
		s++;
	}
	if (!strcmp(s, "0")) {
		*ns = 0;
		return 0;
	}
	if (!*s)
		return berr_set(err, EINVAL, "time: invalid duration \"%s\"", orig);
	while (*s) {
		if (!(isdigit((unsigned char)*s) || (*s == '.' && isdigit((unsigned char)s[1]))))
			return berr_set(err, EINVAL, "time: invalid duration \"%s\"", orig);
		const char *n0 = s;
		while (isdigit((unsigned char)*s))
			s++;
		if (*s == '.') {
			s++;
			while (isdigit((unsigned char)*s))
				s++;
		}
		char numbuf[64];
		snprintf(numbuf, sizeof numbuf, "%.*s", (int)(s - n0), n0);
		double v = strtod(numbuf, NULL);
		const char *u0 = s;
		while (*s && *s != '.' && !isdigit((unsigned char)*s))
			s++;
		if (u0 == s)
			return berr_set(err, EINVAL, "time: missing unit in duration \"%s\"", orig);
		size_t ul = (size_t)(s - u0);
		int64_t mul = 0;
		for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
			if (strlen(tab[i].u) == ul && !memcmp(tab[i].u, u0, ul))
				mul = tab[i].mul;
		if (!mul)
			return berr_set(err, EINVAL, "time: unknown unit \"%.*s\" in duration \"%s\"", (int)ul, u0, orig);
		total += v * (double)mul;
		if (total > 9.223372036854775807e18)
			return berr_set(err, EINVAL, "time: invalid duration \"%s\"", orig);
	}
	*ns = (int64_t)(total + 0.5);
	if (neg)
		*ns = -*ns;
	return 0;
}

const char *units_rfc3339nano(int64_t sec, long nsec, char buf[UNITS_BUF])
{
	time_t t = (time_t)sec;
	struct tm tm;
	gmtime_r(&t, &tm);
	int n = snprintf(buf, UNITS_BUF, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (nsec > 0) {
		char frac[24];
		snprintf(frac, sizeof frac, "%09ld", nsec);
		int l = 9;
		while (l > 0 && frac[l - 1] == '0')
			l--;
		frac[l] = 0;
		n += snprintf(buf + n, (size_t)(UNITS_BUF - n), ".%s", frac);
	}
	snprintf(buf + n, (size_t)(UNITS_BUF - n), "Z");
	return buf;
}

static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static bool valid_date(int y, int mo, int d, int h, int mi, int s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || s > 59)
		return false;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	return true;
}

/* Lenient RFC3339-like parser: date [T hh[:mm[:ss[.frac]]]] [Z|±hh:mm]. need_* enforce parts. */
static int parse_time(const char *s, bool strict, bool *has_zone, int64_t *sec, long *nsec, long *zoff)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, se = 0;
	long ns = 0;
	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d))
		return -1;
	bool have_time = false;
	if (*p == 'T' || (!strict && *p == 't')) {
		p++;
		have_time = true;
		if (digits(&p, 2, &h))
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &mi))
				return -1;
			if (*p == ':') {
				p++;
				if (digits(&p, 2, &se))
					return -1;
				if (*p == '.' || *p == ',') {
					p++;
					int nd = 0;
					while (isdigit((unsigned char)*p)) {
						if (nd < 9) {
							ns = ns * 10 + (*p - '0');
							nd++;
						}
						p++;
					}
					if (!nd)
						return -1;
					while (nd++ < 9)
						ns *= 10;
				}
			} else if (strict) {
				return -1;
			}
		} else if (strict) {
			return -1;
		}
	}
	if (strict && !have_time)
		return -1;
	*has_zone = false;
	*zoff = 0;
	if (*p == 'Z' || *p == 'z') {
		*has_zone = true;
		p++;
	} else if (*p == '+' || *p == '-') {
		int zh, zm;
		int sign = *p == '-' ? -1 : 1;
		p++;
		if (digits(&p, 2, &zh) || *p++ != ':' || digits(&p, 2, &zm) || zh > 23 || zm > 59)
			return -1;
		*has_zone = true;
		*zoff = sign * (zh * 3600 + zm * 60);
	} else if (strict) {
		return -1;
	}
	if (*p)
		return -1;
	if (!valid_date(y, mo, d, h, mi, se))
		return -1;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = se };
	*sec = (int64_t)timegm(&tm);
	*nsec = ns;
	return 0;
}

int units_parse_rfc3339(const char *s, int64_t *sec, long *nsec, berr *err)
{
	bool has_zone;
	long zoff;
	if (parse_time(s, true, &has_zone, sec, nsec, &zoff) < 0)
		return berr_set(err, EINVAL, "parsing time \"%s\" as \"2006-01-02T15:04:05Z07:00\": cannot parse", s);
	*sec -= zoff;
	return 0;
}

int units_parse_timestamp(const char *value, time_t reference, int64_t *sec, long *nsec, berr *err)
{
	int64_t d;
	berr tmp;
	if (strcmp(value, "0") && units_parse_duration(value, &d, &tmp) == 0) {
		/* reference.Add(-d).Unix() */
		int64_t ref_ns = (int64_t)reference * NS_SEC - d;
		*sec = ref_ns >= 0 ? ref_ns / NS_SEC : -((-ref_ns + NS_SEC - 1) / NS_SEC);
		*nsec = 0;
		return 0;
	}
	bool has_zone;
	long zoff;
	if (parse_time(value, false, &has_zone, sec, nsec, &zoff) == 0) {
		if (has_zone) {
			*sec -= zoff;
		} else {
			/* time.ParseInLocation with the reference's zone */
			struct tm lt;
			time_t r = reference;
			localtime_r(&r, &lt);
			*sec -= lt.tm_gmtoff;
		}
		return 0;
	}
	if (strchr(value, '-'))
		return berr_set(err, EINVAL, "parsing time \"%s\": invalid format", value);
	/* unix timestamp "secs[.nanos]" */
	const char *p = value;
	char *end;
	if (!isdigit((unsigned char)*p))
		goto bad;
	errno = 0;
	long long s = strtoll(p, &end, 10);
	if (errno)
		goto bad;
	long ns = 0;
	if (*end == '.') {
		p = end + 1;
		int nd = 0;
		while (isdigit((unsigned char)*p)) {
			if (nd < 9) {
				ns = ns * 10 + (*p - '0');
				nd++;
			}
			p++;
		}
		if (!nd)
			goto bad;
		while (nd++ < 9)
			ns *= 10;
		end = (char *)p;
	}
	if (*end)
		goto bad;
	*sec = s;
	*nsec = ns;
	return 0;
bad:
	return berr_set(err, EINVAL, "failed to parse value as time or duration: \"%s\"", value);
}
