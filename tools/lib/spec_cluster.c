#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "node.h"
#include "shape.h"
#include "spec.h"
#include "spec_cluster.h"

/*
 * The rules are the ones EKS, EC2, S3 and terraform apply later, checked
 * here so a typo costs a second instead of a half-built cluster.
 */

static const char *const cluster_keys[] = {
	"provider", "version", "vpcId", "subnetIds", "endpointPublicAccess",
	"endpointPrivateAccess", "publicAccessCidrs", "nodeGroups",
	"instanceTypes", "minSize", "desiredSize", "maxSize", "diskSize",
	"capacityType", "labels", "taints", "addons", "backend", "tags", NULL
};
/* The keys of the runbook's single node group, allowed at cluster level. */
static const char *const shorthand_keys[] = {
	"instanceTypes", "minSize", "desiredSize", "maxSize", "diskSize",
	"capacityType", "labels", "taints", NULL
};
/* EKS's default quota is 30 per cluster; past 100 it is a mistake. */
#define MAX_NODE_GROUPS 100
static const char *const group_keys[] = {
	"name", "instanceTypes", "minSize", "desiredSize", "maxSize",
	"diskSize", "capacityType", "labels", "taints", NULL
};
static const char *const taint_keys[] = { "key", "value", "effect", NULL };
static const char *const backend_keys[] = {
	"bucket", "key", "region", "dynamodbTable", NULL
};
static const char *const providers[] = { "eks", "local", NULL };
static const char *const capacity_types[] = { "ON_DEMAND", "SPOT", NULL };
static const char *const effects[] = {
	"NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE", NULL
};

static int
fail(struct diag *d, const struct node *n, const struct path *p,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
fail(struct diag *d, const struct node *n, const struct path *p,
    const char *fmt, ...)
{
	char path[DIAG_PATH];
	va_list ap;

	d->line = n ? n->line : 0;
	d->col = n ? n->col : 0;
	path_format(p, path, sizeof path);
	diag_setpath(d, path);
	d->status = EXIT_INPUT;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
	return -1;
}

static int
want(const struct node *n, enum node_type t, const char *what,
    const struct path *p, struct diag *d)
{
	if (n->type == t)
		return 0;
	return fail(d, n, p, "expected %s, got %s", what,
	    n->type == NODE_NULL ? "nothing" : node_type_name(n->type));
}

static int
in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (strcmp(*l, s) == 0)
			return 1;
	return 0;
}

static const char *
suggest(const char *const *keys, const char *key)
{
	const char *best = NULL;
	size_t bd = 4, dist, cap;

	cap = strlen(key) / 3 + 1;
	if (cap > 3)
		cap = 3;
	for (; *keys; keys++) {
		dist = spec_distance(key, *keys, cap);
		if (dist <= cap && dist < bd) {
			bd = dist;
			best = *keys;
		}
	}
	return best;
}

/* A mapping whose keys are all in `keys'. */
static int
check_keys(const struct node *m, const char *const *keys, struct path *p,
    struct diag *d)
{
	const char *hint;
	size_t i;
	int r;

	if (want(m, NODE_MAP, "a mapping", p, d) < 0)
		return -1;
	for (i = 0; i < m->len; i++) {
		const struct node *k = m->u.pairs[i].key;

		if (in_list(keys, k->u.s))
			continue;
		path_push_key(p, k->u.s, k->len);
		hint = suggest(keys, k->u.s);
		if (hint)
			r = fail(d, k, p, "unknown key, did you mean '%s'?",
			    hint);
		else
			r = fail(d, k, p, "unknown key");
		path_pop(p);
		return r;
	}
	return 0;
}

static int
missing(const struct node *m, const char *key, struct path *p,
    struct diag *d)
{
	path_push_key(p, key, strlen(key));
	fail(d, m, p, "missing");
	path_pop(p);
	return -1;
}

static const char *
choices_text(const char *const *c, char *out, size_t n)
{
	size_t k = 0;
	int w;

	out[0] = '\0';
	for (; *c; c++) {
		w = snprintf(out + k, n - k, "%s%s", k ? ", " : "", *c);
		if (w < 0 || (size_t)w >= n - k)
			break;
		k += (size_t)w;
	}
	return out;
}

