#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

const char *cli_prog = "9c";

void
cli_usage(const char *usage, int to_stderr)
{
	FILE *f = to_stderr ? stderr : stdout;

	fprintf(f, "usage: %s\n", usage);
}

void
cli_init(int argc, char **argv, const char *usage)
{
	const char *slash;

	if (argc > 0 && argv[0]) {
		slash = strrchr(argv[0], '/');
		cli_prog = slash ? slash + 1 : argv[0];
		/* getopt(3) names argv[0] in its messages: the name, not the
		 * path it was run by. */
		argv[0] = (char *)cli_prog;
		util_prog = cli_prog;
	}
	/* Write errors are checked where they happen; EPIPE is not a crash. */
	signal(SIGPIPE, SIG_IGN);
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("%s %s\n", cli_prog, NINEC_VERSION);
		cli_exit(0);
	}
	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		cli_usage(usage, 0);
		cli_exit(0);
	}
}

/* Every message leaves through here: one escaped, masked line. */
static void
say(const char *msg)
{
	char line[4 * (DIAG_MSG + DIAG_PATH + 256)];

	diag_escape(line, sizeof line, msg, strlen(msg));
	fprintf(stderr, "%s: %s\n", cli_prog, line);
}

static void
vsay(const char *fmt, va_list ap)
{
	char msg[DIAG_MSG + DIAG_PATH + 256];

	vsnprintf(msg, sizeof msg, fmt, ap);
	say(msg);
}

void
cli_misuse(const char *usage, const char *why, ...)
{
	va_list ap;

	if (why) {
		va_start(ap, why);
		vsay(why, ap);
		va_end(ap);
	}
	cli_usage(usage, 1);
	exit(EXIT_USAGE);
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

void
cli_fatal(int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	exit(status);
}

void
cli_diag(const struct diag *d)
{
	char msg[DIAG_MSG + DIAG_PATH + 256];

	diag_format(d, msg, sizeof msg);
	fflush(stdout);
	say(msg);
}

void
cli_exit(int status)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (errno == EPIPE)
			exit(status);
		fprintf(stderr, "%s: write error: %s\n", cli_prog,
		    strerror(errno));
		exit(status ? status : EXIT_FAIL);
	}
	exit(status);
}

void
cli_stdin_once(const char *usage, const char *const *names,
    const char *const *what, size_t n)
{
	size_t i, first = n;

	for (i = 0; i < n; i++) {
		if (names[i] == NULL || strcmp(names[i], "-") != 0)
			continue;
		if (first < n)
			cli_misuse(usage, "%s and %s cannot both be standard "
			    "input", what[first], what[i]);
		first = i;
	}
}

int
cli_format(const char *arg, enum emit_format *f)
{
	if (strcmp(arg, "yaml") == 0)
		*f = EMIT_YAML;
	else if (strcmp(arg, "json") == 0)
		*f = EMIT_JSON;
	else
		return -1;
	return 0;
}

void
cli_inputs_init(struct cli_inputs *in, int argc, char **argv)
{
	memset(in, 0, sizeof *in);
	in->files = argv;
	in->nfiles = argc;
}

struct stream *
cli_inputs_next(struct cli_inputs *in, struct diag *d)
{
	const char *name;

	cli_inputs_close(in);
	if (in->nfiles == 0 && in->next == 0) {
		in->next = 1;
		in->s = stream_open("<stdin>", stdin, in->lim);
		return in->s;
	}
	if (in->next >= in->nfiles)
		return NULL;
	name = in->files[in->next++];
	if (strcmp(name, "-") == 0) {
		in->s = stream_open("<stdin>", stdin, in->lim);
		return in->s;
	}
	in->cur = fopen(name, "r");
	if (in->cur == NULL) {
		diag_clear(d);
		diag_set(d, EXIT_INPUT, "%s: %s", name, strerror(errno));
		return NULL;
	}
	in->s = stream_open(name, in->cur, in->lim);
	return in->s;
}

void
cli_inputs_close(struct cli_inputs *in)
{
	if (in->cur)
		fclose(in->cur);
	in->cur = NULL;
	stream_close(in->s);
	in->s = NULL;
}

