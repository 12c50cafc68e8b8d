/*
 * spec_cluster.h - the `cluster' section of a TestNet spec: its rules.
 *
 * Owned by 9c-tfvars; 9c-render calls spec_cluster_check() from its strict
 * spec validation, so both tools reject the same specs with the same words.
 * The section describes what terraform (share/terraform) builds: the EKS
 * cluster, its node groups, add-ons and state backend, or, with
 * `provider: local', nothing (an existing cluster from KUBECONFIG).
 *
 * spec_cluster_check() reads only; it keeps no pointer into the tree.  `p' is
 * the field path positioned at `cluster' (the caller pushed that key); the
 * function pushes and pops below it and leaves `p' as it found it, also on
 * error.  On the first problem it fills d->status (3), d->line and d->col
 * (from the offending node, or its parent mapping when a key is missing),
 * d->path (e.g. "cluster.nodeGroups[0].minSize") and d->msg, and returns -1;
 * d->input and d->doc are left as the caller set them (diag_at() first).
 * A NULL `cluster' is an error ("missing").  Unknown keys are errors with a
 * "did you mean" suggestion.  The rules are listed in /work/notes/spec-cluster.md
 * and man/man1/9c-tfvars.1.
 */
#ifndef NINEC_SPEC_CLUSTER_H
#define NINEC_SPEC_CLUSTER_H

struct node;
struct path;
struct diag;

int spec_cluster_check(const struct node *cluster, struct path *p,
    struct diag *d);

#endif
