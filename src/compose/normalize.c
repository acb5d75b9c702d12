/* normalize.c: the normalised Compose model as `docker compose config` prints it: ports and
 * volumes in long syntax, environment / labels as maps (env_file applied), build contexts
 * absolute, command / entrypoint as lists, depends_on as a map, the default network, resource
 * names (<project>_<name>), keys in compose's order; and the depends_on checks (unknown
 * services, cycles). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "compose/compose.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* ---- shell words (go-shellwords without env expansion) ---- */
static json_t *shell_split(const char *s)
{
	json_t *out = json_array();
	struct strbuf w = STRBUF_INIT;
	sb_init(&w);
	bool in = false;
	char q = 0;
	for (const char *p = s; *p; p++) {
		if (q) {
			if (*p == q)
				q = 0;
			else if (q == '"' && *p == '\\' && p[1] && strchr("\"\\$`", p[1]))
				sb_addc(&w, *++p);
			else
				sb_addc(&w, *p);
			continue;
		}
		if (isspace((unsigned char)*p)) {
			if (in) {
				json_array_append_new(out, json_string(w.buf));
				sb_reset(&w);
				in = false;
			}
			continue;
		}
		in = true;
		if (*p == '\'' || *p == '"')
			q = *p;
		else if (*p == '\\' && p[1])
			sb_addc(&w, *++p);
		else
			sb_addc(&w, *p);
	}
	if (in)
		json_array_append_new(out, json_string(w.buf));
	sb_release(&w);
	return out;
}

/* A new object with obj's keys sorted. */
static int keycmp(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }
static json_t *sorted(json_t *obj)
{
	size_t n = json_object_size(obj), i = 0;
	const char **keys = xcalloc(n ? n : 1, sizeof *keys);
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) keys[i++] = k;
	qsort(keys, n, sizeof *keys, keycmp);
	json_t *o = json_object();
	for (i = 0; i < n; i++)
		json_object_set(o, keys[i], json_object_get(obj, keys[i]));
	free(keys);
	return o;
}

/* Copy the listed keys first in order, then the rest sorted. */
static json_t *ordered(json_t *obj, const char *const *order, size_t n)
{
	json_t *o = json_object();
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object_get(obj, order[i]);
		if (v)
			json_object_set(o, order[i], v);
	}
	json_t *s = sorted(obj);
	const char *k;
	json_t *v;
	json_object_foreach(s, k, v)
		if (!json_object_get(o, k))
			json_object_set(o, k, v);
	json_decref(s);
	return o;
}

/* "K=V" list (or map) -> map; "K" alone takes the variable's value or null. */
static json_t *kv_map(json_t *v, json_t *env, bool lookup)
{
	json_t *m = json_object();
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x) {
			if (json_is_null(x) && lookup && compose_lookup_json(env, k))
				json_object_set_new(m, k, json_string(compose_lookup_json(env, k)));
			else if (json_is_integer(x) || json_is_real(x) || json_is_boolean(x)) {
				char *s = json_is_boolean(x) ? xstrdup(json_is_true(x) ? "true" : "false")
							      : json_dumps(x, JSON_ENCODE_ANY);
				json_object_set_new(m, k, json_string(s));
				free(s);
			} else
				json_object_set(m, k, x);
		}
		return m;
	}
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x) {
		if (!json_is_string(x))
			continue;
		const char *s = json_string_value(x);
		const char *eq = strchr(s, '=');
		if (eq) {
			_cleanup_free_ char *k = xstrndup(s, (size_t)(eq - s));
			json_object_set_new(m, k, json_string(eq + 1));
		} else if (lookup && compose_lookup_json(env, s))
			json_object_set_new(m, s, json_string(compose_lookup_json(env, s)));
		else
			json_object_set_new(m, s, json_null());
	}
	return m;
}

/* Key orders of compose-go's types (yaml output follows the struct field order). */
static const char *const service_order[] = {
	"name", "profiles", "annotations", "attach", "build", "develop", "blkio_config", "cap_add", "cap_drop",
	"cgroup_parent", "cgroup", "cpu_count", "cpu_percent", "cpu_period", "cpu_quota", "cpu_rt_period",
	"cpu_rt_runtime", "cpus", "cpuset", "cpu_shares", "command", "configs", "container_name", "credential_spec",
	"depends_on", "deploy", "device_cgroup_rules", "devices", "dns", "dns_opt", "dns_search", "dockerfile",
	"domainname", "entrypoint", "provider", "environment", "env_file", "expose", "extends", "external_links",
	"extra_hosts", "group_add", "gpus", "hostname", "healthcheck", "image", "init", "ipc", "isolation", "labels",
	"label_file", "links", "logging", "log_driver", "log_opt", "mem_limit", "mem_reservation", "memswap_limit",
	"mem_swappiness", "mac_address", "models", "net", "network_mode", "networks", "oom_kill_disable",
	"oom_score_adj", "pid", "pids_limit", "platform", "ports", "privileged", "pull_policy", "read_only", "restart",
	"runtime", "scale", "secrets", "security_opt", "shm_size", "stdin_open", "stop_grace_period", "stop_signal",
	"storage_opt", "sysctls", "tmpfs", "tty", "ulimits", "use_api_socket", "user", "userns_mode", "uts",
	"volume_driver", "volumes", "volumes_from", "working_dir", "pre_start", "post_start", "pre_stop",
};
static const char *const build_order[] = {
	"context", "dockerfile", "dockerfile_inline", "entitlements", "args", "provenance", "sbom", "ssh", "labels",
	"cache_from", "cache_to", "no_cache", "no_cache_filter", "additional_contexts", "pull", "extra_hosts",
	"isolation", "network", "target", "secrets", "shm_size", "tags", "ulimits", "platforms", "privileged",
};
static const char *const health_order[] = { "test", "timeout", "interval", "retries", "start_period", "start_interval", "disable" };
static const char *const dep_order[] = { "condition", "restart", "required" };
static const char *const svcnet_order[] = { "aliases", "driver_opts", "gw_priority", "interface_name", "ipv4_address",
					     "ipv6_address", "link_local_ips", "mac_address", "priority" };
