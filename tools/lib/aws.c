#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "aws.h"
#include "cli.h"
#include "net.h"
#include "shape.h"
#include "sigv4.h"

#define INI_LIMIT (1024 * 1024)
#define RESP_LIMIT (4 * 1024 * 1024)

/* ---- INI files (~/.aws/credentials, ~/.aws/config) ---- */

struct ini_ent {
	char *section, *key, *value;
};

struct ini {
	const char *path;
	struct ini_ent *e;
	size_t n;
};

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static void
ini_add(struct ini *ini, const char *sec, const char *key, const char *val)
{
	ini->e = xrealloc(ini->e, (ini->n + 1) * sizeof *ini->e);
	ini->e[ini->n].section = xstrdup(sec);
	ini->e[ini->n].key = xstrdup(key);
	ini->e[ini->n].value = xstrdup(val);
	ini->n++;
}

/* A missing file is an empty one, as for the AWS CLI. */
static int
ini_load(struct ini *ini, const char *path, struct diag *d)
{
	FILE *f;
	struct buf b = BUF_INIT;
	char chunk[4096], *line, *next, *t, *eq, *colon;
	char sec[256] = "", parent[256] = "";
	size_t n;

	memset(ini, 0, sizeof *ini);
	ini->path = path;
	f = fopen(path, "r");
	if (f == NULL)
		return errno == ENOENT ? 0 : diag_set(d, EXIT_CONNECT,
		    "%s: %s", path, strerror(errno));
	b.limit = INI_LIMIT;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_add(&b, chunk, n) < 0) {
			fclose(f);
			buf_wipe(&b);
			mem_wipe(chunk, sizeof chunk);
			return diag_set(d, EXIT_CONNECT, "%s: larger than "
			    "1 MiB", path);
		}
	fclose(f);
	mem_wipe(chunk, sizeof chunk);
	for (line = b.p; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		int indented = *line == ' ' || *line == '\t';
		t = trim(line);
		if (*t == '\0' || *t == '#' || *t == ';')
			continue;
		if (*t == '[' && !indented) {
			eq = strchr(t, ']');
			if (eq)
				*eq = '\0';
			snprintf(sec, sizeof sec, "%s", trim(t + 1));
			parent[0] = '\0';
			continue;
		}
		eq = strchr(t, '=');
		colon = strchr(t, ':');
		if (eq == NULL || (colon && colon < eq && !indented))
			eq = colon;
		if (eq == NULL)
			continue;
		*eq = '\0';
		if (indented && parent[0]) {
			char k[512];

			snprintf(k, sizeof k, "%s.%s", parent, trim(t));
			ini_add(ini, sec, k, trim(eq + 1));
			continue;
		}
		snprintf(parent, sizeof parent, "%s", trim(t));
		if (*trim(eq + 1) != '\0')
			parent[0] = '\0';
		ini_add(ini, sec, trim(t), trim(eq + 1));
	}
	buf_wipe(&b);
	return 0;
}

static const char *
ini_get(const struct ini *ini, const char *sec, const char *key)
{
	size_t i;

	for (i = 0; i < ini->n; i++)
		if (strcmp(ini->e[i].section, sec) == 0 &&
		    strcmp(ini->e[i].key, key) == 0)
			return ini->e[i].value;
	return NULL;
}

static int
ini_has(const struct ini *ini, const char *sec)
{
	size_t i;

	for (i = 0; i < ini->n; i++)
		if (strcmp(ini->e[i].section, sec) == 0)
			return 1;
	return 0;
}

