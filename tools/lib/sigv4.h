/*
 * sigv4.h - AWS Signature Version 4 (AWS4-HMAC-SHA256, header signing).
 *
 * sigv4_sign() is a pure function of the request, the credentials, the
 * region, the service and the time: it builds the canonical request, the
 * string to sign and the Authorization value exactly as the AWS SigV4 test
 * suite spells them (tests/sigv4.bats runs all 34 cases).  It signs every
 * header it is given except the ones botocore never signs (user-agent,
 * expect, ...); the caller adds X-Amz-Date, Host and, with session
 * credentials, X-Amz-Security-Token before signing.  The path is normalised
 * (dot segments, repeated slashes) as for every service but S3.
 *
 * Ownership: the request only borrows its strings.  struct sigv4_result owns
 * three buffers; sigv4_result_release() frees them.  The signing key is
 * derived on the stack and wiped before return; the secret key is never
 * copied anywhere else and never appears in a message.
 */
#ifndef NINEC_SIGV4_H
#define NINEC_SIGV4_H

#include <stddef.h>

#include "diag.h"
#include "util.h"

struct sigv4_header {
	const char *name;
	size_t nlen;
	const char *value;		/* may span folded lines */
	size_t vlen;
};

struct sigv4_request {
	const char *method;
	const char *target;		/* path[?query] as on the request line */
	size_t tlen;
	const struct sigv4_header *h;
	size_t nh;
	const void *body;
	size_t body_len;
};

struct sigv4_creds {
	const char *access_key;
	const char *secret_key;
	const char *session_token;	/* NULL without session credentials */
};

struct sigv4_result {
	struct buf creq;		/* canonical request */
	struct buf sts;			/* string to sign */
	struct buf authz;		/* the Authorization header value */
};

/* amz_date is YYYYMMDD'T'HHMMSS'Z'.  0, or -1 with d (status 3). */
int sigv4_sign(const struct sigv4_request *r, const struct sigv4_creds *c,
    const char *region, const char *service, const char *amz_date,
    struct sigv4_result *out, struct diag *d);
void sigv4_result_release(struct sigv4_result *res);

/* UriEncode: unreserved bytes kept, every other byte %XX upper case;
 * keep_slash keeps '/' (paths). */
void sigv4_uri_encode(struct buf *b, const char *s, size_t n, int keep_slash);
/* Lower-case hex SHA-256 (65 bytes with the NUL). */
void sigv4_sha256_hex(const void *p, size_t n, char out[65]);
/* X-Amz-Date for a time (UTC). */
void sigv4_amz_date(long long t, char out[17]);

/*
 * A raw HTTP/1.1 request as the test suite writes it: request line, header
 * lines (folded continuation lines allowed), a blank line, the body.  CRs
 * are dropped.  The request borrows `text', which must outlive it.
 * head/head_len is the request line and headers as given (for printing the
 * signed request).  sigv4_http_release() frees the header array.
 */
struct sigv4_http {
	struct sigv4_request req;
	struct sigv4_header *h;
	size_t nh, cap;
	char method[16];
	const char *head;
	size_t head_len;
};

int sigv4_http_parse(struct sigv4_http *hr, char *text, size_t n,
    struct diag *d);
/* Adds a header (strings borrowed). */
void sigv4_http_add(struct sigv4_http *hr, const char *name,
    const char *value);
/* The header's value, or NULL (name compared without case). */
const struct sigv4_header *sigv4_http_find(const struct sigv4_http *hr,
    const char *name);
void sigv4_http_release(struct sigv4_http *hr);

#endif
