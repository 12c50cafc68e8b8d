#include <arpa/inet.h>
#include <string.h>

#include "shape.h"

static int
span(const char *s, size_t n, const char *set)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(set, s[i]) == NULL)
			return 0;
	return 1;
}

#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define DIGIT "0123456789"
#define ALNUM LOWER "ABCDEFGHIJKLMNOPQRSTUVWXYZ" DIGIT

int
shape_region(const char *s, size_t n)
{
	size_t i, k, words = 0;

	if (n < 4 || !span(s, 2, LOWER) || s[2] != '-')
		return 0;
	for (i = 3; i < n; i = k + 1) {
		for (k = i; k < n && s[k] != '-'; k++)
			;
		if (k == n)
			break;
		if (k == i || !span(s + i, k - i, LOWER))
			return 0;
		words++;
	}
	return words >= 1 && n - i >= 1 && n - i <= 2 &&
	    span(s + i, n - i, DIGIT);
}

int
shape_account(const char *s, size_t n)
{
	return n == 12 && span(s, n, DIGIT);
}

int
shape_dns(const char *s, size_t n)
{
	size_t i, k;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i <= n; i = k + 1) {
		for (k = i; k < n && s[k] != '.'; k++)
			;
		if (k == i || k - i > 63 || s[i] == '-' || s[k - 1] == '-' ||
		    !span(s + i, k - i, ALNUM "-"))
			return 0;
	}
	return 1;
}

int
shape_ip(const char *s, size_t n)
{
	char tmp[64];
	unsigned char addr[16];

	if (n == 0 || n >= sizeof tmp || memchr(s, '\0', n))
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return inet_pton(AF_INET, tmp, addr) == 1 ||
	    inet_pton(AF_INET6, tmp, addr) == 1;
}

int
shape_host(const char *s, size_t n)
{
	return shape_dns(s, n) || shape_ip(s, n);
}

/* The length of s after scheme ("http://"), 0 when s does not start so. */
static size_t
scheme(const char *s, size_t n, const char *scheme)
{
	size_t len = strlen(scheme);

	return n > len && memcmp(s, scheme, len) == 0 ? len : 0;
}

/* The authority's host at s[i] (an IPv6 one in brackets) and a port
 * (required when need_port): the index just past them, 0 when absent or
 * bad.  The host ends at a ':' or a '/'. */
static size_t
host_port(const char *s, size_t n, size_t i, int need_port)
{
	size_t h, k;

	if (i < n && s[i] == '[') {
		for (k = i + 1; k < n && s[k] != ']'; k++)
			;
		if (k == n || !shape_ip(s + i + 1, k - i - 1) ||
		    !memchr(s + i + 1, ':', k - i - 1))
			return 0;
		k++;
	} else {
		for (k = i; k < n && s[k] != ':' && s[k] != '/'; k++)
			;
		if (!shape_host(s + i, k - i))
			return 0;
	}
	if (k < n && s[k] == ':') {
		unsigned long port = 0;

		for (h = ++k; k < n && s[k] >= '0' && s[k] <= '9'; k++)
			if ((port = port * 10 + (unsigned long)(s[k] - '0')) >
			    65535)
				return 0;
		if (k == h || port == 0)
			return 0;
	} else if (need_port)
		return 0;
	return k;
}

int
shape_url(const char *s, size_t n)
{
	size_t i, k;

	if ((i = scheme(s, n, "http://")) == 0 &&
	    (i = scheme(s, n, "https://")) == 0)
		return 0;
	if ((k = host_port(s, n, i, 0)) == 0)
		return 0;
	/* The path: unreserved characters, sub-delims, ':', '@' and '%'. */
	return k == n || (s[k] == '/' && span(s + k, n - k,
	    ALNUM "-._~!$&'()*+,;=:@%/"));
}

/* Userinfo as RFC 3986 has it (unreserved, sub-delims, '%'), split at its
 * one ':' into a user and a password, neither empty. */
