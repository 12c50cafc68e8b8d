/*
 * 9c-secrets - node keys for a test network: generate them, keep them in
 * AWS Secrets Manager as <name>/private-keys, and hand them to Kubernetes;
 * sign and verify the network's APV token with its signer key, kept with
 * them; verify a genesis block against the validators' keys.
 *
 * Private keys only go where they were asked to go: a file made 0600 with
 * -w, standard output when it is not a terminal (or with -f), AWS.  They
 * never reach stderr, argv or a message, and every buffer that held one is
 * wiped before it is freed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "apv.h"
#include "aws.h"
#include "bencodex.h"
#include "cli.h"
#include "genesis.h"
#include "keys.h"
#include "shape.h"
#include "sigv4.h"

static const char usage[] =
    "9c-secrets keygen [-f] [-c counts] [-n name] [-o format] [-s spec] "
    "[-w file]\n"
    "       9c-secrets public [-a] [-n name] [-o format] [-p profile] "
    "[-r region] [-s spec] [file]\n"
    "       9c-secrets push [-n name] [-p profile] [-r region] [-s spec] "
    "[file]\n"
    "       9c-secrets pull [-f] [-n name] [-o format] [-p profile] "
    "[-r region] [-s spec] [-w file]\n"
    "       9c-secrets ensure [-c counts] [-n name] [-o format] "
    "[-p profile] [-r region] [-s spec]\n"
    "       9c-secrets secret [-af] [-N namespace] [-n name] [-o format] "
    "[-p profile] [-r region] [-s spec] [-w file] [file]\n"
    "       9c-secrets external [-c counts] [-N namespace] [-n name] "
    "[-o format] [-r region] [-s spec] [-V version]\n"
    "       9c-secrets fill [-f] [-k keys] [-o format] [-p profile] "
    "[-r region] [file ...]\n"
    "       9c-secrets sign [-U] [-p profile] [-r region] [-S service] "
    "[-t time] [-x part] [file]\n"
    "       9c-secrets apv sign [-a] [-e key=value] [-n name] [-p profile] "
    "[-r region] [-s spec] [-V version] [-x extra-file] [file]\n"
    "       9c-secrets apv verify [-k keys] [-o format] [-P public-key] "
    "[token]\n"
    "       9c-secrets apv show [-o format] [token]\n"
    "       9c-secrets genesis verify [-k keys] [-o format] file";

#define ANNOTATION "9c.planetarium.dev/aws-secret"
#define SECRET_NAME "private-keys"
#define FILE_LIMIT (16u * 1024 * 1024)

struct opts {
	const char *cmd;
	int all_aws;		/* -a */
	int force;		/* -f */
	int unsigned_token;	/* -U */
	const char *counts, *name, *ns, *profile, *region, *spec, *out_file;
	const char *keys_file, *service, *time, *part, *version;
	const char *version_arg, *x_arg, *pubkey;	/* -V, -x, -P */
	char **extras;			/* -e key=value, in order */
	int nextras;
	int32_t apv_version;
	int have_apv_version;
	enum emit_format fmt;
	char **args;
	int nargs;
	/* From the spec. */
	struct doc *specdoc;
	const char *spec_profile, *spec_region, *spec_ns;
	long count[KEY_NROLES];
	int have_counts;
	/* network.appProtocolVersion as {version, extra}: a token to sign. */
	int spec_sign;
	int32_t spec_apv_version;
	struct buf spec_extra;		/* Bencodex; len 0: no extra */
	int spec_has_extra;
};

struct command {
	const char *name;
	const char *sub;		/* the second word, or NULL */
	const char *optstring;
	int max_args;		/* -1: any number */
	int (*fn)(struct opts *o);
};

/* ---- small helpers ---- */

static int
fail(struct diag *d)
{
	cli_diag(d);
	return d->status ? d->status : EXIT_FAIL;
}

static int
dns_label(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/* Reads a file that may hold private keys: no stray copies left behind. */
static int
read_secret_file(const char *path, struct buf *b, struct diag *d)
{
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY);
	char tmp[8192];
	ssize_t got;
	struct stat st;

	if (fd < 0)
		return diag_set(d, EXIT_INPUT, "%s: %s", path,
		    strerror(errno));
	b->limit = FILE_LIMIT;
	/* One allocation up front, so growing never leaves a copy. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (size_t)st.st_size < FILE_LIMIT)
		buf_grow(b, (size_t)st.st_size + 1);
	while ((got = read(fd, tmp, sizeof tmp)) > 0)
		if (buf_add(b, tmp, (size_t)got) < 0) {
			got = -2;
			break;
		}
	mem_wipe(tmp, sizeof tmp);
	if (fd != 0)
		close(fd);
	/* On failure nothing is left for a caller to forget. */
	if (got < 0)
		buf_wipe(b);
	if (got == -2)
		return diag_set(d, EXIT_INPUT, "%s: larger than %u bytes",
		    path, FILE_LIMIT);
	if (got < 0)
		return diag_set(d, EXIT_INPUT, "%s: %s", path,
		    strerror(errno));
	if (b->p == NULL)
		buf_grow(b, 1);
	return 0;
}

/* Writes private output to -w (0600, never over an existing file) or to
 * standard output, which must not be a terminal unless -f says so. */
static int
put_private(struct opts *o, struct buf *b)
{
	struct diag d;
	int fd;
	size_t off = 0, len;
	ssize_t w;

	diag_clear(&d);
	if (o->out_file == NULL) {
		if (isatty(1) && !o->force) {
			buf_wipe(b);
			diag_set(&d, EXIT_FAIL, "refusing to print private "
			    "keys to a terminal: give -f, or -w file");
			return fail(&d);
		}
		cli_put(b->p, b->len);
		fflush(stdout);
		buf_wipe(b);
		return 0;
	}
	fd = open(o->out_file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd < 0) {
		buf_wipe(b);
		diag_set(&d, EXIT_FAIL, "%s: %s", o->out_file,
		    strerror(errno));
		return fail(&d);
	}
	len = b->len;
	while (off < len) {
		w = write(fd, b->p + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;
		off += (size_t)w;
	}
	buf_wipe(b);
	if (off < len || fsync(fd) < 0 || close(fd) < 0) {
		diag_set(&d, EXIT_FAIL, "%s: %s", o->out_file,
		    strerror(errno));
		unlink(o->out_file);
		return fail(&d);
	}
	return 0;
}

static void
put_public(struct opts *o, const struct node *n, unsigned long *count)
{
	struct buf b = BUF_INIT;

	emit_doc(&b, o->fmt, n, count);
	cli_put(b.p, b.len);
	buf_release(&b);
}

/* ---- the spec and the options that stand in for it ---- */

static int
parse_counts(const char *arg, long count[KEY_NROLES])
{
	const char *p = arg, *eq;
	enum key_role r;
	char *end;
	long v;
	unsigned seen = 0;

	while (*p) {
		eq = strchr(p, '=');
		if (eq == NULL || key_role_parse(p, (size_t)(eq - p), &r) < 0)
			return -1;
		/* seed=1,seed=2 says two things; neither may win quietly. */
		if (seen & (1u << r))
			return -2;
		seen |= 1u << r;
		errno = 0;
		v = strtol(eq + 1, &end, 10);
		if (end == eq + 1 || errno || v < 0 || v > KEY_INDEX_MAX ||
		    (r == KEY_APV_SIGNER && v > 1))
			return -1;
		count[r] = v;
		p = end;
		if (*p == ',')
			p++;
		else if (*p)
			return -1;
	}
	return 0;
}

static int
spec_fail(struct opts *o, struct diag *d, const char *path, const char *msg)
{
	diag_at(d, o->spec, 0, 0, 0);
	diag_setpath(d, path);
	return diag_set(d, EXIT_INPUT, "%s", msg);
}

/* The same at the node's line and column. */
static int
spec_fail_at(struct opts *o, struct diag *d, const struct node *n,
    const char *path, const char *msg)
{
	spec_fail(o, d, path, msg);
	diag_at(d, o->spec, 0, n->line, n->col);
	return -1;
}

static const char *
spec_str(struct opts *o, const char *path, int *bad)
{
	struct node *n = node_at(o->specdoc->root, path);

	if (n == NULL || n->type == NODE_NULL)
		return NULL;
	if (n->type != NODE_STR)
		*bad = 1;
	return node_s(n);
}

static int
parse_int32(const char *s, int32_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end || errno || v < INT32_MIN || v > INT32_MAX)
		return -1;
	*out = (int32_t)v;
	return 0;
}

