/*
 * 9c-order - sort a manifest stream into stages that one pass can apply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "order.h"

static const char usage[] = "9c-order [-l] [-o format] [-s stages] [file ...]";

/* Where each document's text sits in the output buffer, and where its
 * stage value goes. */
struct rec {
	size_t off, len;
	size_t mark_start, mark_end;
};

struct ctx {
	enum emit_format fmt;
	struct order_set *set;
	struct buf out;
	struct rec *recs;
	size_t n, cap;
};

/* The stage annotation node, created or reset, to be filled in later. */
static struct node *
stage_slot(struct doc *doc, struct diag *d)
{
	struct node *meta = node_get(doc->root, "metadata");
	struct node *ann = node_get(meta, "annotations");
	struct node *slot = node_strz(&doc->arena, "0");

	if (ann == NULL || ann->type == NODE_NULL) {
		ann = node_map(&doc->arena);
		node_map_set(&doc->arena, meta, "annotations", ann);
	}
	node_map_set(&doc->arena, ann, ORDER_ANNOTATION, slot);
	return slot;
}

static int
take(struct doc *doc, void *arg, struct diag *d)
{
	struct ctx *c = arg;
	struct emit_mark m;
	struct rec *r;

	if (order_add(c->set, doc, d) < 0) {
		doc_free(doc);
		return -1;
	}
	m.node = stage_slot(doc, d);
	m.start = m.end = 0;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->recs = xrealloc(c->recs, c->cap * sizeof *c->recs);
	}
	r = &c->recs[c->n++];
	r->off = c->out.len;
	if (c->fmt == EMIT_JSON)
		emit_json_mark(&c->out, doc->root, &m);
	else
		emit_yaml_mark(&c->out, doc->root, &m);
	if (c->fmt == EMIT_JSON)
		buf_addc(&c->out, '\n');
	r->len = c->out.len - r->off;
	r->mark_start = m.start;
	r->mark_end = m.end;
	doc_free(doc);
	return 0;
}

static void
put_doc(struct ctx *c, size_t i, int stage, unsigned long *count)
{
	const struct rec *r = &c->recs[i];
	const char *p = c->out.p;
	char num[16];
	struct buf v = BUF_INIT;

	snprintf(num, sizeof num, "%d", stage);
	if (c->fmt == EMIT_JSON)
		emit_json_string(&v, num, strlen(num));
	else {
		/* In YAML the mark covers the value and its line break. */
		emit_yaml_string(&v, num, strlen(num));
		buf_addc(&v, '\n');
	}
	if (c->fmt == EMIT_YAML && (*count)++ > 0)
		cli_put("---\n", 4);
	cli_put(p + r->off, r->mark_start - r->off);
	cli_put(v.p, v.len);
	cli_put(p + r->mark_end, r->off + r->len - r->mark_end);
	buf_release(&v);
}

static int
parse_stages(const char *arg, int **sel, size_t *nsel)
{
	const char *p = arg;
	char *end;
	long a, b, k;

	*sel = NULL;
	*nsel = 0;
	while (*p) {
		a = strtol(p, &end, 10);
		if (end == p || a < 1 || a > 100000)
			return -1;
		b = a;
		p = end;
		if (*p == '-') {
			b = strtol(p + 1, &end, 10);
			if (end == p + 1 || b < a || b > 100000)
				return -1;
			p = end;
		}
		for (k = a; k <= b; k++) {
			*sel = xrealloc(*sel, (*nsel + 1) * sizeof **sel);
			(*sel)[(*nsel)++] = (int)k;
		}
		if (*p == ',')
			p++;
		else if (*p)
			return -1;
	}
	return *nsel ? 0 : -1;
}

/* Kind out of "group/version/Kind name" or "version/Kind namespace/name". */
static void
kind_of(const char *ident, const char **k, size_t *len)
{
	const char *sp = strchr(ident, ' ');

	*k = sp;
	while (*k > ident && (*k)[-1] != '/')
		(*k)--;
	*len = (size_t)(sp - *k);
}

/*
 * The entries of each stage in input order, in one pass: by[first[s]] up
 * to by[first[s + 1]] are those of stage s (1-based).  Walking stage by
 * stage over all entries would cost entries times stages.
 */
static size_t *
by_stage(struct ctx *c, size_t **first)
{
	int s, ns = order_nstages(c->set);
	size_t i, *by = xmalloc((c->n + 1) * sizeof *by);
	size_t *at = xcalloc((size_t)ns + 2, sizeof *at);

	for (i = 0; i < c->n; i++)
		at[order_stage(c->set, i) + 1]++;
	for (s = 1; s <= ns + 1; s++)
		at[s] += at[s - 1];
	for (i = 0; i < c->n; i++)
		by[at[order_stage(c->set, i)]++] = i;
	/* at[s] now ends stage s; shift so it starts it. */
	memmove(at + 1, at, ((size_t)ns + 1) * sizeof *at);
	at[0] = at[1] = 0;
	*first = at;
	return by;
}

