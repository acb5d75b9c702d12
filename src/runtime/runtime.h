/* runtime.h: the container runtime: container records (SQLite), the sandbox (namespaces,
 * mounts, security), cgroups, the monitor/supervisor and exec. See docs/runtime.md.
 *
 * A container's configuration is one JSON document shaped like `docker inspect` output
 * (Config, HostConfig, plus the private "BerthRootfs" block: LowerDirs), stored in the
 * containers table; state columns live next to it. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "store/store.h"
#include "util/err.h"
#include "util/strbuf.h"

/* ---- container records (container.c) ---- */
enum ctr_state { CTR_CREATED, CTR_RUNNING, CTR_EXITED, CTR_REMOVING };

struct ctr {
	char *id;              /* 64 hex */
	char *name;            /* without leading '/' */
	char *image;           /* as given by the user */
	json_t *cfg;           /* full config document (owned) */
	enum ctr_state state;
	pid_t pid;             /* container init, host pid */
	uint64_t pid_start;    /* /proc/PID/stat starttime, guards against pid reuse */
	pid_t mon_pid;         /* supervising process: the monitor, or the attached CLI */
	uint64_t mon_start;
	int exit_code;
	int64_t created, started_at, finished_at; /* ns since the epoch, 0 = never */
	bool oom;
	char *error;
};

void ctr_free(struct ctr *c);
static inline void cleanup_ctrp(struct ctr **c) { if (*c) ctr_free(*c); }
#define _cleanup_ctr_ __attribute__((cleanup(cleanup_ctrp)))

/* Generate a fresh 64-hex id and a Docker-style random name (adjective_surname). */
void ctr_new_id(char out[65]);
char *ctr_random_name(struct store *st);
bool ctr_name_valid(const char *name);

int ctr_insert(struct store *st, struct ctr *c, berr *err);
/* Find by full id, unique id prefix or name. err: "No such container: REF" (status 1). */
int ctr_lookup(struct store *st, const char *ref, struct ctr **out, berr *err);
/* Every container, newest first. */
int ctr_list(struct store *st, struct ctr ***out, size_t *n, berr *err);
void ctr_list_free(struct ctr **v, size_t n);
int ctr_save_state(struct store *st, struct ctr *c, berr *err);
void ctr_copy_state(struct ctr *c, const struct ctr *f);
int ctr_save_config(struct store *st, struct ctr *c, berr *err);
int ctr_rename(struct store *st, struct ctr *c, const char *name, berr *err);
int ctr_delete_row(struct store *st, const char *id, berr *err);
/* Make the record truthful: a "running" container whose processes are gone becomes exited
 * (exit code 137 if nobody recorded one). Returns the (possibly updated) state. */
enum ctr_state ctr_refresh(struct store *st, struct ctr *c);
bool ctr_is_running(struct ctr *c);
/* Remove everything a container owns on disk and in cgroups, and its record. The container
 * must not be running. */
int ctr_remove(struct store *st, struct ctr *c, bool volumes, berr *err);
/* ---- deferred deletion (trash.c) ---- */
/* root/trash */
char *trash_dir(const char *root);
/* Rename PATH to root/trash/NAME (one rename: PATH is gone at once) and have the files deleted
 * by a detached process forked when this process exits (trash_reap_spawn, atexit); -1 with
 * errno (PATH missing, another filesystem: the caller deletes it itself). */
int trash_put(const char *root, const char *path, const char *name);
/* Delete everything in root/trash now (under root/trash/.lock): entries deleted, or -1. */
int trash_reap(const char *root);
/* Fork the detached reaper if this process put anything in the trash (registered with
 * atexit by trash_put; BERTH_TEST_NO_REAP=1 leaves the trash for a later sweep). */
void trash_reap_spawn(void);
/* Have trash_reap_spawn run at exit (for deferred work other than the trash: net veths). */
void trash_arm(void);
/* Whether this process put something in the trash (a reaper will run at exit). */
bool trash_pending(void);
/* Keep FD (an exited --rm container's mount namespace) open until the reaper runs, so its
 * teardown happens there and not in the container's exit, which the CLI waits for. */
