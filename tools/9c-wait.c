/*
 * 9c-wait - wait until Kubernetes objects are ready, by watching them.
 *
 * One watch per resource type and namespace (plus one on Pods per namespace
 * that holds workloads, to fail fast with a Pod's reason); each object is
 * judged by ready.h on every event.  The objects are written to stdout, as
 * last seen, once all are ready.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ready.h"
#include "watch.h"

static const char usage[] =
    "9c-wait [-hLq] [-c restarts] [--context name] [--for ready|delete] "
    "[-g grace] [--kubeconfig file] [-n namespace] [-o format] [-r rules] "
    "[-t timeout] [file ...]";

/* One object to wait for. */
struct target {
	struct doc *in;			/* as read */
	struct doc *seen;		/* as last seen from the server */
	const char *kind, *name, *ns;	/* ns "" when cluster-scoped */
	char group[256];
	long long want_gen;
	struct ready_result res;
	double nostatus_since;		/* 0: has a status */
	double failing_since;		/* 0: not failing, or not retried */
	char label[600];		/* "deployment/x" for messages */
	char pod[600];			/* why its Pods hold it up, or "" */
	char podname[256];		/* the Pod that pod[] is about */
	struct doc *poddoc;		/* that Pod, to judge again later */
	long long fails_at;		/* its delay turns terminal then */
	int podfail;			/* pod[] is a failure, not a delay */
	unsigned long said;		/* hash of the delay last reported */
	int exists;			/* seen and not deleted since */
	int listed;			/* its type's list came back */
	int relisting;			/* not yet seen in the current list */
	size_t unit;			/* its watch */
	int done;
};

/* One watch: a resource type in one namespace (or cluster-wide). */
struct unit {
	char *path;
	char ns[256];
	int pods;			/* also attributes Pods to workloads */
	int classes;			/* StorageClasses, for claims */
	int autoscaler;			/* cluster-autoscaler-status */
};

struct opts {
	const char *kubeconfig, *context, *ns, *rules_file;
	enum emit_format fmt;
	int quiet, local, for_delete;
	long long restarts;
	double grace, timeout;
};

struct run {
	struct opts o;
	struct ready_rules *rules;
	struct ready_env env;
	struct ready_pod_env pe;	/* env.pods, as of the last judging */
	struct target *t;
	size_t n, cap;
	size_t ndone;
	int tty;			/* progress as live lines */
	int drawn;			/* lines drawn last time */
	struct watch_set *ws;
	struct unit *u;
	size_t nu;
	struct doc **sc;		/* StorageClasses seen */
	size_t nsc;
	int sc_synced;
	int autoscaler;			/* READY_AS_* as last seen */
	int as_watched;			/* its watch is open */
	int as_synced;			/* and has listed */
	int reclass;			/* judge every Pod again */
	double start;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds from "90", "90s", "5m", "1h", "1.5s"; -1 if bad. */
static double
parse_duration(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !(v >= 0))
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		;
	else if (strcmp(end, "ms") == 0)
		v /= 1000;
	else if (strcmp(end, "m") == 0)
		v *= 60;
	else if (strcmp(end, "h") == 0)
		v *= 3600;
	else
		return -1;
	/* A day, as 9c-kapply -t allows; "inf" or 2^64 is no deadline. */
	return v <= 86400 ? v : -1;
}

static void
lower(char *out, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i + 1 < n && s[i]; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i];
	out[i] = '\0';
}

static int
add_target(struct doc *doc, void *arg, struct diag *d)
{
	struct run *r = arg;
	struct target *t;
	const struct node *root = doc->root;
	char k[128];

	diag_at(d, doc->input, doc->index, doc->line, 0);
	if (root == NULL || root->type != NODE_MAP) {
		doc_free(doc);
		return diag_set(d, EXIT_INPUT, "not an object");
	}
	if (node_at_s(root, "apiVersion") == NULL) {
		doc_free(doc);
		diag_setpath(d, "apiVersion");
		return diag_set(d, EXIT_INPUT, "missing");
	}
	if (node_at_s(root, "kind") == NULL) {
		doc_free(doc);
		diag_setpath(d, "kind");
		return diag_set(d, EXIT_INPUT, "missing");
	}
	if (node_at_s(root, "metadata.name") == NULL) {
		doc_free(doc);
		diag_setpath(d, "metadata.name");
		return diag_set(d, EXIT_INPUT, "missing");
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->t = xrealloc(r->t, r->cap * sizeof *r->t);
	}
	t = &r->t[r->n++];
	memset(t, 0, sizeof *t);
	t->in = doc;
	t->kind = node_at_s(root, "kind");
	t->name = node_at_s(root, "metadata.name");
	t->ns = node_at_s(root, "metadata.namespace");
	ready_group(root, t->group, sizeof t->group);
	if (!node_int_value(node_at(root, "metadata.generation"),
	    &t->want_gen))
		t->want_gen = 0;
	lower(k, sizeof k, t->kind);
	snprintf(t->label, sizeof t->label, "%s/%s", k, t->name);
	snprintf(t->res.reason, sizeof t->res.reason, "not seen yet");
	return 0;
}

