/* engine.c: see engine.h. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "compose/engine.h"
#include "image/image.h"
#include "net/net.h"
#include "runtime/create.h"
#include "runtime/lifecycle.h"
#include "runtime/supervise.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* ---- opening, progress ---- */

int cengine_open(struct cengine *e, struct berth_ctx *ctx, struct compose_project *p, const char *project, berr *err)
{
	memset(e, 0, sizeof *e);
	e->ctx = ctx;
	e->p = p;
	e->project = p ? p->name : project;
	e->tty = isatty(2) && !getenv("BERTH_COMPOSE_PLAIN");
	return store_open(&e->st, ctx->root, ctx->runroot, err);
}

void cengine_close(struct cengine *e)
{
	if (e->st)
		store_close(e->st);
	e->st = NULL;
	sv_clear(&e->events);
}

void cengine_event(struct cengine *e, const char *kind, const char *name, const char *status)
{
	if (e->quiet)
		return;
	if (e->evfd > 0) {
		/* a forked worker: the parent prints (one write, under PIPE_BUF: atomic) */
		char buf[1024];
		int n = snprintf(buf, sizeof buf, "E\t%s\t%s\t%s\n", kind, name, status);
		if (n > 0 && (size_t)n < sizeof buf && write(e->evfd, buf, (size_t)n) < 0) {
		}
		return;
	}
	if (!e->tty) {
		if (*kind)
			fprintf(stderr, " %s %s  %s\n", kind, name, status);
		else
			fprintf(stderr, " %s  %s\n", name, status);
		return;
	}
	/* the tty display keeps one line per resource: the last status wins */
	size_t kl = strlen(kind), nl = strlen(name);
	for (size_t i = 0; i < e->events.n; i++)
		if (!strncmp(e->events.v[i], kind, kl) && e->events.v[i][kl] == '\t' &&
		    !strncmp(e->events.v[i] + kl + 1, name, nl) && e->events.v[i][kl + 1 + nl] == '\t') {
			free(e->events.v[i]);
			e->events.v[i] = xasprintf("%s\t%s\t%s", kind, name, status);
			return;
		}
	sv_pushf(&e->events, "%s\t%s\t%s", kind, name, status);
}

void cengine_flush(struct cengine *e, const char *verb)
{
	if (!e->tty || !e->events.n)
		return;
	fprintf(stderr, "[+] %s %zu/%zu\n", verb, e->events.n, e->events.n);
	for (size_t i = 0; i < e->events.n; i++) {
		_cleanup_free_ char *l = xstrdup(e->events.v[i]);
		char *n = strchr(l, '\t'), *s = n ? strchr(n + 1, '\t') : NULL;
		if (!s)
			continue;
		*n++ = 0;
		*s++ = 0;
		if (*l)
			fprintf(stderr, " \xe2\x9c\x94 %s %s  %s\n", l, n, s);
		else
			fprintf(stderr, " \xe2\x9c\x94 %s  %s\n", n, s);
	}
	sv_clear(&e->events);
}

/* ---- finding the project's containers ---- */

const char *ctr_label(struct ctr *c, const char *key)
{
	return json_string_value(json_object_get(json_object_get(json_object_get(c->cfg, "Config"), "Labels"), key));
}

static int ctr_cmp(const void *a, const void *b)
{
	struct ctr *x = *(struct ctr *const *)a, *y = *(struct ctr *const *)b;
	int r = strcmp(ctr_label(x, CL_SERVICE) ?: "", ctr_label(y, CL_SERVICE) ?: "");
	if (r)
		return r;
	return atoi(ctr_label(x, CL_NUMBER) ?: "0") - atoi(ctr_label(y, CL_NUMBER) ?: "0");
}

int cengine_containers(struct cengine *e, const char *service, int oneoff, struct ctr ***out, size_t *n, berr *err)
{
	struct ctr **all;
	size_t na;
	*out = NULL;
	*n = 0;
	if (ctr_list(e->st, &all, &na, err) < 0)
		return -1;
	struct ctr **v = xcalloc(na + 1, sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < na; i++) {
		struct ctr *c = all[i];
		const char *p = ctr_label(c, CL_PROJECT), *s = ctr_label(c, CL_SERVICE), *o = ctr_label(c, CL_ONEOFF);
		bool is_oneoff = o && !strcmp(o, "True");
		if (p && !strcmp(p, e->project) && (!service || (s && !strcmp(s, service))) &&
		    (oneoff < 0 || (oneoff == 1) == is_oneoff)) {
			ctr_refresh(e->st, c);
			v[k++] = c;
			all[i] = NULL;
		}
	}
	for (size_t i = 0; i < na; i++)
		if (all[i])
			ctr_free(all[i]);
	free(all);
	qsort(v, k, sizeof *v, ctr_cmp);
	*out = v;
	*n = k;
	return 0;
}

/* ---- networks and volumes ---- */

static json_t *model_get(struct cengine *e, const char *key)
{
	return e->p ? json_object_get(e->p->model, key) : NULL;
}

/* Is network key used by a service? compose only creates the networks services use. */
static bool network_used(struct cengine *e, const char *key)
{
	const char *k;
	json_t *s;
	json_object_foreach(model_get(e, "services"), k, s) {
		if (json_object_get(s, "network_mode"))
			continue;
		if (json_object_get(json_object_get(s, "networks"), key))
			return true;
	}
	return false;
}

int cengine_ensure_networks(struct cengine *e, bool check_only, berr *err)
{
	const char *k;
	json_t *n;
	if (net_ensure_defaults(e->st, err) < 0)
		return -1;
	/* external networks first: a missing one is an error before anything is created */
	json_object_foreach(model_get(e, "networks"), k, n) {
		if (!json_is_true(json_object_get(n, "external")) || !network_used(e, k))
			continue;
		const char *name = json_string_value(json_object_get(n, "name")) ?: k;
		struct net_network nn;
		berr e2 = { 0 };
		if (net_lookup(e->st, name, &nn, &e2) < 0)
			return berr_set(err, 0, "network %s declared as external, but could not be found", name);
		net_network_free(&nn);
	}
	if (check_only)
		return 0;
	json_object_foreach(model_get(e, "networks"), k, n) {
		if (json_is_true(json_object_get(n, "external")) || !network_used(e, k))
			continue;
		const char *name = json_string_value(json_object_get(n, "name")) ?: k;
		struct net_network nn;
		berr e2 = { 0 };
		if (net_lookup(e->st, name, &nn, &e2) == 0) {
			net_network_free(&nn);
			continue;
		}
		const char *drv = json_string_value(json_object_get(n, "driver"));
		if (drv && strcmp(drv, "bridge"))
			return berr_set(err, 0, "network %s: driver \"%s\" is not supported (only bridge)", name, drv);
		_cleanup_strvec_ struct strvec labels = STRVEC_INIT;
		sv_pushf(&labels, "%s=%s", CL_NETWORK, k);
		sv_pushf(&labels, "%s=%s", CL_PROJECT, e->project);
		const char *lk;
		json_t *lv;
		json_object_foreach(json_object_get(n, "labels"), lk, lv)
			sv_pushf(&labels, "%s=%s", lk, json_string_value(lv) ?: "");
		struct net_create_opts o = { .internal = json_is_true(json_object_get(n, "internal")),
					     .labels = (const char *const *)labels.v };
		json_t *cfg = json_array_get(json_object_get(json_object_get(n, "ipam"), "config"), 0);
		o.subnet = json_string_value(json_object_get(cfg, "subnet"));
		o.gateway = json_string_value(json_object_get(cfg, "gateway"));
		o.ip_range = json_string_value(json_object_get(cfg, "ip_range"));
		char id[65];
		cengine_event(e, "Network", name, "Creating");
		if (net_create(e->st, name, &o, id, err) < 0)
			return -1;
		cengine_event(e, "Network", name, "Created");
	}
	return 0;
}

