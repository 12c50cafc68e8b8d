#!/usr/bin/env bats
# 9c-secrets apv: AppProtocolVersion tokens signed with the network's signer
# key exactly as Libplanet signs them (its test vectors, byte for byte),
# checked by an independent verifier (python3 cryptography), and refused
# when tampered with.  The AWS part runs against a real moto_server.

load helpers/common
load helpers/moto

F=$NINEC_ROOT/tests/fixtures/apv
# Libplanet AppProtocolVersionTest (nodes-apv-genesis.md 1.7).
LP_PRIV=457afa9417786e0cff4ba25b3595e1fb2a5439f90ed29d39df54579b13ea7c0f
LP_PUB=02febda47acc3bb9fcf4e729f46cc52eb12d4ae1cc9f59a31b28d1714437722b09
LP_ADDR=271e00B29aeB93B2F4e30ECbebA4f72ac02f72b4
TOKEN_A=1/271e00B29aeB93B2F4e30ECbebA4f72ac02f72b4/MEUCIQCJlZxZJYNOvEVZ15vKgkppIOUY8MWt4rmjo7Mpu6M92AIgHcuIoTo8GS3hnjn2WAXUBr+yk9FkhXWoosufldmQuVE=
TOKEN_B=123/271e00B29aeB93B2F4e30ECbebA4f72ac02f72b4/MEQCIAhd1E0voVfgAcpvypiNeh0TdMvJJso7w98UPTfirQSIAiAW1K5yQjFj6XOZUAu5GUmh8rtjIJlad9IV.b1ZmexcUQ==/dTM6Zm9v
TOKEN_C=1/54684Ac4ee5B933e72144C4968BEa26056880d71/MEQCICGonYW.X8y4JpPIyccPYWGrsCXWA95sBfextucz3lOyAiBUoY5t8aYNPT0lwYwC0MSkK3HT7T.lGJJW13dJi+06nw==
PUB_C=02529a61b9002ba8f21c858224234af971e962cac9bd7e6b365e71e125c6463478
# The worked example of 1.8: version 1, extra {timestamp: 2026-12-01}.
TOKEN_W=1/ED2941B12Edb4f2c1f5Ca9a1ca9dD1f1c43e487B/MEUCIQDzFpM4fg7NHYwUxFztH5.qbUjX2G12u20ggj6sjhwtzwIgDy2QuY67V2mG40Q38HcWvHZRYOmo+Ffkr+wb5Z1apns=/ZHU5OnRpbWVzdGFtcHUxMDoyMDI2LTEyLTAxZQ==
PUB_W=03743c51ed975bb837be85bbb68a704c500d88dbe1c34c065dadbb230f371eae5e

setup_file() {
	moto_start
}

teardown_file() {
	moto_stop
}

setup() {
	moto_env
	printf 'apv-signer-private-key: %s\n' "$LP_PRIV" >"$BATS_TEST_TMPDIR/lp.yaml"
}

# pyverify PUBHEX TOKEN: verifies TOKEN with python3 cryptography, an
# implementation that shares no code with ours: the DER signature over the
# message (version as 4 big-endian bytes, then the extra's bytes), ECDSA
# secp256k1 with SHA-256.  Prints "valid" or "invalid".
pyverify() {
	python3 - "$1" "$2" <<-'EOF'
	import base64, struct, sys
	from cryptography.exceptions import InvalidSignature
	from cryptography.hazmat.primitives import hashes
	from cryptography.hazmat.primitives.asymmetric import ec
	pub, token = sys.argv[1], sys.argv[2]
	f = token.split("/", 3)
	msg = struct.pack(">i", int(f[0]))
	if len(f) == 4:
	    msg += base64.b64decode(f[3].replace(".", "/"), validate=True)
	sig = base64.b64decode(f[2].replace(".", "/"), validate=True)
	key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), bytes.fromhex(pub))
	try:
	    key.verify(sig, msg, ec.ECDSA(hashes.SHA256()))
	    print("valid")
	except InvalidSignature:
	    print("invalid")
	EOF
}

