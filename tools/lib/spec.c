#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "shape.h"
#include "spec.h"
#include "stream.h"
#include "util.h"

#if defined(__has_include)
#if __has_include("spec_cluster.h") && __has_include("spec_cluster.c")
#include "spec_cluster.h"
#define HAVE_SPEC_CLUSTER 1
#endif
#endif

#define SPEC_LIMIT (4u << 20)

/* Field kinds of the schema.  Checks are strict on purpose: a spec that
 * says 1.4 where a version string is meant is caught here, not on EKS. */
enum fk {
	F_STR, F_INT, F_COUNT, F_BOOL, F_NAME, F_DOMAIN, F_PORT, F_QTY,
	F_HEX, F_STRUCT, F_MAP, F_STRMAP, F_STRS, F_SEQ, F_SEQSTRUCT,
	F_CLUSTER, F_APV, F_REGION, F_ACCOUNT, F_ARN, F_HOSTS, F_VERSION,
	F_ICES, F_GENESIS, F_REPO, F_GITREPO
};

struct field {
	const char *name;
	enum fk kind;
	int req;
	const struct field *sub;
	const char *const *choices;
};

#define END { NULL, F_STR, 0, NULL, NULL }

static const char *const pull_policies[] = {
	"Always", "IfNotPresent", "Never", NULL
};
static const char *const reclaim[] = { "Retain", "Delete", NULL };
static const char *const binding[] = {
	"Immediate", "WaitForFirstConsumer", NULL
};
static const char *const sources[] = { "aws", "secret", NULL };
static const char *const eso_versions[] = {
	"external-secrets.io/v1", "external-secrets.io/v1beta1", NULL
};
static const char *const peer_hosts[] = { "service", "public", NULL };

static const struct field f_aws[] = {
	{ "profile", F_STR, 0, NULL, NULL },
	{ "region", F_REGION, 1, NULL, NULL },
	{ "accountId", F_ACCOUNT, 1, NULL, NULL },
	END
};

static const struct field f_addon[] = {
	{ "chart", F_STR, 0, NULL, NULL },
	{ "repoURL", F_REPO, 0, NULL, NULL },
	{ "version", F_VERSION, 1, NULL, NULL },
	{ "namespace", F_NAME, 0, NULL, NULL },
	{ "values", F_MAP, 0, NULL, NULL },
	END
};

static const struct field f_ingress[] = {
	{ "enabled", F_BOOL, 0, NULL, NULL },
	{ "host", F_DOMAIN, 0, NULL, NULL },
	{ "certificateArn", F_ARN, 0, NULL, NULL },
	{ "annotations", F_STRMAP, 0, NULL, NULL },
	END
};

static const struct field f_repo[] = {
	{ "url", F_REPO, 1, NULL, NULL },
	{ "username", F_STR, 0, NULL, NULL },
	{ "secretKey", F_STR, 1, NULL, NULL },
	END
};

static const struct field f_argocd[] = {
	{ "version", F_VERSION, 1, NULL, NULL },
	{ "namespace", F_NAME, 0, NULL, NULL },
	{ "settings", F_STRMAP, 0, NULL, NULL },
	{ "rbac", F_STRMAP, 0, NULL, NULL },
	{ "ingress", F_STRUCT, 0, f_ingress, NULL },
	{ "repository", F_STRUCT, 0, f_repo, NULL },
	END
};

static const struct field f_bootstrap[] = {
	{ "argocd", F_STRUCT, 1, f_argocd, NULL },
	{ "externalSecrets", F_STRUCT, 0, f_addon, NULL },
	{ "clusterAutoscaler", F_STRUCT, 0, f_addon, NULL },
	{ "externalDns", F_STRUCT, 0, f_addon, NULL },
	{ "metricsServer", F_STRUCT, 0, f_addon, NULL },
	{ "awsLoadBalancerController", F_STRUCT, 0, f_addon, NULL },
	END
};

static const struct field f_images[] = {
	{ "seed", F_STR, 0, NULL, NULL },
	{ "headless", F_STR, 0, NULL, NULL },
	{ "pullPolicy", F_STR, 0, NULL, pull_policies },
	{ "pullSecrets", F_STRS, 0, NULL, NULL },
	END
};

static const struct field f_service[] = {
	{ "annotations", F_STRMAP, 0, NULL, NULL },
	{ "dnsTtl", F_COUNT, 0, NULL, NULL },
	{ "nodePorts", F_BOOL, 0, NULL, NULL },
	{ "nodePortRange", F_STR, 0, NULL, NULL },
	END
};

static const struct field f_sc[] = {
	{ "name", F_NAME, 1, NULL, NULL },
	{ "provisioner", F_STR, 1, NULL, NULL },
	{ "parameters", F_STRMAP, 0, NULL, NULL },
	{ "reclaimPolicy", F_STR, 0, NULL, reclaim },
	{ "allowVolumeExpansion", F_BOOL, 0, NULL, NULL },
	{ "volumeBindingMode", F_STR, 0, NULL, binding },
	END
};

static const struct field f_sched[] = {
	{ "nodeSelector", F_STRMAP, 0, NULL, NULL },
	{ "tolerations", F_SEQ, 0, NULL, NULL },
	{ "affinity", F_MAP, 0, NULL, NULL },
	END
};

