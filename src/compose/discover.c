/* discover.c: which Compose files a project uses (-f, COMPOSE_FILE, or compose.yaml /
 * compose.yml / docker-compose.yaml / docker-compose.yml found in the working directory or its
 * parents, plus the matching override file), the project directory, and project names. */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "compose/compose.h"
#include "util/cleanup.h"
#include "util/fs.h"

char *compose_abspath(const char *dir, const char *p)
{
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	if (p[0] == '~' && (p[1] == '/' || !p[1]) && getenv("HOME"))
		sb_addf(&sb, "%s%s", getenv("HOME"), p + 1);
	else if (p[0] == '/')
		sb_adds(&sb, p);
	else
		sb_addf(&sb, "%s/%s", dir, p);
	/* clean: collapse //, /./ and /../ (lexically, as Go's filepath.Clean) */
	char *s = sb.buf;
	_cleanup_strvec_ struct strvec parts = STRVEC_INIT;
	for (char *tok = strtok(s, "/"); tok; tok = strtok(NULL, "/")) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..")) {
			if (parts.n) {
				free(parts.v[--parts.n]);
				parts.v[parts.n] = NULL;
			}
			continue;
		}
		sv_push(&parts, tok);
	}
	struct strbuf out = STRBUF_INIT;
	sb_init(&out);
	for (size_t i = 0; i < parts.n; i++)
		sb_addf(&out, "/%s", parts.v[i]);
	if (!out.len)
		sb_addc(&out, '/');
	return sb_detach(&out);
}

int compose_getcwd(const struct compose_opts *o, char *buf, size_t size, berr *err)
{
	if (o && o->workdir) {
		snprintf(buf, size, "%s", o->workdir);
		return 0;
	}
	/* as Go's os.Getwd: $PWD when it names the current directory (keeps symlinked paths) */
	const char *pwd = getenv("PWD");
	struct stat a, b;
	if (pwd && pwd[0] == '/' && strlen(pwd) < size && stat(pwd, &a) == 0 && stat(".", &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		snprintf(buf, size, "%s", pwd);
		return 0;
	}
	if (!getcwd(buf, size))
		return berr_sys(err, "getcwd");
	return 0;
}

bool compose_valid_name(const char *s)
{
	if (!*s || !(islower((unsigned char)*s) || isdigit((unsigned char)*s)))
		return false;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-' || *s == '_'))
			return false;
	return true;
}

char *compose_normalize_name(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (; *s; s++) {
		char c = (char)tolower((unsigned char)*s);
		if (islower((unsigned char)c) || isdigit((unsigned char)c) || c == '-' || c == '_')
			if (sb.len || (c != '-' && c != '_'))
				sb_addc(&sb, c);
	}
	return sb_detach(&sb);
}

static bool is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static const char *const defaults[] = { "compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml" };
static const char *const overrides[] = { "compose.override.yaml", "compose.override.yml",
					 "docker-compose.override.yaml", "docker-compose.override.yml" };

static char *find_in(const char *dir, const char *const *names, size_t n)
{
	char *first = NULL;
	_cleanup_strvec_ struct strvec found = STRVEC_INIT;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", dir, names[i]);
		if (is_file(p))
			sv_push(&found, p);
	}
	if (!found.n)
		return NULL;
	first = xstrdup(found.v[0]);
	if (found.n > 1) {
		struct strbuf b = STRBUF_INIT;
		sb_init(&b);
		for (size_t i = 0; i < found.n; i++)
			sb_addf(&b, "%s%s", i ? ", " : "", found.v[i]);
		compose_warn("Found multiple config files with supported names: %s", b.buf);
		compose_warn("Using %s", first);
		sb_release(&b);
	}
	return first;
}

int compose_discover(const struct compose_opts *o, json_t *env, struct strvec *files, char **project_dir, berr *err)
{
	char cwd[PATH_MAX];
	if (compose_getcwd(o, cwd, sizeof cwd, err) < 0)
		return -1;
	_cleanup_strvec_ struct strvec given = STRVEC_INIT;
	for (size_t i = 0; i < o->files.n; i++)
		sv_push(&given, o->files.v[i]);
	const char *cf = compose_lookup_json(env, "COMPOSE_FILE");
	if (!given.n && cf && *cf) {
		const char *sep = compose_lookup_json(env, "COMPOSE_PATH_SEPARATOR");
		char sepc = sep && *sep ? sep[0] : ':';
		_cleanup_free_ char *copy = xstrdup(cf);
		char *save = NULL;
		char seps[2] = { sepc, 0 };
		for (char *t = strtok_r(copy, seps, &save); t; t = strtok_r(NULL, seps, &save))
			sv_push(&given, t);
	}
	if (given.n) {
		for (size_t i = 0; i < given.n; i++) {
			if (!strcmp(given.v[i], "-"))
				return berr_set(err, 0, "reading a Compose file from stdin (-f -) is not supported yet");
			char *p = compose_abspath(cwd, given.v[i]);
			if (!path_exists(p)) {
				berr_set(err, 2, "open %s: no such file or directory", p);
				free(p);
				return -1;
			}
			sv_push_owned(files, p);
		}
	} else {
		_cleanup_free_ char *dir = xstrdup(cwd);
		for (;;) {
			char *f = find_in(dir, defaults, ARRAY_SIZE(defaults));
			if (f) {
				sv_push_owned(files, f);
				char *ov = find_in(dir, overrides, ARRAY_SIZE(overrides));
				if (ov)
					sv_push_owned(files, ov);
				break;
			}
			char *slash = strrchr(dir, '/');
			if (!slash || slash == dir)
				break;
			*slash = 0;
		}
		if (!files->n) {
			/* the filesystem root too */
			char *f = find_in("", defaults, ARRAY_SIZE(defaults));
			if (f)
				sv_push_owned(files, f);
		}
		if (!files->n)
			return berr_set(err, 0, "no configuration file provided: not found");
	}
	if (o->project_dir)
		*project_dir = compose_abspath(cwd, o->project_dir);
	else {
		char *d = xstrdup(files->v[0]);
		char *slash = strrchr(d, '/');
		if (slash == d)
			d[1] = 0;
		else if (slash)
			*slash = 0;
		*project_dir = d;
	}
	return 0;
}
