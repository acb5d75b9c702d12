/* devices.c: device access of a container: the device cgroup rules (Docker's default allow
 * list, --device, --device-cgroup-rule; --privileged allows all), parsing of --device and
 * --device-cgroup-rule as Docker's, and the device nodes made in the container's /dev
 * (--device, and every host device for --privileged, as runc's HostDevices). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/safepath.h"

static const char *const default_rules[] = {
	"c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
	"c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm", NULL,
};

static bool perms_valid(const char *s)
{
	if (!*s || strlen(s) > 3)
		return false;
	for (const char *p = s; *p; p++)
		if (!strchr("rwm", *p) || strchr(p + 1, *p))
			return false;
	return true;
}

static unsigned perms_bits(const char *s)
{
	unsigned a = 0;
	for (; *s; s++)
		a |= *s == 'r' ? DEV_R : *s == 'w' ? DEV_W : *s == 'm' ? DEV_M : 0;
	return a;
}

static int num_or_star(const char **s, int64_t *out)
{
	if (**s == '*') {
		*out = -1;
		(*s)++;
		return 0;
	}
	if (**s < '0' || **s > '9')
		return -1;
	char *e;
	*out = strtoll(*s, &e, 10);
	*s = e;
	return 0;
}

int dev_rule_parse(const char *s, struct dev_rule *r)
{
	/* Docker: ^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$; "a" alone allows all */
	memset(r, 0, sizeof *r);
	if (!strcmp(s, "a")) {
		r->type = 'a';
		r->major = r->minor = -1;
		r->access = DEV_R | DEV_W | DEV_M;
		return 0;
	}
	if ((s[0] != 'a' && s[0] != 'b' && s[0] != 'c') || s[1] != ' ')
		return -1;
	r->type = s[0];
	const char *p = s + 2;
	if (num_or_star(&p, &r->major) < 0 || *p++ != ':' || num_or_star(&p, &r->minor) < 0 || *p++ != ' ')
		return -1;
	if (!perms_valid(p))
		return -1;
	r->access = perms_bits(p);
	return 0;
}

void dev_rule_format(const struct dev_rule *r, char *buf, size_t n)
{
	char maj[24], min[24], acc[4];
	int k = 0;
	if (r->access & DEV_R) acc[k++] = 'r';
	if (r->access & DEV_W) acc[k++] = 'w';
	if (r->access & DEV_M) acc[k++] = 'm';
	acc[k] = 0;
	if (r->major < 0) snprintf(maj, sizeof maj, "*"); else snprintf(maj, sizeof maj, "%lld", (long long)r->major);
	if (r->minor < 0) snprintf(min, sizeof min, "*"); else snprintf(min, sizeof min, "%lld", (long long)r->minor);
	snprintf(buf, n, "%c %s:%s %s", r->type, maj, min, acc);
}

static ssize_t push(struct dev_rule *out, size_t max, size_t *n, const struct dev_rule *r, berr *err)
{
	if (*n >= max)
		return berr_set(err, E2BIG, "too many device rules");
	out[(*n)++] = *r;
	return 0;
}

/* Visit every device node at or under host path p (a directory is walked, as Docker's
 * --device /dev/dir). skip_std: the directories and files runc's HostDevices skips. */
static int walk(int dfd, const char *rel, int depth, bool skip_std,
		int (*fn)(void *, const char *, const struct stat *), void *arg)
{
	int dup_fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dup_fd < 0)
		return 0;
	DIR *d = fdopendir(dup_fd);
	if (!d) {
		close(dup_fd);
		return 0;
	}
	struct dirent *e;
	int rc = 0;
	while (rc == 0 && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		struct stat sb;
		if (fstatat(dfd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		_cleanup_free_ char *sub = xasprintf("%s/%s", rel, e->d_name);
		if (S_ISDIR(sb.st_mode)) {
			static const char *const skipdirs[] = { "pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev", NULL };
			bool skip = false;
			for (const char *const *s = skipdirs; skip_std && depth == 0 && *s; s++)
				skip |= !strcmp(e->d_name, *s);
			if (skip || depth >= 8)
				continue;
			int c = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (c >= 0) {
				rc = walk(c, sub, depth + 1, skip_std, fn, arg);
				close(c);
			}
		} else if (S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode)) {
			if (skip_std && (!strcmp(e->d_name, "console") || !strcmp(sub, "/dev/ptmx")))
				continue;
			rc = fn(arg, sub, &sb);
		}
	}
	closedir(d);
	return rc;
}

