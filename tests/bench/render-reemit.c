/*
 * render-reemit - the ceiling for tests/bench/render.sh: read a manifest
 * stream with the stream library and emit it again, nothing else.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int
put(struct doc *doc, void *ctx, struct diag *d)
{
	cli_put_doc(*(enum emit_format *)ctx, doc->root);
	doc_free(doc);
	return 0;
}

int
main(int argc, char **argv)
{
	enum emit_format f = EMIT_YAML;
	struct diag d;

	cli_init(argc, argv, "render-reemit [file ...]");
	if (cli_each_doc(argc - 1, argv + 1, put, &f, &d) < 0) {
		cli_diag(&d);
		cli_exit(EXIT_INPUT);
	}
	cli_exit(0);
}
