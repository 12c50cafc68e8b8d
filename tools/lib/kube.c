/*
 * kube.c - the Kubernetes client: kubeconfig, libcurl multi, watches,
 * discovery.  See kube.h for the contract.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "kube.h"
#include "net.h"
#include "shape.h"
#include "stream.h"

#define KUBE_EXIT_INPUT 3
#define KUBE_EXIT_CONNECT 4
#define KUBE_EXIT_TIMEOUT 5
/* An exec plugin's own bound, whatever the run's deadline. */
#define EXEC_LIMIT 60.0
#define BODY_LIMIT ((size_t)64 << 20)
#define FILE_LIMIT ((size_t)16 << 20)
#define SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

/* ================================================================ config */

struct kube_config {
	char *context, *server, *namespace;
	char *tls_server_name, *proxy_url;
	int insecure;
	struct buf ca, cert, key;	/* PEM bytes; cert/key are secrets */
	char *token;			/* secret */
	char *token_file;
	time_t token_read;
	/* exec credential plugin */
	char **exec_argv;		/* argv[0] is the command */
	char **exec_env;		/* "NAME=value" */
	size_t exec_nargv, exec_nenv;
	char *exec_api;
	int exec_cluster_info;
	time_t exec_expiry;		/* 0: valid for the whole run */
	int exec_done;
	char *ca_b64;			/* for KUBERNETES_EXEC_INFO cluster info */
	double deadline;		/* monotonic seconds; 0: none */
};

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
read_small_file(const char *path, struct buf *b, struct diag *d,
    const char *what)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char tmp[8192];
	ssize_t r;

	buf_reset(b);
	b->limit = FILE_LIMIT;
	if (fd < 0) {
		diag_at(d, path, 0, 0, 0);
		return diag_set(d, KUBE_EXIT_INPUT, "cannot read %s: %s", what,
		    strerror(errno));
	}
	while ((r = read(fd, tmp, sizeof tmp)) > 0) {
		if (buf_add(b, tmp, (size_t)r) < 0) {
			close(fd);
			mem_wipe(tmp, sizeof tmp);
			diag_at(d, path, 0, 0, 0);
			return diag_set(d, KUBE_EXIT_INPUT, "%s too large", what);
		}
	}
	mem_wipe(tmp, sizeof tmp);
	close(fd);
	if (r < 0) {
		diag_at(d, path, 0, 0, 0);
		return diag_set(d, KUBE_EXIT_INPUT, "cannot read %s: %s", what,
		    strerror(errno));
	}
	return 0;
}

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Standard base64, white space ignored; 0 or -1. */
static int
b64_decode(const char *s, size_t n, struct buf *out)
{
	unsigned acc = 0;
	int bits = 0, v;
	size_t i;

	buf_reset(out);
	out->limit = FILE_LIMIT;
	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '=' || c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if ((v = b64val(c)) < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (buf_addc(out, (int)((acc >> bits) & 0xff)) < 0)
				return -1;
		}
	}
	return 0;
}

static void
b64_encode(struct buf *out, const unsigned char *p, size_t n)
{
	static const char t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		buf_addc(out, t[v >> 18]);
		buf_addc(out, t[(v >> 12) & 63]);
		buf_addc(out, t[(v >> 6) & 63]);
		buf_addc(out, t[v & 63]);
	}
	if (n - i == 1) {
		unsigned v = (unsigned)p[i] << 16;
		buf_addc(out, t[v >> 18]);
		buf_addc(out, t[(v >> 12) & 63]);
		buf_adds(out, "==");
	} else if (n - i == 2) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
		buf_addc(out, t[v >> 18]);
		buf_addc(out, t[(v >> 12) & 63]);
		buf_addc(out, t[(v >> 6) & 63]);
		buf_addc(out, '=');
	}
}

/* One kubeconfig file, parsed. */
struct kcfile {
	char *path, *dir;
	struct doc *doc;
};

/* A file path from a kubeconfig is relative to that file's directory. */
static char *
resolve_path(const char *dir, const char *p)
{
	if (p[0] == '/' || dir == NULL)
		return xstrdup(p);
	if (p[0] == '~' && p[1] == '/' && getenv("HOME"))
		return xasprintf("%s%s", getenv("HOME"), p + 1);
	return xasprintf("%s/%s", dir, p);
}

/* The named entry of list `key' (clusters, users, contexts): first file wins. */
static const struct node *
find_named(struct kcfile *f, size_t nf, const char *key, const char *name,
    const char **dir)
{
	size_t i, j;

	for (i = 0; i < nf; i++) {
		const struct node *l = node_get(f[i].doc->root, key);
		if (l == NULL || l->type != NODE_SEQ)
			continue;
		for (j = 0; j < l->len; j++) {
			const char *n = node_at_s(l->u.items[j], "name");
			if (n && strcmp(n, name) == 0) {
				*dir = f[i].dir;
				return l->u.items[j];
			}
		}
	}
	return NULL;
}

