/* inspect.h: what the top-level `berth inspect` can find. Each object kind registers an
 * inspector with BERTH_INSPECTOR in its own file (images in src/cmd/inspect_image.c; the runtime
 * adds containers, networks and volumes the same way); `inspect` tries them by ascending
 * `order` (Docker tries containers before images), or only the one named by --type. */
#pragma once
#include <jansson.h>
#include "store/store.h"
#include "util/err.h"

struct berth_inspector {
	const char *type;  /* "image", "container", ... (the --type value) */
	int order;         /* lower is tried first; images use 20, containers should use 10 */
	/* Find `name`: 0 and *out (a new reference) if found, 1 if not, -1 on error. */
	int (*find)(struct store *st, const char *name, bool size, json_t **out, berr *err);
};

#define BERTH_INSPECTOR(ident)                                                        \
	static const struct berth_inspector ident;                                    \
	static const struct berth_inspector *const ident##_entry                     \
		__attribute__((used, section("berth_inspectors"))) = &ident;         \
	static const struct berth_inspector ident
