/* sources.h: which repositories of which registry a blob is known to be in (pulled from or
 * pushed to), so push can mount it cross-repository instead of uploading it again. */
#pragma once
#include "store/store.h"
#include "util/strbuf.h"

void blob_source_add(struct store *st, const char *digest, const char *host, const char *repo);
/* Repositories of host known to hold digest (excluding `except`). */
void blob_sources(struct store *st, const char *digest, const char *host, const char *except, struct strvec *repos);