static const struct field f_storage[] = {
	{ "size", F_QTY, 0, NULL, NULL },
	{ "class", F_NAME, 0, NULL, NULL },
	END
};

static const struct field f_storage_rh[] = {
	{ "size", F_QTY, 0, NULL, NULL },
	{ "logSize", F_QTY, 0, NULL, NULL },
	{ "class", F_NAME, 0, NULL, NULL },
	END
};

static const struct field f_ports_seed[] = {
	{ "node", F_PORT, 0, NULL, NULL },
	{ "graphql", F_PORT, 0, NULL, NULL },
	{ "gossip", F_PORT, 0, NULL, NULL },
	END
};
static const struct field f_ports_miner[] = {
	{ "headless", F_PORT, 0, NULL, NULL },
	{ "graphql", F_PORT, 0, NULL, NULL },
	END
};
static const struct field f_ports_validator[] = {
	{ "headless", F_PORT, 0, NULL, NULL },
	{ "graphql", F_PORT, 0, NULL, NULL },
	{ "consensus", F_PORT, 0, NULL, NULL },
	END
};
static const struct field f_ports_rh[] = {
	{ "headless", F_PORT, 0, NULL, NULL },
	{ "graphql", F_PORT, 0, NULL, NULL },
	{ "rpc", F_PORT, 0, NULL, NULL },
	END
};

/* A version to sign: the extra is a text-to-text dictionary, as the
 * headless's `apv sign -e KEY=VALUE' builds it. */
static const struct field f_apv[] = {
	{ "version", F_INT, 1, NULL, NULL },
	{ "extra", F_STRMAP, 0, NULL, NULL },
	END
};

#define ROLE_COMMON \
	{ "count", F_COUNT, 1, NULL, NULL }, \
	{ "hosts", F_HOSTS, 0, NULL, NULL }, \
	{ "useTurn", F_BOOL, 0, NULL, NULL }, \
	{ "workers", F_COUNT, 0, NULL, NULL }, \
	{ "resources", F_MAP, 0, NULL, NULL }, \
	{ "scheduling", F_STRUCT, 0, f_sched, NULL }, \
	{ "extraArgs", F_STRS, 0, NULL, NULL }, \
	{ "env", F_SEQ, 0, NULL, NULL }

static const struct field f_seed[] = {
	ROLE_COMMON,
	{ "ports", F_STRUCT, 0, f_ports_seed, NULL },
	END
};
static const struct field f_miner[] = {
	ROLE_COMMON,
	{ "ports", F_STRUCT, 0, f_ports_miner, NULL },
	{ "storage", F_STRUCT, 0, f_storage, NULL },
	END
};
static const struct field f_validator[] = {
	ROLE_COMMON,
	{ "ports", F_STRUCT, 0, f_ports_validator, NULL },
	{ "storage", F_STRUCT, 0, f_storage, NULL },
	END
};
static const struct field f_rh[] = {
	ROLE_COMMON,
	{ "ports", F_STRUCT, 0, f_ports_rh, NULL },
	{ "storage", F_STRUCT, 0, f_storage_rh, NULL },
	END
};

static const struct field f_network[] = {
	{ "namespace", F_NAME, 1, NULL, NULL },
	{ "release", F_NAME, 1, NULL, NULL },
	{ "images", F_STRUCT, 0, f_images, NULL },
	{ "appProtocolVersion", F_APV, 1, NULL, NULL },
	{ "genesisBlock", F_GENESIS, 0, NULL, NULL },
	{ "trustedAppProtocolVersionSigner", F_HEX, 0, NULL, NULL },
	{ "networkType", F_STR, 0, NULL, NULL },
	{ "logLevel", F_STR, 0, NULL, NULL },
	{ "iceServers", F_ICES, 0, NULL, NULL },
	{ "domain", F_DOMAIN, 0, NULL, NULL },
	{ "peerHost", F_STR, 0, NULL, peer_hosts },
	{ "service", F_STRUCT, 0, f_service, NULL },
	{ "storageClasses", F_SEQSTRUCT, 0, f_sc, NULL },
	{ "seed", F_STRUCT, 0, f_seed, NULL },
	{ "miner", F_STRUCT, 0, f_miner, NULL },
	{ "validator", F_STRUCT, 0, f_validator, NULL },
	{ "remoteHeadless", F_STRUCT, 0, f_rh, NULL },
	END
};

static const struct field f_keys_aws[] = {
	{ "credentialsSecret", F_NAME, 0, NULL, NULL },
	{ "key", F_STR, 0, NULL, NULL },
	{ "region", F_REGION, 0, NULL, NULL },
	{ "roleArn", F_ARN, 0, NULL, NULL },
	{ "storeName", F_NAME, 0, NULL, NULL },
	END
};

static const struct field f_keys[] = {
	{ "source", F_STR, 0, NULL, sources },
	{ "secretName", F_NAME, 0, NULL, NULL },
	{ "apiVersion", F_STR, 0, NULL, eso_versions },
	{ "aws", F_STRUCT, 0, f_keys_aws, NULL },
	END
};

static const struct field f_gitops[] = {
	{ "repo", F_GITREPO, 1, NULL, NULL },
	{ "revision", F_STR, 0, NULL, NULL },
	{ "path", F_STR, 1, NULL, NULL },
	END
};

