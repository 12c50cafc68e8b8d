/*
 * fuzz.h - what the libFuzzer targets share: the entry point's prototype
 * and a scratch file for readers that only read files (kubeconfig, AWS
 * config).  The file lives in $TMPDIR for the whole run and is rewritten
 * for every input.
 */
#ifndef NINEC_FUZZ_H
#define NINEC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A file of its own (made on first use) holding exactly p[0..n). */
const char *fuzz_file(int which, const void *p, size_t n);

#endif
