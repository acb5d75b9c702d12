/* exec.c: the builder (see build/exec.h, docs/build.md). Executes the plan stage by stage:
 * the base (image from the store, scratch, or an earlier stage), then each step: metadata
 * steps become empty-layer history entries, RUN runs in a runtime sandbox on an overlay of the
 * layers so far, COPY/ADD/WORKDIR work on such an overlay mounted in the builder's private
 * mount namespace; each layer step's upper dir becomes a gzip layer blob. Steps are cached by
 * a key over everything they depend on (build/cache.h). Progress is BuildKit's plain format. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "build/cache.h"
#include "build/context.h"
#include "build/copy.h"
#include "build/exec.h"
#include "build/io.h"
#include "build/progress.h"
#include "registry/registry.h"
#include "dockerfile/plan.h"
#include "dockerfile/stages.h"
#include "image/image.h"
#include "image/istore.h"
#include "image/layer.h"
#include "image/layer_adopt.h"
#include "store/blob_adopt.h"
#include "image/ref.h"
#include "runtime/runtime.h"
#include "store/blob.h"
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/fs.h"
#include "util/safepath.h"

/* ---- interruption: SIGINT/SIGTERM/SIGHUP stop the running step, then the build cleans up ---- */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* ---- progress (build/progress.h); vertex numbers are given out in plan order ---- */
struct prog {
	struct bprog *bp;
	int next;
	const char *stage;           /* the running stage's name, for the summary */
};

static int vstart(struct prog *p, const char *title)
{
	int n = ++p->next;
	bprog_start(p->bp, n, title, p->stage ? p->stage : "");
	return n;
}

static void vdone(struct prog *p, int n)
{
	bprog_done(p->bp, n);
}

