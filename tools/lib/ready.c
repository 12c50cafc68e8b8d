/*
 * ready.c - readiness rules per kind (see ready.h).
 *
 * The rules follow kstatus, kubectl rollout status, Argo CD's health checks
 * and kapp's wait rules where they agree, and the stricter choice where they
 * do not: a LoadBalancer Service waits for its address, a Job for its
 * completion, a paused Deployment is ready "as configured" instead of never.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ready.h"
#include "util.h"

static void
say(struct ready_result *r, enum ready_state st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
say(struct ready_result *r, enum ready_state st, const char *fmt, ...)
{
	va_list ap;

	r->state = st;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof r->reason, fmt, ap);
	va_end(ap);
}

void
ready_group(const struct node *obj, char *group, size_t n)
{
	const char *av = node_at_s(obj, "apiVersion"), *slash;
	size_t len;

	if (n == 0)
		return;
	group[0] = '\0';
	if (av == NULL || (slash = strchr(av, '/')) == NULL)
		return;
	len = (size_t)(slash - av);
	if (len >= n)
		len = n - 1;
	memcpy(group, av, len);
	group[len] = '\0';
}

long long
ready_time(const char *s)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, k = 0;

	if (s == NULL)
		return -1;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
	    &k) != 6 || k == 0)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	return (long long)timegm(&tm);
}

static long long
int_at(const struct node *obj, const char *path, long long dflt)
{
	long long v;

	if (node_int_value(node_at(obj, path), &v))
		return v;
	return dflt;
}

static int
has(const struct node *obj, const char *path)
{
	struct node *n = node_at(obj, path);

	return n != NULL && n->type != NODE_NULL;
}

static int
streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* The condition of that type in status.conditions, or NULL. */
static const struct node *
cond(const struct node *obj, const char *type)
{
	const struct node *cs = node_at(obj, "status.conditions");
	size_t i;

	if (cs == NULL || cs->type != NODE_SEQ)
		return NULL;
	for (i = 0; i < cs->len; i++)
		if (streq(node_at_s(cs->u.items[i], "type"), type))
			return cs->u.items[i];
	return NULL;
}

/* 1 when the condition exists with that status. */
static int
cond_is(const struct node *obj, const char *type, const char *status)
{
	return streq(node_at_s(cond(obj, type), "status"), status);
}

/* "Type=Status: reason: message" of a condition, for reports. */
static void
cond_text(const struct node *c, char *out, size_t n)
{
	const char *t = node_at_s(c, "type"), *s = node_at_s(c, "status");
	const char *rs = node_at_s(c, "reason"), *m = node_at_s(c, "message");
	int k;

	k = snprintf(out, n, "%s=%s", t ? t : "?", s ? s : "?");
	if (k < 0 || (size_t)k >= n)
		return;
	if (rs && *rs)
		k += snprintf(out + k, n - (size_t)k, ": %s", rs);
	if (k < 0 || (size_t)k >= n)
		return;
	if (m && *m)
		snprintf(out + k, n - (size_t)k, ": %s", m);
}

/*
 * The generation to wait for: what the caller applied, unless the object
 * moved on since (someone else changed it), then its own.
 */
static long long
target_generation(const struct node *obj, long long want)
{
	long long g = int_at(obj, "metadata.generation", 0);

	return g > want ? g : want;
}

/* 1 (and r filled) when status.observedGeneration lags. */
static int
generation_lags(const struct node *obj, long long want,
    struct ready_result *r)
{
	long long g = target_generation(obj, want), og;

	if (int_at(obj, "metadata.generation", 0) < want) {
		say(r, READY_PENDING, "generation %lld not seen yet (at %lld)",
		    want, int_at(obj, "metadata.generation", 0));
		return 1;
	}
	if (!node_int_value(node_at(obj, "status.observedGeneration"), &og))
		return 0;
	if (og < g) {
		say(r, READY_PENDING, "generation %lld not observed (at %lld)",
		    g, og);
		return 1;
	}
	return 0;
}

static void
eval_crd(const struct node *obj, struct ready_result *r)
{
	const struct node *na = cond(obj, "NamesAccepted");
	const struct node *es = cond(obj, "Established");
	char t[400];

	if (streq(node_at_s(na, "status"), "False")) {
		cond_text(na, t, sizeof t);
		say(r, READY_FAILED, "%s", t);
	} else if (streq(node_at_s(es, "status"), "True"))
		say(r, READY_OK, "Established");
	else if (es != NULL) {
		cond_text(es, t, sizeof t);
		say(r, READY_PENDING, "%s", t);
	} else
		say(r, READY_PENDING, "not Established yet");
}

static void
eval_namespace(const struct node *obj, struct ready_result *r)
{
	const char *ph = node_at_s(obj, "status.phase");

	if (streq(ph, "Active"))
		say(r, READY_OK, "Active");
	else
		say(r, READY_PENDING, "phase %s", ph ? ph : "not set");
}

static void
eval_available(const struct node *obj, struct ready_result *r)
{
	const struct node *c = cond(obj, "Available");
	char t[400];

	if (streq(node_at_s(c, "status"), "True"))
		say(r, READY_OK, "Available");
	else if (c != NULL) {
		cond_text(c, t, sizeof t);
		say(r, READY_PENDING, "%s", t);
	} else
		say(r, READY_PENDING, "not Available yet");
}