/* Namespace and label, once the namespace of each object is known. */
static void
finish_target(struct run *r, struct target *t, int namespaced)
{
	char k[128];

	if (!namespaced)
		t->ns = "";
	else if (t->ns == NULL || *t->ns == '\0')
		t->ns = r->o.ns;
	lower(k, sizeof k, t->kind);
	if (namespaced && strcmp(t->ns, r->o.ns) != 0)
		snprintf(t->label, sizeof t->label, "%s/%s/%s", t->ns, k,
		    t->name);
}

/* ------------------------------------------------------------ progress */

static void
progress_clear(struct run *r)
{
	if (r->tty && r->drawn > 0) {
		fprintf(stderr, "\033[%dA\033[J", r->drawn);
		r->drawn = 0;
	}
}

/* Why its Pods hold t up; a Pod's own reason already says it. */
static const char *
pod_note(const struct target *t)
{
	return strcmp(t->kind, "Pod") == 0 && t->group[0] == '\0' ? "" :
	    t->pod;
}

/* A plain line when an object settles; a live view on a terminal. */
static void
progress_settled(struct run *r, const struct target *t)
{
	const char *what;

	if (r->o.quiet || t->res.state == READY_FAILED)
		return;
	what = t->res.state == READY_GONE ? "deleted" : "ready";
	progress_clear(r);
	if (t->res.flags & READY_NOTE)
		cli_warn("%s: %s (%s)", t->label, what, t->res.reason);
	else if (!r->tty)
		cli_warn("%s: %s", t->label, what);
}

static void
progress_draw(struct run *r)
{
	size_t i, shown = 0;
	int lines = 0;
	char line[300], esc[4 * sizeof line];

	if (r->o.quiet || !r->tty)
		return;
	progress_clear(r);
	for (i = 0; i < r->n && shown < 10; i++) {
		const struct target *t = &r->t[i];

		if (t->done)
			continue;
		snprintf(line, sizeof line, "%.60s: %.100s%s%.100s", t->label,
		    t->res.reason, pod_note(t)[0] ? ", " : "", pod_note(t));
		diag_escape(esc, sizeof esc, line, strlen(line));
		fprintf(stderr, "  %s\n", esc);
		shown++;
		lines++;
	}
	fprintf(stderr, "%s: %zu/%zu ready, %.0fs\n", cli_prog, r->ndone, r->n,
	    now_s() - r->start);
	r->drawn = lines + 1;
	fflush(stderr);
}

/* ------------------------------------------------------------ judging */

static const struct node *
current(const struct target *t)
{
	return t->seen ? t->seen->root : t->in->root;
}

static int stream_creates(void *arg, const char *kind, const char *ns,
    const char *name, char *who, size_t n);

/* What a Pod is judged by, now. */
static void
pod_env(struct run *r, double now)
{
	r->pe.now = (long long)now;
	r->pe.grace = (long long)r->o.grace;
	r->pe.restarts = r->o.restarts;
	r->pe.autoscaler = r->autoscaler;
	r->pe.creates = stream_creates;
	r->pe.arg = r;
}

static void
judge(struct run *r, struct target *t, double now)
{
	if (t->done)
		return;
	if (r->o.for_delete) {
		if (!t->exists && (t->listed || r->o.local)) {
			t->res.state = READY_GONE;
			snprintf(t->res.reason, sizeof t->res.reason, "deleted");
		} else {
			t->res.state = READY_PENDING;
			snprintf(t->res.reason, sizeof t->res.reason,
			    node_at(current(t), "metadata.deletionTimestamp") ?
			    "terminating" : "exists");
		}
	} else if (!t->exists && !r->o.local) {
		t->res.state = READY_PENDING;
		t->res.flags = 0;
		snprintf(t->res.reason, sizeof t->res.reason, "%s",
		    t->listed ? "not found" : "not seen yet");
	} else {
		pod_env(r, now);
		ready_eval_env(&r->env, current(t), t->want_gen, &t->res);
		if (t->res.state == READY_PENDING &&
		    (t->res.flags & READY_NOSTATUS)) {
			if (t->nostatus_since == 0)
				t->nostatus_since = now;
			if (r->o.local || now - t->nostatus_since >= r->o.grace) {
				t->res.state = READY_OK;
				t->res.flags |= READY_NOTE;
				if (r->o.local)
					snprintf(t->res.reason,
					    sizeof t->res.reason,
					    "no status: taken as ready");
				else
					snprintf(t->res.reason,
					    sizeof t->res.reason,
					    "no status after %gs: taken as "
					    "ready", r->o.grace);
			}
		} else
			t->nostatus_since = 0;
		if (t->res.state == READY_FAILED &&
		    (t->res.flags & READY_RETRIED) && !r->o.local) {
			if (t->failing_since == 0)
				t->failing_since = now;
			if (now - t->failing_since < r->o.grace)
				t->res.state = READY_PENDING;
		} else
			t->failing_since = 0;
		if (t->res.state == READY_PENDING && t->podfail) {
			char why[sizeof t->res.reason];

			snprintf(why, sizeof why, "%s", t->res.reason);
			t->res.state = READY_FAILED;
			snprintf(t->res.reason, sizeof t->res.reason,
			    "%.100s, %.400s", why, t->pod);
		}
	}
	if (t->res.state != READY_PENDING) {
		t->done = 1;
		r->ndone++;
		progress_settled(r, t);
	}
}

