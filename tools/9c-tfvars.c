/*
 * 9c-tfvars - the spec's cluster section as terraform variables, and
 * terraform's outputs as cluster facts and a kubeconfig.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "diag.h"
#include "emit.h"
#include "hcl.h"
#include "node.h"
#include "shape.h"
#include "spec.h"
#include "spec_cluster.h"
#include "stream.h"
#include "util.h"

static const char usage[] =
    "9c-tfvars [-j] [spec]\n"
    "       9c-tfvars -b [spec]\n"
    "       9c-tfvars -f [-o format] spec [outputs]\n"
    "       9c-tfvars -k [-o format] spec [outputs]";

#define SPEC_LIMIT (4u << 20)
#define OUTPUTS_LIMIT (16u << 20)
/* eks-<name>-cluster-autoscaler is the longest IAM role name; roles have 64. */
#define NAME_MAX_LEN 41
#define K8S_VERSION "1.33"

enum mode { M_TFVARS, M_JSON, M_BACKEND, M_FACTS, M_KUBECONFIG };

struct tf {
	enum mode mode;
	enum emit_format fmt;
	const char *spec_path, *outputs_path;
	struct doc *spec, *in, *out;
	char spec_name[256], in_name[256];
	const char *name, *region, *profile, *account;
	const struct node *cluster;
};

/* Terraform output name -> ClusterFacts field under cluster. */
static const struct {
	const char *output, *field;
	int role;
} facts_map[] = {
	{ "cluster_name", "name", 0 },
	{ "region", "region", 0 },
	{ "account_id", "accountId", 0 },
	{ "cluster_endpoint", "endpoint", 0 },
	{ "cluster_certificate_authority_data", "certificateAuthorityData", 0 },
	{ "cluster_oidc_issuer_url", "oidcIssuer", 0 },
	{ "external_secrets_role_arn", "externalSecrets", 1 },
	{ "cluster_autoscaler_role_arn", "clusterAutoscaler", 1 },
	{ "external_dns_role_arn", "externalDns", 1 },
	{ "ebs_csi_driver_role_arn", "ebsCsiDriver", 1 },
	{ "load_balancer_controller_role_arn", "loadBalancerController", 1 },
};

/* bootstrap.<key>.namespace -> addon_namespaces.<var> (IRSA subjects). */
static const struct {
	const char *key, *var;
} ns_map[] = {
	{ "externalSecrets", "external_secrets" },
	{ "clusterAutoscaler", "cluster_autoscaler" },
	{ "externalDns", "external_dns" },
	{ "awsLoadBalancerController", "load_balancer_controller" },
};

static const char *const default_addons[] = {
	"vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver", NULL
};

