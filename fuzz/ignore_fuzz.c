/* ignore_fuzz: .dockerignore parsing and matching on arbitrary input. The input is
 * "PATTERNS\0PATH\0PATH..."; every compiled pattern is matched (all three ways) against every
 * path and against Go's filepath.Match; nothing may crash, leak or loop. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "build/ignore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = 0;
	size_t plen = strlen(buf);
	struct ignore *ig = NULL;
	berr err = { 0 };
	if (ignore_parse(buf, plen, &ig, &err) == 0) {
		bool *info = calloc(ig->n + 1, sizeof *info), *info2 = calloc(ig->n + 1, sizeof *info2);
		for (const char *p = buf + plen + 1; p < buf + size + 1 && p <= buf + size; p += strlen(p) + 1) {
			ignore_matches_exact(ig, p);
			ignore_matches_or_parent(ig, p);
			ignore_matches_parent(ig, p, NULL, info);
			ignore_matches_parent(ig, p, info, info2);
			ignore_walk_excluded_dir(ig, p);
			for (size_t i = 0; i < ig->n; i++) {
				bool m;
				gopath_match(ig->p[i].pattern, p, &m);
			}
		}
		free(info);
		free(info2);
		ignore_free(ig);
	}
	free(buf);
	return 0;
}
