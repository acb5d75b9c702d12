/* netattach.c: joining a bridge network (src/net) before the container's process starts. The
 * attach runs in a fresh `berth debug net-attach` process (the caller may be the monitor, a fork
 * that must not touch SQLite), on the container's /proc/PID/ns/net; its result goes to
 * containers/<id>/network.json (read by inspect and ps) and into the container's /etc/hosts. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "net/net.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/fs.h"

extern char **environ;

bool ctr_uses_bridge(json_t *cfg)
{
	const char *nm = json_string_value(json_object_get(json_object_get(cfg, "HostConfig"), "NetworkMode"));
	return nm && strcmp(nm, "none") && strcmp(nm, "host") && strcmp(nm, "default");
}

int ctr_net_attach(struct store *st, struct ctr *c, pid_t pid, berr *err)
{
	json_t *hc = json_object_get(c->cfg, "HostConfig");
	const char *nm = json_string_value(json_object_get(hc, "NetworkMode"));
	struct strvec av = STRVEC_INIT;
	sv_push(&av, "berth");
	sv_push(&av, "--root");
	sv_push(&av, st->root);
	sv_push(&av, "--runroot");
	sv_push(&av, st->runroot);
	sv_push(&av, "debug");
	sv_push(&av, "net-attach");
	sv_push(&av, "--id");
	sv_push(&av, c->id);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(hc, "BerthPublish"), i, v) {
		sv_push(&av, "-p");
		sv_push(&av, json_string_value(v));
	}
	const char *ip = json_string_value(json_object_get(hc, "BerthIP"));
	if (ip && *ip) {
		sv_push(&av, "--ip");
		sv_push(&av, ip);
	}
	sv_push(&av, "--alias");
	sv_push(&av, c->name);
	sv_push(&av, nm);
	sv_pushf(&av, "/proc/%d/ns/net", pid);
	int out[2], errp[2];
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		sv_clear(&av);
		return berr_sys(err, "pipe");
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	pid_t h;
	int rc = posix_spawn(&h, "/proc/self/exe", &fa, NULL, av.v, environ);
	posix_spawn_file_actions_destroy(&fa);
	sv_clear(&av);
	close(out[1]);
	close(errp[1]);
	if (rc != 0) {
		close(out[0]);
		close(errp[0]);
		errno = rc;
		return berr_sys(err, "network attach");
	}
	struct strbuf o = STRBUF_INIT, e = STRBUF_INIT;
	char buf[4096];
	ssize_t n;
	while ((n = read(out[0], buf, sizeof buf)) > 0)
		sb_add(&o, buf, (size_t)n);
	while ((n = read(errp[0], buf, sizeof buf)) > 0)
		sb_add(&e, buf, (size_t)n);
	close(out[0]);
	close(errp[0]);
	int ws;
	waitpid(h, &ws, 0);
	if (!WIFEXITED(ws) || WEXITSTATUS(ws)) {
		const char *msg = sb_str(&e);
		if (!strncmp(msg, "Error: ", 7))
			msg += 7;
		berr_set(err, EIO, "%.*s", (int)strcspn(msg, "\n"), msg);
		err->status = 125;
		sb_release(&o);
		sb_release(&e);
		return -1;
	}
	sb_release(&e);
	/* ip=A/N gateway= mac= ifname= host_veth= port=HOSTIP:HP->CP/proto */
	json_t *res = json_object(), *ports = json_array();
	for (char *l = strtok(o.buf, "\n"); l; l = strtok(NULL, "\n")) {
		char *eq = strchr(l, '=');
		if (!eq)
			continue;
		*eq = 0;
		if (!strcmp(l, "port"))
			json_array_append_new(ports, json_string(eq + 1));
		else
			json_object_set_new(res, l, json_string(eq + 1));
	}
	json_object_set_new(res, "network", json_string(nm));
	json_object_set_new(res, "ports", ports);
	sb_release(&o);
	_cleanup_free_ char *d = ctr_dir(st, c->id);
	_cleanup_free_ char *p = xasprintf("%s/network.json", d);
	char *js = json_dumps(res, JSON_COMPACT);
	int wr = write_file_atomic(p, js, strlen(js), 0600, err);
	free(js);
	/* the container's own name in /etc/hosts, as Docker's */
	const char *ipstr = json_string_value(json_object_get(res, "ip"));
	if (wr == 0 && ipstr) {
		_cleanup_free_ char *hp = xasprintf("%s/hosts", d);
		_cleanup_free_ char *cur = NULL;
		size_t len;
		berr e2;
		if (read_file(hp, &cur, &len, &e2) == 0) {
			const char *hn = json_string_value(json_object_get(json_object_get(c->cfg, "Config"), "Hostname"));
			_cleanup_free_ char *nw = xasprintf("%s%.*s\t%s\n", cur, (int)strcspn(ipstr, "/"), ipstr, hn ? hn : "");
			write_file_atomic(hp, nw, strlen(nw), 0644, &e2);
		}
	}
	json_decref(res);
	return wr;
}

json_t *ctr_net_result(struct store *st, const char *id)
{
	_cleanup_free_ char *p = xasprintf("%s/containers/%s/network.json", st->root, id);
	return json_load_file(p, 0, NULL);
}

void ctr_net_detach(struct store *st, struct ctr *c)
{
	if (!ctr_uses_bridge(c->cfg))
		return;
	berr e;
	net_detach_all(st, c->id, &e);
	_cleanup_free_ char *p = xasprintf("%s/containers/%s/network.json", st->root, c->id);
	unlink(p);
}