static void
eval_deployment(const struct node *obj, long long want,
    struct ready_result *r)
{
	long long spec = int_at(obj, "spec.replicas", 1);
	long long have = int_at(obj, "status.replicas", 0);
	long long upd = int_at(obj, "status.updatedReplicas", 0);
	long long rdy = int_at(obj, "status.readyReplicas", 0);
	long long avail = int_at(obj, "status.availableReplicas", 0);
	const struct node *pr = cond(obj, "Progressing");
	const struct node *paused = node_at(obj, "spec.paused");
	char t[400];

	if (generation_lags(obj, want, r))
		return;
	if (paused != NULL && paused->type == NODE_BOOL && paused->b) {
		r->flags |= READY_NOTE;
		say(r, READY_OK, "paused: ready as configured (%lld/%lld "
		    "updated, %lld ready)", upd, spec, rdy);
		return;
	}
	if (streq(node_at_s(pr, "reason"), "ProgressDeadlineExceeded")) {
		cond_text(pr, t, sizeof t);
		say(r, READY_FAILED, "%s", t);
		return;
	}
	if (upd < spec)
		say(r, READY_PENDING, "%lld/%lld updated", upd, spec);
	else if (have > upd)
		say(r, READY_PENDING, "%lld old replicas pending termination",
		    have - upd);
	else if (rdy < spec)
		say(r, READY_PENDING, "%lld/%lld ready", rdy, spec);
	else if (avail < upd)
		say(r, READY_PENDING, "%lld/%lld available", avail, upd);
	else
		say(r, READY_OK, "%lld/%lld ready", rdy, spec);
}

static void
eval_statefulset(const struct node *obj, long long want,
    struct ready_result *r)
{
	long long spec = int_at(obj, "spec.replicas", 1);
	long long have = int_at(obj, "status.replicas", 0);
	long long rdy = int_at(obj, "status.readyReplicas", 0);
	long long upd = int_at(obj, "status.updatedReplicas", 0);
	long long part = int_at(obj,
	    "spec.updateStrategy.rollingUpdate.partition", 0);
	const char *strategy = node_at_s(obj, "spec.updateStrategy.type");
	const char *cur = node_at_s(obj, "status.currentRevision");
	const char *next = node_at_s(obj, "status.updateRevision");

	if (generation_lags(obj, want, r))
		return;
	if (!has(obj, "status.observedGeneration")) {
		say(r, READY_PENDING, "not observed yet");
		return;
	}
	if (rdy < spec) {
		say(r, READY_PENDING, "%lld/%lld ready", rdy, spec);
		return;
	}
	if (have > spec) {
		say(r, READY_PENDING, "%lld extra replicas pending termination",
		    have - spec);
		return;
	}
	if (streq(strategy, "OnDelete")) {
		r->flags |= READY_NOTE;
		say(r, READY_OK, "%lld/%lld ready (OnDelete: pods update when "
		    "deleted)", rdy, spec);
		return;
	}
	if (part > 0) {
		if (upd < spec - part)
			say(r, READY_PENDING, "%lld/%lld updated (partition "
			    "%lld)", upd, spec - part, part);
		else
			say(r, READY_OK, "%lld/%lld ready, %lld updated "
			    "(partition %lld)", rdy, spec, upd, part);
		return;
	}
	if (upd < spec)
		say(r, READY_PENDING, "%lld/%lld updated", upd, spec);
	else if (cur != NULL && next != NULL && strcmp(cur, next) != 0)
		say(r, READY_PENDING, "revision %s not current yet", next);
	else
		say(r, READY_OK, "%lld/%lld ready", rdy, spec);
}

static void
eval_daemonset(const struct node *obj, long long want,
    struct ready_result *r)
{
	long long des = int_at(obj, "status.desiredNumberScheduled", -1);
	long long upd = int_at(obj, "status.updatedNumberScheduled", 0);
	long long avail = int_at(obj, "status.numberAvailable", 0);
	long long rdy = int_at(obj, "status.numberReady", 0);

	if (generation_lags(obj, want, r))
		return;
	if (!has(obj, "status.observedGeneration") || des < 0) {
		say(r, READY_PENDING, "not observed yet");
		return;
	}
	if (rdy < des)
		say(r, READY_PENDING, "%lld/%lld ready", rdy, des);
	else if (avail < des)
		say(r, READY_PENDING, "%lld/%lld available", avail, des);
	else if (streq(node_at_s(obj, "spec.updateStrategy.type"),
	    "OnDelete")) {
		r->flags |= READY_NOTE;
		say(r, READY_OK, "%lld/%lld ready (OnDelete: pods update when "
		    "deleted)", rdy, des);
	} else if (upd < des)
		say(r, READY_PENDING, "%lld/%lld updated", upd, des);
	else
		say(r, READY_OK, "%lld/%lld ready", rdy, des);
}

static void
eval_replicaset(const struct node *obj, long long want,
    struct ready_result *r)
{
	long long spec = int_at(obj, "spec.replicas", 1);
	long long rdy = int_at(obj, "status.readyReplicas", 0);
	long long avail = int_at(obj, "status.availableReplicas", 0);
	const struct node *rf = cond(obj, "ReplicaFailure");
	char t[400];

	if (generation_lags(obj, want, r))
		return;
	if (streq(node_at_s(rf, "status"), "True")) {
		/* Quota or admission: it may clear, so keep waiting. */
		cond_text(rf, t, sizeof t);
		say(r, READY_PENDING, "%s", t);
	} else if (rdy < spec)
		say(r, READY_PENDING, "%lld/%lld ready", rdy, spec);
	else if (avail < spec)
		say(r, READY_PENDING, "%lld/%lld available", avail, spec);
	else
		say(r, READY_OK, "%lld/%lld ready", rdy, spec);
}

static void
eval_pod(const struct ready_env *env, const struct node *obj,
    struct ready_result *r)
{
	const char *ph = node_at_s(obj, "status.phase");
	const struct node *c;
	char why[400];

