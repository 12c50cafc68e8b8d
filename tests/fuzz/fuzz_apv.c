/*
 * libFuzzer target for the APV token parser: any text is a token or a
 * diagnostic, never a crash, a leak or an out-of-bounds access; a token
 * that parses is written back as text that parses to the same token, and
 * verifying it against a key (it will not hold) only ever fails cleanly.
 */
#include <stdlib.h>
#include <string.h>

#include "apv.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char pub[33] = { 0x02, 0x79, 0xbe, 0x66, 0x7e,
	    0xf9, 0xdc, 0xbb, 0xac, 0x55, 0xa0, 0x62, 0x95, 0xce, 0x87, 0x0b,
	    0x07, 0x02, 0x9b, 0xfc, 0xdb, 0x2d, 0xce, 0x28, 0xd9, 0x59, 0xf2,
	    0x81, 0x5b, 0x16, 0xf8, 0x17, 0x98 };
	struct apv a, b;
	struct buf out = BUF_INIT;
	struct diag d;

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	diag_clear(&d);
	if (apv_parse((const char *)data, size, &a, &d) == 0) {
		apv_format(&a, &out);
		if (apv_parse(out.p, out.len, &b, &d) < 0 ||
		    a.version != b.version ||
		    memcmp(a.signer, b.signer, sizeof a.signer) != 0 ||
		    a.siglen != b.siglen || memcmp(a.sig, b.sig, a.siglen) != 0 ||
		    (a.extra == NULL) != (b.extra == NULL) ||
		    a.extralen != b.extralen ||
		    (a.extra && memcmp(a.extra, b.extra, a.extralen) != 0))
			abort();
		apv_free(&b);
		buf_reset(&out);
		apv_message(&a, &out);
		(void)apv_verify(&a, pub, &d);
		buf_release(&out);
	}
	apv_free(&a);
	return 0;
}
