#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "cli.h"
#include "sigv4.h"

/* Headers botocore never signs: proxies and clients may change them. */
static const char *const unsigned_headers[] = {
	"connection", "expect", "keep-alive", "proxy-authenticate",
	"proxy-authorization", "te", "trailer", "transfer-encoding",
	"upgrade", "user-agent", "x-amzn-trace-id", "authorization",
};

void
sigv4_sha256_hex(const void *p, size_t n, char out[65])
{
	static const char hx[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	EVP_Digest(p, n, md, &len, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++) {
		out[2 * i] = hx[md[i] >> 4];
		out[2 * i + 1] = hx[md[i] & 15];
	}
	out[64] = '\0';
}

static void
hmac(const unsigned char *key, size_t klen, const void *msg, size_t n,
    unsigned char out[32])
{
	unsigned int len = 32;

	HMAC(EVP_sha256(), key, (int)klen, msg, n, out, &len);
}

void
sigv4_amz_date(long long t, char out[17])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static int
unreserved(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

void
sigv4_uri_encode(struct buf *b, const char *s, size_t n, int keep_slash)
{
	static const char hx[] = "0123456789ABCDEF";
	size_t i;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (unreserved(c) || (keep_slash && c == '/'))
			buf_addc(b, c);
		else {
			buf_addc(b, '%');
			buf_addc(b, hx[c >> 4]);
			buf_addc(b, hx[c & 15]);
		}
	}
}

static int
hexdig(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decodes a query name or value, then encodes it canonically. */
static void
query_part(struct buf *b, const char *s, size_t n)
{
	struct buf raw = BUF_INIT;
	size_t i;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    (hi = hexdig((unsigned char)s[i + 1])) >= 0 &&
		    (lo = hexdig((unsigned char)s[i + 2])) >= 0) {
			buf_addc(&raw, hi << 4 | lo);
			i += 2;
		} else
			buf_addc(&raw, s[i]);
	}
	sigv4_uri_encode(b, raw.p ? raw.p : "", raw.len, 0);
	buf_release(&raw);
}

struct qparam {
	char *name, *value;
};

static int
qparam_cmp(const void *a, const void *b)
{
	const struct qparam *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->value, y->value);
}