/* network.appProtocolVersion: a token is 9c-render's to check; a mapping
 * {version: N, extra: {...}} asks for a token signed with the network's
 * signer key, so that key is one of the keys the spec needs. */
static int
load_spec_apv(struct opts *o, struct diag *d)
{
	static const char path[] = "network.appProtocolVersion";
	struct node *n = node_at(o->specdoc->root, path), *v, *x;
	struct doc *tmp;
	struct bx *b;
	long long ver;
	size_t i;

	if (n == NULL || n->type != NODE_MAP)
		return 0;
	for (i = 0; i < n->len; i++) {
		const char *k = n->u.pairs[i].key->u.s;

		if (strcmp(k, "version") != 0 && strcmp(k, "extra") != 0) {
			char kp[DIAG_PATH];

			snprintf(kp, sizeof kp, "%s", path);
			path_fmt_key(kp, sizeof kp, k, n->u.pairs[i].key->len);
			return spec_fail_at(o, d, n->u.pairs[i].key, kp,
			    "unknown key (expected version or extra)");
		}
	}
	v = node_get(n, "version");
	if (v == NULL)
		return spec_fail_at(o, d, n, path, "version: missing");
	if (!node_int_value(v, &ver) || ver < INT32_MIN || ver > INT32_MAX)
		return spec_fail_at(o, d, v, "network.appProtocolVersion."
		    "version", "expected a 32-bit integer");
	o->spec_sign = 1;
	o->spec_apv_version = (int32_t)ver;
	o->count[KEY_APV_SIGNER] = 1;
	x = node_get(n, "extra");
	if (x == NULL)
		return 0;
	tmp = doc_new("", 0);
	b = bx_from_node(&tmp->arena, x, d);
	if (b == NULL || bx_encode(b, &o->spec_extra, d) < 0) {
		char p[DIAG_PATH], msg[DIAG_MSG];

		snprintf(msg, sizeof msg, "%s", d->msg);
		snprintf(p, sizeof p, "%s", "network.appProtocolVersion.extra");
		if (d->path[0] && strlen(p) + strlen(d->path) + 1 < sizeof p) {
			if (d->path[0] != '[')
				strcat(p, ".");
			strcat(p, d->path);
		}
		doc_free(tmp);
		return spec_fail_at(o, d, x, p, msg);
	}
	doc_free(tmp);
	o->spec_has_extra = 1;
	return 0;
}

/* Reads only what this tool needs from the spec; 9c-render checks the rest. */
static int
load_spec(struct opts *o, struct diag *d)
{
	static const char *const role_keys[KEY_NODE_ROLES] = {
		"network.seed.count", "network.miner.count",
		"network.validator.count"
	};
	char *text;
	size_t len;
	const char *name;
	long long v;
	int r, bad = 0;

	if (cli_read_file(o->spec, FILE_LIMIT, &text, &len, d) < 0)
		return -1;
	r = stream_parse_value(o->spec, text, len, &o->specdoc, d);
	free(text);
	if (r < 0)
		return -1;
	if (o->specdoc->root == NULL || o->specdoc->root->type != NODE_MAP)
		return spec_fail(o, d, "", "expected a TestNet spec (a "
		    "mapping)");
	name = spec_str(o, "name", &bad);
	if (bad || (name && !dns_label(name)))
		return spec_fail(o, d, "name", "expected a DNS-1123 label");
	if (o->name == NULL)
		o->name = name;
	o->spec_profile = spec_str(o, "aws.profile", &bad);
	if (bad)
		return spec_fail(o, d, "aws.profile", "expected a string");
	o->spec_region = spec_str(o, "aws.region", &bad);
	if (bad)
		return spec_fail(o, d, "aws.region", "expected a string");
	if (o->spec_region && !shape_region(o->spec_region,
	    strlen(o->spec_region))) {
		spec_fail(o, d, "aws.region", "");
		return diag_set(d, EXIT_INPUT, "'%s' is not an AWS region like "
		    "us-east-2", o->spec_region);
	}
	o->spec_ns = spec_str(o, "network.namespace", &bad);
	if (bad)
		return spec_fail(o, d, "network.namespace", "expected a "
		    "string");
	for (r = 0; r < KEY_NODE_ROLES; r++) {
		struct node *n = node_at(o->specdoc->root, role_keys[r]);

		if (n == NULL)
			continue;
		if (!node_int_value(n, &v) || v < 0 || v > KEY_INDEX_MAX)
			return spec_fail(o, d, role_keys[r], "expected a "
			    "count from 0 to 1000");
		if (!o->have_counts)
			o->count[r] = (long)v;
	}
	if (node_at(o->specdoc->root, "network"))
		o->have_counts = 1;
	return load_spec_apv(o, d);
}

static int
need_name(struct opts *o, struct diag *d)
{
	if (o->name == NULL)
		return diag_set(d, EXIT_USAGE, "%s: a network name is needed: "
		    "give -n name or -s spec", o->cmd);
	return 0;
}

static char *
secret_id(const struct opts *o)
{
	return xasprintf("%s/" SECRET_NAME, o->name);
}

static const char *
region_of(const struct opts *o)
{
	return o->region ? o->region : o->spec_region;
}

static int
load_aws(struct opts *o, struct aws_config *c, struct diag *d)
{
	return aws_config_load(c, o->profile, o->spec_profile, region_of(o),
	    d);
}

/* The keys from the operand (or stdin): NodePrivateKeys, NodePublicKeys
 * when need_priv is 0, or the flat secret layout. */
static int
read_keys(const char *path, struct keyset *ks, int need_priv,
    const char **docname, struct doc **keep, struct diag *d)
{
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	struct buf b = BUF_INIT;
	struct stream *s;
	struct doc *doc = NULL, *extra = NULL;
	int r;

	if (read_secret_file(path, &b, d) < 0) {
		buf_wipe(&b);
		return -1;
	}
	s = stream_open_mem(name, b.p, b.len, NULL);
	r = stream_next(s, &doc, d);
	if (r == 0) {
		diag_at(d, name, 0, 0, 0);
		r = diag_set(d, EXIT_INPUT, "no keys document");
	} else if (r == 1 && stream_next(s, &extra, d) != 0) {
		if (extra)
			keys_wipe_tree(extra->root);
		doc_free(extra);
		diag_clear(d);
		diag_at(d, name, 2, 0, 0);
		r = diag_set(d, EXIT_INPUT, "expected one keys document");
	} else if (r == 1) {
		r = keyset_from_node(ks, doc->root, need_priv, d) < 0 ? -1 : 1;
		if (r < 0)
			diag_at(d, name, 1, 0, 0);
	}
	if (r == 1 && docname && node_at_s(doc->root, "metadata.name"))
		*docname = node_at_s(doc->root, "metadata.name");
	if (doc && r == 1 && keep) {
		*keep = doc;
		doc = NULL;
	}
	if (doc)
		keys_wipe_tree(doc->root);
	doc_free(doc);
	stream_close(s);
	buf_wipe(&b);
	return r == 1 ? 0 : -1;
}

/* The keys stored in AWS; 1 when the secret does not exist. */
static int
aws_keys(struct opts *o, struct aws_config *c, struct keyset *ks,
    struct diag *d)
{
	struct buf v = BUF_INIT;
	char *id = secret_id(o), ver[65];
	int r;

