#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "order.h"
#include "util.h"

#define EXIT_INPUT 3

struct ref {
	char *group, *kind, *ns, *name;	/* NULL ns: cluster-scoped or any */
};

struct ent {
	/* One allocation at group holds the four strings and ident. */
	char *group, *kind, *ns, *name;
	char *ident;
	uint64_t hash;		/* of group, kind, ns and name */
	const char *input;	/* in the set's names */
	int doc, item, line;
	int builtin_cluster;	/* a built-in cluster-scoped kind */
	long wave;
	/* a CRD: what it defines */
	char *crd_group, *crd_kind;
	int crd_namespaced;
	char **groups;		/* kapp change groups */
	size_t ngroups;
	struct ref *refs;	/* what it names, resolved by order_solve() */
	size_t nrefs;
	char **after;		/* kapp: upsert after upserting these groups */
	size_t nafter;
	char **before;		/* kapp: upsert before upserting these groups */
	size_t nbefore;
	size_t *deps;
	size_t ndeps, capdeps;
	int level, color, stage;
};

struct order_set {
	struct ent *e;
	size_t n, cap;
	size_t *hash;		/* identity -> index + 1 */
	size_t hcap;
	char **names;		/* input names, each kept once */
	size_t nnames;
	size_t *crd;		/* the CRDs, by what they define once sorted */
	size_t ncrd, capcrd;
	int crd_sorted;
	int nstages;
};

/* Dependencies of a whole stream: past this the stream is refused, not
 * ordered in quadratic time (kapp change groups can ask for n^2). */
#define ORDER_MAX_EDGES 10000000

static const char *const cluster_kinds[] = {
	"APIService", "CSIDriver", "CSINode", "CertificateSigningRequest",
	"ClusterRole", "ClusterRoleBinding", "ComponentStatus",
	"CustomResourceDefinition", "FlowSchema", "IngressClass",
	"MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
	"MutatingWebhookConfiguration", "Namespace", "Node",
	"PersistentVolume", "PriorityClass", "PriorityLevelConfiguration",
	"RuntimeClass", "SelfSubjectAccessReview", "SelfSubjectReview",
	"SelfSubjectRulesReview", "StorageClass", "SubjectAccessReview",
	"TokenReview", "ValidatingAdmissionPolicy",
	"ValidatingAdmissionPolicyBinding", "ValidatingWebhookConfiguration",
	"VolumeAttachment", "DeviceClass", "ResourceSlice", NULL
};

static const char *const builtin_groups[] = {
	"", "apps", "batch", "autoscaling", "policy", "networking.k8s.io",
	"rbac.authorization.k8s.io", "storage.k8s.io", "apiextensions.k8s.io",
	"apiregistration.k8s.io", "admissionregistration.k8s.io",
	"scheduling.k8s.io", "coordination.k8s.io", "discovery.k8s.io",
	"node.k8s.io", "certificates.k8s.io", "events.k8s.io",
	"flowcontrol.apiserver.k8s.io", "resource.k8s.io",
	"authentication.k8s.io", "authorization.k8s.io", NULL
};

void
order_group(const char *api_version, char *out, size_t n)
{
	const char *slash = strchr(api_version, '/');
	size_t len = slash ? (size_t)(slash - api_version) : 0;

	if (n == 0)
		return;
	if (len >= n)
		len = n - 1;
	memcpy(out, api_version, len);
	out[len] = '\0';
}