int dev_walk_host(const char *path, bool skip_std, int (*fn)(void *, const char *, const struct stat *), void *arg)
{
	struct stat sb;
	if (stat(path, &sb) < 0)
		return -1;
	if (S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode))
		return fn(arg, path, &sb);
	if (!S_ISDIR(sb.st_mode)) {
		errno = ENODEV;
		return -1;
	}
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	return walk(fd, strcmp(path, "/") ? path : "", 0, skip_std, fn, arg);
}

struct rules_ctx {
	struct dev_rule *out;
	size_t max, *n;
	unsigned access;
	berr *err;
};

static int add_node_rule(void *a, const char *path, const struct stat *sb)
{
	(void)path;
	struct rules_ctx *c = a;
	struct dev_rule r = { S_ISBLK(sb->st_mode) ? 'b' : 'c', major(sb->st_rdev), minor(sb->st_rdev), c->access };
	return (int)push(c->out, c->max, c->n, &r, c->err);
}

ssize_t dev_rules_of(json_t *hc, struct dev_rule *out, size_t max, berr *err)
{
	size_t n = 0;
	struct dev_rule r;
	if (json_is_true(json_object_get(hc, "Privileged"))) {
		dev_rule_parse("a", &r);
		if (push(out, max, &n, &r, err) < 0)
			return -1;
		return (ssize_t)n;
	}
	for (const char *const *s = default_rules; *s; s++) {
		dev_rule_parse(*s, &r);
		if (push(out, max, &n, &r, err) < 0)
			return -1;
	}
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(hc, "Devices"), i, v) {
		const char *host = json_string_value(json_object_get(v, "PathOnHost"));
		const char *perm = json_string_value(json_object_get(v, "CgroupPermissions"));
		struct rules_ctx c = { out, max, &n, perms_bits(perm ? perm : "rwm"), err };
		if (!host || dev_walk_host(host, false, add_node_rule, &c) < 0) {
			if (err->msg[0])
				return -1;
			return berr_sys(err, "error gathering device information while adding custom device \"%s\"", host ? host : "");
		}
	}
	json_array_foreach(json_object_get(hc, "DeviceCgroupRules"), i, v) {
		if (dev_rule_parse(json_string_value(v), &r) < 0)
			return berr_set(err, EINVAL, "invalid device cgroup format '%s'", json_string_value(v));
		if (push(out, max, &n, &r, err) < 0)
			return -1;
	}
	return (ssize_t)n;
}

