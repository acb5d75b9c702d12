/* cgroup.c: per-container cgroups on v2 (unified) and v1 (legacy/hybrid, detected with
 * statfs): --memory, --memory-swap, --cpus, --cpu-shares, --pids-limit, Docker's device
 * allow list on v1, OOM-kill detection, killing and removing. Layout: <mount>/berth/<id>. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include "runtime/runtime.h"
#include "util/cleanup.h"

#define CG "/sys/fs/cgroup"
static const char *v1_ctrls[] = { "memory", "cpu", "cpuacct", "pids", "devices", "freezer", "blkio", NULL };

int cgroup_version(void)
{
	static int v;
	if (!v) {
		struct statfs sf;
		v = (statfs(CG, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC) ? 2 : 1;
	}
	return v;
}

static int wr(const char *dir, const char *file, const char *val)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", dir, file);
	int fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, val, strlen(val));
	int e = errno;
	close(fd);
	errno = e;
	return n < 0 ? -1 : 0;
}

static char *v1_dir(const char *ctrl, const char *id)
{
	return xasprintf(CG "/%s/berth/%s", ctrl, id);
}

static bool v1_has(const char *ctrl)
{
	char p[256];
	snprintf(p, sizeof p, CG "/%s", ctrl);
	struct statfs sf;
	return statfs(p, &sf) == 0 && sf.f_type == CGROUP_SUPER_MAGIC;
}

static int64_t jint(json_t *hc, const char *k)
{
	return json_integer_value(json_object_get(hc, k));
}

int cgroup_create(const char *id, json_t *hc, berr *err)
{
	int64_t mem = jint(hc, "Memory"), swap = jint(hc, "MemorySwap"), nano = jint(hc, "NanoCpus"),
		shares = jint(hc, "CpuShares");
	json_t *pl = json_object_get(hc, "PidsLimit");
	int64_t pids = json_is_integer(pl) ? json_integer_value(pl) : 0;
	char v[64];
	if (cgroup_version() == 2) {
		mkdir(CG "/berth", 0755);
		static const char *ctl[] = { "+memory", "+pids", "+cpu" };
		for (int i = 0; i < 3; i++) { /* one by one: one unavailable controller must not block the others */
			wr(CG, "cgroup.subtree_control", ctl[i]);
			wr(CG "/berth", "cgroup.subtree_control", ctl[i]);
		}
		_cleanup_free_ char *d = xasprintf(CG "/berth/%s", id);
		if (mkdir(d, 0755) < 0 && errno != EEXIST)
			return berr_sys(err, "create cgroup %s", d);
		/* no devices controller on v2: the BPF device filter gives Docker's allow list */
		if (!json_is_true(json_object_get(hc, "Privileged")) && cgroup_devfilter_attach(d, err) < 0)
			return -1;
		if (mem > 0) {
			snprintf(v, sizeof v, "%lld", (long long)mem);
			if (wr(d, "memory.max", v) < 0)
				return berr_sys(err, "cgroup memory.max");
			if (swap != 0) {
				if (swap < 0)
					snprintf(v, sizeof v, "max");
				else
					snprintf(v, sizeof v, "%lld", (long long)(swap - mem));
				wr(d, "memory.swap.max", v);
			}
		}
		if (nano > 0) {
			snprintf(v, sizeof v, "%lld 100000", (long long)(nano / 10000));
			if (wr(d, "cpu.max", v) < 0)
				return berr_sys(err, "cgroup cpu.max");
		}
		if (shares > 0) {
			snprintf(v, sizeof v, "%lld", (long long)(1 + ((shares - 2) * 9999) / 262142));
			wr(d, "cpu.weight", v);
		}
		if (pids > 0) {
			snprintf(v, sizeof v, "%lld", (long long)pids);
			if (wr(d, "pids.max", v) < 0)
				return berr_sys(err, "cgroup pids.max");
		}
		return 0;
	}
	for (const char **c = v1_ctrls; *c; c++) {
		if (!v1_has(*c))
			continue;
		/* only what berth uses: memory (limits, OOM), pids (limits, process list), devices
		 * (the allow list), cpu when limited; fewer hierarchies = faster start and exit */
		if (!strcmp(*c, "freezer") || !strcmp(*c, "blkio") || !strcmp(*c, "cpuacct") ||
		    (!strcmp(*c, "cpu") && nano <= 0 && shares <= 0))
			continue;
		_cleanup_free_ char *parent = xasprintf(CG "/%s/berth", *c);
		mkdir(parent, 0755);
		_cleanup_free_ char *d = v1_dir(*c, id);
		if (mkdir(d, 0755) < 0 && errno != EEXIST)
			return berr_sys(err, "create cgroup %s", d);
	}
	if (mem > 0) {
		_cleanup_free_ char *d = v1_dir("memory", id);
		snprintf(v, sizeof v, "%lld", (long long)mem);
		if (wr(d, "memory.limit_in_bytes", v) < 0)
			return berr_sys(err, "cgroup memory.limit_in_bytes");
		int64_t sw = swap == 0 ? 2 * mem : swap;
		snprintf(v, sizeof v, "%lld", (long long)(sw < 0 ? -1 : sw));
		wr(d, "memory.memsw.limit_in_bytes", v); /* absent without swap accounting */
	}
	if (nano > 0 || shares > 0) {
		_cleanup_free_ char *d = v1_dir("cpu", id);
		if (nano > 0) {
			wr(d, "cpu.cfs_period_us", "100000");
			snprintf(v, sizeof v, "%lld", (long long)(nano / 10000));
			if (wr(d, "cpu.cfs_quota_us", v) < 0)
				return berr_sys(err, "cgroup cpu.cfs_quota_us");
		}
		if (shares > 0) {
			snprintf(v, sizeof v, "%lld", (long long)shares);
			wr(d, "cpu.shares", v);
		}
	}
	if (pids > 0) {
		_cleanup_free_ char *d = v1_dir("pids", id);
		snprintf(v, sizeof v, "%lld", (long long)pids);
		if (wr(d, "pids.max", v) < 0)
			return berr_sys(err, "cgroup pids.max");
	}
	if (v1_has("devices") && !json_is_true(json_object_get(hc, "Privileged"))) {
		_cleanup_free_ char *d = v1_dir("devices", id);
		static const char *allow[] = { "c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm",
			"c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm",
			"c 10:200 rwm", NULL };
		if (wr(d, "devices.deny", "a") < 0)
			return berr_sys(err, "cgroup devices.deny");
		for (const char **a = allow; *a; a++)
			wr(d, "devices.allow", *a);
	}
	return 0;
}