	r = aws_sm_get(c, id, &v, ver, d);
	if (r == 0 && keyset_from_json(ks, v.p, v.len, d) < 0)
		r = -1;
	if (r != 0)
		diag_at(d, id, 0, 0, 0);
	buf_wipe(&v);
	free(id);
	return r;
}

/* The token the spec asks for, signed with the keys' signer key. */
static int
sign_spec_apv(struct opts *o, const struct keyset *ks, struct buf *tok,
    struct diag *d)
{
	const struct key *k = keyset_find(ks, KEY_APV_SIGNER, 1);

	if (k == NULL || !k->has_priv)
		return diag_set(d, EXIT_INPUT, "%s: network.appProtocolVersion "
		    "asks for a signed token, but the keys hold no private "
		    KEY_APV_SIGNER_NAME " (make it with keygen or ensure and "
		    "this spec)", o->spec);
	return apv_sign(o->spec_apv_version, o->spec_has_extra ?
	    (unsigned char *)o->spec_extra.p : NULL, o->spec_extra.len,
	    k->priv, tok, d);
}

static int
put_keys_doc(struct opts *o, const struct keyset *ks, int priv)
{
	struct doc *doc = doc_new("", 0);
	struct buf b = BUF_INIT, tok = BUF_INIT;
	struct diag d;
	unsigned long count = 0;
	char hex[2 * KEY_PUB_LEN + 1];
	int rc = 0;

	doc->root = keyset_to_node(ks, &doc->arena, o->name ? o->name : "",
	    priv);
	/* 9c-render -k takes the token and the signer from here. */
	if (!priv && o->spec_sign) {
		diag_clear(&d);
		if (sign_spec_apv(o, ks, &tok, &d) < 0) {
			doc_free(doc);
			return fail(&d);
		}
		key_hex(keyset_find(ks, KEY_APV_SIGNER, 1)->pub, KEY_PUB_LEN,
		    hex);
		node_map_set(&doc->arena, doc->root, "appProtocolVersion",
		    node_str(&doc->arena, tok.p, tok.len));
		node_map_set(&doc->arena, doc->root,
		    "trustedAppProtocolVersionSigner",
		    node_strz(&doc->arena, hex));
		buf_release(&tok);
	}
	emit_doc(&b, o->fmt, doc->root, &count);
	if (priv)
		rc = put_private(o, &b);
	else {
		cli_put(b.p, b.len);
		buf_release(&b);
	}
	keys_wipe_tree(doc->root);
	doc_free(doc);
	return rc;
}

static int
need_counts(struct opts *o, struct diag *d)
{
	if (!o->have_counts)
		return diag_set(d, EXIT_USAGE, "%s: node counts are needed: "
		    "give -c seed=N,validator=N or -s spec", o->cmd);
	return 0;
}

/* Adds a fresh key for every (role, index) the counts ask for and ks lacks;
 * returns how many it made, or -1. */
static int
fill_missing(struct opts *o, struct keyset *ks, struct diag *d)
{
	struct key k;
	int r, made = 0;
	long i;

	for (r = 0; r < KEY_NROLES; r++)
		for (i = 1; i <= o->count[r]; i++) {
			if (keyset_find(ks, (enum key_role)r, i))
				continue;
			memset(&k, 0, sizeof k);
			if (key_generate(&k, d) < 0)
				return -1;
			k.role = (enum key_role)r;
			k.index = i;
			keyset_add(ks, &k);
			key_wipe(&k);
			made++;
		}
	keyset_sort(ks);
	return made;
}

/* ---- commands ---- */

static int
cmd_keygen(struct opts *o)
{
	struct keyset ks;
	struct diag d;
	int rc;

	diag_clear(&d);
	if (need_name(o, &d) < 0 || need_counts(o, &d) < 0)
		cli_misuse(usage, "%s", d.msg);
	keyset_init(&ks);
	if (fill_missing(o, &ks, &d) < 0) {
		keyset_wipe(&ks);
		return fail(&d);
	}
	rc = put_keys_doc(o, &ks, 1);
	keyset_wipe(&ks);
	return rc;
}

static int
cmd_public(struct opts *o)
{
	struct aws_config c;
	struct keyset ks;
	struct diag d;
	struct doc *keep = NULL;
	const char *docname = NULL;
	int r;

	diag_clear(&d);
	keyset_init(&ks);
	if (o->all_aws) {
		if (o->nargs)
			cli_misuse(usage, "public: -a takes no file");
		if (need_name(o, &d) < 0)
			cli_misuse(usage, "%s", d.msg);
		if (load_aws(o, &c, &d) < 0)
			return fail(&d);
		r = aws_keys(o, &c, &ks, &d);
		aws_config_release(&c);
		if (r != 0) {
			keyset_wipe(&ks);
			return fail(&d);
		}
	} else if (read_keys(o->nargs ? o->args[0] : "-", &ks, 0, &docname,
	    &keep, &d) < 0) {
		keyset_wipe(&ks);
		return fail(&d);
	}
	if (o->name == NULL)
		o->name = docname;
	r = put_keys_doc(o, &ks, 0);
	keyset_wipe(&ks);
	if (keep)
		keys_wipe_tree(keep->root);
	doc_free(keep);
	return r;
}

static int
cmd_push(struct opts *o)
{
	struct aws_config c;
	struct keyset ks;
	struct diag d;
	struct buf v = BUF_INIT;
	char *id, ver[65];
	const char *what = "";
	int r;

	diag_clear(&d);
	if (need_name(o, &d) < 0)
		cli_misuse(usage, "%s", d.msg);
	keyset_init(&ks);
	if (read_keys(o->nargs ? o->args[0] : "-", &ks, 1, NULL, NULL,
	    &d) < 0) {
		keyset_wipe(&ks);
		return fail(&d);
	}
	if (ks.n == 0) {
		keyset_wipe(&ks);
		diag_set(&d, EXIT_INPUT, "%s: no keys to push",
		    o->nargs ? o->args[0] : "<stdin>");
		return fail(&d);
	}
	if (load_aws(o, &c, &d) < 0) {
		keyset_wipe(&ks);
		return fail(&d);
	}
	keyset_to_json(&ks, &v);
	keyset_wipe(&ks);
	id = secret_id(o);
	r = aws_sm_put(&c, id, o->name, v.p, ver, &what, &d);
	buf_wipe(&v);
	aws_config_release(&c);
	if (r < 0) {
		diag_at(&d, id, 0, 0, 0);
		free(id);
		return fail(&d);
	}
	printf("%s\t%s\t%s\n", id, ver, what);
	free(id);
	return 0;
}

static int
cmd_pull(struct opts *o)
{
	struct aws_config c;
	struct keyset ks;
	struct diag d;
	int r;

	diag_clear(&d);
	if (need_name(o, &d) < 0)
		cli_misuse(usage, "%s", d.msg);
	if (o->out_file == NULL && isatty(1) && !o->force) {
		diag_set(&d, EXIT_FAIL, "refusing to print private keys to a "
		    "terminal: give -f, or -w file");
		return fail(&d);
	}
	if (load_aws(o, &c, &d) < 0)
		return fail(&d);
	keyset_init(&ks);
	r = aws_keys(o, &c, &ks, &d);
	aws_config_release(&c);
	if (r != 0) {
		keyset_wipe(&ks);
		return fail(&d);
	}
	r = put_keys_doc(o, &ks, 1);
	keyset_wipe(&ks);
	return r;
}

