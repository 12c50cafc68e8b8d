#!/usr/bin/env bats
# Bencodex (bencodex.c): the spec's test suite, byte for byte, and the
# encodings a canonical decoder must refuse.

load helpers/common

F=$NINEC_ROOT/tests/fixtures/bencodex

setup_file() {
	cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -fsanitize=address,undefined \
		-I"$NINEC_ROOT/tools/lib" "$F/bencodex-check.c" "$NINEC_BIN/lib9c.a" \
		$(pkg-config --libs yaml-0.1 libcjson libcurl openssl) -lm -o "$BATS_FILE_TMPDIR/bencodex-check"
}

# decode BYTES (printf format): the canonical re-encoding in hex, or the error.
decode() {
	printf "$1" | "$BATS_FILE_TMPDIR/bencodex-check" -d
}

@test "the encoder writes every test-suite case's bytes and the decoder reads back its value" {
	local cases=() f
	for f in "$F"/*.json; do cases+=("${f%.json}"); done
	[ "${#cases[@]}" -eq 20 ]
	run -0 "$BATS_FILE_TMPDIR/bencodex-check" "${cases[@]}"
	assert_output "ok 20"
}

@test "the mixed dictionary puts byte keys first and orders text keys by their UTF-8 bytes" {
	run -0 decode 'd1:ai1e1:bi2e1:ci3eu1:ai1eu3:a\xcc\x81i2eu1:bi3eu1:ci4eu2:\xc3\xa1i5ee'
	assert_output "$(printf 'd1:ai1e1:bi2e1:ci3eu1:ai1eu3:a\xcc\x81i2eu1:bi3eu1:ci4eu2:\xc3\xa1i5ee' | xxd -p -c 1000)"
}

@test "the spec's examples decode and encode to themselves" {
	run -0 decode 'd3:cowu3:moou4:spam4:eggse'
	assert_output "$(printf 'd3:cowu3:moou4:spam4:eggse' | xxd -p)"
	run -0 decode 'du4:spaml1:au1:bee'
	assert_output "$(printf 'du4:spaml1:au1:bee' | xxd -p)"
}

@test "integers with a leading zero, -0 or no digits are refused" {
	run -1 decode 'i03e'
	assert_output "offset 0: integer is not canonical (leading zero or -0)"
	run -1 decode 'i-0e'
	assert_output "offset 0: integer is not canonical (leading zero or -0)"
	run -1 decode 'i-e'
	assert_output "offset 0: integer has no digits"
	run -1 decode 'i12'
	assert_output "offset 3: expected 'e' after the integer"
}

@test "a text key before a byte key, keys out of order and a repeated key are refused" {
	run -1 decode 'du1:k1:v1:k1:ve'
	assert_output "offset 8: dictionary keys are out of order"
	run -1 decode 'd1:b1:v1:a1:ve'
	assert_output "offset 7: dictionary keys are out of order"
	run -1 decode 'd1:a1:v1:a1:ve'
	assert_output "offset 7: dictionary key is repeated"
	run -1 decode 'di1e1:ae'
	assert_output "offset 1: dictionary key is not a byte string or text"
}

@test "bad lengths, invalid UTF-8, truncation and trailing bytes are refused" {
	run -1 decode '03:abc'
	assert_output "offset 0: length has a leading zero"
	run -1 decode '4:abc'
	assert_output "offset 0: length runs past the end"
	run -1 decode 'u2:\xc3\x28'
	assert_output "offset 0: text is not valid UTF-8"
	run -1 decode 'le '
	assert_output "offset 2: bytes after the value"
	run -1 decode 'l'
	assert_output "offset 1: list is not closed"
	run -1 decode 'd1:a'
	assert_output "offset 4: unexpected end of input"
	run -1 decode ''
	assert_output "offset 0: unexpected end of input"
	run -1 decode 'x'
	assert_output "offset 0: not the start of a value"
}

@test "nesting deeper than 64 levels is refused before it can exhaust the stack" {
	run -0 decode "$(printf 'l%.0s' {1..64})$(printf 'e%.0s' {1..64})"
	run -1 decode "$(printf 'l%.0s' {1..65})$(printf 'e%.0s' {1..65})"
	assert_output "offset 64: nested too deeply"
}

@test "more than a million values is refused, however small each one" {
	python3 -c 'import sys; sys.stdout.write("l" + "n" * (1 << 20) + "e")' >"$BATS_TEST_TMPDIR/many"
	run -1 "$BATS_FILE_TMPDIR/bencodex-check" -d <"$BATS_TEST_TMPDIR/many"
	assert_output "offset 1048576: too many values"
}
