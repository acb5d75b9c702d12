/* auth.c: registry credentials: berth's own $XDG_CONFIG_HOME/berth/auth.json (written by
 * `berth login`, mode 0600, the {"auths": {"host": {"auth": base64(user:pass)}}} format Docker
 * and podman share) and Docker's ~/.docker/config.json (read only). */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "registry/client.h"
#include "util/cleanup.h"
#include "util/fs.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* standard base64 with padding (RFC 4648 section 4) */
char *reg_b64_encode(const void *in, size_t len)
{
	const unsigned char *p = in;
	char *out = xmalloc(4 * ((len + 2) / 3) + 1), *o = out;
	for (; len >= 3; len -= 3, p += 3) {
		*o++ = b64[p[0] >> 2];
		*o++ = b64[(p[0] & 3) << 4 | p[1] >> 4];
		*o++ = b64[(p[1] & 15) << 2 | p[2] >> 6];
		*o++ = b64[p[2] & 63];
	}
	if (len) {
		*o++ = b64[p[0] >> 2];
		*o++ = b64[(p[0] & 3) << 4 | (len > 1 ? p[1] >> 4 : 0)];
		*o++ = len > 1 ? b64[(p[1] & 15) << 2] : '=';
		*o++ = '=';
	}
	*o = 0;
	return out;
}

/* Decode standard base64 (length a multiple of 4, at most two '=' at the end); -1 if invalid.
 * *out is NUL-terminated. */
int reg_b64_decode(const char *in, char **out, size_t *len)
{
	size_t n = strlen(in);
	if (n % 4)
		return -1;
	size_t pad = n && in[n - 1] == '=' ? (n > 1 && in[n - 2] == '=' ? 2 : 1) : 0;
	unsigned char *o = xmalloc(n / 4 * 3 + 1);
	size_t r = 0;
	uint32_t acc = 0;
	for (size_t i = 0; i < n - pad; i++) {
		const char *c = in[i] ? strchr(b64, in[i]) : NULL;
		if (!c) {
			free(o);
			return -1;
		}
		acc = acc << 6 | (uint32_t)(c - b64);
		if (i % 4 == 3) {
			o[r++] = (unsigned char)(acc >> 16);
			o[r++] = (unsigned char)(acc >> 8);
			o[r++] = (unsigned char)acc;
			acc = 0;
		}
	}
	if (pad == 1) {
		o[r++] = (unsigned char)(acc >> 10);
		o[r++] = (unsigned char)(acc >> 2);
	} else if (pad == 2) {
		o[r++] = (unsigned char)(acc >> 4);
	}
	o[r] = 0;
	*out = (char *)o;
	*len = r;
	return 0;
}

char *reg_auth_key(const char *host)
{
	if (!host || !strcmp(host, "docker.io") || !strcmp(host, "index.docker.io") || !strcmp(host, "registry-1.docker.io"))
		return xstrdup("docker.io");
	return xstrdup(host);
}

char *reg_authfile_path(const struct reg_opts *o)
{
	if (o && o->authfile)
		return xstrdup(o->authfile);
	const char *x = getenv("XDG_CONFIG_HOME");
	if (x && *x)
		return xasprintf("%s/berth/auth.json", x);
	const char *h = getenv("HOME");
	return xasprintf("%s/.config/berth/auth.json", h && *h ? h : "/root");
}

static char *docker_config_path(void)
{
	const char *d = getenv("DOCKER_CONFIG");
	if (d && *d)
		return xasprintf("%s/config.json", d);
	const char *h = getenv("HOME");
	return xasprintf("%s/.docker/config.json", h && *h ? h : "/root");
}

