/* container.c: container records in SQLite (the containers table), lookups by id/prefix/name,
 * truthful state (pid + start time checks), removal and Docker's status strings. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "image/image.h"
#include "runtime/runtime.h"
#include "runtime/supervise.h"
#include "util/units.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

BERTH_SCHEMA(schema_containers) = {
	"containers",
	"CREATE TABLE IF NOT EXISTS containers ("
	" id TEXT PRIMARY KEY, name TEXT UNIQUE NOT NULL, image TEXT NOT NULL DEFAULT '',"
	" config TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'created',"
	" pid INTEGER NOT NULL DEFAULT 0, pid_start INTEGER NOT NULL DEFAULT 0,"
	" mon_pid INTEGER NOT NULL DEFAULT 0, mon_start INTEGER NOT NULL DEFAULT 0,"
	" exit_code INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL DEFAULT 0,"
	" started_at INTEGER NOT NULL DEFAULT 0, finished_at INTEGER NOT NULL DEFAULT 0,"
	" oom INTEGER NOT NULL DEFAULT 0, error TEXT NOT NULL DEFAULT '');",
};

static const char *state_names[] = { "created", "running", "exited", "removing" };
const char *ctr_state_name(enum ctr_state s) { return state_names[s]; }

static enum ctr_state state_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (s && !strcmp(s, state_names[i]))
			return i;
	return CTR_EXITED;
}

void ctr_free(struct ctr *c)
{
	if (!c)
		return;
	free(c->id);
	free(c->name);
	free(c->image);
	free(c->error);
	if (c->cfg)
		json_decref(c->cfg);
	free(c);
}

int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

char *fmt_rfc3339(int64_t ns)
{
	char b[UNITS_BUF];
	if (ns <= 0)
		return xstrdup("0001-01-01T00:00:00Z");
	return xstrdup(units_rfc3339nano(ns / 1000000000LL, (long)(ns % 1000000000LL), b));
}

void ctr_new_id(char out[65])
{
	unsigned char r[32];
	if (getrandom(r, sizeof r, 0) != sizeof r)
		abort();
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", r[i]);
	out[64] = 0;
}

static const char *adjs[] = { "admiring", "agitated", "amazing", "angry", "awesome", "blissful",
	"bold", "brave", "busy", "charming", "clever", "cool", "dazzling", "determined", "eager",
	"ecstatic", "elegant", "epic", "festive", "focused", "friendly", "gallant", "gifted",
	"happy", "hopeful", "jolly", "keen", "kind", "loving", "lucid", "modest", "nice",
	"nifty", "peaceful", "quirky", "relaxed", "serene", "sharp", "stoic", "sweet", "tender",
	"trusting", "upbeat", "vibrant", "wizardly", "zealous" };
static const char *nouns[] = { "albattani", "babbage", "bardeen", "bell", "bohr", "curie",
	"darwin", "dijkstra", "einstein", "euler", "fermi", "feynman", "galileo", "gauss",
	"hopper", "hypatia", "kepler", "knuth", "lamport", "lovelace", "maxwell", "meitner",
	"newton", "noether", "pascal", "ritchie", "shannon", "thompson", "torvalds", "turing",
	"wozniak", "yonath" };

char *ctr_random_name(struct store *st)
{
	for (int tries = 0;; tries++) {
		unsigned r[3];
		if (getrandom(r, sizeof r, 0) != sizeof r)
			abort();
		char *n = tries < 8 ? xasprintf("%s_%s", adjs[r[0] % ARRAY_SIZE(adjs)], nouns[r[1] % ARRAY_SIZE(nouns)])
				    : xasprintf("%s_%s%u", adjs[r[0] % ARRAY_SIZE(adjs)], nouns[r[1] % ARRAY_SIZE(nouns)], r[2] % 100);
		_cleanup_stmt_ sqlite3_stmt *s = NULL;
		berr e;
		if (store_prepare(st, &s, "SELECT 1 FROM containers WHERE name=?", &e) < 0)
			return n;
		sqlite3_bind_text(s, 1, n, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_ROW)
			return n;
		free(n);
	}
}

bool ctr_name_valid(const char *n)
{
	/* Docker: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
	if (!n[0] || !n[1])
		return false;
	for (const char *p = n; *p; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
		if (p != n)
			ok |= *p == '_' || *p == '.' || *p == '-';
		if (!ok)
			return false;
	}
	return true;
}

#define COLS "id,name,image,config,state,pid,pid_start,mon_pid,mon_start,exit_code,created,started_at,finished_at,oom,error"

static struct ctr *row_to_ctr(sqlite3_stmt *s)
{
	struct ctr *c = xcalloc(1, sizeof *c);
	c->id = xstrdup((const char *)sqlite3_column_text(s, 0));
	c->name = xstrdup((const char *)sqlite3_column_text(s, 1));
	c->image = xstrdup((const char *)sqlite3_column_text(s, 2));
	json_error_t je;
	c->cfg = json_loads((const char *)sqlite3_column_text(s, 3), 0, &je);
	if (!c->cfg)
		c->cfg = json_object();
	c->state = state_parse((const char *)sqlite3_column_text(s, 4));
	c->pid = sqlite3_column_int(s, 5);
	c->pid_start = sqlite3_column_int64(s, 6);
	c->mon_pid = sqlite3_column_int(s, 7);
	c->mon_start = sqlite3_column_int64(s, 8);
	c->exit_code = sqlite3_column_int(s, 9);
	c->created = sqlite3_column_int64(s, 10);
	c->started_at = sqlite3_column_int64(s, 11);
	c->finished_at = sqlite3_column_int64(s, 12);
	c->oom = sqlite3_column_int(s, 13);
	c->error = xstrdup((const char *)sqlite3_column_text(s, 14));
	return c;
}

int ctr_insert(struct store *st, struct ctr *c, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	_cleanup_free_ char *js = json_dumps(c->cfg, JSON_COMPACT);
	if (store_prepare(st, &s, "INSERT INTO containers(id,name,image,config,state,created) VALUES(?,?,?,?,?,?)", err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, c->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, c->image ? c->image : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, js, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, ctr_state_name(c->state), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, c->created);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_CONSTRAINT) {
		/* name the container that holds the name, as Docker does */
		char holder[65] = "another container";
		_cleanup_stmt_ sqlite3_stmt *q = NULL;
		berr e2;
		if (store_prepare(st, &q, "SELECT id FROM containers WHERE name = ?", &e2) == 0) {
			sqlite3_bind_text(q, 1, c->name, -1, SQLITE_STATIC);
			if (sqlite3_step(q) == SQLITE_ROW)
				snprintf(holder, sizeof holder, "%s", (const char *)sqlite3_column_text(q, 0));
		}
		return berr_set(err, EEXIST, "Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to remove (or rename) that container to be able to reuse that name.",
				c->name, holder);
	}
	if (rc != SQLITE_DONE)
		return store_dberr(st, err, "insert container");
	return 0;
}