static void vinfo(struct prog *p, int n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void vinfo(struct prog *p, int n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct strbuf sb = STRBUF_INIT;
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	bprog_info(p->bp, n, sb_str(&sb));
	sb_release(&sb);
}

/* The failure box, as BuildKit prints it, and the final line on stderr (always, even -q). */
static void vfail(struct prog *p, int n, const char *title, const char *msg, const char *final_prefix)
{
	bprog_error(p->bp, n, msg);
	_cleanup_free_ char *box = xasprintf("------\n > %s:\n------\n%s%s\n", title, final_prefix, msg);
	bprog_raw(p->bp, box);
}

/* ---- state ---- */
struct stage_state {
	bool done;
	struct img_layer *layers;
	size_t nlayers;
	struct strvec dirs;          /* extracted layer dirs, bottom first */
	json_t *base_history;        /* history of the root base image */
	json_t *hist;                /* entries added by this Dockerfile (parents' first) */
	char key[DIGEST_STR_LEN + 1];/* cache key of the current state */
	char base_id[DIGEST_STR_LEN + 1];
	char last_created[64];
	char *arch, *os;
};

struct builder {
	const struct build_request *r;
	const struct build_opts *o;
	struct store *st;
	struct plan *plan;
	struct df_file *file;
	struct bctx *ctx;
	struct stage_state *ss;
	struct prog p;
	char *emptydir;              /* an empty dir: the lower of a scratch overlay */
	int tmplock;
	char *tmpdir;
	unsigned seq;
	enum layer_compression comp;  /* --compression */
	int64_t epoch;               /* SOURCE_DATE_EPOCH, -1 if unset */
	int *vbase;                  /* per stage: the number of its first vertex */
	struct build_io io;          /* secrets, outputs, cache import/export, ADD URL (build/io.h) */
};

static void layer_push(struct stage_state *s, const struct img_layer *l, const char *dir)
{
	s->layers = xrealloc(s->layers, (s->nlayers + 1) * sizeof *s->layers);
	s->layers[s->nlayers++] = *l;
	sv_push(&s->dirs, dir);
}

static void stage_release(struct stage_state *s)
{
	free(s->layers);
	sv_clear(&s->dirs);
	json_decref(s->base_history);
	json_decref(s->hist);
	free(s->arch);
	free(s->os);
}

static const char *parent_chain(const struct stage_state *s)
{
	return s->nlayers ? s->layers[s->nlayers - 1].chain_id : "";
}

/* An image named by COPY --from or RUN --mount from=: pulled first when missing. */
static int resolve_image(struct builder *b, const char *ref, struct image_run_info *info, berr *err)
{
	if (registry_ensure_image(b->st, ref, NULL, NULL, err) < 0)
		return -1;
	return image_resolve_for_run(b->st, ref, info, err);
}

static int base_config(void *vctx, const char *ref, const char *platform, json_t **config, berr *err)
{
	struct builder *b = vctx;
	(void)platform;
	_cleanup_free_ char *id = NULL;
	/* a base image that is not in the store is pulled, as `docker build` does */
	if (registry_ensure_image(b->st, ref, NULL, &id, err) < 0)
		return berr_wrap(err, "failed to resolve source metadata for %s", ref);
	struct img_info in;
	if (img_get(b->st, id, &in, err) < 0)
		return -1;
	json_t *c = json_object_get(in.config, "config");
	*config = json_is_object(c) ? json_incref(c) : json_object();
	img_info_release(&in);
	return 0;
}

/* Mount an overlay of lowers (bottom first) at dir/merged with dir/upper (NULL upper: read-only). */
static int mount_overlay(struct builder *b, const struct strvec *lowers, const char *dir, bool rw, berr *err)
{
	struct strbuf o = STRBUF_INIT;
	sb_adds(&o, "lowerdir=");
	for (size_t i = lowers->n; i-- > 0;)
		sb_addf(&o, "%s:", lowers->v[i]);
	sb_adds(&o, b->emptydir);
	if (!rw && !lowers->n) {
		/* an overlay needs two lowers without an upper */
		sb_addf(&o, ":%s", b->emptydir);
	}
	if (rw)
		sb_addf(&o, ",upperdir=%s/upper,workdir=%s/work", dir, dir);
	_cleanup_free_ char *merged = xasprintf("%s/merged", dir);
	static const char *sub[] = { "upper", "work", "merged" };
	for (size_t i = 0; i < 3; i++) {
		_cleanup_free_ char *d = xasprintf("%s/%s", dir, sub[i]);
		if (mkdir_p(d, 0755, err) < 0) {
			sb_release(&o);
			return -1;
		}
		chmod(d, 0755);
	}
	int rc = mount("overlay", merged, "overlay", rw ? 0 : MS_RDONLY, o.buf);
	sb_release(&o);
	if (rc < 0)
		return berr_sys(err, "mount overlay at %s", merged);
	return 0;
}

static char *new_workdir(struct builder *b)
{
	return xasprintf("%s/step%u", b->tmpdir, ++b->seq);
}

/* Turn an upper dir into a layer. The tar is made, compressed and hashed in one pass (threads,
 * image/pcomp.h); the upper dir itself becomes the extracted layer (renamed, not extracted
 * again). The blob is lazy (image/layer_adopt.h): only its digest is computed now, the bytes
 * are made again from the layer when something reads the blob (push, save), as Docker's image
 * store does; BERTH_BUILD_EAGER_BLOBS=1 (or a layer dir that already existed) writes it now,
 * straight into the store (written once, fsynced once). */
static void layer_fill(struct builder *b, struct img_layer *l, const struct layer_diff_result *res)
{
	memset(l, 0, sizeof *l);
	snprintf(l->blob, sizeof l->blob, "%.71s", res->digest);
	l->blob_size = res->size;
	snprintf(l->media_type, sizeof l->media_type, "%s",
		 b->comp == LAYER_ZSTD ? MT_OCI_LAYER_ZSTD : b->comp == LAYER_NONE ? MT_OCI_LAYER : MT_OCI_LAYER_GZIP);
	snprintf(l->diff_id, sizeof l->diff_id, "%.71s", res->diff_id);
}

static int commit_upper(struct builder *b, struct stage_state *s, const char *upper, struct img_layer *l, berr *err)
{
	struct layer_diff_result res;
	const char *eager = getenv("BERTH_BUILD_EAGER_BLOBS");
	if (!eager || strcmp(eager, "1")) {
		if (layer_diff_upper(upper, -1, b->comp, b->epoch, &res, err) < 0)
			return -1;
		layer_fill(b, l, &res);
		chain_id_next(parent_chain(s), l->diff_id, l->chain_id);
		_cleanup_free_ char *ld = layer_dir(b->st, l->chain_id);
		if (blob_exists(b->st, l->blob))
			return layer_adopt_dir(b->st, parent_chain(s), l, upper, err);
		if (!path_exists(ld)) {
			if (layer_adopt_dir(b->st, parent_chain(s), l, upper, err) < 0)
				return -1;
			return layer_lazy_blob_record(b->st, l->blob, l->chain_id, b->comp, b->epoch, err);
		}
		/* the layer exists without the blob (extracted from another tar): write it now */
	}
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	if (store_tmp_create(b->st, "layer", false, &fd, &tmp, err) < 0)
		return -1;
	if (layer_diff_upper(upper, fd, b->comp, b->epoch, &res, err) < 0 ||
	    blob_adopt(b->st, fd, tmp, res.digest, err) < 0) {
		unlink(tmp);
		return -1;
	}
	layer_fill(b, l, &res);
	return layer_adopt_dir(b->st, parent_chain(s), l, upper, err);
}

/* The time recorded in history and config: SOURCE_DATE_EPOCH when given, else now. */
static char *build_now(const struct builder *b)
{
	if (b->epoch < 0)
		return format_rfc3339_now();
	time_t t = (time_t)b->epoch;
	struct tm tm;
	gmtime_r(&t, &tm);
	char buf[64];
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

static bool in_lowers(const struct strvec *lowers, const char *rel)
{
	for (size_t i = 0; i < lowers->n; i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", lowers->v[i], rel);
		struct stat st;
		if (lstat(p, &st) == 0)
			return true;
	}
	return false;
}

/* Drop what the sandbox made only as mount points (BuildKit removes them too). */
static void clean_mountpoints(const char *upper, const struct strvec *lowers)
{
	static const char *files[] = { "etc/hosts", "etc/resolv.conf", "etc/hostname", NULL };
	static const char *dirs[] = { "proc", "sys", "dev", NULL };
	for (size_t i = 0; files[i]; i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", upper, files[i]);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 && !in_lowers(lowers, files[i]))
			unlink(p);
	}
	for (size_t i = 0; dirs[i]; i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", upper, dirs[i]);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && !in_lowers(lowers, dirs[i]))
			rmdir(p); /* only when empty */
	}
}

/* ---- RUN ---- */
static void release_mounts(struct strvec *dirs)
{
	for (size_t i = 0; i < dirs->n; i++) {
		_cleanup_free_ char *m = xasprintf("%s/merged", dirs->v[i]);
		umount2(m, MNT_DETACH);
		berr e2;
		rm_rf(dirs->v[i], &e2);
	}
	sv_clear(dirs);
}

/* RUN --mount: cache (a directory kept in the store per id), tmpfs, bind (from the context or
 * a stage/image, read-only unless rw) as the runtime's --mount strings. */
static int run_mounts(struct builder *b, const struct plan_step *ps, struct strvec *out, struct strvec *mdirs,
		      struct strvec *senv, berr *err)
{
	for (size_t i = 0; i < ps->instr->nmounts; i++) {
		const struct df_mount *m = &ps->instr->mounts[i];
		_cleanup_free_ char *tgt = m->target && m->target[0] == '/' ? xstrdup(m->target)
					   : xasprintf("%s/%s", ps->workdir && *ps->workdir ? ps->workdir : "", m->target ? m->target : "");
		switch (m->type) {
		case DF_MOUNT_CACHE: {
			_cleanup_free_ char *dir = bcio_mount_dir(b->st, m);
			if (mkdir_p(dir, 0755, err) < 0)
				return -1;
			if (m->mode >= 0)
				chmod(dir, (mode_t)m->mode);
			if (m->uid >= 0 || m->gid >= 0)
				if (chown(dir, m->uid >= 0 ? (uid_t)m->uid : (uid_t)-1, m->gid >= 0 ? (gid_t)m->gid : (gid_t)-1) < 0)
					return berr_sys(err, "chown %s", dir);
			sv_pushf(out, "type=bind,source=%s,target=%s", dir, tgt);
			break;
		}
		case DF_MOUNT_TMPFS:
			sv_pushf(out, "type=tmpfs,target=%s", tgt);
			break;
		case DF_MOUNT_BIND: {
			const char *src = m->source && *m->source ? m->source : "/";
			_cleanup_free_ char *host = NULL;
			int st_idx = ps->mount_stage ? ps->mount_stage[i] : -1;
			const char *img = ps->mount_image ? ps->mount_image[i] : NULL;
			if (st_idx >= 0 || img) {
				struct stage_state tmp = { 0 };
				struct stage_state *from = st_idx >= 0 ? &b->ss[st_idx] : &tmp;
				if (img) {
					struct image_run_info info;
					if (resolve_image(b, img, &info, err) < 0)
						return -1;
					for (size_t k = 0; k < info.layer_dirs.n; k++)
						sv_push(&tmp.dirs, info.layer_dirs.v[k]);
					image_run_info_release(&info);
				}
				char *dir = new_workdir(b);
				int rc = mount_overlay(b, &from->dirs, dir, false, err);
				sv_clear(&tmp.dirs);
				if (rc < 0) {
					free(dir);
					return -1;
				}
				sv_push_owned(mdirs, dir);
				_cleanup_free_ char *merged = xasprintf("%s/merged", dir);
				_cleanup_close_ int rfd = open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
				_cleanup_free_ char *in = NULL;
				if (rfd < 0 || sp_resolve(rfd, src, 0, &in, err) < 0)
					return berr_set(err, ENOENT, "failed to mount %s: \"/%s\" not found", tgt, src);
				host = xasprintf("%s%s", merged, in);
			} else {
				if (!b->ctx)
					return berr_set(err, ENOENT, "\"/%s\" not found: not found", src);
				_cleanup_free_ char *rel = NULL;
				if (bctx_resolve(b->ctx, src, true, &rel, err) < 0)
					return -1;
				host = xasprintf("%s/%s", b->ctx->root, rel);
			}
			sv_pushf(out, "type=bind,source=%s,target=%s%s", host, tgt, m->readonly ? ",readonly" : "");
			break;
		}
		case DF_MOUNT_SECRET:
			if (bsecrets_mount(&b->io.secrets, b->tmpdir, m, m->target ? tgt : NULL, out, senv, mdirs, err) < 0)
				return -1;
			break;
		default:
			return berr_set(err, ENOTSUP, "RUN --mount=%s: ssh mounts are not supported by berth build yet",
					m->raw ? m->raw : "");
		}
	}
	return 0;
}

static int net_lock(struct builder *b)
{
	_cleanup_free_ char *p = xasprintf("%s/net.lock", b->tmpdir);
	int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		while (flock(fd, LOCK_EX) < 0 && errno == EINTR)
			;
	return fd;
}

static void net_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

static int do_run(struct builder *b, struct stage_state *s, const struct plan_step *ps, int vid,
		  const char *title, berr *err)
{
	struct run_flags f = { 0 };
	f.rootfs = b->emptydir;
	const char *net = b->o->network;
	if (ps->instr->network)
		net = ps->instr->network;
	/* default: the bridge network with outbound NAT, as Docker's builder;
	 * BERTH_BUILD_NET_DEFAULT=none makes the default a private namespace with only lo */
	const char *defnet = getenv("BERTH_BUILD_NET_DEFAULT");
	bool bridge = (!net || !*net || !strcmp(net, "default")) && !(defnet && !strcmp(defnet, "none"));
	f.network = net && !strcmp(net, "host") ? "host" : bridge ? "bridge" : "none";
	f.hostname = "buildkitsandbox";
	_cleanup_ctr_ struct ctr *c = NULL;
	struct strvec mdirs = STRVEC_INIT; /* overlays mounted for bind from=, secret dirs */
	struct strvec senv = STRVEC_INIT;  /* RUN --mount=type=secret,env= */
	int mrc = run_mounts(b, ps, &f.mounts, &mdirs, &senv, err);
	if (mrc == 0)
		mrc = spec_build(b->st, &f, NULL, ps->args.v, (int)ps->args.n, &c, err);
	sv_clear(&f.mounts);
	if (mrc < 0) {
		release_mounts(&mdirs);
		sv_clear(&senv);
		return -1;
	}
	json_t *lowers = json_array();
	for (size_t i = 0; i < s->dirs.n; i++)
		json_array_append_new(lowers, json_string(s->dirs.v[i]));
	if (!s->dirs.n)
		json_array_append_new(lowers, json_string(b->emptydir));
	json_object_set_new(json_object_get(c->cfg, "BerthRootfs"), "LowerDirs", lowers);
	json_t *proc = json_object_get(c->cfg, "BerthProcess");
	json_t *env = json_array();
	for (size_t i = 0; i < ps->nenv; i++)
		json_array_append_new(env, json_string(ps->env[i]));
	for (size_t i = 0; i < senv.n; i++)
		json_array_append_new(env, json_string(senv.v[i]));
	sv_clear(&senv);
	json_object_set_new(proc, "Env", env);
	json_object_set_new(proc, "User", json_string(ps->user ? ps->user : ""));
	json_object_set_new(proc, "NoSupplementaryGroups", json_true());
	json_object_set_new(proc, "WorkingDir", json_string(ps->workdir && *ps->workdir ? ps->workdir : "/"));
	_cleanup_free_ char *cdir = ctr_dir(b->st, c->id);
	int outp[2], errp[2];
	if (pipe2(outp, O_CLOEXEC) < 0)
		return berr_sys(err, "pipe");
	if (pipe2(errp, O_CLOEXEC) < 0) {
		close(outp[0]);
		close(outp[1]);
		return berr_sys(err, "pipe");
	}
	struct launch l = { .in_fd = -1, .out_fd = outp[1], .err_fd = errp[1], .net_inproc = true };
	/* parallel stages attach their RUN containers to the bridge one at a time (the network
	 * code's database transactions are not meant to race inside one build) */
	int nl = bridge ? net_lock(b) : -1;
	int rc = sandbox_launch(b->st, c, &l, err);
	net_unlock(nl);
	close(outp[1]);
	close(errp[1]);
	if (rc < 0) {
		close(outp[0]);
		close(errp[0]);
		cgroup_destroy(c->id);
		if (bridge) {
			nl = net_lock(b);
			ctr_net_release(b->st, c->id);
			net_unlock(nl);
		}
		release_mounts(&mdirs);
		berr e2;
		rm_rf(cdir, &e2);
		return -1;
	}
	/* stream the output as "#N 0.123 line" */
	struct pollfd pf[2] = { { outp[0], POLLIN, 0 }, { errp[0], POLLIN, 0 } };
	struct strbuf line[2] = { STRBUF_INIT, STRBUF_INIT };
	int open_fds = 2;
	while (open_fds) {
		if (interrupted && l.pid > 0 && !l.early_exit)
			kill(l.pid, SIGKILL);
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (pf[i].fd < 0 || !pf[i].revents)
				continue;
			char buf[4096];
			ssize_t n = read(pf[i].fd, buf, sizeof buf);
			if (n <= 0) {
				if (line[i].len)
					bprog_log(b->p.bp, vid, line[i].buf);
				sb_reset(&line[i]);
				close(pf[i].fd);
				pf[i].fd = -1;
				open_fds--;
				continue;
			}
			for (ssize_t k = 0; k < n; k++) {
				if (buf[k] == '\n') {
					bprog_log(b->p.bp, vid, sb_str(&line[i]));
					sb_reset(&line[i]);
				} else
					sb_addc(&line[i], buf[k]);
			}
		}
	}
	sb_release(&line[0]);
	sb_release(&line[1]);
	int status = l.early_status;
	if (!l.early_exit)
		while (waitpid(l.pid, &status, 0) < 0 && errno == EINTR)
			;
	cgroup_destroy(c->id);
	if (bridge) {
		nl = net_lock(b);
		ctr_net_release(b->st, c->id);
		net_unlock(nl);
	}
	release_mounts(&mdirs);
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (interrupted) {
		berr e2;
		rm_rf(cdir, &e2);
		return berr_set(err, EINTR, "interrupted");
	}
	if (code) {
		struct strbuf cmd = STRBUF_INIT;
		for (size_t i = 0; i < ps->args.n; i++)
			sb_addf(&cmd, "%s%s", i ? " " : "", ps->args.v[i]);
		_cleanup_free_ char *msg = xasprintf("executor failed running [%s]: exit code: %d", cmd.buf, code);
		sb_release(&cmd);
		vfail(&b->p, vid, title, msg, "");
		berr e2;
		rm_rf(cdir, &e2);
		err->status = 1;
		return berr_set(err, 0, "%s", "");
	}
	_cleanup_free_ char *upper = xasprintf("%s/upper", cdir);
	clean_mountpoints(upper, &s->dirs);
	for (size_t i = 0; i < ps->instr->nmounts; i++) {
		/* file mount points (bind of a file) are not part of the result, directories are */
		const char *t = ps->instr->mounts[i].target;
		_cleanup_free_ char *cl = t ? sp_clean(t) : NULL;
		if (!cl || !*cl)
			continue;
		_cleanup_free_ char *mp = xasprintf("%s/%s", upper, cl);
		struct stat mst;
		if (lstat(mp, &mst) == 0 && S_ISREG(mst.st_mode) && mst.st_size == 0 && !in_lowers(&s->dirs, cl))
			unlink(mp);
	}
	struct img_layer lay;
	rc = commit_upper(b, s, upper, &lay, err);
	berr e2;
	rm_rf(cdir, &e2);
	if (rc < 0)
		return -1;
	_cleanup_free_ char *ld = layer_dir(b->st, lay.chain_id);
	layer_push(s, &lay, ld);
	return 0;
}

/* ---- COPY / ADD / WORKDIR ---- */
static char *abs_dest(const struct plan_step *ps, const char *dest)
{
	const char *wd = ps->workdir && *ps->workdir ? ps->workdir : "/";
	if (dest[0] == '/')
		return xstrdup(dest);
	return xasprintf("%s/%s", wd, dest);
}

static int resolve_owner(int rootfd, const char *spec, struct copy_owner *o, berr *err)
{
	memset(o, 0, sizeof *o);
	if (!spec || !*spec)
		return 0;
	struct run_user u;
	if (user_resolve(rootfd, spec, &u, err) < 0)
		return -1;
	o->set = true;
	o->uid = u.uid;
	o->gid = u.gid;
	/* a numeric user without group: gid = uid unless /etc/passwd knows the user */
	return 0;
}

static int do_fsop(struct builder *b, struct stage_state *s, const struct plan_step *ps, berr *err)
{
	_cleanup_free_ char *dir = new_workdir(b);
	if (mount_overlay(b, &s->dirs, dir, true, err) < 0)
		return -1;
	_cleanup_free_ char *merged = xasprintf("%s/merged", dir);
	_cleanup_free_ char *upper = xasprintf("%s/upper", dir);
	_cleanup_free_ char *srcdir = NULL, *dest = NULL, *cdest = NULL, *adest = NULL;
	bool src_mounted = false;
	int rc = -1;
	int rootfd = open(merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int srcfd = -1;
	if (rootfd < 0) {
		berr_sys(err, "open %s", merged);
		goto out;
	}
	if (ps->instr->kind == DF_WORKDIR) {
		struct copy_owner o = { 0 };
		if (ps->user && *ps->user && resolve_owner(rootfd, ps->user, &o, err) < 0)
			goto out;
		rc = bcopy_mkdir(rootfd, ps->args.v[0], &o, err);
		goto out;
	}
	/* COPY / ADD */
	struct copy_owner o;
	if (resolve_owner(rootfd, ps->chown, &o, err) < 0)
		goto out;
	long chmod = -1;
	if (ps->chmod && *ps->chmod) {
		char *end;
		chmod = strtol(ps->chmod, &end, 8);
		if (*end || chmod < 0 || chmod > 07777) {
			berr_set(err, EINVAL, "invalid chmod parameter: '%s'. it should be octal string and between 0 and 07777",
				 ps->chmod);
			goto out;
		}
	}
	size_t nsrc = ps->args.n - 1;
	const char *d = ps->args.v[nsrc];
	dest = abs_dest(ps, d);
	size_t dl = strlen(d);
	bool dest_dir = nsrc > 1 || (dl && d[dl - 1] == '/') || !strcmp(d, ".") ||
			(dl >= 2 && !strcmp(d + dl - 2, "/."));
	if (!dest_dir) {
		int fd = sp_open(rootfd, dest, O_RDONLY | O_DIRECTORY, 0, 0, NULL);
		if (fd >= 0) {
			dest_dir = true;
			close(fd);
		}
	}
	cdest = sp_clean(dest);
	adest = xasprintf("/%s", cdest ? cdest : "");
	if (ps->from_stage >= 0 || ps->from_image) {
		struct stage_state *src = NULL, img = { 0 };
		struct image_run_info info = { 0 };
		if (ps->from_stage >= 0)
			src = &b->ss[ps->from_stage];
		else {
			if (resolve_image(b, ps->from_image, &info, err) < 0)
				goto out;
			for (size_t i = 0; i < info.layer_dirs.n; i++)
				sv_push(&img.dirs, info.layer_dirs.v[i]);
			image_run_info_release(&info);
			src = &img;
		}
		srcdir = new_workdir(b);
		if (mount_overlay(b, &src->dirs, srcdir, false, err) < 0) {
			sv_clear(&img.dirs);
			goto out;
		}
		sv_clear(&img.dirs);
		src_mounted = true;
		_cleanup_free_ char *sm = xasprintf("%s/merged", srcdir);
		srcfd = open(sm, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (srcfd < 0) {
			berr_sys(err, "open %s", sm);
			goto out;
		}
		if (ps->instr->parents) { /* COPY --parents (build/parents.h) */
			struct bparents pm;
			rc = bparents_expand_root(srcfd, (const char *const *)ps->args.v, nsrc, &pm, err);
			if (rc == 0)
				rc = bparents_copy_root(rootfd, srcfd, &pm, (const char *const *)ps->instr->excludes.v,
							ps->instr->excludes.n, adest, &o, chmod, err);
			bparents_release(&pm);
		} else
			rc = bcopy_from_root_ex(rootfd, srcfd, (const char *const *)ps->args.v, nsrc,
						(const char *const *)ps->instr->excludes.v, ps->instr->excludes.n, adest, dest_dir,
						&o, chmod, err);
	} else {
		struct strvec plain = STRVEC_INIT;
		rc = 0;
		for (size_t i = 0; i < nsrc && rc == 0; i++) {
			const char *a = ps->args.v[i];
			if (ps->instr->kind == DF_ADD && burl_is_remote(a)) {
				rc = bio_add_url(&b->io, rootfd, ps, a, adest, dest_dir, &o, chmod, b->tmpdir, err);
				continue;
			}
			const struct df_heredoc *h = NULL;
			if (!strncmp(a, "<<", 2))
				for (size_t j = 0; j < ps->instr->nheredocs; j++) {
					const char *w = a + 2 + (a[2] == '-');
					size_t wl = strlen(w);
					const char *nm = ps->instr->heredocs[j].name;
					if (wl >= 2 && (w[0] == '"' || w[0] == '\'') && w[wl - 1] == w[0])
						w++, wl -= 2;
					if (strlen(nm) == wl && !strncmp(nm, w, wl))
						h = &ps->instr->heredocs[j];
				}
			if (!h) {
				sv_push(&plain, a);
				continue;
			}
			_cleanup_free_ char *content = h->chomp ? df_heredoc_chomp(h->content) : xstrdup(h->content);
			_cleanup_free_ char *t = dest_dir ? xasprintf("%s/%s", adest, h->name) : xstrdup(adest);
			rc = bcopy_write(rootfd, t, content, strlen(content), &o, chmod >= 0 ? (mode_t)chmod : 0644, err);
		}
		if (rc == 0 && plain.n) {
			if (!b->ctx) {
				berr_set(err, ENOENT, "\"/%s\" not found: not found", plain.v[0]);
				rc = -1;
			} else if (ps->instr->parents) { /* COPY --parents (build/parents.h) */
				struct bparents pm;
				bparents_expand_ctx(b->ctx, (const char *const *)plain.v, plain.n, &pm, err);
				rc = bparents_copy_ctx(rootfd, b->ctx, &pm, (const char *const *)ps->instr->excludes.v,
						       ps->instr->excludes.n, adest, &o, chmod, err);
				bparents_release(&pm);
			} else
				rc = bcopy_from_context(rootfd, b->ctx, (const char *const *)plain.v, plain.n,
							(const char *const *)ps->instr->excludes.v, ps->instr->excludes.n, adest,
							dest_dir, &o, chmod, ps->instr->kind == DF_ADD, err);
		}
		sv_clear(&plain);
	}
out:
	if (srcfd >= 0)
		close(srcfd);
	if (rootfd >= 0)
		close(rootfd);
	if (src_mounted) {
		_cleanup_free_ char *sm = xasprintf("%s/merged", srcdir);
		umount2(sm, MNT_DETACH);
	}
	umount2(merged, MNT_DETACH);
	if (rc == 0) {
		struct img_layer lay;
		rc = commit_upper(b, s, upper, &lay, err);
		if (rc == 0) {
			_cleanup_free_ char *ld = layer_dir(b->st, lay.chain_id);
			layer_push(s, &lay, ld);
		}
	}
	berr e2;
	rm_rf(dir, &e2);
	if (srcdir)
		rm_rf(srcdir, &e2);
	return rc;
}

/* ---- cache keys ---- */
/* The network a RUN step gets, for its key: host, none or default (the bridge). */
static const char *run_net_key(const struct builder *b, const struct plan_step *ps)
{
	const char *net = ps->instr->network ? ps->instr->network : b->o->network;
	if (net && !strcmp(net, "host"))
		return "host";
	if (net && !strcmp(net, "none"))
		return "none";
	return "default";
}

static void key_add(struct digester *d, const char *tag, const char *v)
{
	digester_update(d, tag, strlen(tag) + 1);
	digester_update(d, v ? v : "", strlen(v ? v : "") + 1);
}

static char *canonical_instr(const struct plan_step *ps)
{
	struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, df_kind_name(ps->instr->kind));
	if (ps->chown)
		sb_addf(&sb, " --chown=%s", ps->chown);
	if (ps->chmod)
		sb_addf(&sb, " --chmod=%s", ps->chmod);
	if (ps->instr->from)
		sb_addf(&sb, " --from=%s", ps->instr->from);
	for (size_t i = 0; i < ps->instr->excludes.n; i++)
		sb_addf(&sb, " --exclude=%s", ps->instr->excludes.v[i]);
	if (ps->instr->parents)
		sb_adds(&sb, " --parents");
	if (ps->instr->json)
		sb_adds(&sb, " [json]");
	for (size_t i = 0; i < ps->instr->nmounts; i++)
		sb_addf(&sb, " --mount=%s", ps->instr->mounts[i].raw ? ps->instr->mounts[i].raw : "");
	if (ps->instr->network)
		sb_addf(&sb, " --network=%s", ps->instr->network);
	for (size_t i = 0; i < ps->args.n; i++)
		sb_addf(&sb, " %s", ps->args.v[i]);
	return sb_detach(&sb);
}

static char *args_text(const struct plan_step *ps)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < ps->nbuild_args; i++)
		sb_addf(&sb, "%s\n", ps->build_args[i]);
	return sb_detach(&sb);
}

