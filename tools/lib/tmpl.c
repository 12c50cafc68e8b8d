#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "emit.h"
#include "patch.h"
#include "stream.h"
#include "tmpl.h"
#include "util.h"

#define TMPL_DEPTH 16
#define TMPL_STR_LIMIT (1u << 20)

struct scope {
	const char *name;
	size_t nlen;
	const struct node *val;
	const char *lp;		/* the $each path as written, and the item */
	size_t llen, idx;
};

struct tr {
	const char *name;
	const struct node *ctx;
	struct scope sc[TMPL_DEPTH];
	int nsc;
	struct arena *a;
	struct diag *d;
};

static int render(struct tr *t, const struct node *n, struct node **res);

/* The context path of placeholder (p, n), into full: for messages. */
#define FULL(p, n) path_of(t, t->nsc, (p), (n), full, sizeof full)

static int
err(struct tr *t, const struct node *at, const char *path, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static int
err(struct tr *t, const struct node *at, const char *path, const char *fmt,
    ...)
{
	va_list ap;

	diag_clear(t->d);
	diag_at(t->d, t->name, 0, at ? at->line : 0, at ? at->col : 0);
	diag_setpath(t->d, path);
	t->d->status = EXIT_INPUT;
	va_start(ap, fmt);
	vsnprintf(t->d->msg, sizeof t->d->msg, fmt, ap);
	va_end(ap);
	return -1;
}

/* The first key of a path, and the innermost binding of $each it names
 * among the first nsc scopes (-1: the context). */
static int
scope_of(const struct tr *t, int nsc, const char *p, size_t n, size_t *first)
{
	size_t i = 0;
	int s;

	while (i < n && p[i] != '.' && p[i] != '[')
		i++;
	*first = i;
	for (s = nsc - 1; s >= 0; s--)
		if (t->sc[s].nlen == i && memcmp(t->sc[s].name, p, i) == 0)
			return s;
	return -1;
}

/*
 * The context path of a placeholder path, for messages only: a binding is
 * replaced by the path of the list it walks and the item's index.  Built
 * on demand because formatting every lookup costs more than rendering.
 */
static void
path_of(const struct tr *t, int nsc, const char *p, size_t n, char *out,
    size_t size)
{
	size_t first, k;
	int s = scope_of(t, nsc, p, n, &first);

	out[0] = '\0';
	if (s >= 0) {
		path_of(t, s, t->sc[s].lp, t->sc[s].llen, out, size);
		k = strlen(out);
		snprintf(out + k, size > k ? size - k : 0, "[%zu]",
		    t->sc[s].idx);
	} else
		snprintf(out, size, "%.*s", (int)first, p);
	k = strlen(out);
	snprintf(out + k, size > k ? size - k : 0, "%.*s", (int)(n - first),
	    p + first);
}

/*
 * Looks up a placeholder path (p, n bytes): the first key may name a
 * binding of $each.  Returns the node, or NULL when absent (including null
 * values and malformed indexes).
 */
static const struct node *
lookup(const struct tr *t, const char *p, size_t n)
{
	const struct node *v;
	size_t i, j;
	int s = scope_of(t, t->nsc, p, n, &i);

	v = s >= 0 ? t->sc[s].val : node_getn(t->ctx, p, i);
	while (v && i < n) {
		if (p[i] == '.') {
			j = ++i;
			while (i < n && p[i] != '.' && p[i] != '[')
				i++;
			v = node_getn(v, p + j, i - j);
		} else {
			size_t idx = 0;

			for (j = i + 1; j < n && p[j] >= '0' && p[j] <= '9' &&
			    idx < 100000000; j++)
				idx = idx * 10 + (size_t)(p[j] - '0');
			if (j == i + 1 || j >= n || p[j] != ']')
				return NULL;
			i = j + 1;
			v = v->type == NODE_SEQ && idx < v->len ?
			    v->u.items[idx] : NULL;
		}
	}
	if (v && v->type == NODE_NULL)
		return NULL;
	return v;
}

static int
truthy(const struct node *v)
{
	if (v == NULL)
		return 0;
	switch (v->type) {
	case NODE_NULL:
		return 0;
	case NODE_BOOL:
		return v->b;
	case NODE_INT:
		return !(v->len == 1 && v->u.s[0] == '0');
	case NODE_FLOAT:
		return v->u.d != 0;
	default:
		return v->len != 0;
	}
}

/* A placeholder in s at [start, end): "${" ... "}". */
struct ph {
	char mode;		/* 0, '?' or '*' */
	const char *path;
	size_t plen;
};

static int
parse_ph(const char *s, size_t n, struct ph *ph)
{
	const char *close;

	if (n < 3 || s[0] != '$' || s[1] != '{')
		return -1;
	close = memchr(s + 2, '}', n - 2);
	if (close == NULL)
		return -1;
	ph->path = s + 2;
	ph->mode = 0;
	if (*ph->path == '?' || *ph->path == '*')
		ph->mode = *ph->path++;
	ph->plen = (size_t)(close - ph->path);
	return (int)(close - s) + 1;
}

static int
scalar_text(struct buf *b, const struct node *v)
{
	char num[64];

	switch (v->type) {
	case NODE_STR:
	case NODE_INT:
		return buf_add(b, v->u.s, v->len);
	case NODE_BOOL:
		return buf_adds(b, v->b ? "true" : "false");
	case NODE_FLOAT:
		emit_float_json(b, v->u.d);
		return 0;
	default:
		(void)num;
		return 1;
	}
}

/*
 * Renders a string.  *res NULL: it disappears.  splice is set when the
 * string is exactly ${*path} (the caller must be a list).
 */
static int
render_str(struct tr *t, const struct node *n, struct node **res,
    const struct node **splice)
{
	const char *s = n->u.s;
	size_t len = n->len, i = 0;
	struct ph ph;
	char full[512];
	const struct node *v;
	struct buf b = BUF_INIT;
	int k, r;

	*res = NULL;
	if (splice)
		*splice = NULL;
	if (memchr(s, '$', len) == NULL) {
		*res = node_str(t->a, s, len);
		return 0;
	}
	k = parse_ph(s, len, &ph);
	if (k > 0 && (size_t)k == len) {
		v = lookup(t, ph.path, ph.plen);
		if (ph.mode == '*') {
			FULL(ph.path, ph.plen);
			if (splice == NULL)
				return err(t, n, full, "${*...} only works as "
				    "a list item");
			if (v && v->type != NODE_SEQ)
				return err(t, n, full, "expected a list to "
				    "splice, got %s", node_type_name(v->type));
			*splice = v;
			return 0;
		}
		if (v == NULL && ph.mode == '?')
			return 0;
		if (v == NULL) {
			FULL(ph.path, ph.plen);
			return err(t, n, full, "missing");
		}
		*res = node_copy(t->a, v);
		(*res)->line = (*res)->col = 0;
		return 0;
	}
	b.limit = TMPL_STR_LIMIT;
	while (i < len) {
		if (s[i] == '$' && i + 2 < len && s[i + 1] == '$' &&
		    s[i + 2] == '{') {
			buf_adds(&b, "${");
			i += 3;
			continue;
		}
		k = parse_ph(s + i, len - i, &ph);
		if (k < 0 && s[i] == '$' && i + 1 < len && s[i + 1] == '{') {
			buf_release(&b);
			return err(t, n, "", "'${' without its '}' (write $${ "
			    "for a literal one)");
		}
		if (k < 0) {
			buf_addc(&b, s[i++]);
			continue;
		}
		v = lookup(t, ph.path, ph.plen);
		if (v == NULL && ph.mode == '?') {
			buf_release(&b);
			return 0;
		}
		if (v == NULL || ph.mode == '*') {
			FULL(ph.path, ph.plen);
			buf_release(&b);
			return err(t, n, full, ph.mode ? "${*...} only works "
			    "as a list item" : "missing");
		}
		r = scalar_text(&b, v);
		if (r != 0) {
			FULL(ph.path, ph.plen);
			buf_release(&b);
			return err(t, n, full, r > 0 ? "%s cannot be part "
			    "of a string" : "string too long",
			    node_type_name(v->type));
		}
		i += (size_t)k;
	}
	*res = node_str(t->a, b.p ? b.p : "", b.len);
	buf_release(&b);
	return 0;
}

static int
directive(const char *k)
{
	static const char *const ds[] = {
		"$if", "$unless", "$each", "$as", "$value", "$merge", "$yaml",
		NULL
	};
	int i;

	for (i = 0; ds[i]; i++)
		if (strcmp(ds[i], k) == 0)
			return 1;
	return 0;
}

/* The body of a mapping: $value, $yaml, or its keys over $merge. */
static int
render_body(struct tr *t, const struct node *m, struct node **res)
{
	const struct node *dv, *mv;
	struct node *out, *k, *v;
	char full[512];
	size_t i;

	if ((dv = node_get(m, "$value")) != NULL)
		return render(t, dv, res);
	if ((dv = node_get(m, "$yaml")) != NULL) {
		struct buf b = BUF_INIT;

		if (render(t, dv, &v) < 0)
			return -1;
		if (v == NULL) {
			*res = NULL;
			return 0;
		}
		emit_yaml(&b, v);
		*res = node_str(t->a, b.p ? b.p : "", b.len);
		buf_release(&b);
		return 0;
	}
	out = node_map(t->a);
	for (i = 0; i < m->len; i++) {
		const struct pair *p = &m->u.pairs[i];

		if (p->key->len && p->key->u.s[0] == '$' &&
		    (p->key->len < 2 || p->key->u.s[1] != '{')) {
			if (!directive(p->key->u.s))
				return err(t, p->key, p->key->u.s,
				    "unknown directive");
			continue;
		}
		if (render_str(t, p->key, &k, NULL) < 0)
			return -1;
		if (k == NULL)
			continue;
		if (k->type != NODE_STR) {
			struct buf b = BUF_INIT;

			if (scalar_text(&b, k) != 0) {
				buf_release(&b);
				return err(t, p->key, "", "a key must be a "
				    "scalar");
			}
			k = node_str(t->a, b.p, b.len);
			buf_release(&b);
		}
		if (render(t, p->val, &v) < 0)
			return -1;
		if (v != NULL)
			node_map_setn(t->a, out, k->u.s, k->len, v);
	}
	if ((dv = node_get(m, "$merge")) != NULL) {
		if (dv->type != NODE_STR)
			return err(t, dv, "$merge", "expected a path");
		mv = lookup(t, dv->u.s, dv->len);
		if (mv && mv->type != NODE_MAP) {
			FULL(dv->u.s, dv->len);
			return err(t, dv, full, "expected a mapping to merge, "
			    "got %s", node_type_name(mv->type));
		}
		out = patch_merge(t->a, out, mv);
	}
	*res = out;
	return 0;
}

/* $if / $unless: 1 keep, 0 drop, -1 error. */
static int
keep(struct tr *t, const struct node *m)
{
	const struct node *c;
	int want = 1;

	if ((c = node_get(m, "$if")) == NULL) {
		c = node_get(m, "$unless");
		want = 0;
	}
	if (c == NULL)
		return 1;
	if (c->type != NODE_STR)
		return err(t, c, want ? "$if" : "$unless", "expected a path");
	return truthy(lookup(t, c->u.s, c->len)) == want;
}

static int
bind(struct tr *t, const struct node *m, const struct node *list,
    size_t idx)
{
	const struct node *as = node_get(m, "$as");
	const struct node *e = node_get(m, "$each");
	struct scope *s;

	if (t->nsc == TMPL_DEPTH)
		return err(t, m, "$each", "nested too deep");
	s = &t->sc[t->nsc++];
	s->name = as && as->type == NODE_STR ? as->u.s : "item";
	s->nlen = strlen(s->name);
	s->val = list->u.items[idx];
	s->lp = e->u.s;
	s->llen = e->len;
	s->idx = idx;
	return 0;
}

/* The list $each walks (NULL when absent: no items). */
static int
each_list(struct tr *t, const struct node *m, const struct node **list,
    char *full, size_t fsize)
{
	const struct node *e = node_get(m, "$each");

	*list = NULL;
	if (e->type != NODE_STR)
		return err(t, e, "$each", "expected a path");
	*list = lookup(t, e->u.s, e->len);
	if (*list && (*list)->type != NODE_SEQ) {
		path_of(t, t->nsc, e->u.s, e->len, full, fsize);
		return err(t, e, full, "$each needs a list, got %s",
		    node_type_name((*list)->type));
	}
	return 0;
}

static int
render_map(struct tr *t, const struct node *m, struct node **res)
{
	const struct node *list;
	struct node *v, *seq;
	char full[512];
	size_t i;
	int k;

	*res = NULL;
	if ((k = keep(t, m)) <= 0)
		return k;
	if (node_get(m, "$each") == NULL)
		return render_body(t, m, res);
	if (each_list(t, m, &list, full, sizeof full) < 0)
		return -1;
	seq = node_seq(t->a);
	for (i = 0; list && i < list->len; i++) {
		if (bind(t, m, list, i) < 0)
			return -1;
		k = render_body(t, m, &v);
		t->nsc--;
		if (k < 0)
			return -1;
		if (v)
			node_seq_push(t->a, seq, v);
	}
	*res = seq;
	return 0;
}

static int
render_seq(struct tr *t, const struct node *s, struct node **res)
{
	struct node *out = node_seq(t->a), *v;
	const struct node *it, *sp;
	size_t i, j;

	for (i = 0; i < s->len; i++) {
		it = s->u.items[i];
		if (it->type == NODE_STR) {
			if (render_str(t, it, &v, &sp) < 0)
				return -1;
			for (j = 0; sp && j < sp->len; j++)
				node_seq_push(t->a, out,
				    node_copy(t->a, sp->u.items[j]));
		} else if (it->type == NODE_MAP && node_get(it, "$each")) {
			if (render_map(t, it, &v) < 0)
				return -1;
			for (j = 0; v && j < v->len; j++)
				node_seq_push(t->a, out, v->u.items[j]);
			v = NULL;
		} else if (render(t, it, &v) < 0)
			return -1;
		if (v)
			node_seq_push(t->a, out, v);
	}
	*res = out;
	return 0;
}

static int
render(struct tr *t, const struct node *n, struct node **res)
{
	switch (n->type) {
	case NODE_STR:
		return render_str(t, n, res, NULL);
	case NODE_MAP:
		return render_map(t, n, res);
	case NODE_SEQ:
		return render_seq(t, n, res);
	default:
		*res = node_copy(t->a, n);
		(*res)->line = (*res)->col = 0;
		return 0;
	}
}

int
tmpl_render_node(const char *name, const struct node *n,
    const struct node *ctx, struct arena *a, struct node **res,
    struct diag *d)
{
	struct tr t;

	memset(&t, 0, sizeof t);
	t.name = name;
	t.ctx = ctx;
	t.a = a;
	t.d = d;
	return render(&t, n, res);
}

static int
emit_one(struct tr *t, const struct node *tn, const struct doc *src,
    int body, tmpl_out_fn out, void *arg)
{
	struct doc *doc = doc_new(t->name, src->index);
	struct node *v;
	int r;

	t->a = &doc->arena;
	r = body ? render_body(t, tn, &v) : render(t, tn, &v);
	if (r < 0 || v == NULL) {
		doc_free(doc);
		return r;
	}
	doc->root = v;
	return out(doc, arg, t->d);
}

static int
render_doc(struct tr *t, const struct doc *src, tmpl_out_fn out, void *arg)
{
	const struct node *m = src->root, *list;
	char full[512];
	size_t i;
	int k;

	if (m->type != NODE_MAP || node_get(m, "$each") == NULL)
		return emit_one(t, m, src, 0, out, arg);
	if ((k = keep(t, m)) <= 0)
		return k;
	if (each_list(t, m, &list, full, sizeof full) < 0)
		return -1;
	for (i = 0; list && i < list->len; i++) {
		if (bind(t, m, list, i) < 0)
			return -1;
		k = emit_one(t, m, src, 1, out, arg);
		t->nsc--;
		if (k < 0)
			return -1;
	}
	return 0;
}

int
tmpl_render(const char *name, const char *text, size_t len,
    const struct node *ctx, tmpl_out_fn out, void *arg, struct diag *d)
{
	struct stream *s = stream_open_mem(name, text, len, NULL);
	struct doc *src;
	struct tr t;
	int r;

	memset(&t, 0, sizeof t);
	t.name = name;
	t.ctx = ctx;
	t.d = d;
	stream_keep_lists(s, 1);
	diag_clear(d);
	while ((r = stream_next(s, &src, d)) == 1) {
		r = render_doc(&t, src, out, arg);
		doc_free(src);
		if (r < 0)
			break;
	}
	stream_close(s);
	return r < 0 ? -1 : 0;
}
