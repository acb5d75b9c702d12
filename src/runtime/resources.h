/* resources.h: per-container cgroup figures and live updates (resources.c). */
#pragma once
#include "runtime/runtime.h"

struct ctr_stats {
	int64_t cpu_ns;           /* cumulative CPU time of the container */
	int64_t mem, mem_limit;   /* usage without inactive page cache; limit (host memory if none) */
	int64_t net_rx, net_tx;   /* bytes, all interfaces but lo */
	int64_t blk_read, blk_write;
	int64_t pids;
	int64_t cpu_ns_procs, blk_read_procs, blk_write_procs; /* internal */
};
int ctr_stats_read(struct ctr *c, struct ctr_stats *s);
/* CPU % as Docker's stats prints it, from two cumulative CPU times and the wall time between. */
double stats_cpu_percent(int64_t cpu_prev_ns, int64_t cpu_now_ns, int64_t wall_ns);

/* A live update: the fields given (0 = unchanged; pids/nano_cpus < 0 = unlimited), plus the
 * resulting Memory and MemorySwap of the container (to derive the swap limit). */
struct res_update {
	int64_t mem, memswap, nano_cpus, shares, pids;
	int64_t mem_now, memswap_now;
};
/* Write new limits into the running container's cgroup (v2: memory.max, memory.swap.max,
 * cpu.max, cpu.weight, pids.max; v1: the matching v1 files). */
int ctr_update_resources(struct ctr *c, const struct res_update *u, berr *err);
