/*
 * kube.h - a Kubernetes API client: kubeconfig, HTTP/2 requests through one
 * libcurl multi handle, watches, and discovery.
 *
 * Owner: the 9c-kapply engineer (9c-wait builds on it).
 *
 * Configuration is read the way kubectl reads it: --kubeconfig, else every
 * file of $KUBECONFIG merged (the first file to set a key wins), else
 * ~/.kube/config, else the in-cluster service account.  Credentials never
 * leave memory: certificate, key and CA data go to libcurl as blobs, tokens
 * only into an Authorization header, and buffers that held them are wiped.
 * TLS is verified unless the kubeconfig itself says insecure-skip-tls-verify.
 *
 * One struct kube owns one multi handle; every request and watch runs on it,
 * multiplexed over HTTP/2 (at most KUBE_MAX_STREAMS at once per connection;
 * more wait in a queue inside the client).  Nothing runs until the caller
 * drives the handle with kube_run() (or a synchronous kube_request()); the
 * callbacks fire from inside those calls, one at a time, on the caller's
 * thread.  A callback may start new calls and close watches.
 *
 * Errors: a transport failure (cannot connect, TLS, dropped stream) shows as
 * status 0 with the reason in err; HTTP errors keep the server's body.
 * Functions that fill a struct diag use status 3 for a bad kubeconfig and 4
 * for a server that cannot be reached or refuses the credentials.
 *
 * JSON from the server: objects that go back to the user must be parsed with
 * kube_parse() (stream_parse_value: integers stay exact); cJSON is used only
 * inside the client (discovery, Status messages, exec credentials).
 */
#ifndef NINEC_KUBE_H
#define NINEC_KUBE_H

#include <stddef.h>

#include "diag.h"
#include "node.h"
#include "util.h"

#define KUBE_MAX_STREAMS 100

/* ---------------------------------------------------------------- config */

struct kube_config_opts {
	const char *kubeconfig;		/* --kubeconfig, or NULL */
	const char *context;		/* --context, or NULL: current-context */
	const char *namespace;		/* -n, or NULL: the context's, or "default" */
};

struct kube_config;

/* 0, or -1 with d (status 3: bad or missing kubeconfig; 4: exec plugin failed). */
int kube_config_load(struct kube_config **out, const struct kube_config_opts *o,
    struct diag *d);
void kube_config_free(struct kube_config *c);
const char *kube_config_server(const struct kube_config *c);
const char *kube_config_namespace(const struct kube_config *c);
const char *kube_config_context(const struct kube_config *c);

/*
 * The deadline of everything done with c, `seconds' from now (0: none):
 * the exec plugin (which also has its own bound of 60 s) ends by then,
 * every request and watch a second later, so that the caller's own checks
 * of the same deadline report first.  A call cut by it fails as a transport
 * timeout
 * (status 0, CURLE_OPERATION_TIMEDOUT); functions that fill a diag use
 * status 5 for it.  Set it before kube_new(), which may run the plugin.
 */
void kube_config_set_deadline(struct kube_config *c, double seconds);

/* ---------------------------------------------------------------- client */

struct kube;

/* Takes ownership of cfg (freed by kube_free, also on failure). */
struct kube *kube_new(struct kube_config *cfg, struct diag *d);
void kube_free(struct kube *k);
const struct kube_config *kube_config_of(const struct kube *k);
const char *kube_namespace(const struct kube *k);
/* Per-request timeout in seconds for non-watch calls (default 60). */
void kube_set_timeout(struct kube *k, long seconds);

struct kube_resp {
	long status;		/* HTTP status; 0: no response (see err) */
	int transport;		/* CURLcode of a transport failure, else 0 */
	int auth;		/* 1: could not authenticate (TLS, 401, exec) */
	long retry_after;	/* seconds from Retry-After, or -1 */
	struct buf body;	/* response body (limit 64 MiB) */
	char err[256];		/* transport error, "" if none */
};

void kube_resp_release(struct kube_resp *r);
/* The server's Status message, else the HTTP reason or err ("" if none). */
void kube_resp_message(const struct kube_resp *r, char *out, size_t n);
/* Status reason ("AlreadyExists", "Conflict", ...) into out, "" if none. */
void kube_resp_reason(const struct kube_resp *r, char *out, size_t n);
/* Parses the body as one exact value (stream_parse_value); 0 or -1 with d. */
int kube_parse(const struct kube_resp *r, struct doc **out, struct diag *d);

/* A request: path includes the query ("/api/v1/namespaces?limit=500"). */
struct kube_req {
	const char *method;		/* "GET", "PATCH", "DELETE", ... */
	const char *path;
	const char *content_type;	/* NULL: no body */
	const char *accept;		/* NULL: application/json */
	const char *body;
	size_t body_len;
};

