/* test_cgroup: the cgroup code against a fake cgroup v2 tree (a tmp directory laid out as
 * cgroup2: the files the kernel would create), through the cgroup_test_root() hook: limits
 * written with v2's values, stats read from v2 files, OOM from memory.events, pause/unpause
 * waiting for cgroup.events, live updates, cgroup.kill; the same on a fake v1 tree; the device
 * rules; and, where the host has a writable cgroup2 mount (/sys/fs/cgroup/unified on a hybrid
 * host), a real cgroup: join, freeze, thaw, kill, remove. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "runtime/runtime.h"
#include "runtime/resources.h"
#include "runtime/supervise.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static char root[256];

static void put(const char *rel, const char *content)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static char *get(const char *rel)
{
	static char buf[4096];
	char p[512];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	FILE *f = fopen(p, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	return buf;
}

static void mkd(const char *rel)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
}

/* a fresh fake cgroup2 tree with the files of <root>/berth/ID */
static int setup_v2(void **state)
{
	(void)state;
	snprintf(root, sizeof root, "/tmp/berth-test-cgroup.XXXXXX");
	assert_non_null(mkdtemp(root));
	put("cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
	put("cgroup.subtree_control", "");
	mkd("berth");
	put("berth/cgroup.subtree_control", "");
	mkd("berth/" ID);
	static const char *files[] = { "cgroup.procs", "cgroup.kill", "memory.max", "memory.swap.max", "cpu.max",
		"cpu.weight", "pids.max", "memory.current", "memory.events", "memory.stat", "cpu.stat", "io.stat",
		"pids.current", "cgroup.freeze", "cgroup.events", NULL };
	for (const char **f = files; *f; f++) {
		char rel[256];
		snprintf(rel, sizeof rel, "berth/" ID "/%s", *f);
		put(rel, "");
	}
	put("berth/" ID "/memory.max", "max\n");
	put("berth/" ID "/cgroup.events", "populated 1\nfrozen 0\n");
	put("berth/" ID "/cgroup.freeze", "0\n");
	cgroup_test_root(root, 2);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cgroup_test_root(NULL, 0);
	berr e;
	rm_rf(root, &e);
	return 0;
}

static void test_v2_layout(void **state)
{
	(void)state;
	assert_int_equal(cgroup_version(), 2);
	assert_string_equal(cgroup_root(), root);
	_cleanup_free_ char *p = cgroup_path("memory", ID, "memory.max");
	char want[512];
	snprintf(want, sizeof want, "%s/berth/%s/memory.max", root, ID);
	assert_string_equal(p, want);
}

static void test_v2_weight_and_swap(void **state)
{
	(void)state;
	/* runc's ConvertCPUSharesToCgroupV2Value: 1 + ((shares - 2) * 9999) / 262142 */
	assert_int_equal(cgroup_v2_weight(0), 0);
	assert_int_equal(cgroup_v2_weight(2), 1);
	assert_int_equal(cgroup_v2_weight(1), 1);
	assert_int_equal(cgroup_v2_weight(512), 20);
	assert_int_equal(cgroup_v2_weight(1024), 39);
	assert_int_equal(cgroup_v2_weight(262144), 10000);
	assert_int_equal(cgroup_v2_weight(1000000), 10000);
	/* Docker's memory+swap -> v2's swap alone */
	assert_int_equal(cgroup_v2_swap(64 << 20, 128 << 20), 64 << 20);
	assert_int_equal(cgroup_v2_swap(64 << 20, 64 << 20), 0);
	assert_int_equal(cgroup_v2_swap(64 << 20, -1), -1);
	assert_int_equal(cgroup_v2_swap(64 << 20, 0), 64 << 20);
}

static void test_v2_create_limits(void **state)
{
	(void)state;
	json_t *hc = json_pack("{s:I,s:I,s:I,s:I,s:I}", "Memory", (json_int_t)64 << 20, "MemorySwap",
			       (json_int_t)192 << 20, "NanoCpus", (json_int_t)1500000000, "CpuShares", (json_int_t)512,
			       "PidsLimit", (json_int_t)100);
	berr e = { 0 };
	assert_int_equal(cgroup_create(ID, hc, &e), 0);
	assert_string_equal(get("berth/" ID "/memory.max"), "67108864");
	assert_string_equal(get("berth/" ID "/memory.swap.max"), "134217728");
	assert_string_equal(get("berth/" ID "/cpu.max"), "150000 100000");
	assert_string_equal(get("berth/" ID "/cpu.weight"), "20");
	assert_string_equal(get("berth/" ID "/pids.max"), "100");
	json_decref(hc);
	/* --memory-swap -1: unlimited swap */
	hc = json_pack("{s:I,s:I}", "Memory", (json_int_t)64 << 20, "MemorySwap", (json_int_t)-1);
	put("berth/" ID "/memory.swap.max", "");
	assert_int_equal(cgroup_create(ID, hc, &e), 0);
	assert_string_equal(get("berth/" ID "/memory.swap.max"), "max");
	json_decref(hc);
	/* no limits: nothing written */
	put("berth/" ID "/pids.max", "");
	put("berth/" ID "/cpu.max", "");
	hc = json_object();
	assert_int_equal(cgroup_create(ID, hc, &e), 0);
	assert_string_equal(get("berth/" ID "/pids.max"), "");
	assert_string_equal(get("berth/" ID "/cpu.max"), "");
	json_decref(hc);
}

static void test_v2_enter_pids_kill(void **state)
{
	(void)state;
	berr e = { 0 };
	assert_int_equal(cgroup_enter(ID, 4242, &e), 0);
	assert_string_equal(get("berth/" ID "/cgroup.procs"), "4242");
	put("berth/" ID "/cgroup.procs", "11\n12\n13\n");
	pid_t v[8];
	assert_int_equal(cgroup_pids(ID, v, 8), 3);
	assert_int_equal(v[2], 13);
	put("berth/" ID "/cgroup.procs", "");
	cgroup_kill_all(ID);
	assert_string_equal(get("berth/" ID "/cgroup.kill"), "1");
}

static void test_v2_oom(void **state)
{
	(void)state;
	put("berth/" ID "/memory.events", "low 0\nhigh 0\nmax 12\noom 1\noom_kill 0\n");
	assert_false(cgroup_oom_killed(ID));
	put("berth/" ID "/memory.events", "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n");
	assert_true(cgroup_oom_killed(ID));
}

static void test_v2_stats(void **state)
{
	(void)state;
	put("berth/" ID "/memory.current", "100000000\n");
	put("berth/" ID "/memory.stat", "anon 50000000\nfile 40000000\nactive_file 10000000\ninactive_file 30000000\n");
	put("berth/" ID "/memory.max", "268435456\n");
	put("berth/" ID "/cpu.stat", "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n");
	put("berth/" ID "/pids.current", "7\n");
	put("berth/" ID "/io.stat", "8:0 rbytes=1000 wbytes=2000 rios=1 wios=2 dbytes=0 dios=0\n"
				    "253:0 rbytes=5 wbytes=6 rios=1 wios=1 dbytes=0 dios=0\n");
	struct ctr c = { .id = ID };
	struct ctr_stats s;
	assert_int_equal(ctr_stats_read(&c, &s), 0);
	assert_int_equal(s.cpu_ns, 2500000000LL);
	assert_int_equal(s.mem, 70000000); /* usage minus inactive_file, as Docker's CLI on v2 */
	assert_int_equal(s.mem_limit, 268435456);
	assert_int_equal(s.pids, 7);
	assert_int_equal(s.blk_read, 1005);
	assert_int_equal(s.blk_write, 2006);
	/* no limit: the host's memory */
	put("berth/" ID "/memory.max", "max\n");
	assert_int_equal(ctr_stats_read(&c, &s), 0);
	assert_int_equal(s.mem_limit, (int64_t)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE));
	/* CPU %: 0.5 s of CPU over 1 s of wall time */
	assert_true(stats_cpu_percent(2000000000LL, 2500000000LL, 1000000000LL) > 49.99);
	assert_true(stats_cpu_percent(2000000000LL, 2500000000LL, 1000000000LL) < 50.01);
	assert_true(stats_cpu_percent(2000000000LL, 1000000000LL, 1000000000LL) == 0);
	assert_true(stats_cpu_percent(0, 1, 0) == 0);
}