/* Networks labelled with this project (down works from the labels, as compose). */
int cengine_remove_networks(struct cengine *e, berr *err)
{
	struct net_network *v;
	size_t n;
	if (net_list(e->st, &v, &n, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *l = v[i].labels ? json_loads(v[i].labels, 0, NULL) : NULL;
		const char *p = json_string_value(json_object_get(l, CL_PROJECT));
		if (p && !strcmp(p, e->project) && json_object_get(l, CL_NETWORK)) {
			char nm[256];
			cengine_event(e, "Network", v[i].name, "Removing");
			if (net_remove(e->st, v[i].name, nm, err) < 0)
				rc = -1;
			else
				cengine_event(e, "Network", v[i].name, "Removed");
		}
		json_decref(l);
	}
	net_list_free(v, n);
	return rc;
}

static char *volume_label_path(struct cengine *e, const char *name)
{
	return xasprintf("%s/volumes/%s/compose.json", e->st->root, name);
}

int cengine_ensure_volumes(struct cengine *e, berr *err)
{
	const char *k;
	json_t *v;
	json_object_foreach(model_get(e, "volumes"), k, v) {
		const char *name = json_string_value(json_object_get(v, "name")) ?: k;
		_cleanup_free_ char *data = xasprintf("%s/volumes/%s/_data", e->st->root, name);
		if (json_is_true(json_object_get(v, "external"))) {
			if (!path_exists(data))
				return berr_set(err, 0, "external volume \"%s\" not found", name);
			continue;
		}
		const char *drv = json_string_value(json_object_get(v, "driver"));
		if (drv && strcmp(drv, "local"))
			return berr_set(err, 0, "volume %s: driver \"%s\" is not supported (only local)", name, drv);
		if (json_object_size(json_object_get(v, "driver_opts")))
			return berr_set(err, 0, "volume %s: driver_opts are not supported yet", name);
		if (path_exists(data))
			continue;
		cengine_event(e, "Volume", name, "Creating");
		if (mkdir_p(data, 0755, err) < 0)
			return -1;
		/* the compose labels, kept next to the volume (berth volumes have no label store) */
		json_t *l = json_pack("{s:s,s:s}", CL_PROJECT, e->project, CL_VOLUME, k);
		json_object_update(l, json_object_get(v, "labels"));
		char *s = json_dumps(l, JSON_COMPACT | JSON_SORT_KEYS);
		_cleanup_free_ char *lp = volume_label_path(e, name);
		int r = write_file_atomic(lp, s, strlen(s), 0644, err);
		free(s);
		json_decref(l);
		if (r < 0)
			return -1;
		cengine_event(e, "Volume", name, "Created");
	}
	return 0;
}

int cengine_remove_volumes(struct cengine *e, berr *err)
{
	const char *k;
	json_t *v;
	int rc = 0;
	json_object_foreach(model_get(e, "volumes"), k, v) {
		if (json_is_true(json_object_get(v, "external")))
			continue;
		const char *name = json_string_value(json_object_get(v, "name")) ?: k;
		_cleanup_free_ char *lp = volume_label_path(e, name);
		json_t *l = json_load_file(lp, 0, NULL);
		const char *p = json_string_value(json_object_get(l, CL_PROJECT));
		bool ours = p && !strcmp(p, e->project);
		json_decref(l);
		if (!ours)
			continue;
		_cleanup_free_ char *d = xasprintf("%s/volumes/%s", e->st->root, name);
		cengine_event(e, "Volume", name, "Removing");
		if (rm_rf(d, err) < 0)
			rc = -1;
		else
			cengine_event(e, "Volume", name, "Removed");
	}
	return rc;
}

/* ---- service -> run flags ---- */

static const char *const handled_keys[] = {
	"image", "build", "command", "entrypoint", "environment", "env_file", "ports", "expose", "volumes",
	"tmpfs", "networks", "network_mode", "depends_on", "restart", "container_name", "working_dir", "user",
	"hostname", "healthcheck", "labels", "stop_signal", "stop_grace_period", "init", "read_only", "cap_add",
	"cap_drop", "privileged", "mem_limit", "cpus", "pids_limit", "deploy", "scale", "pull_policy",
	"profiles", "tty", "stdin_open", "dns", "extra_hosts", "security_opt", "memswap_limit", "cpu_shares",
	"volumes_from", "secrets", "configs", "devices", "device_cgroup_rules", NULL,
};

/* devices: "HOST[:CTR[:PERMS]]" as `run --device`, or the long syntax {source, target,
 * permissions} */
static void push_devices(struct strvec *sv, json_t *v)
{
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x) {
		if (json_is_string(x)) {
			sv_push(sv, json_string_value(x));
			continue;
		}
		const char *src = json_string_value(json_object_get(x, "source"));
		const char *dst = json_string_value(json_object_get(x, "target"));
		const char *perm = json_string_value(json_object_get(x, "permissions"));
		if (!src)
			continue;
		sv_pushf(sv, "%s:%s%s%s", src, dst ? dst : src, perm ? ":" : "", perm ? perm : "");
	}
}

char *cengine_service_image(struct cengine *e, const char *svc)
{
	json_t *s = json_object_get(model_get(e, "services"), svc);
	const char *img = json_string_value(json_object_get(s, "image"));
	if (img)
		return xstrdup(img);
	return xasprintf("%s-%s", e->project, svc);
}

static void push_strs(struct strvec *sv, json_t *v)
{
	size_t i;
	json_t *x;
	if (json_is_string(v))
		sv_push(sv, json_string_value(v));
	json_array_foreach(v, i, x) if (json_is_string(x)) sv_push(sv, json_string_value(x));
}

static char *json_scalar(json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_real(v))
		return xasprintf("%g", json_real_value(v));
	if (json_is_boolean(v))
		return xstrdup(json_is_true(v) ? "true" : "false");
	return NULL;
}

static long long dur_ns(json_t *v)
{
	long long ns = 0;
	if (json_is_string(v) && compose_parse_duration(json_string_value(v), &ns) == 0)
		return ns;
	return 0;
}

struct adjust_ud {
	json_t *svc;
	json_t *entrypoint;  /* list or NULL */
	json_t *aliases;     /* network-scoped aliases (service name, networks.X.aliases) */
	const char *restart;
	bool cmd_given;
};

/* The parts of a service `berth run` has no flag for: a list entrypoint, exposed ports, the
 * healthcheck (Docker's Config.Healthcheck, run by container supervision). */
static int adjust_cfg(json_t *cfg, void *vud, berr *err)
{
	struct adjust_ud *ud = vud;
	json_t *conf = json_object_get(cfg, "Config");
	if (ud->entrypoint) {
		json_t *ep = json_array();
		size_t i;
		json_t *x;
		json_array_foreach(ud->entrypoint, i, x) json_array_append(ep, x);
		json_object_set_new(conf, "Entrypoint", ep);
		/* the process: entrypoint then the command */
		json_t *argv = json_deep_copy(ep);
		json_array_extend(argv, json_object_get(conf, "Cmd"));
		if (json_array_size(argv)) {
			json_object_set(cfg, "Path", json_array_get(argv, 0));
			json_array_remove(argv, 0);
			json_object_set_new(cfg, "Args", argv);
		} else
			json_decref(argv);
	}
	json_t *expose = json_object_get(ud->svc, "expose");
	if (json_array_size(expose)) {
		json_t *ep = json_object_get(conf, "ExposedPorts");
		if (!json_is_object(ep)) {
			ep = json_object();
			json_object_set_new(conf, "ExposedPorts", ep);
		}
		size_t i;
		json_t *x;
		json_array_foreach(expose, i, x) {
			_cleanup_free_ char *s = json_scalar(x);
			if (!s)
				continue;
			_cleanup_free_ char *k = strchr(s, '/') ? xstrdup(s) : xasprintf("%s/tcp", s);
			json_object_set_new(ep, k, json_object());
		}
	}
	if (json_array_size(ud->aliases))
		json_object_set(json_object_get(cfg, "HostConfig"), "BerthAliases", ud->aliases);
	json_t *hc = json_object_get(ud->svc, "healthcheck");
	if (hc) {
		json_t *h = json_object();
		json_t *test = json_object_get(hc, "test");
		if (json_is_true(json_object_get(hc, "disable")))
			json_object_set_new(h, "Test", json_pack("[s]", "NONE"));
		else if (json_is_string(test))
			json_object_set_new(h, "Test", json_pack("[s,s]", "CMD-SHELL", json_string_value(test)));
		else if (json_is_array(test))
			json_object_set(h, "Test", test);
		long long ns;
		if ((ns = dur_ns(json_object_get(hc, "interval"))))
			json_object_set_new(h, "Interval", json_integer(ns));
		if ((ns = dur_ns(json_object_get(hc, "timeout"))))
			json_object_set_new(h, "Timeout", json_integer(ns));
		if ((ns = dur_ns(json_object_get(hc, "start_period"))))
			json_object_set_new(h, "StartPeriod", json_integer(ns));
		if ((ns = dur_ns(json_object_get(hc, "start_interval"))))
			json_object_set_new(h, "StartInterval", json_integer(ns));
		if (json_is_integer(json_object_get(hc, "retries")))
			json_object_set(h, "Retries", json_object_get(hc, "retries"));
		json_object_set_new(conf, "Healthcheck", h);
	}
	/* restart policy (on-failure:N...) as `run --restart` applies it */
	struct sup_flags sf = { 0 };
	return supervise_spec(ud->restart, &sf, cfg, err);
}

