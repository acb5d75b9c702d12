/* lazy_archive.c: the function table of libarchive (util/lazy_archive.h); LAZY_SONAME_archive comes from the
 * build (mk/lazylibs.mk). */
#include "util/lazy_archive.h"

LAZYLIB_DEFINE(archive, LAZY_ARCHIVE_FUNCS, LAZY_SONAME_archive);
