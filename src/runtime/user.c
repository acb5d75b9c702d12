/* user.c: resolve `-u name|uid[:group|gid]` against the container's own /etc/passwd and
 * /etc/group, read through the container root (RESOLVE_IN_ROOT) and parsed here: no NSS, no
 * getpwnam inside a rootfs. Supplementary groups are the groups listing the user, as Docker. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "runtime/runtime.h"
#include "util/cleanup.h"

static char *slurp(int rootfd, const char *path)
{
	int fd = rootfs_open_in(rootfd, path, O_RDONLY | O_NOFOLLOW, false, false, 0);
	if (fd < 0)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0 && sb.len < (1 << 20))
		sb_add(&sb, buf, (size_t)n);
	close(fd);
	return sb_detach(&sb);
}

static bool numeric(const char *s, unsigned long *out)
{
	char *end;
	if (!*s)
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !errno && !*end;
}

/* Split a colon-separated line into at most max fields (in place). */
static int fields(char *line, char **f, int max)
{
	int n = 0;
	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == ':') {
			*p = 0;
			f[n++] = p + 1;
		}
	return n;
}

int user_resolve(int rootfd, const char *spec, struct run_user *u, berr *err)
{
	memset(u, 0, sizeof *u);
	snprintf(u->home, sizeof u->home, "/");
	if (!spec || !*spec)
		spec = "0";
	_cleanup_free_ char *us = xstrdup(spec);
	char *grp = strchr(us, ':');
	if (grp)
		*grp++ = 0;
	_cleanup_free_ char *passwd = slurp(rootfd, "/etc/passwd");
	_cleanup_free_ char *group = slurp(rootfd, "/etc/group");
	unsigned long num = 0;
	bool uid_numeric = numeric(us, &num);
	bool found = false;
	char uname[256] = "";
	if (uid_numeric) {
		u->uid = (uid_t)num;
		u->gid = 0;
	}
	for (char *l = passwd, *next; l && *l; l = next) {
		next = strchr(l, '\n');
		if (next)
			*next++ = 0;
		char *f[7];
		if (fields(l, f, 7) < 7)
			continue;
		unsigned long uid, gid;
		if (!numeric(f[2], &uid) || !numeric(f[3], &gid))
			continue;
		if (uid_numeric ? uid == num : !strcmp(f[0], us)) {
			u->uid = (uid_t)uid;
			u->gid = (gid_t)gid;
			snprintf(u->home, sizeof u->home, "%s", f[5]);
			snprintf(uname, sizeof uname, "%s", f[0]);
			found = true;
			break;
		}
	}
	if (!found && !uid_numeric)
		return berr_set(err, ENOENT, "unable to find user %s: no matching entries in passwd file", us);
	bool explicit_group = grp && *grp;
	if (explicit_group && numeric(grp, &num))
		u->gid = (gid_t)num;
	else if (explicit_group) {
		bool gfound = false;
		_cleanup_free_ char *g2 = group ? xstrdup(group) : NULL;
		for (char *l = g2, *next; l && *l; l = next) {
			next = strchr(l, '\n');
			if (next)
				*next++ = 0;
			char *f[4];
			unsigned long gid;
			if (fields(l, f, 4) < 3 || !numeric(f[2], &gid))
				continue;
			if (!strcmp(f[0], grp)) {
				u->gid = (gid_t)gid;
				gfound = true;
				break;
			}
		}
		if (!gfound)
			return berr_set(err, ENOENT, "unable to find group %s: no matching entries in group file", grp);
	}
	u->groups[u->ngroups++] = u->gid;
	if (!explicit_group && uname[0]) {
		for (char *l = group, *next; l && *l; l = next) {
			next = strchr(l, '\n');
			if (next)
				*next++ = 0;
			char *f[4];
			unsigned long gid;
			if (fields(l, f, 4) < 4 || !numeric(f[2], &gid))
				continue;
			for (char *m = strtok(f[3], ","); m; m = strtok(NULL, ","))
				if (!strcmp(m, uname)) {
					bool dup = false;
					for (int i = 0; i < u->ngroups; i++)
						dup |= u->groups[i] == (gid_t)gid;
					if (!dup && u->ngroups < 64)
						u->groups[u->ngroups++] = (gid_t)gid;
				}
		}
	}
	return 0;
}