static const struct field f_root[] = {
	{ "apiVersion", F_STR, 1, NULL, NULL },
	{ "kind", F_STR, 1, NULL, NULL },
	{ "name", F_NAME, 1, NULL, NULL },
	{ "aws", F_STRUCT, 0, f_aws, NULL },
	{ "cluster", F_CLUSTER, 0, NULL, NULL },
	{ "bootstrap", F_STRUCT, 0, f_bootstrap, NULL },
	{ "network", F_STRUCT, 1, f_network, NULL },
	{ "keys", F_STRUCT, 0, f_keys, NULL },
	{ "gitops", F_STRUCT, 0, f_gitops, NULL },
	END
};

static const char *const role_keys[ROLE_N] = {
	"seed", "miner", "validator", "remoteHeadless"
};
static const char *const role_prefix[ROLE_N] = {
	"tcp-seed", "miner", "validator", "remote-headless"
};

/* Error at node n (or its parent's position when n is NULL). */
static int
fail(struct diag *d, const char *input, const struct node *n,
    const struct path *p, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int
fail(struct diag *d, const char *input, const struct node *n,
    const struct path *p, const char *fmt, ...)
{
	char path[DIAG_PATH];
	va_list ap;

	path_format(p, path, sizeof path);
	va_start(ap, fmt);
	diag_vfail(d, EXIT_INPUT, input, n ? n->line : 0, n ? n->col : 0,
	    path, fmt, ap);
	va_end(ap);
	return -1;
}

size_t
spec_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b), i, j, best;
	size_t row[65], prev[65];

	if (la > 64 || lb > 64)
		return cap + 1;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		row[0] = i;
		best = row[0];
		for (j = 1; j <= lb; j++) {
			size_t c = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < c)
				c = prev[j] + 1;
			if (row[j - 1] + 1 < c)
				c = row[j - 1] + 1;
			row[j] = c;
			if (c < best)
				best = c;
		}
		if (best > cap)
			return cap + 1;
		memcpy(prev, row, (lb + 1) * sizeof *row);
	}
	return prev[lb];
}

static const char *
suggest(const struct field *fs, const char *key)
{
	const char *best = NULL;
	size_t bd = 3, dist, cap;

	cap = strlen(key) / 3 + 1;
	if (cap > 3)
		cap = 3;
	for (; fs->name; fs++) {
		dist = spec_distance(key, fs->name, cap);
		if (dist <= cap && dist < bd) {
			bd = dist;
			best = fs->name;
		}
	}
	return best;
}

static int
is_label(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 63)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-'))
			return 0;
	}
	return s[0] != '-' && s[n - 1] != '-';
}

static int
is_domain(const char *s, size_t n)
{
	const char *dot;

	if (n == 0 || n > 253)
		return 0;
	while ((dot = memchr(s, '.', n)) != NULL) {
		if (!is_label(s, (size_t)(dot - s)))
			return 0;
		n -= (size_t)(dot - s) + 1;
		s = dot + 1;
	}
	return is_label(s, n);
}

/* A Kubernetes quantity as the spec uses it: digits, an optional
 * fraction, an optional binary or decimal suffix. */
static int
is_quantity(const char *s)
{
	static const char *const suf[] = {
		"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "k", "M", "G", "T",
		"P", "E", "m", NULL
	};
	size_t i = 0, k;

	while (s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == 0)
		return 0;
	if (s[i] == '.') {
		k = ++i;
		while (s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == k)
			return 0;
	}
	for (k = 0; suf[k]; k++)
		if (strcmp(s + i, suf[k]) == 0)
			return 1;
	return 0;
}

static int
want_type(const struct node *n, enum node_type t, const char *what,
    const char *input, const struct path *p, struct diag *d)
{
	if (n->type == t)
		return 0;
	return fail(d, input, n, p, "expected %s, got %s", what,
	    n->type == NODE_NULL ? "nothing" : node_type_name(n->type));
}

static int check_struct(const struct node *m, const struct field *fs,
    const char *input, struct path *p, struct diag *d);

static int
check_strmap(const struct node *n, const char *input, struct path *p,
    struct diag *d)
{
	size_t i;

