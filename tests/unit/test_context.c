/* test_context: the build context walk (ignore rules, symlinks never followed out of the
 * context), COPY source resolution, file and file-set digests (stable across a copy of the
 * context, changed when a file changes, with the file named), the stat cache and stdin. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "build/context.h"
#include "util/cleanup.h"
#include "util/fs.h"

static char tmp[] = "/tmp/test_context.XXXXXX";

static void put(const char *rel, const char *content)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", tmp, rel);
	_cleanup_free_ char *d = xstrdup(p);
	*strrchr(d, '/') = 0;
	berr e = { 0 };
	assert_int_equal(mkdir_p(d, 0755, &e), 0);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static void link_(const char *target, const char *rel)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", tmp, rel);
	assert_int_equal(symlink(target, p), 0);
}

static char *ctxdir(const char *name)
{
	return xasprintf("%s/%s", tmp, name);
}

static int setup(void **state)
{
	(void)state;
	strcpy(tmp, "/tmp/test_context.XXXXXX");
	assert_non_null(mkdtemp(tmp));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	berr e = { 0 };
	rm_rf(tmp, &e);
	return 0;
}

static char *listing(const struct bctx *c)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (size_t i = 1; i < c->n; i++)
		sb_addf(&sb, "%s%s%s ", c->e[i].path, S_ISDIR(c->e[i].mode) ? "/" : "",
			S_ISLNK(c->e[i].mode) ? "@" : "");
	return sb_detach(&sb);
}

static struct bctx *open_ctx(const char *name, struct store *st)
{
	_cleanup_free_ char *d = ctxdir(name);
	struct bctx_opts o = { .store = st };
	struct bctx *c = NULL;
	berr e = { 0 };
	if (bctx_open(d, &o, &c, &e) < 0)
		fail_msg("bctx_open: %s", e.msg);
	return c;
}

static void digest_of(struct bctx *c, const char *src, char out[DIGEST_STR_LEN + 1])
{
	struct bctx_fileset fs;
	berr e = { 0 };
	if (bctx_fileset(c, &src, 1, &fs, &e) < 0)
		fail_msg("fileset %s: %s", src, e.msg);
	memcpy(out, fs.digest, DIGEST_STR_LEN + 1);
	bctx_fileset_release(&fs);
}

static void test_walk_ignore(void **state)
{
	(void)state;
	put("c/.dockerignore", "**/*.pyc\n*.log\nlogs\n!keep/*.log\n*.env\n/Dockerfile\n# comment\nnode_modules\n!node_modules/keep\n");
	put("c/Dockerfile", "FROM scratch\n");
	put("c/src/a/main.py", "1\n");
	put("c/src/a/x.pyc", "x");
	put("c/logs/l.log", "l");
	put("c/keep/x.log", "k");
	put("c/top.log", "t");
	put("c/secret.env", "s");
	put("c/node_modules/dep/index.js", "d");
	put("c/node_modules/keep/k.js", "k");
	_cleanup_bctx_ struct bctx *c = open_ctx("c", NULL);
	_cleanup_free_ char *l = listing(c);
	assert_string_equal(l, ".dockerignore keep/ keep/x.log node_modules/ node_modules/keep/ node_modules/keep/k.js "
			       "src/ src/a/ src/a/main.py ");
	assert_string_equal(c->ignore_file, ".dockerignore");
	assert_true(bctx_lookup(c, "node_modules")->parent_only);
	assert_false(bctx_lookup(c, "node_modules/keep")->parent_only);
	assert_null(bctx_lookup(c, "secret.env"));
	assert_non_null(bctx_lookup(c, "."));

	/* Dockerfile-specific ignore file wins over .dockerignore (BuildKit) */
	put("c/Dockerfile.dockerignore", "src\n");
	bctx_free(c);
	c = open_ctx("c", NULL);
	assert_string_equal(c->ignore_file, "Dockerfile.dockerignore");
	assert_null(bctx_lookup(c, "src"));
	assert_non_null(bctx_lookup(c, "secret.env"));
	/* ... for -f path too: <path>.dockerignore next to the Dockerfile */
	put("other/app.Dockerfile", "FROM scratch\n");
	put("other/app.Dockerfile.dockerignore", "keep\n");
	_cleanup_free_ char *df = xasprintf("%s/other/app.Dockerfile", tmp);
	_cleanup_free_ char *d = ctxdir("c");
	struct bctx_opts o = { .dockerfile = df };
	struct bctx *c2 = NULL;
	berr e = { 0 };
	assert_int_equal(bctx_open(d, &o, &c2, &e), 0);
	assert_null(bctx_lookup(c2, "keep"));
	assert_non_null(bctx_lookup(c2, "src/a/main.py"));
	bctx_free(c2);
	/* a bad pattern is an error naming the file */
	put("c/Dockerfile.dockerignore", "[\n");
	assert_int_equal(bctx_open(d, NULL, &c2, &e), -1);
	assert_non_null(strstr(e.msg, "Dockerfile.dockerignore: syntax error in pattern"));
}

