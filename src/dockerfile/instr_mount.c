/* instr_mount.c: RUN --mount=... parsing and validation (BuildKit's runmount.go
 * parseMount) and Go's time.ParseDuration / Duration.String for HEALTHCHECK. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dockerfile/instr.h"

/* Split a CSV record (encoding/csv semantics: fields may be "quoted", "" is a quote). */
static int csv_split(const char *s, struct strvec *out)
{
	struct strbuf f = STRBUF_INIT;
	sb_init(&f);
	const char *p = s;
	for (;;) {
		sb_reset(&f);
		if (*p == '"') {
			p++;
			for (;;) {
				if (!*p) {
					sb_release(&f);
					return -1;
				}
				if (*p == '"') {
					if (p[1] == '"') {
						sb_addc(&f, '"');
						p += 2;
						continue;
					}
					p++;
					break;
				}
				sb_addc(&f, *p++);
			}
			if (*p && *p != ',') {
				sb_release(&f);
				return -1;
			}
		} else {
			while (*p && *p != ',')
				sb_addc(&f, *p++);
		}
		sv_push(out, f.buf);
		if (!*p)
			break;
		p++;
	}
	sb_release(&f);
	return 0;
}

static int parse_bool(const char *v, bool *b)
{
	if (!strcmp(v, "1") || !strcasecmp(v, "t") || !strcasecmp(v, "true")) {
		*b = true;
		return 0;
	}
	if (!strcmp(v, "0") || !strcasecmp(v, "f") || !strcasecmp(v, "false")) {
		*b = false;
		return 0;
	}
	return -1;
}

/* docker/go-units RAMInBytes: "64m", "1g", "512", "1.5GB". */
static int ram_in_bytes(const char *v, int64_t *out)
{
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (end == v || errno || d < 0)
		return -1;
	int64_t mul = 1;
	if (*end) {
		char u = (char)tolower((unsigned char)*end);
		const char *rest = end + 1;
		switch (u) {
		case 'b': mul = 1; rest = end + 1; break;
		case 'k': mul = 1LL << 10; break;
		case 'm': mul = 1LL << 20; break;
		case 'g': mul = 1LL << 30; break;
		case 't': mul = 1LL << 40; break;
		case 'p': mul = 1LL << 50; break;
		default: return -1;
		}
		if (u != 'b' && (*rest == 'b' || *rest == 'B'))
			rest++;
		if (u != 'b' && (*rest == 'i' || *rest == 'I')) {
			rest++;
			if (*rest == 'b' || *rest == 'B')
				rest++;
		}
		if (*rest)
			return -1;
	}
	*out = (int64_t)(d * (double)mul);
	return 0;
}