/* the kernel's side of cgroup.freeze: cgroup.events follows after a while */
static void *kernel_freezer(void *arg)
{
	const char *val = arg;
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	char ev[64];
	snprintf(ev, sizeof ev, "populated 1\nfrozen %s\n", val);
	put("berth/" ID "/cgroup.events", ev);
	return NULL;
}

static void test_v2_pause(void **state)
{
	(void)state;
	struct ctr c = { .id = ID };
	berr e = { 0 };
	assert_false(ctr_paused(&c));
	pthread_t t;
	pthread_create(&t, NULL, kernel_freezer, "1");
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(ctr_freeze(&c, true, &e), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	pthread_join(t, NULL);
	/* it waited for "frozen 1" */
	assert_true((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) >= 40 * 1000 * 1000);
	assert_string_equal(get("berth/" ID "/cgroup.events"), "populated 1\nfrozen 1\n");
	assert_int_equal(get("berth/" ID "/cgroup.freeze")[0], '1');
	assert_true(ctr_paused(&c));
	pthread_create(&t, NULL, kernel_freezer, "0");
	assert_int_equal(ctr_freeze(&c, false, &e), 0);
	pthread_join(t, NULL);
	assert_int_equal(get("berth/" ID "/cgroup.freeze")[0], '0');
	assert_false(ctr_paused(&c));
}

static void test_v2_pause_timeout(void **state)
{
	(void)state;
	/* the cgroup never reports frozen: an error, and the freeze is undone */
	struct ctr c = { .id = ID };
	berr e = { 0 };
	put("berth/" ID "/cgroup.events", "populated 1\nfrozen 0\n");
	assert_int_equal(ctr_freeze(&c, true, &e), -1);
	assert_non_null(strstr(e.msg, "timed out waiting for the container's cgroup to freeze"));
	assert_int_equal(get("berth/" ID "/cgroup.freeze")[0], '0');
}

static void test_v2_update(void **state)
{
	(void)state;
	struct ctr c = { .id = ID };
	berr e = { 0 };
	/* update -m 128m on a container with the default swap (2x): swap follows memory */
	struct res_update u = { .mem = 128 << 20, .mem_now = 128 << 20, .memswap_now = 256 << 20 };
	assert_int_equal(ctr_update_resources(&c, &u, &e), 0);
	assert_string_equal(get("berth/" ID "/memory.max"), "134217728");
	assert_string_equal(get("berth/" ID "/memory.swap.max"), "134217728");
	/* --memory-swap -1 */
	put("berth/" ID "/memory.swap.max", "");
	struct res_update u2 = { .memswap = -1, .mem_now = 128 << 20, .memswap_now = -1 };
	assert_int_equal(ctr_update_resources(&c, &u2, &e), 0);
	assert_string_equal(get("berth/" ID "/memory.swap.max"), "max");
	struct res_update u3 = { .nano_cpus = 500000000, .shares = 2048, .pids = -1 };
	assert_int_equal(ctr_update_resources(&c, &u3, &e), 0);
	assert_string_equal(get("berth/" ID "/cpu.max"), "50000 100000");
	assert_string_equal(get("berth/" ID "/cpu.weight"), "79");
	assert_string_equal(get("berth/" ID "/pids.max"), "max");
	struct res_update u4 = { .pids = 50 };
	put("berth/" ID "/pids.max", "");
	assert_int_equal(ctr_update_resources(&c, &u4, &e), 0);
	assert_string_equal(get("berth/" ID "/pids.max"), "50");
	/* a file the kernel lacks (controller not enabled): Docker-shaped error */
	char p[512];
	snprintf(p, sizeof p, "%s/berth/%s/pids.max", root, ID);
	unlink(p);
	assert_int_equal(ctr_update_resources(&c, &u4, &e), -1);
	assert_non_null(strstr(e.msg, "Cannot update container " ID));
}

/* ---- v1 ---- */
static int setup_v1(void **state)
{
	(void)state;
	snprintf(root, sizeof root, "/tmp/berth-test-cgroup1.XXXXXX");
	assert_non_null(mkdtemp(root));
	static const char *ctrls[] = { "memory", "cpu", "pids", "devices", NULL };
	for (const char **c = ctrls; *c; c++) {
		char rel[256];
		snprintf(rel, sizeof rel, "%s", *c);
		mkd(rel);
		snprintf(rel, sizeof rel, "%s/berth", *c);
		mkd(rel);
		snprintf(rel, sizeof rel, "%s/berth/" ID, *c);
		mkd(rel);
	}
	static const char *files[] = { "memory/berth/" ID "/memory.limit_in_bytes", "memory/berth/" ID "/memory.memsw.limit_in_bytes",
		"memory/berth/" ID "/memory.oom_control", "cpu/berth/" ID "/cpu.cfs_period_us", "cpu/berth/" ID "/cpu.cfs_quota_us",
		"cpu/berth/" ID "/cpu.shares", "pids/berth/" ID "/pids.max", "devices/berth/" ID "/devices.deny",
		"devices/berth/" ID "/devices.allow", NULL };
	for (const char **f = files; *f; f++)
		put(*f, "");
	cgroup_test_root(root, 1);
	return 0;
}

static void test_v1_create_limits(void **state)
{
	(void)state;
	assert_int_equal(cgroup_version(), 1);
	json_t *hc = json_pack("{s:I,s:I,s:I,s:I,s:I}", "Memory", (json_int_t)64 << 20, "MemorySwap", (json_int_t)0,
			       "NanoCpus", (json_int_t)500000000, "CpuShares", (json_int_t)512, "PidsLimit", (json_int_t)20);
	berr e = { 0 };
	assert_int_equal(cgroup_create(ID, hc, &e), 0);
	assert_string_equal(get("memory/berth/" ID "/memory.limit_in_bytes"), "67108864");
	assert_string_equal(get("memory/berth/" ID "/memory.memsw.limit_in_bytes"), "134217728");
	assert_string_equal(get("cpu/berth/" ID "/cpu.cfs_period_us"), "100000");
	assert_string_equal(get("cpu/berth/" ID "/cpu.cfs_quota_us"), "50000");
	assert_string_equal(get("cpu/berth/" ID "/cpu.shares"), "512");
	assert_string_equal(get("pids/berth/" ID "/pids.max"), "20");
	assert_string_equal(get("devices/berth/" ID "/devices.deny"), "a");
	json_decref(hc);
	/* privileged: allow all */
	hc = json_pack("{s:b}", "Privileged", 1);
	put("devices/berth/" ID "/devices.deny", "");
	put("devices/berth/" ID "/devices.allow", "");
	assert_int_equal(cgroup_create(ID, hc, &e), 0);
	assert_string_equal(get("devices/berth/" ID "/devices.allow"), "a");
	assert_string_equal(get("devices/berth/" ID "/devices.deny"), "");
	json_decref(hc);
	put("memory/berth/" ID "/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
	assert_true(cgroup_oom_killed(ID));
}

/* ---- device rules ---- */
static void test_dev_rules(void **state)
{
	(void)state;
	struct dev_rule r;
	char buf[64];
	assert_int_equal(dev_rule_parse("c 1:3 rwm", &r), 0);
	assert_int_equal(r.type, 'c');
	assert_int_equal(r.major, 1);
	assert_int_equal(r.minor, 3);
	assert_int_equal(r.access, DEV_R | DEV_W | DEV_M);
	assert_int_equal(dev_rule_parse("b *:* m", &r), 0);
	assert_int_equal(r.major, -1);
	assert_int_equal(r.access, DEV_M);
	dev_rule_format(&r, buf, sizeof buf);
	assert_string_equal(buf, "b *:* m");
	assert_int_equal(dev_rule_parse("c 136:* wr", &r), 0);
	dev_rule_format(&r, buf, sizeof buf);
	assert_string_equal(buf, "c 136:* rw");
	assert_int_equal(dev_rule_parse("a", &r), 0);
	assert_int_equal(r.type, 'a');
	static const char *bad[] = { "x 1:3 r", "c 1:3", "c 1:3 rwx", "c 1:3 rr", "c a:3 r", "c 1 r", "", "c 1:3 rwmr", NULL };
	for (const char **b = bad; *b; b++)
		assert_int_equal(dev_rule_parse(*b, &r), -1);
	berr e = { 0 };
	assert_int_equal(dev_cgroup_rule_check("c 1:3 r", &e), 0);
	assert_int_equal(dev_cgroup_rule_check("a", &e), -1);
	/* the list of a container: Docker's 12 defaults, then --device, then the rules */
	struct dev_rule v[DEV_RULES_MAX];
	json_t *hc = json_pack("{s:[{s:s,s:s,s:s}],s:[s]}", "Devices", "PathOnHost", "/dev/null", "PathInContainer",
			       "/dev/x", "CgroupPermissions", "r", "DeviceCgroupRules", "b 7:* rwm");
	ssize_t n = dev_rules_of(hc, v, DEV_RULES_MAX, &e);
	assert_int_equal(n, 14);
	dev_rule_format(&v[12], buf, sizeof buf);
	assert_string_equal(buf, "c 1:3 r");
	dev_rule_format(&v[13], buf, sizeof buf);
	assert_string_equal(buf, "b 7:* rwm");
	json_decref(hc);
	hc = json_pack("{s:b}", "Privileged", 1);
	assert_int_equal(dev_rules_of(hc, v, DEV_RULES_MAX, &e), 1);
	assert_int_equal(v[0].type, 'a');
	json_decref(hc);
	/* --device parsing */
	json_t *d;
	assert_int_equal(dev_parse_flag("/dev/null", &d, &e), 0);
	assert_string_equal(json_string_value(json_object_get(d, "PathInContainer")), "/dev/null");
	assert_string_equal(json_string_value(json_object_get(d, "CgroupPermissions")), "rwm");
	json_decref(d);
	assert_int_equal(dev_parse_flag("/dev/null:r", &d, &e), 0);
	assert_string_equal(json_string_value(json_object_get(d, "PathInContainer")), "/dev/null");
	assert_string_equal(json_string_value(json_object_get(d, "CgroupPermissions")), "r");
	json_decref(d);
	assert_int_equal(dev_parse_flag("/dev/null:/dev/n2:rw", &d, &e), 0);
	assert_string_equal(json_string_value(json_object_get(d, "PathInContainer")), "/dev/n2");
	json_decref(d);
	assert_int_equal(dev_parse_flag("/dev/null:rwz", &d, &e), -1);
	assert_string_equal(e.msg, "rwz is not an absolute path");
	assert_int_equal(dev_parse_flag("/dev/null:/x:rwz", &d, &e), -1);
	assert_string_equal(e.msg, "bad mode specified: rwz");
	assert_int_equal(dev_parse_flag("/nonexistent-dev", &d, &e), -1);
	assert_string_equal(e.msg, "error gathering device information while adding custom device \"/nonexistent-dev\": no such file or directory");
}

/* ---- a real cgroup2 hierarchy, when the host has a writable one ---- */
static const char *real_v2(void)
{
	static const char *cands[] = { "/sys/fs/cgroup/unified", "/sys/fs/cgroup", NULL };
	for (const char **c = cands; *c; c++) {
		struct statfs sf;
		if (statfs(*c, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC && access(*c, W_OK) == 0)
			return *c;
	}
	return NULL;
}

static void test_real_v2(void **state)
{
	(void)state;
	const char *base = real_v2();
	if (!base || geteuid() != 0)
		skip();
	char id[64];
	snprintf(id, sizeof id, "unit-test-%d", (int)getpid());
	cgroup_test_root(base, 2);
	berr e = { 0 };
	json_t *hc = json_object(); /* no limits: a hybrid host's unified hierarchy has no controllers */
	if (cgroup_create(id, hc, &e) < 0) {
		json_decref(hc);
		cgroup_test_root(NULL, 0);
		print_message("cannot create a cgroup in %s: %s\n", base, e.msg);
		skip();
	}
	json_decref(hc);
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t ch = fork();
	if (ch == 0) {
		close(p[1]);
		char x;
		while (read(p[0], &x, 1) != 0) /* until killed */
			;
		_exit(0);
	}
	close(p[0]);
	assert_int_equal(cgroup_enter(id, ch, &e), 0);
	pid_t v[4];
	assert_int_equal(cgroup_pids(id, v, 4), 1);
	assert_int_equal(v[0], ch);
	/* the device filter is attached (a real cgroup2 directory): the child still works */
	struct ctr c = { .id = id, .pid = ch };
	struct ctr_stats s;
	assert_int_equal(ctr_stats_read(&c, &s), 0);
	assert_int_equal(s.pids, 1);
	assert_true(s.cpu_ns >= 0);
	/* pause: the kernel reports frozen 1 in cgroup.events */
	assert_int_equal(ctr_freeze(&c, true, &e), 0);
	assert_true(ctr_paused(&c));
	_cleanup_free_ char *ev = cgroup_path(NULL, id, "cgroup.events");
	assert_int_equal(cgroup_read_key(ev, "frozen"), 1);
	assert_int_equal(ctr_freeze(&c, false, &e), 0);
	assert_false(ctr_paused(&c));
	assert_int_equal(cgroup_read_key(ev, "frozen"), 0);
	/* kill: cgroup.kill (or the pid loop) takes the child down */
	cgroup_kill_all(id);
	int st;
	assert_int_equal(waitpid(ch, &st, 0), ch);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGKILL);
	close(p[1]);
	cgroup_destroy(id);
	_cleanup_free_ char *d = cgroup_path(NULL, id, NULL);
	assert_int_equal(access(d, F_OK), -1);
	_cleanup_free_ char *parent = xasprintf("%s/berth", base);
	rmdir(parent); /* only if empty: a v2 host's real containers live there too */
	cgroup_test_root(NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v2_layout, setup_v2, teardown),
		cmocka_unit_test(test_v2_weight_and_swap),
		cmocka_unit_test_setup_teardown(test_v2_create_limits, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_v2_enter_pids_kill, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_v2_oom, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_v2_stats, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_v2_pause, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_v2_pause_timeout, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_v2_update, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_v1_create_limits, setup_v1, teardown),
		cmocka_unit_test(test_dev_rules),
		cmocka_unit_test(test_real_v2),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
