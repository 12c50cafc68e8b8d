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
struct ready_env {
	const struct ready_rules *rules;	/* may be NULL */
	int (*wffc)(void *arg, const char *storage_class);
	void *arg;
};
void ready_eval_env(const struct ready_env *env, const struct node *obj,
    long long want_generation, struct ready_result *r);

/*
 * A Pod's problem that ends a wait early (CrashLoopBackOff, ImagePullBackOff,
 * ErrImagePull, CreateContainerConfigError, Unschedulable past the grace
 * period): fills why and returns 1, else 0.  now is Unix seconds.
 */
int ready_pod_problem(const struct node *pod, long long now,
    long long grace_seconds, char *why, size_t n);

/* Group of an object's apiVersion ("" for the core group) and its kind. */
void ready_group(const struct node *obj, char *group, size_t n);
/* RFC 3339 time ("2026-11-28T02:30:54Z") to Unix seconds; -1 if bad. */
long long ready_time(const char *s);

#endif
