/*
 * 9c-kapply - server-side apply a manifest stream in one pass: stage by
 * stage, each stage dry-run first, with gates between the stages.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "cli.h"
#include "kube.h"
#include "order.h"
#include "ready.h"

static const char usage[] =
    "9c-kapply [-qv] [--diff] [--delete | --dry-run] [--force-conflicts] "
    "[--applyset parent [--prune]] [-j jobs] [-n namespace] [-o format] "
    "[-t seconds] [--context name] [--kubeconfig file] [file ...]";

#define MANAGER "9c-kapply"
#define MAX_ATTEMPTS 8

enum ostate { O_TODO, O_FLIGHT, O_DONE, O_FAIL };
enum mode { M_DRY, M_APPLY, M_DELETE, M_GONE, M_GET };

struct obj {
	struct doc *doc;
	char *input;
	int docno, line;
	const char *apiv, *kind, *name;
	char group[256];
	char *ns;		/* NULL: cluster-scoped */
	char *ident;		/* "Deployment argocd/argocd-server" */
	int given;		/* 9c/stage of the input, 0 if none */
	int stage;
	int from_crd;		/* kind defined by a CRD of the stream */
	int known;		/* kind served by the cluster */
	int namespaced;
	int ns_ok;		/* its namespace exists in the cluster now */
	int background;		/* delete with background propagation */
	int listed;		/* --diff: live state came from a LIST */
	char *plural;
	char *version;
	struct buf body;
	struct doc *result;
	struct doc *live;	/* --diff: the object as it is, NULL if none */
	enum ostate st;
	int attempts;
	int looks;		/* waiting until gone: times found still there */
	double next_at;
	long status;
	int fail_exit;
	char msg[DIAG_MSG - 64];
};

struct applyset;

struct run {
	struct kube *k;
	struct applyset *as;	/* --applyset, or NULL */
	struct obj *o;
	size_t n, cap;
	int nstages;
	int jobs, quiet, force, dry, del, diff, prune, progress, verbose;
	size_t retried, throttled;	/* requests sent again; of them on 429 */
	double shown;			/* when progress was last drawn */
	enum emit_format fmt;
	double deadline;
	long timeout;
	size_t applied, total;
	int cur_stage;
	const char *phase;
	int exit_hint;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
progress(struct run *r, int done)
{
	if (!r->progress)
		return;
	if (done)
		fprintf(stderr, "\r\033[K");
	else if (now() - r->shown < 0.1 && r->applied < r->total)
		return;		/* a slow terminal must not slow the run */
	else
		fprintf(stderr, "\r\033[K%s: stage %d/%d %s: %zu/%zu applied",
		    cli_prog, r->cur_stage, r->nstages, r->phase, r->applied,
		    r->total);
	r->shown = now();
	fflush(stderr);
}

/* -v: what each phase of a stage cost, for finding the slow part. */
static void
say_phase(struct run *r, int s, const char *what, double since)
{
	size_t i, n = 0;

	if (!r->verbose)
		return;
	for (i = 0; i < r->n; i++)
		n += r->o[i].stage == s;
	progress(r, 1);
	cli_warn("stage %d of %d (%zu object%s): %s: %.2f s", s, r->nstages, n,
	    n == 1 ? "" : "s", what, now() - since);
}

static void
obj_diag(const struct obj *o, struct diag *d, int status, const char *msg)
{
	diag_clear(d);
	diag_at(d, o->input, o->docno, o->line, 0);
	diag_set(d, status, "%s: %s", o->ident, msg);
}

static int
take(struct doc *doc, void *arg, struct diag *d)
{
	struct run *r = arg;
	struct obj *o;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->o = xrealloc(r->o, r->cap * sizeof *r->o);
	}
	o = &r->o[r->n++];
	memset(o, 0, sizeof *o);
	o->doc = doc;
	o->input = xstrdup(doc->input ? doc->input : "<stdin>");
	/* The stream's name dies with the stream: point at our copy. */
	doc->input = o->input;
	o->docno = doc->index;
	o->line = doc->line;
	return 0;
}

/* Structure and identities: order_add() checks what every tool checks. */
static int
check_structure(struct run *r)
{
	struct order_set *set = order_new();
	struct diag d;
	size_t i;
	int bad = 0;

	for (i = 0; i < r->n; i++) {
		struct obj *o = &r->o[i];
		const char *st;
		if (order_add(set, o->doc, &d) < 0) {
			cli_diag(&d);
			bad = 1;
			continue;
		}
		o->apiv = node_at_s(o->doc->root, "apiVersion");
		o->kind = node_at_s(o->doc->root, "kind");
		o->name = node_at_s(o->doc->root, "metadata.name");
		order_group(o->apiv, o->group, sizeof o->group);
		st = node_s(node_get(node_at(o->doc->root, "metadata.annotations"),
		    ORDER_ANNOTATION));
		if (st) {
			char *end;
			long v = strtol(st, &end, 10);
			if (*st == '\0' || *end || v < 1 || v > 100000) {
				diag_clear(&d);
				diag_at(&d, o->input, o->docno, o->line, 0);
				diag_setpath(&d, "metadata.annotations[\"" ORDER_ANNOTATION "\"]");
				diag_set(&d, EXIT_INPUT, "not a stage number: %s", st);
				cli_diag(&d);
				bad = 1;
				continue;
			}
			o->given = (int)v;
		}
		{
			const char *ns = node_at_s(o->doc->root, "metadata.namespace");
			o->ident = ns && *ns ? xasprintf("%s %s/%s", o->kind, ns, o->name) :
			    xasprintf("%s %s", o->kind, o->name);
		}
	}
	order_free(set);
	return bad ? -1 : 0;
}

/* The CRD of the stream that defines group/kind at version, or NULL. */
static const struct node *
stream_crd(struct run *r, const char *group, const char *version,
    const char *kind)
{
	size_t i, j;

	for (i = 0; i < r->n; i++) {
		const struct node *root = r->o[i].doc->root, *vs;
		const char *g = node_at_s(root, "spec.group");
		if (strcmp(r->o[i].kind ? r->o[i].kind : "", "CustomResourceDefinition") ||
		    strcmp(r->o[i].group, "apiextensions.k8s.io") || g == NULL ||
		    strcmp(g, group) || node_at_s(root, "spec.names.kind") == NULL ||
		    strcmp(node_at_s(root, "spec.names.kind"), kind))
			continue;
		vs = node_at(root, "spec.versions");
		for (j = 0; vs && vs->type == NODE_SEQ && j < vs->len; j++) {
			const char *v = node_at_s(vs->u.items[j], "name");
			const struct node *sv = node_get(vs->u.items[j], "served");
			if (v && strcmp(v, version) == 0 &&
			    !(sv && sv->type == NODE_BOOL && !sv->b))
				return root;
		}
	}
	return NULL;
}

static void
set_kind_info(struct obj *o, const char *plural, int namespaced)
{
	free(o->plural);
	o->plural = xstrdup(plural);
	o->namespaced = namespaced;
}

/*
 * Every kind is served by the cluster or defined by a CRD of the stream;
 * places each object (namespace), sets its body.
 */
static int
resolve_kinds(struct run *r, int quiet_unknown)
{
	struct diag d;
	size_t i;
	int bad = 0, refreshed = 0;

	for (i = 0; i < r->n; i++) {
		struct obj *o = &r->o[i];
		const struct kube_resource *res;
		const struct node *crd;
		const char *slash = strchr(o->apiv, '/');
		int f;

		free(o->version);
		o->version = xstrdup(slash ? slash + 1 : o->apiv);
		f = kube_lookup_cached(r->k, o->apiv, o->kind, &res);
		if (!f && !refreshed && (crd = stream_crd(r, o->group, o->version,
		    o->kind)) == NULL) {
			/* The cache may be older than the cluster. */
			if (kube_discovery_refresh(r->k, &d) < 0) {
				cli_diag(&d);
				return -2;
			}
			refreshed = 1;
			f = kube_lookup_cached(r->k, o->apiv, o->kind, &res);
		}
		if (f) {
			o->known = 1;
			o->from_crd = 0;
			set_kind_info(o, res->plural, res->namespaced);
		} else if ((crd = stream_crd(r, o->group, o->version, o->kind)) != NULL) {
			const char *scope = node_at_s(crd, "spec.scope");
			o->from_crd = 1;
			o->known = 0;
			set_kind_info(o, node_at_s(crd, "spec.names.plural") ?
			    node_at_s(crd, "spec.names.plural") : "",
			    scope && strcmp(scope, "Namespaced") == 0);
		} else {
			if (quiet_unknown) {
				o->known = 0;
				continue;
			}
			obj_diag(o, &d, EXIT_INPUT, "");
			diag_set(&d, EXIT_INPUT, "%s: kind %s of %s is not served by the cluster and no CustomResourceDefinition in the stream defines it",
			    o->ident, o->kind, o->apiv);
			cli_diag(&d);
			bad = 1;
			continue;
		}
	}
	return bad ? -1 : 0;
}

static const char b64_std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Base64 of p in the alphabet abc, padded with '=' when pad is set. */
static void
b64_encode(struct buf *b, const unsigned char *p, size_t n, const char *abc,
    int pad)
{
	size_t i;

	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 |
		    (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
		    (i + 2 < n ? p[i + 2] : 0);
		buf_addc(b, abc[v >> 18 & 63]);
		buf_addc(b, abc[v >> 12 & 63]);
		if (i + 1 < n)
			buf_addc(b, abc[v >> 6 & 63]);
		else if (pad)
			buf_addc(b, '=');
		if (i + 2 < n)
			buf_addc(b, abc[v & 63]);
		else if (pad)
			buf_addc(b, '=');
	}
}

/*
 * A Secret's stringData is sent as data: the server never stores
 * stringData, so server-side apply could never take a key that left the
 * stream out of the Secret (its managed fields would name stringData).
 */
static void
secret_data(struct doc *doc)
{
	struct arena *a = &doc->arena;
	struct node *sd = node_get(doc->root, "stringData"), *data;
	struct buf b = BUF_INIT;
	size_t i;

	if (sd == NULL || sd->type != NODE_MAP)
		return;
	for (i = 0; i < sd->len; i++)
		if (sd->u.pairs[i].val->type != NODE_STR)
			return;		/* the server's to refuse */
	data = node_get(doc->root, "data");
	if (data == NULL || data->type != NODE_MAP) {
		if (data != NULL)
			return;
		data = node_map(a);
		node_map_set(a, doc->root, "data", data);
	}
	for (i = 0; i < sd->len; i++) {
		const struct node *v = sd->u.pairs[i].val;
		buf_reset(&b);
		buf_adds(&b, "");
		b64_encode(&b, (const unsigned char *)v->u.s, v->len, b64_std, 1);
		node_map_setn(a, data, sd->u.pairs[i].key->u.s,
		    sd->u.pairs[i].key->len, node_str(a, b.p, b.len));
	}
	buf_wipe(&b);
	node_map_del(doc->root, "stringData");
}

