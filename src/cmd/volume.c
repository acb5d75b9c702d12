/* volume.c: `berth volume create|ls|inspect|rm|prune` over root/volumes/<name>/_data (local
 * driver only), the volume inspector and the volumes pruner of `system prune --volumes`. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/cli.h"
#include "cmd/imgcmd.h"
#include "cmd/inspect.h"
#include "cmd/system_hooks.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/template.h"
#include "util/units.h"

char *volume_ensure(struct store *st, const char *name, bool *created, berr *err);

static bool vol_name_ok(const char *n)
{
	if (!n[0] || !n[1])
		return false;
	for (const char *p = n; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      (p != n && (*p == '_' || *p == '.' || *p == '-'))))
			return false;
	return true;
}

static json_t *vol_json(struct store *st, const char *name)
{
	_cleanup_free_ char *d = xasprintf("%s/volumes/%s", st->root, name);
	struct stat sb;
	if (stat(d, &sb) < 0 || !vol_name_ok(name))
		return NULL;
	char tb[64];
	struct tm tm;
	localtime_r(&sb.st_mtime, &tm);
	strftime(tb, sizeof tb, "%Y-%m-%dT%H:%M:%S%z", &tm);
	/* Go prints the zone as +hh:mm */
	size_t l = strlen(tb);
	if (l > 2) {
		memmove(tb + l - 1, tb + l - 2, 3);
		tb[l - 2] = ':';
		if (!strcmp(tb + l - 5, "+00:00"))
			strcpy(tb + l - 5, "Z");
	}
	json_t *j = json_object();
	json_object_set_new(j, "CreatedAt", json_string(tb));
	json_object_set_new(j, "Driver", json_string("local"));
	json_object_set_new(j, "Labels", json_null());
	json_object_set_new(j, "Mountpoint", json_sprintf("%s/_data", d));
	json_object_set_new(j, "Name", json_string(name));
	json_object_set_new(j, "Options", json_null());
	json_object_set_new(j, "Scope", json_string("local"));
	return j;
}

/* Containers (ids) using a volume. */
static void vol_users(struct store *st, const char *name, struct strvec *out)
{
	struct ctr **v;
	size_t n;
	berr e;
	if (ctr_list(st, &v, &n, &e) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		size_t k;
		json_t *m;
		json_array_foreach(json_object_get(v[i]->cfg, "Mounts"), k, m) {
			const char *mn = json_string_value(json_object_get(m, "Name"));
			if (mn && !strcmp(mn, name))
				sv_push(out, v[i]->id);
		}
	}
	ctr_list_free(v, n);
}

static void vol_names(struct store *st, struct strvec *out)
{
	_cleanup_free_ char *d = xasprintf("%s/volumes", st->root);
	DIR *dir = opendir(d);
	struct dirent *e;
	while (dir && (e = readdir(dir)))
		if (e->d_name[0] != '.' && vol_name_ok(e->d_name))
			sv_push(out, e->d_name);
	if (dir)
		closedir(dir);
	for (size_t i = 0; i < out->n; i++)
		for (size_t j = i + 1; j < out->n; j++)
			if (strcmp(out->v[i], out->v[j]) > 0) {
				char *t = out->v[i];
				out->v[i] = out->v[j];
				out->v[j] = t;
			}
}

static int find_volume(struct store *st, const char *name, bool size, json_t **out, berr *err)
{
	(void)size;
	(void)err;
	*out = vol_json(st, name);
	return *out ? 0 : 1;
}

BERTH_INSPECTOR(volume_inspector) = { .type = "volume", .order = 30, .find = find_volume };

static int prune_volumes(struct store *st, int flags, const struct strvec *filters, struct strvec *out, uint64_t *freed, berr *err)
{
	(void)flags;
	if (filters && filters->n)
		return berr_set(err, EINVAL, "volume prune --filter is not implemented in berth yet");
	_cleanup_strvec_ struct strvec names = STRVEC_INIT;
	vol_names(st, &names);
	for (size_t i = 0; i < names.n; i++) {
		_cleanup_strvec_ struct strvec users = STRVEC_INIT;
		vol_users(st, names.v[i], &users);
		if (users.n)
			continue;
		_cleanup_free_ char *d = xasprintf("%s/volumes/%s", st->root, names.v[i]);
		char cmd[4300];
		snprintf(cmd, sizeof cmd, "du -sb '%s' 2>/dev/null", d);
		FILE *p = popen(cmd, "re");
		unsigned long long sz = 0;
		if (p) {
			if (fscanf(p, "%llu", &sz) != 1)
				sz = 0;
			pclose(p);
		}
		if (rm_rf(d, err) < 0)
			return -1;
		*freed += sz;
		sv_push(out, names.v[i]);
	}
	return 0;
}

BERTH_PRUNER(volume_pruner) = {
	.what = "volumes", .order = 30, .warning = "  - all volumes not used by at least one container",
	.needs_volumes_flag = true, .prune = prune_volumes, .heading = "Deleted Volumes:",
};

