#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "util.h"

/*
 * Chunks grow geometrically so a large document costs few mallocs, and a
 * small one (most manifests) costs one.
 */
struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

#define ARENA_MIN 4096

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	size_t cap;
	void *p;

	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (c == NULL || c->cap - c->used < n) {
		cap = c ? c->cap * 2 : ARENA_MIN;
		if (cap > (size_t)1 << 24)
			cap = (size_t)1 << 24;
		if (cap < n)
			cap = n;
		c = xmalloc(sizeof *c + cap);
		c->used = 0;
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	a->total += n;
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
arena_release(struct arena *a)
{
	struct arena_chunk *c, *next;

	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
	a->total = 0;
}

struct doc *
doc_new(const char *input, int index)
{
	struct doc *d = xcalloc(1, sizeof *d);

	d->input = input;
	d->index = index;
	return d;
}

void
doc_free(struct doc *d)
{
	if (d == NULL)
		return;
	arena_release(&d->arena);
	free(d);
}

struct node *
node_new(struct arena *a, enum node_type t)
{
	struct node *n = arena_alloc(a, sizeof *n);

	memset(n, 0, sizeof *n);
	n->type = (unsigned char)t;
	return n;
}

struct node *
node_null(struct arena *a)
{
	return node_new(a, NODE_NULL);
}

struct node *
node_bool(struct arena *a, int b)
{
	struct node *n = node_new(a, NODE_BOOL);

	n->b = b != 0;
	return n;
}

struct node *
node_intstr(struct arena *a, const char *dec, size_t len)
{
	struct node *n = node_new(a, NODE_INT);

	n->u.s = arena_strndup(a, dec, len);
	n->len = len;
	return n;
}

struct node *
node_int(struct arena *a, long long v)
{
	char tmp[32];
	int k = snprintf(tmp, sizeof tmp, "%lld", v);

	return node_intstr(a, tmp, (size_t)k);
}

struct node *
node_float(struct arena *a, double d)
{
	struct node *n = node_new(a, NODE_FLOAT);

	n->u.d = d;
	return n;
}

struct node *
node_str(struct arena *a, const char *s, size_t len)
{
	struct node *n = node_new(a, NODE_STR);

	n->u.s = arena_strndup(a, s, len);
	n->len = len;
	return n;
}

struct node *
node_strz(struct arena *a, const char *s)
{
	return node_str(a, s, strlen(s));
}

struct node *
node_seq(struct arena *a)
{
	return node_new(a, NODE_SEQ);
}

struct node *
node_map(struct arena *a)
{
	return node_new(a, NODE_MAP);
}

void *
arena_grow(struct arena *a, void *old, size_t len, size_t *cap, size_t elsize)
{
	size_t ncap = *cap ? *cap * 2 : 4;
	void *p = arena_alloc(a, ncap * elsize);

	if (len)
		memcpy(p, old, len * elsize);
	*cap = ncap;
	return p;
}

void
node_seq_push(struct arena *a, struct node *seq, struct node *v)
{
	if (seq->len == seq->cap)
		seq->u.items = arena_grow(a, seq->u.items, seq->len, &seq->cap,
		    sizeof *seq->u.items);
	seq->u.items[seq->len++] = v;
}

void
node_map_append(struct arena *a, struct node *map, struct node *key,
    struct node *v)
{
	if (map->len == map->cap)
		map->u.pairs = arena_grow(a, map->u.pairs, map->len, &map->cap,
		    sizeof *map->u.pairs);
	map->u.pairs[map->len].key = key;
	map->u.pairs[map->len].val = v;
	map->len++;
}

void
node_map_setn(struct arena *a, struct node *map, const char *key, size_t klen,
    struct node *v)
{
	size_t i;

	for (i = 0; i < map->len; i++) {
		struct node *k = map->u.pairs[i].key;

		if (k->len == klen && memcmp(k->u.s, key, klen) == 0) {
			map->u.pairs[i].val = v;
			return;
		}
	}
	node_map_append(a, map, node_str(a, key, klen), v);
}

void
node_map_set(struct arena *a, struct node *map, const char *key, struct node *v)
{
	node_map_setn(a, map, key, strlen(key), v);
}

int
node_map_del(struct node *map, const char *key)
{
	size_t i, klen = strlen(key);

	if (map == NULL || map->type != NODE_MAP)
		return 0;
	for (i = 0; i < map->len; i++) {
		struct node *k = map->u.pairs[i].key;

		if (k->len == klen && memcmp(k->u.s, key, klen) == 0) {
			memmove(map->u.pairs + i, map->u.pairs + i + 1,
			    (map->len - i - 1) * sizeof *map->u.pairs);
			map->len--;
			return 1;
		}
	}
	return 0;
}

struct node *
node_copy(struct arena *a, const struct node *n)
{
	struct node *c;
	size_t i;

	if (n == NULL)
		return NULL;
	c = node_new(a, (enum node_type)n->type);
	c->b = n->b;
	c->line = n->line;
	c->col = n->col;
	switch (n->type) {
	case NODE_INT:
	case NODE_STR:
		c->u.s = arena_strndup(a, n->u.s, n->len);
		c->len = n->len;
		break;
	case NODE_FLOAT:
		c->u.d = n->u.d;
		break;
	case NODE_SEQ:
		if (n->len) {
			c->u.items = arena_alloc(a, n->len * sizeof *c->u.items);
			for (i = 0; i < n->len; i++)
				c->u.items[i] = node_copy(a, n->u.items[i]);
		}
		c->len = c->cap = n->len;
		break;
	case NODE_MAP:
		if (n->len) {
			c->u.pairs = arena_alloc(a, n->len * sizeof *c->u.pairs);
			for (i = 0; i < n->len; i++) {
				c->u.pairs[i].key = node_copy(a, n->u.pairs[i].key);
				c->u.pairs[i].val = node_copy(a, n->u.pairs[i].val);
			}
		}
		c->len = c->cap = n->len;
		break;
	default:
		break;
	}
	return c;
}

struct node *
node_getn(const struct node *map, const char *key, size_t klen)
{
	size_t i;

	if (map == NULL || map->type != NODE_MAP)
		return NULL;
	for (i = 0; i < map->len; i++) {
		const struct node *k = map->u.pairs[i].key;

		if (k->len == klen && memcmp(k->u.s, key, klen) == 0)
			return map->u.pairs[i].val;
	}
	return NULL;
}

struct node *
node_get(const struct node *map, const char *key)
{
	return node_getn(map, key, strlen(key));
}

struct node *
node_at(const struct node *n, const char *dotted)
{
	const char *dot;

	while (n && *dotted) {
		dot = strchr(dotted, '.');
		if (dot == NULL)
			return node_get(n, dotted);
		n = node_getn(n, dotted, (size_t)(dot - dotted));
		dotted = dot + 1;
	}
	return (struct node *)n;
}

const char *
node_s(const struct node *n)
{
	return n && n->type == NODE_STR ? n->u.s : NULL;
}

const char *
node_at_s(const struct node *n, const char *dotted)
{
	return node_s(node_at(n, dotted));
}

int
node_int_value(const struct node *n, long long *out)
{
	char *end;

	if (n == NULL)
		return 0;
	if (n->type == NODE_INT) {
		/* 2^64 is no long long: not a clamped LLONG_MAX. */
		errno = 0;
		*out = strtoll(n->u.s, &end, 10);
		return *end == '\0' && errno != ERANGE;
	}
	if (n->type == NODE_FLOAT && n->u.d == floor(n->u.d) &&
	    fabs(n->u.d) < 9e15) {
		*out = (long long)n->u.d;
		return 1;
	}
	return 0;
}

int
node_equal(const struct node *a, const struct node *b)
{
	size_t i;

	if (a == b)
		return 1;
	if (a == NULL || b == NULL || a->type != b->type)
		return 0;
	switch (a->type) {
	case NODE_NULL:
		return 1;
	case NODE_BOOL:
		return a->b == b->b;
	case NODE_FLOAT:
		return a->u.d == b->u.d;
	case NODE_INT:
	case NODE_STR:
		return a->len == b->len && memcmp(a->u.s, b->u.s, a->len) == 0;
	case NODE_SEQ:
		if (a->len != b->len)
			return 0;
		for (i = 0; i < a->len; i++)
			if (!node_equal(a->u.items[i], b->u.items[i]))
				return 0;
		return 1;
	case NODE_MAP:
		if (a->len != b->len)
			return 0;
		for (i = 0; i < a->len; i++) {
			const struct node *k = a->u.pairs[i].key;

			if (!node_equal(a->u.pairs[i].val,
			    node_getn(b, k->u.s, k->len)))
				return 0;
		}
		return 1;
	}
	return 0;
}

const char *
node_type_name(enum node_type t)
{
	static const char *names[] = {
		"null", "boolean", "integer", "number", "string", "list",
		"mapping"
	};

	return names[t];
}

size_t
node_count(const struct node *n)
{
	size_t i, c = 1;

	if (n == NULL)
		return 0;
	if (n->type == NODE_SEQ)
		for (i = 0; i < n->len; i++)
			c += node_count(n->u.items[i]);
	else if (n->type == NODE_MAP)
		for (i = 0; i < n->len; i++)
			c += 1 + node_count(n->u.pairs[i].val);
	return c;
}

static struct path_el *
path_new_el(struct path *p)
{
	if (p->depth == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->el = xrealloc(p->el, p->cap * sizeof *p->el);
	}
	return &p->el[p->depth++];
}

void
path_push_key(struct path *p, const char *key, size_t klen)
{
	struct path_el *e = path_new_el(p);

	e->key = key;
	e->klen = klen;
	e->idx = 0;
}

void
path_push_idx(struct path *p, size_t idx)
{
	struct path_el *e = path_new_el(p);

	e->key = NULL;
	e->klen = 0;
	e->idx = idx;
}

void
path_pop(struct path *p)
{
	if (p->depth)
		p->depth--;
}

void
path_release(struct path *p)
{
	free(p->el);
	p->el = NULL;
	p->depth = p->cap = 0;
}

static int
plain_key(const char *k, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)k[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '$'))
			return 0;
	}
	return 1;
}

