/*
 * libFuzzer target for the SigV4 canonicalizer: the input is a raw HTTP
 * request as the AWS test suite writes them; whatever parses is signed,
 * and signing must either succeed with a well-formed Authorization value
 * or give a diagnostic, never crash, leak or read out of bounds.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sigv4.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sigv4_creds c = { "AKIDEXAMPLE",
	    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL };
	struct sigv4_http hr;
	struct sigv4_result res;
	struct diag d;
	char *text = malloc(size + 1);

	if (text == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	diag_clear(&d);
	if (sigv4_http_parse(&hr, text, size, &d) == 0) {
		memset(&res, 0, sizeof res);
		if (sigv4_sign(&hr.req, &c, "us-east-1", "service",
		    "20150830T123600Z", &res, &d) == 0 &&
		    strncmp(res.authz.p ? res.authz.p : "",
		    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=",
		    95) != 0)
			abort();
		sigv4_result_release(&res);
		sigv4_http_release(&hr);
	}
	free(text);
	return 0;
}