static void warn_key(struct cengine *e, const char *svc, const char *key, const char *what)
{
	(void)e;
	compose_warn("services.%s.%s: %s", svc, key, what);
}

static void release_flags(struct run_flags *f)
{
	sv_clear(&f->env); sv_clear(&f->env_file); sv_clear(&f->volumes); sv_clear(&f->mounts);
	sv_clear(&f->tmpfs); sv_clear(&f->cap_add); sv_clear(&f->cap_drop); sv_clear(&f->security_opt);
	sv_clear(&f->label); sv_clear(&f->add_host); sv_clear(&f->dns); sv_clear(&f->volumes_from);
	sv_clear(&f->publish); sv_clear(&f->devices); sv_clear(&f->device_cgroup_rules);
}

/* the first network of a service (the one `berth run --network` gets), by priority then name */
static const char *service_network(struct cengine *e, json_t *s, const char **key)
{
	const char *k, *best = NULL;
	json_t *v;
	long long bp = -1;
	bool bint = false;
	json_object_foreach(json_object_get(s, "networks"), k, v) {
		long long pr = json_integer_value(json_object_get(v, "priority"));
		/* a network with a route out first (published ports need one), then by name */
		bool in = json_is_true(json_object_get(json_object_get(model_get(e, "networks"), k), "internal"));
		if (!best || pr > bp || (pr == bp && bint && !in)) {
			best = k;
			bp = pr;
			bint = in;
		}
	}
	*key = best;
	if (!best)
		return NULL;
	json_t *n = json_object_get(model_get(e, "networks"), best);
	return json_string_value(json_object_get(n, "name")) ?: best;
}

