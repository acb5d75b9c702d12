/* resources.c: cgroup views and controls for running containers: pause/unpause (freezer:
 * v2 cgroup.freeze, v1 the freezer hierarchy, joined lazily at pause), live resource
 * updates (update --memory/--cpus/--pids-limit) and the figures `stats` prints. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "runtime/resources.h"
#include "runtime/supervise.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define CG "/sys/fs/cgroup"

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
	char b[8192];
	if (!rd(path, b, sizeof b))
		return -1;
	size_t kl = strlen(k);
	for (char *l = b; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, k, kl) && l[kl] == ' ')
			return atoll(l + kl + 1);
	return -1;
}

bool ctr_paused(struct ctr *c)
{
	char b[64];
	char p[512];
	if (cgroup_version() == 2) {
		snprintf(p, sizeof p, CG "/berth/%s/cgroup.freeze", c->id);
		return rd(p, b, sizeof b) && b[0] == '1';
	}
	snprintf(p, sizeof p, CG "/freezer/berth/%s/freezer.state", c->id);
	return rd(p, b, sizeof b) && !strncmp(b, "FROZEN", 6);
}

int ctr_freeze(struct ctr *c, bool freeze, berr *err)
{
	char p[512];
	if (cgroup_version() == 2) {
		snprintf(p, sizeof p, CG "/berth/%s/cgroup.freeze", c->id);
		if (wr(p, freeze ? "1" : "0") < 0)
			return berr_sys(err, "%s", p);
		return 0;
	}
	char d[256];
	snprintf(d, sizeof d, CG "/freezer/berth/%s", c->id);
	if (freeze) {
		mkdir(CG "/freezer/berth", 0755);
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
		snprintf(p, sizeof p, CG "/berth/%s/cpu.stat", c->id);
		long long u = key(p, "usage_usec");
		s->cpu_ns = u >= 0 ? u * 1000 : s->cpu_ns_procs;
		snprintf(p, sizeof p, CG "/berth/%s/memory.current", c->id);
		s->mem = rdll(p);
		snprintf(p, sizeof p, CG "/berth/%s/memory.stat", c->id);
		long long inact = key(p, "inactive_file");
		if (inact > 0 && inact < s->mem)
			s->mem -= inact;
		snprintf(p, sizeof p, CG "/berth/%s/memory.max", c->id);
		char b[64];
		s->mem_limit = rd(p, b, sizeof b) && strncmp(b, "max", 3) ? atoll(b) : 0;
		snprintf(p, sizeof p, CG "/berth/%s/pids.current", c->id);
		long long pc = rdll(p);
		if (pc >= 0)
			s->pids = pc;
		snprintf(p, sizeof p, CG "/berth/%s/io.stat", c->id);
		char io[8192];
		if (rd(p, io, sizeof io)) {
			for (char *l = io; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
				char *r = strstr(l, "rbytes="), *w = strstr(l, "wbytes=");
				char *nl = strchr(l, '\n');
				if (r && (!nl || r < nl))
					s->blk_read += atoll(r + 7);
				if (w && (!nl || w < nl))
					s->blk_write += atoll(w + 7);
			}
		} else {
			s->blk_read = s->blk_read_procs;
			s->blk_write = s->blk_write_procs;
		}
	} else {
		/* v1: berth joins cpuacct/blkio only when limited: fall back to the processes' own
		 * counters (/proc/PID/stat utime+stime, /proc/PID/io) */
		snprintf(p, sizeof p, CG "/cpuacct/berth/%s/cpuacct.usage", c->id);
		long long u = rdll(p);
		s->cpu_ns = u >= 0 ? u : s->cpu_ns_procs;
		snprintf(p, sizeof p, CG "/memory/berth/%s/memory.usage_in_bytes", c->id);
		s->mem = rdll(p);
		snprintf(p, sizeof p, CG "/memory/berth/%s/memory.stat", c->id);
		long long cache = key(p, "total_inactive_file");
		if (cache > 0 && cache < s->mem)
			s->mem -= cache;
		snprintf(p, sizeof p, CG "/memory/berth/%s/memory.limit_in_bytes", c->id);
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

int ctr_update_resources(struct ctr *c, int64_t mem, int64_t nano_cpus, int64_t pids, berr *err)
{
	char p[512], v[64];
	bool v2 = cgroup_version() == 2;
	if (mem) {
		snprintf(v, sizeof v, "%lld", (long long)mem);
		if (v2)
			snprintf(p, sizeof p, CG "/berth/%s/memory.max", c->id);
		else {
			/* v1: the swap limit must never be below the memory limit: raise it first */
			snprintf(p, sizeof p, CG "/memory/berth/%s/memory.memsw.limit_in_bytes", c->id);
			char sw[64];
			snprintf(sw, sizeof sw, "%lld", (long long)mem * 2);
			long long cur = rdll(p);
			if (cur >= 0 && cur < mem * 2)
				wr(p, sw);
			snprintf(p, sizeof p, CG "/memory/berth/%s/memory.limit_in_bytes", c->id);
		}
		if (wr(p, v) < 0)
			return berr_sys(err, "Cannot update container %s: %s", c->id, p);
	}
	if (nano_cpus) {
		if (v2) {
			snprintf(p, sizeof p, CG "/berth/%s/cpu.max", c->id);
			snprintf(v, sizeof v, "%lld 100000", (long long)(nano_cpus / 10000));
			if (wr(p, v) < 0)
				return berr_sys(err, "Cannot update container %s: %s", c->id, p);
		} else {
			char d[256];
			snprintf(d, sizeof d, CG "/cpu/berth/%s", c->id);
			if (mkdir(CG "/cpu/berth", 0755) < 0 && errno != EEXIST) {
			}
			bool fresh = mkdir(d, 0755) == 0;
			snprintf(p, sizeof p, "%s/cpu.cfs_period_us", d);
			wr(p, "100000");
			snprintf(p, sizeof p, "%s/cpu.cfs_quota_us", d);
			snprintf(v, sizeof v, "%lld", (long long)(nano_cpus / 10000));
			if (wr(p, v) < 0)
				return berr_sys(err, "Cannot update container %s: %s", c->id, p);
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
	}
	if (pids) {
		snprintf(p, sizeof p, v2 ? CG "/berth/%s/pids.max" : CG "/pids/berth/%s/pids.max", c->id);
		if (pids < 0)
			snprintf(v, sizeof v, "max");
		else
			snprintf(v, sizeof v, "%lld", (long long)pids);
		if (wr(p, v) < 0)
			return berr_sys(err, "Cannot update container %s: %s", c->id, p);
	}
	return 0;
}