static const char *const network_order[] = { "name", "driver", "driver_opts", "ipam", "external", "internal",
					      "attachable", "labels", "enable_ipv4", "enable_ipv6" };
static const char *const volume_order[] = { "name", "driver", "driver_opts", "external", "labels" };
static const char *const fileobj_order[] = { "name", "file", "environment", "content", "external", "labels",
					      "driver", "driver_opts", "template_driver" };
#define ORDERED(obj, order) ordered((obj), (order), ARRAY_SIZE(order))

/* ---- durations: parsed as compose-go does (str2duration: ns us µs ms s m h d w) and printed
 * as Go's time.Duration.String() ("90s" -> "1m30s") ---- */
static int parse_duration(const char *s, long long *out)
{
	static const struct {
		const char *u;
		double ns;
	} units[] = { { "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "\xce\xbcs", 1e3 }, { "ms", 1e6 },
		      { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 }, { "d", 86400e9 }, { "w", 604800e9 } };
	const char *p = s;
	bool neg = false;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (!strcmp(p, "0")) {
		*out = 0;
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
		size_t best = 0, bl = 0;
		for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
			size_t l = strlen(units[i].u);
			if (!strncmp(p, units[i].u, l) && l > bl)
				best = i, bl = l;
		}
		if (!bl)
			return -1; /* missing or unknown unit */
		total += v * units[best].ns;
		p += bl;
	}
	if (total > 9.2e18)
		return -1;
	*out = (long long)(total + 0.5) * (neg ? -1 : 1);
	return 0;
}

static void frac_digits(struct strbuf *sb, unsigned long long frac, int prec)
{
	char d[16];
	snprintf(d, sizeof d, "%0*llu", prec, frac);
	int l = prec;
	while (l > 0 && d[l - 1] == '0')
		l--;
	if (l)
		sb_addf(sb, ".%.*s", l, d);
}

static char *go_duration(long long ns)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	if (ns == 0) {
		sb_adds(&sb, "0s");
		return sb_detach(&sb);
	}
	if (ns < 0)
		sb_addc(&sb, '-');
	unsigned long long u = ns < 0 ? 0ULL - (unsigned long long)ns : (unsigned long long)ns;
	if (u < 1000ULL) {
		sb_addf(&sb, "%lluns", u);
	} else if (u < 1000000ULL) {
		sb_addf(&sb, "%llu", u / 1000);
		frac_digits(&sb, u % 1000, 3);
		sb_adds(&sb, "\xc2\xb5s");
	} else if (u < 1000000000ULL) {
		sb_addf(&sb, "%llu", u / 1000000);
		frac_digits(&sb, u % 1000000, 6);
		sb_adds(&sb, "ms");
	} else {
		unsigned long long secs = u / 1000000000ULL, frac = u % 1000000000ULL;
		unsigned long long h = secs / 3600, m = secs / 60 % 60, sec = secs % 60;
		if (h)
			sb_addf(&sb, "%lluh", h);
		if (h || m)
			sb_addf(&sb, "%llum", m);
		sb_addf(&sb, "%llu", sec);
		frac_digits(&sb, frac, 9);
		sb_addc(&sb, 's');
	}
	return sb_detach(&sb);
}

/* Normalise obj[key] as a duration; error names the path. */
static int norm_duration(json_t *obj, const char *key, const char *path, berr *err)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return 0;
	char buf[64];
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	if (!s) {
		if (json_is_integer(v))
			snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
		else
			snprintf(buf, sizeof buf, "%g", json_number_value(v));
		s = buf;
	}
	long long ns;
	if (parse_duration(s, &ns) < 0)
		return berr_set(err, 0, "%s.%s: invalid duration \"%s\"", path, key, s);
	char *d = go_duration(ns);
	json_object_set_new(obj, key, json_string(d));
	free(d);
	return 0;
}

static int norm_durations(const char *name, json_t *s, berr *err)
{
	_cleanup_free_ char *p = xasprintf("services.%s", name);
	_cleanup_free_ char *hp = xasprintf("services.%s.healthcheck", name);
	json_t *hc = json_object_get(s, "healthcheck");
	const char *hk[] = { "timeout", "interval", "start_period", "start_interval" };
	for (size_t i = 0; i < ARRAY_SIZE(hk); i++)
		if (json_is_object(hc) && norm_duration(hc, hk[i], hp, err) < 0)
			return -1;
	if (norm_duration(s, "stop_grace_period", p, err) < 0)
		return -1;
	json_t *dep = json_object_get(s, "deploy");
	const char *sub[] = { "update_config", "rollback_config", "restart_policy" };
	const char *keys[3][2] = { { "delay", "monitor" }, { "delay", "monitor" }, { "delay", "window" } };
	for (int i = 0; i < 3; i++) {
		json_t *o = json_object_get(dep, sub[i]);
		if (!json_is_object(o))
			continue;
		_cleanup_free_ char *dp = xasprintf("services.%s.deploy.%s", name, sub[i]);
		for (int k = 0; k < 2; k++)
			if (norm_duration(o, keys[i][k], dp, err) < 0)
				return -1;
	}
	return 0;
}