int
cli_each_doc(int argc, char **argv, cli_doc_fn fn, void *ctx, struct diag *d)
{
	struct cli_inputs in;
	struct stream *s;
	struct doc *doc;
	int r = 0, i, dash;

	diag_clear(d);
	for (i = 0, dash = 0; i < argc; i++)
		if (strcmp(argv[i], "-") == 0 && dash++)
			return diag_set(d, EXIT_USAGE, "operand - is given "
			    "twice: standard input can be read once");
	cli_inputs_init(&in, argc, argv);
	while (r == 0 && (s = cli_inputs_next(&in, d)) != NULL) {
		while ((r = stream_next(s, &doc, d)) == 1)
			if (fn(doc, ctx, d) < 0)
				break;
	}
	cli_inputs_close(&in);
	return r != 0 || d->msg[0] ? -1 : 0;
}

void
cli_put(const char *p, size_t n)
{
	if (n && fwrite(p, 1, n, stdout) != n) {
		if (errno == EPIPE)
			exit(0);
		cli_fatal(EXIT_FAIL, "write error: %s", strerror(errno));
	}
}

void
cli_put_doc(enum emit_format f, const struct node *n)
{
	static unsigned long count;
	static struct buf b;

	buf_reset(&b);
	emit_doc(&b, f, n, &count);
	cli_put(b.p, b.len);
	if (b.cap > (1u << 20))
		buf_release(&b);
}

int
cli_read_file(const char *path, size_t limit, char **out, size_t *len,
    struct diag *d)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	struct buf b = BUF_INIT;
	char tmp[65536];
	size_t got;

	if (f == NULL)
		return diag_set(d, EXIT_INPUT, "%s: %s", path, strerror(errno));
	b.limit = limit;
	while ((got = fread(tmp, 1, sizeof tmp, f)) > 0)
		if (buf_add(&b, tmp, got) < 0) {
			if (f != stdin)
				fclose(f);
			buf_release(&b);
			return diag_set(d, EXIT_INPUT,
			    "%s: larger than %zu bytes", path, limit);
		}
	if (ferror(f)) {
		if (f != stdin)
			fclose(f);
		buf_release(&b);
		return diag_set(d, EXIT_INPUT, "%s: %s", path, strerror(errno));
	}
	if (f != stdin)
		fclose(f);
	if (b.p == NULL)
		buf_grow(&b, 0);
	*out = b.p;
	*len = b.len;
	return 0;
}

#ifndef NINEC_SHAREDIR
#define NINEC_SHAREDIR "/usr/local/share/9c"
#endif

static int
share_has(const char *dir, const char *probe)
{
	char p[PATH_MAX];

	return snprintf(p, sizeof p, "%s/%s", dir, probe) < (int)sizeof p &&
	    access(p, R_OK | X_OK) == 0;
}

const char *
cli_share_dir(const char *probe, struct diag *d)
{
	static char found[PATH_MAX];
	static const char *const rel[] = { "/../share/9c", "/../share",
	    "/../../share" };
	char exe[PATH_MAX], tried[3][PATH_MAX];
	const char *env = getenv("NINEC_SHARE");
	ssize_t n;
	size_t i, ntried = 0;
	char *slash;

	if (env && *env)
		return env;
	/* The program's own place, with links resolved: a tool linked into
	 * PATH still finds the share directory of its build or install. */
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0 && (exe[n] = '\0', (slash = strrchr(exe, '/')) != NULL)) {
		*slash = '\0';
		for (i = 0; i < sizeof rel / sizeof rel[0]; i++) {
			if (snprintf(tried[ntried], PATH_MAX, "%s%s", exe,
			    rel[i]) >= PATH_MAX)
				continue;
			if (share_has(tried[ntried], probe)) {
				if (realpath(tried[ntried], found) == NULL)
					snprintf(found, sizeof found, "%s",
					    tried[ntried]);
				return found;
			}
			ntried++;
		}
	}
	if (share_has(NINEC_SHAREDIR, probe))
		return NINEC_SHAREDIR;
	diag_clear(d);
	diag_set(d, EXIT_INPUT, "no %s in %s%s%s%s%s%s" NINEC_SHAREDIR
	    " (set NINEC_SHARE)", probe,
	    ntried > 0 ? tried[0] : "", ntried > 0 ? ", " : "",
	    ntried > 1 ? tried[1] : "", ntried > 1 ? ", " : "",
	    ntried > 2 ? tried[2] : "", ntried > 2 ? ", " : "");
	return NULL;
}