static int
in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (**list == *s && strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static int
crd_cmp3(const struct ent *e, const char *group, const char *kind)
{
	int c = strcmp(e->crd_kind, kind);

	return c ? c : strcmp(e->crd_group, group);
}

/* The first CRD (in input order) that defines group/kind, or -1: a binary
 * search once resolve_edges() sorted them, else a scan of the CRDs. */
static long
crd_find(const struct order_set *o, const char *group, const char *kind)
{
	size_t lo = 0, hi = o->ncrd, mid, i;

	if (!o->crd_sorted) {
		for (i = 0; i < o->ncrd; i++)
			if (crd_cmp3(&o->e[o->crd[i]], group, kind) == 0)
				return (long)o->crd[i];
		return -1;
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (crd_cmp3(&o->e[o->crd[mid]], group, kind) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < o->ncrd && crd_cmp3(&o->e[o->crd[lo]], group, kind) == 0)
		return (long)lo;
	return -1;
}

/* 1: group/kind is a built-in cluster-scoped kind; 0: it is not. */
static int
builtin_cluster(const char *group, const char *kind)
{
	return in_list(group, builtin_groups) && in_list(kind, cluster_kinds);
}

int
order_kind_namespaced(const struct order_set *o, const char *group,
    const char *kind)
{
	long c;

	if (o && (c = crd_find(o, group, kind)) >= 0)
		return o->e[o->crd_sorted ? o->crd[c] : (size_t)c].crd_namespaced;
	return !builtin_cluster(group, kind);
}

/* order_kind_namespaced() for an entry, whose built-in answer order_add()
 * worked out once. */
static int
ent_namespaced(const struct order_set *o, const struct ent *e)
{
	long c = crd_find(o, e->group, e->kind);

	if (c >= 0)
		return o->e[o->crd_sorted ? o->crd[c] : (size_t)c].crd_namespaced;
	return !e->builtin_cluster;
}

struct order_set *
order_new(void)
{
	return xcalloc(1, sizeof(struct order_set));
}

static void
free_refs(struct ent *e)
{
	size_t i;

	for (i = 0; i < e->nrefs; i++) {
		free(e->refs[i].group);
		free(e->refs[i].kind);
		free(e->refs[i].ns);
		free(e->refs[i].name);
	}
	free(e->refs);
}

static void
free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
order_free(struct order_set *o)
{
	size_t i;

	if (o == NULL)
		return;
	for (i = 0; i < o->n; i++) {
		struct ent *e = &o->e[i];

		free(e->group);
		free(e->crd_group);
		free(e->crd_kind);
		free_strv(e->groups, e->ngroups);
		free_strv(e->after, e->nafter);
		free_strv(e->before, e->nbefore);
		free_refs(e);
		free(e->deps);
	}
	free_strv(o->names, o->nnames);
	free(o->e);
	free(o->hash);
	free(o->crd);
	free(o);
}

static void
push_str(char ***v, size_t *n, const char *s, size_t len)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = xstrndup(s, len);
}

/* FNV-1a over the four parts of an identity, each ended by a byte that
 * cannot occur in any of them, so no two identities join the same way. */
static uint64_t
ident_hash(const char *group, const char *kind, const char *ns,
    const char *name)
{
	const char *part[4] = { group, kind, ns ? ns : "", name }, *s;
	uint64_t h = 1469598103934665603ULL;
	int i;

	for (i = 0; i < 4; i++) {
		for (s = part[i]; *s; s++) {
			h ^= (unsigned char)*s;
			h *= 1099511628211ULL;
		}
		h ^= 0x1f;
		h *= 1099511628211ULL;
	}
	return h;
}

static long
lookup(const struct order_set *o, const char *group, const char *kind,
    const char *ns, const char *name)
{
	uint64_t h;
	size_t i, m;

	if (o->hcap == 0)
		return -1;
	h = ident_hash(group, kind, ns, name);
	m = o->hcap - 1;
	for (i = h & m; o->hash[i]; i = (i + 1) & m) {
		const struct ent *e = &o->e[o->hash[i] - 1];

		if (e->hash == h && strcmp(e->name, name) == 0 &&
		    strcmp(e->kind, kind) == 0 &&
		    strcmp(e->group, group) == 0 &&
		    strcmp(e->ns, ns ? ns : "") == 0)
			return (long)(o->hash[i] - 1);
	}
	return -1;
}

static void
hash_slot(struct order_set *o, size_t idx)
{
	size_t i, m = o->hcap - 1;

	for (i = o->e[idx].hash & m; o->hash[i]; i = (i + 1) & m)
		;
	o->hash[i] = idx + 1;
}

static void
hash_put(struct order_set *o, size_t idx)
{
	if (o->n * 2 >= o->hcap) {
		size_t old = o->hcap, j;
		size_t *oh = o->hash;

		o->hcap = o->hcap ? o->hcap * 2 : 64;
		o->hash = xcalloc(o->hcap, sizeof *o->hash);
		for (j = 0; j < old; j++)
			if (oh[j])
				hash_slot(o, oh[j] - 1);
		free(oh);
	}
	hash_slot(o, idx);
}

/* The input's name, copied once however many documents it holds. */
static const char *
input_name(struct order_set *o, const char *name)
{
	if (name == NULL)
		name = "";
	if (o->nnames == 0 || strcmp(o->names[o->nnames - 1], name) != 0)
		push_str(&o->names, &o->nnames, name, strlen(name));
	return o->names[o->nnames - 1];
}

/* group, kind, ns, name and ident in one block, which e->group owns. */
static void
ent_strings(struct ent *e, const char *apiv, const char *group,
    const char *kind, const char *ns, const char *name)
{
	size_t la = strlen(apiv), lg = strlen(group), lk = strlen(kind);
	size_t ln = strlen(ns), lm = strlen(name);
	size_t li = la + 1 + lk + 1 + (ln ? ln + 1 : 0) + lm;
	char *p = xmalloc(lg + lk + ln + lm + li + 5);

#define PUT(dst, s, n) do { dst = p; memcpy(p, s, n); p += n; *p++ = '\0'; } while (0)
	PUT(e->group, group, lg);
	PUT(e->kind, kind, lk);
	PUT(e->ns, ns, ln);
	PUT(e->name, name, lm);
#undef PUT
	/* "apps/v1/Deployment ns/name", or "v1/Namespace name" */
	e->ident = p;
	memcpy(p, apiv, la);
	p += la;
	*p++ = '/';
	memcpy(p, kind, lk);
	p += lk;
	*p++ = ' ';
	if (ln) {
		memcpy(p, ns, ln);
		p += ln;
		*p++ = '/';
	}
	memcpy(p, name, lm);
	p[lm] = '\0';
}

static int
ent_err(struct diag *d, const struct doc *doc, const struct node *at,
    const char *path, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
ent_err(struct diag *d, const struct doc *doc, const struct node *at,
    const char *path, const char *fmt, ...)
{
	char item[32] = "";
	va_list ap;

	diag_clear(d);
	diag_at(d, doc->input, doc->index, at ? at->line : doc->line,
	    at ? at->col : 0);
	if (doc->item)
		snprintf(item, sizeof item, "items[%d]%s", doc->item - 1,
		    path[0] ? "." : "");
	snprintf(d->path, sizeof d->path, "%s%s", item, path);
	d->status = EXIT_INPUT;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
	return -1;
}

static void
add_ref(struct ent *e, const char *group, const char *kind, const char *ns,
    const char *name)
{
	struct ref *r;

	if (name == NULL || *name == '\0')
		return;
	/* A depends-on list of 100,000 names must not copy the array once
	 * per name: the capacity, never stored, is the least power of two
	 * (at least 4) that holds nrefs, so it doubles when that is full. */
	if (e->nrefs == 0 || (e->nrefs >= 4 &&
	    (e->nrefs & (e->nrefs - 1)) == 0))
		e->refs = xrealloc(e->refs, (e->nrefs ? 2 * e->nrefs : 4) *
		    sizeof *e->refs);
	r = &e->refs[e->nrefs++];
	r->group = xstrdup(group);
	r->kind = xstrdup(kind);
	r->ns = ns && *ns ? xstrdup(ns) : NULL;
	r->name = xstrdup(name);
}

/* config.kubernetes.io/depends-on: group/namespaces/ns/Kind/name or
 * group/Kind/name, comma-separated. */
static int
parse_depends_on(struct ent *e, const char *v, const struct doc *doc,
    const struct node *at, struct diag *d)
{
	char *copy = xstrdup(v), *item, *save = NULL, *f[6];
	int n, rc = 0;

	for (item = strtok_r(copy, ",", &save); item;
	    item = strtok_r(NULL, ",", &save)) {
		char *p = item, *whole = xstrdup(item);

		while (*p == ' ')
			p++;
		for (n = 0; n < 6 && p; n++) {
			f[n] = p;
			p = strchr(p, '/');
			if (p)
				*p++ = '\0';
		}
		if (n == 5 && strcmp(f[1], "namespaces") == 0)
			add_ref(e, f[0], f[3], f[2], f[4]);
		else if (n == 3)
			add_ref(e, f[0], f[1], NULL, f[2]);
		else {
			rc = ent_err(d, doc, at,
			    "metadata.annotations[\"config.kubernetes.io/depends-on\"]",
			    "'%s' is not group/Kind/name or group/namespaces/namespace/Kind/name",
			    whole);
			free(whole);
			break;
		}
		free(whole);
	}
	free(copy);
	return rc;
}

/* "upsert after upserting apps.big.co/db" and friends. */
static void
parse_change_rule(struct ent *e, const char *v)
{
	const char *after = "upsert after upserting ";
	const char *before = "upsert before upserting ";

	if (strncmp(v, after, strlen(after)) == 0)
		push_str(&e->after, &e->nafter, v + strlen(after),
		    strlen(v + strlen(after)));
	else if (strncmp(v, before, strlen(before)) == 0)
		push_str(&e->before, &e->nbefore, v + strlen(before),
		    strlen(v + strlen(before)));
}

static int
annotations(struct ent *e, const struct node *ann, const struct doc *doc,
    struct diag *d)
{
	size_t i;
	char *end;

	if (ann == NULL || ann->type == NODE_NULL)
		return 0;
	if (ann->type != NODE_MAP)
		return ent_err(d, doc, ann, "metadata.annotations",
		    "%s", "must be a mapping of strings");
	for (i = 0; i < ann->len; i++) {
		const char *k = ann->u.pairs[i].key->u.s;
		const struct node *vn = ann->u.pairs[i].val;
		const char *v = node_s(vn);

		if (v == NULL)
			continue;
		if (strcmp(k, "argocd.argoproj.io/sync-wave") == 0) {
			e->wave = strtol(v, &end, 10);
			if (*v == '\0' || *end != '\0')
				return ent_err(d, doc, vn,
				    "metadata.annotations[\"argocd.argoproj.io/sync-wave\"]",
				    "'%s' is not an integer", v);
		} else if (strcmp(k, "config.kubernetes.io/depends-on") == 0) {
			if (parse_depends_on(e, v, doc, vn, d) < 0)
				return -1;
		} else if (strncmp(k, "kapp.k14s.io/change-group", 25) == 0) {
			push_str(&e->groups, &e->ngroups, v, strlen(v));
		} else if (strncmp(k, "kapp.k14s.io/change-rule", 24) == 0) {
			parse_change_rule(e, v);
		}
	}
	return 0;
}

static void
refs_of(struct ent *e, const struct node *r)
{
	const struct node *spec = node_get(r, "spec"), *x;
	const char *ns = e->ns;
	size_t i;

	/* The Namespace is not a ref: resolve_edges() finds it from e->ns,
	 * saving every namespaced object four copies of strings. */
	if (strcmp(e->group, "rbac.authorization.k8s.io") == 0 &&
	    (strcmp(e->kind, "RoleBinding") == 0 ||
	    strcmp(e->kind, "ClusterRoleBinding") == 0)) {
		const char *rk = node_at_s(r, "roleRef.kind");
		const char *rn = node_at_s(r, "roleRef.name");

		if (rk && strcmp(rk, "Role") == 0)
			add_ref(e, e->group, "Role", ns, rn);
		else if (rk && strcmp(rk, "ClusterRole") == 0)
			add_ref(e, e->group, "ClusterRole", NULL, rn);
	}
	if (strcmp(e->group, "") == 0 &&
	    strcmp(e->kind, "PersistentVolumeClaim") == 0)
		add_ref(e, "storage.k8s.io", "StorageClass", NULL,
		    node_at_s(spec, "storageClassName"));
	if (strcmp(e->group, "apps") == 0 && strcmp(e->kind, "StatefulSet") == 0 &&
	    (x = node_get(spec, "volumeClaimTemplates")) && x->type == NODE_SEQ)
		for (i = 0; i < x->len; i++)
			add_ref(e, "storage.k8s.io", "StorageClass", NULL,
			    node_at_s(x->u.items[i], "spec.storageClassName"));
	if (strcmp(e->group, "admissionregistration.k8s.io") == 0 &&
	    (x = node_get(r, "webhooks")) && x->type == NODE_SEQ)
		for (i = 0; i < x->len; i++) {
			const struct node *svc = node_at(x->u.items[i],
			    "clientConfig.service");

			add_ref(e, "", "Service", node_at_s(svc, "namespace"),
			    node_at_s(svc, "name"));
		}
	if (strcmp(e->group, "apiregistration.k8s.io") == 0 &&
	    strcmp(e->kind, "APIService") == 0)
		add_ref(e, "", "Service", node_at_s(spec, "service.namespace"),
		    node_at_s(spec, "service.name"));
}

static const char *
required(const struct doc *doc, const char *dotted, struct diag *d)
{
	const struct node *n = node_at(doc->root, dotted);

	if (n == NULL || n->type == NODE_NULL) {
		/* Point at the mapping that should have held it. */
		const struct node *at = doc->root, *next;
		const char *p = dotted, *dot;

		while ((dot = strchr(p, '.')) != NULL &&
		    (next = node_getn(at, p, (size_t)(dot - p))) != NULL &&
		    next->type == NODE_MAP) {
			at = next;
			p = dot + 1;
		}
		ent_err(d, doc, at, dotted, "%s", "missing");
		return NULL;
	}
	if (n->type != NODE_STR || n->len == 0) {
		ent_err(d, doc, n, dotted, "%s", n->type == NODE_STR ?
		    "empty" : "must be a string");
		return NULL;
	}
	return n->u.s;
}

int
order_add(struct order_set *o, const struct doc *doc, struct diag *d)
{
	const char *apiv, *kind, *name, *ns = NULL;
	const struct node *r = doc->root, *nsn;
	char group[256];
	struct ent *e;
	long dup;
	int cluster;

	if (r == NULL || r->type != NODE_MAP)
		return ent_err(d, doc, r, "", "%s",
		    "a manifest must be a mapping");
	if ((apiv = required(doc, "apiVersion", d)) == NULL ||
	    (kind = required(doc, "kind", d)) == NULL ||
	    (name = required(doc, "metadata.name", d)) == NULL)
		return -1;
	nsn = node_at(r, "metadata.namespace");
	if (nsn && nsn->type != NODE_NULL) {
		if (nsn->type != NODE_STR)
			return ent_err(d, doc, nsn, "metadata.namespace", "%s",
			    "must be a string");
		ns = nsn->u.s;
	}
	order_group(apiv, group, sizeof group);
	cluster = builtin_cluster(group, kind);
	/* kubectl drops the namespace of a cluster-scoped object. */
	if (cluster)
		ns = NULL;
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 64;
		o->e = xrealloc(o->e, o->cap * sizeof *o->e);
	}
	e = &o->e[o->n];
	memset(e, 0, sizeof *e);
	ent_strings(e, apiv, group, kind, ns ? ns : "", name);
	e->hash = ident_hash(e->group, e->kind, e->ns, e->name);
	e->builtin_cluster = cluster;
	e->input = input_name(o, doc->input);
	e->doc = doc->index;
	e->item = doc->item;
	e->line = doc->line;
	if ((dup = lookup(o, e->group, e->kind, e->ns, e->name)) >= 0) {
		struct ent *f = &o->e[dup];
		char msg[DIAG_MSG];

		snprintf(msg, sizeof msg, "%s is already defined by %s:%d (document %d)",
		    e->ident, f->input, f->line, f->doc);
		o->n++;		/* so order_free releases it */
		return ent_err(d, doc, r, "", "%s", msg);
	}
	o->n++;
	if (annotations(e, node_at(r, "metadata.annotations"), doc, d) < 0)
		return -1;
	if (strcmp(group, "apiextensions.k8s.io") == 0 &&
	    strcmp(kind, "CustomResourceDefinition") == 0) {
		const char *g = node_at_s(r, "spec.group");
		const char *k = node_at_s(r, "spec.names.kind");
		const char *scope = node_at_s(r, "spec.scope");

		if (g == NULL)
			return ent_err(d, doc, NULL, "spec.group", "%s", "missing");
		if (k == NULL)
			return ent_err(d, doc, NULL, "spec.names.kind", "%s",
			    "missing");
		e->crd_group = xstrdup(g);
		e->crd_kind = xstrdup(k);
		e->crd_namespaced = scope == NULL || strcmp(scope, "Cluster") != 0;
		if (o->ncrd == o->capcrd) {
			o->capcrd = o->capcrd ? o->capcrd * 2 : 16;
			o->crd = xrealloc(o->crd, o->capcrd * sizeof *o->crd);
		}
		o->crd[o->ncrd++] = o->n - 1;
		o->crd_sorted = 0;
	}
	refs_of(e, r);
	hash_put(o, o->n - 1);
	return 0;
}

static void
add_dep(struct ent *e, size_t to)
{
	if (e->ndeps == e->capdeps) {
		e->capdeps = e->capdeps ? e->capdeps * 2 : 4;
		e->deps = xrealloc(e->deps, e->capdeps * sizeof *e->deps);
	}
	e->deps[e->ndeps++] = to;
}

static const struct order_set *sort_set;

static int
crd_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const struct ent *f = &sort_set->e[y];
	int c = crd_cmp3(&sort_set->e[x], f->crd_group, f->crd_kind);

	return c ? c : (x > y) - (x < y);
}