static int
user_password(const char *s, size_t n)
{
	const char *c = memchr(s, ':', n);

	return c && c > s && c < s + n - 1 &&
	    !memchr(c + 1, ':', (size_t)(s + n - c - 1)) &&
	    span(s, n, ALNUM "-._~!$&'()*+,;=:%");
}

int
shape_ice(const char *s, size_t n)
{
	const char *at;
	size_t i;

	if ((i = scheme(s, n, "turn://")) == 0 &&
	    (i = scheme(s, n, "stun://")) == 0)
		return 0;
	if ((at = memchr(s + i, '@', n - i)) != NULL) {
		if (!user_password(s + i, (size_t)(at - s) - i))
			return 0;
		i = (size_t)(at - s) + 1;
	}
	return host_port(s, n, i, 1) == n;
}

int
shape_genesis(const char *s, size_t n)
{
	return shape_url(s, n) || (n > 1 && n <= 4096 && s[0] == '/' &&
	    span(s, n, ALNUM "._-/"));
}

/* A repository path after the host: what git and OCI names use. */
static int
repo_path(const char *s, size_t n)
{
	return n > 0 && span(s, n, ALNUM "-._~/%+") && s[0] != '-';
}

#define USER ALNUM "-._~"

int
shape_repo(const char *s, size_t n)
{
	const char *at, *c;
	size_t i, k, h;

	if (shape_url(s, n))
		return 1;
	/* ssh:// may name its user, never a password. */
	if ((i = scheme(s, n, "ssh://")) != 0 &&
	    (at = memchr(s + i, '@', n - i)) != NULL) {
		if (at == s + i || !span(s + i, (size_t)(at - s) - i, USER))
			return 0;
		i = (size_t)(at - s) + 1;
	}
	if (i || (i = scheme(s, n, "oci://")) != 0) {
		k = host_port(s, n, i, 0);
		return k && k < n && s[k] == '/' && repo_path(s + k, n - k);
	}
	/* scp-like git: user@host:path. */
	if ((at = memchr(s, '@', n)) != NULL) {
		c = memchr(at, ':', (size_t)(s + n - at));
		return at > s && span(s, (size_t)(at - s), USER) && c &&
		    shape_host(at + 1, (size_t)(c - at - 1)) &&
		    repo_path(c + 1, (size_t)(s + n - c - 1));
	}
	/* A Helm OCI registry without a scheme: a dotted host, then a path
	 * (so a bare relative path is not taken for one). */
	for (h = 0; h < n && s[h] != ':' && s[h] != '/'; h++)
		;
	k = host_port(s, n, 0, 0);
	return k && k < n && s[k] == '/' && memchr(s, '.', h) &&
	    repo_path(s + k, n - k);
}

int
shape_arn(const char *s, size_t n)
{
	const char *f[6];
	size_t len[6], i, k = 0, start = 0;

	for (i = 0; i <= n && k < 6; i++)
		if (i == n || (s[i] == ':' && k < 5)) {
			f[k] = s + start;
			len[k++] = i - start;
			start = i + 1;
		}
	if (k != 6 || len[0] != 3 || memcmp(f[0], "arn", 3) != 0)
		return 0;
	if (!((len[1] == 3 && memcmp(f[1], "aws", 3) == 0) ||
	    (len[1] == 6 && memcmp(f[1], "aws-cn", 6) == 0) ||
	    (len[1] == 10 && memcmp(f[1], "aws-us-gov", 10) == 0)))
		return 0;
	if (len[2] == 0 || !span(f[2], len[2], LOWER DIGIT "-"))
		return 0;
	if (len[3] && !shape_region(f[3], len[3]))
		return 0;
	if (len[4] && !shape_account(f[4], len[4]))
		return 0;
	return len[5] > 0 && span(f[5], len[5],
	    ALNUM "-._~!$&'()*+,;=:@%/#[]{}|^`<>?");
}

int
shape_version(const char *s, size_t n)
{
	size_t i = n && s[0] == 'v';

	return n > i && n <= 128 && s[i] >= '0' && s[i] <= '9' &&
	    span(s + i, n - i, ALNUM ".-+");
}
