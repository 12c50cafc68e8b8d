#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/sha.h>

#include "cli.h"
#include "genesis.h"

/* A header field of the right type (and length, when len is not 0). */
static const struct bx *
field(const struct bx *h, char key, enum bx_type t, size_t len, int need,
    struct diag *d, int *bad)
{
	const struct bx *v = bx_get_byte(h, key);
	char name[8];

	snprintf(name, sizeof name, key ? "%c" : "0x00", key);
	if (v == NULL) {
		if (need) {
			diag_set(d, EXIT_INPUT, "header: %s: missing", name);
			*bad = 1;
		}
		return NULL;
	}
	if (v->type != t || (len && v->len != len)) {
		if (len)
			diag_set(d, EXIT_INPUT, "header: %s: expected a %s of "
			    "%zu bytes", name, bx_type_name(t), len);
		else
			diag_set(d, EXIT_INPUT, "header: %s: expected a %s",
			    name, bx_type_name(t));
		*bad = 1;
		return NULL;
	}
	return v;
}

static void
sha256_bx(const struct bx *v, unsigned char out[32])
{
	struct buf b = BUF_INIT;
	struct diag d;

	diag_clear(&d);
	bx_encode(v, &b, &d);
	SHA256((unsigned char *)b.p, b.len, out);
	buf_release(&b);
}

int
block_candidate(struct arena *a, const struct bx *h, struct bx **out,
    struct diag *d)
{
	const struct bx *v;
	struct bx *c;
	unsigned char lc[32];
	long long proto = 0;
	int bad = 0;

	if (h == NULL || h->type != BX_DICT)
		return diag_set(d, EXIT_INPUT, "header: expected a dictionary");
	c = bx_dict(a);
	if ((v = field(h, 0, BX_INT, 0, 0, d, &bad)) != NULL) {
		if (bx_int_value(v, &proto) < 0)
			return diag_set(d, EXIT_INPUT, "header: 0x00: protocol "
			    "version out of range");
		bx_set(a, c, bx_textz(a, "protocol_version"), (struct bx *)v);
	}
	if ((v = field(h, 'i', BX_INT, 0, 1, d, &bad)) != NULL)
		bx_set(a, c, bx_textz(a, "index"), (struct bx *)v);
	if ((v = field(h, 't', BX_TEXT, 0, 1, d, &bad)) != NULL)
		bx_set(a, c, bx_textz(a, "timestamp"), (struct bx *)v);
	if ((v = field(h, 'd', BX_INT, 0, 0, d, &bad)) != NULL)
		bx_set(a, c, bx_textz(a, "difficulty"), (struct bx *)v);
	/* Protocol 4 dropped the nonce from the header but kept it, empty,
	 * in the candidate. */
	v = field(h, 'n', BX_BYTES, 0, 0, d, &bad);
	bx_set(a, c, bx_textz(a, "nonce"), v ? (struct bx *)v :
	    bx_bytes(a, "", 0));
	if ((v = field(h, 'p', BX_BYTES, 32, 0, d, &bad)) != NULL)
		bx_set(a, c, bx_textz(a, "previous_hash"), (struct bx *)v);
	if ((v = field(h, 'x', BX_BYTES, 32, 0, d, &bad)) != NULL)
		bx_set(a, c, bx_textz(a, "transaction_fingerprint"),
		    (struct bx *)v);
	if ((v = bx_get_byte(h, 'C')) != NULL) {
		sha256_bx(v, lc);
		bx_set(a, c, bx_textz(a, "last_commit"), bx_bytes(a, lc, 32));
	}
	if (proto >= 2) {
		if ((v = field(h, 'P', BX_BYTES, KEY_PUB_LEN, 1, d,
		    &bad)) != NULL)
			bx_set(a, c, bx_textz(a, "public_key"), (struct bx *)v);
		if ((v = field(h, 'T', BX_INT, 0, 0, d, &bad)) != NULL)
			bx_set(a, c, bx_textz(a, "total_difficulty"),
			    (struct bx *)v);
	} else if ((v = field(h, 'm', BX_BYTES, KEY_ADDR_LEN, 1, d,
	    &bad)) != NULL)
		bx_set(a, c, bx_textz(a, "reward_beneficiary"), (struct bx *)v);
	if (bad)
		return -1;
	*out = c;
	return 0;
}

