/* parse_fuzz.c: libFuzzer harness for the Dockerfile parser: df_parse + df_dump + free,
 * plus the heredoc chomp helper on every heredoc found. */
#include <stdint.h>
#include <stdlib.h>
#include "dockerfile/ast.h"

static void walk(const struct df_node *n, struct strbuf *sb)
{
	for (; n; n = n->next) {
		for (size_t i = 0; i < n->nheredocs; i++) {
			char *c = df_heredoc_chomp(n->heredocs[i].content);
			sb_adds(sb, c);
			free(c);
		}
		for (size_t i = 0; i < n->nchildren; i++)
			walk(n->children[i], sb);
		sb_adds(sb, n->original ? n->original : "");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct df_parse_result *r = NULL;
	berr err = { 0 };
	if (df_parse((const char *)data, size, "Dockerfile", &r, &err) == 0) {
		struct strbuf sb = STRBUF_INIT;
		sb_init(&sb);
		df_dump(r->ast, &sb);
		walk(r->ast, &sb);
		sb_release(&sb);
		df_parse_result_free(r);
	}
	return 0;
}
