#!/usr/bin/env bats
# The fuzz corpus replays without a crash, a leak or an out-of-bounds access:
# every input that once found a bug stays fixed.

load helpers/common

@test "the stream reader survives every input of the fuzz corpus" {
	local bin=$BATS_FILE_TMPDIR/fuzz_stream
	# shellcheck disable=SC2046
	clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
		-D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$NINEC_ROOT/tools/lib" \
		"$NINEC_ROOT/tests/fuzz/fuzz_stream.c" \
		$(for m in util diag node scalar stream emit; do printf '%s ' "$NINEC_ROOT/tools/lib/$m.c"; done) \
		$(pkg-config --cflags --libs yaml-0.1) -lm -o "$bin"
	run -0 "$bin" -runs=0 "$NINEC_ROOT/tests/fuzz/corpus"
	assert_output --partial 'Done'
}
