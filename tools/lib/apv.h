/*
 * apv.h - Libplanet AppProtocolVersion tokens: parse, verify, sign.
 *
 * A token is <version>/<signer>/<sig>[/<extra>]: a signed 32-bit decimal,
 * the signer's address in EIP-55 form without 0x, the DER signature in
 * base64 with '/' written '.', and, when there is an extra, its Bencodex
 * bytes the same way.  The signed message is the version as 4 big-endian
 * bytes followed by the extra's Bencodex bytes (when present); the signature
 * is key_sign()'s (keys.h), so a token signed here is the token Libplanet
 * signs from the same key, byte for byte.  An absent extra differs from a
 * Bencodex null extra ("n", the 4th field "bg==").
 *
 * Ownership: struct apv owns its extra bytes; apv_free() releases them and
 * leaves the struct empty.  Functions fill a struct diag (status 3 for a bad
 * token, a mismatched key or a signature that does not hold) and return -1.
 * The signer's private key is never copied into a message.
 */
#ifndef NINEC_APV_H
#define NINEC_APV_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "util.h"

/* Far past any real extra (a timestamp dictionary is ~30 bytes). */
#define APV_TOKEN_MAX (64u * 1024)

struct apv {
	int32_t version;
	unsigned char signer[20];          /* address */
	unsigned char sig[80]; size_t siglen;  /* DER */
	unsigned char *extra; size_t extralen; /* Bencodex bytes; NULL when absent */
};

/* Parse the token text; checks the fields and the EIP-55 checksum; status 3 in d on error,
   with a reason such as "signer: address checksum is invalid". */
int apv_parse(const char *tok, size_t n, struct apv *a, struct diag *d);
/* The signature is valid over the signed bytes and the signer is the address of pub
   (33-byte SEC1 compressed). */
int apv_verify(const struct apv *a, const unsigned char pub[33], struct diag *d);
/* Sign; writes the token text (NUL-terminated) to out. */
int apv_sign(int32_t version, const unsigned char *extra, size_t extralen,
    const unsigned char priv[32], struct buf *out, struct diag *d);
void apv_free(struct apv *a);

/* The signed bytes of a (version, then extra) appended to out. */
void apv_message(const struct apv *a, struct buf *out);
/* The token text of a appended to out. */
void apv_format(const struct apv *a, struct buf *out);

#endif
