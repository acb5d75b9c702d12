/* devfilter.c: Docker's device allow list for cgroup v2, where there is no devices
 * controller: a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the container's cgroup.
 * Allowed: mknod of anything (as Docker's "c *:* m" / "b *:* m"), and read/write of the
 * character devices null, zero, full, random, urandom, tty, console, ptmx, pts (136:*) and
 * tun (10:200). Everything else (block devices included) is EPERM. */
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
	struct bpf_insn v[64];
	int target[64]; /* ALLOW/DENY for jumps to patch, 0 otherwise */
	int n;
};

static void emit(struct prog *p, struct bpf_insn i, int target)
{
	p->target[p->n] = target;
	p->v[p->n++] = i;
}

static void jeq(struct prog *p, int reg, int imm, int target)
{
	emit(p, INSN(BPF_JMP | BPF_JEQ | BPF_K, reg, 0, 0, imm), target);
}

static void jne(struct prog *p, int reg, int imm, int target)
{
	emit(p, INSN(BPF_JMP | BPF_JNE | BPF_K, reg, 0, 0, imm), target);
}

static int build(struct prog *p)
{
	p->n = 0;
	/* r2 = ctx->access_type; r3 = access (>> 16); r2 = type (& 0xffff); r4 = major; r5 = minor */
	emit(p, INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0), 0);
	emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0), 0);
	emit(p, INSN(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16), 0);
	emit(p, INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff), 0);
	emit(p, INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, 4, 0), 0);
	emit(p, INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 8, 0), 0);
	jeq(p, BPF_REG_3, BPF_DEVCG_ACC_MKNOD, ALLOW);
	jne(p, BPF_REG_2, BPF_DEVCG_DEV_CHAR, DENY);
	jeq(p, BPF_REG_4, 136, ALLOW);
	/* major 1: 3 5 7 8 9 */
	int skip1 = p->n;
	jne(p, BPF_REG_4, 1, 0);
	jeq(p, BPF_REG_5, 3, ALLOW);
	jeq(p, BPF_REG_5, 5, ALLOW);
	jeq(p, BPF_REG_5, 7, ALLOW);
	jeq(p, BPF_REG_5, 8, ALLOW);
	jeq(p, BPF_REG_5, 9, ALLOW);
	emit(p, INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0), DENY);
	p->v[skip1].off = (int16_t)(p->n - skip1 - 1);
	/* major 5: 0 1 2 */
	int skip2 = p->n;
	jne(p, BPF_REG_4, 5, 0);
	jeq(p, BPF_REG_5, 0, ALLOW);
	jeq(p, BPF_REG_5, 1, ALLOW);
	jeq(p, BPF_REG_5, 2, ALLOW);
	emit(p, INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0), DENY);
	p->v[skip2].off = (int16_t)(p->n - skip2 - 1);
	/* 10:200 */
	jne(p, BPF_REG_4, 10, DENY);
	jeq(p, BPF_REG_5, 200, ALLOW);
	int deny = p->n;
	emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0), 0);
	emit(p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0), 0);
	int allow = p->n;
	emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1), 0);
	emit(p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0), 0);
	for (int i = 0; i < p->n; i++)
		if (p->target[i])
			p->v[i].off = (int16_t)((p->target[i] == ALLOW ? allow : deny) - i - 1);
	return p->n;
}

int cgroup_devfilter_attach(const char *cgdir, berr *err)
{
	struct prog p;
	build(&p);
	char log[4096] = "";
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)p.v;
	a.insn_cnt = (uint32_t)p.n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = sizeof log;
	a.log_level = 1;
	_cleanup_close_ int prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a);
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
