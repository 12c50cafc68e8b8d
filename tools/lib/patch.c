#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "patch.h"
#include "util.h"

#define TOKEN_MAX 1024

static int
perr(struct diag *d, const struct node *at, size_t i, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
perr(struct diag *d, const struct node *at, size_t i, const char *fmt, ...)
{
	char msg[DIAG_MSG];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	d->line = at ? at->line : 0;
	d->col = at ? at->col : 0;
	return diag_set(d, EXIT_INPUT, "operation %zu: %s", i + 1, msg);
}

/* Next reference token of pointer *p, unescaped (~1 -> /, ~0 -> ~). */
static int
token(const char **p, char *out, size_t *len)
{
	const char *s = *p;
	size_t n = 0;

	if (*s != '/')
		return -1;
	s++;
	while (*s && *s != '/') {
		char c = *s++;

		if (c == '~') {
			if (*s == '0')
				c = '~';
			else if (*s == '1')
				c = '/';
			else
				return -1;
			s++;
		}
		if (n + 1 >= TOKEN_MAX)
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	*len = n;
	*p = s;
	return 0;
}

static int
index_of(const char *tok, size_t len, size_t max, size_t *idx)
{
	size_t i, v = 0;

	if (len == 0 || (len > 1 && tok[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (tok[i] < '0' || tok[i] > '9' || v > 1000000000)
			return -1;
		v = v * 10 + (size_t)(tok[i] - '0');
	}
	if (v > max)
		return -1;
	*idx = v;
	return 0;
}

/*
 * Resolves all of ptr but its last token: *parent gets the container and
 * last the final token.  An empty pointer means the root (parent NULL).
 */
static int
walk(struct node *root, const char *ptr, struct node **parent, char *last,
    size_t *llen)
{
	const char *p = ptr;
	struct node *cur = root;
	char tok[TOKEN_MAX];
	size_t n, idx;

	*parent = NULL;
	if (*p == '\0')
		return 0;
	if (token(&p, last, llen) < 0)
		return -1;
	while (*p) {
		memcpy(tok, last, *llen + 1);
		n = *llen;
		if (cur->type == NODE_MAP)
			cur = node_getn(cur, tok, n);
		else if (cur->type == NODE_SEQ &&
		    index_of(tok, n, cur->len - 1, &idx) == 0 && cur->len)
			cur = cur->u.items[idx];
		else
			cur = NULL;
		if (cur == NULL)
			return -1;
		if (token(&p, last, llen) < 0)
			return -1;
	}
	*parent = cur;
	return 0;
}

static struct node *
get(struct node *root, const char *ptr)
{
	struct node *par;
	char last[TOKEN_MAX];
	size_t len, idx;

	if (walk(root, ptr, &par, last, &len) < 0)
		return NULL;
	if (par == NULL)
		return root;
	if (par->type == NODE_MAP)
		return node_getn(par, last, len);
	if (par->type == NODE_SEQ && par->len &&
	    index_of(last, len, par->len - 1, &idx) == 0)
		return par->u.items[idx];
	return NULL;
}

static int
add(struct arena *a, struct node **root, const char *ptr, struct node *v)
{
	struct node *par;
	char last[TOKEN_MAX];
	size_t len, idx;

	if (walk(*root, ptr, &par, last, &len) < 0)
		return -1;
	if (par == NULL) {
		*root = v;
		return 0;
	}
	if (par->type == NODE_MAP) {
		node_map_setn(a, par, last, len, v);
		return 0;
	}
	if (par->type != NODE_SEQ)
		return -1;
	if (len == 1 && last[0] == '-')
		idx = par->len;
	else if (index_of(last, len, par->len, &idx) < 0)
		return -1;
	node_seq_push(a, par, v);
	memmove(&par->u.items[idx + 1], &par->u.items[idx],
	    (par->len - 1 - idx) * sizeof *par->u.items);
	par->u.items[idx] = v;
	return 0;
}

/* Replaces an existing value where it stands (key order kept). */
static int
replace(struct node **root, const char *ptr, struct node *v)
{
	struct node *par;
	char last[TOKEN_MAX];
	size_t len, i, idx;

	if (walk(*root, ptr, &par, last, &len) < 0)
		return -1;
	if (par == NULL) {
		*root = v;
		return 0;
	}
	if (par->type == NODE_MAP) {
		for (i = 0; i < par->len; i++)
			if (par->u.pairs[i].key->len == len &&
			    memcmp(par->u.pairs[i].key->u.s, last, len) == 0) {
				par->u.pairs[i].val = v;
				return 0;
			}
		return -1;
	}
	if (par->type != NODE_SEQ || par->len == 0 ||
	    index_of(last, len, par->len - 1, &idx) < 0)
		return -1;
	par->u.items[idx] = v;
	return 0;
}

static int
del(struct node *root, const char *ptr)
{
	struct node *par;
	char last[TOKEN_MAX];
	size_t len, idx;

	if (walk(root, ptr, &par, last, &len) < 0 || par == NULL)
		return -1;
	if (par->type == NODE_MAP) {
		char *k = last;

		if (node_getn(par, k, len) == NULL || strlen(k) != len)
			return -1;
		return node_map_del(par, k) ? 0 : -1;
	}
	if (par->type != NODE_SEQ || par->len == 0 ||
	    index_of(last, len, par->len - 1, &idx) < 0)
		return -1;
	memmove(&par->u.items[idx], &par->u.items[idx + 1],
	    (par->len - 1 - idx) * sizeof *par->u.items);
	par->len--;
	return 0;
}

/* A copy doubles what it copies: without a budget 40 operations make
 * 2^40 nodes. */
#define PATCH_MAX_NODES 1000000

static int
grow(size_t *nodes, const struct node *v, const struct node *op, size_t i,
    struct diag *d)
{
	*nodes += node_count(v);
	if (*nodes > PATCH_MAX_NODES)
		return perr(d, op, i, "the document would grow past %d nodes",
		    PATCH_MAX_NODES);
	return 0;
}

static int
one(struct arena *a, struct node **root, const struct node *op, size_t i,
    size_t *nodes, struct diag *d)
{
	const char *name = node_at_s(op, "op");
	const char *path = node_at_s(op, "path");
	const char *from = node_at_s(op, "from");
	const struct node *value = node_get(op, "value");
	struct node *v;

	if (op->type != NODE_MAP)
		return perr(d, op, i, "expected a mapping");
	if (name == NULL || path == NULL)
		return perr(d, op, i, "needs op and path");
	if ((*path && *path != '/') || (from && *from && *from != '/'))
		return perr(d, op, i, "'%s' is not a JSON pointer",
		    *path && *path != '/' ? path : from);
	if (strcmp(name, "add") == 0 || strcmp(name, "replace") == 0 ||
	    strcmp(name, "test") == 0) {
		if (value == NULL)
			return perr(d, op, i, "%s needs a value", name);
		if (strcmp(name, "test") == 0) {
			v = get(*root, path);
			if (v == NULL || !node_equal(v, value))
				return perr(d, op, i, "test %s failed", path);
			return 0;
		}
		if (grow(nodes, value, op, i, d) < 0)
			return -1;
		if (strcmp(name, "replace") == 0) {
			if (get(*root, path) == NULL ||
			    replace(root, path, node_copy(a, value)) < 0)
				return perr(d, op, i, "%s: no such value", path);
			return 0;
		}
		if (add(a, root, path, node_copy(a, value)) < 0)
			return perr(d, op, i, "%s: cannot add there", path);
		return 0;
	}
	if (strcmp(name, "remove") == 0) {
		if (*path == '\0' || del(*root, path) < 0)
			return perr(d, op, i, "%s: no such value", path);
		return 0;
	}
	if (strcmp(name, "move") == 0 || strcmp(name, "copy") == 0) {
		if (from == NULL)
			return perr(d, op, i, "%s needs from", name);
		v = get(*root, from);
		if (v == NULL)
			return perr(d, op, i, "%s: no such value", from);
		if (name[0] == 'm') {
			size_t fl = strlen(from);

			if (strncmp(path, from, fl) == 0 &&
			    (path[fl] == '/' || path[fl] == '\0')) {
				if (path[fl] == '\0')
					return 0;
				return perr(d, op, i, "cannot move %s into "
				    "itself", from);
			}
			if (del(*root, from) < 0)
				return perr(d, op, i, "%s: no such value",
				    from);
		} else if (grow(nodes, v, op, i, d) < 0)
			return -1;
		else
			v = node_copy(a, v);
		if (add(a, root, path, v) < 0)
			return perr(d, op, i, "%s: cannot add there", path);
		return 0;
	}
	return perr(d, op, i, "unknown op '%s'", name);
}

int
patch_json(struct arena *a, struct node **root, const struct node *ops,
    struct diag *d)
{
	size_t i, nodes = node_count(*root);

	if (ops == NULL || ops->type != NODE_SEQ) {
		d->line = ops ? ops->line : 0;
		d->col = ops ? ops->col : 0;
		return diag_set(d, EXIT_INPUT, "a JSON patch is a list of "
		    "operations");
	}
	for (i = 0; i < ops->len; i++)
		if (one(a, root, ops->u.items[i], i, &nodes, d) < 0)
			return -1;
	return 0;
}

struct node *
patch_merge(struct arena *a, struct node *target, const struct node *patch)
{
	size_t i;

	if (patch == NULL)
		return target;
	if (patch->type != NODE_MAP)
		return node_copy(a, patch);
	if (target == NULL || target->type != NODE_MAP)
		target = node_map(a);
	for (i = 0; i < patch->len; i++) {
		const struct pair *p = &patch->u.pairs[i];
		struct node *cur;

		if (p->val->type == NODE_NULL) {
			if (strlen(p->key->u.s) == p->key->len)
				node_map_del(target, p->key->u.s);
			continue;
		}
		cur = node_getn(target, p->key->u.s, p->key->len);
		node_map_setn(a, target, p->key->u.s, p->key->len,
		    patch_merge(a, cur, p->val));
	}
	return target;
}
