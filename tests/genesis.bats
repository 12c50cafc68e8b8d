#!/usr/bin/env bats
# Genesis blocks (genesis.c, 9c-secrets genesis verify): Libplanet's block
# hash vectors, and a genesis checked against the network's validator keys.

load helpers/common

F=$NINEC_ROOT/tests/fixtures/genesis
MINER=9bf4664ba09a89faeb684b94e69ffde01d26ae14b556204d3f6ab58f61f78418
V1=02febda47acc3bb9fcf4e729f46cc52eb12d4ae1cc9f59a31b28d1714437722b09
V2=0215ba27a461a986f4ce7bcda1fd73dc708da767d0405729edaacaad7b7ff60eed
SEED=03743c51ed975bb837be85bbb68a704c500d88dbe1c34c065dadbb230f371eae5e

setup_file() {
	cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -fsanitize=address,undefined \
		-I"$NINEC_ROOT/tools/lib" "$F/genesis-check.c" "$NINEC_BIN/lib9c.a" \
		$(pkg-config --libs yaml-0.1 libcjson libcurl openssl) -lm -o "$BATS_FILE_TMPDIR/genesis-check"
}

# mkgenesis ERA OUT [VALIDATOR-PUB...]: a signed genesis by the fixture's
# genesis key (given on stdin, never as an argument).
mkgenesis() {
	"$BATS_FILE_TMPDIR/genesis-check" make "$@" <<<"$MINER"
}

# edit FILE OLD NEW: replaces the first occurrence of the bytes OLD.
edit() {
	python3 - "$@" <<-'EOF'
	import sys
	path, old, new = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
	data = open(path, "rb").read()
	assert old in data, old
	open(path, "wb").write(data.replace(old, new, 1))
	EOF
}

@test "Libplanet's block vectors: candidates, pre-evaluation hashes, signatures and hashes of both eras" {
	run -0 "$BATS_FILE_TMPDIR/genesis-check" vectors
	assert_output "ok 23"
}

@test "a genesis whose validator set is the network's validators verifies and is described" {
	mkgenesis b "$BATS_TEST_TMPDIR/g" "$V1" "$V2"
	run -0 --separate-stderr 9c-secrets genesis verify -k "$F/keys.yaml" "$BATS_TEST_TMPDIR/g"
	assert_equal "$stderr" ""
	assert_line 'index: 0'
	assert_line 'protocolVersion: 4'
	assert_line 'timestamp: "2021-09-06T04:46:39.123000Z"'
	assert_line 'minerPublicKey: "0200e02709cc0c051dc105188c454a2e7ef7b36b85da34529d3abc1968167cf54f"'
	assert_line 'signed: true'
	assert_line 'transactions: 1'
	assert_line 'stateRootHash: e6b3803208416556db8de50670aaf0b642e13c90afd77d24da8f642dc3e8f320'
	# Ordered by address, as Libplanet orders a validator set.
	assert_equal "$(grep -A1 -- '- publicKey' <<<"$output")" "- publicKey: \"$V1\"
  address: \"0x271e00B29aeB93B2F4e30ECbebA4f72ac02f72b4\"
--
- publicKey: \"$V2\"
  address: \"0x8a29de186B85560D708451101C4Bf02D63b25c50\""
	run -0 9c-secrets genesis verify -o json "$BATS_TEST_TMPDIR/g"
	run -0 jq -r '.validators | map(.power) | join(",")' <<<"$output"
	assert_output "1,1"
}

@test "the fixture genesis of the man page is what the maker makes, byte for byte" {
	mkgenesis b "$BATS_TEST_TMPDIR/g" "$V1" "$V2"
	cmp "$BATS_TEST_TMPDIR/g" "$F/genesis-block"
}

@test "a genesis that lacks one of the network's validators is refused, naming it" {
	mkgenesis b "$BATS_TEST_TMPDIR/g" "$V1"
	run -3 --separate-stderr 9c-secrets genesis verify -k "$F/keys.yaml" "$BATS_TEST_TMPDIR/g"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/g: validator 0x8a29de186B85560D708451101C4Bf02D63b25c50 (validator-private-key-2) of the network is not in the genesis"
	assert_equal "$output" ""
}

@test "a genesis that lists a validator the network does not have is refused, naming it" {
	mkgenesis b "$BATS_TEST_TMPDIR/g" "$V1" "$V2" "$SEED"
	run -3 --separate-stderr 9c-secrets genesis verify -k "$F/keys.yaml" "$BATS_TEST_TMPDIR/g"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/g: genesis lists validator 0xED2941B12Edb4f2c1f5Ca9a1ca9dD1f1c43e487B ($SEED) that the network does not have"
}

