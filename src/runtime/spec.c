/* spec.c: turn `run`/`create` flags plus the image config into a container record: Docker's
 * ENTRYPOINT/CMD rules, environment merging, hostname, resource limits, volumes and mounts. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "image/image.h"
#include "runtime/runtime.h"
#include "registry/registry.h"
#include "util/cleanup.h"
#include "util/fs.h"


int parse_bytes(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -1;
	int64_t mul = 1;
	switch (*end) {
	case 0: break;
	case 'b': case 'B': mul = 1; end++; break;
	case 'k': case 'K': mul = 1024; end++; break;
	case 'm': case 'M': mul = 1024 * 1024; end++; break;
	case 'g': case 'G': mul = 1024LL * 1024 * 1024; end++; break;
	case 't': case 'T': mul = 1024LL * 1024 * 1024 * 1024; end++; break;
	default: return -1;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end)
		return -1;
	*out = (int64_t)(v * (double)mul);
	return 0;
}

static const struct { const char *n; int s; } sigs[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL }, { "TRAP", SIGTRAP },
	{ "ABRT", SIGABRT }, { "BUS", SIGBUS }, { "FPE", SIGFPE }, { "KILL", SIGKILL }, { "USR1", SIGUSR1 },
	{ "SEGV", SIGSEGV }, { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU }, { "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM },
	{ "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO }, { "PWR", SIGPWR }, { "SYS", SIGSYS },
};

int signal_parse(const char *s)
{
	if (!s || !*s)
		return -1;
	char *end;
	long n = strtol(s, &end, 10);
	if (!*end)
		return n > 0 && n < 65 ? (int)n : -1;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		if (!strcasecmp(s, sigs[i].n))
			return sigs[i].s;
	return -1;
}

static json_t *strv_json(struct strvec *v)
{
	json_t *a = json_array();
	for (size_t i = 0; i < v->n; i++)
		json_array_append_new(a, json_string(v->v[i]));
	return a;
}

/* Replace or append KEY=VALUE in an env array (by key). */
static void env_set(json_t *env, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t kl = eq ? (size_t)(eq - kv) : strlen(kv);
	size_t i;
	json_t *v;
	json_array_foreach(env, i, v) {
		const char *s = json_string_value(v);
		if (s && !strncmp(s, kv, kl) && (s[kl] == '=' || s[kl] == 0)) {
			json_array_set_new(env, i, json_string(kv));
			return;
		}
	}
	json_array_append_new(env, json_string(kv));
}

static void env_user(json_t *env, const char *kv)
{
	if (strchr(kv, '=')) {
		env_set(env, kv);
		return;
	}
	const char *hv = getenv(kv); /* -e KEY: the value from the caller's environment, if any */
	if (hv) {
		_cleanup_free_ char *s = xasprintf("%s=%s", kv, hv);
		env_set(env, s);
	}
}

static int read_env_file(const char *path, json_t *env, berr *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	if (read_file(path, &data, &len, err) < 0)
		return berr_wrap(err, "open %s", path);
	for (char *l = strtok(data, "\n"); l; l = strtok(NULL, "\n")) {
		while (*l == ' ' || *l == '\t')
			l++;
		size_t n = strlen(l);
		if (n && l[n - 1] == '\r')
			l[--n] = 0;
		if (!*l || *l == '#')
			continue;
		env_user(env, l);
	}
	return 0;
}

static bool volume_name_valid(const char *n)
{
	if (!n[0] || !n[1])
		return false;
	for (const char *p = n; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      (p != n && (*p == '_' || *p == '.' || *p == '-'))))
			return false;
	return true;
}

/* Create (if needed) a named volume; returns its _data path. */
char *volume_ensure(struct store *st, const char *name, bool *created, berr *err)
{
	_cleanup_free_ char *d = xasprintf("%s/volumes/%s", st->root, name);
	char *data = xasprintf("%s/_data", d);
	*created = !path_exists(data);
	if (*created && mkdir_p(data, 0755, err) < 0) {
		free(data);
		return NULL;
	}
	return data;
}

