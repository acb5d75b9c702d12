/* ctr_each.c: act on every container named on the command line (see ctr_each.h). */
#include <stdio.h>
#include "cmd/ctr_each.h"
#include "util/cleanup.h"

int ctr_each(struct berth_ctx *ctx, const struct strvec *names, ctr_action act, void *data)
{
	_cleanup_store_ struct store *st = NULL;
	berr err = { 0 };
	int status = 0;
	if (store_open(&st, ctx->root, ctx->runroot, &err) < 0)
		return cli_error(&err);
	for (size_t i = 0; i < names->n; i++) {
		_cleanup_ctr_ struct ctr *c = NULL;
		if (ctr_lookup(st, names->v[i], &c, &err) < 0 || act(st, c, data, &err) < 0) {
			cli_error(&err);
			status = 1;
			continue;
		}
		printf("%s\n", names->v[i]);
	}
	return status;
}