static int
fail_at(struct diag *d, const char *input, const struct node *n,
    const char *path, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int
fail_at(struct diag *d, const char *input, const struct node *n,
    const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vfail(d, EXIT_INPUT, input, n ? n->line : 0, n ? n->col : 0,
	    path, fmt, ap);
	va_end(ap);
	return -1;
}

/* Reads the one document of a file (or stdin, "-"). */
static int
read_doc(const char *path, size_t limit, char *name, size_t namesz,
    struct doc **out, struct diag *d)
{
	struct stream *st;
	struct doc *extra = NULL;
	char *text;
	size_t len;
	int r;

	snprintf(name, namesz, "%s", strcmp(path, "-") == 0 ? "<stdin>" :
	    path);
	diag_clear(d);
	if (cli_read_file(path, limit, &text, &len, d) < 0)
		return -1;
	st = stream_open_mem(name, text, len, NULL);
	stream_keep_lists(st, 1);
	r = stream_next(st, out, d);
	if (r == 0)
		r = fail_at(d, name, NULL, "", "no document");
	else if (r > 0 && (r = stream_next(st, &extra, d)) > 0) {
		r = fail_at(d, name, NULL, "", "document %d: one document "
		    "expected", extra->index);
		doc_free(extra);
	}
	if (r < 0 && *out) {
		doc_free(*out);
		*out = NULL;
	}
	if (r < 0 && d->input[0] == '\0')
		diag_at(d, name, d->doc, d->line, d->col);
	stream_close(st);
	free(text);
	return r < 0 ? -1 : 0;
}

static int
is_label(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/* A string at a top-level dotted path, or an error naming it. */
static int
spec_str(struct tf *t, const char *dotted, int required, const char **out,
    struct diag *d)
{
	const struct node *v = node_at(t->spec->root, dotted);

	*out = NULL;
	if (v == NULL) {
		if (!required)
			return 0;
		return fail_at(d, t->spec_name, t->spec->root, dotted,
		    "missing");
	}
	if (v->type != NODE_STR)
		return fail_at(d, t->spec_name, v, dotted, "expected a "
		    "string, got %s", v->type == NODE_NULL ? "nothing" :
		    node_type_name(v->type));
	*out = v->u.s;
	return 0;
}

static int
check_top(struct tf *t, struct diag *d)
{
	const struct node *root = t->spec->root, *v;
	const char *s;

	if (root->type != NODE_MAP)
		return fail_at(d, t->spec_name, root, "", "expected a "
		    "mapping, got %s", node_type_name(root->type));
	if (spec_str(t, "apiVersion", 1, &s, d) < 0)
		return -1;
	if (strcmp(s, SPEC_API_VERSION) != 0)
		return fail_at(d, t->spec_name, node_get(root, "apiVersion"),
		    "apiVersion", "'%s' is not %s", s, SPEC_API_VERSION);
	if (spec_str(t, "kind", 1, &s, d) < 0)
		return -1;
	if (strcmp(s, SPEC_KIND) != 0)
		return fail_at(d, t->spec_name, node_get(root, "kind"),
		    "kind", "'%s' is not %s", s, SPEC_KIND);
	if (spec_str(t, "name", 1, &t->name, d) < 0)
		return -1;
	v = node_get(root, "name");
	if (!is_label(v->u.s, v->len))
		return fail_at(d, t->spec_name, v, "name", "'%s' is not a "
		    "DNS-1123 label (a-z, 0-9 and '-', at most 63)", v->u.s);
	if (v->len > NAME_MAX_LEN)
		return fail_at(d, t->spec_name, v, "name", "'%s' is longer "
		    "than %d characters (IAM role eks-<name>-cluster-autoscaler "
		    "must fit 64)", v->u.s, NAME_MAX_LEN);
	return 0;
}

static int
check_aws(struct tf *t, struct diag *d)
{
	if (spec_str(t, "aws.region", 1, &t->region, d) < 0 ||
	    spec_str(t, "aws.profile", 0, &t->profile, d) < 0 ||
	    spec_str(t, "aws.accountId", 0, &t->account, d) < 0)
		return -1;
	/* Both become part of host names and ARNs. */
	if (!shape_region(t->region, strlen(t->region)))
		return fail_at(d, t->spec_name, node_at(t->spec->root,
		    "aws.region"), "aws.region", "'%s' is not an AWS region "
		    "like us-east-2", t->region);
	if (t->account && !shape_account(t->account, strlen(t->account)))
		return fail_at(d, t->spec_name, node_at(t->spec->root,
		    "aws.accountId"), "aws.accountId", "'%s' is not a 12-digit "
		    "AWS account ID", t->account);
	return 0;
}

/* The node group names terraform makes: <name>-<group>, at most 63. */
static int
check_group_names(struct tf *t, struct diag *d)
{
	const struct node *l = node_get(t->cluster, "nodeGroups"), *n;
	char path[64];
	size_t i, nl = strlen(t->name);

	for (i = 0; l && i < l->len; i++) {
		n = node_get(l->u.items[i], "name");
		if (nl + 1 + n->len <= 63)
			continue;
		snprintf(path, sizeof path, "cluster.nodeGroups[%zu].name", i);
		return fail_at(d, t->spec_name, n, path, "'%s-%s' is longer "
		    "than 63 characters (the EKS node group name)", t->name,
		    n->u.s);
	}
	return 0;
}

static int
load_spec(struct tf *t, struct diag *d)
{
	struct path p = { NULL, 0, 0 };
	const struct node *prov;
	int r;

	if (read_doc(t->spec_path, SPEC_LIMIT, t->spec_name,
	    sizeof t->spec_name, &t->spec, d) < 0 || check_top(t, d) < 0)
		return -1;
	t->cluster = node_get(t->spec->root, "cluster");
	if (t->cluster == NULL)
		return fail_at(d, t->spec_name, t->spec->root, "cluster",
		    "missing (an EKS cluster for terraform to build)");
	diag_clear(d);
	diag_at(d, t->spec_name, 0, 0, 0);
	path_push_key(&p, "cluster", 7);
	r = spec_cluster_check(t->cluster, &p, d);
	path_release(&p);
	if (r < 0)
		return -1;
	prov = node_get(t->cluster, "provider");
	if (prov && strcmp(prov->u.s, "local") == 0)
		return fail_at(d, t->spec_name, prov, "cluster.provider",
		    "local: the cluster exists already, nothing for "
		    "terraform to do");
	if (check_aws(t, d) < 0)
		return -1;
	return check_group_names(t, d);
}

static struct node *
copy_or(struct arena *a, const struct node *m, const char *key,
    struct node *dflt)
{
	const struct node *v = node_get(m, key);

	return v ? node_copy(a, v) : dflt;
}

static struct node *
int_or(struct arena *a, const struct node *m, const char *key, long long v)
{
	return copy_or(a, m, key, node_int(a, v));
}

static struct node *
tf_taints(struct arena *a, const struct node *l)
{
	struct node *out = node_seq(a), *o;
	const struct node *v;
	size_t i;

	for (i = 0; l && i < l->len; i++) {
		o = node_map(a);
		node_map_set(a, o, "key", node_copy(a,
		    node_get(l->u.items[i], "key")));
		v = node_get(l->u.items[i], "value");
		node_map_set(a, o, "value", v ? node_copy(a, v) : node_null(a));
		node_map_set(a, o, "effect", node_copy(a,
		    node_get(l->u.items[i], "effect")));
		node_seq_push(a, out, o);
	}
	return out;
}

/* One node group object; g is a group or the cluster (shorthand). */
static struct node *
tf_group(struct arena *a, const struct node *g)
{
	struct node *o = node_map(a), *types;

	types = node_seq(a);
	node_seq_push(a, types, node_strz(a, "t3.large"));
	node_map_set(a, o, "instance_types", copy_or(a, g, "instanceTypes",
	    types));
	node_map_set(a, o, "min_size", int_or(a, g, "minSize", 10));
	node_map_set(a, o, "desired_size", int_or(a, g, "desiredSize", 10));
	node_map_set(a, o, "max_size", int_or(a, g, "maxSize", 20));
	node_map_set(a, o, "disk_size", int_or(a, g, "diskSize", 20));
	node_map_set(a, o, "capacity_type", copy_or(a, g, "capacityType",
	    node_strz(a, "ON_DEMAND")));
	node_map_set(a, o, "labels", copy_or(a, g, "labels", node_map(a)));
	node_map_set(a, o, "taints", tf_taints(a, node_get(g, "taints")));
	return o;
}

static struct node *
tf_groups(struct arena *a, const struct node *c)
{
	const struct node *l = node_get(c, "nodeGroups"), *n;
	struct node *out = node_map(a);
	size_t i;

	if (l == NULL) {
		node_map_set(a, out, "default", tf_group(a, c));
		return out;
	}
	for (i = 0; i < l->len; i++) {
		n = node_get(l->u.items[i], "name");
		node_map_setn(a, out, n->u.s, n->len, tf_group(a,
		    l->u.items[i]));
	}
	return out;
}

static struct node *
tf_namespaces(struct arena *a, const struct node *root)
{
	struct node *out = node_map(a);
	const char *ns;
	char dotted[128];
	size_t i;

	for (i = 0; i < sizeof ns_map / sizeof ns_map[0]; i++) {
		snprintf(dotted, sizeof dotted, "bootstrap.%s.namespace",
		    ns_map[i].key);
		ns = node_at_s(root, dotted);
		node_map_set(a, out, ns_map[i].var, node_strz(a, ns ? ns :
		    "kube-system"));
	}
	return out;
}

/* The variables of share/terraform, in the order variables.tf has them. */
static struct node *
tf_vars(struct tf *t, struct arena *a)
{
	const struct node *c = t->cluster;
	struct node *v = node_map(a), *l, *addons;
	const char *const *k;

	node_map_set(a, v, "name", node_strz(a, t->name));
	node_map_set(a, v, "region", node_strz(a, t->region));
	if (t->profile)
		node_map_set(a, v, "profile", node_strz(a, t->profile));
	if (t->account)
		node_map_set(a, v, "account_id", node_strz(a, t->account));
	node_map_set(a, v, "kubernetes_version", copy_or(a, c, "version",
	    node_strz(a, K8S_VERSION)));
	node_map_set(a, v, "vpc_id", node_copy(a, node_get(c, "vpcId")));
	node_map_set(a, v, "subnet_ids", node_copy(a, node_get(c,
	    "subnetIds")));
	node_map_set(a, v, "endpoint_public_access", copy_or(a, c,
	    "endpointPublicAccess", node_bool(a, 1)));
	node_map_set(a, v, "endpoint_private_access", copy_or(a, c,
	    "endpointPrivateAccess", node_bool(a, 1)));
	l = node_seq(a);
	node_seq_push(a, l, node_strz(a, "0.0.0.0/0"));
	node_map_set(a, v, "public_access_cidrs", copy_or(a, c,
	    "publicAccessCidrs", l));
	node_map_set(a, v, "node_groups", tf_groups(a, c));
	addons = node_map(a);
	for (k = default_addons; *k; k++)
		node_map_set(a, addons, *k, node_null(a));
	node_map_set(a, v, "addons", copy_or(a, c, "addons", addons));
	node_map_set(a, v, "addon_namespaces", tf_namespaces(a,
	    t->spec->root));
	node_map_set(a, v, "tags", copy_or(a, c, "tags", node_map(a)));
	return v;
}

static void
put_buf(struct buf *b)
{
	cli_put(b->p, b->len);
	buf_release(b);
}

static int
run_tfvars(struct tf *t, struct diag *d)
{
	struct buf b = BUF_INIT;
	struct node *v;

	if (load_spec(t, d) < 0)
		return -1;
	t->out = doc_new(t->spec_name, 1);
	v = tf_vars(t, &t->out->arena);
	if (t->mode == M_JSON) {
		emit_json(&b, v);
		buf_addc(&b, '\n');
	} else {
		buf_printf(&b, "# Written by 9c-tfvars from %s: the variables "
		    "of share/terraform.\n", t->spec_name);
		hcl_body(&b, v);
	}
	put_buf(&b);
	return 0;
}

static int
run_backend(struct tf *t, struct diag *d)
{
	const struct node *bk;
	struct arena *a;
	struct node *v;
	struct buf b = BUF_INIT;
	char *key;

	if (load_spec(t, d) < 0)
		return -1;
	bk = node_get(t->cluster, "backend");
	if (bk == NULL)
		return fail_at(d, t->spec_name, t->cluster, "cluster.backend",
		    "missing (the S3 bucket that keeps the terraform state)");
	t->out = doc_new(t->spec_name, 1);
	a = &t->out->arena;
	v = node_map(a);
	node_map_set(a, v, "bucket", node_copy(a, node_get(bk, "bucket")));
	key = xasprintf("eks/%s", t->name);
	node_map_set(a, v, "key", copy_or(a, bk, "key", node_strz(a, key)));
	free(key);
	node_map_set(a, v, "region", copy_or(a, bk, "region",
	    node_strz(a, t->region)));
	if (node_get(bk, "dynamodbTable"))
		node_map_set(a, v, "dynamodb_table", node_copy(a,
		    node_get(bk, "dynamodbTable")));
	if (t->profile)
		node_map_set(a, v, "profile", node_strz(a, t->profile));
	node_map_set(a, v, "encrypt", node_bool(a, 1));
	hcl_body(&b, v);
	put_buf(&b);
	return 0;
}

/* outputs.<name>.value as a string. */
static int
output_str(struct tf *t, const char *name, const char **out, struct diag *d)
{
	const struct node *o = node_get(t->in->root, name), *v;
	char path[128];

	snprintf(path, sizeof path, "%s", name);
	if (o == NULL)
		return fail_at(d, t->in_name, t->in->root, path, "missing "
		    "(is this `terraform output -json' of share/terraform?)");
	v = node_get(o, "value");
	snprintf(path, sizeof path, "%s.value", name);
	if (o->type != NODE_MAP || v == NULL)
		return fail_at(d, t->in_name, o, path, "missing");
	if (v->type != NODE_STR || v->len == 0)
		return fail_at(d, t->in_name, v, path, "expected a non-empty "
		    "string, got %s", v->type == NODE_STR ? "\"\"" :
		    node_type_name(v->type));
	*out = v->u.s;
	return 0;
}

/* The facts from `terraform output -json', checked against the spec. */
static int
facts_from_outputs(struct tf *t, struct node **facts, struct diag *d)
{
	struct arena *a = &t->out->arena;
	struct node *f, *cl, *roles;
	const char *s = NULL;
	size_t i;

	f = node_map(a);
	cl = node_map(a);
	roles = node_map(a);
	node_map_set(a, f, "apiVersion", node_strz(a, SPEC_API_VERSION));
	node_map_set(a, f, "kind", node_strz(a, "ClusterFacts"));
	node_map_set(a, f, "metadata", node_map(a));
	node_map_set(a, node_get(f, "metadata"), "name",
	    node_strz(a, t->name));
	for (i = 0; i < sizeof facts_map / sizeof facts_map[0]; i++) {
		if (output_str(t, facts_map[i].output, &s, d) < 0)
			return -1;
		if (facts_map[i].role && !shape_arn(s, strlen(s))) {
			char path[128];

			snprintf(path, sizeof path, "%s.value",
			    facts_map[i].output);
			return fail_at(d, t->in_name, node_at(node_get(
			    t->in->root, facts_map[i].output), "value"),
			    path, "'%s' is not an ARN", s);
		}
		node_map_set(a, facts_map[i].role ? roles : cl,
		    facts_map[i].field, node_strz(a, s));
	}
	node_map_set(a, cl, "roles", roles);
	node_map_set(a, f, "cluster", cl);
	s = node_at_s(cl, "name");
	if (strcmp(s, t->name) != 0)
		return fail_at(d, t->in_name, node_at(t->in->root,
		    "cluster_name.value"), "cluster_name.value", "'%s' is not "
		    "the spec's name '%s'", s, t->name);
	s = node_at_s(cl, "region");
	if (strcmp(s, t->region) != 0)
		return fail_at(d, t->in_name, node_at(t->in->root,
		    "region.value"), "region.value", "'%s' is not the spec's "
		    "aws.region '%s'", s, t->region);
	s = node_at_s(cl, "accountId");
	if (t->account && strcmp(s, t->account) != 0)
		return fail_at(d, t->in_name, node_at(t->in->root,
		    "account_id.value"), "account_id.value", "'%s' is not the "
		    "spec's aws.accountId '%s'", s, t->account);
	if (!shape_account(s, strlen(s)))
		return fail_at(d, t->in_name, node_at(t->in->root,
		    "account_id.value"), "account_id.value", "'%s' is not a "
		    "12-digit AWS account ID", s);
	s = node_at_s(cl, "endpoint");
	if (!shape_url(s, strlen(s)))
		return fail_at(d, t->in_name, node_at(t->in->root,
		    "cluster_endpoint.value"), "cluster_endpoint.value", "'%s' "
		    "is not an http or https URL", s);
	*facts = f;
	return 0;
}

/* A ClusterFacts document given instead of outputs (for -k). */
static int
facts_given(struct tf *t, struct node **facts, struct diag *d)
{
	static const char *const need[] = {
		"cluster.name", "cluster.region", "cluster.endpoint",
		"cluster.certificateAuthorityData", NULL
	};
	const char *const *k;
	const char *name;

	for (k = need; *k; k++)
		if (node_at_s(t->in->root, *k) == NULL)
			return fail_at(d, t->in_name, t->in->root, *k,
			    "missing");
	name = node_at_s(t->in->root, "cluster.name");
	if (strcmp(name, t->name) != 0)
		return fail_at(d, t->in_name, node_at(t->in->root,
		    "cluster.name"), "cluster.name", "'%s' is not the spec's "
		    "name '%s'", name, t->name);
	name = node_at_s(t->in->root, "cluster.region");
	if (strcmp(name, t->region) != 0)
		return fail_at(d, t->in_name, node_at(t->in->root,
		    "cluster.region"), "cluster.region", "'%s' is not the "
		    "spec's aws.region '%s'", name, t->region);
	name = node_at_s(t->in->root, "cluster.accountId");
	if (name && !shape_account(name, strlen(name)))
		return fail_at(d, t->in_name, node_at(t->in->root,
		    "cluster.accountId"), "cluster.accountId", "'%s' is not a "
		    "12-digit AWS account ID", name);
	name = node_at_s(t->in->root, "cluster.endpoint");
	if (!shape_url(name, strlen(name)))
		return fail_at(d, t->in_name, node_at(t->in->root,
		    "cluster.endpoint"), "cluster.endpoint", "'%s' is not an "
		    "http or https URL", name);
	*facts = t->in->root;
	return 0;
}

static int
load_facts(struct tf *t, struct node **facts, struct diag *d)
{
	const char *kind;

	if (load_spec(t, d) < 0 || read_doc(t->outputs_path, OUTPUTS_LIMIT,
	    t->in_name, sizeof t->in_name, &t->in, d) < 0)
		return -1;
	if (t->in->root->type != NODE_MAP)
		return fail_at(d, t->in_name, t->in->root, "", "expected a "
		    "mapping, got %s", node_type_name(t->in->root->type));
	t->out = doc_new(t->spec_name, 1);
	kind = node_at_s(t->in->root, "kind");
	if (t->mode == M_KUBECONFIG && kind && strcmp(kind,
	    "ClusterFacts") == 0)
		return facts_given(t, facts, d);
	return facts_from_outputs(t, facts, d);
}

static int
run_facts(struct tf *t, struct diag *d)
{
	struct node *f;

	if (load_facts(t, &f, d) < 0)
		return -1;
	cli_put_doc(t->fmt, f);
	return 0;
}

static struct node *
named(struct arena *a, const char *name, const char *key, struct node *v)
{
	struct node *m = node_map(a);

	node_map_set(a, m, "name", node_strz(a, name));
	node_map_set(a, m, key, v);
	return m;
}

static struct node *
one(struct arena *a, struct node *v)
{
	struct node *l = node_seq(a);

	node_seq_push(a, l, v);
	return l;
}

/* The user: `aws eks get-token', as `aws eks update-kubeconfig' writes it. */
static struct node *
kube_user(struct tf *t, struct arena *a, const char *region)
{
	static const char *const args[] = {
		"--region", NULL, "eks", "get-token", "--cluster-name", NULL,
		"--output", "json"
	};
	struct node *ex = node_map(a), *l = node_seq(a), *env;
	size_t i;

	for (i = 0; i < sizeof args / sizeof args[0]; i++)
		node_seq_push(a, l, node_strz(a, args[i] ? args[i] :
		    i == 1 ? region : t->name));
	node_map_set(a, ex, "apiVersion",
	    node_strz(a, "client.authentication.k8s.io/v1beta1"));
	node_map_set(a, ex, "command", node_strz(a, "aws"));
	node_map_set(a, ex, "args", l);
	if (t->profile) {
		env = node_map(a);
		node_map_set(a, env, "name", node_strz(a, "AWS_PROFILE"));
		node_map_set(a, env, "value", node_strz(a, t->profile));
		node_map_set(a, ex, "env", one(a, env));
	}
	l = node_map(a);
	node_map_set(a, l, "exec", ex);
	return l;
}

static int
run_kubeconfig(struct tf *t, struct diag *d)
{
	struct node *f, *k, *m;
	struct arena *a;
	const char *region, *account;
	char *id;

	if (load_facts(t, &f, d) < 0)
		return -1;
	a = &t->out->arena;
	region = node_at_s(f, "cluster.region");
	account = node_at_s(f, "cluster.accountId");
	/* The cluster's ARN names everything, as the AWS CLI does, so the
	 * file merges with theirs without clashes. */
	id = account ? xasprintf("arn:aws:eks:%s:%s:cluster/%s", region,
	    account, t->name) : xstrdup(t->name);
	k = node_map(a);
	node_map_set(a, k, "apiVersion", node_strz(a, "v1"));
	node_map_set(a, k, "kind", node_strz(a, "Config"));
	m = node_map(a);
	node_map_set(a, m, "server", node_strz(a,
	    node_at_s(f, "cluster.endpoint")));
	node_map_set(a, m, "certificate-authority-data", node_strz(a,
	    node_at_s(f, "cluster.certificateAuthorityData")));
	node_map_set(a, k, "clusters", one(a, named(a, id, "cluster", m)));
	m = node_map(a);
	node_map_set(a, m, "cluster", node_strz(a, id));
	node_map_set(a, m, "user", node_strz(a, id));
	node_map_set(a, k, "contexts", one(a, named(a, id, "context", m)));
	node_map_set(a, k, "current-context", node_strz(a, id));
	node_map_set(a, k, "preferences", node_map(a));
	node_map_set(a, k, "users", one(a, named(a, id, "user",
	    kube_user(t, a, region))));
	free(id);
	cli_put_doc(t->fmt, k);
	return 0;
}

static void
set_mode(struct tf *t, enum mode m)
{
	if (t->mode != M_TFVARS && t->mode != m)
		cli_misuse(usage, "-b, -f, -j and -k exclude each other");
	t->mode = m;
}

int
main(int argc, char **argv)
{
	struct tf t;
	struct diag d;
	int ch, r, oflag = 0;

	cli_init(argc, argv, usage);
	memset(&t, 0, sizeof t);
	diag_clear(&d);
	while ((ch = getopt(argc, argv, "bfhjko:")) != -1) {
		switch (ch) {
		case 'b':
			set_mode(&t, M_BACKEND);
			break;
		case 'f':
			set_mode(&t, M_FACTS);
			break;
		case 'h':
			cli_usage(usage, 0);
			cli_exit(0);
		case 'j':
			set_mode(&t, M_JSON);
			break;
		case 'k':
			set_mode(&t, M_KUBECONFIG);
			break;
		case 'o':
			if (cli_format(optarg, &t.fmt) < 0)
				cli_misuse(usage, "-o: '%s' is not yaml or "
				    "json", optarg);
			oflag = 1;
			break;
		default:
			cli_misuse(usage, NULL);
		}
	}
	argc -= optind;
	argv += optind;
	if (oflag && t.mode != M_FACTS && t.mode != M_KUBECONFIG)
		cli_misuse(usage, "-o goes with -f or -k");
	if (t.mode == M_FACTS || t.mode == M_KUBECONFIG) {
		if (argc < 1 || argc > 2)
			cli_misuse(usage, argc < 1 ? "missing spec" :
			    "too many arguments");
		t.spec_path = argv[0];
		t.outputs_path = argc == 2 ? argv[1] : "-";
		cli_stdin_once(usage, (const char *[]){ t.spec_path,
		    t.outputs_path }, (const char *[]){ "the spec",
		    "the outputs" }, 2);
	} else {
		if (argc > 1)
			cli_misuse(usage, "too many arguments");
		t.spec_path = argc == 1 ? argv[0] : "-";
	}
	switch (t.mode) {
	case M_TFVARS:
	case M_JSON:
		r = run_tfvars(&t, &d);
		break;
	case M_BACKEND:
		r = run_backend(&t, &d);
		break;
	case M_FACTS:
		r = run_facts(&t, &d);
		break;
	default:
		r = run_kubeconfig(&t, &d);
		break;
	}
	doc_free(t.out);
	doc_free(t.in);
	doc_free(t.spec);
	if (r < 0) {
		cli_diag(&d);
		cli_exit(d.status ? d.status : EXIT_INPUT);
	}
	cli_exit(0);
}