static void
ini_release(struct ini *ini)
{
	size_t i;

	for (i = 0; i < ini->n; i++) {
		free(ini->e[i].section);
		free(ini->e[i].key);
		OPENSSL_cleanse(ini->e[i].value, strlen(ini->e[i].value));
		free(ini->e[i].value);
	}
	free(ini->e);
	memset(ini, 0, sizeof *ini);
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* The file named by an environment variable, else ~/.aws/<base>. */
static char *
aws_file(const char *var, const char *base)
{
	const char *v = env(var), *home = env("HOME");

	if (v && v[0] == '~' && v[1] == '/' && home)
		return xasprintf("%s%s", home, v + 1);
	if (v)
		return xstrdup(v);
	return xasprintf("%s/.aws/%s", home ? home : "", base);
}

static void
set_str(char **dst, const char *v)
{
	if (*dst == NULL && v && *v)
		*dst = xstrdup(v);
}

static int
load_keys_from(struct aws_config *c, const struct ini *ini, const char *sec)
{
	const char *ak = ini_get(ini, sec, "aws_access_key_id");
	const char *sk = ini_get(ini, sec, "aws_secret_access_key");

	if (ak == NULL || sk == NULL)
		return 0;
	c->access_key = xstrdup(ak);
	c->secret_key = xstrdup(sk);
	set_str(&c->session_token, ini_get(ini, sec, "aws_session_token"));
	c->cred_source = ini == NULL ? "" : "a shared file";
	return 1;
}

static void
load_endpoint(struct aws_config *c, const struct ini *cfg, const char *csec)
{
	const char *v = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), *svc;
	char ssec[300];

	if (v && strcasecmp(v, "true") == 0)
		return;
	set_str(&c->endpoint, env("AWS_ENDPOINT_URL_SECRETS_MANAGER"));
	set_str(&c->endpoint, env("AWS_ENDPOINT_URL"));
	v = ini_get(cfg, csec, "ignore_configured_endpoint_urls");
	if (v && strcasecmp(v, "true") == 0)
		return;
	svc = ini_get(cfg, csec, "services");
	if (svc) {
		snprintf(ssec, sizeof ssec, "services %s", svc);
		set_str(&c->endpoint, ini_get(cfg, ssec,
		    "secrets_manager.endpoint_url"));
	}
	set_str(&c->endpoint, ini_get(cfg, csec, "endpoint_url"));
}

