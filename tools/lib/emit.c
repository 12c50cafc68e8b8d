#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "emit.h"
#include "scalar.h"

static void
indent(struct buf *b, int n)
{
	static const char sp[] = "                                ";

	while (n > 0) {
		int k = n > 32 ? 32 : n;

		buf_add(b, sp, (size_t)k);
		n -= k;
	}
}

static void
put_escaped_cp(struct buf *b, uint32_t cp)
{
	switch (cp) {
	case 0: buf_adds(b, "\\0"); return;
	case 7: buf_adds(b, "\\a"); return;
	case 8: buf_adds(b, "\\b"); return;
	case 9: buf_adds(b, "\\t"); return;
	case 10: buf_adds(b, "\\n"); return;
	case 11: buf_adds(b, "\\v"); return;
	case 12: buf_adds(b, "\\f"); return;
	case 13: buf_adds(b, "\\r"); return;
	case 27: buf_adds(b, "\\e"); return;
	case 0x85: buf_adds(b, "\\N"); return;
	case 0x2028: buf_adds(b, "\\L"); return;
	case 0x2029: buf_adds(b, "\\P"); return;
	default:
		break;
	}
	if (cp < 0x100)
		buf_printf(b, "\\x%02X", cp);
	else if (cp < 0x10000)
		buf_printf(b, "\\u%04X", cp);
	else
		buf_printf(b, "\\U%08X", cp);
}

void
emit_yaml_string(struct buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, run;
	uint32_t cp;
	int k;

	if (scalar_plain_ok(s, n)) {
		buf_add(b, s, n);
		return;
	}
	buf_addc(b, '"');
	for (i = 0; i < n;) {
		/* Copy runs of ordinary bytes at once. */
		for (run = i; run < n && u[run] >= 0x20 && u[run] < 0x7F &&
		    u[run] != '"' && u[run] != '\\'; run++)
			;
		if (run > i) {
			buf_add(b, s + i, run - i);
			i = run;
			continue;
		}
		if (u[i] == '"' || u[i] == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, u[i]);
			i++;
			continue;
		}
		if (u[i] < 0x80) {
			put_escaped_cp(b, u[i]);
			i++;
			continue;
		}
		k = utf8_decode(u + i, n - i, &cp);
		if (k == 0) {
			/* Not UTF-8: the model never holds this, but be safe. */
			buf_adds(b, "\\uFFFD");
			i++;
			continue;
		}
		if (cp < 0xA0 || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF ||
		    cp >= 0xFFFE)
			put_escaped_cp(b, cp);
		else
			buf_add(b, s + i, (size_t)k);
		i += (size_t)k;
	}
	buf_addc(b, '"');
}

/* A multi-line string as a literal block, when every line allows it. */
static int
literal_ok(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;
	uint32_t cp;
	int k;

	if (n == 0 || memchr(s, '\n', n) == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		if (u[i] == '\n') {
			if (i > 0 && (u[i - 1] == ' '))
				return 0;
			continue;
		}
		if (u[i] < 0x20 || u[i] == 0x7F)
			return 0;
		if (u[i] >= 0x80) {
			k = utf8_decode(u + i, n - i, &cp);
			if (k == 0 || cp < 0xA0 || cp == 0x2028 ||
			    cp == 0x2029 || cp == 0xFEFF || cp >= 0xFFFE)
				return 0;
			i += (size_t)k - 1;
		}
	}
	return u[n - 1] != ' ';
}

static void
emit_literal(struct buf *b, const char *s, size_t n, int ind)
{
	size_t i, trail = 0, start;

	while (trail < n && s[n - 1 - trail] == '\n')
		trail++;
	buf_addc(b, '|');
	/* An explicit indentation when the text starts with a space or a
	 * line break, so readers do not guess it from the content. */
	if (s[0] == ' ' || s[0] == '\n')
		buf_addc(b, '2');
	/* Clipping keeps one final break only after some content. */
	if (trail == 0)
		buf_addc(b, '-');
	else if (trail > 1 || trail == n)
		buf_addc(b, '+');
	buf_addc(b, '\n');
	for (start = 0, i = 0; i <= n; i++) {
		if (i == n || s[i] == '\n') {
			if (i == n && start == n)
				break;
			if (i > start) {
				indent(b, ind);
				buf_add(b, s + start, i - start);
			}
			buf_addc(b, '\n');
			start = i + 1;
		}
	}
}

