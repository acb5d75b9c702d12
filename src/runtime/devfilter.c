/* devfilter.c: the device allow list on cgroup v2, where there is no devices controller: a
 * BPF_PROG_TYPE_CGROUP_DEVICE program attached to the container's cgroup, compiled from the
 * same rules as v1's devices.allow (dev_rules_of: Docker's defaults -- mknod of anything,
 * read/write of null, zero, full, random, urandom, tty, console, ptmx, pts (136:*), tun
 * (10:200) -- plus --device and --device-cgroup-rule). Everything else is EPERM. As runc's
 * devicefilter: one block per rule, first match allows, default deny. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "runtime/runtime.h"
#include "util/cleanup.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

enum { ALLOW = 1000, DENY = 1001 };

struct prog {
	struct bpf_insn *v;
	int *target; /* ALLOW/DENY for jumps to patch, 0 otherwise */
	int n, cap;
};

static void emit(struct prog *p, struct bpf_insn i, int target)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 128;
		p->v = xrealloc(p->v, (size_t)p->cap * sizeof *p->v);
		p->target = xrealloc(p->target, (size_t)p->cap * sizeof *p->target);
	}
	p->target[p->n] = target;
	p->v[p->n++] = i;
}

static void jne(struct prog *p, int reg, int imm, int target)
{
	emit(p, INSN(BPF_JMP | BPF_JNE | BPF_K, reg, 0, 0, imm), target);
}

static int build(struct prog *p, const struct dev_rule *r, size_t nr)
{
	p->n = 0;
	/* r2 = type (& 0xffff); r3 = access (>> 16); r4 = major; r5 = minor */
	emit(p, INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0), 0);
	emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0), 0);
	emit(p, INSN(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16), 0);
	emit(p, INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff), 0);
	emit(p, INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, 4, 0), 0);
	emit(p, INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 8, 0), 0);
	for (size_t i = 0; i < nr; i++) {
		int first = p->n;
		if (r[i].type != 'a')
			jne(p, BPF_REG_2, r[i].type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, -1);
		if ((r[i].access & 7) != 7) {
			/* every requested access bit must be in the rule: (access & ~rule) == 0 */
			emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0), 0);
			emit(p, INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_1, 0, 0, (int)(~r[i].access & 7)), 0);
			jne(p, BPF_REG_1, 0, -1);
		}
		if (r[i].major >= 0)
			jne(p, BPF_REG_4, (int)r[i].major, -1);
		if (r[i].minor >= 0)
			jne(p, BPF_REG_5, (int)r[i].minor, -1);
		emit(p, INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0), ALLOW);
		/* -1: to the next rule's block */
		for (int k = first; k < p->n; k++)
			if (p->target[k] == -1) {
				p->v[k].off = (int16_t)(p->n - k - 1);
				p->target[k] = 0;
			}
	}
	int deny = p->n;
	emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0), 0);
	emit(p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0), 0);
	int allow = p->n;
	emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1), 0);
	emit(p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0), 0);
	for (int i = 0; i < p->n; i++)
		if (p->target[i] == ALLOW || p->target[i] == DENY)
			p->v[i].off = (int16_t)((p->target[i] == ALLOW ? allow : deny) - i - 1);
	return p->n;
}

int cgroup_devfilter_attach(const char *cgdir, const struct dev_rule *r, size_t nr, berr *err)
{
	struct prog p = { 0 };
	build(&p, r, nr);
	char log[4096] = "";
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)p.v;
	a.insn_cnt = (uint32_t)p.n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	/* no verifier log unless loading fails (a long program overflows any small log) */
	_cleanup_close_ int prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a);
	if (prog < 0) {
		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = sizeof log;
		a.log_level = 1;
		prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a);
	}
	free(p.v);
	free(p.target);
	if (prog < 0)
		return berr_sys(err, "load device filter (%.200s)", log);
	_cleanup_close_ int cg = open(cgdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0)
		return berr_sys(err, "open %s", cgdir);
	memset(&a, 0, sizeof a);
	a.target_fd = (uint32_t)cg;
	a.attach_bpf_fd = (uint32_t)prog;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &a, sizeof a) < 0)
		return berr_sys(err, "attach device filter to %s", cgdir);
	return 0;
}
