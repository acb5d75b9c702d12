/* export.c: `berth export [-o FILE] CONTAINER`: the container's filesystem as a tar stream
 * (the rootfs only: /proc, /sys, /dev and volumes are other mounts and are not crossed). A
 * helper process reads it through /proc/PID/root (running) or a private overlay mount
 * (stopped); libarchive walks it without following symlinks. */
#include "util/lazy_archive.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli/cli.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"

#define USAGE "export [OPTIONS] CONTAINER"
#define SUMMARY "Export a container's filesystem as a tar archive"

static int write_tar(int outfd, berr *err)
{
	if (lazylib_load_archive(err) < 0)
		return -1;
	struct archive *disk = archive_read_disk_new();
	struct archive *out = archive_write_new();
	archive_read_disk_set_symlink_physical(disk);
	archive_read_disk_set_behavior(disk, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
	archive_read_disk_set_standard_lookup(disk);
	archive_write_set_format_pax_restricted(out);
	int rc = 0;
	if (archive_write_open_fd(out, outfd) != ARCHIVE_OK || archive_read_disk_open(disk, ".") != ARCHIVE_OK) {
		rc = berr_set(err, EIO, "export: %s", archive_error_string(disk) ? archive_error_string(disk) : archive_error_string(out));
		goto done;
	}
	for (;;) {
		struct archive_entry *e = archive_entry_new();
		int r = archive_read_next_header2(disk, e);
		if (r == ARCHIVE_EOF) {
			archive_entry_free(e);
			break;
		}
		if (r < ARCHIVE_WARN) {
			rc = berr_set(err, EIO, "export: %s", archive_error_string(disk));
			archive_entry_free(e);
			break;
		}
		archive_read_disk_descend(disk);
		const char *p = archive_entry_pathname(e);
		if (!strcmp(p, ".")) {
			archive_entry_free(e);
			continue;
		}
		if (!strncmp(p, "./", 2))
			archive_entry_set_pathname(e, p + 2);
		if (archive_write_header(out, e) < ARCHIVE_WARN) {
			rc = berr_set(err, EIO, "export: %s", archive_error_string(out));
			archive_entry_free(e);
			break;
		}
		if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0) {
			const char *src = archive_entry_sourcepath(e);
			int fd = open(src ? src : p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			char buf[65536];
			ssize_t n;
			while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0)
				archive_write_data(out, buf, (size_t)n);
			if (fd >= 0)
				close(fd);
		}
		archive_entry_free(e);
	}
done:
	archive_read_free(disk);
	archive_write_close(out);
	archive_write_free(out);
	return rc;
}

static int run_export(struct berth_ctx *ctx, int argc, char **argv)
{
	const char *output = NULL;
	struct opt opts[] = {
		{ "output", 'o', OPT_STR, &output, "Write to a file, instead of STDOUT", "string" },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	if (opts_parse("export", USAGE, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("export", USAGE, SUMMARY, &args, 1, 1)))
		return status;
	if (!output && isatty(1)) {
		fprintf(stderr, "cowardly refusing to save to a terminal. Use the -o flag or redirect\n");
		return 1;
	}
	_cleanup_store_ struct store *st = NULL;
	berr err = { 0 };
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	_cleanup_ctr_ struct ctr *c = NULL;
	if (ctr_lookup(st, args.v[0], &c, &err) < 0)
		return cli_error(&err);
	int outfd = 1;
	if (output) {
		outfd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (outfd < 0) {
			fprintf(stderr, "Error: failed to export container: open %s: %s\n", output, strerror(errno));
			return 1;
		}
	}
	bool running = ctr_refresh(st, c) == CTR_RUNNING;
	_cleanup_free_ char *cdir = ctr_dir(st, c->id);
	fflush(NULL);
	pid_t p = fork();
	if (p == 0) {
		berr e = { 0 };
		int rootfd = -1;
		if (running) {
			char path[64];
			snprintf(path, sizeof path, "/proc/%d/root", c->pid);
			rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		} else if (unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
			   mounts_overlay(c->cfg, cdir, &e) == 0) {
			_cleanup_free_ char *merged = xasprintf("%s/merged", cdir);
			rootfd = open(merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		}
		if (rootfd < 0 || fchdir(rootfd) < 0) {
			fprintf(stderr, "Error: failed to export container: %s\n", e.msg[0] ? e.msg : strerror(errno));
			_exit(1);
		}
		if (write_tar(outfd, &e) < 0) {
			fprintf(stderr, "Error: %s\n", e.msg);
			_exit(1);
		}
		_exit(0);
	}
	int ws = 0;
	if (p > 0)
		waitpid(p, &ws, 0);
	if (output)
		close(outfd);
	return p > 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 0 ? 0 : 1;
}

BERTH_COMMAND(cmd_export) = { .name = "export", .usage = USAGE, .summary = SUMMARY, .run = run_export };
BERTH_COMMAND(cmd_container_export) = { .group = "container", .name = "export", .usage = USAGE, .summary = SUMMARY, .run = run_export };