static int add_mount(json_t *mounts, const char *type, const char *name, const char *src, const char *dst,
		     bool rw, const char *mode, const char *opts, bool seed, berr *err)
{
	if (!dst || dst[0] != '/')
		return berr_set(err, EINVAL, "invalid mount config for type \"%s\": invalid mount path: '%s' mount path must be absolute",
				type, dst ? dst : "");
	size_t i;
	json_t *v;
	json_array_foreach(mounts, i, v) if (!strcmp(json_string_value(json_object_get(v, "Destination")), dst))
		return berr_set(err, EINVAL, "Duplicate mount point: %s", dst);
	json_t *m = json_object();
	json_object_set_new(m, "Type", json_string(type));
	if (name)
		json_object_set_new(m, "Name", json_string(name));
	json_object_set_new(m, "Source", json_string(src ? src : ""));
	json_object_set_new(m, "Destination", json_string(dst));
	if (!strcmp(type, "volume"))
		json_object_set_new(m, "Driver", json_string("local"));
	json_object_set_new(m, "Mode", json_string(mode ? mode : ""));
	json_object_set_new(m, "RW", json_boolean(rw));
	json_object_set_new(m, "Propagation", json_string(!strcmp(type, "bind") ? "rprivate" : ""));
	if (opts)
		json_object_set_new(m, "Options", json_string(opts));
	if (seed)
		json_object_set_new(m, "Seed", json_true());
	json_array_append_new(mounts, m);
	return 0;
}

static int parse_volume(struct store *st, const char *spec, json_t *mounts, json_t *binds, berr *err)
{
	_cleanup_free_ char *s = xstrdup(spec);
	char *parts[3] = { NULL, NULL, NULL };
	int n = 0;
	for (char *p = s, *tok; (tok = strsep(&p, ":")) && n < 3;)
		parts[n++] = tok;
	if (n == 0 || !parts[0][0])
		return berr_set(err, EINVAL, "invalid volume specification: '%s'", spec);
	const char *src = n >= 2 ? parts[0] : NULL, *dst = n >= 2 ? parts[1] : parts[0], *mode = n == 3 ? parts[2] : "";
	bool rw = true, nocopy = false;
	_cleanup_free_ char *mcopy = xstrdup(mode);
	for (char *p = mcopy, *tok; (tok = strsep(&p, ","));) {
		if (!strcmp(tok, "ro"))
			rw = false;
		else if (!strcmp(tok, "rw") || !*tok || !strcmp(tok, "z") || !strcmp(tok, "Z") ||
			 !strcmp(tok, "rprivate") || !strcmp(tok, "private") || !strcmp(tok, "rslave") ||
			 !strcmp(tok, "slave") || !strcmp(tok, "shared") || !strcmp(tok, "rshared") ||
			 !strcmp(tok, "delegated") || !strcmp(tok, "cached") || !strcmp(tok, "consistent"))
			;
		else if (!strcmp(tok, "nocopy"))
			nocopy = true;
		else
			return berr_set(err, EINVAL, "invalid mode: %s", mode);
	}
	if (!dst || dst[0] != '/')
		return berr_set(err, EINVAL, "invalid volume specification: '%s': invalid mount config for type \"volume\": invalid mount path: '%s' mount path must be absolute",
				spec, dst ? dst : "");
	json_array_append_new(binds, json_string(spec));
	if (src && src[0] == '/') {
		struct stat sb;
		if (stat(src, &sb) < 0 && mkdir_p(src, 0755, err) < 0) /* -v creates a missing host dir, as Docker */
			return -1;
		return add_mount(mounts, "bind", NULL, src, dst, rw, mode, NULL, false, err);
	}
	char anon[65];
	if (!src) {
		ctr_new_id(anon);
		src = anon;
	} else if (!volume_name_valid(src))
		return berr_set(err, EINVAL, "create %s: \"%s\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path",
				src, src);
	bool created;
	_cleanup_free_ char *data = volume_ensure(st, src, &created, err);
	if (!data)
		return -1;
	return add_mount(mounts, "volume", src, data, dst, rw, mode, NULL, !nocopy, err);
}