	if (streq(ph, "Succeeded")) {
		say(r, READY_OK, "Succeeded");
		return;
	}
	if (streq(ph, "Failed")) {
		const char *rs = node_at_s(obj, "status.reason");
		const char *m = node_at_s(obj, "status.message");

		say(r, READY_FAILED, "Failed%s%s%s%s", rs ? ": " : "",
		    rs ? rs : "", m ? ": " : "", m ? m : "");
		return;
	}
	if (cond_is(obj, "Ready", "True")) {
		say(r, READY_OK, "Ready");
		return;
	}
	switch (ready_pod_classify(obj, env ? env->pods : NULL, why,
	    sizeof why, NULL)) {
	case READY_POD_TERMINAL:
		say(r, READY_FAILED, "%s", why);
		return;
	case READY_POD_TRANSIENT:
		say(r, READY_PENDING, "%s", why);
		return;
	case READY_POD_FINE:
		break;
	}
	c = cond(obj, "PodScheduled");
	if (streq(node_at_s(c, "status"), "False")) {
		cond_text(c, why, sizeof why);
		say(r, READY_PENDING, "%s", why);
	} else if ((c = cond(obj, "Ready")) != NULL) {
		cond_text(c, why, sizeof why);
		say(r, READY_PENDING, "%s", why);
	} else
		say(r, READY_PENDING, "phase %s", ph ? ph : "not set");
}

static void
eval_job(const struct node *obj, long long want, struct ready_result *r)
{
	const struct node *c;
	const struct node *sus = node_at(obj, "spec.suspend");
	long long comp = int_at(obj, "spec.completions", 1);
	char t[400];

	if (generation_lags(obj, want, r))
		return;
	if (cond_is(obj, "Complete", "True")) {
		say(r, READY_OK, "Complete");
		return;
	}
	if ((c = cond(obj, "Failed")) != NULL &&
	    streq(node_at_s(c, "status"), "True")) {
		cond_text(c, t, sizeof t);
		say(r, READY_FAILED, "%s", t);
		return;
	}
	if (sus != NULL && sus->type == NODE_BOOL && sus->b) {
		r->flags |= READY_NOTE;
		say(r, READY_OK, "suspended: ready as configured");
		return;
	}
	say(r, READY_PENDING, "%lld/%lld complete, %lld active",
	    int_at(obj, "status.succeeded", 0), comp,
	    int_at(obj, "status.active", 0));
}

static void
eval_pvc(const struct ready_env *env, const struct node *obj,
    struct ready_result *r)
{
	const char *ph = node_at_s(obj, "status.phase");
	const char *sc = node_at_s(obj, "spec.storageClassName");
	int w = -1;

	if (streq(ph, "Bound")) {
		say(r, READY_OK, "Bound");
		return;
	}
	if (streq(ph, "Lost")) {
		say(r, READY_FAILED, "Lost: its volume is gone");
		return;
	}
	if (env != NULL && env->wffc != NULL)
		w = env->wffc(env->arg, sc);
	if (w == 1) {
		r->flags |= READY_NOTE;
		say(r, READY_OK, "Pending: StorageClass %s binds "
		    "WaitForFirstConsumer, bound when a Pod uses it",
		    sc ? sc : "(default)");
		return;
	}
	say(r, READY_PENDING, "phase %s", ph ? ph : "not set");
}

/* The first address in status.loadBalancer.ingress, or NULL. */
static const struct node *
lb_ingress(const struct node *obj)
{
	const struct node *in = node_at(obj, "status.loadBalancer.ingress");

	if (in == NULL || in->type != NODE_SEQ || in->len == 0)
		return NULL;
	return in->u.items[0];
}

static void
eval_lb(const struct node *obj, struct ready_result *r)
{
	const struct node *in = lb_ingress(obj);
	const char *a;

	if (in == NULL) {
		say(r, READY_PENDING, "waiting for a load balancer address");
		return;
	}
	a = node_at_s(in, "hostname");
	if (a == NULL)
		a = node_at_s(in, "ip");
	say(r, READY_OK, "address %s", a ? a : "set");
}

static void
eval_service(const struct node *obj, struct ready_result *r)
{
	const char *t = node_at_s(obj, "spec.type");
	const char *ip = node_at_s(obj, "spec.clusterIP");

	if (streq(t, "ExternalName"))
		say(r, READY_OK, "ExternalName");
	else if (streq(t, "LoadBalancer"))
		eval_lb(obj, r);
	else if (ip == NULL || *ip == '\0')
		say(r, READY_PENDING, "no cluster IP yet");
	else
		say(r, READY_OK, "cluster IP %s", ip);
}

