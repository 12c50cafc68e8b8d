/*
 * ready.h - is a Kubernetes object ready?  One set of rules for 9c-wait
 * and for 9c-kapply's gates between stages.
 *
 * ready_eval() looks only at the object as the server returned it (its
 * metadata, spec and status); it does no I/O and keeps no state, so the
 * caller decides when to look again (on each watch event).  A rule that
 * needs to know about other objects (a workload's Pods) takes them through
 * ready_pod_problem() from the caller.  Results own no memory.
 */
#ifndef NINEC_READY_H
#define NINEC_READY_H

#include "node.h"

enum ready_state {
	READY_PENDING,		/* not yet: keep waiting */
	READY_OK,		/* ready */
	READY_FAILED,		/* will not become ready by waiting */
	READY_GONE		/* deleted (for --for delete) */
};

struct ready_result {
	enum ready_state state;
	char reason[512];	/* "0/1 ready", "Established", ... */
};

/*
 * want_generation: the metadata.generation the caller applied (from
 * 9c-kapply's output), or 0 to take the object's own.
 */
void ready_eval(const struct node *obj, long long want_generation,
    struct ready_result *r);

/* A rule for a kind from an override file: condition type or JSON path. */
struct ready_rule;
struct ready_rules;
struct ready_rules *ready_rules_new(void);
void ready_rules_free(struct ready_rules *rs);
void ready_eval_with(const struct ready_rules *rs, const struct node *obj,
    long long want_generation, struct ready_result *r);

/*
 * A Pod's problem that ends a wait early (CrashLoopBackOff, ImagePullBackOff,
 * ErrImagePull, CreateContainerConfigError, Unschedulable past the grace
 * period): fills why and returns 1, else 0.
 */
int ready_pod_problem(const struct node *pod, long long now,
    long long grace_seconds, char *why, size_t n);

#endif