/* ---- ports ---- */
static bool parse_range(const char *s, long *lo, long *hi)
{
	char *end;
	if (!*s)
		return false;
	*lo = strtol(s, &end, 10);
	if (end == s)
		return false;
	*hi = *lo;
	if (*end == '-') {
		const char *h = end + 1;
		*hi = strtol(h, &end, 10);
		if (end == h)
			return false;
	}
	return !*end && *lo >= 0 && *hi >= *lo && *hi <= 65535;
}

static json_t *port_obj(const char *ip, long target, const char *published, const char *proto)
{
	json_t *p = json_object();
	json_object_set_new(p, "mode", json_string("ingress"));
	if (ip && *ip)
		json_object_set_new(p, "host_ip", json_string(ip));
	json_object_set_new(p, "target", json_integer(target));
	if (published && *published)
		json_object_set_new(p, "published", json_string(published));
	json_object_set_new(p, "protocol", json_string(proto));
	return p;
}

static int short_port(const char *svc, const char *spec, json_t *out, berr *err)
{
	_cleanup_free_ char *s = xstrdup(spec);
	const char *proto = "tcp";
	char *slash = strrchr(s, '/');
	if (slash) {
		*slash = 0;
		proto = slash + 1;
	}
	/* split from the right: container, published, ip ([v6] allowed) */
	char *ip = NULL, *pub = NULL, *ctr = s;
	char *last = strrchr(s, ':');
	if (last) {
		*last = 0;
		ctr = last + 1;
		pub = s;
		char *bracket = strrchr(s, ']');
		char *c2 = strrchr(bracket ? bracket : s, ':');
		if (c2) {
			*c2 = 0;
			ip = s;
			pub = c2 + 1;
		}
		if (ip && ip[0] == '[') {
			ip++;
			size_t l = strlen(ip);
			if (l && ip[l - 1] == ']')
				ip[l - 1] = 0;
		}
	}
	long clo, chi, plo = 0, phi = 0;
	if (!parse_range(ctr, &clo, &chi))
		return berr_set(err, 0, "services.%s.ports: invalid containerPort: %s", svc, ctr);
	if (pub && *pub && !parse_range(pub, &plo, &phi))
		return berr_set(err, 0, "services.%s.ports: invalid hostPort: %s", svc, pub);
	if (pub && *pub && phi - plo != chi - clo && chi != clo)
		return berr_set(err, 0, "services.%s.ports: invalid ranges specified for container and host Ports: %s and %s",
				svc, ctr, pub);
	for (long t = clo; t <= chi; t++) {
		char pb[32] = "";
		if (pub && *pub) {
			if (chi == clo && phi != plo)
				snprintf(pb, sizeof pb, "%ld-%ld", plo, phi);
			else
				snprintf(pb, sizeof pb, "%ld", plo + (t - clo));
		}
		json_array_append_new(out, port_obj(ip, t, pb, proto));
	}
	return 0;
}

static int norm_ports(const char *svc, json_t *ports, json_t **out, berr *err)
{
	json_t *res = json_array();
	size_t i;
	json_t *p;
	static const char *const order[] = { "name", "mode", "host_ip", "target", "published", "protocol", "app_protocol" };
	json_array_foreach(ports, i, p) {
		if (json_is_integer(p)) {
			json_array_append_new(res, port_obj(NULL, (long)json_integer_value(p), NULL, "tcp"));
		} else if (json_is_string(p)) {
			if (short_port(svc, json_string_value(p), res, err) < 0) {
				json_decref(res);
				return -1;
			}
		} else if (json_is_object(p)) {
			json_t *c = json_deep_copy(p);
			if (!json_object_get(c, "mode"))
				json_object_set_new(c, "mode", json_string("ingress"));
			if (!json_object_get(c, "protocol"))
				json_object_set_new(c, "protocol", json_string("tcp"));
			json_t *pub = json_object_get(c, "published");
			if (json_is_integer(pub)) {
				char b[32];
				snprintf(b, sizeof b, "%lld", (long long)json_integer_value(pub));
				json_object_set_new(c, "published", json_string(b));
			}
			json_t *t = json_object_get(c, "target");
			if (json_is_string(t))
				json_object_set_new(c, "target", json_integer(atol(json_string_value(t))));
			json_array_append_new(res, ordered(c, order, ARRAY_SIZE(order)));
			json_decref(c);
		}
	}
	/* keep the field order */
	json_t *fin = json_array();
	json_array_foreach(res, i, p) json_array_append_new(fin, ordered(p, order, ARRAY_SIZE(order)));
	json_decref(res);
	*out = fin;
	return 0;
}

/* ---- volumes ---- */
static bool is_path(const char *s)
{
	return s[0] == '.' || s[0] == '/' || s[0] == '~';
}

