/* io.c: set up and release the builder's inputs and outputs (see build/io.h). */
#include <string.h>
#include "build/io.h"

int bio_init(struct build_io *io, const struct build_opts *o, berr *err)
{
	memset(io, 0, sizeof *io);
	if (bsecrets_parse(&o->secrets, &io->secrets, err) < 0)
		return berr_wrap(err, "could not parse secrets");
	if (boutput_parse(&o->outputs, &io->out, err) < 0) {
		bio_release(io);
		return -1;
	}
	if (bcio_parse(&o->cache_from, &o->cache_to, &io->cache, err) < 0) {
		bio_release(io);
		return -1;
	}
	return 0;
}

void bio_release(struct build_io *io)
{
	bsecrets_release(&io->secrets);
	boutput_release(&io->out);
	bcio_release(&io->cache);
	burls_release(&io->urls);
}

/* ---- ADD URL ---- */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>
#include "build/copy.h"
#include "dockerfile/plan.h"
#include "image/istore.h"
#include "image/ref.h"
#include "util/cleanup.h"

int bio_url_key(struct build_io *io, const struct plan_step *ps, const char *tmpdir, char files[DIGEST_STR_LEN + 1],
		berr *err)
{
	if (ps->instr->kind != DF_ADD)
		return berr_set(err, EINVAL, "source can't be a URL for COPY");
	char k[DIGEST_STR_LEN + 1];
	if (burls_key(&io->urls, (const char *const *)ps->args.v, ps->args.n - 1, ps->instr->checksum, tmpdir, k, err) < 0)
		return -1;
	struct digester *d = digester_new();
	digester_update(d, files, strlen(files) + 1);
	digester_update(d, k, strlen(k) + 1);
	digester_finish(d, files);
	return 0;
}

int bio_add_url(struct build_io *io, int rootfd, const struct plan_step *ps, const char *url, const char *dest,
		bool dest_dir, const struct copy_owner *o, long chmod, const char *tmpdir, berr *err)
{
	const struct burl *u = burls_get(&io->urls, url, ps->instr->checksum, tmpdir, err);
	if (!u)
		return -1;
	_cleanup_close_ int fd = open(u->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(err, "open download of %s", url);
	size_t dl = strlen(dest);
	_cleanup_free_ char *target = dest_dir ? xasprintf("%s%s%s", dest, dl && dest[dl - 1] == '/' ? "" : "/", u->name)
					      : xstrdup(dest);
	struct timespec mt = { u->mtime, 0 };
	return bcopy_file(rootfd, target, fd, chmod >= 0 ? (mode_t)chmod : 0600, o, u->mtime >= 0 ? &mt : NULL, err);
}

/* ---- cache import / export ---- */
int bio_import(struct build_io *io, struct store *st, int *next, bool quiet, berr *err)
{
	for (size_t i = 0; i < io->cache.from.n; i++) {
		int v = ++*next;
		if (!quiet)
			fprintf(stderr, "#%d importing cache manifest from local:%s\n", v, io->cache.from.v[i]);
		struct bcache_io one = { 0 };
		sv_push(&one.from, io->cache.from.v[i]);
		size_t rows = 0, mounts = 0;
		int rc = bcio_import(&one, st, &rows, &mounts, err);
		bcio_release(&one);
		if (rc < 0)
			return -1;
		if (!quiet)
			fprintf(stderr, "#%d imported %zu cache records, %zu cache mounts done\n#%d DONE 0.0s\n\n", v, rows,
				mounts, v);
	}
	return 0;
}

int bio_export_cache(struct build_io *io, struct store *st, const struct plan *plan, int v, bool quiet, berr *err)
{
	size_t rows, mounts;
	if (bcio_export(&io->cache, st, plan, &rows, &mounts, err) < 0)
		return -1;
	if (!quiet)
		fprintf(stderr, "#%d writing layers and %zu cache records, %zu cache mounts to local:%s done\n", v, rows,
			mounts, io->cache.to);
	return 0;
}

static void human(char *buf, size_t n, unsigned long long b)
{
	/* go-units HumanSize (decimal, 3 significant digits) */
	const char *u[] = { "B", "kB", "MB", "GB", "TB" };
	double x = (double)b;
	int i = 0;
	while (x >= 1000 && i < 4)
		x /= 1000, i++;
	snprintf(buf, n, "%.3g%s", x, u[i]);
}

int bio_export_fs(struct build_io *io, const char *dir, int v, bool quiet, berr *err)
{
	_cleanup_free_ char *merged = xasprintf("%s/merged", dir);
	unsigned long long bytes = 0;
	int rc = boutput_write_fs(&io->out, merged, &bytes, err);
	umount2(merged, MNT_DETACH);
	if (rc == 0 && !quiet) {
		char h[32];
		human(h, sizeof h, bytes);
		if (io->out.type == BOUT_TAR)
			fprintf(stderr, "#%d sending tarball %s done\n", v, h);
		else
			fprintf(stderr, "#%d copying files %s done\n", v, h);
	}
	return rc;
}

int bio_export_image(struct build_io *io, struct store *st, const char *id, const struct strvec *tags, int v,
		     bool quiet, berr *err)
{
	for (size_t i = 0; i < io->out.names.n; i++) {
		struct ref rr;
		if (ref_parse_tagged(io->out.names.v[i], &rr, err) < 0)
			return berr_wrap(err, "invalid name \"%s\"", io->out.names.v[i]);
		_cleanup_free_ char *full = ref_string(&rr);
		ref_free(&rr);
		if (img_tag(st, full, id, NULL, err) < 0)
			return -1;
		if (!quiet)
			fprintf(stderr, "#%d naming to %s done\n", v, full);
	}
	if (io->out.type != BOUT_OCI && io->out.type != BOUT_DOCKER)
		return 0;
	if (boutput_write_image(st, &io->out, id, tags, err) < 0)
		return -1;
	if (!quiet)
		fprintf(stderr, "#%d sending tarball done\n", v);
	return 0;
}

int bio_check_plan(const struct plan *plan, berr *err)
{
	for (size_t s = 0; s < plan->nstages; s++) {
		const struct plan_stage *pst = &plan->stages[s];
		if (!pst->needed)
			continue;
		for (size_t i = 0; i < pst->nsteps; i++) {
			const struct plan_step *ps = &pst->steps[i];
			enum df_kind k = ps->instr->kind;
			if (k != DF_COPY && k != DF_ADD)
				continue;
			bool url = false;
			for (size_t j = 0; j + 1 < ps->args.n; j++) {
				bool u = !strncasecmp(ps->args.v[j], "http://", 7) || !strncasecmp(ps->args.v[j], "https://", 8);
				if (u && k == DF_COPY)
					return berr_set(err, EINVAL, "source can't be a URL for COPY");
				url |= u || (k == DF_ADD && burl_is_remote(ps->args.v[j]));
			}
			if (ps->instr->checksum && !url)
				return berr_set(err, EINVAL, "checksum can't be specified for non-HTTP(S) sources");
		}
	}
	return 0;
}
