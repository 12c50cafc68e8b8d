/*
 * stream.h - reading manifest streams: YAML documents or JSON values.
 *
 * A stream reads one input (a FILE or a memory block) and hands out one
 * document at a time, read the way `kubectl apply -f' reads it: documents
 * split at lines whose first three bytes are `---'; YAML 1.1 scalars
 * resolved as sigs.k8s.io/yaml resolves them (yes/on are booleans, 0x1F is
 * 31, timestamps stay strings, ...); JSON when the first byte that is not
 * white space, within the first 4096, is `{' or `[' (one value after
 * another, or an array whose elements are documents), and YAML from the
 * end of the last good value when the JSON fails while at most one value
 * was read; empty, comment-only and null documents skipped; an object
 * with `items' (a List) flattened into its items.
 *
 * Stricter than kubectl, because a silent surprise is worse than an error:
 * duplicate keys, `%' directives, content after `...', `.inf'/`.nan'
 * values, null and collection keys are errors.  Limits (document bytes,
 * nesting depth, key length, alias expansion) make hostile input an error
 * rather than an exhaustion of memory.
 *
 * Ownership: stream_next() gives the caller a struct doc it must doc_free().
 * The stream keeps `name' (copied) alive until stream_close(), and documents
 * point at it, so close the stream after freeing or printing its documents'
 * diagnostics.  On error stream_next() returns -1 with d filled (position,
 * document number, field path); the stream cannot be read further.
 */
#ifndef NINEC_STREAM_H
#define NINEC_STREAM_H

#include <stdio.h>

#include "diag.h"
#include "node.h"

struct stream_limits {
	size_t doc_bytes;	/* bytes of one document's text */
	size_t depth;		/* nesting of collections */
	size_t key_bytes;	/* bytes of one mapping key */
	size_t nodes;		/* nodes of one document, aliases expanded */
};

/* 64 MiB, 1000, 1024, 8 million: far past any real manifest. */
extern const struct stream_limits stream_default_limits;

struct stream;

struct stream *stream_open(const char *name, FILE *f,
    const struct stream_limits *lim);
struct stream *stream_open_mem(const char *name, const char *p, size_t n,
    const struct stream_limits *lim);
/* Do not flatten `kind: List' or a top-level JSON array (read values). */
void stream_keep_lists(struct stream *s, int keep);
/* 1: *out holds a document; 0: end of input; -1: error, see d. */
int stream_next(struct stream *s, struct doc **out, struct diag *d);
const char *stream_name(const struct stream *s);
void stream_close(struct stream *s);

/* Reads one value from a string (a spec, a flag argument); 0 or -1. */
int stream_parse_value(const char *name, const char *p, size_t n,
    struct doc **out, struct diag *d);

#endif
