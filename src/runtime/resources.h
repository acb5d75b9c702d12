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
/* Write new limits into the running container's cgroup (0 = unchanged; pids < 0 = unlimited). */
int ctr_update_resources(struct ctr *c, int64_t mem, int64_t nano_cpus, int64_t pids, berr *err);