static int
is_lower_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int
is_alnum(int c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static int
all_hex(const char *s, size_t n)
{
	return strspn(s, "0123456789abcdef") == n;
}

/* vpc-0ca5c72f48fdd131b: the prefix, then 8 or 17 lowercase hex digits. */
static int
is_aws_id(const char *prefix, const struct node *n)
{
	size_t pl = strlen(prefix), h;

	if (n->len <= pl || strncmp(n->u.s, prefix, pl) != 0)
		return 0;
	h = n->len - pl;
	return (h == 8 || h == 17) && all_hex(n->u.s + pl, h);
}

static int
is_digits(const char *s, size_t n)
{
	return n > 0 && strspn(s, "0123456789") == n;
}

/* "1.33": what EKS takes as a version. */
static int
is_k8s_version(const struct node *n)
{
	return n->len == 4 && n->u.s[0] == '1' && n->u.s[1] == '.' &&
	    is_digits(n->u.s + 2, 2) && n->u.s[2] != '0';
}

/* c5.large, m7i-flex.2xlarge, u-6tb1.metal: family, a dot, a size. */
static int
is_instance_type(const struct node *n)
{
	const char *s = n->u.s, *dot = memchr(s, '.', n->len);
	size_t i;

	if (dot == NULL || dot == s || n->len > 40 || !(s[0] >= 'a' &&
	    s[0] <= 'z') || (size_t)(dot - s) + 1 == n->len)
		return 0;
	for (i = 0; i < n->len; i++)
		if (s + i != dot && !is_lower_alnum((unsigned char)s[i]) &&
		    s[i] != '-')
			return 0;
	return s[n->len - 1] != '-' && dot[-1] != '-' && dot[1] != '-';
}

/*
 * An IPv4 CIDR in canonical form, no host bits set, as the provider's
 * validation wants it.
 */
static int
is_cidr(const char *s, size_t n)
{
	unsigned long v, addr = 0;
	size_t i = 0, k;
	int part;

	for (part = 0; part < 5; part++) {
		k = strspn(s + i, "0123456789");
		if (k == 0 || k > 3 || (k > 1 && s[i] == '0'))
			return 0;
		v = strtoul(s + i, NULL, 10);
		if ((part < 4 && v > 255) || (part == 4 && v > 32))
			return 0;
		i += k;
		if (part < 4)
			addr = addr << 8 | v;
		if (part == 4)
			return i == n && (v == 32 ||
			    (addr & (0xfffffffful >> v)) == 0);
		if (i >= n || s[i] != (part == 3 ? '/' : '.'))
			return 0;
		i++;
	}
	return 0;
}

/* S3 bucket names: 3-63 of a-z 0-9 . -, alphanumeric at both ends. */
static int
is_bucket(const char *s, size_t n)
{
	size_t i;

	if (n < 3 || n > 63 || !is_lower_alnum((unsigned char)s[0]) ||
	    !is_lower_alnum((unsigned char)s[n - 1]) || strstr(s, ".."))
		return 0;
	for (i = 0; i < n; i++)
		if (!is_lower_alnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '-')
			return 0;
	return 1;
}

/* A Kubernetes qualified name part: alphanumeric ends, -_. inside. */
static int
is_qname(const char *s, size_t n, size_t max)
{
	size_t i;

	if (n == 0 || n > max || !is_alnum((unsigned char)s[0]) ||
	    !is_alnum((unsigned char)s[n - 1]))
		return 0;
	for (i = 0; i < n; i++)
		if (!is_alnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_' && s[i] != '.')
			return 0;
	return 1;
}

/* example.com/name or name: a label key. */
static int
is_label_key(const char *s, size_t n)
{
	const char *slash = memchr(s, '/', n);
	size_t pl, i;

	if (slash == NULL)
		return is_qname(s, n, 63);
	pl = (size_t)(slash - s);
	if (pl == 0 || pl > 253)
		return 0;
	for (i = 0; i < pl; i++)
		if (!is_lower_alnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '.')
			return 0;
	return is_lower_alnum((unsigned char)s[0]) &&
	    is_lower_alnum((unsigned char)s[pl - 1]) &&
	    is_qname(slash + 1, n - pl - 1, 63);
}

/* An optional string child with a shape; 0 when absent or well formed. */
static int
check_str(const struct node *m, const char *key, int (*ok)(const char *,
    size_t), const char *shape, struct path *p, struct diag *d)
{
	const struct node *v = node_get(m, key);
	int r = 0;

	if (v == NULL)
		return 0;
	path_push_key(p, key, strlen(key));
	if (want(v, NODE_STR, "a string", p, d) < 0)
		r = -1;
	else if (ok && !ok(v->u.s, v->len))
		r = fail(d, v, p, "'%s' is not %s", v->u.s, shape);
	path_pop(p);
	return r;
}

static int
check_choice(const struct node *m, const char *key, const char *const *c,
    struct path *p, struct diag *d)
{
	const struct node *v = node_get(m, key);
	char text[128];
	int r = 0;

	if (v == NULL)
		return 0;
	path_push_key(p, key, strlen(key));
	if (want(v, NODE_STR, "a string", p, d) < 0)
		r = -1;
	else if (!in_list(c, v->u.s))
		r = fail(d, v, p, "'%s' is not one of %s", v->u.s,
		    choices_text(c, text, sizeof text));
	path_pop(p);
	return r;
}

static int
check_bool(const struct node *m, const char *key, struct path *p,
    struct diag *d)
{
	const struct node *v = node_get(m, key);
	int r;

	if (v == NULL)
		return 0;
	path_push_key(p, key, strlen(key));
	r = want(v, NODE_BOOL, "true or false", p, d);
	path_pop(p);
	return r;
}

/* An optional integer in [lo, hi]; *out keeps its default when absent. */
static int
check_int(const struct node *m, const char *key, long long lo, long long hi,
    long long *out, struct path *p, struct diag *d)
{
	const struct node *v = node_get(m, key);
	int r = 0;

	if (v == NULL)
		return 0;
	path_push_key(p, key, strlen(key));
	if (want(v, NODE_INT, "an integer", p, d) < 0)
		r = -1;
	else if (node_int_value(v, out) < 0 || *out < lo || *out > hi)
		r = fail(d, v, p, "%s is out of range (%lld-%lld)", v->u.s,
		    lo, hi);
	path_pop(p);
	return r;
}

/*
 * A list of distinct strings, each passing ok(); at least `min' of them.
 */
struct item {
	const struct node *n;
	size_t i;
};

/* Byte order with the length first: strings may hold NUL bytes. */
static int
str_cmp(const struct node *x, const struct node *y)
{
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->u.s, y->u.s, x->len);
}

static int
item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = str_cmp(x->n, y->n);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* The first item of a list of strings that repeats an earlier one, or
 * l->len: sorted, so 100,000 subnets take milliseconds, not a minute. */
static size_t
first_repeat(const struct node *l)
{
	struct item *v = xmalloc((l->len + 1) * sizeof *v);
	size_t i, best = l->len;

	for (i = 0; i < l->len; i++) {
		v[i].n = l->u.items[i];
		v[i].i = i;
	}
	qsort(v, l->len, sizeof *v, item_cmp);
	for (i = 1; i < l->len; i++)
		if (str_cmp(v[i].n, v[i - 1].n) == 0 &&
		    (i < 2 || str_cmp(v[i - 2].n, v[i].n) != 0) &&
		    v[i].i < best)
			best = v[i].i;
	free(v);
	return best;
}

static int
check_strs(const struct node *m, const char *key, size_t min,
    int (*ok)(const struct node *), const char *shape, struct path *p,
    struct diag *d)
{
	const struct node *l = node_get(m, key), *it;
	size_t i, j;
	int r = 0;

	if (l == NULL)
		return 0;
	path_push_key(p, key, strlen(key));
	if (want(l, NODE_SEQ, "a list", p, d) < 0) {
		path_pop(p);
		return -1;
	}
	if (l->len < min)
		r = fail(d, l, p, "needs at least %zu, has %zu", min, l->len);
	for (i = 0; i < l->len && r == 0; i++) {
		it = l->u.items[i];
		path_push_idx(p, i);
		if (want(it, NODE_STR, "a string", p, d) < 0)
			r = -1;
		else if (ok && !ok(it))
			r = fail(d, it, p, "'%s' is not %s", it->u.s, shape);
		path_pop(p);
	}
	if (r == 0 && (j = first_repeat(l)) < l->len) {
		it = l->u.items[j];
		path_push_idx(p, j);
		r = fail(d, it, p, "'%s' is listed twice", it->u.s);
		path_pop(p);
	}
	path_pop(p);
	return r;
}

static int
cidr_node(const struct node *n)
{
	return is_cidr(n->u.s, n->len);
}

static int
subnet_node(const struct node *n)
{
	return is_aws_id("subnet-", n);
}

/*
 * minSize <= desiredSize <= maxSize.  All three, or none (the runbook's
 * 10/10/20): a default next to a given value would be a guess.
 */
static int
check_sizes(const struct node *g, struct path *p, struct diag *d)
{
	static const char *const k[] = { "minSize", "desiredSize", "maxSize" };
	long long v[3] = { 10, 10, 20 };
	int i, given = 0;

	for (i = 0; i < 3; i++) {
		if (check_int(g, k[i], i == 2 ? 1 : 0, 100000, &v[i], p,
		    d) < 0)
			return -1;
		given += node_get(g, k[i]) != NULL;
	}
	if (given == 0)
		return 0;
	for (i = 0; i < 3; i++)
		if (node_get(g, k[i]) == NULL) {
			path_push_key(p, k[i], strlen(k[i]));
			fail(d, g, p, "missing (give minSize, desiredSize "
			    "and maxSize together)");
			path_pop(p);
			return -1;
		}
	if (v[0] > v[1]) {
		path_push_key(p, "minSize", 7);
		fail(d, node_get(g, "minSize"), p, "%lld is more than "
		    "desiredSize %lld", v[0], v[1]);
		path_pop(p);
		return -1;
	}
	if (v[1] > v[2]) {
		path_push_key(p, "desiredSize", 11);
		fail(d, node_get(g, "desiredSize"), p, "%lld is more than "
		    "maxSize %lld", v[1], v[2]);
		path_pop(p);
		return -1;
	}
	return 0;
}

static int
group_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 63 || !is_alnum((unsigned char)s[0]))
		return 0;
	for (i = 0; i < n; i++)
		if (!is_alnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_')
			return 0;
	return 1;
}