/* Which build args differ between two "K=V\n" lists: "--build-arg FOO changed". */
static char *args_changed(const char *old, const char *now)
{
	struct strbuf sb = STRBUF_INIT;
	_cleanup_strvec_ struct strvec a = STRVEC_INIT, c = STRVEC_INIT, names = STRVEC_INIT;
	_cleanup_free_ char *o1 = xstrdup(old), *n1 = xstrdup(now);
	for (char *t = strtok(o1, "\n"); t; t = strtok(NULL, "\n"))
		sv_push(&a, t);
	for (char *t = strtok(n1, "\n"); t; t = strtok(NULL, "\n"))
		sv_push(&c, t);
	for (int pass = 0; pass < 2; pass++) {
		struct strvec *x = pass ? &c : &a, *y = pass ? &a : &c;
		for (size_t i = 0; i < x->n; i++)
			if (!sv_contains(y, x->v[i])) {
				_cleanup_free_ char *k = xstrndup(x->v[i], strcspn(x->v[i], "="));
				if (!sv_contains(&names, k))
					sv_push(&names, k);
			}
	}
	for (size_t i = 0; i < names.n; i++)
		sb_addf(&sb, "%s--build-arg %s", i ? ", " : "", names.v[i]);
	sb_adds(&sb, names.n == 1 ? " changed" : " changed");
	return sb_detach(&sb);
}