int
block_hashes(const struct bx *h, unsigned char pre[32],
    unsigned char hash[32], struct diag *d)
{
	struct doc *tmp = doc_new("", 0);
	struct bx *c;
	const struct bx *v;
	int bad = 0;

	if (block_candidate(&tmp->arena, h, &c, d) < 0) {
		doc_free(tmp);
		return -1;
	}
	sha256_bx(c, pre);
	if ((v = field(h, 's', BX_BYTES, 32, 1, d, &bad)) != NULL)
		bx_set(&tmp->arena, c, bx_textz(&tmp->arena,
		    "state_root_hash"), (struct bx *)v);
	if (!bad && (v = field(h, 'S', BX_BYTES, 0, 0, d, &bad)) != NULL)
		bx_set(&tmp->arena, c, bx_textz(&tmp->arena, "signature"),
		    (struct bx *)v);
	if (!bad)
		sha256_bx(c, hash);
	doc_free(tmp);
	return bad ? -1 : 0;
}

/* The block signature: over the candidate and the state root, by P. */
static int
check_signature(const struct bx *h, struct diag *d)
{
	struct doc *tmp = doc_new("", 0);
	struct bx *c;
	const struct bx *sig = bx_get_byte(h, 'S'), *pub = bx_get_byte(h, 'P');
	struct buf b = BUF_INIT;
	int ok;

	if (block_candidate(&tmp->arena, h, &c, d) < 0) {
		doc_free(tmp);
		return -1;
	}
	bx_set(&tmp->arena, c, bx_textz(&tmp->arena, "state_root_hash"),
	    bx_get_byte(h, 's'));
	bx_encode(c, &b, d);
	ok = pub && key_verify(pub->u.s, pub->len, b.p, b.len, sig->u.s,
	    sig->len);
	buf_release(&b);
	doc_free(tmp);
	if (!ok)
		return diag_set(d, EXIT_INPUT, "header: S: the block "
		    "signature does not hold for its miner's key");
	return 0;
}

struct tx {
	unsigned char id[32];
	const struct bx *raw;		/* the byte string in T */
	const struct bx *dict;
	unsigned char signer[KEY_ADDR_LEN];
	long long nonce;
};

static int
txid_cmp(const void *x, const void *y)
{
	return memcmp(((const struct tx *)x)->id, ((const struct tx *)y)->id,
	    32);
}

static int
tx_order(const void *x, const void *y)
{
	const struct tx *a = x, *b = y;
	int c = memcmp(a->signer, b->signer, KEY_ADDR_LEN);

	if (c)
		return c;
	return a->nonce < b->nonce ? -1 : a->nonce > b->nonce;
}

static int
tx_fail(struct diag *d, size_t i, const char *msg)
{
	return diag_set(d, EXIT_INPUT, "transaction %zu: %s", i, msg);
}

/* One signed transaction: its signature over the unsigned bytes, and its
 * signer the address of its public key. */
static int
check_tx(struct arena *a, struct tx *t, size_t i, struct diag *d)
{
	const struct bx *v = t->dict, *sig, *pub, *signer, *nonce;
	struct bx *unsigned_tx;
	struct buf b = BUF_INIT;
	struct key k;
	size_t j;
	int ok;

	if (v->type != BX_DICT)
		return tx_fail(d, i, "expected a dictionary");
	sig = bx_get_byte(v, 'S');
	pub = bx_get_byte(v, 'p');
	signer = bx_get_byte(v, 's');
	nonce = bx_get_byte(v, 'n');
	if (sig == NULL || sig->type != BX_BYTES)
		return tx_fail(d, i, "S: missing (unsigned)");
	if (pub == NULL || pub->type != BX_BYTES || (pub->len != 65 &&
	    pub->len != 33))
		return tx_fail(d, i, "p: expected a public key");
	if (signer == NULL || signer->type != BX_BYTES ||
	    signer->len != KEY_ADDR_LEN)
		return tx_fail(d, i, "s: expected an address");
	if (nonce == NULL || bx_int_value(nonce, &t->nonce) < 0)
		return tx_fail(d, i, "n: expected an integer");
	memset(&k, 0, sizeof k);
	if (key_from_pub(&k, pub->u.s, pub->len, d) < 0)
		return tx_fail(d, i, "p: not a secp256k1 public key");
	if (memcmp(k.addr, signer->u.s, KEY_ADDR_LEN) != 0)
		return tx_fail(d, i, "s: is not the address of p");
	memcpy(t->signer, k.addr, KEY_ADDR_LEN);
	unsigned_tx = bx_dict(a);
	for (j = 0; j < v->len; j++)
		if (v->u.pairs[j].val != sig)
			bx_set(a, unsigned_tx, v->u.pairs[j].key,
			    v->u.pairs[j].val);
	bx_encode(unsigned_tx, &b, d);
	ok = key_verify(pub->u.s, pub->len, b.p, b.len, sig->u.s, sig->len);
	buf_release(&b);
	if (!ok)
		return tx_fail(d, i, "S: the signature does not hold");
	return 0;
}