/* ------------------------------------------------------------ results */

static void
report_pending(struct run *r, const char *why)
{
	size_t i;

	progress_clear(r);
	cli_warn("%s: %zu of %zu objects not %s", why, r->n - r->ndone, r->n,
	    r->o.for_delete ? "deleted" : "ready");
	for (i = 0; i < r->n; i++) {
		const struct target *t = &r->t[i];

		if (t->done)
			continue;
		cli_warn("%s: %s%s%s", t->label, t->res.reason,
		    pod_note(t)[0] ? ", " : "", pod_note(t));
	}
}

static int
report_failed(struct run *r)
{
	size_t i;
	int failed = 0;

	for (i = 0; i < r->n; i++) {
		const struct target *t = &r->t[i];

		if (t->res.state != READY_FAILED)
			continue;
		if (!failed)
			progress_clear(r);
		failed = 1;
		cli_warn("%s: %s", t->label, t->res.reason);
	}
	return failed;
}

static void
put_results(struct run *r)
{
	size_t i;

	if (r->o.for_delete)
		return;
	for (i = 0; i < r->n; i++)
		cli_put_doc(r->o.fmt, current(&r->t[i]));
}

/* ------------------------------------------------------------ modes */

/* -L: judge the objects as read, with no server. */
static int
run_local(struct run *r)
{
	double now = now_s();
	size_t i;

	for (i = 0; i < r->n; i++) {
		finish_target(r, &r->t[i],
		    node_at_s(r->t[i].in->root, "metadata.namespace") != NULL);
		r->t[i].exists = 1;
		judge(r, &r->t[i], now);
	}
	if (report_failed(r))
		return EXIT_FAIL;
	if (r->ndone < r->n) {
		report_pending(r, "not ready");
		return EXIT_FAIL;
	}
	put_results(r);
	return 0;
}

/* ------------------------------------------------------------ Pods */

static struct target *
find_target(struct run *r, const char *group, const char *kind,
    const char *ns, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		struct target *t = &r->t[i];

		if (strcmp(t->kind, kind) == 0 && strcmp(t->name, name) == 0 &&
		    strcmp(t->ns, ns) == 0 && strcmp(t->group, group) == 0)
			return t;
	}
	return NULL;
}

/*
 * The workload a Pod belongs to: its controller owner, and for a
 * ReplicaSet named <deployment>-<pod-template-hash> the Deployment (so no
 * ReplicaSets need watching).  A Pod that is itself a target is its own.
 */
static struct target *
pod_owner(struct run *r, const struct node *pod, const char *ns)
{
	const struct node *refs = node_at(pod, "metadata.ownerReferences");
	const char *hash = node_at_s(pod,
	    "metadata.labels.pod-template-hash");
	const char *name = node_at_s(pod, "metadata.name");
	const char *k, *n, *av;
	struct target *t;
	char g[256], dep[256];
	size_t i, nl, hl;

	if (name && (t = find_target(r, "", "Pod", ns, name)) != NULL)
		return t;
	for (i = 0; refs && refs->type == NODE_SEQ && i < refs->len; i++) {
		const struct node *ref = refs->u.items[i];
		const struct node *c = node_get(ref, "controller");

		if (c == NULL || c->type != NODE_BOOL || !c->b)
			continue;
		k = node_at_s(ref, "kind");
		n = node_at_s(ref, "name");
		av = node_at_s(ref, "apiVersion");
		if (k == NULL || n == NULL || av == NULL)
			return NULL;
		ready_group(ref, g, sizeof g);
		if (strcmp(k, "ReplicaSet") == 0 && hash != NULL) {
			nl = strlen(n);
			hl = strlen(hash);
			if (nl > hl + 1 && n[nl - hl - 1] == '-' &&
			    strcmp(n + nl - hl, hash) == 0 &&
			    nl - hl - 1 < sizeof dep) {
				memcpy(dep, n, nl - hl - 1);
				dep[nl - hl - 1] = '\0';
				t = find_target(r, g, "Deployment", ns, dep);
				if (t != NULL)
					return t;
			}
		}
		return find_target(r, g, k, ns, n);
	}
	return NULL;
}

