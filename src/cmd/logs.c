/* logs.c: `berth logs [-f] [--tail N] [--since T] [--until T] [-t] CONTAINER`: read the
 * json-file log; -f follows it until the container stops. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "runtime/runtime.h"
#include "runtime/supervise.h"
#include <sys/stat.h>
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/units.h"
#include <stdint.h>

#define USAGE "logs [OPTIONS] CONTAINER"
#define SUMMARY "Fetch the logs of a container"

/* Docker's --since/--until values (util/units.h), as ns since the epoch (clamped). */
static int parse_time(const char *s, int64_t *out)
{
	int64_t sec;
	long nsec;
	berr e;
	if (units_parse_timestamp(s, time(NULL), &sec, &nsec, &e) < 0)
		return -1;
	if (sec > INT64_MAX / 1000000000LL - 1)
		*out = INT64_MAX;
	else
		*out = sec * 1000000000LL + nsec;
	return 0;
}

static int64_t entry_time(const char *ts)
{
	int64_t sec;
	long nsec;
	berr e;
	if (units_parse_rfc3339(ts, &sec, &nsec, &e) < 0)
		return 0;
	return sec * 1000000000LL + nsec;
}

static void print_entry(json_t *e, bool stamps, int64_t since, int64_t until)
{
	const char *log = json_string_value(json_object_get(e, "log"));
	const char *stream = json_string_value(json_object_get(e, "stream"));
	const char *ts = json_string_value(json_object_get(e, "time"));
	if (!log || !ts)
		return;
	if (since || until) {
		int64_t t = entry_time(ts);
		if ((since && t < since) || (until && t > until))
			return;
	}
	FILE *f = stream && !strcmp(stream, "stderr") ? stderr : stdout;
	if (stamps)
		fprintf(f, "%s ", ts);
	fwrite(log, 1, json_string_length(json_object_get(e, "log")), f);
	fflush(f);
}