static int cfg_fail(struct diag *d, const char *input, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
cfg_fail(struct diag *d, const char *input, const char *fmt, ...)
{
	va_list ap;

	diag_at(d, input ? input : "", 0, 0, 0);
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
	d->status = KUBE_EXIT_INPUT;
	return -1;
}

static int
bool_of(const struct node *n)
{
	if (n == NULL)
		return 0;
	if (n->type == NODE_BOOL)
		return n->b;
	return n->type == NODE_STR && strcmp(n->u.s, "true") == 0;
}

/* certificate-authority-data / client-key-data and friends. */
static int
take_pem(const struct node *sect, const char *dkey, const char *fkey,
    const char *dir, struct buf *out, const char *input, struct diag *d)
{
	const char *data = node_s(node_get(sect, dkey));
	const char *file = node_s(node_get(sect, fkey));
	char *p;
	int r;

	if (data && *data) {
		if (b64_decode(data, strlen(data), out) < 0)
			return cfg_fail(d, input, "%s: not valid base64", dkey);
		return 0;
	}
	if (file && *file) {
		p = resolve_path(dir, file);
		r = read_small_file(p, out, d, fkey);
		free(p);
		return r;
	}
	return 0;
}

static int
load_exec(struct kube_config *c, const struct node *ex, const char *dir,
    const char *input, struct diag *d)
{
	const char *cmd = node_at_s(ex, "command");
	const struct node *args = node_get(ex, "args"), *env = node_get(ex, "env");
	size_t i;

	if (cmd == NULL || *cmd == '\0')
		return cfg_fail(d, input, "users.user.exec.command: missing");
	/* A relative path with a slash is relative to the kubeconfig. */
	c->exec_argv = xcalloc((args ? args->len : 0) + 2, sizeof *c->exec_argv);
	c->exec_argv[0] = strchr(cmd, '/') && cmd[0] != '/' ?
	    resolve_path(dir, cmd) : xstrdup(cmd);
	c->exec_nargv = 1;
	if (args && args->type == NODE_SEQ)
		for (i = 0; i < args->len; i++) {
			const char *a = node_s(args->u.items[i]);
			if (a == NULL)
				return cfg_fail(d, input,
				    "users.user.exec.args[%zu]: not a string", i);
			c->exec_argv[c->exec_nargv++] = xstrdup(a);
		}
	c->exec_env = xcalloc((env ? env->len : 0) + 1, sizeof *c->exec_env);
	if (env && env->type == NODE_SEQ)
		for (i = 0; i < env->len; i++) {
			const char *n = node_at_s(env->u.items[i], "name");
			const char *v = node_at_s(env->u.items[i], "value");
			if (n == NULL || v == NULL)
				return cfg_fail(d, input,
				    "users.user.exec.env: entry without name or value");
			c->exec_env[c->exec_nenv++] = xasprintf("%s=%s", n, v);
		}
	c->exec_api = xstrdup(node_at_s(ex, "apiVersion") ?
	    node_at_s(ex, "apiVersion") : "client.authentication.k8s.io/v1");
	if (strcmp(c->exec_api, "client.authentication.k8s.io/v1") != 0 &&
	    strcmp(c->exec_api, "client.authentication.k8s.io/v1beta1") != 0)
		return cfg_fail(d, input,
		    "users.user.exec.apiVersion: %s not supported (use client.authentication.k8s.io/v1 or v1beta1)",
		    c->exec_api);
	c->exec_cluster_info = bool_of(node_get(ex, "provideClusterInfo"));
	return 0;
}

static int
load_files(struct kcfile **out, size_t *nout, const char *flag, struct diag *d)
{
	struct kcfile *f = NULL;
	size_t nf = 0;
	char *list, *p, *next;
	const char *env = getenv("KUBECONFIG");
	struct buf b = BUF_INIT;
	int explicit = 0;

	if (flag)
		list = xstrdup(flag), explicit = 1;
	else if (env && *env)
		list = xstrdup(env);
	else if (getenv("HOME"))
		list = xasprintf("%s/.kube/config", getenv("HOME"));
	else
		list = xstrdup("");
	for (p = list; p; p = next) {
		struct doc *doc;
		char *slash;
		/* --kubeconfig names one file; KUBECONFIG is a list. */
		next = flag ? NULL : strchr(p, ':');
		if (next)
			*next++ = '\0';
		if (*p == '\0')
			continue;
		if (access(p, F_OK) != 0 && !explicit)
			continue;	/* kubectl skips missing files */
		if (read_small_file(p, &b, d, "kubeconfig") < 0 ||
		    stream_parse_value(p, b.p ? b.p : "", b.len, &doc, d) < 0) {
			buf_wipe(&b);
			goto fail;
		}
		buf_wipe(&b);
		if (doc->root->type == NODE_NULL) {
			doc_free(doc);
			continue;
		}
		if (doc->root->type != NODE_MAP) {
			doc_free(doc);
			cfg_fail(d, p, "not a kubeconfig (not a mapping)");
			goto fail;
		}
		f = xrealloc(f, (nf + 1) * sizeof *f);
		f[nf].path = xstrdup(p);
		slash = strrchr(f[nf].path, '/');
		f[nf].dir = slash ? xstrndup(f[nf].path, (size_t)(slash - f[nf].path)) :
		    xstrdup(".");
		f[nf].doc = doc;
		nf++;
	}
	free(list);
	*out = f;
	*nout = nf;
	return 0;
fail:
	free(list);
	while (nf--) {
		free(f[nf].path);
		free(f[nf].dir);
		doc_free(f[nf].doc);
	}
	free(f);
	return -1;
}

static void
free_files(struct kcfile *f, size_t nf)
{
	size_t i;

	for (i = 0; i < nf; i++) {
		free(f[i].path);
		free(f[i].dir);
		doc_free(f[i].doc);
	}
	free(f);
}

static int
load_in_cluster(struct kube_config *c, struct diag *d)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	const char *dir = getenv("NINEC_KUBE_SA_DIR");
	struct buf b = BUF_INIT;
	char *p;

	if (dir == NULL)
		dir = SA_DIR;
	if (strchr(host, ':'))
		c->server = xasprintf("https://[%s]:%s", host, port && *port ? port : "443");
	else
		c->server = xasprintf("https://%s:%s", host, port && *port ? port : "443");
	c->context = xstrdup("in-cluster");
	p = xasprintf("%s/ca.crt", dir);
	if (read_small_file(p, &c->ca, d, "service account CA") < 0) {
		free(p);
		return -1;
	}
	free(p);
	c->token_file = xasprintf("%s/token", dir);
	p = xasprintf("%s/namespace", dir);
	if (read_small_file(p, &b, d, "namespace") == 0 && b.len) {
		while (b.len && (b.p[b.len - 1] == '\n' || b.p[b.len - 1] == ' '))
			b.p[--b.len] = '\0';
		c->namespace = xstrdup(b.p);
	}
	diag_clear(d);
	buf_release(&b);
	free(p);
	return 0;
}

int
kube_config_load(struct kube_config **out, const struct kube_config_opts *o,
    struct diag *d)
{
	struct kube_config *c = xcalloc(1, sizeof *c);
	struct kcfile *f = NULL;
	size_t nf = 0, i;
	const char *ctxname = o ? o->context : NULL, *cdir = NULL, *udir = NULL;
	const char *cname, *uname, *v;
	const struct node *ctx, *cl, *us, *cld, *usd;
	const char *input;