void trash_hold(int fd);
/* Docker's status text for ps: "Up 3 seconds", "Exited (0) 5 seconds ago", "Created". */
char *ctr_status_string(struct ctr *c);
const char *ctr_state_name(enum ctr_state s);
/* The Docker-compatible `inspect` document (State, Config, HostConfig, Mounts, GraphDriver...). */
json_t *ctr_inspect_json(struct store *st, struct ctr *c);
/* HostConfig and Config of inspect in Docker 20.10's shape and key order (inspect_hc.c). */
json_t *ctr_inspect_hostconfig(json_t *hc);
json_t *ctr_inspect_config(json_t *conf);
/* The paths berth masks / makes read-only in a container's /proc and /sys (mounts.c). */
const char *const *mounts_masked_paths(void);
const char *const *mounts_readonly_paths(void);
char *ctr_dir(struct store *st, const char *id);   /* root/containers/<id> */
char *ctr_log_path(struct store *st, const char *id);
int64_t now_ns(void);
char *fmt_rfc3339(int64_t ns);   /* "2024-01-02T03:04:05.123456789Z"; 0 -> 0001-01-01T00:00:00Z */
uint64_t proc_starttime(pid_t pid); /* 0 if not running */
bool proc_alive(pid_t pid, uint64_t start);
/* Docker's humanised durations: "3 seconds", "About a minute", "2 hours". */
char *human_duration(int64_t ns);

/* ---- starting a container (sandbox.c) ---- */
struct launch {
	/* stdio given to the container when not using a tty; -1 = /dev/null */
	int in_fd, out_fd, err_fd;
	bool tty;
	int pty_master;          /* out: the pty master when tty */
	pid_t pid;               /* out */
	bool net_inproc;         /* attach the network in this process (the attached CLI); else in a
				  * `debug net-setup` helper (the monitor stays small, has no DB) */
	bool early_exit;         /* out: the process already exited (and was reaped) */
	int early_status;        /* out: its wait status */
	bool record_early;       /* the caller supervises and has the store open: the record says
				  * running under this process as soon as the init exists, before
				  * its network is made, so a caller killed at any later instant
				  * leaves a record ctr_refresh settles (exited 137) */
	bool recorded;           /* out: the record was saved running (record_early) */
};
/* Clone the container init with its namespaces, set up the rootfs and security, exec the
 * process. Returns 0 once the process has been exec'd; on failure err->status is 125, 126 or
 * 127 as Docker's. The caller is the container's parent (CLI or monitor). */
int sandbox_launch(struct store *st, struct ctr *c, struct launch *l, berr *err);
/* Join a running container and exec argv there (exec.c): same security setup. */
struct exec_opts {
	char **argv;
	struct strvec env;
	const char *user, *workdir;
	bool tty, interactive, privileged, detach;
};
int sandbox_exec(struct store *st, struct ctr *c, struct exec_opts *o, int *status, berr *err);

/* ---- pieces used by the sandbox child ---- */
/* Copy the tree under sfd into dfd, fd by fd, never following symlinks; overwrite replaces
 * existing files (a symlink in the way is replaced, not followed). */
int copy_tree(int sfd, int dfd, bool overwrite);
int rootfs_open_in(int rootfd, const char *path, int flags, bool mkdirs, bool mkfile, mode_t mode);
int mounts_setup(int rootfd, json_t *cfg, const char *ctrdir, struct store *st, berr *err);
int mounts_overlay(json_t *cfg, const char *ctrdir, berr *err);
int mounts_proc_sys(int rootfd, json_t *cfg, berr *err);
int dev_setup(int rootfd, json_t *cfg, berr *err);
int security_apply(json_t *cfg, bool exec_mode, berr *err);  /* bounding set + seccomp */
int security_caps_final(json_t *cfg, uid_t uid, berr *err);  /* after setuid, before exec */
uint64_t security_cap_mask(json_t *cfg);
int security_check_caps(json_t *list, berr *err);
bool security_no_new_privs(json_t *cfg);
int security_seccomp_load(json_t *cfg, berr *err);
/* Compile cfg's seccomp filter before clone/fork, or read it from <runroot>/seccomp/ where it
 * is cached by capability set; the next security_seccomp_load (in this process or a child)
 * then loads it without libseccomp. Best effort: without it the load builds the filter. */
