/* resources.c: cgroup views and controls for running containers: pause/unpause (freezer:
 * v2 cgroup.freeze, v1 the freezer hierarchy, joined lazily at pause), live resource
 * updates (update --memory/--cpus/--pids-limit) and the figures `stats` prints. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "runtime/resources.h"
#include "runtime/supervise.h"
#include "util/cleanup.h"
#include "util/fs.h"


static int wr(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, val, strlen(val));
	int e = errno;
	close(fd);
	errno = e;
	return n < 0 ? -1 : 0;
}

static bool rd(const char *path, char *buf, size_t sz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sz - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = 0;
	return true;
}

static long long rdll(const char *path)
{
	char b[64];
	return rd(path, b, sizeof b) ? atoll(b) : -1;
}

static long long key(const char *path, const char *k)
{
	return cgroup_read_key(path, k);
}

bool ctr_paused(struct ctr *c)
{
	char b[64];
	if (cgroup_version() == 2) {
		_cleanup_free_ char *p = cgroup_path(NULL, c->id, "cgroup.freeze");
		return rd(p, b, sizeof b) && b[0] == '1';
	}
	_cleanup_free_ char *p = cgroup_path("freezer", c->id, "freezer.state");
	return rd(p, b, sizeof b) && !strncmp(b, "FROZEN", 6);
}

int ctr_freeze(struct ctr *c, bool freeze, berr *err)
{
	if (cgroup_version() == 2) {
		/* write cgroup.freeze, then wait for cgroup.events to say "frozen 1" (or 0): the
		 * kernel freezes the tasks asynchronously (as runc's fs2 freezer) */
		_cleanup_free_ char *p = cgroup_path(NULL, c->id, "cgroup.freeze");
		_cleanup_free_ char *ev = cgroup_path(NULL, c->id, "cgroup.events");
		if (wr(p, freeze ? "1" : "0") < 0)
			return berr_sys(err, "%s", p);
		for (int i = 0; i < 2000; i++) {
			long long f = key(ev, "frozen");
			if (f < 0 || f == (freeze ? 1 : 0))
				return 0;
			usleep(1000);
		}
		if (freeze)
			wr(p, "0");
		return berr_set(err, ETIMEDOUT, "timed out waiting for the container's cgroup to %s", freeze ? "freeze" : "thaw");
	}
	_cleanup_free_ char *d = cgroup_path("freezer", c->id, NULL);
	char p[PATH_MAX];
	if (freeze) {
		_cleanup_free_ char *parent = xasprintf("%s/freezer/berth", cgroup_root());
		mkdir(parent, 0755);
		if (mkdir(d, 0755) < 0 && errno != EEXIST)
			return berr_sys(err, "freezer cgroup %s", d);
		/* join every process of the container (berth joins the freezer only to pause) */
		pid_t pids[4096];
		int n = cgroup_pids(c->id, pids, 4096);
		snprintf(p, sizeof p, "%s/cgroup.procs", d);
		for (int i = 0; i < n; i++) {
			char v[32];
			snprintf(v, sizeof v, "%d", pids[i]);
			wr(p, v);
		}
	}
	snprintf(p, sizeof p, "%s/freezer.state", d);
	if (wr(p, freeze ? "FROZEN" : "THAWED") < 0)
		return berr_sys(err, "%s", p);
	for (int i = 0; i < 200; i++) {
		char b[32];
		if (!rd(p, b, sizeof b) || !strncmp(b, freeze ? "FROZEN" : "THAWED", 6))
			break;
		usleep(1000);
	}
	return 0;
}

double stats_cpu_percent(int64_t cpu_prev_ns, int64_t cpu_now_ns, int64_t wall_ns)
{
	/* Docker's (cpu delta / system delta) * online CPUs * 100: the system delta is the wall
	 * time times the CPU count, so this is the CPU time over the wall time */
	if (wall_ns <= 0 || cpu_now_ns < cpu_prev_ns)
		return 0;
	return (double)(cpu_now_ns - cpu_prev_ns) * 100.0 / (double)wall_ns;
}

static void proc_io(pid_t pid, struct ctr_stats *s)
{
	char p[64], b[4096];
	snprintf(p, sizeof p, "/proc/%d/stat", pid);
	if (rd(p, b, sizeof b)) {
		char *e = strrchr(b, ')');
		unsigned long long ut = 0, stt = 0;
		if (e && sscanf(e + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &stt) == 2)
			s->cpu_ns_procs += (int64_t)(ut + stt) * (1000000000LL / sysconf(_SC_CLK_TCK));
	}
	snprintf(p, sizeof p, "/proc/%d/io", pid);
	if (rd(p, b, sizeof b)) {
		char *r = strstr(b, "read_bytes: "), *w = strstr(b, "\nwrite_bytes: ");
		if (r)
			s->blk_read_procs += atoll(r + 12);
		if (w)
			s->blk_write_procs += atoll(w + 14);
	}
}