static int
is_sha(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != 40)
		return 0;
	for (i = 0; i < 40; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* A sha targetRevision must be the revision synced (single source). */
static int
argo_revision_lags(const struct node *obj, struct ready_result *r)
{
	const char *want = node_at_s(obj, "spec.source.targetRevision");
	const char *got = node_at_s(obj, "status.sync.revision");
	const struct node *srcs = node_at(obj, "spec.sources");
	const struct node *revs = node_at(obj, "status.sync.revisions");
	size_t i;

	if (is_sha(want) && !streq(want, got)) {
		say(r, READY_PENDING, "revision %s not synced (at %s)", want,
		    got ? got : "none");
		return 1;
	}
	if (srcs == NULL || srcs->type != NODE_SEQ)
		return 0;
	for (i = 0; i < srcs->len; i++) {
		want = node_at_s(srcs->u.items[i], "targetRevision");
		if (!is_sha(want))
			continue;
		got = NULL;
		if (revs != NULL && revs->type == NODE_SEQ && i < revs->len)
			got = node_s(revs->u.items[i]);
		if (!streq(want, got)) {
			say(r, READY_PENDING, "source %zu revision %s not "
			    "synced (at %s)", i, want, got ? got : "none");
			return 1;
		}
	}
	return 0;
}

static void
eval_application(const struct node *obj, struct ready_result *r)
{
	const char *op = node_at_s(obj, "status.operationState.phase");
	const char *sync = node_at_s(obj, "status.sync.status");
	const char *health = node_at_s(obj, "status.health.status");
	const char *m = node_at_s(obj, "status.operationState.message");
	const char *opr;
	int stale;

	/*
	 * A failed sync attempt that Argo CD will retry (an automated sync
	 * retries 5 times by default) stays Running, its message the
	 * failure plus a note of Argo CD's own; it fails when the retries are
	 * spent.
	 */
	if (streq(op, "Running") &&
	    int_at(obj, "status.operationState.retryCount", 0) > 0) {
		static const char note[] = " due to application controller sync "
		    "timeout. Retrying attempt #";
		const char *cut = m ? strstr(m, note) : NULL;
		long long n = int_at(obj, "status.operationState.retryCount", 0);
		long long lim = int_at(obj,
		    "status.operationState.operation.retry.limit", -1);
		char of[32] = "";

		if (lim > 0)
			snprintf(of, sizeof of, " of %lld", lim);
		say(r, READY_PENDING, "sync failed, retry %lld%s: %.*s", n, of,
		    m ? (int)(cut ? (size_t)(cut - m) : strlen(m)) : 0,
		    m ? m : "");
		return;
	}
	if (streq(op, "Running") || streq(op, "Terminating")) {
		say(r, READY_PENDING, "operation %s%s%s", op, m ? ": " : "",
		    m ? m : "");
		return;
	}
	/*
	 * The last operation stays in the status after the target moved on
	 * (a fix committed, a target that no longer renders): its failure is
	 * about another revision than the one compared now.
	 */
	opr = node_at_s(obj, "status.operationState.syncResult.revision");
	if (opr == NULL)
		opr = node_at_s(obj,
		    "status.operationState.operation.sync.revision");
	stale = opr && *opr && !streq(opr, node_at_s(obj,
	    "status.sync.revision"));
	if ((streq(op, "Failed") || streq(op, "Error")) &&
	    !streq(sync, "Synced") && !stale) {
		say(r, READY_FAILED, "sync %s%s%s", op, m ? ": " : "",
		    m ? m : "");
		return;
	}
	/*
	 * Argo CD could not render the target (a file that does not parse,
	 * a repository it cannot reach): sync Unknown, no revision, and it
	 * tries again; the reason is in the condition only.
	 */
	if (!streq(sync, "Synced") &&
	    node_at_s(cond(obj, "ComparisonError"), "message")) {
		say(r, READY_PENDING, "sync %s: ComparisonError: %s",
		    sync ? sync : "unknown",
		    node_at_s(cond(obj, "ComparisonError"), "message"));
		return;
	}
	if (!streq(sync, "Synced") || !streq(health, "Healthy")) {
		say(r, READY_PENDING, "sync %s, health %s",
		    sync ? sync : "unknown", health ? health : "unknown");
		return;
	}
	if (argo_revision_lags(obj, r))
		return;
	say(r, READY_OK, "Synced, Healthy");
}

/*
 * A False Ready or Synced condition fails the wait when its reason says
 * the controller gave up, not that it is still working.
 */
static int
terminal_reason(const char *rs)
{
	static const char *const suffix[] = {
		"Failed", "Failure", "Error", "Invalid", "Stalled",
		"ProgressDeadlineExceeded", "Terminal"
	};
	size_t i, n, k;

	if (rs == NULL)
		return 0;
	n = strlen(rs);
	for (i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		k = strlen(suffix[i]);
		if (n >= k && strcmp(rs + n - k, suffix[i]) == 0)
			return 1;
	}
	return 0;
}

/* The status is empty: nothing written by a controller yet. */
static int
status_empty(const struct node *obj)
{
	const struct node *s = node_get(obj, "status");

	return s == NULL || s->type == NODE_NULL ||
	    (s->type == NODE_MAP && s->len == 0);
}

static void
eval_custom(const struct node *obj, long long want, struct ready_result *r)
{
	static const char *const types[] = {
		"Ready", "Available", "Synced", "Healthy"
	};
	const struct node *c;
	long long g = target_generation(obj, want), cg;
	size_t i, seen = 0;
	char t[400];

	if (status_empty(obj)) {
		r->flags |= READY_NOSTATUS;
		say(r, READY_PENDING, "no status yet");
		return;
	}
	if (generation_lags(obj, want, r))
		return;
	if (cond_is(obj, "Stalled", "True")) {
		cond_text(cond(obj, "Stalled"), t, sizeof t);
		say(r, READY_FAILED, "%s", t);
		return;
	}
	if (cond_is(obj, "Reconciling", "True")) {
		cond_text(cond(obj, "Reconciling"), t, sizeof t);
		say(r, READY_PENDING, "%s", t);
		return;
	}
	for (i = 0; i < sizeof types / sizeof types[0]; i++) {
		if ((c = cond(obj, types[i])) == NULL)
			continue;
		seen++;
		if (node_int_value(node_get(c, "observedGeneration"), &cg) &&
		    cg < g) {
			say(r, READY_PENDING, "%s: generation %lld not "
			    "observed (at %lld)", types[i], g, cg);
			return;
		}
		if (streq(node_at_s(c, "status"), "True"))
			continue;
		cond_text(c, t, sizeof t);
		if (streq(node_at_s(c, "status"), "False") &&
		    (i == 0 || i == 2) &&
		    terminal_reason(node_at_s(c, "reason"))) {
			say(r, READY_FAILED, "%s", t);
			/* The external-secrets controller writes
			 * SecretSyncedError for the first attempts too
			 * (its SecretStore not validated yet) and retries
			 * with a backoff. */
			if (strncmp(node_at_s(obj, "apiVersion") ?
			    node_at_s(obj, "apiVersion") : "",
			    "external-secrets.io/", 20) == 0)
				r->flags |= READY_RETRIED;
		}
		else
			say(r, READY_PENDING, "%s", t);
		return;
	}
	if (seen == 0) {
		r->flags |= READY_NOTE;
		say(r, READY_OK, "no readiness conditions");
		return;
	}
	t[0] = '\0';
	for (i = 0; i < sizeof types / sizeof types[0]; i++)
		if (cond(obj, types[i]) != NULL) {
			size_t k = strlen(t);

			snprintf(t + k, sizeof t - k, "%s%s", k ? ", " : "",
			    types[i]);
		}
	say(r, READY_OK, "%s", t);
}

/* ---------------------------------------------------------------- rules */

struct ready_rule {
	char *group, *kind;
	char *condition, *status;	/* condition rule */
	char *path, *value, *fail;	/* JSON path rule */
};

struct ready_rules {
	struct ready_rule *v;
	size_t n, cap;
};

struct ready_rules *
ready_rules_new(void)
{
	return xcalloc(1, sizeof(struct ready_rules));
}

void
ready_rules_free(struct ready_rules *rs)
{
	size_t i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->n; i++) {
		free(rs->v[i].group);
		free(rs->v[i].kind);
		free(rs->v[i].condition);
		free(rs->v[i].status);
		free(rs->v[i].path);
		free(rs->v[i].value);
		free(rs->v[i].fail);
	}
	free(rs->v);
	free(rs);
}

