/* lazylib.c: dlopen + dlsym of a lazily loaded library's function table (util/lazylib.h). */
#include "util/lazylib.h"
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t lazylib_lock = PTHREAD_MUTEX_INITIALIZER;

/* Debian's package name for a soname: libcurl.so.4 -> libcurl4, libfoo2.so.1 -> libfoo2-1. */
static void debian_package(const char *soname, char *out, size_t n)
{
	const char *so = strstr(soname, ".so.");
	if (!so) {
		snprintf(out, n, "%s", soname);
		return;
	}
	int base = (int)(so - soname);
	bool digit = base > 0 && soname[base - 1] >= '0' && soname[base - 1] <= '9';
	snprintf(out, n, "%.*s%s%s", base, soname, digit ? "-" : "", so + 4);
}

int lazylib_load(struct lazylib *l, berr *err)
{
	if (__atomic_load_n(&l->loaded, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&lazylib_lock);
	int r = 0;
	if (l->loaded)
		goto out;
	dlerror();
	void *h = dlopen(l->soname, RTLD_LAZY | RTLD_LOCAL);
	if (!h) {
		const char *why = dlerror();
		char pkg[128];
		debian_package(l->soname, pkg, sizeof pkg);
		if (why && strstr(why, l->soname) && strstr(why, "No such file"))
			r = berr_set(err, ENOENT, "%s not found: install the package that provides it "
				     "(Debian: apt-get install %s)", l->soname, pkg);
		else
			r = berr_set(err, ENOENT, "cannot load %s (package %s): %s", l->soname, pkg,
				     why ? why : "dlopen failed");
		goto out;
	}
	for (size_t i = 0; i < l->n; i++) {
		void *p = dlsym(h, l->names[i]);
		if (!p) {
			r = berr_set(err, ENOENT, "%s has no function %s (a version older than the "
				     "one berth was built with?)", l->soname, l->names[i]);
			dlclose(h);
			goto out;
		}
		l->table[i] = p;
	}
	__atomic_store_n(&l->loaded, 1, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&lazylib_lock);
	return r;
}

void lazylib_need(struct lazylib *l)
{
	berr err = { 0 };
	if (lazylib_load(l, &err) == 0)
		return;
	fflush(stdout);
	fprintf(stderr, "berth: %s\n", err.msg);
	exit(125);
}
