/* ref_fuzz: image reference parsing. Properties: never crashes; a parsed reference prints to a
 * string that parses again to the same string. (The familiar form need not parse back to it: as
 * in Docker, "docker.io/a.b/c" prints as "a.b/c", which names registry a.b.) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "image/ref.h"
#include "util/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct ref r, r2, r3;
	berr err;
	if (ref_parse(s, &r, &err) == 0) {
		char *full = ref_string(&r), *fam = ref_familiar_string(&r);
		if (ref_parse(full, &r2, &err) != 0)
			abort();
		char *again = ref_string(&r2);
		if (strcmp(full, again))
			abort();
		char *fromfam = ref_parse(fam, &r3, &err) == 0 ? ref_string(&r3) : NULL;
		if (!fromfam)
			memset(&r3, 0, sizeof r3);
		free(full);
		free(fam);
		free(again);
		free(fromfam);
		ref_free(&r);
		ref_free(&r2);
		ref_free(&r3);
	}
	free(s);
	return 0;
}