int cgroup_enter(const char *id, pid_t pid, berr *err)
{
	char v[32];
	snprintf(v, sizeof v, "%d", pid);
	if (cgroup_version() == 2) {
		_cleanup_free_ char *d = xasprintf(CG "/berth/%s", id);
		if (wr(d, "cgroup.procs", v) < 0)
			return berr_sys(err, "join cgroup %s", d);
		return 0;
	}
	for (const char **c = v1_ctrls; *c; c++) {
		_cleanup_free_ char *d = v1_dir(*c, id);
		if (wr(d, "cgroup.procs", v) < 0 && errno != ENOENT)
			return berr_sys(err, "join cgroup %s", d);
	}
	return 0;
}

static long long read_key(const char *path, const char *key)
{
	char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	size_t kl = strlen(key);
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, key, kl) && l[kl] == ' ')
			return atoll(l + kl + 1);
	return 0;
}

bool cgroup_oom_killed(const char *id)
{
	_cleanup_free_ char *p = cgroup_version() == 2 ? xasprintf(CG "/berth/%s/memory.events", id)
						       : xasprintf(CG "/memory/berth/%s/memory.oom_control", id);
	return read_key(p, "oom_kill") > 0;
}

int cgroup_pids(const char *id, pid_t *out, int max)
{
	_cleanup_free_ char *p = cgroup_version() == 2 ? xasprintf(CG "/berth/%s/cgroup.procs", id)
						       : xasprintf(CG "/pids/berth/%s/cgroup.procs", id);
	FILE *f = fopen(p, "re");
	if (!f)
		return 0;
	int n = 0, pid;
	while (n < max && fscanf(f, "%d", &pid) == 1)
		out[n++] = pid;
	fclose(f);
	return n;
}

void cgroup_kill_all(const char *id)
{
	if (cgroup_version() == 2) {
		_cleanup_free_ char *d = xasprintf(CG "/berth/%s", id);
		if (wr(d, "cgroup.kill", "1") == 0)
			return;
	}
	pid_t pids[1024];
	for (int round = 0; round < 5; round++) {
		int n = cgroup_pids(id, pids, 1024);
		if (!n)
			return;
		for (int i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
		usleep(2000);
	}
}

void cgroup_destroy(const char *id)
{
	if (cgroup_version() == 2) {
		_cleanup_free_ char *d = xasprintf(CG "/berth/%s", id);
		for (int i = 0; i < 100 && rmdir(d) < 0 && errno == EBUSY; i++)
			usleep(10000);
		return;
	}
	for (const char **c = v1_ctrls; *c; c++) {
		_cleanup_free_ char *d = v1_dir(*c, id);
		for (int i = 0; i < 100 && rmdir(d) < 0 && errno == EBUSY; i++)
			usleep(2000);
	}
}
