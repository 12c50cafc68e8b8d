#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "scalar.h"
#include "stream.h"
#include "util.h"

#define EXIT_INPUT 3
#define JSON_MAX_INPUT ((size_t)1 << 30)
#define READ_BLOCK 65536
/* Reader-private node flags. */
#define NF_MERGED 1		/* key came from a `<<' merge */
#define NF_WAS_FLOAT 2		/* integer text that was written as a float */

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

const struct stream_limits stream_default_limits = {
	64u << 20, 1000, 1024, 8000000
};

struct stream {
	char *name;
	FILE *f;
	struct stream_limits lim;
	int keep_lists;
	struct diag *fail;	/* where flatten() reports */
	int mode;		/* 0 not yet known, 1 YAML, 2 JSON */
	int eof, failed;
	struct buf in;		/* bytes read, not yet consumed */
	size_t pos;		/* consumed up to here */
	long line;		/* lines consumed */
	int ndocs;
	struct buf chunk;
	/* items of a flattened List still to hand out */
	struct doc **pending;
	size_t npending, next_pending;
	/* JSON */
	int jarray;		/* inside a top-level array */
	int jdone;
	int jvalues;		/* top-level values read */
	size_t jgood;		/* where the last good value ended */
	int fellback;		/* JSON failed, YAML reads the rest */
	struct diag jsonerr;	/* why, reported if the YAML fails too */
	long jline;
	size_t jlinestart;
};

/* Duplicate-key lookup for one mapping under construction. */
struct keyset {
	size_t *slot;		/* pair index + 1, 0 empty */
	size_t cap;
};

static uint64_t
hash_bytes(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	while (n--) {
		h ^= (unsigned char)*p++;
		h *= 1099511628211ULL;
	}
	return h;
}

static void
keyset_insert(struct keyset *ks, const struct node *map, size_t idx)
{
	const struct node *k = map->u.pairs[idx].key;
	size_t m = ks->cap - 1, i = hash_bytes(k->u.s, k->len) & m;

	while (ks->slot[i])
		i = (i + 1) & m;
	ks->slot[i] = idx + 1;
}

static void
keyset_rebuild(struct keyset *ks, const struct node *map)
{
	size_t i;

	free(ks->slot);
	ks->cap = 64;
	while (ks->cap < map->len * 4)
		ks->cap *= 2;
	ks->slot = xcalloc(ks->cap, sizeof *ks->slot);
	for (i = 0; i < map->len; i++)
		keyset_insert(ks, map, i);
}

/* Index of key in map, or -1.  Builds the hash only for large maps. */
static long
keyset_find(struct keyset *ks, const struct node *map, const char *key,
    size_t klen)
{
	size_t i, m;

	if (map->len <= 16) {
		for (i = 0; i < map->len; i++) {
			const struct node *k = map->u.pairs[i].key;

			if (k->len == klen && memcmp(k->u.s, key, klen) == 0)
				return (long)i;
		}
		return -1;
	}
	if (ks->slot == NULL || ks->cap < map->len * 2)
		keyset_rebuild(ks, map);
	m = ks->cap - 1;
	for (i = hash_bytes(key, klen) & m; ks->slot[i]; i = (i + 1) & m) {
		const struct node *k = map->u.pairs[ks->slot[i] - 1].key;

		if (k->len == klen && memcmp(k->u.s, key, klen) == 0)
			return (long)(ks->slot[i] - 1);
	}
	return -1;
}

static void
keyset_added(struct keyset *ks, const struct node *map)
{
	if (ks->slot && ks->cap >= map->len * 2)
		keyset_insert(ks, map, map->len - 1);
}

static void
keyset_release(struct keyset *ks)
{
	free(ks->slot);
	ks->slot = NULL;
	ks->cap = 0;
}

/* ---- building a tree from libyaml events ---- */

struct anchor {
	char *name;
	struct node *n;
	int done;
};

struct frame {
	struct node *n;
	struct node *key;	/* pending key of a mapping */
	int merge;		/* the pending key is `<<' */
	int flow;		/* a [...] or {...} collection */
	long anchor;		/* index into anchors, or -1 */
	struct keyset ks;
};

struct builder {
	struct stream *s;
	struct doc *doc;
	const char *text;	/* the chunk */
	size_t textlen;
	size_t cchar, cbyte;	/* a character index and its byte offset */
	int slash;		/* the chunk holds \/: 1, no: 0, not known: -1 */
	long line0;		/* line of the chunk's first line, 0-based */
	struct frame *st;
	size_t depth, cap;
	struct anchor *anchors;
	size_t nanchors, capanchors;
	size_t nodes, alias_nodes;
	struct node *root;
	struct diag *d;
};

static void
builder_path(struct builder *b, char *out, size_t n)
{
	struct path p = { NULL, 0, 0 };
	size_t i;

	for (i = 0; i < b->depth; i++) {
		struct frame *f = &b->st[i];

		if (f->n->type == NODE_SEQ)
			path_push_idx(&p, f->n->len);
		else if (f->key)
			path_push_key(&p, f->key->u.s, f->key->len);
	}
	path_format(&p, out, n);
	path_release(&p);
}

