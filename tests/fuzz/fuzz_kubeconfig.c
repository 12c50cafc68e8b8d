/*
 * libFuzzer target for the kubeconfig reader: any file must load or give a
 * diagnostic, never crash, leak or read out of bounds; what loads must
 * answer its accessors.  Exec plugins are only recorded when loading, so
 * nothing is run.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "kube.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsetenv("KUBECONFIG");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kube_config_opts o = { NULL, NULL, NULL };
	struct kube_config *c = NULL;
	struct diag d;

	o.kubeconfig = fuzz_file(0, data, size);
	diag_clear(&d);
	if (kube_config_load(&c, &o, &d) == 0) {
		if (kube_config_server(c) == NULL || kube_config_namespace(c) == NULL)
			abort();
		(void)kube_config_context(c);
		kube_config_free(c);
	}
	return 0;
}
