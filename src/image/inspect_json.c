/* inspect_json.c: Docker's `image inspect` object for an image, and time helpers. */
#include "image/istore.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "image/ref.h"
#include "util/cleanup.h"
#include "util/units.h"

int64_t parse_rfc3339(const char *s, long *nsec)
{
	struct tm tm = { 0 };
	if (nsec)
		*nsec = 0;
	if (!s)
		return 0;
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return 0;
	long ns = 0;
	if (*p == '.') {
		long mul = 100000000;
		for (p++; *p >= '0' && *p <= '9'; p++) {
			ns += (*p - '0') * mul;
			mul /= 10;
		}
	}
	int64_t t = (int64_t)timegm(&tm);
	if (*p == '+' || *p == '-') {
		int hh = 0, mm = 0;
		sscanf(p + 1, "%d:%d", &hh, &mm);
		int off = (hh * 60 + mm) * 60;
		t += *p == '+' ? -off : off;
	}
	if (nsec)
		*nsec = ns;
	return t;
}

char *format_rfc3339_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char b[64];
	strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &tm);
	/* Go's RFC3339Nano trims trailing zeros */
	char frac[16];
	snprintf(frac, sizeof frac, "%09ld", ts.tv_nsec);
	for (int i = 8; i >= 0 && frac[i] == '0'; i--)
		frac[i] = 0;
	return *frac ? xasprintf("%s.%sZ", b, frac) : xasprintf("%sZ", b);
}

/* o[k] (a new reference) or def; def is consumed either way. */
static json_t *get_or(json_t *o, const char *k, json_t *def)
{
	json_t *v = o ? json_object_get(o, k) : NULL;
	if (!v)
		return def;
	json_decref(def);
	return json_incref(v);
}

/* Docker's container.Config with every field, filled from the image config's .config. */
static json_t *full_container_config(json_t *c)
{
	json_t *o = json_object();
	json_object_set_new(o, "Hostname", get_or(c, "Hostname", json_string("")));
	json_object_set_new(o, "Domainname", get_or(c, "Domainname", json_string("")));
	json_object_set_new(o, "User", get_or(c, "User", json_string("")));
	json_object_set_new(o, "AttachStdin", json_false());
	json_object_set_new(o, "AttachStdout", json_false());
	json_object_set_new(o, "AttachStderr", json_false());
	if (c && json_object_get(c, "ExposedPorts"))
		json_object_set(o, "ExposedPorts", json_object_get(c, "ExposedPorts"));
	json_object_set_new(o, "Tty", json_false());
	json_object_set_new(o, "OpenStdin", json_false());
	json_object_set_new(o, "StdinOnce", json_false());
	json_object_set_new(o, "Env", get_or(c, "Env", json_null()));
	json_object_set_new(o, "Cmd", get_or(c, "Cmd", json_null()));
	if (c && json_object_get(c, "Healthcheck"))
		json_object_set(o, "Healthcheck", json_object_get(c, "Healthcheck"));
	if (c && json_is_true(json_object_get(c, "ArgsEscaped")))
		json_object_set_new(o, "ArgsEscaped", json_true());
	json_object_set_new(o, "Image", get_or(c, "Image", json_string("")));
	json_object_set_new(o, "Volumes", get_or(c, "Volumes", json_null()));
	json_object_set_new(o, "WorkingDir", get_or(c, "WorkingDir", json_string("")));
	json_object_set_new(o, "Entrypoint", get_or(c, "Entrypoint", json_null()));
	json_object_set_new(o, "OnBuild", get_or(c, "OnBuild", json_null()));
	json_object_set_new(o, "Labels", get_or(c, "Labels", json_null()));
	if (c && json_object_get(c, "StopSignal"))
		json_object_set(o, "StopSignal", json_object_get(c, "StopSignal"));
	if (c && json_object_get(c, "Shell"))
		json_object_set(o, "Shell", json_object_get(c, "Shell"));
	return o;
}

json_t *img_inspect_json(struct store *st, const struct img_info *in)
{
	json_t *cfg = in->config;
	json_t *o = json_object();
	json_t *tags = json_array(), *digests = json_array(), *layers = json_array();
	for (size_t i = 0; i < in->tags.n; i++) {
		char *f = ref_familiarize(in->tags.v[i]);
		json_array_append_new(tags, json_string(f));
		free(f);
	}
	for (size_t i = 0; i < in->digests.n; i++) {
		char *f = ref_familiarize(in->digests.v[i]);
		json_array_append_new(digests, json_string(f));
		free(f);
	}
	json_t *rootfs = json_object_get(cfg, "rootfs");
	json_t *dids = rootfs ? json_object_get(rootfs, "diff_ids") : NULL;
	size_t i;
	json_t *v;
	json_array_foreach(dids, i, v) json_array_append(layers, v);
	json_object_set_new(o, "Id", json_string(in->id));
	json_object_set_new(o, "RepoTags", tags);
	json_object_set_new(o, "RepoDigests", digests);
	json_object_set_new(o, "Parent", json_string(in->parent ? in->parent : ""));
	json_object_set_new(o, "Comment", get_or(cfg, "comment", json_string("")));
	json_object_set_new(o, "Created", get_or(cfg, "created", json_string("0001-01-01T00:00:00Z")));
	json_object_set_new(o, "Container", get_or(cfg, "container", json_string("")));
	json_object_set_new(o, "ContainerConfig", full_container_config(json_object_get(cfg, "container_config")));
	json_object_set_new(o, "DockerVersion", get_or(cfg, "docker_version", json_string("")));
	json_object_set_new(o, "Author", get_or(cfg, "author", json_string("")));
	json_object_set_new(o, "Config", full_container_config(json_object_get(cfg, "config")));
	json_object_set_new(o, "Architecture", get_or(cfg, "architecture", json_string("")));
	if (json_object_get(cfg, "variant"))
		json_object_set(o, "Variant", json_object_get(cfg, "variant"));
	json_object_set_new(o, "Os", get_or(cfg, "os", json_string("")));
	json_object_set_new(o, "Size", json_integer((json_int_t)in->size));
	json_object_set_new(o, "VirtualSize", json_integer((json_int_t)in->size));
	json_t *gd = json_object();
	if (in->nlayers) {
		struct strbuf lower = STRBUF_INIT;
		for (size_t k = in->nlayers - 1; k-- > 0;) {
			char *d = layer_dir(st, in->layers[k].chain_id);
			if (lower.len)
				sb_addc(&lower, ':');
			sb_adds(&lower, d);
			free(d);
		}
		char *top = layer_dir(st, in->layers[in->nlayers - 1].chain_id);
		if (lower.len)
			json_object_set_new(gd, "LowerDir", json_string(lower.buf));
		json_object_set_new(gd, "UpperDir", json_string(top));
		free(top);
		sb_release(&lower);
	}
	json_object_set_new(o, "GraphDriver", json_pack("{s:o, s:s}", "Data", gd, "Name", "berth-layers"));
	json_object_set_new(o, "RootFS", json_pack("{s:s, s:o}", "Type", "layers", "Layers", layers));
	char lt[UNITS_BUF] = "";
	if (in->tagged) /* nanoseconds since the epoch */
		units_rfc3339nano(in->tagged / 1000000000LL, (long)(in->tagged % 1000000000LL), lt);
	json_object_set_new(o, "Metadata", json_pack("{s:s}", "LastTagTime", in->tags.n ? lt : "0001-01-01T00:00:00Z"));
	return o;
}