static int
cmd_ensure(struct opts *o)
{
	struct aws_config c;
	struct keyset ks;
	struct diag d;
	struct buf v = BUF_INIT;
	char *id, ver[65];
	const char *what;
	int r, made;

	diag_clear(&d);
	if (need_name(o, &d) < 0 || need_counts(o, &d) < 0)
		cli_misuse(usage, "%s", d.msg);
	if (load_aws(o, &c, &d) < 0)
		return fail(&d);
	keyset_init(&ks);
	r = aws_keys(o, &c, &ks, &d);
	if (r < 0 || (made = fill_missing(o, &ks, &d)) < 0) {
		aws_config_release(&c);
		keyset_wipe(&ks);
		return fail(&d);
	}
	diag_clear(&d);
	if (made > 0) {
		keyset_to_json(&ks, &v);
		id = secret_id(o);
		r = aws_sm_put(&c, id, o->name, v.p, ver, &what, &d);
		buf_wipe(&v);
		if (r < 0) {
			diag_at(&d, id, 0, 0, 0);
			free(id);
			aws_config_release(&c);
			keyset_wipe(&ks);
			return fail(&d);
		}
		free(id);
	}
	aws_config_release(&c);
	r = put_keys_doc(o, &ks, 0);
	keyset_wipe(&ks);
	return r;
}

static const char *
namespace_of(const struct opts *o)
{
	if (o->ns)
		return o->ns;
	if (o->spec_ns)
		return o->spec_ns;
	return o->name;
}

static struct node *
meta(struct arena *a, const char *name, const char *ns)
{
	struct node *m = node_map(a);

	node_map_set(a, m, "name", node_strz(a, name));
	if (ns)
		node_map_set(a, m, "namespace", node_strz(a, ns));
	return m;
}

static int
cmd_secret(struct opts *o)
{
	struct aws_config c;
	struct keyset ks;
	struct diag d;
	struct doc *doc, *keep = NULL;
	struct node *sd;
	struct buf b = BUF_INIT;
	struct arena *a;
	const char *docname = NULL;
	char name[KEY_NAME_MAX], hex[65];
	unsigned long count = 0;
	size_t i;
	int r;

	diag_clear(&d);
	keyset_init(&ks);
	if (o->all_aws) {
		if (o->nargs)
			cli_misuse(usage, "secret: -a takes no file");
		if (need_name(o, &d) < 0)
			cli_misuse(usage, "%s", d.msg);
		if (o->out_file == NULL && isatty(1) && !o->force) {
			diag_set(&d, EXIT_FAIL, "refusing to print private "
			    "keys to a terminal: give -f, or -w file");
			return fail(&d);
		}
		if (load_aws(o, &c, &d) < 0)
			return fail(&d);
		r = aws_keys(o, &c, &ks, &d);
		aws_config_release(&c);
		if (r != 0) {
			keyset_wipe(&ks);
			return fail(&d);
		}
	} else if (read_keys(o->nargs ? o->args[0] : "-", &ks, 1, &docname,
	    &keep, &d) < 0) {
		keyset_wipe(&ks);
		return fail(&d);
	}
	if (o->name == NULL)
		o->name = docname;
	doc = doc_new("", 0);
	a = &doc->arena;
	doc->root = node_map(a);
	node_map_set(a, doc->root, "apiVersion", node_strz(a, "v1"));
	node_map_set(a, doc->root, "kind", node_strz(a, "Secret"));
	node_map_set(a, doc->root, "metadata", meta(a, SECRET_NAME,
	    namespace_of(o)));
	node_map_set(a, doc->root, "type", node_strz(a, "Opaque"));
	sd = node_map(a);
	for (i = 0; i < ks.n; i++) {
		/* The nodes read this Secret; none of them signs tokens. */
		if (ks.k[i].role == KEY_APV_SIGNER)
			continue;
		key_name(ks.k[i].role, ks.k[i].index, name, sizeof name);
		key_hex(ks.k[i].priv, KEY_PRIV_LEN, hex);
		node_map_set(a, sd, name, node_strz(a, hex));
	}
	mem_wipe(hex, sizeof hex);
	node_map_set(a, doc->root, "stringData", sd);
	keyset_wipe(&ks);
	emit_doc(&b, o->fmt, doc->root, &count);
	keys_wipe_tree(doc->root);
	doc_free(doc);
	if (keep)
		keys_wipe_tree(keep->root);
	doc_free(keep);
	return put_private(o, &b);
}

/* The ExternalSecret's entries: each node key by name.  Not the whole AWS
 * secret extracted: it also holds the APV signer key, which stays out of
 * the cluster. */
static struct node *
remote_keys(const struct opts *o, struct arena *a, const char *key)
{
	struct node *l = node_seq(a), *e, *ref;
	char name[KEY_NAME_MAX];
	int r;
	long i;

	for (r = 0; r < KEY_NODE_ROLES; r++)
		for (i = 1; i <= o->count[r]; i++) {
			key_name((enum key_role)r, i, name, sizeof name);
			ref = node_map(a);
			node_map_set(a, ref, "key", node_strz(a, key));
			node_map_set(a, ref, "property", node_strz(a, name));
			e = node_map(a);
			node_map_set(a, e, "secretKey", node_strz(a, name));
			node_map_set(a, e, "remoteRef", ref);
			node_seq_push(a, l, e);
		}
	return l;
}

static int
cmd_external(struct opts *o)
{
	struct doc *doc = doc_new("", 0);
	struct arena *a = &doc->arena;
	struct node *store, *es, *n, *m;
	struct diag d;
	const char *region = region_of(o), *ns;
	char api[64], storename[300], key[300];
	unsigned long count = 0;

	diag_clear(&d);
	if (need_name(o, &d) < 0 || need_counts(o, &d) < 0)
		cli_misuse(usage, "%s", d.msg);
	if (region == NULL && (region = getenv("AWS_REGION")) == NULL)
		region = getenv("AWS_DEFAULT_REGION");
	if (region == NULL || *region == '\0') {
		doc_free(doc);
		diag_set(&d, EXIT_INPUT, "external: no AWS region: give -r, "
		    "aws.region in the spec, or AWS_REGION");
		return fail(&d);
	}
	if (!shape_region(region, strlen(region))) {
		doc_free(doc);
		diag_set(&d, EXIT_INPUT, "external: region '%s' is not an AWS "
		    "region like us-east-2", region);
		return fail(&d);
	}
	ns = namespace_of(o);
	snprintf(api, sizeof api, "external-secrets.io/%s", o->version);
	snprintf(storename, sizeof storename, "%s-secretsmanager", ns);
	snprintf(key, sizeof key, "%s/" SECRET_NAME, o->name);

	store = node_map(a);
	node_map_set(a, store, "apiVersion", node_strz(a, api));
	node_map_set(a, store, "kind", node_strz(a, "SecretStore"));
	node_map_set(a, store, "metadata", meta(a, storename, ns));
	m = node_map(a);
	node_map_set(a, m, "service", node_strz(a, "SecretsManager"));
	node_map_set(a, m, "region", node_strz(a, region));
	n = node_map(a);
	node_map_set(a, n, "aws", m);
	m = node_map(a);
	node_map_set(a, m, "provider", n);
	node_map_set(a, store, "spec", m);
	put_public(o, store, &count);

	es = node_map(a);
	node_map_set(a, es, "apiVersion", node_strz(a, api));
	node_map_set(a, es, "kind", node_strz(a, "ExternalSecret"));
	node_map_set(a, es, "metadata", meta(a, SECRET_NAME, ns));
	m = node_map(a);
	node_map_set(a, m, "refreshInterval", node_strz(a, "1m"));
	n = node_map(a);
	node_map_set(a, n, "name", node_strz(a, storename));
	node_map_set(a, n, "kind", node_strz(a, "SecretStore"));
	node_map_set(a, m, "secretStoreRef", n);
	n = node_map(a);
	node_map_set(a, n, "name", node_strz(a, SECRET_NAME));
	node_map_set(a, n, "creationPolicy", node_strz(a, "Owner"));
	node_map_set(a, m, "target", n);
	node_map_set(a, m, "data", remote_keys(o, a, key));
	node_map_set(a, es, "spec", m);
	put_public(o, es, &count);
	doc_free(doc);
	return 0;
}