/* Namespace, identity text and body of each object. */
static void
place(struct run *r, const char *defns)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		struct obj *o = &r->o[i];
		struct arena *a = &o->doc->arena;
		struct node *meta = node_get(o->doc->root, "metadata");
		struct node *ann = node_get(meta, "annotations");
		const char *ns = node_at_s(meta, "namespace");

		free(o->ns);
		o->ns = NULL;
		if (o->namespaced) {
			if (ns == NULL || *ns == '\0') {
				node_map_set(a, meta, "namespace", node_strz(a, defns));
				ns = defns;
			}
			o->ns = xstrdup(ns);
		} else
			node_map_del(meta, "namespace");
		free(o->ident);
		o->ident = o->ns ? xasprintf("%s %s/%s", o->kind, o->ns, o->name) :
		    xasprintf("%s %s", o->kind, o->name);
		/* The stage is this pipeline's, not the object's. */
		if (ann && ann->type == NODE_MAP) {
			node_map_del(ann, ORDER_ANNOTATION);
			if (ann->len == 0)
				node_map_del(meta, "annotations");
		}
		if (strcmp(o->kind, "Secret") == 0 && o->group[0] == '\0')
			secret_data(o->doc);
		buf_reset(&o->body);
		emit_json(&o->body, o->doc->root);
	}
}

static int
cmp_pair(const void *a, const void *b)
{
	const long *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/* Stages: (given stage, computed stage) pairs in order, numbered from 1. */
static int
compute_stages(struct run *r)
{
	struct order_set *set = order_new();
	struct diag d;
	long *keys;
	size_t i, j, nk = 0;

	for (i = 0; i < r->n; i++)
		if (order_add(set, r->o[i].doc, &d) < 0) {
			cli_diag(&d);
			order_free(set);
			return -1;
		}
	if (order_solve(set, &d) < 0) {
		cli_diag(&d);
		order_free(set);
		return -1;
	}
	keys = xcalloc(r->n ? r->n : 1, sizeof *keys);
	for (i = 0; i < r->n; i++)
		keys[i] = (long)r->o[i].given * 1000000L + order_stage(set, i);
	order_free(set);
	for (i = 0; i < r->n; i++)
		r->o[i].stage = (int)keys[i];	/* temporarily the key, below */
	qsort(keys, r->n, sizeof *keys, cmp_pair);
	for (i = 0; i < r->n; i++)
		if (nk == 0 || keys[nk - 1] != keys[i])
			keys[nk++] = keys[i];
	for (i = 0; i < r->n; i++) {
		for (j = 0; j < nk && keys[j] != (long)r->o[i].stage; j++)
			;
		r->o[i].stage = (int)j + 1;
	}
	r->nstages = (int)nk;
	free(keys);
	return 0;
}

/* Namespaces the objects need: in the cluster, or made by the stream. */
static int
check_namespaces(struct run *r)
{
	char **names = NULL;
	size_t nn = 0, i, j;
	struct kube_req *rq;
	struct kube_resp *rs;
	struct diag d;
	int ret = 0;

	for (i = 0; i < r->n; i++) {
		struct obj *o = &r->o[i];
		int seen = 0;
		o->ns_ok = o->ns == NULL;
		if (o->ns == NULL)
			continue;
		for (j = 0; j < nn && !seen; j++)
			seen = strcmp(names[j], o->ns) == 0;
		if (seen)
			continue;
		names = xrealloc(names, (nn + 1) * sizeof *names);
		names[nn++] = o->ns;
	}
	rq = xcalloc(nn + 1, sizeof *rq);
	rs = xcalloc(nn + 1, sizeof *rs);
	for (i = 0; i < nn; i++) {
		struct buf p = BUF_INIT;
		buf_adds(&p, "/api/v1/namespaces/");
		kube_escape(&p, names[i]);
		rq[i].method = "GET";
		rq[i].path = p.p;
	}
	kube_batch(r->k, rq, rs, nn, r->jobs);
	for (i = 0; i < nn; i++) {
		char msg[300];
		int made = 0;
		for (j = 0; j < r->n && !made; j++)
			made = strcmp(r->o[j].kind, "Namespace") == 0 &&
			    r->o[j].group[0] == '\0' && strcmp(r->o[j].name, names[i]) == 0;
		if (rs[i].status == 200) {
			for (j = 0; j < r->n; j++)
				if (r->o[j].ns && strcmp(r->o[j].ns, names[i]) == 0)
					r->o[j].ns_ok = 1;
		} else if (rs[i].status == 404) {
			if (made || r->del)
				continue;
			for (j = 0; j < r->n; j++) {
				struct obj *o = &r->o[j];
				if (o->ns && strcmp(o->ns, names[i]) == 0) {
					obj_diag(o, &d, EXIT_INPUT, "");
					diag_set(&d, EXIT_INPUT,
					    "%s: namespace %s does not exist and the stream does not create it",
					    o->ident, names[i]);
					cli_diag(&d);
				}
			}
			if (ret == 0)
				ret = -1;
		} else if (ret != -2) {
			kube_resp_message(&rs[i], msg, sizeof msg);
			diag_clear(&d);
			if (rs[i].status == 0)
				diag_set(&d, EXIT_CONNECT, "%s: %s",
				    kube_config_server(kube_config_of(r->k)), msg);
			else
				diag_set(&d, rs[i].auth || rs[i].status == 403 ?
				    EXIT_CONNECT : EXIT_FAIL,
				    "namespace %s: HTTP %ld: %s", names[i], rs[i].status, msg);
			cli_diag(&d);
			ret = -2;
			r->exit_hint = d.status;
		}
	}
	for (i = 0; i < nn; i++) {
		kube_resp_release(&rs[i]);
		free((char *)rq[i].path);
	}
	free(rq);
	free(rs);
	free(names);
	return ret;
}

/* ---------------------------------------------------------------- requests */

struct flight {
	struct run *r;
	struct obj *o;
	enum mode m;
	int inflight;
};

static int
retryable(const struct obj *o, const struct kube_resp *rs, enum mode m)
{
	char reason[64];

	if (rs->status == 0)
		return !rs->auth;
	if (rs->status == 429 || rs->status == 502 || rs->status == 503 ||
	    rs->status == 504)
		return 1;
	if (rs->status == 500) {
		/* Transient server trouble, not a patch the server cannot
		 * take (which is also a 500). */
		char msg[512];
		kube_resp_message(rs, msg, sizeof msg);
		return strstr(msg, "failed calling webhook") != NULL ||
		    strstr(msg, "etcdserver") != NULL ||
		    strstr(msg, "timeout") != NULL ||
		    strstr(msg, "Timeout") != NULL ||
		    strstr(msg, "connection refused") != NULL ||
		    strstr(msg, "try again") != NULL ||
		    strstr(msg, "conversion webhook") != NULL;
	}
	if (rs->status == 404 && m != M_DELETE && m != M_GONE) {
		/* A resource type the server does not serve yet (just
		 * established CRD), not a missing object. */
		kube_resp_reason(rs, reason, sizeof reason);
		return o->from_crd || strcmp(reason, "NotFound") == 0;
	}
	return 0;
}

/* Jittered exponential backoff before attempt ATTEMPTS + 1, plus the
 * server's Retry-After: every request refused in one burst gets the same
 * Retry-After, and coming back all at once would be refused again. */
static double
backoff(int attempts, const struct kube_resp *rs)
{
	double delay = 0.2 * pow(2, attempts - 1);

	if (delay > 5)
		delay = 5;
	delay *= 0.5 + (random() % 1000) / 2000.0;
	if (rs->retry_after >= 0)
		delay += rs->retry_after > 30 ? 30 : (double)rs->retry_after;
	return delay;
}

/*
 * A request of the ApplySet's own (its parent, a LIST of its members),
 * sent again while the answer is passing trouble, as each object's request
 * is: under load a prune or a diff must not end on one 429 or one dropped
 * connection.  With sent, rs already holds the first answer.
 */
static void
request_retry(struct run *r, const struct kube_req *rq, struct kube_resp *rs,
    int sent)
{
	struct obj none;
	int attempt;

	memset(&none, 0, sizeof none);
	if (!sent)
		kube_request(r->k, rq, rs);
	for (attempt = 1; attempt < MAX_ATTEMPTS && (rs->status < 200 ||
	    rs->status > 299) && rs->status != 404 &&
	    retryable(&none, rs, M_GET); attempt++) {
		double delay = backoff(attempt, rs);
		struct timespec ts;
		if (now() + delay >= r->deadline)
			break;
		r->retried++;
		if (rs->status == 429)
			r->throttled++;
		kube_resp_release(rs);
		ts.tv_sec = (time_t)delay;
		ts.tv_nsec = (long)((delay - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
		kube_request(r->k, rq, rs);
	}
}

static void
strip_server_noise(struct doc *doc)
{
	struct node *meta = node_get(doc->root, "metadata");

	node_map_del(meta, "managedFields");
}

static void
req_done(struct kube_resp *rs, void *arg)
{
	struct flight *f = arg;
	struct obj *o = f->o;
	struct run *r = f->r;
	struct diag d;
	int ok;

	f->inflight = 0;
	o->attempts++;
	if (f->m == M_DELETE)
		ok = (rs->status >= 200 && rs->status < 300) || rs->status == 404;
	else if (f->m == M_GONE)
		ok = rs->status == 404;
	else if (f->m == M_GET)
		ok = rs->status == 200 || rs->status == 404;
	else
		ok = rs->status >= 200 && rs->status < 300;
	if (ok) {
		o->st = O_DONE;
		if (f->m == M_GET && rs->status == 200) {
			doc_free(o->live);
			o->live = NULL;
			if (kube_parse(rs, &o->live, &d) < 0)
				o->live = NULL;
		}
		if (f->m == M_APPLY || (f->m == M_DRY && r->dry)) {
			doc_free(o->result);
			o->result = NULL;
			if (kube_parse(rs, &o->result, &d) == 0)
				strip_server_noise(o->result);
		}
		if (f->m == M_APPLY || (f->m == M_DRY && r->dry) || f->m == M_DELETE)
			r->applied++;
		kube_resp_release(rs);
		return;
	}
	if (f->m == M_GONE && rs->status == 200) {
		/* Still there: look again, the less often the longer it stays
		 * (a quarter second, doubling up to 2 s, jittered): thousands
		 * of objects asked for every quarter second load the server
		 * that is deleting them (54,000 requests to take down 2,000). */
		double delay = 0.25 * pow(2, o->looks < 3 ? o->looks : 3);
		o->looks++;
		o->st = O_TODO;
		o->attempts = 0;
		o->next_at = now() + delay * (0.75 + (random() % 1000) / 4000.0);
		kube_resp_release(rs);
		return;
	}
	o->status = rs->status;
	kube_resp_message(rs, o->msg, sizeof o->msg);
	o->fail_exit = rs->status == 0 || rs->auth ? EXIT_CONNECT : EXIT_FAIL;
	if (retryable(o, rs, f->m) && o->attempts < MAX_ATTEMPTS) {
		double delay = backoff(o->attempts, rs);
		if (now() + delay < r->deadline) {
			r->retried++;
			if (rs->status == 429)
				r->throttled++;
			o->st = O_TODO;
			o->next_at = now() + delay;
			kube_resp_release(rs);
			return;
		}
	}
	o->st = O_FAIL;
	kube_resp_release(rs);
}

static void
start_one(struct run *r, struct flight *f, enum mode m)
{
	struct obj *o = f->o;
	struct kube_resource res;
	struct kube_req rq;
	struct buf p = BUF_INIT;
	char *path;
	static const char delopts[] =
	    "{\"apiVersion\":\"v1\",\"kind\":\"DeleteOptions\",\"propagationPolicy\":\"Foreground\"}";
	static const char bgopts[] =
	    "{\"apiVersion\":\"v1\",\"kind\":\"DeleteOptions\",\"propagationPolicy\":\"Background\"}";

	memset(&res, 0, sizeof res);
	res.group = o->group;
	res.version = o->version;
	res.kind = o->kind;
	res.plural = o->plural;
	res.namespaced = o->namespaced;
	path = kube_path(&res, o->ns, o->name);
	buf_adds(&p, path);
	free(path);
	memset(&rq, 0, sizeof rq);
	switch (m) {
	case M_DRY:
	case M_APPLY:
		buf_adds(&p, "?fieldManager=" MANAGER "&fieldValidation=Strict");
		if (r->force)
			buf_adds(&p, "&force=true");
		if (m == M_DRY)
			buf_adds(&p, "&dryRun=All");
		rq.method = "PATCH";
		rq.content_type = "application/apply-patch+yaml";
		rq.body = o->body.p;
		rq.body_len = o->body.len;
		break;
	case M_DELETE:
		rq.method = "DELETE";
		rq.content_type = "application/json";
		rq.body = o->background ? bgopts : delopts;
		rq.body_len = o->background ? sizeof bgopts - 1 : sizeof delopts - 1;
		break;
	case M_GONE:
	case M_GET:
		rq.method = "GET";
		break;
	}
	rq.path = p.p;
	f->r = r;
	f->m = m;
	f->inflight = 1;
	o->st = O_FLIGHT;
	kube_start(r->k, &rq, req_done, f);
	buf_release(&p);
}

/*
 * Runs mode m for every object of stage s for which sel() holds, with at
 * most r->jobs in flight; returns the number that failed (-1: deadline).
 */
static int
run_stage(struct run *r, int s, enum mode m, int (*sel)(const struct obj *))
{
	struct flight *fl;
	size_t i, n = 0, left, inflight;
	int failed = 0, timed_out = 0;

	fl = xcalloc(r->n + 1, sizeof *fl);
	for (i = 0; i < r->n; i++) {
		struct obj *o = &r->o[i];
		if (o->stage != s || (sel && !sel(o)))
			continue;
		o->st = O_TODO;
		o->attempts = 0;
		o->looks = 0;
		o->next_at = 0;
		o->status = 0;
		o->msg[0] = '\0';
		fl[n++].o = o;
	}
	for (;;) {
		double t = now(), soonest = t + 0.1;
		left = inflight = 0;
		for (i = 0; i < n; i++) {
			struct obj *o = fl[i].o;
			if (o->st == O_FLIGHT)
				inflight++;
		}
		for (i = 0; i < n; i++) {
			struct obj *o = fl[i].o;
			if (o->st == O_TODO) {
				if (timed_out) {
					o->st = O_FAIL;
					continue;
				}
				left++;
				if (o->next_at <= t && inflight < (size_t)r->jobs) {
					start_one(r, &fl[i], m);
					inflight++;
				} else if (o->next_at > t && o->next_at < soonest)
					soonest = o->next_at;
			} else if (o->st == O_FLIGHT)
				left++;
		}
		if (left == 0)
			break;
		if (!timed_out && t > r->deadline) {
			/* Let what is in flight finish; start nothing new. */
			timed_out = 1;
		}
		kube_run(r->k, inflight ? (int)((soonest - t) * 1000) + 1 : 0);
		if (!inflight && soonest > now()) {
			double w = soonest - now();
			struct timespec ts = { (time_t)w, (long)((w - (time_t)w) * 1e9) };
			nanosleep(&ts, NULL);
		}
		progress(r, 0);
	}
	for (i = 0; i < n; i++)
		if (fl[i].o->st == O_FAIL)
			failed++;
	free(fl);
	return timed_out && failed ? -1 : failed;
}

/* ---------------------------------------------------------------- gates */

struct gate {
	char *what;		/* message text */
	char *path;
	int endpoints;		/* path lists EndpointSlices */
	int ok;
	char reason[512];
};

static void
add_gate(struct gate **g, size_t *n, char *what, char *path, int ep)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*g)[i].path, path) == 0) {
			free(what);
			free(path);
			return;
		}
	*g = xrealloc(*g, (*n + 1) * sizeof **g);
	memset(&(*g)[*n], 0, sizeof **g);
	(*g)[*n].what = what;
	(*g)[*n].path = path;
	(*g)[*n].endpoints = ep;
	(*n)++;
}

