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
SHFILES != ls pipelines/9c-* share/*.sh .ci/run .ci/deps tests/bench/*.sh tests/bench/run tests/cluster/*.sh tests/hcl/*.sh 2>/dev/null || true

lint:
	@$(MAKE) -s lint-c
	mandoc -Tlint -Wwarning $(MAN1) $(MAN5) $(MAN7)
	shellcheck $(SHFILES)
	shellcheck -s bash tests/helpers/*.bash

lint-c:
	@for s in $(LIBSRC) $(TOOLSRC); do \
		$(CC) $(ALL_CFLAGS) -Itools/lib -fsyntax-only $$s || exit 1; \
	done

FUZZSRC = tools/lib/util.c tools/lib/diag.c tools/lib/node.c tools/lib/scalar.c \
	tools/lib/stream.c tools/lib/emit.c

# The corpus that grows lives in build/; tests/fuzz/corpus holds the seeds
# and every input that once found a bug.
fuzz:
	@mkdir -p build/fuzz/corpus
	clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
		$(PKG_CFLAGS) -Itools/lib tests/fuzz/fuzz_stream.c $(FUZZSRC) $(PKG_LIBS) -lm -o build/fuzz/fuzz_stream
	build/fuzz/fuzz_stream -max_total_time=$${FUZZ_SECONDS:-60} -max_len=65536 \
		build/fuzz/corpus tests/fuzz/corpus

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

.PHONY: deps all build-release build-asan tools-in check lint lint-c fuzz bench install clean
