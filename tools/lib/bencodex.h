/*
 * bencodex.h - Bencodex 1.3 values: a decoder to a small tree and the
 * canonical encoder, the form Libplanet hashes and signs (APV extras, blocks,
 * transactions).
 *
 * A value is null, a boolean, an integer (kept as its exact decimal text, so
 * no size limit), a byte string, a text (valid UTF-8), a list or a
 * dictionary whose keys are byte strings or texts.  Every value has one
 * encoding: the decoder rejects any other (i03e, i-0e, 03:abc, keys out of
 * order or repeated, invalid UTF-8, bytes after the value), and the encoder
 * writes dictionary keys in the one order the spec allows whatever order the
 * tree holds them in: byte keys before text keys, each by raw bytes.
 *
 * Ownership: every node lives in the arena the caller gives (node.h), byte
 * and text values are copies, and the tree is freed with that arena.
 * Decoding is bounded: input size, nesting depth and node count (struct
 * bx_limits; zeros mean the defaults).  Errors fill a struct diag (status 3)
 * whose message names the byte offset: "offset 12: dictionary keys are out
 * of order".
 */
#ifndef NINEC_BENCODEX_H
#define NINEC_BENCODEX_H

#include <stddef.h>

#include "diag.h"
#include "node.h"
#include "util.h"

enum bx_type { BX_NULL, BX_BOOL, BX_INT, BX_BYTES, BX_TEXT, BX_LIST, BX_DICT };

struct bx_pair;

struct bx {
	enum bx_type type;
	int b;				/* BX_BOOL */
	size_t len;			/* bytes, decimal text, or entries */
	size_t cap;
	union {
		unsigned char *s;	/* BYTES, TEXT, INT decimal; NUL-ended */
		struct bx **items;	/* LIST */
		struct bx_pair *pairs;	/* DICT */
	} u;
};

struct bx_pair {
	struct bx *key;			/* BX_BYTES or BX_TEXT */
	struct bx *val;
};

struct bx_limits {
	size_t max_bytes;		/* default 16 MiB */
	size_t max_depth;		/* default 64 */
	size_t max_nodes;		/* default 1 << 20 */
};

/* Exactly one value spanning all n bytes. */
int bx_decode(const unsigned char *p, size_t n, const struct bx_limits *lim,
    struct arena *a, struct bx **out, struct diag *d);
/* Canonical bytes appended to out; -1 with d (status 3) when a dictionary
 * holds a key twice or a key that is not a byte string or text. */
int bx_encode(const struct bx *v, struct buf *out, struct diag *d);

struct bx *bx_null(struct arena *a);
struct bx *bx_bool(struct arena *a, int b);
struct bx *bx_int(struct arena *a, long long v);
/* dec must be a canonical decimal (checked by the caller or the decoder). */
struct bx *bx_intstr(struct arena *a, const char *dec, size_t n);
struct bx *bx_bytes(struct arena *a, const void *p, size_t n);
struct bx *bx_text(struct arena *a, const char *s, size_t n);
struct bx *bx_textz(struct arena *a, const char *s);
struct bx *bx_list(struct arena *a);
struct bx *bx_dict(struct arena *a);
void bx_push(struct arena *a, struct bx *list, struct bx *v);
/* Replaces the value of an equal key (same type, same bytes), else adds. */
void bx_set(struct arena *a, struct bx *dict, struct bx *key, struct bx *v);

/* Lookups; NULL when absent or dict is not a dictionary. */
struct bx *bx_get(const struct bx *dict, enum bx_type ktype, const void *key,
    size_t klen);
struct bx *bx_get_text(const struct bx *dict, const char *key);
/* A byte key of one byte, as block headers use. */
struct bx *bx_get_byte(const struct bx *dict, char key);
int bx_equal(const struct bx *x, const struct bx *y);
/* The integer when it fits a long long; 0 or -1. */
int bx_int_value(const struct bx *v, long long *out);
const char *bx_type_name(enum bx_type t);

/*
 * To and from the document model.  bx_from_node(): strings become texts,
 * mappings dictionaries with text keys, integers, booleans, null and
 * sequences what they are; a float is an error (with the field path).
 * bx_to_node(): the reverse for reading, where a byte string (value or key)
 * is written "0x" + lower-case hex.
 */
struct bx *bx_from_node(struct arena *a, const struct node *n,
    struct diag *d);
struct node *bx_to_node(struct arena *a, const struct bx *v);

#endif
