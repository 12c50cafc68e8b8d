/*
 * watch.h - many list+watch loops on one Kubernetes client, as informers
 * do: list a collection, then watch it from the list's resourceVersion,
 * with bookmarks; relist on 410 Gone; reopen with backoff when the stream
 * drops or the server restarts.
 *
 * Owner: the 9c-wait engineer.  Built on kube.h: every request runs on the
 * caller's struct kube, and events are delivered from inside watch_run()
 * on the caller's thread.
 *
 * Ownership: the callback owns each struct doc it is given and must
 * doc_free() it or keep it.  A list item is a document of its own with
 * apiVersion and kind filled in (the server leaves them out of list
 * items).  A watch set copies the paths it is given.
 */
#ifndef NINEC_WATCH_H
#define NINEC_WATCH_H

#include <stddef.h>

#include "diag.h"
#include "kube.h"
#include "node.h"

enum watch_ev {
	WATCH_RELIST,		/* a (re)list begins: forget what this watch said */
	WATCH_ADDED,		/* obj exists (from a list or an event) */
	WATCH_MODIFIED,
	WATCH_DELETED,
	WATCH_SYNCED		/* the list is complete: what was not ADDED is gone */
};

/* obj is doc->root (NULL, with doc NULL, for RELIST and SYNCED). */
typedef void (*watch_fn)(void *arg, size_t id, enum watch_ev ev,
    struct doc *doc);

struct watch_set;

struct watch_set *watch_set_new(struct kube *k, watch_fn fn, void *arg);
void watch_set_free(struct watch_set *ws);

/*
 * Adds a collection to list and watch: path without a query
 * ("/apis/apps/v1/namespaces/x/deployments"); query is NULL or extra
 * parameters ("fieldSelector=metadata.name%3Dx").  Starts at the next
 * watch_run().  Returns the watch's id (0, 1, ... in order of adding).
 */
size_t watch_add(struct watch_set *ws, const char *path, const char *query);
/*
 * The same for a collection the caller can do without (evidence such as an
 * autoscaler's status): a refusal (401, 403, 404, ...) ends this watch as
 * an empty synced list instead of failing watch_run().
 */
size_t watch_add_optional(struct watch_set *ws, const char *path,
    const char *query);

/*
 * Drives every watch for at most timeout_ms and returns early once events
 * were delivered.  0, or -1 with d when a watch cannot go on (the server
 * refused it: 401/403 status 4, 404 or another refusal status 1).
 * Transport failures are retried with backoff, never returned.
 */
int watch_run(struct watch_set *ws, int timeout_ms, struct diag *d);

/* How many watches have listed at least once and are connected now. */
size_t watch_synced(const struct watch_set *ws);
/* Requests sent (lists, list pages and watch opens), for benchmarks. */
unsigned long watch_requests(const struct watch_set *ws);
/* A line about the connection for reports: "" when all is well. */
const char *watch_trouble(const struct watch_set *ws);

#endif