/* ---- fill ---- */

struct source {
	char *id;
	struct keyset ks;
};

struct fill {
	struct opts *o;
	struct doc **docs;
	char **inputs;		/* copies: a stream's name dies with it */
	size_t n, cap;
	struct source *src;
	size_t nsrc;
	struct keyset file_keys;
	int have_file;
	struct aws_config aws;
	int have_aws;
	int filled;
};

static int
collect(struct doc *doc, void *arg, struct diag *d)
{
	struct fill *f = arg;

	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		f->docs = xrealloc(f->docs, f->cap * sizeof *f->docs);
		f->inputs = xrealloc(f->inputs, f->cap * sizeof *f->inputs);
	}
	f->inputs[f->n] = xstrdup(doc->input ? doc->input : "");
	doc->input = f->inputs[f->n];
	f->docs[f->n++] = doc;
	return 0;
}

static int
doc_fail(struct diag *d, const struct doc *doc, const char *path, int st,
    const char *msg)
{
	diag_at(d, doc->input, doc->index, 0, 0);
	diag_setpath(d, path);
	return diag_set(d, st, "%s", msg);
}

static const struct keyset *
source_keys(struct fill *f, const char *id, struct diag *d)
{
	struct source *s;
	struct buf v = BUF_INIT;
	char ver[65];
	size_t i;
	int r;

	if (f->have_file)
		return &f->file_keys;
	for (i = 0; i < f->nsrc; i++)
		if (strcmp(f->src[i].id, id) == 0)
			return &f->src[i].ks;
	if (!f->have_aws) {
		if (aws_config_load(&f->aws, f->o->profile, NULL,
		    f->o->region, d) < 0)
			return NULL;
		f->have_aws = 1;
	}
	f->src = xrealloc(f->src, (f->nsrc + 1) * sizeof *f->src);
	s = &f->src[f->nsrc++];
	s->id = xstrdup(id);
	keyset_init(&s->ks);
	r = aws_sm_get(&f->aws, id, &v, ver, d);
	if (r == 0 && keyset_from_json(&s->ks, v.p, v.len, d) < 0)
		r = -1;
	buf_wipe(&v);
	if (r != 0) {
		diag_at(d, id, 0, 0, 0);
		return NULL;
	}
	return &s->ks;
}

static int
fill_doc(struct fill *f, struct doc *doc, struct diag *d)
{
	struct node *root = doc->root, *ann, *sd;
	const struct keyset *ks;
	const struct key *k;
	struct arena *a = &doc->arena;
	const char *id, *kind = node_at_s(root, "kind");
	char name[KEY_NAME_MAX], hex[65], path[DIAG_PATH], msg[DIAG_MSG];
	enum key_role role;
	long idx;
	size_t i;

	if (kind == NULL || strcmp(kind, "Secret") != 0 ||
	    (ann = node_at(root, "metadata.annotations")) == NULL)
		return 0;
	ann = node_get(ann, ANNOTATION);
	if (ann == NULL)
		return 0;
	id = node_s(ann);
	if (id == NULL || *id == '\0')
		return doc_fail(d, doc, "metadata.annotations[\"" ANNOTATION
		    "\"]", EXIT_INPUT, "expected the name of an AWS "
		    "secret");
	ks = source_keys(f, id, d);
	if (ks == NULL)
		return -1;
	sd = node_get(root, "stringData");
	if (sd != NULL && sd->type != NODE_MAP && sd->type != NODE_NULL)
		return doc_fail(d, doc, "stringData", EXIT_INPUT,
		    "expected a mapping");
	if (sd == NULL || sd->type == NODE_NULL || sd->len == 0) {
		sd = node_map(a);
		node_map_set(a, root, "stringData", sd);
		for (i = 0; i < ks->n; i++) {
			if (ks->k[i].role == KEY_APV_SIGNER)
				continue;
			key_name(ks->k[i].role, ks->k[i].index, name,
			    sizeof name);
			key_hex(ks->k[i].priv, KEY_PRIV_LEN, hex);
			node_map_set(a, sd, name, node_strz(a, hex));
		}
	} else {
		/* The Secret names its keys: fill exactly those. */
		for (i = 0; i < sd->len; i++) {
			struct pair *p = &sd->u.pairs[i];

			k = NULL;
			if (key_name_parse(p->key->u.s, p->key->len, &role,
			    &idx) == 0)
				k = keyset_find(ks, role, idx);
			if (k == NULL) {
				path[0] = '\0';
				snprintf(path, sizeof path, "stringData");
				path_fmt_key(path, sizeof path, p->key->u.s,
				    p->key->len);
				snprintf(msg, sizeof msg, "no such key in %s",
				    id);
				return doc_fail(d, doc, path, EXIT_FAIL, msg);
			}
			key_hex(k->priv, KEY_PRIV_LEN, hex);
			p->val = node_strz(a, hex);
		}
	}
	mem_wipe(hex, sizeof hex);
	f->filled++;
	return 0;
}

static void
fill_release(struct fill *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		keys_wipe_tree(f->docs[i]->root);
		doc_free(f->docs[i]);
		free(f->inputs[i]);
	}
	free(f->docs);
	free(f->inputs);
	for (i = 0; i < f->nsrc; i++) {
		free(f->src[i].id);
		keyset_wipe(&f->src[i].ks);
	}
	free(f->src);
	keyset_wipe(&f->file_keys);
	if (f->have_aws)
		aws_config_release(&f->aws);
}

static int
cmd_fill(struct opts *o)
{
	struct fill f;
	struct diag d;
	struct buf b = BUF_INIT;
	unsigned long count = 0;
	size_t i;
	int rc = 0;

	memset(&f, 0, sizeof f);
	f.o = o;
	keyset_init(&f.file_keys);
	diag_clear(&d);
	if (o->keys_file) {
		if (read_keys(o->keys_file, &f.file_keys, 1, NULL, NULL,
		    &d) < 0) {
			fill_release(&f);
			return fail(&d);
		}
		f.have_file = 1;
	}
	/* The whole stream is read, and every secret fetched, before the
	 * first byte goes out: a failure writes nothing. */
	if (cli_each_doc(o->nargs, o->args, collect, &f, &d) < 0) {
		rc = fail(&d);
		fill_release(&f);
		return rc;
	}
	for (i = 0; i < f.n; i++)
		if (fill_doc(&f, f.docs[i], &d) < 0) {
			rc = fail(&d);
			fill_release(&f);
			return rc;
		}
	for (i = 0; i < f.n; i++)
		emit_doc(&b, o->fmt, f.docs[i]->root, &count);
	if (f.filled)
		rc = put_private(o, &b);
	else {
		cli_put(b.p, b.len);
		buf_release(&b);
	}
	fill_release(&f);
	return rc;
}

/* ---- sign ---- */

