/*
 * watch.c - list+watch loops on kube.h (see watch.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stream.h"
#include "watch.h"

#define LIST_PAGE	"500"
#define BACKOFF_MIN	0.1
#define BACKOFF_MAX	3.0

enum wstate { W_NEW, W_LISTING, W_WATCHING, W_RETRY_LIST, W_RETRY_WATCH,
    W_OFF };

struct w {
	struct watch_set *ws;
	size_t id;
	char *path, *query;
	enum wstate st;
	char rv[64];
	char *cont;			/* continue token of a paged list */
	struct kube_watch *kw;
	double retry_at, backoff;
	int gone;			/* 410 in an ERROR event: relist */
	int synced;
	int optional;			/* a refusal ends it, not the set */
};

struct watch_set {
	struct kube *k;
	watch_fn fn;
	void *arg;
	struct w **v;
	size_t n, cap;
	unsigned long nreq;
	int events;
	int fatal;
	struct diag fd;
	char trouble[300];
};

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct watch_set *
watch_set_new(struct kube *k, watch_fn fn, void *arg)
{
	struct watch_set *ws = xcalloc(1, sizeof *ws);

	ws->k = k;
	ws->fn = fn;
	ws->arg = arg;
	return ws;
}

void
watch_set_free(struct watch_set *ws)
{
	size_t i;

	if (ws == NULL)
		return;
	for (i = 0; i < ws->n; i++) {
		if (ws->v[i]->kw)
			kube_watch_close(ws->v[i]->kw);
		free(ws->v[i]->path);
		free(ws->v[i]->query);
		free(ws->v[i]->cont);
		free(ws->v[i]);
	}
	free(ws->v);
	free(ws);
}

size_t
watch_add(struct watch_set *ws, const char *path, const char *query)
{
	struct w *w = xcalloc(1, sizeof *w);

	w->ws = ws;
	w->id = ws->n;
	w->path = xstrdup(path);
	w->query = query && *query ? xstrdup(query) : NULL;
	w->st = W_NEW;
	w->backoff = BACKOFF_MIN;
	if (ws->n == ws->cap) {
		ws->cap = ws->cap ? ws->cap * 2 : 16;
		ws->v = xrealloc(ws->v, ws->cap * sizeof *ws->v);
	}
	ws->v[ws->n++] = w;
	return w->id;
}

size_t
watch_add_optional(struct watch_set *ws, const char *path, const char *query)
{
	size_t id = watch_add(ws, path, query);

	ws->v[id]->optional = 1;
	return id;
}

size_t
watch_synced(const struct watch_set *ws)
{
	size_t i, k = 0;

	for (i = 0; i < ws->n; i++)
		if (ws->v[i]->synced && ws->v[i]->st == W_WATCHING)
			k++;
	return k;
}

unsigned long
watch_requests(const struct watch_set *ws)
{
	return ws->nreq;
}

const char *
watch_trouble(const struct watch_set *ws)
{
	return ws->trouble;
}

static void
fail(struct watch_set *ws, int status, const char *what,
    const struct kube_resp *r)
{
	char m[256];

	if (ws->fatal)
		return;
	kube_resp_message(r, m, sizeof m);
	ws->fatal = 1;
	diag_clear(&ws->fd);
	if (r->status)
		diag_set(&ws->fd, status, "%s: %ld: %s", what, r->status,
		    m[0] ? m : "refused");
	else
		diag_set(&ws->fd, status, "%s: %s", what,
		    m[0] ? m : "refused");
}

static void
retry(struct w *w, enum wstate st, const char *why)
{
	w->st = st;
	w->retry_at = mono() + w->backoff;
	w->backoff *= 2;
	if (w->backoff > BACKOFF_MAX)
		w->backoff = BACKOFF_MAX;
	snprintf(w->ws->trouble, sizeof w->ws->trouble, "%s", why);
}

static void
deliver(struct watch_set *ws, struct w *w, enum watch_ev ev, struct doc *doc)
{
	ws->events++;
	ws->fn(ws->arg, w->id, ev, doc);
}