	*out = NULL;
	if (load_files(&f, &nf, o ? o->kubeconfig : NULL, d) < 0)
		goto fail;
	if (nf == 0) {
		if (getenv("KUBERNETES_SERVICE_HOST") && *getenv("KUBERNETES_SERVICE_HOST") &&
		    (o == NULL || o->context == NULL)) {
			if (load_in_cluster(c, d) < 0)
				goto fail;
			goto done;
		}
		diag_at(d, "", 0, 0, 0);
		diag_set(d, KUBE_EXIT_INPUT,
		    "no kubeconfig: set KUBECONFIG, use --kubeconfig, or create ~/.kube/config");
		goto fail;
	}
	input = f[0].path;
	for (i = 0; ctxname == NULL && i < nf; i++) {
		v = node_at_s(f[i].doc->root, "current-context");
		if (v && *v)
			ctxname = v;
	}
	if (ctxname == NULL) {
		cfg_fail(d, input, "no current-context: use --context");
		goto fail;
	}
	ctx = find_named(f, nf, "contexts", ctxname, &cdir);
	if (ctx == NULL) {
		cfg_fail(d, input, "context %s not found", ctxname);
		goto fail;
	}
	c->context = xstrdup(ctxname);
	cname = node_at_s(ctx, "context.cluster");
	uname = node_at_s(ctx, "context.user");
	if (cname == NULL || (cl = find_named(f, nf, "clusters", cname, &cdir)) == NULL) {
		cfg_fail(d, input, "context %s: cluster %s not found", ctxname,
		    cname ? cname : "(none)");
		goto fail;
	}
	v = node_at_s(ctx, "context.namespace");
	if (v && *v)
		c->namespace = xstrdup(v);
	cld = node_get(cl, "cluster");
	v = node_at_s(cld, "server");
	if (v == NULL || *v == '\0') {
		cfg_fail(d, input, "cluster %s: no server", cname);
		goto fail;
	}
	c->server = xstrdup(v);
	while (strlen(c->server) > 1 && c->server[strlen(c->server) - 1] == '/')
		c->server[strlen(c->server) - 1] = '\0';
	if ((v = node_at_s(cld, "tls-server-name")) && *v)
		c->tls_server_name = xstrdup(v);
	if ((v = node_at_s(cld, "proxy-url")) && *v)
		c->proxy_url = xstrdup(v);
	c->insecure = bool_of(node_get(cld, "insecure-skip-tls-verify"));
	if (take_pem(cld, "certificate-authority-data", "certificate-authority",
	    cdir, &c->ca, input, d) < 0)
		goto fail;
	if (c->ca.len) {
		struct buf e = BUF_INIT;
		b64_encode(&e, (const unsigned char *)c->ca.p, c->ca.len);
		c->ca_b64 = xstrdup(e.p);
		buf_release(&e);
	}
	if (uname && (us = find_named(f, nf, "users", uname, &udir)) != NULL) {
		usd = node_get(us, "user");
		if (take_pem(usd, "client-certificate-data", "client-certificate",
		    udir, &c->cert, input, d) < 0 ||
		    take_pem(usd, "client-key-data", "client-key", udir, &c->key,
		    input, d) < 0)
			goto fail;
		if ((v = node_at_s(usd, "token")) && *v) {
			c->token = xstrdup(v);
			diag_secret(c->token);
		}
		else if ((v = node_at_s(usd, "tokenFile")) && *v)
			c->token_file = resolve_path(udir, v);
		if (node_get(usd, "exec") &&
		    load_exec(c, node_get(usd, "exec"), udir, input, d) < 0)
			goto fail;
		if (node_get(usd, "auth-provider")) {
			cfg_fail(d, input, "user %s: auth-provider is not supported (use exec)",
			    uname);
			goto fail;
		}
	} else if (uname && *uname) {
		cfg_fail(d, input, "context %s: user %s not found", ctxname, uname);
		goto fail;
	}
done:
	if (o && o->namespace && *o->namespace) {
		free(c->namespace);
		c->namespace = xstrdup(o->namespace);
	}
	if (c->namespace == NULL)
		c->namespace = xstrdup("default");
	free_files(f, nf);
	*out = c;
	return 0;
fail:
	free_files(f, nf);
	kube_config_free(c);
	return -1;
}

void
kube_config_free(struct kube_config *c)
{
	size_t i;

	if (c == NULL)
		return;
	free(c->context);
	free(c->server);
	free(c->namespace);
	free(c->tls_server_name);
	free(c->proxy_url);
	buf_release(&c->ca);
	buf_wipe(&c->cert);
	buf_wipe(&c->key);
	if (c->token) {
		mem_wipe(c->token, strlen(c->token));
		free(c->token);
	}
	free(c->token_file);
	for (i = 0; i < c->exec_nargv; i++)
		free(c->exec_argv[i]);
	free(c->exec_argv);
	for (i = 0; i < c->exec_nenv; i++)
		free(c->exec_env[i]);
	free(c->exec_env);
	free(c->exec_api);
	free(c->ca_b64);
	free(c);
}

const char *
kube_config_server(const struct kube_config *c)
{
	return c->server;
}

const char *
kube_config_namespace(const struct kube_config *c)
{
	return c->namespace;
}

const char *
kube_config_context(const struct kube_config *c)
{
	return c->context;
}

/* ---------------------------------------------------------------- exec */

static time_t
parse_rfc3339(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

/* Takes the credential from an exec plugin's output (an ExecCredential);
 * 0, or -1 with d.  Kept apart from run_exec() so it can be fuzzed. */
static int
exec_take(struct kube_config *c, const char *p, size_t n, struct diag *d)
{
	cJSON *j, *status;
	const char *tok, *exp, *cd, *kd;
	int ret = -1;

	j = cJSON_ParseWithLength(p ? p : "", n);
	status = cJSON_GetObjectItemCaseSensitive(j, "status");
	if (j == NULL || !cJSON_IsObject(status)) {
		diag_set(d, KUBE_EXIT_CONNECT, "exec plugin %s: output is not an ExecCredential with a status",
		    c->exec_argv[0]);
		goto out;
	}
	tok = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(status, "token"));
	exp = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(status, "expirationTimestamp"));
	cd = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(status, "clientCertificateData"));
	kd = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(status, "clientKeyData"));
	if ((tok == NULL || *tok == '\0') && (cd == NULL || kd == NULL)) {
		diag_set(d, KUBE_EXIT_CONNECT, "exec plugin %s: no token and no client certificate in its status",
		    c->exec_argv[0]);
		goto out;
	}
	if (c->token) {
		mem_wipe(c->token, strlen(c->token));
		free(c->token);
		c->token = NULL;
	}
	if (tok && *tok) {
		c->token = xstrdup(tok);
		diag_secret(c->token);
	}
	if (cd && kd) {
		buf_wipe(&c->cert);
		buf_wipe(&c->key);
		buf_adds(&c->cert, cd);
		buf_adds(&c->key, kd);
	}
	c->exec_expiry = exp ? parse_rfc3339(exp) : 0;
	c->exec_done = 1;
	ret = 0;
out:
	if (j) {
		/* The token was in the parse tree too. */
		char *s = cJSON_PrintUnformatted(j);
		if (s) {
			mem_wipe(s, strlen(s));
			free(s);
		}
		cJSON_Delete(j);
	}
	return ret;
}

