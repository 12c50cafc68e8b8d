/*
 * libFuzzer target for the Bencodex decoder: any bytes are one canonical
 * value or a diagnostic, never a crash, a leak or an out-of-bounds access;
 * and since every value has exactly one encoding, what decodes must encode
 * back to the very same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "bencodex.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = { NULL, 0, 0 };
	struct bx *v;
	struct buf out = BUF_INIT;
	struct diag d;

	diag_clear(&d);
	if (bx_decode(data, size, NULL, &a, &v, &d) == 0) {
		if (bx_encode(v, &out, &d) < 0 || out.len != size ||
		    memcmp(out.p, data, size) != 0)
			abort();
		buf_release(&out);
	}
	arena_release(&a);
	return 0;
}