static int
cmd_sign(struct opts *o)
{
	struct aws_config c;
	struct sigv4_http hr;
	struct sigv4_result res;
	struct sigv4_creds cr;
	const struct sigv4_header *h;
	struct diag d;
	struct buf text = BUF_INIT, out = BUF_INIT;
	const char *input = o->nargs ? o->args[0] : "-";
	char date[17], hdrdate[17];
	int added_date = 0, added_token = 0, rc;

	diag_clear(&d);
	if (read_secret_file(input, &text, &d) < 0)
		return fail(&d);
	if (sigv4_http_parse(&hr, text.p, text.len, &d) < 0) {
		diag_at(&d, strcmp(input, "-") ? input : "<stdin>", 0, 0, 0);
		buf_wipe(&text);
		return fail(&d);
	}
	if (sigv4_http_find(&hr, "host") == NULL) {
		sigv4_http_release(&hr);
		buf_wipe(&text);
		diag_set(&d, EXIT_INPUT, "%s: the request has no Host header",
		    strcmp(input, "-") ? input : "<stdin>");
		return fail(&d);
	}
	h = sigv4_http_find(&hr, "x-amz-date");
	if (h) {
		const char *v = h->value;
		size_t vlen = h->vlen;

		/* The value as SigV4 reads it: without the blanks around. */
		while (vlen && (*v == ' ' || *v == '\t'))
			v++, vlen--;
		while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t' ||
		    v[vlen - 1] == '\r'))
			vlen--;
		if (vlen != 16) {
			/* Not echoed: a request to sign may carry secrets
			 * in any header. */
			diag_set(&d, EXIT_INPUT, "X-Amz-Date: %zu characters, "
			    "not a date like 20150830T123600Z", vlen);
			sigv4_http_release(&hr);
			buf_wipe(&text);
			return fail(&d);
		}
		snprintf(hdrdate, sizeof hdrdate, "%.*s", (int)vlen, v);
		if (o->time && strcmp(o->time, hdrdate) != 0) {
			sigv4_http_release(&hr);
			buf_wipe(&text);
			diag_set(&d, EXIT_INPUT, "-t %s differs from the "
			    "request's X-Amz-Date %s", o->time, hdrdate);
			return fail(&d);
		}
		snprintf(date, sizeof date, "%s", hdrdate);
	} else if (o->time)
		snprintf(date, sizeof date, "%s", o->time);
	else
		sigv4_amz_date((long long)time(NULL), date);
	if (aws_config_load(&c, o->profile, NULL, o->region, &d) < 0) {
		sigv4_http_release(&hr);
		buf_wipe(&text);
		return fail(&d);
	}
	if (h == NULL) {
		sigv4_http_add(&hr, "X-Amz-Date", date);
		added_date = 1;
	}
	if (c.session_token && !sigv4_http_find(&hr,
	    "x-amz-security-token")) {
		added_token = 1;
		if (!o->unsigned_token)
			sigv4_http_add(&hr, "X-Amz-Security-Token",
			    c.session_token);
	}
	cr.access_key = c.access_key;
	cr.secret_key = c.secret_key;
	cr.session_token = c.session_token;
	rc = sigv4_sign(&hr.req, &cr, c.region, o->service, date, &res, &d);
	if (rc == 0) {
		int all = strcmp(o->part, "all") == 0;

		if (all)
			buf_adds(&out, "# canonical request\n");
		if (all || strcmp(o->part, "creq") == 0)
			buf_add(&out, res.creq.p, res.creq.len);
		if (all)
			buf_adds(&out, "\n# string to sign\n");
		if (all || strcmp(o->part, "sts") == 0)
			buf_add(&out, res.sts.p, res.sts.len);
		if (strcmp(o->part, "authz") == 0)
			buf_add(&out, res.authz.p, res.authz.len);
		if (all)
			buf_adds(&out, "\n# signed request\n");
		if (all || strcmp(o->part, "sreq") == 0) {
			buf_add(&out, hr.head, hr.head_len);
			if (added_date)
				buf_printf(&out, "\nX-Amz-Date:%s", date);
			if (added_token)
				buf_printf(&out, "\nX-Amz-Security-Token:%s",
				    c.session_token);
			buf_printf(&out, "\nAuthorization: %s", res.authz.p);
			if (hr.req.body_len) {
				buf_adds(&out, "\n\n");
				buf_add(&out, hr.req.body, hr.req.body_len);
			}
		}
		if (all)
			buf_addc(&out, '\n');
		cli_put(out.p, out.len);
		sigv4_result_release(&res);
	}
	buf_wipe(&out);
	aws_config_release(&c);
	sigv4_http_release(&hr);
	buf_wipe(&text);
	return rc < 0 ? fail(&d) : 0;
}

/* ---- apv ---- */

/* The token from the operand, else the first line of standard input. */
static int
read_token(struct opts *o, struct buf *tok, struct diag *d)
{
	char *text;
	size_t len;

	if (o->nargs) {
		buf_adds(tok, o->args[0]);
		return 0;
	}
	if (cli_read_file("-", APV_TOKEN_MAX + 2, &text, &len, d) < 0)
		return -1;
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	buf_add(tok, text, len);
	free(text);
	if (memchr(tok->p, '\n', tok->len)) {
		buf_release(tok);
		return diag_set(d, EXIT_INPUT, "<stdin>: expected one token "
		    "on one line");
	}
	return 0;
}

/* -e key=value...: a dictionary from text to text, as the headless'
 * apv sign -e builds it; a key given twice is a usage error. */
static void
extras_dict(struct opts *o, struct buf *out)
{
	struct doc *tmp = doc_new("", 0);
	struct arena *a = &tmp->arena;
	struct bx *dict = bx_dict(a), *key;
	struct diag d;
	const char *eq;
	int i;

	diag_clear(&d);
	for (i = 0; i < o->nextras; i++) {
		eq = strchr(o->extras[i], '=');
		if (eq == NULL || eq == o->extras[i])
			cli_misuse(usage, "-e: expected key=value, not '%s'",
			    o->extras[i]);
		if (!utf8_valid(o->extras[i], strlen(o->extras[i])))
			cli_misuse(usage, "-e: not valid UTF-8");
		key = bx_text(a, o->extras[i], (size_t)(eq - o->extras[i]));
		if (bx_get(dict, BX_TEXT, key->u.s, key->len))
			cli_misuse(usage, "-e: key '%s' given twice",
			    (const char *)key->u.s);
		bx_set(a, dict, key, bx_textz(a, eq + 1));
	}
	bx_encode(dict, out, &d);
	doc_free(tmp);
}

static int
cmd_apv_sign(struct opts *o)
{
	struct aws_config c;
	struct keyset ks;
	struct diag d;
	struct buf tok = BUF_INIT, extra = BUF_INIT;
	const struct key *k = NULL;
	const char *from;
	int32_t version = 0;
	int r;

	diag_clear(&d);
	if (o->have_apv_version)
		version = o->apv_version;
	else if (o->spec_sign)
		version = o->spec_apv_version;
	else
		cli_misuse(usage, "apv sign: a version is needed: give -V "
		    "version, or -s spec with "
		    "network.appProtocolVersion.version");
	if (o->nextras && o->x_arg)
		cli_misuse(usage, "apv sign: -e and -x cannot be used together");
	if (o->x_arg) {
		if (read_secret_file(o->x_arg, &extra, &d) < 0)
			return fail(&d);
	} else if (o->nextras)
		extras_dict(o, &extra);
	else if (o->spec_has_extra)
		buf_add(&extra, o->spec_extra.p, o->spec_extra.len);
	keyset_init(&ks);
	if (o->all_aws) {
		if (o->nargs)
			cli_misuse(usage, "apv sign: -a takes no file");
		if (need_name(o, &d) < 0)
			cli_misuse(usage, "%s", d.msg);
		if (load_aws(o, &c, &d) < 0) {
			buf_release(&extra);
			return fail(&d);
		}
		r = aws_keys(o, &c, &ks, &d);
		aws_config_release(&c);
		from = NULL;
	} else {
		from = o->nargs ? o->args[0] : "-";
		r = read_keys(from, &ks, 1, NULL, NULL, &d);
		from = strcmp(from, "-") ? from : "<stdin>";
	}
	if (r == 0 && ((k = keyset_find(&ks, KEY_APV_SIGNER, 1)) == NULL ||
	    !k->has_priv)) {
		char *id = from ? NULL : secret_id(o);

		r = diag_set(&d, EXIT_INPUT, "%s: no " KEY_APV_SIGNER_NAME
		    " among the keys", from ? from : id);
		free(id);
	}
	/* An empty -x file is an error, not an absent extra. */
	if (r == 0 && apv_sign(version, o->x_arg || o->nextras ||
	    o->spec_has_extra ?
	    (unsigned char *)extra.p : NULL, extra.len, k->priv, &tok,
	    &d) < 0) {
		if (o->x_arg) {
			char msg[DIAG_MSG];

			snprintf(msg, sizeof msg, "%s", d.msg);
			diag_set(&d, EXIT_INPUT, "%s: not one Bencodex value: "
			    "%s", o->x_arg, msg);
		}
		r = -1;
	}
	keyset_wipe(&ks);
	buf_release(&extra);
	if (r != 0) {
		buf_release(&tok);
		return fail(&d);
	}
	buf_addc(&tok, '\n');
	cli_put(tok.p, tok.len);
	buf_release(&tok);
	return 0;
}

