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

int
shape_url(const char *s, size_t n)
{
	size_t i, h, k;

	if (n > 7 && memcmp(s, "http://", 7) == 0)
		i = 7;
	else if (n > 8 && memcmp(s, "https://", 8) == 0)
		i = 8;
	else
		return 0;
	if (s[i] == '[') {
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
	}
	/* The path: unreserved characters, sub-delims, ':', '@' and '%'. */
	return k == n || (s[k] == '/' && span(s + k, n - k,
	    ALNUM "-._~!$&'()*+,;=:@%/"));
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
