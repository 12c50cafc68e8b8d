#!/usr/bin/env bats
# Every parser that reads untrusted input has a libFuzzer target
# (tests/fuzz/fuzz_*.c, built by `make fuzz-build'); each replays its kept
# corpus without a crash, a leak or an out-of-bounds access, so every input
# that once found a bug stays fixed.

load helpers/common

setup_file() {
	make -s -C "$NINEC_ROOT" fuzz-build >/dev/null || return 1
}

# replay TARGET [DIR]: runs every kept input once.
replay() {
	local dir=${2:-$NINEC_ROOT/tests/fuzz/$1}
	[ "$(find "$dir" -type f | wc -l)" -gt 0 ] || fail "no kept corpus for $1"
	run -0 "$NINEC_ROOT/build/fuzz/fuzz_$1" -runs=0 "$dir"
	assert_output --partial 'Done'
	refute_output --partial 'ERROR'
}

@test "the stream reader survives every input of its fuzz corpus" {
	replay stream "$NINEC_ROOT/tests/fuzz/corpus"
}

@test "the kubeconfig reader survives every input of its fuzz corpus" {
	replay kubeconfig
}

@test "the spec reader survives every input of its fuzz corpus" {
	replay spec
}

@test "the template engine survives every input of its fuzz corpus" {
	replay tmpl
}

@test "the HCL writer survives every input of its fuzz corpus" {
	replay hcl
}

@test "HashiCorp's parser reads the HCL written for every kept input back to the same values" {
	local hclcheck f got out=$BATS_TEST_TMPDIR/hcl n=0
	hclcheck=$("$NINEC_ROOT/tests/hcl/build.sh") || fail "cannot build hclcheck"
	mkdir "$out"
	NINEC_FUZZ_OUT=$out "$NINEC_ROOT/build/fuzz/fuzz_hcl" "$NINEC_ROOT"/tests/fuzz/hcl/* \
		>/dev/null 2>&1 || fail "fuzz_hcl failed on the kept corpus"
	for f in "$out"/*.tfvars; do
		got=$("$hclcheck" tfvars "$f" 2>"$BATS_TEST_TMPDIR/err") ||
			fail "HashiCorp's parser refuses $(cat "$f"): $(cat "$BATS_TEST_TMPDIR/err")"
		# jq: the same numbers whichever way they are spelled
		[ "$(jq -cS . <<<"$got")" = "$(jq -cS . "${f%.tfvars}.json")" ] ||
			fail "$(cat "$f") reads back as $got, not $(cat "${f%.tfvars}.json")"
		n=$((n + 1))
	done
	[ "$n" -gt 100 ] || fail "only $n kept inputs gave HCL"
}

@test "the SigV4 canonicalizer survives every input of its fuzz corpus" {
	replay sigv4
}

@test "the AWS config and credentials reader survives every input of its fuzz corpus" {
	replay awsini
}

@test "the exec-plugin response reader survives every input of its fuzz corpus" {
	replay exec
}

@test "the Bencodex decoder survives every input of its fuzz corpus" {
	replay bencodex
}

@test "the APV token parser survives every input of its fuzz corpus" {
	replay apv
}
