/*
 * 9c-render - render a TestNet spec into a manifest stream: the network,
 * the cluster bootstrap, or the Argo CD Applications that deploy them.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apv.h"
#include "bencodex.h"
#include "cli.h"
#include "emit.h"
#include "genesis.h"
#include "keys.h"
#include "patch.h"
#include "release.h"
#include "shape.h"
#include "spec.h"
#include "tmpl.h"

static const char usage[] =
    "9c-render [-PS] [-a addresses] [-f facts] [-g genesis] [-k keys] "
    "[-m manifest] [-o format] [-p patches] [-t dir] mode spec";

#define INPUT_LIMIT (256u << 20)
/* 300,000 nodes (the most the counts allow) at about 3.4 KB each. */
#define OUTPUT_LIMIT ((size_t)1 << 30)
#define MAX_FILES 16

enum mode { MODE_NETWORK, MODE_BOOTSTRAP, MODE_APPS };

struct render {
	struct spec spec;
	struct release rel;
	enum mode mode;
	enum emit_format fmt;
	int services_only, preview;
	const char *tdir, *facts, *keys, *manifest, *genesis;
	/* From the -k document, when 9c-secrets signed the spec's version. */
	const char *signed_apv, *signed_signer;
	const char *addrs[MAX_FILES], *patches[MAX_FILES];
	int naddrs, npatches;
	struct doc *ctxdoc;
	struct node *ctx;
	struct doc **out;	/* kept only when patches follow */
	size_t nout, cap;
	struct buf text;	/* the output, written once all is well */
	unsigned long ndocs;
	char *names[64];	/* template names the output documents keep */
	int nnames;
	long nodeports;		/* node ports the Services rendered claim */
	long np_services;	/* and how many Services claim them */
};

static const char *const network_templates[] = {
	"namespace.yaml", "storageclass.yaml", "service.yaml", "probe.yaml",
	"keys.yaml", "genesis.yaml", "seed.yaml", "miner.yaml", "validator.yaml",
	"remote-headless.yaml", NULL
};
static const char *const services_templates[] = {
	"namespace.yaml", "service.yaml", NULL
};
static const char *const bootstrap_templates[] = {
	"ingress.yaml", "project.yaml",
	"external-secrets.yaml", "cluster-autoscaler.yaml",
	"external-dns.yaml", "metrics-server.yaml",
	"aws-load-balancer-controller.yaml", "repo-creds.yaml", NULL
};
static const char *const apps_templates[] = { "applications.yaml", NULL };

static int
fail(struct diag *d, const char *input, const char *path, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static int
fail(struct diag *d, const char *input, const char *path, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vfail(d, EXIT_INPUT, input, 0, 0, path, fmt, ap);
	va_end(ap);
	return -1;
}

/* An error at a node of the spec, with its line and column. */
static int
fail_at(struct diag *d, const struct render *r, const struct node *n,
    const char *path, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int
fail_at(struct diag *d, const struct render *r, const struct node *n,
    const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vfail(d, EXIT_INPUT, r->spec.input, n ? n->line : 0,
	    n ? n->col : 0, path, fmt, ap);
	va_end(ap);
	return -1;
}

/* Puts the error fail() made at node n of document doc of its input. */
static int
at_node(struct diag *d, int doc, const struct node *n)
{
	d->doc = doc;
	d->line = n ? n->line : 0;
	d->col = n ? n->col : 0;
	return -1;
}

/* The command lines a rendered object runs: each container whose first
 * argument is a program of the release and whose second is `run' must
 * pass only options of the release's table.  This guards the templates
 * (-t included); the spec's own extraArgs were checked before. */
static int
check_rendered(struct render *r, const struct doc *doc, struct diag *d)
{
	static const char *const lists[] = { "initContainers", "containers" };
	const struct node *ps = node_at(doc->root, "spec.template.spec");
	const struct node *cs, *args;
	const char *kind = node_at_s(doc->root, "kind");
	const char *name = node_at_s(doc->root, "metadata.name");
	char path[256], msg[DIAG_MSG];
	size_t i, k, bad;
	int prog;

	if (r->rel.root == NULL || ps == NULL)
		return 0;
	for (k = 0; k < 2; k++) {
		cs = node_get(ps, lists[k]);
		for (i = 0; cs && cs->type == NODE_SEQ && i < cs->len; i++) {
			args = node_get(cs->u.items[i], "args");
			if (args == NULL || args->type != NODE_SEQ ||
			    args->len < 2)
				continue;
			prog = release_prog_of(&r->rel,
			    node_s(args->u.items[0]));
			if (prog < 0 || node_s(args->u.items[1]) == NULL ||
			    strcmp(node_s(args->u.items[1]), "run") != 0)
				continue;
			if (release_check_args(&r->rel, prog, args, &bad,
			    d) == 0)
				continue;
			snprintf(msg, sizeof msg, "%s", d->msg);
			snprintf(path, sizeof path,
			    "spec.template.spec.%s[%zu].args[%zu]", lists[k],
			    i, bad);
			diag_fail(d, EXIT_INPUT, r->names[r->nnames - 1],
			    0, 0, path, "%s %s: %s", kind ? kind : "object",
			    name ? name : "-", msg);
			d->doc = doc->index;
			return -1;
		}
	}
	return 0;
}

/*
 * The node ports a rendered Service claims: one per port of a NodePort
 * Service, and of a LoadBalancer Service unless it allocates none.
 */
static void
count_nodeports(struct render *r, const struct node *obj)
{
	const char *type = node_at_s(obj, "spec.type");
	const struct node *ports = node_at(obj, "spec.ports");
	const struct node *alloc = node_at(obj,
	    "spec.allocateLoadBalancerNodePorts");

	const char *kind = node_at_s(obj, "kind");
	const char *av = node_at_s(obj, "apiVersion");
	int lb = type != NULL && strcmp(type, "LoadBalancer") == 0;

	if (kind == NULL || strcmp(kind, "Service") != 0 || av == NULL ||
	    strcmp(av, "v1") != 0 || ports == NULL ||
	    ports->type != NODE_SEQ || ports->len == 0)
		return;
	if (lb && alloc != NULL && alloc->type == NODE_BOOL && !alloc->b)
		return;
	if (!lb && (type == NULL || strcmp(type, "NodePort") != 0))
		return;
	r->nodeports += (long)ports->len;
	r->np_services++;
}

static int
output_limit(const struct render *r, struct diag *d)
{
	if (r->text.len <= OUTPUT_LIMIT)
		return 0;
	return diag_set(d, EXIT_INPUT, "the output would be larger than %zu "
	    "MiB", OUTPUT_LIMIT >> 20);
}

static int
keep_out(struct doc *doc, void *arg, struct diag *d)
{
	struct render *r = arg;

	if (doc->root->type != NODE_MAP) {
		doc_free(doc);
		return diag_set(d, EXIT_INPUT, "a template document must be "
		    "a mapping");
	}
	if (check_rendered(r, doc, d) < 0) {
		doc_free(doc);
		return -1;
	}
	if (r->npatches == 0) {
		/* Nothing will change it: emit now and free, which keeps a
		 * 1,000-node render in a few megabytes. */
		count_nodeports(r, doc->root);
		emit_doc(&r->text, r->fmt, doc->root, &r->ndocs);
		doc_free(doc);
		return output_limit(r, d);
	}
	if (r->nout == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->out = xrealloc(r->out, r->cap * sizeof *r->out);
	}
	r->out[r->nout++] = doc;
	return 0;
}

/* Reads every document of file (all of them, Lists flattened). */
static int
read_docs(const char *file, struct doc ***docs, size_t *n, struct diag *d)
{
	char *argv[1];
	struct cli_inputs in;
	struct stream *s;
	struct doc *doc;
	int r = 0;
	size_t cap = 0;

	argv[0] = (char *)file;
	cli_inputs_init(&in, 1, argv);
	diag_clear(d);
	*docs = NULL;
	*n = 0;
	if ((s = cli_inputs_next(&in, d)) == NULL) {
		cli_inputs_close(&in);
		return -1;
	}
	while ((r = stream_next(s, &doc, d)) == 1) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*docs = xrealloc(*docs, cap * sizeof **docs);
		}
		(*docs)[(*n)++] = doc;
	}
	if (r < 0) {
		while (*n)
			doc_free((*docs)[--*n]);
		free(*docs);
		*docs = NULL;
	}
	cli_inputs_close(&in);
	return r < 0 ? -1 : 0;
}

