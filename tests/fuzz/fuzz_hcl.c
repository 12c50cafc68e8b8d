/*
 * libFuzzer target for the HCL writer: any value the stream reader gives
 * is written as a .tfvars body (a mapping of identifiers) or a lone value,
 * never crashing or leaking.  With NINEC_FUZZ_OUT set to a directory, the
 * .tfvars text of the Nth input that gives one goes to N.tfvars there and
 * the JSON of the attributes it must hold to N.json, so tests/fuzz.bats can
 * have HashiCorp's parser (tests/hcl) read every kept input's output back
 * and compare.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "emit.h"
#include "hcl.h"
#include "stream.h"

static void
put(const char *path, const struct buf *b)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fwrite(b->p, 1, b->len, f) != b->len || fclose(f))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct doc *doc = NULL;
	struct diag d;
	struct buf b = BUF_INIT;
	const char *out = getenv("NINEC_FUZZ_OUT");
	size_t i;
	int body = 1;

	if (stream_parse_value("<fuzz>", (const char *)data, size, &doc, &d) < 0)
		return 0;
	if (doc->root->type != NODE_MAP)
		body = 0;
	for (i = 0; body && i < doc->root->len; i++)
		if (!hcl_ident(doc->root->u.pairs[i].key->u.s,
		    doc->root->u.pairs[i].key->len))
			body = 0;
	if (body)
		hcl_body(&b, doc->root);
	else
		hcl_attr(&b, "v", doc->root);
	if (b.len != strlen(b.p ? b.p : ""))
		abort();	/* the writer never emits a NUL byte */
	if (out) {
		static unsigned long count;
		struct buf js = BUF_INIT;
		char *hpath = xasprintf("%s/%lu.tfvars", out, ++count);
		char *jpath = xasprintf("%s/%lu.json", out, count);

		put(hpath, &b);
		if (!body)
			buf_adds(&js, "{\"v\":");
		emit_json(&js, doc->root);
		if (!body)
			buf_addc(&js, '}');
		put(jpath, &js);
		buf_release(&js);
		free(hpath);
		free(jpath);
	}
	buf_release(&b);
	doc_free(doc);
	return 0;
}