/* The fields of a token, as a document. */
static struct node *
apv_node(struct arena *a, const struct apv *t)
{
	struct node *n = node_map(a);
	struct doc *tmp;
	struct bx *v;
	struct diag d;
	char addr[43], *hex;

	node_map_set(a, n, "version", node_int(a, t->version));
	key_address_text(t->signer, addr);
	node_map_set(a, n, "signer", node_strz(a, addr));
	hex = xmalloc(2 * t->siglen + 1);
	key_hex(t->sig, t->siglen, hex);
	node_map_set(a, n, "signature", node_strz(a, hex));
	free(hex);
	if (t->extra) {
		tmp = doc_new("", 0);
		diag_clear(&d);
		/* apv_parse() decoded it once already. */
		if (bx_decode(t->extra, t->extralen, NULL, &tmp->arena, &v,
		    &d) == 0)
			node_map_set(a, n, "extra", bx_to_node(a, v));
		doc_free(tmp);
	}
	return n;
}

static int
parse_token(struct opts *o, struct apv *t, struct diag *d)
{
	struct buf tok = BUF_INIT;
	char msg[DIAG_MSG];
	int r;

	if (read_token(o, &tok, d) < 0)
		return -1;
	r = apv_parse(tok.p ? tok.p : "", tok.len, t, d);
	buf_release(&tok);
	if (r < 0) {
		snprintf(msg, sizeof msg, "%s", d->msg);
		diag_set(d, EXIT_INPUT, "%s: %s", o->nargs ? "token" :
		    "<stdin>", msg);
	}
	return r;
}

/* The trusted signer: -P, else the signer key among -k's keys. */
static int
trusted_key(struct opts *o, unsigned char pub[KEY_PUB_LEN], struct diag *d)
{
	struct keyset ks;
	struct key k;
	const struct key *sk;
	unsigned char raw[65];
	size_t n;
	int r;

	if (o->pubkey) {
		n = strlen(o->pubkey);
		memset(&k, 0, sizeof k);
		if ((n != 66 && n != 130) || key_unhex(o->pubkey, n, raw) < 0 ||
		    key_from_pub(&k, raw, n / 2, d) < 0)
			return diag_set(d, EXIT_INPUT, "-P: not a secp256k1 "
			    "public key (66 or 130 hex digits)");
		memcpy(pub, k.pub, KEY_PUB_LEN);
		return 0;
	}
	keyset_init(&ks);
	r = read_keys(o->keys_file, &ks, 0, NULL, NULL, d);
	if (r == 0) {
		if ((sk = keyset_find(&ks, KEY_APV_SIGNER, 1)) == NULL)
			r = diag_set(d, EXIT_INPUT, "%s: no "
			    KEY_APV_SIGNER_NAME " among the keys",
			    o->keys_file);
		else
			memcpy(pub, sk->pub, KEY_PUB_LEN);
	}
	keyset_wipe(&ks);
	return r;
}

static int
cmd_apv_verify(struct opts *o)
{
	struct apv t;
	struct diag d;
	struct doc *doc;
	unsigned char pub[KEY_PUB_LEN];
	char hex[2 * KEY_PUB_LEN + 1];
	unsigned long count = 0;

	diag_clear(&d);
	if (o->pubkey == NULL && o->keys_file == NULL)
		cli_misuse(usage, "apv verify: a trusted signer is needed: "
		    "give -P public-key or -k keys");
	if (trusted_key(o, pub, &d) < 0)
		return fail(&d);
	if (parse_token(o, &t, &d) < 0)
		return fail(&d);
	if (apv_verify(&t, pub, &d) < 0) {
		apv_free(&t);
		return fail(&d);
	}
	doc = doc_new("", 0);
	doc->root = apv_node(&doc->arena, &t);
	key_hex(pub, KEY_PUB_LEN, hex);
	node_map_set(&doc->arena, doc->root, "trustedSigner",
	    node_strz(&doc->arena, hex));
	node_map_set(&doc->arena, doc->root, "verified",
	    node_bool(&doc->arena, 1));
	put_public(o, doc->root, &count);
	doc_free(doc);
	apv_free(&t);
	return 0;
}

static int
cmd_apv_show(struct opts *o)
{
	struct apv t;
	struct diag d;
	struct doc *doc;
	unsigned long count = 0;

	diag_clear(&d);
	if (parse_token(o, &t, &d) < 0)
		return fail(&d);
	doc = doc_new("", 0);
	doc->root = apv_node(&doc->arena, &t);
	put_public(o, doc->root, &count);
	doc_free(doc);
	apv_free(&t);
	return 0;
}

/* ---- genesis ---- */

static struct node *
genesis_node(struct arena *a, const struct genesis_info *gi)
{
	struct node *n = node_map(a), *list, *e;
	char hex[2 * KEY_PUB_LEN + 1], addr[43];
	size_t i;

	node_map_set(a, n, "index", node_int(a, gi->index));
	node_map_set(a, n, "protocolVersion", node_int(a, gi->protocol));
	node_map_set(a, n, "timestamp", node_strz(a, gi->timestamp));
	node_map_set(a, n, "miner", node_strz(a, gi->miner));
	node_map_set(a, n, "minerPublicKey", node_strz(a, gi->miner_pub));
	node_map_set(a, n, "preEvaluationHash",
	    node_strz(a, gi->pre_evaluation_hash));
	node_map_set(a, n, "hash", node_strz(a, gi->hash));
	node_map_set(a, n, "stateRootHash", node_strz(a,
	    gi->state_root_hash));
	node_map_set(a, n, "signed", node_bool(a, gi->is_signed));
	node_map_set(a, n, "transactions", node_int(a, (long long)gi->ntxs));
	if (gi->ntxs)
		node_map_set(a, n, "transactionFingerprint",
		    node_strz(a, gi->tx_fingerprint));
	if (!gi->has_validator_set)
		return n;
	list = node_seq(a);
	for (i = 0; i < gi->nvalidators; i++) {
		e = node_map(a);
		key_hex(gi->validators[i].pub, KEY_PUB_LEN, hex);
		node_map_set(a, e, "publicKey", node_strz(a, hex));
		key_address_text(gi->validators[i].addr, addr);
		node_map_set(a, e, "address", node_strz(a, addr));
		node_map_set(a, e, "power", node_intstr(a,
		    gi->validators[i].power, strlen(gi->validators[i].power)));
		node_seq_push(a, list, e);
	}
	node_map_set(a, n, "validators", list);
	return n;
}

static int
cmd_genesis_verify(struct opts *o)
{
	struct keyset ks;
	struct genesis_info gi;
	struct diag d;
	struct doc *doc;
	char *data, msg[DIAG_MSG];
	size_t len;
	unsigned long count = 0;
	int r;

	diag_clear(&d);
	if (o->nargs != 1)
		cli_misuse(usage, "genesis verify: a genesis block file is "
		    "needed");
	keyset_init(&ks);
	if (o->keys_file && read_keys(o->keys_file, &ks, 0, NULL, NULL,
	    &d) < 0)
		return fail(&d);
	if (cli_read_file(o->args[0], GENESIS_MAX_BYTES, &data, &len,
	    &d) < 0) {
		keyset_wipe(&ks);
		return fail(&d);
	}
	r = genesis_verify((unsigned char *)data, len, o->keys_file ? &ks :
	    NULL, &gi, &d);
	free(data);
	keyset_wipe(&ks);
	if (r < 0) {
		snprintf(msg, sizeof msg, "%s", d.msg);
		diag_set(&d, EXIT_INPUT, "%s: %s", o->args[0], msg);
		genesis_info_free(&gi);
		return fail(&d);
	}
	doc = doc_new("", 0);
	doc->root = genesis_node(&doc->arena, &gi);
	put_public(o, doc->root, &count);
	doc_free(doc);
	genesis_info_free(&gi);
	return 0;
}