static void
canonical_query(struct buf *b, const char *q, size_t n)
{
	struct qparam *v = NULL;
	size_t nv = 0, i, start, end;
	const char *eq;

	for (start = 0; start < n; start = end + 1) {
		struct buf nb = BUF_INIT, vb = BUF_INIT;

		end = start;
		while (end < n && q[end] != '&')
			end++;
		if (end == start)
			continue;
		eq = memchr(q + start, '=', end - start);
		if (eq) {
			query_part(&nb, q + start, (size_t)(eq - q - start));
			query_part(&vb, eq + 1, (size_t)(q + end - eq - 1));
		} else
			query_part(&nb, q + start, end - start);
		v = xrealloc(v, (nv + 1) * sizeof *v);
		v[nv].name = nb.p ? nb.p : xstrdup("");
		v[nv].value = vb.p ? vb.p : xstrdup("");
		nv++;
	}
	if (nv > 1)
		qsort(v, nv, sizeof *v, qparam_cmp);
	for (i = 0; i < nv; i++) {
		buf_printf(b, "%s%s=%s", i ? "&" : "", v[i].name, v[i].value);
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

/* RFC 3986 dot-segment removal plus collapsing empty segments, then
 * UriEncode of each segment. */
static void
canonical_path(struct buf *b, const char *p, size_t n)
{
	const char **seg = NULL;
	size_t *slen = NULL, nseg = 0, i, start, end;
	int trailing = n > 0 && p[n - 1] == '/';

	for (start = 0; start < n; start = end + 1) {
		end = start;
		while (end < n && p[end] != '/')
			end++;
		if (end == start || (end - start == 1 && p[start] == '.'))
			continue;
		if (end - start == 2 && p[start] == '.' && p[start + 1] == '.') {
			if (nseg)
				nseg--;
			continue;
		}
		seg = xrealloc(seg, (nseg + 1) * sizeof *seg);
		slen = xrealloc(slen, (nseg + 1) * sizeof *slen);
		seg[nseg] = p + start;
		slen[nseg++] = end - start;
	}
	for (i = 0; i < nseg; i++) {
		buf_addc(b, '/');
		sigv4_uri_encode(b, seg[i], slen[i], 0);
	}
	if (nseg == 0 || trailing)
		buf_addc(b, '/');
	free(seg);
	free(slen);
}

struct chdr {
	char *name;		/* lower case */
	struct buf value;	/* trimmed, squeezed */
	size_t order;
};

static int
chdr_cmp(const void *a, const void *b)
{
	const struct chdr *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int
signable(const char *lname)
{
	size_t i;

	for (i = 0; i < sizeof unsigned_headers / sizeof *unsigned_headers;
	    i++)
		if (strcmp(lname, unsigned_headers[i]) == 0)
			return 0;
	return 1;
}

/* Trim, and squeeze runs of white space (folded lines too) to one space. */
static void
squeeze(struct buf *b, const char *v, size_t n)
{
	size_t i;
	int space = 0;

	for (i = 0; i < n; i++) {
		if (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' ||
		    v[i] == '\r') {
			space = 1;
			continue;
		}
		if (space && b->len)
			buf_addc(b, ' ');
		space = 0;
		buf_addc(b, v[i]);
	}
}

static void
canonical_headers(struct buf *creq, struct buf *signed_names,
    const struct sigv4_request *r)
{
	struct chdr *h = xcalloc(r->nh ? r->nh : 1, sizeof *h);
	size_t n = 0, i, j, k;

	for (i = 0; i < r->nh; i++) {
		h[n].name = xstrndup(r->h[i].name, r->h[i].nlen);
		for (k = 0; h[n].name[k]; k++)
			h[n].name[k] = (char)tolower((unsigned char)
			    h[n].name[k]);
		if (!signable(h[n].name)) {
			free(h[n].name);
			continue;
		}
		squeeze(&h[n].value, r->h[i].value, r->h[i].vlen);
		h[n].order = i;
		n++;
	}
	qsort(h, n, sizeof *h, chdr_cmp);
	for (i = 0; i < n; i = j) {
		buf_printf(creq, "%s:", h[i].name);
		for (j = i; j < n && strcmp(h[j].name, h[i].name) == 0; j++) {
			if (j > i)
				buf_addc(creq, ',');
			if (h[j].value.len)
				buf_add(creq, h[j].value.p, h[j].value.len);
		}
		buf_addc(creq, '\n');
		if (signed_names->len)
			buf_addc(signed_names, ';');
		buf_adds(signed_names, h[i].name);
	}
	for (i = 0; i < n; i++) {
		free(h[i].name);
		/* Header values may carry a session token. */
		buf_wipe(&h[i].value);
	}
	free(h);
}

static int
valid_amz_date(const char *s)
{
	int i;

	if (s == NULL || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
		return 0;
	for (i = 0; i < 15; i++)
		if (i != 8 && !isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

int
sigv4_sign(const struct sigv4_request *r, const struct sigv4_creds *c,
    const char *region, const char *service, const char *amz_date,
    struct sigv4_result *out, struct diag *d)
{
	struct buf names = BUF_INIT, key = BUF_INIT;
	const char *q;
	size_t plen;
	char hash[65], date8[9], sig[65];
	unsigned char k1[32], k2[32];
	int i;

	memset(out, 0, sizeof *out);
	if (!valid_amz_date(amz_date))
		return diag_set(d, EXIT_INPUT, "'%s' is not a time like "
		    "20150830T123600Z", amz_date ? amz_date : "");
	if (region == NULL || *region == '\0' || service == NULL ||
	    *service == '\0')
		return diag_set(d, EXIT_INPUT, "a region and a service are "
		    "needed to sign");
	memcpy(date8, amz_date, 8);
	date8[8] = '\0';

	/* Canonical request. */
	buf_printf(&out->creq, "%s\n", r->method);
	q = memchr(r->target, '?', r->tlen);
	plen = q ? (size_t)(q - r->target) : r->tlen;
	canonical_path(&out->creq, r->target, plen);
	buf_addc(&out->creq, '\n');
	if (q)
		canonical_query(&out->creq, q + 1, r->tlen - plen - 1);
	buf_addc(&out->creq, '\n');
	canonical_headers(&out->creq, &names, r);
	buf_printf(&out->creq, "\n%s\n", names.p ? names.p : "");
	sigv4_sha256_hex(r->body ? r->body : "", r->body_len, hash);
	buf_adds(&out->creq, hash);

	/* String to sign. */
	sigv4_sha256_hex(out->creq.p, out->creq.len, hash);
	buf_printf(&out->sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s",
	    amz_date, date8, region, service, hash);

	/* Signing key: each HMAC keyed by the one before. */
	buf_printf(&key, "AWS4%s", c->secret_key);
	hmac((unsigned char *)key.p, key.len, date8, 8, k1);
	buf_wipe(&key);
	hmac(k1, 32, region, strlen(region), k2);
	hmac(k2, 32, service, strlen(service), k1);
	hmac(k1, 32, "aws4_request", 12, k2);
	hmac(k2, 32, out->sts.p, out->sts.len, k1);
	for (i = 0; i < 32; i++)
		snprintf(sig + 2 * i, 3, "%02x", k1[i]);
	OPENSSL_cleanse(k1, sizeof k1);
	OPENSSL_cleanse(k2, sizeof k2);

	buf_printf(&out->authz, "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/"
	    "aws4_request, SignedHeaders=%s, Signature=%s", c->access_key,
	    date8, region, service, names.p ? names.p : "", sig);
	buf_release(&names);
	return 0;
}

void
sigv4_result_release(struct sigv4_result *res)
{
	/* The canonical request holds a session token when there is one. */
	buf_wipe(&res->creq);
	buf_release(&res->sts);
	buf_release(&res->authz);
}

void
sigv4_http_add(struct sigv4_http *hr, const char *name, const char *value)
{
	if (hr->nh == hr->cap) {
		hr->cap = hr->cap ? hr->cap * 2 : 16;
		hr->h = xrealloc(hr->h, hr->cap * sizeof *hr->h);
	}
	hr->h[hr->nh].name = name;
	hr->h[hr->nh].nlen = strlen(name);
	hr->h[hr->nh].value = value;
	hr->h[hr->nh].vlen = strlen(value);
	hr->nh++;
	hr->req.h = hr->h;
	hr->req.nh = hr->nh;
}

const struct sigv4_header *
sigv4_http_find(const struct sigv4_http *hr, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < hr->nh; i++)
		if (hr->h[i].nlen == n && strncasecmp(hr->h[i].name, name,
		    n) == 0)
			return &hr->h[i];
	return NULL;
}

/* Drops CRs in place; returns the new length. */
static size_t
drop_cr(char *t, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (t[i] != '\r')
			t[k++] = t[i];
	t[k] = '\0';
	return k;
}

int
sigv4_http_parse(struct sigv4_http *hr, char *text, size_t n,
    struct diag *d)
{
	char *p, *eol, *end, *sp1, *sp2, *colon, *blank;

	memset(hr, 0, sizeof *hr);
	n = drop_cr(text, n);
	blank = strstr(text, "\n\n");
	end = blank ? blank : text + n;
	while (end > text && end[-1] == '\n')
		end--;
	hr->head = text;
	hr->head_len = (size_t)(end - text);
	if (blank) {
		hr->req.body = blank + 2;
		hr->req.body_len = n - (size_t)(blank + 2 - text);
	}
	eol = memchr(text, '\n', (size_t)(end - text));
	if (eol == NULL)
		eol = end;
	/* The target may hold spaces (get-space): method and version are
	 * the first and last words. */
	/* eol >= text always; say so, or -O2 fears a negative length */
	sp1 = eol > text ? memchr(text, ' ', (size_t)(eol - text)) : NULL;
	sp2 = eol;
	while (sp2 > text && sp2[-1] != ' ')
		sp2--;
	if (sp1 == NULL || sp2 - 1 <= sp1 || (size_t)(sp1 - text) >=
	    sizeof hr->method || strncmp(sp2, "HTTP/", 5) != 0)
		return diag_set(d, EXIT_INPUT, "line 1: expected a request "
		    "line like 'GET / HTTP/1.1'");
	memcpy(hr->method, text, (size_t)(sp1 - text));
	hr->method[sp1 - text] = '\0';
	hr->req.method = hr->method;
	hr->req.target = sp1 + 1;
	hr->req.tlen = (size_t)(sp2 - 1 - (sp1 + 1));
	for (p = eol; p < end; p = eol) {
		p++;
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		if ((*p == ' ' || *p == '\t') && hr->nh) {
			/* A folded line continues the previous value. */
			hr->h[hr->nh - 1].vlen = (size_t)(eol -
			    hr->h[hr->nh - 1].value);
			continue;
		}
		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon == NULL || colon == p) {
			/* The caller releases only what parsed. */
			sigv4_http_release(hr);
			return diag_set(d, EXIT_INPUT, "expected a header "
			    "line 'Name: value'");
		}
		if (hr->nh == hr->cap) {
			hr->cap = hr->cap ? hr->cap * 2 : 16;
			hr->h = xrealloc(hr->h, hr->cap * sizeof *hr->h);
		}
		hr->h[hr->nh].name = p;
		hr->h[hr->nh].nlen = (size_t)(colon - p);
		hr->h[hr->nh].value = colon + 1;
		hr->h[hr->nh].vlen = (size_t)(eol - colon - 1);
		hr->nh++;
	}
	hr->req.h = hr->h;
	hr->req.nh = hr->nh;
	return 0;
}

void
sigv4_http_release(struct sigv4_http *hr)
{
	free(hr->h);
	hr->h = NULL;
	hr->nh = hr->cap = 0;
}