int
aws_config_load(struct aws_config *c, const char *profile,
    const char *profile_fallback, const char *region, struct diag *d)
{
	struct ini cred, cfg;
	char *credpath = NULL, *cfgpath = NULL, csec[300];
	const char *v;
	long n;
	int rc = -1;

	memset(c, 0, sizeof *c);
	memset(&cred, 0, sizeof cred);
	memset(&cfg, 0, sizeof cfg);
	c->max_attempts = 5;
	c->timeout_ms = 30000;
	if ((v = env("AWS_MAX_ATTEMPTS")) != NULL) {
		char *end;

		n = strtol(v, &end, 10);
		if (*end || n < 1 || n > 20)
			return diag_set(d, EXIT_INPUT, "AWS_MAX_ATTEMPTS: "
			    "expected a number from 1 to 20");
		c->max_attempts = (int)n;
	}
	if (profile)
		c->profile = xstrdup(profile);
	else if ((v = env("AWS_PROFILE")) || (v = env("AWS_DEFAULT_PROFILE")))
		c->profile = xstrdup(v);
	else
		c->profile = xstrdup(profile_fallback && *profile_fallback ?
		    profile_fallback : "default");
	credpath = aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
	cfgpath = aws_file("AWS_CONFIG_FILE", "config");
	if (ini_load(&cred, credpath, d) < 0 || ini_load(&cfg, cfgpath, d) < 0)
		goto out;
	if (strcmp(c->profile, "default") == 0)
		snprintf(csec, sizeof csec, "default");
	else
		snprintf(csec, sizeof csec, "profile %s", c->profile);

	/* An explicit profile outranks the environment's keys (as --profile
	 * does for the AWS CLI); otherwise the environment wins. */
	if (profile == NULL && env("AWS_ACCESS_KEY_ID") &&
	    env("AWS_SECRET_ACCESS_KEY")) {
		c->access_key = xstrdup(env("AWS_ACCESS_KEY_ID"));
		c->secret_key = xstrdup(env("AWS_SECRET_ACCESS_KEY"));
		set_str(&c->session_token, env("AWS_SESSION_TOKEN"));
		set_str(&c->session_token, env("AWS_SECURITY_TOKEN"));
		c->cred_source = "environment";
	} else if (!load_keys_from(c, &cred, c->profile) &&
	    !load_keys_from(c, &cfg, csec)) {
		if (strcmp(c->profile, "default") != 0 &&
		    !ini_has(&cred, c->profile) && !ini_has(&cfg, csec))
			diag_set(d, EXIT_CONNECT, "AWS profile '%s' not found "
			    "in %s or %s", c->profile, credpath, cfgpath);
		else
			diag_set(d, EXIT_CONNECT, "no AWS credentials: set "
			    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
			    "give profile '%s' keys in %s", c->profile,
			    credpath);
		goto out;
	}
	set_str(&c->region, region);
	set_str(&c->region, env("AWS_REGION"));
	set_str(&c->region, env("AWS_DEFAULT_REGION"));
	set_str(&c->region, ini_get(&cfg, csec, "region"));
	if (c->region == NULL) {
		diag_set(d, EXIT_CONNECT, "no AWS region: give -r, aws.region "
		    "in the spec, AWS_REGION, or region in profile '%s'",
		    c->profile);
		goto out;
	}
	/* The region becomes part of the host name and the signature's
	 * scope: anything but a region's shape could redirect the call. */
	if (!shape_region(c->region, strlen(c->region))) {
		diag_set(d, EXIT_INPUT, "region '%s' is not an AWS region like "
		    "us-east-2", c->region);
		goto out;
	}
	load_endpoint(c, &cfg, csec);
	if (c->endpoint && !shape_url(c->endpoint, strlen(c->endpoint))) {
		diag_set(d, EXIT_INPUT, "endpoint '%s' is not an http or https "
		    "URL with a host, port and path only", c->endpoint);
		goto out;
	}
	if (c->endpoint == NULL)
		c->endpoint = xasprintf("https://secretsmanager.%s.%s",
		    c->region, strncmp(c->region, "cn-", 3) == 0 ?
		    "amazonaws.com.cn" : "amazonaws.com");
	diag_secret(c->secret_key);
	diag_secret(c->session_token);
	rc = 0;
out:
	ini_release(&cred);
	ini_release(&cfg);
	free(credpath);
	free(cfgpath);
	if (rc < 0)
		aws_config_release(c);
	return rc;
}

static void
wipe_free(char **s)
{
	if (*s) {
		OPENSSL_cleanse(*s, strlen(*s));
		free(*s);
	}
	*s = NULL;
}

void
aws_config_release(struct aws_config *c)
{
	wipe_free(&c->access_key);
	wipe_free(&c->secret_key);
	wipe_free(&c->session_token);
	free(c->region);
	free(c->endpoint);
	free(c->profile);
	memset(c, 0, sizeof *c);
}

/* ---- HTTP ---- */

static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct buf *b = arg;

	if (buf_add(b, p, size * nmemb) < 0)
		return 0;
	return size * nmemb;
}

static void
slist_wipe_free(struct curl_slist *l)
{
	struct curl_slist *i;

	for (i = l; i; i = i->next)
		OPENSSL_cleanse(i->data, strlen(i->data));
	curl_slist_free_all(l);
}

struct target {
	char *host;		/* Host header value */
	char *path;
};

static int
parse_endpoint(const char *url, struct target *t, struct diag *d)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	int rc = -1, k;

	if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
		diag_set(d, EXIT_INPUT, "endpoint '%s' is not a URL", url);
		goto out;
	}
	for (k = 0; host[k]; k++)
		if (host[k] >= 'A' && host[k] <= 'Z')
			host[k] = (char)(host[k] - 'A' + 'a');
	/* The port goes into Host only when it is not the scheme's. */
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK &&
	    !(strcmp(scheme, "https") == 0 && strcmp(port, "443") == 0) &&
	    !(strcmp(scheme, "http") == 0 && strcmp(port, "80") == 0))
		t->host = xasprintf("%s:%s", host, port);
	else
		t->host = xstrdup(host);
	t->path = xstrdup(path);
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	return rc;
}

