#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util.h"

void
diag_clear(struct diag *d)
{
	memset(d, 0, sizeof *d);
}

int
diag_set(struct diag *d, int status, const char *fmt, ...)
{
	va_list ap;

	d->status = status;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
	return -1;
}

void
diag_at(struct diag *d, const char *input, int doc, int line, int col)
{
	snprintf(d->input, sizeof d->input, "%s", input ? input : "");
	d->doc = doc;
	d->line = line;
	d->col = col;
}

int
diag_vfail(struct diag *d, int status, const char *input, int line, int col,
    const char *path, const char *fmt, va_list ap)
{
	diag_clear(d);
	diag_at(d, input, 0, line, col);
	diag_setpath(d, path);
	d->status = status;
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	return -1;
}

int
diag_fail(struct diag *d, int status, const char *input, int line, int col,
    const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vfail(d, status, input, line, col, path, fmt, ap);
	va_end(ap);
	return -1;
}

void
diag_setpath(struct diag *d, const char *path)
{
	snprintf(d->path, sizeof d->path, "%s", path ? path : "");
}

static int
is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* A field path is made of keys, and a key is where a pasted private key
 * lands: runs of 64 or more hex digits in it, but for a public key's 66
 * or 130, are shown as "***".  (Messages keep theirs: hashes have that
 * shape too.) */
static void
mask_path(const char *in, char *out, size_t n)
{
	size_t i = 0, k = 0, len;

	while (in[i] && k + 4 < n) {
		for (len = 0; is_hex((unsigned char)in[i + len]); len++)
			;
		if (len >= 64 && len != 66 && len != 130 &&
		    (i == 0 || !is_hex((unsigned char)in[i - 1]))) {
			memcpy(out + k, "***", 3);
			k += 3;
			i += len;
		} else
			out[k++] = in[i++];
	}
	out[k] = '\0';
}

void
diag_format(const struct diag *d, char *out, size_t n)
{
	char path[DIAG_PATH];

	size_t k = 0;
	int r;

#define PUT(...) do { \
	r = snprintf(out + k, n > k ? n - k : 0, __VA_ARGS__); \
	if (r > 0) \
		k += (size_t)r; \
	if (k >= n) \
		k = n ? n - 1 : 0; \
} while (0)

	if (n == 0)
		return;
	out[0] = '\0';
	if (d->input[0]) {
		if (d->line > 0 && d->col > 0)
			PUT("%s:%d:%d: ", d->input, d->line, d->col);
		else if (d->line > 0)
			PUT("%s:%d: ", d->input, d->line);
		else
			PUT("%s: ", d->input);
	}
	if (d->doc > 0)
		PUT("document %d: ", d->doc);
	if (d->path[0]) {
		mask_path(d->path, path, sizeof path);
		PUT("%s: ", path);
	}
	PUT("%s", d->msg);
#undef PUT
}

#define SECRET_MAX 256

static char *secrets[SECRET_MAX];
static size_t nsecrets;

void
diag_secret(const char *s)
{
	size_t i, n = s ? strlen(s) : 0;

	if (n < 6)
		return;
	for (i = 0; i < nsecrets; i++)
		if (strcmp(secrets[i], s) == 0)
			return;
	/* A full table drops the oldest: those are the least likely to be
	 * still held (a token refreshed, a key already written). */
	if (nsecrets == SECRET_MAX) {
		free(secrets[0]);
		memmove(secrets, secrets + 1, (SECRET_MAX - 1) * sizeof *secrets);
		nsecrets--;
	}
	secrets[nsecrets++] = xstrdup(s);
}

/* Length of what is masked at s[i], 0 when nothing is. */
static size_t
masked(const char *s, size_t n, size_t i)
{
	size_t k, len;

	for (k = 0; k < nsecrets; k++) {
		len = strlen(secrets[k]);
		if (len <= n - i && memcmp(s + i, secrets[k], len) == 0)
			return len;
	}
	return 0;
}

/* At s[i] == '@' ending a URL's userinfo: the length of that userinfo
 * before it, or 0.  `start' is just past the "://". */
static size_t
userinfo_end(const char *s, size_t n, size_t start)
{
	size_t i;

	for (i = start; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '@')
			return i > start ? i - start + 1 : 0;
		if (c <= ' ' || c == '/' || c == '?' || c == '#' ||
		    c == '\'' || c == '"' || c == 0x7f)
			return 0;
	}
	return 0;
}

/* C1 controls, line separators and bidirectional overrides: code points
 * that move or hide what a terminal shows. */
static int
invisible(uint32_t cp)
{
	return cp < 0xa0 || (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

size_t
diag_escape(char *out, size_t size, const char *s, size_t n)
{
	static const char hexd[] = "0123456789abcdef";
	size_t i = 0, k = 0, m, w;
	char piece[16];
	uint32_t cp;
	int len;

	if (size == 0)
		return 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if ((m = masked(s, n, i)) > 0) {
			memcpy(piece, "***", w = 3);
			i += m;
		} else if (c == ':' && n - i >= 3 && s[i + 1] == '/' &&
		    s[i + 2] == '/' && (m = userinfo_end(s, n, i + 3)) > 0) {
			memcpy(piece, "://***@", w = 7);
			i += 3 + m;
		} else if (c >= 0x20 && c < 0x7f) {
			piece[0] = (char)c;
			w = 1;
			i++;
		} else if (c == '\n' || c == '\t' || c == '\r' || c == 0x1b) {
			piece[0] = '\\';
			piece[1] = c == '\n' ? 'n' : c == '\t' ? 't' :
			    c == '\r' ? 'r' : 'e';
			w = 2;
			i++;
		} else if (c >= 0x80 && (len = utf8_decode((const unsigned
		    char *)s + i, n - i, &cp)) > 0 && !invisible(cp)) {
			memcpy(piece, s + i, w = (size_t)len);
			i += (size_t)len;
		} else {
			piece[0] = '\\';
			piece[1] = 'x';
			piece[2] = hexd[c >> 4];
			piece[3] = hexd[c & 15];
			w = 4;
			i++;
		}
		if (k + w >= size)
			break;
		memcpy(out + k, piece, w);
		k += w;
	}
	out[k] = '\0';
	return k;
}