/* A short word on a Pod that is not ready: its waiting reason, else why. */
static void
pod_state(const struct node *pod, char *out, size_t n)
{
	const struct node *cs = node_at(pod, "status.containerStatuses");
	const struct node *cd = node_at(pod, "status.conditions");
	const char *rs, *m;
	size_t i;

	for (i = 0; cs && cs->type == NODE_SEQ && i < cs->len; i++) {
		rs = node_at_s(cs->u.items[i], "state.waiting.reason");
		if (rs != NULL) {
			m = node_at_s(cs->u.items[i], "state.waiting.message");
			snprintf(out, n, "%s%s%s", rs, m ? ": " : "",
			    m ? m : "");
			return;
		}
	}
	for (i = 0; cd && cd->type == NODE_SEQ && i < cd->len; i++) {
		const struct node *c = cd->u.items[i];

		if (node_at_s(c, "status") == NULL ||
		    strcmp(node_at_s(c, "status"), "False") != 0)
			continue;
		rs = node_at_s(c, "reason");
		m = node_at_s(c, "message");
		snprintf(out, n, "%s%s%s", rs ? rs : node_at_s(c, "type"),
		    m ? ": " : "", m ? m : "");
		return;
	}
	rs = node_at_s(pod, "status.phase");
	snprintf(out, n, "%s", rs ? rs : "Pending");
}

static int
pod_ready(const struct node *pod)
{
	const struct node *cd = node_at(pod, "status.conditions");
	const char *ph = node_at_s(pod, "status.phase");
	size_t i;

	if (ph && strcmp(ph, "Succeeded") == 0)
		return 1;
	for (i = 0; cd && cd->type == NODE_SEQ && i < cd->len; i++) {
		const char *ty = node_at_s(cd->u.items[i], "type");
		const char *st = node_at_s(cd->u.items[i], "status");

		if (ty && st && strcmp(ty, "Ready") == 0)
			return strcmp(st, "True") == 0;
	}
	return 0;
}

/*
 * A Secret or ConfigMap that the stream creates: the object itself, or
 * what makes it (an ExternalSecret's target, a SealedSecret).
 */
static int
stream_creates(void *arg, const char *kind, const char *ns, const char *name,
    char *who, size_t n)
{
	struct run *r = arg;
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct target *t = &r->t[i];
		const char *made = t->name;

		if (strcmp(t->ns, ns) != 0)
			continue;
		if (strcmp(t->group, "external-secrets.io") == 0 &&
		    strcmp(t->kind, "ExternalSecret") == 0 &&
		    strcmp(kind, "Secret") == 0) {
			if (node_at_s(t->in->root, "spec.target.name") != NULL)
				made = node_at_s(t->in->root,
				    "spec.target.name");
		} else if (!(strcmp(t->group, "bitnami.com") == 0 &&
		    strcmp(t->kind, "SealedSecret") == 0 &&
		    strcmp(kind, "Secret") == 0) &&
		    !(t->group[0] == '\0' && strcmp(t->kind, kind) == 0))
			continue;
		if (strcmp(made, name) == 0) {
			snprintf(who, n, "%s in the stream", t->label);
			return 1;
		}
	}
	return 0;
}

/*
 * The autoscaler's status ConfigMap, watched once a Pod is Unschedulable:
 * optional, since a namespace's user may not read kube-system.
 */
static void
autoscaler_watch(struct run *r)
{
	if (r->as_watched || r->ws == NULL)
		return;
	r->as_watched = 1;
	r->u = xrealloc(r->u, (r->nu + 1) * sizeof *r->u);
	memset(&r->u[r->nu], 0, sizeof r->u[r->nu]);
	r->u[r->nu].path = xstrdup("/api/v1/namespaces/kube-system/configmaps");
	r->u[r->nu].autoscaler = 1;
	r->nu++;
	(void)watch_add_optional(r->ws, r->u[r->nu - 1].path,
	    "fieldSelector=metadata.name%3Dcluster-autoscaler-status");
}

static void
autoscaler_event(struct run *r, enum watch_ev ev, const struct doc *doc)
{
	int as = READY_AS_NONE;

	if (ev == WATCH_SYNCED) {
		r->as_synced = 1;
		r->reclass = 1;
		return;
	}
	if (ev == WATCH_ADDED || ev == WATCH_MODIFIED)
		as = ready_autoscaler_status(node_at_s(doc->root,
		    "data.status"));
	if (as != r->autoscaler)
		r->reclass = 1;
	r->autoscaler = as;
}