static void
free_docs(struct doc **docs, size_t n)
{
	while (n)
		doc_free(docs[--n]);
	free(docs);
}

/* The one document of kind in file, copied into the context arena. */
static int
read_one(struct render *r, const char *file, const char *kind,
    struct node **res, int *docno, struct diag *d)
{
	struct doc **docs;
	size_t n, i;
	const char *k;

	if (read_docs(file, &docs, &n, d) < 0)
		return -1;
	*res = NULL;
	for (i = 0; i < n; i++) {
		k = node_at_s(docs[i]->root, "kind");
		if (k && strcmp(k, kind) == 0 &&
		    strcmp(node_at_s(docs[i]->root, "apiVersion") ?
		    node_at_s(docs[i]->root, "apiVersion") : "",
		    SPEC_API_VERSION) == 0) {
			*res = node_copy(&r->ctxdoc->arena, docs[i]->root);
			*docno = (int)i + 1;
			break;
		}
	}
	free_docs(docs, n);
	if (*res == NULL)
		return fail(d, file, "", "no %s document (apiVersion %s)",
		    kind, SPEC_API_VERSION);
	return 0;
}

static void
set(struct render *r, struct node *m, const char *k, struct node *v)
{
	node_map_set(&r->ctxdoc->arena, m, k, v);
}

static struct node *
str(struct render *r, const char *s)
{
	return node_strz(&r->ctxdoc->arena, s);
}

/*
 * The keys and addresses of 100,000 nodes are looked up once per node: a
 * sorted map, searched in log time, keeps that linear in the nodes.  Of
 * equal keys the last one given wins, as node_map_set() would have it.
 */
struct ranked {
	struct pair p;
	size_t i;
};

static int
ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	int c = strcmp(x->p.key->u.s, y->p.key->u.s);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

static void
index_map(struct node *m)
{
	struct ranked *v = xmalloc((m->len + 1) * sizeof *v);
	size_t i;

	for (i = 0; i < m->len; i++) {
		v[i].p = m->u.pairs[i];
		v[i].i = i;
	}
	qsort(v, m->len, sizeof *v, ranked_cmp);
	for (i = 0; i < m->len; i++)
		m->u.pairs[i] = v[i].p;
	free(v);
}