int cengine_create(struct cengine *e, const char *svc, int n, const struct cengine_run_opts *ro, struct ctr **out, berr *err)
{
	json_t *s = json_object_get(model_get(e, "services"), svc);
	if (!s)
		return berr_set(err, 0, "no such service: %s", svc);
	struct run_flags f = { 0 };
	_cleanup_strvec_ struct strvec cmd = STRVEC_INIT;
	_cleanup_strvec_ struct strvec keep = STRVEC_INIT; /* strings f points to */
	_cleanup_free_ char *image = cengine_service_image(e, svc);
	_cleanup_free_ char *hash = compose_service_hash(s);
	const char *k;
	json_t *v;
	int rc = -1;
	struct ctr *c = NULL;

	json_object_foreach(s, k, v) {
		bool ok = false;
		for (const char *const *h = handled_keys; *h; h++)
			ok |= !strcmp(*h, k);
		if (!ok)
			warn_key(e, svc, k, "not supported by berth yet, ignored");
	}
	/* name */
	_cleanup_free_ char *name = NULL;
	const char *cname = json_string_value(json_object_get(s, "container_name"));
	if (ro && ro->name)
		name = xstrdup(ro->name);
	else if (ro && ro->oneoff) {
		char id[65];
		ctr_new_id(id);
		id[12] = 0;
		name = xasprintf("%s-%s-run-%s", e->project, svc, id);
	} else if (cname)
		name = xstrdup(cname);
	else
		name = xasprintf("%s-%s-%d", e->project, svc, n);
	f.name = name;
	/* labels */
	sv_pushf(&f.label, "%s=%s", CL_PROJECT, e->project);
	sv_pushf(&f.label, "%s=%s", CL_SERVICE, svc);
	sv_pushf(&f.label, "%s=%d", CL_NUMBER, n);
	sv_pushf(&f.label, "%s=%s", CL_ONEOFF, ro && ro->oneoff ? "True" : "False");
	sv_pushf(&f.label, "%s=%s", CL_HASH, hash);
	sv_pushf(&f.label, "%s=%s", CL_WORKDIR, e->p->dir);
	{
		struct strbuf b = STRBUF_INIT;
		for (size_t i = 0; i < e->p->files.n; i++)
			sb_addf(&b, "%s%s", i ? "," : "", e->p->files.v[i]);
		sv_pushf(&f.label, "%s=%s", CL_FILES, sb_str(&b));
		sb_release(&b);
	}
	sv_pushf(&f.label, "%s=%s", CL_IMAGE, image);
	json_object_foreach(json_object_get(s, "labels"), k, v)
		sv_pushf(&f.label, "%s=%s", k, json_string_value(v) ?: "");
	if (ro && ro->labels)
		for (size_t li = 0; li < ro->labels->n; li++)
			sv_push(&f.label, ro->labels->v[li]);
	/* command / entrypoint */
	struct adjust_ud ud = { .svc = s };
	if (ro && ro->ncmd > 0)
		for (int i = 0; i < ro->ncmd; i++)
			sv_push(&cmd, ro->cmd[i]);
	else
		push_strs(&cmd, json_object_get(s, "command"));
	json_t *ep = json_object_get(s, "entrypoint");
	_cleanup_strvec_ struct strvec epv = STRVEC_INIT;
	if (ro && ro->entrypoint) {
		f.entrypoint_set = true;
		f.entrypoint = ro->entrypoint;
	} else if (json_is_array(ep)) {
		f.entrypoint_set = true;
		push_strs(&epv, ep);
		f.entrypoint = epv.n ? epv.v[0] : "";
		if (epv.n > 1)
			ud.entrypoint = ep;
	}
	/* environment */
	json_object_foreach(json_object_get(s, "environment"), k, v) {
		if (json_is_null(v)) {
			const char *hv = json_string_value(json_object_get(e->p->env, k));
			if (hv)
				sv_pushf(&f.env, "%s=%s", k, hv);
			continue;
		}
		_cleanup_free_ char *sv = json_scalar(v);
		sv_pushf(&f.env, "%s=%s", k, sv ?: "");
	}
	size_t i;
	json_array_foreach(json_object_get(s, "env_file"), i, v) {
		const char *p = json_is_string(v) ? json_string_value(v) : json_string_value(json_object_get(v, "path"));
		json_t *req = json_object_get(v, "required");
		if (p && (!req || json_is_true(req) || path_exists(p)))
			sv_push(&f.env_file, p);
	}
	if (ro && ro->env)
		for (i = 0; i < ro->env->n; i++)
			sv_push(&f.env, ro->env->v[i]);
	/* volumes */
	json_array_foreach(json_object_get(s, "volumes"), i, v) {
		const char *type = json_string_value(json_object_get(v, "type")) ?: "volume";
		const char *src = json_string_value(json_object_get(v, "source"));
		const char *dst = json_string_value(json_object_get(v, "target"));
		bool ro_ = json_is_true(json_object_get(v, "read_only"));
		if (!dst)
			continue;
		if (!strcmp(type, "bind")) {
			json_t *cp = json_object_get(json_object_get(v, "bind"), "create_host_path");
			if (src && !path_exists(src) && (!cp || json_is_true(cp)) && mkdir_p(src, 0755, err) < 0)
				goto out;
			sv_pushf(&f.volumes, "%s:%s%s", src ?: "", dst, ro_ ? ":ro" : "");
		} else if (!strcmp(type, "volume")) {
			if (!src) {
				sv_pushf(&f.volumes, "%s", dst);
				continue;
			}
			json_t *top = json_object_get(model_get(e, "volumes"), src);
			const char *vn = top ? json_string_value(json_object_get(top, "name")) ?: src : src;
			sv_pushf(&f.volumes, "%s:%s%s", vn, dst, ro_ ? ":ro" : "");
		} else if (!strcmp(type, "tmpfs")) {
			long long sz = json_integer_value(json_object_get(json_object_get(v, "tmpfs"), "size"));
			if (json_is_string(json_object_get(json_object_get(v, "tmpfs"), "size")))
				sz = atoll(json_string_value(json_object_get(json_object_get(v, "tmpfs"), "size")));
			if (sz > 0)
				sv_pushf(&f.tmpfs, "%s:size=%lld", dst, sz);
			else
				sv_push(&f.tmpfs, dst);
		} else {
			berr_set(err, 0, "services.%s.volumes[%zu]: volume type \"%s\" is not supported by berth yet", svc, i, type);
			goto out;
		}
	}
	/* anonymous volumes carried over from the container this one replaces: they take the place
	 * of the model's anonymous volume at the same target, or cover an image VOLUME path */
	for (size_t ci = 0; e->carry_volumes && ci < e->carry_volumes->n; ci++) {
		const char *cv = e->carry_volumes->v[ci], *dst = strchr(cv, ':') + 1;
		bool taken = false;
		for (size_t vi = 0; vi < f.volumes.n && !taken; vi++) {
			const char *x = f.volumes.v[vi], *c1 = strchr(x, ':');
			if (!c1 && !strcmp(x, dst)) {
				free(f.volumes.v[vi]);
				f.volumes.v[vi] = xstrdup(cv);
				taken = true;
			} else if (c1) {
				const char *d = c1 + 1, *c2 = strchr(d, ':');
				size_t dl = c2 ? (size_t)(c2 - d) : strlen(d);
				taken = strlen(dst) == dl && !strncmp(d, dst, dl);
			}
		}
		for (size_t ti = 0; ti < f.tmpfs.n && !taken; ti++)
			taken = !strncmp(f.tmpfs.v[ti], dst, strlen(dst)) && (f.tmpfs.v[ti][strlen(dst)] == 0 || f.tmpfs.v[ti][strlen(dst)] == ':');
		if (!taken)
			sv_push(&f.volumes, cv);
	}
	if (cengine_secret_mounts(e, svc, s, &f.volumes, err) < 0)
		goto out;
	if (ro && ro->volumes)
		for (size_t vi = 0; vi < ro->volumes->n; vi++) {
			const char *spec = ro->volumes->v[vi], *colon = strchr(spec, ':');
			if (!colon) {
				sv_push(&f.volumes, spec);
				continue;
			}
			_cleanup_free_ char *src = xstrndup(spec, (size_t)(colon - spec));
			json_t *top = json_object_get(model_get(e, "volumes"), src);
			if (src[0] == '.' || src[0] == '~') {
				const char *home = getenv("HOME");
				_cleanup_free_ char *abs = src[0] == '~' ? xasprintf("%s%s", home ? home : "", src + 1)
									  : xasprintf("%s/%s", e->p->dir, src);
				_cleanup_free_ char *canon = realpath(abs, NULL);
				sv_pushf(&f.volumes, "%s%s", canon ? canon : abs, colon);
			} else if (top)
				sv_pushf(&f.volumes, "%s%s", json_string_value(json_object_get(top, "name")) ?: src, colon);
			else
				sv_push(&f.volumes, spec);
		}
	push_strs(&f.tmpfs, json_object_get(s, "tmpfs"));
	push_strs(&f.cap_add, json_object_get(s, "cap_add"));
	push_strs(&f.cap_drop, json_object_get(s, "cap_drop"));
	if (ro && ro->cap_add)
		for (size_t ci = 0; ci < ro->cap_add->n; ci++)
			sv_push(&f.cap_add, ro->cap_add->v[ci]);
	if (ro && ro->cap_drop)
		for (size_t ci = 0; ci < ro->cap_drop->n; ci++)
			sv_push(&f.cap_drop, ro->cap_drop->v[ci]);
	push_strs(&f.security_opt, json_object_get(s, "security_opt"));
	push_devices(&f.devices, json_object_get(s, "devices"));
	push_strs(&f.device_cgroup_rules, json_object_get(s, "device_cgroup_rules"));
	push_strs(&f.dns, json_object_get(s, "dns"));
	json_t *eh = json_object_get(s, "extra_hosts");
	if (json_is_object(eh))
		json_object_foreach(eh, k, v) {
			size_t j;
			json_t *x;
			if (json_is_array(v))
				json_array_foreach(v, j, x) sv_pushf(&f.add_host, "%s:%s", k, json_string_value(x));
			else
				sv_pushf(&f.add_host, "%s:%s", k, json_string_value(v));
		}
	else
		push_strs(&f.add_host, eh);
	if (json_array_size(json_object_get(s, "volumes_from")))
		warn_key(e, svc, "volumes_from", "not supported by berth compose yet, ignored");
	/* scalar flags */
#define STRKEY(key, field)                                                       \
	do {                                                                     \
		char *x_ = json_scalar(json_object_get(s, key));                \
		if (x_) {                                                        \
			sv_push_owned(&keep, x_);                                \
			f.field = x_;                                            \
		}                                                                \
	} while (0)
	STRKEY("working_dir", workdir);
	STRKEY("user", user);
	STRKEY("hostname", hostname);
	STRKEY("stop_signal", stop_signal);
	STRKEY("mem_limit", memory);
	STRKEY("memswap_limit", memory_swap);
	STRKEY("cpus", cpus);
	STRKEY("cpu_shares", cpu_shares);
	STRKEY("pids_limit", pids_limit);
	STRKEY("restart", restart);
	if (ro && ro->user)
		f.user = ro->user;
	if (ro && ro->workdir)
		f.workdir = ro->workdir;
	if (ro && ro->oneoff)
		f.restart = NULL; /* compose run ignores the restart policy */
	json_t *lim = json_object_get(json_object_get(json_object_get(s, "deploy"), "resources"), "limits");
	if (lim) {
		char *x;
		if ((x = json_scalar(json_object_get(lim, "memory")))) { sv_push_owned(&keep, x); f.memory = x; }
		if ((x = json_scalar(json_object_get(lim, "cpus")))) { sv_push_owned(&keep, x); f.cpus = x; }
		if ((x = json_scalar(json_object_get(lim, "pids")))) { sv_push_owned(&keep, x); f.pids_limit = x; }
	}
	if (json_object_get(json_object_get(json_object_get(s, "deploy"), "resources"), "reservations"))
		warn_key(e, svc, "deploy.resources.reservations", "not supported by berth yet, ignored");
	json_t *rp = json_object_get(json_object_get(s, "deploy"), "restart_policy");
	if (rp && !f.restart) {
		const char *cond = json_string_value(json_object_get(rp, "condition"));
		if (cond && !strcmp(cond, "none")) f.restart = "no";
		else if (cond && !strcmp(cond, "on-failure")) f.restart = "on-failure";
		else f.restart = "always";
	}
	ud.restart = f.restart;
	long long sgp = dur_ns(json_object_get(s, "stop_grace_period"));
	if (json_object_get(s, "stop_grace_period")) {
		char *x = xasprintf("%lld", sgp / 1000000000LL);
		sv_push_owned(&keep, x);
		f.stop_timeout = x;
	}
	f.init = json_is_true(json_object_get(s, "init"));
	f.read_only = json_is_true(json_object_get(s, "read_only"));
	f.privileged = json_is_true(json_object_get(s, "privileged"));
	f.tty = ro ? ro->tty : json_is_true(json_object_get(s, "tty"));
	f.interactive = ro ? ro->interactive : json_is_true(json_object_get(s, "stdin_open"));
	f.detach = !ro || ro->detach;
	f.rm = ro && ro->rm;
	/* network */
	const char *nkey = NULL;
	const char *nm = json_string_value(json_object_get(s, "network_mode"));
	if (nm && strcmp(nm, "host") && strcmp(nm, "none") && strcmp(nm, "bridge")) {
		berr_set(err, 0, "services.%s.network_mode: \"%s\" is not supported by berth yet", svc, nm);
		goto out;
	}
	if (!nm)
		nm = service_network(e, s, &nkey);
	f.network = nm;
	ud.aliases = json_array();
	if (nkey) {
		json_t *nc = json_object_get(json_object_get(s, "networks"), nkey);
		if (!(ro && ro->oneoff) || ro->use_aliases) {
			json_array_append_new(ud.aliases, json_string(svc));
			json_array_extend(ud.aliases, json_object_get(nc, "aliases"));
		}
		const char *ip4 = json_string_value(json_object_get(nc, "ipv4_address"));
		if (ip4)
			f.ip = ip4;
		if (json_object_get(nc, "ipv6_address"))
			warn_key(e, svc, "networks.ipv6_address", "berth networks are IPv4 only: ignored");
	}
	if (ro && ro->publish)
		for (size_t pi = 0; pi < ro->publish->n; pi++)
			sv_push(&f.publish, ro->publish->v[pi]);
	if (!(ro && ro->oneoff) || ro->service_ports)
		json_array_foreach(json_object_get(s, "ports"), i, v) {
			const char *hip = json_string_value(json_object_get(v, "host_ip"));
			_cleanup_free_ char *pub = json_scalar(json_object_get(v, "published"));
			_cleanup_free_ char *tgt = json_scalar(json_object_get(v, "target"));
			const char *proto = json_string_value(json_object_get(v, "protocol")) ?: "tcp";
			if (!tgt)
				continue;
			if (pub && *pub)
				sv_pushf(&f.publish, "%s%s%s:%s/%s", hip ? hip : "", hip ? ":" : "", pub, tgt, proto);
			else
				sv_pushf(&f.publish, "%s/%s", tgt, proto);
		}
	int r = ctr_create(e->st, &f, image, cmd.v, (int)cmd.n, adjust_cfg, &ud, &c, err);
	json_decref(ud.aliases);
	if (r < 0)
		goto out;
	*out = c;
	rc = 0;
out:
	release_flags(&f);
	return rc;
}