static void
service_gate(struct gate **g, size_t *n, const struct node *svc)
{
	const char *ns = node_at_s(svc, "namespace"), *name = node_at_s(svc, "name");
	struct buf p = BUF_INIT;

	if (ns == NULL || name == NULL)
		return;
	buf_adds(&p, "/apis/discovery.k8s.io/v1/namespaces/");
	kube_escape(&p, ns);
	buf_adds(&p, "/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D");
	kube_escape(&p, name);
	add_gate(g, n, xasprintf("webhook service %s/%s", ns, name), p.p, 1);
}

static int
endpoints_ready(const struct kube_resp *rs)
{
	cJSON *j = cJSON_ParseWithLength(rs->body.p, rs->body.len);
	const cJSON *it, *ep;
	int ok = 0;

	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "items")) {
		cJSON_ArrayForEach(ep, cJSON_GetObjectItemCaseSensitive(it, "endpoints")) {
			const cJSON *rd = cJSON_GetObjectItemCaseSensitive(
			    cJSON_GetObjectItemCaseSensitive(ep, "conditions"), "ready");
			if (rd == NULL || cJSON_IsTrue(rd))
				ok = 1;
		}
	}
	cJSON_Delete(j);
	return ok;
}

/*
 * Does a later stage use what o (a CRD, Namespace or APIService) serves?
 * Waiting for a CRD nobody uses yet would only cost time.
 */
static int
needed_later(struct run *r, int s, const struct obj *o, int crd, int ns)
{
	const struct node *root = o->doc->root;
	const char *g = node_at_s(root, "spec.group");
	const char *k = node_at_s(root, "spec.names.kind");
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct obj *x = &r->o[i];
		if (x->stage <= s)
			continue;
		if (ns && x->ns && strcmp(x->ns, o->name) == 0)
			return 1;
		if (crd && g && k && strcmp(x->group, g) == 0 && strcmp(x->kind, k) == 0)
			return 1;
		if (!crd && !ns && g && strcmp(x->group, g) == 0)
			return 1;
	}
	return 0;
}

/*
 * What the next stage needs of this one: CRDs Established, Namespaces
 * Active, APIServices Available, webhook backends with a ready endpoint.
 * 0 passed (*refresh set if discovery changed), -1 failed, -2 timed out,
 * -3 server unreachable.
 */
static int
gate(struct run *r, int s, int *refresh)
{
	struct gate *g = NULL;
	size_t ng = 0, i, j, left;
	struct diag d;
	int ret = 0;
	double down_since = 0;

	*refresh = 0;
	for (i = 0; i < r->n; i++) {
		struct obj *o = &r->o[i];
		const struct node *root = o->doc->root, *whs;
		int crd, ns, api;
		if (o->stage != s)
			continue;
		crd = !strcmp(o->kind, "CustomResourceDefinition") &&
		    !strcmp(o->group, "apiextensions.k8s.io");
		ns = !strcmp(o->kind, "Namespace") && o->group[0] == '\0';
		api = !strcmp(o->kind, "APIService") &&
		    !strcmp(o->group, "apiregistration.k8s.io");
		if ((crd || ns || api) && needed_later(r, s, o, crd, ns)) {
			struct kube_resource res = { o->group, o->version, o->kind,
			    o->plural, o->namespaced, 0 };
			struct ready_result rr;
			if (crd || api)
				*refresh = 1;
			ready_eval(o->result ? o->result->root : NULL, 0, &rr);
			if (rr.state != READY_OK)
				add_gate(&g, &ng, xstrdup(o->ident),
				    kube_path(&res, o->ns, o->name), 0);
		}
		if (crd)
			service_gate(&g, &ng, node_at(root, "spec.conversion.webhook.clientConfig.service"));
		if (((!strcmp(o->kind, "MutatingWebhookConfiguration") ||
		    !strcmp(o->kind, "ValidatingWebhookConfiguration")) &&
		    !strcmp(o->group, "admissionregistration.k8s.io")) &&
		    (whs = node_get(root, "webhooks")) && whs->type == NODE_SEQ)
			for (j = 0; j < whs->len; j++)
				service_gate(&g, &ng, node_at(whs->u.items[j], "clientConfig.service"));
	}
	r->phase = "waiting";
	for (;;) {
		int nfail = 0;
		struct kube_req *rq = xcalloc(ng + 1, sizeof *rq);
		struct kube_resp *rs = xcalloc(ng + 1, sizeof *rs);
		size_t *idx = xcalloc(ng + 1, sizeof *idx), nq = 0;
		for (i = 0; i < ng; i++)
			if (!g[i].ok) {
				rq[nq].method = "GET";
				rq[nq].path = g[i].path;
				idx[nq++] = i;
			}
		kube_batch(r->k, rq, rs, nq, r->jobs);
		for (i = 0; i < nq; i++) {
			struct gate *x = &g[idx[i]];
			if (rs[i].status == 200 && x->endpoints) {
				x->ok = endpoints_ready(&rs[i]);
				snprintf(x->reason, sizeof x->reason, "no ready endpoint");
			} else if (rs[i].status == 200) {
				struct doc *doc;
				struct ready_result rr;
				if (kube_parse(&rs[i], &doc, &d) == 0) {
					ready_eval(doc->root, 0, &rr);
					doc_free(doc);
					snprintf(x->reason, sizeof x->reason, "%s", rr.reason);
					if (rr.state == READY_OK)
						x->ok = 1;
					else if (rr.state == READY_FAILED) {
						diag_clear(&d);
						diag_set(&d, EXIT_FAIL, "stage %d: %s: %s",
						    s, x->what, rr.reason);
						cli_diag(&d);
						ret = -1;
					}
				}
			} else {
				kube_resp_message(&rs[i], x->reason, sizeof x->reason);
				if (rs[i].status == 0 || rs[i].auth)
					nfail++;
			}
			kube_resp_release(&rs[i]);
		}
		/* A server that stays unreachable ends the wait, boundedly. */
		if (nq && nfail == (int)nq) {
			if (down_since == 0)
				down_since = now();
			else if (now() - down_since > 15) {
				diag_clear(&d);
				diag_set(&d, EXIT_CONNECT, "stage %d: waiting for %s: %s (for 15 seconds)",
				    s, g[idx[0]].what, g[idx[0]].reason);
				cli_diag(&d);
				ret = -3;
			}
		} else
			down_since = 0;
		free(rq);
		free(rs);
		free(idx);
		for (i = left = 0; i < ng; i++)
			left += !g[i].ok;
		if (left == 0 || ret < 0)
			break;
		if (now() > r->deadline) {
			for (i = 0; i < ng; i++)
				if (!g[i].ok) {
					diag_clear(&d);
					diag_set(&d, EXIT_TIMEOUT,
					    "stage %d: timed out waiting for %s: %s",
					    s, g[i].what, g[i].reason);
					cli_diag(&d);
				}
			ret = -2;
			break;
		}
		progress(r, 0);
		kube_run(r->k, 100);
		{
			struct timespec ts = { 0, 150000000 };
			nanosleep(&ts, NULL);
		}
	}
	for (i = 0; i < ng; i++) {
		free(g[i].what);
		free(g[i].path);
	}
	free(g);
	return ret;
}