void security_seccomp_prepare(json_t *cfg, const char *runroot);

struct run_user {
	uid_t uid;
	gid_t gid;
	gid_t groups[64];
	int ngroups;
	char home[256];
};
/* Resolve "name|uid[:group|gid]" with the container's /etc/passwd and /etc/group, read
 * through rootfd (must already be the container's root). */
int user_resolve(int rootfd, const char *spec, struct run_user *u, berr *err);

/* ---- cgroups (cgroup.c) ---- */
int cgroup_version(void); /* 2 = unified, 1 = legacy/hybrid */
const char *cgroup_root(void); /* "/sys/fs/cgroup", or the test hook's tree */
/* Test hook (unit tests only; nothing else calls it): use ROOT, laid out as cgroup VERSION
 * (1 or 2), instead of /sys/fs/cgroup. A ROOT that is not a real cgroup2 mount gets no BPF
 * device filter. NULL restores the default (and re-detects the version). */
void cgroup_test_root(const char *root, int version);
/* <root>/berth/<id>[/file] on v2, <root>/<ctrl>/berth/<id>[/file] on v1 (malloc'd). */
char *cgroup_path(const char *ctrl, const char *id, const char *file);
/* The value of "KEY N" in a flat-keyed cgroup file (memory.stat, cpu.stat, memory.events,
 * cgroup.events), -1 if absent. */
long long cgroup_read_key(const char *path, const char *key);
/* --cpu-shares -> cpu.weight (runc's linear map [2..262144] -> [1..10000]); 0 -> 0 (unset). */
int64_t cgroup_v2_weight(int64_t shares);
/* Docker's --memory-swap (memory+swap, -1 unlimited, 0 unset) -> memory.swap.max (-1 = max). */
int64_t cgroup_v2_swap(int64_t memory, int64_t memswap);
int cgroup_create(const char *id, json_t *hostcfg, berr *err);
int cgroup_enter(const char *id, pid_t pid, berr *err);
/* The calling (single-threaded) process joins the cgroups without waiting for an RCU grace
 * period on v1 (see cgroup.c). */
int cgroup_enter_self(const char *id, berr *err);
/* v2: an O_DIRECTORY fd of the container's cgroup for clone3(CLONE_INTO_CGROUP); else -1 */
int cgroup_open_v2(const char *id);
bool cgroup_oom_killed(const char *id);
void cgroup_kill_all(const char *id);
void cgroup_destroy(const char *id);
int cgroup_pids(const char *id, pid_t *out, int max);

/* ---- devices (devices.c, devfilter.c) ---- */
enum { DEV_M = 1, DEV_R = 2, DEV_W = 4 }; /* the BPF_DEVCG_ACC_* bits */
#define DEV_RULES_MAX 1024
struct dev_rule {
	char type;            /* 'a' (all), 'c', 'b' */
	int64_t major, minor; /* -1 = '*' */
	unsigned access;      /* DEV_R | DEV_W | DEV_M */
};
/* "c 1:3 rwm", "b *:* m", "a": -1 if malformed (Docker's grammar). */
int dev_rule_parse(const char *s, struct dev_rule *r);
void dev_rule_format(const struct dev_rule *r, char *buf, size_t n);
/* The allow list of a container: Docker's defaults, then HostConfig.Devices (stat'ed on the
 * host) and DeviceCgroupRules; Privileged: the single rule "a". Returns the count or -1. */
ssize_t dev_rules_of(json_t *hc, struct dev_rule *out, size_t max, berr *err);
/* --device SRC[:DST][:PERMS] -> {"PathOnHost","PathInContainer","CgroupPermissions"}. */
int dev_parse_flag(const char *spec, json_t **out, berr *err);
/* --device-cgroup-rule validation (Docker's message). */
int dev_cgroup_rule_check(const char *s, berr *err);
/* Call fn for the device node at path, or every node under the directory path (skip_std: the
 * entries runc's HostDevices leaves out: pts shm fd mqueue, console, ptmx). */