/* ---- waiting for conditions ---- */

int cengine_wait_condition(struct cengine *e, const char *svc, const char *condition, berr *err)
{
	if (!strcmp(condition, "service_started"))
		return 0;
	bool healthy = !strcmp(condition, "service_healthy");
	if (!healthy && strcmp(condition, "service_completed_successfully"))
		return berr_set(err, 0, "unsupported depends_on condition: %s", condition);
	for (;;) {
		struct ctr **v;
		size_t n;
		if (cengine_containers(e, svc, 0, &v, &n, err) < 0)
			return -1;
		int done = 0, bad = 0;
		const char *why = NULL;
		for (size_t i = 0; i < n; i++) {
			struct ctr *c = v[i];
			if (healthy) {
				json_t *hc = json_object_get(json_object_get(c->cfg, "Config"), "Healthcheck");
				if (!hc) {
					berr_set(err, 0, "dependency failed to start: container %s has no healthcheck configured", c->name);
					bad = -1;
					break;
				}
				const char *hs = health_status(e->st, c) ?: "";
				if (!strcmp(hs, "healthy"))
					done++;
				else if (!strcmp(hs, "unhealthy")) {
					berr_set(err, 0, "dependency failed to start: container %s is unhealthy", c->name);
					bad = -1;
					break;
				} else if (c->state == CTR_EXITED) {
					berr_set(err, 0, "dependency failed to start: container %s exited (%d)", c->name, c->exit_code);
					bad = -1;
					break;
				}
			} else if (c->state == CTR_EXITED) {
				if (c->exit_code == 0)
					done++;
				else {
					berr_set(err, 0, "service \"%s\" didn't complete successfully: exit %d", svc, c->exit_code);
					bad = -1;
					break;
				}
			}
		}
		(void)why;
		ctr_list_free(v, n);
		if (bad)
			return -1;
		if (done == (int)n)
			return 0;
		struct timespec ts = { 0, 100 * 1000000L };
		nanosleep(&ts, NULL);
	}
}

/* ---- up ---- */

static int image_id_of(struct store *st, const char *ref, char **id)
{
	struct image_run_info info = { 0 };
	berr e2 = { 0 };
	*id = NULL;
	if (image_resolve_for_run(st, ref, &info, &e2) < 0)
		return -1;
	*id = xstrdup(info.id);
	image_run_info_release(&info);
	return 0;
}

static int remove_ctr(struct cengine *e, struct ctr *c, int timeout, bool vols, berr *err)
{
	if (c->state == CTR_RUNNING) {
		cengine_event(e, "Container", c->name, "Stopping");
		if (ctr_stop(e->st, c, timeout, err) < 0)
			return -1;
		cengine_event(e, "Container", c->name, "Stopped");
	}
	cengine_event(e, "Container", c->name, "Removing");
	berr e2 = { 0 };
	net_detach_all(e->st, c->id, &e2);
	if (ctr_remove(e->st, c, vols, err) < 0)
		return -1;
	cengine_event(e, "Container", c->name, "Removed");
	return 0;
}

/* The networks of a service after the first (the runtime joins that one before the process
 * starts): joined once the container runs, with the service name and aliases. */
static int attach_extra_networks(struct cengine *e, struct ctr *c, berr *err)
{
	const char *svc = ctr_label(c, CL_SERVICE);
	json_t *s = svc ? json_object_get(model_get(e, "services"), svc) : NULL;
	json_t *nets = json_object_get(s, "networks");
	if (json_object_size(nets) < 2 || json_object_get(s, "network_mode"))
		return 0;
	const char *first = NULL;
	service_network(e, s, &first);
	struct ctr *cur = NULL;
	if (ctr_lookup(e->st, c->id, &cur, err) < 0)
		return -1;
	const char *k;
	json_t *v;
	int rc = 0;
	json_object_foreach(nets, k, v) {
		if (first && !strcmp(k, first))
			continue;
		json_t *n = json_object_get(model_get(e, "networks"), k);
		const char *name = json_string_value(json_object_get(n, "name")) ?: k;
		struct strvec al = STRVEC_INIT;
		sv_push(&al, c->name);
		if (strcmp(ctr_label(c, CL_ONEOFF) ?: "", "True"))
			sv_push(&al, svc);
		size_t i;
		json_t *a;
		json_array_foreach(json_object_get(v, "aliases"), i, a) sv_push(&al, json_string_value(a));
		struct net_attach_opts o = { .ip = json_string_value(json_object_get(v, "ipv4_address")),
					     .aliases = (const char *const *)al.v, .container_name = c->name };
		struct net_attach_result res = { 0 };
		int r = net_attach_pid(e->st, name, c->id, cur->pid, &o, &res, err);
		sv_clear(&al);
		if (r < 0) {
			rc = -1;
			break;
		}
		net_attach_result_free(&res);
	}
	ctr_free(cur);
	return rc;
}

static int start_ctr(struct cengine *e, struct ctr *c, berr *err)
{
	if (ctr_refresh(e->st, c) == CTR_RUNNING) {
		cengine_event(e, "Container", c->name, "Running");
		return 0;
	}
	cengine_event(e, "Container", c->name, "Starting");
	if (ctr_start(e->st, c, err) < 0 || attach_extra_networks(e, c, err) < 0)
		return -1;
	cengine_event(e, "Container", c->name, "Started");
	return 0;
}

