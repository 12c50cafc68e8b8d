/*
 * libFuzzer target for the AWS config and credentials reader: the input is
 * the config file, then a NUL byte, then the credentials file; they are
 * read for the default profile and for profile "p", never crashing,
 * leaking or reading out of bounds.
 */
#include <stdlib.h>
#include <string.h>

#include "aws.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const unset[] = { "AWS_ACCESS_KEY_ID",
	    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION",
	    "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
	    "AWS_ENDPOINT_URL_SECRETS_MANAGER",
	    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_MAX_ATTEMPTS", NULL };
	size_t i;

	for (i = 0; unset[i]; i++)
		unsetenv(unset[i]);
	/* Once: setenv() keeps every value it was ever given. */
	setenv("AWS_CONFIG_FILE", fuzz_file(0, "", 0), 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", fuzz_file(1, "", 0), 1);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t n1 = nul ? (size_t)(nul - data) : size;
	struct aws_config c;
	struct diag d;
	int i;

	fuzz_file(0, data, n1);
	fuzz_file(1, nul ? nul + 1 : data, nul ? size - n1 - 1 : 0);
	for (i = 0; i < 2; i++) {
		memset(&c, 0, sizeof c);
		diag_clear(&d);
		if (aws_config_load(&c, i ? "p" : NULL, NULL, NULL, &d) == 0 &&
		    (c.access_key == NULL || c.secret_key == NULL))
			abort();
		aws_config_release(&c);
	}
	return 0;
}