static int
berr(struct builder *b, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
berr(struct builder *b, int line, int col, const char *fmt, ...)
{
	va_list ap;
	char path[DIAG_PATH];

	b->d->status = EXIT_INPUT;
	va_start(ap, fmt);
	vsnprintf(b->d->msg, sizeof b->d->msg, fmt, ap);
	va_end(ap);
	diag_at(b->d, b->s->name, b->doc->index, line, col);
	builder_path(b, path, sizeof path);
	diag_setpath(b->d, path);
	return -1;
}

/*
 * libyaml's marks count characters, not bytes, and leave out a leading
 * BOM: the byte offset of character idx, walking on from the last one
 * asked for (marks mostly grow, so a chunk is walked about once).
 */
static size_t
byte_at(struct builder *b, size_t idx)
{
	const unsigned char *t = (const unsigned char *)b->text;

	if (idx < b->cchar || b->cbyte == 0) {
		b->cchar = 0;
		b->cbyte = b->textlen >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0 ?
		    3 : 0;
	}
	while (b->cchar < idx && b->cbyte < b->textlen) {
		unsigned c = t[b->cbyte];

		b->cbyte += c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		b->cchar++;
	}
	return b->cbyte < b->textlen ? b->cbyte : b->textlen;
}

static int
has_slash_escape(const char *p, size_t n)
{
	const char *q, *end = p + n;

	for (; (q = memchr(p, '\\', (size_t)(end - p))) != NULL; p = q + 1)
		if (q + 1 < end && q[1] == '/')
			return 1;
	return 0;
}

static int
mark_line(struct builder *b, const yaml_mark_t *m)
{
	return (int)(b->line0 + (long)m->line + 1);
}

static int
count_nodes(struct builder *b, size_t add, int alias, int line, int col)
{
	double ratio, allowed;

	b->nodes += add;
	if (alias)
		b->alias_nodes += add;
	if (b->nodes > b->s->lim.nodes)
		return berr(b, line, col,
		    "document has more than %zu values (aliases expanded)",
		    b->s->lim.nodes);
	if (b->alias_nodes > 100 && b->nodes > 1000) {
		/* go-yaml's guard, so we refuse what kubectl refuses. */
		if (b->nodes <= 400000)
			allowed = 0.99;
		else if (b->nodes >= 4000000)
			allowed = 0.10;
		else
			allowed = 0.99 - 0.89 *
			    ((double)(b->nodes - 400000) / 3600000.0);
		ratio = (double)b->alias_nodes / (double)b->nodes;
		if (ratio > allowed)
			return berr(b, line, col,
			    "document contains excessive aliasing");
	}
	return 0;
}

/* Converts a scalar node in key position to its string key, as
 * sigs.k8s.io/yaml does (1 -> "1", true -> "true", 1.5 -> "1.5"). */
static struct node *
key_of(struct builder *b, struct node *n)
{
	struct arena *a = &b->doc->arena;
	char tmp[64];
	size_t len;
	struct node *k;

	switch (n->type) {
	case NODE_STR:
		k = n;
		break;
	case NODE_BOOL:
		k = node_strz(a, n->b ? "true" : "false");
		break;
	case NODE_INT:
		if (n->flags & NF_WAS_FLOAT) {
			len = scalar_float_key(strtod(n->u.s, NULL), tmp,
			    sizeof tmp);
			k = node_str(a, tmp, len);
		} else
			k = node_str(a, n->u.s, n->len);
		break;
	case NODE_FLOAT:
		len = scalar_float_key(n->u.d, tmp, sizeof tmp);
		k = node_str(a, tmp, len);
		break;
	default:
		return NULL;
	}
	k->line = n->line;
	k->col = n->col;
	k->flags = 0;
	return k;
}

static int
add_pair(struct builder *b, struct frame *f, struct node *key,
    struct node *val, int merged)
{
	struct node *map = f->n;
	long i = keyset_find(&f->ks, map, key->u.s, key->len);

	if (i >= 0) {
		struct node *old = map->u.pairs[i].key;

		/* Merged values give way to anything written later; an
		 * explicit key written twice is a mistake kubectl's strict
		 * validation would also reject. */
		if (merged || (old->flags & NF_MERGED)) {
			map->u.pairs[i].val = val;
			old->flags = merged ? NF_MERGED : 0;
			return 0;
		}
		return berr(b, key->line, key->col,
		    "duplicate key (first at line %d)", old->line);
	}
	if (merged) {
		key = node_str(&b->doc->arena, key->u.s, key->len);
		key->flags = NF_MERGED;
	}
	node_map_append(&b->doc->arena, map, key, val);
	keyset_added(&f->ks, map);
	return 0;
}

static int
merge_into(struct builder *b, struct frame *f, struct node *v, int line, int col)
{
	size_t i, j;

	if (v->type == NODE_MAP) {
		for (i = 0; i < v->len; i++)
			if (add_pair(b, f, v->u.pairs[i].key, v->u.pairs[i].val,
			    1) < 0)
				return -1;
		return 0;
	}
	if (v->type == NODE_SEQ) {
		for (i = 0; i < v->len; i++)
			if (v->u.items[i]->type != NODE_MAP)
				goto bad;
		/* Earlier maps win: apply them last. */
		for (j = v->len; j-- > 0;)
			if (merge_into(b, f, v->u.items[j], line, col) < 0)
				return -1;
		return 0;
	}
bad:
	return berr(b, line, col,
	    "merge key << needs a mapping or a list of mappings");
}

/* Puts a finished node where it belongs: root, list item, key or value. */
static int
attach(struct builder *b, struct node *n)
{
	struct frame *f;
	struct node *k;

	if (b->depth == 0) {
		b->root = n;
		return 0;
	}
	f = &b->st[b->depth - 1];
	if (f->n->type == NODE_SEQ) {
		node_seq_push(&b->doc->arena, f->n, n);
		return 0;
	}
	if (f->key == NULL) {
		if (n->type == NODE_SEQ || n->type == NODE_MAP)
			return berr(b, n->line, n->col,
			    "a %s cannot be a mapping key",
			    node_type_name((enum node_type)n->type));
		if (n->type == NODE_NULL)
			return berr(b, n->line, n->col,
			    "null cannot be a mapping key");
		if (n->type == NODE_INT && n->len && n->u.s[0] != '-' &&
		    !(n->flags & NF_WAS_FLOAT) &&
		    (n->len > 19 || (n->len == 19 &&
		    strcmp(n->u.s, "9223372036854775807") > 0)))
			return berr(b, n->line, n->col,
			    "integer key %s is out of range", n->u.s);
		k = key_of(b, n);
		if (k->len > b->s->lim.key_bytes)
			return berr(b, n->line, n->col,
			    "key longer than %zu bytes", b->s->lim.key_bytes);
		f->key = k;
		return 0;
	}
	k = f->key;
	if (f->merge) {
		if (merge_into(b, f, n, k->line, k->col) < 0)
			return -1;
	} else if (add_pair(b, f, k, n, 0) < 0)
		return -1;
	f->key = NULL;
	f->merge = 0;
	return 0;
}

static long
anchor_define(struct builder *b, const unsigned char *name, struct node *n,
    int done)
{
	struct anchor *an;

	if (b->nanchors == b->capanchors) {
		b->capanchors = b->capanchors ? b->capanchors * 2 : 8;
		b->anchors = xrealloc(b->anchors,
		    b->capanchors * sizeof *b->anchors);
	}
	an = &b->anchors[b->nanchors];
	an->name = xstrdup((const char *)name);
	an->n = n;
	an->done = done;
	return (long)b->nanchors++;
}

static int
base64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* !!binary: standard base64, line breaks allowed; bytes that are not
 * UTF-8 become U+FFFD, as Go's JSON encoder writes them. */
static struct node *
binary_node(struct builder *b, const char *s, size_t n)
{
	struct buf raw = BUF_INIT, out = BUF_INIT;
	unsigned acc = 0;
	int bits = 0, pad = 0, v;
	size_t i, nchars = 0;
	struct node *r = NULL;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '\n' || c == '\r')
			continue;
		nchars++;
		if (c == '=') {
			pad++;
			continue;
		}
		v = base64_value(c);
		if (v < 0 || pad)
			goto done;
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(&raw, (int)(acc >> bits & 0xFF));
		}
	}
	if (nchars % 4 != 0 || pad > 2)
		goto done;
	for (i = 0; i < raw.len;) {
		uint32_t cp;
		int k = utf8_decode((unsigned char *)raw.p + i, raw.len - i, &cp);

		if (k == 0) {
			buf_adds(&out, "\xEF\xBF\xBD");
			i++;
		} else {
			buf_add(&out, raw.p + i, (size_t)k);
			i += (size_t)k;
		}
	}
	r = node_str(&b->doc->arena, out.p ? out.p : "", out.len);