struct member {
	const char *group;
	size_t ent;
};

static int
member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	int c = strcmp(x->group, y->group);

	return c ? c : (x->ent > y->ent) - (x->ent < y->ent);
}

/* The first member of group g, or nm. */
static size_t
member_find(const struct member *m, size_t nm, const char *g)
{
	size_t lo = 0, hi = nm, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(m[mid].group, g) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Every lookup is a hash probe or a binary search, and each edge is added
 * once per source (mark[t] == i + 1 means e[i] already waits for t), so
 * the work is O((n + edges) log n); edges past ORDER_MAX_EDGES are refused.
 */
static int
resolve_edges(struct order_set *o, struct diag *d)
{
	size_t i, j, k, g, nm = 0, c, edges = 0;
	size_t *mark = xcalloc(o->n + 1, sizeof *mark);
	struct member *m;
	long t;

	sort_set = o;
	if (o->ncrd)
		qsort(o->crd, o->ncrd, sizeof *o->crd, crd_cmp);
	o->crd_sorted = 1;
	for (i = 0; i < o->n; i++)
		nm += o->e[i].ngroups;
	m = xmalloc((nm + 1) * sizeof *m);
	for (i = 0, nm = 0; i < o->n; i++)
		for (g = 0; g < o->e[i].ngroups; g++) {
			m[nm].group = o->e[i].groups[g];
			m[nm++].ent = i;
		}
	qsort(m, nm, sizeof *m, member_cmp);
#define EDGE(from, to) do { \
	if (mark[to] != (from) + 1) { \
		mark[to] = (from) + 1; \
		add_dep(&o->e[from], (to)); \
		edges++; \
	} \
} while (0)
	for (i = 0; i < o->n && edges <= ORDER_MAX_EDGES; i++) {
		struct ent *e = &o->e[i];

		mark[i] = i + 1;	/* never itself */
		for (k = 0; k < e->ndeps; k++)
			mark[e->deps[k]] = i + 1;
		/* A custom resource waits for the CRD that defines it. */
		if ((t = crd_find(o, e->group, e->kind)) >= 0)
			for (c = (size_t)t; c < o->ncrd && crd_cmp3(
			    &o->e[o->crd[c]], e->group, e->kind) == 0; c++)
				EDGE(i, o->crd[c]);
		/* A namespaced object waits for its Namespace.  A
		 * cluster-scoped object's namespace means nothing; a
		 * depends-on naming a Namespace still holds. */
		if (*e->ns && strcmp(e->kind, "Namespace") != 0 &&
		    ent_namespaced(o, e)) {
			t = lookup(o, "", "Namespace", "", e->ns);
			if (t < 0)
				t = lookup(o, "", "Namespace", e->ns, e->ns);
			if (t >= 0)
				EDGE(i, (size_t)t);
		}
		for (k = 0; k < e->nrefs; k++) {
			struct ref *r = &e->refs[k];

			t = lookup(o, r->group, r->kind, r->ns ? r->ns : "",
			    r->name);
			/* A reference without namespace to a namespaced
			 * object means the referrer's own namespace. */
			if (t < 0 && r->ns == NULL)
				t = lookup(o, r->group, r->kind, e->ns, r->name);
			if (t >= 0)
				EDGE(i, (size_t)t);
		}
		for (k = 0; k < e->nafter; k++)
			for (j = member_find(m, nm, e->after[k]); j < nm &&
			    strcmp(m[j].group, e->after[k]) == 0; j++)
				EDGE(i, m[j].ent);
		for (k = 0; k < e->nbefore; k++)
			for (j = member_find(m, nm, e->before[k]); j < nm &&
			    strcmp(m[j].group, e->before[k]) == 0; j++) {
				struct ent *x = &o->e[m[j].ent];

				/* Only this pass adds i to others' lists. */
				if (m[j].ent != i && (x->ndeps == 0 ||
				    x->deps[x->ndeps - 1] != i)) {
					add_dep(x, i);
					edges++;
				}
			}
	}
#undef EDGE
	free(mark);
	free(m);
	if (edges > ORDER_MAX_EDGES) {
		diag_clear(d);
		return diag_set(d, EXIT_INPUT, "more than %d dependencies "
		    "between the objects", ORDER_MAX_EDGES);
	}
	return 0;
}

