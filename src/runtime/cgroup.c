/* cgroup.c: per-container cgroups on v2 (unified) and v1 (legacy/hybrid, detected with
 * statfs): --memory, --memory-swap, --cpus, --cpu-shares, --pids-limit, the device allow
 * list (v1 devices controller; v2 a BPF program, devfilter.c), OOM-kill detection, killing
 * and removing. Layout: <root>/berth/<id> (v2) or <root>/<controller>/berth/<id> (v1).
 * The root is /sys/fs/cgroup; unit tests point it at a fake tree (cgroup_test_root). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

static char cg_root[1024] = "/sys/fs/cgroup";
static int cg_version;   /* 0 = not detected yet */
static bool cg_test;     /* a test tree: no BPF filter unless it is a real cgroup2 mount */
static const char *v1_ctrls[] = { "memory", "cpu", "cpuacct", "pids", "devices", "freezer", "blkio", NULL };

const char *cgroup_root(void)
{
	return cg_root;
}

void cgroup_test_root(const char *root, int version)
{
	snprintf(cg_root, sizeof cg_root, "%s", root ? root : "/sys/fs/cgroup");
	cg_version = root ? version : 0;
	cg_test = root != NULL;
}

int cgroup_version(void)
{
	if (!cg_version) {
		struct statfs sf;
		cg_version = (statfs(cg_root, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC) ? 2 : 1;
	}
	return cg_version;
}

char *cgroup_path(const char *ctrl, const char *id, const char *file)
{
	if (cgroup_version() == 2)
		return xasprintf("%s/berth/%s%s%s", cg_root, id, file ? "/" : "", file ? file : "");
	return xasprintf("%s/%s/berth/%s%s%s", cg_root, ctrl, id, file ? "/" : "", file ? file : "");
}

int64_t cgroup_v2_weight(int64_t shares)
{
	/* runc's ConvertCPUSharesToCgroupV2Value (Docker 20.10): [2..262144] -> [1..10000] */
	if (shares <= 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

int64_t cgroup_v2_swap(int64_t memory, int64_t memswap)
{
	/* Docker's --memory-swap is memory+swap; v2's memory.swap.max is the swap alone.
	 * -1 = unlimited; 0 (unset) = as much swap as memory (Docker's default 2x) */
	if (memswap < 0)
		return -1;
	if (memswap == 0)
		return memory;
	return memswap > memory ? memswap - memory : 0;
}

static int wr(const char *dir, const char *file, const char *val)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", dir, file);
	int fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, val, strlen(val));
	int e = errno;
	close(fd);
	errno = e;
	return n < 0 ? -1 : 0;
}

static bool v1_has(const char *ctrl)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", cg_root, ctrl);
	struct statfs sf;
	if (statfs(p, &sf) < 0)
		return false;
	if (cg_test)
		return true;
	return sf.f_type == CGROUP_SUPER_MAGIC;
}

static int64_t jint(json_t *hc, const char *k)
{
	return json_integer_value(json_object_get(hc, k));
}

static void fmt_ll(char *v, size_t n, long long x)
{
	if (x < 0)
		snprintf(v, n, "max");
	else
		snprintf(v, n, "%lld", x);
}

