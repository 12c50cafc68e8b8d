/*
 * libFuzzer target for the exec-plugin response reader: the input is what
 * a credential plugin printed; it is taken as an ExecCredential or refused
 * with a diagnostic, never crashing, leaking or reading out of bounds.
 * The reader is a static function of kube.c, which this file includes.
 */
#include "kube.c"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kube_config c;
	char *argv[2] = { "plugin", NULL };
	struct diag d;

	memset(&c, 0, sizeof c);
	c.exec_argv = argv;
	diag_clear(&d);
	if (exec_take(&c, (const char *)data, size, &d) == 0 && !c.exec_done)
		abort();
	if (c.token) {
		mem_wipe(c.token, strlen(c.token));
		free(c.token);
	}
	buf_wipe(&c.cert);
	buf_wipe(&c.key);
	return 0;
}