/* The AWS error code and message out of a JSON or XML error body. */
static void
parse_error(const struct buf *b, long status, char *code, size_t cn,
    char *msg, size_t mn)
{
	cJSON *j = b->len ? cJSON_ParseWithLength(b->p, b->len) : NULL;
	const char *t = NULL, *m = NULL, *p, *q, *hash;
	size_t i;

	snprintf(code, cn, "HTTP %ld", status);
	msg[0] = '\0';
	if (j) {
		t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j,
		    "__type"));
		m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j,
		    "Message"));
		if (m == NULL)
			m = cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(j, "message"));
		if (t) {
			hash = strrchr(t, '#');
			t = hash ? hash + 1 : t;
			snprintf(code, cn, "%.*s", (int)strcspn(t, ":"), t);
		}
		if (m)
			snprintf(msg, mn, "%s", m);
		cJSON_Delete(j);
	} else if (b->len && (p = strstr(b->p, "<Code>")) != NULL &&
	    (q = strstr(p, "</Code>")) != NULL) {
		snprintf(code, cn, "%.*s", (int)(q - p - 6), p + 6);
		if ((p = strstr(b->p, "<Message>")) != NULL &&
		    (q = strstr(p, "</Message>")) != NULL)
			snprintf(msg, mn, "%.*s", (int)(q - p - 9), p + 9);
	}
	for (i = 0; msg[i]; i++)
		if ((unsigned char)msg[i] < 0x20)
			msg[i] = ' ';
	for (i = 0; code[i]; i++)
		if ((unsigned char)code[i] < 0x20)
			code[i] = ' ';
}

static const char *const auth_codes[] = {
	"UnrecognizedClientException", "InvalidSignatureException",
	"SignatureDoesNotMatch", "InvalidClientTokenId", "IncompleteSignature",
	"MissingAuthenticationToken", "MissingAuthenticationTokenException",
	"RequestExpired", "ExpiredToken", "ExpiredTokenException",
	"InvalidAccessKeyId", "AuthFailure", "InvalidToken",
};

static const char *const throttle_codes[] = {
	"Throttling", "ThrottlingException", "ThrottledException",
	"RequestThrottledException", "TooManyRequestsException",
	"ProvisionedThroughputExceededException", "RequestLimitExceeded",
	"LimitExceededException", "SlowDown", "PriorRequestNotComplete",
	"RequestTimeout", "RequestTimeoutException", "InternalServiceError",
	"InternalFailure", "ServiceUnavailable",
};

static int
in_list(const char *code, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(code, list[i]) == 0)
			return 1;
	return 0;
}

#define NELEM(a) (sizeof (a) / sizeof (a)[0])

static int
curl_retryable(CURLcode e)
{
	return e == CURLE_COULDNT_CONNECT || e == CURLE_OPERATION_TIMEDOUT ||
	    e == CURLE_SEND_ERROR || e == CURLE_RECV_ERROR ||
	    e == CURLE_GOT_NOTHING || e == CURLE_PARTIAL_FILE;
}

