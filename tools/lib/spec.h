/*
 * spec.h - the TestNet spec: one file that describes the cluster, its
 * bootstrap and the network (9c-spec(5)).
 *
 * spec_load() reads the file, checks every key against the schema (an
 * unknown key is an error with a "did you mean" suggestion), the types,
 * DNS-1123 names, counts against hosts, ports in range and distinct, and
 * only then fills in the defaults, so every accessor below can trust the
 * tree.  The `cluster' section is checked by spec_cluster_check() (owned by
 * 9c-tfvars) when that module is built in; otherwise it must be a mapping.
 *
 * Ownership: struct spec owns its document; spec_free() releases it.
 * Accessor strings point into the document.  On bad input spec_load()
 * fills d (status 3, the file, line, column and field path) and returns -1;
 * nothing is printed.
 */
#ifndef NINEC_SPEC_H
#define NINEC_SPEC_H

#include "diag.h"
#include "node.h"

#define SPEC_API_VERSION "9c.planetarium.dev/v1alpha1"
#define SPEC_KIND "TestNet"

/* Node roles, in the order objects are rendered. */
enum spec_role { ROLE_SEED, ROLE_MINER, ROLE_VALIDATOR, ROLE_REMOTE, ROLE_N };

struct spec {
	struct doc *doc;
	struct node *root;
	char input[256];
};

int spec_load(const char *path, struct spec *s, struct diag *d);
/* The same from memory (tests, stdin already read). */
int spec_load_mem(const char *name, const char *p, size_t n, struct spec *s,
    struct diag *d);
void spec_free(struct spec *s);

const char *spec_name(const struct spec *s);
const char *spec_namespace(const struct spec *s);
/* The section of a role under `network', or NULL when the spec has none. */
struct node *spec_role(const struct spec *s, enum spec_role r);
long spec_count(const struct spec *s, enum spec_role r);
/* ROLE_MINER or ROLE_VALIDATOR: the role that makes blocks. */
enum spec_role spec_producer(const struct spec *s);
/* "seed", "miner", "validator", "remoteHeadless": the key under network. */
const char *spec_role_key(enum spec_role r);
/* Object name prefix: "tcp-seed", "miner", "validator", "remote-headless". */
const char *spec_role_prefix(enum spec_role r);
/* Name of node n (1-based) of a role, e.g. tcp-seed-1; 0 or -1 if too long. */
int spec_node_name(enum spec_role r, long n, char *out, size_t size);
/* Secret key holding its private key (seed-private-key-1), or -1 for a role
 * that has no key (remote headless). */
int spec_key_name(enum spec_role r, long n, char *out, size_t size);
/* The release the network runs (a name under share/releases). */
const char *spec_release(const struct spec *s);
/* network.appProtocolVersion as a token, or NULL when it is a version to
 * sign; spec_apv_version() gives that version and returns 1, else 0. */
const char *spec_apv_token(const struct spec *s);
int spec_apv_version(const struct spec *s, long long *version);
/* "aws" or "secret". */
const char *spec_keys_source(const struct spec *s);
const char *spec_keys_secret(const struct spec *s);

/* Levenshtein distance, capped: used for "did you mean". */
size_t spec_distance(const char *a, const char *b, size_t cap);

#endif