int df_mount_parse(const char *value, struct df_mount *m, char **msg)
{
	memset(m, 0, sizeof(*m));
	m->mode = m->uid = m->gid = -1;
	m->raw = xstrdup(value);
	m->type = DF_MOUNT_BIND;
	struct strvec fields = STRVEC_INIT;
	if (csv_split(value, &fields)) {
		*msg = xasprintf("failed to parse csv mounts: %s", value);
		sv_clear(&fields);
		return -1;
	}
	/* the type decides what the other keys mean: find it first */
	for (size_t i = 0; i < fields.n; i++) {
		const char *f = fields.v[i];
		if (!strncasecmp(f, "type=", 5)) {
			const char *t = f + 5;
			if (!strcmp(t, "bind")) m->type = DF_MOUNT_BIND;
			else if (!strcmp(t, "cache")) m->type = DF_MOUNT_CACHE;
			else if (!strcmp(t, "tmpfs")) m->type = DF_MOUNT_TMPFS;
			else if (!strcmp(t, "secret")) m->type = DF_MOUNT_SECRET;
			else if (!strcmp(t, "ssh")) m->type = DF_MOUNT_SSH;
			else {
				*msg = xasprintf("unsupported mount type \"%s\"", t);
				goto fail;
			}
		}
	}
	bool ro_set = false, sharing_set = false;
	const char *tname[] = { "bind", "cache", "tmpfs", "secret", "ssh" };
	for (size_t i = 0; i < fields.n; i++) {
		char *f = fields.v[i];
		char *eq = strchr(f, '=');
		char key[64];
		size_t kl = eq ? (size_t)(eq - f) : strlen(f);
		if (kl >= sizeof(key)) {
			*msg = xasprintf("unexpected key '%s' in '%s'", f, f);
			goto fail;
		}
		for (size_t j = 0; j < kl; j++)
			key[j] = (char)tolower((unsigned char)f[j]);
		key[kl] = 0;
		const char *v = eq ? eq + 1 : NULL;
		if (!v) {
			if (!strcmp(key, "readonly") || !strcmp(key, "ro")) {
				m->readonly = true;
				ro_set = true;
				continue;
			}
			if (!strcmp(key, "readwrite") || !strcmp(key, "rw")) {
				m->readonly = false;
				ro_set = true;
				continue;
			}
			if (!strcmp(key, "required")) {
				if (m->type == DF_MOUNT_SECRET || m->type == DF_MOUNT_SSH) {
					m->required = true;
					continue;
				}
				*msg = xasprintf("unexpected key '%s' for mount type '%s'", key, tname[m->type]);
				goto fail;
			}
			*msg = xasprintf("invalid field '%s' must be a key=value pair", f);
			goto fail;
		}
		if (!strcmp(key, "type"))
			continue;
		if (!strcmp(key, "from")) {
			free(m->from);
			m->from = xstrdup(v);
		} else if (!strcmp(key, "source") || !strcmp(key, "src")) {
			free(m->source);
			m->source = xstrdup(v);
		} else if (!strcmp(key, "target") || !strcmp(key, "dst") || !strcmp(key, "destination")) {
			free(m->target);
			m->target = xstrdup(v);
		} else if (!strcmp(key, "readonly") || !strcmp(key, "ro") || !strcmp(key, "readwrite") ||
			   !strcmp(key, "rw")) {
			bool b;
			if (parse_bool(v, &b)) {
				*msg = xasprintf("invalid value for %s: %s", key, v);
				goto fail;
			}
			m->readonly = (key[0] == 'r' && (key[1] == 'o' || !strncmp(key, "readonly", 8))) ? b : !b;
			ro_set = true;
		} else if (!strcmp(key, "required")) {
			if (m->type != DF_MOUNT_SECRET && m->type != DF_MOUNT_SSH) {
				*msg = xasprintf("unexpected key '%s' for mount type '%s'", key, tname[m->type]);
				goto fail;
			}
			if (parse_bool(v, &m->required)) {
				*msg = xasprintf("invalid value for %s: %s", key, v);
				goto fail;
			}
		} else if (!strcmp(key, "id")) {
			free(m->id);
			m->id = xstrdup(v);
		} else if (!strcmp(key, "sharing")) {
			if (!strcmp(v, "shared")) m->sharing = DF_SHARING_SHARED;
			else if (!strcmp(v, "private")) m->sharing = DF_SHARING_PRIVATE;
			else if (!strcmp(v, "locked")) m->sharing = DF_SHARING_LOCKED;
			else {
				*msg = xasprintf("unsupported sharing value \"%s\"", v);
				goto fail;
			}
			sharing_set = true;
		} else if (!strcmp(key, "mode") || !strcmp(key, "uid") || !strcmp(key, "gid")) {
			char *end;
			errno = 0;
			unsigned long x = strtoul(v, &end, key[0] == 'm' ? 8 : 10);
			if (!*v || *end || errno || x > 0xffffffffUL || *v == '-') {
				*msg = xasprintf("failed to parse %s: strconv.ParseUint: parsing \"%s\": invalid syntax",
						 key, v);
				goto fail;
			}
			if (key[0] == 'm') m->mode = (long)x;
			else if (key[0] == 'u') m->uid = (long)x;
			else m->gid = (long)x;
		} else if (!strcmp(key, "size")) {
			if (m->type != DF_MOUNT_TMPFS) {
				*msg = xasprintf("unexpected key '%s' for mount type '%s'", key, tname[m->type]);
				goto fail;
			}
			if (ram_in_bytes(v, &m->size)) {
				*msg = xasprintf("invalid size value %s", v);
				goto fail;
			}
		} else if (!strcmp(key, "env")) {
			if (m->type != DF_MOUNT_SECRET) {
				*msg = xasprintf("unexpected key '%s' for mount type '%s'", key, tname[m->type]);
				goto fail;
			}
			free(m->env);
			m->env = xstrdup(v);
		} else {
			*msg = xasprintf("unexpected key '%s' in '%s'", key, f);
			goto fail;
		}
	}
	if (!ro_set && m->type == DF_MOUNT_BIND)
		m->readonly = true; /* bind mounts are read-only unless rw */
	if (m->type == DF_MOUNT_SECRET || m->type == DF_MOUNT_SSH) {
		if (m->from) {
			*msg = xasprintf("%s mount should not have a from", tname[m->type]);
			goto fail;
		}
		if (m->type == DF_MOUNT_SECRET) {
			if (!m->id && m->target) {
				const char *b = strrchr(m->target, '/');
				m->id = xstrdup(b ? b + 1 : m->target);
			}
			if (!m->id && !m->target && !m->env) {
				*msg = xstrdup("one of source, target required");
				goto fail;
			}
			if (!m->id && m->env)
				m->id = xstrdup(m->env);
			if (!m->target && !m->env)
				m->target = xasprintf("/run/secrets/%s", m->id);
		} else {
			if (!m->id)
				m->id = xstrdup("default");
		}
	} else if (!m->target || !*m->target) {
		*msg = xstrdup("mount target is required (target=PATH)");
		goto fail;
	}
	if (sharing_set && m->type != DF_MOUNT_CACHE) {
		*msg = xasprintf("invalid cache sharing set for %s mount", tname[m->type]);
		goto fail;
	}
	if (m->type != DF_MOUNT_CACHE && m->type != DF_MOUNT_SECRET && m->type != DF_MOUNT_SSH) {
		if (m->mode >= 0 || m->uid >= 0 || m->gid >= 0) {
			*msg = xasprintf("%s not allowed for %s type mounts",
					 m->mode >= 0 ? "mode" : m->uid >= 0 ? "uid" : "gid", tname[m->type]);
			goto fail;
		}
	}
	if (m->type == DF_MOUNT_TMPFS && (m->from || m->source)) {
		*msg = xasprintf("%s not allowed for tmpfs type mounts", m->from ? "from" : "source");
		goto fail;
	}
	sv_clear(&fields);
	return 0;
fail:
	sv_clear(&fields);
	df_mount_release(m);
	return -1;
}

