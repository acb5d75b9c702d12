/* io.h: the builder's inputs and outputs beyond the context, gathered for build/exec.c:
 * --secret (build/secrets.h), -o/--output (build/output.h), --cache-from/--cache-to
 * (build/cache_export.h) and ADD of http(s) URLs (build/add_url.h). */
#pragma once
#include "build/add_url.h"
#include "build/cache_export.h"
#include "build/options.h"
#include "build/output.h"
#include "build/parents.h"
#include "build/secrets.h"

struct build_io {
	struct bsecrets secrets;
	struct boutput out;
	struct bcache_io cache;
	struct burls urls;         /* ADD URL downloads of this build */
};

/* Parse the options (errors in buildx's words). */
int bio_init(struct build_io *io, const struct build_opts *o, berr *err);
void bio_release(struct build_io *io);

struct plan;
struct plan_step;
struct copy_owner;
struct store;

/* ADD with URL sources: mix the URLs' key (build/add_url.h) into files (the step's content
 * digest so far, "" when there is none). */
int bio_url_key(struct build_io *io, const struct plan_step *ps, const char *tmpdir, char files[DIGEST_STR_LEN + 1],
		berr *err);
/* ADD URL: write the downloaded file to dest (dest_dir: dest/NAME), mode 0600 or chmod. */
int bio_add_url(struct build_io *io, int rootfd, const struct plan_step *ps, const char *url, const char *dest,
		bool dest_dir, const struct copy_owner *o, long chmod, const char *tmpdir, berr *err);

/* --cache-from: import before the build; prints its own progress vertex (numbered from *next). */
int bio_import(struct build_io *io, struct store *st, int *next, bool quiet, berr *err);
/* --cache-to: export after the build, progress lines on vertex v. */
int bio_export_cache(struct build_io *io, struct store *st, const struct plan *plan, int v, bool quiet, berr *err);
/* -o type=local|tar: export dir/merged (a mounted read-only overlay, unmounted after). */
int bio_export_fs(struct build_io *io, const char *dir, int v, bool quiet, berr *err);
/* After the image id is written: tag -o name=..., and write -o type=oci|docker,dest=. */
int bio_export_image(struct build_io *io, struct store *st, const char *id, const struct strvec *tags, int v,
		     bool quiet, berr *err);

/* Front-end checks BuildKit makes when it converts the Dockerfile ("source can't be a URL
 * for COPY", --checksum without an http source). */
int bio_check_plan(const struct plan *plan, berr *err);