/* A refused optional watch ends as an empty, synced list. */
static void
refuse(struct w *w, int status, const struct kube_resp *r)
{
	if (!w->optional) {
		fail(w->ws, status, w->path, r);
		return;
	}
	w->st = W_OFF;
	w->synced = 1;
	deliver(w->ws, w, WATCH_RELIST, NULL);
	deliver(w->ws, w, WATCH_SYNCED, NULL);
}

static void start_list(struct w *w);
static void open_watch(struct w *w);

/* A list item as a document of its own, apiVersion and kind first. */
static struct doc *
item_doc(const char *name, const char *api_version, const char *kind,
    const struct node *item)
{
	struct doc *d = doc_new(name, 0);
	struct node *m = node_map(&d->arena);
	size_t i;

	node_map_set(&d->arena, m, "apiVersion",
	    node_strz(&d->arena, api_version));
	node_map_set(&d->arena, m, "kind", node_strz(&d->arena, kind));
	if (item != NULL && item->type == NODE_MAP)
		for (i = 0; i < item->len; i++) {
			const char *k = item->u.pairs[i].key->u.s;

			if (strcmp(k, "apiVersion") == 0 ||
			    strcmp(k, "kind") == 0)
				continue;
			node_map_set(&d->arena, m, k,
			    node_copy(&d->arena, item->u.pairs[i].val));
		}
	d->root = m;
	return d;
}

static int
transient(long status)
{
	return status == 0 || status == 429 || status >= 500;
}

static void
list_done(struct kube_resp *r, void *arg)
{
	struct w *w = arg;
	struct watch_set *ws = w->ws;
	struct doc *doc = NULL, *it;
	struct diag d;
	const struct node *items;
	const char *kind, *av, *cont, *rv;
	char ik[256];
	size_t i, kl;

	if (r->status == 410) {
		/* The continue token expired: list again from the start. */
		free(w->cont);
		w->cont = NULL;
		start_list(w);
	} else if (transient(r->status)) {
		char m[256];

		kube_resp_message(r, m, sizeof m);
		retry(w, W_RETRY_LIST, m);
	} else if (r->status == 401 || r->status == 403 || r->auth)
		refuse(w, 4, r);
	else if (r->status != 200)
		refuse(w, 1, r);
	else if (kube_parse(r, &doc, &d) < 0) {
		ws->fatal = 1;
		ws->fd = d;
	} else {
		w->backoff = BACKOFF_MIN;
		ws->trouble[0] = '\0';
		if (w->cont == NULL)
			deliver(ws, w, WATCH_RELIST, NULL);
		kind = node_at_s(doc->root, "kind");
		av = node_at_s(doc->root, "apiVersion");
		kl = kind ? strlen(kind) : 0;
		if (kl > 4 && strcmp(kind + kl - 4, "List") == 0)
			kl -= 4;
		snprintf(ik, sizeof ik, "%.*s", (int)kl, kind ? kind : "");
		items = node_get(doc->root, "items");
		for (i = 0; items && items->type == NODE_SEQ &&
		    i < items->len; i++) {
			it = item_doc(w->path, av ? av : "v1", ik,
			    items->u.items[i]);
			deliver(ws, w, WATCH_ADDED, it);
		}
		cont = node_at_s(doc->root, "metadata.continue");
		rv = node_at_s(doc->root, "metadata.resourceVersion");
		free(w->cont);
		w->cont = NULL;
		if (cont && *cont) {
			w->cont = xstrdup(cont);
			start_list(w);
		} else {
			snprintf(w->rv, sizeof w->rv, "%s", rv ? rv : "");
			w->synced = 1;
			deliver(ws, w, WATCH_SYNCED, NULL);
			open_watch(w);
		}
		doc_free(doc);
	}
	kube_resp_release(r);
}

static void
start_list(struct w *w)
{
	struct buf p = BUF_INIT;
	struct kube_req rq;

	buf_printf(&p, "%s?limit=" LIST_PAGE, w->path);
	if (w->query)
		buf_printf(&p, "&%s", w->query);
	if (w->cont) {
		buf_adds(&p, "&continue=");
		kube_escape(&p, w->cont);
	}
	memset(&rq, 0, sizeof rq);
	rq.method = "GET";
	rq.path = p.p;
	w->st = W_LISTING;
	w->gone = 0;
	w->ws->nreq++;
	kube_start(w->ws->k, &rq, list_done, w);
	buf_release(&p);
}