static int
run_exec(struct kube_config *c, struct diag *d)
{
	int pfd[2], st;
	pid_t pid;
	struct buf out = BUF_INIT, info = BUF_INIT;
	char tmp[4096];
	ssize_t r;
	size_t i;
	int ret = -1, late = 0;
	double start = now_mono(), end;

	diag_at(d, "", 0, 0, 0);
	buf_printf(&info, "{\"apiVersion\":\"%s\",\"kind\":\"ExecCredential\","
	    "\"spec\":{\"interactive\":false", c->exec_api);
	if (c->exec_cluster_info) {
		buf_adds(&info, ",\"cluster\":{\"server\":\"");
		buf_adds(&info, c->server);
		buf_adds(&info, "\"");
		if (c->tls_server_name)
			buf_printf(&info, ",\"tls-server-name\":\"%s\"", c->tls_server_name);
		if (c->ca_b64)
			buf_printf(&info, ",\"certificate-authority-data\":\"%s\"", c->ca_b64);
		if (c->insecure)
			buf_adds(&info, ",\"insecure-skip-tls-verify\":true");
		buf_adds(&info, "}");
	}
	buf_adds(&info, "}}");
	if (pipe(pfd) < 0) {
		buf_release(&info);
		return diag_set(d, KUBE_EXIT_CONNECT, "exec plugin: pipe: %s", strerror(errno));
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		buf_release(&info);
		return diag_set(d, KUBE_EXIT_CONNECT, "exec plugin: fork: %s", strerror(errno));
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		/* Its own group, so a timeout ends what it started too. */
		setpgid(0, 0);
		if (nul >= 0) {
			dup2(nul, 0);
			close(nul);
		}
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		for (i = 0; i < c->exec_nenv; i++)
			putenv(c->exec_env[i]);
		setenv("KUBERNETES_EXEC_INFO", info.p, 1);
		execvp(c->exec_argv[0], c->exec_argv);
		fprintf(stderr, "exec %s: %s\n", c->exec_argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	buf_release(&info);
	close(pfd[1]);
	out.limit = 1 << 20;
	end = now_mono() + EXEC_LIMIT;
	if (c->deadline > 0 && c->deadline < end)
		end = c->deadline;
	for (;;) {
		struct pollfd pf = { pfd[0], POLLIN, 0 };
		double left = end - now_mono();

		if (left <= 0) {
			late = 1;
			break;
		}
		if (poll(&pf, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		if ((r = read(pfd[0], tmp, sizeof tmp)) == 0)
			break;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || buf_add(&out, tmp, (size_t)r) < 0)
			break;
	}
	mem_wipe(tmp, sizeof tmp);
	close(pfd[0]);
	if (late) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (late) {
		diag_set(d, KUBE_EXIT_TIMEOUT, "exec plugin %s: no credential "
		    "within %.0fs", c->exec_argv[0], c->deadline > 0 &&
		    c->deadline < start + EXEC_LIMIT ? c->deadline - start :
		    EXEC_LIMIT);
		goto out;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		diag_set(d, KUBE_EXIT_CONNECT, "exec plugin %s failed (exit status %d)",
		    c->exec_argv[0], WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		goto out;
	}
	ret = exec_take(c, out.p, out.len, d);
out:
	buf_wipe(&out);
	return ret;
}

/* Runs the exec plugin if there is no valid credential; 0 or -1 with d. */
static int
ensure_cred(struct kube_config *c, int force, struct diag *d)
{
	if (c->exec_argv && (force || !c->exec_done ||
	    (c->exec_expiry && time(NULL) + 10 >= c->exec_expiry)))
		return run_exec(c, d);
	if (c->token_file && (c->token == NULL || time(NULL) - c->token_read >= 60)) {
		struct buf b = BUF_INIT;
		if (read_small_file(c->token_file, &b, d, "token file") < 0) {
			buf_wipe(&b);
			d->status = KUBE_EXIT_CONNECT;
			return -1;
		}
		while (b.len && (b.p[b.len - 1] == '\n' || b.p[b.len - 1] == '\r' ||
		    b.p[b.len - 1] == ' '))
			b.p[--b.len] = '\0';
		if (c->token) {
			mem_wipe(c->token, strlen(c->token));
			free(c->token);
		}
		c->token = xstrdup(b.p ? b.p : "");
		diag_secret(c->token);
		c->token_read = time(NULL);
		buf_wipe(&b);
	}
	return 0;
}

/* ================================================================ client */

struct kres {
	struct kube_resource r;
};

struct call {
	struct kube *k;
	CURL *h;
	struct curl_slist *hdrs;
	char *method, *path, *ctype, *accept, *body;
	size_t body_len;
	struct kube_resp resp;
	kube_done_fn done;
	void *arg;
	int auth_retried;
	int active;
	char errbuf[CURL_ERROR_SIZE];
	/* watches */
	int watch, closed, ended;
	kube_event_fn event;
	kube_end_fn end;
	size_t scan;			/* body bytes already searched for '\n' */
	struct call *next;		/* watches: k->watches; calls: k->calls */
	struct call *prev;
};

struct kube_watch {
	struct call c;
};

struct kube {
	struct kube_config *cfg;
	CURLM *multi;
	char *host_url;		/* scheme://host:port with tls-server-name */
	char *connect_to;
	struct curl_slist *connect_list;
	long timeout;
	int ncalls, nwatch;
	struct call *watches;
	struct call *calls;
	struct kres *res;
	size_t nres;
	char **strs;		/* strings owned by the discovery table */
	size_t nstrs;
	int disc_loaded;
	double disc_time;
	int aggregated;
	unsigned long next_id;
	unsigned long nsent;	/* requests handed to libcurl, retries included */
};

void
kube_resp_release(struct kube_resp *r)
{
	buf_release(&r->body);
}

static size_t
write_cb(char *p, size_t sz, size_t n, void *arg)
{
	struct call *c = arg;

	if (buf_add(&c->resp.body, p, sz * n) < 0)
		return 0;
	return sz * n;
}

static size_t
header_cb(char *p, size_t sz, size_t n, void *arg)
{
	struct call *c = arg;
	size_t len = sz * n;

	if (len > 12 && strncasecmp(p, "retry-after:", 12) == 0) {
		char tmp[32];
		size_t l = len - 12 < sizeof tmp - 1 ? len - 12 : sizeof tmp - 1;
		char *end;
		long v;
		memcpy(tmp, p + 12, l);
		tmp[l] = '\0';
		v = strtol(tmp, &end, 10);
		if (end != tmp && v >= 0)
			c->resp.retry_after = v;
	}
	return len;
}

static void
set_auth(struct call *c)
{
	struct kube_config *cfg = c->k->cfg;
	struct curl_slist *h = NULL;
	char *a;

	if (c->hdrs)
		curl_slist_free_all(c->hdrs);
	if (cfg->token && *cfg->token) {
		a = xasprintf("Authorization: Bearer %s", cfg->token);
		h = curl_slist_append(h, a);
		mem_wipe(a, strlen(a));
		free(a);
	}
	a = xasprintf("Accept: %s", c->accept ? c->accept : "application/json");
	h = curl_slist_append(h, a);
	free(a);
	if (c->ctype) {
		a = xasprintf("Content-Type: %s", c->ctype);
		h = curl_slist_append(h, a);
		free(a);
	}
	h = curl_slist_append(h, "Expect:");
	h = curl_slist_append(h, "User-Agent: 9c/" "0.1.0");
	c->hdrs = h;
	curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, h);
	if (cfg->cert.len && cfg->key.len) {
		struct curl_blob cb = { cfg->cert.p, cfg->cert.len, CURL_BLOB_NOCOPY };
		struct curl_blob kb = { cfg->key.p, cfg->key.len, CURL_BLOB_NOCOPY };
		curl_easy_setopt(c->h, CURLOPT_SSLCERT_BLOB, &cb);
		curl_easy_setopt(c->h, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(c->h, CURLOPT_SSLKEY_BLOB, &kb);
		curl_easy_setopt(c->h, CURLOPT_SSLKEYTYPE, "PEM");
	}
}

static void
call_setup(struct call *c)
{
	struct kube *k = c->k;
	struct kube_config *cfg = k->cfg;
	char *url = xasprintf("%s%s", k->host_url, c->path);
	long limit_ms, left_ms;

	c->h = curl_easy_init();
	if (c->h == NULL) {
		util_oom();
	}
	curl_easy_setopt(c->h, CURLOPT_URL, url);
	free(url);
	curl_easy_setopt(c->h, CURLOPT_PRIVATE, c);
	curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->h, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(c->h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(c->h, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(c->h, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c->h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(c->h, CURLOPT_HEADERDATA, c);
	limit_ms = !c->watch && k->timeout > 0 ? k->timeout * 1000 : 0;
	if (cfg->deadline > 0) {
		/* A second past the deadline: the caller's own deadline
		 * checks speak first, this only ends what would hang.  At
		 * least 1 ms, since 0 means none. */
		left_ms = (long)((cfg->deadline - now_mono()) * 1000) + 1000;
		if (left_ms < 1)
			left_ms = 1;
		if (limit_ms == 0 || left_ms < limit_ms)
			limit_ms = left_ms;
	}
	curl_easy_setopt(c->h, CURLOPT_CONNECTTIMEOUT_MS,
	    limit_ms && limit_ms < 10000 ? limit_ms : 10000L);
	if (limit_ms)
		curl_easy_setopt(c->h, CURLOPT_TIMEOUT_MS, limit_ms);
	if (c->watch) {
		/* A watch that stalls (server gone without FIN) must end. */
		curl_easy_setopt(c->h, CURLOPT_TCP_KEEPALIVE, 1L);
	}
	if (cfg->ca.len) {
		struct curl_blob b = { cfg->ca.p, cfg->ca.len, CURL_BLOB_NOCOPY };
		curl_easy_setopt(c->h, CURLOPT_CAINFO_BLOB, &b);
	}
	if (cfg->insecure) {
		curl_easy_setopt(c->h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c->h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (k->connect_list)
		curl_easy_setopt(c->h, CURLOPT_CONNECT_TO, k->connect_list);
	if (cfg->proxy_url)
		curl_easy_setopt(c->h, CURLOPT_PROXY, cfg->proxy_url);
	curl_easy_setopt(c->h, CURLOPT_CUSTOMREQUEST, c->method);
	if (strcmp(c->method, "GET") == 0)
		curl_easy_setopt(c->h, CURLOPT_HTTPGET, 1L);
	if (c->body) {
		curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, c->body);
		curl_easy_setopt(c->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->body_len);
	}
	set_auth(c);
}

static void
call_free(struct call *c)
{
	if (c->h)
		curl_easy_cleanup(c->h);
	if (c->hdrs)
		curl_slist_free_all(c->hdrs);
	free(c->method);
	free(c->path);
	free(c->ctype);
	free(c->accept);
	if (c->body) {
		mem_wipe(c->body, c->body_len);
		free(c->body);
	}
	buf_release(&c->resp.body);
	free(c);
}

static struct call *
call_new(struct kube *k, const struct kube_req *rq, size_t size)
{
	struct call *c = xcalloc(1, size);

	c->k = k;
	c->method = xstrdup(rq->method ? rq->method : "GET");
	c->path = xstrdup(rq->path);
	c->ctype = rq->content_type ? xstrdup(rq->content_type) : NULL;
	c->accept = rq->accept ? xstrdup(rq->accept) : NULL;
	if (rq->body) {
		c->body = xmalloc(rq->body_len + 1);
		memcpy(c->body, rq->body, rq->body_len);
		c->body[rq->body_len] = '\0';
		c->body_len = rq->body_len;
	}
	c->resp.retry_after = -1;
	c->resp.body.limit = BODY_LIMIT;
	return c;
}

struct kube *
kube_new(struct kube_config *cfg, struct diag *d)
{
	struct kube *k;
	const char *s = cfg->server, *hp;
	char *hostport;

	diag_at(d, "", 0, 0, 0);
	if (net_init(d) < 0) {
		kube_config_free(cfg);
		return NULL;
	}
	/* Only a URL of this shape: userinfo would be sent, printed, or
	 * would move the host. */
	if (!shape_url(s, strlen(s))) {
		diag_set(d, KUBE_EXIT_INPUT, "server %s: not an http or https "
		    "URL with a host, port and path only", s);
		kube_config_free(cfg);
		return NULL;
	}
	k = xcalloc(1, sizeof *k);
	k->cfg = cfg;
	k->timeout = 60;
	k->multi = curl_multi_init();
	curl_multi_setopt(k->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	curl_multi_setopt(k->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 4L);
	curl_multi_setopt(k->multi, CURLMOPT_MAX_CONCURRENT_STREAMS, (long)KUBE_MAX_STREAMS);
	hp = strstr(s, "://") + 3;
	if (cfg->tls_server_name) {
		/*
		 * Ask for the TLS name, connect to the server's address: SNI
		 * and verification then use tls-server-name.
		 */
		const char *slash = strchr(hp, '/');
		const char *colon;
		char *host;
		const char *port = strncmp(s, "https", 5) == 0 ? "443" : "80";
		hostport = slash ? xstrndup(hp, (size_t)(slash - hp)) : xstrdup(hp);
		colon = strrchr(hostport, ':');
		if (colon && strchr(colon, ']') == NULL)
			port = colon + 1;
		host = colon && strchr(colon, ']') == NULL ?
		    xstrndup(hostport, (size_t)(colon - hostport)) : xstrdup(hostport);
		k->host_url = xasprintf("%.*s%s:%s%s", (int)(hp - s), s,
		    cfg->tls_server_name, port, slash ? slash : "");
		k->connect_to = xasprintf("%s:%s:%s:%s", cfg->tls_server_name, port,
		    host, port);
		k->connect_list = curl_slist_append(NULL, k->connect_to);
		free(host);
		free(hostport);
	} else
		k->host_url = xstrdup(s);
	if (ensure_cred(cfg, 0, d) < 0) {
		kube_free(k);
		return NULL;
	}
	return k;
}

static void
call_finish(struct kube *k, struct call *c, CURLcode rc)
{
	long code = 0;

	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &code);
	c->resp.status = rc == CURLE_OK ? code : 0;
	if (rc != CURLE_OK) {
		c->resp.transport = (int)rc;
		/* write_cb refuses only a body past the limit; curl's text
		 * for that would blame the output. */
		if (rc == CURLE_WRITE_ERROR)
			snprintf(c->resp.err, sizeof c->resp.err, "the reply "
			    "is larger than %zu MiB", BODY_LIMIT >> 20);
		else
			snprintf(c->resp.err, sizeof c->resp.err, "%s",
			    c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
		switch (rc) {
		case CURLE_PEER_FAILED_VERIFICATION:
		case CURLE_SSL_CONNECT_ERROR:
		case CURLE_SSL_CERTPROBLEM:
		case CURLE_SSL_CIPHER:
		case CURLE_SSL_CACERT_BADFILE:
		case CURLE_SSL_ISSUER_ERROR:
			c->resp.auth = 1;
			break;
		default:
			break;
		}
	} else if (code == 401)
		c->resp.auth = 1;
}

static int
deliver_lines(struct call *c)
{
	struct buf *b = &c->resp.body;
	size_t start = 0, i;
	long code = 0;
	int fired = 0;

	if (c->closed || b->len == 0)
		return 0;
	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200)
		return 0;
	for (i = c->scan; i < b->len; i++) {
		if (b->p[i] != '\n')
			continue;
		if (i > start) {
			c->event(b->p + start, i - start, c->arg);
			fired++;
		}
		start = i + 1;
		if (c->closed)
			return fired;
	}
	if (start) {
		memmove(b->p, b->p + start, b->len - start);
		b->len -= start;
		b->p[b->len] = '\0';
	}
	c->scan = b->len;
	return fired;
}

static void
reap_watches(struct kube *k)
{
	struct call **pp = &k->watches, *c;

	/* An ended watch stays until closed (or kube_free), so closing it
	 * after its end callback is safe. */
	while ((c = *pp) != NULL) {
		if (c->closed) {
			*pp = c->next;
			if (c->active)
				curl_multi_remove_handle(k->multi, c->h);
			if (!c->ended)
				k->nwatch--;
			call_free(c);
		} else
			pp = &c->next;
	}
}

static void
unlink_call(struct kube *k, struct call *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		k->calls = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next = c->prev = NULL;
}

static int
process_done(struct kube *k)
{
	CURLMsg *m;
	int left, fired = 0;

	while ((m = curl_multi_info_read(k->multi, &left)) != NULL) {
		struct call *c = NULL;
		struct kube_resp r;
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&c);
		curl_multi_remove_handle(k->multi, c->h);
		c->active = 0;
		call_finish(k, c, m->data.result);
		if (c->resp.status == 401 && !c->auth_retried &&
		    (k->cfg->exec_argv || k->cfg->token_file)) {
			struct diag d;
			c->auth_retried = 1;
			if (ensure_cred(k->cfg, k->cfg->exec_argv != NULL, &d) == 0) {
				buf_reset(&c->resp.body);
				c->resp.status = 0;
				c->resp.auth = 0;
				c->resp.retry_after = -1;
				if (k->cfg->token_file)
					k->cfg->token_read = 0;
				set_auth(c);
				curl_multi_add_handle(k->multi, c->h);
				k->nsent++;
				c->active = 1;
				continue;
			}
		}
		fired++;
		if (c->watch) {
			if (c->resp.status == 200)
				deliver_lines(c);
			if (!c->ended) {
				c->ended = 1;
				k->nwatch--;
				if (!c->closed)
					c->end(&c->resp, c->arg);
			}
			continue;
		}
		k->ncalls--;
		unlink_call(k, c);
		r = c->resp;
		memset(&c->resp.body, 0, sizeof c->resp.body);
		c->done(&r, c->arg);
		call_free(c);
	}
	return fired;
}

unsigned long
kube_requests(const struct kube *k)
{
	return k->nsent;
}

unsigned long
kube_start(struct kube *k, const struct kube_req *rq, kube_done_fn done,
    void *arg)
{
	struct call *c = call_new(k, rq, sizeof *c);
	struct diag d;

	c->done = done;
	c->arg = arg;
	ensure_cred(k->cfg, 0, &d);
	call_setup(c);
	curl_multi_add_handle(k->multi, c->h);
	k->nsent++;
	c->active = 1;
	k->ncalls++;
	c->next = k->calls;
	if (k->calls)
		k->calls->prev = c;
	k->calls = c;
	return ++k->next_id;
}

int
kube_run(struct kube *k, int timeout_ms)
{
	double deadline = now_mono() + (timeout_ms > 0 ? timeout_ms / 1000.0 : 0);
	int running;
	struct call *c;

	for (;;) {
		int fired;
		curl_multi_perform(k->multi, &running);
		fired = process_done(k);
		for (c = k->watches; c; c = c->next)
			if (!c->ended)
				fired += deliver_lines(c);
		reap_watches(k);
		/* Back to the caller as soon as a callback ran: it may want
		 * to start more. */
		if (fired || timeout_ms == 0 || k->ncalls + k->nwatch == 0)
			break;
		if (timeout_ms > 0) {
			double left = deadline - now_mono();
			if (left <= 0)
				break;
			curl_multi_poll(k->multi, NULL, 0,
			    left > 1 ? 1000 : (int)(left * 1000) + 1, NULL);
		} else
			curl_multi_poll(k->multi, NULL, 0, 1000, NULL);
	}
	return k->ncalls + k->nwatch;
}

int
kube_pending(const struct kube *k)
{
	return k->ncalls;
}

int
kube_watches(const struct kube *k)
{
	return k->nwatch;
}

struct sync_ctx {
	struct kube_resp *out;
	int done;
};

static void
sync_done(struct kube_resp *r, void *arg)
{
	struct sync_ctx *s = arg;

	*s->out = *r;
	s->done = 1;
}

int
kube_request(struct kube *k, const struct kube_req *rq, struct kube_resp *r)
{
	struct sync_ctx s = { r, 0 };

	memset(r, 0, sizeof *r);
	kube_start(k, rq, sync_done, &s);
	while (!s.done)
		kube_run(k, 200);
	return r->status >= 200 && r->status < 300 ? 0 : -1;
}

struct batch_ctx {
	struct kube *k;
	const struct kube_req *rq;
	struct kube_resp *resp;
	size_t n, next, done;
	int inflight;
};

struct batch_one {
	struct batch_ctx *b;
	size_t i;
};

static void batch_fill(struct batch_ctx *b, int par);

static void
batch_done(struct kube_resp *r, void *arg)
{
	struct batch_one *o = arg;

	o->b->resp[o->i] = *r;
	o->b->done++;
	o->b->inflight--;
	free(o);
}

static void
batch_fill(struct batch_ctx *b, int par)
{
	while (b->next < b->n && b->inflight < par) {
		struct batch_one *o = xmalloc(sizeof *o);
		o->b = b;
		o->i = b->next++;
		b->inflight++;
		kube_start(b->k, &b->rq[o->i], batch_done, o);
	}
}

void
kube_batch(struct kube *k, const struct kube_req *rq, struct kube_resp *resp,
    size_t n, int par)
{
	struct batch_ctx b = { k, rq, resp, n, 0, 0, 0 };

	if (par < 1)
		par = 1;
	memset(resp, 0, n * sizeof *resp);
	while (b.done < n) {
		batch_fill(&b, par);
		kube_run(k, 100);
	}
}

void
kube_set_timeout(struct kube *k, long seconds)
{
	k->timeout = seconds;
}

void
kube_config_set_deadline(struct kube_config *c, double seconds)
{
	c->deadline = seconds > 0 ? now_mono() + seconds : 0;
}


const struct kube_config *
kube_config_of(const struct kube *k)
{
	return k->cfg;
}

const char *
kube_namespace(const struct kube *k)
{
	return k->cfg->namespace;
}

/* ---------------------------------------------------------------- messages */

/* What a reply with no message of its own means; callers name the status
 * number themselves. */
static const char *
http_reason(long status)
{
	static const struct {
		long status;
		const char *text;
	} tab[] = {
		{ 400, "Bad Request" }, { 401, "Unauthorized" },
		{ 403, "Forbidden" }, { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 406, "Not Acceptable" },
		{ 409, "Conflict" }, { 410, "Gone" },
		{ 413, "Content Too Large" }, { 415, "Unsupported Media Type" },
		{ 422, "Unprocessable Content" }, { 429, "Too Many Requests" },
		{ 500, "Internal Server Error" }, { 502, "Bad Gateway" },
		{ 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
	};
	size_t i;

	for (i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (tab[i].status == status)
			return tab[i].text;
	return "no message";
}

void
kube_resp_message(const struct kube_resp *r, char *out, size_t n)
{
	cJSON *j;
	const char *m;

	out[0] = '\0';
	if (r->status == 0) {
		snprintf(out, n, "%s", r->err);
		return;
	}
	j = r->body.len ? cJSON_ParseWithLength(r->body.p, r->body.len) : NULL;
	m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "message"));
	if (m && *m)
		snprintf(out, n, "%s", m);
	else if (r->body.len && r->body.len < 200 && j == NULL)
		snprintf(out, n, "%.*s", (int)strcspn(r->body.p, "\n"), r->body.p);
	else
		snprintf(out, n, "%s", http_reason(r->status));
	cJSON_Delete(j);
}

void
kube_resp_reason(const struct kube_resp *r, char *out, size_t n)
{
	cJSON *j = r->body.len ? cJSON_ParseWithLength(r->body.p, r->body.len) : NULL;
	const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "reason"));

	snprintf(out, n, "%s", m ? m : "");
	cJSON_Delete(j);
}

int
kube_parse(const struct kube_resp *r, struct doc **out, struct diag *d)
{
	return stream_parse_value("<server>", r->body.p ? r->body.p : "",
	    r->body.len, out, d);
}

/* ---------------------------------------------------------------- watch */

struct kube_watch *
kube_watch_open(struct kube *k, const char *path, const char *rv,
    kube_event_fn event, kube_end_fn end, void *arg)
{
	struct buf p = BUF_INIT;
	struct kube_req rq = { "GET", NULL, NULL, NULL, NULL, 0 };
	struct kube_watch *w;
	struct diag d;

	buf_adds(&p, path);
	buf_adds(&p, strchr(path, '?') ? "&" : "?");
	buf_adds(&p, "watch=1&allowWatchBookmarks=true");
	if (rv && *rv) {
		buf_adds(&p, "&resourceVersion=");
		kube_escape(&p, rv);
	}
	rq.path = p.p;
	w = (struct kube_watch *)call_new(k, &rq, sizeof *w);
	buf_release(&p);
	w->c.watch = 1;
	w->c.event = event;
	w->c.end = end;
	w->c.arg = arg;
	ensure_cred(k->cfg, 0, &d);
	call_setup(&w->c);
	curl_multi_add_handle(k->multi, w->c.h);
	k->nsent++;
	w->c.active = 1;
	w->c.next = k->watches;
	k->watches = &w->c;
	k->nwatch++;
	return w;
}

void
kube_watch_close(struct kube_watch *w)
{
	if (w)
		w->c.closed = 1;
}

/* ---------------------------------------------------------------- discovery */

void
kube_escape(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~')
			buf_addc(b, c);
		else {
			buf_addc(b, '%');
			buf_addc(b, hex[c >> 4]);
			buf_addc(b, hex[c & 15]);
		}
	}
}

char *
kube_path(const struct kube_resource *r, const char *ns, const char *name)
{
	struct buf b = BUF_INIT;

	if (r->group[0])
		buf_printf(&b, "/apis/%s/%s", r->group, r->version);
	else
		buf_printf(&b, "/api/%s", r->version);
	if (r->namespaced && ns && *ns) {
		buf_adds(&b, "/namespaces/");
		kube_escape(&b, ns);
	}
	buf_addc(&b, '/');
	buf_adds(&b, r->plural);
	if (name) {
		buf_addc(&b, '/');
		kube_escape(&b, name);
	}
	return b.p;
}

static const char *
keep_str(struct kube *k, const char *s)
{
	k->strs = xrealloc(k->strs, (k->nstrs + 1) * sizeof *k->strs);
	return k->strs[k->nstrs++] = xstrdup(s ? s : "");
}

static void
disc_clear(struct kube *k)
{
	size_t i;

	for (i = 0; i < k->nstrs; i++)
		free(k->strs[i]);
	free(k->strs);
	free(k->res);
	k->strs = NULL;
	k->nstrs = 0;
	k->res = NULL;
	k->nres = 0;
}

static unsigned
verbs_of(const cJSON *v)
{
	const cJSON *e;
	unsigned m = 0;

	cJSON_ArrayForEach(e, v) {
		const char *s = cJSON_GetStringValue(e);
		if (s == NULL)
			continue;
		if (!strcmp(s, "get")) m |= KUBE_VERB_GET;
		else if (!strcmp(s, "list")) m |= KUBE_VERB_LIST;
		else if (!strcmp(s, "watch")) m |= KUBE_VERB_WATCH;
		else if (!strcmp(s, "create")) m |= KUBE_VERB_CREATE;
		else if (!strcmp(s, "patch")) m |= KUBE_VERB_PATCH;
		else if (!strcmp(s, "delete")) m |= KUBE_VERB_DELETE;
		else if (!strcmp(s, "update")) m |= KUBE_VERB_UPDATE;
	}
	return m;
}

static void
add_res(struct kube *k, const char *group, const char *version,
    const char *kind, const char *plural, int namespaced, unsigned verbs)
{
	struct kres *r;

	if (kind == NULL || plural == NULL || strchr(plural, '/'))
		return;
	k->res = xrealloc(k->res, (k->nres + 1) * sizeof *k->res);
	r = &k->res[k->nres++];
	r->r.group = keep_str(k, group);
	r->r.version = keep_str(k, version);
	r->r.kind = keep_str(k, kind);
	r->r.plural = keep_str(k, plural);
	r->r.namespaced = namespaced;
	r->r.verbs = verbs;
}

/* An APIGroupDiscoveryList; returns 1 if it was one. */
static int
add_aggregated(struct kube *k, cJSON *j)
{
	const cJSON *g, *v, *r;
	const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "kind"));

	if (kind == NULL || strcmp(kind, "APIGroupDiscoveryList") != 0)
		return 0;
	cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(j, "items")) {
		const char *gn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(g, "metadata"), "name"));
		cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(g, "versions")) {
			const char *vn = cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(v, "version"));
			cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(v, "resources")) {
				const cJSON *rk = cJSON_GetObjectItemCaseSensitive(r, "responseKind");
				const char *scope = cJSON_GetStringValue(
				    cJSON_GetObjectItemCaseSensitive(r, "scope"));
				add_res(k, gn ? gn : "", vn,
				    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rk, "kind")),
				    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "resource")),
				    scope && strcmp(scope, "Namespaced") == 0,
				    verbs_of(cJSON_GetObjectItemCaseSensitive(r, "verbs")));
			}
		}
	}
	return 1;
}

