/*
 * patch.h - changing a rendered document after the fact: JSON Patch
 * (RFC 6902) and JSON Merge Patch (RFC 7386), on the document model.
 *
 * Both work in place in the target's arena a; values taken from the patch
 * are copied, so the patch document may be freed afterwards.  A JSON Patch
 * is all or nothing only at the level of the caller: on error the target
 * may be half changed, so callers apply patches to documents they are
 * about to throw away on failure (9c-render stops without output).
 * Errors fill d (status 3, the operation's position, and a message naming
 * the operation's index and pointer) and return -1.
 */
#ifndef NINEC_PATCH_H
#define NINEC_PATCH_H

#include "diag.h"
#include "node.h"

/* ops: a list of {op, path, value|from}; *root may be replaced. */
int patch_json(struct arena *a, struct node **root, const struct node *ops,
    struct diag *d);
/* Returns the patched target: patch itself (copied) when either is not a
 * mapping, else target changed in place (null values delete keys). */
struct node *patch_merge(struct arena *a, struct node *target,
    const struct node *patch);

#endif