static int v2_devices(const char *d, json_t *hc, berr *err)
{
	if (json_is_true(json_object_get(hc, "Privileged")))
		return 0; /* no filter: every device (as runc with an allow-all rule) */
	struct statfs sf;
	if (cg_test && (statfs(d, &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC))
		return 0; /* a fake tree cannot hold a BPF program */
	struct dev_rule rules[DEV_RULES_MAX];
	ssize_t n = dev_rules_of(hc, rules, DEV_RULES_MAX, err);
	if (n < 0)
		return -1;
	return cgroup_devfilter_attach(d, rules, (size_t)n, err);
}

int cgroup_create(const char *id, json_t *hc, berr *err)
{
	int64_t mem = jint(hc, "Memory"), swap = jint(hc, "MemorySwap"), nano = jint(hc, "NanoCpus"),
		shares = jint(hc, "CpuShares");
	json_t *pl = json_object_get(hc, "PidsLimit");
	int64_t pids = json_is_integer(pl) ? json_integer_value(pl) : 0;
	char v[64];
	if (cgroup_version() == 2) {
		_cleanup_free_ char *parent = xasprintf("%s/berth", cg_root);
		mkdir(parent, 0755);
		static const char *ctl[] = { "+memory", "+pids", "+cpu", "+io" };
		for (int i = 0; i < 4; i++) { /* one by one: one unavailable controller must not block the others */
			wr(cg_root, "cgroup.subtree_control", ctl[i]);
			wr(parent, "cgroup.subtree_control", ctl[i]);
		}
		_cleanup_free_ char *d = cgroup_path(NULL, id, NULL);
		if (mkdir(d, 0755) < 0 && errno != EEXIST)
			return berr_sys(err, "create cgroup %s", d);
		if (v2_devices(d, hc, err) < 0)
			return -1;
		if (mem > 0) {
			fmt_ll(v, sizeof v, mem);
			if (wr(d, "memory.max", v) < 0)
				return berr_sys(err, "cgroup memory.max");
			fmt_ll(v, sizeof v, cgroup_v2_swap(mem, swap));
			wr(d, "memory.swap.max", v); /* absent without swap accounting */
		}
		if (nano > 0) {
			snprintf(v, sizeof v, "%lld 100000", (long long)(nano / 10000));
			if (wr(d, "cpu.max", v) < 0)
				return berr_sys(err, "cgroup cpu.max");
		}
		if (shares > 0) {
			fmt_ll(v, sizeof v, cgroup_v2_weight(shares));
			if (wr(d, "cpu.weight", v) < 0)
				return berr_sys(err, "cgroup cpu.weight");
		}
		if (pids > 0) {
			fmt_ll(v, sizeof v, pids);
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
		_cleanup_free_ char *parent = xasprintf("%s/%s/berth", cg_root, *c);
		mkdir(parent, 0755);
		_cleanup_free_ char *d = cgroup_path(*c, id, NULL);
		if (mkdir(d, 0755) < 0 && errno != EEXIST)
			return berr_sys(err, "create cgroup %s", d);
	}
	if (mem > 0) {
		_cleanup_free_ char *d = cgroup_path("memory", id, NULL);
		fmt_ll(v, sizeof v, mem);
		if (wr(d, "memory.limit_in_bytes", v) < 0)
			return berr_sys(err, "cgroup memory.limit_in_bytes");
		int64_t sw = swap == 0 ? 2 * mem : swap;
		snprintf(v, sizeof v, "%lld", (long long)(sw < 0 ? -1 : sw));
		wr(d, "memory.memsw.limit_in_bytes", v); /* absent without swap accounting */
	}
	if (nano > 0 || shares > 0) {
		_cleanup_free_ char *d = cgroup_path("cpu", id, NULL);
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
		_cleanup_free_ char *d = cgroup_path("pids", id, NULL);
		fmt_ll(v, sizeof v, pids);
		if (wr(d, "pids.max", v) < 0)
			return berr_sys(err, "cgroup pids.max");
	}
	if (v1_has("devices")) {
		_cleanup_free_ char *d = cgroup_path("devices", id, NULL);
		if (json_is_true(json_object_get(hc, "Privileged"))) {
			if (wr(d, "devices.allow", "a") < 0)
				return berr_sys(err, "cgroup devices.allow");
			return 0;
		}
		struct dev_rule rules[DEV_RULES_MAX];
		ssize_t n = dev_rules_of(hc, rules, DEV_RULES_MAX, err);
		if (n < 0)
			return -1;
		if (wr(d, "devices.deny", "a") < 0)
			return berr_sys(err, "cgroup devices.deny");
		for (ssize_t i = 0; i < n; i++) {
			char r[64];
			dev_rule_format(&rules[i], r, sizeof r);
			if (wr(d, "devices.allow", r) < 0)
				return berr_sys(err, "cgroup devices.allow %s", r);
		}
	}
	return 0;
}

int cgroup_enter(const char *id, pid_t pid, berr *err)
{
	char v[32];
	snprintf(v, sizeof v, "%d", pid);
	if (cgroup_version() == 2) {
		_cleanup_free_ char *d = cgroup_path(NULL, id, NULL);
		if (wr(d, "cgroup.procs", v) < 0)
			return berr_sys(err, "join cgroup %s", d);
		return 0;
	}
	for (const char **c = v1_ctrls; *c; c++) {
		_cleanup_free_ char *d = cgroup_path(*c, id, NULL);
		if (wr(d, "cgroup.procs", v) < 0 && errno != ENOENT)
			return berr_sys(err, "join cgroup %s", d);
	}
	return 0;
}

/* The calling process joins the container's cgroups itself. It must be single-threaded.
 * v1: "0" into each hierarchy's `tasks` moves the calling thread, and the kernel skips the
 * global cgroup_threadgroup_rwsem for a thread that moves itself (since 6.0), so no write
 * waits for an RCU grace period (a write of a pid to cgroup.procs waits 10-15 ms for the
 * first hierarchy); for a single-threaded process the thread is the process. v2: "0" into
 * cgroup.procs (the caller prefers clone3's CLONE_INTO_CGROUP, which needs no write). */
int cgroup_enter_self(const char *id, berr *err)
{
	if (cgroup_version() == 2) {
		_cleanup_free_ char *d = cgroup_path(NULL, id, NULL);
		if (wr(d, "cgroup.procs", "0") < 0)
			return berr_sys(err, "join cgroup %s", d);
		return 0;
	}
	for (const char **c = v1_ctrls; *c; c++) {
		_cleanup_free_ char *d = cgroup_path(*c, id, NULL);
		if (wr(d, "tasks", "0") < 0 && errno != ENOENT)
			return berr_sys(err, "join cgroup %s", d);
	}
	return 0;
}

/* An fd of the container's v2 cgroup directory for clone3(CLONE_INTO_CGROUP), or -1 (v1, or
 * not openable: the child then joins with cgroup_enter_self). */
int cgroup_open_v2(const char *id)
{
	if (cgroup_version() != 2 || cg_test)
		return -1;
	_cleanup_free_ char *d = cgroup_path(NULL, id, NULL);
	return open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

long long cgroup_read_key(const char *path, const char *key)
{
	char buf[8192];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	size_t kl = strlen(key);
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, key, kl) && l[kl] == ' ')
			return atoll(l + kl + 1);
	return -1;
}

bool cgroup_oom_killed(const char *id)
{
	_cleanup_free_ char *p = cgroup_version() == 2 ? cgroup_path(NULL, id, "memory.events")
						       : cgroup_path("memory", id, "memory.oom_control");
	return cgroup_read_key(p, "oom_kill") > 0;
}

int cgroup_pids(const char *id, pid_t *out, int max)
{
	_cleanup_free_ char *p = cgroup_path("pids", id, "cgroup.procs");
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
		_cleanup_free_ char *d = cgroup_path(NULL, id, NULL);
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

/* rmdir a cgroup that may still hold killed processes on their way out: retry while EBUSY,
 * for up to 3 s in all (a loaded machine can take that long to finish a SIGKILLed process;
 * 200 ms left empty cgroups behind under load) */
static void rmdir_busy(const char *d, int64_t deadline)
{
	useconds_t pause = 1000;
	while (rmdir(d) < 0 && errno == EBUSY && now_ns() < deadline) {
		usleep(pause);
		if (pause < 20000)
			pause *= 2;
	}
}

void cgroup_destroy(const char *id)
{
	int64_t deadline = now_ns() + 3000000000LL;
	if (cgroup_version() == 2) {
		_cleanup_free_ char *d = cgroup_path(NULL, id, NULL);
		rmdir_busy(d, deadline);
		return;
	}
	for (const char **c = v1_ctrls; *c; c++) {
		_cleanup_free_ char *d = cgroup_path(*c, id, NULL);
		rmdir_busy(d, deadline);
	}
}
