/* check.h: verifying (and repairing) the image store: `berth system check [--repair]`. */
#pragma once
#include <stdbool.h>
#include "store/store.h"
#include "util/strbuf.h"

struct check_report {
	struct strvec lines;  /* one per problem or repair */
	int problems;         /* things wrong (0 = clean) */
	int repaired;
	int unreferenced;     /* blobs/layer dirs nothing references (reclaimable by prune) */
	int stale_tmp;        /* leftovers of interrupted writers under root/tmp */
	int blobs_checked, layers_checked;
};

int image_check(struct store *st, bool repair, struct check_report *r, berr *err);
