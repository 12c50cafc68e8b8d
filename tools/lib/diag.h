/*
 * diag.h - a problem found in the input or reported by a server, with where.
 *
 * The library never prints and never exits on bad input: it fills a struct
 * diag and returns -1.  Only a tool prints it (cli_diag()), once, in the
 * project's one message format:
 *
 *	9c-order: <stdin>:12:3: document 4: spec.names.kind: missing
 *
 * A struct diag owns no heap memory; its strings (input name included) are
 * fixed-size copies, truncated if need be, so filling one can never fail and
 * it outlives the stream it describes.  Empty and zero fields are left out
 * of the message: line 0 means "no position", doc 0 means "not about a document".
 * `status' is the exit status the problem calls for (see cli.h).
 *
 * Values in a message come from users and servers, so nothing reaches a
 * terminal raw: diag_escape() turns any bytes into one printable line
 * (control bytes as \n, \e, \xNN; invalid UTF-8 and C1 controls as
 * \xNN; a backslash stays, so the tools' own texts read as written) and
 * masks what must never be shown, by one rule: the secrets registered
 * with diag_secret() (tokens, private keys, passwords the process holds)
 * and the userinfo of any URL (`://user:pass@'); diag_format() also masks
 * a private key's shape in a field path, where a pasted key lands (not in
 * the message: hashes have that shape).  The registry owns copies of the
 * secrets for the life of the process.
 */
#ifndef NINEC_DIAG_H
#define NINEC_DIAG_H

#include <stdarg.h>
#include <stddef.h>

#define DIAG_MSG 512
#define DIAG_PATH 512

struct diag {
	int status;
	char input[256];	/* "<stdin>", a file name, or empty */
	int doc;
	int line, col;
	char path[DIAG_PATH];
	char msg[DIAG_MSG];
};

void diag_clear(struct diag *d);
/* Sets the message (and status) and returns -1, for `return diag_set(...)'. */
int diag_set(struct diag *d, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void diag_at(struct diag *d, const char *input, int doc, int line, int col);
/* Clears d, fills every part at once and returns -1: the usual report. */
int diag_fail(struct diag *d, int status, const char *input, int line, int col,
    const char *path, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
int diag_vfail(struct diag *d, int status, const char *input, int line,
    int col, const char *path, const char *fmt, va_list ap)
	__attribute__((format(printf, 7, 0)));
void diag_setpath(struct diag *d, const char *path);
/* The message without the program name, into out (always terminated). */
void diag_format(const struct diag *d, char *out, size_t n);
/* s (n bytes) as one printable, masked line into out (always terminated,
 * cut at a character boundary); returns the length written. */
size_t diag_escape(char *out, size_t size, const char *s, size_t n);
/* Never show s (ignored when shorter than 6 bytes: too common to mask). */
void diag_secret(const char *s);

#endif
