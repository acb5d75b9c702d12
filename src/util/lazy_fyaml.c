/* lazy_fyaml.c: the function table of libfyaml (util/lazy_fyaml.h); LAZY_SONAME_fyaml comes from the
 * build (mk/lazylibs.mk). */
#include "util/lazy_fyaml.h"

LAZYLIB_DEFINE(fyaml, LAZY_FYAML_FUNCS, LAZY_SONAME_fyaml);