static const struct node *
index_get(const struct node *m, const char *key)
{
	size_t lo = 0, hi = m->len, mid;

	/* The first pair past key; the one before it is the last equal. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(m->u.pairs[mid].key->u.s, key) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && strcmp(m->u.pairs[lo - 1].key->u.s, key) == 0 ?
	    m->u.pairs[lo - 1].val : NULL;
}

/* name -> publicKey from a NodePublicKeys document. */
static int
load_keys(struct render *r, struct node **map, struct diag *d)
{
	struct node *doc, *list, *k;
	const struct node *owner;
	const char *name, *pk;
	size_t i;
	int docno;

	*map = node_map(&r->ctxdoc->arena);
	if (r->keys == NULL)
		return 0;
	if (read_one(r, r->keys, "NodePublicKeys", &doc, &docno, d) < 0)
		return -1;
	/* Another network's keys would render peers and validators that no
	 * node of this one holds the private keys of.  9c-secrets public
	 * writes the network's name and nothing else of its identity. */
	owner = node_at(doc, "metadata.name");
	if (node_s(owner) == NULL) {
		fail(d, r->keys, "metadata.name", "missing: keys name their "
		    "network, as 9c-secrets public -s spec writes them");
		return at_node(d, docno, node_get(doc, "metadata") ?
		    node_get(doc, "metadata") : doc);
	}
	if (strcmp(owner->u.s, spec_name(&r->spec)) != 0) {
		fail(d, r->keys, "metadata.name", "keys of network %s, not %s",
		    owner->u.s, spec_name(&r->spec));
		return at_node(d, docno, owner);
	}
	r->signed_apv = node_at_s(doc, "appProtocolVersion");
	r->signed_signer = node_at_s(doc, "trustedAppProtocolVersionSigner");
	if ((r->signed_apv == NULL) != (r->signed_signer == NULL))
		return fail(d, r->keys, r->signed_apv ?
		    "trustedAppProtocolVersionSigner" : "appProtocolVersion",
		    "missing: a signed version comes with its signer");
	if (r->signed_signer && (strlen(r->signed_signer) != 66 ||
	    strspn(r->signed_signer, "0123456789abcdef") != 66))
		return fail(d, r->keys, "trustedAppProtocolVersionSigner",
		    "expected 66 lowercase hex digits (a compressed key)");
	list = node_get(doc, "keys");
	if (list == NULL || list->type != NODE_SEQ)
		return fail(d, r->keys, "keys", "expected a list");
	for (i = 0; i < list->len; i++) {
		char path[64];

		k = list->u.items[i];
		name = node_at_s(k, "name");
		pk = node_at_s(k, "publicKey");
		snprintf(path, sizeof path, "keys[%zu]", i);
		if (name == NULL || pk == NULL)
			return fail(d, r->keys, path, "needs name and "
			    "publicKey");
		if (strlen(pk) != 66 || strspn(pk, "0123456789abcdef") != 66)
			return fail(d, r->keys, path, "publicKey: expected 66 "
			    "lowercase hex digits (a compressed key)");
		node_map_append(&r->ctxdoc->arena, *map, str(r, name),
		    str(r, pk));
	}
	index_map(*map);
	return 0;
}

/* "namespace/name" -> host, from any stream of Services. */
static int
load_addresses(struct render *r, struct node **map, struct diag *d)
{
	struct doc **docs;
	size_t n, i;
	int f;
	char key[512];

	*map = node_map(&r->ctxdoc->arena);
	for (f = 0; f < r->naddrs; f++) {
		if (read_docs(r->addrs[f], &docs, &n, d) < 0)
			return -1;
		for (i = 0; i < n; i++) {
			const struct node *root = docs[i]->root, *ing, *h;
			const char *k = node_at_s(root, "kind");

			if (k == NULL || strcmp(k, "Service") != 0)
				continue;
			ing = node_at(root, "status.loadBalancer.ingress");
			if (ing == NULL || ing->type != NODE_SEQ ||
			    ing->len == 0)
				continue;
			h = node_get(ing->u.items[0], "hostname");
			if (node_s(h) == NULL || *node_s(h) == '\0')
				h = node_get(ing->u.items[0], "ip");
			if (node_s(h) == NULL || *node_s(h) == '\0')
				continue;
			/* It goes into peer strings "<key>,<host>,<port>". */
			if (!shape_host(h->u.s, h->len)) {
				char host[600];

				snprintf(host, sizeof host, "%s", h->u.s);
				free_docs(docs, n);
				fail(d, r->addrs[f], "status.loadBalancer."
				    "ingress[0]", "'%s' is not a DNS name or an "
				    "IP address", host);
				d->doc = (int)i + 1;
				return -1;
			}
			snprintf(key, sizeof key, "%s/%s",
			    node_at_s(root, "metadata.namespace") ?
			    node_at_s(root, "metadata.namespace") : "default",
			    node_at_s(root, "metadata.name") ?
			    node_at_s(root, "metadata.name") : "");
			node_map_append(&r->ctxdoc->arena, *map, str(r, key),
			    node_copy(&r->ctxdoc->arena, h));
		}
		free_docs(docs, n);
	}
	index_map(*map);
	return 0;
}

struct missing {
	struct buf names;
	int count;
};

static void
note_missing(struct missing *m, const char *name)
{
	if (m->count < 3)
		buf_printf(&m->names, "%s%s", m->count ? ", " : "", name);
	m->count++;
}

/* One node of the context: name, index, host or ICE servers, key. */
static struct node *
make_node(struct render *r, enum spec_role role, long i,
    const struct node *addrs, const struct node *pubkeys,
    struct missing *miss)
{
	struct arena *a = &r->ctxdoc->arena;
	const struct node *net = node_get(r->spec.root, "network");
	const struct node *sec = spec_role(&r->spec, role);
	const struct node *hosts = node_get(sec, "hosts");
	const char *domain = node_at_s(net, "domain"), *host = NULL;
	struct node *nd = node_map(a), *ann;
	char name[128], key[128], buf[512];

	spec_node_name(role, i, name, sizeof name);
	set(r, nd, "name", str(r, name));
	set(r, nd, "index", node_int(a, i));
	set(r, nd, "role", str(r, spec_role_key(role)));
	if (spec_key_name(role, i, key, sizeof key) == 0) {
		set(r, nd, "secretKey", str(r, key));
		if (index_get(pubkeys, key))
			set(r, nd, "publicKey", node_copy(a,
			    index_get(pubkeys, key)));
	}
	if (node_get(sec, "useTurn")->b) {
		set(r, nd, "iceServers", node_copy(a,
		    node_get(net, "iceServers")));
	} else if (hosts && (size_t)i <= hosts->len) {
		host = node_s(hosts->u.items[i - 1]);
	} else if (domain) {
		snprintf(buf, sizeof buf, "%s-%s.%s", spec_name(&r->spec),
		    name, domain);
		host = buf;
	} else {
		snprintf(buf, sizeof buf, "%s/%s", spec_namespace(&r->spec),
		    name);
		host = node_s(index_get(addrs, buf));
		/* A node whose load balancer does not exist yet: a preview
		 * (9c-network -D of a scale-up) shows where its address
		 * goes. */
		if (host == NULL && r->preview) {
			snprintf(buf, sizeof buf, "<address of %s>", name);
			host = buf;
		} else if (host == NULL)
			note_missing(miss, name);
	}
	if (host)
		set(r, nd, "host", str(r, host));
	ann = node_copy(a, node_at(net, "service.annotations"));
	if (ann == NULL)
		ann = node_map(a);
	if (domain && host) {
		long long ttl = 60;
		char tbuf[32];

		node_int_value(node_at(net, "service.dnsTtl"), &ttl);
		snprintf(tbuf, sizeof tbuf, "%lld", ttl);
		set(r, ann, "external-dns.alpha.kubernetes.io/hostname",
		    str(r, host));
		set(r, ann, "external-dns.alpha.kubernetes.io/ttl",
		    str(r, tbuf));
	}
	if (ann->len)
		set(r, nd, "annotations", ann);
	return nd;
}

/* --peer and --consensus-seed strings: <public key>,<host>,<port>. */
static int
make_peers(struct render *r, struct node *nodes, struct diag *d)
{
	struct arena *a = &r->ctxdoc->arena;
	const struct node *seeds = node_get(nodes, "seed");
	const struct node *seed = spec_role(&r->spec, ROLE_SEED);
	const char *how = node_at_s(r->spec.root, "network.peerHost");
	struct node *peers = node_seq(a), *cons = node_seq(a);
	long long port = 0, gossip = 0;
	char buf[512], ph[160];
	size_t i;

	node_int_value(node_at(seed, "ports.node"), &port);
	node_int_value(node_at(seed, "ports.gossip"), &gossip);
	for (i = 0; seeds && i < seeds->len; i++) {
		const struct node *s = seeds->u.items[i];
		const char *pk = node_at_s(s, "publicKey");
		const char *host = node_at_s(s, "name");

		if (pk == NULL && !r->preview)
			return fail(d, r->spec.input, "network.seed", "peers need the public key "
			    "of %s: give -k keys (or -P to preview)",
			    node_at_s(s, "secretKey"));
		if (pk == NULL) {
			snprintf(ph, sizeof ph, "<%s>",
			    node_at_s(s, "secretKey"));
			pk = ph;
		}
		if (how && strcmp(how, "public") == 0) {
			host = node_at_s(s, "host");
			if (host == NULL)
				return fail(d, r->spec.input,
				    "network.peerHost", "public needs the "
				    "host of %s", node_at_s(s, "name"));
		}
		snprintf(buf, sizeof buf, "%s,%s,%lld", pk, host, port);
		node_seq_push(a, peers, str(r, buf));
		snprintf(buf, sizeof buf, "%s,%s,%lld", pk, host, gossip);
		node_seq_push(a, cons, str(r, buf));
	}
	set(r, r->ctx, "peers", peers);
	set(r, r->ctx, "consensusSeeds", cons);
	return 0;
}

static int apv_check(const char *input, const struct node *at,
    const char *path, const char *tok, const char *signer, struct apv *a,
    struct diag *d);

/* What the release decides and the spec alone shows, checked in every
 * mode so the first tool of a pipeline stops a spec no node would run:
 * the release exists, it makes blocks the way the spec's producer does,
 * image tags are full commits, extraArgs are options the release's
 * programs accept, and a token verifies against its trusted signer. */
static int
preflight(struct render *r, struct diag *d)
{
	const struct node *net = node_get(r->spec.root, "network");
	const struct node *img, *args;
	/* The share directory is the one with the templates; its releases
	 * live beside them. */
	const char *share = cli_share_dir("templates", d);
	char *dir, path[128], msg[DIAG_MSG];
	enum spec_role role;
	size_t bad;
	int p, rc;

	if (share == NULL)
		return -1;
	dir = xasprintf("%s/releases", share);
	rc = release_load(dir, spec_release(&r->spec), r->spec.input,
	    node_get(net, "release"), "network.release", &r->rel, d);
	free(dir);
	if (rc < 0)
		return -1;
	if (spec_role(&r->spec, ROLE_VALIDATOR) &&
	    strcmp(release_consensus(&r->rel), "pbft") != 0)
		return fail_at(d, r, node_get(net, "validator"),
		    "network.validator", "release %s makes blocks by proof "
		    "of work: validators need a PBFT release",
		    release_name(&r->rel));
	for (p = 0; p < REL_NPROGS; p++) {
		snprintf(path, sizeof path, "network.images.%s",
		    release_prog_name(p));
		img = node_at(r->spec.root, path);
		if (img && release_check_tag(&r->rel, p, node_s(img), d) < 0) {
			snprintf(msg, sizeof msg, "%s", d->msg);
			return fail_at(d, r, img, path, "%s", msg);
		}
	}
	for (role = 0; role < ROLE_N; role++) {
		args = node_get(spec_role(&r->spec, role), "extraArgs");
		if (args == NULL || release_check_args(&r->rel, role ==
		    ROLE_SEED ? REL_SEED : REL_HEADLESS, args, &bad, d) == 0)
			continue;
		snprintf(path, sizeof path, "network.%s.extraArgs[%zu]",
		    spec_role_key(role), bad);
		snprintf(msg, sizeof msg, "%s", d->msg);
		return fail_at(d, r, args->u.items[bad], path, "%s", msg);
	}
	if (spec_apv_token(&r->spec)) {
		struct apv a;

		memset(&a, 0, sizeof a);
		rc = apv_check(r->spec.input, node_get(net,
		    "appProtocolVersion"), "network.appProtocolVersion",
		    spec_apv_token(&r->spec), node_at_s(net,
		    "trustedAppProtocolVersionSigner"), &a, d);
		apv_free(&a);
	}
	return rc;
}

/* The release into the context, and the images it pairs where the spec
 * names none. */
static void
release_context(struct render *r)
{
	struct arena *a = &r->ctxdoc->arena;
	struct node *net = node_get(r->ctx, "network"), *img;
	int p;

	set(r, r->ctx, "release", node_copy(a, r->rel.root));
	img = node_get(net, "images");
	for (p = 0; p < REL_NPROGS; p++)
		if (node_get(img, release_prog_name(p)) == NULL)
			set(r, img, release_prog_name(p),
			    str(r, release_image(&r->rel, p)));
}

/* Parses tok and verifies it against the signer's key; a failure is
 * reported at path of input (the spec's field, or the -k document's). */
static int
apv_check(const char *input, const struct node *at, const char *path,
    const char *tok, const char *signer, struct apv *a, struct diag *d)
{
	unsigned char pub[KEY_PUB_LEN];
	char msg[DIAG_MSG];

	diag_clear(d);
	if (key_unhex(signer, 2 * KEY_PUB_LEN, pub) < 0)
		diag_set(d, EXIT_INPUT, "the trusted signer is not hex");
	else if (apv_parse(tok, strlen(tok), a, d) == 0 &&
	    apv_verify(a, pub, d) == 0)
		return 0;
	snprintf(msg, sizeof msg, "%s", d->msg);
	return diag_fail(d, EXIT_INPUT, input, at ? at->line : 0,
	    at ? at->col : 0, path, "%s", msg);
}

/* The -k token is the one the spec asked for: its version, its extra. */
static int
apv_matches(struct render *r, const struct apv *a, long long version,
    struct diag *d)
{
	const struct node *at = node_at(r->spec.root,
	    "network.appProtocolVersion");
	const struct node *extra = node_get(at, "extra");
	struct buf want = BUF_INIT;
	struct bx *bx;
	int same;

	if (a->version != version)
		return fail_at(d, r, at, "network.appProtocolVersion",
		    "%s signed version %ld, the spec asks for %lld", r->keys,
		    (long)a->version, version);
	if (extra && ((bx = bx_from_node(&r->ctxdoc->arena, extra, d)) ==
	    NULL || bx_encode(bx, &want, d) < 0)) {
		char msg[DIAG_MSG];

		snprintf(msg, sizeof msg, "%s", d->msg);
		buf_release(&want);
		return fail_at(d, r, extra, "network.appProtocolVersion.extra",
		    "%s", msg);
	}
	same = (a->extra == NULL) == (extra == NULL) && (extra == NULL ||
	    (a->extralen == want.len && memcmp(a->extra, want.p,
	    want.len) == 0));
	buf_release(&want);
	if (!same)
		return fail_at(d, r, extra ? extra : at,
		    "network.appProtocolVersion", "%s signed another extra "
		    "than the spec's", r->keys);
	return 0;
}

/* The token the nodes present and the key they trust, for a version to
 * sign: the token 9c-secrets signed with the network's signer key (-k),
 * verified against that key and matched with the spec.  (A token of the
 * spec was verified by the preflight.) */
static int
apv_context(struct render *r, struct diag *d)
{
	struct node *net = node_get(r->ctx, "network");
	const struct node *at = node_at(r->spec.root,
	    "network.appProtocolVersion");
	struct apv a;
	long long version = 0;
	int rc;

	memset(&a, 0, sizeof a);
	if (spec_apv_token(&r->spec))
		return 0;
	spec_apv_version(&r->spec, &version);
	if (r->signed_apv == NULL && !r->preview)
		return fail_at(d, r, at, "network.appProtocolVersion",
		    "version %lld is signed with the network's signer key: "
		    "give -k keys from 9c-secrets public (or -P to preview)",
		    version);
	if (r->signed_apv) {
		rc = apv_check(r->keys, NULL, "appProtocolVersion",
		    r->signed_apv, r->signed_signer, &a, d);
		if (rc == 0)
			rc = apv_matches(r, &a, version, d);
		apv_free(&a);
		if (rc < 0)
			return -1;
	}
	set(r, net, "appProtocolVersion", str(r, r->signed_apv ?
	    r->signed_apv : "<appProtocolVersion>"));
	set(r, net, "trustedAppProtocolVersionSigner", str(r,
	    r->signed_signer ? r->signed_signer :
	    "<trustedAppProtocolVersionSigner>"));
	return 0;
}

#define GENESIS_URL "http://genesis.%s.svc.cluster.local/genesis-block"
/* Where the genesis pod unpacks the release's Lib9c sources, whose
 * TableCSV sheets the genesis command reads. */
#define GENESIS_SOURCES "/data/src"

/* The validators' public keys (from -k) as a key set for genesis_verify. */
static int
validator_keys(struct render *r, const struct node *vals, struct keyset *ks,
    struct diag *d)
{
	unsigned char pub[KEY_PUB_LEN];
	struct key k;
	const char *pk;
	size_t i;

	for (i = 0; vals && i < vals->len; i++) {
		pk = node_at_s(vals->u.items[i], "publicKey");
		if (pk == NULL)
			return fail(d, r->spec.input, "network.validator", "the "
			    "genesis is checked against the validators: give -k "
			    "keys with the public key of %s",
			    node_at_s(vals->u.items[i], "secretKey"));
		if (key_unhex(pk, 2 * KEY_PUB_LEN, pub) < 0 ||
		    key_from_pub(&k, pub, KEY_PUB_LEN, d) < 0)
			return fail(d, r->keys, "keys", "%s: not a public key",
			    node_at_s(vals->u.items[i], "secretKey"));
		k.role = KEY_VALIDATOR;
		k.index = (long)i + 1;
		keyset_add(ks, &k);
	}
	return 0;
}

/* -g: the genesis the nodes will load, at hand.  Verified as they would
 * (hashes, signatures, index 0) before anything renders, its protocol one
 * the release's libplanet reads, and for validators its validator set
 * exactly their keys. */
static int
genesis_check(struct render *r, const struct node *nodes, struct diag *d)
{
	const struct node *vals = node_get(nodes, "validator");
	struct genesis_info gi;
	struct keyset ks;
	char *text, msg[DIAG_MSG];
	long long max = 0;
	size_t len;
	int rc;

	if (r->genesis == NULL)
		return 0;
	if (node_at(r->spec.root, "network.genesisBlock") == NULL)
		return fail(d, r->spec.input, "network.genesisBlock", "missing: "
		    "-g checks the genesis the nodes read; without it the "
		    "network makes its own");
	if (cli_read_file(r->genesis, GENESIS_MAX_BYTES, &text, &len, d) < 0)
		return -1;
	keyset_init(&ks);
	memset(&gi, 0, sizeof gi);
	rc = validator_keys(r, vals, &ks, d);
	if (rc == 0 && genesis_verify((const unsigned char *)text, len,
	    vals ? &ks : NULL, &gi, d) < 0) {
		snprintf(msg, sizeof msg, "%s", d->msg);
		rc = fail(d, r->genesis, "", "%s", msg);
	}
	node_int_value(node_at(r->rel.root, "genesis.protocol"), &max);
	if (rc == 0 && gi.protocol > max)
		rc = fail(d, r->genesis, "", "block protocol %lld: release %s "
		    "reads blocks up to protocol %lld", gi.protocol,
		    release_name(&r->rel), max);
	genesis_info_free(&gi);
	keyset_wipe(&ks);
	free(text);
	return rc;
}

/* A network without genesisBlock makes its own: the config of the
 * headless's `genesis' command, with the validators' public keys when
 * the release's genesis carries a validator set. */
static int
genesis_context(struct render *r, const struct node *nodes, struct diag *d)
{
	struct arena *a = &r->ctxdoc->arena;
	struct node *net = node_get(r->ctx, "network");
	struct node *g, *cfg, *data, *vs, *v;
	const struct node *vals = node_get(nodes, "validator");
	struct buf text = BUF_INIT;
	char url[512], ph[160];
	const char *pk;
	size_t i;

	if (node_get(net, "genesisBlock"))
		return 0;
	snprintf(url, sizeof url, GENESIS_URL, spec_namespace(&r->spec));
	set(r, net, "genesisBlock", str(r, url));
	cfg = node_map(a);
	data = node_map(a);
	set(r, data, "tablePath", str(r, GENESIS_SOURCES "/Lib9c/TableCSV"));
	set(r, cfg, "data", data);
	if (node_at(r->rel.root, "genesis.validators")->b && vals) {
		vs = node_seq(a);
		for (i = 0; i < vals->len; i++) {
			pk = node_at_s(vals->u.items[i], "publicKey");
			if (pk == NULL && !r->preview)
				return fail(d, r->spec.input,
				    "network.validator", "the genesis lists "
				    "the validators: give -k keys with the "
				    "public key of %s (or -P to preview)",
				    node_at_s(vals->u.items[i], "secretKey"));
			if (pk == NULL) {
				snprintf(ph, sizeof ph, "<%s>", node_at_s(
				    vals->u.items[i], "secretKey"));
				pk = ph;
			}
			v = node_map(a);
			set(r, v, "publicKey", str(r, pk));
			set(r, v, "power", node_int(a, 1));
			node_seq_push(a, vs, v);
		}
		set(r, cfg, "initialValidatorSet", vs);
	}
	emit_json(&text, cfg);
	g = node_map(a);
	set(r, g, "config", str(r, text.p));
	set(r, g, "tables", node_copy(a, node_at(r->rel.root,
	    "genesis.tables")));
	set(r, g, "url", str(r, url));
	set(r, g, "sources", str(r, GENESIS_SOURCES));
	set(r, g, "storageClass", node_copy(a, node_at(spec_role(&r->spec,
	    spec_producer(&r->spec)), "storage.class")));
	set(r, r->ctx, "genesis", g);
	buf_release(&text);
	return 0;
}

/* One ExternalSecret entry: a node's key, by name, out of the AWS secret.
 * Named one by one, not extracted whole: the secret also holds the APV
 * signer key, which no node needs and none may read. */
static struct node *
remote_key(struct render *r, const char *awskey, const char *name)
{
	struct arena *a = &r->ctxdoc->arena;
	struct node *e = node_map(a), *ref = node_map(a);

	set(r, ref, "key", str(r, awskey));
	set(r, ref, "property", str(r, name));
	set(r, e, "secretKey", str(r, name));
	set(r, e, "remoteRef", ref);
	return e;
}

static int
network_context(struct render *r, struct diag *d)
{
	struct arena *a = &r->ctxdoc->arena;
	struct node *pubkeys, *addrs, *nodes, *list, *nd, *secret, *remote;
	const char *awskey = node_at_s(r->ctx, "keys.aws.key");
	struct missing miss;
	enum spec_role role;
	long i, n;
	long long port = 80;
	int needs_peers;

	if (load_keys(r, &pubkeys, d) < 0 || load_addresses(r, &addrs, d) < 0)
		return -1;
	memset(&miss, 0, sizeof miss);
	nodes = node_map(a);
	secret = node_map(a);
	remote = node_seq(a);
	for (role = 0; role < ROLE_N; role++) {
		if (spec_role(&r->spec, role) == NULL)
			continue;
		list = node_seq(a);
		n = spec_count(&r->spec, role);
		for (i = 1; i <= n; i++) {
			nd = make_node(r, role, i, addrs, pubkeys, &miss);
			node_seq_push(a, list, nd);
			/* Key names are unique by construction: no search. */
			if (node_get(nd, "secretKey")) {
				node_map_append(a, secret, node_copy(a,
				    node_get(nd, "secretKey")), str(r, ""));
				node_seq_push(a, remote, remote_key(r, awskey,
				    node_at_s(nd, "secretKey")));
			}
		}
		set(r, nodes, spec_role_key(role), list);
	}
	set(r, r->ctx, "nodes", nodes);
	set(r, r->ctx, "secretData", secret);
	set(r, r->ctx, "externalData", remote);
	set(r, r->ctx, "producer", node_copy(a, node_get(nodes,
	    spec_role_key(spec_producer(&r->spec)))));
	node_int_value(node_at(spec_role(&r->spec, spec_producer(&r->spec)),
	    "ports.graphql"), &port);
	set(r, r->ctx, "producerGraphqlPort", node_int(a, port));
	set(r, r->ctx, "keysFromAws", node_bool(a,
	    strcmp(spec_keys_source(&r->spec), "aws") == 0));
	release_context(r);
	if (!r->services_only && (apv_context(r, d) < 0 ||
	    genesis_check(r, nodes, d) < 0 ||
	    genesis_context(r, nodes, d) < 0))
		return -1;
	if (miss.count && !r->services_only) {
		char more[64] = "";

		if (miss.count > 3)
			snprintf(more, sizeof more, " and %d more",
			    miss.count - 3);
		fail(d, r->spec.input, "network", "no host for %s%s: give "
		    "hosts, network.domain, useTurn, or addresses with -a "
		    "(-S renders the Services alone)", miss.names.p, more);
		buf_release(&miss.names);
		return -1;
	}
	buf_release(&miss.names);
	needs_peers = 0;
	for (role = ROLE_MINER; role < ROLE_N; role++)
		if (spec_count(&r->spec, role) > 0)
			needs_peers = 1;
	if (r->services_only || !needs_peers) {
		set(r, r->ctx, "peers", node_seq(a));
		set(r, r->ctx, "consensusSeeds", node_seq(a));
		return 0;
	}
	return make_peers(r, nodes, d);
}

static void
role_arn(struct render *r, struct node *roles, const char *key,
    const char *suffix, const char *account, const char *cluster)
{
	char buf[512];

	if (node_get(roles, key) || account == NULL)
		return;
	snprintf(buf, sizeof buf, "arn:aws:iam::%s:role/eks-%s-%s", account,
	    cluster, suffix);
	set(r, roles, key, str(r, buf));
}

/* The facts must be this cluster's (9c-tfvars -f writes its name twice,
 * its region and account), and what goes into ARNs and host names must
 * have its shape. */
static int
check_facts(struct render *r, const struct node *facts, int docno,
    struct diag *d)
{
	static const char *const same[][2] = {
		{ "metadata.name", "name" }, { "cluster.name", "name" },
		{ "cluster.region", "aws.region" },
		{ "cluster.accountId", "aws.accountId" },
	};
	const struct node *cl = node_get(facts, "cluster");
	const struct node *roles = node_get(cl, "roles"), *n;
	const char *want;
	char path[300];
	size_t i;

	for (i = 0; i < sizeof same / sizeof same[0]; i++) {
		n = node_at(facts, same[i][0]);
		want = node_at_s(r->spec.root, same[i][1]);
		if (node_s(n) && want && strcmp(n->u.s, want) != 0) {
			fail(d, r->facts, same[i][0], "'%s' is not the spec's "
			    "%s '%s'", n->u.s, same[i][1], want);
			goto bad;
		}
	}
	if (node_s(n = node_get(cl, "region")) &&
	    !shape_region(n->u.s, n->len)) {
		fail(d, r->facts, "cluster.region", "'%s' is not an AWS region "
		    "like us-east-2", n->u.s);
		goto bad;
	}
	if (node_s(n = node_get(cl, "accountId")) &&
	    !shape_account(n->u.s, n->len)) {
		fail(d, r->facts, "cluster.accountId", "'%s' is not a 12-digit "
		    "AWS account ID", n->u.s);
		goto bad;
	}
	for (i = 0; roles && roles->type == NODE_MAP && i < roles->len; i++) {
		n = roles->u.pairs[i].val;
		snprintf(path, sizeof path, "cluster.roles.%s",
		    roles->u.pairs[i].key->u.s);
		if (n->type != NODE_STR || !shape_arn(n->u.s, n->len)) {
			fail(d, r->facts, path, "not an ARN");
			goto bad;
		}
	}
	return 0;
bad:
	return at_node(d, docno, n);
}

static int
bootstrap_context(struct render *r, struct diag *d)
{
	struct arena *a = &r->ctxdoc->arena;
	struct node *facts = NULL, *cl, *roles;
	const char *cluster, *region, *account;
	int docno;

	if (r->facts && read_one(r, r->facts, "ClusterFacts", &facts, &docno,
	    d) < 0)
		return -1;
	cl = node_get(facts, "cluster");
	if (facts && check_facts(r, facts, docno, d) < 0)
		return -1;
	cluster = node_at_s(cl, "name") ? node_at_s(cl, "name") :
	    spec_name(&r->spec);
	region = node_at_s(cl, "region") ? node_at_s(cl, "region") :
	    node_at_s(r->spec.root, "aws.region");
	account = node_at_s(cl, "accountId") ? node_at_s(cl, "accountId") :
	    node_at_s(r->spec.root, "aws.accountId");
	roles = node_get(cl, "roles") ? node_copy(a, node_get(cl, "roles")) :
	    node_map(a);
	role_arn(r, roles, "externalSecrets", "external-secrets", account,
	    cluster);
	role_arn(r, roles, "clusterAutoscaler", "cluster-autoscaler", account,
	    cluster);
	role_arn(r, roles, "externalDns", "external-dns", account, cluster);
	role_arn(r, roles, "ebsCsiDriver", "ebs-csi-plugin", account, cluster);
	role_arn(r, roles, "loadBalancerController", "alb-controller",
	    account, cluster);
	set(r, r->ctx, "clusterName", str(r, cluster));
	if (region)
		set(r, r->ctx, "region", str(r, region));
	if (account)
		set(r, r->ctx, "accountId", str(r, account));
	set(r, r->ctx, "roles", roles);
	return 0;
}

static int
file_exists(const char *p)
{
	return access(p, R_OK) == 0;
}

/* Renders one template file, from -t dir when it has it. */
static int
render_file(struct render *r, const char *sub, const char *file,
    struct diag *d)
{
	char *path = NULL, *text;
	size_t len;
	int rc;

	if (r->tdir) {
		path = xasprintf("%s/%s/%s", r->tdir, sub, file);
		if (!file_exists(path)) {
			free(path);
			path = NULL;
		}
	}
	if (path == NULL) {
		const char *share = cli_share_dir("templates", d);

		if (share == NULL)
			return -1;
		path = xasprintf("%s/templates/%s/%s", share, sub, file);
	}
	if (cli_read_file(path, INPUT_LIMIT, &text, &len, d) < 0) {
		free(path);
		return -1;
	}
	if (r->nnames == (int)(sizeof r->names / sizeof r->names[0]))
		cli_fatal(EXIT_FAIL, "too many templates");
	r->names[r->nnames++] = path;
	rc = tmpl_render(path, text, len, r->ctx, keep_out, r, d);
	free(text);
	return rc;
}

static int
render_set(struct render *r, const char *sub, const char *const *files,
    struct diag *d)
{
	for (; *files; files++)
		if (render_file(r, sub, *files, d) < 0)
			return -1;
	return 0;
}

static int
cluster_scoped(const char *kind)
{
	static const char *const ks[] = {
		"CustomResourceDefinition", "ClusterRole",
		"ClusterRoleBinding", "Namespace", "StorageClass",
		"PriorityClass", "APIService", "PersistentVolume",
		"ValidatingWebhookConfiguration",
		"MutatingWebhookConfiguration", "IngressClass", NULL
	};
	int i;

	for (i = 0; kind && ks[i]; i++)
		if (strcmp(kind, ks[i]) == 0)
			return 1;
	return 0;
}

/* Argo CD's install manifest, put in its namespace, with the spec's
 * settings merged into argocd-cm and argocd-rbac-cm.  The whole stream is
 * checked before any of it is kept: it must be Argo CD's (its Application
 * CRD is there) and hold the ConfigMaps the spec has settings for. */
static int
add_manifest(struct render *r, struct diag *d)
{
	static const char *const cms[][2] = {
		{ "settings", "argocd-cm" }, { "rbac", "argocd-rbac-cm" },
	};
	struct doc **docs;
	size_t n, i, k;
	const struct node *argo = node_at(r->spec.root, "bootstrap.argocd");
	const char *ns = node_at_s(argo, "namespace");
	int crd = 0, found[2] = { 0, 0 };

	if (read_docs(r->manifest, &docs, &n, d) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		struct node *meta = node_get(docs[i]->root, "metadata");
		const char *kind = node_at_s(docs[i]->root, "kind");
		const char *name = node_at_s(meta, "name");

		if (meta == NULL || meta->type != NODE_MAP || kind == NULL) {
			free_docs(docs, n);
			return fail(d, r->manifest, "", "document %zu: not a "
			    "Kubernetes object", i + 1);
		}
		if (name && strcmp(kind, "CustomResourceDefinition") == 0 &&
		    strcmp(name, "applications.argoproj.io") == 0)
			crd = 1;
		for (k = 0; k < 2; k++)
			if (name && strcmp(kind, "ConfigMap") == 0 &&
			    strcmp(name, cms[k][1]) == 0)
				found[k] = 1;
	}
	if (!crd) {
		free_docs(docs, n);
		return fail(d, r->manifest, "", "not an Argo CD install: no "
		    "CustomResourceDefinition applications.argoproj.io");
	}
	for (k = 0; k < 2; k++)
		if (node_get(argo, cms[k][0])->len && !found[k]) {
			free_docs(docs, n);
			return fail(d, r->manifest, "", "no ConfigMap %s for "
			    "bootstrap.argocd.%s", cms[k][1], cms[k][0]);
		}
	for (i = 0; i < n; i++) {
		struct doc *doc = docs[i];
		struct arena *a = &doc->arena;
		struct node *meta = node_get(doc->root, "metadata");
		const char *kind = node_at_s(doc->root, "kind");
		const char *name = node_at_s(meta, "name");

		if (!cluster_scoped(kind) && !node_get(meta, "namespace"))
			node_map_set(a, meta, "namespace", node_strz(a, ns));
		for (k = 0; k < 2; k++)
			if (name && strcmp(kind, "ConfigMap") == 0 &&
			    strcmp(name, cms[k][1]) == 0 &&
			    node_get(argo, cms[k][0])->len)
				node_map_set(a, doc->root, "data", patch_merge(
				    a, node_get(doc->root, "data"),
				    node_get(argo, cms[k][0])));
		if (keep_out(doc, r, d) < 0) {
			while (++i < n)
				doc_free(docs[i]);
			free(docs);
			return -1;
		}
	}
	free(docs);
	return 0;
}

static int
target_match(const struct node *t, const struct node *obj)
{
	static const char *const keys[][2] = {
		{ "kind", "kind" }, { "name", "metadata.name" },
		{ "namespace", "metadata.namespace" },
		{ "apiVersion", "apiVersion" },
	};
	size_t i;
	const char *want, *have;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		want = node_at_s(t, keys[i][0]);
		have = node_at_s(obj, keys[i][1]);
		if (want && (have == NULL || strcmp(want, have) != 0))
			return 0;
	}
	return 1;
}