/* The "auth" entry of file for host (trying Docker's spellings of the same registry). */
static int creds_from(const char *file, const char *host, char **user, char **pass)
{
	json_error_t je;
	json_t *j = json_load_file(file, 0, &je);
	if (!j)
		return 1;
	_cleanup_free_ char *key = reg_auth_key(host);
	bool hub = !strcmp(key, "docker.io");
	_cleanup_free_ char *k2 = xasprintf("https://%s", key), *k3 = xasprintf("http://%s", key),
			   *k4 = xasprintf("https://%s/v1/", key), *k5 = xasprintf("https://%s/v2/", key);
	const char *keys[] = { key, k2, k3, k4, k5, hub ? "https://index.docker.io/v1/" : NULL, hub ? "index.docker.io" : NULL,
			       hub ? "registry-1.docker.io" : NULL };
	json_t *auths = json_object_get(j, "auths");
	int ret = 1;
	for (size_t i = 0; i < ARRAY_SIZE(keys) && ret; i++) {
		if (!keys[i])
			continue;
		json_t *e = json_object_get(auths, keys[i]);
		const char *a = json_string_value(json_object_get(e, "auth"));
		const char *u = json_string_value(json_object_get(e, "username"));
		const char *p = json_string_value(json_object_get(e, "password"));
		if (a && *a) {
			char *dec;
			size_t n;
			if (reg_b64_decode(a, &dec, &n) < 0)
				continue;
			char *colon = strchr(dec, ':');
			if (!colon) {
				free(dec);
				continue;
			}
			*colon = 0;
			*user = xstrdup(dec);
			*pass = xstrdup(colon + 1);
			free(dec);
			ret = 0;
		} else if (u && p) {
			*user = xstrdup(u);
			*pass = xstrdup(p);
			ret = 0;
		}
	}
	json_decref(j);
	return ret;
}

int registry_get_creds(const char *host, const char *authfile, char **user, char **pass)
{
	struct reg_opts o = REG_OPTS_INIT;
	o.authfile = authfile;
	_cleanup_free_ char *f1 = reg_authfile_path(&o);
	if (creds_from(f1, host, user, pass) == 0)
		return 0;
	if (authfile)
		return 1;
	_cleanup_free_ char *f2 = docker_config_path();
	return creds_from(f2, host, user, pass);
}

static int save_auths(const char *file, json_t *j, berr *err)
{
	_cleanup_free_ char *dir = xstrdup(file);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		if (mkdir_p(dir, 0700, err) < 0)
			return -1;
	}
	_cleanup_free_ char *s = json_dumps(j, JSON_INDENT(1) | JSON_SORT_KEYS);
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, s);
	sb_addc(&sb, '\n');
	if (write_file_atomic(file, sb.buf, sb.len, 0600, err) < 0)
		return -1;
	chmod(file, 0600);
	return 0;
}

int registry_store_creds(const char *host, const char *user, const char *pass, const struct reg_opts *o, berr *err);
int registry_store_creds(const char *host, const char *user, const char *pass, const struct reg_opts *o, berr *err)
{
	_cleanup_free_ char *file = reg_authfile_path(o);
	json_error_t je;
	json_t *j = json_load_file(file, 0, &je);
	if (!j && path_exists(file))
		return berr_set(err, EINVAL, "%s: %s", file, je.text);
	if (!j || !json_is_object(j)) {
		json_decref(j);
		j = json_object();
	}
	json_t *auths = json_object_get(j, "auths");
	if (!json_is_object(auths)) {
		auths = json_object();
		json_object_set_new(j, "auths", auths);
	}
	_cleanup_free_ char *up = xasprintf("%s:%s", user, pass);
	_cleanup_free_ char *b = reg_b64_encode(up, strlen(up));
	_cleanup_free_ char *key = reg_auth_key(host);
	json_object_set_new(auths, key, json_pack("{s:s}", "auth", b));
	int r = save_auths(file, j, err);
	json_decref(j);
	return r;
}

int registry_logout(const char *server, const struct reg_opts *o, bool *was, berr *err)
{
	_cleanup_free_ char *file = reg_authfile_path(o);
	_cleanup_free_ char *key = reg_auth_key(server);
	*was = false;
	json_error_t je;
	json_t *j = json_load_file(file, 0, &je);
	if (!j)
		return 0;
	json_t *auths = json_object_get(j, "auths");
	const char *variants[] = { key, NULL, NULL };
	_cleanup_free_ char *k2 = xasprintf("https://%s", key);
	variants[1] = k2;
	variants[2] = !strcmp(key, "docker.io") ? "https://index.docker.io/v1/" : NULL;
	for (size_t i = 0; i < ARRAY_SIZE(variants); i++)
		if (variants[i] && json_object_get(auths, variants[i])) {
			json_object_del(auths, variants[i]);
			*was = true;
		}
	int r = *was ? save_auths(file, j, err) : 0;
	json_decref(j);
	return r;
}