/* ---- the stage loop ---- */
static const char *stage_label(const struct builder *b, const struct plan_stage *ps, char *buf, size_t n)
{
	if (ps->df->name)
		snprintf(buf, n, "%s ", ps->df->name);
	else if (b->file->nstages > 1)
		snprintf(buf, n, "stage-%d ", ps->index);
	else
		buf[0] = 0;
	return buf;
}

static void hist_add(struct stage_state *s, const char *created, const char *created_by, bool empty)
{
	json_t *h = json_object();
	json_object_set_new(h, "created", json_string(created));
	json_object_set_new(h, "created_by", json_string(created_by));
	json_object_set_new(h, "comment", json_string("buildkit.dockerfile.v0"));
	if (empty)
		json_object_set_new(h, "empty_layer", json_true());
	json_array_append_new(s->hist, h);
}

static bool no_cache_for(const struct builder *b, const struct plan_stage *pst)
{
	if (b->o->no_cache)
		return true;
	for (size_t i = 0; i < b->o->no_cache_filter.n; i++) {
		const char *f = b->o->no_cache_filter.v[i];
		if ((pst->df->name && !strcasecmp(f, pst->df->name)) ||
		    (!pst->df->name && atoi(f) == pst->index && f[0] >= '0' && f[0] <= '9'))
			return true;
	}
	return false;
}