/* What a patched object lacks of what names it, or NULL. */
static const char *
patched_identity(const struct node *o)
{
	static const char *const need[] = {
		"apiVersion", "kind", "metadata.name"
	};
	const char *v;
	size_t i;

	if (o == NULL || o->type != NODE_MAP)
		return "mapping";
	for (i = 0; i < sizeof need / sizeof need[0]; i++)
		if ((v = node_at_s(o, need[i])) == NULL || *v == '\0')
			return need[i];
	return NULL;
}

static int
identity_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* After patches no two objects may be one: kubectl would apply the later
 * over the earlier. */
static int
unique_identities(struct render *r, struct diag *d)
{
	char **ids = xcalloc(r->nout ? r->nout : 1, sizeof *ids);
	const char *ns, *api, *slash;
	size_t i;
	int rc = 0;

	for (i = 0; i < r->nout; i++) {
		const struct node *o = r->out[i]->root;

		api = node_at_s(o, "apiVersion");
		slash = strchr(api, '/');
		ns = node_at_s(o, "metadata.namespace");
		ids[i] = xasprintf("%.*s %s %s/%s", slash ?
		    (int)(slash - api) : 0, api, node_at_s(o, "kind"),
		    ns && !cluster_scoped(node_at_s(o, "kind")) ? ns : "",
		    node_at_s(o, "metadata.name"));
	}
	qsort(ids, r->nout, sizeof *ids, identity_cmp);
	for (i = 1; i < r->nout && rc == 0; i++)
		if (strcmp(ids[i - 1], ids[i]) == 0)
			rc = diag_fail(d, EXIT_INPUT, "", 0, 0, "", "after the "
			    "patches two objects are %s", strchr(ids[i], ' ') +
			    1);
	for (i = 0; i < r->nout; i++)
		free(ids[i]);
	free(ids);
	return rc;
}