static int
cycle_err(struct order_set *o, size_t *stack, size_t depth, size_t at,
    struct diag *d)
{
	struct buf b = BUF_INIT;
	size_t i, from = 0;

	for (i = 0; i < depth; i++)
		if (stack[i] == at)
			from = i;
	buf_adds(&b, "dependency cycle: ");
	for (i = from; i < depth; i++) {
		const struct ent *e = &o->e[stack[i]];

		buf_printf(&b, "%s (%s:%d) -> ", e->ident, e->input, e->line);
	}
	buf_printf(&b, "%s", o->e[at].ident);
	diag_clear(d);
	d->status = EXIT_INPUT;
	snprintf(d->msg, sizeof d->msg, "%s", b.p);
	buf_release(&b);
	return -1;
}

/*
 * Level within the wave: 0 with nothing to wait for, else one past the
 * deepest dependency of the same wave.  Iterative DFS so a long chain
 * cannot overflow the C stack.
 */
static int
levels(struct order_set *o, struct diag *d)
{
	size_t *stack = xmalloc((o->n + 1) * sizeof *stack);
	size_t *next = xcalloc(o->n + 1, sizeof *next);
	size_t i, depth;
	int rc = 0;

	for (i = 0; i < o->n && rc == 0; i++) {
		if (o->e[i].color == 2)
			continue;
		depth = 0;
		stack[depth++] = i;
		o->e[i].color = 1;
		while (depth && rc == 0) {
			struct ent *e = &o->e[stack[depth - 1]];
			size_t at = stack[depth - 1];

			if (next[at] < e->ndeps) {
				size_t t = e->deps[next[at]++];

				if (o->e[t].color == 1) {
					rc = cycle_err(o, stack, depth, t, d);
					break;
				}
				if (o->e[t].color == 0) {
					o->e[t].color = 1;
					stack[depth++] = t;
				}
				continue;
			}
			/* A dependency in a later wave pulls its dependent
			 * into that wave; post-order sees its final wave. */
			for (size_t k = 0; k < e->ndeps; k++)
				if (o->e[e->deps[k]].wave > e->wave)
					e->wave = o->e[e->deps[k]].wave;
			e->level = 0;
			for (size_t k = 0; k < e->ndeps; k++) {
				struct ent *t = &o->e[e->deps[k]];
				int l = t->wave == e->wave ? t->level + 1 : 0;

				if (l > e->level)
					e->level = l;
			}
			e->color = 2;
			depth--;
		}
	}
	free(stack);
	free(next);
	return rc;
}