static void
on_event(const char *line, size_t len, void *arg)
{
	struct w *w = arg;
	struct doc *doc;
	struct diag d;
	const char *type, *rv;
	struct node *obj;
	long long code;

	if (stream_parse_value(w->path, line, len, &doc, &d) < 0)
		return;
	type = node_at_s(doc->root, "type");
	obj = node_get(doc->root, "object");
	rv = node_at_s(obj, "metadata.resourceVersion");
	if (type == NULL || obj == NULL) {
		doc_free(doc);
		return;
	}
	if (strcmp(type, "ERROR") == 0) {
		if (node_int_value(node_get(obj, "code"), &code) &&
		    code == 410)
			w->gone = 1;
		else
			snprintf(w->ws->trouble, sizeof w->ws->trouble,
			    "watch %s: %s", w->path,
			    node_at_s(obj, "message") ?
			    node_at_s(obj, "message") : "error");
		doc_free(doc);
		return;
	}
	if (rv != NULL)
		snprintf(w->rv, sizeof w->rv, "%s", rv);
	w->backoff = BACKOFF_MIN;
	w->ws->trouble[0] = '\0';
	if (strcmp(type, "BOOKMARK") == 0) {
		doc_free(doc);
		return;
	}
	doc->root = obj;
	if (strcmp(type, "ADDED") == 0)
		deliver(w->ws, w, WATCH_ADDED, doc);
	else if (strcmp(type, "MODIFIED") == 0)
		deliver(w->ws, w, WATCH_MODIFIED, doc);
	else if (strcmp(type, "DELETED") == 0)
		deliver(w->ws, w, WATCH_DELETED, doc);
	else
		doc_free(doc);
}

static void
on_end(const struct kube_resp *r, void *arg)
{
	struct w *w = arg;
	char m[256];

	w->kw = NULL;
	if (w->gone || r->status == 410) {
		/* Our resourceVersion is too old: the server restarted or
		 * compacted; only a new list tells the truth. */
		start_list(w);
		return;
	}
	if (r->status == 200) {
		open_watch(w);
		return;
	}
	if (r->status == 401 || r->status == 403 || (r->auth && r->status)) {
		refuse(w, 4, r);
		return;
	}
	if (!transient(r->status) && !r->auth) {
		refuse(w, 1, r);
		return;
	}
	kube_resp_message(r, m, sizeof m);
	retry(w, W_RETRY_WATCH, m[0] ? m : "connection lost");
}

static void
open_watch(struct w *w)
{
	struct buf p = BUF_INIT;

	buf_adds(&p, w->path);
	if (w->query)
		buf_printf(&p, "?%s", w->query);
	w->st = W_WATCHING;
	w->gone = 0;
	w->ws->nreq++;
	w->kw = kube_watch_open(w->ws->k, p.p, w->rv, on_event, on_end, w);
	buf_release(&p);
}

int
watch_run(struct watch_set *ws, int timeout_ms, struct diag *d)
{
	double end = mono() + timeout_ms / 1000.0, now, next;
	size_t i;
	int ms;

	ws->events = 0;
	for (;;) {
		now = mono();
		next = end;
		for (i = 0; i < ws->n; i++) {
			struct w *w = ws->v[i];

			if (w->st == W_NEW)
				start_list(w);
			else if ((w->st == W_RETRY_LIST ||
			    w->st == W_RETRY_WATCH) && w->retry_at <= now) {
				if (w->st == W_RETRY_LIST)
					start_list(w);
				else
					open_watch(w);
			} else if ((w->st == W_RETRY_LIST ||
			    w->st == W_RETRY_WATCH) && w->retry_at < next)
				next = w->retry_at;
		}
		ms = (int)((next - now) * 1000) + 1;
		if (ms < 0)
			ms = 0;
		kube_run(ws->k, ms > 20 ? 20 : ms);
		if (ws->fatal) {
			*d = ws->fd;
			return -1;
		}
		if (ws->events > 0 || mono() >= end)
			return 0;
	}
}
