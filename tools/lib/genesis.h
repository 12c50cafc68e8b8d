/*
 * genesis.h - Libplanet blocks as Bencodex: the hashes a node recomputes
 * when it loads a block, and the checks a genesis block must pass before a
 * network is started on it.
 *
 * A serialized block is a dictionary with byte keys: H, the header (1-byte
 * byte keys: 0x00 protocol version, i index, t timestamp, d/T difficulty and
 * total difficulty, p previous hash, x transaction fingerprint, P the
 * miner's public key, n nonce, c pre-evaluation hash, s state root hash,
 * h hash, S signature), and T, the list of the signed transactions' bytes.
 * The hashes are over a "candidate" dictionary with text keys built from the
 * header (block_candidate()): pre-evaluation hash = SHA-256 of its bytes;
 * the signature is over the candidate plus state_root_hash; the block hash
 * is over the candidate plus state_root_hash plus signature.  The state
 * root itself cannot be checked without running Lib9c's actions.
 *
 * Ownership: struct genesis_info owns its validator array;
 * genesis_info_free() releases it.  Hashes are lower-case hex.  Functions
 * fill a struct diag (status 3 for a block that is not what it says, with
 * what differs) and return -1.
 */
#ifndef NINEC_GENESIS_H
#define NINEC_GENESIS_H

#include <stddef.h>

#include "bencodex.h"
#include "diag.h"
#include "keys.h"

/* Genesis files are a few MiB; mainnet's is the largest known. */
#define GENESIS_MAX_BYTES (64u * 1024 * 1024)

struct genesis_validator {
	unsigned char pub[KEY_PUB_LEN];
	unsigned char addr[KEY_ADDR_LEN];
	char power[32];			/* decimal */
};

struct genesis_info {
	long long index;
	long long protocol;
	char timestamp[40];
	char miner[43];			/* 0x + EIP-55 */
	char miner_pub[2 * KEY_PUB_LEN + 1];
	char pre_evaluation_hash[65];
	char hash[65];
	char state_root_hash[65];
	char tx_fingerprint[65];	/* empty without transactions */
	int is_signed;
	size_t ntxs;
	int has_validator_set;		/* an Initialize transaction */
	struct genesis_validator *validators;
	size_t nvalidators;
};

/*
 * The candidate dictionary of a header (in arena a), and the two hashes a
 * node recomputes: pre (of the candidate) and hash (with state root and
 * signature).  The header's own c and h are not read.
 */
int block_candidate(struct arena *a, const struct bx *header,
    struct bx **cand, struct diag *d);
int block_hashes(const struct bx *header, unsigned char pre[32],
    unsigned char hash[32], struct diag *d);

/*
 * Decodes and checks a genesis block: canonical Bencodex, a header of
 * protocol 3 or 4, index 0 and no previous hash, every transaction's
 * signature and the transaction fingerprint, the pre-evaluation hash and
 * its difficulty, the block signature and the block hash.  With validators, the validator set
 * of the genesis' Initialize transaction must hold exactly the public keys
 * of validators' validator keys (other roles are ignored).  gi is filled as
 * far as the block could be read.
 */
int genesis_verify(const unsigned char *p, size_t n,
    const struct keyset *validators, struct genesis_info *gi,
    struct diag *d);
void genesis_info_free(struct genesis_info *gi);

#endif
