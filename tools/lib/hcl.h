/*
 * hcl.h - writing values as HCL native syntax (terraform .tfvars and
 * -backend-config files) that terraform reads back to the same values.
 *
 * Every string is a quoted template with nothing left to interpolate:
 * `"' and `\' are escaped, newline, CR and tab as \n \r \t, other control
 * characters as \uNNNN, `${' as `$${' and `%{' as `%%{'; all other bytes
 * (valid UTF-8, the document model's invariant) are written as they are.
 * Mapping keys are always quoted.  Integers keep their exact decimal text,
 * floats are written as Go's encoding/json writes them; null, true, false as
 * such.  Sequences become tuples `[...]', mappings objects `{...}', one
 * element a line, indented two spaces per level, as `terraform fmt' would
 * lay them out (without its alignment of `=').
 *
 * The writers append to a struct buf without a limit (the output is bounded
 * by the input's limits) and never fail.
 */
#ifndef NINEC_HCL_H
#define NINEC_HCL_H

#include <stddef.h>

#include "node.h"
#include "util.h"

void hcl_string(struct buf *b, const char *s, size_t n);
/* A value at nesting `indent' (0 at top level). */
void hcl_value(struct buf *b, const struct node *v, int indent);
/* `name = value' and a newline; name must be an identifier (hcl_ident). */
void hcl_attr(struct buf *b, const char *name, const struct node *v);
/* 1 when s is an HCL identifier: a letter or _, then letters, digits, _ -. */
int hcl_ident(const char *s, size_t n);
/* A whole file from a mapping: one attribute per key (keys checked by the
 * caller with hcl_ident). */
void hcl_body(struct buf *b, const struct node *map);

#endif