static void
add_legacy_list(struct kube *k, const char *group, const char *version,
    cJSON *j)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(j, "resources")) {
		add_res(k, group, version,
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "kind")),
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "name")),
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "namespaced")),
		    verbs_of(cJSON_GetObjectItemCaseSensitive(r, "verbs")));
	}
}

static int
resp_diag(const struct kube *k, const struct kube_resp *r, const char *what,
    struct diag *d)
{
	char msg[300];

	kube_resp_message(r, msg, sizeof msg);
	diag_at(d, "", 0, 0, 0);
	if (r->status == 0 && r->transport == CURLE_OPERATION_TIMEDOUT &&
	    k->cfg->deadline > 0 && now_mono() >= k->cfg->deadline)
		return diag_set(d, KUBE_EXIT_TIMEOUT, "%s: %s: no answer before "
		    "the deadline", k->cfg->server, what);
	if (r->status == 0)
		return diag_set(d, KUBE_EXIT_CONNECT, "%s: %s", k->cfg->server, msg);
	if (r->auth)
		return diag_set(d, KUBE_EXIT_CONNECT, "%s: %s: HTTP %ld: %s",
		    k->cfg->server, what, r->status, msg);
	return diag_set(d, r->status == 403 ? KUBE_EXIT_CONNECT : 1,
	    "%s: HTTP %ld: %s", what, r->status, msg);
}

