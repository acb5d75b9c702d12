/* commit.c: `berth commit [-a AUTHOR] [-m MSG] [-c CHANGE]... [-p|--pause=false] CONTAINER
 * [REPOSITORY[:TAG]]`: a new image from a container's changes, as Docker's: the parent image's
 * layers plus one layer made of the container's upper dir (none when nothing changed: an
 * "empty_layer" history entry), the container's Config with the -c Dockerfile instructions
 * applied (CMD ENTRYPOINT ENV EXPOSE LABEL ONBUILD USER VOLUME WORKDIR STOPSIGNAL), history
 * "created_by" = the container's Cmd, "author"/"comment" from -a/-m, and Parent = the image.
 * A running container is frozen while its upper dir is read (unless --pause=false). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "image/changes.h"
#include "image/istore.h"
#include "image/layer.h"
#include "image/ref.h"
#include "runtime/runtime.h"
#include "runtime/supervise.h"
#include "store/blob.h"
#include "util/cleanup.h"

#define USAGE "commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]"
#define SUMMARY "Create a new image from a container's changes"

static char *join_cmd(json_t *cmd)
{
	struct strbuf b = STRBUF_INIT;
	size_t i;
	json_t *v;
	json_array_foreach(cmd, i, v) {
		if (i)
			sb_addc(&b, ' ');
		sb_adds(&b, json_string_value(v) ? json_string_value(v) : "");
	}
	return sb_detach(&b);
}

/* The layer of the container's changes on top of parent_chain; *empty when there are none. */
static int commit_layer(struct store *st, struct ctr *c, const char *parent_chain, struct img_layer *l,
			bool *empty, berr *err)
{
	json_t *ch;
	if (ctr_changes(st, c, &ch, err) < 0)
		return -1;
	*empty = json_array_size(ch) == 0;
	json_decref(ch);
	if (*empty)
		return 0;
	_cleanup_free_ char *tmp = store_path(st, "tmp");
	mkdir(tmp, 0700);
	_cleanup_close_ int fd = open(tmp, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return berr_sys(err, "temporary file in %s", tmp);
	_cleanup_free_ char *cdir = ctr_dir(st, c->id);
	_cleanup_free_ char *upper = xasprintf("%s/upper", cdir);
	_cleanup_strvec_ struct strvec skip = STRVEC_INIT;
	ctr_upper_skips(st, c, &skip);
	struct layer_diff_result res;
	if (layer_diff_upper_skip(upper, &skip, fd, LAYER_GZIP, -1, &res, err) < 0)
		return -1;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return berr_sys(err, "seek");
	memset(l, 0, sizeof *l);
	if (blob_write_fd(st, fd, res.digest, l->blob, &l->blob_size, err) < 0)
		return -1;
	snprintf(l->media_type, sizeof l->media_type, "%s", MT_OCI_LAYER_GZIP);
	snprintf(l->diff_id, sizeof l->diff_id, "%.71s", res.diff_id);
	return layer_ensure(st, parent_chain, l, err);
}

static int do_commit(struct store *st, struct ctr *c, const char *author, const char *message,
		     const struct strvec *changes, char id[DIGEST_STR_LEN + 1], berr *err)
{
	const char *image = json_string_value(json_object_get(c->cfg, "Image"));
	if (!image || !*image)
		return berr_set(err, EINVAL, "cannot commit container %s: it has no image (run with --rootfs)", c->id);
	json_t *conf = json_deep_copy(json_object_get(c->cfg, "Config"));
	if (!json_is_object(conf)) {
		json_decref(conf);
		conf = json_object();
	}
	for (size_t i = 0; changes && i < changes->n; i++)
		if (image_apply_change(conf, changes->v[i], err) < 0) {
			json_decref(conf);
			return -1;
		}
	struct img_info pi;
	if (img_get(st, image, &pi, err) < 0) {
		json_decref(conf);
		return berr_wrap(err, "parent image of %s", c->id);
	}
	_cleanup_close_ int lk = -1;
	int rc = -1;
	struct img_layer nl;
	bool empty = true;
	json_t *cfg = NULL;
	struct img_layer *layers = NULL;
	char *created = NULL, *by = NULL, *cj = NULL;
	if (istore_lock(st, false, &lk, err) < 0 ||
	    commit_layer(st, c, pi.nlayers ? pi.layers[pi.nlayers - 1].chain_id : "", &nl, &empty, err) < 0)
		goto out;
	created = format_rfc3339_now();
	cfg = json_deep_copy(pi.config);
	if (!json_is_object(cfg)) {
		json_decref(cfg);
		cfg = json_object();
	}
	json_object_set_new(cfg, "config", conf);
	conf = NULL;
	json_object_set_new(cfg, "container", json_string(c->id));
	json_object_set_new(cfg, "container_config", json_deep_copy(json_object_get(c->cfg, "Config")));
	json_object_set_new(cfg, "created", json_string(created));
	json_object_set_new(cfg, "docker_version", json_string("berth"));
	if (author && *author)
		json_object_set_new(cfg, "author", json_string(author));
	else
		json_object_del(cfg, "author");
	if (message && *message)
		json_object_set_new(cfg, "comment", json_string(message));
	else
		json_object_del(cfg, "comment");
	json_t *hist = json_object_get(cfg, "history");
	if (!json_is_array(hist)) {
		hist = json_array();
		json_object_set_new(cfg, "history", hist);
	}
	by = join_cmd(json_object_get(json_object_get(c->cfg, "Config"), "Cmd"));
	json_t *h = json_pack("{s:s,s:s}", "created", created, "created_by", by);
	if (author && *author)
		json_object_set_new(h, "author", json_string(author));
	if (message && *message)
		json_object_set_new(h, "comment", json_string(message));
	if (empty)
		json_object_set_new(h, "empty_layer", json_true());
	json_array_append_new(hist, h);
	json_t *rootfs = json_object_get(cfg, "rootfs");
	if (!json_is_object(rootfs)) {
		rootfs = json_pack("{s:s,s:[]}", "type", "layers", "diff_ids");
		json_object_set_new(cfg, "rootfs", rootfs);
	}
	layers = xcalloc(pi.nlayers + 1, sizeof *layers);
	memcpy(layers, pi.layers, pi.nlayers * sizeof *layers);
	size_t n = pi.nlayers;
	if (!empty) {
		json_array_append_new(json_object_get(rootfs, "diff_ids"), json_string(nl.diff_id));
		layers[n++] = nl;
	}
	cj = json_dumps(cfg, JSON_COMPACT | JSON_SORT_KEYS);
	struct img_new in = { .config = cj, .config_len = strlen(cj), .layers = layers, .nlayers = n, .parent = pi.id };
	rc = img_commit(st, &in, id, err);
out:
	free(created);
	free(by);
	free(cj);
	free(layers);
	json_decref(cfg);
	json_decref(conf);
	img_info_release(&pi);
	return rc;
}

static int run_commit(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strvec_ struct strvec args = STRVEC_INIT, changes = STRVEC_INIT;
	const char *author = NULL, *message = NULL;
	bool pause = true;
	struct opt opts[] = {
		{ "author", 'a', OPT_STR, &author, "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")", "string" },
		{ "change", 'c', OPT_LIST, &changes, "Apply Dockerfile instruction to the created image", "list" },
		{ "message", 'm', OPT_STR, &message, "Commit message", "string" },
		{ "pause", 'p', OPT_BOOL, &pause, "Pause container during commit (default true)", NULL },
		OPT_SENTINEL,
	};
	int status;
	if (opts_parse("commit", USAGE, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("commit", USAGE, SUMMARY, &args, 1, 2)))
		return status;
	berr err = { 0 };
	struct ref r = { 0 };
	if (args.n == 2 && ref_parse_tagged(args.v[1], &r, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg); /* the CLI's own check, as Docker's */
		return 1;
	}
	_cleanup_free_ char *full = args.n == 2 ? ref_string(&r) : NULL;
	ref_free(&r);
	_cleanup_store_ struct store *st = NULL;
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	_cleanup_ctr_ struct ctr *c = NULL;
	if (ctr_lookup(st, args.v[0], &c, &err) < 0)
		return cli_error(&err);
	bool froze = false;
	if (pause && ctr_refresh(st, c) == CTR_RUNNING && !ctr_paused(c)) {
		if (ctr_freeze(c, true, &err) < 0) {
			fprintf(stderr, "Error response from daemon: %s\n", err.msg);
			return 1;
		}
		froze = true;
	}
	char id[DIGEST_STR_LEN + 1];
	int rc = do_commit(st, c, author, message, &changes, id, &err);
	if (froze) {
		berr e2 = { 0 };
		ctr_freeze(c, false, &e2);
	}
	if (rc < 0) {
		fprintf(stderr, "Error response from daemon: %s\n", err.msg);
		return 1;
	}
	if (full && img_tag(st, full, id, NULL, &err) < 0)
		return cli_error(&err);
	printf("%s\n", id);
	return 0;
}

BERTH_COMMAND(cmd_commit) = { .name = "commit", .usage = USAGE, .summary = SUMMARY, .run = run_commit };
BERTH_COMMAND(cmd_container_commit) = { .group = "container", .name = "commit", .usage = "container " USAGE, .summary = SUMMARY, .run = run_commit };