static void
hex32(const unsigned char *p, char out[65])
{
	key_hex(p, 32, out);
}

/* The validator set of an Initialize system action (type_id 2), if t
 * carries one: values = [validators, states]. */
static int
read_validators(const struct tx *t, struct genesis_info *gi, size_t i,
    struct diag *d)
{
	const struct bx *act = bx_get_byte(t->dict, 'A'), *vals, *set;
	long long type;
	size_t j;

	if (act == NULL || bx_int_value(bx_get_text(act, "type_id"),
	    &type) < 0 || type != 2)
		return 0;
	vals = bx_get_text(act, "values");
	if (vals == NULL || vals->type != BX_LIST || vals->len < 1 ||
	    vals->u.items[0]->type != BX_LIST)
		return tx_fail(d, i, "Initialize: values[0]: expected the "
		    "validator set (a list)");
	if (gi->has_validator_set)
		return tx_fail(d, i, "a second Initialize transaction");
	set = vals->u.items[0];
	gi->has_validator_set = 1;
	gi->validators = xcalloc(set->len, sizeof *gi->validators);
	for (j = 0; j < set->len; j++) {
		const struct bx *pk = bx_get_byte(set->u.items[j], 'P');
		const struct bx *pw = bx_get_byte(set->u.items[j], 'p');
		struct genesis_validator *gv = &gi->validators[j];
		struct key k;
		char m[96];

		memset(&k, 0, sizeof k);
		if (pk == NULL || pk->type != BX_BYTES ||
		    key_from_pub(&k, pk->u.s, pk->len, d) < 0) {
			snprintf(m, sizeof m, "Initialize: validator %zu: P: "
			    "not a secp256k1 public key", j);
			return tx_fail(d, i, m);
		}
		if (pw == NULL || pw->type != BX_INT ||
		    pw->len >= sizeof gv->power) {
			snprintf(m, sizeof m, "Initialize: validator %zu: p: "
			    "expected a power (an integer)", j);
			return tx_fail(d, i, m);
		}
		memcpy(gv->pub, k.pub, KEY_PUB_LEN);
		memcpy(gv->addr, k.addr, KEY_ADDR_LEN);
		memcpy(gv->power, pw->u.s, pw->len + 1);
		gi->nvalidators++;
	}
	return 0;
}

static int
check_txs(struct arena *a, const struct bx *list, const struct bx *h,
    struct genesis_info *gi, struct diag *d)
{
	const struct bx *x = bx_get_byte(h, 'x');
	struct tx *txs;
	struct buf b = BUF_INIT;
	unsigned char fp[32];
	size_t i, n = list ? list->len : 0;
	long long expect = 0;
	int rc = -1;

	if (list && list->type != BX_LIST)
		return diag_set(d, EXIT_INPUT, "T: expected a list");
	gi->ntxs = n;
	if (n == 0) {
		if (x)
			return diag_set(d, EXIT_INPUT, "header: x: a "
			    "transaction fingerprint, but no transactions");
		return 0;
	}
	if (x == NULL)
		return diag_set(d, EXIT_INPUT, "header: x: missing, but the "
		    "block has %zu transactions", n);
	txs = xcalloc(n, sizeof *txs);
	for (i = 0; i < n; i++) {
		const struct bx *raw = list->u.items[i];
		struct bx *dict;
		struct diag sub;

		if (raw->type != BX_BYTES) {
			tx_fail(d, i, "expected a byte string");
			goto out;
		}
		diag_clear(&sub);
		if (bx_decode(raw->u.s, raw->len, NULL, a, &dict, &sub) < 0) {
			tx_fail(d, i, sub.msg);
			goto out;
		}
		txs[i].raw = raw;
		txs[i].dict = dict;
		SHA256(raw->u.s, raw->len, txs[i].id);
		if (check_tx(a, &txs[i], i, d) < 0)
			goto out;
	}
	qsort(txs, n, sizeof *txs, tx_order);
	for (i = 0; i < n; i++) {
		if (i && memcmp(txs[i].signer, txs[i - 1].signer,
		    KEY_ADDR_LEN) != 0)
			expect = 0;
		if (txs[i].nonce != expect++) {
			char addr[43];

			key_address_text(txs[i].signer, addr);
			diag_set(d, EXIT_INPUT, "transactions of %s: nonce "
			    "%lld where %lld was due", addr, txs[i].nonce,
			    expect - 1);
			goto out;
		}
	}
	/* The fingerprint is over the transactions in TxId order. */
	qsort(txs, n, sizeof *txs, txid_cmp);
	buf_addc(&b, 'l');
	for (i = 0; i < n; i++)
		buf_add(&b, txs[i].raw->u.s, txs[i].raw->len);
	buf_addc(&b, 'e');
	SHA256((unsigned char *)b.p, b.len, fp);
	buf_release(&b);
	hex32(fp, gi->tx_fingerprint);
	if (x->type != BX_BYTES || x->len != 32 || memcmp(x->u.s, fp, 32)) {
		char want[65];

		hex32(x->type == BX_BYTES && x->len == 32 ? x->u.s : fp, want);
		diag_set(d, EXIT_INPUT, "header: x: the transaction "
		    "fingerprint is %s, but the transactions hash to %s", want,
		    gi->tx_fingerprint);
		goto out;
	}
	for (i = 0; i < n; i++)
		if (read_validators(&txs[i], gi, i, d) < 0)
			goto out;
	rc = 0;
out:
	free(txs);
	return rc;
}

