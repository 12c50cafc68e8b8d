/*
 * shape.h - the real shapes of the values that become part of a host name,
 * a URL, a peer string or an ARN.
 *
 * A value from a spec, a facts file, an address file, the environment or
 * an AWS profile is put into "https://secretsmanager.REGION.amazonaws.com",
 * an ARN or "<key>,<host>,<port>" only after one of these accepted it, so
 * it cannot carry an '@', a '/', a ':' or a ',' into what is built from it.
 * This is the one place those shapes are defined; tools and the library
 * call it instead of checking characters themselves.
 *
 * Each function looks at s[0..n) (no NUL needed inside; a NUL byte is
 * never part of a shape), allocates nothing and keeps no state: 1 when the
 * value has the shape, 0 when not.
 */
#ifndef NINEC_SHAPE_H
#define NINEC_SHAPE_H

#include <stddef.h>

/* us-east-2, ap-northeast-2, us-gov-west-1: [a-z]{2}(-[a-z]+)+-[0-9]{1,2}. */
int shape_region(const char *s, size_t n);
/* An AWS account ID: 12 digits. */
int shape_account(const char *s, size_t n);
/* A DNS host name (RFC 1123 labels, either case, at most 253). */
int shape_dns(const char *s, size_t n);
/* An IPv4 or IPv6 address (IPv6 without brackets). */
int shape_ip(const char *s, size_t n);
/* What a peer or endpoint host may be: a DNS name or an IP address. */
int shape_host(const char *s, size_t n);
/* An endpoint we connect to: http:// or https://, a host (an IPv6 one in
 * brackets), an optional port 1-65535 and path; no userinfo, query or
 * fragment. */
int shape_url(const char *s, size_t n);
/* An ICE server as the node's --ice-server takes it: turn:// or stun://,
 * an optional user:password@ (RFC 3986 userinfo), a host and a port. */
int shape_ice(const char *s, size_t n);
/* The genesis block a node reads (--genesis-block-path): an http(s) URL of
 * shape_url()'s shape, or an absolute path of POSIX portable file name
 * characters inside the image. */
int shape_genesis(const char *s, size_t n);
/* A repository Argo CD takes as repoURL: git over http(s) (a shape_url()
 * URL: no credentials in it), ssh://[user@]host[:port]/path or the
 * scp-like user@host:path; a Helm chart repository over http(s), or an
 * OCI registry as oci://host[:port]/path or host[:port]/path. */
int shape_repo(const char *s, size_t n);
/* arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, with the region and the
 * account empty or of their shape and a resource of visible ASCII. */
int shape_arn(const char *s, size_t n);

/* A release version as charts and images pin it: 1.2.3, v2.2.2,
 * 9.28.0-rc.1+b2: a digit (after an optional 'v'), then digits, letters,
 * '.', '-' and '+', at most 128. */
int shape_version(const char *s, size_t n);

#endif
