/*
 * util.h - allocation, growable buffers and UTF-8 helpers.
 *
 * The x* allocators never return NULL: running out of memory is the one
 * condition the library dies on (exit 70), because no caller could do
 * anything better.  A struct buf owns its bytes; buf_release() frees them and
 * leaves the buffer empty and reusable.  Every buffer that grows from input
 * carries a limit: buf_grow() refuses to pass it and the caller reports the
 * input as too large, so hostile input cannot exhaust memory.  The bytes of a
 * buf are always NUL-terminated past len, so they can be read as a C string
 * when they hold no NUL.
 */
#ifndef NINEC_UTIL_H
#define NINEC_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define NINEC_EXIT_OOM 70

/* The tool named by the out-of-memory message; cli_init() sets it. */
extern const char *util_prog;
void util_oom(void) __attribute__((noreturn));

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct buf {
	char *p;
	size_t len, cap;
	size_t limit;		/* 0: no limit (output buffers only) */
};

#define BUF_INIT { NULL, 0, 0, 0 }

/* 0 on success, -1 when the limit would be exceeded (buffer unchanged). */
int buf_grow(struct buf *b, size_t more);
int buf_add(struct buf *b, const void *p, size_t n);
int buf_addc(struct buf *b, int c);
int buf_adds(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
void buf_release(struct buf *b);
/* Overwrite then free: for buffers that held secrets. */
void buf_wipe(struct buf *b);

/* Length of the valid UTF-8 sequence at s (1-4), 0 if invalid; *cp gets it. */
int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
int utf8_encode(uint32_t cp, char out[4]);
int utf8_valid(const char *s, size_t n);

/* Standard base64 (RFC 4648, '+' '/', '=' padding) appended to out. */
void base64_encode(struct buf *out, const unsigned char *p, size_t n);
/* The strict reverse: whole quads, padding only at the end, no other
 * byte, unused bits zero (one text per value); 0, or -1 (out may have
 * grown, or its limit was reached). */
int base64_decode(struct buf *out, const char *s, size_t n);

/* Wipe memory so the compiler cannot drop it. */
void mem_wipe(void *p, size_t n);

#endif
