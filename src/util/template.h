/* template.h: Go text/template subset over jansson values (Docker's --format / inspect -f),
 * plus Docker's formatter layer (table/json/custom formats, tabwriter alignment).
 *
 * Supported: {{.Field}}, {{.A.B}}, {{.}}, {{$}}, $vars, {{json .}}, pipelines {{.X | json}},
 * {{range}} (with `$i, $v :=`), {{if}}/{{else if}}/{{else}}/{{end}}, {{with}}, {{- -}} trimming,
 * Go builtins len index printf print println eq ne lt le gt ge not and or, and Docker's
 * json (compact, <>& NOT escaped, as docker's SetEscapeHTML(false)) join split lower upper
 * title truncate pad; {{break}}/{{continue}}. Not supported: define/template/block, method calls
 * with arguments ({{.Label "x"}}). Data is JSON: objects are Go maps, arrays slices. 
 * Values print as Go prints them (strings raw, integers without decimals, [a b], map[k:v],
 * a missing map key as "<no value>"). Errors read as Go's ("template: :1: function \"foo\"
 * not defined"). */
#pragma once
#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>
#include "util/err.h"
#include "util/strbuf.h"

struct tmpl;  /* a parsed template */

enum {
	TMPL_MISSINGKEY_ERROR = 1 << 0, /* missing map key is an error (docker inspect -f) */
	TMPL_JSON_ESCAPE_HTML = 1 << 2, /* `json` escapes < > & as \u003c..: what Docker 20.10's
					 * list verbs print for {{json .}} (inspect -f does not) */
};

/* Parse `text`; NULL and *err filled ("template: :1: ...") on error. */
struct tmpl *tmpl_parse(const char *text, berr *err);
/* Same with a template name, which Go puts in messages: "template: version:1: ...",
 * "executing \"version\" at <...>" (docker version names its template "version"). */
struct tmpl *tmpl_parse_named(const char *name, const char *text, berr *err);
/* Execute over `data`, appending to `out`. -1 and *err on error (output may be partial). */
int tmpl_exec(const struct tmpl *t, json_t *data, int flags, struct strbuf *out, berr *err);
void tmpl_free(struct tmpl *t);
/* Parse + execute in one call. */
int tmpl_render(const char *text, json_t *data, int flags, struct strbuf *out, berr *err);

/* Go's json.Marshal of a value: compact, object key order kept, <>& escaped as \u003c...
 * (for raw `inspect` output; the template `json` function does not escape). */
void tmpl_json_marshal(struct strbuf *out, json_t *v);
/* Same with HTML escaping chosen: Docker disables it (docker/cli templates' json function,
 * the daemon's inspect JSON since moby#27060), so Docker-exact output uses false. */
void tmpl_json_encode(struct strbuf *out, json_t *v, bool escape_html);
/* Go's json.Indent(.., "", indent) of the compact unescaped encoding, as `docker inspect`
 * prints its result (indent "    "): empty arrays/objects stay "[]" / "{}". No trailing \n. */
void tmpl_json_indent(struct strbuf *out, json_t *v, const char *indent);
/* Go's fmt.Print of a value: "str", 3, 1.5, true, [a b], map[a:1 b:2], "<nil>" for null. */
void tmpl_print_value(struct strbuf *out, json_t *v);

/* Go's text/tabwriter with Docker's settings (minwidth 10, tabwidth 1, padding 3, ' ', 0):
 * aligns tab-terminated cells of `text` and writes the result to `out`. */
void fmt_tabwrite(struct strbuf *out, const char *text);

/* A table header: template field name -> column title, e.g. { "ID", "IMAGE ID" }.
 * Arrays of these end with { NULL, NULL }. */
struct fmt_header {
	const char *field;
	const char *title;
};

/* Docker's formatter: format NULL or "" -> default_format (usually "table ...");
 * "table" alone -> default_format; "table <tmpl>" -> header line from `headers` then one
 * aligned row per element of `rows` (a JSON array); "json" -> {{json .}} per row;
 * anything else -> the template applied to each row, one line each.
 * `\t` and `\n` escapes in the format are turned into tab/newline as Docker does.
 * Errors: "template parsing error: ..." with err->status = 1 (docker exits 1). */
int fmt_render(FILE *out, const char *format, const char *default_format,
	       const struct fmt_header *headers, json_t *rows, berr *err);
/* Same, rendering into a buffer (for tests and callers that post-process). */
int fmt_render_sb(struct strbuf *out, const char *format, const char *default_format,
		  const struct fmt_header *headers, json_t *rows, berr *err);

/* docker inspect -f: apply `format` to one value (missingkey=error), newline after.
 * Errors set err->status = 1, as docker's exit status. */
int fmt_inspect(FILE *out, const char *format, json_t *value, berr *err);
int fmt_inspect_sb(struct strbuf *out, const char *format, json_t *value, berr *err);