static void
scalar_text(struct buf *b, const struct node *n)
{
	char tmp[64];
	size_t len;

	switch (n->type) {
	case NODE_NULL:
		buf_adds(b, "null");
		break;
	case NODE_BOOL:
		buf_adds(b, n->b ? "true" : "false");
		break;
	case NODE_INT:
		buf_add(b, n->u.s, n->len);
		break;
	case NODE_FLOAT:
		len = scalar_float_yaml(n->u.d, tmp, sizeof tmp);
		buf_add(b, tmp, len);
		break;
	case NODE_STR:
		emit_yaml_string(b, n->u.s, n->len);
		break;
	default:
		break;
	}
}

struct yctx {
	struct buf *b;
	struct emit_mark *m;
};

static void y_node(struct yctx *c, const struct node *n, int ind, int inl);

static void
y_mark_start(struct yctx *c, const struct node *n)
{
	if (c->m && c->m->node == n)
		c->m->start = c->b->len;
}

static void
y_mark_end(struct yctx *c, const struct node *n)
{
	if (c->m && c->m->node == n)
		c->m->end = c->b->len;
}

/* A value after `key:' or `- ': on the same line, or on the next ones. */
static void
y_value(struct yctx *c, const struct node *v, int ind, int seq_under_key)
{
	struct buf *b = c->b;

	if ((v->type == NODE_MAP || v->type == NODE_SEQ) && v->len == 0) {
		y_mark_start(c, v);
		buf_adds(b, v->type == NODE_MAP ? " {}\n" : " []\n");
		y_mark_end(c, v);
		return;
	}
	if (v->type == NODE_MAP) {
		buf_addc(b, '\n');
		y_node(c, v, ind + 2, 0);
		return;
	}
	if (v->type == NODE_SEQ) {
		buf_addc(b, '\n');
		y_node(c, v, seq_under_key ? ind : ind + 2, 0);
		return;
	}
	buf_addc(b, ' ');
	y_mark_start(c, v);
	if (v->type == NODE_STR && literal_ok(v->u.s, v->len))
		emit_literal(b, v->u.s, v->len, ind + 2);
	else {
		scalar_text(b, v);
		buf_addc(b, '\n');
	}
	y_mark_end(c, v);
}

static void
y_key(struct buf *b, const struct node *k, int ind)
{
	size_t start = b->len;

	emit_yaml_string(b, k->u.s, k->len);
	/* Readers look at most 1024 characters ahead for the `:'. */
	if (b->len - start > 1000) {
		struct buf tmp = BUF_INIT;

		buf_add(&tmp, b->p + start, b->len - start);
		b->len = start;
		buf_adds(b, "? ");
		buf_add(b, tmp.p, tmp.len);
		buf_addc(b, '\n');
		indent(b, ind);
		buf_release(&tmp);
	}
}

static void
y_node(struct yctx *c, const struct node *n, int ind, int inl)
{
	struct buf *b = c->b;
	size_t i;

	y_mark_start(c, n);
	if (n->type == NODE_MAP && n->len) {
		for (i = 0; i < n->len; i++) {
			if (i > 0 || !inl)
				indent(b, ind);
			y_key(b, n->u.pairs[i].key, ind);
			buf_addc(b, ':');
			y_value(c, n->u.pairs[i].val, ind, 1);
		}
	} else if (n->type == NODE_SEQ && n->len) {
		for (i = 0; i < n->len; i++) {
			const struct node *v = n->u.items[i];

			if (i > 0 || !inl)
				indent(b, ind);
			buf_adds(b, "-");
			if ((v->type == NODE_MAP || v->type == NODE_SEQ) &&
			    v->len) {
				buf_addc(b, ' ');
				y_node(c, v, ind + 2, 1);
			} else
				y_value(c, v, ind, 0);
		}
	} else if (n->type == NODE_MAP || n->type == NODE_SEQ) {
		buf_adds(b, n->type == NODE_MAP ? "{}\n" : "[]\n");
	} else {
		/* A scalar document: never a literal block at column 0. */
		scalar_text(b, n);
		buf_addc(b, '\n');
	}
	y_mark_end(c, n);
}

void
emit_yaml_mark(struct buf *b, const struct node *n, struct emit_mark *m)
{
	struct yctx c = { b, m };

	y_node(&c, n, 0, 0);
}