static json_t *short_volume(const char *spec, const char *dir)
{
	_cleanup_free_ char *s = xstrdup(spec);
	char *parts[3] = { s, NULL, NULL };
	int n = 1;
	for (char *p = s; *p && n < 3; p++)
		if (*p == ':') {
			*p = 0;
			parts[n++] = p + 1;
		}
	json_t *v = json_object();
	const char *src = n >= 2 ? parts[0] : NULL, *target = n >= 2 ? parts[1] : parts[0];
	const char *mode = n == 3 ? parts[2] : NULL;
	bool bind = src && is_path(src);
	json_object_set_new(v, "type", json_string(bind ? "bind" : "volume"));
	if (src) {
		if (bind) {
			char *a = compose_abspath(dir, src);
			json_object_set_new(v, "source", json_string(a));
			free(a);
		} else
			json_object_set_new(v, "source", json_string(src));
	}
	json_object_set_new(v, "target", json_string(target));
	json_t *bindo = bind ? json_pack("{s:b}", "create_host_path", 1) : NULL;
	json_t *volo = bind ? NULL : json_object();
	if (mode) {
		_cleanup_free_ char *m = xstrdup(mode);
		char *save = NULL;
		for (char *o = strtok_r(m, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
			if (!strcmp(o, "ro"))
				json_object_set_new(v, "read_only", json_true());
			else if (!strcmp(o, "rw"))
				;
			else if ((!strcmp(o, "z") || !strcmp(o, "Z")) && bindo)
				json_object_set_new(bindo, "selinux", json_string(o));
			else if (!strcmp(o, "nocopy") && volo)
				json_object_set_new(volo, "nocopy", json_true());
			else if (!strcmp(o, "consistent") || !strcmp(o, "cached") || !strcmp(o, "delegated"))
				json_object_set_new(v, "consistency", json_string(o));
			else if (bindo && (!strcmp(o, "shared") || !strcmp(o, "rshared") || !strcmp(o, "slave") ||
					   !strcmp(o, "rslave") || !strcmp(o, "private") || !strcmp(o, "rprivate")))
				json_object_set_new(bindo, "propagation", json_string(o));
		}
	}
	if (bindo)
		json_object_set_new(v, "bind", bindo);
	if (volo)
		json_object_set_new(v, "volume", volo);
	return v;
}

static const char *const vol_order[] = { "type", "source", "target", "read_only", "consistency", "bind", "volume", "tmpfs", "image" };

static int norm_volumes(const char *svc, json_t *vols, const char *dir, json_t *topvols, json_t **out, berr *err)
{
	json_t *res = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(vols, i, v) {
		json_t *o;
		if (json_is_string(v))
			o = short_volume(json_string_value(v), dir);
		else if (json_is_object(v)) {
			o = json_deep_copy(v);
			const char *t = json_string_value(json_object_get(o, "type"));
			const char *src = json_string_value(json_object_get(o, "source"));
			if (t && !strcmp(t, "bind") && src && src[0] != '/') {
				char *a = compose_abspath(dir, src);
				json_object_set_new(o, "source", json_string(a));
				free(a);
			}
		} else
			continue;
		const char *tgt = json_string_value(json_object_get(o, "target"));
		if (tgt && *tgt) {
			/* path.Clean on the target */
			char *c = compose_abspath("/", tgt);
			if (tgt[0] != '/')
				json_object_set_new(o, "target", json_string(tgt)); /* relative targets stay */
			else
				json_object_set_new(o, "target", json_string(c));
			free(c);
		}
		const char *t = json_string_value(json_object_get(o, "type"));
		const char *src = json_string_value(json_object_get(o, "source"));
		if (t && !strcmp(t, "volume") && src && *src && !json_object_get(topvols, src)) {
			berr_set(err, 0, "service \"%s\" refers to undefined volume %s: invalid compose project", svc, src);
			json_decref(o);
			json_decref(res);
			return -1;
		}
		json_array_append_new(res, ordered(o, vol_order, ARRAY_SIZE(vol_order)));
		json_decref(o);
	}
	*out = res;
	return 0;
}

/* "512m" -> 536870912 (compose prints unit bytes as a decimal string) */
/* Byte sizes as compose's UnitBytes: an integer, or go-units' RAMInBytes ("512m", "1.5GiB",
 * base 1024), printed as a decimal string. NULL (with err) when invalid. */
static json_t *unit_bytes(json_t *v, const char *path, berr *err)
{
	char b[32];
	if (json_is_integer(v)) {
		snprintf(b, sizeof b, "%lld", (long long)json_integer_value(v));
		return json_string(b);
	}
	if (!json_is_string(v))
		return json_incref(v);
	const char *s = json_string_value(v);
	char *end;
	errno = 0;
	long long iv = strtoll(s, &end, 10);
	if (*s && !*end && !errno) {
		snprintf(b, sizeof b, "%lld", iv);
		return json_string(b);
	}
	/* ^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$ */
	const char *p = s;
	if (!isdigit((unsigned char)*p))
		goto bad;
	double d = strtod(p, &end);
	p = end;
	if (*p == ' ')
		p++;
	double mul = 1;
	const char *u = strchr("kmgtp", tolower((unsigned char)*p));
	if (*p && u) {
		for (const char *q = "kmgtp"; q <= u; q++)
			mul *= 1024.0;
		p++;
	}
	if (*p == 'i' || *p == 'I')
		p++;
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p)
		goto bad;
	snprintf(b, sizeof b, "%lld", (long long)(d * mul));
	return json_string(b);
bad:
	berr_set(err, 0, "%s: invalid size: '%s'", path, s);
	return NULL;
}

struct svc_lookup {
	json_t *env, *svcenv;
};
/* env_file interpolation: the project's variables first, then the service's environment */
static const char *svc_lookup_fn(void *ud, const char *name)
{
	struct svc_lookup *l = ud;
	const char *v = compose_lookup_json(l->env, name);
	return v ? v : compose_lookup_json(l->svcenv, name);
}

