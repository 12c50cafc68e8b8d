/*
 * keys.h - Libplanet node keys: secp256k1 private keys, compressed public
 * keys, Keccak-256 and EIP-55 addresses, and the key sets 9c-secrets moves
 * between files, AWS and Kubernetes.
 *
 * A node key is named as the team's cluster names it: seed-private-key-N,
 * miner-private-key-N or validator-private-key-N, N from 1.  The network's
 * APV signer key (apv.h) travels with them as apv-signer-private-key: role
 * KEY_APV_SIGNER, always index 1, no number in its name.  Private keys
 * are 32 bytes, written as 64 lower-case hex digits (Libplanet ByteUtil.Hex);
 * a generated key never has a zero top byte (Libplanet's PrivateKey() loops
 * until D is 32 bytes long).  Public keys are written compressed (66 hex
 * digits); addresses are the last 20 bytes of Keccak-256 over the 64-byte
 * X||Y, written "0x" + EIP-55 mixed case.  OpenSSL 3.0 has no Keccak-256
 * (only SHA3, whose padding differs), so the sponge lives here.
 *
 * Ownership: a struct keyset owns its array; keyset_wipe() overwrites every
 * private key and frees it.  Private key bytes are never copied into a
 * diag message.  Functions that can fail on input fill a struct diag
 * (status 3) and return -1.
 */
#ifndef NINEC_KEYS_H
#define NINEC_KEYS_H

#include <stddef.h>

#include "diag.h"
#include "node.h"
#include "util.h"

#define KEY_PRIV_LEN 32
#define KEY_PUB_LEN 33
#define KEY_ADDR_LEN 20
#define KEY_NAME_MAX 64
/* Sanity bound: far past any test network, small enough to stay cheap. */
#define KEY_INDEX_MAX 1000

enum key_role {
	KEY_SEED, KEY_MINER, KEY_VALIDATOR, KEY_APV_SIGNER, KEY_NROLES
};
/* The roles of nodes: the ones a spec counts. */
#define KEY_NODE_ROLES KEY_APV_SIGNER
#define KEY_APV_SIGNER_NAME "apv-signer-private-key"

struct key {
	enum key_role role;
	long index;			/* 1-based */
	int has_priv;
	unsigned char priv[KEY_PRIV_LEN];
	unsigned char pub[KEY_PUB_LEN];	/* SEC1 compressed */
	unsigned char addr[KEY_ADDR_LEN];
};

struct keyset {
	struct key *k;
	size_t n, cap;
};

/* Keccak-256 (original padding 0x01, as Ethereum and Libplanet use). */
void keccak256(const void *p, size_t n, unsigned char out[32]);
/* The same sponge with another padding byte: 0x06 gives SHA3-256, which
 * lets tests check the permutation against OpenSSL. */
void keccak256_pad(const void *p, size_t n, unsigned char pad,
    unsigned char out[32]);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void key_hex(const unsigned char *p, size_t n, char *out);
/* n hex digits (either case, no 0x) into n/2 bytes; 0 or -1. */
int key_unhex(const char *s, size_t n, unsigned char *out);

/* A fresh random key (RAND_bytes, 1 <= d < n, top byte not zero). */
int key_generate(struct key *k, struct diag *d);
/* Fills pub and addr from priv; -1 when priv is 0 or not below the order. */
int key_from_priv(struct key *k, const unsigned char priv[KEY_PRIV_LEN],
    struct diag *d);
/* Public-only key from a SEC1 point (33 or 65 bytes). */
int key_from_pub(struct key *k, const unsigned char *pub, size_t n,
    struct diag *d);
/* "0x" + EIP-55 checksummed hex: 43 bytes with the NUL. */
void key_address_text(const unsigned char addr[KEY_ADDR_LEN], char out[43]);
void key_wipe(struct key *k);
/* 40 hex digits, or 42 with "0x", into addr, as Libplanet's Address(string)
 * reads them: all lower case is taken as it is, any other casing must be
 * the EIP-55 checksum form.  -1 with a reason in d (status 3). */
int key_address_parse(const char *s, size_t n, unsigned char addr[KEY_ADDR_LEN],
    struct diag *d);

/*
 * ECDSA over secp256k1 as Libplanet signs: SHA-256 of the message, k from
 * RFC 6979 (HMAC-SHA256), s made low (s <= n/2), DER with minimal integers.
 * OpenSSL 3.0 has no deterministic k, so it is derived here with BIGNUM.
 * key_sign() writes at most KEY_SIG_MAX bytes; key_verify() is plain ECDSA
 * verification (it takes a high s, as Libplanet does) and returns 1 when the
 * signature holds, 0 when it does not or cannot be parsed.
 */
#define KEY_SIG_MAX 72
int key_sign(const unsigned char priv[KEY_PRIV_LEN], const void *msg, size_t n,
    unsigned char sig[KEY_SIG_MAX], size_t *siglen, struct diag *d);
int key_verify(const unsigned char *pub, size_t publen, const void *msg,
    size_t n, const unsigned char *sig, size_t siglen);
/* 1 when sig is exactly one DER SEQUENCE of two INTEGERs, else 0. */
int key_sig_is_der(const unsigned char *sig, size_t siglen);

const char *key_role_name(enum key_role r);
int key_role_parse(const char *s, size_t n, enum key_role *r);
/* seed-private-key-1 (apv-signer-private-key); -1 if it does not fit. */
int key_name(enum key_role r, long index, char *out, size_t n);
/* The reverse; -1 for a name that is not a key name. */
int key_name_parse(const char *s, size_t n, enum key_role *r, long *index);

void keyset_init(struct keyset *ks);
void keyset_wipe(struct keyset *ks);
struct key *keyset_find(const struct keyset *ks, enum key_role r, long index);
/* Adds a copy; -1 if (role, index) is already there. */
int keyset_add(struct keyset *ks, const struct key *k);
/* Seeds, then miners, then validators, each by index. */
void keyset_sort(struct keyset *ks);

/*
 * The AWS secret value: a flat JSON object {"seed-private-key-1": "<hex>"}.
 * keyset_from_json() ignores keys that are not node key names (the secret
 * may hold other things) and checks every value it takes.
 */
int keyset_from_json(struct keyset *ks, const char *json, size_t n,
    struct diag *d);
void keyset_to_json(const struct keyset *ks, struct buf *out);

/*
 * Documents: NodePrivateKeys / NodePublicKeys (9c-secrets(1)), or the flat
 * secret layout as YAML.  need_priv asks for private keys.  Errors carry the
 * field path; the caller sets the input and document.
 */
int keyset_from_node(struct keyset *ks, const struct node *root,
    int need_priv, struct diag *d);
struct node *keyset_to_node(const struct keyset *ks, struct arena *a,
    const char *name, int with_priv);
/* Overwrites the bytes of every string in a tree (documents that held
 * private keys, before doc_free). */
void keys_wipe_tree(struct node *n);

#endif