static void test_symlinks_not_followed(void **state)
{
	(void)state;
	put("s/in/file.txt", "inside\n");
	put("outside/secret.txt", "secret\n");
	_cleanup_free_ char *out_abs = xasprintf("%s/outside", tmp);
	link_(out_abs, "s/abs_out");        /* absolute, pointing out of the context */
	link_("../outside", "s/rel_out");   /* relative, climbing out */
	link_("../../../../../../etc/passwd", "s/in/deep_out");
	link_("in", "s/in_link");           /* inside */
	link_("/in/file.txt", "s/abs_in");  /* absolute: resolved from the context root */
	_cleanup_bctx_ struct bctx *c = open_ctx("s", NULL);
	_cleanup_free_ char *l = listing(c);
	assert_string_equal(l, "abs_in@ abs_out@ in/ in/deep_out@ in/file.txt in_link@ rel_out@ ");
	assert_string_equal(bctx_lookup(c, "abs_out")->link, out_abs);
	berr e = { 0 };
	char *r = NULL;
	/* a link out of the context resolves inside it: nothing there */
	assert_int_equal(bctx_resolve(c, "rel_out/secret.txt", true, &r, &e), -1);
	assert_int_equal(bctx_resolve(c, "abs_out/secret.txt", true, &r, &e), -1);
	assert_int_equal(bctx_resolve(c, "in/deep_out", true, &r, &e), -1);
	assert_int_equal(bctx_resolve(c, "abs_in", true, &r, &e), 0);
	assert_string_equal(r, "in/file.txt");
	free(r);
	assert_int_equal(bctx_resolve(c, "in_link/../in_link/file.txt", true, &r, &e), 0);
	assert_string_equal(r, "in/file.txt");
	free(r);
	assert_int_equal(bctx_resolve(c, "../../in/file.txt", true, &r, &e), 0);
	assert_string_equal(r, "in/file.txt");
	free(r);
	assert_int_equal(bctx_resolve(c, "abs_in", false, &r, &e), 0);
	assert_string_equal(r, "abs_in");
	free(r);
	/* COPY of a link that leaves the context: not found */
	struct bctx_fileset fs;
	const char *src = "rel_out";
	assert_int_equal(bctx_fileset(c, &src, 1, &fs, &e), -1);
	assert_string_equal(e.msg, "\"/rel_out\" not found: not found");
	/* COPY of a directory copies its symlinks as symlinks: the set names the target text */
	src = ".";
	assert_int_equal(bctx_fileset(c, &src, 1, &fs, &e), 0);
	assert_non_null(memmem(fs.manifest, fs.len, "rel_out\0l 0777 ../outside", 26));
	assert_null(memmem(fs.manifest, fs.len, "secret", 6));
	bctx_fileset_release(&fs);
	/* a COPY source that is a link inside the context is followed */
	char d1[DIGEST_STR_LEN + 1], d2[DIGEST_STR_LEN + 1];
	digest_of(c, "in_link", d1);
	digest_of(c, "in", d2);
	assert_string_not_equal(d1, d2); /* named after the link, content of the target */
	/* the file swapped for a symlink after the walk is never read through */
	struct bctx_entry *fe = (struct bctx_entry *)bctx_lookup(c, "in/file.txt");
	_cleanup_free_ char *fp = xasprintf("%s/s/in/file.txt", tmp);
	_cleanup_free_ char *sp = xasprintf("%s/outside/secret.txt", tmp);
	unlink(fp);
	assert_int_equal(symlink(sp, fp), 0);
	fe->digest[0] = 0;
	assert_int_equal(bctx_file_digest(c, fe, &e), -1);
	assert_int_equal(e.errnum, ELOOP);
}