int cengine_orphans(struct cengine *e, struct strvec *names, berr *err)
{
	struct ctr **v;
	size_t n;
	if (cengine_containers(e, NULL, 0, &v, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *s = ctr_label(v[i], CL_SERVICE);
		if (s && !json_object_get(model_get(e, "services"), s))
			sv_push(names, v[i]->name);
	}
	ctr_list_free(v, n);
	return 0;
}

struct replica_job {
	const char *svc;
	json_t *s;
	const struct cengine_up_opts *o;
	int nums[1024];
	size_t n;
};

static int replica_job(struct cengine *e, size_t i, void *ud, berr *err)
{
	struct replica_job *rj = ud;
	int num = rj->nums[i];
	struct ctr *nc = NULL;
	_cleanup_free_ char *nm = json_object_get(rj->s, "container_name")
					 ? xstrdup(json_string_value(json_object_get(rj->s, "container_name")))
					 : xasprintf("%s-%s-%d", e->project, rj->svc, num);
	cengine_event(e, "Container", nm, "Creating");
	if (cengine_create(e, rj->svc, num, NULL, &nc, err) < 0)
		return -1;
	cengine_event(e, "Container", nc->name, "Created");
	int rc = rj->o->no_start ? 0 : start_ctr(e, nc, err);
	ctr_free(nc);
	return rc;
}

static int converge_service(struct cengine *e, const char *svc, const struct cengine_up_opts *o, berr *err)
{
	json_t *s = json_object_get(model_get(e, "services"), svc);
	int want = compose_replicas(s, svc, o->scale);
	if (want > 1 && json_object_get(s, "container_name"))
		return berr_set(err, 0, "services.%s: container_name \"%s\" cannot be used with %d replicas",
				svc, json_string_value(json_object_get(s, "container_name")), want);
	_cleanup_free_ char *hash = compose_service_hash(s);
	_cleanup_free_ char *image = cengine_service_image(e, svc);
	_cleanup_free_ char *img_id = NULL;
	if (image_id_of(e->st, image, &img_id) < 0) {
		if (json_object_get(s, "build") && !o->no_build) {
			struct strvec one = STRVEC_INIT;
			sv_push(&one, svc);
			int r = cengine_build(e, &one, false, false, err);
			sv_clear(&one);
			if (r < 0)
				return -1;
			image_id_of(e->st, image, &img_id);
		}
		if (!img_id)
			return berr_set(err, 0, "Error response from daemon: No such image: %s", image);
	}
	struct ctr **v;
	size_t n;
	if (cengine_containers(e, svc, 0, &v, &n, err) < 0)
		return -1;
	int rc = 0;
	bool have[1024] = { 0 };
	for (size_t i = 0; i < n && !rc; i++) {
		struct ctr *c = v[i];
		int num = atoi(ctr_label(c, CL_NUMBER) ?: "0");
		if (num > want || num < 1 || num >= 1024) {
			/* scaled down */
			rc = remove_ctr(e, c, o->timeout, false, err);
			continue;
		}
		const char *cid = json_string_value(json_object_get(c->cfg, "Image"));
		bool changed = strcmp(ctr_label(c, CL_HASH) ?: "", hash) || (cid && strcmp(cid, img_id));
		/* as compose: --force-recreate is for the named services (all when none is named), the
		 * dependencies pulled in are recreated only when diverged, or always with
		 * --always-recreate-deps */
		bool named = !o->services || !o->services->n || sv_contains(o->services, svc);
		bool force = named ? o->force_recreate : o->recreate_deps;
		if (force || (changed && !o->no_recreate)) {
			cengine_event(e, "Container", c->name, "Recreate");
			/* as compose: the anonymous volumes of the old container are mounted again in
			 * the new one (unless -V) */
			struct strvec carry = STRVEC_INIT;
			size_t mi;
			json_t *mnt;
			json_array_foreach(o->renew_anon ? NULL : json_object_get(c->cfg, "Mounts"), mi, mnt) {
				const char *ty = json_string_value(json_object_get(mnt, "Type"));
				const char *nm = json_string_value(json_object_get(mnt, "Name"));
				const char *dst = json_string_value(json_object_get(mnt, "Destination"));
				if (ty && !strcmp(ty, "volume") && nm && dst && strlen(nm) == 64 && strspn(nm, "0123456789abcdef") == 64)
					sv_pushf(&carry, "%s:%s", nm, dst);
			}
			if (remove_ctr(e, c, o->timeout, false, err) < 0) {
				sv_clear(&carry);
				rc = -1;
				break;
			}
			struct ctr *nc = NULL;
			e->carry_volumes = &carry;
			int cr = cengine_create(e, svc, num, NULL, &nc, err);
			e->carry_volumes = NULL;
			sv_clear(&carry);
			if (cr < 0) {
				rc = -1;
				break;
			}
			cengine_event(e, "Container", nc->name, "Recreated");
			if (!o->no_start)
				rc = start_ctr(e, nc, err);
			ctr_free(nc);
		} else if (!o->no_start)
			rc = start_ctr(e, c, err);
		have[num] = true;
	}
	ctr_list_free(v, n);
	if (rc)
		return rc;
	/* the missing replicas are created and started concurrently */
	struct replica_job rj = { .svc = svc, .s = s, .o = o };
	for (int num = 1; num <= want && num < 1024; num++)
		if (!have[num])
			rj.nums[rj.n++] = num;
	return cengine_parallel(e, rj.n, replica_job, &rj, err);
}

/* Wait for the depends_on conditions of a service (service_healthy, ..._completed_successfully). */
static int wait_deps(struct cengine *e, const char *svc, const struct strvec *order, const struct cengine_up_opts *o,
		     berr *err)
{
	json_t *s = json_object_get(model_get(e, "services"), svc);
	const char *dep;
	json_t *d;
	if (o->no_start)
		return 0;
	json_object_foreach(json_object_get(s, "depends_on"), dep, d) {
		if (!json_object_get(model_get(e, "services"), dep) || (o->no_deps && !sv_contains(order, dep)))
			continue;
		const char *cond = json_string_value(json_object_get(d, "condition")) ?: "service_started";
		if (!strcmp(cond, "service_started"))
			continue;
		struct ctr **dv;
		size_t dn;
		if (cengine_containers(e, dep, 0, &dv, &dn, err) < 0)
			return -1;
		for (size_t j = 0; j < dn; j++)
			cengine_event(e, "Container", dv[j]->name, "Waiting");
		int r = cengine_wait_condition(e, dep, cond, err);
		for (size_t j = 0; j < dn && r == 0; j++)
			cengine_event(e, "Container", dv[j]->name, !strcmp(cond, "service_healthy") ? "Healthy" : "Exited");
		ctr_list_free(dv, dn);
		if (r < 0)
			return -1;
	}
	return 0;
}

struct converge_job {
	const struct strvec *svcs;
	const struct cengine_up_opts *o;
};

static int converge_job(struct cengine *e, size_t i, void *ud, berr *err)
{
	struct converge_job *cj = ud;
	return converge_service(e, cj->svcs->v[i], cj->o, err);
}

int cengine_up(struct cengine *e, const struct cengine_up_opts *o, berr *err)
{
	_cleanup_strvec_ struct strvec order = STRVEC_INIT;
	if (compose_plan(e->p->model, o->services, !o->no_deps, &order, err) < 0)
		return -1;
	/* check everything that can fail before anything starts: external networks, images */
	if (cengine_ensure_networks(e, true, err) < 0)
		return -1;
	for (size_t i = 0; i < order.n; i++) {
		json_t *s = json_object_get(model_get(e, "services"), order.v[i]);
		_cleanup_free_ char *image = cengine_service_image(e, order.v[i]);
		_cleanup_free_ char *id = NULL;
		bool buildable = json_object_get(s, "build") != NULL;
		bool has_image = json_object_get(s, "image") != NULL;
		const char *pol = cengine_pull_policy(s, o->pull);
		/* pull_policy: always pulls; missing pulls an absent image (a service that can be
		 * built is built instead); never and build never pull; build always builds */
		if (has_image && !strcmp(pol, "always")) {
			bool q = e->quiet;
			e->quiet = e->quiet || o->quiet_pull;
			int r = cengine_pull_service(e, order.v[i], NULL, err);
			e->quiet = q;
			if (r < 0 && !buildable)
				return -1;
		}
		if (buildable && !o->no_build && (o->build || !strcmp(pol, "build"))) {
			struct strvec one = STRVEC_INIT;
			sv_push(&one, order.v[i]);
			int r = cengine_build(e, &one, true, false, err);
			sv_clear(&one);
			if (r < 0)
				return -1;
		}
		if (image_id_of(e->st, image, &id) < 0) {
			if (has_image && !buildable && !strcmp(pol, "missing")) {
				bool q = e->quiet;
				e->quiet = e->quiet || o->quiet_pull;
				int r = cengine_pull_service(e, order.v[i], NULL, err);
				e->quiet = q;
				if (r < 0)
					return -1;
				continue;
			}
			if (!buildable || o->no_build)
				return berr_set(err, 0, "Error response from daemon: No such image: %s", image);
			/* build what is missing before anything is created, as compose */
			struct strvec one = STRVEC_INIT;
			sv_push(&one, order.v[i]);
			int r = cengine_build(e, &one, false, false, err);
			sv_clear(&one);
			if (r < 0)
				return -1;
		}
	}
	/* secrets and configs that cannot be mounted are errors before anything is created */
	for (size_t i = 0; i < order.n; i++)
		if (cengine_secret_mounts(e, order.v[i], json_object_get(model_get(e, "services"), order.v[i]), NULL, err) < 0)
			return -1;
	_cleanup_strvec_ struct strvec orphans = STRVEC_INIT;
	if (cengine_orphans(e, &orphans, err) < 0)
		return -1;
	if (orphans.n && !o->remove_orphans)
		compose_warn("Found orphan containers ([%s]) for this project. If you removed or renamed this service in "
			     "your compose file, you can run this command with the --remove-orphans flag to clean it up.",
			     orphans.v[0]);
	if (orphans.n && o->remove_orphans) {
		struct ctr **v;
		size_t n;
		if (cengine_containers(e, NULL, -1, &v, &n, err) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			if (sv_contains(&orphans, v[i]->name) && remove_ctr(e, v[i], o->timeout, false, err) < 0) {
				ctr_list_free(v, n);
				return -1;
			}
		ctr_list_free(v, n);
	}
	if (cengine_ensure_networks(e, false, err) < 0 || cengine_ensure_volumes(e, err) < 0)
		return -1;
	/* the services of a dependency level are converged concurrently, as compose v2 */
	int *levels = xcalloc(order.n + 1, sizeof *levels), maxl = 0;
	compose_levels(e->p ? e->p->model : NULL, &order, levels);
	for (size_t i = 0; i < order.n; i++)
		maxl = levels[i] > maxl ? levels[i] : maxl;
	for (int l = 0; l <= maxl; l++) {
		struct strvec batch = STRVEC_INIT;
		for (size_t i = 0; i < order.n; i++)
			if (levels[i] == l)
				sv_push(&batch, order.v[i]);
		int r = 0;
		for (size_t i = 0; i < batch.n && r == 0; i++)
			r = wait_deps(e, batch.v[i], &order, o, err);
		struct converge_job cj = { .svcs = &batch, .o = o };
		if (r == 0)
			r = cengine_parallel(e, batch.n, converge_job, &cj, err);
		sv_clear(&batch);
		if (r < 0) {
			free(levels);
			return -1;
		}
	}
	free(levels);
	if (o->wait) {
		for (size_t i = 0; i < order.n; i++) {
			json_t *s = json_object_get(model_get(e, "services"), order.v[i]);
			if (json_object_get(s, "healthcheck") && !json_is_true(json_object_get(json_object_get(s, "healthcheck"), "disable")))
				if (cengine_wait_condition(e, order.v[i], "service_healthy", err) < 0)
					return -1;
		}
	}
	return 0;
}

int cengine_image_id(struct cengine *e, const char *ref, char **id)
{
	return image_id_of(e->st, ref, id);
}

/* ---- stop / start / kill / rm ---- */

static bool in_services(const struct strvec *services, struct ctr *c)
{
	if (!services || !services->n)
		return true;
	const char *s = ctr_label(c, CL_SERVICE);
	return s && sv_contains(services, s);
}

/* the position of a service in the plan (unknown: last) */
static int plan_pos(const struct strvec *order, const char *svc)
{
	for (size_t i = 0; i < order->n; i++)
		if (svc && !strcmp(order->v[i], svc))
			return (int)i;
	return (int)order->n;
}

static int containers_in_order(struct cengine *e, bool reverse, int oneoff, struct ctr ***out, size_t *n, berr *err)
{
	_cleanup_strvec_ struct strvec order = STRVEC_INIT;
	if (e->p && compose_plan(e->p->model, NULL, true, &order, err) < 0)
		return -1;
	if (cengine_containers(e, NULL, oneoff, out, n, err) < 0)
		return -1;
	/* stable insertion sort by plan position */
	struct ctr **v = *out;
	for (size_t i = 1; i < *n; i++)
		for (size_t j = i; j > 0; j--) {
			int a = plan_pos(&order, ctr_label(v[j - 1], CL_SERVICE)), b = plan_pos(&order, ctr_label(v[j], CL_SERVICE));
			if (reverse ? a < b : a > b) {
				struct ctr *t = v[j];
				v[j] = v[j - 1];
				v[j - 1] = t;
			} else
				break;
		}
	return 0;
}

/* The level of a container's service in the project's plan (containers of services not in the
 * model: -1). */
static int ctr_level(const struct strvec *order, const int *levels, struct ctr *c)
{
	int pos = plan_pos(order, ctr_label(c, CL_SERVICE));
	return pos < (int)order->n ? levels[pos] : -1;
}

struct ctr_batch_job {
	struct ctr **v;
	int timeout;
	bool vols;
};

static int stop_job(struct cengine *e, size_t i, void *ud, berr *err)
{
	struct ctr_batch_job *j = ud;
	struct ctr *c = j->v[i];
	cengine_event(e, "Container", c->name, "Stopping");
	if (ctr_stop(e->st, c, j->timeout, err) < 0)
		return -1;
	berr e2 = { 0 };
	net_detach_all(e->st, c->id, &e2);
	cengine_event(e, "Container", c->name, "Stopped");
	return 0;
}

static int remove_job(struct cengine *e, size_t i, void *ud, berr *err)
{
	struct ctr_batch_job *j = ud;
	return remove_ctr(e, j->v[i], j->timeout, j->vols, err);
}

/* Run job on the selected containers of v (in plan order), one dependency level at a time,
 * the containers of a level concurrently. */
static int by_levels(struct cengine *e, struct ctr **v, size_t n, bool *sel, cengine_job_fn job, struct ctr_batch_job *j,
		     berr *err)
{
	_cleanup_strvec_ struct strvec order = STRVEC_INIT;
	if (e->p && compose_plan(e->p->model, NULL, true, &order, err) < 0)
		return -1;
	int *levels = xcalloc(order.n + 1, sizeof *levels);
	compose_levels(e->p ? e->p->model : NULL, &order, levels);
	struct ctr **batch = xcalloc(n + 1, sizeof *batch);
	int rc = 0;
	for (size_t i = 0; i < n && !rc;) {
		int l = ctr_level(&order, levels, v[i]);
		size_t k = 0, end = i;
		for (; end < n && ctr_level(&order, levels, v[end]) == l; end++)
			if (sel[end])
				batch[k++] = v[end];
		struct ctr_batch_job bj = *j;
		bj.v = batch;
		rc = cengine_parallel(e, k, job, &bj, err);
		i = end;
	}
	free(batch);
	free(levels);
	return rc;
}

int cengine_stop(struct cengine *e, const struct strvec *services, int timeout, berr *err)
{
	struct ctr **v;
	size_t n;
	if (containers_in_order(e, true, -1, &v, &n, err) < 0)
		return -1;
	bool *sel = xcalloc(n + 1, sizeof *sel);
	for (size_t i = 0; i < n; i++)
		sel[i] = in_services(services, v[i]) && v[i]->state == CTR_RUNNING;
	struct ctr_batch_job j = { .timeout = timeout };
	int rc = by_levels(e, v, n, sel, stop_job, &j, err);
	free(sel);
	ctr_list_free(v, n);
	return rc;
}

static int start_job(struct cengine *e, size_t i, void *ud, berr *err)
{
	struct ctr_batch_job *j = ud;
	return start_ctr(e, j->v[i], err);
}

int cengine_start(struct cengine *e, const struct strvec *services, berr *err)
{
	struct ctr **v;
	size_t n;
	if (containers_in_order(e, false, 0, &v, &n, err) < 0)
		return -1;
	bool *sel = xcalloc(n + 1, sizeof *sel);
	for (size_t i = 0; i < n; i++)
		sel[i] = in_services(services, v[i]);
	struct ctr_batch_job j = { .timeout = -1 };
	int rc = by_levels(e, v, n, sel, start_job, &j, err);
	free(sel);
	ctr_list_free(v, n);
	return rc;
}

int cengine_kill(struct cengine *e, const struct strvec *services, int sig, berr *err)
{
	struct ctr **v;
	size_t n;
	if (containers_in_order(e, true, -1, &v, &n, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (!in_services(services, v[i]) || v[i]->state != CTR_RUNNING)
			continue;
		cengine_event(e, "Container", v[i]->name, "Killing");
		if (ctr_kill(e->st, v[i], sig, err) < 0) {
			rc = -1;
			break;
		}
		cengine_event(e, "Container", v[i]->name, "Killed");
	}
	ctr_list_free(v, n);
	return rc;
}

int cengine_rm(struct cengine *e, const struct strvec *services, bool stop_first, bool volumes, int oneoff, berr *err)
{
	struct ctr **v;
	size_t n;
	if (containers_in_order(e, true, oneoff, &v, &n, err) < 0)
		return -1;
	bool *sel = xcalloc(n + 1, sizeof *sel);
	for (size_t i = 0; i < n; i++)
		sel[i] = in_services(services, v[i]) && (v[i]->state != CTR_RUNNING || stop_first);
	struct ctr_batch_job j = { .timeout = -1, .vols = volumes };
	int rc = by_levels(e, v, n, sel, remove_job, &j, err);
	free(sel);
	ctr_list_free(v, n);
	return rc;
}

/* ---- build, other verbs ---- */

int cengine_call_verb(struct berth_ctx *ctx, const char *group, struct strvec *argv)
{
	for (const struct berth_cmd *const *c = cmds_begin(); c < cmds_end(); c++) {
		if (strcmp((*c)->name, argv->v[0]))
			continue;
		if ((group && (!(*c)->group || strcmp((*c)->group, group))) || (!group && (*c)->group))
			continue;
		fflush(stdout);
		return (*c)->run(ctx, (int)argv->n, argv->v);
	}
	fprintf(stderr, "berth %s is not available in this build\n", argv->v[0]);
	return 1;
}

int cengine_build(struct cengine *e, const struct strvec *services, bool force, bool quiet, berr *err)
{
	_cleanup_strvec_ struct strvec order = STRVEC_INIT;
	if (compose_plan(e->p->model, services, false, &order, err) < 0)
		return -1;
	for (size_t i = 0; i < order.n; i++) {
		json_t *s = json_object_get(model_get(e, "services"), order.v[i]);
		json_t *b = json_object_get(s, "build");
		if (!b)
			continue;
		_cleanup_free_ char *image = cengine_service_image(e, order.v[i]);
		_cleanup_free_ char *id = NULL;
		if (!force && image_id_of(e->st, image, &id) == 0)
			continue;
		_cleanup_strvec_ struct strvec av = STRVEC_INIT;
		sv_push(&av, "build");
		sv_push(&av, "-t");
		sv_push(&av, image);
		size_t ti;
		json_t *tv;
		json_array_foreach(json_object_get(b, "tags"), ti, tv) if (json_is_string(tv)) {
			sv_push(&av, "-t");
			sv_push(&av, json_string_value(tv));
		}
		if (quiet)
			sv_push(&av, "-q");
		const char *ctxdir = json_string_value(json_object_get(b, "context")) ?: ".";
		const char *df = json_string_value(json_object_get(b, "dockerfile"));
		if (df) {
			sv_push(&av, "-f");
			if (df[0] == '/')
				sv_push(&av, df);
			else
				sv_pushf(&av, "%s/%s", ctxdir, df);
		}
		const char *target = json_string_value(json_object_get(b, "target"));
		if (target) {
			sv_push(&av, "--target");
			sv_push(&av, target);
		}
		const char *k;
		json_t *v;
		json_object_foreach(json_object_get(b, "args"), k, v) {
			sv_push(&av, "--build-arg");
			if (json_is_null(v))
				sv_push(&av, k);
			else {
				_cleanup_free_ char *x = json_scalar(v);
				sv_pushf(&av, "%s=%s", k, x ?: "");
			}
		}
		if (e->build_args)
			for (size_t ai = 0; ai < e->build_args->n; ai++) {
				/* KEY alone: the variable's value, as compose (unset: not passed) */
				const char *a = e->build_args->v[ai];
				sv_push(&av, "--build-arg");
				if (strchr(a, '='))
					sv_push(&av, a);
				else {
					const char *val = json_string_value(json_object_get(e->p->env, a));
					if (val)
						sv_pushf(&av, "%s=%s", a, val);
					else
						sv_push(&av, a);
				}
			}
		if (e->no_cache)
			sv_push(&av, "--no-cache");
		json_object_foreach(json_object_get(b, "labels"), k, v) {
			sv_push(&av, "--label");
			sv_pushf(&av, "%s=%s", k, json_string_value(v) ?: "");
		}
		/* build.secrets: `berth build --secret id=ID,src=FILE|env=VAR`, the ID being the
		 * target when given, else the source (as compose v2 passes them to buildx) */
		size_t si;
		json_t *sm;
		json_array_foreach(json_object_get(b, "secrets"), si, sm) {
			const char *src = json_is_string(sm) ? json_string_value(sm) : json_string_value(json_object_get(sm, "source"));
			const char *tgt = json_is_object(sm) ? json_string_value(json_object_get(sm, "target")) : NULL;
			json_t *def = json_object_get(model_get(e, "secrets"), src ? src : "");
			if (!src || !def)
				return berr_set(err, 0, "service \"%s\" refers to undefined build secret %s: invalid compose project",
						order.v[i], src ? src : "");
			const char *file = json_string_value(json_object_get(def, "file"));
			const char *var = json_string_value(json_object_get(def, "environment"));
			sv_push(&av, "--secret");
			if (file)
				sv_pushf(&av, "id=%s,src=%s", tgt ? tgt : src, file);
			else if (var) {
				/* the builder reads the process environment: give it the project's value */
				const char *val = json_string_value(json_object_get(e->p->env, var));
				if (val && !getenv(var))
					setenv(var, val, 0);
				sv_pushf(&av, "id=%s,env=%s", tgt ? tgt : src, var);
			} else
				return berr_set(err, 0, "build.secrets only supports environment or file-based secrets: \"%s\"", src);
		}
		if (json_object_get(b, "dockerfile_inline"))
			return berr_set(err, 0, "services.%s.build.dockerfile_inline is not supported by berth yet", order.v[i]);
		sv_push(&av, ctxdir);
		/* the builder opens its own store: release ours meanwhile */
		store_close(e->st);
		e->st = NULL;
		int st = cengine_call_verb(e->ctx, NULL, &av);
		if (store_open(&e->st, e->ctx->root, e->ctx->runroot, err) < 0)
			return -1;
		if (st)
			return berr_set(err, st, "failed to build service %s", order.v[i]);
		cengine_event(e, "Service", order.v[i], "Built");
	}
	return 0;
}