/* FNV-1a, to tell a delay from the one reported before. */
static unsigned long
text_hash(const char *s)
{
	unsigned long h = 2166136261UL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619UL;
	return h | 1;
}

/* Judges the Pod that holds t up: a failure, or progress to report. */
static void
pod_judge(struct run *r, struct target *t, double now)
{
	const struct node *pod = t->poddoc->root;
	enum ready_pod_class c;
	unsigned long h;
	char why[400];

	pod_env(r, now);
	c = ready_pod_classify(pod, &r->pe, why, sizeof why, &t->fails_at);
	if (c == READY_POD_FINE)
		pod_state(pod, why, sizeof why);
	snprintf(t->pod, sizeof t->pod, "pod %.150s: %s", t->podname, why);
	t->podfail = c == READY_POD_TERMINAL;
	if (c != READY_POD_TRANSIENT)
		return;
	if (strncmp(why, "Unschedulable", 13) == 0) {
		autoscaler_watch(r);
		/* Its note depends on the autoscaler: wait for its word. */
		if (!r->as_synced)
			return;
	}
	/* A log shows each delay once; a terminal shows it live. */
	h = text_hash(t->pod);
	if (h != t->said && !r->tty && !r->o.quiet)
		fprintf(stderr, "%s: %s: waiting: %s\n", cli_prog, t->label,
		    t->pod);
	t->said = h;
}

static void
pod_forget(struct target *t)
{
	t->pod[0] = t->podname[0] = '\0';
	t->podfail = 0;
	t->fails_at = 0;
	if (t->poddoc)
		doc_free(t->poddoc);
	t->poddoc = NULL;
}

static void
pod_event(struct run *r, const char *ns, const struct doc *doc, int deleted,
    double now)
{
	const struct node *pod = doc->root;
	struct target *t = pod_owner(r, pod, ns);
	const char *name = node_at_s(pod, "metadata.name");

	if (t == NULL || t->done || name == NULL)
		return;
	if (deleted || pod_ready(pod) ||
	    node_at(pod, "metadata.deletionTimestamp") != NULL) {
		if (strcmp(t->podname, name) == 0)
			pod_forget(t);
		return;
	}
	pod_forget(t);
	snprintf(t->podname, sizeof t->podname, "%s", name);
	t->poddoc = doc_new(doc->input, doc->index);
	t->poddoc->root = node_copy(&t->poddoc->arena, pod);
	pod_judge(r, t, now);
}

/* Delays that turn terminal with time, or with the autoscaler's word. */
static void
pods_tick(struct run *r, double now)
{
	int all = r->reclass;
	size_t i;

	r->reclass = 0;
	for (i = 0; i < r->n; i++) {
		struct target *t = &r->t[i];

		if (t->done || t->poddoc == NULL || t->podfail)
			continue;
		if (all || (t->fails_at > 0 && now >= (double)t->fails_at))
			pod_judge(r, t, now);
	}
}

/* ------------------------------------------------------------ StorageClasses */

static int
class_wffc(void *arg, const char *name)
{
	struct run *r = arg;
	const char *ann = "storageclass.kubernetes.io/is-default-class";
	const char *mode;
	size_t i;

	if (!r->sc_synced)
		return -1;
	for (i = 0; i < r->nsc; i++) {
		const struct node *sc = r->sc[i]->root;
		const struct node *a = node_at(sc, "metadata.annotations");
		const char *n = node_at_s(sc, "metadata.name");

		if (name != NULL ? (n == NULL || strcmp(n, name) != 0) :
		    (node_at_s(a, ann) == NULL ||
		    strcmp(node_at_s(a, ann), "true") != 0))
			continue;
		mode = node_at_s(sc, "volumeBindingMode");
		return mode && strcmp(mode, "WaitForFirstConsumer") == 0;
	}
	return -1;
}

static void
class_event(struct run *r, enum watch_ev ev, struct doc *doc)
{
	const char *name = doc ? node_at_s(doc->root, "metadata.name") : NULL;
	size_t i;

	if (ev == WATCH_RELIST) {
		for (i = 0; i < r->nsc; i++)
			doc_free(r->sc[i]);
		r->nsc = 0;
		r->sc_synced = 0;
		return;
	}
	if (ev == WATCH_SYNCED) {
		r->sc_synced = 1;
		return;
	}
	for (i = 0; i < r->nsc; i++)
		if (name && strcmp(node_at_s(r->sc[i]->root, "metadata.name"),
		    name) == 0)
			break;
	if (i < r->nsc) {
		doc_free(r->sc[i]);
		r->sc[i] = r->sc[--r->nsc];
	}
	if (ev == WATCH_DELETED) {
		doc_free(doc);
		return;
	}
	r->sc = xrealloc(r->sc, (r->nsc + 1) * sizeof *r->sc);
	r->sc[r->nsc++] = doc;
}

