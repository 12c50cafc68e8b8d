/*
 * fuzz_file.c - scratch files for the targets whose reader takes a path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "fuzz.h"

const char *
fuzz_file(int which, const void *p, size_t n)
{
	static char path[2][4096];
	const char *tmp = getenv("TMPDIR");
	int fd;

	if (path[which][0] == '\0') {
		snprintf(path[which], sizeof path[which], "%s/9c-fuzz-XXXXXX",
		    tmp && *tmp ? tmp : "/tmp");
		if ((fd = mkstemp(path[which])) < 0)
			abort();
		close(fd);
	}
	if ((fd = open(path[which], O_WRONLY | O_TRUNC)) < 0)
		abort();
	if (n && write(fd, p, n) != (ssize_t)n)
		abort();
	close(fd);
	return path[which];
}