@test "Libplanet's vectors are signed byte for byte: version 1, and version 123 with extra u3:foo" {
	run -0 --separate-stderr 9c-secrets apv sign -V 1 "$BATS_TEST_TMPDIR/lp.yaml"
	assert_output "$TOKEN_A"
	assert_equal "$stderr" ""
	printf 'u3:foo' >"$BATS_TEST_TMPDIR/foo.bx"
	run -0 9c-secrets apv sign -V 123 -x "$BATS_TEST_TMPDIR/foo.bx" <"$BATS_TEST_TMPDIR/lp.yaml"
	assert_output "$TOKEN_B"
}

@test "the spec's version and extra give the worked example's token, in public's output for 9c-render" {
	run -0 9c-secrets apv sign -s "$F/spec.yaml" "$F/keys.yaml"
	assert_output "$TOKEN_W"
	run -0 9c-secrets public -s "$F/spec.yaml" "$F/keys.yaml"
	assert_line "appProtocolVersion: $TOKEN_W"
	assert_line "trustedAppProtocolVersionSigner: \"$PUB_W\""
	assert_line '- name: apv-signer-private-key'
	refute_output --partial privateKey
	run -0 9c-secrets public -o json -s "$F/spec.yaml" "$F/keys.yaml"
	run -0 jq -r '.appProtocolVersion, .trustedAppProtocolVersionSigner' <<<"$output"
	assert_output "$TOKEN_W
$PUB_W"
}

