/*
 * scalar.h - YAML 1.1 scalar resolution as sigs.k8s.io/yaml does it, and
 * the formatting of numbers as the API server writes them.
 *
 * Pure functions over caller-owned text; nothing is allocated.  Resolution
 * follows go-yaml v2's resolve(): only plain untagged scalars are resolved
 * (the reader decides that); `_' is dropped from numbers; integers are
 * int64 then uint64; larger or fractional values are float64; dates stay
 * strings.  A float whose JSON text is an integer (1e3, 1.0) is reported as
 * an integer with that text, because that is what the API server stores.
 */
#ifndef NINEC_SCALAR_H
#define NINEC_SCALAR_H

#include <stddef.h>

enum scalar_kind {
	SCALAR_STR, SCALAR_NULL, SCALAR_BOOL, SCALAR_INT, SCALAR_FLOAT,
	SCALAR_INF, SCALAR_NAN
};

struct scalar {
	enum scalar_kind kind;
	int b;			/* SCALAR_BOOL */
	int is_uint;		/* SCALAR_INT past int64 */
	int was_float;		/* SCALAR_INT that came from a float text */
	double d;		/* SCALAR_FLOAT (and was_float INTs) */
	char text[352];		/* SCALAR_INT: decimal text */
	size_t len;
};

/* Resolves a plain scalar; never fails (unknown shapes are strings). */
void scalar_resolve(const char *s, size_t n, struct scalar *out);

/* !!float: an integer becomes the nearest float64, as go-yaml converts it
 * (digits past 2^53 are lost); 0, or -1 for an integer at or past 2^63,
 * which go-yaml refuses as a float. */
int scalar_to_float(struct scalar *sc);

/* Does Go's time.Parse take s in one of go-yaml's timestamp layouts
 * (YYYY-M-D, with [Tt ]h:m:s[.frac] and, after T, Z or +hh:mm)? */
int scalar_timestamp(const char *s, size_t n);

/* Shortest text that reads back as d, Go encoding/json style. */
size_t scalar_float_json(double d, char *out, size_t n);
/* The same value written so YAML 1.1 readers also see a float. */
size_t scalar_float_yaml(double d, char *out, size_t n);
/* Go FormatFloat(f, 'g', -1, 32): how a float map key becomes a string;
 * infinities (past float32 range too) and NaN as .inf, -.inf, .nan. */
size_t scalar_float_key(double d, char *out, size_t n);

/* May this string be written as a plain YAML scalar and read back as the
 * same string by YAML 1.1 and 1.2 readers alike? */
int scalar_plain_ok(const char *s, size_t n);

#endif