int ctr_save_state(struct store *st, struct ctr *c, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "UPDATE containers SET state=?,pid=?,pid_start=?,mon_pid=?,mon_start=?,exit_code=?,"
			  "started_at=?,finished_at=?,oom=?,error=? WHERE id=?", err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, ctr_state_name(c->state), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, c->pid);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)c->pid_start);
	sqlite3_bind_int(s, 4, c->mon_pid);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)c->mon_start);
	sqlite3_bind_int(s, 6, c->exit_code);
	sqlite3_bind_int64(s, 7, c->started_at);
	sqlite3_bind_int64(s, 8, c->finished_at);
	sqlite3_bind_int(s, 9, c->oom);
	sqlite3_bind_text(s, 10, c->error ? c->error : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 11, c->id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		return store_dberr(st, err, "update container");
	return 0;
}

int ctr_save_config(struct store *st, struct ctr *c, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	_cleanup_free_ char *js = json_dumps(c->cfg, JSON_COMPACT);
	if (store_prepare(st, &s, "UPDATE containers SET config=? WHERE id=?", err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, js, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, c->id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		return store_dberr(st, err, "update container");
	return 0;
}

int ctr_rename(struct store *st, struct ctr *c, const char *name, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "UPDATE containers SET name=? WHERE id=?", err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, c->id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_CONSTRAINT)
		return berr_set(err, EEXIST, "Error when allocating new name: Conflict. The container name \"/%s\" is already in use. You have to remove (or rename) that container to be able to reuse that name.", name);
	if (rc != SQLITE_DONE)
		return store_dberr(st, err, "rename container");
	free(c->name);
	c->name = xstrdup(name);
	json_object_set_new(c->cfg, "Name", json_sprintf("/%s", name));
	return ctr_save_config(st, c, err);
}

int ctr_delete_row(struct store *st, const char *id, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	if (store_prepare(st, &s, "DELETE FROM containers WHERE id=?", err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		return store_dberr(st, err, "delete container");
	return 0;
}

int ctr_lookup(struct store *st, const char *ref, struct ctr **out, berr *err)
{
	*out = NULL;
	if (!ref || !*ref) {
		berr_set(err, ENOENT, "No such container: %s", ref ? ref : "");
		err->status = 1;
		return -1;
	}
	if (ref[0] == '/')
		ref++;
	/* exact id, then exact name, then unique id prefix (Docker's order) */
	const char *qs[] = { "SELECT " COLS " FROM containers WHERE id=?1",
			     "SELECT " COLS " FROM containers WHERE name=?1",
			     "SELECT " COLS " FROM containers WHERE substr(id,1,length(?1))=?1" };
	for (int q = 0; q < 3; q++) {
		_cleanup_stmt_ sqlite3_stmt *s = NULL;
		if (store_prepare(st, &s, qs[q], err) < 0)
			return -1;
		sqlite3_bind_text(s, 1, ref, -1, SQLITE_STATIC);
		int rc = sqlite3_step(s);
		if (rc == SQLITE_DONE)
			continue;
		if (rc != SQLITE_ROW)
			return store_dberr(st, err, "read container"); /* e.g. busy: not "no such" */
		struct ctr *c = row_to_ctr(s);
		if (q == 2 && sqlite3_step(s) == SQLITE_ROW) {
			ctr_free(c);
			berr_set(err, EINVAL, "multiple IDs found with provided prefix: %s", ref);
			err->status = 1;
			return -1;
		}
		*out = c;
		return 0;
	}
	berr_set(err, ENOENT, "No such container: %s", ref);
	err->status = 1;
	return -1;
}

int ctr_list(struct store *st, struct ctr ***out, size_t *n, berr *err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	*out = NULL;
	*n = 0;
	if (store_prepare(st, &s, "SELECT " COLS " FROM containers ORDER BY created DESC", err) < 0)
		return -1;
	size_t alloc = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (*n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			*out = xrealloc(*out, alloc * sizeof **out);
		}
		(*out)[(*n)++] = row_to_ctr(s);
	}
	return 0;
}

void ctr_list_free(struct ctr **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ctr_free(v[i]);
	free(v);
}

static uint64_t proc_stat(pid_t pid, char *state)
{
	*state = 0;
	if (pid <= 0)
		return 0;
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* fields after ')': state(3) ... starttime is field 22 */
	p += 2;
	*state = *p;
	int field = 3;
	while (*p && field < 22) {
		if (*p == ' ')
			field++;
		p++;
	}
	return strtoull(p, NULL, 10);
}

uint64_t proc_starttime(pid_t pid)
{
	char st;
	return proc_stat(pid, &st);
}

bool proc_alive(pid_t pid, uint64_t start)
{
	char st;
	uint64_t s = proc_stat(pid, &st);
	return s && s == start && st != 'Z' && st != 'X';
}

bool ctr_is_running(struct ctr *c)
{
	return c->state == CTR_RUNNING && proc_alive(c->pid, c->pid_start);
}

/* The state columns of f (a fresher read of the same record) into c. */
void ctr_copy_state(struct ctr *c, const struct ctr *f)
{
	c->state = f->state;
	c->pid = f->pid;
	c->pid_start = f->pid_start;
	c->mon_pid = f->mon_pid;
	c->mon_start = f->mon_start;
	c->exit_code = f->exit_code;
	c->started_at = f->started_at;
	c->finished_at = f->finished_at;
	c->oom = f->oom;
}

enum ctr_state ctr_refresh(struct store *st, struct ctr *c)
{
	if (c->state != CTR_RUNNING)
		return c->state;
	/* while its supervisor lives, the supervisor owns the record (it records the exit) */
	if (proc_alive(c->mon_pid, c->mon_start))
		return c->state;
	/* re-read: the supervisor may just have recorded the exit and gone */
	berr e;
	struct ctr *fresh = NULL;
	int lr = -1;
	for (int tries = 0; tries < 50; tries++) {
		lr = ctr_lookup(st, c->id, &fresh, &e);
		if (lr == 0 || e.errnum == ENOENT)
			break;
		usleep(20000);
	}
	if (lr < 0 && e.errnum != ENOENT)
		return c->state; /* can't read the record now: don't guess */
	if (lr < 0) {
		c->state = CTR_REMOVING; /* removed under us */
		return c->state;
	}
	ctr_copy_state(c, fresh);
	ctr_free(fresh);
	if (c->state != CTR_RUNNING || proc_alive(c->mon_pid, c->mon_start))
		return c->state;
	/* Nobody recorded the exit: the supervisor was killed. The container init has
	 * PDEATHSIG=SIGKILL, so kill whatever is left and record 137. */
	if (proc_alive(c->pid, c->pid_start))
		kill(c->pid, SIGKILL);
	cgroup_kill_all(c->id);
	ctr_net_release(st, c->id); /* its netns is gone: drop endpoints and NAT rules now */
	c->oom = cgroup_oom_killed(c->id);
	cgroup_destroy(c->id); /* as a recorded exit: an exited container has no cgroup */
	c->state = CTR_EXITED;
	c->exit_code = 137;
	c->finished_at = now_ns();
	c->pid = 0;
	c->mon_pid = 0;
	ctr_save_state(st, c, &e);
	return c->state;
}

char *ctr_dir(struct store *st, const char *id)
{
	return xasprintf("%s/containers/%s", st->root, id);
}

char *ctr_log_path(struct store *st, const char *id)
{
	return xasprintf("%s/containers/%s/%s-json.log", st->root, id, id);
}

int ctr_remove(struct store *st, struct ctr *c, bool volumes, berr *err)
{
	(void)volumes;
	event_emit_ctr(st, c, "destroy", NULL);
	cgroup_kill_all(c->id);
	cgroup_destroy(c->id);
	ctr_net_release(st, c->id);
	_cleanup_free_ char *d = ctr_dir(st, c->id);
	/* the files go to the trash in one rename and are deleted after the CLI has exited
	 * (trash.c); another filesystem or an error: deleted here */
	if (trash_put(st->root, d, c->id) < 0 && errno != ENOENT && rm_rf(d, err) < 0)
		return -1;
	_cleanup_free_ char *rd = xasprintf("%s/containers/%s", st->runroot, c->id);
	berr e2;
	rm_rf(rd, &e2);
	const char *img = json_string_value(json_object_get(c->cfg, "Image"));
	if (img && *img)
		image_ref_drop(st, img, c->id, &e2);
	return ctr_delete_row(st, c->id, err);
}

char *human_duration(int64_t ns)
{
	char b[UNITS_BUF];
	return xstrdup(units_human_duration(ns, b));
}

char *ctr_status_string(struct ctr *c)
{
	int64_t now = now_ns();
	switch (c->state) {
	case CTR_CREATED:
		return xstrdup("Created");
	case CTR_RUNNING: {
		_cleanup_free_ char *d = human_duration(now - c->started_at);
		return xasprintf("Up %s", d);
	}
	case CTR_REMOVING:
		return xstrdup("Removal In Progress");
	case CTR_EXITED:
	default: {
		if (!c->finished_at)
			return xstrdup("Created");
		_cleanup_free_ char *d = human_duration(now - c->finished_at);
		if (ctr_restarting(c))
			return xasprintf("Restarting (%d) %s ago", c->exit_code, d);
		return xasprintf("Exited (%d) %s ago", c->exit_code, d);
	}
	}
}

json_t *ctr_inspect_json(struct store *st, struct ctr *c)
{
	json_t *j = json_deep_copy(c->cfg);
	json_object_del(j, "BerthRootfs");
	json_object_del(j, "BerthProcess");
	json_object_del(j, "BerthSupervise");
	json_object_del(j, "BerthNetworks");
	json_object_del(j, "BerthPublish");
	json_t *state = json_object();
	bool running = c->state == CTR_RUNNING;
	bool restarting = ctr_restarting(c);
	bool paused = running && ctr_paused(c);
	json_object_set_new(state, "Status", json_string(restarting ? "restarting" : paused ? "paused" : ctr_state_name(c->state)));
	json_object_set_new(state, "Running", json_boolean(running));
	json_object_set_new(state, "Paused", json_boolean(paused));
	json_object_set_new(state, "Restarting", json_boolean(restarting));
	json_object_set_new(state, "OOMKilled", json_boolean(c->oom));
	json_object_set_new(state, "Dead", json_false());
	json_object_set_new(state, "Pid", json_integer(running ? c->pid : 0));
	json_object_set_new(state, "ExitCode", json_integer(c->exit_code));
	json_object_set_new(state, "Error", json_string(c->error ? c->error : ""));
	char *s = fmt_rfc3339(c->started_at);
	json_object_set_new(state, "StartedAt", json_string(s));
	free(s);
	s = fmt_rfc3339(c->finished_at);
	json_object_set_new(state, "FinishedAt", json_string(s));
	free(s);
	if (health_config(c->cfg)) {
		json_t *h = running ? health_read(st->root, c->id) : NULL;
		if (!h)
			h = json_pack("{s:s,s:i,s:[]}", "Status", running ? "starting" : "unhealthy", "FailingStreak", 0, "Log");
		json_object_set_new(state, "Health", h);
	}
	/* Docker's key order: Id, Created, Path, Args, State, Image, ... */
	json_t *out = json_object();
	static const char *first[] = { "Id", "Created", "Path", "Args" };
	for (size_t i = 0; i < 4; i++)
		json_object_set(out, first[i], json_object_get(j, first[i]));
	json_object_set_new(out, "State", state);
	const char *k;
	json_t *v;
	static const char *order[] = { "Image", "ResolvConfPath", "HostnamePath", "HostsPath", "LogPath", "Name",
				       "RestartCount", "Driver", "Platform", "HostConfig" };
	json_object_set_new(j, "MountLabel", json_string(""));
	json_object_set_new(j, "ProcessLabel", json_string(""));
	json_object_set_new(j, "AppArmorProfile", json_string(""));
	json_object_set_new(j, "ExecIDs", json_null());
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		if (!strcmp(order[i], "HostConfig")) {
			static const char *labels[] = { "MountLabel", "ProcessLabel", "AppArmorProfile", "ExecIDs" };
			for (size_t l = 0; l < 4; l++)
				json_object_set(out, labels[l], json_object_get(j, labels[l]));
		}
		if (!strcmp(order[i], "HostConfig"))
			json_object_set_new(out, "HostConfig", ctr_inspect_hostconfig(json_object_get(j, "HostConfig")));
		else if (json_object_get(j, order[i]))
			json_object_set(out, order[i], json_object_get(j, order[i]));
	}
	json_object_foreach(j, k, v) if (!json_object_get(out, k) && strcmp(k, "Mounts") && strcmp(k, "Config"))
		json_object_set(out, k, v);
	char *cd = ctr_dir(st, c->id);
	json_t *lowers = json_object_get(json_object_get(c->cfg, "BerthRootfs"), "LowerDirs");
	struct strbuf lb = STRBUF_INIT;
	for (size_t i = json_array_size(lowers); i-- > 0;)
		sb_addf(&lb, "%s%s", lb.len ? ":" : "", json_string_value(json_array_get(lowers, i)));
	json_t *gd = json_object(), *gdd = json_object();
	json_object_set_new(gdd, "LowerDir", json_string(sb_str(&lb)));
	json_object_set_new(gdd, "MergedDir", json_sprintf("%s/merged", cd));
	json_object_set_new(gdd, "UpperDir", json_sprintf("%s/upper", cd));
	json_object_set_new(gdd, "WorkDir", json_sprintf("%s/work", cd));
	json_object_set_new(gd, "Data", gdd);
	json_object_set_new(gd, "Name", json_string("overlay2"));
	json_object_set_new(out, "GraphDriver", gd);
	sb_release(&lb);
	free(cd);
	json_t *mounts = json_array();
	size_t i;
	json_array_foreach(json_object_get(j, "Mounts"), i, v) {
		json_t *m = json_deep_copy(v);
		json_object_del(m, "Seed");
		json_object_del(m, "Options");
		json_array_append_new(mounts, m);
	}
	json_object_set_new(out, "Mounts", mounts);
	json_object_set_new(out, "Config", ctr_inspect_config(json_object_get(j, "Config")));
	json_object_set_new(out, "NetworkSettings", ctr_net_settings(st, c, running));
	json_decref(j);
	return out;
}
