/*
 * libFuzzer target for the spec reader (9c-spec(5)): any input is a spec
 * or a diagnostic, never a crash, a leak or an out-of-bounds access; a
 * spec that loads answers every role.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "spec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spec s;
	struct diag d;
	int r;

	diag_clear(&d);
	if (spec_load_mem("<fuzz>", (const char *)data, size, &s, &d) < 0)
		return 0;
	if (spec_name(&s) == NULL || spec_namespace(&s) == NULL)
		abort();
	for (r = 0; r < ROLE_N; r++)
		if (spec_count(&s, (enum spec_role)r) < 0)
			abort();
	spec_free(&s);
	return 0;
}
