/*
 * escape-prop - the property of diag_escape(): any byte string in, one
 * printable line out, and (where nothing is masked and the input holds no
 * backslash of its own, which stays as it is) the input can be read back
 * from it exactly.  Inputs: every byte alone, every pair of bytes, then
 * random strings weighted towards the bytes that matter (controls, '\\',
 * UTF-8 lead and continuation bytes, hex digits, "://" and '@').
 * Prints "ok N" or the first failing input in hex, and exits 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util.h"

static unsigned long long seed = 0x9c2026;

static unsigned
rnd(void)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(seed >> 33);
}

static void
die(const char *why, const unsigned char *s, size_t n, const char *out)
{
	size_t i;

	printf("%s: input", why);
	for (i = 0; i < n; i++)
		printf(" %02x", s[i]);
	printf("\noutput: %s\n", out);
	exit(1);
}

/* One printable line: ASCII 0x20-0x7e, or valid UTF-8 of no control,
 * separator or bidirectional code point. */
static int
printable(const char *out, size_t len)
{
	size_t i = 0;
	uint32_t cp;
	int k;

	while (i < len) {
		unsigned char c = (unsigned char)out[i];

		if (c >= 0x20 && c < 0x7f) {
			i++;
			continue;
		}
		if (c < 0x80)
			return 0;
		k = utf8_decode((const unsigned char *)out + i, len - i, &cp);
		if (k == 0 || cp < 0xa0 || (cp >= 0x2028 && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff)
			return 0;
		i += (size_t)k;
	}
	return 1;
}

static int
hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
	    c - 'a' + 10 : -1;
}

/* The escapes read back; -1 on an escape diag_escape never writes. */
static long
unescape(const char *e, size_t len, unsigned char *out)
{
	size_t i = 0, k = 0;

	while (i < len) {
		if (e[i] != '\\') {
			out[k++] = (unsigned char)e[i++];
			continue;
		}
		if (i + 1 >= len)
			return -1;
		switch (e[i + 1]) {
		case 'n': out[k++] = '\n'; i += 2; break;
		case 't': out[k++] = '\t'; i += 2; break;
		case 'r': out[k++] = '\r'; i += 2; break;
		case 'e': out[k++] = 0x1b; i += 2; break;
		case 'x':
			if (i + 3 >= len || hexval(e[i + 2]) < 0 ||
			    hexval(e[i + 3]) < 0)
				return -1;
			out[k++] = (unsigned char)(hexval(e[i + 2]) * 16 +
			    hexval(e[i + 3]));
			i += 4;
			break;
		default:
			return -1;
		}
	}
	return (long)k;
}

static void
check(const unsigned char *s, size_t n)
{
	char out[4 * 256 + 1];
	unsigned char back[4 * 256];
	size_t len;
	long m;

	len = diag_escape(out, sizeof out, (const char *)s, n);
	if (len != strlen(out))
		die("length", s, n, out);
	if (!printable(out, len))
		die("not one printable line", s, n, out);
	/* Nothing was masked when no "***" appears: then it must read back. */
	if (strstr(out, "***") == NULL && memchr(s, '\\', n) == NULL) {
		m = unescape(out, len, back);
		if (m != (long)n || memcmp(back, s, n) != 0)
			die("does not read back", s, n, out);
	}
}

int
main(void)
{
	static const unsigned char hot[] = {
		0, 7, 8, 9, 10, 13, 27, 31, 127, '\\', '@', ':', '/', 'a', 'F',
		'0', 0x80, 0x9b, 0xbf, 0xc0, 0xc2, 0xe2, 0x80, 0xae, 0xef,
		0xbb, 0xf0, 0xf4, 0xf5, 0xff,
	};
	unsigned char s[256];
	unsigned long count = 0;
	size_t n, i, j;

	for (i = 0; i < 256; i++) {
		s[0] = (unsigned char)i;
		check(s, 1);
		count++;
		for (j = 0; j < 256; j++) {
			s[1] = (unsigned char)j;
			check(s, 2);
			count++;
		}
	}
	for (i = 0; i < 200000; i++) {
		n = rnd() % 200;
		for (j = 0; j < n; j++) {
			s[j] = rnd() % 3 ? hot[rnd() % sizeof hot] :
			    (unsigned char)rnd();
			/* Half the strings have no backslash: those must
			 * read back. */
			if (i % 2 == 0 && s[j] == '\\')
				s[j] = 'b';
		}
		check(s, n);
		count++;
	}
	/* What the masks are for: never shown, whatever surrounds them. */
	{
		const char *key = "f1c9f8458d3a8620f171a4cac1521c14c00defda6848fde4d9aa338b69f0735f";
		char out[1024], in[512];

		diag_secret(key);
		snprintf(in, sizeof in, "x\n%s\033]0;", key);
		diag_escape(out, sizeof out, in, strlen(in));
		if (strcmp(out, "x\\n***\\e]0;") != 0)
			die("key not masked", (const unsigned char *)in,
			    strlen(in), out);
		diag_secret("tok-ABCDEFGH");
		snprintf(in, sizeof in, "Bearer tok-ABCDEFGH, https://u:p@h/");
		diag_escape(out, sizeof out, in, strlen(in));
		if (strcmp(out, "Bearer ***, https://***@h/") != 0)
			die("secret not masked", (const unsigned char *)in,
			    strlen(in), out);
		/* A cut never splits an escape or a character. */
		diag_escape(out, 6, "ab\033\033", 4);
		if (strcmp(out, "ab\\e") != 0)
			die("cut", (const unsigned char *)"ab\033\033", 4, out);
	}
	printf("ok %lu\n", count);
	return 0;
}
