/* gotmpl.h: a tiny subset of Go templates over JSON, for --format until util/template.h lands:
 * literal text, {{.A.B}} field paths, {{json .A}}, {{.}}; "\t" and "\n" escapes are kept. */
#pragma once
#include <jansson.h>
#include "util/strbuf.h"
#include "util/err.h"

int gotmpl_render(const char *tmpl, json_t *data, struct strbuf *out, berr *err);