done:
	buf_release(&raw);
	buf_release(&out);
	return r;
}

#define TAG_PREFIX "tag:yaml.org,2002:"

static struct node *
resolved_node(struct builder *b, const struct scalar *sc, const char *s,
    size_t n)
{
	struct arena *a = &b->doc->arena;
	struct node *r;

	switch (sc->kind) {
	case SCALAR_NULL:
		return node_null(a);
	case SCALAR_BOOL:
		return node_bool(a, sc->b);
	case SCALAR_INT:
		r = node_intstr(a, sc->text, sc->len);
		if (sc->was_float)
			r->flags = NF_WAS_FLOAT;
		return r;
	case SCALAR_FLOAT:
		return node_float(a, sc->d);
	default:
		return node_str(a, s, n);
	}
}

static int
scalar_event(struct builder *b, yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	int plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	int line = mark_line(b, &ev->start_mark);
	int col = (int)ev->start_mark.column + 1;
	int keypos = b->depth && b->st[b->depth - 1].n->type == NODE_MAP &&
	    b->st[b->depth - 1].key == NULL;
	struct arena *a = &b->doc->arena;
	struct scalar sc;
	struct node *node;
	const char *t;

	if (b->slash < 0 &&
	    ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
		/* Finding the bytes of a scalar walks the chunk: only when
		 * there is a \/ to find. */
		b->slash = has_slash_escape(b->text, b->textlen);
	if (b->slash > 0 &&
	    ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
		/* libyaml takes YAML 1.2's \/; kubectl's reader refuses it. */
		size_t i, from = byte_at(b, ev->start_mark.index);
		size_t to = byte_at(b, ev->end_mark.index);

		for (i = from; i + 1 < to; i++) {
			if (b->text[i] != '\\')
				continue;
			if (b->text[i + 1] == '/')
				return berr(b, line, col,
				    "unknown escape \\/ in a double-quoted string (YAML 1.1 has none)");
			i++;
		}
	}
	if (plain && b->depth && b->st[b->depth - 1].flow && memchr(s, '?', n))
		/* go-yaml ends a flow plain scalar at `?', then fails. */
		return berr(b, line, col,
		    "'?' inside a plain scalar in a flow collection (kubectl's reader refuses it; quote the value)");
	if (keypos && tag == NULL && plain && n == 2 && memcmp(s, "<<", 2) == 0)
		goto merge;
	if (tag && strcmp(tag, TAG_PREFIX "merge") == 0 && keypos &&
	    n == 2 && memcmp(s, "<<", 2) == 0)
		goto merge;
	if (tag == NULL) {
		if (!plain) {
			node = node_str(a, s, n);
			goto done;
		}
		scalar_resolve(s, n, &sc);
		goto resolved;
	}
	if (strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) != 0) {
		node = node_str(a, s, n);	/* `!' and custom tags */
		goto done;
	}
	t = tag + strlen(TAG_PREFIX);
	if (strcmp(t, "binary") == 0) {
		node = binary_node(b, s, n);
		if (node == NULL)
			return berr(b, line, col, "!!binary value is not valid base64");
		goto done;
	}
	if (strcmp(t, "int") && strcmp(t, "float") && strcmp(t, "bool") &&
	    strcmp(t, "null") && strcmp(t, "timestamp")) {
		node = node_str(a, s, n);	/* !!str and the rest */
		goto done;
	}
	scalar_resolve(s, n, &sc);
	if (strcmp(t, "timestamp") == 0) {
		if (!scalar_timestamp(s, n))
			goto wrongtype;
		node = node_str(a, s, n);
		goto done;
	}
	if (strcmp(t, "float") == 0 && scalar_to_float(&sc) < 0)
		goto wrongtype;
	if ((strcmp(t, "int") == 0 && (sc.kind != SCALAR_INT || sc.was_float)) ||
	    (strcmp(t, "float") == 0 && sc.kind != SCALAR_INT &&
	    sc.kind != SCALAR_FLOAT && sc.kind != SCALAR_INF &&
	    sc.kind != SCALAR_NAN) ||
	    (strcmp(t, "bool") == 0 && sc.kind != SCALAR_BOOL) ||
	    (strcmp(t, "null") == 0 && sc.kind != SCALAR_NULL))
		goto wrongtype;
resolved:
	if ((sc.kind == SCALAR_INF || sc.kind == SCALAR_NAN) && !keypos)
		return berr(b, line, col,
		    "%.*s is not a number JSON can hold (quote it for a string)",
		    (int)(n > 32 ? 32 : n), s);
	if (keypos && (sc.kind == SCALAR_INF || sc.kind == SCALAR_NAN ||
	    sc.kind == SCALAR_FLOAT || sc.was_float)) {
		/* A float key is named at float32 precision, from the value
		 * itself (the integer text of 1e3 or -0.0 has lost it). */
		char tmp[64];
		size_t len = scalar_float_key(sc.kind == SCALAR_NAN ? NAN :
		    sc.kind == SCALAR_INF ? (s[0] == '-' ? -INFINITY : INFINITY) :
		    sc.d, tmp, sizeof tmp);

		node = node_str(a, tmp, len);
		goto done;
	}
	node = resolved_node(b, &sc, s, n);
	goto done;
wrongtype:
	return berr(b, line, col, "value '%.*s' is not a valid !!%s",
	    (int)(n > 64 ? 64 : n), s, t);
merge:
	b->st[b->depth - 1].merge = 1;
	node = node_strz(a, "<<");
	node->line = line;
	node->col = col;
	b->st[b->depth - 1].key = node;
	return count_nodes(b, 1, 0, line, col);
done:
	node->line = line;
	node->col = col;
	if (ev->data.scalar.anchor)
		anchor_define(b, ev->data.scalar.anchor, node, 1);
	if (count_nodes(b, 1, 0, line, col) < 0)
		return -1;
	return attach(b, node);
}