@test "the spec's extra becomes canonical Bencodex whatever its key order" {
	cat >"$BATS_TEST_TMPDIR/s.yaml" <<-'EOF'
	name: x
	network:
	  appProtocolVersion:
	    extra:
	      zeta: [1, "a", true, null]
	      alpha: {b: -7, a: "\u00e1"}
	      "0": ""
	    version: 200010
	EOF
	run -0 9c-secrets apv sign -s "$BATS_TEST_TMPDIR/s.yaml" "$BATS_TEST_TMPDIR/lp.yaml"
	local extra=${output##*/}
	assert_equal "$(tr . / <<<"$extra" | base64 -d)" "$(printf 'du1:0u0:u5:alphadu1:au2:\xc3\xa1u1:bi-7eeu4:zetali1eu1:atnee')"
	assert_equal "$(pyverify "$LP_PUB" "$output")" valid
}

@test "-V wins over the spec's version and -x over its extra" {
	printf 'u3:foo' >"$BATS_TEST_TMPDIR/foo.bx"
	sed 's/a2210f94ae9589a2ab94fee400d7b9034a905d6d664a0b2e7be0fae7e7c3e90f/'"$LP_PRIV"'/' "$F/keys.yaml" >"$BATS_TEST_TMPDIR/k.yaml"
	run -0 9c-secrets apv sign -s "$F/spec.yaml" -V 123 -x "$BATS_TEST_TMPDIR/foo.bx" "$BATS_TEST_TMPDIR/k.yaml"
	assert_output "$TOKEN_B"
}

@test "-e key=value builds the text dictionary the headless' apv sign -e builds" {
	run -0 9c-secrets apv sign -V 1 -e timestamp=2026-12-01 "$F/keys.yaml"
	assert_output "$TOKEN_W"
	run -0 9c-secrets apv sign -V 1 -e b=2 -e a=1=x "$F/keys.yaml"
	run -0 9c-secrets apv show "$output"
	assert_output --partial 'extra:
  a: 1=x
  b: "2"'
	run -2 --separate-stderr 9c-secrets apv sign -V 1 -e a=1 -e a=2 "$F/keys.yaml"
	assert_equal "$(head -n1 <<<"$stderr")" "9c-secrets: -e: key 'a' given twice"
	run -2 --separate-stderr 9c-secrets apv sign -V 1 -e nokey "$F/keys.yaml"
	assert_equal "$(head -n1 <<<"$stderr")" "9c-secrets: -e: expected key=value, not 'nokey'"
	run -2 --separate-stderr 9c-secrets apv sign -V 1 -e a=1 -x /dev/null "$F/keys.yaml"
	assert_equal "$(head -n1 <<<"$stderr")" "9c-secrets: apv sign: -e and -x cannot be used together"
}

@test "a null extra is an extra: it is signed and written as bg==" {
	printf 'n' >"$BATS_TEST_TMPDIR/null.bx"
	run -0 9c-secrets apv sign -V 7 -x "$BATS_TEST_TMPDIR/null.bx" "$BATS_TEST_TMPDIR/lp.yaml"
	[[ $output == 7/$LP_ADDR/*/bg== ]] || fail "unexpected token $output"
	assert_equal "$(pyverify "$LP_PUB" "$output")" valid
}

@test "tokens from a generated signer key verify with an independent implementation" {
	run -0 9c-secrets keygen -n apv-gen -c apv-signer=1 -w "$BATS_TEST_TMPDIR/gen.yaml"
	local pub token v
	pub=$(9c-secrets public -o json "$BATS_TEST_TMPDIR/gen.yaml" | jq -r '.keys[0].publicKey')
	printf 'du9:timestampu10:2026-12-01e' >"$BATS_TEST_TMPDIR/ts.bx"
	for v in 0 1 100300 200010 -1 2147483647 -2147483648; do
		token=$(9c-secrets apv sign -V "$v" "$BATS_TEST_TMPDIR/gen.yaml")
		assert_equal "$(pyverify "$pub" "$token")" valid
		run -0 9c-secrets apv verify -P "$pub" -- "$token"
		token=$(9c-secrets apv sign -V "$v" -x "$BATS_TEST_TMPDIR/ts.bx" "$BATS_TEST_TMPDIR/gen.yaml")
		assert_equal "$(pyverify "$pub" "$token")" valid
		run -0 9c-secrets apv verify -k "$BATS_TEST_TMPDIR/gen.yaml" -- "$token"
		assert_line 'verified: true'
	done
}

@test "Libplanet's token C, whose key is unknown here, verifies against its recovered public key" {
	run -0 9c-secrets apv verify -P "$PUB_C" "$TOKEN_C"
	assert_output "version: 1
signer: \"0x54684Ac4ee5B933e72144C4968BEa26056880d71\"
signature: \"3044022021a89d85bf5fccb82693c8c9c70f6161abb025d603de6c05f7b1b6e733de53b2022054a18e6df1a60d3d3d25c18c02d0c4a42b71d3ed3fe5189256d777498bed3a9f\"
trustedSigner: \"$PUB_C\"
verified: true"
	assert_equal "$(pyverify "$PUB_C" "$TOKEN_C")" valid
}

@test "show prints a token's fields, the extra as a value, from the operand or standard input" {
	run -0 9c-secrets apv show "$TOKEN_W"
	assert_output 'version: 1
signer: "0xED2941B12Edb4f2c1f5Ca9a1ca9dD1f1c43e487B"
signature: "3045022100f31693387e0ecd1d8c14c45ced1f9fea6d48d7d86d76bb6d20823eac8e1c2dcf02200f2d90b98ebb576986e34437f07716bc765160e9a8f857e4afec1be59d5aa67b"
extra:
  timestamp: "2026-12-01"'
	run -0 9c-secrets apv show -o json <<<"$TOKEN_B"
	assert_output '{"version":123,"signer":"0x271e00B29aeB93B2F4e30ECbebA4f72ac02f72b4","signature":"30440220085dd44d2fa157e001ca6fca988d7a1d1374cbc926ca3bc3df143d37e2ad0488022016d4ae72423163e97399500bb91949a1f2bb6320995a77d215fdbd5999ec5c51","extra":"foo"}'
}

@test "a tampered token fails: one bit of the signature, the version, the extra, the signer's case" {
	local sig=${TOKEN_B#123/"$LP_ADDR"/} flipped
	sig=${sig%%/*}
	# One bit of r: base64 digit v (47) -> u (46).
	flipped=${sig/E0v/E0u}
	[ "$flipped" != "$sig" ]
	run -3 --separate-stderr 9c-secrets apv verify -P "$LP_PUB" "123/$LP_ADDR/$flipped/dTM6Zm9v"
	assert_equal "$stderr" "9c-secrets: signature: does not hold for the version and extra"
	assert_equal "$output" ""
	assert_equal "$(pyverify "$LP_PUB" "123/$LP_ADDR/$flipped/dTM6Zm9v")" invalid
	run -3 --separate-stderr 9c-secrets apv verify -P "$LP_PUB" "124/$LP_ADDR/$sig/dTM6Zm9v"
	assert_equal "$stderr" "9c-secrets: signature: does not hold for the version and extra"
	assert_equal "$(pyverify "$LP_PUB" "124/$LP_ADDR/$sig/dTM6Zm9v")" invalid
	# u3:fop instead of u3:foo
	run -3 --separate-stderr 9c-secrets apv verify -P "$LP_PUB" "123/$LP_ADDR/$sig/dTM6Zm9w"
	assert_equal "$stderr" "9c-secrets: signature: does not hold for the version and extra"
	assert_equal "$(pyverify "$LP_PUB" "123/$LP_ADDR/$sig/dTM6Zm9w")" invalid
	run -3 --separate-stderr 9c-secrets apv verify -P "$LP_PUB" "123/$LP_ADDR/$sig"
	assert_equal "$stderr" "9c-secrets: signature: does not hold for the version and extra"
	run -3 --separate-stderr 9c-secrets apv verify -P "$LP_PUB" "123/${LP_ADDR%b4}B4/$sig/dTM6Zm9v"
	assert_equal "$stderr" "9c-secrets: token: signer: address checksum is invalid"
}

@test "Libplanet's verify failures: version + 1, the extra \"invalid extra\", another key's address as signer" {
	local sig=${TOKEN_B#123/"$LP_ADDR"/}
	sig=${sig%%/*}
	run -3 --separate-stderr 9c-secrets apv verify -P "$LP_PUB" "124/$LP_ADDR/$sig/dTM6Zm9v"
	assert_equal "$stderr" "9c-secrets: signature: does not hold for the version and extra"
	run -3 --separate-stderr 9c-secrets apv verify -P "$LP_PUB" "123/$LP_ADDR/$sig/$(printf 'u13:invalid extra' | base64 | tr / .)"
	assert_equal "$stderr" "9c-secrets: signature: does not hold for the version and extra"
	run -3 --separate-stderr 9c-secrets apv verify -P "$LP_PUB" "123/54684Ac4ee5B933e72144C4968BEa26056880d71/$sig/dTM6Zm9v"
	assert_equal "$stderr" "9c-secrets: signer: the token names 0x54684Ac4ee5B933e72144C4968BEa26056880d71, but the trusted key's address is 0x$LP_ADDR"
	run -0 9c-secrets apv verify -P "$LP_PUB" "$TOKEN_B"
}

@test "a token signed by another key fails against the trusted signer, which is a public key" {
	run -3 --separate-stderr 9c-secrets apv verify -P "$PUB_W" "$TOKEN_A"
	assert_equal "$stderr" "9c-secrets: signer: the token names 0x$LP_ADDR, but the trusted key's address is 0xED2941B12Edb4f2c1f5Ca9a1ca9dD1f1c43e487B"
	assert_equal "$output" ""
	run -3 --separate-stderr 9c-secrets apv verify -k "$F/keys.yaml" "$TOKEN_A"
	assert_equal "$stderr" "9c-secrets: signer: the token names 0x$LP_ADDR, but the trusted key's address is 0xED2941B12Edb4f2c1f5Ca9a1ca9dD1f1c43e487B"
	run -3 --separate-stderr 9c-secrets apv verify -P 02febda4 "$TOKEN_A"
	assert_equal "$stderr" "9c-secrets: -P: not a secp256k1 public key (66 or 130 hex digits)"
}

@test "Libplanet's malformed tokens are refused with the field that is wrong" {
	local sig=${TOKEN_B#123/"$LP_ADDR"/}
	sig=${sig%%/*}
	run -3 --separate-stderr 9c-secrets apv show 123
	assert_equal "$stderr" "9c-secrets: token: no signer: the token ends after the version"
	run -3 --separate-stderr 9c-secrets apv show "123/$LP_ADDR"
	assert_equal "$stderr" "9c-secrets: token: no signature: the token ends after the signer"
	run -3 --separate-stderr 9c-secrets apv show "INCORRECT/$LP_ADDR/$sig"
	assert_equal "$stderr" "9c-secrets: token: version: expected a 32-bit integer"
	run -3 --separate-stderr 9c-secrets apv show "2147483648/$LP_ADDR/$sig"
	assert_equal "$stderr" "9c-secrets: token: version: expected a 32-bit integer"
	run -3 --separate-stderr 9c-secrets apv show "123/INCORRECT/$sig"
	assert_equal "$stderr" "9c-secrets: token: signer: expected 40 hex digits (an address)"
	run -3 --separate-stderr 9c-secrets apv show "123/$LP_ADDR/_INCORRECT_"
	assert_equal "$stderr" "9c-secrets: token: signature: not valid base64"
	run -3 --separate-stderr 9c-secrets apv show "123/$LP_ADDR/$sig/_INCORRECT_"
	assert_equal "$stderr" "9c-secrets: token: extra: not valid base64"
	# A truncated token: the signature cut inside a base64 quad, or
	# between quads.
	run -3 --separate-stderr 9c-secrets apv show "${TOKEN_A%???}"
	assert_equal "$stderr" "9c-secrets: token: signature: not valid base64"
	run -3 --separate-stderr 9c-secrets apv show "${TOKEN_A%????????}"
	assert_equal "$stderr" "9c-secrets: token: signature: not a DER ECDSA signature"
	# Valid base64, but not canonical Bencodex (i03e).
	run -3 --separate-stderr 9c-secrets apv show "123/$LP_ADDR/$sig/aTAzZQ=="
	assert_equal "$stderr" "9c-secrets: token: extra: offset 0: integer is not canonical (leading zero or -0)"
	run -3 --separate-stderr 9c-secrets apv show <<<"$TOKEN_A
$TOKEN_B"
	assert_equal "$stderr" "9c-secrets: <stdin>: expected one token on one line"
}

@test "an address is all lower case or exactly the EIP-55 form, as Libplanet reads it" {
	local sig=${TOKEN_A#1/"$LP_ADDR"/} lower upper
	lower=$(tr 'A-F' 'a-f' <<<"$LP_ADDR")
	upper=$(tr 'a-f' 'A-F' <<<"$LP_ADDR")
	run -0 9c-secrets apv verify -P "$LP_PUB" "1/$lower/$sig"
	assert_line "signer: \"0x$LP_ADDR\""
	run -3 --separate-stderr 9c-secrets apv show "1/$upper/$sig"
	assert_equal "$stderr" "9c-secrets: token: signer: address checksum is invalid"
	run -0 9c-secrets apv show "1/0x$LP_ADDR/$sig"
	run -3 --separate-stderr 9c-secrets apv show "1/ab$LP_ADDR/$sig"
	assert_equal "$stderr" "9c-secrets: token: signer: a 42-character address must start with 0x"
}

@test "keygen makes the signer key when the spec asks for a signed token, and only one" {
	run -0 9c-secrets keygen -s "$F/spec.yaml"
	assert_line '- name: apv-signer-private-key'
	assert_equal "$(grep -c '^- name:' <<<"$output")" 4
	run -0 9c-secrets keygen -s "$F/spec.yaml" -c seed=1
	assert_line '- name: apv-signer-private-key'
	run -0 9c-secrets keygen -s "$NINEC_ROOT/tests/fixtures/secrets/spec.yaml"
	refute_output --partial apv-signer
	run -2 --separate-stderr 9c-secrets keygen -n x -c apv-signer=2
	assert_equal "$(head -n1 <<<"$stderr")" "9c-secrets: -c: 'apv-signer=2' is not a list like seed=1,validator=4"
}

@test "a spec that asks for a token without a signer key among the keys is bad input" {
	run -3 --separate-stderr 9c-secrets public -s "$F/spec.yaml" "$NINEC_ROOT/tests/fixtures/secrets/vectors.yaml"
	assert_equal "$stderr" "9c-secrets: $F/spec.yaml: network.appProtocolVersion asks for a signed token, but the keys hold no private apv-signer-private-key (make it with keygen or ensure and this spec)"
	assert_equal "$output" ""
	run -3 --separate-stderr 9c-secrets apv sign -V 1 "$NINEC_ROOT/tests/fixtures/secrets/vectors.yaml"
	assert_equal "$stderr" "9c-secrets: $NINEC_ROOT/tests/fixtures/secrets/vectors.yaml: no apv-signer-private-key among the keys"
}

@test "a bad appProtocolVersion mapping or extra file is bad input naming the field" {
	sed 's/    version: 1/    version: one/' "$F/spec.yaml" >"$BATS_TEST_TMPDIR/s.yaml"
	run -3 --separate-stderr 9c-secrets keygen -s "$BATS_TEST_TMPDIR/s.yaml"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/s.yaml:8:14: network.appProtocolVersion.version: expected a 32-bit integer"
	sed 's/      timestamp: "2026-12-01"/      rate: 1.5/' "$F/spec.yaml" >"$BATS_TEST_TMPDIR/s.yaml"
	run -3 --separate-stderr 9c-secrets keygen -s "$BATS_TEST_TMPDIR/s.yaml"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/s.yaml:10:7: network.appProtocolVersion.extra.rate: a number with a fraction has no Bencodex form (use an integer or a string)"
	sed 's/    version: 1/    versoin: 1/' "$F/spec.yaml" >"$BATS_TEST_TMPDIR/s.yaml"
	run -3 --separate-stderr 9c-secrets keygen -s "$BATS_TEST_TMPDIR/s.yaml"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/s.yaml:8:5: network.appProtocolVersion.versoin: unknown key (expected version or extra)"
	printf 'i03e' >"$BATS_TEST_TMPDIR/bad.bx"
	run -3 --separate-stderr 9c-secrets apv sign -V 1 -x "$BATS_TEST_TMPDIR/bad.bx" "$BATS_TEST_TMPDIR/lp.yaml"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/bad.bx: not one Bencodex value: offset 0: integer is not canonical (leading zero or -0)"
	assert_equal "$output" ""
}

@test "apv misuse is a usage error" {
	run -2 --separate-stderr 9c-secrets apv sign "$BATS_TEST_TMPDIR/lp.yaml"
	assert_equal "$(head -n1 <<<"$stderr")" "9c-secrets: apv sign: a version is needed: give -V version, or -s spec with network.appProtocolVersion.version"
	run -2 --separate-stderr 9c-secrets apv sign -V x1 "$BATS_TEST_TMPDIR/lp.yaml"
	assert_equal "$(head -n1 <<<"$stderr")" "9c-secrets: -V: expected a 32-bit integer, not 'x1'"
	run -2 --separate-stderr 9c-secrets apv verify "$TOKEN_A"
	assert_equal "$(head -n1 <<<"$stderr")" "9c-secrets: apv verify: a trusted signer is needed: give -P public-key or -k keys"
	run -2 --separate-stderr 9c-secrets apv frob
	assert_equal "$(head -n1 <<<"$stderr")" "9c-secrets: unknown command 'apv frob'"
	run -2 --separate-stderr 9c-secrets apv show -q x
	assert_equal "$(head -n1 <<<"$stderr")" "9c-secrets: apv show: unknown option -q"
}

@test "ensure keeps the signer key in AWS with the node keys, and apv sign -a signs with it" {
	sed 's/name: 9c-apv/name: apv-aws/' "$F/spec.yaml" >"$BATS_TEST_TMPDIR/s.yaml"
	run -0 --separate-stderr 9c-secrets ensure -s "$BATS_TEST_TMPDIR/s.yaml"
	assert_equal "$stderr" ""
	local first=$output token pub
	token=$(sed -n 's/^appProtocolVersion: //p' <<<"$output")
	pub=$(sed -n 's/^trustedAppProtocolVersionSigner: "\(.*\)"$/\1/p' <<<"$output")
	[ -n "$token" ] && [ -n "$pub" ]
	assert_equal "$(pyverify "$pub" "$token")" valid
	run -0 aws secretsmanager get-secret-value --secret-id apv-aws/private-keys --query SecretString --output text
	run -0 jq -r 'keys[]' <<<"$output"
	assert_output "apv-signer-private-key
seed-private-key-1
validator-private-key-1
validator-private-key-2"
	# Signing is deterministic: the same key gives the same token.
	run -0 9c-secrets ensure -s "$BATS_TEST_TMPDIR/s.yaml"
	assert_output "$first"
	run -0 9c-secrets apv sign -a -s "$BATS_TEST_TMPDIR/s.yaml"
	assert_output "$token"
	# The Secret the nodes read holds their keys, never the signer's.
	run -0 9c-secrets secret -a -s "$BATS_TEST_TMPDIR/s.yaml"
	assert_line --regexp '^  seed-private-key-1: "?[0-9a-f]{64}"?$'
	refute_line --partial 'apv-signer'
}

@test "the signer key never reaches stderr or a public output" {
	local d=$BATS_TEST_TMPDIR/leak k f
	mkdir "$d"
	cd "$d"
	sed 's/name: 9c-apv/name: apv-leak/' "$F/spec.yaml" >spec.yaml
	9c-secrets keygen -s spec.yaml -w keys.yaml 2>err.0
	k=$(sed -n '/apv-signer-private-key/,/privateKey/s/^  privateKey: "\{0,1\}\([0-9a-f]*\)"\{0,1\}$/\1/p' keys.yaml)
	[[ $k =~ ^[0-9a-f]{64}$ ]]
	9c-secrets apv sign -s spec.yaml keys.yaml >token 2>err.1
	9c-secrets public -s spec.yaml keys.yaml >public.yaml 2>err.2
	9c-secrets push -s spec.yaml keys.yaml >push.out 2>err.3
	9c-secrets ensure -s spec.yaml >ensure.yaml 2>err.4
	9c-secrets apv sign -a -s spec.yaml >token.aws 2>err.5
	printf 'x' >bad.bx
	9c-secrets apv sign -V 1 -x bad.bx keys.yaml >/dev/null 2>err.6 && fail "bad extra signed"
	9c-secrets apv verify -k keys.yaml "$TOKEN_A" >/dev/null 2>err.7 && fail "foreign token verified"
	9c-secrets public -s spec.yaml "$NINEC_ROOT/tests/fixtures/secrets/vectors.yaml" >/dev/null 2>err.8 && fail "signed without a key"
	assert_equal "$(cat token.aws)" "$(cat token)"
	for f in err.* token public.yaml push.out ensure.yaml; do
		! grep -q "$k" "$f" || fail "$f holds the signer key"
	done
	assert_equal "$(stat -c %a keys.yaml)" 600
}
