/*
 * cli.h - what every 9c tool does the same way: messages, exit statuses,
 * common options, reading inputs, writing output.
 *
 * Exit statuses, the same meaning in every tool (man 9c(7)):
 *	0  success
 *	1  the work was refused or failed: a server rejected an object, an
 *	   object failed, a check did not hold
 *	2  usage: unknown option, missing or extra argument
 *	3  bad input: a stream, spec or file that cannot be used; nothing
 *	   was changed
 *	4  cannot reach or authenticate to a server (Kubernetes, AWS)
 *	5  timed out
 *	70 internal error (out of memory)
 *
 * Messages go to stderr as `prog: where: what', lowercase, no period, via
 * cli_diag()/cli_warn()/cli_fatal().  Standard output is written through one
 * buffered FILE; cli_exit() flushes and checks it, exits 0 quietly if the
 * reader went away (EPIPE), and 1 on any other write error.
 */
#ifndef NINEC_CLI_H
#define NINEC_CLI_H

#include <stdio.h>

#include "diag.h"
#include "emit.h"
#include "node.h"
#include "stream.h"

#define EXIT_FAIL	1
#define EXIT_USAGE	2
#define EXIT_INPUT	3
#define EXIT_CONNECT	4
#define EXIT_TIMEOUT	5

#define NINEC_VERSION "0.1.0"

extern const char *cli_prog;

/* Sets cli_prog from argv[0]'s base name, ignores SIGPIPE (write errors are
 * checked instead), and handles a lone `--version' or `--help' argument. */
void cli_init(int argc, char **argv, const char *usage);
void cli_usage(const char *usage, int to_stderr);
/* Prints usage to stderr and exits 2; `why' (may be NULL) comes first. */
void cli_misuse(const char *usage, const char *why, ...)
	__attribute__((format(printf, 2, 3)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_fatal(int status, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
void cli_diag(const struct diag *d);
void cli_exit(int status) __attribute__((noreturn));

/* Standard input can be read once: when two of the n inputs are "-",
 * misuse (exit 2) naming them by what[] ("the spec", "-a"); a NULL name
 * is an input not given. */
void cli_stdin_once(const char *usage, const char *const *names,
    const char *const *what, size_t n);

/* -o yaml|json; returns 0, or -1 for an unknown format. */
int cli_format(const char *arg, enum emit_format *f);

/*
 * Inputs: the file operands, or standard input when there are none or an
 * operand is `-'.  cli_inputs_next() opens the next one as a stream; it
 * returns NULL at the end, and on an unreadable file fills d (status 3).
 */
struct cli_inputs {
	char **files;
	int nfiles, next;
	FILE *cur;
	struct stream *s;
	const struct stream_limits *lim;
};
void cli_inputs_init(struct cli_inputs *in, int argc, char **argv);
struct stream *cli_inputs_next(struct cli_inputs *in, struct diag *d);
void cli_inputs_close(struct cli_inputs *in);

/*
 * The document loop: calls fn once per document of every input, in order.
 * fn owns the document (it must doc_free() it or keep it).  Stops at the
 * first error: a reader error (d filled, -1) or fn returning -1 (fn fills d).
 */
typedef int (*cli_doc_fn)(struct doc *doc, void *ctx, struct diag *d);
int cli_each_doc(int argc, char **argv, cli_doc_fn fn, void *ctx,
    struct diag *d);

/* Writes a document to stdout in the chosen format. */
void cli_put_doc(enum emit_format f, const struct node *n);
/* Writes raw bytes to stdout. */
void cli_put(const char *p, size_t n);

/* Reads a whole file (or `-' for stdin) with a limit; 0 or -1 with d. */
int cli_read_file(const char *path, size_t limit, char **out, size_t *len,
    struct diag *d);

/*
 * The share directory (templates, examples): $NINEC_SHARE when set, else
 * the first of <bin>/../share/9c (an install), <bin>/../share and
 * <bin>/../../share (build/ and build/asan/ of a checkout), and the
 * compiled-in NINEC_SHAREDIR that holds `probe' (e.g. "templates"), <bin>
 * being the directory of the running program.  When none does, fills d
 * (status 3) naming every place it looked, and returns NULL.  The string
 * stays valid until exit.
 */
const char *cli_share_dir(const char *probe, struct diag *d);

#endif