/* Full jitter: a random pause in [0, min(20 s, 200 ms * 2^attempt)). */
static void
backoff(int attempt)
{
	unsigned int r = 0;
	long cap = 200L << (attempt < 7 ? attempt : 7);
	struct timespec ts;

	if (cap > 20000)
		cap = 20000;
	RAND_bytes((unsigned char *)&r, sizeof r);
	cap = (long)(r % (unsigned long)cap);
	ts.tv_sec = cap / 1000;
	ts.tv_nsec = (cap % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

static struct curl_slist *
add_header(struct curl_slist *l, const char *name, const char *v)
{
	char *s = *v ? xasprintf("%s: %s", name, v) : xasprintf("%s:", name);
	struct curl_slist *n = curl_slist_append(l, s);

	OPENSSL_cleanse(s, strlen(s));
	free(s);
	if (n == NULL) {
		util_oom();
	}
	return n;
}

/* One signed POST; returns the CURLcode, *status the HTTP status. */
static CURLcode
post_once(CURL *h, const struct aws_config *c, const struct target *t,
    const char *op, const char *body, size_t blen, struct buf *resp,
    long *status, char *errbuf, struct diag *d)
{
	struct sigv4_header hs[5];
	struct sigv4_request r;
	struct sigv4_creds cr = { c->access_key, c->secret_key,
	    c->session_token };
	struct sigv4_result res;
	struct curl_slist *l = NULL;
	char date[17], target[128];
	CURLcode e;
	size_t nh = 0;

	sigv4_amz_date((long long)time(NULL), date);
	snprintf(target, sizeof target, "secretsmanager.%s", op);
#define HDR(n, v) do { hs[nh].name = (n); hs[nh].nlen = strlen(n); \
	hs[nh].value = (v); hs[nh].vlen = strlen(v); nh++; } while (0)
	HDR("Content-Type", "application/x-amz-json-1.1");
	HDR("Host", t->host);
	HDR("X-Amz-Date", date);
	HDR("X-Amz-Target", target);
	if (c->session_token)
		HDR("X-Amz-Security-Token", c->session_token);
#undef HDR
	memset(&r, 0, sizeof r);
	r.method = "POST";
	r.target = t->path;
	r.tlen = strlen(t->path);
	r.h = hs;
	r.nh = nh;
	r.body = body;
	r.body_len = blen;
	if (sigv4_sign(&r, &cr, c->region, "secretsmanager", date, &res,
	    d) < 0)
		return CURLE_ABORTED_BY_CALLBACK;
	l = add_header(l, "Content-Type", "application/x-amz-json-1.1");
	l = add_header(l, "Host", t->host);
	l = add_header(l, "X-Amz-Date", date);
	l = add_header(l, "X-Amz-Target", target);
	if (c->session_token)
		l = add_header(l, "X-Amz-Security-Token",
		    c->session_token);
	l = add_header(l, "Authorization", res.authz.p);
	l = add_header(l, "Expect", "");
	sigv4_result_release(&res);
	buf_wipe(resp);
	resp->limit = RESP_LIMIT;
	curl_easy_setopt(h, CURLOPT_URL, c->endpoint);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, l);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "9c-secrets/" NINEC_VERSION);
	errbuf[0] = '\0';
	e = curl_easy_perform(h);
	*status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	slist_wipe_free(l);
	return e;
}