int ctr_stats_read(struct ctr *c, struct ctr_stats *s)
{
	memset(s, 0, sizeof *s);
	char p[512];
	pid_t pids[4096];
	int n = cgroup_pids(c->id, pids, 4096);
	s->pids = n;
	for (int i = 0; i < n; i++)
		proc_io(pids[i], s);
	if (cgroup_version() == 2) {
		_cleanup_free_ char *d = cgroup_path(NULL, c->id, NULL);
		snprintf(p, sizeof p, "%s/cpu.stat", d);
		long long u = key(p, "usage_usec");
		s->cpu_ns = u >= 0 ? u * 1000 : s->cpu_ns_procs;
		snprintf(p, sizeof p, "%s/memory.current", d);
		s->mem = rdll(p);
		/* Docker's CLI on v2: usage minus inactive_file */
		snprintf(p, sizeof p, "%s/memory.stat", d);
		long long inact = key(p, "inactive_file");
		if (inact > 0 && inact < s->mem)
			s->mem -= inact;
		snprintf(p, sizeof p, "%s/memory.max", d);
		char b[64];
		s->mem_limit = rd(p, b, sizeof b) && strncmp(b, "max", 3) ? atoll(b) : 0;
		snprintf(p, sizeof p, "%s/pids.current", d);
		long long pc = rdll(p);
		if (pc >= 0)
			s->pids = pc;
		snprintf(p, sizeof p, "%s/io.stat", d);
		char io[8192];
		if (rd(p, io, sizeof io) && io[0]) {
			/* "MAJ:MIN rbytes=N wbytes=N rios=N ..." per device */
			for (char *l = io; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
				char *nl = strchr(l, '\n');
				char *r = strstr(l, " rbytes="), *w = strstr(l, " wbytes=");
				if (r && (!nl || r < nl))
					s->blk_read += atoll(r + 8);
				if (w && (!nl || w < nl))
					s->blk_write += atoll(w + 8);
			}
		} else {
			s->blk_read = s->blk_read_procs;
			s->blk_write = s->blk_write_procs;
		}
	} else {
		/* v1: berth joins cpuacct/blkio only when limited: fall back to the processes' own
		 * counters (/proc/PID/stat utime+stime, /proc/PID/io) */
		_cleanup_free_ char *cpuacct = cgroup_path("cpuacct", c->id, "cpuacct.usage");
		long long u = rdll(cpuacct);
		s->cpu_ns = u >= 0 ? u : s->cpu_ns_procs;
		_cleanup_free_ char *md = cgroup_path("memory", c->id, NULL);
		snprintf(p, sizeof p, "%s/memory.usage_in_bytes", md);
		s->mem = rdll(p);
		snprintf(p, sizeof p, "%s/memory.stat", md);
		long long cache = key(p, "total_inactive_file");
		if (cache > 0 && cache < s->mem)
			s->mem -= cache;
		snprintf(p, sizeof p, "%s/memory.limit_in_bytes", md);
		long long lim = rdll(p);
		s->mem_limit = lim > 0 && lim < (1LL << 62) ? lim : 0;
		s->blk_read = s->blk_read_procs;
		s->blk_write = s->blk_write_procs;
	}
	if (s->mem < 0)
		s->mem = 0;
	if (!s->mem_limit) {
		long long pages = sysconf(_SC_PHYS_PAGES), ps = sysconf(_SC_PAGESIZE);
		s->mem_limit = pages * ps;
	}
	/* network: the container's namespace as its init sees it (loopback excluded, as Docker) */
	if (c->pid > 0) {
		snprintf(p, sizeof p, "/proc/%d/net/dev", c->pid);
		FILE *f = fopen(p, "re");
		if (f) {
			char line[512];
			while (fgets(line, sizeof line, f)) {
				char *colon = strchr(line, ':');
				if (!colon)
					continue;
				*colon = 0;
				char *nm = line;
				while (*nm == ' ')
					nm++;
				if (!strcmp(nm, "lo"))
					continue;
				unsigned long long rx, tx;
				if (sscanf(colon + 1, "%llu %*u %*u %*u %*u %*u %*u %*u %llu", &rx, &tx) == 2) {
					s->net_rx += (int64_t)rx;
					s->net_tx += (int64_t)tx;
				}
			}
			fclose(f);
		}
	}
	return 0;
}

static int upd_wr(struct ctr *c, const char *path, const char *v, berr *err)
{
	if (wr(path, v) < 0)
		return berr_sys(err, "Cannot update container %s: %s", c->id, path);
	return 0;
}