/* Labels: a mapping of label keys to label values (strings). */
static int
check_labels(const struct node *g, struct path *p, struct diag *d)
{
	const struct node *m = node_get(g, "labels"), *k, *v;
	size_t i;
	int r = 0;

	if (m == NULL)
		return 0;
	path_push_key(p, "labels", 6);
	if (want(m, NODE_MAP, "a mapping", p, d) < 0)
		r = -1;
	for (i = 0; r == 0 && i < m->len; i++) {
		k = m->u.pairs[i].key;
		v = m->u.pairs[i].val;
		path_push_key(p, k->u.s, k->len);
		if (!is_label_key(k->u.s, k->len))
			r = fail(d, k, p, "'%s' is not a label key", k->u.s);
		else if (want(v, NODE_STR, "a string", p, d) < 0)
			r = -1;
		else if (v->len > 0 && !is_qname(v->u.s, v->len, 63))
			r = fail(d, v, p, "'%s' is not a label value "
			    "(at most 63 of A-Z a-z 0-9 -_.)", v->u.s);
		path_pop(p);
	}
	path_pop(p);
	return r;
}

static int
check_taint(const struct node *t, struct path *p, struct diag *d)
{
	const struct node *k = node_get(t, "key"), *v;

	if (check_keys(t, taint_keys, p, d) < 0)
		return -1;
	if (k == NULL)
		return missing(t, "key", p, d);
	if (node_get(t, "effect") == NULL)
		return missing(t, "effect", p, d);
	path_push_key(p, "key", 3);
	if (want(k, NODE_STR, "a string", p, d) < 0 ||
	    (!is_label_key(k->u.s, k->len) &&
	    fail(d, k, p, "'%s' is not a taint key", k->u.s) < 0)) {
		path_pop(p);
		return -1;
	}
	path_pop(p);
	v = node_get(t, "value");
	if (v && v->type != NODE_NULL) {
		path_push_key(p, "value", 5);
		if (want(v, NODE_STR, "a string", p, d) < 0 ||
		    (v->len > 0 && !is_qname(v->u.s, v->len, 63) &&
		    fail(d, v, p, "'%s' is not a taint value", v->u.s) < 0)) {
			path_pop(p);
			return -1;
		}
		path_pop(p);
	}
	return check_choice(t, "effect", effects, p, d);
}