int dev_parse_flag(const char *spec, json_t **out, berr *err)
{
	/* Docker's ParseDevice: SRC[:DST][:PERMS] */
	_cleanup_free_ char *s = xstrdup(spec);
	char *f[4] = { 0 };
	int nf = 0;
	for (char *p = s, *tok; nf < 4 && (tok = strsep(&p, ":")); )
		f[nf++] = tok;
	const char *src = f[0], *dst = NULL, *perm = "rwm";
	if (nf == 4 || !src || !*src)
		return berr_set(err, EINVAL, "invalid device specification: %s", spec);
	if (nf == 3) {
		dst = f[1];
		if (!perms_valid(f[2]))
			return berr_set(err, EINVAL, "bad mode specified: %s", f[2]);
		perm = f[2];
	} else if (nf == 2) {
		if (perms_valid(f[1]))
			perm = f[1];
		else
			dst = f[1];
	}
	if (!dst || !*dst)
		dst = src;
	if (dst[0] != '/')
		return berr_set(err, EINVAL, "%s is not an absolute path", dst);
	struct stat sb;
	if (stat(src, &sb) < 0) {
		/* Docker's daemon error (Go's lower-case errno text) */
		char e[128];
		snprintf(e, sizeof e, "%s", strerror(errno));
		e[0] = (char)(e[0] >= 'A' && e[0] <= 'Z' ? e[0] + 32 : e[0]);
		return berr_set(err, ENOENT, "error gathering device information while adding custom device \"%s\": %s", src, e);
	}
	if (!S_ISCHR(sb.st_mode) && !S_ISBLK(sb.st_mode) && !S_ISDIR(sb.st_mode))
		return berr_set(err, EINVAL, "error gathering device information while adding custom device \"%s\": not a device node", src);
	*out = json_pack("{s:s,s:s,s:s}", "PathOnHost", src, "PathInContainer", dst, "CgroupPermissions", perm);
	return 0;
}

int dev_cgroup_rule_check(const char *s, berr *err)
{
	struct dev_rule r;
	if (!strcmp(s, "a") || dev_rule_parse(s, &r) < 0)
		return berr_set(err, EINVAL, "invalid argument \"%s\" for \"--device-cgroup-rule\" flag: invalid device cgroup format '%s'", s, s);
	return 0;
}

/* ---- device nodes in the container's /dev (the sandbox child, before pivot_root) ---- */

struct node_ctx {
	int rootfd;
	const char *host_base, *ctr_base; /* prefix mapping host path -> container path */
	int failed_errno;
};

static int make_node(void *a, const char *path, const struct stat *sb)
{
	struct node_ctx *c = a;
	size_t hl = strlen(c->host_base);
	_cleanup_free_ char *dst = xasprintf("%s%s", c->ctr_base, path + hl);
	_cleanup_free_ char *dir = xstrdup(dst);
	char *sl = strrchr(dir, '/');
	const char *base = sl ? sl + 1 : dst;
	if (sl)
		*sl = 0;
	berr e = { 0 };
	_cleanup_close_ int dfd = sp_mkdir_p(c->rootfd, *dir ? dir : "/", 0755, 0, &e);
	if (dfd < 0) {
		c->failed_errno = errno ? errno : EIO;
		return 0;
	}
	/* a node that is there already (the defaults: null, zero, tty...) is replaced, as runc */
	unlinkat(dfd, base, 0);
	mode_t old = umask(0);
	int r = mknodat(dfd, base, (sb->st_mode & S_IFMT) | (sb->st_mode & 07777), sb->st_rdev);
	umask(old);
	if (r < 0) {
		c->failed_errno = errno;
		return 0;
	}
	fchownat(dfd, base, sb->st_uid, sb->st_gid, AT_SYMLINK_NOFOLLOW);
	return 0;
}

int dev_make_nodes(int rootfd, json_t *hc, berr *err)
{
	if (json_is_true(json_object_get(hc, "Privileged"))) {
		struct node_ctx c = { rootfd, "/dev", "/dev", 0 };
		if (dev_walk_host("/dev", true, make_node, &c) < 0)
			return berr_sys(err, "list the host's devices");
	}
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(hc, "Devices"), i, v) {
		const char *host = json_string_value(json_object_get(v, "PathOnHost"));
		const char *ctr = json_string_value(json_object_get(v, "PathInContainer"));
		if (!host || !ctr)
			continue;
		struct node_ctx c = { rootfd, host, ctr, 0 };
		if (dev_walk_host(host, false, make_node, &c) < 0)
			return berr_sys(err, "error gathering device information while adding custom device \"%s\"", host);
		if (c.failed_errno) {
			errno = c.failed_errno;
			return berr_sys(err, "create device %s", ctr);
		}
	}
	return 0;
}
