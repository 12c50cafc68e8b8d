#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bencodex.h"
#include "cli.h"
#include "keys.h"

#define BX_MAX_BYTES (16u * 1024 * 1024)
#define BX_MAX_DEPTH 64
#define BX_MAX_NODES (1u << 20)

static struct bx *
bx_new(struct arena *a, enum bx_type t)
{
	struct bx *v = arena_alloc(a, sizeof *v);

	memset(v, 0, sizeof *v);
	v->type = t;
	return v;
}

struct bx *
bx_null(struct arena *a)
{
	return bx_new(a, BX_NULL);
}

struct bx *
bx_bool(struct arena *a, int b)
{
	struct bx *v = bx_new(a, BX_BOOL);

	v->b = b != 0;
	return v;
}

static struct bx *
bx_str(struct arena *a, enum bx_type t, const void *p, size_t n)
{
	struct bx *v = bx_new(a, t);

	v->u.s = (unsigned char *)arena_strndup(a, n ? p : "", n);
	v->len = n;
	return v;
}

struct bx *
bx_intstr(struct arena *a, const char *dec, size_t n)
{
	return bx_str(a, BX_INT, dec, n);
}

struct bx *
bx_int(struct arena *a, long long v)
{
	char dec[24];

	return bx_intstr(a, dec, (size_t)snprintf(dec, sizeof dec, "%lld", v));
}

struct bx *
bx_bytes(struct arena *a, const void *p, size_t n)
{
	return bx_str(a, BX_BYTES, p, n);
}

struct bx *
bx_text(struct arena *a, const char *s, size_t n)
{
	return bx_str(a, BX_TEXT, s, n);
}

struct bx *
bx_textz(struct arena *a, const char *s)
{
	return bx_text(a, s, strlen(s));
}

struct bx *
bx_list(struct arena *a)
{
	return bx_new(a, BX_LIST);
}

struct bx *
bx_dict(struct arena *a)
{
	return bx_new(a, BX_DICT);
}

void
bx_push(struct arena *a, struct bx *list, struct bx *v)
{
	if (list->len == list->cap)
		list->u.items = arena_grow(a, list->u.items, list->len,
		    &list->cap, sizeof *list->u.items);
	list->u.items[list->len++] = v;
}