void df_mount_release(struct df_mount *m)
{
	free(m->from);
	free(m->source);
	free(m->target);
	free(m->id);
	free(m->env);
	free(m->raw);
	memset(m, 0, sizeof(*m));
}

/* ---- Go durations ---- */
int df_parse_duration(const char *s, int64_t *ns)
{
	bool neg = false;
	const char *p = s;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (!strcmp(p, "0")) {
		*ns = 0;
		return 0;
	}
	if (!*p)
		return -1;
	double total = 0;
	while (*p) {
		if (!isdigit((unsigned char)*p) && *p != '.')
			return -1;
		char *end;
		double v = strtod(p, &end);
		if (end == p)
			return -1;
		p = end;
		static const struct { const char *u; double mul; } units[] = {
			{ "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "\xce\xbcs", 1e3 },
			{ "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 },
		};
		size_t best = SIZE_MAX, bl = 0;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t l = strlen(units[i].u);
			if (!strncmp(p, units[i].u, l) && l > bl) {
				best = i;
				bl = l;
			}
		}
		if (best == SIZE_MAX)
			return -1;
		total += v * units[best].mul;
		p += bl;
	}
	if (total > 9.2e18)
		return -1;
	*ns = (int64_t)(total + 0.5);
	if (neg)
		*ns = -*ns;
	return 0;
}

static void frac(struct strbuf *sb, uint64_t v, int prec, uint64_t *rest)
{
	/* v / 10^prec with trailing zeros of the fraction removed (Go's fmtFrac) */
	char buf[32];
	int n = 0;
	bool print = false;
	for (int i = 0; i < prec; i++) {
		int digit = (int)(v % 10);
		print = print || digit != 0;
		if (print)
			buf[n++] = (char)('0' + digit);
		v /= 10;
	}
	if (print)
		buf[n++] = '.';
	*rest = v;
	(void)sb;
	/* caller prints rest, then the reversed buf */
	char out[32];
	for (int i = 0; i < n; i++)
		out[i] = buf[n - 1 - i];
	out[n] = 0;
	sb_adds(sb, out);
}

void df_format_duration(struct strbuf *sb, int64_t d)
{
	if (d == 0) {
		sb_adds(sb, "0s");
		return;
	}
	uint64_t u = d < 0 ? (uint64_t)(-(d + 1)) + 1 : (uint64_t)d;
	if (d < 0)
		sb_addc(sb, '-');
	struct strbuf f = STRBUF_INIT;
	sb_init(&f);
	uint64_t rest;
	if (u < 1000000000ULL) {
		int prec;
		const char *unit;
		if (u < 1000) {
			sb_addf(sb, "%" PRIu64 "ns", u);
			sb_release(&f);
			return;
		} else if (u < 1000000) {
			prec = 3;
			unit = "\xc2\xb5s";
		} else {
			prec = 6;
			unit = "ms";
		}
		frac(&f, u, prec, &rest);
		sb_addf(sb, "%" PRIu64 "%s%s", rest, f.buf, unit);
		sb_release(&f);
		return;
	}
	frac(&f, u, 9, &rest);
	uint64_t secs = rest % 60, mins = rest / 60 % 60, hours = rest / 3600;
	if (hours)
		sb_addf(sb, "%" PRIu64 "h", hours);
	if (hours || mins)
		sb_addf(sb, "%" PRIu64 "m", mins);
	sb_addf(sb, "%" PRIu64 "%ss", secs, f.buf);
	sb_release(&f);
}