/* ---------------------------------------------------------------- modes */

static int
sel_known(const struct obj *o)
{
	return o->known;
}

static int
sel_all(const struct obj *o)
{
	(void)o;
	return 1;
}

static void
report_failures(struct run *r, int s)
{
	struct diag d;
	char msg[DIAG_MSG];
	size_t i;

	size_t nconn = 0;

	for (i = 0; i < r->n; i++) {
		struct obj *o = &r->o[i];
		if (o->stage != s || o->st != O_FAIL)
			continue;
		/* One unreachable server is one message, not one per object. */
		if (o->fail_exit == EXIT_CONNECT && nconn++ > 0)
			continue;
		if (o->status)
			snprintf(msg, sizeof msg, "HTTP %ld: %s", o->status, o->msg);
		else if (o->msg[0])
			snprintf(msg, sizeof msg, "%s (after %d attempts)", o->msg, o->attempts);
		else
			snprintf(msg, sizeof msg, "not sent before the deadline");
		obj_diag(o, &d, o->fail_exit, msg);
		cli_diag(&d);
	}
	if (nconn > 1)
		cli_warn("%zu more objects of stage %d not sent for the same reason",
		    nconn - 1, s);
}

static int
fail_status(struct run *r, int s)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->o[i].stage == s && r->o[i].st == O_FAIL &&
		    r->o[i].fail_exit == EXIT_CONNECT)
			return EXIT_CONNECT;
	return EXIT_FAIL;
}

static void
say_written(int written, int nstages)
{
	if (written == 0)
		cli_warn("nothing written");
	else if (written == 1)
		cli_warn("stage 1 of %d written", nstages);
	else
		cli_warn("stages 1-%d of %d written", written, nstages);
}

static void
put_results(struct run *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->o[i].result)
			cli_put_doc(r->fmt, r->o[i].result->root);
}

static int applyset_write(struct run *r, int superset);
static int applyset_ns_stage(const struct applyset *as);

static int
do_apply(struct run *r)
{
	int s, fails, refresh, g;
	struct diag d;
	double t;

	for (s = 1; s <= r->nstages; s++) {
		r->cur_stage = s;
		r->phase = "dry run";
		t = now();
		fails = run_stage(r, s, M_DRY, sel_all);
		say_phase(r, s, "dry run", t);
		if (fails != 0) {
			progress(r, 1);
			report_failures(r, s);
			cli_warn("stage %d of %d refused by the server's dry run; nothing of it written",
			    s, r->nstages);
			say_written(s - 1, r->nstages);
			put_results(r);
			return fails < 0 ? EXIT_TIMEOUT : fail_status(r, s);
		}
		/* Before the first member is written the parent covers it,
		 * or as soon as its namespace exists. */
		if (s == 1 && r->as && applyset_ns_stage(r->as) == 0 &&
		    (g = applyset_write(r, 1)) != 0) {
			progress(r, 1);
			say_written(0, r->nstages);
			return g;
		}
		r->phase = "applying";
		t = now();
		fails = run_stage(r, s, M_APPLY, sel_all);
		if (fails == 0 && r->as && applyset_ns_stage(r->as) == s &&
		    (g = applyset_write(r, 1)) != 0) {
			progress(r, 1);
			say_written(s, r->nstages);
			put_results(r);
			return g;
		}
		say_phase(r, s, "apply", t);
		if (fails != 0) {
			progress(r, 1);
			report_failures(r, s);
			cli_warn("stage %d of %d partly written", s, r->nstages);
			say_written(s - 1, r->nstages);
			put_results(r);
			return fails < 0 ? EXIT_TIMEOUT : fail_status(r, s);
		}
		if (s == r->nstages)
			break;
		t = now();
		g = gate(r, s, &refresh);
		say_phase(r, s, "gate", t);
		if (g < 0) {
			progress(r, 1);
			say_written(s, r->nstages);
			put_results(r);
			return g == -2 ? EXIT_TIMEOUT : g == -3 ? EXIT_CONNECT : EXIT_FAIL;
		}
		t = now();
		if (refresh && kube_discovery_refresh(r->k, &d) < 0) {
			progress(r, 1);
			cli_diag(&d);
			say_written(s, r->nstages);
			put_results(r);
			return d.status;
		}
		if (refresh)
			say_phase(r, s, "discovery refresh", t);
	}
	progress(r, 1);
	put_results(r);
	return 0;
}

static int
sel_judgeable(const struct obj *o)
{
	return o->known && o->ns_ok;
}

static int
do_dry_run(struct run *r)
{
	int s, fails, status = 0;
	size_t i, nj;
	double t;

	for (s = 1; s <= r->nstages; s++) {
		r->cur_stage = s;
		r->phase = "dry run";
		for (i = nj = 0; i < r->n; i++)
			if (r->o[i].stage == s && !sel_judgeable(&r->o[i]))
				nj++;
		t = now();
		fails = run_stage(r, s, M_DRY, sel_judgeable);
		say_phase(r, s, "dry run", t);
		if (fails) {
			progress(r, 1);
			report_failures(r, s);
			if (status == 0)
				status = fails < 0 ? EXIT_TIMEOUT : fail_status(r, s);
		}
		if (nj) {
			progress(r, 1);
			cli_warn("stage %d of %d: %zu object%s not judged (%s)", s,
			    r->nstages, nj, nj == 1 ? "" : "s",
			    "their kind or namespace comes from an earlier stage");
		}
	}
	progress(r, 1);
	put_results(r);
	return status;
}

static int
do_delete(struct run *r)
{
	int s, fails;
	double t;

	for (s = r->nstages; s >= 1; s--) {
		r->cur_stage = s;
		r->phase = "deleting";
		t = now();
		fails = run_stage(r, s, M_DELETE, sel_known);
		say_phase(r, s, "delete", t);
		if (fails != 0) {
			progress(r, 1);
			report_failures(r, s);
			return fails < 0 ? EXIT_TIMEOUT : fail_status(r, s);
		}
		r->phase = "waiting for deletion";
		t = now();
		fails = run_stage(r, s, M_GONE, sel_known);
		say_phase(r, s, "waiting until gone", t);
		if (fails != 0) {
			size_t i;
			progress(r, 1);
			for (i = 0; i < r->n; i++) {
				struct obj *o = &r->o[i];
				struct diag d;
				if (o->stage == s && o->st == O_FAIL) {
					obj_diag(o, &d, EXIT_TIMEOUT, o->status == 200 || o->status == 0 ?
					    "still there at the deadline" : o->msg);
					cli_diag(&d);
				}
			}
			return fails < 0 ? EXIT_TIMEOUT : EXIT_FAIL;
		}
	}
	progress(r, 1);
	return 0;
}

static void
free_run(struct run *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		struct obj *o = &r->o[i];
		doc_free(o->doc);
		doc_free(o->result);
		doc_free(o->live);
		free(o->input);
		free(o->ns);
		free(o->ident);
		free(o->plural);
		free(o->version);
		buf_release(&o->body);
	}
	free(r->o);
	kube_free(r->k);
}

/* ---------------------------------------------------------------- applyset */

/*
 * An ApplySet (KEP-3659) kept exactly as kubectl keeps it, so either tool
 * can take over a set the other made: a parent Secret or ConfigMap labelled
 * with the set's ID and annotated with the tool and the group-kinds and
 * namespaces of its members, each member labelled part-of the ID.  The
 * parent is widened to cover the stream before the first member is written
 * and narrowed to exactly the stream after the prune, so an interrupted run
 * leaves nothing that a later prune cannot find.
 */
#define AS_ID		"applyset.kubernetes.io/id"
#define AS_PART_OF	"applyset.kubernetes.io/part-of"
#define AS_TOOLING	"applyset.kubernetes.io/tooling"
#define AS_GKS		"applyset.kubernetes.io/contains-group-kinds"
#define AS_NSS		"applyset.kubernetes.io/additional-namespaces"
#define AS_MANAGER	MANAGER "-applyset"
#define AS_TOOL		MANAGER "/v" NINEC_VERSION

struct strs {
	char **v;
	size_t n;
};

struct applyset {
	const char *kind, *plural;	/* Secret, secrets or ConfigMap, configmaps */
	const char *name;
	char *ns;
	char id[96];
	char *path;			/* of the parent */
	int exists;
	int ns_stage;			/* the stage that creates its namespace, or 0 */
	struct strs gks, nss;		/* the live parent's; nss has its own */
	struct strs new_gks, new_nss;	/* the stream's */
};

static int
applyset_ns_stage(const struct applyset *as)
{
	return as->ns_stage;
}

static int
strs_has(const struct strs *s, const char *v)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], v) == 0)
			return 1;
	return 0;
}

static void
strs_add(struct strs *s, const char *v)
{
	if (*v == '\0' || strs_has(s, v))
		return;
	s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
	s->v[s->n++] = xstrdup(v);
}

static void
strs_split(struct strs *s, const char *list)
{
	const char *p = list, *c;

	while (p && *p) {
		char *one;
		c = strchr(p, ',');
		one = c ? xstrndup(p, (size_t)(c - p)) : xstrdup(p);
		strs_add(s, one);
		free(one);
		p = c ? c + 1 : NULL;
	}
}