static void test_digest_stable_across_copy(void **state)
{
	(void)state;
	put("p1/app/main.py", "print(1)\n");
	put("p1/app/util.py", "x = 2\n");
	put("p1/requirements.txt", "flask\n");
	put("p1/.dockerignore", "*.tmp\n");
	put("p1/junk.tmp", "junk");
	link_("app/main.py", "p1/entry");
	chmod(tmp, 0755);
	_cleanup_free_ char *cmd = xasprintf("cp -a %s/p1 %s/p2 && touch %s/p2/app/main.py", tmp, tmp, tmp);
	assert_int_equal(system(cmd), 0);
	_cleanup_free_ char *root = xasprintf("%s/store", tmp);
	struct store *st = NULL;
	berr e = { 0 };
	assert_int_equal(store_open(&st, root, root, &e), 0);
	struct bctx *a = open_ctx("p1", st), *b = open_ctx("p2", st);
	const char *srcs[] = { ".", "app", "app/*.py", "requirements.txt", "entry", "*.txt" };
	for (size_t i = 0; i < ARRAY_SIZE(srcs); i++) {
		char da[DIGEST_STR_LEN + 1], db[DIGEST_STR_LEN + 1];
		digest_of(a, srcs[i], da);
		digest_of(b, srcs[i], db);
		if (strcmp(da, db))
			fail_msg("COPY %s: %s != %s", srcs[i], da, db);
	}
	/* b was hashed on its own (other paths), yet gave the same digests */
	assert_true(b->stats.hashed > 0);
	bctx_free(a);
	bctx_free(b);
	store_close(st);
}

static void test_change_named(void **state)
{
	(void)state;
	put("ch/src/main.py", "print(1)\n");
	put("ch/src/lib.py", "y = 1\n");
	put("ch/README", "r\n");
	_cleanup_free_ char *root = xasprintf("%s/store2", tmp);
	struct store *st = NULL;
	berr e = { 0 };
	assert_int_equal(store_open(&st, root, root, &e), 0);
	struct bctx *c = open_ctx("ch", st);
	const char *src = "./src";
	struct bctx_fileset f1, f2;
	assert_int_equal(bctx_fileset(c, &src, 1, &f1, &e), 0);
	assert_int_equal(c->stats.hashed, 2);
	bctx_free(c);
	/* unchanged: same digest, nothing read (stat cache) */
	usleep(60000);
	c = open_ctx("ch", st);
	assert_int_equal(bctx_fileset(c, &src, 1, &f2, &e), 0);
	assert_string_equal(f1.digest, f2.digest);
	bctx_fileset_release(&f2);
	bctx_free(c);
	usleep(60000);
	c = open_ctx("ch", st);
	assert_int_equal(bctx_fileset(c, &src, 1, &f2, &e), 0);
	assert_int_equal(c->stats.hashed, 0);
	assert_int_equal(c->stats.cache_hits, 2);
	bctx_fileset_release(&f2);
	bctx_free(c);
	/* one file changes (same size, mtime put back: ctime still betrays it) */
	_cleanup_free_ char *mp = xasprintf("%s/ch/src/main.py", tmp);
	struct stat before;
	assert_int_equal(stat(mp, &before), 0);
	put("ch/src/main.py", "print(2)\n");
	struct timespec ts[2] = { before.st_atim, before.st_mtim };
	assert_int_equal(utimensat(AT_FDCWD, mp, ts, 0), 0);
	put("ch/README", "changed but not copied\n");
	c = open_ctx("ch", st);
	assert_int_equal(bctx_fileset(c, &src, 1, &f2, &e), 0);
	assert_string_not_equal(f1.digest, f2.digest);
	assert_int_equal(c->stats.hashed, 1);
	/* what changed, from the manifest saved under the old digest */
	char *om = NULL;
	size_t olen = 0;
	assert_int_equal(bctx_fileset_load(st, f1.digest, &om, &olen, &e), 1);
	struct bctx_change *ch;
	size_t n = bctx_fileset_diff(om, olen, f2.manifest, f2.len, &ch);
	assert_int_equal(n, 1);
	assert_string_equal(ch[0].path, "src/main.py");
	assert_int_equal(ch[0].kind, BCTX_CHANGED);
	_cleanup_free_ char *sum = bctx_changes_summary(ch, n, 3);
	assert_string_equal(sum, "src/main.py changed");
	bctx_changes_free(ch, n);
	free(om);
	_cleanup_free_ char *why = bctx_fileset_explain(st, f1.digest, &f2, 3);
	assert_string_equal(why, "src/main.py changed");
	_cleanup_free_ char *why2 = bctx_fileset_explain(st, "sha256:1111111111111111111111111111111111111111111111111111111111111111", &f2, 3);
	assert_string_equal(why2, "files changed");
	bctx_fileset_release(&f2);
	bctx_free(c);
	/* added, removed and a mode change */
	put("ch/src/new.py", "n\n");
	_cleanup_free_ char *lp = xasprintf("%s/ch/src/lib.py", tmp);
	unlink(lp);
	chmod(mp, 0755);
	c = open_ctx("ch", st);
	assert_int_equal(bctx_fileset(c, &src, 1, &f2, &e), 0);
	n = bctx_fileset_diff(f1.manifest, f1.len, f2.manifest, f2.len, &ch);
	assert_int_equal(n, 3); /* lib.py removed, main.py changed (mode), new.py added */
	assert_string_equal(ch[0].path, "src/lib.py");
	assert_int_equal(ch[0].kind, BCTX_REMOVED);
	assert_int_equal(ch[1].kind, BCTX_CHANGED);
	assert_string_equal(ch[2].path, "src/new.py");
	assert_int_equal(ch[2].kind, BCTX_ADDED);
	bctx_changes_free(ch, n);
	bctx_fileset_release(&f2);
	bctx_fileset_release(&f1);
	bctx_free(c);
	/* unknown digest */
	assert_int_equal(bctx_fileset_load(st, "sha256:0000000000000000000000000000000000000000000000000000000000000000", &om, &olen, &e), 0);
	store_close(st);
}