/* The network's validator keys against the genesis' validator set. */
static int
compare_validators(const struct keyset *ks, const struct genesis_info *gi,
    struct diag *d)
{
	char addr[43], name[KEY_NAME_MAX], hex[2 * KEY_PUB_LEN + 1];
	size_t i, j, nkeys = 0;

	for (i = 0; i < ks->n; i++)
		if (ks->k[i].role == KEY_VALIDATOR)
			nkeys++;
	if (!gi->has_validator_set) {
		if (nkeys == 0)
			return 0;
		return diag_set(d, EXIT_INPUT, "the genesis has no validator "
		    "set (no Initialize transaction), but the network has %zu "
		    "validators", nkeys);
	}
	for (i = 0; i < ks->n; i++) {
		const struct key *k = &ks->k[i];

		if (k->role != KEY_VALIDATOR)
			continue;
		for (j = 0; j < gi->nvalidators; j++)
			if (memcmp(gi->validators[j].pub, k->pub,
			    KEY_PUB_LEN) == 0)
				break;
		if (j == gi->nvalidators) {
			key_address_text(k->addr, addr);
			key_name(k->role, k->index, name, sizeof name);
			return diag_set(d, EXIT_INPUT, "validator %s (%s) of "
			    "the network is not in the genesis", addr, name);
		}
	}
	for (j = 0; j < gi->nvalidators; j++) {
		for (i = 0; i < ks->n; i++)
			if (ks->k[i].role == KEY_VALIDATOR &&
			    memcmp(gi->validators[j].pub, ks->k[i].pub,
			    KEY_PUB_LEN) == 0)
				break;
		if (i == ks->n) {
			key_address_text(gi->validators[j].addr, addr);
			key_hex(gi->validators[j].pub, KEY_PUB_LEN, hex);
			return diag_set(d, EXIT_INPUT, "genesis lists "
			    "validator %s (%s) that the network does not have",
			    addr, hex);
		}
	}
	return 0;
}

static int
check_hash(struct diag *d, const struct bx *h, char key, const char *what,
    const unsigned char want[32], char out[65])
{
	const struct bx *v = bx_get_byte(h, key);
	char got[65];

	hex32(want, out);
	if (v == NULL || v->type != BX_BYTES || v->len != 32)
		return diag_set(d, EXIT_INPUT, "header: %c: missing or not a "
		    "32-byte %s", key, what);
	if (memcmp(v->u.s, want, 32) != 0) {
		hex32(v->u.s, got);
		return diag_set(d, EXIT_INPUT, "header: %c: the %s is %s, but "
		    "the block hashes to %s", key, what, got, out);
	}
	return 0;
}

/* Proof of work (protocol 3): the pre-evaluation hash, read as a
 * little-endian number, is below 2^256 / difficulty; difficulty 0 always
 * passes. */
static int
check_difficulty(const struct bx *h, const unsigned char pre[32],
    struct diag *d)
{
	const struct bx *v = bx_get_byte(h, 'd');
	BIGNUM *diff = NULL, *target = BN_new(), *hv = NULL;
	BN_CTX *ctx = BN_CTX_new();
	unsigned char le[32];
	int i, rc = 0;

