/* lazy_nftables.c: the function table of libnftables (util/lazy_nftables.h); LAZY_SONAME_nftables comes from the
 * build (mk/lazylibs.mk). */
#include "util/lazy_nftables.h"

LAZYLIB_DEFINE(nftables, LAZY_NFTABLES_FUNCS, LAZY_SONAME_nftables);