struct kind_at {
	const char *k;
	size_t len, i;
};

static int
kind_cmp(const void *a, const void *b)
{
	const struct kind_at *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->k, y->k, n);

	if (c == 0)
		c = (x->len > y->len) - (x->len < y->len);
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int
first_cmp(const void *a, const void *b)
{
	const struct kind_at *x = a, *y = b;

	return (x->i > y->i) - (x->i < y->i);
}

/* Each stage: its number, how many objects, and its kinds in the order
 * they first appear (sorted to find them, then back in input order). */
static void
list_stages(struct ctx *c)
{
	int s, ns = order_nstages(c->set);
	size_t *first, *by = by_stage(c, &first);
	struct kind_at *ka = xmalloc((c->n + 1) * sizeof *ka);
	size_t i, m, nk;

	for (s = 1; s <= ns; s++) {
		struct buf kinds = BUF_INIT;

		m = first[s + 1] - first[s];
		for (i = 0; i < m; i++) {
			ka[i].i = by[first[s] + i];
			kind_of(order_ident(c->set, ka[i].i), &ka[i].k,
			    &ka[i].len);
		}
		qsort(ka, m, sizeof *ka, kind_cmp);
		for (i = 0, nk = 0; i < m; i++)
			if (i == 0 || ka[i].len != ka[nk - 1].len ||
			    memcmp(ka[i].k, ka[nk - 1].k, ka[i].len) != 0)
				ka[nk++] = ka[i];
		qsort(ka, nk, sizeof *ka, first_cmp);
		for (i = 0; i < nk; i++) {
			if (i)
				buf_addc(&kinds, ',');
			buf_add(&kinds, ka[i].k, ka[i].len);
		}
		printf("%d\t%zu\t%s\n", s, m, kinds.p ? kinds.p : "");
		buf_release(&kinds);
	}
	free(ka);
	free(by);
	free(first);
}

static int
write_stages(struct ctx *c, const int *sel, size_t nsel)
{
	unsigned long count = 0;
	int s, ns = order_nstages(c->set);
	size_t i, k, *first, *by;
	char *want;

	for (k = 0; k < nsel; k++)
		if (sel[k] > ns) {
			fflush(stdout);
			fprintf(stderr, "%s: no stage %d: the stream has %d\n",
			    cli_prog, sel[k], ns);
			return EXIT_FAIL;
		}
	want = xmalloc((size_t)ns + 1);
	memset(want, nsel == 0, (size_t)ns + 1);
	for (k = 0; k < nsel; k++)
		want[sel[k]] = 1;
	by = by_stage(c, &first);
	for (s = 1; s <= ns; s++)
		for (i = first[s]; want[s] && i < first[s + 1]; i++)
			put_doc(c, by[i], s, &count);
	free(want);
	free(by);
	free(first);
	return 0;
}

int
main(int argc, char **argv)
{
	struct ctx c;
	struct diag d;
	int ch, list = 0, rc;
	int *sel = NULL;
	size_t nsel = 0;

	cli_init(argc, argv, usage);
	memset(&c, 0, sizeof c);
	while ((ch = getopt(argc, argv, "hlo:s:")) != -1) {
		switch (ch) {
		case 'h':
			cli_usage(usage, 0);
			cli_exit(0);
		case 'l':
			list = 1;
			break;
		case 'o':
			if (cli_format(optarg, &c.fmt) < 0)
				cli_misuse(usage, "-o: unknown format '%s'",
				    optarg);
			break;
		case 's':
			free(sel);
			if (parse_stages(optarg, &sel, &nsel) < 0)
				cli_misuse(usage,
				    "-s: '%s' is not a list of stages like 1,3-4",
				    optarg);
			break;
		default:
			cli_misuse(usage, NULL);
		}
	}
	c.set = order_new();
	if (cli_each_doc(argc - optind, argv + optind, take, &c, &d) < 0 ||
	    order_solve(c.set, &d) < 0) {
		cli_diag(&d);
		rc = d.status ? d.status : EXIT_INPUT;
	} else if (list) {
		list_stages(&c);
		rc = 0;
	} else
		rc = write_stages(&c, sel, nsel);
	order_free(c.set);
	buf_release(&c.out);
	free(c.recs);
	free(sel);
	cli_exit(rc);
}
