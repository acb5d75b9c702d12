/* system_hooks.h: how object kinds take part in `system prune`, `system df` (and `image prune`).
 * Each kind registers in its own file; the image store registers its own in
 * src/cmd/system_images.c, the runtime adds containers, networks, volumes, build cache. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "store/store.h"
#include "util/err.h"
#include "util/strbuf.h"

enum { PRUNE_ALL = 1 << 0, PRUNE_VOLUMES = 1 << 1 };

struct berth_pruner {
	const char *what;     /* "containers", "networks", "images", "volumes", "build cache" */
	int order;            /* run order: containers 10, networks 20, volumes 30, images 40, cache 50 */
	const char *warning;  /* the "  - all stopped containers" line for system prune's prompt */
	const char *warning_all; /* the line when -a is given (NULL: same as warning) */
	bool needs_volumes_flag; /* only with --volumes */
	/* Remove; append Docker's report lines to out (printed under "Deleted <What>:"), add bytes.
	 * filters: --filter values ("until=24h", "label=k=v"); reject unknown ones with an error. */
	int (*prune)(struct store *st, int flags, const struct strvec *filters, struct strvec *out, uint64_t *freed, berr *err);
	const char *heading;  /* "Deleted Images:", "Deleted Containers:", ... */
};

#define BERTH_PRUNER(ident)                                                           \
	static const struct berth_pruner ident;                                       \
	static const struct berth_pruner *const ident##_entry                        \
		__attribute__((used, section("berth_pruners"))) = &ident;            \
	static const struct berth_pruner ident

/* One row of `system df`. dir is the top-level entry of --root the kind owns (its bytes are
 * measured there so that the rows add up to du of the root). */
struct df_row {
	char type[32];
	long total, active;
	uint64_t size, reclaimable;
	uint64_t overhead; /* bytes of its dirs that belong to no object (directory blocks):
			    * `system df` charges them to Metadata, so the rows still add up */
};
struct berth_df_provider {
	const char *type;   /* "Images", "Containers", "Local Volumes", "Build Cache" */
	int order;
	const char *const *dirs; /* NULL-terminated top-level names under --root it accounts for */
	/* Fill total/active/reclaimable; size is measured by `system df` from dirs unless the
	 * provider sets it. verbose: append a section for `df -v` to out. */
	int (*fill)(struct store *st, struct df_row *row, bool verbose, struct strbuf *out, berr *err);
};

#define BERTH_DF_PROVIDER(ident)                                                      \
	static const struct berth_df_provider ident;                                  \
	static const struct berth_df_provider *const ident##_entry                   \
		__attribute__((used, section("berth_df"))) = &ident;                 \
	static const struct berth_df_provider ident