static int load_env_files(const char *svc, json_t *s, json_t *env, json_t *environment, berr *err)
{
	json_t *ef = json_object_get(s, "env_file");
	if (!ef)
		return 0;
	json_t *list = json_array();
	if (json_is_string(ef))
		json_array_append_new(list, json_pack("{s:O,s:b}", "path", ef, "required", 1));
	else {
		size_t i;
		json_t *x;
		json_array_foreach(ef, i, x) {
			if (json_is_string(x))
				json_array_append_new(list, json_pack("{s:O,s:b}", "path", x, "required", 1));
			else if (json_is_object(x)) {
				json_t *c = json_deep_copy(x);
				if (!json_object_get(c, "required"))
					json_object_set_new(c, "required", json_true());
				json_array_append_new(list, c);
			}
		}
	}
	json_t *vals = json_object();
	size_t i;
	json_t *x;
	json_array_foreach(list, i, x) {
		const char *p = json_string_value(json_object_get(x, "path"));
		if (!p)
			continue;
		struct stat st;
		if (stat(p, &st) < 0) {
			if (json_is_false(json_object_get(x, "required")))
				continue;
			json_decref(list);
			json_decref(vals);
			return berr_set(err, 2, "env file %s not found: stat %s: no such file or directory", p, p);
		}
		struct svc_lookup sl = { env, environment };
		if (compose_dotenv_load(p, svc_lookup_fn, &sl, vals, err) < 0) {
			json_decref(list);
			json_decref(vals);
			return berr_wrap(err, "service %s", svc);
		}
	}
	/* environment: wins over env_file; the env_file section is then dropped, as
	 * `docker compose config` does (WithDiscardEnvFile) */
	json_object_update_missing(environment, vals);
	json_decref(vals);
	json_decref(list);
	json_object_del(s, "env_file");
	return 0;
}

/* label_file: labels read from files, overridden by `labels` (the section is dropped). */
static int load_label_files(json_t *s, json_t *labels, berr *err)
{
	json_t *lf = json_object_get(s, "label_file");
	if (!lf)
		return 0;
	json_t *list = json_is_string(lf) ? json_pack("[O]", lf) : json_incref(lf);
	json_t *vals = json_object();
	size_t i;
	json_t *x;
	int rc = 0;
	json_array_foreach(list, i, x) {
		const char *p = json_string_value(x);
		if (!p)
			continue;
		struct stat st;
		if (stat(p, &st) < 0) {
			rc = berr_set(err, 2, "label file %s not found: stat %s: no such file or directory", p, p);
			break;
		}
		if ((rc = compose_dotenv_load(p, compose_lookup_json, vals, vals, err)) < 0)
			break;
	}
	if (rc == 0) {
		json_object_update_missing(labels, vals);
		json_object_del(s, "label_file");
	}
	json_decref(vals);
	json_decref(list);
	return rc;
}

static size_t json_size_of(json_t *v)
{
	return json_is_object(v) ? json_object_size(v) : json_is_array(v) ? json_array_size(v) : 0;
}

