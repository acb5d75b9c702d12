/* ctr_each.h: the loop that `stop`, `kill`, `restart` share: open the store, look up each
 * container named on the command line, act on it and print the name as given (Docker's
 * output); a failure is reported and the loop goes on, the status is then 1. */
#pragma once
#include "cli/cli.h"
#include "runtime/runtime.h"

typedef int (*ctr_action)(struct store *st, struct ctr *c, void *data, berr *err);

int ctr_each(struct berth_ctx *ctx, const struct strvec *names, ctr_action act, void *data);