static int run_volume(struct berth_ctx *ctx, int argc, char **argv)
{
	const char *verb = argv[0];
	const char *format = NULL, *driver = "local";
	bool quiet = false, force = false;
	_cleanup_strvec_ struct strvec args = STRVEC_INIT, opt = STRVEC_INIT, label = STRVEC_INIT, filter = STRVEC_INIT;
	struct opt o_create[] = {
		{ "driver", 'd', OPT_STR, &driver, "Specify volume driver name", "string" },
		{ "label", 0, OPT_LIST, &label, "Set metadata for a volume", "list" },
		{ "name", 0, OPT_STR, &format, "Specify volume name", "string" },
		{ "opt", 'o', OPT_LIST, &opt, "Set driver specific options", "map" },
		OPT_SENTINEL,
	};
	struct opt o_ls[] = {
		{ "filter", 'f', OPT_LIST, &filter, "Provide filter values (e.g. 'dangling=true')", "filter" },
		{ "format", 0, OPT_STR, &format, "Pretty-print volumes using a Go template", "string" },
		{ "quiet", 'q', OPT_BOOL, &quiet, "Only display volume names", NULL },
		OPT_SENTINEL,
	};
	struct opt o_inspect[] = {
		{ "format", 'f', OPT_STR, &format, "Format the output using the given Go template", "string" },
		OPT_SENTINEL,
	};
	struct opt o_rm[] = {
		{ "force", 'f', OPT_BOOL, &force, "Force the removal of one or more volumes", NULL },
		OPT_SENTINEL,
	};
	struct opt o_prune[] = {
		{ "filter", 0, OPT_LIST, &filter, "Provide filter values (e.g. 'label=<label>')", "filter" },
		{ "force", 'f', OPT_BOOL, &force, "Do not prompt for confirmation", NULL },
		OPT_SENTINEL,
	};
	const struct opt *opts = !strcmp(verb, "create") ? o_create : !strcmp(verb, "ls") || !strcmp(verb, "list") ? o_ls
				 : !strcmp(verb, "inspect") ? o_inspect : !strcmp(verb, "prune") ? o_prune : o_rm;
	_cleanup_free_ char *path = xasprintf("volume %s", verb);
	_cleanup_free_ char *usage = xasprintf("volume %s [OPTIONS]%s", verb,
					       !strcmp(verb, "create") ? " [VOLUME]" : !strcmp(verb, "inspect") || !strcmp(verb, "rm") ? " VOLUME [VOLUME...]" : "");
	int status;
	if (opts_parse(path, usage, NULL, opts, true, argc, argv, &args, &status))
		return status;
	_cleanup_store_ struct store *st = NULL;
	if ((status = imgcmd_open(ctx, &st)))
		return status;
	berr err = { 0 };
	if (!strcmp(verb, "create")) {
		if ((status = cli_require_args(path, usage, "Create a volume", &args, 0, 1)))
			return status;
		if (strcmp(driver, "local")) {
			fprintf(stderr, "Error: plugin \"%s\" not found\n", driver);
			return 1;
		}
		if (opt.n) {
			fprintf(stderr, "Error: volume driver options are not supported yet\n");
			return 125;
		}
		char anon[65];
		const char *name = args.n ? args.v[0] : format;
		if (!name) {
			ctr_new_id(anon);
			name = anon;
		}
		if (!vol_name_ok(name)) {
			fprintf(stderr, "Error: create %s: \"%s\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path\n", name, name);
			return 1;
		}
		bool created;
		_cleanup_free_ char *d = volume_ensure(st, name, &created, &err);
		if (!d)
			return cli_error(&err);
		printf("%s\n", name);
		return 0;
	}
	if (!strcmp(verb, "ls") || !strcmp(verb, "list")) {
		if (filter.n) {
			fprintf(stderr, "Error: volume ls --filter is not implemented in berth yet\n");
			return 125;
		}
		_cleanup_strvec_ struct strvec names = STRVEC_INIT;
		vol_names(st, &names);
		json_t *rows = json_array();
		for (size_t i = 0; i < names.n; i++) {
			json_t *r = json_object();
			json_object_set_new(r, "Driver", json_string("local"));
			json_object_set_new(r, "Name", json_string(names.v[i]));
			json_object_set_new(r, "Scope", json_string("local"));
			json_object_set_new(r, "Mountpoint", json_sprintf("%s/volumes/%s/_data", st->root, names.v[i]));
			json_object_set_new(r, "Labels", json_string(""));
			json_array_append_new(rows, r);
		}
		static const struct fmt_header h[] = { { "Driver", "DRIVER" }, { "Name", "VOLUME NAME" }, { "Scope", "SCOPE" },
						       { "Mountpoint", "MOUNTPOINT" }, { "Labels", "LABELS" }, { NULL, NULL } };
		int rc = fmt_render(stdout, quiet && !format ? "{{.Name}}" : format, "table {{.Driver}}\t{{.Name}}", h, rows, &err);
		json_decref(rows);
		if (rc < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 125;
		}
		return 0;
	}
	if (!strcmp(verb, "inspect")) {
		if ((status = cli_require_args(path, usage, "Display detailed information on one or more volumes", &args, 1, -1)))
			return status;
		json_t *all = json_array();
		for (size_t i = 0; i < args.n; i++) {
			json_t *j = vol_json(st, args.v[i]);
			if (!j) {
				fprintf(stderr, "Error: No such volume: %s\n", args.v[i]);
				status = 1;
				continue;
			}
			if (format) {
				if (fmt_inspect(stdout, format, j, &err) < 0) {
					fprintf(stderr, "%s\n", err.msg);
					json_decref(j);
					json_decref(all);
					return 1;
				}
				json_decref(j);
			} else
				json_array_append_new(all, j);
		}
		if (!format) {
			char *s = json_dumps(all, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
			printf("%s\n", json_array_size(all) ? s : "[]");
			free(s);
		}
		json_decref(all);
		return status;
	}
	if (!strcmp(verb, "rm") || !strcmp(verb, "remove")) {
		if ((status = cli_require_args(path, usage, "Remove one or more volumes", &args, 1, -1)))
			return status;
		for (size_t i = 0; i < args.n; i++) {
			_cleanup_strvec_ struct strvec users = STRVEC_INIT;
			_cleanup_free_ char *d = xasprintf("%s/volumes/%s", st->root, args.v[i]);
			if (!vol_name_ok(args.v[i]) || !path_exists(d)) {
				if (!force) {
					fprintf(stderr, "Error: No such volume: %s\n", args.v[i]);
					status = 1;
				}
				continue;
			}
			vol_users(st, args.v[i], &users);
			if (users.n) {
				fprintf(stderr, "Error: remove %s: volume is in use - [%s]\n", args.v[i], users.v[0]);
				status = 1;
				continue;
			}
			if (rm_rf(d, &err) < 0) {
				cli_error(&err);
				status = 1;
				continue;
			}
			printf("%s\n", args.v[i]);
		}
		return status;
	}
	/* prune */
	if (filter.n) {
		fprintf(stderr, "Error: volume prune --filter is not implemented in berth yet\n");
		return 125;
	}
	if (!force && !imgcmd_confirm("WARNING! This will remove all local volumes not used by at least one container."))
		return 0;
	_cleanup_strvec_ struct strvec out = STRVEC_INIT;
	uint64_t freed = 0;
	int rc = prune_volumes(st, 0, NULL, &out, &freed, &err);
	if (out.n) {
		printf("Deleted Volumes:\n");
		for (size_t i = 0; i < out.n; i++)
			printf("%s\n", out.v[i]);
		printf("\n");
	}
	char b[UNITS_BUF];
	printf("Total reclaimed space: %s\n", units_human_size((double)freed, b));
	return rc < 0 ? cli_error(&err) : 0;
}

BERTH_COMMAND(cmd_volume_create) = { .group = "volume", .name = "create", .usage = "volume create [OPTIONS] [VOLUME]", .summary = "Create a volume", .run = run_volume };
BERTH_COMMAND(cmd_volume_ls) = { .group = "volume", .name = "ls", .usage = "volume ls [OPTIONS]", .summary = "List volumes", .run = run_volume };
BERTH_COMMAND(cmd_volume_inspect) = { .group = "volume", .name = "inspect", .usage = "volume inspect [OPTIONS] VOLUME [VOLUME...]", .summary = "Display detailed information on one or more volumes", .run = run_volume };
BERTH_COMMAND(cmd_volume_rm) = { .group = "volume", .name = "rm", .usage = "volume rm [OPTIONS] VOLUME [VOLUME...]", .summary = "Remove one or more volumes", .run = run_volume };
BERTH_COMMAND(cmd_volume_prune) = { .group = "volume", .name = "prune", .usage = "volume prune [OPTIONS]", .summary = "Remove all unused local volumes", .run = run_volume };

/* `system df`: the Local Volumes row (active = used by a container; reclaimable = unused). */
static int volumes_df(struct store *st, struct df_row *row, bool verbose, struct strbuf *out, berr *err)
{
	(void)verbose;
	(void)out;
	(void)err;
	_cleanup_strvec_ struct strvec names = STRVEC_INIT;
	vol_names(st, &names);
	for (size_t i = 0; i < names.n; i++) {
		_cleanup_strvec_ struct strvec users = STRVEC_INIT;
		vol_users(st, names.v[i], &users);
		row->total++;
		if (users.n) {
			row->active++;
			continue;
		}
		_cleanup_free_ char *d = xasprintf("%s/volumes/%s", st->root, names.v[i]);
		char cmd[4300];
		snprintf(cmd, sizeof cmd, "du -sb '%s' 2>/dev/null", d);
		FILE *p = popen(cmd, "re");
		unsigned long long sz = 0;
		if (p) {
			if (fscanf(p, "%llu", &sz) != 1)
				sz = 0;
			pclose(p);
		}
		row->reclaimable += sz;
	}
	return 0;
}

static const char *const vol_dirs[] = { "volumes", NULL };
BERTH_DF_PROVIDER(df_volumes) = { .type = "Local Volumes", .order = 30, .dirs = vol_dirs, .fill = volumes_df };