static void test_copy_globs(void **state)
{
	(void)state;
	put("g/one.txt", "1");
	put("g/two.txt", "2");
	put("g/skip.bin", "s");
	put("g/a.conf", "a");
	put("g/c.conf", "c");
	put("g/dir/x.md", "x");
	put("g/dir/sub/y.txt", "y");
	put("g/dor/z.md", "z");
	put("g/*star", "literal");
	_cleanup_bctx_ struct bctx *c = open_ctx("g", NULL);
	struct { const char *src, *want; } v[] = {
		{ "*.txt", "one.txt two.txt " },
		{ "d?r/*.md", "dir/x.md dor/z.md " },
		{ "[ab].conf", "a.conf " },
		{ "**/*.txt", "" },               /* "**" is two '*': one level only */
		{ "*/*.txt", "" },
		{ "dir/*/*.txt", "dir/sub/y.txt " },
		{ "d*", "dir dor " },             /* a matched directory is not descended */
		{ "?star", "*star " },
		{ "./dir/../one.txt", "one.txt " },
		{ "/two.txt", "two.txt " },
		{ "nomatch*", "" },
		{ ".", ". " },
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		_cleanup_strvec_ struct strvec m = STRVEC_INIT, r = STRVEC_INIT;
		berr e = { 0 };
		if (bctx_copy_source(c, v[i].src, &m, &r, &e) < 0)
			fail_msg("%s: %s", v[i].src, e.msg);
		struct strbuf sb = STRBUF_INIT;
		sb_init(&sb);
		for (size_t j = 0; j < m.n; j++)
			sb_addf(&sb, "%s ", m.v[j]);
		if (strcmp(sb.buf, v[i].want))
			fail_msg("COPY %s: got [%s], want [%s]", v[i].src, sb.buf, v[i].want);
		sb_release(&sb);
	}
	_cleanup_strvec_ struct strvec m = STRVEC_INIT, r = STRVEC_INIT;
	berr e = { 0 };
	assert_int_equal(bctx_copy_source(c, "missing.txt", &m, &r, &e), -1);
	assert_string_equal(e.msg, "\"/missing.txt\" not found: not found");
	assert_int_equal(bctx_copy_source(c, "[x-", &m, &r, &e), -1);
	/* an escaped wildcard makes the path literal, backslash included (fsutil) */
	assert_int_equal(bctx_copy_source(c, "\\*star", &m, &r, &e), -1);
	assert_string_equal(e.msg, "\"/\\*star\" not found: not found");
	/* multi-source set == order-sensitive union */
	const char *two[] = { "one.txt", "two.txt" }, *rev[] = { "two.txt", "one.txt" };
	struct bctx_fileset f1, f2;
	assert_int_equal(bctx_fileset(c, two, 2, &f1, &e), 0);
	assert_int_equal(bctx_fileset(c, rev, 2, &f2, &e), 0);
	assert_int_equal(f1.nentries, 2);
	assert_string_not_equal(f1.digest, f2.digest);
	bctx_fileset_release(&f1);
	bctx_fileset_release(&f2);
}

