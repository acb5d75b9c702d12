/* template_fuzz: libFuzzer harness for the --format template engine. Input: a template,
 * optionally followed by "\n---\n" and JSON data; executed with and without missingkey=error,
 * and through the table formatter. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "util/template.h"

static const char *DEFAULT_DATA =
	"{\"Name\":\"x\",\"N\":3,\"F\":1.5,\"L\":[\"a\",\"b\"],\"M\":{\"k\":\"v\",\"z\":[1,null]},\"Nil\":null}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = 0;
	if (strlen(buf) != size) { /* templates are C strings */
		free(buf);
		return 0;
	}
	/* nested ranges multiply output exponentially (as in Go); keep the fuzzer's memory bounded */
	int ranges = 0;
	for (const char *q = buf; (q = strstr(q, "range")); q += 5)
		ranges++;
	if (ranges > 3) {
		free(buf);
		return 0;
	}
	char *sep = strstr(buf, "\n---\n");
	const char *js = DEFAULT_DATA;
	if (sep) {
		*sep = 0;
		js = sep + 5;
	}
	json_t *v = json_loads(js, JSON_PRESERVE_ORDER | JSON_DECODE_ANY, NULL);
	berr err = { 0 };
	struct strbuf out = STRBUF_INIT;
	sb_init(&out);
	struct tmpl *t = tmpl_parse(buf, &err);
	if (t) {
		tmpl_exec(t, v, 0, &out, &err);
		sb_reset(&out);
		tmpl_exec(t, v, TMPL_MISSINGKEY_ERROR, &out, &err);
		tmpl_free(t);
	}
	sb_reset(&out);
	json_t *rows = json_array();
	if (v)
		json_array_append(rows, v);
	static const struct fmt_header hdr[] = { { "Name", "NAME" }, { "N", "COUNT" }, { NULL, NULL } };
	char *f = malloc(size + 7);
	memcpy(f, "table ", 6);
	strcpy(f + 6, buf);
	fmt_render_sb(&out, f, "table {{.Name}}", hdr, rows, &err);
	sb_reset(&out);
	fmt_tabwrite(&out, buf);
	free(f);
	json_decref(rows);
	if (v)
		json_decref(v);
	sb_release(&out);
	free(buf);
	return 0;
}
