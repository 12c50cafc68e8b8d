/*
 * tmpl.h - templates that work on the parsed tree, never on text
 * (9c-templates(5)).
 *
 * A template is a manifest stream (YAML or JSON) read by stream.h.  Its
 * strings may hold placeholders that name a value of the context, a tree
 * the caller builds (for 9c-render: the spec with its defaults, plus the
 * computed nodes, peers and keys):
 *
 *	${a.b}	the value at a.b; a string that is only this placeholder
 *		takes the value with its type (an integer stays an integer,
 *		a mapping is copied in); inside a longer string the value
 *		must be a scalar and is written as text
 *	${?a.b}	the same, but when the value is absent or null the string
 *		disappears, and with it its mapping key or list item
 *	${*a.b}	a list item that is only this is replaced by the items of
 *		the list at a.b (none when absent)
 *	$${	a literal "${"
 *
 * Directives are keys of a mapping that start with `$':
 *	$if: path / $unless: path	keep the mapping only if path is
 *					truthy (falsy) - absent, null, false,
 *					0, "", [] and {} are falsy
 *	$each: path, $as: name		repeat the mapping for each item of
 *					the list at path, with name bound
 *					to the item (default `item')
 *	$value: template		the result is this instead of the rest
 *					of the mapping (for list items that
 *					are strings)
 *	$merge: path			the mapping at path merged over
 *					the rendered keys (RFC 7386: its
 *					keys win, null deletes)
 *	$yaml: template			the rendered template as a YAML string
 * A document whose root has $each becomes one document per item; one whose
 * $if fails is dropped.
 *
 * A missing value is an error naming the template, the line and column of
 * the placeholder and the context path (status 3).  Rendered nodes live in
 * the arena of the output document the callback receives; the callback owns
 * that document.
 */
#ifndef NINEC_TMPL_H
#define NINEC_TMPL_H

#include "diag.h"
#include "node.h"

typedef int (*tmpl_out_fn)(struct doc *doc, void *arg, struct diag *d);

/* Renders every document of the template text (name is for messages).
 * Returns 0, or -1 with d filled (also when out returns -1). */
int tmpl_render(const char *name, const char *text, size_t len,
    const struct node *ctx, tmpl_out_fn out, void *arg, struct diag *d);

/* Renders one value (a template subtree) into arena a; *res is NULL when
 * the value disappears.  For callers that build trees themselves. */
int tmpl_render_node(const char *name, const struct node *t,
    const struct node *ctx, struct arena *a, struct node **res,
    struct diag *d);

#endif