@test "a PoW-era genesis has no validator set: fine without validators, refused for a validator network" {
	mkgenesis a "$BATS_TEST_TMPDIR/g"
	run -0 9c-secrets genesis verify "$BATS_TEST_TMPDIR/g"
	assert_line 'protocolVersion: 3'
	assert_line 'transactions: 0'
	refute_line --partial 'validators'
	printf 'seed-private-key-1: a2210f94ae9589a2ab94fee400d7b9034a905d6d664a0b2e7be0fae7e7c3e90f\n' >"$BATS_TEST_TMPDIR/seeds.yaml"
	run -0 9c-secrets genesis verify -k "$BATS_TEST_TMPDIR/seeds.yaml" "$BATS_TEST_TMPDIR/g"
	run -3 --separate-stderr 9c-secrets genesis verify -k "$F/keys.yaml" "$BATS_TEST_TMPDIR/g"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/g: the genesis has no validator set (no Initialize transaction), but the network has 2 validators"
}

@test "a PoW-era genesis must meet its difficulty" {
	mkgenesis a:1 "$BATS_TEST_TMPDIR/g"
	run -0 9c-secrets genesis verify "$BATS_TEST_TMPDIR/g"
	mkgenesis a:1000000 "$BATS_TEST_TMPDIR/g"
	run -3 --separate-stderr 9c-secrets genesis verify "$BATS_TEST_TMPDIR/g"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/g: header: n: the nonce does not meet difficulty 1000000"
}

@test "a changed header fails the pre-evaluation hash; a changed hash fails the block hash" {
	mkgenesis b "$BATS_TEST_TMPDIR/g" "$V1" "$V2"
	local pre hash
	pre=$(9c-secrets genesis verify -o json "$BATS_TEST_TMPDIR/g" | jq -r .preEvaluationHash)
	hash=$(9c-secrets genesis verify -o json "$BATS_TEST_TMPDIR/g" | jq -r .hash)
	cp "$BATS_TEST_TMPDIR/g" "$BATS_TEST_TMPDIR/t"
	edit "$BATS_TEST_TMPDIR/t" 2021-09-06T04 2021-09-07T04
	run -3 --separate-stderr 9c-secrets genesis verify "$BATS_TEST_TMPDIR/t"
	[[ $stderr =~ ^"9c-secrets: $BATS_TEST_TMPDIR/t: header: c: the pre-evaluation hash is $pre, but the block hashes to "[0-9a-f]{64}$ ]] ||
		fail "unexpected: $stderr"
	cp "$BATS_TEST_TMPDIR/g" "$BATS_TEST_TMPDIR/t"
	python3 - "$BATS_TEST_TMPDIR/t" "$hash" <<-'EOF'
	import sys
	path, h = sys.argv[1], bytes.fromhex(sys.argv[2])
	data = open(path, "rb").read()
	open(path, "wb").write(data.replace(h, bytes([h[0] ^ 1]) + h[1:], 1))
	EOF
	run -3 --separate-stderr 9c-secrets genesis verify "$BATS_TEST_TMPDIR/t"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/t: header: h: the block hash is $(printf '%02x' $((0x${hash:0:2} ^ 1)))${hash:2}, but the block hashes to $hash"
}

@test "a changed transaction fails its signature; a block index other than 0 is refused" {
	mkgenesis b "$BATS_TEST_TMPDIR/g" "$V1" "$V2"
	cp "$BATS_TEST_TMPDIR/g" "$BATS_TEST_TMPDIR/t"
	# The power of the first validator, inside the signed transaction.
	edit "$BATS_TEST_TMPDIR/t" 1:pi1e 1:pi2e
	run -3 --separate-stderr 9c-secrets genesis verify "$BATS_TEST_TMPDIR/t"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/t: transaction 0: S: the signature does not hold"
	cp "$BATS_TEST_TMPDIR/g" "$BATS_TEST_TMPDIR/t"
	edit "$BATS_TEST_TMPDIR/t" 1:ii0e 1:ii1e
	run -3 --separate-stderr 9c-secrets genesis verify "$BATS_TEST_TMPDIR/t"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/t: header: i: index 1: a genesis block has index 0"
}

@test "a file that is not a canonical Bencodex block is bad input" {
	printf 'de' >"$BATS_TEST_TMPDIR/t"
	run -3 --separate-stderr 9c-secrets genesis verify "$BATS_TEST_TMPDIR/t"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/t: H: missing: not a block"
	mkgenesis a "$BATS_TEST_TMPDIR/g"
	head -c 100 "$BATS_TEST_TMPDIR/g" >"$BATS_TEST_TMPDIR/t"
	run -3 --separate-stderr 9c-secrets genesis verify "$BATS_TEST_TMPDIR/t"
	[[ $stderr =~ ^"9c-secrets: $BATS_TEST_TMPDIR/t: offset "[0-9]+": " ]] || fail "unexpected: $stderr"
	run -3 --separate-stderr 9c-secrets genesis verify "$BATS_TEST_TMPDIR/missing"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/missing: No such file or directory"
	run -2 --separate-stderr 9c-secrets genesis verify
	assert_equal "$(head -n1 <<<"$stderr")" "9c-secrets: genesis verify: a genesis block file is needed"
}
