#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apv.h"
#include "bencodex.h"
#include "cli.h"
#include "keys.h"

void
apv_free(struct apv *a)
{
	free(a->extra);
	memset(a, 0, sizeof *a);
}

void
apv_message(const struct apv *a, struct buf *out)
{
	uint32_t v = (uint32_t)a->version;
	unsigned char be[4];

	be[0] = (unsigned char)(v >> 24);
	be[1] = (unsigned char)(v >> 16);
	be[2] = (unsigned char)(v >> 8);
	be[3] = (unsigned char)v;
	buf_add(out, be, 4);
	if (a->extra)
		buf_add(out, a->extra, a->extralen);
}

/* base64 with '/' written '.', as the token carries it. */
static void
dotted64(struct buf *out, const unsigned char *p, size_t n)
{
	size_t i, start = out->len;

	base64_encode(out, p, n);
	for (i = start; i < out->len; i++)
		if (out->p[i] == '/')
			out->p[i] = '.';
}

void
apv_format(const struct apv *a, struct buf *out)
{
	char addr[43];

	key_address_text(a->signer, addr);
	buf_printf(out, "%ld/%s/", (long)a->version, addr + 2);
	dotted64(out, a->sig, a->siglen);
	if (a->extra) {
		buf_addc(out, '/');
		dotted64(out, a->extra, a->extralen);
	}
}

static int
undot64(const char *s, size_t n, struct buf *out)
{
	char *t = xstrndup(s, n);
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		if (t[i] == '.')
			t[i] = '/';
	rc = base64_decode(out, t, n);
	free(t);
	return rc;
}

static int
field_fail(struct diag *d, const char *field, const char *msg)
{
	return diag_set(d, EXIT_INPUT, "%s: %s", field, msg);
}

static int
parse_version(const char *s, size_t n, int32_t *v, struct diag *d)
{
	char tmp[16], *end;
	long long x;
	size_t i = s[0] == '-' ? 1 : 0;

	if (n == i || n >= sizeof tmp)
		return field_fail(d, "version", "expected a 32-bit integer");
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return field_fail(d, "version", "expected a 32-bit "
			    "integer");
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	x = strtoll(tmp, &end, 10);
	if (errno || x < INT32_MIN || x > INT32_MAX)
		return field_fail(d, "version", "expected a 32-bit integer");
	*v = (int32_t)x;
	return 0;
}

int
apv_parse(const char *tok, size_t n, struct apv *a, struct diag *d)
{
	const char *s1, *s2, *s3, *end = tok + n;
	struct buf b = BUF_INIT;
	struct doc *tmp;
	struct bx *v;
	struct diag sub;

	memset(a, 0, sizeof *a);
	if (n > APV_TOKEN_MAX)
		return diag_set(d, EXIT_INPUT, "longer than %u bytes",
		    APV_TOKEN_MAX);
	s1 = memchr(tok, '/', n);
	if (s1 == NULL)
		return diag_set(d, EXIT_INPUT, "no signer: the token ends "
		    "after the version");
	s2 = memchr(s1 + 1, '/', (size_t)(end - s1 - 1));
	if (s2 == NULL)
		return diag_set(d, EXIT_INPUT, "no signature: the token "
		    "ends after the signer");
	s3 = memchr(s2 + 1, '/', (size_t)(end - s2 - 1));
	if (parse_version(tok, (size_t)(s1 - tok), &a->version, d) < 0)
		return -1;
	diag_clear(&sub);
	if (key_address_parse(s1 + 1, (size_t)(s2 - s1 - 1), a->signer,
	    &sub) < 0)
		return field_fail(d, "signer", sub.msg);
	b.limit = APV_TOKEN_MAX;
	if (undot64(s2 + 1, (size_t)((s3 ? s3 : end) - s2 - 1), &b) < 0) {
		buf_release(&b);
		return field_fail(d, "signature", "not valid base64");
	}
	if (b.len > sizeof a->sig) {
		buf_release(&b);
		return field_fail(d, "signature", "longer than a DER ECDSA "
		    "signature");
	}
	/* Libplanet takes any bytes here and fails later, in Verify; only
	 * the empty signature of a default APV is let through. */
	if (b.len && !key_sig_is_der((unsigned char *)b.p, b.len)) {
		buf_release(&b);
		return field_fail(d, "signature", "not a DER ECDSA signature");
	}
	memcpy(a->sig, b.p, b.len);
	a->siglen = b.len;
	buf_reset(&b);
	if (s3 == NULL) {
		buf_release(&b);
		return 0;
	}
	if (undot64(s3 + 1, (size_t)(end - s3 - 1), &b) < 0) {
		buf_release(&b);
		return field_fail(d, "extra", "not valid base64");
	}
	tmp = doc_new("", 0);
	if (bx_decode((unsigned char *)b.p, b.len, NULL, &tmp->arena, &v,
	    &sub) < 0) {
		doc_free(tmp);
		buf_release(&b);
		memset(a, 0, sizeof *a);
		return field_fail(d, "extra", sub.msg);
	}
	doc_free(tmp);
	a->extra = xmalloc(b.len ? b.len : 1);
	memcpy(a->extra, b.p, b.len);
	a->extralen = b.len;
	buf_release(&b);
	return 0;
}

int
apv_verify(const struct apv *a, const unsigned char pub[33], struct diag *d)
{
	struct key k;
	struct buf msg = BUF_INIT;
	char want[43], got[43];
	int ok;

	memset(&k, 0, sizeof k);
	if (key_from_pub(&k, pub, 33, d) < 0)
		return -1;
	if (memcmp(k.addr, a->signer, sizeof a->signer) != 0) {
		key_address_text(a->signer, got);
		key_address_text(k.addr, want);
		return diag_set(d, EXIT_INPUT, "signer: the token names %s, "
		    "but the trusted key's address is %s", got, want);
	}
	apv_message(a, &msg);
	ok = key_verify(pub, 33, msg.p, msg.len, a->sig, a->siglen);
	buf_release(&msg);
	if (!ok)
		return diag_set(d, EXIT_INPUT, "signature: does not hold for "
		    "the version and extra");
	return 0;
}

int
apv_sign(int32_t version, const unsigned char *extra, size_t extralen,
    const unsigned char priv[32], struct buf *out, struct diag *d)
{
	struct apv a;
	struct key k;
	struct buf msg = BUF_INIT;
	struct doc *tmp;
	struct bx *v;
	int rc;

	memset(&a, 0, sizeof a);
	memset(&k, 0, sizeof k);
	if (extra) {
		tmp = doc_new("", 0);
		rc = bx_decode(extra, extralen, NULL, &tmp->arena, &v, d);
		doc_free(tmp);
		if (rc < 0)
			return -1;
	}
	if (key_from_priv(&k, priv, d) < 0) {
		key_wipe(&k);
		return -1;
	}
	a.version = version;
	memcpy(a.signer, k.addr, sizeof a.signer);
	key_wipe(&k);
	a.extra = (unsigned char *)extra;
	a.extralen = extralen;
	apv_message(&a, &msg);
	rc = key_sign(priv, msg.p, msg.len, a.sig, &a.siglen, d);
	buf_release(&msg);
	if (rc == 0)
		apv_format(&a, out);
	return rc;
}