static int
alias_event(struct builder *b, yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	int line = mark_line(b, &ev->start_mark);
	int col = (int)ev->start_mark.column + 1;
	struct node *copy;
	size_t i, cnt;

	for (i = b->nanchors; i-- > 0;)
		if (strcmp(b->anchors[i].name, name) == 0)
			break;
	if (i == (size_t)-1)
		return berr(b, line, col, "unknown anchor '%s'", name);
	if (!b->anchors[i].done)
		return berr(b, line, col, "anchor '%s' contains itself", name);
	cnt = node_count(b->anchors[i].n);
	if (count_nodes(b, cnt, 1, line, col) < 0)
		return -1;
	copy = node_copy(&b->doc->arena, b->anchors[i].n);
	copy->flags = b->anchors[i].n->flags & NF_WAS_FLOAT;
	return attach(b, copy);
}

static int
start_collection(struct builder *b, yaml_event_t *ev, enum node_type t)
{
	struct frame *f;
	struct node *n = node_new(&b->doc->arena, t);
	const unsigned char *anchor = t == NODE_MAP ?
	    ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;

	n->line = mark_line(b, &ev->start_mark);
	n->col = (int)ev->start_mark.column + 1;
	if (b->depth >= b->s->lim.depth)
		return berr(b, n->line, n->col, "nested deeper than %zu levels",
		    b->s->lim.depth);
	if (count_nodes(b, 1, 0, n->line, n->col) < 0)
		return -1;
	if (b->depth == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->st = xrealloc(b->st, b->cap * sizeof *b->st);
	}
	f = &b->st[b->depth++];
	memset(f, 0, sizeof *f);
	f->n = n;
	f->flow = t == NODE_MAP ?
	    ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE :
	    ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
	f->anchor = anchor ? anchor_define(b, anchor, n, 0) : -1;
	return 0;
}

static int
end_collection(struct builder *b)
{
	struct frame *f = &b->st[b->depth - 1];
	struct node *n = f->n;

	if (f->anchor >= 0)
		b->anchors[f->anchor].done = 1;
	keyset_release(&f->ks);
	b->depth--;
	return attach(b, n);
}

static void
builder_release(struct builder *b)
{
	size_t i;

	for (i = 0; i < b->depth; i++)
		keyset_release(&b->st[i].ks);
	for (i = 0; i < b->nanchors; i++)
		free(b->anchors[i].name);
	free(b->anchors);
	free(b->st);
}

/* The first line of the section that is not blank or a comment. */
static const char *
first_line(const char *t)
{
	while (*t) {
		const char *e = strchr(t, '\n');
		const char *q = t;

		while (*q == ' ' || *q == '\t' || *q == '\r')
			q++;
		if (*q != '#' && *q != '\n' && *q != '\0')
			return q;
		if (e == NULL)
			break;
		t = e + 1;
	}
	return t;
}

static int
yaml_problem(struct builder *b, yaml_parser_t *p, int ended)
{
	int line = (int)(b->line0 + (long)p->problem_mark.line + 1);
	int col = (int)p->problem_mark.column + 1;
	const char *prob = p->problem ? p->problem : "syntax error";

	if (p->error == YAML_READER_ERROR) {
		/* Reader errors have an offset, not a line. */
		line = 0;
		col = 0;
	}
	if (*first_line(b->text) == '%')
		return berr(b, (int)b->line0 + 1, 1,
		    "%%YAML and %%TAG directives are not allowed in a manifest");
	if (ended && p->problem &&
	    strcmp(p->problem, "did not find expected <document start>") == 0)
		return berr(b, line, col,
		    "content after the end of the document ('...' is not a separator; use ---)");
	if (p->context)
		return berr(b, line, col, "%s %s", prob, p->context);
	return berr(b, line, col, "%s", prob);
}

/* Parses one `---' section.  1: *out set; 0: nothing in it; -1: error. */
static int
yaml_section(struct stream *s, const char *text, size_t len, long line0,
    struct doc **out, struct diag *d)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct builder b;
	int rc = -1, started = 0, ended = 0;

	memset(&b, 0, sizeof b);
	b.s = s;
	b.text = text;
	b.textlen = len;
	b.line0 = line0;
	b.slash = -1;
	b.d = d;
	b.doc = doc_new(s->name, s->ndocs + 1);
	b.doc->line = (int)line0 + 1;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			yaml_problem(&b, &p, ended);
			goto out;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			yaml_event_delete(&ev);
			rc = 0;
			goto out;
		case YAML_DOCUMENT_START_EVENT:
			if (ended) {
				berr(&b, mark_line(&b, &ev.start_mark),
				    (int)ev.start_mark.column + 1,
				    "content after the end of the document ('...' is not a separator; use ---)");
				break;
			}
			if (ev.data.document_start.version_directive ||
			    ev.data.document_start.tag_directives.start !=
			    ev.data.document_start.tag_directives.end) {
				berr(&b, mark_line(&b, &ev.start_mark), 1,
				    "%%YAML and %%TAG directives are not allowed in a manifest");
				break;
			}
			started = 1;
			yaml_event_delete(&ev);
			continue;
		case YAML_DOCUMENT_END_EVENT:
			ended = 1;
			yaml_event_delete(&ev);
			continue;
		case YAML_SCALAR_EVENT:
			if (scalar_event(&b, &ev) < 0)
				break;
			yaml_event_delete(&ev);
			continue;
		case YAML_ALIAS_EVENT:
			if (alias_event(&b, &ev) < 0)
				break;
			yaml_event_delete(&ev);
			continue;
		case YAML_SEQUENCE_START_EVENT:
			if (start_collection(&b, &ev, NODE_SEQ) < 0)
				break;
			yaml_event_delete(&ev);
			continue;
		case YAML_MAPPING_START_EVENT:
			if (start_collection(&b, &ev, NODE_MAP) < 0)
				break;
			yaml_event_delete(&ev);
			continue;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (end_collection(&b) < 0)
				break;
			yaml_event_delete(&ev);
			continue;
		default:
			yaml_event_delete(&ev);
			continue;
		}
		yaml_event_delete(&ev);
		goto out;
	}