/* Synchronous: runs only this request (other calls in flight progress too). */
int kube_request(struct kube *k, const struct kube_req *rq, struct kube_resp *r);

/*
 * Asynchronous: kube_start() copies the request and queues it; done(resp,
 * arg) is called from kube_run() when it finished (the callback owns resp
 * and must kube_resp_release() it).  Returns an id > 0.
 */
typedef void (*kube_done_fn)(struct kube_resp *resp, void *arg);
unsigned long kube_start(struct kube *k, const struct kube_req *rq,
    kube_done_fn done, void *arg);

/*
 * Drives every call and watch until a callback ran, or for at most
 * timeout_ms (0: just what is ready now; -1: no limit).  Returns the
 * number of calls and watches still running; call it in a loop.
 */
int kube_run(struct kube *k, int timeout_ms);
/* Calls in flight or queued (watches not counted). */
int kube_pending(const struct kube *k);
/* Requests sent so far: calls, watches, and each one sent again. */
unsigned long kube_requests(const struct kube *k);

/*
 * A batch: runs n requests with at most par in flight, resp[i] for rq[i];
 * returns when all finished.  The caller releases every resp[i].
 */
void kube_batch(struct kube *k, const struct kube_req *rq,
    struct kube_resp *resp, size_t n, int par);

/* ---------------------------------------------------------------- watch */

/*
 * kube_watch_open() GETs path with watch=1, allowWatchBookmarks=true and
 * resourceVersion=rv (rv NULL or "": the server's choice).  path may carry a
 * query already (fieldSelector=...).  event(line, len, arg) gets each JSON
 * event line ({"type":"ADDED","object":{...}}); parse it with
 * stream_parse_value.  end(resp, arg) is called once when the stream ends,
 * drops or is refused (resp->status is the HTTP status, 200 for a clean
 * end; a 410 Gone arrives as an ERROR event first): relist and reopen.
 * The watch is finished after end(); kube_watch_close() releases it then
 * (or kube_free() does).  On a running watch kube_watch_close() stops it
 * without calling end().  kube_watches() counts running watches only.
 */
struct kube_watch;
typedef void (*kube_event_fn)(const char *line, size_t len, void *arg);
typedef void (*kube_end_fn)(const struct kube_resp *resp, void *arg);
struct kube_watch *kube_watch_open(struct kube *k, const char *path,
    const char *rv, kube_event_fn event, kube_end_fn end, void *arg);
void kube_watch_close(struct kube_watch *w);
int kube_watches(const struct kube *k);

/* ---------------------------------------------------------------- discovery */

#define KUBE_VERB_GET		0x01
#define KUBE_VERB_LIST		0x02
#define KUBE_VERB_WATCH		0x04
#define KUBE_VERB_CREATE	0x08
#define KUBE_VERB_PATCH		0x10
#define KUBE_VERB_DELETE	0x20
#define KUBE_VERB_UPDATE	0x40

struct kube_resource {
	const char *group;		/* "" for the core group */
	const char *version;
	const char *kind;
	const char *plural;		/* "deployments" */
	int namespaced;
	unsigned verbs;
};

/*
 * Fetches discovery (aggregated where the server offers it, else /api and
 * /apis with one request per group-version, in parallel).  Cached in the
 * client; kube_lookup() refreshes it once when a kind is not found and the
 * cache is older than a second, kube_discovery_refresh() forces it.
 * 0, or -1 with d (status 4 when the server cannot be reached).
 */
int kube_discovery_refresh(struct kube *k, struct diag *d);
/* 1 found (*out valid until the next refresh), 0 unknown, -1 error (d). */
int kube_lookup(struct kube *k, const char *api_version, const char *kind,
    const struct kube_resource **out, struct diag *d);
/* Like kube_lookup without contacting the server (cache only). */
int kube_lookup_cached(struct kube *k, const char *api_version,
    const char *kind, const struct kube_resource **out);

/*
 * A group and kind at any version, cache only: the first version discovery
 * lists, which is the group's preferred one (for names recorded without a
 * version, as an ApplySet's contains-group-kinds).
 */
int kube_lookup_kind(struct kube *k, const char *group, const char *kind,
    const struct kube_resource **out);

/*
 * URL path of a collection (name NULL) or an object; ns ignored for
 * cluster-scoped resources, NULL for all namespaces.  Name and namespace
 * are percent-encoded.  Caller frees.
 */
char *kube_path(const struct kube_resource *r, const char *ns,
    const char *name);

/* Appends s percent-encoded for a query value or path segment. */
void kube_escape(struct buf *b, const char *s);

#endif