static int build_stage(struct builder *b, int idx, berr *err)
{
	struct plan_stage *pst = &b->plan->stages[idx];
	struct stage_state *s = &b->ss[idx];
	char label[128];
	stage_label(b, pst, label, sizeof label);
	/* vertex numbers: given out in plan order before any stage ran (stages may run in
	 * parallel processes); the stage's name for the time summary */
	if (b->vbase)
		b->p.next = b->vbase[idx] - 1;
	_cleanup_free_ char *sname = pst->df->name ? xstrdup(pst->df->name) : xasprintf("stage-%d", pst->index);
	b->p.stage = sname;
	size_t total = 1;
	for (size_t i = 0; i < pst->nsteps; i++)
		total += pst->steps[i].layer;
	/* base */
	s->hist = json_array();
	if (pst->base_kind == PLAN_BASE_STAGE) {
		struct stage_state *p = &b->ss[pst->base_stage];
		for (size_t i = 0; i < p->nlayers; i++)
			layer_push(s, &p->layers[i], p->dirs.v[i]);
		s->base_history = json_incref(p->base_history);
		json_decref(s->hist);
		s->hist = json_deep_copy(p->hist);
		memcpy(s->key, p->key, sizeof s->key);
		memcpy(s->base_id, p->base_id, sizeof s->base_id);
		snprintf(s->last_created, sizeof s->last_created, "%s", p->last_created);
		s->arch = xstrdup(p->arch);
		s->os = xstrdup(p->os);
	} else if (pst->base_kind == PLAN_BASE_SCRATCH) {
		s->base_history = json_array();
		snprintf(s->base_id, sizeof s->base_id, "scratch");
		digest_buf("scratch", 7, s->key);
		_cleanup_free_ char *now = build_now(b);
		snprintf(s->last_created, sizeof s->last_created, "%s", now);
		s->arch = xstrdup("amd64");
		s->os = xstrdup("linux");
	} else {
		_cleanup_free_ char *title = NULL;
		struct ref rr;
		berr e2 = { 0 };
		_cleanup_free_ char *full = NULL;
		/* BuildKit shows the normalised name, with the tag only when one was written */
		if (ref_parse(pst->base_ref, &rr, &e2) == 0) {
			full = rr.tag || rr.digest ? ref_string(&rr) : ref_name(&rr);
			ref_free(&rr);
		}
		title = xasprintf("[%s1/%zu] FROM %s", label, total, full ? full : pst->base_ref);
		int v = vstart(&b->p, title);
		struct image_run_info info;
		if (image_resolve_for_run(b->st, pst->base_ref, &info, err) < 0) {
			vfail(&b->p, v, title, err->msg, "failed to load cache key: ");
			err->status = 1;
			return berr_set(err, 0, "%s", "");
		}
		struct img_info in;
		if (img_get(b->st, info.id, &in, err) < 0) {
			image_run_info_release(&info);
			return -1;
		}
		for (size_t i = 0; i < in.nlayers && i < info.layer_dirs.n; i++)
			layer_push(s, &in.layers[i], info.layer_dirs.v[i]);
		json_t *h = json_object_get(info.config, "history");
		s->base_history = json_is_array(h) ? json_deep_copy(h) : json_array();
		snprintf(s->base_id, sizeof s->base_id, "%s", info.id);
		digest_buf(info.id, strlen(info.id), s->key);
		const char *cr = json_string_value(json_object_get(info.config, "created"));
		snprintf(s->last_created, sizeof s->last_created, "%s", cr ? cr : "");
		const char *a = json_string_value(json_object_get(info.config, "architecture"));
		const char *os = json_string_value(json_object_get(info.config, "os"));
		s->arch = xstrdup(a ? a : "amd64");
		s->os = xstrdup(os ? os : "linux");
		img_info_release(&in);
		image_run_info_release(&info);
		bprog_cached(b->p.bp, v);
	}
	bool nocache = no_cache_for(b, pst);
	size_t pos = 1;
	bool first_layer_step = true;
	for (size_t i = 0; i < pst->nsteps; i++) {
		const struct plan_step *ps = &pst->steps[i];
		if (interrupted)
			return berr_set(err, EINTR, "interrupted");
		if (!ps->layer) {
			/* BuildKit 20.10 records no history for ONBUILD itself */
			if (ps->instr->kind != DF_ONBUILD || ps->trigger)
				hist_add(s, s->last_created, ps->created_by, true);
			continue;
		}
		pos++;
		const char *orig = ps->instr->node && ps->instr->node->original ? ps->instr->node->original : ps->created_by;
		_cleanup_free_ char *title = xasprintf("[%s%zu/%zu] %s", label, pos, total, orig);
		int v = vstart(&b->p, title);
		/* the key */
		_cleanup_free_ char *instr = canonical_instr(ps);
		_cleanup_free_ char *args = args_text(ps);
		char files[DIGEST_STR_LEN + 1] = "", heredoc_digest[DIGEST_STR_LEN + 1] = "";
		struct bctx_fileset fs = { 0 };
		bool have_fs = false;
		enum df_kind k = ps->instr->kind;
		if ((k == DF_COPY || k == DF_ADD) && ps->from_stage < 0 && !ps->from_image) {
			struct digester *hd = NULL;
			for (size_t j = 0; j < ps->instr->nheredocs; j++) {
				const struct df_heredoc *h = &ps->instr->heredocs[j];
				if (h->expand && strchr(h->content, '$')) {
					vfail(&b->p, v, title, "COPY/ADD heredocs with variables are not supported by berth build yet", "");
					err->status = 1;
					if (hd)
						digester_free(hd);
					return berr_set(err, 0, "%s", "");
				}
				if (!hd)
					hd = digester_new();
				key_add(hd, h->name, h->content);
			}
			if (hd)
				digester_finish(hd, heredoc_digest);
			bool url = false;
			_cleanup_strvec_ struct strvec plain = STRVEC_INIT;
			for (size_t j = 0; j + 1 < ps->args.n; j++) {
				bool u = k == DF_ADD && burl_is_remote(ps->args.v[j]);
				url |= u;
				if (!u && (strncmp(ps->args.v[j], "<<", 2) || !ps->instr->nheredocs))
					sv_push(&plain, ps->args.v[j]);
			}
			if (!b->ctx && plain.n) {
				_cleanup_free_ char *m = xasprintf("\"/%s\" not found: not found", plain.v[0]);
				vfail(&b->p, v, title, m, "failed to compute cache key: ");
				err->status = 1;
				return berr_set(err, 0, "%s", "");
			}
			if (ps->instr->parents && plain.n && b->ctx) { /* COPY --parents: the matches */
				struct bparents pm;
				bparents_expand_ctx(b->ctx, (const char *const *)plain.v, plain.n, &pm, err);
				sv_clear(&plain);
				plain = pm.src;
				sv_clear(&pm.rel);
			}
			if (!plain.n)
				memcpy(files, heredoc_digest, sizeof files);
			else {
				if (bctx_fileset_ex(b->ctx, (const char *const *)plain.v, plain.n,
						    (const char *const *)ps->instr->excludes.v, ps->instr->excludes.n, &fs, err) < 0) {
					vfail(&b->p, v, title, err->msg, "failed to compute cache key: ");
					err->status = 1;
					return berr_set(err, 0, "%s", "");
				}
				have_fs = true;
				if (*heredoc_digest) {
					struct digester *hd = digester_new();
					key_add(hd, "files", fs.digest);
					key_add(hd, "heredocs", heredoc_digest);
					digester_finish(hd, files);
				} else
					memcpy(files, fs.digest, sizeof files);
			}
			if ((url || ps->instr->checksum) &&
			    bio_url_key(&b->io, ps, b->tmpdir, files, err) < 0) { /* ADD URL: build/add_url.h */
				vfail(&b->p, v, title, err->msg, "failed to load cache key: ");
				err->status = 1;
				if (have_fs)
					bctx_fileset_release(&fs);
				return berr_set(err, 0, "%s", "");
			}
		} else if (ps->from_stage >= 0) {
			snprintf(files, sizeof files, "%s", b->ss[ps->from_stage].key);
		} else if (ps->from_image) {
			_cleanup_free_ char *id = NULL;
			if (img_lookup(b->st, ps->from_image, &id, NULL, err) < 0) {
				vfail(&b->p, v, title, err->msg, "failed to load cache key: ");
				err->status = 1;
				return berr_set(err, 0, "%s", "");
			}
			snprintf(files, sizeof files, "%s", id);
		}
		struct digester *d = digester_new();
		key_add(d, "parent", s->key);
		key_add(d, "instr", instr);
		key_add(d, "args", args);
		key_add(d, "files", files);
		key_add(d, "workdir", ps->workdir);
		key_add(d, "user", k == DF_RUN || k == DF_WORKDIR ? ps->user : "");
		for (size_t j = 0; k == DF_RUN && j < ps->nenv; j++)
			key_add(d, "env", ps->env[j]);
		if (k == DF_RUN)
			key_add(d, "network", run_net_key(b, ps));
		char key[DIGEST_STR_LEN + 1];
		digester_finish(d, key);
		/* lookup */
		struct bcache_row row = { 0 };
		int hit = 0;
		if (!nocache && (hit = bcache_get(b->st, key, &row, err)) < 0)
			goto fail_fs;
		if (hit && !blob_exists(b->st, row.layer.blob))
			hit = 0;
		struct img_layer lay;
		if (hit) {
			lay = row.layer;
			if (layer_ensure(b->st, parent_chain(s), &lay, err) < 0)
				hit = 0;
		}
		if (hit) {
			_cleanup_free_ char *ld = layer_dir(b->st, lay.chain_id);
			layer_push(s, &lay, ld);
			snprintf(s->last_created, sizeof s->last_created, "%s", row.created);
			/* a no-op rebuild writes nothing: the last-used time moves in steps of 10 minutes */
			struct timespec now_ts;
			clock_gettime(CLOCK_REALTIME, &now_ts);
			if ((int64_t)now_ts.tv_sec * 1000000000 - row.used_ns > (int64_t)600 * 1000000000)
				bcache_touch(b->st, key, err);
			bprog_cached(b->p.bp, v);
			bcache_row_release(&row);
		} else {
			bcache_row_release(&row);
			/* say why */
			_cleanup_free_ char *why = NULL;
			if (nocache)
				why = xstrdup(b->o->no_cache ? "--no-cache" : "--no-cache-filter");
			else {
				struct bcache_row prev = { 0 };
				if (bcache_find_prev(b->st, s->key, instr, &prev, err) > 0) {
					if (strcmp(prev.files, files))
						why = have_fs ? bctx_fileset_explain(b->st, prev.files, &fs, 3)
							      : xstrdup("source stage changed");
					else if (strcmp(prev.args, args))
						why = args_changed(prev.args, args);
					else
						why = xstrdup(k == DF_RUN ? "environment changed" : "layer missing");
					bcache_row_release(&prev);
				} else if (bcache_find_prev(b->st, NULL, instr, &prev, err) > 0) {
					if (first_layer_step && strcmp(prev.base, s->base_id))
						why = xstrdup("base image changed");
					else
						why = xstrdup("a previous step changed");
					bcache_row_release(&prev);
				} else
					why = xstrdup("not built before");
			}
			vinfo(&b->p, v, "cache miss: %s: %s", orig, why);
			int rc = k == DF_RUN ? do_run(b, s, ps, v, title, err) : do_fsop(b, s, ps, err);
			if (rc < 0) {
				if (err->msg[0] && !interrupted)
					vfail(&b->p, v, title, err->msg, k == DF_RUN ? "" : "failed to copy files: ");
				err->status = 1;
				berr_set(err, 0, "%s", "");
				goto fail_fs;
			}
			_cleanup_free_ char *now = build_now(b);
			struct bcache_row nr = { 0 };
			memcpy(nr.key, key, sizeof key);
			memcpy(nr.parent, s->key, sizeof nr.parent);
			nr.instr = instr;
			nr.args = args;
			memcpy(nr.files, files, sizeof files);
			memcpy(nr.base, s->base_id, sizeof nr.base);
			nr.layer = s->layers[s->nlayers - 1];
			snprintf(nr.created, sizeof nr.created, "%s", now);
			if (bcache_put(b->st, &nr, err) < 0)
				goto fail_fs;
			snprintf(s->last_created, sizeof s->last_created, "%s", now);
			vdone(&b->p, v);
		}
		if (have_fs)
			bctx_fileset_release(&fs);
		memcpy(s->key, key, sizeof key);
		bcio_note(&b->io.cache, key, idx); /* --cache-to */
		hist_add(s, s->last_created, ps->created_by, false);
		first_layer_step = false;
		continue;
	fail_fs:
		if (have_fs)
			bctx_fileset_release(&fs);
		return -1;
	}
	/* metadata steps change the key of what later stages see (ENV etc. are in the config) */
	s->done = true;
	return 0;
}