static int parse_mount_flag(struct store *st, const char *spec, json_t *mounts, berr *err)
{
	_cleanup_free_ char *s = xstrdup(spec);
	const char *type = "volume", *src = NULL, *dst = NULL;
	bool ro = false, nocopy = false;
	struct strbuf topts = STRBUF_INIT;
	for (char *p = s, *tok; (tok = strsep(&p, ","));) {
		char *eq = strchr(tok, '=');
		char *val = eq ? eq + 1 : NULL;
		if (eq)
			*eq = 0;
		if (!strcmp(tok, "type"))
			type = val;
		else if (!strcmp(tok, "source") || !strcmp(tok, "src"))
			src = val;
		else if (!strcmp(tok, "target") || !strcmp(tok, "destination") || !strcmp(tok, "dst"))
			dst = val;
		else if (!strcmp(tok, "readonly") || !strcmp(tok, "ro"))
			ro = !val || !strcmp(val, "true") || !strcmp(val, "1");
		else if (!strcmp(tok, "volume-nocopy"))
			nocopy = !val || !strcmp(val, "true");
		else if (!strcmp(tok, "tmpfs-size") && val)
			sb_addf(&topts, "%ssize=%s", topts.len ? "," : "", val);
		else if (!strcmp(tok, "tmpfs-mode") && val)
			sb_addf(&topts, "%smode=%s", topts.len ? "," : "", val);
		else if (!strcmp(tok, "bind-propagation") || !strcmp(tok, "consistency") || !strcmp(tok, "volume-driver"))
			;
		else {
			sb_release(&topts);
			return berr_set(err, EINVAL, "invalid argument \"%s\" for \"--mount\" flag: unexpected key '%s' in '%s'", spec, tok, tok);
		}
	}
	int rc;
	if (!type || (strcmp(type, "bind") && strcmp(type, "volume") && strcmp(type, "tmpfs")))
		rc = berr_set(err, EINVAL, "invalid argument \"%s\" for \"--mount\" flag: invalid type: %s", spec, type ? type : "");
	else if (!dst)
		rc = berr_set(err, EINVAL, "invalid argument \"%s\" for \"--mount\" flag: target is required", spec);
	else if (!strcmp(type, "tmpfs"))
		rc = add_mount(mounts, "tmpfs", NULL, "", dst, !ro, "", topts.len ? topts.buf : "", false, err);
	else if (!strcmp(type, "bind")) {
		struct stat sb;
		if (!src)
			rc = berr_set(err, EINVAL, "invalid mount config for type \"bind\": field Source must not be empty");
		else if (src[0] != '/' || stat(src, &sb) < 0)
			rc = berr_set(err, ENOENT, "invalid mount config for type \"bind\": bind source path does not exist: %s", src);
		else
			rc = add_mount(mounts, "bind", NULL, src, dst, !ro, "", NULL, false, err);
	} else {
		char anon[65];
		if (!src) {
			ctr_new_id(anon);
			src = anon;
		}
		bool created;
		_cleanup_free_ char *data = volume_name_valid(src) ? volume_ensure(st, src, &created, err) : NULL;
		if (!data)
			rc = err->msg[0] ? -1 : berr_set(err, EINVAL, "invalid volume name: %s", src);
		else
			rc = add_mount(mounts, "volume", src, data, dst, !ro, "z", NULL, !nocopy, err);
	}
	sb_release(&topts);
	return rc;
}

static json_t *jarr_or_null(json_t *v)
{
	return json_is_array(v) ? json_incref(v) : json_null();
}


/* The image for run/create: from the store, or, as Docker does when a named image is missing,
 * "Unable to find image 'REF' locally" and a pull (the registry client prints both). */
static int image_resolve_local_or_pull(struct store *st, const char *image, struct image_run_info *info, berr *err)
{
	if (image_resolve_for_run(st, image, info, err) == 0)
		return 0;
	if (!strstr(err->msg, "No such image"))
		return -1;
	berr_clear(err);
	if (registry_ensure_image(st, image, NULL, NULL, err) < 0) {
		err->status = 125; /* docker run: a failed pull is an engine error */
		return -1;
	}
	return image_resolve_for_run(st, image, info, err);
}