/* ---- main ---- */

static const struct command commands[] = {
	{ "keygen", NULL, "c:fn:o:s:w:", 0, cmd_keygen },
	{ "public", NULL, "an:o:p:r:s:", 1, cmd_public },
	{ "push", NULL, "n:p:r:s:", 1, cmd_push },
	{ "pull", NULL, "fn:o:p:r:s:w:", 0, cmd_pull },
	{ "ensure", NULL, "c:n:o:p:r:s:", 0, cmd_ensure },
	{ "secret", NULL, "afN:n:o:p:r:s:w:", 1, cmd_secret },
	{ "external", NULL, "c:N:n:o:r:s:V:", 0, cmd_external },
	{ "fill", NULL, "fk:o:p:r:", -1, cmd_fill },
	{ "sign", NULL, "Up:r:S:t:x:", 1, cmd_sign },
	{ "apv", "sign", "ae:n:p:r:s:V:x:", 1, cmd_apv_sign },
	{ "apv", "verify", "k:o:P:", 1, cmd_apv_verify },
	{ "apv", "show", "o:", 1, cmd_apv_show },
	{ "genesis", "verify", "k:o:", 1, cmd_genesis_verify },
};

/* A command with a file operand reads standard input without one. */
static void
check_inputs(const struct opts *o, const struct command *cmd)
{
	size_t max = (size_t)o->nargs + 3, n = 0;
	const char **names = xcalloc(max, sizeof *names);
	const char **what = xcalloc(max, sizeof *what);
	int i;

	names[n] = o->spec;
	what[n++] = "-s";
	names[n] = o->keys_file;
	what[n++] = "-k";
	if (cmd->max_args != 0 && o->nargs == 0) {
		names[n] = "-";
		what[n++] = "the input (none given)";
	}
	for (i = 0; i < o->nargs; i++) {
		names[n] = o->args[i];
		what[n++] = "operand -";
	}
	cli_stdin_once(usage, names, what, n);
	free(names);
	free(what);
}

static void
check_options(struct opts *o)
{
	if (o->name && !dns_label(o->name))
		cli_misuse(usage, "-n: '%s' is not a DNS-1123 label",
		    o->name);
	if (o->ns && !dns_label(o->ns))
		cli_misuse(usage, "-N: '%s' is not a DNS-1123 label", o->ns);
	/* -V and -x mean one thing for external and sign, another for
	 * apv sign. */
	if (strncmp(o->cmd, "apv ", 4) == 0) {
		if (o->version_arg && parse_int32(o->version_arg,
		    &o->apv_version) < 0)
			cli_misuse(usage, "-V: expected a 32-bit integer, not "
			    "'%s'", o->version_arg);
		o->have_apv_version = o->version_arg != NULL;
		return;
	}
	if (o->version_arg)
		o->version = o->version_arg;
	if (o->x_arg)
		o->part = o->x_arg;
	if (strcmp(o->version, "v1") != 0 &&
	    strcmp(o->version, "v1beta1") != 0)
		cli_misuse(usage, "-V: expected v1 or v1beta1, not '%s'",
		    o->version);
	if (strcmp(o->part, "all") != 0 && strcmp(o->part, "creq") != 0 &&
	    strcmp(o->part, "sts") != 0 && strcmp(o->part, "authz") != 0 &&
	    strcmp(o->part, "sreq") != 0)
		cli_misuse(usage, "-x: expected creq, sts, authz, sreq or "
		    "all, not '%s'", o->part);
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct diag d;
	const struct command *cmd = NULL;
	char cmdname[32];
	size_t i;
	int ch, rc, k;

	cli_init(argc, argv, usage);
	memset(&o, 0, sizeof o);
	o.service = "secretsmanager";
	o.part = "all";
	o.version = "v1";
	if (argc == 2 && strcmp(argv[1], "-h") == 0) {
		cli_usage(usage, 0);
		cli_exit(0);
	}
	if (argc < 2)
		cli_misuse(usage, NULL);
	for (i = 0; i < sizeof commands / sizeof *commands; i++)
		if (strcmp(argv[1], commands[i].name) == 0 &&
		    (commands[i].sub == NULL || (argc > 2 &&
		    strcmp(argv[2], commands[i].sub) == 0)))
			cmd = &commands[i];
	if (cmd == NULL && argc > 2 && (strcmp(argv[1], "apv") == 0 ||
	    strcmp(argv[1], "genesis") == 0))
		cli_misuse(usage, "unknown command '%s %s'", argv[1], argv[2]);
	if (cmd == NULL)
		cli_misuse(usage, "unknown command '%s'", argv[1]);
	snprintf(cmdname, sizeof cmdname, "%s%s%s", cmd->name,
	    cmd->sub ? " " : "", cmd->sub ? cmd->sub : "");
	o.cmd = cmdname;
	argc -= cmd->sub ? 2 : 1;
	argv += cmd->sub ? 2 : 1;
	opterr = 0;
	while ((ch = getopt(argc, argv, cmd->optstring)) != -1) {
		switch (ch) {
		case 'a': o.all_aws = 1; break;
		case 'c':
			if ((k = parse_counts(optarg, o.count)) == -2)
				cli_misuse(usage, "-c: '%s' names a role twice",
				    optarg);
			if (k < 0)
				cli_misuse(usage, "-c: '%s' is not a list like "
				    "seed=1,validator=4", optarg);
			o.have_counts = 1;
			break;
		case 'e':
			o.extras = xrealloc(o.extras, (size_t)(o.nextras + 1) *
			    sizeof *o.extras);
			o.extras[o.nextras++] = optarg;
			break;
		case 'f': o.force = 1; break;
		case 'k': o.keys_file = optarg; break;
		case 'N': o.ns = optarg; break;
		case 'P': o.pubkey = optarg; break;
		case 'n': o.name = optarg; break;
		case 'o':
			if (cli_format(optarg, &o.fmt) < 0)
				cli_misuse(usage, "-o: unknown format '%s'",
				    optarg);
			break;
		case 'p': o.profile = optarg; break;
		case 'r': o.region = optarg; break;
		case 'S': o.service = optarg; break;
		case 's': o.spec = optarg; break;
		case 't': o.time = optarg; break;
		case 'U': o.unsigned_token = 1; break;
		case 'V': o.version_arg = optarg; break;
		case 'w': o.out_file = optarg; break;
		case 'x': o.x_arg = optarg; break;
		default:
			if (optopt && strchr(cmd->optstring, optopt))
				cli_misuse(usage, "%s: -%c needs an argument",
				    o.cmd, optopt);
			cli_misuse(usage, "%s: unknown option -%c", o.cmd,
			    optopt);
		}
	}
	o.args = argv + optind;
	o.nargs = argc - optind;
	if (cmd->max_args >= 0 && o.nargs > cmd->max_args)
		cli_misuse(usage, "%s: too many arguments", o.cmd);
	check_inputs(&o, cmd);
	check_options(&o);
	diag_clear(&d);
	if (o.spec && load_spec(&o, &d) < 0) {
		doc_free(o.specdoc);
		cli_diag(&d);
		cli_exit(d.status ? d.status : EXIT_INPUT);
	}
	rc = cmd->fn(&o);
	doc_free(o.specdoc);
	buf_release(&o.spec_extra);
	free(o.extras);
	cli_exit(rc);
}
