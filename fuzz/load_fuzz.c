/* load_fuzz: `berth load` of arbitrary archives into a scratch store. Properties: never crashes,
 * never writes outside the store, and whatever happens the store passes `system check`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "image/check.h"
#include "image/load.h"
#include "util/fs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char root[64];
	if (!root[0])
		snprintf(root, sizeof root, "/tmp/berth-load-fuzz-%d", getpid());
	berr err;
	rm_rf(root, &err);
	struct store *st;
	if (store_open(&st, root, "/tmp", &err) < 0)
		abort();
	char path[96];
	snprintf(path, sizeof path, "%s.in", root);
	FILE *f = fopen(path, "w");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	FILE *in = fopen(path, "r");
	struct strvec out = STRVEC_INIT;
	image_load(st, fileno(in), NULL, &out, &err);
	fclose(in);
	sv_clear(&out);
	struct check_report r;
	if (image_check(st, false, &r, &err) < 0 || r.problems)
		abort();
	sv_clear(&r.lines);
	store_close(st);
	unlink(path);
	return 0;
}