static int
apply_patch(struct render *r, const char *file, const struct doc *p,
    struct diag *d)
{
	const struct node *t = node_get(p->root, "target");
	const struct node *jp = node_get(p->root, "jsonPatch");
	const struct node *mp = node_get(p->root, "mergePatch");
	const char *kind = node_at_s(p->root, "kind"), *what;
	size_t i, hits = 0;

	diag_clear(d);
	diag_at(d, file, p->index, p->line, 0);
	if (kind == NULL || strcmp(kind, "Patch") != 0)
		return diag_set(d, EXIT_INPUT, "kind: expected Patch");
	if (t == NULL || node_at_s(t, "kind") == NULL ||
	    node_at_s(t, "name") == NULL)
		return diag_set(d, EXIT_INPUT, "target: needs kind and name");
	if ((jp == NULL) == (mp == NULL))
		return diag_set(d, EXIT_INPUT, "needs jsonPatch or "
		    "mergePatch, one of them");
	for (i = 0; jp && jp->type == NODE_SEQ && i < jp->len; i++) {
		const char *op = node_at_s(jp->u.items[i], "op");
		const char *path = node_at_s(jp->u.items[i], "path");

		/* A patch changes an object; it does not swap it. */
		if (path && *path == '\0' && op && strcmp(op, "test") != 0) {
			diag_setpath(d, "jsonPatch");
			return diag_set(d, EXIT_INPUT, "operation %zu: %s of the "
			    "whole object: patch its fields instead", i + 1,
			    op);
		}
	}
	for (i = 0; i < r->nout; i++) {
		struct doc *o = r->out[i];

		if (!target_match(t, o->root))
			continue;
		hits++;
		if (jp && patch_json(&o->arena, &o->root, jp, d) < 0) {
			diag_setpath(d, "jsonPatch");
			return -1;
		}
		if (mp)
			o->root = patch_merge(&o->arena, o->root, mp);
		if ((what = patched_identity(o->root)) != NULL)
			return diag_set(d, EXIT_INPUT, "the patched %s %s has "
			    "no %s", node_at_s(t, "kind"), node_at_s(t, "name"),
			    what);
	}
	if (hits == 0)
		return diag_set(d, EXIT_INPUT, "target: no %s named %s in "
		    "the output", node_at_s(t, "kind"), node_at_s(t, "name"));
	return 0;
}