/* BuildKit 20.10 sets Config.ArgsEscaped on Linux whenever a CMD or ENTRYPOINT was given
 * (in this stage or a stage it is built on). */
static bool sets_cmd(const struct plan *p, int idx)
{
	for (int guard = 0; idx >= 0 && guard < 1000; guard++) {
		const struct plan_stage *pst = &p->stages[idx];
		for (size_t i = 0; i < pst->nsteps; i++) {
			enum df_kind k = pst->steps[i].instr->kind;
			if (k == DF_CMD || k == DF_ENTRYPOINT)
				return true;
		}
		idx = pst->base_kind == PLAN_BASE_STAGE ? pst->base_stage : -1;
	}
	return false;
}

static int write_image(struct builder *b, int idx, char id[DIGEST_STR_LEN + 1], berr *err)
{
	struct plan_stage *pst = &b->plan->stages[idx];
	struct stage_state *s = &b->ss[idx];
	json_t *cfg = json_object();
	json_t *conf = json_deep_copy(pst->config);
	if (sets_cmd(b->plan, idx))
		json_object_set_new(conf, "ArgsEscaped", json_true());
	if (b->o->labels.n) {
		json_t *labels = json_object_get(conf, "Labels");
		if (!json_is_object(labels)) {
			labels = json_object();
			json_object_set_new(conf, "Labels", labels);
		}
		for (size_t i = 0; i < b->o->labels.n; i++) {
			const char *l = b->o->labels.v[i];
			const char *eq = strchr(l, '=');
			_cleanup_free_ char *k = eq ? xstrndup(l, (size_t)(eq - l)) : xstrdup(l);
			json_object_set_new(labels, k, json_string(eq ? eq + 1 : ""));
		}
	}
	json_t *hist = json_deep_copy(s->base_history);
	json_array_extend(hist, s->hist);
	json_t *diffs = json_array();
	for (size_t i = 0; i < s->nlayers; i++)
		json_array_append_new(diffs, json_string(s->layers[i].diff_id));
	json_object_set_new(cfg, "architecture", json_string(s->arch));
	json_object_set_new(cfg, "config", conf);
	json_object_set_new(cfg, "created", json_string(s->last_created));
	json_object_set_new(cfg, "history", hist);
	json_object_set_new(cfg, "os", json_string(s->os));
	json_object_set_new(cfg, "rootfs", json_pack("{s:s,s:o}", "type", "layers", "diff_ids", diffs));
	_cleanup_free_ char *cj = json_dumps(cfg, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(cfg);
	/* nothing changed: the image is stored already, nothing to write */
	digest_buf(cj, strlen(cj), id);
	_cleanup_free_ char *have = NULL;
	berr e2 = { 0 };
	if (blob_exists(b->st, id) && img_lookup(b->st, id, &have, NULL, &e2) == 0 && have && !strcmp(have, id))
		return 0;
	struct img_new in = { .config = cj, .config_len = strlen(cj), .layers = s->layers, .nlayers = s->nlayers, .parent = "" };
	return img_commit(b->st, &in, id, err);
}

/* ---- parallel stages ----
 * Stages whose dependencies are built run at the same time, each in a forked child process
 * (RUN steps fork and clone sandboxes, so threads are not an option): the child opens a store
 * connection of its own (SQLite connections never cross a fork), sends its progress through a
 * pipe to the parent, which numbers and prints it (build/progress.h), and leaves its result
 * (layers, history, key) in a JSON file in the build's temp dir for the stages after it. A
 * lone runnable stage runs in the builder process itself (plain and quiet output). */
static int stage_result_save(struct builder *b, int idx, berr *err)
{
	struct stage_state *s = &b->ss[idx];
	json_t *j = json_object();
	json_t *ls = json_array();
	for (size_t i = 0; i < s->nlayers; i++) {
		const struct img_layer *l = &s->layers[i];
		json_array_append_new(ls, json_pack("{s:s,s:s,s:I,s:s,s:s,s:I,s:s}", "blob", l->blob, "media_type",
						    l->media_type, "blob_size", (json_int_t)l->blob_size, "diff_id",
						    l->diff_id, "chain_id", l->chain_id, "size", (json_int_t)l->size,
						    "dir", s->dirs.v[i]));
	}
	json_object_set_new(j, "layers", ls);
	json_object_set(j, "base_history", s->base_history ? s->base_history : json_array());
	json_object_set(j, "hist", s->hist ? s->hist : json_array());
	json_object_set_new(j, "key", json_string(s->key));
	json_object_set_new(j, "base_id", json_string(s->base_id));
	json_object_set_new(j, "last_created", json_string(s->last_created));
	json_object_set_new(j, "arch", json_string(s->arch ? s->arch : "amd64"));
	json_object_set_new(j, "os", json_string(s->os ? s->os : "linux"));
	_cleanup_free_ char *path = xasprintf("%s/stage-%d.json", b->tmpdir, idx);
	int rc = json_dump_file(j, path, JSON_COMPACT);
	json_decref(j);
	if (rc < 0)
		return berr_set(err, EIO, "write %s", path);
	return 0;
}

static const char *jstr(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

static int stage_result_load(struct builder *b, int idx, berr *err)
{
	_cleanup_free_ char *path = xasprintf("%s/stage-%d.json", b->tmpdir, idx);
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	if (!j)
		return berr_set(err, EIO, "stage %d: no result (%s)", idx, je.text);
	struct stage_state *s = &b->ss[idx];
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(j, "layers"), i, l) {
		struct img_layer lay;
		memset(&lay, 0, sizeof lay);
		snprintf(lay.blob, sizeof lay.blob, "%s", jstr(l, "blob"));
		snprintf(lay.media_type, sizeof lay.media_type, "%s", jstr(l, "media_type"));
		lay.blob_size = (uint64_t)json_integer_value(json_object_get(l, "blob_size"));
		snprintf(lay.diff_id, sizeof lay.diff_id, "%s", jstr(l, "diff_id"));
		snprintf(lay.chain_id, sizeof lay.chain_id, "%s", jstr(l, "chain_id"));
		lay.size = (uint64_t)json_integer_value(json_object_get(l, "size"));
		layer_push(s, &lay, jstr(l, "dir"));
	}
	s->base_history = json_incref(json_object_get(j, "base_history"));
	s->hist = json_incref(json_object_get(j, "hist"));
	snprintf(s->key, sizeof s->key, "%s", jstr(j, "key"));
	snprintf(s->base_id, sizeof s->base_id, "%s", jstr(j, "base_id"));
	snprintf(s->last_created, sizeof s->last_created, "%s", jstr(j, "last_created"));
	s->arch = xstrdup(jstr(j, "arch"));
	s->os = xstrdup(jstr(j, "os"));
	s->done = true;
	json_decref(j);
	return 0;
}

static void stage_child(struct builder *b, int idx, int evfd, pid_t parent)
{
	/* a builder killed outright (SIGKILL) stops its stages too: they clean up and exit */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGPIPE, SIG_IGN); /* the event pipe of a dead builder: EPIPE, not death */
	if (getppid() != parent)
		_exit(130);
	bprog_to_pipe(b->p.bp, evfd);
	struct store *st = NULL;
	berr err = { 0 };
	int rc = 1;
	/* the parent's store connection is left alone (never used across a fork) */
	if (store_open(&st, b->r->root, b->r->runroot, &err) == 0) {
		b->st = st;
		if (b->ctx)
			b->ctx->store = st;
		b->seq = (unsigned)(idx + 1) * 100000u;
		if (build_stage(b, idx, &err) == 0 && stage_result_save(b, idx, &err) == 0)
			rc = 0;
		if (b->ctx)
			bctx_flush(b->ctx, &err);
		store_close(st);
	}
	if (rc && err.msg[0] && !interrupted) {
		_cleanup_free_ char *m = xasprintf("ERROR: %s\n", err.msg);
		bprog_raw(b->p.bp, m);
	}
	_exit(interrupted ? 130 : rc);
}

