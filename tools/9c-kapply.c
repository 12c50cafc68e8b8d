/*
 * 9c-kapply - server-side apply a manifest stream in one pass: stage by
 * stage, each stage dry-run first, with gates between the stages.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "kube.h"
#include "order.h"
#include "ready.h"

static const char usage[] =
    "9c-kapply [-qv] [--delete | --dry-run] [--force-conflicts] [-j jobs] "
    "[-n namespace] [-o format] [-t seconds] [--context name] "
    "[--kubeconfig file] [file ...]";

#define MANAGER "9c-kapply"
#define MAX_ATTEMPTS 8

enum ostate { O_TODO, O_FLIGHT, O_DONE, O_FAIL };
enum mode { M_DRY, M_APPLY, M_DELETE, M_GONE };

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
	char *plural;
	char *version;
	struct buf body;
	struct doc *result;
	enum ostate st;
	int attempts;
	double next_at;
	long status;
	int fail_exit;
	char msg[DIAG_MSG - 64];
};

struct run {
	struct kube *k;
	struct obj *o;
	size_t n, cap;
	int nstages;
	int jobs, quiet, force, dry, del, progress, verbose;
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
	else
		ok = rs->status >= 200 && rs->status < 300;
	if (ok) {
		o->st = O_DONE;
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
		/* Still there: look again soon. */
		o->st = O_TODO;
		o->attempts = 0;
		o->next_at = now() + 0.25;
		kube_resp_release(rs);
		return;
	}
	o->status = rs->status;
	kube_resp_message(rs, o->msg, sizeof o->msg);
	o->fail_exit = rs->status == 0 || rs->auth ? EXIT_CONNECT : EXIT_FAIL;
	if (retryable(o, rs, f->m) && o->attempts < MAX_ATTEMPTS) {
		double delay = 0.2 * pow(2, o->attempts - 1);
		if (delay > 5)
			delay = 5;
		delay *= 0.5 + (random() % 1000) / 2000.0;
		/* The server's wait, plus the jittered backoff on top: every
		 * request refused in one burst gets the same Retry-After, and
		 * coming back all at once would be refused again. */
		if (rs->retry_after >= 0)
			delay += rs->retry_after > 30 ? 30 : (double)rs->retry_after;
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
		rq.body = delopts;
		rq.body_len = sizeof delopts - 1;
		break;
	case M_GONE:
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
		r->phase = "applying";
		t = now();
		fails = run_stage(r, s, M_APPLY, sel_all);
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
		{ "delete", no_argument, NULL, 'D' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "force-conflicts", no_argument, NULL, 'f' },
		{ "kubeconfig", required_argument, NULL, 'K' },
		{ "namespace", required_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct run r;
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
		case 'D':
			r.del = 1;
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
	if ((status = connect_and_check(&r, &ko)) != 0) {
		free_run(&r);
		cli_exit(status);
	}
	if (r.verbose)
		cli_warn("%zu object%s in %d stage%s; discovery and checks: %.2f s",
		    r.n, r.n == 1 ? "" : "s", r.nstages, r.nstages == 1 ? "" : "s",
		    now() - t);
	r.total = r.n;
	if (r.del)
		status = do_delete(&r);
	else if (r.dry)
		status = do_dry_run(&r);
	else
		status = do_apply(&r);
	if (r.verbose)
		cli_warn("%zu request%s sent again, %zu of them after 429 Too Many Requests",
		    r.retried, r.retried == 1 ? "" : "s", r.throttled);
	free_run(&r);
	cli_exit(status);
}