size_t
ready_rules_count(const struct ready_rules *rs)
{
	return rs ? rs->n : 0;
}

/* A scalar's text: string bytes, integer digits, true/false. */
static const char *
scalar_text(const struct node *n)
{
	if (n == NULL)
		return NULL;
	switch (n->type) {
	case NODE_STR:
	case NODE_INT:
		return n->u.s;
	case NODE_BOOL:
		return n->b ? "true" : "false";
	default:
		return NULL;
	}
}

/*
 * A small JSONPath: `{.a.b[0].c}', `.a.b', `a.b', and a filter
 * `[?(@.type=="Ready")]' that takes the first matching element.  Keys with
 * dots can be written ['a.b'] or escaped a\.b.
 */
static const struct node *
jsonpath(const struct node *n, const char *p, int *bad)
{
	char key[256], fk[256], fv[256];
	size_t k;
	char q;
	int brace = *p == '{';

	/* The whole path is read even once n is gone: a rule is checked
	 * for syntax by running it on itself. */
	*bad = 0;
	if (brace)
		p++;
	while (*p && *p != '}') {
		if (*p == '.') {
			p++;
			continue;
		}
		if (*p == '[' && p[1] == '?') {
			/* [?(@.key=="value")] */
			const struct node *hit = NULL;
			size_t i;

			if (strncmp(p, "[?(@.", 5) != 0)
				return *bad = 1, NULL;
			p += 5;
			for (k = 0; *p && *p != '=' && k < sizeof fk - 1; )
				fk[k++] = *p++;
			fk[k] = '\0';
			if (strncmp(p, "==", 2) != 0)
				return *bad = 1, NULL;
			p += 2;
			q = *p;
			if (q != '"' && q != '\'')
				return *bad = 1, NULL;
			p++;
			for (k = 0; *p && *p != q && k < sizeof fv - 1; )
				fv[k++] = *p++;
			fv[k] = '\0';
			if (strncmp(p + 1, ")]", 2) != 0 || *p != q)
				return *bad = 1, NULL;
			p += 3;
			for (i = 0; n && n->type == NODE_SEQ && i < n->len &&
			    hit == NULL; i++)
				if (streq(scalar_text(node_get(n->u.items[i],
				    fk)), fv))
					hit = n->u.items[i];
			n = hit;
			continue;
		}
		if (*p == '[' && (p[1] == '\'' || p[1] == '"')) {
			q = p[1];
			p += 2;
			for (k = 0; *p && *p != q && k < sizeof key - 1; )
				key[k++] = *p++;
			key[k] = '\0';
			if (*p != q || p[1] != ']')
				return *bad = 1, NULL;
			p += 2;
			n = node_get(n, key);
			continue;
		}
		if (*p == '[') {
			char *end;
			unsigned long idx = strtoul(p + 1, &end, 10);

			if (end == p + 1 || *end != ']')
				return *bad = 1, NULL;
			p = end + 1;
			n = n && n->type == NODE_SEQ && idx < n->len ?
			    n->u.items[idx] : NULL;
			continue;
		}
		for (k = 0; *p && *p != '.' && *p != '[' && *p != '}' &&
		    k < sizeof key - 1; ) {
			if (*p == '\\' && p[1] == '.')
				p++;
			key[k++] = *p++;
		}
		key[k] = '\0';
		n = node_get(n, key);
	}
	if (brace ? *p != '}' || p[1] != '\0' : *p != '\0')
		return *bad = 1, NULL;
	return n;
}

static char *
dup_scalar(const struct node *n)
{
	const char *s = scalar_text(n);

	return s ? xstrdup(s) : NULL;
}

