/*
 * ready.h - is a Kubernetes object ready?  One set of rules for 9c-wait
 * and for 9c-kapply's gates between stages.
 *
 * Owner: the 9c-wait engineer.  ready_eval() keeps its signature and
 * meaning: 9c-kapply calls it for its gates (CRD Established, Namespace
 * Active, APIService Available).
 *
 * ready_eval() looks only at the object as the server returned it (its
 * metadata, spec and status); it does no I/O and keeps no state, so the
 * caller decides when to look again (on each watch event).  A rule that
 * needs to know about other objects (a workload's Pods, a claim's
 * StorageClass) takes them from the caller: ready_pod_problem() for Pods,
 * struct ready_env's callback for storage classes.  Time is the caller's
 * too: a custom resource with no status yet is READY_PENDING with
 * READY_NOSTATUS set, and the caller decides when the grace period is over.
 * Results own no memory; a struct ready_rules owns copies of its strings.
 */
#ifndef NINEC_READY_H
#define NINEC_READY_H

#include <stddef.h>

#include "diag.h"
#include "node.h"

enum ready_state {
	READY_PENDING,		/* not yet: keep waiting */
	READY_OK,		/* ready */
	READY_FAILED,		/* will not become ready by waiting */
	READY_GONE		/* deleted (for --for delete) */
};

/* ready_result.flags */
#define READY_NOSTATUS	0x1	/* PENDING only because no status was written */
#define READY_NOTE	0x2	/* OK as configured, not as rolled out: see reason */
#define READY_RETRIED	0x4	/* FAILED, but its controller retries: the
				 * caller fails it once it lasts the grace */

struct ready_result {
	enum ready_state state;
	unsigned flags;
	char reason[512];	/* "0/1 ready", "Established", ... */
};

/*
 * want_generation: the metadata.generation the caller applied (from
 * 9c-kapply's output), or 0 to take the object's own.
 */
void ready_eval(const struct node *obj, long long want_generation,
    struct ready_result *r);

/*
 * Override rules for kinds that follow no convention, read from documents
 * such as
 *
 *	group: example.com		# "" or absent: the core group
 *	kind: Widget
 *	condition: Ready		# a condition type ...
 *	status: "True"			# ... and its status (default True)
 *	---
 *	kind: Gadget
 *	group: example.com
 *	jsonPath: '{.status.phase}'	# or a JSON path ...
 *	value: Running			# ... and its value (absent: path exists)
 *	failValue: Error		# optional: this value fails the wait
 *
 * or a document `rules: [ ... ]' holding such entries.  A rule replaces the
 * built-in logic for its kind; the generation check still applies.
 */
struct ready_rules;
struct ready_rules *ready_rules_new(void);
void ready_rules_free(struct ready_rules *rs);
/* Adds the rules of one document; -1 with d filled (status 3). */
int ready_rules_add(struct ready_rules *rs, const struct node *doc,
    struct diag *d);
size_t ready_rules_count(const struct ready_rules *rs);
void ready_eval_with(const struct ready_rules *rs, const struct node *obj,
    long long want_generation, struct ready_result *r);

/*
 * Everything a caller can add.  wffc(arg, class) answers whether a
 * StorageClass binds WaitForFirstConsumer: 1 yes, 0 no, -1 unknown; class
 * is NULL for a claim with no storageClassName (the default class).
 */
struct ready_pod_env;
struct ready_env {
	const struct ready_rules *rules;	/* may be NULL */
	int (*wffc)(void *arg, const char *storage_class);
	void *arg;
	const struct ready_pod_env *pods;	/* for Pods; may be NULL */
};
void ready_eval_env(const struct ready_env *env, const struct node *obj,
    long long want_generation, struct ready_result *r);

/*
 * A Pod's problem, transient or terminal by its evidence (the table is in
 * 9c-wait(1)): READY_POD_TERMINAL ends a wait at once, READY_POD_TRANSIENT
 * is progress, READY_POD_FINE is no problem at all (or one not worth a
 * word, such as a pull under way).  why gets the reason either way.  A
 * problem that turns terminal with time (Unschedulable for a reason nothing
 * heals) sets *fails_at, Unix seconds, so the caller can judge it again
 * then; fails_at may be NULL.  pe NULL: no clock, no autoscaler, no stream,
 * the default restarts.
 */
enum ready_pod_class {
	READY_POD_FINE, READY_POD_TRANSIENT, READY_POD_TERMINAL
};

#define READY_RESTARTS	3	/* default restarts that make a crash loop */

/* ready_pod_env.autoscaler */
#define READY_AS_NONE		0	/* no cluster autoscaler seen */
#define READY_AS_PRESENT	1	/* one exists, not scaling up */
#define READY_AS_SCALING	2	/* it reports a scale-up in progress */

struct ready_pod_env {
	long long now;		/* Unix seconds; 0: no clock */
	long long grace;	/* seconds Unschedulable may last; -1: forever */
	long long restarts;	/* restarts in CrashLoopBackOff that fail it */
	int autoscaler;		/* READY_AS_* */
	/*
	 * 1 when something in the caller's stream creates that Secret or
	 * ConfigMap (the object itself, an ExternalSecret ...), named in who.
	 */
	int (*creates)(void *arg, const char *kind, const char *ns,
	    const char *name, char *who, size_t n);
	void *arg;
};

enum ready_pod_class ready_pod_classify(const struct node *pod,
    const struct ready_pod_env *pe, char *why, size_t n,
    long long *fails_at);

/* READY_AS_* from the data.status text of cluster-autoscaler-status. */
int ready_autoscaler_status(const char *status);

/* Group of an object's apiVersion ("" for the core group) and its kind. */
void ready_group(const struct node *obj, char *group, size_t n);
/* RFC 3339 time ("2026-11-28T02:30:54Z") to Unix seconds; -1 if bad. */
long long ready_time(const char *s);

#endif