static int
apply_patches(struct render *r, struct diag *d)
{
	struct doc **docs;
	size_t n, i;
	int f, rc = 0;

	for (f = 0; f < r->npatches && rc == 0; f++) {
		if (read_docs(r->patches[f], &docs, &n, d) < 0)
			return -1;
		for (i = 0; i < n && rc == 0; i++)
			rc = apply_patch(r, r->patches[f], docs[i], d);
		free_docs(docs, n);
	}
	if (rc == 0 && r->npatches)
		rc = unique_identities(r, d);
	return rc;
}

/*
 * Whether a LoadBalancer Service needs node ports: not when the AWS load
 * balancer controller sends the NLB's traffic to Pod IPs, nor on the local
 * profile, whose load balancer is a KWOK stage that routes nothing.  The
 * spec's network.service.nodePorts decides when given.
 */
static int
service_nodeports(const struct render *r)
{
	const struct node *ann = node_at(r->spec.root,
	    "network.service.annotations");
	const struct node *np = node_at(r->spec.root,
	    "network.service.nodePorts");
	const char *tt, *provider;

	if (np != NULL && np->type == NODE_BOOL)
		return np->b;
	tt = node_s(node_get(ann,
	    "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"));
	if (tt != NULL && strcmp(tt, "ip") == 0)
		return 0;
	provider = node_at_s(r->spec.root, "cluster.provider");
	if (node_get(r->spec.root, "cluster") == NULL ||
	    (provider != NULL && strcmp(provider, "eks") != 0))
		return 0;
	return 1;
}