static char *set_paths(const struct bctx_fileset *fs)
{
	struct strbuf sb = STRBUF_INIT;
	sb_init(&sb);
	for (const char *p = fs->manifest; p < fs->manifest + fs->len;) {
		sb_addf(&sb, "%s ", p);
		p += strlen(p) + 1;
		p += strlen(p) + 1;
	}
	return sb_detach(&sb);
}

/* COPY --exclude: relative to each copied directory, exceptions, the match itself kept. */
static void test_copy_exclude(void **state)
{
	(void)state;
	put("x/app/a.py", "a");
	put("x/app/a.pyc", "c");
	put("x/app/tests/t.py", "t");
	put("x/app/tests/keep/k.py", "k");
	put("x/app/docs/d.md", "d");
	put("x/top.pyc", "t");
	_cleanup_bctx_ struct bctx *c = open_ctx("x", NULL);
	struct { const char *src; const char *ex[3]; size_t n; const char *want; } v[] = {
		{ "app", { "*.pyc" }, 1, "app app/a.py app/docs app/docs/d.md app/tests app/tests/keep app/tests/keep/k.py app/tests/t.py " },
		{ "app", { "tests" }, 1, "app app/a.py app/a.pyc app/docs app/docs/d.md " },
		{ "app", { "tests", "!tests/keep" }, 2, "app app/a.py app/a.pyc app/docs app/docs/d.md app/tests app/tests/keep app/tests/keep/k.py " },
		{ "app", { "**/*.py", "docs" }, 2, "app app/a.pyc app/tests app/tests/keep " }, /* empty dirs stay */
		{ "top.pyc", { "*.pyc" }, 1, "top.pyc " },          /* the match itself is never excluded */
		{ "*.pyc", { "*.pyc" }, 1, "top.pyc " },
		{ "app", { "tests", "!nothing" }, 2, "app app/a.py app/a.pyc app/docs app/docs/d.md " },
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct bctx_fileset fs;
		berr e = { 0 };
		if (bctx_fileset_ex(c, &v[i].src, 1, v[i].ex, v[i].n, &fs, &e) < 0)
			fail_msg("%zu: %s", i, e.msg);
		_cleanup_free_ char *got = set_paths(&fs);
		if (strcmp(got, v[i].want))
			fail_msg("COPY --exclude case %zu: got [%s], want [%s]", i, got, v[i].want);
		bctx_fileset_release(&fs);
	}
	struct bctx_fileset fs;
	berr e = { 0 };
	const char *bad[] = { "!" }, *src = "app";
	assert_int_equal(bctx_fileset_ex(c, &src, 1, bad, 1, &fs, &e), -1);
	assert_non_null(strstr(e.msg, "illegal exclusion pattern"));
}

struct visit_acc {
	struct strbuf sb;
	int stop_after;
};

static int visitor(void *arg, const char *match, const char *sub, struct bctx_entry *e, berr *err)
{
	(void)err;
	struct visit_acc *a = arg;
	sb_addf(&a->sb, "%s:%s%s ", match, sub, S_ISDIR(e->mode) ? "/" : "");
	return --a->stop_after == 0 ? 7 : 0;
}

/* bctx_copy_walk: what the builder iterates to copy; bctx_open_entry: how it reads a file. */
static void test_copy_walk(void **state)
{
	(void)state;
	put("w/app/a.py", "print(1)\n");
	put("w/app/b/c.py", "c");
	put("w/r.txt", "r");
	link_("app", "w/link");
	_cleanup_bctx_ struct bctx *c = open_ctx("w", NULL);
	const char *srcs[] = { "link", "*.txt" };
	struct visit_acc a = { STRBUF_INIT, -1 };
	sb_init(&a.sb);
	berr e = { 0 };
	assert_int_equal(bctx_copy_walk(c, srcs, 2, NULL, 0, visitor, &a, &e), 0);
	assert_string_equal(a.sb.buf, "link:/ link:a.py link:b/ link:b/c.py r.txt: ");
	sb_reset(&a.sb);
	a.stop_after = 2;
	assert_int_equal(bctx_copy_walk(c, srcs, 2, NULL, 0, visitor, &a, &e), 7);
	assert_string_equal(a.sb.buf, "link:/ link:a.py ");
	sb_release(&a.sb);
	struct stat st;
	int fd = bctx_open_entry(c, bctx_lookup(c, "app/a.py"), &st, &e);
	assert_true(fd >= 0);
	char buf[16] = { 0 };
	assert_int_equal(read(fd, buf, sizeof buf), 9);
	assert_string_equal(buf, "print(1)\n");
	close(fd);
	assert_int_equal(bctx_open_entry(c, bctx_lookup(c, "app"), NULL, &e), -1);
	/* replaced after the walk: refused */
	_cleanup_free_ char *p = xasprintf("%s/w/r.txt", tmp), *p2 = xasprintf("%s/w/r2.txt", tmp);
	put("w/r2.txt", "new");
	assert_int_equal(rename(p2, p), 0);
	assert_int_equal(bctx_open_entry(c, bctx_lookup(c, "r.txt"), NULL, &e), -1);
	assert_int_equal(e.errnum, EAGAIN);
}