/* ------------------------------------------------------------ events */

static void
on_watch(void *arg, size_t id, enum watch_ev ev, struct doc *doc)
{
	struct run *r = arg;
	/* A Pod event may add a watch (and move r->u): copy what we need. */
	const struct unit u = r->u[id];
	const char *name, *ons;
	double now = now_s();
	size_t i;

	if (u.autoscaler) {
		autoscaler_event(r, ev, doc);
		if (doc)
			doc_free(doc);
		return;
	}
	if (u.classes) {
		/* The classes keep their own copy: a StorageClass may also be
		 * a target, judged below. */
		struct doc *cp = NULL;

		if (doc != NULL) {
			cp = doc_new(doc->input, doc->index);
			cp->root = node_copy(&cp->arena, doc->root);
		}
		class_event(r, ev, cp);
	}
	if (ev == WATCH_RELIST || ev == WATCH_SYNCED) {
		for (i = 0; i < r->n; i++) {
			struct target *t = &r->t[i];

			if (t->unit != id)
				continue;
			if (ev == WATCH_RELIST) {
				t->relisting = 1;
				continue;
			}
			t->listed = 1;
			if (t->relisting)
				t->exists = 0;
			t->relisting = 0;
			judge(r, t, now);
		}
		return;
	}
	name = node_at_s(doc->root, "metadata.name");
	ons = node_at_s(doc->root, "metadata.namespace");
	if (ons == NULL)
		ons = "";
	if (u.pods)
		pod_event(r, ons, doc, ev == WATCH_DELETED, now);
	for (i = 0; name && i < r->n; i++) {
		struct target *t = &r->t[i];

		if (t->unit != id || strcmp(t->name, name) != 0 ||
		    strcmp(t->ns, ons) != 0)
			continue;
		t->relisting = 0;
		t->exists = ev != WATCH_DELETED;
		if (!t->done) {
			/* Keep what was last seen, even once deleted. */
			if (t->seen)
				doc_free(t->seen);
			t->seen = doc;
			doc = NULL;
			judge(r, t, now);
		}
		break;
	}
	if (u.pods) {
		/* A Pod event may settle (or fail) its workload. */
		struct target *t = pod_owner(r, doc ? doc->root :
		    r->t[i].seen->root, ons);

		if (t != NULL && !t->done)
			judge(r, t, now);
	}
	if (doc)
		doc_free(doc);
}

static size_t
unit_for(struct run *r, const char *path, const char *ns)
{
	size_t i;

	for (i = 0; i < r->nu; i++)
		if (strcmp(r->u[i].path, path) == 0)
			return i;
	r->u = xrealloc(r->u, (r->nu + 1) * sizeof *r->u);
	memset(&r->u[r->nu], 0, sizeof r->u[r->nu]);
	r->u[r->nu].path = xstrdup(path);
	snprintf(r->u[r->nu].ns, sizeof r->u[r->nu].ns, "%s", ns ? ns : "");
	return r->nu++;
}

static int
is_workload(const struct target *t)
{
	static const char *const k[] = {
		"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job",
		"ReplicationController", "Pod"
	};
	size_t i;

	for (i = 0; i < sizeof k / sizeof k[0]; i++)
		if (strcmp(t->kind, k[i]) == 0)
			return 1;
	return 0;
}

/* Maps each target to its watch; unknown kinds fail (or are gone). */
static int
plan_units(struct run *r, struct kube *k, struct diag *d)
{
	const struct kube_resource *res;
	size_t i, need_classes = 0;
	char *path;
	int rc;

	for (i = 0; i < r->n; i++) {
		struct target *t = &r->t[i];
		const char *av = node_at_s(t->in->root, "apiVersion");

		rc = kube_lookup(k, av, t->kind, &res, d);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			if (r->o.for_delete) {
				finish_target(r, t, 0);
				t->res.state = READY_GONE;
				snprintf(t->res.reason, sizeof t->res.reason,
				    "kind not served");
				t->done = 1;
				r->ndone++;
				t->unit = (size_t)-1;
				continue;
			}
			diag_at(d, t->in->input, t->in->index, t->in->line, 0);
			return diag_set(d, EXIT_FAIL, "%s %s: kind not served "
			    "by the server", av, t->kind);
		}
		finish_target(r, t, res->namespaced);
		path = kube_path(res, res->namespaced ? t->ns : NULL, NULL);
		t->unit = unit_for(r, path, t->ns);
		free(path);
		if (strcmp(t->kind, "PersistentVolumeClaim") == 0 &&
		    t->group[0] == '\0')
			need_classes = 1;
	}
	for (i = 0; i < r->n && !r->o.for_delete; i++) {
		struct target *t = &r->t[i];
		struct buf p = BUF_INIT;
		size_t u;

		if (t->unit == (size_t)-1 || !is_workload(t))
			continue;
		buf_adds(&p, "/api/v1/namespaces/");
		kube_escape(&p, t->ns);
		buf_adds(&p, "/pods");
		u = unit_for(r, p.p, t->ns);
		r->u[u].pods = 1;
		buf_release(&p);
	}
	if (need_classes && !r->o.for_delete) {
		size_t u = unit_for(r, "/apis/storage.k8s.io/v1/storageclasses",
		    NULL);

		r->u[u].classes = 1;
	}
	return 0;
}

