# 9c - see README.md.  `make' builds the tools, `make check' runs every test.
.POSIX:

PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
SHAREDIR = $(PREFIX)/share/9c
DESTDIR =

CC = cc
PKGS = yaml-0.1 libcjson libcurl openssl
PKG_CFLAGS != pkg-config --cflags $(PKGS)
# libcurl is compiled against but not linked: tools/lib/net.c loads it on
# the first request, so a start that talks to no server does not pay for it.
PKG_LIBS != pkg-config --libs yaml-0.1 libcjson openssl
WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter -Wformat=2 -Wvla
CFLAGS = -O2 -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-DNINEC_SHAREDIR='"$(SHAREDIR)"' $(WARN) $(PKG_CFLAGS) $(CFLAGS)
SAN = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIBSRC != ls tools/lib/*.c
LIBHDR != ls tools/lib/*.h
TOOLSRC != ls tools/9c-*.c
TOOLS = $(TOOLSRC:tools/%.c=%)
PIPELINES != ls pipelines/9c-* 2>/dev/null || true
MAN1 != ls man/man1/*.1
MAN5 != ls man/man5/*.5 2>/dev/null || true
MAN7 != ls man/man7/*.7

# Two builds from the same sources: build/ (release) and build/asan/
# (AddressSanitizer + UBSan), which is what the tests run.
all: build-release

build-release:
	@$(MAKE) -s BUILD=build EXTRA= tools-in

build-asan:
	@$(MAKE) -s BUILD=build/asan EXTRA='$(SAN)' tools-in

tools-in:
	@mkdir -p $(BUILD)/obj
	@for s in $(LIBSRC); do \
		o=$(BUILD)/obj/$$(basename $$s .c).o; \
		if [ ! -f $$o ] || [ $$s -nt $$o ] || [ -n "$$(find tools/lib -name '*.h' -newer $$o)" ]; then \
			echo "  CC      $$s"; \
			$(CC) $(ALL_CFLAGS) $(EXTRA) -c $$s -o $$o || exit 1; \
		fi; \
	done
	@ar rcs $(BUILD)/lib9c.a $(BUILD)/obj/*.o
	@for s in $(TOOLSRC); do \
		t=$(BUILD)/$$(basename $$s .c); \
		if [ ! -f $$t ] || [ $$s -nt $$t ] || [ $(BUILD)/lib9c.a -nt $$t ]; then \
			echo "  LD      $$t"; \
			$(CC) $(ALL_CFLAGS) $(EXTRA) -Itools/lib $$s $(BUILD)/lib9c.a $(PKG_LIBS) -lm -o $$t || exit 1; \
		fi; \
	done

check: build-release build-asan
	NINEC_BIN=$(CURDIR)/build/asan bats --jobs 2 --no-parallelize-within-files tests/

# Shell: POSIX sh everywhere but the Bats helpers, which are bash.
SHFILES != ls pipelines/9c-* share/*.sh share/local/*.sh .ci/run .ci/deps tests/bench/*.sh tests/bench/lib/*.sh tests/bench/run tests/cluster/*.sh tests/cluster/*/build.sh tests/hcl/*.sh tests/oracle/*.sh tests/helpers/*.sh 2>/dev/null || true

lint:
	@$(MAKE) -s lint-c
	mandoc -Tlint -Wwarning $(MAN1) $(MAN5) $(MAN7)
	shellcheck $(SHFILES)
	shellcheck -s bash tests/helpers/*.bash

lint-c:
	@for s in $(LIBSRC) $(TOOLSRC); do \
		$(CC) $(ALL_CFLAGS) -Itools/lib -fsyntax-only $$s || exit 1; \
	done

# One libFuzzer target per parser of untrusted input (tests/fuzz/fuzz_*.c),
# each linked with the whole library but the modules it includes itself.
# `make fuzz' runs them all FUZZ_SECONDS each (FUZZ_TARGET=name: one); the
# corpus that grows lives in build/fuzz/NAME, tests/fuzz/NAME holds the kept
# minimized corpus (tests/fuzz/corpus for the stream reader).
FUZZ_TARGETS = stream kubeconfig spec tmpl hcl sigv4 awsini exec bencodex apv
FUZZ_CC = clang -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-DNINEC_SHAREDIR='"$(SHAREDIR)"' $(PKG_CFLAGS) -Itools/lib -Itests/fuzz

fuzz-build:
	@mkdir -p build/fuzz/obj
	@for s in $(LIBSRC) tests/fuzz/fuzz_file.c; do \
		o=build/fuzz/obj/$$(basename $$s .c).o; \
		if [ ! -f $$o ] || [ $$s -nt $$o ] || [ -n "$$(find tools/lib -name '*.h' -newer $$o)" ]; then \
			echo "  CC      $$o"; \
			$(FUZZ_CC) -fsanitize=fuzzer-no-link,address,undefined -c $$s -o $$o || exit 1; \
		fi; \
	done
	@for t in $(FUZZ_TARGETS); do \
		s=tests/fuzz/fuzz_$$t.c; b=build/fuzz/fuzz_$$t; \
		objs=$$(for o in build/fuzz/obj/*.o; do \
			grep -q "^#include \"$$(basename $$o .o).c\"" $$s || printf '%s ' $$o; done); \
		if [ ! -f $$b ] || [ $$s -nt $$b ] || [ -n "$$(find build/fuzz/obj -newer $$b)" ]; then \
			echo "  LD      $$b"; \
			$(FUZZ_CC) -fsanitize=fuzzer,address,undefined $$s $$objs $(PKG_LIBS) -lm -o $$b || exit 1; \
		fi; \
	done

fuzz: fuzz-build
	@for t in $${FUZZ_TARGET:-$(FUZZ_TARGETS)}; do \
		k=tests/fuzz/$$t; [ $$t = stream ] && k=tests/fuzz/corpus; \
		mkdir -p build/fuzz/$$t $$k; \
		echo "fuzz: $$t"; \
		build/fuzz/fuzz_$$t -max_total_time=$${FUZZ_SECONDS:-60} -max_len=65536 \
			$${FUZZ_RUNS:+-runs=$$FUZZ_RUNS} build/fuzz/$$t $$k </dev/null || exit 1; \
	done

bench: build-release
	sh tests/bench/run

install: build-release
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(SHAREDIR)
	for t in $(TOOLS); do cp build/$$t $(DESTDIR)$(BINDIR)/; done
	for p in $(PIPELINES); do cp $$p $(DESTDIR)$(BINDIR)/; done
	cp -R share/. $(DESTDIR)$(SHAREDIR)/
	cp $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	[ -z "$(MAN5)" ] || cp $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	cp $(MAN7) $(DESTDIR)$(MANDIR)/man7/

deps:
	@.ci/deps

clean:
	rm -rf build

.PHONY: deps all build-release build-asan tools-in check lint lint-c fuzz fuzz-build bench install clean
