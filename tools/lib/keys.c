#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "cli.h"
#include "keys.h"

static const uint64_t keccak_rc[24] = {
	0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
	0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
	0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
	0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
	0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
	0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
	0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
	0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/* Rotation offsets and lane order of the combined rho and pi steps. */
static const unsigned keccak_rotc[24] = {
	1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14,
	27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44,
};
static const unsigned keccak_piln[24] = {
	10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4,
	15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1,
};

static uint64_t
rol64(uint64_t x, unsigned s)
{
	return (x << s) | (x >> (64 - s));
}

static void
keccak_f(uint64_t st[25])
{
	uint64_t bc[5], t;
	int r, i, j;

	for (r = 0; r < 24; r++) {
		for (i = 0; i < 5; i++)
			bc[i] = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^
			    st[i + 20];
		for (i = 0; i < 5; i++) {
			t = bc[(i + 4) % 5] ^ rol64(bc[(i + 1) % 5], 1);
			for (j = 0; j < 25; j += 5)
				st[j + i] ^= t;
		}
		t = st[1];
		for (i = 0; i < 24; i++) {
			j = keccak_piln[i];
			bc[0] = st[j];
			st[j] = rol64(t, keccak_rotc[i]);
			t = bc[0];
		}
		for (j = 0; j < 25; j += 5) {
			for (i = 0; i < 5; i++)
				bc[i] = st[j + i];
			for (i = 0; i < 5; i++)
				st[j + i] ^= (~bc[(i + 1) % 5]) & bc[(i + 2) % 5];
		}
		st[0] ^= keccak_rc[r];
	}
}

/* Lanes are little-endian whatever the host is. */
static void
keccak_absorb(uint64_t st[25], const unsigned char *blk)
{
	int i, b;
	uint64_t v;

	for (i = 0; i < 17; i++) {
		v = 0;
		for (b = 7; b >= 0; b--)
			v = (v << 8) | blk[i * 8 + b];
		st[i] ^= v;
	}
	keccak_f(st);
}

void
keccak256_pad(const void *p, size_t n, unsigned char pad,
    unsigned char out[32])
{
	enum { RATE = 136 };
	const unsigned char *in = p;
	unsigned char last[RATE];
	uint64_t st[25];
	int i, b;

	memset(st, 0, sizeof st);
	for (; n >= RATE; n -= RATE, in += RATE)
		keccak_absorb(st, in);
	memset(last, 0, sizeof last);
	if (n)
		memcpy(last, in, n);
	last[n] ^= pad;
	last[RATE - 1] ^= 0x80;
	keccak_absorb(st, last);
	for (i = 0; i < 4; i++)
		for (b = 0; b < 8; b++)
			out[i * 8 + b] = (unsigned char)(st[i] >> (8 * b));
	mem_wipe(st, sizeof st);
	mem_wipe(last, sizeof last);
}

void
keccak256(const void *p, size_t n, unsigned char out[32])
{
	keccak256_pad(p, n, 0x01, out);
}

void
key_hex(const unsigned char *p, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hx[p[i] >> 4];
		out[2 * i + 1] = hx[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
key_unhex(const char *s, size_t n, unsigned char *out)
{
	size_t i;
	int hi, lo;

	if (n % 2)
		return -1;
	for (i = 0; i < n; i += 2) {
		hi = hexval((unsigned char)s[i]);
		lo = hexval((unsigned char)s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static void
address_from_point(struct key *k, const unsigned char unc[65])
{
	unsigned char h[32];

	keccak256(unc + 1, 64, h);
	memcpy(k->addr, h + 12, KEY_ADDR_LEN);
}

static int
crypto_fail(struct diag *d, const char *what)
{
	return diag_set(d, EXIT_FAIL, "secp256k1: %s failed", what);
}

int
key_from_priv(struct key *k, const unsigned char priv[KEY_PRIV_LEN],
    struct diag *d)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_secp256k1);
	EC_POINT *pt = NULL;
	BIGNUM *bn = NULL;
	unsigned char unc[65];
	int rc = -1;

	if (g == NULL)
		return crypto_fail(d, "EC_GROUP_new_by_curve_name");
	bn = BN_secure_new();
	pt = EC_POINT_new(g);
	if (bn == NULL || pt == NULL) {
		crypto_fail(d, "allocation");
		goto out;
	}
	if (BN_bin2bn(priv, KEY_PRIV_LEN, bn) == NULL) {
		crypto_fail(d, "BN_bin2bn");
		goto out;
	}
	if (BN_is_zero(bn) || BN_cmp(bn, EC_GROUP_get0_order(g)) >= 0) {
		diag_set(d, EXIT_INPUT, "not a secp256k1 private key "
		    "(zero or not below the group order)");
		goto out;
	}
	if (!EC_POINT_mul(g, pt, bn, NULL, NULL, NULL) ||
	    EC_POINT_point2oct(g, pt, POINT_CONVERSION_COMPRESSED, k->pub,
	    KEY_PUB_LEN, NULL) != KEY_PUB_LEN ||
	    EC_POINT_point2oct(g, pt, POINT_CONVERSION_UNCOMPRESSED, unc,
	    sizeof unc, NULL) != sizeof unc) {
		crypto_fail(d, "EC_POINT_mul");
		goto out;
	}
	if (k->priv != priv)
		memcpy(k->priv, priv, KEY_PRIV_LEN);
	k->has_priv = 1;
	address_from_point(k, unc);
	rc = 0;
out:
	BN_clear_free(bn);
	EC_POINT_clear_free(pt);
	EC_GROUP_free(g);
	return rc;
}

int
key_from_pub(struct key *k, const unsigned char *pub, size_t n,
    struct diag *d)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_secp256k1);
	EC_POINT *pt = NULL;
	unsigned char unc[65];
	int rc = -1;

	if (g == NULL)
		return crypto_fail(d, "EC_GROUP_new_by_curve_name");
	pt = EC_POINT_new(g);
	if (pt == NULL) {
		crypto_fail(d, "allocation");
		goto out;
	}
	if ((n != 33 && n != 65) || !EC_POINT_oct2point(g, pt, pub, n, NULL)) {
		diag_set(d, EXIT_INPUT, "not a secp256k1 public key");
		goto out;
	}
	if (EC_POINT_point2oct(g, pt, POINT_CONVERSION_COMPRESSED, k->pub,
	    KEY_PUB_LEN, NULL) != KEY_PUB_LEN ||
	    EC_POINT_point2oct(g, pt, POINT_CONVERSION_UNCOMPRESSED, unc,
	    sizeof unc, NULL) != sizeof unc) {
		crypto_fail(d, "EC_POINT_point2oct");
		goto out;
	}
	k->has_priv = 0;
	memset(k->priv, 0, sizeof k->priv);
	address_from_point(k, unc);
	rc = 0;
out:
	EC_POINT_free(pt);
	EC_GROUP_free(g);
	return rc;
}

int
key_generate(struct key *k, struct diag *d)
{
	unsigned char priv[KEY_PRIV_LEN];
	struct diag tmp;
	int tries;

	/* A top byte of zero or a value past the order is redrawn, as
	 * Libplanet's PrivateKey() does; 2^-8 odds, so a few tries do. */
	for (tries = 0; tries < 3000; tries++) {
		if (RAND_bytes(priv, sizeof priv) != 1) {
			OPENSSL_cleanse(priv, sizeof priv);
			return diag_set(d, EXIT_FAIL, "RAND_bytes failed");
		}
		if (priv[0] == 0)
			continue;
		diag_clear(&tmp);
		if (key_from_priv(k, priv, &tmp) == 0) {
			OPENSSL_cleanse(priv, sizeof priv);
			return 0;
		}
		if (tmp.status != EXIT_INPUT) {
			OPENSSL_cleanse(priv, sizeof priv);
			*d = tmp;
			return -1;
		}
	}
	OPENSSL_cleanse(priv, sizeof priv);
	return diag_set(d, EXIT_FAIL, "could not draw a private key");
}

void
key_address_text(const unsigned char addr[KEY_ADDR_LEN], char out[43])
{
	char low[41];
	unsigned char h[32];
	int i, nib;

	key_hex(addr, KEY_ADDR_LEN, low);
	keccak256(low, 40, h);
	out[0] = '0';
	out[1] = 'x';
	for (i = 0; i < 40; i++) {
		nib = (i % 2 == 0) ? h[i / 2] >> 4 : h[i / 2] & 15;
		out[2 + i] = (low[i] >= 'a' && nib >= 8) ?
		    (char)(low[i] - 'a' + 'A') : low[i];
	}
	out[42] = '\0';
}

void
key_wipe(struct key *k)
{
	OPENSSL_cleanse(k, sizeof *k);
}

static const char *const role_names[KEY_NROLES] = {
	"seed", "miner", "validator", "apv-signer"
};

const char *
key_role_name(enum key_role r)
{
	return r < KEY_NROLES ? role_names[r] : "?";
}

int
key_role_parse(const char *s, size_t n, enum key_role *r)
{
	int i;

	for (i = 0; i < KEY_NROLES; i++)
		if (strlen(role_names[i]) == n &&
		    memcmp(role_names[i], s, n) == 0) {
			*r = (enum key_role)i;
			return 0;
		}
	return -1;
}

int
key_name(enum key_role r, long index, char *out, size_t n)
{
	int w = r == KEY_APV_SIGNER ?
	    snprintf(out, n, "%s", KEY_APV_SIGNER_NAME) :
	    snprintf(out, n, "%s-private-key-%ld", key_role_name(r), index);

	return w < 0 || (size_t)w >= n ? -1 : 0;
}

int
key_name_parse(const char *s, size_t n, enum key_role *r, long *index)
{
	static const char mid[] = "-private-key-";
	const char *m = NULL, *p;
	size_t i;
	long v = 0;

	if (n == strlen(KEY_APV_SIGNER_NAME) &&
	    memcmp(s, KEY_APV_SIGNER_NAME, n) == 0) {
		*r = KEY_APV_SIGNER;
		*index = 1;
		return 0;
	}
	for (i = 0; i + sizeof mid - 1 <= n; i++)
		if (memcmp(s + i, mid, sizeof mid - 1) == 0) {
			m = s + i;
			break;
		}
	if (m == NULL || key_role_parse(s, (size_t)(m - s), r) < 0 ||
	    *r == KEY_APV_SIGNER)
		return -1;
	p = m + sizeof mid - 1;
	if (p == s + n || *p == '0')
		return -1;
	for (; p < s + n; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
		if (v > KEY_INDEX_MAX)
			return -1;
	}
	*index = v;
	return 0;
}

void
keyset_init(struct keyset *ks)
{
	memset(ks, 0, sizeof *ks);
}

void
keyset_wipe(struct keyset *ks)
{
	if (ks->k)
		OPENSSL_cleanse(ks->k, ks->cap * sizeof *ks->k);
	free(ks->k);
	keyset_init(ks);
}

struct key *
keyset_find(const struct keyset *ks, enum key_role r, long index)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		if (ks->k[i].role == r && ks->k[i].index == index)
			return &ks->k[i];
	return NULL;
}

int
keyset_add(struct keyset *ks, const struct key *k)
{
	struct key *nk;
	size_t ncap;

	if (keyset_find(ks, k->role, k->index))
		return -1;
	if (ks->n == ks->cap) {
		/* Grow by copying, so no stale key is left in freed memory. */
		ncap = ks->cap ? ks->cap * 2 : 16;
		nk = xcalloc(ncap, sizeof *nk);
		if (ks->n)
			memcpy(nk, ks->k, ks->n * sizeof *nk);
		if (ks->k)
			OPENSSL_cleanse(ks->k, ks->cap * sizeof *ks->k);
		free(ks->k);
		ks->k = nk;
		ks->cap = ncap;
	}
	ks->k[ks->n++] = *k;
	return 0;
}

static int
key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	if (x->role != y->role)
		return x->role < y->role ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

void
keyset_sort(struct keyset *ks)
{
	if (ks->n > 1)
		qsort(ks->k, ks->n, sizeof *ks->k, key_cmp);
}

/* A 64-digit hex private key into k; the message never quotes the value. */
static int
priv_from_text(struct key *k, const char *s, size_t n, struct diag *d)
{
	unsigned char priv[KEY_PRIV_LEN];
	int rc;

	char text[65];

	if (n != 64 || key_unhex(s, n, priv) < 0)
		return diag_set(d, EXIT_INPUT, "expected 64 hex digits "
		    "(a private key)");
	rc = key_from_priv(k, priv, d);
	OPENSSL_cleanse(priv, sizeof priv);
	/* A key once read is never shown, wherever it turns up again. */
	memcpy(text, s, 64);
	text[64] = '\0';
	diag_secret(text);
	OPENSSL_cleanse(text, sizeof text);
	return rc;
}

int
keyset_from_json(struct keyset *ks, const char *json, size_t n,
    struct diag *d)
{
	cJSON *root, *it;
	struct key k;
	int rc = 0;

	root = cJSON_ParseWithLength(json, n);
	if (root == NULL || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return diag_set(d, EXIT_INPUT, "secret value is not a JSON "
		    "object");
	}
	cJSON_ArrayForEach(it, root) {
		memset(&k, 0, sizeof k);
		if (it->string == NULL || key_name_parse(it->string,
		    strlen(it->string), &k.role, &k.index) < 0)
			continue;
		if (!cJSON_IsString(it)) {
			rc = diag_set(d, EXIT_INPUT, "secret value: %s: "
			    "expected a string", it->string);
			break;
		}
		if (priv_from_text(&k, it->valuestring,
		    strlen(it->valuestring), d) < 0) {
			char m[DIAG_MSG];

			snprintf(m, sizeof m, "%s", d->msg);
			rc = diag_set(d, EXIT_INPUT, "secret value: %s: %s",
			    it->string, m);
			break;
		}
		if (keyset_add(ks, &k) < 0) {
			rc = diag_set(d, EXIT_INPUT, "secret value: %s: "
			    "given twice", it->string);
			break;
		}
	}
	key_wipe(&k);
	/* cJSON frees without clearing: clear the key text first. */
	cJSON_ArrayForEach(it, root)
		if (cJSON_IsString(it) && it->valuestring)
			OPENSSL_cleanse(it->valuestring,
			    strlen(it->valuestring));
	cJSON_Delete(root);
	if (rc == 0)
		keyset_sort(ks);
	return rc;
}

void
keyset_to_json(const struct keyset *ks, struct buf *out)
{
	char name[KEY_NAME_MAX], hex[2 * KEY_PRIV_LEN + 1];
	size_t i;

	buf_addc(out, '{');
	for (i = 0; i < ks->n; i++) {
		if (!ks->k[i].has_priv)
			continue;
		key_name(ks->k[i].role, ks->k[i].index, name, sizeof name);
		key_hex(ks->k[i].priv, KEY_PRIV_LEN, hex);
		buf_printf(out, "%s\"%s\":\"%s\"", out->len > 1 ? "," : "",
		    name, hex);
	}
	buf_addc(out, '}');
	OPENSSL_cleanse(hex, sizeof hex);
}

static int
entry_fail(struct diag *d, size_t i, const char *field, const char *msg)
{
	char path[96];

	if (field)
		snprintf(path, sizeof path, "keys[%zu].%s", i, field);
	else
		snprintf(path, sizeof path, "keys[%zu]", i);
	diag_setpath(d, path);
	return diag_set(d, EXIT_INPUT, "%s", msg);
}

/* Checks the optional fields of an entry against what the key gives. */
static int
entry_check(const struct node *e, const struct key *k, size_t i,
    struct diag *d)
{
	const struct node *v;
	char hex[2 * KEY_PUB_LEN + 1], addr[43];
	long long idx;

	v = node_get(e, "role");
	if (v && (node_s(v) == NULL ||
	    strcmp(node_s(v), key_role_name(k->role)) != 0))
		return entry_fail(d, i, "role", "does not match the name");
	v = node_get(e, "index");
	if (v && (!node_int_value(v, &idx) || idx != k->index))
		return entry_fail(d, i, "index", "does not match the name");
	v = node_get(e, "publicKey");
	key_hex(k->pub, KEY_PUB_LEN, hex);
	if (v && k->has_priv && (node_s(v) == NULL ||
	    strcasecmp(node_s(v), hex) != 0))
		return entry_fail(d, i, "publicKey", "does not match the "
		    "private key");
	v = node_get(e, "address");
	key_address_text(k->addr, addr);
	if (v && (node_s(v) == NULL || strcmp(node_s(v), addr) != 0))
		return entry_fail(d, i, "address", k->has_priv ?
		    "does not match the private key" :
		    "does not match the public key");
	return 0;
}

static int
entry_key(struct key *k, const struct node *e, int need_priv, size_t i,
    struct diag *d)
{
	const char *name = node_at_s(e, "name");
	const struct node *pv = node_get(e, "privateKey");
	const char *pk;
	unsigned char pub[65];
	size_t n;

	static const char *const fields[] = {
		"name", "role", "index", "publicKey", "address", "privateKey",
		NULL
	};
	const char *const *f;
	size_t j;

	if (e == NULL || e->type != NODE_MAP)
		return entry_fail(d, i, NULL, "expected a mapping");
	/* A misspelt field would be dropped without a word. */
	for (j = 0; j < e->len; j++) {
		for (f = fields; *f && strcmp(*f, e->u.pairs[j].key->u.s); f++)
			;
		if (*f == NULL)
			return entry_fail(d, i, e->u.pairs[j].key->u.s,
			    "unknown key");
	}
	if (name == NULL)
		return entry_fail(d, i, "name", "missing");
	if (key_name_parse(name, strlen(name), &k->role, &k->index) < 0)
		return entry_fail(d, i, "name", "expected seed-, miner- or "
		    "validator-private-key-N, or " KEY_APV_SIGNER_NAME);
	if (pv) {
		if (node_s(pv) == NULL || priv_from_text(k, node_s(pv),
		    pv->len, d) < 0)
			return entry_fail(d, i, "privateKey",
			    "expected 64 hex digits (a private key)");
	} else if (need_priv)
		return entry_fail(d, i, "privateKey", "missing");
	else {
		pk = node_at_s(e, "publicKey");
		if (pk == NULL)
			return entry_fail(d, i, "publicKey", "missing");
		n = strlen(pk);
		if ((n != 66 && n != 130) || key_unhex(pk, n, pub) < 0 ||
		    key_from_pub(k, pub, n / 2, d) < 0)
			return entry_fail(d, i, "publicKey", "not a "
			    "secp256k1 public key");
	}
	return entry_check(e, k, i, d);
}

static int
keyset_from_list(struct keyset *ks, const struct node *list, int need_priv,
    struct diag *d)
{
	struct key k;
	size_t i;

	if (list == NULL || list->type != NODE_SEQ) {
		diag_setpath(d, "keys");
		return diag_set(d, EXIT_INPUT, "expected a list");
	}
	for (i = 0; i < list->len; i++) {
		memset(&k, 0, sizeof k);
		if (entry_key(&k, list->u.items[i], need_priv, i, d) < 0) {
			key_wipe(&k);
			return -1;
		}
		if (keyset_add(ks, &k) < 0) {
			key_wipe(&k);
			return entry_fail(d, i, "name", "given twice");
		}
		key_wipe(&k);
	}
	return 0;
}

static int
keyset_from_flat(struct keyset *ks, const struct node *root, struct diag *d)
{
	struct key k;
	const struct node *v;
	char path[DIAG_PATH];
	size_t i;

	for (i = 0; i < root->len; i++) {
		const struct node *key = root->u.pairs[i].key;

		memset(&k, 0, sizeof k);
		v = root->u.pairs[i].val;
		path[0] = '\0';
		path_fmt_key(path, sizeof path, key->u.s, key->len);
		diag_setpath(d, path);
		/* Not echoed: in this file a key where its name goes is the
		 * likely mistake. */
		if (key_name_parse(key->u.s, key->len, &k.role,
		    &k.index) < 0) {
			diag_setpath(d, "");
			return diag_set(d, EXIT_INPUT, "key %zu: not a node key "
			    "name (seed-, miner- or validator-private-key-N, "
			    "or " KEY_APV_SIGNER_NAME ")", i + 1);
		}
		if (node_s(v) == NULL || priv_from_text(&k, node_s(v),
		    v->len, d) < 0) {
			key_wipe(&k);
			return diag_set(d, EXIT_INPUT, "expected 64 hex "
			    "digits (a private key)");
		}
		keyset_add(ks, &k);
		key_wipe(&k);
	}
	diag_setpath(d, "");
	return 0;
}

static int
unknown_top(const struct node *root, struct diag *d)
{
	static const char *const fields[] = {
		"apiVersion", "kind", "metadata", "keys", NULL
	};
	const char *const *f;
	size_t j;

	for (j = 0; j < root->len; j++) {
		for (f = fields; *f && strcmp(*f,
		    root->u.pairs[j].key->u.s); f++)
			;
		if (*f == NULL) {
			diag_setpath(d, root->u.pairs[j].key->u.s);
			return diag_set(d, EXIT_INPUT, "unknown key");
		}
	}
	return 0;
}

int
keyset_from_node(struct keyset *ks, const struct node *root, int need_priv,
    struct diag *d)
{
	const char *kind = node_at_s(root, "kind");
	int rc;

	if (root == NULL || root->type != NODE_MAP)
		return diag_set(d, EXIT_INPUT, "expected a NodePrivateKeys "
		    "document");
	if (kind == NULL && node_get(root, "keys") == NULL)
		rc = keyset_from_flat(ks, root, d);
	else if ((rc = unknown_top(root, d)) < 0)
		;
	else if (kind && strcmp(kind, "NodePrivateKeys") == 0)
		rc = keyset_from_list(ks, node_get(root, "keys"), need_priv,
		    d);
	else if (kind && strcmp(kind, "NodePublicKeys") == 0 && !need_priv)
		rc = keyset_from_list(ks, node_get(root, "keys"), 0, d);
	else {
		diag_setpath(d, "kind");
		rc = diag_set(d, EXIT_INPUT, "expected NodePrivateKeys%s",
		    need_priv ? "" : " or NodePublicKeys");
	}
	if (rc == 0)
		keyset_sort(ks);
	return rc;
}

struct node *
keyset_to_node(const struct keyset *ks, struct arena *a, const char *name,
    int with_priv)
{
	struct node *root = node_map(a), *meta, *list, *e;
	char buf[2 * KEY_PUB_LEN + 1], addr[43];
	size_t i;

	node_map_set(a, root, "apiVersion",
	    node_strz(a, "9c.planetarium.dev/v1alpha1"));
	node_map_set(a, root, "kind", node_strz(a, with_priv ?
	    "NodePrivateKeys" : "NodePublicKeys"));
	meta = node_map(a);
	node_map_set(a, meta, "name", node_strz(a, name));
	node_map_set(a, root, "metadata", meta);
	list = node_seq(a);
	for (i = 0; i < ks->n; i++) {
		const struct key *k = &ks->k[i];

		e = node_map(a);
		key_name(k->role, k->index, buf, sizeof buf);
		node_map_set(a, e, "name", node_strz(a, buf));
		node_map_set(a, e, "role", node_strz(a,
		    key_role_name(k->role)));
		if (k->role != KEY_APV_SIGNER)
			node_map_set(a, e, "index", node_int(a, k->index));
		key_hex(k->pub, KEY_PUB_LEN, buf);
		node_map_set(a, e, "publicKey", node_strz(a, buf));
		key_address_text(k->addr, addr);
		node_map_set(a, e, "address", node_strz(a, addr));
		if (with_priv && k->has_priv) {
			key_hex(k->priv, KEY_PRIV_LEN, buf);
			node_map_set(a, e, "privateKey", node_strz(a, buf));
		}
		node_seq_push(a, list, e);
	}
	OPENSSL_cleanse(buf, sizeof buf);
	node_map_set(a, root, "keys", list);
	return root;
}

void
keys_wipe_tree(struct node *n)
{
	size_t i;

	if (n == NULL)
		return;
	switch (n->type) {
	case NODE_STR:
	case NODE_INT:
		if (n->u.s)
			OPENSSL_cleanse(n->u.s, n->len);
		break;
	case NODE_SEQ:
		for (i = 0; i < n->len; i++)
			keys_wipe_tree(n->u.items[i]);
		break;
	case NODE_MAP:
		for (i = 0; i < n->len; i++)
			keys_wipe_tree(n->u.pairs[i].val);
		break;
	default:
		break;
	}
}

int
key_address_parse(const char *s, size_t n, unsigned char addr[KEY_ADDR_LEN],
    struct diag *d)
{
	char want[43];
	size_t i;
	int lower = 1;

	if (n == 42 && (s[0] != '0' || (s[1] != 'x' && s[1] != 'X')))
		return diag_set(d, EXIT_INPUT, "a 42-character address must "
		    "start with 0x");
	if (n == 42) {
		s += 2;
		n -= 2;
	}
	if (n != 40)
		return diag_set(d, EXIT_INPUT, "expected 40 hex digits (an "
		    "address)");
	if (key_unhex(s, n, addr) < 0)
		return diag_set(d, EXIT_INPUT, "expected 40 hex digits (an "
		    "address)");
	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'F')
			lower = 0;
	key_address_text(addr, want);
	if (!lower && memcmp(want + 2, s, 40) != 0)
		return diag_set(d, EXIT_INPUT, "address checksum is invalid");
	return 0;
}