static void
strs_free(struct strs *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted and comma-joined, without skip: how kubectl writes both lists. */
static char *
strs_join(const struct strs *a, const struct strs *b, const char *skip)
{
	struct strs u = { NULL, 0 };
	struct buf out = BUF_INIT;
	size_t i;

	for (i = 0; a && i < a->n; i++)
		strs_add(&u, a->v[i]);
	for (i = 0; b && i < b->n; i++)
		strs_add(&u, b->v[i]);
	if (u.n)
		qsort(u.v, u.n, sizeof *u.v, cmp_str);
	buf_adds(&out, "");
	for (i = 0; i < u.n; i++) {
		if (skip && strcmp(u.v[i], skip) == 0)
			continue;
		if (out.len)
			buf_addc(&out, ',');
		buf_adds(&out, u.v[i]);
	}
	strs_free(&u);
	return out.p;
}

/* [RESOURCE][.GROUP]/NAME as kubectl reads --applyset; 0 or -1. */
static int
applyset_parse(const char *arg, struct applyset *as)
{
	const char *slash = strchr(arg, '/');
	size_t rl = slash ? (size_t)(slash - arg) : 0;

	memset(as, 0, sizeof *as);
	as->kind = "Secret";
	as->plural = "secrets";
	as->name = slash ? slash + 1 : arg;
	if (slash && ((rl == 7 && !strncmp(arg, "secrets", rl)) ||
	    (rl == 6 && !strncmp(arg, "secret", rl))))
		;
	else if (slash && ((rl == 10 && !strncmp(arg, "configmaps", rl)) ||
	    (rl == 9 && !strncmp(arg, "configmap", rl)))) {
		as->kind = "ConfigMap";
		as->plural = "configmaps";
	} else if (slash)
		return -1;
	return *as->name && !strchr(as->name, '/') ? 0 : -1;
}

/* applyset-<base64url(sha256(<name>.<namespace>.<kind>.<group>))>-v1 */
static void
applyset_id(struct applyset *as)
{
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int hl = 0;
	char *gknn = xasprintf("%s.%s.%s.", as->name, as->ns, as->kind);
	struct buf b = BUF_INIT;

	EVP_Digest(gknn, strlen(gknn), h, &hl, EVP_sha256(), NULL);
	free(gknn);
	buf_adds(&b, "applyset-");
	b64_encode(&b, h, hl, b64_url, 0);
	buf_adds(&b, "-v1");
	snprintf(as->id, sizeof as->id, "%s", b.p);
	buf_release(&b);
}

static void
gk_of(const char *kind, const char *group, char *out, size_t n)
{
	if (*group)
		snprintf(out, n, "%s.%s", kind, group);
	else
		snprintf(out, n, "%s", kind);
}

/*
 * Labels every object part of the set and notes its group-kind and
 * namespace.  An object labelled part of another set is bad input.
 */
static int
applyset_label(struct run *r)
{
	struct applyset *as = r->as;
	struct diag d;
	size_t i;
	int bad = 0;

	for (i = 0; i < r->n; i++) {
		struct obj *o = &r->o[i];
		struct arena *a = &o->doc->arena;
		struct node *meta = node_get(o->doc->root, "metadata");
		struct node *labels = node_get(meta, "labels");
		const char *had = node_s(node_get(labels, AS_PART_OF));
		char gk[512];

		if (had && strcmp(had, as->id) != 0) {
			obj_diag(o, &d, EXIT_INPUT, "");
			diag_setpath(&d, "metadata.labels[\"" AS_PART_OF "\"]");
			diag_set(&d, EXIT_INPUT, "%s: part of another applyset (%s, not %s)",
			    o->ident, had, as->id);
			cli_diag(&d);
			bad = 1;
			continue;
		}
		if (labels == NULL || labels->type != NODE_MAP) {
			labels = node_map(a);
			node_map_set(a, meta, "labels", labels);
		}
		node_map_set(a, labels, AS_PART_OF, node_strz(a, as->id));
		buf_reset(&o->body);
		emit_json(&o->body, o->doc->root);
		gk_of(o->kind, o->group, gk, sizeof gk);
		strs_add(&as->new_gks, gk);
		if (o->ns)
			strs_add(&as->new_nss, o->ns);
	}
	return bad ? -1 : 0;
}

static void applyset_fail(const struct applyset *as, int status,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
applyset_fail(const struct applyset *as, int status, const char *fmt, ...)
{
	struct diag d;
	char msg[DIAG_MSG - 128];
	va_list ap;

	diag_clear(&d);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	diag_set(&d, status, "applyset %s/%s in %s: %s", as->plural, as->name,
	    as->ns, msg);
	cli_diag(&d);
}

/*
 * Reads the live parent: its members' group-kinds and namespaces.  A parent
 * of another tool, or with another set's ID, is refused, as kubectl refuses
 * it; a set kubectl made is taken over.  0, or an exit status.
 */
static int
applyset_fetch(struct run *r)
{
	struct applyset *as = r->as;
	struct kube_req rq = { "GET", NULL, NULL, NULL, NULL, 0 };
	struct kube_resp rs;
	struct doc *doc = NULL;
	const struct node *ann, *lab;
	const char *tool, *id, *gks;
	struct diag d;
	char msg[300];
	size_t i;
	int ret = 0;

	as->ns = xstrdup(kube_namespace(r->k));
	applyset_id(as);
	as->path = xasprintf("/api/v1/namespaces/%s/%s/%s", as->ns, as->plural,
	    as->name);
	rq.path = as->path;
	request_retry(r, &rq, &rs, 0);
	if (rs.status == 404) {
		struct buf p = BUF_INIT;
		kube_resp_release(&rs);
		buf_adds(&p, "/api/v1/namespaces/");
		kube_escape(&p, as->ns);
		rq.path = p.p;
		request_retry(r, &rq, &rs, 0);
		buf_release(&p);
		for (i = 0; rs.status == 404 && i < r->n; i++)
			if (strcmp(r->o[i].kind, "Namespace") == 0 && !*r->o[i].group &&
			    strcmp(r->o[i].name, as->ns) == 0)
				as->ns_stage = r->o[i].stage;
		if (rs.status == 404 && as->ns_stage == 0) {
			applyset_fail(as, EXIT_INPUT, "namespace %s does not exist and the stream does not create it",
			    as->ns);
			ret = EXIT_INPUT;
		} else if (rs.status != 200 && rs.status != 404)
			goto http;
		kube_resp_release(&rs);
		return ret;
	}
	if (rs.status != 200)
		goto http;
	if (kube_parse(&rs, &doc, &d) < 0) {
		cli_diag(&d);
		kube_resp_release(&rs);
		return EXIT_FAIL;
	}
	kube_resp_release(&rs);
	as->exists = 1;
	ann = node_at(doc->root, "metadata.annotations");
	lab = node_at(doc->root, "metadata.labels");
	tool = node_s(node_get(ann, AS_TOOLING));
	id = node_s(node_get(lab, AS_ID));
	gks = node_s(node_get(ann, AS_GKS));
	if (tool == NULL)
		applyset_fail(as, ret = EXIT_INPUT,
		    "exists without the annotation " AS_TOOLING);
	else if (strncmp(tool, MANAGER "/", sizeof MANAGER) != 0 &&
	    strncmp(tool, "kubectl/", 8) != 0)
		applyset_fail(as, ret = EXIT_INPUT,
		    "is managed by %s, not " MANAGER " or kubectl", tool);
	else if (id == NULL || strcmp(id, as->id) != 0)
		applyset_fail(as, ret = EXIT_INPUT,
		    "has label " AS_ID " %s, not %s", id ? id : "(none)", as->id);
	else if (gks == NULL)
		applyset_fail(as, ret = EXIT_INPUT,
		    "exists without the annotation " AS_GKS);
	else {
		strs_split(&as->gks, gks);
		strs_split(&as->nss, node_s(node_get(ann, AS_NSS)));
		strs_add(&as->nss, as->ns);
	}
	doc_free(doc);
	return ret;
http:
	kube_resp_message(&rs, msg, sizeof msg);
	diag_clear(&d);
	if (rs.status == 0 || rs.auth)
		diag_set(&d, EXIT_CONNECT, "%s: %s",
		    kube_config_server(kube_config_of(r->k)), msg);
	else
		diag_set(&d, rs.status == 403 ? EXIT_CONNECT : EXIT_FAIL,
		    "applyset %s/%s in %s: HTTP %ld: %s", as->plural, as->name,
		    as->ns, rs.status, msg);
	cli_diag(&d);
	kube_resp_release(&rs);
	return d.status;
}

/* Writes the parent: the live lists and the stream's (superset), or only
 * the stream's.  0, or an exit status. */
static int
applyset_write(struct run *r, int superset)
{
	struct applyset *as = r->as;
	struct kube_req rq = { "PATCH", NULL, "application/apply-patch+yaml",
	    NULL, NULL, 0 };
	struct kube_resp rs;
	struct buf body = BUF_INIT, path = BUF_INIT;
	char *gks = strs_join(&as->new_gks, superset ? &as->gks : NULL, NULL);
	char *nss = strs_join(&as->new_nss, superset ? &as->nss : NULL, as->ns);
	char msg[300];
	int ret = 0;

	buf_printf(&body, "{\"apiVersion\":\"v1\",\"kind\":\"%s\",\"metadata\":{\"name\":",
	    as->kind);
	emit_json_string(&body, as->name, strlen(as->name));
	buf_adds(&body, ",\"namespace\":");
	emit_json_string(&body, as->ns, strlen(as->ns));
	buf_printf(&body, ",\"labels\":{\"" AS_ID "\":\"%s\"},\"annotations\":{"
	    "\"" AS_TOOLING "\":\"" AS_TOOL "\",\"" AS_GKS "\":", as->id);
	emit_json_string(&body, gks, strlen(gks));
	buf_adds(&body, ",\"" AS_NSS "\":");
	emit_json_string(&body, nss, strlen(nss));
	buf_adds(&body, "}}}");
	/* The parent is ours once the checks passed: a field another tool's
	 * applyset manager owns (kubectl's) is taken, as kubectl takes it. */
	buf_printf(&path, "%s?fieldManager=" AS_MANAGER "&force=true", as->path);
	rq.path = path.p;
	rq.body = body.p;
	rq.body_len = body.len;
	request_retry(r, &rq, &rs, 0);
	if (rs.status < 200 || rs.status > 299) {
		kube_resp_message(&rs, msg, sizeof msg);
		applyset_fail(as, ret = rs.status == 0 || rs.auth ? EXIT_CONNECT : EXIT_FAIL,
		    "cannot be written: %s", msg);
	}
	kube_resp_release(&rs);
	buf_release(&body);
	buf_release(&path);
	free(gks);
	free(nss);
	return ret;
}

/* A list item as a document of its own, its type first: items have none. */
static struct doc *
item_doc(const char *group, const char *version, const char *kind,
    const struct node *it, int index)
{
	struct doc *od = doc_new("<cluster>", index);
	char *apiv = *group ? xasprintf("%s/%s", group, version) : xstrdup(version);
	size_t k;

	od->root = node_map(&od->arena);
	node_map_set(&od->arena, od->root, "apiVersion", node_strz(&od->arena, apiv));
	node_map_set(&od->arena, od->root, "kind", node_strz(&od->arena, kind));
	free(apiv);
	for (k = 0; it->type == NODE_MAP && k < it->len; k++)
		node_map_set(&od->arena, od->root, it->u.pairs[k].key->u.s,
		    node_copy(&od->arena, it->u.pairs[k].val));
	return od;
}

/*
 * Kinds whose Pods must be gone before a prune reports them gone (their
 * volumes and keys); anything else is deleted in the background, as
 * kubectl prunes, since every foreground deletion waits on the garbage
 * collector's own request rate.
 */
static int
workload(const char *group, const char *kind)
{
	static const char *const apps[] = { "Deployment", "StatefulSet",
	    "DaemonSet", "ReplicaSet" };
	size_t i;

	if (strcmp(group, "apps") == 0) {
		for (i = 0; i < sizeof apps / sizeof *apps; i++)
			if (strcmp(kind, apps[i]) == 0)
				return 1;
		return 0;
	}
	if (strcmp(group, "batch") == 0)
		return strcmp(kind, "Job") == 0 || strcmp(kind, "CronJob") == 0;
	return *group == '\0' && (strcmp(kind, "ReplicationController") == 0 ||
	    strcmp(kind, "Namespace") == 0);
}

/* An object's identity, in the order the prune's index sorts by. */
struct ident {
	const char *kind, *group, *ns, *name;
};

static int
cmp_ident(const struct ident *x, const struct obj *y)
{
	int c;

	if ((c = strcmp(x->kind, y->kind)) != 0 ||
	    (c = strcmp(x->group, y->group)) != 0 ||
	    (c = strcmp(x->ns ? x->ns : "", y->ns ? y->ns : "")) != 0)
		return c;
	return strcmp(x->name, y->name);
}

static int
cmp_key_obj(const void *k, const void *e)
{
	return cmp_ident(k, *(const struct obj *const *)e);
}

static int
cmp_obj_obj(const void *a, const void *b)
{
	const struct obj *x = *(const struct obj *const *)a;
	struct ident id = { x->kind, x->group, x->ns, x->name };

	return cmp_ident(&id, *(const struct obj *const *)b);
}

/* Is the listed object in the stream?  idx: the stream sorted by identity,
 * so a set of thousands is not scanned once per listed object. */
static int
in_stream(struct obj *const *idx, size_t n, const char *group,
    const char *kind, const char *ns, const char *name)
{
	struct ident key = { kind, group, ns, name };

	return bsearch(&key, idx, n, sizeof *idx, cmp_key_obj) != NULL;
}

/*
 * The set's objects that left the stream, into p (which shares r's client):
 * listed by label for each group-kind and namespace the live parent names,
 * and kept only if their label holds exactly this set's ID.  0 or a status.
 */
static int
applyset_orphans(struct run *r, struct run *p)
{
	struct applyset *as = r->as;
	const struct kube_resource **res = NULL;
	struct kube_req *rq = NULL;
	struct kube_resp *rs;
	struct obj **idx;
	struct buf sel = BUF_INIT;
	size_t nq = 0, i, j;
	int ret = 0;

	memset(p, 0, sizeof *p);
	p->k = r->k;
	p->jobs = r->jobs;
	p->deadline = r->deadline;
	p->verbose = r->verbose;
	if (!as->exists)
		return 0;
	buf_adds(&sel, "?labelSelector=");
	kube_escape(&sel, AS_PART_OF "=");
	kube_escape(&sel, as->id);
	for (i = 0; i < as->gks.n; i++) {
		char *dot = strchr(as->gks.v[i], '.');
		char *kind = dot ? xstrndup(as->gks.v[i], (size_t)(dot - as->gks.v[i])) :
		    xstrdup(as->gks.v[i]);
		const struct kube_resource *kr;
		/* A kind the cluster no longer serves has no objects left. */
		if (kube_lookup_kind(r->k, dot ? dot + 1 : "", kind, &kr)) {
			for (j = 0; j < (kr->namespaced ? as->nss.n : 1); j++) {
				char *path = kube_path(kr, kr->namespaced ? as->nss.v[j] : NULL, NULL);
				rq = xrealloc(rq, (nq + 1) * sizeof *rq);
				res = xrealloc(res, (nq + 1) * sizeof *res);
				memset(&rq[nq], 0, sizeof *rq);
				rq[nq].method = "GET";
				rq[nq].path = xasprintf("%s%s", path, sel.p);
				res[nq++] = kr;
				free(path);
			}
		}
		free(kind);
	}
	buf_release(&sel);
	idx = xcalloc(r->n + 1, sizeof *idx);
	for (i = 0; i < r->n; i++)
		idx[i] = &r->o[i];
	qsort(idx, r->n, sizeof *idx, cmp_obj_obj);
	rs = xcalloc(nq + 1, sizeof *rs);
	kube_batch(r->k, rq, rs, nq, r->jobs);
	for (i = 0; i < nq; i++)
		request_retry(r, &rq[i], &rs[i], 1);
	for (i = 0; i < nq; i++) {
		const struct kube_resource *kr = res[i];
		struct doc *list = NULL;
		const struct node *items;
		struct diag d;
		char msg[300];

		if (rs[i].status == 404)
			continue;	/* its namespace is gone, and with it the objects */
		if (rs[i].status != 200 || kube_parse(&rs[i], &list, &d) < 0) {
			kube_resp_message(&rs[i], msg, sizeof msg);
			diag_clear(&d);
			diag_set(&d, rs[i].status == 0 || rs[i].auth ? EXIT_CONNECT : EXIT_FAIL,
			    "applyset %s/%s in %s: listing %s: HTTP %ld: %s", as->plural,
			    as->name, as->ns, kr->plural, rs[i].status, msg);
			cli_diag(&d);
			if (ret == 0)
				ret = d.status;
			continue;
		}
		items = node_get(list->root, "items");
		for (j = 0; items && items->type == NODE_SEQ && j < items->len; j++) {
			const struct node *it = items->u.items[j];
			const char *name = node_at_s(it, "metadata.name");
			const char *ns = node_at_s(it, "metadata.namespace");
			const char *lv = node_s(node_get(node_at(it, "metadata.labels"),
			    AS_PART_OF));
			struct doc *od;
			struct obj *o;

			if (name == NULL || lv == NULL || strcmp(lv, as->id) != 0 ||
			    in_stream(idx, r->n, kr->group, kr->kind, ns, name))
				continue;
			od = item_doc(kr->group, kr->version, kr->kind, it, (int)p->n + 1);
			take(od, p, &d);
			o = &p->o[p->n - 1];
			o->apiv = node_at_s(od->root, "apiVersion");
			o->kind = node_at_s(od->root, "kind");
			o->name = node_at_s(od->root, "metadata.name");
			snprintf(o->group, sizeof o->group, "%s", kr->group);
			o->version = xstrdup(kr->version);
			o->plural = xstrdup(kr->plural);
			o->namespaced = kr->namespaced;
			o->known = 1;
			o->background = !workload(kr->group, kr->kind);
			o->ns = kr->namespaced && ns ? xstrdup(ns) : NULL;
			o->ident = o->ns ? xasprintf("%s %s/%s", o->kind, o->ns, o->name) :
			    xasprintf("%s %s", o->kind, o->name);
		}
		doc_free(list);
	}
	for (i = 0; i < nq; i++) {
		kube_resp_release(&rs[i]);
		free((char *)rq[i].path);
	}
	free(rq);
	free(rs);
	free(res);
	free(idx);
	if (ret == 0 && p->n && compute_stages(p) < 0)
		ret = EXIT_FAIL;
	return ret;
}

/* After the last stage: the orphans go, last stage first; then the parent
 * names exactly the stream.  0 or an exit status. */
static int
applyset_prune(struct run *r)
{
	struct run p;
	size_t i;
	int status;
	double t = now();

	r->phase = "pruning";
	status = applyset_orphans(r, &p);
	if (status == 0 && r->dry) {
		for (i = 0; i < p.n; i++)
			cli_warn("would prune %s", p.o[i].ident);
	} else if (status == 0) {
		p.total = p.n;
		status = do_delete(&p);
		if (status == 0 && r->verbose) {
			int s;
			/* In the order they went: last stage first. */
			for (s = p.nstages; s >= 1; s--)
				for (i = 0; i < p.n; i++)
					if (p.o[i].stage == s)
						cli_warn("pruned %s", p.o[i].ident);
			cli_warn("prune (%zu object%s): %.2f s", p.n,
			    p.n == 1 ? "" : "s", now() - t);
		}
		if (status == 0)
			status = applyset_write(r, 0);
	}
	p.k = NULL;
	free_run(&p);
	return status;
}

static void
applyset_free(struct applyset *as)
{
	if (as == NULL)
		return;
	free(as->ns);
	free(as->path);
	strs_free(&as->gks);
	strs_free(&as->nss);
	strs_free(&as->new_gks);
	strs_free(&as->new_nss);
}

/* ---------------------------------------------------------------- diff */

/*
 * --diff: what an apply would change, as kubectl diff shows it, with the
 * fields only the server writes left out so that an unchanged stream shows
 * nothing.
 */
static void
diff_clean(struct node *root)
{
	static const char *const noise[] = { "managedFields", "resourceVersion",
	    "generation", "uid", "creationTimestamp", "selfLink" };
	struct node *meta = node_get(root, "metadata");
	size_t i;

	for (i = 0; i < sizeof noise / sizeof *noise; i++)
		node_map_del(meta, noise[i]);
	node_map_del(root, "status");
}

static int
cmp_pair_key(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	size_t n = x->key->len < y->key->len ? x->key->len : y->key->len;
	int c = memcmp(x->key->u.s, y->key->u.s, n);

	return c ? c : (x->key->len > y->key->len) - (x->key->len < y->key->len);
}

/* Keys in byte order at every level, as kubectl diff writes them: the
 * server's order differs between a GET, a LIST item and a dry run. */
static void
sort_keys(struct node *n)
{
	size_t i;

	if (n == NULL)
		return;
	if (n->type == NODE_SEQ)
		for (i = 0; i < n->len; i++)
			sort_keys(n->u.items[i]);
	if (n->type != NODE_MAP || n->len == 0)
		return;
	qsort(n->u.pairs, n->len, sizeof *n->u.pairs, cmp_pair_key);
	for (i = 0; i < n->len; i++)
		sort_keys(n->u.pairs[i].val);
}

/* kubectl diff's masking: a value shows only whether it changed. */
static void
mask_map(struct arena *fa, struct node *from, struct arena *ta, struct node *to)
{
	size_t i;

	for (i = 0; from && from->type == NODE_MAP && i < from->len; i++) {
		struct pair *pr = &from->u.pairs[i];
		struct node *tv = to && to->type == NODE_MAP ?
		    node_getn(to, pr->key->u.s, pr->key->len) : NULL;
		if (tv == NULL)
			pr->val = node_strz(fa, "***");
		else if (node_equal(pr->val, tv)) {
			pr->val = node_strz(fa, "***");
			node_map_setn(ta, to, pr->key->u.s, pr->key->len, node_strz(ta, "***"));
		} else {
			pr->val = node_strz(fa, "*** (before)");
			node_map_setn(ta, to, pr->key->u.s, pr->key->len,
			    node_strz(ta, "*** (after)"));
		}
	}
	for (i = 0; to && to->type == NODE_MAP && i < to->len; i++) {
		struct pair *pr = &to->u.pairs[i];
		if (!(from && from->type == NODE_MAP &&
		    node_getn(from, pr->key->u.s, pr->key->len)))
			pr->val = node_strz(ta, "***");
	}
}

static void
mask_secret(struct doc *from, struct doc *to)
{
	static const char *const fields[] = { "data", "stringData" };
	static const char lac[] = "kubectl.kubernetes.io/last-applied-configuration";
	struct node *fr = from ? from->root : NULL, *tr = to ? to->root : NULL;
	struct node *fa, *ta;
	size_t i;

	for (i = 0; i < 2; i++)
		mask_map(from ? &from->arena : NULL, node_get(fr, fields[i]),
		    to ? &to->arena : NULL, node_get(tr, fields[i]));
	/* kubectl's client-side apply keeps the data there too. */
	fa = node_at(fr, "metadata.annotations");
	ta = node_at(tr, "metadata.annotations");
	if (node_get(fa, lac))
		node_map_set(&from->arena, fa, lac, node_strz(&from->arena, "***"));
	if (node_get(ta, lac))
		node_map_set(&to->arena, ta, lac, node_strz(&to->arena, "***"));
}

struct lines {
	const char **p;
	size_t *len;
	size_t n;
};

static void
split_lines(const struct buf *b, struct lines *l)
{
	size_t i, start = 0;

	memset(l, 0, sizeof *l);
	for (i = 0; i < b->len; i++)
		if (b->p[i] == '\n') {
			l->p = xrealloc(l->p, (l->n + 1) * sizeof *l->p);
			l->len = xrealloc(l->len, (l->n + 1) * sizeof *l->len);
			l->p[l->n] = b->p + start;
			l->len[l->n++] = i - start;
			start = i + 1;
		}
}

static int
line_eq(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && memcmp(a->p[i], b->p[j], a->len[i]) == 0;
}

/*
 * The edit script from a to b as '=', '-' and '+': common ends trimmed,
 * the middle by longest common subsequence while its table stays small
 * (16 MiB), else all of it replaced, which is still a correct diff.
 */
static char *
edit_script(const struct lines *a, const struct lines *b, size_t *nops)
{
	size_t pre = 0, suf = 0, ma, mb, i, j, n = 0;
	char *ops = xmalloc(a->n + b->n + 1);

	while (pre < a->n && pre < b->n && line_eq(a, pre, b, pre))
		pre++;
	while (suf < a->n - pre && suf < b->n - pre &&
	    line_eq(a, a->n - 1 - suf, b, b->n - 1 - suf))
		suf++;
	ma = a->n - pre - suf;
	mb = b->n - pre - suf;
	memset(ops, '=', pre);
	n = pre;
	if (ma && mb && (ma + 1) * (mb + 1) <= 4u << 20) {
		unsigned *t = xcalloc((ma + 1) * (mb + 1), sizeof *t);
#define T(x, y) t[(x) * (mb + 1) + (y)]
		for (i = ma; i-- > 0;)
			for (j = mb; j-- > 0;)
				T(i, j) = line_eq(a, pre + i, b, pre + j) ? T(i + 1, j + 1) + 1 :
				    T(i + 1, j) >= T(i, j + 1) ? T(i + 1, j) : T(i, j + 1);
		i = j = 0;
		while (i < ma || j < mb) {
			if (i < ma && j < mb && line_eq(a, pre + i, b, pre + j)) {
				ops[n++] = '=';
				i++, j++;
			} else if (i < ma && (j == mb || T(i + 1, j) >= T(i, j + 1))) {
				ops[n++] = '-';
				i++;
			} else {
				ops[n++] = '+';
				j++;
			}
		}
#undef T
		free(t);
	} else {
		memset(ops + n, '-', ma);
		n += ma;
		memset(ops + n, '+', mb);
		n += mb;
	}
	memset(ops + n, '=', suf);
	n += suf;
	*nops = n;
	return ops;
}

static void
hunk_range(struct buf *out, size_t start, size_t count)
{
	if (count == 1)
		buf_printf(out, "%zu", start);
	else
		buf_printf(out, "%zu,%zu", start, count);
}

/* Unified diff with three lines of context, as diff -u writes it. */
static void
unified(struct buf *out, const char *label, const struct buf *from,
    const struct buf *to)
{
	struct lines a, b;
	size_t nops, i, k;
	char *ops;

	split_lines(from, &a);
	split_lines(to, &b);
	ops = edit_script(&a, &b, &nops);
	buf_printf(out, "--- live/%s\n+++ merged/%s\n", label, label);
	for (i = 0; i < nops;) {
		size_t s, e, ai = 0, bi = 0, na = 0, nb = 0, gap;
		if (ops[i] == '=') {
			i++;
			continue;
		}
		s = i > 3 ? i - 3 : 0;
		/* Extend over changes less than seven lines apart. */
		for (e = i; e < nops;) {
			if (ops[e] != '=') {
				e++;
				continue;
			}
			for (gap = 0; e + gap < nops && ops[e + gap] == '='; gap++)
				;
			if (e + gap == nops || gap > 6) {
				e += gap < 3 ? gap : 3;
				break;
			}
			e += gap;
		}
		for (k = 0; k < s; k++) {
			ai += ops[k] != '+';
			bi += ops[k] != '-';
		}
		for (k = s; k < e; k++) {
			na += ops[k] != '+';
			nb += ops[k] != '-';
		}
		buf_adds(out, "@@ -");
		hunk_range(out, na ? ai + 1 : ai, na);
		buf_adds(out, " +");
		hunk_range(out, nb ? bi + 1 : bi, nb);
		buf_adds(out, " @@\n");
		for (k = s; k < e; k++) {
			buf_addc(out, ops[k] == '=' ? ' ' : ops[k]);
			if (ops[k] == '+') {
				buf_add(out, b.p[bi], b.len[bi]);
				bi++;
			} else {
				buf_add(out, a.p[ai], a.len[ai]);
				ai++;
				bi += ops[k] == '=';
			}
			buf_addc(out, '\n');
		}
		i = e;
	}
	free(ops);
	free(a.p);
	free(a.len);
	free(b.p);
	free(b.len);
}

/* kubectl diff's file name: group.version.Kind.namespace.name */
static char *
diff_label(const struct obj *o)
{
	struct buf b = BUF_INIT;

	if (*o->group)
		buf_printf(&b, "%s.", o->group);
	buf_printf(&b, "%s.%s.", o->version, o->kind);
	if (o->ns)
		buf_printf(&b, "%s.", o->ns);
	buf_adds(&b, o->name);
	return b.p;
}

/*
 * KUBECTL_EXTERNAL_DIFF, as kubectl diff runs it: the program (words split
 * on white space) gets two directories, live/ and merged/, one file per
 * object that differs, in a private temporary directory removed after.
 */
struct ext_diff {
	char dir[4096];
	struct strs files;
};

static int
ext_write(struct ext_diff *x, const char *side, const char *label,
    const struct buf *b)
{
	char *path = xasprintf("%s/%s/%s", x->dir, side, label);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600), ok;

	ok = fd >= 0 && write(fd, b->p, b->len) == (ssize_t)b->len;
	if (fd >= 0)
		close(fd);
	if (fd >= 0)
		strs_add(&x->files, path);
	if (!ok)
		cli_warn("%s: cannot write", path);
	free(path);
	return ok ? 0 : -1;
}

static int
ext_open(struct ext_diff *x)
{
	const char *tmp = getenv("TMPDIR");
	char *side;
	int ok;

	memset(x, 0, sizeof *x);
	snprintf(x->dir, sizeof x->dir, "%s/9c-kapply-diff-XXXXXX",
	    tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(x->dir) == NULL) {
		cli_warn("%s: cannot make the directory", x->dir);
		return -1;
	}
	side = xasprintf("%s/live", x->dir);
	ok = mkdir(side, 0700) == 0;
	free(side);
	side = xasprintf("%s/merged", x->dir);
	ok = ok && mkdir(side, 0700) == 0;
	free(side);
	return ok ? 0 : -1;
}

#define EXIT_INTERNAL 70

/* Runs the program: its exit status (127: it could not be started), or
 * EXIT_INTERNAL. */
static int
ext_run(struct ext_diff *x, const char *cmd)
{
	char *words = xstrdup(cmd), *w, *save = NULL;
	char **argv = NULL, *live, *merged;
	size_t n = 0;
	int st = EXIT_INTERNAL, ws;
	pid_t pid;

	for (w = strtok_r(words, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		argv = xrealloc(argv, (n + 4) * sizeof *argv);
		argv[n++] = w;
	}
	if (n == 0) {
		free(words);
		return EXIT_INTERNAL;
	}
	live = xasprintf("%s/live", x->dir);
	merged = xasprintf("%s/merged", x->dir);
	argv[n++] = live;
	argv[n++] = merged;
	argv[n] = NULL;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid > 0 && waitpid(pid, &ws, 0) == pid)
		st = WIFEXITED(ws) ? WEXITSTATUS(ws) : EXIT_INTERNAL;
	if (st > 1)
		cli_warn("KUBECTL_EXTERNAL_DIFF: %s: exit status %d", argv[0], st);
	free(live);
	free(merged);
	free(argv);
	free(words);
	return st;
}

static void
ext_close(struct ext_diff *x)
{
	char *side;
	size_t i;

	for (i = 0; i < x->files.n; i++)
		unlink(x->files.v[i]);
	strs_free(&x->files);
	side = xasprintf("%s/live", x->dir);
	rmdir(side);
	free(side);
	side = xasprintf("%s/merged", x->dir);
	rmdir(side);
	free(side);
	rmdir(x->dir);
}

/*
 * One object's diff into out, or into x's files; 1 if it differs, -1 if a
 * file could not be written.  from or to may be NULL.
 */
static int
diff_one(struct buf *out, struct ext_diff *x, const struct obj *o,
    struct doc *from, struct doc *to)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	char *label;
	int differs;

	if (from)
		diff_clean(from->root);
	if (to)
		diff_clean(to->root);
	if (strcmp(o->kind, "Secret") == 0 && o->group[0] == '\0')
		mask_secret(from, to);
	if (from)
		sort_keys(from->root);
	if (to)
		sort_keys(to->root);
	buf_adds(&a, "");
	buf_adds(&b, "");
	if (from)
		emit_yaml(&a, from->root);
	if (to)
		emit_yaml(&b, to->root);
	differs = a.len != b.len || memcmp(a.p, b.p, a.len) != 0;
	if (differs) {
		label = diff_label(o);
		if (x == NULL)
			unified(out, label, &a, &b);
		else if ((from && ext_write(x, "live", label, &a) < 0) ||
		    (to && ext_write(x, "merged", label, &b) < 0))
			differs = -1;
		free(label);
	}
	buf_release(&a);
	buf_release(&b);
	return differs;
}