static int
legacy_discovery(struct kube *k, cJSON *api, cJSON *apis, struct diag *d)
{
	struct kube_req *rq = NULL;
	struct kube_resp *rs;
	char **gv = NULL;
	size_t n = 0, i;
	const cJSON *e, *v;
	int ret = 0;

	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(api, "versions")) {
		const char *s = cJSON_GetStringValue(e);
		if (s == NULL)
			continue;
		gv = xrealloc(gv, (n + 1) * sizeof *gv);
		gv[n++] = xasprintf("/api/%s", s);
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(apis, "groups")) {
		cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(e, "versions")) {
			const char *s = cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(v, "groupVersion"));
			if (s == NULL)
				continue;
			gv = xrealloc(gv, (n + 1) * sizeof *gv);
			gv[n++] = xasprintf("/apis/%s", s);
		}
	}
	rq = xcalloc(n ? n : 1, sizeof *rq);
	rs = xcalloc(n ? n : 1, sizeof *rs);
	for (i = 0; i < n; i++) {
		rq[i].method = "GET";
		rq[i].path = gv[i];
	}
	kube_batch(k, rq, rs, n, 32);
	for (i = 0; i < n; i++) {
		char group[256], *slash;
		const char *ver;
		cJSON *j;
		if (rs[i].status != 200) {
			/* An aggregated API that is down: skip it, as kubectl does. */
			if (rs[i].status == 0 || rs[i].auth) {
				if (ret == 0)
					ret = resp_diag(k, &rs[i], "discovery", d);
			}
			kube_resp_release(&rs[i]);
			continue;
		}
		if (strncmp(gv[i], "/api/", 5) == 0) {
			group[0] = '\0';
			ver = gv[i] + 5;
		} else {
			snprintf(group, sizeof group, "%s", gv[i] + 6);
			slash = strchr(group, '/');
			if (slash)
				*slash = '\0';
			ver = strchr(gv[i] + 6, '/') ? strchr(gv[i] + 6, '/') + 1 : "";
		}
		j = cJSON_ParseWithLength(rs[i].body.p, rs[i].body.len);
		add_legacy_list(k, group, ver, j);
		cJSON_Delete(j);
		kube_resp_release(&rs[i]);
	}
	for (i = 0; i < n; i++)
		free(gv[i]);
	free(gv);
	free(rq);
	free(rs);
	return ret;
}