static int
rule_add_one(struct ready_rules *rs, const struct node *m, struct diag *d)
{
	struct ready_rule r;
	const char *kind = node_at_s(m, "kind");
	const char *jp = node_at_s(m, "jsonPath");
	int bad;

	if (m == NULL || m->type != NODE_MAP)
		return diag_set(d, 3, "a rule must be a mapping");
	if (kind == NULL || *kind == '\0')
		return diag_set(d, 3, "kind: missing");
	if (node_at_s(m, "condition") == NULL && jp == NULL)
		return diag_set(d, 3, "a rule needs condition or jsonPath");
	if (node_at_s(m, "condition") != NULL && jp != NULL)
		return diag_set(d, 3, "condition and jsonPath exclude each "
		    "other");
	if (jp != NULL) {
		(void)jsonpath(m, jp, &bad);
		if (bad)
			return diag_set(d, 3, "jsonPath: cannot parse %s", jp);
	}
	memset(&r, 0, sizeof r);
	r.group = xstrdup(node_at_s(m, "group") ? node_at_s(m, "group") : "");
	r.kind = xstrdup(kind);
	if (node_at_s(m, "condition") != NULL) {
		r.condition = xstrdup(node_at_s(m, "condition"));
		r.status = dup_scalar(node_get(m, "status"));
		if (r.status == NULL)
			r.status = xstrdup("True");
	} else {
		r.path = xstrdup(jp);
		r.value = dup_scalar(node_get(m, "value"));
		r.fail = dup_scalar(node_get(m, "failValue"));
	}
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 8;
		rs->v = xrealloc(rs->v, rs->cap * sizeof *rs->v);
	}
	rs->v[rs->n++] = r;
	return 0;
}

int
ready_rules_add(struct ready_rules *rs, const struct node *doc,
    struct diag *d)
{
	const struct node *list = node_get(doc, "rules");
	size_t i;

	if (list == NULL)
		return rule_add_one(rs, doc, d);
	if (list->type != NODE_SEQ)
		return diag_set(d, 3, "rules: not a list");
	for (i = 0; i < list->len; i++)
		if (rule_add_one(rs, list->u.items[i], d) == -1) {
			char p[64];

			snprintf(p, sizeof p, "rules[%zu]", i);
			diag_setpath(d, p);
			return -1;
		}
	return 0;
}

static const struct ready_rule *
rule_find(const struct ready_rules *rs, const char *group, const char *kind)
{
	size_t i;

	if (rs == NULL)
		return NULL;
	for (i = rs->n; i-- > 0; )
		if (strcmp(rs->v[i].group, group) == 0 &&
		    streq(rs->v[i].kind, kind))
			return &rs->v[i];
	return NULL;
}

static void
eval_rule(const struct ready_rule *ru, const struct node *obj,
    long long want, struct ready_result *r)
{
	const struct node *c, *v;
	const char *s;
	char t[400];
	int bad;

	if (generation_lags(obj, want, r))
		return;
	if (ru->condition != NULL) {
		c = cond(obj, ru->condition);
		if (streq(node_at_s(c, "status"), ru->status))
			say(r, READY_OK, "%s=%s", ru->condition, ru->status);
		else if (c != NULL) {
			cond_text(c, t, sizeof t);
			say(r, READY_PENDING, "%s (want %s)", t, ru->status);
		} else
			say(r, READY_PENDING, "no condition %s yet",
			    ru->condition);
		return;
	}
	v = jsonpath(obj, ru->path, &bad);
	s = scalar_text(v);
	if (ru->fail != NULL && streq(s, ru->fail))
		say(r, READY_FAILED, "%s is %s", ru->path, s);
	else if (ru->value == NULL && v != NULL && v->type != NODE_NULL)
		say(r, READY_OK, "%s is set", ru->path);
	else if (ru->value != NULL && streq(s, ru->value))
		say(r, READY_OK, "%s is %s", ru->path, s);
	else if (ru->value != NULL)
		say(r, READY_PENDING, "%s is %s, want %s", ru->path,
		    s ? s : "not set", ru->value);
	else
		say(r, READY_PENDING, "%s not set yet", ru->path);
}

/* ---------------------------------------------------------------- eval */