int spec_build(struct store *st, struct run_flags *f, const char *image, char **cmd, int ncmd,
	       struct ctr **out, berr *err)
{
	*out = NULL;
	json_t *icfg = NULL;
	json_t *lowers = json_array();
	char *image_id = NULL;
	struct image_run_info info = { 0 };
	bool have_info = false;
	if (f->rootfs) {
		char rp[4096];
		if (!realpath(f->rootfs, rp)) {
			json_decref(lowers);
			return berr_sys(err, "rootfs %s", f->rootfs);
		}
		json_array_append_new(lowers, json_string(rp));
		image_id = xstrdup("");
	} else {
		if (image_resolve_local_or_pull(st, image, &info, err) < 0) {
			json_decref(lowers);
			return -1;
		}
		have_info = true;
		for (size_t i = 0; i < info.layer_dirs.n; i++)
			json_array_append_new(lowers, json_string(info.layer_dirs.v[i]));
		icfg = json_object_get(info.config, "config");
		image_id = xstrdup(info.id);
	}
	struct ctr *c = xcalloc(1, sizeof *c);
	char *hostenv = NULL, *created = NULL, *cdir = NULL;
	char id[65];
	ctr_new_id(id);
	c->id = xstrdup(id);
	c->image = xstrdup(f->rootfs ? "" : image);
	c->created = now_ns();
	c->state = CTR_CREATED;
	int rc = -1;
	json_t *cfg = json_object();
	c->cfg = cfg;
	/* name */
	if (f->name) {
		const char *n = f->name[0] == '/' ? f->name + 1 : f->name;
		if (!ctr_name_valid(n)) {
			berr_set(err, EINVAL, "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", f->name);
			goto out;
		}
		c->name = xstrdup(n);
	} else
		c->name = ctr_random_name(st);
	/* ENTRYPOINT + CMD, Docker's rules */
	json_t *ep, *cm;
	if (f->entrypoint_set) {
		ep = json_array();
		if (f->entrypoint && *f->entrypoint)
			json_array_append_new(ep, json_string(f->entrypoint));
	} else
		ep = json_is_array(json_object_get(icfg, "Entrypoint")) ? json_deep_copy(json_object_get(icfg, "Entrypoint")) : json_array();
	if (ncmd > 0) {
		cm = json_array();
		for (int i = 0; i < ncmd; i++)
			json_array_append_new(cm, json_string(cmd[i]));
	} else if (!f->entrypoint_set && json_is_array(json_object_get(icfg, "Cmd")))
		cm = json_deep_copy(json_object_get(icfg, "Cmd"));
	else
		cm = json_array();
	json_t *argv = json_array();
	json_array_extend(argv, ep);
	json_array_extend(argv, cm);
	if (json_array_size(argv) == 0) {
		json_decref(ep);
		json_decref(cm);
		json_decref(argv);
		berr_set(err, EINVAL, "No command specified");
		goto out;
	}
	/* hostname */
	char hn[256];
	const char *nm = f->network ? f->network : "default";
	if (f->hostname)
		snprintf(hn, sizeof hn, "%s", f->hostname);
	else if (!strcmp(nm, "host"))
		gethostname(hn, sizeof hn);
	else
		snprintf(hn, sizeof hn, "%.12s", id);
	/* environment: defaults, image, then the user's */
	json_t *env = json_array();
	json_array_append_new(env, json_string("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
	hostenv = xasprintf("HOSTNAME=%s", hn);
	json_array_append_new(env, json_string(hostenv));
	if (f->tty)
		json_array_append_new(env, json_string("TERM=xterm"));
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(icfg, "Env"), i, v) env_set(env, json_string_value(v));
	for (i = 0; i < f->env_file.n; i++)
		if (read_env_file(f->env_file.v[i], env, err) < 0) {
			json_decref(ep); json_decref(cm); json_decref(argv); json_decref(env);
			goto out;
		}
	for (i = 0; i < f->env.n; i++)
		env_user(env, f->env.v[i]);
	/* Config.Env as Docker records it: the image's, --env-file and -e only (PATH, HOSTNAME
	 * and TERM are added to the process's environment, not to the config) */
	json_t *cenv = json_array();
	json_array_foreach(json_object_get(icfg, "Env"), i, v) env_set(cenv, json_string_value(v));
	for (i = 0; i < f->env_file.n; i++)
		read_env_file(f->env_file.v[i], cenv, err);
	for (i = 0; i < f->env.n; i++)
		env_user(cenv, f->env.v[i]);
	const char *user = f->user ? f->user : json_string_value(json_object_get(icfg, "User"));
	const char *wd = f->workdir ? f->workdir : json_string_value(json_object_get(icfg, "WorkingDir"));
	if (f->workdir && f->workdir[0] != '/') {
		json_decref(ep); json_decref(cm); json_decref(argv); json_decref(env); json_decref(cenv);
		berr_set(err, EINVAL, "the working directory '%s' is invalid, it needs to be an absolute path", f->workdir);
		goto out;
	}
	const char *stopsig = f->stop_signal ? f->stop_signal : json_string_value(json_object_get(icfg, "StopSignal"));
	if (stopsig && signal_parse(stopsig) < 0) {
		json_decref(ep); json_decref(cm); json_decref(argv); json_decref(env); json_decref(cenv);
		berr_set(err, EINVAL, "Invalid signal: %s", stopsig);
		goto out;
	}
	/* Config */
	json_t *conf = json_object();
	json_object_set_new(conf, "Hostname", json_string(hn));
	json_object_set_new(conf, "Domainname", json_string(""));
	json_object_set_new(conf, "User", json_string(user ? user : ""));
	json_object_set_new(conf, "AttachStdin", json_boolean(f->interactive && !f->detach));
	json_object_set_new(conf, "AttachStdout", json_boolean(!f->detach));
	json_object_set_new(conf, "AttachStderr", json_boolean(!f->detach));
	json_object_set_new(conf, "Tty", json_boolean(f->tty));
	json_object_set_new(conf, "OpenStdin", json_boolean(f->interactive));
	json_object_set_new(conf, "StdinOnce", json_boolean(f->interactive && !f->detach));
	json_object_set_new(conf, "Env", cenv);
	json_object_set_new(conf, "Cmd", json_array_size(cm) ? json_incref(cm) : json_null());
	json_object_set_new(conf, "Image", json_string(f->rootfs ? "" : image));
	json_object_set_new(conf, "Volumes", json_is_object(json_object_get(icfg, "Volumes")) ? json_deep_copy(json_object_get(icfg, "Volumes")) : json_null());
	if (json_is_object(json_object_get(icfg, "ExposedPorts")))
		json_object_set_new(conf, "ExposedPorts", json_deep_copy(json_object_get(icfg, "ExposedPorts")));
	if (json_is_object(json_object_get(icfg, "Healthcheck")))
		json_object_set_new(conf, "Healthcheck", json_deep_copy(json_object_get(icfg, "Healthcheck")));
	json_object_set_new(conf, "OnBuild", json_is_array(json_object_get(icfg, "OnBuild")) ? json_deep_copy(json_object_get(icfg, "OnBuild")) : json_null());
	json_object_set_new(conf, "WorkingDir", json_string(wd ? wd : ""));
	json_object_set_new(conf, "Entrypoint", json_array_size(ep) ? json_incref(ep) : json_null());
	json_t *labels = json_is_object(json_object_get(icfg, "Labels")) ? json_deep_copy(json_object_get(icfg, "Labels")) : json_object();
	for (i = 0; i < f->label.n; i++) {
		char *eq = strchr(f->label.v[i], '=');
		if (eq) {
			_cleanup_free_ char *k = xstrndup(f->label.v[i], (size_t)(eq - f->label.v[i]));
			json_object_set_new(labels, k, json_string(eq + 1));
		} else
			json_object_set_new(labels, f->label.v[i], json_string(""));
	}
	json_object_set_new(conf, "Labels", labels);
	if (stopsig)
		json_object_set_new(conf, "StopSignal", json_string(stopsig));
	if (f->stop_timeout)
		json_object_set_new(conf, "StopTimeout", json_integer(atol(f->stop_timeout)));
	/* HostConfig */
	json_t *hc = json_object();
	json_t *binds = json_array(), *mounts = json_array();
	json_object_set_new(hc, "Binds", binds);
	json_object_set_new(hc, "NetworkMode", json_string(nm));
	if (spec_network(st, f, cfg, conf, hc, err) < 0) {
		json_decref(conf);
		json_decref(hc);
		goto out_env;
	}
	json_object_set_new(hc, "AutoRemove", json_boolean(f->rm));
	json_object_set_new(hc, "Privileged", json_boolean(f->privileged));
	json_object_set_new(hc, "ReadonlyRootfs", json_boolean(f->read_only));
	json_object_set_new(hc, "Init", json_boolean(f->init));
	json_object_set_new(hc, "CapAdd", f->cap_add.n ? strv_json(&f->cap_add) : json_null());
	json_object_set_new(hc, "CapDrop", f->cap_drop.n ? strv_json(&f->cap_drop) : json_null());
	json_object_set_new(hc, "SecurityOpt", f->security_opt.n ? strv_json(&f->security_opt) : json_null());
	json_object_set_new(hc, "Dns", strv_json(&f->dns));
	json_object_set_new(hc, "ExtraHosts", f->add_host.n ? strv_json(&f->add_host) : json_null());
	json_t *rp = json_object();
	json_object_set_new(rp, "Name", json_string(f->restart ? f->restart : "no"));
	json_object_set_new(rp, "MaximumRetryCount", json_integer(0));
	json_object_set_new(hc, "RestartPolicy", rp);
	json_object_set_new(hc, "LogConfig", json_pack("{s:s,s:{}}", "Type", "json-file", "Config"));
	json_object_set_new(cfg, "HostConfig", hc);
	json_object_set_new(cfg, "Config", conf);
	json_object_set_new(cfg, "Mounts", mounts);
	json_t *devs = json_array();
	json_object_set_new(hc, "Devices", devs);
	for (i = 0; i < f->devices.n; i++) {
		json_t *d;
		if (dev_parse_flag(f->devices.v[i], &d, err) < 0)
			goto out_env;
		json_array_append_new(devs, d);
	}
	for (i = 0; i < f->device_cgroup_rules.n; i++)
		if (dev_cgroup_rule_check(f->device_cgroup_rules.v[i], err) < 0)
			goto out_env;
	json_object_set_new(hc, "DeviceCgroupRules", f->device_cgroup_rules.n ? strv_json(&f->device_cgroup_rules) : json_null());
	if (security_check_caps(json_object_get(hc, "CapAdd"), err) < 0 ||
	    security_check_caps(json_object_get(hc, "CapDrop"), err) < 0) {
		json_decref(ep); json_decref(cm); json_decref(argv); json_decref(env);
		goto out;
	}
	for (i = 0; i < f->security_opt.n; i++) {
		const char *so = f->security_opt.v[i];
		if (strcmp(so, "seccomp=unconfined") && strcmp(so, "seccomp:unconfined") && strncmp(so, "no-new-privileges", 17) &&
		    strcmp(so, "apparmor=unconfined") && strcmp(so, "label=disable")) {
			json_decref(ep); json_decref(cm); json_decref(argv); json_decref(env);
			berr_set(err, EINVAL, "invalid --security-opt: %s (supported: seccomp=unconfined, no-new-privileges)", so);
			goto out;
		}
	}
	/* resources */
	int64_t mem = 0, swap = 0;
	if (f->memory && parse_bytes(f->memory, &mem) < 0) {
		berr_set(err, EINVAL, "invalid argument \"%s\" for \"-m, --memory\" flag: invalid size: '%s'", f->memory, f->memory);
		goto out_env;
	}
	if (f->memory && mem > 0 && mem < 6 * 1024 * 1024) {
		berr_set(err, EINVAL, "Minimum memory limit allowed is 6MB");
		goto out_env;
	}
	if (f->memory_swap) {
		if (!strcmp(f->memory_swap, "-1"))
			swap = -1;
		else if (parse_bytes(f->memory_swap, &swap) < 0) {
			berr_set(err, EINVAL, "invalid argument \"%s\" for \"--memory-swap\" flag: invalid size: '%s'", f->memory_swap, f->memory_swap);
			goto out_env;
		}
		if (!mem) {
			berr_set(err, EINVAL, "You should always set the Memory limit when using Memoryswap limit, see usage");
			goto out_env;
		}
		if (swap > 0 && swap < mem) {
			berr_set(err, EINVAL, "Minimum memoryswap limit should be larger than memory limit, see usage");
			goto out_env;
		}
	}
	json_object_set_new(hc, "Memory", json_integer(mem));
	/* Docker's daemon records the default: as much swap as memory (memory+swap = 2x) */
	json_object_set_new(hc, "MemorySwap", json_integer(mem > 0 && swap == 0 ? 2 * mem : swap));
	int64_t nano = 0;
	if (f->cpus) {
		char *end;
		double cpus = strtod(f->cpus, &end);
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		if (*end || cpus < 0) {
			berr_set(err, EINVAL, "invalid argument \"%s\" for \"--cpus\" flag: failed to parse %s as a rational number", f->cpus, f->cpus);
			goto out_env;
		}
		if (cpus > (double)ncpu || (cpus > 0 && cpus < 0.01)) {
			berr_set(err, EINVAL, "Range of CPUs is from 0.01 to %ld.00, as there are only %ld CPUs available", ncpu, ncpu);
			goto out_env;
		}
		nano = (int64_t)(cpus * 1e9 + 0.5);
	}
	json_object_set_new(hc, "NanoCpus", json_integer(nano));
	json_object_set_new(hc, "CpuShares", json_integer(f->cpu_shares ? atoll(f->cpu_shares) : 0));
	json_object_set_new(hc, "PidsLimit", f->pids_limit ? json_integer(atoll(f->pids_limit)) : json_null());
	/* storage */
	json_t *tmpfs = json_object();
	for (i = 0; i < f->volumes.n; i++)
		if (parse_volume(st, f->volumes.v[i], mounts, binds, err) < 0)
			goto out_env;
	for (i = 0; i < f->mounts.n; i++)
		if (parse_mount_flag(st, f->mounts.v[i], mounts, err) < 0)
			goto out_env;
	/* --volumes-from CONTAINER[:ro|rw]: every bind and volume of that container, same paths */
	for (i = 0; i < f->volumes_from.n; i++) {
		_cleanup_free_ char *ref = xstrdup(f->volumes_from.v[i]);
		char *mode = strchr(ref, ':');
		if (mode)
			*mode++ = 0;
		if (mode && strcmp(mode, "ro") && strcmp(mode, "rw")) {
			berr_set(err, EINVAL, "invalid mode for volumes-from: %s", mode);
			goto out_env;
		}
		struct ctr *src = NULL;
		if (ctr_lookup(st, ref, &src, err) < 0) {
			err->status = 125;
			goto out_env;
		}
		size_t k;
		json_t *m;
		int bad = 0;
		json_array_foreach(json_object_get(src->cfg, "Mounts"), k, m) {
			const char *type = json_string_value(json_object_get(m, "Type"));
			if (!type || !strcmp(type, "tmpfs"))
				continue;
			bool rw = mode ? !strcmp(mode, "rw") : json_is_true(json_object_get(m, "RW"));
			if (add_mount(mounts, type, json_string_value(json_object_get(m, "Name")),
				      json_string_value(json_object_get(m, "Source")),
				      json_string_value(json_object_get(m, "Destination")), rw,
				      json_string_value(json_object_get(m, "Mode")), NULL, false, err) < 0) {
				bad = 1;
				break;
			}
		}
		ctr_free(src);
		if (bad)
			goto out_env;
	}
	for (i = 0; i < f->tmpfs.n; i++) {
		_cleanup_free_ char *t = xstrdup(f->tmpfs.v[i]);
		char *colon = strchr(t, ':');
		if (colon)
			*colon++ = 0;
		json_object_set_new(tmpfs, t, json_string(colon ? colon : ""));
		if (add_mount(mounts, "tmpfs", NULL, "", t, true, "", colon ? colon : "", false, err) < 0)
			goto out_env;
	}
	json_object_set_new(hc, "Tmpfs", tmpfs);
	/* the image's VOLUME paths get anonymous volumes unless something is mounted there */
	{
		const char *vp;
		json_t *vv;
		json_object_foreach(json_object_get(icfg, "Volumes"), vp, vv) {
			bool covered = false;
			size_t k;
			json_t *m;
			json_array_foreach(mounts, k, m) covered |= !strcmp(json_string_value(json_object_get(m, "Destination")), vp);
			if (covered || vp[0] != '/')
				continue;
			char anon[65];
			ctr_new_id(anon);
			bool created;
			_cleanup_free_ char *data = volume_ensure(st, anon, &created, err);
			if (!data || add_mount(mounts, "volume", anon, data, vp, true, "", NULL, true, err) < 0)
				goto out_env;
		}
	}
	/* top level, as docker inspect */
	created = fmt_rfc3339(c->created);
	json_object_set_new(cfg, "Id", json_string(id));
	json_object_set_new(cfg, "Created", json_string(created));
	json_object_set_new(cfg, "Path", json_incref(json_array_get(argv, 0)));
	json_t *args = json_array();
	for (i = 1; i < json_array_size(argv); i++)
		json_array_append(args, json_array_get(argv, i));
	json_object_set_new(cfg, "Args", args);
	json_object_set_new(cfg, "Image", json_string(image_id));
	json_object_set_new(cfg, "Name", json_sprintf("/%s", c->name));
	json_object_set_new(cfg, "Driver", json_string("overlay2"));
	json_object_set_new(cfg, "Platform", json_string("linux"));
	json_object_set_new(cfg, "RestartCount", json_integer(0));
	cdir = ctr_dir(st, id);
	json_object_set_new(cfg, "ResolvConfPath", json_sprintf("%s/resolv.conf", cdir));
	json_object_set_new(cfg, "HostnamePath", json_sprintf("%s/hostname", cdir));
	json_object_set_new(cfg, "HostsPath", json_sprintf("%s/hosts", cdir));
	json_object_set_new(cfg, "LogPath", json_sprintf("%s/%s-json.log", cdir, id));
	json_t *rfs = json_object();
	json_object_set_new(rfs, "LowerDirs", lowers);
	lowers = NULL;
	json_object_set_new(rfs, "Rootfs", f->rootfs ? json_string(f->rootfs) : json_null());
	json_object_set_new(cfg, "BerthRootfs", rfs);
	json_t *proc = json_object();
	json_object_set_new(proc, "Argv", json_incref(argv));
	json_object_set_new(proc, "Env", json_incref(env));
	json_object_set_new(proc, "User", json_string(user ? user : ""));
	json_object_set_new(proc, "WorkingDir", json_string(wd && *wd ? wd : "/"));
	json_object_set_new(cfg, "BerthProcess", proc);
	(void)jarr_or_null;
	/* on-disk state */
	static const char *sub[] = { "upper", "work", "merged" };
	for (i = 0; i < 3; i++) {
		_cleanup_free_ char *d = xasprintf("%s/%s", cdir, sub[i]);
		if (mkdir_p(d, 0755, err) < 0)
			goto out_env;
		chmod(d, 0755); /* the overlay root takes the upper dir's mode */
	}
	chmod(cdir, 0700);
	rc = 0;
out_env:
	json_decref(ep);
	json_decref(cm);
	json_decref(argv);
	json_decref(env);
out:
	free(hostenv);
	free(created);
	free(cdir);
	if (lowers)
		json_decref(lowers);
	free(image_id);
	if (have_info)
		image_run_info_release(&info);
	if (rc < 0) {
		if (!err->status)
			err->status = 125;
		ctr_free(c);
		return -1;
	}
	*out = c;
	return 0;
}