out:
	(void)started;
	yaml_parser_delete(&p);
	builder_release(&b);
	if (rc == 0 && b.root && b.root->type != NODE_NULL) {
		b.doc->root = b.root;
		b.doc->line = b.root->line;
		s->ndocs++;
		*out = b.doc;
		return 1;
	}
	doc_free(b.doc);
	return rc;
}

/* ---- input ---- */

static int
fill(struct stream *s, struct diag *d)
{
	size_t got;

	if (s->eof || s->f == NULL) {
		s->eof = 1;
		return 0;
	}
	if (s->pos > 0 && s->pos >= s->in.len / 2) {
		memmove(s->in.p, s->in.p + s->pos, s->in.len - s->pos);
		s->in.len -= s->pos;
		s->pos = 0;
	}
	if (buf_grow(&s->in, READ_BLOCK) < 0) {
		diag_at(d, s->name, 0, 0, 0);
		return diag_set(d, EXIT_INPUT, "input larger than %zu bytes",
		    s->in.limit);
	}
	got = fread(s->in.p + s->in.len, 1, READ_BLOCK, s->f);
	s->in.len += got;
	s->in.p[s->in.len] = '\0';
	if (got == 0) {
		if (ferror(s->f)) {
			diag_at(d, s->name, 0, 0, 0);
			return diag_set(d, EXIT_INPUT, "read error: %s",
			    strerror(errno));
		}
		s->eof = 1;
	}
	return (int)got;
}

static struct stream *
stream_new(const char *name, const struct stream_limits *lim)
{
	struct stream *s = xcalloc(1, sizeof *s);

	s->name = xstrdup(name);
	s->lim = lim ? *lim : stream_default_limits;
	s->in.limit = s->lim.doc_bytes + READ_BLOCK * 2;
	s->chunk.limit = s->lim.doc_bytes;
	return s;
}

struct stream *
stream_open(const char *name, FILE *f, const struct stream_limits *lim)
{
	struct stream *s = stream_new(name, lim);

	s->f = f;
	return s;
}

struct stream *
stream_open_mem(const char *name, const char *p, size_t n,
    const struct stream_limits *lim)
{
	struct stream *s = stream_new(name, lim);

	s->in.limit = 0;
	buf_add(&s->in, p, n);
	s->in.limit = n > JSON_MAX_INPUT ? n : JSON_MAX_INPUT;
	s->eof = 1;
	return s;
}

void
stream_keep_lists(struct stream *s, int keep)
{
	s->keep_lists = keep;
}

const char *
stream_name(const struct stream *s)
{
	return s->name;
}

void
stream_close(struct stream *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = s->next_pending; i < s->npending; i++)
		doc_free(s->pending[i]);
	free(s->pending);
	buf_release(&s->in);
	buf_release(&s->chunk);
	free(s->name);
	free(s);
}

/* Next line, with its newline, into line and len; 0 at end of input. */
static int
next_line(struct stream *s, const char **line, size_t *len, struct diag *d)
{
	char *nl;
	int r;

	for (;;) {
		nl = s->pos < s->in.len ?
		    memchr(s->in.p + s->pos, '\n', s->in.len - s->pos) : NULL;
		if (nl || s->eof)
			break;
		if ((r = fill(s, d)) < 0)
			return -1;
	}
	if (nl == NULL && s->pos >= s->in.len)
		return 0;
	*line = s->in.p + s->pos;
	*len = nl ? (size_t)(nl - *line) + 1 : s->in.len - s->pos;
	s->pos += *len;
	s->line++;
	return 1;
}

static int
is_separator(const char *l, size_t n, struct stream *s, struct diag *d)
{
	size_t i;

	if (n < 3 || memcmp(l, "---", 3) != 0)
		return 0;
	for (i = 3; i < n && strchr(" \t\r\n", l[i]); i++)
		;
	if (i == n || l[i] == '#')
		return 1;
	diag_at(d, s->name, 0, (int)s->line, 1);
	return diag_set(d, EXIT_INPUT,
	    "'%.*s' is not a document separator: nothing may follow --- on its line",
	    (int)(n > 40 ? 40 : (l[n - 1] == '\n' ? n - 1 : n)), l);
}

static int json_next(struct stream *s, struct doc **out, struct diag *d);

/* kubectl looks for JSON in the first 4096 bytes only. */
#define SNIFF_BYTES 4096

static int
detect(struct stream *s, struct diag *d)
{
	size_t i;

	for (;;) {
		for (i = s->pos; i < s->in.len; i++) {
			unsigned char c = (unsigned char)s->in.p[i];

			if (i - s->pos >= SNIFF_BYTES) {
				s->mode = 1;
				return 0;
			}
			if (c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
			    c == '\v' || c == '\f')
				continue;
			s->mode = (c == '{' || c == '[') ? 2 : 1;
			return 0;
		}
		if (s->eof) {
			s->mode = 1;
			return 0;
		}
		if (fill(s, d) < 0)
			return -1;
	}
}

static int
list_err(struct stream *s, struct doc *doc, const struct node *at, size_t i,
    const char *what)
{
	char path[64];

	snprintf(path, sizeof path, "items[%zu]", i);
	diag_fail(s->fail, EXIT_INPUT, s->name, at ? at->line : doc->line,
	    at ? at->col : 0, i == (size_t)-1 ? "items" : path, "%s", what);
	s->fail->doc = doc->index;
	doc_free(doc);
	return -1;
}

/*
 * kubectl reads any object that has `items' as a list of objects, whatever
 * its kind: null items are an empty list (nothing to apply), anything but a
 * list of objects is an error, an item with neither kind nor apiVersion
 * takes them from the list (a ConfigMapList's items are ConfigMaps), and a
 * list inside a list is an error.  1: flattened (*out may be NULL);
 * 0: not a list; -1: error in s->fail.
 */