static void drain_events(struct builder *b, int fd, struct strbuf *acc)
{
	char buf[8192];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n <= 0)
			break;
		sb_add(acc, buf, (size_t)n);
	}
	size_t start = 0;
	for (size_t i = 0; i < acc->len; i++)
		if (acc->buf[i] == '\n') {
			acc->buf[i] = 0;
			bprog_apply(b->p.bp, acc->buf + start);
			start = i + 1;
		}
	if (start) {
		memmove(acc->buf, acc->buf + start, acc->len - start);
		sb_setlen(acc, acc->len - start);
	}
}

static bool deps_built(const struct builder *b, int i, const int *state)
{
	const struct plan_stage *s = &b->plan->stages[i];
	for (size_t k = 0; k < s->ndeps; k++)
		if (s->deps[k] >= 0 && state[s->deps[k]] != 2)
			return false;
	return true;
}

/* Build every stage the target needs. -1: failed (the error is printed already). */
static int run_stages(struct builder *b)
{
	size_t n = b->plan->nstages;
	_cleanup_free_ int *state = xcalloc(n, sizeof(int)); /* 0 waiting, 1 running, 2 built, 3 failed */
	_cleanup_free_ pid_t *pids = xcalloc(n, sizeof(pid_t));
	int evp[2] = { -1, -1 };
	struct strbuf acc = STRBUF_INIT;
	int running = 0, rc = 0;
	bool forwarded = false;
	/* tty: the builder process only schedules and redraws (a timer ticks while steps run) */
	bool always_fork = bprog_mode(b->p.bp) == BPROG_TTY;
	for (;;) {
		size_t left = 0, nready = 0;
		int first = -1;
		for (size_t i = 0; i < n; i++) {
			if (!b->plan->stages[i].needed || state[i])
				continue;
			left++;
			if (deps_built(b, (int)i, state)) {
				nready++;
				if (first < 0)
					first = (int)i;
			}
		}
		if (!left && !running)
			break;
		if (rc == 0 && !interrupted && nready) {
			if (nready == 1 && !running && !always_fork) {
				berr err = { 0 };
				state[first] = 1;
				if (build_stage(b, first, &err) < 0) {
					if (err.msg[0] && !interrupted) {
						_cleanup_free_ char *m = xasprintf("ERROR: %s\n", err.msg);
						bprog_raw(b->p.bp, m);
					}
					state[first] = 3;
					rc = -1;
					break;
				}
				state[first] = 2;
				continue;
			}
			if (evp[0] < 0) {
				if (pipe2(evp, O_CLOEXEC) < 0) {
					bprog_raw(b->p.bp, "ERROR: pipe failed\n");
					rc = -1;
					break;
				}
				fcntl(evp[0], F_SETFL, O_NONBLOCK);
			}
			for (size_t i = 0; i < n; i++) {
				if (!b->plan->stages[i].needed || state[i] || !deps_built(b, (int)i, state))
					continue;
				fflush(NULL);
				pid_t self = getpid();
				pid_t pid = fork();
				if (pid == 0) {
					close(evp[0]);
					stage_child(b, (int)i, evp[1], self);
				}
				if (pid < 0) {
					bprog_raw(b->p.bp, "ERROR: fork failed\n");
					rc = -1;
					break;
				}
				pids[i] = pid;
				state[i] = 1;
				running++;
			}
		}
		if (!running)
			break;
		struct pollfd pf = { evp[0], POLLIN, 0 };
		if (poll(&pf, 1, 100) > 0)
			drain_events(b, evp[0], &acc);
		if (interrupted && !forwarded) {
			/* a signal to the builder alone (not its process group) reaches the stages too */
			for (size_t k = 0; k < n; k++)
				if (state[k] == 1)
					kill(pids[k], SIGTERM);
			forwarded = true;
		}
		bprog_tick(b->p.bp);
		for (size_t i = 0; i < n; i++) {
			if (state[i] != 1)
				continue;
			int st;
			pid_t w = waitpid(pids[i], &st, WNOHANG);
			if (w != pids[i])
				continue;
			running--;
			drain_events(b, evp[0], &acc);
			berr err = { 0 };
			if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && stage_result_load(b, (int)i, &err) == 0) {
				state[i] = 2;
				continue;
			}
			if (err.msg[0]) {
				_cleanup_free_ char *m = xasprintf("ERROR: %s\n", err.msg);
				bprog_raw(b->p.bp, m);
			}
			state[i] = 3;
			if (rc == 0) /* stop the others: they clean up and exit */
				for (size_t k = 0; k < n; k++)
					if (state[k] == 1)
						kill(pids[k], SIGTERM);
			rc = -1;
		}
	}
	if (evp[0] >= 0) {
		drain_events(b, evp[0], &acc);
		close(evp[0]);
		close(evp[1]);
	}
	sb_release(&acc);
	for (size_t i = 0; i < n; i++)
		if (b->plan->stages[i].needed && state[i] != 2)
			rc = -1;
	return rc;
}

/* build/io.c prints its own plain progress lines: only in the plain view */
static bool bio_quiet(const struct builder *b)
{
	return bprog_mode(b->p.bp) != BPROG_PLAIN;
}

static int setup_ns(berr *err)
{
	if (unshare(CLONE_NEWNS) < 0)
		return berr_sys(err, "unshare mount namespace (berth build needs root)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return berr_sys(err, "make / private");
	return 0;
}

/* Frontend errors as Docker 20.10's CLI prints them: "failed to solve with frontend
 * dockerfile.v0: failed to create LLB definition: MSG", MSG without today's "Dockerfile:N: "
 * prefix and with 20.10's "dockerfile parse error line N:" wording. */
static void frontend_error(const char *msg)
{
	const char *m = msg;
	const char *colon = strchr(m, ':');
	if (colon && colon[1] >= '0' && colon[1] <= '9') {
		const char *p = colon + 1;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p[0] == ':' && p[1] == ' ' && !memchr(m, ' ', (size_t)(colon - m)))
			m = p + 2;
	}
	struct strbuf sb = STRBUF_INIT;
	const char *pe = strstr(m, "dockerfile parse error on line ");
	if (pe) {
		sb_add(&sb, m, (size_t)(pe - m));
		sb_adds(&sb, "dockerfile parse error line ");
		sb_adds(&sb, pe + strlen("dockerfile parse error on line "));
	} else
		sb_adds(&sb, m);
	fprintf(stderr, "failed to solve with frontend dockerfile.v0: failed to create LLB definition: %s\n", sb_str(&sb));
	sb_release(&sb);
}