static void
hmac256(const unsigned char key[32], const unsigned char *p, size_t n,
    unsigned char out[32])
{
	unsigned int len = 32;

	HMAC(EVP_sha256(), key, 32, p, n, out, &len);
}

/* One step of RFC 6979 3.2 d-g: K = HMAC_K(V || tag || x || h), V = HMAC_K(V);
 * with no tag (tag < 0), K = HMAC_K(V || 0x00) and V = HMAC_K(V), the
 * retry step of 3.2 h.3. */
static void
drbg_update(unsigned char K[32], unsigned char V[32], int tag,
    const unsigned char x[32], const unsigned char h[32])
{
	unsigned char in[32 + 1 + 64];
	size_t n = 33;

	memcpy(in, V, 32);
	in[32] = (unsigned char)(tag < 0 ? 0 : tag);
	if (tag >= 0) {
		memcpy(in + 33, x, 32);
		memcpy(in + 65, h, 32);
		n = sizeof in;
	}
	hmac256(K, in, n, K);
	hmac256(K, V, 32, V);
	OPENSSL_cleanse(in, sizeof in);
}

int
key_sign(const unsigned char priv[KEY_PRIV_LEN], const void *msg, size_t n,
    unsigned char sig[KEY_SIG_MAX], size_t *siglen, struct diag *d)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_secp256k1);
	const BIGNUM *order;
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *x = BN_secure_new(), *k = BN_secure_new(), *e = BN_new();
	BIGNUM *r = BN_new(), *s = BN_new(), *t = BN_secure_new();
	BIGNUM *half = BN_new();
	EC_POINT *pt = NULL;
	ECDSA_SIG *es = NULL;
	unsigned char h[32], h1[32], K[32], V[32], *der = NULL;
	int len, rc = -1, tries;

	if (g == NULL || ctx == NULL || x == NULL || k == NULL || e == NULL ||
	    r == NULL || s == NULL || t == NULL || half == NULL ||
	    (pt = EC_POINT_new(g)) == NULL) {
		crypto_fail(d, "allocation");
		goto out;
	}
	order = EC_GROUP_get0_order(g);
	SHA256(msg, n, h);
	BN_bin2bn(priv, KEY_PRIV_LEN, x);
	if (BN_is_zero(x) || BN_cmp(x, order) >= 0) {
		diag_set(d, EXIT_INPUT, "not a secp256k1 private key "
		    "(zero or not below the group order)");
		goto out;
	}
	/* bits2octets(h): the digest reduced once modulo n. */
	BN_bin2bn(h, 32, e);
	if (BN_cmp(e, order) >= 0)
		BN_sub(t, e, order);
	else
		BN_copy(t, e);
	BN_bn2binpad(t, h1, 32);
	memset(V, 0x01, 32);
	memset(K, 0x00, 32);
	drbg_update(K, V, 0, priv, h1);
	drbg_update(K, V, 1, priv, h1);
	BN_rshift1(half, order);
	for (tries = 0; tries < 100; tries++) {
		if (tries)
			drbg_update(K, V, -1, NULL, NULL);
		hmac256(K, V, 32, V);
		BN_bin2bn(V, 32, k);
		if (BN_is_zero(k) || BN_cmp(k, order) >= 0)
			continue;
		/* r = x(kG) mod n; s = k^-1 (e + r x) mod n */
		if (!EC_POINT_mul(g, pt, k, NULL, NULL, ctx) ||
		    !EC_POINT_get_affine_coordinates(g, pt, t, NULL, ctx) ||
		    !BN_nnmod(r, t, order, ctx))
			break;
		if (BN_is_zero(r))
			continue;
		if (!BN_mod_mul(t, r, x, order, ctx) ||
		    !BN_mod_add(t, t, e, order, ctx) ||
		    !BN_mod_inverse(k, k, order, ctx) ||
		    !BN_mod_mul(s, k, t, order, ctx))
			break;
		if (BN_is_zero(s))
			continue;
		if (BN_cmp(s, half) > 0)
			BN_sub(s, order, s);
		rc = 0;
		break;
	}
	if (rc < 0) {
		crypto_fail(d, "signing");
		goto out;
	}
	rc = -1;
	if ((es = ECDSA_SIG_new()) == NULL || !ECDSA_SIG_set0(es, r, s)) {
		crypto_fail(d, "ECDSA_SIG_set0");
		goto out;
	}
	r = s = NULL;		/* owned by es now */
	len = i2d_ECDSA_SIG(es, &der);
	if (len <= 0 || len > KEY_SIG_MAX) {
		crypto_fail(d, "i2d_ECDSA_SIG");
		goto out;
	}
	memcpy(sig, der, (size_t)len);
	*siglen = (size_t)len;
	rc = 0;
