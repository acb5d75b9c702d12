/* network_fmt.h: --format support for the network verbs (a Go-template subset) and tables. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include "util/err.h"
#include "util/strbuf.h"

/* Strip a leading "table", turn \t and \n escapes into characters. Returns malloc'd text. */
char *fmt_prepare(const char *format, bool *table);
/* Render tmpl against obj ({{.A.B}}, {{json .X}}, {{index .M "k"}}), appending to out. */
int fmt_render(const char *tmpl, json_t *obj, struct strbuf *out, berr *err);
/* Print tab-separated lines aligned as Go's tabwriter(minwidth 10, padding 3) does. */
void fmt_table_print(const struct strvec *lines);