int build_run(const struct build_request *r)
{
	const struct build_opts *o = r->o;
	struct builder b = { 0 };
	b.r = r;
	b.o = o;
	b.tmplock = -1;
	b.comp = o->compression && !strcmp(o->compression, "zstd") ? LAYER_ZSTD
		 : o->compression && !strcmp(o->compression, "uncompressed") ? LAYER_NONE : LAYER_GZIP;
	b.epoch = -1;
	{
		/* SOURCE_DATE_EPOCH: --build-arg (as BuildKit 0.11+) or the environment (as buildx) */
		const char *sde = getenv("SOURCE_DATE_EPOCH");
		for (size_t i = 0; r->build_args && r->build_args[i]; i++)
			if (!strncmp(r->build_args[i], "SOURCE_DATE_EPOCH=", 18))
				sde = r->build_args[i] + 18;
		if (sde && *sde) {
			char *end;
			long long v = strtoll(sde, &end, 10);
			if (*end || v < 0) {
				fprintf(stderr, "ERROR: invalid SOURCE_DATE_EPOCH: %s\n", sde);
				return 1;
			}
			b.epoch = v;
		}
	}
	{
		enum bprog_mode m = BPROG_PLAIN;
		if (o->quiet || (o->progress && !strcmp(o->progress, "quiet")))
			m = BPROG_QUIET;
		else if (o->progress && !strcmp(o->progress, "tty"))
			m = BPROG_TTY;
		else if ((!o->progress || !strcmp(o->progress, "auto")) && isatty(STDERR_FILENO))
			m = BPROG_TTY;
		b.p.bp = bprog_new(m, STDERR_FILENO);
	}
	berr err = { 0 };
	int status = 1;
	_cleanup_close_ int lk = -1;
	char id[DIGEST_STR_LEN + 1] = "";
	if (o->platform && *o->platform && strcmp(o->platform, plan_host_platform())) {
		fprintf(stderr, "berth build: --platform (other than the host's) is not supported yet\n");
		return 1;
	}
	if (bio_init(&b.io, o, &err) < 0) {
		fprintf(stderr, "ERROR: %s\n", err.msg);
		return 1;
	}
	catch_signals();
	burls_set_interrupt(&interrupted); /* ADD URL downloads stop on Ctrl-C too */
	int v = vstart(&b.p, "[internal] load build definition from Dockerfile");
	vinfo(&b.p, v, "transferring dockerfile: %zuB done", r->dockerfile_len);
	vdone(&b.p, v);
	v = vstart(&b.p, "[internal] load .dockerignore");
	vinfo(&b.p, v, "transferring context: 2B done");
	vdone(&b.p, v);
	if (df_file_load(r->dockerfile, r->dockerfile_len, r->dockerfile_name, &b.file, &err) < 0) {
		frontend_error(err.msg);
		return 1;
	}
	if (store_open(&b.st, r->root, r->runroot, &err) < 0) {
		fprintf(stderr, "ERROR: %s\n", err.msg);
		df_file_free(b.file);
		return 1;
	}
	if (o->target && *o->target && df_stage_find(b.file, o->target, false) < 0) {
		fprintf(stderr, "failed to solve with frontend dockerfile.v0: failed to create LLB definition: "
			"target stage %s could not be found\n", o->target);
		goto out;
	}
	struct plan_opts po = {
		.target = o->target && *o->target ? o->target : NULL,
		.build_args = r->build_args,
		.platform = o->platform,
		.base = base_config,
		.base_ctx = &b,
	};
	if (plan_build(b.file, &po, &b.plan, &err) < 0) {
		frontend_error(err.msg);
		goto out;
	}
	if (bio_check_plan(b.plan, &err) < 0) { /* build/io.h */
		frontend_error(err.msg);
		goto out;
	}
	if (istore_lock(b.st, false, &lk, &err) < 0 || setup_ns(&err) < 0 ||
	    store_tmp_create(b.st, "build-", true, &b.tmplock, &b.tmpdir, &err) < 0) {
		fprintf(stderr, "ERROR: %s\n", err.msg);
		goto out;
	}
	b.emptydir = xasprintf("%s/empty", b.tmpdir);
	if (mkdir(b.emptydir, 0755) < 0) {
		fprintf(stderr, "ERROR: mkdir %s: %s\n", b.emptydir, strerror(errno));
		goto out;
	}
	if (r->context_dir) {
		struct bctx_opts co = { .dockerfile = o->file, .store = b.st };
		v = vstart(&b.p, "[internal] load build context");
		if (bctx_open(r->context_dir, &co, &b.ctx, &err) < 0) {
			vfail(&b.p, v, "[internal] load build context", err.msg, "");
			goto out;
		}
		vinfo(&b.p, v, "transferring context: %zu entries done", b.ctx->stats.entries);
		vdone(&b.p, v);
	}
	if (bio_import(&b.io, b.st, &b.p.next, bio_quiet(&b), &err) < 0) { /* --cache-from */
		fprintf(stderr, "ERROR: %s\n", err.msg);
		goto out;
	}
	b.ss = xcalloc(b.plan->nstages, sizeof *b.ss);
	b.vbase = xcalloc(b.plan->nstages, sizeof *b.vbase);
	{
		int vnext = b.p.next + 1;
		for (size_t i = 0; i < b.plan->nstages; i++) {
			const struct plan_stage *pst = &b.plan->stages[i];
			if (!pst->needed)
				continue;
			b.vbase[i] = vnext;
			vnext += pst->base_kind == PLAN_BASE_IMAGE;
			for (size_t k = 0; k < pst->nsteps; k++)
				vnext += pst->steps[k].layer;
		}
		b.p.next = vnext - 1;
	}
	int vend = b.p.next;
	if (run_stages(&b) < 0)
		goto out;
	b.p.stage = NULL;
	b.p.next = vend;
	if (b.ctx)
		bctx_flush(b.ctx, &err);
	if (b.io.cache.to) {
		v = vstart(&b.p, "exporting cache");
		if (bio_export_cache(&b.io, b.st, b.plan, v, bio_quiet(&b), &err) < 0) {
			vfail(&b.p, v, "exporting cache", err.msg, "");
			goto out;
		}
		vdone(&b.p, v);
	}
	if (boutput_is_fs(&b.io.out)) { /* -o type=local|tar: the filesystem, no image */
		_cleanup_free_ char *dir = new_workdir(&b);
		const char *title = b.io.out.type == BOUT_TAR ? "exporting to client tarball" : "exporting to client directory";
		v = vstart(&b.p, title);
		if (mount_overlay(&b, &b.ss[b.plan->target].dirs, dir, false, &err) < 0 ||
		    bio_export_fs(&b.io, dir, v, bio_quiet(&b), &err) < 0) {
			vfail(&b.p, v, title, err.msg, "");
			goto out;
		}
		vdone(&b.p, v);
		status = 0;
		goto out;
	}
	v = vstart(&b.p, "exporting to image");
	vinfo(&b.p, v, "exporting layers done");
	if (write_image(&b, b.plan->target, id, &err) < 0) {
		vfail(&b.p, v, "exporting to image", err.msg, "");
		goto out;
	}
	vinfo(&b.p, v, "writing image %s done", id);
	for (size_t i = 0; i < o->tags.n; i++) {
		struct ref rr;
		if (ref_parse_tagged(o->tags.v[i], &rr, &err) < 0) {
			fprintf(stderr, "ERROR: invalid tag \"%s\": %s\n", o->tags.v[i], err.msg);
			goto out;
		}
		_cleanup_free_ char *full = ref_string(&rr);
		ref_free(&rr);
		_cleanup_free_ char *cur = NULL;
		berr e2 = { 0 };
		if (img_lookup(b.st, full, &cur, NULL, &e2) == 0 && cur && !strcmp(cur, id))
			; /* the tag names this image already */
		else if (img_tag(b.st, full, id, NULL, &err) < 0) {
			fprintf(stderr, "ERROR: %s\n", err.msg);
			goto out;
		}
		vinfo(&b.p, v, "naming to %s done", full);
	}
	if (bio_export_image(&b.io, b.st, id, &o->tags, v, bio_quiet(&b), &err) < 0) { /* -o type=oci|docker */
		vfail(&b.p, v, "exporting to image", err.msg, "");
		goto out;
	}
	vdone(&b.p, v);
	if (o->iidfile && write_file_atomic(o->iidfile, id, strlen(id), 0644, &err) < 0) {
		fprintf(stderr, "ERROR: %s\n", err.msg);
		goto out;
	}
	if (o->quiet)
		printf("%s\n", id);
	status = 0;
out:
	if (interrupted)
		status = 130;
	if (b.p.bp) {
		bprog_finish(b.p.bp, status == 0);
		bprog_free(b.p.bp);
	}
	free(b.vbase);
	if (b.ss) {
		for (size_t i = 0; i < b.plan->nstages; i++)
			stage_release(&b.ss[i]);
		free(b.ss);
	}
	bio_release(&b.io); /* before the tmpdir goes: unmounts the secrets tmpfs */
	if (b.tmpdir) {
		berr e2;
		rm_rf(b.tmpdir, &e2);
		free(b.tmpdir);
	}
	if (b.tmplock >= 0)
		close(b.tmplock);
	free(b.emptydir);
	bctx_free(b.ctx);
	plan_free(b.plan);
	store_close(b.st);
	df_file_free(b.file);
	return status;
}
