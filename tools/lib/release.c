#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "release.h"
#include "stream.h"
#include "util.h"

#define RELEASE_LIMIT (1u << 20)
#define NAMES_MAX 512

static const char *const prog_keys[REL_NPROGS] = { "seed", "headless" };
static const char *const opt_types[] = {
	"string", "int", "flag", "list", "values", NULL
};

static int
bad(struct diag *d, const struct release *rel, const struct node *n,
    const char *path, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int
bad(struct diag *d, const struct release *rel, const struct node *n,
    const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vfail(d, EXIT_INPUT, rel->path, n ? n->line : 0, n ? n->col : 0,
	    path, fmt, ap);
	va_end(ap);
	return -1;
}

static int
want_str(const struct release *rel, const struct node *m, const char *key,
    const char *path, struct diag *d)
{
	const struct node *n = node_get(m, key);

	if (n == NULL)
		return bad(d, rel, m, path, "missing");
	if (n->type != NODE_STR || n->len == 0)
		return bad(d, rel, n, path, "expected a string");
	return 0;
}

static int
check_prog(const struct release *rel, enum release_prog p, struct diag *d)
{
	const struct node *pr = node_get(rel->root, prog_keys[p]);
	const struct node *opts, *sh, *as;
	char path[128];
	size_t i;

	if (pr == NULL || pr->type != NODE_MAP)
		return bad(d, rel, pr ? pr : rel->root, prog_keys[p],
		    "expected a mapping");
	snprintf(path, sizeof path, "%s.program", prog_keys[p]);
	if (want_str(rel, pr, "program", path, d) < 0)
		return -1;
	opts = node_get(pr, "options");
	snprintf(path, sizeof path, "%s.options", prog_keys[p]);
	if (opts == NULL || opts->type != NODE_MAP || opts->len == 0)
		return bad(d, rel, opts ? opts : pr, path,
		    "expected a mapping of option names to types");
	for (i = 0; i < opts->len; i++) {
		const struct pair *o = &opts->u.pairs[i];
		const char *const *t = opt_types;

		snprintf(path, sizeof path, "%s.options.%s", prog_keys[p],
		    o->key->u.s);
		while (o->val->type == NODE_STR && *t &&
		    strcmp(*t, o->val->u.s) != 0)
			t++;
		if (o->key->u.s[0] == '-' || o->val->type != NODE_STR ||
		    *t == NULL)
			return bad(d, rel, o->val, path, "expected a name "
			    "without dashes and a type: string, int, flag, "
			    "list or values");
	}
	sh = node_get(pr, "short");
	for (i = 0; sh && i < sh->len; i++) {
		const struct pair *o = &sh->u.pairs[i];

		snprintf(path, sizeof path, "%s.short.%s", prog_keys[p],
		    o->key->u.s);
		if (o->key->len != 1 || o->val->type != NODE_STR ||
		    node_get(opts, o->val->u.s) == NULL)
			return bad(d, rel, o->val, path, "expected one letter "
			    "and an option of the table");
	}
	as = node_get(pr, "appsettings");
	snprintf(path, sizeof path, "%s.appsettings", prog_keys[p]);
	if (as && as->type != NODE_MAP)
		return bad(d, rel, as, path, "expected a mapping");
	return 0;
}

static int
check_release(const struct release *rel, const char *name, struct diag *d)
{
	const struct node *r = rel->root, *g;
	const char *s;
	int p;

	if (r == NULL || r->type != NODE_MAP)
		return bad(d, rel, r, "", "expected a mapping");
	s = node_at_s(r, "kind");
	if (s == NULL || strcmp(s, "Release") != 0)
		return bad(d, rel, node_get(r, "kind"), "kind",
		    "expected Release");
	s = node_at_s(r, "name");
	if (s == NULL || strcmp(s, name) != 0)
		return bad(d, rel, node_get(r, "name"), "name", "expected "
		    "'%s', the file's name", name);
	s = node_at_s(r, "consensus");
	if (s == NULL || (strcmp(s, "pow") != 0 && strcmp(s, "pbft") != 0))
		return bad(d, rel, node_get(r, "consensus"), "consensus",
		    "expected pow or pbft");
	for (p = 0; p < REL_NPROGS; p++) {
		char path[64];

		snprintf(path, sizeof path, "images.%s", prog_keys[p]);
		if (node_at_s(r, path) == NULL)
			return bad(d, rel, node_get(r, "images"), path,
			    "missing");
		if (release_check_tag(rel, p, node_at_s(r, path), d) < 0) {
			char msg[DIAG_MSG];

			snprintf(msg, sizeof msg, "%s", d->msg);
			return bad(d, rel, node_at(r, path), path, "%s", msg);
		}
		if (check_prog(rel, p, d) < 0)
			return -1;
	}
	g = node_get(r, "genesis");
	if (g == NULL || g->type != NODE_MAP)
		return bad(d, rel, g ? g : r, "genesis", "expected a mapping");
	if (want_str(rel, g, "tables", "genesis.tables", d) < 0)
		return -1;
	if (node_get(g, "validators") == NULL ||
	    node_get(g, "validators")->type != NODE_BOOL)
		return bad(d, rel, g, "genesis.validators",
		    "expected true or false");
	if (node_get(g, "protocol") == NULL ||
	    node_get(g, "protocol")->type != NODE_INT)
		return bad(d, rel, g, "genesis.protocol",
		    "expected the newest block protocol the release reads");
	return 0;
}

/* "a, b, c": the releases dir holds, for the error that names them. */
static void
list_names(const char *dir, char *out, size_t n)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	char *names[64];
	size_t k = 0, i, j, len;

	out[0] = '\0';
	if (dp == NULL)
		return;
	while ((e = readdir(dp)) != NULL && k < 64) {
		len = strlen(e->d_name);
		if (len > 5 && strcmp(e->d_name + len - 5, ".yaml") == 0)
			names[k++] = xstrndup(e->d_name, len - 5);
	}
	closedir(dp);
	for (i = 1; i < k; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *t = names[j];

			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	for (i = 0; i < k; i++) {
		len = strlen(out);
		snprintf(out + len, n - len, "%s%s", i ? ", " : "", names[i]);
		free(names[i]);
	}
}

int
release_load(const char *dir, const char *name, const char *input,
    const struct node *at, const char *path, struct release *rel,
    struct diag *d)
{
	struct stream *st;
	char *text, names[NAMES_MAX];
	size_t len;
	int r;

	memset(rel, 0, sizeof *rel);
	snprintf(rel->path, sizeof rel->path, "%s/%s.yaml", dir, name);
	if (strchr(name, '/') != NULL || name[0] == '.' ||
	    cli_read_file(rel->path, RELEASE_LIMIT, &text, &len, d) < 0) {
		list_names(dir, names, sizeof names);
		return diag_fail(d, EXIT_INPUT, input, at ? at->line : 0,
		    at ? at->col : 0, path, "no release '%s' (%s has: %s)",
		    name, dir, names[0] ? names : "none");
	}
	st = stream_open_mem(rel->path, text, len, NULL);
	r = stream_next(st, &rel->doc, d);
	stream_close(st);
	free(text);
	if (r <= 0) {
		if (r == 0)
			diag_fail(d, EXIT_INPUT, rel->path, 0, 0, "",
			    "no document");
		return -1;
	}
	rel->root = rel->doc->root;
	if (check_release(rel, name, d) < 0) {
		release_free(rel);
		return -1;
	}
	return 0;
}

void
release_free(struct release *rel)
{
	doc_free(rel->doc);
	rel->doc = NULL;
	rel->root = NULL;
}

const char *
release_name(const struct release *rel)
{
	return node_at_s(rel->root, "name");
}

const char *
release_consensus(const struct release *rel)
{
	return node_at_s(rel->root, "consensus");
}

const char *
release_image(const struct release *rel, enum release_prog p)
{
	return node_at_s(node_get(rel->root, "images"), prog_keys[p]);
}

const char *
release_prog_name(enum release_prog p)
{
	return prog_keys[p];
}

int
release_prog_of(const struct release *rel, const char *dll)
{
	int p;

	for (p = 0; p < REL_NPROGS && dll; p++)
		if (strcmp(node_at_s(node_get(rel->root, prog_keys[p]),
		    "program"), dll) == 0)
			return p;
	return -1;
}

/* The option name of arg (no dashes, no "=value") into out; 0 when arg
 * is a value, not an option. */
static int
opt_name(const struct node *pr, const char *arg, char *out, size_t n)
{
	const char *eq;
	size_t len;

	if (arg[0] != '-' || arg[1] == '\0')
		return 0;
	if (arg[1] != '-') {
		char one[2] = { arg[1], '\0' };
		const char *l = node_at_s(node_get(pr, "short"), one);

		snprintf(out, n, "%s", l ? l : one);
		return l ? 1 : -1;
	}
	arg += 2;
	eq = strchr(arg, '=');
	len = eq ? (size_t)(eq - arg) : strlen(arg);
	if (len >= n)
		len = n - 1;
	memcpy(out, arg, len);
	out[len] = '\0';
	return 1;
}

int
release_check_args(const struct release *rel, enum release_prog p,
    const struct node *args, size_t *bad_idx, struct diag *d)
{
	const struct node *pr = node_get(rel->root, prog_keys[p]);
	const struct node *opts = node_get(pr, "options"), *t;
	char name[128], prev[128];
	size_t i, j;
	int k;

	for (i = 0; args && i < args->len; i++) {
		const char *a = node_s(args->u.items[i]);

		if (a == NULL)
			continue;
		if (strcmp(a, "--") == 0)
			break;
		k = opt_name(pr, a, name, sizeof name);
		if (k == 0)
			continue;
		*bad_idx = i;
		t = k > 0 ? node_get(opts, name) : NULL;
		if (t == NULL) {
			diag_clear(d);
			return diag_set(d, EXIT_INPUT, "%s: release %s's %s "
			    "does not accept this option", a,
			    release_name(rel), prog_keys[p]);
		}
		if (strcmp(node_s(t), "list") == 0)
			continue;
		for (j = 0; j < i; j++) {
			const char *b = node_s(args->u.items[j]);

			if (b && opt_name(pr, b, prev, sizeof prev) > 0 &&
			    strcmp(prev, name) == 0) {
				diag_clear(d);
				return diag_set(d, EXIT_INPUT, "%s: given "
				    "twice; release %s's %s takes it once", a,
				    release_name(rel), prog_keys[p]);
			}
		}
	}
	return 0;
}

int
release_check_tag(const struct release *rel, enum release_prog p,
    const char *image, struct diag *d)
{
	const char *slash = strrchr(image, '/'), *colon, *tag;
	size_t hex;

	colon = strrchr(slash ? slash : image, ':');
	if (colon == NULL || strchr(image, '@') != NULL)
		return 0;
	tag = colon + 1;
	if (strncmp(tag, "git-", 4) != 0)
		return 0;
	hex = strspn(tag + 4, "0123456789abcdef");
	if (tag[4 + hex] != '\0' || hex == 40)
		return 0;
	diag_clear(d);
	if (rel->root && release_image(rel, p))
		return diag_set(d, EXIT_INPUT, "tag %s is a short commit: "
		    "node images are tagged git- and the full 40-hex commit "
		    "(release %s: %s)", tag, release_name(rel),
		    release_image(rel, p));
	return diag_set(d, EXIT_INPUT, "tag %s is a short commit: node "
	    "images are tagged git- and the full 40-hex commit", tag);
}
