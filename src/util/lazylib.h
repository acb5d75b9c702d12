/* lazylib.h: shared libraries berth loads with dlopen on first use instead of linking them
 * (libcurl, libarchive, libnftables, libfyaml): a command that never pulls an image or reads a
 * tar does not pay for loading and relocating them and their ~40 dependencies at start-up.
 * See docs/startup.md.
 *
 * Each library has a header src/util/lazy_<lib>.h that includes the library's own header,
 * lists the functions berth calls (LAZY_<LIB>_FUNCS), declares a table of pointers typed with
 * __typeof__(function) and #defines each function name to its table entry, so the calling code
 * is unchanged. The table is filled by lazylib_load_<lib>(&err) (entry points call it to turn a
 * missing library into a clear error); a call through a table nobody loaded loads it then, or
 * prints the error and exits 125. The soname comes from the build (mk/lazylibs.mk). */
#pragma once
#include <stddef.h>
#include "util/err.h"

struct lazylib {
	const char *soname;        /* "libcurl.so.4", read from the .so at build time */
	const char *const *names;  /* the functions, in table order */
	void **table;              /* n pointers, filled by lazylib_load */
	size_t n;
	int loaded;                /* 1 once every pointer is set (read with acquire) */
};

/* dlopen l's soname and dlsym every function (once; thread-safe). -1 with err: "libcurl.so.4
 * not found: install the package that provides it (Debian: libcurl4)" / "... lacks f". */
int lazylib_load(struct lazylib *l, berr *err);
/* The slow path of a call through a table not loaded yet: load it, or print the error to stderr
 * and exit(125). */
void lazylib_need(struct lazylib *l);

/* In lazy_<lib>.h, after the library's header:
 *   LAZYLIB_DECLARE(curl, LAZY_CURL_FUNCS)  -> struct lazy_curl_tab, lazy_curl_get(),
 *                                              lazylib_load_curl(berr *)
 *   #define curl_easy_init LAZYLIB_FN(curl, curl_easy_init)   (one per function) */
#define LAZYLIB_MEMBER(f) __typeof__(f) *f;
#define LAZYLIB_NAME(f) #f,
#define LAZYLIB_DECLARE(lib, LIST)                                                        \
	struct lazy_##lib##_tab { LIST(LAZYLIB_MEMBER) };                                 \
	extern struct lazy_##lib##_tab lazy_##lib##_tab;                                  \
	extern struct lazylib lazy_##lib;                                                 \
	static inline struct lazy_##lib##_tab *lazy_##lib##_get(void)                     \
	{                                                                                  \
		if (__builtin_expect(!__atomic_load_n(&lazy_##lib.loaded, __ATOMIC_ACQUIRE), 0)) \
			lazylib_need(&lazy_##lib);                                        \
		return &lazy_##lib##_tab;                                                 \
	}                                                                                  \
	static inline int lazylib_load_##lib(berr *err) { return lazylib_load(&lazy_##lib, err); }
#define LAZYLIB_FN(lib, f) (lazy_##lib##_get()->f)

/* In src/util/lazy_<lib>.c: the table, the names and the soname (-DLAZY_SONAME_<lib>). */
#define LAZYLIB_DEFINE(lib, LIST, SONAME)                                                 \
	_Static_assert(sizeof(SONAME) > 1, "soname of lib" #lib " unknown at build time "  \
		       "(mk/lazylibs.mk: is its -dev package installed?)");                \
	struct lazy_##lib##_tab lazy_##lib##_tab;                                           \
	static const char *const lazy_##lib##_names[] = { LIST(LAZYLIB_NAME) };            \
	_Static_assert(sizeof(struct lazy_##lib##_tab) ==                                  \
			       sizeof lazy_##lib##_names / sizeof lazy_##lib##_names[0] * sizeof(void *), \
		       "table layout");                                                    \
	struct lazylib lazy_##lib = { SONAME, lazy_##lib##_names, (void **)&lazy_##lib##_tab, \
				      sizeof lazy_##lib##_names / sizeof lazy_##lib##_names[0], 0 }