static int
cmp_pair(const void *a, const void *b)
{
	const long *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	if (x[1] != y[1])
		return x[1] < y[1] ? -1 : 1;
	return 0;
}

/* Slot of (wave, level) in a table of cap (a power of two) pairs, used
 * marking the taken ones: the slot that holds it, or the free one where
 * it goes. */
static size_t
pair_slot(const long *tab, const char *used, size_t cap, long wave,
    long level)
{
	uint64_t h = (uint64_t)wave * 0x9E3779B97F4A7C15ULL ^
	    (uint64_t)level * 0xC2B2AE3D27D4EB4FULL;
	size_t i, m = cap - 1;

	for (i = (size_t)(h ^ h >> 29) & m; used[i]; i = (i + 1) & m)
		if (tab[2 * i] == wave && tab[2 * i + 1] == level)
			break;
	return i;
}

/*
 * Stages are the distinct (wave, level) pairs in order.  Entries share a
 * few of them, so a hash table finds them in one pass and only the
 * distinct pairs are sorted.
 */
int
order_solve(struct order_set *o, struct diag *d)
{
	long *tab, *pairs;
	char *used;
	int *rank;
	size_t i, j, k = 0, cap = 16;

	if (resolve_edges(o, d) < 0 || levels(o, d) < 0)
		return -1;
	while (cap < o->n * 2)
		cap *= 2;
	tab = xmalloc(cap * 2 * sizeof *tab);
	used = xcalloc(cap, 1);
	rank = xmalloc(cap * sizeof *rank);
	pairs = xmalloc((o->n + 1) * 2 * sizeof *pairs);
	for (i = 0; i < o->n; i++) {
		j = pair_slot(tab, used, cap, o->e[i].wave, o->e[i].level);
		if (!used[j]) {
			used[j] = 1;
			tab[2 * j] = pairs[2 * k] = o->e[i].wave;
			tab[2 * j + 1] = pairs[2 * k + 1] = o->e[i].level;
			k++;
		}
	}
	qsort(pairs, k, 2 * sizeof *pairs, cmp_pair);
	for (i = 0; i < k; i++)
		rank[pair_slot(tab, used, cap, pairs[2 * i], pairs[2 * i + 1])] =
		    (int)i + 1;
	for (i = 0; i < o->n; i++)
		o->e[i].stage = rank[pair_slot(tab, used, cap, o->e[i].wave,
		    o->e[i].level)];
	o->nstages = (int)k;
	free(tab);
	free(used);
	free(rank);
	free(pairs);
	return 0;
}

size_t
order_count(const struct order_set *o)
{
	return o->n;
}

int
order_nstages(const struct order_set *o)
{
	return o->nstages;
}

int
order_stage(const struct order_set *o, size_t i)
{
	return o->e[i].stage;
}

const char *
order_ident(const struct order_set *o, size_t i)
{
	return o->e[i].ident;
}
