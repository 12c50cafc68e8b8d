/*
 * libFuzzer target for the stream reader and both emitters: any input must
 * come back as documents or as a diagnostic, never as a crash, a leak or an
 * out-of-bounds access; and whatever is read must re-read to the same value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
reread(const struct node *n)
{
	struct buf b = BUF_INIT;
	struct doc *again = NULL;
	struct diag d;

	emit_yaml(&b, n);
	diag_clear(&d);
	if (stream_parse_value("<emitted>", b.p, b.len, &again, &d) < 0)
		abort();	/* our own output must always read back */
	if (!node_equal(n, again->root))
		abort();
	doc_free(again);
	buf_reset(&b);
	emit_json(&b, n);
	if (stream_parse_value("<emitted>", b.p, b.len, &again, &d) < 0 ||
	    !node_equal(n, again->root))
		abort();
	doc_free(again);
	buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stream_limits lim = stream_default_limits;
	struct stream *s;
	struct doc *doc;
	struct diag d;
	int n = 0;

	lim.nodes = 100000;
	s = stream_open_mem("<fuzz>", (const char *)data, size, &lim);
	while (n++ < 64 && stream_next(s, &doc, &d) == 1) {
		reread(doc->root);
		doc_free(doc);
	}
	stream_close(s);
	return 0;
}
