#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"

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

void
diag_format(const struct diag *d, char *out, size_t n)
{
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
	if (d->path[0])
		PUT("%s: ", d->path);
	PUT("%s", d->msg);
#undef PUT
}