/*
 * HTTP/2 allows 100 streams per connection and a watch holds one for good:
 * past MAX_UNITS watches, watch each type in all namespaces instead.
 */
#define MAX_UNITS 90

static void
widen_units(struct run *r)
{
	struct unit *old = r->u;
	size_t nold = r->nu, i, *map;
	char *p, *q;

	if (nold <= MAX_UNITS)
		return;
	map = xcalloc(nold, sizeof *map);
	r->u = NULL;
	r->nu = 0;
	for (i = 0; i < nold; i++) {
		p = xstrdup(old[i].path);
		/* /api/v1/namespaces/x/pods -> /api/v1/pods */
		if ((q = strstr(p, "/namespaces/")) != NULL &&
		    strchr(q + 12, '/') != NULL)
			memmove(q, strchr(q + 12, '/'),
			    strlen(strchr(q + 12, '/')) + 1);
		map[i] = unit_for(r, p, NULL);
		r->u[map[i]].pods |= old[i].pods;
		r->u[map[i]].classes |= old[i].classes;
		free(p);
		free(old[i].path);
	}
	for (i = 0; i < r->n; i++)
		if (r->t[i].unit != (size_t)-1)
			r->t[i].unit = map[r->t[i].unit];
	free(old);
	free(map);
}

static int
wait_loop(struct run *r, struct diag *d)
{
	double now, deadline = r->start + r->o.timeout, last_draw = 0;
	size_t i;
	int ms;

	for (;;) {
		now = now_s();
		pods_tick(r, now);
		for (i = 0; i < r->n; i++)
			if (!r->t[i].done && r->t[i].listed) {
				judge(r, &r->t[i], now);
			}
		if (report_failed(r))
			return EXIT_FAIL;
		if (r->ndone == r->n)
			return 0;
		if (r->o.timeout > 0 && now >= deadline) {
			char m[64];

			snprintf(m, sizeof m, "timed out after %gs",
			    r->o.timeout);
			report_pending(r, m);
			if (watch_trouble(r->ws)[0])
				cli_warn("last connection error: %s",
				    watch_trouble(r->ws));
			return EXIT_TIMEOUT;
		}
		if (now - last_draw >= 0.2) {
			progress_draw(r);
			last_draw = now;
		}
		ms = 1000;
		if (r->o.timeout > 0 && (deadline - now) * 1000 < ms)
			ms = (int)((deadline - now) * 1000) + 1;
		if (watch_run(r->ws, ms, d) < 0) {
			progress_clear(r);
			return -1;
		}
	}
}

static int
run_watch(struct run *r)
{
	struct kube_config_opts ko;
	struct kube_config *cfg;
	struct kube *k;
	struct diag d;
	size_t i;
	int rc;

	diag_clear(&d);
	ko.kubeconfig = r->o.kubeconfig;
	ko.context = r->o.context;
	ko.namespace = r->o.ns;
	if (kube_config_load(&cfg, &ko, &d) < 0) {
		cli_diag(&d);
		return d.status ? d.status : EXIT_INPUT;
	}
	/* -t bounds everything, the credential plugin included. */
	if (r->o.timeout > 0)
		kube_config_set_deadline(cfg, r->o.timeout -
		    (now_s() - r->start));
	if ((k = kube_new(cfg, &d)) == NULL) {
		cli_diag(&d);
		return d.status ? d.status : EXIT_CONNECT;
	}
	r->o.ns = kube_namespace(k);
	r->env.wffc = class_wffc;
	r->env.arg = r;
	if (plan_units(r, k, &d) < 0) {
		cli_diag(&d);
		kube_free(k);
		return d.status ? d.status : EXIT_FAIL;
	}
	widen_units(r);
	r->ws = watch_set_new(k, on_watch, r);
	for (i = 0; i < r->nu; i++)
		watch_add(r->ws, r->u[i].path, NULL);
	rc = wait_loop(r, &d);
	if (rc < 0) {
		cli_diag(&d);
		rc = d.status ? d.status : EXIT_FAIL;
	} else if (rc == 0)
		put_results(r);
	if (getenv("NINEC_WAIT_STATS") != NULL)
		fprintf(stderr, "%s: %lu requests, %zu watches\n", cli_prog,
		    watch_requests(r->ws), r->nu);
	watch_set_free(r->ws);
	kube_free(k);
	return rc;
}