static int run_logs(struct berth_ctx *ctx, int argc, char **argv)
{
	bool follow = false, stamps = false, details = false;
	const char *tail = "all", *since = NULL, *until = NULL;
	struct opt opts[] = {
		{ "details", 0, OPT_BOOL, &details, "Show extra details provided to logs", NULL },
		{ "follow", 'f', OPT_BOOL, &follow, "Follow log output", NULL },
		{ "since", 0, OPT_STR, &since, "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)", "string" },
		{ "tail", 'n', OPT_STR, &tail, "Number of lines to show from the end of the logs", "string" },
		{ "timestamps", 't', OPT_BOOL, &stamps, "Show timestamps", NULL },
		{ "until", 0, OPT_STR, &until, "Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)", "string" },
		OPT_SENTINEL,
	};
	_cleanup_strvec_ struct strvec args = STRVEC_INIT;
	int status;
	if (opts_parse("logs", USAGE, SUMMARY, opts, true, argc, argv, &args, &status))
		return status;
	if ((status = cli_require_args("logs", USAGE, SUMMARY, &args, 1, 1)))
		return status;
	int64_t tsince = 0, tuntil = 0;
	if (since && parse_time(since, &tsince) < 0) {
		fprintf(stderr, "invalid value for \"since\": failed to parse value as time or duration: \"%s\"\n", since);
		return 1;
	}
	if (until && parse_time(until, &tuntil) < 0) {
		fprintf(stderr, "invalid value for \"until\": failed to parse value as time or duration: \"%s\"\n", until);
		return 1;
	}
	long ntail = -1;
	if (strcmp(tail, "all")) {
		char *end;
		ntail = strtol(tail, &end, 10);
		if (*end || ntail < 0)
			ntail = -1;
	}
	_cleanup_store_ struct store *st = NULL;
	berr err = { 0 };
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	_cleanup_ctr_ struct ctr *c = NULL;
	if (ctr_lookup(st, args.v[0], &c, &err) < 0)
		return cli_error(&err);
	struct log_opts lo;
	log_opts_of(c->cfg, &lo);
	if (strcmp(lo.driver, "json-file")) {
		fprintf(stderr, "Error response from daemon: configured logging driver does not support reading\n");
		return 1;
	}
	_cleanup_free_ char *lp = ctr_log_path(st, c->id);
	int fd = open(lp, O_RDONLY | O_CLOEXEC);
	struct strbuf pending = STRBUF_INIT;
	/* rotated files (--log-opt max-file): <log>.N (oldest) .. <log>.1, then the live file */
	struct strbuf pre = STRBUF_INIT;
	for (int k = 99; k >= 1; k--) {
		_cleanup_free_ char *rp = xasprintf("%s.%d", lp, k);
		_cleanup_free_ char *d = NULL;
		size_t dl = 0;
		berr e2;
		if (read_file(rp, &d, &dl, &e2) == 0)
			sb_add(&pre, d, dl);
	}
	/* tail: count lines from the whole file first (logs are small in practice) */
	off_t start = 0;
	long cur_lines = 0;
	if (fd >= 0 && ntail >= 0) {
		_cleanup_free_ char *all = NULL;
		size_t len = 0;
		if (read_file(lp, &all, &len, &err) == 0) {
			long seen = 0;
			start = 0;
			for (size_t i = 0; i < len; i++)
				cur_lines += all[i] == '\n';
			for (size_t i = len; i-- > 0;)
				if (all[i] == '\n' && i != len - 1 && ++seen == ntail) {
					start = (off_t)i + 1;
					break;
				}
			if (ntail == 0)
				start = (off_t)len;
			lseek(fd, start, SEEK_SET);
		}
	}
	if (pre.len) {
		size_t from = 0;
		if (ntail >= 0) {
			long need = ntail - cur_lines, seen = 0;
			from = pre.len;
			if (need > 0)
				for (size_t i = pre.len; i-- > 0;) {
					if (i == 0) { from = 0; break; }
					if (pre.buf[i - 1] == '\n' && ++seen == need) { from = i; break; }
				}
		}
		sb_add(&pending, pre.buf + from, pre.len - from);
	}
	sb_release(&pre);
	bool first = true;
	char buf[65536];
	for (;;) {
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf) : 0;
		if (n > 0 || first) {
			first = false;
			if (n > 0)
				sb_add(&pending, buf, (size_t)n);
			char *nl;
			size_t off = 0;
			while ((nl = memchr(pending.buf + off, '\n', pending.len - off))) {
				*nl = 0;
				json_t *e = json_loads(pending.buf + off, 0, NULL);
				if (e) {
					print_entry(e, stamps, tsince, tuntil);
					json_decref(e);
				}
				off = (size_t)(nl - pending.buf) + 1;
			}
			memmove(pending.buf, pending.buf + off, pending.len - off);
			sb_setlen(&pending, pending.len - off);
			continue;
		}
		if (!follow)
			break;
		if (ctr_refresh(st, c) != CTR_RUNNING) {
			/* read whatever the monitor flushed last, then stop */
			if (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0) {
				lseek(fd, -n, SEEK_CUR);
				continue;
			}
			break;
		}
		if (fd >= 0) {
			/* the monitor rotated the file: go on with the new one */
			struct stat a, b;
			if (fstat(fd, &a) == 0 && stat(lp, &b) == 0 && a.st_ino != b.st_ino) {
				close(fd);
				fd = -1;
			}
		}
		if (fd < 0)
			fd = open(lp, O_RDONLY | O_CLOEXEC);
		usleep(50000);
	}
	sb_release(&pending);
	if (fd >= 0)
		close(fd);
	return 0;
}

BERTH_COMMAND(cmd_logs) = { .name = "logs", .usage = USAGE, .summary = SUMMARY, .run = run_logs };
BERTH_COMMAND(cmd_container_logs) = { .group = "container", .name = "logs", .usage = USAGE, .summary = SUMMARY, .run = run_logs };