int dev_walk_host(const char *path, bool skip_std, int (*fn)(void *, const char *, const struct stat *), void *arg);
/* In the sandbox child: mknod --device nodes, and every host device for --privileged. */
int dev_make_nodes(int rootfd, json_t *hc, berr *err);
/* cgroup v2: attach an allow list as a BPF_PROG_TYPE_CGROUP_DEVICE program (devfilter.c). */
int cgroup_devfilter_attach(const char *cgdir, const struct dev_rule *r, size_t n, berr *err);

/* ---- supervision (monitor.c) ---- */
/* Relay the container's output to its json-file log (and to the terminal when attached),
 * forward stdin and signals, wait for the exit and record it. Returns the exit status. */
struct supervise {
	int out_fd, err_fd;      /* read ends (or the pty master in out_fd) */
	int in_fd;               /* write end to the container stdin, -1 if none */
	bool tty, attached, forward_signals;
	int log_fd;
	pid_t pid;
	struct health *health;   /* healthcheck state machine (supervise.h), or NULL */
};
int supervise_run(struct supervise *s);
/* Start a detached container under a monitor that outlives the CLI. */
int monitor_start(struct store *st, struct ctr *c, berr *err);
/* Start attached: the CLI itself supervises. Returns the container exit status. */
int attached_start(struct store *st, struct ctr *c, bool interactive, bool attach_out, berr *err);
/* The detached monitor's engine steps, run by `berth debug record-exit` / `restart-try` exec'd
 * in place of berth-monitor (same PID): record the exit (status < 0: only decide) and apply the
 * restart policy under the supervision lock; with a restart this process execs berth-monitor
 * --backoff. monitor_restart_try starts the container again as this process's child (unless a
 * stop by hand came) and execs berth-monitor. Both return only when nothing is left to do. */
int monitor_after_exit(struct store *st, const char *id, int status);
int monitor_restart_try(struct store *st, const char *id);
/* Record the exit of a container (by the process that waited for it). */
void record_exit(const char *root, const char *runroot, const char *id, int status);
/* Save the record running: init `pid` supervised by this process (sandbox_launch, record_early). */
int record_launching(struct store *st, struct ctr *c, pid_t pid, berr *err);
void record_exit_st(struct store *st, const char *id, int status);

/* ---- config building (spec.c) ---- */
struct run_flags {
	struct strvec env, env_file, volumes, mounts, tmpfs, cap_add, cap_drop, security_opt,
		label, add_host, dns, volumes_from, devices, device_cgroup_rules;
	const char *name, *hostname, *workdir, *user, *entrypoint, *network, *memory, *memory_swap,
		*cpus, *cpu_shares, *pids_limit, *rootfs, *stop_signal, *restart, *stop_timeout;
	bool rm, detach, interactive, tty, init, read_only, privileged;
	bool entrypoint_set;
	/* networking (netcfg.c) */
	struct strvec network_alias, publish, expose;
	const char *ip;
	bool publish_all;
};
int spec_build(struct store *st, struct run_flags *f, const char *image, char **cmd, int ncmd,
	       struct ctr **out, berr *err);
int parse_bytes(const char *s, int64_t *out);

/* ---- networking of containers (netcfg.c) ----
 * Config: HostConfig.NetworkMode ("default" = the bridge network, "host", "none", a network
 * name, "container:ID"), HostConfig.PortBindings / PublishAllPorts (Docker's shapes),
 * Config.ExposedPorts, and the private "BerthNetworks" object {NAME: {"Aliases": [...],
 * "IPv4Address": "..."}} (the networks to join at every start, in order; network connect and
 * disconnect edit it) plus "BerthPublish" (the -p specs as given). */