out:
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	OPENSSL_cleanse(K, sizeof K);
	OPENSSL_cleanse(V, sizeof V);
	BN_clear_free(x);
	BN_clear_free(k);
	BN_clear_free(t);
	BN_free(e);
	BN_free(r);
	BN_free(s);
	BN_free(half);
	EC_POINT_clear_free(pt);
	BN_CTX_free(ctx);
	EC_GROUP_free(g);
	return rc;
}

int
key_verify(const unsigned char *pub, size_t publen, const void *msg,
    size_t n, const unsigned char *sig, size_t siglen)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_secp256k1);
	const BIGNUM *order, *r, *s;
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *e = BN_new(), *w = BN_new(), *u1 = BN_new(), *u2 = BN_new();
	BIGNUM *v = BN_new();
	EC_POINT *q = NULL, *X = NULL;
	ECDSA_SIG *es = NULL;
	const unsigned char *p = sig;
	unsigned char h[32];
	int ok = 0;

	if (g == NULL || ctx == NULL || e == NULL || w == NULL || u1 == NULL ||
	    u2 == NULL || v == NULL || (q = EC_POINT_new(g)) == NULL ||
	    (X = EC_POINT_new(g)) == NULL || siglen == 0)
		goto out;
	if (!EC_POINT_oct2point(g, q, pub, publen, ctx))
		goto out;
	es = d2i_ECDSA_SIG(NULL, &p, (long)siglen);
	if (es == NULL || p != sig + siglen)
		goto out;
	ECDSA_SIG_get0(es, &r, &s);
	order = EC_GROUP_get0_order(g);
	if (BN_is_zero(r) || BN_is_zero(s) || BN_is_negative(r) ||
	    BN_is_negative(s) || BN_cmp(r, order) >= 0 ||
	    BN_cmp(s, order) >= 0)
		goto out;
	SHA256(msg, n, h);
	BN_bin2bn(h, 32, e);
	/* X = (e/s) G + (r/s) Q; the signature holds when x(X) = r mod n. */
	if (!BN_mod_inverse(w, s, order, ctx) ||
	    !BN_mod_mul(u1, e, w, order, ctx) ||
	    !BN_mod_mul(u2, r, w, order, ctx) ||
	    !EC_POINT_mul(g, X, u1, q, u2, ctx) ||
	    EC_POINT_is_at_infinity(g, X) ||
	    !EC_POINT_get_affine_coordinates(g, X, v, NULL, ctx) ||
	    !BN_nnmod(v, v, order, ctx))
		goto out;
	ok = BN_cmp(v, r) == 0;
out:
	ECDSA_SIG_free(es);
	EC_POINT_free(q);
	EC_POINT_free(X);
	BN_free(e);
	BN_free(w);
	BN_free(u1);
	BN_free(u2);
	BN_free(v);
	BN_CTX_free(ctx);
	EC_GROUP_free(g);
	return ok;
}

int
key_sig_is_der(const unsigned char *sig, size_t siglen)
{
	const unsigned char *p = sig;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)siglen);
	int ok = es != NULL && p == sig + siglen;

	ECDSA_SIG_free(es);
	return ok;
}
