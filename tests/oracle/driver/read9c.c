/*
 * read9c - the 9c side of the differential test: reads each case of an
 * oracle case file with the stream reader and prints, one line per case,
 * its id, a tab, and the JSON array of the documents read (the reader's
 * JSON emitter) or the word error.  With -v the error's diagnostic
 * follows the word, after a tab.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "stream.h"

static int
read_case(FILE *f, struct buf *id, struct buf *data)
{
	char line[4096];
	unsigned long n;

	if (fgets(line, sizeof line, f) == NULL)
		return 0;
	if (line[0] != '#' || strchr(line, '\n') == NULL)
		return -1;
	buf_reset(id);
	buf_add(id, line + 1, strlen(line) - 2);
	if (fgets(line, sizeof line, f) == NULL ||
	    sscanf(line, "%lu", &n) != 1)
		return -1;
	buf_reset(data);
	if (buf_grow(data, n + 1) < 0 || fread(data->p, 1, n + 1, f) != n + 1 ||
	    data->p[n] != '\n')
		return -1;
	data->len = n;
	return 1;
}

int
main(int argc, char **argv)
{
	struct buf id = BUF_INIT, data = BUF_INIT, out = BUF_INIT;
	int verbose = argc > 1 && strcmp(argv[1], "-v") == 0, r;
	FILE *f = argc > 1 + verbose ? fopen(argv[1 + verbose], "rb") : NULL;

	if (f == NULL) {
		fprintf(stderr, "usage: read9c [-v] cases\n");
		return 2;
	}
	while ((r = read_case(f, &id, &data)) == 1) {
		struct stream *s = stream_open_mem("<case>", data.p, data.len, NULL);
		struct doc *doc;
		struct diag d;
		int n = 0;

		diag_clear(&d);
		buf_reset(&out);
		buf_add(&out, id.p, id.len);
		buf_adds(&out, "\t[");
		while ((r = stream_next(s, &doc, &d)) == 1) {
			if (n++)
				buf_addc(&out, ',');
			emit_json(&out, doc->root);
			doc_free(doc);
		}
		if (r < 0) {
			char msg[1024];

			out.len = id.len;
			buf_adds(&out, "\terror");
			if (verbose) {
				diag_format(&d, msg, sizeof msg);
				buf_printf(&out, "\t%s", msg);
			}
		} else
			buf_addc(&out, ']');
		buf_addc(&out, '\n');
		fwrite(out.p, 1, out.len, stdout);
		stream_close(s);
	}
	buf_release(&id);
	buf_release(&data);
	buf_release(&out);
	fclose(f);
	if (r < 0) {
		fprintf(stderr, "read9c: bad case file\n");
		return 1;
	}
	return 0;
}