/* ------------------------------------------------------------ main */

static void
run_free(struct run *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		doc_free(r->t[i].in);
		if (r->t[i].seen)
			doc_free(r->t[i].seen);
		if (r->t[i].poddoc)
			doc_free(r->t[i].poddoc);
	}
	for (i = 0; i < r->nu; i++)
		free(r->u[i].path);
	for (i = 0; i < r->nsc; i++)
		doc_free(r->sc[i]);
	free(r->sc);
	free(r->u);
	free(r->t);
	ready_rules_free(r->rules);
}

static int
load_rules(struct ready_rules *rs, const char *file, struct diag *d)
{
	FILE *f = fopen(file, "r");
	struct stream *s;
	struct doc *doc;
	int rc;

	if (f == NULL) {
		diag_at(d, file, 0, 0, 0);
		return diag_set(d, EXIT_INPUT, "%s", strerror(errno));
	}
	s = stream_open(file, f, &stream_default_limits);
	while ((rc = stream_next(s, &doc, d)) == 1) {
		if (ready_rules_add(rs, doc->root, d) < 0) {
			diag_at(d, file, doc->index, doc->line, 0);
			doc_free(doc);
			rc = -1;
			break;
		}
		doc_free(doc);
	}
	stream_close(s);
	fclose(f);
	return rc < 0 ? -1 : 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "context", required_argument, NULL, 'C' },
		{ "for", required_argument, NULL, 'F' },
		{ "kubeconfig", required_argument, NULL, 'K' },
		{ "timeout", required_argument, NULL, 't' },
		{ "namespace", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct run r;
	struct diag d;
	int ch, rc;

	cli_init(argc, argv, usage);
	memset(&r, 0, sizeof r);
	r.o.grace = 10;
	r.o.restarts = READY_RESTARTS;
	r.o.timeout = 300;
	while ((ch = getopt_long(argc, argv, "C:F:K:Lc:g:hn:o:qr:t:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'C':
			r.o.context = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "ready") == 0)
				r.o.for_delete = 0;
			else if (strcmp(optarg, "delete") == 0)
				r.o.for_delete = 1;
			else
				cli_misuse(usage, "--for: unknown condition "
				    "'%s'", optarg);
			break;
		case 'K':
			r.o.kubeconfig = optarg;
			break;
		case 'L':
			r.o.local = 1;
			break;
		case 'c': {
			char *end;

			errno = 0;
			r.o.restarts = strtoll(optarg, &end, 10);
			if (errno || end == optarg || *end || r.o.restarts < 1)
				cli_misuse(usage, "-c: bad restart count '%s'",
				    optarg);
			break;
		}
		case 'g':
			if ((r.o.grace = parse_duration(optarg)) < 0)
				cli_misuse(usage, "-g: bad duration '%s'",
				    optarg);
			break;
		case 'h':
			cli_usage(usage, 0);
			cli_exit(0);
		case 'n':
			r.o.ns = optarg;
			break;
		case 'o':
			if (cli_format(optarg, &r.o.fmt) < 0)
				cli_misuse(usage, "-o: unknown format '%s'",
				    optarg);
			break;
		case 'q':
			r.o.quiet = 1;
			break;
		case 'r':
			r.o.rules_file = optarg;
			break;
		case 't':
			if ((r.o.timeout = parse_duration(optarg)) < 0)
				cli_misuse(usage, "-t: bad duration '%s'",
				    optarg);
			break;
		default:
			cli_misuse(usage, NULL);
		}
	}
	if (r.o.local && r.o.for_delete)
		cli_misuse(usage, "-L cannot wait for deletion");
	r.rules = ready_rules_new();
	r.env.rules = r.rules;
	r.env.pods = &r.pe;
	r.tty = isatty(2);
	r.start = now_s();
	diag_clear(&d);
	if (r.o.rules_file && load_rules(r.rules, r.o.rules_file, &d) < 0) {
		cli_diag(&d);
		run_free(&r);
		cli_exit(EXIT_INPUT);
	}
	if (cli_each_doc(argc - optind, argv + optind, add_target, &r,
	    &d) < 0) {
		cli_diag(&d);
		run_free(&r);
		cli_exit(d.status ? d.status : EXIT_INPUT);
	}
	if (r.o.local) {
		if (r.o.ns == NULL)
			r.o.ns = "default";
		rc = run_local(&r);
	} else if (r.n == 0)
		rc = 0;
	else
		rc = run_watch(&r);
	run_free(&r);
	cli_exit(rc);
}
