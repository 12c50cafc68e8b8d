/*
 * aws.h - credentials, region and endpoint as the AWS CLI finds them, and
 * AWS Secrets Manager calls over libcurl, signed with sigv4.h.
 *
 * Credential chain (the subset of botocore's that needs no other service):
 *   1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN or
 *      AWS_SECURITY_TOKEN), unless a profile was named explicitly (-p);
 *   2. the profile's keys in the shared credentials file
 *      (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials);
 *   3. the profile's keys in the config file (AWS_CONFIG_FILE, default
 *      ~/.aws/config, section [profile NAME] or [default]).
 * Profile: the explicit one, else AWS_PROFILE, AWS_DEFAULT_PROFILE, the
 * caller's fallback (the spec's aws.profile), "default".
 * Region: the explicit one (-r, then the spec), else AWS_REGION,
 * AWS_DEFAULT_REGION, the profile's region.
 * Endpoint: AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL, the
 * profile's `services' section (secrets_manager.endpoint_url), the profile's
 * endpoint_url, else https://secretsmanager.REGION.amazonaws.com (".com.cn"
 * for cn- regions).  AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true skips the
 * overrides.
 *
 * Ownership: struct aws_config owns its strings; aws_config_release() wipes
 * the keys and frees them all.  Messages name where a credential came from,
 * never its value.  Failures fill a struct diag: status 4 for what stops us
 * reaching or authenticating to AWS (no credentials, no region, connection
 * errors, signature and token errors), 5 for a timeout, 1 for a refusal
 * (AccessDenied, ResourceNotFound, ...), 3 for a reply we cannot read.
 */
#ifndef NINEC_AWS_H
#define NINEC_AWS_H

#include "diag.h"
#include "util.h"

struct aws_config {
	char *access_key, *secret_key, *session_token;
	char *region;
	char *endpoint;			/* URL, no trailing path needed */
	char *profile;
	const char *cred_source;	/* "environment" or "a shared file" */
	int max_attempts;		/* AWS_MAX_ATTEMPTS, default 5 */
	long timeout_ms;		/* per attempt */
};

/*
 * profile: named explicitly (disables environment keys) or NULL;
 * profile_fallback: used where AWS_PROFILE would be, when that is unset;
 * region: explicit or NULL.  need_endpoint 0 skips the endpoint (sign).
 */
int aws_config_load(struct aws_config *c, const char *profile,
    const char *profile_fallback, const char *region, struct diag *d);
void aws_config_release(struct aws_config *c);

/*
 * One Secrets Manager operation (op is "GetSecretValue", ...): POST the
 * JSON body, retrying throttling, 5xx and connection errors with capped
 * exponential backoff and full jitter.  On success *resp holds the reply
 * body (the caller wipes it when it holds a secret).  On an AWS error, d
 * gets "OP: Code: Message" and code (if not NULL, 128 bytes) the code.
 */
int aws_sm_call(const struct aws_config *c, const char *op, const char *body,
    size_t body_len, struct buf *resp, char *code, struct diag *d);

/* GetSecretValue: 0 with the SecretString in *value (and VersionId); 1 when
 * the secret does not exist (d says so, status 1); -1 with d. */
int aws_sm_get(const struct aws_config *c, const char *id, struct buf *value,
    char version[65], struct diag *d);

/*
 * Stores value as the current version of secret `name', creating it (with
 * the tag kubernetes.io/cluster/<cluster>=owned) when it is missing.  The
 * ClientRequestToken is derived from name and value, so a retry, or a push
 * of the value already there, makes no new version.  *what is "created",
 * "updated" or "unchanged".
 */
int aws_sm_put(const struct aws_config *c, const char *name,
    const char *cluster, const char *value, char version[65],
    const char **what, struct diag *d);

#endif
