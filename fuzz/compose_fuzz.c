/* compose_fuzz: the Compose loader's text parsers on arbitrary input: YAML (with anchors and
 * merge keys) into JSON, the YAML emitter round trip, interpolation and dotenv parsing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "compose/compose.h"

/* libfyaml 0.7.12 leaks the chunk array of a scalar with many escapes (fy_atom_iter_chunk_next)
 * when its text is formatted: a library bug, not ours. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:fy_atom_iter_chunk_next\nleak:libfyaml.so\n";
}

static const char *lookup(void *ud, const char *name)
{
	(void)ud;
	return strcmp(name, "SET") ? NULL : "value";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = 0;
	berr err = { 0 };
	json_t *docs = NULL;
	if (compose_yaml_parse_all("fuzz.yaml", s, size, &docs, &err) == 0) {
		size_t i;
		json_t *d;
		json_array_foreach(docs, i, d) {
			char *y = compose_yaml_emit(d);
			free(y);
			json_t *c = json_deep_copy(d);
			compose_interpolate(c, lookup, NULL, &err);
			compose_strip_markers(c);
			json_decref(c);
		}
		json_decref(docs);
	}
	char *out = NULL;
	if (compose_interp_string(s, lookup, NULL, &out, NULL, &err) == 0)
		free(out);
	json_t *env = json_object();
	compose_dotenv_parse(".env", s, lookup, NULL, env, &err);
	json_decref(env);
	free(s);
	return 0;
}