static int
check_taints(const struct node *g, struct path *p, struct diag *d)
{
	const struct node *l = node_get(g, "taints");
	size_t i;
	int r = 0;

	if (l == NULL)
		return 0;
	path_push_key(p, "taints", 6);
	if (want(l, NODE_SEQ, "a list", p, d) < 0)
		r = -1;
	else if (l->len > 50)
		r = fail(d, l, p, "has %zu taints, EKS allows 50", l->len);
	for (i = 0; r == 0 && i < l->len; i++) {
		path_push_idx(p, i);
		r = check_taint(l->u.items[i], p, d);
		path_pop(p);
	}
	path_pop(p);
	return r;
}

/* What a node group and the cluster-level shorthand share. */
static int
check_group_body(const struct node *g, struct path *p, struct diag *d)
{
	long long disk = 20;

	if (check_strs(g, "instanceTypes", 1, is_instance_type,
	    "an instance type like c5.large", p, d) < 0 ||
	    check_sizes(g, p, d) < 0 ||
	    check_int(g, "diskSize", 1, 16384, &disk, p, d) < 0 ||
	    check_choice(g, "capacityType", capacity_types, p, d) < 0)
		return -1;
	return 0;
}

static int
check_group(const struct node *g, struct path *p, struct diag *d)
{
	if (check_keys(g, group_keys, p, d) < 0)
		return -1;
	if (node_get(g, "name") == NULL)
		return missing(g, "name", p, d);
	if (check_str(g, "name", group_name_ok, "a node group name "
	    "(at most 63 of A-Z a-z 0-9 - _, starting alphanumeric)", p,
	    d) < 0)
		return -1;
	return check_group_body(g, p, d) < 0 || check_labels(g, p, d) < 0 ||
	    check_taints(g, p, d) < 0 ? -1 : 0;
}