	if (want_type(n, NODE_MAP, "a mapping", input, p, d) < 0)
		return -1;
	for (i = 0; i < n->len; i++) {
		const struct pair *pr = &n->u.pairs[i];
		int r;

		path_push_key(p, pr->key->u.s, pr->key->len);
		r = want_type(pr->val, NODE_STR, "a string", input, p, d);
		path_pop(p);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int
check_seq(const struct node *n, const struct field *f, const char *input,
    struct path *p, struct diag *d)
{
	size_t i;
	int r = 0;

	if (want_type(n, NODE_SEQ, "a list", input, p, d) < 0)
		return -1;
	for (i = 0; i < n->len && r == 0; i++) {
		const struct node *it = n->u.items[i];

		path_push_idx(p, i);
		if (f->kind == F_STRS || f->kind == F_HOSTS ||
		    f->kind == F_ICES) {
			r = want_type(it, NODE_STR, "a string", input, p, d);
			if (r == 0 && f->kind == F_HOSTS &&
			    !shape_host(it->u.s, it->len))
				r = fail(d, input, it, p, "'%s' is not a DNS "
				    "name or an IP address", it->u.s);
			/* Not quoted: a TURN URL holds a password, which
			 * a malformed one need not mark as userinfo. */
			if (r == 0 && f->kind == F_ICES &&
			    !shape_ice(it->u.s, it->len))
				r = fail(d, input, it, p, "not a TURN or STUN "
				    "URL: turn:// or stun://, user:password@, "
				    "a host and a port (not shown: it may hold "
				    "a password)");
		} else if (f->kind == F_SEQSTRUCT)
			r = check_struct(it, f->sub, input, p, d);
		else
			r = want_type(it, NODE_MAP, "a mapping", input, p, d);
		path_pop(p);
	}
	return r;
}

static const char *
choices_text(const char *const *c)
{
	static char text[256];
	size_t k = 0;
	int w;

	text[0] = '\0';
	for (; *c; c++) {
		w = snprintf(text + k, sizeof text - k, "%s%s",
		    k ? ", " : "", *c);
		if (w < 0 || (size_t)w >= sizeof text - k)
			break;
		k += (size_t)w;
	}
	return text;
}

static int
check_field(const struct node *n, const struct field *f, const char *input,
    struct path *p, struct diag *d)
{
	long long v;
	const char *const *c;

	switch (f->kind) {
	case F_STR:
	case F_NAME:
	case F_DOMAIN:
	case F_HEX:
		if (want_type(n, NODE_STR, "a string", input, p, d) < 0)
			return -1;
		if (f->kind == F_NAME && !is_label(n->u.s, n->len))
			return fail(d, input, n, p, "'%s' is not a DNS-1123 "
			    "label (a-z, 0-9 and '-', at most 63)", n->u.s);
		if (f->kind == F_DOMAIN && !is_domain(n->u.s, n->len))
			return fail(d, input, n, p, "'%s' is not a DNS-1123 "
			    "subdomain", n->u.s);
		if (f->kind == F_HEX && (n->len != 66 ||
		    strspn(n->u.s, "0123456789abcdefABCDEF") != 66))
			return fail(d, input, n, p, "expected a compressed "
			    "public key (66 hex digits)");
		if (f->choices) {
			for (c = f->choices; *c; c++)
				if (strcmp(*c, n->u.s) == 0)
					return 0;
			return fail(d, input, n, p, "'%s' is not one of %s",
			    n->u.s, choices_text(f->choices));
		}
		return 0;
	case F_INT:
	case F_COUNT:
	case F_PORT:
		if (want_type(n, NODE_INT, "an integer", input, p, d) < 0)
			return -1;
		/* Not the value: past 2^63 the reader has only a float's
		 * rounding of what was written. */
		if (!node_int_value(n, &v))
			return fail(d, input, n, p, "out of range%s",
			    f->kind == F_COUNT ? " (0-100000)" :
			    f->kind == F_PORT ? " (1-65535)" : "");
		if (f->kind == F_COUNT && (v < 0 || v > 100000))
			return fail(d, input, n, p, "%lld is out of range "
			    "(0-100000)", v);
		if (f->kind == F_PORT && (v < 1 || v > 65535))
			return fail(d, input, n, p, "%lld is not a port "
			    "(1-65535)", v);
		return 0;
	case F_BOOL:
		return want_type(n, NODE_BOOL, "true or false", input, p, d);
	case F_QTY:
		if (want_type(n, NODE_STR, "a quantity string like 500Gi",
		    input, p, d) < 0)
			return -1;
		if (!is_quantity(n->u.s))
			return fail(d, input, n, p, "'%s' is not a quantity "
			    "like 500Gi", n->u.s);
		return 0;
	case F_STRUCT:
		return check_struct(n, f->sub, input, p, d);
	case F_MAP:
		return want_type(n, NODE_MAP, "a mapping", input, p, d);
	case F_STRMAP:
		return check_strmap(n, input, p, d);
	case F_STRS:
	case F_SEQ:
	case F_SEQSTRUCT:
	case F_HOSTS:
	case F_ICES:
		return check_seq(n, f, input, p, d);

	case F_REGION:
	case F_ACCOUNT:
	case F_ARN:
	case F_VERSION:
	case F_GENESIS:
	case F_REPO:
	case F_GITREPO:
		if (want_type(n, NODE_STR, "a string", input, p, d) < 0)
			return -1;
		if (f->kind == F_GENESIS && !shape_genesis(n->u.s, n->len))
			return fail(d, input, n, p, "'%s' is not an http or "
			    "https URL (host, port and path only) or an "
			    "absolute path", n->u.s);
		/* "local": the git server of 9c-local's argocd addon. */
		if (f->kind == F_GITREPO && strcmp(n->u.s, "local") == 0)
			return 0;
		/* Not quoted: a token pasted into it need not follow a
		 * "://", where messages mask userinfo. */
		if ((f->kind == F_REPO || f->kind == F_GITREPO) &&
		    !shape_repo(n->u.s, n->len))
			return fail(d, input, n, p, "not a repository URL "
			    "like https://host/org/repo.git or "
			    "git@host:org/repo.git, without credentials "
			    "(not shown: it may hold them)");
		if (f->kind == F_VERSION && !shape_version(n->u.s, n->len))
			return fail(d, input, n, p, "'%s' is not a version like "
			    "1.2.3 or v2.2.2", n->u.s);
		if (f->kind == F_REGION && !shape_region(n->u.s, n->len))
			return fail(d, input, n, p, "'%s' is not an AWS region "
			    "like us-east-2", n->u.s);
		if (f->kind == F_ACCOUNT && !shape_account(n->u.s, n->len))
			return fail(d, input, n, p, "'%s' is not a 12-digit AWS "
			    "account ID", n->u.s);
		if (f->kind == F_ARN && !shape_arn(n->u.s, n->len))
			return fail(d, input, n, p, "'%s' is not an ARN like "
			    "arn:aws:acm:us-east-2:123456789012:certificate/"
			    "NAME", n->u.s);
		return 0;
	case F_APV:
		if (n->type == NODE_STR)
			return 0;
		if (n->type != NODE_MAP)
			return fail(d, input, n, p, "expected a token string "
			    "or a mapping with the version to sign");
		if (check_struct(n, f_apv, input, p, d) < 0)
			return -1;
		node_int_value(node_get(n, "version"), &v);
		if (v < INT32_MIN || v > INT32_MAX) {
			path_push_key(p, "version", 7);
			return fail(d, input, node_get(n, "version"), p,
			    "%lld is not a 32-bit version", v);
		}
		return 0;
	case F_CLUSTER:
#ifdef HAVE_SPEC_CLUSTER
		diag_clear(d);
		diag_at(d, input, 0, 0, 0);
		return spec_cluster_check(n, p, d);
#else
		/* TODO(9c-tfvars): spec_cluster_check() once it exists. */
		return want_type(n, NODE_MAP, "a mapping", input, p, d);
#endif
	}
	return 0;
}

static int
check_struct(const struct node *m, const struct field *fs, const char *input,
    struct path *p, struct diag *d)
{
	const struct field *f;
	size_t i;
	const char *hint;

	if (want_type(m, NODE_MAP, "a mapping", input, p, d) < 0)
		return -1;
	for (i = 0; i < m->len; i++) {
		const struct pair *pr = &m->u.pairs[i];
		int r;

		for (f = fs; f->name; f++)
			if (strcmp(f->name, pr->key->u.s) == 0)
				break;
		path_push_key(p, pr->key->u.s, pr->key->len);
		if (f->name == NULL) {
			hint = suggest(fs, pr->key->u.s);
			if (hint)
				r = fail(d, input, pr->key, p,
				    "unknown key, did you mean '%s'?", hint);
			else
				r = fail(d, input, pr->key, p, "unknown key");
		} else
			r = check_field(pr->val, f, input, p, d);
		path_pop(p);
		if (r < 0)
			return -1;
	}
	for (f = fs; f->name; f++)
		if (f->req && node_get(m, f->name) == NULL) {
			path_push_key(p, f->name, strlen(f->name));
			fail(d, input, m, p, "missing");
			path_pop(p);
			return -1;
		}
	return 0;
}

/* The checks that span fields: the ones a schema cannot say. */
static int
check_role(const struct node *net, enum spec_role r, const char *input,
    struct path *p, struct diag *d)
{
	const struct node *role = node_get(net, role_keys[r]);
	const struct node *count, *hosts, *turn, *ice;
	long long cnt = 0;
	size_t depth = p->depth;
	int rc = 0;

	if (role == NULL)
		return 0;
	path_push_key(p, role_keys[r], strlen(role_keys[r]));
	count = node_get(role, "count");
	hosts = node_get(role, "hosts");
	turn = node_get(role, "useTurn");
	ice = node_get(net, "iceServers");
	node_int_value(count, &cnt);
	if (hosts && (long long)hosts->len < cnt) {
		path_push_key(p, "count", 5);
		rc = fail(d, input, count, p, "%lld node%s but %zu host%s",
		    cnt, cnt == 1 ? "" : "s", hosts->len,
		    hosts->len == 1 ? "" : "s");
	} else if (turn && turn->b && (ice == NULL || ice->len == 0)) {
		path_push_key(p, "useTurn", 7);
		rc = fail(d, input, turn, p, "needs network.iceServers");
	} else if (turn && turn->b && hosts) {
		path_push_key(p, "hosts", 5);
		rc = fail(d, input, hosts, p, "a node that uses TURN has "
		    "no host: drop hosts or useTurn");
	}
	p->depth = depth;
	return rc;
}

/* Every node but a seed gets a peer string per seed: their product is
 * what the output grows with, so it has a limit of its own. */
#define SPEC_MAX_PEERS 1000000LL

static int
check_counts(const struct node *net, const char *input, struct path *p,
    struct diag *d)
{
	long long cnt[ROLE_N] = { 0 }, others;
	const char *producer = node_get(net, "miner") ? "miner" : "validator";
	size_t depth = p->depth;
	int r, rc = 0;

	for (r = 0; r < ROLE_N; r++)
		node_int_value(node_get(node_get(net, role_keys[r]), "count"),
		    &cnt[r]);
	others = cnt[ROLE_MINER] + cnt[ROLE_VALIDATOR] + cnt[ROLE_REMOTE];
	if (cnt[node_get(net, "miner") ? ROLE_MINER : ROLE_VALIDATOR] == 0) {
		path_push_key(p, producer, strlen(producer));
		path_push_key(p, "count", 5);
		rc = fail(d, input, node_at(node_get(net, producer), "count"),
		    p, "0 %ss: nothing would make blocks", producer);
	} else if (cnt[ROLE_SEED] * others > SPEC_MAX_PEERS) {
		path_push_key(p, "seed", 4);
		path_push_key(p, "count", 5);
		rc = fail(d, input, node_at(node_get(net, "seed"), "count"), p,
		    "%lld seeds for %lld other nodes make %lld peer strings, "
		    "more than %lld", cnt[ROLE_SEED], others,
		    cnt[ROLE_SEED] * others, SPEC_MAX_PEERS);
	}
	p->depth = depth;
	return rc;
}

static int
check_cross(struct node *root, const char *input, struct diag *d)
{
	struct path p = { NULL, 0, 0 };
	struct node *net = node_get(root, "network");
	struct node *keys = node_get(root, "keys");
	const struct node *apv, *signer;
	const char *s;
	int r, rc = 0;

	s = node_s(node_get(root, "apiVersion"));
	if (strcmp(s, SPEC_API_VERSION) != 0) {
		path_push_key(&p, "apiVersion", 10);
		rc = fail(d, input, node_get(root, "apiVersion"), &p,
		    "'%s' is not %s", s, SPEC_API_VERSION);
		goto out;
	}
	s = node_s(node_get(root, "kind"));
	if (strcmp(s, SPEC_KIND) != 0) {
		path_push_key(&p, "kind", 4);
		rc = fail(d, input, node_get(root, "kind"), &p,
		    "'%s' is not %s", s, SPEC_KIND);
		goto out;
	}
	path_push_key(&p, "network", 7);
	if (node_get(net, "miner") && node_get(net, "validator")) {
		path_push_key(&p, "validator", 9);
		rc = fail(d, input, node_get(net, "validator"), &p,
		    "a network has miners or validators, not both");
		goto out;
	}
	if (!node_get(net, "miner") && !node_get(net, "validator")) {
		rc = fail(d, input, net, &p, "needs a miner or a validator "
		    "section");
		goto out;
	}
	for (r = 0; r < ROLE_N; r++)
		if (check_role(net, r, input, &p, d) < 0) {
			rc = -1;
			goto out;
		}
	if (check_counts(net, input, &p, d) < 0) {
		rc = -1;
		goto out;
	}
	apv = node_get(net, "appProtocolVersion");
	signer = node_get(net, "trustedAppProtocolVersionSigner");
	if (apv->type == NODE_STR && signer == NULL) {
		path_push_key(&p, "trustedAppProtocolVersionSigner", 31);
		rc = fail(d, input, net, &p, "missing: a token needs the "
		    "public key of its signer");
		goto out;
	}
	if (apv->type == NODE_MAP && signer) {
		path_push_key(&p, "trustedAppProtocolVersionSigner", 31);
		rc = fail(d, input, signer, &p, "a version to sign is "
		    "signed by the network's own signer, whose key this is: "
		    "drop it");
		goto out;
	}
	p.depth = 0;
	s = node_s(node_get(keys, "source"));
	if (s && strcmp(s, "aws") == 0 && !node_at(root, "aws.region") &&
	    !node_at(keys, "aws.region")) {
		path_push_key(&p, "keys", 4);
		path_push_key(&p, "source", 6);
		rc = fail(d, input, node_get(keys, "source"), &p,
		    "aws needs aws.region or keys.aws.region");
	}
out:
	path_release(&p);
	return rc;
}

static void
dflt(struct arena *a, struct node *m, const char *key, struct node *v)
{
	if (node_get(m, key) == NULL)
		node_map_set(a, m, key, v);
}

static struct node *
sub(struct arena *a, struct node *m, const char *key)
{
	struct node *n = node_get(m, key);

	if (n == NULL) {
		n = node_map(a);
		node_map_set(a, m, key, n);
	}
	return n;
}

static void
storage_class(struct arena *a, struct node *seq, const char *name,
    const char *type)
{
	struct node *sc = node_map(a), *par = node_map(a);

	node_map_set(a, sc, "name", node_strz(a, name));
	node_map_set(a, sc, "provisioner", node_strz(a, "ebs.csi.aws.com"));
	node_map_set(a, par, "type", node_strz(a, type));
	node_map_set(a, par, "fsType", node_strz(a, "ext4"));
	node_map_set(a, sc, "parameters", par);
	node_seq_push(a, seq, sc);
}

/* Charts and repositories of the add-ons, from the team's bootstrap. */
static void
addon_defaults(struct arena *a, struct node *boot)
{
	static const char *const tab[][3] = {
		{ "externalSecrets", "external-secrets",
		    "https://charts.external-secrets.io" },
		{ "clusterAutoscaler", "cluster-autoscaler",
		    "https://kubernetes.github.io/autoscaler" },
		{ "externalDns", "external-dns",
		    "https://charts.bitnami.com/bitnami" },
		{ "metricsServer", "metrics-server",
		    "https://charts.bitnami.com/bitnami" },
		{ "awsLoadBalancerController", "aws-load-balancer-controller",
		    "https://aws.github.io/eks-charts" },
	};
	struct node *ad, *argo;
	size_t i;

	if (boot == NULL)
		return;
	for (i = 0; i < sizeof tab / sizeof tab[0]; i++) {
		ad = node_get(boot, tab[i][0]);
		if (ad == NULL)
			continue;
		dflt(a, ad, "chart", node_strz(a, tab[i][1]));
		dflt(a, ad, "repoURL", node_strz(a, tab[i][2]));
		dflt(a, ad, "namespace", node_strz(a, "kube-system"));
		dflt(a, ad, "values", node_map(a));
	}
	argo = node_get(boot, "argocd");
	dflt(a, argo, "namespace", node_strz(a, "argocd"));
	dflt(a, argo, "settings", node_map(a));
	dflt(a, argo, "rbac", node_map(a));
	if (node_get(argo, "repository"))
		dflt(a, node_get(argo, "repository"), "username",
		    node_strz(a, "git"));
}

/* Defaults are those of the team's chart (9c-spec(5), DEFAULTS). */
static void
defaults(struct spec *s)
{
	struct arena *a = &s->doc->arena;
	struct node *root = s->root, *net = node_get(root, "network");
	struct node *role, *ports, *st, *keys, *seq;
	const char *name = spec_name(s);
	char buf[128];
	int r;

	dflt(a, net, "networkType", node_strz(a, "Default"));
	dflt(a, net, "logLevel", node_strz(a, "debug"));
	dflt(a, net, "peerHost", node_strz(a, "service"));
	dflt(a, sub(a, net, "images"), "pullPolicy",
	    node_strz(a, "IfNotPresent"));
	dflt(a, sub(a, net, "service"), "dnsTtl", node_int(a, 60));
	if (node_get(net, "storageClasses") == NULL) {
		seq = node_seq(a);
		snprintf(buf, sizeof buf, "%s-gp2", name);
		storage_class(a, seq, buf, "gp2");
		snprintf(buf, sizeof buf, "%s-gp3", name);
		storage_class(a, seq, buf, "gp3");
		node_map_set(a, net, "storageClasses", seq);
	}
	for (seq = node_get(net, "storageClasses"), r = 0;
	    r < (int)seq->len; r++) {
		dflt(a, seq->u.items[r], "reclaimPolicy",
		    node_strz(a, "Retain"));
		dflt(a, seq->u.items[r], "allowVolumeExpansion",
		    node_bool(a, 1));
	}
	for (r = 0; r < ROLE_N; r++) {
		role = node_get(net, role_keys[r]);
		if (role == NULL)
			continue;
		dflt(a, role, "workers", node_int(a, 1000));
		dflt(a, role, "useTurn", node_bool(a, 0));
		ports = sub(a, role, "ports");
		switch (r) {
		case ROLE_SEED:
			dflt(a, ports, "node", node_int(a, 31234));
			dflt(a, ports, "graphql", node_int(a, 31237));
			dflt(a, ports, "gossip", node_int(a, 31235));
			break;
		case ROLE_VALIDATOR:
			dflt(a, ports, "consensus", node_int(a, 6000));
			/* FALLTHROUGH */
		case ROLE_MINER:
			dflt(a, ports, "headless", node_int(a, 31234));
			dflt(a, ports, "graphql", node_int(a, 80));
			break;
		case ROLE_REMOTE:
			dflt(a, ports, "headless", node_int(a, 31234));
			dflt(a, ports, "graphql", node_int(a, 80));
			dflt(a, ports, "rpc", node_int(a, 31238));
			break;
		}
		if (r == ROLE_SEED)
			continue;
		st = sub(a, role, "storage");
		dflt(a, st, "size", node_strz(a, "500Gi"));
		snprintf(buf, sizeof buf, "%s-%s", name,
		    r == ROLE_REMOTE ? "gp3" : "gp2");
		dflt(a, st, "class", node_strz(a, buf));
		if (r == ROLE_REMOTE)
			dflt(a, st, "logSize", node_strz(a, "4Gi"));
	}
	keys = sub(a, root, "keys");
	dflt(a, keys, "source", node_strz(a, node_get(root, "aws") ?
	    "aws" : "secret"));
	dflt(a, keys, "secretName", node_strz(a, "private-keys"));
	dflt(a, keys, "apiVersion", node_strz(a, "external-secrets.io/v1"));
	st = sub(a, keys, "aws");
	snprintf(buf, sizeof buf, "%s/private-keys", name);
	dflt(a, st, "key", node_strz(a, buf));
	if (node_at(root, "aws.region"))
		dflt(a, st, "region", node_copy(a, node_at(root,
		    "aws.region")));
	snprintf(buf, sizeof buf, "%s-secretsmanager", spec_namespace(s));
	dflt(a, st, "storeName", node_strz(a, buf));
	addon_defaults(a, node_get(root, "bootstrap"));
	if (node_get(root, "gitops"))
		dflt(a, node_get(root, "gitops"), "revision",
		    node_strz(a, "main"));
}

/* Ports of a role share one pod and one Service: no two the same.  Runs
 * after the defaults, so a port the spec sets can meet a default one; the
 * message points at the one the spec wrote. */
static int
port_clash(const struct spec *s, int r, const struct pair *x,
    const struct pair *y, struct diag *d)
{
	struct path p = { NULL, 0, 0 };
	const struct pair *t;
	long long v = 0;

	if (x->val->line == 0) {
		t = x;
		x = y;
		y = t;
	}
	node_int_value(x->val, &v);
	path_push_key(&p, "network", 7);
	path_push_key(&p, role_keys[r], strlen(role_keys[r]));
	path_push_key(&p, "ports", 5);
	path_push_key(&p, x->key->u.s, x->key->len);
	fail(d, s->input, x->val, &p, "port %lld is also ports.%s%s", v,
	    y->key->u.s, y->val->line ? "" : " (its default)");
	path_release(&p);
	return -1;
}

static int
check_ports(const struct spec *s, struct diag *d)
{
	const struct node *ports;
	long long a, b;
	size_t i, j;
	int r;

	for (r = 0; r < ROLE_N; r++) {
		ports = node_get(spec_role(s, r), "ports");
		for (i = 0; ports && i < ports->len; i++)
			for (j = 0; j < i; j++) {
				node_int_value(ports->u.pairs[i].val, &a);
				node_int_value(ports->u.pairs[j].val, &b);
				if (a == b)
					return port_clash(s, r,
					    &ports->u.pairs[j],
					    &ports->u.pairs[i], d);
			}
	}
	return 0;
}

static int
load_doc(struct spec *s, struct stream *st, struct diag *d)
{
	struct doc *doc = NULL, *extra = NULL;
	struct path p = { NULL, 0, 0 };
	int r;

	r = stream_next(st, &doc, d);
	if (r < 0)
		return -1;
	if (r == 0)
		return diag_set(d, EXIT_INPUT, "no document");
	if (stream_next(st, &extra, d) != 0) {
		if (extra) {
			diag_clear(d);
			diag_at(d, s->input, extra->index, extra->line, 0);
			diag_set(d, EXIT_INPUT,
			    "a spec is one document, this is another");
			doc_free(extra);
		}
		doc_free(doc);
		return -1;
	}
	s->doc = doc;
	s->root = doc->root;
	r = check_struct(s->root, f_root, s->input, &p, d);
	path_release(&p);
	if (r < 0 || check_cross(s->root, s->input, d) < 0) {
		doc_free(doc);
		s->doc = NULL;
		s->root = NULL;
		return -1;
	}
	defaults(s);
	if (check_ports(s, d) < 0) {
		doc_free(doc);
		s->doc = NULL;
		s->root = NULL;
		return -1;
	}
	return 0;
}

int
spec_load_mem(const char *name, const char *p, size_t n, struct spec *s,
    struct diag *d)
{
	struct stream *st;
	int r;

	memset(s, 0, sizeof *s);
	snprintf(s->input, sizeof s->input, "%s", name);
	diag_clear(d);
	st = stream_open_mem(name, p, n, NULL);
	stream_keep_lists(st, 1);
	r = load_doc(s, st, d);
	if (r < 0 && d->input[0] == '\0')
		diag_at(d, name, 0, d->line, d->col);
	stream_close(st);
	return r;
}

int
spec_load(const char *path, struct spec *s, struct diag *d)
{
	char *text;
	size_t len;
	int r;

	diag_clear(d);
	if (cli_read_file(path, SPEC_LIMIT, &text, &len, d) < 0)
		return -1;
	r = spec_load_mem(strcmp(path, "-") == 0 ? "<stdin>" : path, text,
	    len, s, d);
	free(text);
	return r;
}

void
spec_free(struct spec *s)
{
	doc_free(s->doc);
	s->doc = NULL;
	s->root = NULL;
}

const char *
spec_name(const struct spec *s)
{
	return node_at_s(s->root, "name");
}

const char *
spec_namespace(const struct spec *s)
{
	return node_at_s(s->root, "network.namespace");
}

struct node *
spec_role(const struct spec *s, enum spec_role r)
{
	return node_get(node_get(s->root, "network"), role_keys[r]);
}

long
spec_count(const struct spec *s, enum spec_role r)
{
	long long v = 0;

	node_int_value(node_get(spec_role(s, r), "count"), &v);
	return (long)v;
}

enum spec_role
spec_producer(const struct spec *s)
{
	return spec_role(s, ROLE_VALIDATOR) ? ROLE_VALIDATOR : ROLE_MINER;
}

const char *
spec_role_key(enum spec_role r)
{
	return role_keys[r];
}

const char *
spec_role_prefix(enum spec_role r)
{
	return role_prefix[r];
}

int
spec_node_name(enum spec_role r, long n, char *out, size_t size)
{
	int k = snprintf(out, size, "%s-%ld", role_prefix[r], n);

	return k < 0 || (size_t)k >= size ? -1 : 0;
}

int
spec_key_name(enum spec_role r, long n, char *out, size_t size)
{
	static const char *const kp[ROLE_N] = {
		"seed", "miner", "validator", NULL
	};
	int k;

	if (kp[r] == NULL)
		return -1;
	k = snprintf(out, size, "%s-private-key-%ld", kp[r], n);
	return k < 0 || (size_t)k >= size ? -1 : 0;
}

const char *
spec_release(const struct spec *s)
{
	return node_at_s(s->root, "network.release");
}

const char *
spec_apv_token(const struct spec *s)
{
	return node_at_s(s->root, "network.appProtocolVersion");
}

int
spec_apv_version(const struct spec *s, long long *version)
{
	const struct node *apv = node_at(s->root, "network.appProtocolVersion");

	if (apv == NULL || apv->type != NODE_MAP)
		return 0;
	node_int_value(node_get(apv, "version"), version);
	return 1;
}

const char *
spec_keys_source(const struct spec *s)
{
	return node_at_s(s->root, "keys.source");
}

const char *
spec_keys_secret(const struct spec *s)
{
	return node_at_s(s->root, "keys.secretName");
}
