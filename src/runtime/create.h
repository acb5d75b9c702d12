/* create.h: create a container record from `run` flags (the one code path of `berth create`,
 * `berth run` and `berth compose`): spec_build, an optional adjustment of the config document,
 * then the record and the image reference in one transaction (nothing left behind on error). */
#pragma once
#include "runtime/runtime.h"

/* adjust (may be NULL) edits the config document before it is stored (compose sets a list
 * entrypoint, a healthcheck...); it returns 0 or -1 with err set. */
typedef int (*ctr_adjust_fn)(json_t *cfg, void *ud, berr *err);
int ctr_create(struct store *st, struct run_flags *f, const char *image, char **cmd, int ncmd,
	       ctr_adjust_fn adjust, void *ud, struct ctr **out, berr *err);