/* Canonical key order: byte keys first, then by unsigned bytes. */
static int
key_cmp(const struct bx *x, const struct bx *y)
{
	size_t n = x->len < y->len ? x->len : y->len;
	int c;

	if (x->type != y->type)
		return x->type == BX_BYTES ? -1 : 1;
	c = n ? memcmp(x->u.s, y->u.s, n) : 0;
	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

struct bx *
bx_get(const struct bx *dict, enum bx_type ktype, const void *key,
    size_t klen)
{
	size_t i;

	if (dict == NULL || dict->type != BX_DICT)
		return NULL;
	for (i = 0; i < dict->len; i++) {
		const struct bx *k = dict->u.pairs[i].key;

		if (k->type == ktype && k->len == klen &&
		    (klen == 0 || memcmp(k->u.s, key, klen) == 0))
			return dict->u.pairs[i].val;
	}
	return NULL;
}

struct bx *
bx_get_text(const struct bx *dict, const char *key)
{
	return bx_get(dict, BX_TEXT, key, strlen(key));
}

struct bx *
bx_get_byte(const struct bx *dict, char key)
{
	return bx_get(dict, BX_BYTES, &key, 1);
}

void
bx_set(struct arena *a, struct bx *dict, struct bx *key, struct bx *v)
{
	size_t i;

	for (i = 0; i < dict->len; i++)
		if (key_cmp(dict->u.pairs[i].key, key) == 0) {
			dict->u.pairs[i].val = v;
			return;
		}
	if (dict->len == dict->cap)
		dict->u.pairs = arena_grow(a, dict->u.pairs, dict->len,
		    &dict->cap, sizeof *dict->u.pairs);
	dict->u.pairs[dict->len].key = key;
	dict->u.pairs[dict->len++].val = v;
}

int
bx_equal(const struct bx *x, const struct bx *y)
{
	size_t i;

	if (x->type != y->type || x->len != y->len)
		return 0;
	switch (x->type) {
	case BX_NULL:
		return 1;
	case BX_BOOL:
		return x->b == y->b;
	case BX_LIST:
		for (i = 0; i < x->len; i++)
			if (!bx_equal(x->u.items[i], y->u.items[i]))
				return 0;
		return 1;
	case BX_DICT:
		for (i = 0; i < x->len; i++) {
			const struct bx_pair *p = &x->u.pairs[i];
			const struct bx *o = bx_get(y, p->key->type,
			    p->key->u.s, p->key->len);

			if (o == NULL || !bx_equal(p->val, o))
				return 0;
		}
		return 1;
	default:
		return x->len == 0 || memcmp(x->u.s, y->u.s, x->len) == 0;
	}
}

int
bx_int_value(const struct bx *v, long long *out)
{
	char *end;
	long long r;

	if (v == NULL || v->type != BX_INT)
		return -1;
	errno = 0;
	r = strtoll((const char *)v->u.s, &end, 10);
	if (errno || *end)
		return -1;
	*out = r;
	return 0;
}

const char *
bx_type_name(enum bx_type t)
{
	static const char *const names[] = {
		"null", "boolean", "integer", "byte string", "text", "list",
		"dictionary"
	};

	return (unsigned)t < sizeof names / sizeof *names ? names[t] : "?";
}

/* ---- decoding ---- */

struct reader {
	const unsigned char *p;
	size_t n, off;
	size_t depth, nodes;
	struct bx_limits lim;
	struct arena *a;
	struct diag *d;
};

static int
rfail(struct reader *r, size_t off, const char *what)
{
	return diag_set(r->d, EXIT_INPUT, "offset %zu: %s", off, what);
}

/* A length: digits with no leading zero, then ':'; the bytes must fit. */
static int
read_len(struct reader *r, size_t *len)
{
	size_t start = r->off, v = 0;

	while (r->off < r->n && r->p[r->off] >= '0' && r->p[r->off] <= '9') {
		if (r->off > start && r->p[start] == '0')
			return rfail(r, start, "length has a leading zero");
		v = v * 10 + (size_t)(r->p[r->off] - '0');
		if (v > r->n)
			return rfail(r, start, "length runs past the end");
		r->off++;
	}
	if (r->off == start)
		return rfail(r, start, "expected a length");
	if (r->off >= r->n || r->p[r->off] != ':')
		return rfail(r, r->off, "expected ':' after the length");
	r->off++;
	if (v > r->n - r->off)
		return rfail(r, start, "length runs past the end");
	*len = v;
	return 0;
}

static int read_value(struct reader *r, struct bx **out);

static int
read_int(struct reader *r, struct bx **out)
{
	size_t start = r->off, ds;

	r->off++;
	if (r->off < r->n && r->p[r->off] == '-')
		r->off++;
	ds = r->off;
	while (r->off < r->n && r->p[r->off] >= '0' && r->p[r->off] <= '9')
		r->off++;
	if (r->off == ds)
		return rfail(r, start, "integer has no digits");
	if (r->off >= r->n || r->p[r->off] != 'e')
		return rfail(r, r->off, "expected 'e' after the integer");
	if (r->p[ds] == '0' && (r->off - ds > 1 || ds > start + 1))
		return rfail(r, start, "integer is not canonical (leading "
		    "zero or -0)");
	*out = bx_intstr(r->a, (const char *)r->p + start + 1,
	    r->off - start - 1);
	r->off++;
	return 0;
}

static int
read_string(struct reader *r, struct bx **out)
{
	size_t start = r->off, len = 0;
	int text = r->p[r->off] == 'u';

	if (text)
		r->off++;
	if (read_len(r, &len) < 0)
		return -1;
	if (text && !utf8_valid((const char *)r->p + r->off, len))
		return rfail(r, start, "text is not valid UTF-8");
	*out = text ? bx_text(r->a, (const char *)r->p + r->off, len) :
	    bx_bytes(r->a, r->p + r->off, len);
	r->off += len;
	return 0;
}

static int
read_dict(struct reader *r, struct bx *dict)
{
	struct bx *k, *v, *prev = NULL;
	size_t koff;
	int c;

	for (;;) {
		if (r->off >= r->n)
			return rfail(r, r->off, "dictionary is not closed");
		c = r->p[r->off];
		if (c == 'e')
			break;
		koff = r->off;
		if (c != 'u' && (c < '0' || c > '9'))
			return rfail(r, koff, "dictionary key is not a byte "
			    "string or text");
		if (read_string(r, &k) < 0)
			return -1;
		if (prev && key_cmp(prev, k) >= 0)
			return rfail(r, koff, key_cmp(prev, k) == 0 ?
			    "dictionary key is repeated" :
			    "dictionary keys are out of order");
		if (read_value(r, &v) < 0)
			return -1;
		if (dict->len == dict->cap)
			dict->u.pairs = arena_grow(r->a, dict->u.pairs,
			    dict->len, &dict->cap, sizeof *dict->u.pairs);
		dict->u.pairs[dict->len].key = k;
		dict->u.pairs[dict->len++].val = v;
		prev = k;
	}
	r->off++;
	return 0;
}

static int
read_value(struct reader *r, struct bx **out)
{
	size_t start = r->off;
	struct bx *v, *item;
	int c, rc = 0;

	if (r->off >= r->n)
		return rfail(r, r->off, "unexpected end of input");
	if (++r->nodes > r->lim.max_nodes)
		return rfail(r, r->off, "too many values");
	c = r->p[r->off];
	switch (c) {
	case 'n':
		r->off++;
		*out = bx_null(r->a);
		return 0;
	case 't':
	case 'f':
		r->off++;
		*out = bx_bool(r->a, c == 't');
		return 0;
	case 'i':
		return read_int(r, out);
	case 'u':
		return read_string(r, out);
	case 'l':
	case 'd':
		if (++r->depth > r->lim.max_depth)
			return rfail(r, start, "nested too deeply");
		r->off++;
		v = c == 'l' ? bx_list(r->a) : bx_dict(r->a);
		if (c == 'd')
			rc = read_dict(r, v);
		else
			for (;;) {
				if (r->off >= r->n) {
					rc = rfail(r, r->off, "list is not "
					    "closed");
					break;
				}
				if (r->p[r->off] == 'e') {
					r->off++;
					break;
				}
				if ((rc = read_value(r, &item)) < 0)
					break;
				bx_push(r->a, v, item);
			}
		r->depth--;
		*out = v;
		return rc;
	default:
		if (c >= '0' && c <= '9')
			return read_string(r, out);
		return rfail(r, start, "not the start of a value");
	}
}

int
bx_decode(const unsigned char *p, size_t n, const struct bx_limits *lim,
    struct arena *a, struct bx **out, struct diag *d)
{
	struct reader r;

	memset(&r, 0, sizeof r);
	r.p = p;
	r.n = n;
	r.a = a;
	r.d = d;
	if (lim)
		r.lim = *lim;
	if (r.lim.max_bytes == 0)
		r.lim.max_bytes = BX_MAX_BYTES;
	if (r.lim.max_depth == 0)
		r.lim.max_depth = BX_MAX_DEPTH;
	if (r.lim.max_nodes == 0)
		r.lim.max_nodes = BX_MAX_NODES;
	if (n > r.lim.max_bytes)
		return diag_set(d, EXIT_INPUT, "larger than %zu bytes",
		    r.lim.max_bytes);
	if (read_value(&r, out) < 0)
		return -1;
	if (r.off != n)
		return rfail(&r, r.off, "bytes after the value");
	return 0;
}

/* ---- encoding ---- */

static int
pair_cmp(const void *x, const void *y)
{
	const struct bx_pair *a = x, *b = y;

	return key_cmp(a->key, b->key);
}

int
bx_encode(const struct bx *v, struct buf *out, struct diag *d)
{
	struct bx_pair *sorted;
	size_t i;
	int rc = 0;

	switch (v->type) {
	case BX_NULL:
		buf_addc(out, 'n');
		break;
	case BX_BOOL:
		buf_addc(out, v->b ? 't' : 'f');
		break;
	case BX_INT:
		buf_printf(out, "i%se", (const char *)v->u.s);
		break;
	case BX_TEXT:
	case BX_BYTES:
		buf_printf(out, "%s%zu:", v->type == BX_TEXT ? "u" : "",
		    v->len);
		buf_add(out, v->u.s, v->len);
		break;
	case BX_LIST:
		buf_addc(out, 'l');
		for (i = 0; i < v->len && rc == 0; i++)
			rc = bx_encode(v->u.items[i], out, d);
		buf_addc(out, 'e');
		break;
	case BX_DICT:
		sorted = xcalloc(v->len, sizeof *sorted);
		for (i = 0; i < v->len; i++) {
			sorted[i] = v->u.pairs[i];
			if (sorted[i].key->type != BX_BYTES &&
			    sorted[i].key->type != BX_TEXT)
				rc = diag_set(d, EXIT_INPUT, "a dictionary key "
				    "is a %s",
				    bx_type_name(sorted[i].key->type));
		}
		if (v->len)
			qsort(sorted, v->len, sizeof *sorted, pair_cmp);
		buf_addc(out, 'd');
		for (i = 0; i < v->len && rc == 0; i++) {
			if (i && key_cmp(sorted[i - 1].key, sorted[i].key) == 0)
				rc = diag_set(d, EXIT_INPUT, "a dictionary "
				    "holds the key '%.*s' twice",
				    (int)sorted[i].key->len,
				    (const char *)sorted[i].key->u.s);
			else if ((rc = bx_encode(sorted[i].key, out, d)) == 0)
				rc = bx_encode(sorted[i].val, out, d);
		}
		buf_addc(out, 'e');
		free(sorted);
		break;
	}
	return rc;
}

/* ---- the document model ---- */

/* Puts the step to a child in front of the path the child reported. */
static void
path_prefix(struct diag *d, const char *key, size_t klen, size_t idx)
{
	char path[DIAG_PATH];
	size_t n;

	path[0] = '\0';
	if (key)
		path_fmt_key(path, sizeof path, key, klen);
	else
		snprintf(path, sizeof path, "[%zu]", idx);
	n = strlen(path);
	if (d->path[0] && d->path[0] != '[' && n + 1 < sizeof path)
		path[n++] = '.';
	path[n] = '\0';
	if (strlen(d->path) < sizeof path - n)
		memcpy(path + n, d->path, strlen(d->path) + 1);
	diag_setpath(d, path);
}

struct bx *
bx_from_node(struct arena *a, const struct node *n, struct diag *d)
{
	struct bx *v, *item;
	size_t i;

	switch (n->type) {
	case NODE_NULL:
		return bx_null(a);
	case NODE_BOOL:
		return bx_bool(a, n->b);
	case NODE_INT:
		return bx_intstr(a, n->u.s, n->len);
	case NODE_STR:
		return bx_text(a, n->u.s, n->len);
	case NODE_SEQ:
		v = bx_list(a);
		for (i = 0; i < n->len; i++) {
			item = bx_from_node(a, n->u.items[i], d);
			if (item == NULL) {
				path_prefix(d, NULL, 0, i);
				return NULL;
			}
			bx_push(a, v, item);
		}
		return v;
	case NODE_MAP:
		v = bx_dict(a);
		for (i = 0; i < n->len; i++) {
			const struct node *k = n->u.pairs[i].key;

			if ((item = bx_from_node(a, n->u.pairs[i].val,
			    d)) == NULL) {
				path_prefix(d, k->u.s, k->len, 0);
				return NULL;
			}
			bx_set(a, v, bx_text(a, k->u.s, k->len), item);
		}
		return v;
	default:
		diag_setpath(d, "");
		diag_set(d, EXIT_INPUT, "a number with a fraction has no "
		    "Bencodex form (use an integer or a string)");
		return NULL;
	}
}

static struct node *
bytes_node(struct arena *a, const struct bx *v)
{
	char *hex = xmalloc(2 * v->len + 3);
	struct node *n;

	hex[0] = '0';
	hex[1] = 'x';
	key_hex(v->u.s, v->len, hex + 2);
	n = node_strz(a, hex);
	free(hex);
	return n;
}

struct node *
bx_to_node(struct arena *a, const struct bx *v)
{
	struct node *n, *k;
	size_t i;

	switch (v->type) {
	case BX_NULL:
		return node_null(a);
	case BX_BOOL:
		return node_bool(a, v->b);
	case BX_INT:
		return node_intstr(a, (const char *)v->u.s, v->len);
	case BX_TEXT:
		return node_str(a, (const char *)v->u.s, v->len);
	case BX_BYTES:
		return bytes_node(a, v);
	case BX_LIST:
		n = node_seq(a);
		for (i = 0; i < v->len; i++)
			node_seq_push(a, n, bx_to_node(a, v->u.items[i]));
		return n;
	default:
		n = node_map(a);
		for (i = 0; i < v->len; i++) {
			const struct bx *key = v->u.pairs[i].key;

			k = key->type == BX_BYTES ? bytes_node(a, key) :
			    node_str(a, (const char *)key->u.s, key->len);
			node_map_append(a, n, k,
			    bx_to_node(a, v->u.pairs[i].val));
		}
		return n;
	}
}