void
ready_eval_env(const struct ready_env *env, const struct node *obj,
    long long want_generation, struct ready_result *r)
{
	const char *kind = node_at_s(obj, "kind");
	const struct ready_rule *ru;
	char group[256];

	memset(r, 0, sizeof *r);
	r->state = READY_PENDING;
	if (kind == NULL) {
		say(r, READY_FAILED, "no kind");
		return;
	}
	ready_group(obj, group, sizeof group);
	if (has(obj, "metadata.deletionTimestamp")) {
		say(r, READY_PENDING, "terminating");
		return;
	}
	if ((ru = rule_find(env ? env->rules : NULL, group, kind)) != NULL) {
		eval_rule(ru, obj, want_generation, r);
		return;
	}
	if (strcmp(group, "apiextensions.k8s.io") == 0 &&
	    strcmp(kind, "CustomResourceDefinition") == 0)
		eval_crd(obj, r);
	else if (group[0] == '\0') {
		if (strcmp(kind, "Namespace") == 0)
			eval_namespace(obj, r);
		else if (strcmp(kind, "Pod") == 0)
			eval_pod(env, obj, r);
		else if (strcmp(kind, "PersistentVolumeClaim") == 0)
			eval_pvc(env, obj, r);
		else if (strcmp(kind, "Service") == 0)
			eval_service(obj, r);
		else if (strcmp(kind, "ReplicationController") == 0)
			eval_replicaset(obj, want_generation, r);
		else
			say(r, READY_OK, "exists");
	} else if (strcmp(group, "apps") == 0 ||
	    strcmp(group, "extensions") == 0) {
		if (strcmp(kind, "Deployment") == 0)
			eval_deployment(obj, want_generation, r);
		else if (strcmp(kind, "StatefulSet") == 0)
			eval_statefulset(obj, want_generation, r);
		else if (strcmp(kind, "DaemonSet") == 0)
			eval_daemonset(obj, want_generation, r);
		else if (strcmp(kind, "ReplicaSet") == 0)
			eval_replicaset(obj, want_generation, r);
		else if (strcmp(kind, "Ingress") == 0)
			eval_lb(obj, r);
		else
			say(r, READY_OK, "exists");
	} else if (strcmp(group, "batch") == 0) {
		if (strcmp(kind, "Job") == 0)
			eval_job(obj, want_generation, r);
		else
			say(r, READY_OK, "exists");
	} else if (strcmp(group, "networking.k8s.io") == 0) {
		if (strcmp(kind, "Ingress") == 0)
			eval_lb(obj, r);
		else
			say(r, READY_OK, "exists");
	} else if (strcmp(group, "apiregistration.k8s.io") == 0 &&
	    strcmp(kind, "APIService") == 0)
		eval_available(obj, r);
	else if (strcmp(group, "argoproj.io") == 0 &&
	    strcmp(kind, "Application") == 0)
		eval_application(obj, r);
	else if ((strstr(group, ".k8s.io") != NULL &&
	    strcmp(group, "apiextensions.k8s.io") != 0) ||
	    strcmp(group, "policy") == 0 || strcmp(group, "autoscaling") == 0)
		/* Built-in groups (rbac, policy, storage, ...) have no status
		 * to wait for, apart from their generation. */
		say(r, READY_OK, "exists");
	else
		eval_custom(obj, want_generation, r);
}

void
ready_eval_with(const struct ready_rules *rs, const struct node *obj,
    long long want_generation, struct ready_result *r)
{
	struct ready_env env = { rs, NULL, NULL, NULL };

	ready_eval_env(&env, obj, want_generation, r);
}

void
ready_eval(const struct node *obj, long long want_generation,
    struct ready_result *r)
{
	ready_eval_env(NULL, obj, want_generation, r);
}

/* 1 when s holds any of the words. */
static int
says(const char *s, const char *const *words, size_t n)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++)
		if (strstr(s, words[i]) != NULL)
			return 1;
	return 0;
}

/* The registry's own word that the image is not there (or not ours). */
static int
image_absent(const char *m)
{
	static const char *const w[] = {
		"not found", "NotFound", "manifest unknown", "does not exist",
		"pull access denied", "invalid reference format",
		"repository name must"
	};

	return says(m, w, sizeof w / sizeof w[0]);
}

/*
 * The object a CreateContainerConfigError waits for, from the kubelet's
 * messages `secret "x" not found' and `couldn't find key k in Secret ns/x';
 * 0 when the message names none.
 */
static int
config_wants(const char *m, char *kind, size_t kn, char *name, size_t nn)
{
	const char *p, *e;
	size_t len;

	if (m == NULL)
		return 0;
	if ((p = strstr(m, "secret \"")) != NULL ||
	    (p = strstr(m, "configmap \"")) != NULL) {
		snprintf(kind, kn, "%s", *p == 's' ? "Secret" : "ConfigMap");
		p = strchr(p, '"') + 1;
		e = strchr(p, '"');
	} else if ((p = strstr(m, " in Secret ")) != NULL ||
	    (p = strstr(m, " in ConfigMap ")) != NULL) {
		snprintf(kind, kn, "%s", p[4] == 'S' ? "Secret" : "ConfigMap");
		p = strchr(p + 4, ' ') + 1;
		if (strchr(p, '/') != NULL)
			p = strchr(p, '/') + 1;
		e = p + strcspn(p, " :,");
	} else
		return 0;
	if (e == NULL || e == p)
		return 0;
	len = (size_t)(e - p);
	if (len >= nn)
		return 0;
	memcpy(name, p, len);
	name[len] = '\0';
	return 1;
}

/* One container's waiting state, classed; READY_POD_FINE when none. */
static enum ready_pod_class
container_class(const struct node *cs, const struct ready_pod_env *pe,
    const char *ns, char *why, size_t n)
{
	static const char *const never[] = {
		"ErrImageNeverPull", "InvalidImageName", "CreateContainerError",
		"RunContainerError", "PreCreateHookError", "PostStartHookError"
	};
	const char *rs = node_at_s(cs, "state.waiting.reason");
	const char *m = node_at_s(cs, "state.waiting.message");
	const char *name = node_at_s(cs, "name");
	long long restarts = int_at(cs, "restartCount", 0);
	char kind[32], obj[256], who[300];
	size_t i;
	int k;

	if (rs == NULL)
		return READY_POD_FINE;
	k = snprintf(why, n, "%s%s%s (container %s", rs, m ? ": " : "",
	    m ? m : "", name ? name : "?");
	if (k < 0 || (size_t)k >= n)
		k = n > 1 ? (int)n - 2 : 0;
	for (i = 0; i < sizeof never / sizeof never[0]; i++)
		if (streq(rs, never[i])) {
			snprintf(why + k, n - (size_t)k, ")");
			return READY_POD_TERMINAL;
		}
	if (streq(rs, "ErrImagePull") || streq(rs, "ImagePullBackOff")) {
		if (image_absent(m)) {
			snprintf(why + k, n - (size_t)k, ")");
			return READY_POD_TERMINAL;
		}
		snprintf(why + k, n - (size_t)k, ", pull retrying)");
		return READY_POD_TRANSIENT;
	}
	if (streq(rs, "CrashLoopBackOff")) {
		if (restarts >= pe->restarts) {
			snprintf(why + k, n - (size_t)k, ")");
			return READY_POD_TERMINAL;
		}
		snprintf(why + k, n - (size_t)k, ", restart %lld of %lld)",
		    restarts, pe->restarts);
		return READY_POD_TRANSIENT;
	}
	if (streq(rs, "CreateContainerConfigError")) {
		if (config_wants(m, kind, sizeof kind, obj, sizeof obj) &&
		    pe->creates != NULL &&
		    pe->creates(pe->arg, kind, ns, obj, who, sizeof who)) {
			snprintf(why + k, n - (size_t)k, ", %s creates it)",
			    who);
			return READY_POD_TRANSIENT;
		}
		snprintf(why + k, n - (size_t)k, ")");
		return READY_POD_TERMINAL;
	}
	/* ContainerCreating, PodInitializing: a pull or a mount under way. */
	return READY_POD_FINE;
}