int
kube_discovery_refresh(struct kube *k, struct diag *d)
{
	static const char agg[] =
	    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
	    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
	    "application/json";
	struct kube_req rq[2] = {
		{ "GET", "/api", NULL, agg, NULL, 0 },
		{ "GET", "/apis", NULL, agg, NULL, 0 },
	};
	struct kube_resp rs[2];
	cJSON *a = NULL, *b = NULL;
	int ret = 0, i;

	kube_batch(k, rq, rs, 2, 2);
	for (i = 0; i < 2; i++)
		if (rs[i].status != 200) {
			ret = resp_diag(k, &rs[i], "discovery", d);
			goto out;
		}
	a = cJSON_ParseWithLength(rs[0].body.p, rs[0].body.len);
	b = cJSON_ParseWithLength(rs[1].body.p, rs[1].body.len);
	if (a == NULL || b == NULL) {
		diag_at(d, "", 0, 0, 0);
		ret = diag_set(d, KUBE_EXIT_CONNECT, "discovery: the server's answer is not JSON");
		goto out;
	}
	disc_clear(k);
	if (add_aggregated(k, a) && add_aggregated(k, b))
		k->aggregated = 1;
	else {
		disc_clear(k);
		k->aggregated = 0;
		ret = legacy_discovery(k, a, b, d);
	}
	if (ret == 0) {
		k->disc_loaded = 1;
		k->disc_time = now_mono();
	}
out:
	cJSON_Delete(a);
	cJSON_Delete(b);
	kube_resp_release(&rs[0]);
	kube_resp_release(&rs[1]);
	return ret;
}