	if (v == NULL || (v->len == 1 && v->u.s[0] == '0')) {
		BN_free(target);
		BN_CTX_free(ctx);
		return 0;
	}
	for (i = 0; i < 32; i++)
		le[i] = pre[31 - i];
	if (v->u.s[0] == '-' || !BN_dec2bn(&diff, (const char *)v->u.s) ||
	    target == NULL || ctx == NULL || !BN_one(target) ||
	    !BN_lshift(target, target, 256) ||
	    !BN_div(target, NULL, target, diff, ctx) ||
	    (hv = BN_bin2bn(le, 32, NULL)) == NULL)
		rc = diag_set(d, EXIT_INPUT, "header: d: expected a "
		    "difficulty (an integer of 0 or more)");
	else if (BN_cmp(hv, target) >= 0)
		rc = diag_set(d, EXIT_INPUT, "header: n: the nonce does not "
		    "meet difficulty %s", (const char *)v->u.s);
	BN_free(diff);
	BN_free(target);
	BN_free(hv);
	BN_CTX_free(ctx);
	return rc;
}

int
genesis_verify(const unsigned char *p, size_t n,
    const struct keyset *validators, struct genesis_info *gi,
    struct diag *d)
{
	struct bx_limits lim = { GENESIS_MAX_BYTES, 0, 1u << 22 };
	struct doc *tmp = doc_new("", 0);
	struct bx *top;
	const struct bx *h, *v;
	unsigned char pre[32], hash[32];
	struct key k;
	int rc = -1;

	memset(gi, 0, sizeof *gi);
	if (bx_decode(p, n, &lim, &tmp->arena, &top, d) < 0)
		goto out;
	h = bx_get_byte(top, 'H');
	if (top->type != BX_DICT || h == NULL || h->type != BX_DICT) {
		diag_set(d, EXIT_INPUT, "H: missing: not a block");
		goto out;
	}
	if ((v = bx_get_byte(h, 0)) != NULL)
		bx_int_value(v, &gi->protocol);
	if (gi->protocol != 3 && gi->protocol != 4) {
		diag_set(d, EXIT_INPUT, "header: 0x00: protocol version %lld "
		    "is not one 9c supports (3 or 4)", gi->protocol);
		goto out;
	}
	if ((v = bx_get_byte(h, 'i')) == NULL || bx_int_value(v,
	    &gi->index) < 0) {
		diag_set(d, EXIT_INPUT, "header: i: missing or not an "
		    "integer");
		goto out;
	}
	if (gi->index != 0) {
		diag_set(d, EXIT_INPUT, "header: i: index %lld: a genesis "
		    "block has index 0", gi->index);
		goto out;
	}
	if (bx_get_byte(h, 'p')) {
		diag_set(d, EXIT_INPUT, "header: p: a genesis block has no "
		    "previous hash");
		goto out;
	}
	if (block_hashes(h, pre, hash, d) < 0)
		goto out;
	v = bx_get_byte(h, 't');
	snprintf(gi->timestamp, sizeof gi->timestamp, "%.*s", (int)v->len,
	    (const char *)v->u.s);
	v = bx_get_byte(h, 'P');
	memset(&k, 0, sizeof k);
	if (key_from_pub(&k, v->u.s, v->len, d) < 0) {
		diag_set(d, EXIT_INPUT, "header: P: not a secp256k1 public "
		    "key");
		goto out;
	}
	key_address_text(k.addr, gi->miner);
	key_hex(k.pub, KEY_PUB_LEN, gi->miner_pub);
	hex32(bx_get_byte(h, 's')->u.s, gi->state_root_hash);
	if (check_txs(&tmp->arena, bx_get_byte(top, 'T'), h, gi, d) < 0 ||
	    check_hash(d, h, 'c', "pre-evaluation hash", pre,
	    gi->pre_evaluation_hash) < 0 || check_difficulty(h, pre, d) < 0)
		goto out;
	gi->is_signed = bx_get_byte(h, 'S') != NULL;
	if (gi->is_signed && check_signature(h, d) < 0)
		goto out;
	if (check_hash(d, h, 'h', "block hash", hash, gi->hash) < 0)
		goto out;
	if (validators && compare_validators(validators, gi, d) < 0)
		goto out;
	rc = 0;
out:
	doc_free(tmp);
	return rc;
}

void
genesis_info_free(struct genesis_info *gi)
{
	free(gi->validators);
	gi->validators = NULL;
	gi->nvalidators = 0;
}