int
aws_sm_call(const struct aws_config *c, const char *op, const char *body,
    size_t body_len, struct buf *resp, char *code, struct diag *d)
{
	struct target t = { NULL, NULL };
	char errbuf[CURL_ERROR_SIZE], acode[128], msg[300];
	CURL *h;
	CURLcode e = CURLE_OK;
	long status = 0;
	int attempt, rc = -1;

	if (code)
		code[0] = '\0';
	if (net_init(d) < 0 || parse_endpoint(c->endpoint, &t, d) < 0)
		return -1;
	h = curl_easy_init();
	if (h == NULL) {
		free(t.host);
		free(t.path);
		return diag_set(d, EXIT_FAIL, "curl_easy_init failed");
	}
	for (attempt = 0; attempt < c->max_attempts; attempt++) {
		if (attempt)
			backoff(attempt - 1);
		e = post_once(h, c, &t, op, body, body_len, resp, &status,
		    errbuf, d);
		if (e == CURLE_ABORTED_BY_CALLBACK)
			goto out;
		if (e != CURLE_OK) {
			if (curl_retryable(e))
				continue;
			break;
		}
		if (status >= 200 && status < 300) {
			rc = 0;
			goto out;
		}
		parse_error(resp, status, acode, sizeof acode, msg,
		    sizeof msg);
		if (!(status == 500 || status == 502 || status == 503 ||
		    status == 504 || in_list(acode, throttle_codes,
		    NELEM(throttle_codes))))
			break;
	}
	if (e == CURLE_OPERATION_TIMEDOUT)
		diag_set(d, EXIT_TIMEOUT, "%s: %s: timed out after %d "
		    "attempts", c->endpoint, op, attempt);
	else if (e == CURLE_WRITE_ERROR)
		/* on_body refuses only a reply past the limit. */
		diag_set(d, EXIT_INPUT, "%s: %s: the reply is larger than %d "
		    "MiB", c->endpoint, op, RESP_LIMIT >> 20);
	else if (e != CURLE_OK)
		/* curl's own text for a refused connection carries a
		 * timing; its error name is stable. */
		diag_set(d, EXIT_CONNECT, "cannot reach %s: %s", c->endpoint,
		    errbuf[0] && e != CURLE_COULDNT_CONNECT ? errbuf :
		    curl_easy_strerror(e));
	else {
		if (code)
			snprintf(code, 128, "%s", acode);
		diag_set(d, in_list(acode, auth_codes, NELEM(auth_codes)) ?
		    EXIT_CONNECT : EXIT_FAIL, "%s: %s%s%s", op, acode,
		    msg[0] ? ": " : "", msg);
	}
out:
	curl_easy_cleanup(h);
	free(t.host);
	free(t.path);
	return rc;
}

/* ---- Secrets Manager ---- */

static char *
print_wipe(cJSON *j, size_t *len)
{
	char *s = cJSON_PrintUnformatted(j);

	if (s == NULL) {
		util_oom();
	}
	*len = strlen(s);
	return s;
}

static void
json_wipe_delete(cJSON *j)
{
	cJSON *it;

	if (j == NULL)
		return;
	for (it = j->child; it; it = it->next)
		if (cJSON_IsString(it) && it->valuestring)
			OPENSSL_cleanse(it->valuestring,
			    strlen(it->valuestring));
	cJSON_Delete(j);
}

int
aws_sm_get(const struct aws_config *c, const char *id, struct buf *value,
    char version[65], struct diag *d)
{
	cJSON *req = cJSON_CreateObject(), *res;
	struct buf resp = BUF_INIT;
	char code[128], *body;
	const char *s, *v;
	size_t blen;
	int rc;

	cJSON_AddStringToObject(req, "SecretId", id);
	body = print_wipe(req, &blen);
	cJSON_Delete(req);
	rc = aws_sm_call(c, "GetSecretValue", body, blen, &resp, code, d);
	free(body);
	if (rc < 0) {
		buf_wipe(&resp);
		if (strcmp(code, "ResourceNotFoundException") == 0)
			return 1;
		return -1;
	}
	res = cJSON_ParseWithLength(resp.p, resp.len);
	buf_wipe(&resp);
	s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(res,
	    "SecretString"));
	v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(res,
	    "VersionId"));
	if (s == NULL) {
		json_wipe_delete(res);
		return diag_set(d, EXIT_INPUT, "GetSecretValue: the reply "
		    "has no SecretString");
	}
	buf_reset(value);
	buf_grow(value, strlen(s) + 1);
	buf_adds(value, s);
	snprintf(version, 65, "%s", v ? v : "");
	json_wipe_delete(res);
	return 0;
}

/* Derived from the content: a retry, or the same value again, reuses it. */
static void
request_token(const char *name, const char *value, char out[37])
{
	struct buf b = BUF_INIT;
	char h[65];

	buf_printf(&b, "%s", name);
	buf_addc(&b, '\0');
	buf_adds(&b, value);
	sigv4_sha256_hex(b.p, b.len, h);
	buf_wipe(&b);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12,
	    h + 16, h + 20);
}

