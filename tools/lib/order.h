/*
 * order.h - sorting manifests into stages that one pass can apply.
 *
 * A set collects the identity and the references of each document added
 * (not the document itself, so a large stream need not stay in memory),
 * then order_solve() gives each one a stage: 1 for what depends on nothing
 * in the set, and one more than the latest stage it depends on otherwise.
 * Edges: a custom resource on the CRD of its group and kind; a namespaced
 * object on its Namespace; a RoleBinding on its Role, a ClusterRoleBinding
 * on its ClusterRole; a claim (or a StatefulSet's claim template) on its
 * StorageClass; a webhook configuration or APIService on its Service;
 * config.kubernetes.io/depends-on; kapp change-group/change-rule.  Argo CD
 * sync waves come first: a later wave is always a later stage.
 *
 * Ownership: the set copies every string it keeps; documents may be freed
 * after order_add().  Entries are numbered in the order they were added.
 */
#ifndef NINEC_ORDER_H
#define NINEC_ORDER_H

#include <stddef.h>

#include "diag.h"
#include "node.h"

#define ORDER_ANNOTATION "9c/stage"

struct order_set;

struct order_set *order_new(void);
void order_free(struct order_set *o);
/*
 * Adds a document: checks apiVersion, kind and metadata.name, and that no
 * earlier document has the same identity.  -1 with d filled on error.
 */
int order_add(struct order_set *o, const struct doc *doc, struct diag *d);
/* Gives every entry its stage; a dependency cycle is an error. */
int order_solve(struct order_set *o, struct diag *d);
size_t order_count(const struct order_set *o);
int order_nstages(const struct order_set *o);
int order_stage(const struct order_set *o, size_t i);
/* "v1/Namespace argocd", "apps/v1/Deployment argocd/argocd-server" */
const char *order_ident(const struct order_set *o, size_t i);

/* Namespaced by nature (built-in kinds); CRDs in the set are asked too. */
int order_kind_namespaced(const struct order_set *o, const char *group,
    const char *kind);

/* Group of an apiVersion ("" for the core group v1). */
void order_group(const char *api_version, char *out, size_t n);

#endif
