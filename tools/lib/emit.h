/*
 * emit.h - writing values as YAML or JSON that every reader reads back
 * to the same value.
 *
 * YAML: block style, two-space indent, sequences under a key not indented
 * (as kubectl writes), keys in the model's order, no tags, anchors or flow
 * collections other than `{}' and `[]'.  A string is plain only when no
 * YAML 1.1 or 1.2 reader could take it for anything else (a number, a
 * boolean, a null, a date, an indicator); otherwise it is double-quoted,
 * or a literal block when it spans lines and every line allows it.
 * JSON: compact, one document per line.
 *
 * The emitters append to a struct buf (no limit needed: output is bounded by
 * the input's limits) and never fail.  emit_doc() writes the separator: a
 * `---' line before every YAML document but the first.
 */
#ifndef NINEC_EMIT_H
#define NINEC_EMIT_H

#include "node.h"
#include "util.h"

enum emit_format { EMIT_YAML, EMIT_JSON };

void emit_yaml(struct buf *b, const struct node *n);
void emit_json(struct buf *b, const struct node *n);
/* One document of a stream; *count is how many were written before. */
void emit_doc(struct buf *b, enum emit_format f, const struct node *n,
    unsigned long *count);

/*
 * While emitting, remember where `mark' starts and ends in b (offsets), so a
 * caller can splice a value it learns later without re-emitting (9c-order
 * emits each document once and fills in its stage at the end).
 */
struct emit_mark {
	const struct node *node;
	size_t start, end;
};
void emit_yaml_mark(struct buf *b, const struct node *n, struct emit_mark *m);
void emit_json_mark(struct buf *b, const struct node *n, struct emit_mark *m);

/* Scalars: text a tool may need on its own. */
void emit_yaml_string(struct buf *b, const char *s, size_t n);
void emit_json_string(struct buf *b, const char *s, size_t n);
/* Float as Go's encoding/json writes it (what the API server stores). */
void emit_float_json(struct buf *b, double d);

#endif