int
kube_lookup_cached(struct kube *k, const char *api_version, const char *kind,
    const struct kube_resource **out)
{
	const char *slash = strchr(api_version, '/');
	size_t glen = slash ? (size_t)(slash - api_version) : 0;
	const char *ver = slash ? slash + 1 : api_version;
	size_t i;

	for (i = 0; i < k->nres; i++) {
		const struct kube_resource *r = &k->res[i].r;
		if (strcmp(r->kind, kind) == 0 && strcmp(r->version, ver) == 0 &&
		    strlen(r->group) == glen && strncmp(r->group, api_version, glen) == 0) {
			*out = r;
			return 1;
		}
	}
	*out = NULL;
	return 0;
}

int
kube_lookup_kind(struct kube *k, const char *group, const char *kind,
    const struct kube_resource **out)
{
	size_t i;

	for (i = 0; i < k->nres; i++) {
		const struct kube_resource *r = &k->res[i].r;
		if (strcmp(r->kind, kind) == 0 && strcmp(r->group, group) == 0) {
			*out = r;
			return 1;
		}
	}
	*out = NULL;
	return 0;
}

int
kube_lookup(struct kube *k, const char *api_version, const char *kind,
    const struct kube_resource **out, struct diag *d)
{
	if (k->disc_loaded && kube_lookup_cached(k, api_version, kind, out))
		return 1;
	if (k->disc_loaded && now_mono() - k->disc_time < 1.0)
		return 0;
	if (kube_discovery_refresh(k, d) < 0)
		return -1;
	return kube_lookup_cached(k, api_version, kind, out);
}

void
kube_free(struct kube *k)
{
	struct call *c, *n;

	if (k == NULL)
		return;
	for (c = k->watches; c; c = n) {
		n = c->next;
		if (c->active)
			curl_multi_remove_handle(k->multi, c->h);
		call_free(c);
	}
	for (c = k->calls; c; c = n) {
		n = c->next;
		if (c->active)
			curl_multi_remove_handle(k->multi, c->h);
		call_free(c);
	}
	disc_clear(k);
	if (k->multi)
		curl_multi_cleanup(k->multi);
	if (k->connect_list)
		curl_slist_free_all(k->connect_list);
	free(k->connect_to);
	free(k->host_url);
	kube_config_free(k->cfg);
	free(k);
}
