/*
 * release.h - the node software a network runs, as data (9c-spec(5),
 * RELEASES).
 *
 * A release is a file share/releases/<name>.yaml: the seed and headless
 * images it pairs, whether its blocks come from proof-of-work miners or
 * PBFT validators, what the image's appsettings.json sets, where the game
 * sheets of its genesis come from, and for each program the exact options
 * its `run' accepts.  Both parsers exit on an option they do not know, so
 * the table is the whole truth: release_check_args() refuses any other.
 * Adding a release is adding a file; nothing here names one.
 *
 * Ownership: struct release owns its document; release_free() releases
 * it.  Accessor strings point into the document.  release_load() checks
 * the file whole (fields, types, option types) so the accessors can trust
 * it; on bad input it fills d (status 3) and returns -1.
 */
#ifndef NINEC_RELEASE_H
#define NINEC_RELEASE_H

#include "diag.h"
#include "node.h"

enum release_prog { REL_SEED, REL_HEADLESS, REL_NPROGS };

struct release {
	struct doc *doc;
	struct node *root;
	char path[512];
};

/* Loads dir/<name>.yaml; an unknown name is refused with the names dir
 * holds.  input and path place the error (the spec's release field). */
int release_load(const char *dir, const char *name, const char *input,
    const struct node *at, const char *path, struct release *rel,
    struct diag *d);
void release_free(struct release *rel);

const char *release_name(const struct release *rel);
/* "pow" or "pbft". */
const char *release_consensus(const struct release *rel);
const char *release_image(const struct release *rel, enum release_prog p);
/* "seed" or "headless". */
const char *release_prog_name(enum release_prog p);
/* The program whose DLL is dll, or -1. */
int release_prog_of(const struct release *rel, const char *dll);

/* Checks the options of a `run' command line (a list of strings): each
 * is in the program's table, and only a `list' option repeats.  On a bad
 * one returns -1 with *bad its index and d's message naming the option
 * and the release; d's position is left for the caller. */
int release_check_args(const struct release *rel, enum release_prog p,
    const struct node *args, size_t *bad, struct diag *d);

/* An image reference whose tag is a short commit (git-<7..39 hex>): the
 * node images are tagged git-<40 hex>.  Returns -1 with the hint in d. */
int release_check_tag(const struct release *rel, enum release_prog p,
    const char *image, struct diag *d);

#endif
