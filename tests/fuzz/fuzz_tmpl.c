/*
 * libFuzzer target for the template engine (9c-templates(5)): the input is
 * a template rendered against a fixed context that has scalars, lists and
 * mappings to reach; every rendered document must read back through the
 * emitter, and nothing may crash or leak.
 */
#include <stdlib.h>

#include "emit.h"
#include "fuzz.h"
#include "stream.h"
#include "tmpl.h"

static const char context[] =
    "name: net\n"
    "n: 3\n"
    "on: true\n"
    "empty: []\n"
    "nodes:\n"
    "- {name: a, port: 31234, tags: [x, y]}\n"
    "- {name: b, port: 31235, tags: []}\n"
    "meta: {labels: {app: x}, annotations: null}\n";

static struct doc *ctx;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct diag d;

	if (stream_parse_value("<context>", context, sizeof context - 1, &ctx,
	    &d) < 0)
		abort();
	return 0;
}

static int
take(struct doc *doc, void *arg, struct diag *d)
{
	struct buf b = BUF_INIT;
	struct doc *again = NULL;

	emit_yaml(&b, doc->root);
	if (stream_parse_value("<emitted>", b.p, b.len, &again, d) < 0 ||
	    !node_equal(doc->root, again->root))
		abort();
	doc_free(again);
	buf_release(&b);
	doc_free(doc);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d;

	diag_clear(&d);
	(void)tmpl_render("<fuzz>", (const char *)data, size, ctx->root, take,
	    NULL, &d);
	return 0;
}