static int
check_groups(const struct node *c, struct path *p, struct diag *d)
{
	const struct node *l = node_get(c, "nodeGroups"), *n, *o;
	const char *const *k;
	size_t i, j;
	int r = 0;

	if (l == NULL)
		return check_group_body(c, p, d) < 0 ||
		    check_labels(c, p, d) < 0 || check_taints(c, p, d) < 0 ?
		    -1 : 0;
	for (k = shorthand_keys; *k; k++)
		if (node_get(c, *k)) {
			path_push_key(p, *k, strlen(*k));
			fail(d, node_get(c, *k), p, "not together with "
			    "nodeGroups (put it in a node group)");
			path_pop(p);
			return -1;
		}
	path_push_key(p, "nodeGroups", 10);
	if (want(l, NODE_SEQ, "a list", p, d) < 0)
		r = -1;
	else if (l->len == 0)
		r = fail(d, l, p, "needs at least 1, has 0");
	else if (l->len > MAX_NODE_GROUPS)
		r = fail(d, l, p, "at most %d, has %zu", MAX_NODE_GROUPS,
		    l->len);
	for (i = 0; r == 0 && i < l->len; i++) {
		path_push_idx(p, i);
		r = check_group(l->u.items[i], p, d);
		n = node_get(l->u.items[i], "name");
		for (j = 0; r == 0 && j < i; j++) {
			o = node_get(l->u.items[j], "name");
			if (node_equal(n, o)) {
				path_push_key(p, "name", 4);
				r = fail(d, n, p, "'%s' is also the name of "
				    "nodeGroups[%zu]", n->u.s, j);
				path_pop(p);
			}
		}
		path_pop(p);
	}
	path_pop(p);
	return r;
}