static int
flatten(struct stream *s, struct doc *doc, struct doc **out)
{
	const struct node *r = doc->root, *items;
	const char *kind, *version;
	size_t i, len;

	if (s->keep_lists || r->type != NODE_MAP ||
	    (items = node_get(r, "items")) == NULL)
		return 0;
	if (items->type != NODE_SEQ && items->type != NODE_NULL)
		return list_err(s, doc, items, (size_t)-1,
		    "a document with items is a List: items must be a list of objects");
	kind = node_s(node_get(r, "kind"));
	version = node_s(node_get(r, "apiVersion"));
	len = kind ? strlen(kind) : 0;
	if (len >= 4 && strcmp(kind + len - 4, "List") == 0)
		len -= 4;
	free(s->pending);
	s->pending = xcalloc(items->len + 1, sizeof *s->pending);
	s->npending = s->next_pending = 0;
	for (i = 0; items->type == NODE_SEQ && i < items->len; i++) {
		const struct node *src = items->u.items[i];
		struct doc *it;

		if (src->type != NODE_MAP)
			return list_err(s, doc, src, i, "a List item must be an object");
		if (node_get(src, "items") &&
		    node_get(src, "items")->type == NODE_SEQ)
			return list_err(s, doc, src, i,
			    "a List inside a List (kubectl cannot read it)");
		it = doc_new(doc->input, doc->index);
		it->item = (int)i + 1;
		it->root = node_copy(&it->arena, src);
		it->line = it->root->line;
		s->pending[s->npending++] = it;
		if ((node_s(node_get(src, "kind")) == NULL ||
		    !*node_s(node_get(src, "kind"))) &&
		    (node_s(node_get(src, "apiVersion")) == NULL ||
		    !*node_s(node_get(src, "apiVersion")))) {
			if (len)
				node_map_set(&it->arena, it->root, "kind",
				    node_str(&it->arena, kind, len));
			if (version && *version)
				node_map_set(&it->arena, it->root, "apiVersion",
				    node_strz(&it->arena, version));
		}
	}
	doc_free(doc);
	*out = NULL;
	if (s->npending)
		*out = s->pending[s->next_pending++];
	return 1;
}

static int
yaml_next(struct stream *s, struct doc **out, struct diag *d)
{
	const char *l;
	size_t n;
	long start = s->line;
	int r, sep;

	buf_reset(&s->chunk);
	for (;;) {
		r = next_line(s, &l, &n, d);
		if (r < 0)
			return -1;
		if (r == 0)
			sep = 0;
		else if ((sep = is_separator(l, n, s, d)) < 0)
			return -1;
		if (r == 0 || sep) {
			if (s->chunk.len) {
				r = yaml_section(s, s->chunk.p, s->chunk.len,
				    start, out, d);
				if (r != 0)
					return r;
			}
			if (s->pos >= s->in.len && s->eof && !sep)
				return 0;
			buf_reset(&s->chunk);
			start = s->line;
			continue;
		}
		if (buf_add(&s->chunk, l, n) < 0) {
			diag_at(d, s->name, s->ndocs + 1, (int)start + 1, 0);
			return diag_set(d, EXIT_INPUT,
			    "document larger than %zu bytes", s->lim.doc_bytes);
		}
	}
}

int
stream_next(struct stream *s, struct doc **out, struct diag *d)
{
	int r;

	*out = NULL;
	if (s->failed)
		return -1;
	for (;;) {
		if (s->next_pending < s->npending) {
			*out = s->pending[s->next_pending++];
			return 1;
		}
		if (s->mode == 0 && detect(s, d) < 0)
			break;
		r = s->mode == 2 ? json_next(s, out, d) : yaml_next(s, out, d);
		if (r < 0 && s->mode == 1 && s->fellback)
			*d = s->jsonerr;	/* kubectl reports the JSON error */
		if (r < 0)
			break;
		if (r == 2)
			continue;	/* JSON gave way to YAML */
		if (s->mode == 1)
			s->fellback = 0;
		if (r == 0)
			return 0;
		s->fail = d;
		if ((r = flatten(s, *out, out)) < 0) {
			*out = NULL;
			break;
		}
		if (r && *out == NULL)
			continue;
		return 1;
	}
	s->failed = 1;
	return -1;
}

/* ---- JSON ---- */

struct jp {
	struct stream *s;
	struct doc *doc;
	const char *p;
	size_t n, i;
	size_t depth;
	struct path path;
	struct diag *d;
	int final;		/* valid JSON kubectl refuses: no YAML retry */
};