/*
 * The server's dry run allocates no node port, so a range too small for
 * the network shows only half-way through an apply: count them here.
 */
static int
nodeport_budget(struct render *r, struct diag *d)
{
	const struct node *rn = node_at(r->spec.root,
	    "network.service.nodePortRange");
	const char *range = rn ? node_s(rn) : "30000-32767";
	long lo, hi;
	int k = 0;

	if (range == NULL || sscanf(range, "%ld-%ld%n", &lo, &hi, &k) != 2 ||
	    range[k] != '\0' || lo < 1 || hi > 65535 || lo > hi)
		return fail_at(d, r, rn, "network.service.nodePortRange",
		    "not a port range such as 30000-32767");
	if (r->nodeports <= hi - lo + 1)
		return 0;
	return fail(d, r->spec.input, "network.service", "%ld node ports "
	    "needed by %ld Services, the node-port range %s holds %ld: use "
	    "NLB IP targets (network.service.nodePorts: false) or a wider "
	    "--service-node-port-range", r->nodeports, r->np_services, range,
	    hi - lo + 1);
}

static int
run(struct render *r, struct diag *d)
{
	struct stat st;
	size_t i;
	int rc;

	/* An overlay that is not there would silently render the shipped
	 * templates instead. */
	if (r->tdir && stat(r->tdir, &st) < 0)
		return diag_fail(d, EXIT_INPUT, r->tdir, 0, 0, "", "%s",
		    strerror(errno));
	if (r->tdir && !S_ISDIR(st.st_mode))
		return diag_fail(d, EXIT_INPUT, r->tdir, 0, 0, "", "not a "
		    "directory");
	r->ctxdoc = doc_new("context", 1);
	r->ctx = node_copy(&r->ctxdoc->arena, r->spec.root);
	r->ctxdoc->root = r->ctx;
	if (preflight(r, d) < 0)
		return -1;
	set(r, r->ctx, "argocdNamespace", node_at(r->spec.root,
	    "bootstrap.argocd.namespace") ? node_copy(&r->ctxdoc->arena,
	    node_at(r->spec.root, "bootstrap.argocd.namespace")) :
	    str(r, "argocd"));
	switch (r->mode) {
	case MODE_NETWORK:
		if (network_context(r, d) < 0)
			return -1;
		set(r, r->ctx, "serviceNodePorts", node_bool(&r->ctxdoc->arena,
		    service_nodeports(r)));
		rc = render_set(r, "network", r->services_only ?
		    services_templates : network_templates, d);
		break;
	case MODE_BOOTSTRAP:
		if (node_get(r->spec.root, "bootstrap") == NULL)
			return fail(d, r->spec.input, "bootstrap", "missing: "
			    "the spec has no bootstrap section");
		if (bootstrap_context(r, d) < 0 ||
		    render_file(r, "bootstrap", "namespace.yaml", d) < 0 ||
		    add_manifest(r, d) < 0)
			return -1;
		rc = render_set(r, "bootstrap", bootstrap_templates, d);
		break;
	default:
		if (node_get(r->spec.root, "gitops") == NULL)
			return fail(d, r->spec.input, "gitops", "missing: "
			    "apps needs gitops.repo and gitops.path");
		rc = render_set(r, "apps", apps_templates, d);
		break;
	}
	if (rc < 0 || apply_patches(r, d) < 0)
		return -1;
	for (i = 0; i < r->nout; i++)
		count_nodeports(r, r->out[i]->root);
	return r->mode == MODE_NETWORK ? nodeport_budget(r, d) : 0;
}