void
path_fmt_key(char *out, size_t n, const char *key, size_t klen)
{
	size_t k = strlen(out), i;

#define PUTC(c) do { if (k + 1 < n) { out[k++] = (c); out[k] = '\0'; } } while (0)
	if (plain_key(key, klen)) {
		if (k > 0)
			PUTC('.');
		for (i = 0; i < klen; i++)
			PUTC(key[i]);
		return;
	}
	PUTC('[');
	PUTC('"');
	for (i = 0; i < klen; i++) {
		unsigned char c = (unsigned char)key[i];

		if (c == '"' || c == '\\') {
			PUTC('\\');
			PUTC((char)c);
		} else if (c < 0x20) {
			char esc[8];
			size_t j;

			snprintf(esc, sizeof esc, "\\u%04x", c);
			for (j = 0; esc[j]; j++)
				PUTC(esc[j]);
		} else
			PUTC((char)c);
	}
	PUTC('"');
	PUTC(']');
#undef PUTC
}

void
path_format(const struct path *p, char *out, size_t n)
{
	size_t i, k;

	if (n == 0)
		return;
	out[0] = '\0';
	for (i = 0; i < p->depth; i++) {
		if (p->el[i].key)
			path_fmt_key(out, n, p->el[i].key, p->el[i].klen);
		else {
			k = strlen(out);
			snprintf(out + k, n - k, "[%zu]", p->el[i].idx);
		}
	}
}