/* Normalise NetworkMode ("default"/"" -> "bridge"). */
const char *ctr_netmode(json_t *cfg);
/* Validate the network flags and record them in the config (spec_build). */
int spec_network(struct store *st, struct run_flags *f, json_t *cfg, json_t *conf, json_t *hc, berr *err);
/* Attach the freshly cloned container (netns of pid) to its networks and publish its ports
 * (sandbox_launch, before the process may run). On failure every endpoint is released. */
int ctr_net_attach(struct store *st, struct ctr *c, pid_t pid, berr *err);
/* ctr_net_attach plus /etc/hosts and resolv.conf (run by `berth debug net-setup ID PID`). */
int sandbox_net_setup(struct store *st, struct ctr *c, pid_t pid, berr *err);
/* Release every endpoint and NAT rule of a container (exit, stop, rm); quiet, idempotent. */
void ctr_net_release(struct store *st, const char *id);
/* Drop network endpoints (addresses, ports, rules) whose container's netns is gone (a SIGKILLed
 * `run` or monitor); cheap when nothing is stale: one query and one ioctl per endpoint. */
void ctr_net_reconcile(struct store *st);
/* The netns fd a container:ID container joins (-1 and err if it is not running). */
int ctr_net_container_ns(struct store *st, struct ctr *c, berr *err);
/* The /etc/hosts and /etc/resolv.conf text of a container (after attach). */
void ctr_net_hosts(struct store *st, struct ctr *c, struct strbuf *out);
void ctr_net_resolv(struct store *st, struct ctr *c, struct strbuf *out);
/* NetworkSettings of inspect (Docker 20.10's shape). */
json_t *ctr_net_settings(struct store *st, struct ctr *c, bool running);
/* ps's PORTS column ("0.0.0.0:8000->80/tcp, 443/tcp"). */
char *ctr_net_ports_column(struct store *st, struct ctr *c, bool running);
/* Join a running or stopped container to one more network / leave one (network connect and
 * disconnect); the config is updated so a restart rejoins. */
int ctr_net_connect(struct store *st, struct ctr *c, const char *network, const char *ip,
		    const struct strvec *aliases, berr *err);
int ctr_net_disconnect(struct store *st, struct ctr *c, const char *network, bool force, berr *err);
int signal_parse(const char *s);

/* ---- attach (attach.c) ---- */
/* A write fd to a running container's stdin: its stdin pipe (tty false) or a duplicate of
 * the pty master its monitor holds (tty true). See attach.c for the monitor interface. */
int ctr_stdin_open(struct ctr *c, bool tty, berr *err);

/* ---- diff and commit (ctr_diff.c) ---- */
/* The changes of a container's root filesystem, Docker's shape: [{"Path":"/x","Kind":0|1|2}]
 * (0 changed, 1 added, 2 deleted), parents before children. */
int ctr_changes(struct store *st, struct ctr *c, json_t **out, berr *err);
/* Upper-dir paths ("etc/hosts") that are berth's own mount points, not the container's
 * changes (left out of diff and commit). */
int ctr_upper_skips(struct store *st, struct ctr *c, struct strvec *skip);
/* Bytes in the container's writable layer (Docker's SizeRw). */
int64_t ctr_size_rw(struct store *st, struct ctr *c);

/* ---- cp (cp.c) ---- */
/* `cp CONTAINER:SRC HOSTDEST` (to_container false) or `cp HOSTSRC CONTAINER:DEST`. Paths in the
 * container are resolved inside its root fd by fd (util/safepath.h); a stopped container's
 * rootfs is mounted in a private mount namespace of a helper process. */
int ctr_cp(struct store *st, struct ctr *c, bool to_container, const char *src, const char *dst, berr *err);
struct cp_opts {
	bool to_container;
	const char *src, *dst;
	bool follow;      /* -L: follow a symlink SRC */
	bool tar_out;     /* cp CONTAINER:SRC -: a tar of SRC on stdout */
	bool tar_in;      /* cp - CONTAINER:DEST: a tar on stdin extracted into the directory DEST */
	const char *name; /* the container as the user named it (messages) */
};
/* As ctr_cp with Docker's options. err->status 2: an error Docker's CLI prints as is. */
int ctr_cp_ex(struct store *st, struct ctr *c, const struct cp_opts *o, berr *err);