/* A copy of the input as the server would first store it. */
static struct doc *
doc_dup(const struct doc *d)
{
	struct doc *c = doc_new(d->input, d->index);

	c->root = node_copy(&c->arena, d->root);
	return c;
}

#define DIFF_LIST_MIN 16

/*
 * The live objects of each kind and namespace with many objects in the
 * stream come from one LIST instead of a GET each: cheaper for the server.
 * A LIST that fails leaves its objects to their GETs.
 */
static void
diff_list_live(struct run *r, int s)
{
	struct kube_req *rq = NULL;
	struct kube_resp *rs;
	size_t *first = NULL, nq = 0, i, j, k;

	for (i = 0; i < r->n; i++) {
		struct obj *o = &r->o[i];
		size_t same = 0;
		if (o->stage != s || !sel_judgeable(o) || o->listed)
			continue;
		for (j = 0; j < i; j++)
			if (r->o[j].stage == s && sel_judgeable(&r->o[j]) &&
			    strcmp(r->o[j].plural, o->plural) == 0 &&
			    strcmp(r->o[j].group, o->group) == 0 &&
			    strcmp(r->o[j].version, o->version) == 0 &&
			    strcmp(r->o[j].ns ? r->o[j].ns : "", o->ns ? o->ns : "") == 0)
				break;
		if (j < i)
			continue;	/* not the first of its kind and namespace */
		for (j = i; j < r->n; j++)
			same += r->o[j].stage == s && sel_judgeable(&r->o[j]) &&
			    strcmp(r->o[j].plural, o->plural) == 0 &&
			    strcmp(r->o[j].group, o->group) == 0 &&
			    strcmp(r->o[j].version, o->version) == 0 &&
			    strcmp(r->o[j].ns ? r->o[j].ns : "", o->ns ? o->ns : "") == 0;
		if (same < DIFF_LIST_MIN)
			continue;
		{
			struct kube_resource res = { o->group, o->version, o->kind,
			    o->plural, o->namespaced, 0 };
			rq = xrealloc(rq, (nq + 1) * sizeof *rq);
			first = xrealloc(first, (nq + 1) * sizeof *first);
			memset(&rq[nq], 0, sizeof *rq);
			rq[nq].method = "GET";
			rq[nq].path = kube_path(&res, o->ns, NULL);
			first[nq++] = i;
		}
	}
	rs = xcalloc(nq + 1, sizeof *rs);
	kube_batch(r->k, rq, rs, nq, r->jobs);
	for (k = 0; k < nq; k++) {
		const struct obj *f = &r->o[first[k]];
		struct doc *list = NULL;
		const struct node *items;
		struct diag d;

		if (rs[k].status != 200 || kube_parse(&rs[k], &list, &d) < 0) {
			kube_resp_release(&rs[k]);
			continue;
		}
		for (i = first[k]; i < r->n; i++) {
			struct obj *o = &r->o[i];
			if (o->stage == s && sel_judgeable(o) &&
			    strcmp(o->plural, f->plural) == 0 &&
			    strcmp(o->group, f->group) == 0 &&
			    strcmp(o->version, f->version) == 0 &&
			    strcmp(o->ns ? o->ns : "", f->ns ? f->ns : "") == 0)
				o->listed = 1;	/* absent from the list: new */
		}
		items = node_get(list->root, "items");
		for (j = 0; items && items->type == NODE_SEQ && j < items->len; j++) {
			const char *name = node_at_s(items->u.items[j], "metadata.name");
			for (i = first[k]; name && i < r->n; i++) {
				struct obj *o = &r->o[i];
				if (o->listed && o->live == NULL && o->stage == s &&
				    strcmp(o->name, name) == 0 &&
				    strcmp(o->plural, f->plural) == 0 &&
				    strcmp(o->group, f->group) == 0 &&
				    strcmp(o->ns ? o->ns : "", f->ns ? f->ns : "") == 0) {
					o->live = item_doc(o->group, o->version, o->kind,
					    items->u.items[j], o->docno);
					break;
				}
			}
		}
		doc_free(list);
		kube_resp_release(&rs[k]);
	}
	for (k = 0; k < nq; k++)
		free((char *)rq[k].path);
	free(rq);
	free(rs);
	free(first);
}