static int norm_service(const char *name, json_t *s, const char *project, const char *dir, json_t *env,
			json_t *model, berr *err)
{
	(void)project;
	json_t *v;
	if (!json_object_get(s, "image") && !json_object_get(s, "build"))
		return berr_set(err, 0, "service \"%s\" has neither an image nor a build context specified: invalid compose project",
				name);
	/* build */
	v = json_object_get(s, "build");
	if (json_is_string(v))
		json_object_set_new(s, "build", v = json_pack("{s:O}", "context", v));
	if (json_is_object(v)) {
		if (!json_object_get(v, "context"))
			json_object_set_new(v, "context", json_string("."));
		const char *c = json_string_value(json_object_get(v, "context"));
		if (c && !strstr(c, "://") && strncmp(c, "git@", 4) && c[0] != '/') {
			char *a = compose_abspath(dir, c);
			json_object_set_new(v, "context", json_string(a));
			free(a);
		}
		if (!json_object_get(v, "dockerfile") && !json_object_get(v, "dockerfile_inline"))
			json_object_set_new(v, "dockerfile", json_string("Dockerfile"));
		if (json_object_get(v, "args")) {
			/* a bare ARG takes the variable's value, or is dropped when unset */
			json_t *a = kv_map(json_object_get(v, "args"), env, true);
			const char *ak;
			json_t *av;
			void *tmp;
			json_object_foreach_safe(a, tmp, ak, av)
				if (json_is_null(av))
					json_object_del(a, ak);
			json_object_set_new(v, "args", a);
		}
		if (json_object_get(v, "dockerfile") && json_object_get(v, "dockerfile_inline"))
			return berr_set(err, 0, "service \"%s\" declares mutualy exclusive dockerfile and dockerfile_inline: invalid compose project",
					name);
		if (json_object_get(v, "labels"))
			json_object_set_new(v, "labels", kv_map(json_object_get(v, "labels"), env, false));
		json_object_set_new(s, "build", ORDERED(v, build_order));
	}
	const char *words[] = { "command", "entrypoint" };
	for (int i = 0; i < 2; i++)
		if (json_is_string(v = json_object_get(s, words[i])))
			json_object_set_new(s, words[i], shell_split(json_string_value(v)));
	/* environment + env_file */
	json_t *environment = json_object_get(s, "environment") ? kv_map(json_object_get(s, "environment"), env, true)
							       : json_object();
	{
		json_t *ef = json_object_get(s, "env_file");
		if (ef) {
			json_t *wrap = json_pack("{s:{s:O}}", "services", name, s);
			compose_resolve_paths(wrap, dir);
			json_decref(wrap);
		}
	}
	if (load_env_files(name, s, env, environment, err) < 0) {
		json_decref(environment);
		return -1;
	}
	if (json_object_size(environment) || json_object_get(s, "environment"))
		json_object_set_new(s, "environment", sorted(environment));
	json_decref(environment);
	{
		json_t *labels = json_object_get(s, "labels") ? kv_map(json_object_get(s, "labels"), env, false) : json_object();
		if (load_label_files(s, labels, err) < 0) {
			json_decref(labels);
			return -1;
		}
		if (json_object_size(labels))
			json_object_set_new(s, "labels", sorted(labels));
		json_decref(labels);
	}
	if ((v = json_object_get(s, "ports"))) {
		json_t *p;
		if (norm_ports(name, v, &p, err) < 0)
			return -1;
		json_object_set_new(s, "ports", p);
	}
	if ((v = json_object_get(s, "expose"))) {
		json_t *e = json_array();
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) {
			if (json_is_integer(x)) {
				char b[32];
				snprintf(b, sizeof b, "%lld", (long long)json_integer_value(x));
				json_array_append_new(e, json_string(b));
			} else
				json_array_append(e, x);
		}
		json_object_set_new(s, "expose", e);
	}
	if ((v = json_object_get(s, "volumes"))) {
		json_t *o = NULL;
		if (norm_volumes(name, v, dir, json_object_get(model, "volumes"), &o, err) < 0)
			return -1;
		json_object_set_new(s, "volumes", o);
	}
	if (json_is_string(v = json_object_get(s, "tmpfs")))
		json_object_set_new(s, "tmpfs", json_pack("[O]", v));
	/* networks */
	v = json_object_get(s, "networks");
	if (v && json_object_get(s, "network_mode") && json_size_of(v))
		return berr_set(err, 0, "service %s declares mutually exclusive `network_mode` and `networks`: invalid compose project",
				name);
	if (!v && !json_object_get(s, "network_mode"))
		json_object_set_new(s, "networks", json_pack("{s:n}", "default"));
	else if (json_is_array(v)) {
		json_t *m = json_object();
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x)
			if (json_is_string(x))
				json_object_set_new(m, json_string_value(x), json_null());
		json_object_set_new(s, "networks", m);
	}
	const char *nn;
	json_t *nv;
	json_object_foreach(json_object_get(s, "networks"), nn, nv) {
		if (strcmp(nn, "default") && !json_object_get(json_object_get(model, "networks"), nn))
			return berr_set(err, 0, "service \"%s\" refers to undefined network %s: invalid compose project", name, nn);
	}
	if ((v = json_object_get(s, "networks"))) {
		json_t *nets = sorted(v);
		const char *nk;
		json_t *nv2;
		json_object_foreach(nets, nk, nv2)
			if (json_is_object(nv2))
				json_object_set_new(nets, nk, ORDERED(nv2, svcnet_order));
		json_object_set_new(s, "networks", nets);
	}
	/* depends_on (a map), plus the dependencies implied by links, service: namespaces and
	 * volumes_from, as compose-go's Normalize */
	{
		v = json_object_get(s, "depends_on");
		json_t *m = json_object();
		if (json_is_array(v)) {
			size_t i;
			json_t *x;
			json_array_foreach(v, i, x)
				json_object_set_new(m, json_string_value(x),
						    json_pack("{s:s,s:b}", "condition", "service_started", "required", 1));
		} else if (json_is_object(v)) {
			const char *k;
			json_t *x;
			json_object_foreach(v, k, x) {
				json_t *c = json_is_object(x) ? json_deep_copy(x) : json_object();
				if (!json_object_get(c, "condition"))
					json_object_set_new(c, "condition", json_string("service_started"));
				if (!json_object_get(c, "required"))
					json_object_set_new(c, "required", json_true());
				json_object_set_new(m, k, ORDERED(c, dep_order));
				json_decref(c);
			}
		}
		size_t i;
		json_t *x;
		json_array_foreach(json_object_get(s, "links"), i, x) {
			const char *l = json_string_value(x);
			if (!l)
				continue;
			_cleanup_free_ char *svc = xstrndup(l, strcspn(l, ":"));
			if (strchr(l, ':') && strchr(strchr(l, ':') + 1, ':'))
				continue; /* only SERVICE or SERVICE:ALIAS */
			if (!json_object_get(m, svc))
				json_object_set_new(m, svc, json_pack("{s:s,s:b,s:b}", "condition", "service_started", "required", 1,
								  "restart", 1));
		}
		const char *ns[] = { "network_mode", "ipc", "pid", "uts", "cgroup" };
		for (size_t n = 0; n < ARRAY_SIZE(ns); n++) {
			const char *ref = json_string_value(json_object_get(s, ns[n]));
			if (ref && !strncmp(ref, "service:", 8) && !json_object_get(m, ref + 8))
				json_object_set_new(m, ref + 8, json_pack("{s:s,s:b,s:b}", "condition", "service_started", "required", 1,
									  "restart", 1));
		}
		json_array_foreach(json_object_get(s, "volumes_from"), i, x) {
			const char *vf = json_string_value(x);
			if (!vf || !strncmp(vf, "container:", 10))
				continue;
			_cleanup_free_ char *svc = xstrndup(vf, strcspn(vf, ":"));
			if (!json_object_get(m, svc))
				json_object_set_new(m, svc, json_pack("{s:s,s:b,s:b}", "condition", "service_started", "required", 1,
								  "restart", 0));
		}
		if (json_object_size(m))
			json_object_set_new(s, "depends_on", sorted(m));
		json_decref(m);
	}
	/* healthcheck test as a list */
	json_t *hc = json_object_get(s, "healthcheck");
	if (json_is_object(hc) && json_is_string(v = json_object_get(hc, "test")))
		json_object_set_new(hc, "test", json_pack("[s,O]", "CMD-SHELL", v));
	if (norm_durations(name, s, err) < 0)
		return -1;
	if (json_is_object(hc))
		json_object_set_new(s, "healthcheck", hc = ORDERED(hc, health_order));
	if (json_is_object(hc) && json_is_array(v = json_object_get(hc, "test")) && json_array_size(v)) {
		const char *t0 = json_string_value(json_array_get(v, 0));
		if (!t0 || (strcmp(t0, "CMD") && strcmp(t0, "CMD-SHELL") && strcmp(t0, "NONE")))
			return berr_set(err, 0, "healthcheck.test must start either by \"CMD\", \"CMD-SHELL\" or \"NONE\"");
	}
	{
		/* byte sizes: the service's, deploy.resources' memory, tmpfs mounts' size */
		struct {
			json_t *obj;
			const char *key;
		} sz[16];
		size_t n = 0;
		const char *bytes[] = { "mem_limit", "memswap_limit", "mem_reservation", "mem_swappiness", "shm_size" };
		for (size_t i = 0; i < ARRAY_SIZE(bytes); i++)
			sz[n].obj = s, sz[n++].key = bytes[i];
		json_t *res = json_object_get(json_object_get(s, "deploy"), "resources");
		sz[n].obj = json_object_get(res, "limits"), sz[n++].key = "memory";
		sz[n].obj = json_object_get(res, "reservations"), sz[n++].key = "memory";
		sz[n].obj = json_object_get(s, "build"), sz[n++].key = "shm_size";
		size_t vi;
		json_t *vol;
		json_array_foreach(json_object_get(s, "volumes"), vi, vol)
			if (n < ARRAY_SIZE(sz) && json_is_object(json_object_get(vol, "tmpfs")))
				sz[n].obj = json_object_get(vol, "tmpfs"), sz[n++].key = "size";
		for (size_t i = 0; i < n; i++) {
			if (!json_is_object(sz[i].obj) || !(v = json_object_get(sz[i].obj, sz[i].key)))
				continue;
			_cleanup_free_ char *path = xasprintf("services.%s.%s", name, sz[i].key);
			json_t *nv = unit_bytes(v, path, err);
			if (!nv)
				return -1;
			json_object_set_new(sz[i].obj, sz[i].key, nv);
		}
	}
	if (json_is_string(v = json_object_get(s, "cpus")))
		json_object_set_new(s, "cpus", json_real(strtod(json_string_value(v), NULL)));
	const char *mounts[] = { "secrets", "configs" };
	for (int m = 0; m < 2; m++) {
		json_t *l = json_object_get(s, mounts[m]);
		size_t i;
		json_t *x;
		json_array_foreach(l, i, x) {
			if (json_is_string(x))
				json_array_set_new(l, i, json_pack("{s:O}", "source", x));
			json_t *mnt = json_array_get(l, i);
			if (m == 0 && json_is_string(json_object_get(mnt, "source")) && !json_object_get(mnt, "target")) {
				char *t = xasprintf("/run/secrets/%s", json_string_value(json_object_get(mnt, "source")));
				json_object_set_new(mnt, "target", json_string(t));
				free(t);
			}
			const char *src = json_string_value(json_object_get(json_array_get(l, i), "source"));
			if (src && !json_object_get(json_object_get(model, mounts[m]), src))
				return berr_set(err, 0, "service \"%s\" refers to undefined %s %s: invalid compose project", name,
						m ? "config" : "secret", src);
		}
	}
	return 0;
}