int ctr_update_resources(struct ctr *c, const struct res_update *u, berr *err)
{
	char v[64];
	if (cgroup_version() == 2) {
		_cleanup_free_ char *d = cgroup_path(NULL, c->id, NULL);
		char p[PATH_MAX];
		if (u->mem) {
			snprintf(p, sizeof p, "%s/memory.max", d);
			snprintf(v, sizeof v, "%lld", (long long)u->mem);
			if (upd_wr(c, p, v, err) < 0)
				return -1;
		}
		if (u->mem || u->memswap) {
			/* memory.swap.max follows from the (new) memory and memory+swap limits */
			int64_t sw = cgroup_v2_swap(u->mem_now, u->memswap_now);
			snprintf(p, sizeof p, "%s/memory.swap.max", d);
			if (sw < 0)
				snprintf(v, sizeof v, "max");
			else
				snprintf(v, sizeof v, "%lld", (long long)sw);
			if (u->mem_now > 0)
				wr(p, v); /* absent without swap accounting */
		}
		if (u->nano_cpus) {
			snprintf(p, sizeof p, "%s/cpu.max", d);
			if (u->nano_cpus < 0)
				snprintf(v, sizeof v, "max 100000");
			else
				snprintf(v, sizeof v, "%lld 100000", (long long)(u->nano_cpus / 10000));
			if (upd_wr(c, p, v, err) < 0)
				return -1;
		}
		if (u->shares) {
			snprintf(p, sizeof p, "%s/cpu.weight", d);
			snprintf(v, sizeof v, "%lld", (long long)cgroup_v2_weight(u->shares));
			if (upd_wr(c, p, v, err) < 0)
				return -1;
		}
		if (u->pids) {
			snprintf(p, sizeof p, "%s/pids.max", d);
			if (u->pids < 0)
				snprintf(v, sizeof v, "max");
			else
				snprintf(v, sizeof v, "%lld", (long long)u->pids);
			if (upd_wr(c, p, v, err) < 0)
				return -1;
		}
		return 0;
	}
	char p[PATH_MAX];
	if (u->mem || u->memswap) {
		_cleanup_free_ char *md = cgroup_path("memory", c->id, NULL);
		int64_t sw = u->memswap_now == 0 ? 2 * u->mem_now : u->memswap_now;
		char swv[64], mv[64];
		snprintf(swv, sizeof swv, "%lld", (long long)(sw < 0 ? -1 : sw));
		snprintf(mv, sizeof mv, "%lld", (long long)u->mem_now);
		/* v1: memory.memsw.limit_in_bytes must never be below memory.limit_in_bytes: when
		 * growing, raise the swap limit first; when shrinking, the memory limit first */
		char swp[PATH_MAX];
		snprintf(swp, sizeof swp, "%s/memory.memsw.limit_in_bytes", md);
		snprintf(p, sizeof p, "%s/memory.limit_in_bytes", md);
		long long cur = rdll(p);
		bool grow = cur < 0 || u->mem_now > cur;
		if (grow)
			wr(swp, swv);
		if (u->mem && upd_wr(c, p, mv, err) < 0)
			return -1;
		if (!grow || u->memswap)
			wr(swp, swv);
	}
	if (u->nano_cpus || u->shares) {
		_cleanup_free_ char *d = cgroup_path("cpu", c->id, NULL);
		_cleanup_free_ char *parent = xasprintf("%s/cpu/berth", cgroup_root());
		mkdir(parent, 0755);
		bool fresh = mkdir(d, 0755) == 0;
		if (u->nano_cpus) {
			snprintf(p, sizeof p, "%s/cpu.cfs_period_us", d);
			wr(p, "100000");
			snprintf(p, sizeof p, "%s/cpu.cfs_quota_us", d);
			snprintf(v, sizeof v, "%lld", u->nano_cpus < 0 ? -1LL : (long long)(u->nano_cpus / 10000));
			if (upd_wr(c, p, v, err) < 0)
				return -1;
		}
		if (u->shares) {
			snprintf(p, sizeof p, "%s/cpu.shares", d);
			snprintf(v, sizeof v, "%lld", (long long)u->shares);
			if (upd_wr(c, p, v, err) < 0)
				return -1;
		}
		if (fresh) {
			/* the cpu hierarchy was not joined at start (no limit then): join now */
			pid_t pids[4096];
			int n = cgroup_pids(c->id, pids, 4096);
			snprintf(p, sizeof p, "%s/cgroup.procs", d);
			for (int i = 0; i < n; i++) {
				snprintf(v, sizeof v, "%d", pids[i]);
				wr(p, v);
			}
		}
	}
	if (u->pids) {
		_cleanup_free_ char *pp = cgroup_path("pids", c->id, "pids.max");
		if (u->pids < 0)
			snprintf(v, sizeof v, "max");
		else
			snprintf(v, sizeof v, "%lld", (long long)u->pids);
		if (upd_wr(c, pp, v, err) < 0)
			return -1;
	}
	return 0;
}