static int
addon_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 100 || !is_lower_alnum((unsigned char)s[0]))
		return 0;
	for (i = 0; i < n; i++)
		if (!is_lower_alnum((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return 1;
}

/* v1.19.2-eksbuild.1 (the suffix is optional). */
static int
addon_version_ok(const char *s, size_t n)
{
	size_t i = 1, k;
	int part;

	if (n < 6 || s[0] != 'v')
		return 0;
	for (part = 0; part < 3; part++) {
		k = strspn(s + i, "0123456789");
		if (k == 0)
			return 0;
		i += k;
		if (part < 2) {
			if (i >= n || s[i] != '.')
				return 0;
			i++;
		}
	}
	if (i == n)
		return 1;
	if (strncmp(s + i, "-eksbuild.", 10) != 0)
		return 0;
	return is_digits(s + i + 10, n - i - 10);
}

static int
check_addons(const struct node *c, struct path *p, struct diag *d)
{
	const struct node *m = node_get(c, "addons"), *k, *v;
	size_t i;
	int r = 0;

	if (m == NULL)
		return 0;
	path_push_key(p, "addons", 6);
	if (want(m, NODE_MAP, "a mapping", p, d) < 0)
		r = -1;
	for (i = 0; r == 0 && i < m->len; i++) {
		k = m->u.pairs[i].key;
		v = m->u.pairs[i].val;
		path_push_key(p, k->u.s, k->len);
		if (!addon_name_ok(k->u.s, k->len))
			r = fail(d, k, p, "'%s' is not an add-on name",
			    k->u.s);
		else if (v->type == NODE_NULL)
			r = 0;
		else if (want(v, NODE_STR, "a version string or null",
		    p, d) < 0)
			r = -1;
		else if (!addon_version_ok(v->u.s, v->len))
			r = fail(d, v, p, "'%s' is not an add-on version "
			    "like v1.19.2-eksbuild.1", v->u.s);
		path_pop(p);
	}
	path_pop(p);
	return r;
}

static int
key_ok(const char *s, size_t n)
{
	return n > 0 && n <= 1024;
}

static int
table_ok(const char *s, size_t n)
{
	size_t i;

	if (n < 3 || n > 255)
		return 0;
	for (i = 0; i < n; i++)
		if (!is_alnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-' && s[i] != '.')
			return 0;
	return 1;
}

static int
check_backend(const struct node *c, struct path *p, struct diag *d)
{
	const struct node *b = node_get(c, "backend");
	int r;

	if (b == NULL)
		return 0;
	path_push_key(p, "backend", 7);
	r = check_keys(b, backend_keys, p, d);
	if (r == 0 && node_get(b, "bucket") == NULL)
		r = missing(b, "bucket", p, d);
	if (r == 0)
		r = check_str(b, "bucket", is_bucket, "an S3 bucket name "
		    "(3-63 of a-z 0-9 . -)", p, d) < 0 ||
		    check_str(b, "key", key_ok, "an S3 key (1-1024 bytes)",
		    p, d) < 0 ||
		    check_str(b, "region", shape_region, "an AWS region like "
		    "us-east-2", p, d) < 0 ||
		    check_str(b, "dynamodbTable", table_ok, "a DynamoDB "
		    "table name (3-255 of A-Z a-z 0-9 _ - .)", p, d) < 0 ?
		    -1 : 0;
	path_pop(p);
	return r;
}

static int
check_tags(const struct node *c, struct path *p, struct diag *d)
{
	const struct node *m = node_get(c, "tags"), *k, *v;
	size_t i;
	int r = 0;

	if (m == NULL)
		return 0;
	path_push_key(p, "tags", 4);
	if (want(m, NODE_MAP, "a mapping", p, d) < 0)
		r = -1;
	for (i = 0; r == 0 && i < m->len; i++) {
		k = m->u.pairs[i].key;
		v = m->u.pairs[i].val;
		path_push_key(p, k->u.s, k->len);
		if (k->len == 0 || k->len > 128)
			r = fail(d, k, p, "a tag key has 1-128 characters");
		else if (strncmp(k->u.s, "aws:", 4) == 0)
			r = fail(d, k, p, "the aws: prefix is AWS's own");
		else if (want(v, NODE_STR, "a string", p, d) < 0)
			r = -1;
		else if (v->len > 256)
			r = fail(d, v, p, "a tag value has at most 256 "
			    "characters");
		path_pop(p);
	}
	path_pop(p);
	return r;
}

static int
check_version(const struct node *c, struct path *p, struct diag *d)
{
	const struct node *v = node_get(c, "version");
	int r = 0;

	if (v == NULL)
		return 0;
	path_push_key(p, "version", 7);
	if (v->type == NODE_FLOAT || v->type == NODE_INT)
		r = fail(d, v, p, "expected a string like \"1.33\", got %s "
		    "(quote it: 1.30 unquoted is the number 1.3)",
		    node_type_name(v->type));
	else if (want(v, NODE_STR, "a string", p, d) < 0)
		r = -1;
	else if (!is_k8s_version(v))
		r = fail(d, v, p, "'%s' is not a Kubernetes version like "
		    "1.33", v->u.s);
	path_pop(p);
	return r;
}

static int
vpc_ok(const char *s, size_t n)
{
	struct node t;

	memset(&t, 0, sizeof t);
	t.u.s = (char *)s;
	t.len = n;
	return is_aws_id("vpc-", &t);
}

int
spec_cluster_check(const struct node *c, struct path *p, struct diag *d)
{
	const struct node *prov;
	int eks;

	if (c == NULL)
		return fail(d, NULL, p, "missing");
	if (check_keys(c, cluster_keys, p, d) < 0 ||
	    check_choice(c, "provider", providers, p, d) < 0)
		return -1;
	prov = node_get(c, "provider");
	eks = prov == NULL || strcmp(prov->u.s, "eks") == 0;
	if (eks && node_get(c, "vpcId") == NULL)
		return missing(c, "vpcId", p, d);
	if (eks && node_get(c, "subnetIds") == NULL)
		return missing(c, "subnetIds", p, d);
	if (check_version(c, p, d) < 0 ||
	    check_str(c, "vpcId", vpc_ok, "a VPC ID like "
	    "vpc-0ca5c72f48fdd131b", p, d) < 0 ||
	    check_strs(c, "subnetIds", 2, subnet_node, "a subnet ID like "
	    "subnet-0ca96dde12345678", p, d) < 0 ||
	    check_bool(c, "endpointPublicAccess", p, d) < 0 ||
	    check_bool(c, "endpointPrivateAccess", p, d) < 0 ||
	    check_strs(c, "publicAccessCidrs", 1, cidr_node, "an IPv4 CIDR "
	    "like 203.0.113.0/24", p, d) < 0 ||
	    check_groups(c, p, d) < 0 ||
	    check_addons(c, p, d) < 0 ||
	    check_backend(c, p, d) < 0 ||
	    check_tags(c, p, d) < 0)
		return -1;
	if (node_get(c, "endpointPublicAccess") && node_get(c,
	    "endpointPrivateAccess") && !node_get(c,
	    "endpointPublicAccess")->b && !node_get(c,
	    "endpointPrivateAccess")->b) {
		path_push_key(p, "endpointPrivateAccess", 21);
		fail(d, node_get(c, "endpointPrivateAccess"), p, "false "
		    "together with endpointPublicAccess false leaves no way "
		    "to reach the API server");
		path_pop(p);
		return -1;
	}
	return 0;
}