static void norm_resources(json_t *model, const char *kind, const char *project)
{
	json_t *o = json_object_get(model, kind);
	if (!json_is_object(o))
		return;
	const char *k;
	json_t *v;
	json_t *res = json_object();
	json_object_foreach(o, k, v) {
		json_t *c = json_is_object(v) ? json_deep_copy(v) : json_object();
		json_t *ext = json_object_get(c, "external");
		bool external = json_is_true(ext) || json_is_object(ext);
		if (json_is_object(ext) && json_object_get(ext, "name")) {
			compose_warn("%s.%s: external.name is deprecated. Please set name and external: true", kind, k);
			if (!json_object_get(c, "name"))
				json_object_set(c, "name", json_object_get(ext, "name"));
		}
		if (json_is_object(ext))
			json_object_set_new(c, "external", json_true());
		if (!json_object_get(c, "name")) {
			if (external)
				json_object_set_new(c, "name", json_string(k));
			else {
				char *n = xasprintf("%s_%s", project, k);
				json_object_set_new(c, "name", json_string(n));
				free(n);
			}
		}
		if (json_object_get(c, "labels"))
			json_object_set_new(c, "labels", kv_map(json_object_get(c, "labels"), NULL, false));
		json_object_set_new(res, k, !strcmp(kind, "networks") ? ORDERED(c, network_order)
					    : !strcmp(kind, "volumes") ? ORDERED(c, volume_order)
								       : ORDERED(c, fileobj_order));
		json_decref(c);
	}
	json_object_set_new(model, kind, sorted(res));
	json_decref(res);
}