static cJSON *
owner_tags(const char *cluster)
{
	cJSON *tags = cJSON_CreateArray(), *t = cJSON_CreateObject();
	char key[300];

	snprintf(key, sizeof key, "kubernetes.io/cluster/%s", cluster);
	cJSON_AddStringToObject(t, "Key", key);
	cJSON_AddStringToObject(t, "Value", "owned");
	cJSON_AddItemToArray(tags, t);
	return tags;
}

static int
sm_write(const struct aws_config *c, const char *op, cJSON *req,
    char version[65], int need_current, struct diag *d)
{
	struct buf resp = BUF_INIT;
	cJSON *res, *st, *it;
	char *body;
	const char *v;
	size_t blen;
	int rc, current = 0;

	body = print_wipe(req, &blen);
	rc = aws_sm_call(c, op, body, blen, &resp, NULL, d);
	OPENSSL_cleanse(body, blen);
	free(body);
	if (rc < 0) {
		buf_wipe(&resp);
		return -1;
	}
	res = cJSON_ParseWithLength(resp.p, resp.len);
	buf_wipe(&resp);
	v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(res,
	    "VersionId"));
	if (version)
		snprintf(version, 65, "%s", v ? v : "");
	st = cJSON_GetObjectItemCaseSensitive(res, "VersionStages");
	cJSON_ArrayForEach(it, st)
		if (cJSON_IsString(it) && strcmp(it->valuestring,
		    "AWSCURRENT") == 0)
			current = 1;
	cJSON_Delete(res);
	if (need_current && st && !current)
		return diag_set(d, EXIT_FAIL, "%s: the value equals an earlier "
		    "version, which AWS keeps as it is; change the keys or "
		    "move AWSCURRENT by hand", op);
	return 0;
}

int
aws_sm_put(const struct aws_config *c, const char *name,
    const char *cluster, const char *value, char version[65],
    const char **what, struct diag *d)
{
	struct buf cur = BUF_INIT;
	char token[37], curver[65], desc[300];
	cJSON *req;
	int rc;

	rc = aws_sm_get(c, name, &cur, curver, d);
	if (rc < 0)
		return -1;
	request_token(name, value, token);
	if (rc == 0 && strcmp(cur.p ? cur.p : "", value) == 0) {
		buf_wipe(&cur);
		snprintf(version, 65, "%s", curver);
		*what = "unchanged";
		return 0;
	}
	buf_wipe(&cur);
	req = cJSON_CreateObject();
	if (rc == 1) {
		snprintf(desc, sizeof desc, "Libplanet node keys of %s "
		    "(9c-secrets)", cluster);
		cJSON_AddStringToObject(req, "Name", name);
		cJSON_AddStringToObject(req, "ClientRequestToken", token);
		cJSON_AddStringToObject(req, "Description", desc);
		cJSON_AddStringToObject(req, "SecretString", value);
		cJSON_AddItemToObject(req, "Tags", owner_tags(cluster));
		rc = sm_write(c, "CreateSecret", req, version, 0, d);
		*what = "created";
	} else {
		cJSON_AddStringToObject(req, "SecretId", name);
		cJSON_AddStringToObject(req, "ClientRequestToken", token);
		cJSON_AddStringToObject(req, "SecretString", value);
		rc = sm_write(c, "PutSecretValue", req, version, 1, d);
		*what = "updated";
	}
	json_wipe_delete(req);
	if (rc == 0 && strcmp(*what, "updated") == 0) {
		req = cJSON_CreateObject();
		cJSON_AddStringToObject(req, "SecretId", name);
		cJSON_AddItemToObject(req, "Tags", owner_tags(cluster));
		rc = sm_write(c, "TagResource", req, NULL, 0, d);
		cJSON_Delete(req);
	}
	return rc;
}