void
emit_yaml(struct buf *b, const struct node *n)
{
	emit_yaml_mark(b, n, NULL);
}

void
emit_json_string(struct buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, run;

	buf_addc(b, '"');
	for (i = 0; i < n;) {
		/* DEL, C1 controls (NEL among them), U+FFFE and U+FFFF are
		 * escaped too, so YAML readers accept the output. */
		for (run = i; run < n && u[run] >= 0x20 && u[run] != '"' &&
		    u[run] != '\\' && u[run] != 0xE2 && u[run] != 0x7F &&
		    u[run] != 0xC2 && u[run] != 0xEF; run++)
			;
		if (run > i) {
			buf_add(b, s + i, run - i);
			i = run;
			continue;
		}
		switch (u[i]) {
		case '"': buf_adds(b, "\\\""); break;
		case '\\': buf_adds(b, "\\\\"); break;
		case '\n': buf_adds(b, "\\n"); break;
		case '\r': buf_adds(b, "\\r"); break;
		case '\t': buf_adds(b, "\\t"); break;
		case '\b': buf_adds(b, "\\b"); break;
		case '\f': buf_adds(b, "\\f"); break;
		case 0xE2:
			/* U+2028 and U+2029 break JavaScript readers. */
			if (i + 2 < n && u[i + 1] == 0x80 &&
			    (u[i + 2] == 0xA8 || u[i + 2] == 0xA9)) {
				buf_adds(b, u[i + 2] == 0xA8 ? "\\u2028" :
				    "\\u2029");
				i += 3;
				continue;
			}
			buf_addc(b, u[i]);
			break;
		case 0xC2:
			if (i + 1 < n && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F) {
				buf_printf(b, "\\u%04x", u[i + 1]);
				i += 2;
				continue;
			}
			buf_addc(b, u[i]);
			break;
		case 0xEF:
			if (i + 2 < n && u[i + 1] == 0xBF &&
			    (u[i + 2] == 0xBE || u[i + 2] == 0xBF)) {
				buf_adds(b, u[i + 2] == 0xBE ? "\\ufffe" :
				    "\\uffff");
				i += 3;
				continue;
			}
			buf_addc(b, u[i]);
			break;
		default:
			buf_printf(b, "\\u%04x", u[i]);
			break;
		}
		i++;
	}
	buf_addc(b, '"');
}

void
emit_float_json(struct buf *b, double d)
{
	char tmp[64];
	size_t len = scalar_float_json(d, tmp, sizeof tmp);

	buf_add(b, tmp, len);
}

static void
j_node(struct buf *b, const struct node *n, struct emit_mark *m)
{
	size_t i;

	if (m && m->node == n)
		m->start = b->len;
	switch (n->type) {
	case NODE_NULL:
		buf_adds(b, "null");
		break;
	case NODE_BOOL:
		buf_adds(b, n->b ? "true" : "false");
		break;
	case NODE_INT:
		buf_add(b, n->u.s, n->len);
		break;
	case NODE_FLOAT:
		emit_float_json(b, n->u.d);
		break;
	case NODE_STR:
		emit_json_string(b, n->u.s, n->len);
		break;
	case NODE_SEQ:
		buf_addc(b, '[');
		for (i = 0; i < n->len; i++) {
			if (i)
				buf_addc(b, ',');
			j_node(b, n->u.items[i], m);
		}
		buf_addc(b, ']');
		break;
	case NODE_MAP:
		buf_addc(b, '{');
		for (i = 0; i < n->len; i++) {
			if (i)
				buf_addc(b, ',');
			emit_json_string(b, n->u.pairs[i].key->u.s,
			    n->u.pairs[i].key->len);
			buf_addc(b, ':');
			j_node(b, n->u.pairs[i].val, m);
		}
		buf_addc(b, '}');
		break;
	}
	if (m && m->node == n)
		m->end = b->len;
}

void
emit_json_mark(struct buf *b, const struct node *n, struct emit_mark *m)
{
	j_node(b, n, m);
}

void
emit_json(struct buf *b, const struct node *n)
{
	j_node(b, n, NULL);
}

void
emit_doc(struct buf *b, enum emit_format f, const struct node *n,
    unsigned long *count)
{
	if (f == EMIT_JSON) {
		emit_json(b, n);
		buf_addc(b, '\n');
	} else {
		if (*count > 0)
			buf_adds(b, "---\n");
		emit_yaml(b, n);
	}
	(*count)++;
}