int compose_normalize(json_t *model, const char *project_name, const char *project_dir, json_t *env, berr *err)
{
	json_t *services = json_object_get(model, "services");
	if (!services || json_is_null(services)) {
		services = json_object();
		json_object_set_new(model, "services", services);
	}
	if (!json_is_object(services))
		return berr_set(err, 0, "services must be a mapping");
	/* top-level secrets/configs files are relative to the project directory */
	json_t *wrap = json_pack("{s:O*,s:O*}", "secrets", json_object_get(model, "secrets"), "configs",
				 json_object_get(model, "configs"));
	compose_resolve_paths(wrap, project_dir);
	json_decref(wrap);
	/* volumes: `data:` with no body */
	json_t *vols = json_object_get(model, "volumes");
	const char *k;
	json_t *v;
	json_object_foreach(vols, k, v)
		if (json_is_null(v))
			json_object_set_new(vols, k, json_object());
	json_t *nets = json_object_get(model, "networks");
	json_object_foreach(nets, k, v)
		if (json_is_null(v))
			json_object_set_new(nets, k, json_object());
	bool uses_default = false;
	json_t *newsvc = json_object();
	json_t *s0 = sorted(services);
	json_object_foreach(s0, k, v) {
		json_t *s = json_is_object(v) ? json_deep_copy(v) : json_object();
		if (norm_service(k, s, project_name, project_dir, env, model, err) < 0) {
			json_decref(s);
			json_decref(s0);
			json_decref(newsvc);
			return -1;
		}
		if (json_object_get(json_object_get(s, "networks"), "default"))
			uses_default = true;
		json_object_set_new(newsvc, k, ORDERED(s, service_order));
		json_decref(s);
	}
	json_decref(s0);
	{
		/* consistency checks over the whole project */
		json_t *names = json_object();
		json_object_foreach(newsvc, k, v) {
			const char *cn = json_string_value(json_object_get(v, "container_name"));
			if (cn && json_object_get(names, cn)) {
				berr_set(err, 0, "services.%s: container name \"%s\" is already in use by service %s\"", k, cn,
					 json_string_value(json_object_get(names, cn)));
				json_decref(names);
				json_decref(newsvc);
				return -1;
			}
			if (cn)
				json_object_set_new(names, cn, json_string(k));
			const char *nm = json_string_value(json_object_get(v, "network_mode"));
			if (nm && !strncmp(nm, "service:", 8) && !json_object_get(newsvc, nm + 8)) {
				berr_set(err, 0, "service \"%s\" not found for network_mode 'service:%s'", nm + 8, nm + 8);
				json_decref(names);
				json_decref(newsvc);
				return -1;
			}
			json_t *scale = json_object_get(v, "scale");
			json_t *repl = json_object_get(json_object_get(v, "deploy"), "replicas");
			if (json_is_integer(scale) && json_is_integer(repl) && json_integer_value(scale) != json_integer_value(repl)) {
				berr_set(err, 0, "services.%s: can't set distinct values on 'scale' and 'deploy.replicas': invalid compose project", k);
				json_decref(names);
				json_decref(newsvc);
				return -1;
			}
		}
		json_decref(names);
	}
	if (uses_default) {
		if (!json_is_object(nets)) {
			nets = json_object();
			json_object_set_new(model, "networks", nets);
		}
		if (!json_object_get(nets, "default"))
			json_object_set_new(nets, "default", json_object());
	}
	norm_resources(model, "networks", project_name);
	norm_resources(model, "volumes", project_name);
	norm_resources(model, "secrets", project_name);
	norm_resources(model, "configs", project_name);
	/* secrets/configs from the environment keep no name change; nothing else to do */
	json_t *out = json_object();
	json_object_set_new(out, "name", json_string(project_name));
	json_object_set_new(out, "services", newsvc);
	const char *tops[] = { "networks", "volumes", "secrets", "configs", "models" };
	for (size_t i = 0; i < ARRAY_SIZE(tops); i++)
		if ((v = json_object_get(model, tops[i])) && json_object_size(v))
			json_object_set(out, tops[i], v);
	json_object_foreach(model, k, v)
		if (!strncmp(k, "x-", 2))
			json_object_set(out, k, v);
	json_object_clear(model);
	json_object_update(model, out);
	json_decref(out);
	/* the long syntax can reveal duplicates (a range and a single port) */
	compose_enforce_unicity(model);
	return 0;
}

/* ---- depends_on: unknown services and cycles ---- */
static int visit(json_t *services, const char *name, json_t *state, struct strvec *stack, berr *err)
{
	json_t *st = json_object_get(state, name);
	if (st && json_integer_value(st) == 2)
		return 0;
	if (st && json_integer_value(st) == 1) {
		struct strbuf b = STRBUF_INIT;
		sb_init(&b);
		size_t start = 0;
		for (size_t i = 0; i < stack->n; i++)
			if (!strcmp(stack->v[i], name))
				start = i;
		for (size_t i = start; i < stack->n; i++)
			sb_addf(&b, "%s -> ", stack->v[i]);
		sb_adds(&b, name);
		berr_set(err, 0, "dependency cycle detected: %s", b.buf);
		sb_release(&b);
		return -1;
	}
	json_object_set_new(state, name, json_integer(1));
	sv_push(stack, name);
	const char *dep;
	json_t *d;
	json_t *deps = json_object_get(json_object_get(services, name), "depends_on");
	json_object_foreach(deps, dep, d) {
		if (!json_object_get(services, dep))
			continue;
		if (visit(services, dep, state, stack, err) < 0)
			return -1;
	}
	free(stack->v[--stack->n]);
	stack->v[stack->n] = NULL;
	json_object_set_new(state, name, json_integer(2));
	return 0;
}

int compose_check_depends(json_t *model, berr *err)
{
	json_t *services = json_object_get(model, "services");
	const char *name;
	json_t *s;
	json_object_foreach(services, name, s) {
		const char *dep;
		json_t *d;
		void *tmp;
		json_t *deps = json_object_get(s, "depends_on");
		json_object_foreach_safe(deps, tmp, dep, d) {
			if (json_object_get(services, dep))
				continue;
			if (json_is_false(json_object_get(d, "required"))) {
				compose_warn("service \"%s\" depends on undefined service \"%s\": ignoring (required: false)", name, dep);
				json_object_del(deps, dep);
				continue;
			}
			return berr_set(err, 0, "service \"%s\" depends on undefined service \"%s\": invalid compose project",
					name, dep);
		}
	}
	json_t *state = json_object();
	_cleanup_strvec_ struct strvec stack = STRVEC_INIT;
	int rc = 0;
	json_object_foreach(services, name, s)
		if ((rc = visit(services, name, state, &stack, err)) < 0)
			break;
	json_decref(state);
	return rc;
}

int compose_parse_duration(const char *s, long long *ns)
{
	return parse_duration(s, ns);
}

char *compose_format_duration(long long ns)
{
	return go_duration(ns);
}