static int
sel_unlisted(const struct obj *o)
{
	return sel_judgeable(o) && !o->listed;
}

static int
do_diff(struct run *r)
{
	struct buf out = BUF_INIT;
	struct run p;
	struct ext_diff x;
	const char *ext = getenv("KUBECTL_EXTERNAL_DIFF");
	int s, fails, status = 0, differs = 0;
	size_t i;
	double t;

	r->dry = 1;
	for (s = 1; s <= r->nstages; s++) {
		r->cur_stage = s;
		r->phase = "dry run";
		t = now();
		/* With --delete only the live state counts: nothing is merged. */
		fails = r->del ? 0 : run_stage(r, s, M_DRY, sel_judgeable);
		if (!r->del)
			say_phase(r, s, "dry run", t);
		if (fails == 0) {
			t = now();
			diff_list_live(r, s);
			fails = run_stage(r, s, M_GET, sel_unlisted);
			say_phase(r, s, "live state", t);
		}
		if (fails) {
			progress(r, 1);
			report_failures(r, s);
			if (status == 0)
				status = fails < 0 ? EXIT_TIMEOUT :
				    fail_status(r, s) == EXIT_CONNECT ? EXIT_CONNECT : EXIT_INPUT;
		}
	}
	progress(r, 1);
	if (status)
		return status;
	memset(&p, 0, sizeof p);
	if (r->as && r->prune && (status = applyset_orphans(r, &p)) != 0) {
		p.k = NULL;
		free_run(&p);
		/* 1 would say "differences": a refused LIST is an error. */
		return status == EXIT_FAIL ? EXIT_INPUT : status;
	}
	if (ext && *ext && ext_open(&x) < 0) {
		ext_close(&x);
		p.k = NULL;
		free_run(&p);
		return EXIT_INTERNAL;
	}
	buf_adds(&out, "");
	for (i = 0; i < r->n + p.n && differs >= 0; i++) {
		struct obj *o = i < r->n ? &r->o[i] : &p.o[i - r->n];
		int d1;
		/* Its kind or namespace is not there yet: all of it is new. */
		if (i >= r->n || (r->del && o->live))
			d1 = diff_one(&out, ext && *ext ? &x : NULL, o,
			    i >= r->n ? o->doc : o->live, NULL);
		else if (r->del)
			d1 = 0;	/* already gone, or its namespace is */
		else if (!sel_judgeable(o)) {
			doc_free(o->result);
			o->result = doc_dup(o->doc);
			d1 = diff_one(&out, ext && *ext ? &x : NULL, o, NULL, o->result);
		} else
			d1 = diff_one(&out, ext && *ext ? &x : NULL, o, o->live, o->result);
		differs = d1 < 0 ? -1 : differs | d1;
	}
	p.k = NULL;
	free_run(&p);
	if (ext && *ext) {
		status = differs < 0 ? EXIT_INTERNAL : ext_run(&x, ext);
		ext_close(&x);
		buf_release(&out);
		return status;
	}
	cli_put(out.p, out.len);
	buf_release(&out);
	return differs;
}

