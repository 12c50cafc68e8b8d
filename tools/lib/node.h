/*
 * node.h - the document model: one Kubernetes-style JSON value per document.
 *
 * A value is what the API server would see after decoding: null, a boolean,
 * an integer (kept as its exact decimal text, so int64 and uint64 survive),
 * a finite float, a string (bytes, may hold NUL, always valid UTF-8), a
 * sequence, or a mapping with string keys in input order.
 *
 * Ownership: every node of a document lives in that document's arena and is
 * freed with it by doc_free(); nodes are never freed one by one.  A node may
 * be linked into another node of the same arena; to move a value into another
 * document, node_copy() it into that document's arena.  Keys of a mapping are
 * unique (the reader rejects duplicates; node_map_set() replaces).  line/col
 * are 1-based input positions, 0 for nodes a tool made.
 */
#ifndef NINEC_NODE_H
#define NINEC_NODE_H

#include <stddef.h>
#include <stdint.h>

enum node_type {
	NODE_NULL, NODE_BOOL, NODE_INT, NODE_FLOAT, NODE_STR, NODE_SEQ, NODE_MAP
};

struct pair;

struct node {
	unsigned char type;
	unsigned char b;		/* NODE_BOOL */
	unsigned short flags;		/* reader-private marks */
	int line, col;
	size_t len;			/* STR bytes, INT text, SEQ/MAP entries */
	size_t cap;
	union {
		char *s;		/* STR bytes, INT decimal text; NUL-ended */
		double d;		/* FLOAT, always finite */
		struct node **items;	/* SEQ */
		struct pair *pairs;	/* MAP */
	} u;
};

struct pair {
	struct node *key;		/* always NODE_STR */
	struct node *val;
};

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	size_t total;			/* bytes handed out */
	size_t limit;			/* 0: none; past it arena_alloc returns NULL */
};

void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* A copy of the len elements of old in twice the room (*cap updated): arena
 * memory is never freed piece by piece, so arrays grow by copying. */
void *arena_grow(struct arena *a, void *old, size_t len, size_t *cap,
    size_t elsize);
void arena_release(struct arena *a);

struct doc {
	struct arena arena;
	struct node *root;
	const char *input;		/* name of the input, outlives the doc */
	int index;			/* 1-based document number in the input */
	int item;			/* 1-based item of a flattened List, or 0 */
	int line;			/* first line of the document */
};

struct doc *doc_new(const char *input, int index);
void doc_free(struct doc *d);

/*
 * Constructors.  They die on out-of-memory like xmalloc; an arena limit is
 * enforced only by the reader, which checks arena.total itself.
 */
struct node *node_new(struct arena *a, enum node_type t);
struct node *node_null(struct arena *a);
struct node *node_bool(struct arena *a, int b);
struct node *node_int(struct arena *a, long long v);
struct node *node_intstr(struct arena *a, const char *dec, size_t n);
struct node *node_float(struct arena *a, double d);
struct node *node_str(struct arena *a, const char *s, size_t n);
struct node *node_strz(struct arena *a, const char *s);
struct node *node_seq(struct arena *a);
struct node *node_map(struct arena *a);
void node_seq_push(struct arena *a, struct node *seq, struct node *v);
/* Replaces the value of an existing key, else appends. */
void node_map_set(struct arena *a, struct node *map, const char *key,
    struct node *v);
void node_map_setn(struct arena *a, struct node *map, const char *key,
    size_t klen, struct node *v);
/* Appends without looking for the key: the caller knows it is new. */
void node_map_append(struct arena *a, struct node *map, struct node *key,
    struct node *v);
int node_map_del(struct node *map, const char *key);
/* Deep copy into arena a. */
struct node *node_copy(struct arena *a, const struct node *n);

/* Accessors: all accept NULL and return NULL/0 for the wrong type. */
struct node *node_get(const struct node *map, const char *key);
struct node *node_getn(const struct node *map, const char *key, size_t klen);
/* Dotted path of plain keys: node_at(root, "metadata.name"). */
struct node *node_at(const struct node *n, const char *dotted);
const char *node_s(const struct node *n);	/* STR bytes, else NULL */
const char *node_at_s(const struct node *n, const char *dotted);
int node_int_value(const struct node *n, long long *out);
int node_equal(const struct node *a, const struct node *b);
const char *node_type_name(enum node_type t);
/* Number of nodes in the tree (for limits). */
size_t node_count(const struct node *n);

/*
 * Field paths for messages: spec.template.spec.containers[0].image, with
 * keys that are not plain identifiers written as ["argocd.argoproj.io/x"].
 */
struct path_el {
	const char *key;		/* NULL for an index */
	size_t klen;
	size_t idx;
};

struct path {
	struct path_el *el;
	size_t depth, cap;
};

void path_push_key(struct path *p, const char *key, size_t klen);
void path_push_idx(struct path *p, size_t idx);
void path_pop(struct path *p);
void path_release(struct path *p);
void path_format(const struct path *p, char *out, size_t n);
/* Appends one key the way path_format writes it (for hand-built paths). */
void path_fmt_key(char *out, size_t n, const char *key, size_t klen);

#endif