/* A FIFO is recorded, never opened (reading it would block); symlink loops end in ELOOP. */
static void test_special_files(void **state)
{
	(void)state;
	put("sp/f", "x");
	_cleanup_free_ char *fifo = xasprintf("%s/sp/fifo", tmp);
	assert_int_equal(mkfifo(fifo, 0640), 0);
	link_("b", "sp/a");
	link_("a", "sp/b");
	/* a socket: BuildKit sends it as an empty regular file */
	_cleanup_free_ char *sockp = xasprintf("%s/sp/sock", tmp);
	int sfd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	assert_true(strlen(sockp) < sizeof sa.sun_path);
	strcpy(sa.sun_path, sockp);
	assert_int_equal(bind(sfd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(chmod(sockp, 0750), 0);
	_cleanup_bctx_ struct bctx *c = open_ctx("sp", NULL);
	close(sfd);
	struct bctx_fileset fs;
	berr e = { 0 };
	const char *src = ".";
	assert_int_equal(bctx_fileset(c, &src, 1, &fs, &e), 0);
	assert_non_null(memmem(fs.manifest, fs.len, "fifo\0p 0640\0", 12));
	const char sockrec[] = "sock\0f 0750 sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	assert_non_null(memmem(fs.manifest, fs.len, sockrec, sizeof sockrec));
	assert_int_equal(c->stats.hashed, 1); /* only "f"; the socket was never opened */
	bctx_fileset_release(&fs);
	src = "a";
	assert_int_equal(bctx_fileset(c, &src, 1, &fs, &e), -1);
	assert_int_equal(e.errnum, ELOOP);
	char *r = NULL;
	assert_int_equal(bctx_resolve(c, "a/x", true, &r, &e), -1);
}

static void test_stdin(void **state)
{
	(void)state;
	put("t/a/b.txt", "bee\n");
	put("t/c", "see\n");
	_cleanup_free_ char *tarp = xasprintf("%s/ctx.tar.gz", tmp);
	_cleanup_free_ char *cmd = xasprintf("tar -C %s/t -czf %s .", tmp, tarp);
	assert_int_equal(system(cmd), 0);
	_cleanup_free_ char *tmpd = xasprintf("%s/spool", tmp);
	berr e = { 0 };
	assert_int_equal(mkdir_p(tmpd, 0700, &e), 0);
	int fd = open(tarp, O_RDONLY);
	char *dir = NULL, *df = NULL;
	size_t dl;
	assert_int_equal(bctx_from_stdin(fd, tmpd, &dir, &df, &dl, &e), 0);
	close(fd);
	assert_non_null(dir);
	assert_null(df);
	struct bctx *a = NULL;
	assert_int_equal(bctx_open(dir, NULL, &a, &e), 0);
	_cleanup_free_ char *l = listing(a);
	assert_string_equal(l, "a/ a/b.txt c ");
	bctx_free(a);
	rm_rf(dir, &e);
	free(dir);
	/* a bare Dockerfile */
	put("Dockerfile.stdin", "FROM busybox\nRUN true\n");
	_cleanup_free_ char *dfp = xasprintf("%s/Dockerfile.stdin", tmp);
	fd = open(dfp, O_RDONLY);
	assert_int_equal(bctx_from_stdin(fd, tmpd, &dir, &df, &dl, &e), 0);
	close(fd);
	assert_null(dir);
	assert_string_equal(df, "FROM busybox\nRUN true\n");
	assert_int_equal(dl, 22);
	free(df);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_ignore),
		cmocka_unit_test(test_symlinks_not_followed),
		cmocka_unit_test(test_digest_stable_across_copy),
		cmocka_unit_test(test_change_named),
		cmocka_unit_test(test_copy_globs),
		cmocka_unit_test(test_copy_exclude),
		cmocka_unit_test(test_copy_walk),
		cmocka_unit_test(test_special_files),
		cmocka_unit_test(test_stdin),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