static int
jerr(struct jp *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
jerr(struct jp *j, const char *fmt, ...)
{
	va_list ap;
	char path[DIAG_PATH];

	j->d->status = EXIT_INPUT;
	va_start(ap, fmt);
	vsnprintf(j->d->msg, sizeof j->d->msg, fmt, ap);
	va_end(ap);
	diag_at(j->d, j->s->name, j->doc->index, (int)j->s->jline + 1,
	    (int)(j->i - j->s->jlinestart) + 1);
	path_format(&j->path, path, sizeof path);
	diag_setpath(j->d, path);
	return -1;
}

static void
jws(struct jp *j)
{
	while (j->i < j->n) {
		char c = j->p[j->i];

		if (c == '\n') {
			j->s->jline++;
			j->s->jlinestart = j->i + 1;
		} else if (c != ' ' && c != '\t' && c != '\r')
			break;
		j->i++;
	}
}

static int
hex4(const char *p, uint32_t *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		int c = lower((unsigned char)p[i]);

		if (c >= '0' && c <= '9')
			*v = *v << 4 | (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v = *v << 4 | (uint32_t)(c - 'a' + 10);
		else
			return -1;
	}
	return 0;
}

static int
jstring(struct jp *j, struct buf *out)
{
	uint32_t cp, lo;
	char u8[4];
	int k;

	j->i++;			/* the opening quote */
	buf_reset(out);
	while (j->i < j->n) {
		unsigned char c = (unsigned char)j->p[j->i];

		if (c == '"') {
			j->i++;
			return 0;
		}
		if (c < 0x20)
			return jerr(j, "control character in a string");
		if (c == '\\') {
			if (j->i + 1 >= j->n)
				break;
			c = (unsigned char)j->p[++j->i];
			switch (c) {
			case '"': case '\\': case '/':
				buf_addc(out, c);
				break;
			case 'b': buf_addc(out, '\b'); break;
			case 'f': buf_addc(out, '\f'); break;
			case 'n': buf_addc(out, '\n'); break;
			case 'r': buf_addc(out, '\r'); break;
			case 't': buf_addc(out, '\t'); break;
			case 'u':
				if (j->i + 4 >= j->n || hex4(j->p + j->i + 1, &cp) < 0)
					return jerr(j, "bad \\u escape");
				j->i += 4;
				/* A surrogate without its pair is U+FFFD, as
				 * Go's decoder makes it. */
				if (cp >= 0xD800 && cp <= 0xDBFF && j->i + 6 < j->n &&
				    j->p[j->i + 1] == '\\' && j->p[j->i + 2] == 'u' &&
				    hex4(j->p + j->i + 3, &lo) == 0 &&
				    lo >= 0xDC00 && lo <= 0xDFFF) {
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					j->i += 6;
				} else if (cp >= 0xD800 && cp <= 0xDFFF)
					cp = 0xFFFD;
				k = utf8_encode(cp, u8);
				buf_add(out, u8, (size_t)k);
				break;
			default:
				return jerr(j, "unknown escape \\%c", c);
			}
			j->i++;
			continue;
		}
		if (c >= 0x80) {
			k = utf8_decode((const unsigned char *)j->p + j->i,
			    j->n - j->i, &cp);
			if (k == 0) {
				/* Each byte that is not UTF-8 becomes U+FFFD. */
				buf_adds(out, "\xEF\xBF\xBD");
				j->i++;
				continue;
			}
			buf_add(out, j->p + j->i, (size_t)k);
			j->i += (size_t)k;
			continue;
		}
		buf_addc(out, c);
		j->i++;
	}
	return jerr(j, "unterminated string");
}

static int jvalue(struct jp *j, struct node **out, struct buf *tmp);

static int
jnumber(struct jp *j, struct node **out)
{
	size_t st = j->i;
	struct scalar sc;
	int line = (int)j->s->jline + 1, col = (int)(j->i - j->s->jlinestart) + 1;

	if (j->i < j->n && j->p[j->i] == '-')
		j->i++;
	if (j->i < j->n && j->p[j->i] == '0')
		j->i++;
	else if (j->i < j->n && j->p[j->i] >= '1' && j->p[j->i] <= '9')
		while (j->i < j->n && is_digit(j->p[j->i]))
			j->i++;
	else
		return jerr(j, "invalid number");
	if (j->i < j->n && j->p[j->i] == '.') {
		j->i++;
		if (j->i >= j->n || !is_digit(j->p[j->i]))
			return jerr(j, "invalid number");
		while (j->i < j->n && is_digit(j->p[j->i]))
			j->i++;
	}
	if (j->i < j->n && (j->p[j->i] == 'e' || j->p[j->i] == 'E')) {
		j->i++;
		if (j->i < j->n && (j->p[j->i] == '+' || j->p[j->i] == '-'))
			j->i++;
		if (j->i >= j->n || !is_digit(j->p[j->i]))
			return jerr(j, "invalid number");
		while (j->i < j->n && is_digit(j->p[j->i]))
			j->i++;
	}
	scalar_resolve(j->p + st, j->i - st, &sc);
	if (sc.kind != SCALAR_INT && sc.kind != SCALAR_FLOAT) {
		j->i = st;
		j->final = 1;
		return jerr(j, "number out of range");
	}
	if (sc.kind == SCALAR_INT) {
		*out = node_intstr(&j->doc->arena, sc.text, sc.len);
		if (sc.was_float)
			(*out)->flags = NF_WAS_FLOAT;
	} else
		*out = node_float(&j->doc->arena, sc.d);
	(*out)->line = line;
	(*out)->col = col;
	return 0;
}

static int
jcollection(struct jp *j, struct node *n, struct buf *tmp)
{
	int obj = n->type == NODE_MAP;
	char close = obj ? '}' : ']';
	struct keyset ks = { NULL, 0 };
	struct node *k, *v;
	int rc = -1;
	long at;

	if (++j->depth > j->s->lim.depth)
		return jerr(j, "nested deeper than %zu levels", j->s->lim.depth);
	j->i++;
	jws(j);
	if (j->i < j->n && j->p[j->i] == close) {
		j->i++;
		rc = 0;
		goto out;
	}
	for (;;) {
		jws(j);
		if (obj) {
			int line = (int)j->s->jline + 1;
			int col = (int)(j->i - j->s->jlinestart) + 1;
			size_t kst = j->i, kls = j->s->jlinestart;
			long kline = j->s->jline;

			if (j->i >= j->n || j->p[j->i] != '"') {
				jerr(j, "expected a string key");
				goto out;
			}
			if (jstring(j, tmp) < 0)
				goto out;
			if (tmp->len > j->s->lim.key_bytes) {
				jerr(j, "key longer than %zu bytes",
				    j->s->lim.key_bytes);
				goto out;
			}
			k = node_str(&j->doc->arena, tmp->p, tmp->len);
			k->line = line;
			k->col = col;
			jws(j);
			if (j->i >= j->n || j->p[j->i] != ':') {
				jerr(j, "expected ':' after a key");
				goto out;
			}
			j->i++;
			path_push_key(&j->path, k->u.s, k->len);
			if ((at = keyset_find(&ks, n, k->u.s, k->len)) >= 0) {
				j->i = kst;
				j->s->jline = kline;
				j->s->jlinestart = kls;
				jerr(j, "duplicate key (first at line %d)",
				    n->u.pairs[at].key->line);
				j->final = 1;
				goto out;
			}
			if (jvalue(j, &v, tmp) < 0)
				goto out;
			path_pop(&j->path);
			node_map_append(&j->doc->arena, n, k, v);
			keyset_added(&ks, n);
		} else {
			path_push_idx(&j->path, n->len);
			if (jvalue(j, &v, tmp) < 0)
				goto out;
			path_pop(&j->path);
			node_seq_push(&j->doc->arena, n, v);
		}
		jws(j);
		if (j->i < j->n && j->p[j->i] == ',') {
			j->i++;
			continue;
		}
		if (j->i < j->n && j->p[j->i] == close) {
			j->i++;
			rc = 0;
			goto out;
		}
		jerr(j, "expected ',' or '%c'", close);
		goto out;
	}
out:
	keyset_release(&ks);
	j->depth--;
	return rc;
}

static int
jvalue(struct jp *j, struct node **out, struct buf *tmp)
{
	int line, col;
	struct node *n;

	jws(j);
	line = (int)j->s->jline + 1;
	col = (int)(j->i - j->s->jlinestart) + 1;
	if (j->i >= j->n)
		return jerr(j, "unexpected end of input");
	if (j->doc->arena.total > j->s->lim.doc_bytes * 8)
		return jerr(j, "document larger than %zu bytes",
		    j->s->lim.doc_bytes);
	switch (j->p[j->i]) {
	case '{':
	case '[':
		n = node_new(&j->doc->arena, j->p[j->i] == '{' ? NODE_MAP :
		    NODE_SEQ);
		n->line = line;
		n->col = col;
		*out = n;
		return jcollection(j, n, tmp);
	case '"':
		if (jstring(j, tmp) < 0)
			return -1;
		n = node_str(&j->doc->arena, tmp->p ? tmp->p : "", tmp->len);
		break;
	case 't':
	case 'f':
	case 'n':
		if (j->n - j->i >= 4 && memcmp(j->p + j->i, "true", 4) == 0) {
			n = node_bool(&j->doc->arena, 1);
			j->i += 4;
		} else if (j->n - j->i >= 5 &&
		    memcmp(j->p + j->i, "false", 5) == 0) {
			n = node_bool(&j->doc->arena, 0);
			j->i += 5;
		} else if (j->n - j->i >= 4 &&
		    memcmp(j->p + j->i, "null", 4) == 0) {
			n = node_null(&j->doc->arena);
			j->i += 4;
		} else
			return jerr(j, "unexpected character '%c'", j->p[j->i]);
		break;
	default:
		if (j->p[j->i] == '-' || is_digit(j->p[j->i]))
			return jnumber(j, out);
		return jerr(j, "unexpected character '%c'", j->p[j->i]);
	}
	n->line = line;
	n->col = col;
	*out = n;
	return 0;
}

/*
 * What kubectl does when the JSON it sniffed is not JSON after all (.5,
 * trailing commas, unquoted keys, a document then `---' and YAML): while at
 * most one value has been read, it reads the rest of the input, from the
 * end of the last good value and past white space up to the first line
 * break, as YAML.  2: go on in YAML mode.
 */
static int
json_fallback(struct stream *s, struct diag *d)
{
	size_t i;

	s->jsonerr = *d;
	diag_clear(d);
	s->fellback = 1;
	s->mode = 1;
	s->pos = s->jgood;
	while (s->pos < s->in.len && strchr(" \t\r\v\f", s->in.p[s->pos]) &&
	    s->in.p[s->pos] != '\0')
		s->pos++;
	if (s->pos < s->in.len && s->in.p[s->pos] == '\n')
		s->pos++;
	s->line = 0;
	for (i = 0; i < s->pos; i++)
		s->line += s->in.p[i] == '\n';
	return 2;
}

static int
json_next(struct stream *s, struct doc **out, struct diag *d)
{
	struct jp j;
	struct buf tmp = BUF_INIT;
	struct node *root;
	int r;

	/* JSON values may span lines: read the whole input once. */
	while (!s->eof)
		if (fill(s, d) < 0)
			return -1;
	memset(&j, 0, sizeof j);
	j.s = s;
	j.p = s->in.p;
	j.n = s->in.len;
	j.i = s->pos;
	j.d = d;
	tmp.limit = s->lim.doc_bytes;
	for (;;) {
		jws(&j);
		/* jarray: 1 after `[' or `,', 2 after an element. */
		if (s->jarray && j.i < j.n && j.p[j.i] == ']') {
			s->jarray = 0;
			j.i++;
			continue;
		}
		if (s->jarray == 2 && j.i < j.n) {
			if (j.p[j.i] != ',') {
				j.doc = doc_new(s->name, s->ndocs + 1);
				jerr(&j, "expected ',' or ']'");
				doc_free(j.doc);
				return -1;
			}
			s->jarray = 1;
			j.i++;
			jws(&j);
		}
		if (j.i >= j.n) {
			s->pos = j.i;
			if (s->jarray) {
				j.doc = doc_new(s->name, s->ndocs + 1);
				jerr(&j, "unterminated array");
				doc_free(j.doc);
				return -1;
			}
			return 0;
		}
		if (!s->jarray && !s->jdone && !s->keep_lists && j.p[j.i] == '[') {
			s->jarray = 1;
			s->jdone = 1;
			j.i++;
			continue;
		}
		if (!s->jarray && s->jdone && s->keep_lists) {
			j.doc = doc_new(s->name, s->ndocs + 1);
			jerr(&j, "expected one value, found more");
			doc_free(j.doc);
			return -1;
		}
		if (s->jarray)
			s->jarray = 2;
		s->jdone = 1;
		j.doc = doc_new(s->name, s->ndocs + 1);
		r = jvalue(&j, &root, &tmp);
		s->pos = j.i;
		if (r < 0) {
			doc_free(j.doc);
			buf_release(&tmp);
			path_release(&j.path);
			if (s->jarray || s->jvalues > 1 || j.final)
				return -1;
			return json_fallback(s, d);
		}
		s->jvalues++;
		s->jgood = j.i;
		if (root->type == NODE_NULL) {
			doc_free(j.doc);
			continue;
		}
		j.doc->root = root;
		j.doc->line = root->line;
		s->ndocs++;
		*out = j.doc;
		buf_release(&tmp);
		path_release(&j.path);
		return 1;
	}
}

int
stream_parse_value(const char *name, const char *p, size_t n, struct doc **out,
    struct diag *d)
{
	struct stream *s = stream_open_mem(name, p, n, NULL);
	struct doc *doc = NULL, *extra = NULL;
	int r;

	stream_keep_lists(s, 1);
	r = stream_next(s, &doc, d);
	if (r == 1 && stream_next(s, &extra, d) == 1) {
		doc_free(extra);
		diag_at(d, name, 0, 0, 0);
		diag_set(d, EXIT_INPUT, "expected one document, found more");
		r = -1;
	} else if (r == 0) {
		doc = doc_new(NULL, 1);
		doc->root = node_null(&doc->arena);
		r = 1;
	}
	if (r < 0) {
		doc_free(doc);
		stream_close(s);
		return -1;
	}
	doc->input = NULL;
	*out = doc;
	stream_close(s);
	return 0;
}