static int
connect_and_check(struct run *r, const struct kube_config_opts *ko)
{
	struct kube_config *cfg;
	struct diag d;
	int rc;

	diag_clear(&d);
	if (kube_config_load(&cfg, ko, &d) < 0) {
		cli_diag(&d);
		return d.status ? d.status : EXIT_INPUT;
	}
	/* -t bounds everything, the credential plugin included. */
	kube_config_set_deadline(cfg, r->deadline - now());
	if ((r->k = kube_new(cfg, &d)) == NULL) {
		cli_diag(&d);
		return d.status ? d.status : EXIT_CONNECT;
	}
	kube_set_timeout(r->k, 60);
	if (kube_discovery_refresh(r->k, &d) < 0) {
		cli_diag(&d);
		return d.status ? d.status : EXIT_CONNECT;
	}
	if ((rc = resolve_kinds(r, r->del)) < 0)
		return rc == -2 ? EXIT_CONNECT : EXIT_INPUT;
	place(r, kube_namespace(r->k));
	if (compute_stages(r) < 0)
		return EXIT_INPUT;
	if ((rc = check_namespaces(r)) < 0)
		return rc == -2 ? r->exit_hint : EXIT_INPUT;
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "context", required_argument, NULL, 'C' },
		{ "applyset", required_argument, NULL, 'A' },
		{ "delete", no_argument, NULL, 'D' },
		{ "diff", no_argument, NULL, 'F' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "force-conflicts", no_argument, NULL, 'f' },
		{ "kubeconfig", required_argument, NULL, 'K' },
		{ "namespace", required_argument, NULL, 'n' },
		{ "prune", no_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct run r;
	struct applyset as;
	const char *applyset = NULL;
	struct kube_config_opts ko = { NULL, NULL, NULL };
	struct diag d;
	char *end;
	int c, status;
	long v;
	double t;

	cli_init(argc, argv, usage);
	memset(&r, 0, sizeof r);
	r.jobs = 32;
	r.timeout = 300;
	r.fmt = EMIT_YAML;
	while ((c = getopt_long(argc, argv, "hj:n:o:qt:v", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_usage(usage, 0);
			exit(0);
		case 'C':
			ko.context = optarg;
			break;
		case 'A':
			applyset = optarg;
			break;
		case 'D':
			r.del = 1;
			break;
		case 'F':
			r.diff = 1;
			break;
		case 'P':
			r.prune = 1;
			break;
		case 'd':
			r.dry = 1;
			break;
		case 'f':
			r.force = 1;
			break;
		case 'K':
			ko.kubeconfig = optarg;
			break;
		case 'j':
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || v < 1 || v > KUBE_MAX_STREAMS)
				cli_misuse(usage, "-j: expected 1 to %d, got %s",
				    KUBE_MAX_STREAMS, optarg);
			r.jobs = (int)v;
			break;
		case 'n':
			if (*optarg == '\0')
				cli_misuse(usage, "-n: empty namespace");
			ko.namespace = optarg;
			break;
		case 'o':
			if (cli_format(optarg, &r.fmt) < 0)
				cli_misuse(usage, "-o: unknown format %s (use yaml or json)", optarg);
			break;
		case 'q':
			r.quiet = 1;
			break;
		case 'v':
			r.verbose = 1;
			break;
		case 't':
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || v < 1 || v > 86400)
				cli_misuse(usage, "-t: expected seconds from 1 to 86400, got %s", optarg);
			r.timeout = v;
			break;
		default:
			cli_misuse(usage, NULL);
		}
	}
	if (r.del && r.dry)
		cli_misuse(usage, "--delete and --dry-run exclude each other");
	if (r.prune && !applyset)
		cli_misuse(usage, "--prune requires --applyset");
	if (applyset && r.del)
		cli_misuse(usage, "--applyset and --delete exclude each other");
	if (applyset && applyset_parse(applyset, &as) < 0)
		cli_misuse(usage, "--applyset: expected [secrets/ or configmaps/]name, got %s",
		    applyset);
	if (applyset)
		r.as = &as;
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	r.deadline = now() + (double)r.timeout;
	r.progress = !r.quiet && isatty(2);
	if (cli_each_doc(argc - optind, argv + optind, take, &r, &d) < 0) {
		cli_diag(&d);
		free_run(&r);
		cli_exit(d.status ? d.status : EXIT_INPUT);
	}
	if (check_structure(&r) < 0) {
		free_run(&r);
		cli_exit(EXIT_INPUT);
	}
	if (r.n == 0) {
		free_run(&r);
		cli_exit(0);
	}
	t = now();
	if ((status = connect_and_check(&r, &ko)) != 0 ||
	    (r.as && ((status = applyset_fetch(&r)) != 0 ||
	    (applyset_label(&r) < 0 && (status = EXIT_INPUT) != 0)))) {
		applyset_free(r.as);
		free_run(&r);
		cli_exit(r.diff && status == EXIT_FAIL ? EXIT_INPUT : status);
	}
	if (r.verbose)
		cli_warn("%zu object%s in %d stage%s; discovery and checks: %.2f s",
		    r.n, r.n == 1 ? "" : "s", r.nstages, r.nstages == 1 ? "" : "s",
		    now() - t);
	r.total = r.n;
	if (r.del && !r.diff)
		status = do_delete(&r);
	else if (r.diff)
		status = do_diff(&r);
	else if (r.dry)
		status = do_dry_run(&r);
	else
		status = do_apply(&r);
	if (status == 0 && r.as && r.prune && !r.diff)
		status = applyset_prune(&r);
	applyset_free(r.as);
	if (r.verbose)
		cli_warn("%lu request%s, %zu sent again, %zu of them after 429 Too Many Requests",
		    kube_requests(r.k), kube_requests(r.k) == 1 ? "" : "s",
		    r.retried, r.throttled);
	free_run(&r);
	cli_exit(status);
}