/* The documents kept for patches, now final. */
static int
emit_kept(struct render *r, struct diag *d)
{
	size_t i;

	for (i = 0; i < r->nout; i++) {
		emit_doc(&r->text, r->fmt, r->out[i]->root, &r->ndocs);
		if (output_limit(r, d) < 0)
			return -1;
	}
	return 0;
}

static void
check_inputs(const struct render *r, const char *spec)
{
	const char *names[5 + 2 * MAX_FILES], *what[5 + 2 * MAX_FILES];
	size_t n = 0;
	int i;

	names[n] = spec;
	what[n++] = "the spec";
	names[n] = r->facts;
	what[n++] = "-f";
	names[n] = r->keys;
	what[n++] = "-k";
	names[n] = r->manifest;
	what[n++] = "-m";
	names[n] = r->genesis;
	what[n++] = "-g";
	for (i = 0; i < r->naddrs; i++) {
		names[n] = r->addrs[i];
		what[n++] = "-a";
	}
	for (i = 0; i < r->npatches; i++) {
		names[n] = r->patches[i];
		what[n++] = "-p";
	}
	cli_stdin_once(usage, names, what, n);
}

static void
add_file(const char **list, int *n, const char *f, char opt)
{
	if (*n == MAX_FILES)
		cli_misuse(usage, "-%c: at most %d files", opt, MAX_FILES);
	list[(*n)++] = f;
}

static void
option(struct render *r, int ch)
{
	switch (ch) {
	case 'P':
		r->preview = 1;
		break;
	case 'S':
		r->services_only = 1;
		break;
	case 'a':
		add_file(r->addrs, &r->naddrs, optarg, 'a');
		break;
	case 'f':
		r->facts = optarg;
		break;
	case 'g':
		r->genesis = optarg;
		break;
	case 'h':
		cli_usage(usage, 0);
		cli_exit(0);
	case 'k':
		r->keys = optarg;
		break;
	case 'm':
		r->manifest = optarg;
		break;
	case 'o':
		if (cli_format(optarg, &r->fmt) < 0)
			cli_misuse(usage, "-o: unknown format '%s'", optarg);
		break;
	case 'p':
		add_file(r->patches, &r->npatches, optarg, 'p');
		break;
	case 't':
		r->tdir = optarg;
		break;
	default:
		cli_misuse(usage, NULL);
	}
}

int
main(int argc, char **argv)
{
	struct render r;
	struct diag d;
	const char *mode, *ops[2];
	size_t i;
	int ch, nops, rc = 0;

	cli_init(argc, argv, usage);
	memset(&r, 0, sizeof r);
	/* Operands and options in any order, as the pipelines write them:
	 * the POSIX getopt stops at the first operand, so collect it and
	 * go on. */
	nops = 0;
	while (optind < argc) {
		while ((ch = getopt(argc, argv, "PSa:f:g:hk:m:o:p:t:")) != -1)
			option(&r, ch);
		if (optind < argc) {
			if (nops == 2)
				cli_misuse(usage, "too many arguments");
			ops[nops++] = argv[optind++];
		}
	}
	if (nops != 2)
		cli_misuse(usage, "a mode and a spec are needed");
	mode = ops[0];
	if (strcmp(mode, "network") == 0)
		r.mode = MODE_NETWORK;
	else if (strcmp(mode, "bootstrap") == 0)
		r.mode = MODE_BOOTSTRAP;
	else if (strcmp(mode, "apps") == 0)
		r.mode = MODE_APPS;
	else
		cli_misuse(usage, "unknown mode '%s': network, bootstrap or "
		    "apps", mode);
	if (r.mode == MODE_BOOTSTRAP && r.manifest == NULL)
		cli_misuse(usage, "bootstrap needs -m with Argo CD's install "
		    "manifest");
	check_inputs(&r, ops[1]);
	if (spec_load(ops[1], &r.spec, &d) < 0 || run(&r, &d) < 0 ||
	    emit_kept(&r, &d) < 0) {
		cli_diag(&d);
		rc = d.status ? d.status : EXIT_INPUT;
	} else
		cli_put(r.text.p, r.text.len);
	buf_release(&r.text);
	for (i = 0; i < r.nout; i++)
		doc_free(r.out[i]);
	free(r.out);
	while (r.nnames)
		free(r.names[--r.nnames]);
	doc_free(r.ctxdoc);
	release_free(&r.rel);
	spec_free(&r.spec);
	cli_exit(rc);
}