static enum ready_pod_class
containers_class(const struct node *list, const struct ready_pod_env *pe,
    const char *ns, char *why, size_t n)
{
	enum ready_pod_class c, worst = READY_POD_FINE;
	char t[512];
	size_t i;

	if (list == NULL || list->type != NODE_SEQ)
		return READY_POD_FINE;
	for (i = 0; i < list->len; i++) {
		c = container_class(list->u.items[i], pe, ns, t, sizeof t);
		if (c > worst) {
			worst = c;
			snprintf(why, n, "%s", t);
		}
	}
	return worst;
}

/* What the scheduler says heals by itself, given the autoscaler. */
static enum ready_pod_class
unschedulable_class(const struct node *c, const struct ready_pod_env *pe,
    char *why, size_t n, long long *fails_at)
{
	static const char *const volumes[] = {
		"unbound immediate PersistentVolumeClaims",
		"persistentvolume", "ephemeral volume", "VolumeBinding",
		"waiting for volume"
	};
	static const char *const room[] = { "Insufficient ", "Too many pods" };
	const char *m = node_at_s(c, "message");
	const char *note;
	long long since;
	int k;

	k = snprintf(why, n, "Unschedulable%s%s", m ? ": " : "", m ? m : "");
	if (k < 0 || (size_t)k >= n)
		k = n > 1 ? (int)n - 1 : 0;
	if (says(m, volumes, sizeof volumes / sizeof volumes[0])) {
		snprintf(why + k, n - (size_t)k, " (volumes binding)");
		return READY_POD_TRANSIENT;
	}
	if (pe->autoscaler == READY_AS_SCALING) {
		snprintf(why + k, n - (size_t)k, " (cluster scaling up)");
		return READY_POD_TRANSIENT;
	}
	if (says(m, room, sizeof room / sizeof room[0])) {
		note = pe->autoscaler == READY_AS_PRESENT ?
		    " (cluster autoscaler present, not scaling up yet)" :
		    " (no cluster autoscaler)";
		snprintf(why + k, n - (size_t)k, "%s", note);
		return READY_POD_TRANSIENT;
	}
	/* Affinity, taints, ports: nothing changes them but a person. */
	since = ready_time(node_at_s(c, "lastTransitionTime"));
	if (pe->grace >= 0 && fails_at != NULL)
		*fails_at = (since > 0 ? since : pe->now) + pe->grace;
	if (pe->grace >= 0 && pe->now > 0 && fails_at != NULL &&
	    pe->now >= *fails_at)
		return READY_POD_TERMINAL;
	return READY_POD_TRANSIENT;
}

enum ready_pod_class
ready_pod_classify(const struct node *pod, const struct ready_pod_env *pe,
    char *why, size_t n, long long *fails_at)
{
	static const struct ready_pod_env dflt = {
		0, -1, READY_RESTARTS, READY_AS_NONE, NULL, NULL
	};
	const char *ns = node_at_s(pod, "metadata.namespace");
	const struct node *c;
	enum ready_pod_class k;

	if (pe == NULL)
		pe = &dflt;
	if (n > 0)
		why[0] = '\0';
	if (fails_at != NULL)
		*fails_at = 0;
	if (ns == NULL)
		ns = "";
	k = containers_class(node_at(pod, "status.initContainerStatuses"), pe,
	    ns, why, n);
	if (k == READY_POD_TERMINAL)
		return k;
	if (k == READY_POD_FINE)
		k = containers_class(node_at(pod, "status.containerStatuses"),
		    pe, ns, why, n);
	if (k != READY_POD_FINE)
		return k;
	c = cond(pod, "PodScheduled");
	if (streq(node_at_s(c, "status"), "False") &&
	    streq(node_at_s(c, "reason"), "Unschedulable"))
		return unschedulable_class(c, pe, why, n, fails_at);
	return READY_POD_FINE;
}

int
ready_autoscaler_status(const char *status)
{
	const char *p = status, *down;

	if (status == NULL)
		return READY_AS_PRESENT;
	/* "ScaleUp:     InProgress (...)" and, since 1.30, YAML
	 * "scaleUp:\n    status: InProgress". */
	while ((p = strstr(p, "caleUp")) != NULL) {
		p += 6;
		down = strstr(p, "caleDown");
		if (strstr(p, "InProgress") != NULL &&
		    (down == NULL || strstr(p, "InProgress") < down))
			return READY_AS_SCALING;
	}
	return READY_AS_PRESENT;
}
