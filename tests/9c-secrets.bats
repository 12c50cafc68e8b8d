#!/usr/bin/env bats
# 9c-secrets: node keys, AWS Secrets Manager (a real moto_server on
# loopback with signature checking on) and Kubernetes secrets.

load helpers/common
load helpers/moto

F=$NINEC_ROOT/tests/fixtures/secrets

setup_file() {
	moto_start
}

teardown_file() {
	moto_stop
}

setup() {
	moto_env
}

# priv_to_pub HEX: the compressed public key OpenSSL derives from a private
# key, via a SEC1 DER key built on stdin (the key is never an argument).
priv_to_pub() {
	printf '302e0201010420%sa00706052b8104000a' "$1" | xxd -r -p |
		openssl ec -inform DER -pubout -outform DER -conv_form compressed 2>/dev/null |
		tail -c 33 | xxd -p -c 100
}

@test "usage matches the man page SYNOPSIS" {
	usage_matches_synopsis 9c-secrets man1/9c-secrets.1
}

@test "the man page examples run" {
	unset AWS_REGION AWS_DEFAULT_REGION
	run_man_examples man1/9c-secrets.1
}

@test "Keccak-256, the sponge against OpenSSL's SHA3-256 and EIP-55 checksums hold" {
	cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -fsanitize=address,undefined \
		-I"$NINEC_ROOT/tools/lib" "$F/keys-check.c" "$NINEC_BIN/lib9c.a" \
		$(pkg-config --libs yaml-0.1 libcjson libcurl openssl) -lm -o "$BATS_TEST_TMPDIR/keys-check"
	run -0 "$BATS_TEST_TMPDIR/keys-check"
	assert_output ok
}

@test "known private keys give Libplanet's public keys and addresses" {
	run -0 9c-secrets public "$F/vectors.yaml"
	assert_output "$(cat "$F/vectors.public.yaml")"
	assert_line '  address: "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"'
	assert_line '  address: "0x709237D3055df866250Dcb5402A5edf536461C36"'
	assert_line '  address: "0xDC66e6074B65aDd10e447D87e4C602DF70a5566A"'
}

@test "a public key alone gives its address (Libplanet AddressTest)" {
	cat >"$BATS_TEST_TMPDIR/pub.yaml" <<-'EOF'
	kind: NodePublicKeys
	keys:
	- name: miner-private-key-3
	  publicKey: 03438b935389a7ebf838b3ae4125bd28506aa2dd457f20afc843729d3e7d60d728
	EOF
	run -0 9c-secrets public -n x -o json "$BATS_TEST_TMPDIR/pub.yaml"
	assert_output '{"apiVersion":"9c.planetarium.dev/v1alpha1","kind":"NodePublicKeys","metadata":{"name":"x"},"keys":[{"name":"miner-private-key-3","role":"miner","index":3,"publicKey":"03438b935389a7ebf838b3ae4125bd28506aa2dd457f20afc843729d3e7d60d728","address":"0xD41FADF61bADF5bE2dE60E9Fc3230C0a8A4390f0"}]}'
	[ "$(tr 'A-F' 'a-f' <<<0xD41FADF61bADF5bE2dE60E9Fc3230C0a8A4390f0)" = 0xd41fadf61badf5be2de60e9fc3230c0a8a4390f0 ]
}

@test "generated keys follow the cluster's layout and their public keys match openssl" {
	run -0 9c-secrets keygen -n 9c-test -c seed=2,validator=3 -o json
	echo "$output" >"$BATS_TEST_TMPDIR/keys.json"
	run -0 jq -r '.keys[] | [.name, .role, .index, .publicKey, .privateKey] | @tsv' "$BATS_TEST_TMPDIR/keys.json"
	assert_equal "$(cut -f1-3 <<<"$output")" "seed-private-key-1	seed	1
seed-private-key-2	seed	2
validator-private-key-1	validator	1
validator-private-key-2	validator	2
validator-private-key-3	validator	3"
	local name role index pub priv
	while IFS=$'\t' read -r name role index pub priv; do
		[[ $priv =~ ^[0-9a-f]{64}$ ]] || fail "$name: private key is not 64 hex digits"
		[[ $priv != 00* ]] || fail "$name: top byte is zero"
		assert_equal "$(priv_to_pub "$priv")" "$pub"
	done <<<"$output"
	assert_equal "$(cut -f5 <<<"$output" | sort -u | wc -l)" 5
}

@test "the counts come from the spec, which may carry keys this tool ignores" {
	run -0 9c-secrets keygen -s "$F/spec.yaml"
	assert_line 'kind: NodePrivateKeys'
	assert_line '  name: 9c-test'
	assert_equal "$(grep -c '^- name:' <<<"$output")" 3
	assert_line '- name: validator-private-key-2'
}

@test "-c wins over the spec's counts" {
	run -0 9c-secrets keygen -s "$F/spec.yaml" -c seed=1
	assert_equal "$(grep -c '^- name:' <<<"$output")" 1
}

@test "keygen -w writes a new file readable only by its owner" {
	run -0 --separate-stderr 9c-secrets keygen -n 9c-test -c seed=1 -w "$BATS_TEST_TMPDIR/k.yaml"
	assert_equal "$output" ""
	assert_equal "$stderr" ""
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/k.yaml")" 600
	run -0 9c-secrets public "$BATS_TEST_TMPDIR/k.yaml"
	assert_line '- name: seed-private-key-1'
}

@test "keygen -w never overwrites a file" {
	echo keep >"$BATS_TEST_TMPDIR/k.yaml"
	run -1 --separate-stderr 9c-secrets keygen -n 9c-test -c seed=1 -w "$BATS_TEST_TMPDIR/k.yaml"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/k.yaml: File exists"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/k.yaml")" keep
}

@test "private keys are not printed to a terminal without -f" {
	run -0 script -qec "9c-secrets keygen -n t -c seed=1; echo status=\$?" /dev/null
	assert_output --partial "9c-secrets: refusing to print private keys to a terminal: give -f, or -w file"
	assert_output --partial "status=1"
	refute_output --partial privateKey
	run -0 script -qec "9c-secrets keygen -f -n t -c seed=1" /dev/null
	assert_output --partial privateKey
}

@test "keygen without a name or counts is a usage error" {
	run -2 --separate-stderr 9c-secrets keygen -c seed=1
	assert_equal "${stderr%%$'\n'*}" "9c-secrets: keygen: a network name is needed: give -n name or -s spec"
	run -2 --separate-stderr 9c-secrets keygen -n x
	assert_equal "${stderr%%$'\n'*}" "9c-secrets: keygen: node counts are needed: give -c seed=N,validator=N or -s spec"
}

@test "bad options are usage errors" {
	run -2 --separate-stderr 9c-secrets keygen -n x -c seed=one
	assert_equal "${stderr%%$'\n'*}" "9c-secrets: -c: 'seed=one' is not a list like seed=1,validator=4"
	run -2 --separate-stderr 9c-secrets keygen -n x -c boot=1
	assert_equal "${stderr%%$'\n'*}" "9c-secrets: -c: 'boot=1' is not a list like seed=1,validator=4"
	run -2 --separate-stderr 9c-secrets keygen -n Bad_Name -c seed=1
	assert_equal "${stderr%%$'\n'*}" "9c-secrets: -n: 'Bad_Name' is not a DNS-1123 label"
	run -2 --separate-stderr 9c-secrets external -n x -V v2
	assert_equal "${stderr%%$'\n'*}" "9c-secrets: -V: expected v1 or v1beta1, not 'v2'"
	run -2 --separate-stderr 9c-secrets frobnicate
	assert_equal "${stderr%%$'\n'*}" "9c-secrets: unknown command 'frobnicate'"
	run -2 --separate-stderr 9c-secrets push -a
	assert_equal "${stderr%%$'\n'*}" "9c-secrets: push: unknown option -a"
	run -2 --separate-stderr 9c-secrets push -n
	assert_equal "${stderr%%$'\n'*}" "9c-secrets: push: -n needs an argument"
	run -2 --separate-stderr 9c-secrets pull -n x extra
	assert_equal "${stderr%%$'\n'*}" "9c-secrets: pull: too many arguments"
	run -2 --separate-stderr 9c-secrets
	assert_equal "${stderr%%$'\n'*}" "usage: 9c-secrets keygen [-f] [-c counts] [-n name] [-o format] [-s spec] [-w file]"
	run -2 --separate-stderr 9c-secrets public -o xml
	assert_equal "${stderr%%$'\n'*}" "9c-secrets: -o: unknown format 'xml'"
}

@test "a spec that is not a mapping or has a bad name is bad input" {
	echo '[1, 2]' >"$BATS_TEST_TMPDIR/spec.yaml"
	run -3 --separate-stderr 9c-secrets keygen -s "$BATS_TEST_TMPDIR/spec.yaml"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/spec.yaml: expected a TestNet spec (a mapping)"
	printf 'name: Not_DNS\n' >"$BATS_TEST_TMPDIR/spec.yaml"
	run -3 --separate-stderr 9c-secrets keygen -s "$BATS_TEST_TMPDIR/spec.yaml"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/spec.yaml: name: expected a DNS-1123 label"
	printf 'name: x\nnetwork:\n  seed:\n    count: many\n' >"$BATS_TEST_TMPDIR/spec.yaml"
	run -3 --separate-stderr 9c-secrets keygen -s "$BATS_TEST_TMPDIR/spec.yaml"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/spec.yaml: network.seed.count: expected a count from 0 to 1000"
	run -3 --separate-stderr 9c-secrets keygen -s "$BATS_TEST_TMPDIR/none.yaml"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/none.yaml: No such file or directory"
}

@test "bad keys documents are bad input and the key never appears in the message" {
	local k=e07107ca4b0d19147fa1152a0f2c7884705d59cbb6318e2f901bd28dd9ff78e3
	printf 'kind: NodePrivateKeys\nkeys:\n- name: seed-private-key-1\n  privateKey: %s0\n' "$k" >"$BATS_TEST_TMPDIR/k.yaml"
	run -3 --separate-stderr 9c-secrets public "$BATS_TEST_TMPDIR/k.yaml"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/k.yaml: document 1: keys[0].privateKey: expected 64 hex digits (a private key)"
	printf 'kind: NodePrivateKeys\nkeys:\n- name: seed-private-key-1\n  privateKey: %s\n  publicKey: 0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798\n' "$k" >"$BATS_TEST_TMPDIR/k.yaml"
	run -3 --separate-stderr 9c-secrets public "$BATS_TEST_TMPDIR/k.yaml"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/k.yaml: document 1: keys[0].publicKey: does not match the private key"
	printf 'kind: NodePrivateKeys\nkeys:\n- name: seed-private-key-1\n  privateKey: %s\n- name: seed-private-key-1\n  privateKey: %s\n' "$k" "$k" >"$BATS_TEST_TMPDIR/k.yaml"
	run -3 --separate-stderr 9c-secrets public "$BATS_TEST_TMPDIR/k.yaml"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/k.yaml: document 1: keys[1].name: given twice"
	printf 'kind: NodePrivateKeys\nkeys:\n- name: tcp-seed-1\n  privateKey: %s\n' "$k" >"$BATS_TEST_TMPDIR/k.yaml"
	run -3 --separate-stderr 9c-secrets public "$BATS_TEST_TMPDIR/k.yaml"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/k.yaml: document 1: keys[0].name: expected seed-, miner- or validator-private-key-N, or apv-signer-private-key"
	printf 'seed-private-key-1: "%s"\n' "$(printf '0%.0s' {1..64})" >"$BATS_TEST_TMPDIR/k.yaml"
	run -3 --separate-stderr 9c-secrets public "$BATS_TEST_TMPDIR/k.yaml"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/k.yaml: document 1: seed-private-key-1: expected 64 hex digits (a private key)"
	printf 'kind: ConfigMap\nkeys: []\n' >"$BATS_TEST_TMPDIR/k.yaml"
	run -3 --separate-stderr 9c-secrets public "$BATS_TEST_TMPDIR/k.yaml"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/k.yaml: document 1: kind: expected NodePrivateKeys or NodePublicKeys"
	run -3 --separate-stderr 9c-secrets push -n x "$F/vectors.public.yaml"
	assert_equal "$stderr" "9c-secrets: $F/vectors.public.yaml: document 1: kind: expected NodePrivateKeys"
	printf 'a: 1\n---\nb: 2\n' >"$BATS_TEST_TMPDIR/k.yaml"
	run -3 --separate-stderr 9c-secrets public "$BATS_TEST_TMPDIR/k.yaml"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/k.yaml: document 2: expected one keys document"
	: >"$BATS_TEST_TMPDIR/k.yaml"
	run -3 --separate-stderr 9c-secrets public "$BATS_TEST_TMPDIR/k.yaml"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/k.yaml: no keys document"
}

@test "the flat layout of the AWS secret is read as keys" {
	printf '{"validator-private-key-1": "e07107ca4b0d19147fa1152a0f2c7884705d59cbb6318e2f901bd28dd9ff78e3"}\n' |
		{
			run -0 9c-secrets public -n t
			assert_line '  address: "0x709237D3055df866250Dcb5402A5edf536461C36"'
		}
}

@test "secret writes a plain Secret with the keys in stringData" {
	run -0 9c-secrets secret -N 9c-test "$F/vectors.yaml"
	assert_output 'apiVersion: v1
kind: Secret
metadata:
  name: private-keys
  namespace: 9c-test
type: Opaque
stringData:
  seed-private-key-1: "0000000000000000000000000000000000000000000000000000000000000001"
  validator-private-key-1: e07107ca4b0d19147fa1152a0f2c7884705d59cbb6318e2f901bd28dd9ff78e3
  validator-private-key-2: "82fc9947e878fc7ed01c6c310688603f0a41c8e8704e5b990e8388343b0fd465"'
}

@test "external writes a SecretStore and an ExternalSecret that names each node key, v1 by default" {
	run -0 9c-secrets external -c seed=1,miner=1 -n 9c-test -r us-east-2
	assert_output 'apiVersion: external-secrets.io/v1
kind: SecretStore
metadata:
  name: 9c-test-secretsmanager
  namespace: 9c-test
spec:
  provider:
    aws:
      service: SecretsManager
      region: us-east-2
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: private-keys
  namespace: 9c-test
spec:
  refreshInterval: 1m
  secretStoreRef:
    name: 9c-test-secretsmanager
    kind: SecretStore
  target:
    name: private-keys
    creationPolicy: Owner
  data:
  - secretKey: seed-private-key-1
    remoteRef:
      key: 9c-test/private-keys
      property: seed-private-key-1
  - secretKey: miner-private-key-1
    remoteRef:
      key: 9c-test/private-keys
      property: miner-private-key-1'
	run -0 9c-secrets external -s "$F/spec.yaml" -V v1beta1 -o json
	assert_line --index 0 '{"apiVersion":"external-secrets.io/v1beta1","kind":"SecretStore","metadata":{"name":"9c-testnet-secretsmanager","namespace":"9c-testnet"},"spec":{"provider":{"aws":{"service":"SecretsManager","region":"us-east-2"}}}}'
	assert_line --index 1 '{"apiVersion":"external-secrets.io/v1beta1","kind":"ExternalSecret","metadata":{"name":"private-keys","namespace":"9c-testnet"},"spec":{"refreshInterval":"1m","secretStoreRef":{"name":"9c-testnet-secretsmanager","kind":"SecretStore"},"target":{"name":"private-keys","creationPolicy":"Owner"},"data":[{"secretKey":"seed-private-key-1","remoteRef":{"key":"9c-test/private-keys","property":"seed-private-key-1"}},{"secretKey":"validator-private-key-1","remoteRef":{"key":"9c-test/private-keys","property":"validator-private-key-1"}},{"secretKey":"validator-private-key-2","remoteRef":{"key":"9c-test/private-keys","property":"validator-private-key-2"}}]}}'
}

@test "external without counts is a usage error: it names each key rather than extract the signer's too" {
	run -2 --separate-stderr 9c-secrets external -n x -r us-east-2
	assert_equal "${stderr%%$'\n'*}" "9c-secrets: external: node counts are needed: give -c seed=N,validator=N or -s spec"
}

@test "external without a region is bad input" {
	unset AWS_REGION AWS_DEFAULT_REGION
	run -3 --separate-stderr 9c-secrets external -c seed=1 -n x
	assert_equal "$stderr" "9c-secrets: external: no AWS region: give -r, aws.region in the spec, or AWS_REGION"
}

@test "fill fills the Secrets that ask for it and passes the rest through" {
	run -0 9c-secrets fill -k "$F/vectors.yaml" "$F/manifest.yaml"
	assert_output "$(cat "$F/manifest.filled.yaml")"
}

@test "fill passes a stream without such Secrets through unchanged" {
	run -0 9c-secrets fill "$SHARED/corpus/external-secrets-crds.yaml"
	9c-order -s 1 "$SHARED/corpus/external-secrets-crds.yaml" >/dev/null
	run -0 bash -c '9c-secrets fill "$1" | 9c-secrets fill' _ "$F/vectors.public.yaml"
	assert_output "$(cat "$F/vectors.public.yaml")"
}

@test "fill refuses a Secret that names a key the source lacks, and writes nothing" {
	sed 's/validator-private-key-1/miner-private-key-9/' "$F/manifest.yaml" >"$BATS_TEST_TMPDIR/m.yaml"
	run -1 --separate-stderr 9c-secrets fill -k "$F/vectors.yaml" "$BATS_TEST_TMPDIR/m.yaml"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/m.yaml: document 2: stringData.miner-private-key-9: no such key in 9c-test/private-keys"
	assert_equal "$output" ""
}

@test "fill stops at a bad document and writes nothing" {
	printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  annotations:\n    9c.planetarium.dev/aws-secret: ""\n' >"$BATS_TEST_TMPDIR/m.yaml"
	run -3 --separate-stderr 9c-secrets fill -k "$F/vectors.yaml" "$BATS_TEST_TMPDIR/m.yaml"
	assert_equal "$stderr" "9c-secrets: $BATS_TEST_TMPDIR/m.yaml: document 1: metadata.annotations[\"9c.planetarium.dev/aws-secret\"]: expected the name of an AWS secret"
	assert_equal "$output" ""
}

# ---- AWS Secrets Manager (moto, signatures checked) ----

@test "push creates the secret, tagged for the cluster" {
	run -0 9c-secrets push -n push-a "$F/vectors.yaml"
	assert_output --regexp '^push-a/private-keys	[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}	created$'
	run -0 aws secretsmanager describe-secret --secret-id push-a/private-keys --query 'Tags' --output text
	assert_output 'kubernetes.io/cluster/push-a	owned'
	run -0 aws secretsmanager get-secret-value --secret-id push-a/private-keys --query SecretString --output text
	assert_output '{"seed-private-key-1":"0000000000000000000000000000000000000000000000000000000000000001","validator-private-key-1":"e07107ca4b0d19147fa1152a0f2c7884705d59cbb6318e2f901bd28dd9ff78e3","validator-private-key-2":"82fc9947e878fc7ed01c6c310688603f0a41c8e8704e5b990e8388343b0fd465"}'
}

@test "pushing the same keys again makes no new version" {
	run -0 9c-secrets push -n push-b "$F/vectors.yaml"
	local first=$output
	run -0 9c-secrets push -n push-b <"$F/vectors.yaml"
	assert_output "${first%created}unchanged"
	run -0 aws secretsmanager list-secret-version-ids --secret-id push-b/private-keys --query 'length(Versions)'
	assert_output 1
}

@test "pushing other keys makes one new current version" {
	9c-secrets push -n push-c "$F/vectors.yaml" >/dev/null
	9c-secrets keygen -n push-c -c seed=1 -w "$BATS_TEST_TMPDIR/k.yaml"
	run -0 9c-secrets push -n push-c "$BATS_TEST_TMPDIR/k.yaml"
	assert_output --regexp '	updated$'
	local ver=$(cut -f2 <<<"$output")
	run -0 aws secretsmanager list-secret-version-ids --secret-id push-c/private-keys --query 'Versions[?contains(VersionStages, `AWSCURRENT`)].VersionId' --output text
	assert_output "$ver"
	run -0 aws secretsmanager list-secret-version-ids --secret-id push-c/private-keys --query 'length(Versions)'
	assert_output 2
	run -0 9c-secrets push -n push-c "$BATS_TEST_TMPDIR/k.yaml"
	assert_output --regexp '	unchanged$'
}

@test "pull gives back the keys that were pushed" {
	9c-secrets push -n pull-a "$F/vectors.yaml" >/dev/null
	run -0 9c-secrets pull -n pull-a
	assert_output "$(9c-secrets public -o yaml "$F/vectors.yaml" | sed 's/NodePublicKeys/NodePrivateKeys/; s/  name: 9c-test/  name: pull-a/' |
		awk -v k1=0000000000000000000000000000000000000000000000000000000000000001 \
		    -v k2=e07107ca4b0d19147fa1152a0f2c7884705d59cbb6318e2f901bd28dd9ff78e3 \
		    -v k3=82fc9947e878fc7ed01c6c310688603f0a41c8e8704e5b990e8388343b0fd465 '
			{ print }
			/address:/ { n++; k = n == 1 ? "\"" k1 "\"" : n == 2 ? k2 : "\"" k3 "\""; print "  privateKey: " k }')"
	run -0 9c-secrets pull -n pull-a -w "$BATS_TEST_TMPDIR/pulled.yaml"
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/pulled.yaml")" 600
	run -0 9c-secrets public -a -n pull-a
	assert_output "$(9c-secrets public -n pull-a "$F/vectors.yaml")"
}

@test "pulling a missing secret is refused with AWS's message" {
	run -1 --separate-stderr 9c-secrets pull -n nothing-here
	assert_equal "$stderr" "9c-secrets: nothing-here/private-keys: GetSecretValue: ResourceNotFoundException: Secrets Manager can't find the specified secret."
	assert_equal "$output" ""
}

@test "a wrong secret key is refused with AWS's message" {
	export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
	run -4 --separate-stderr 9c-secrets pull -n pull-a
	assert_equal "$stderr" "9c-secrets: pull-a/private-keys: GetSecretValue: SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	run -4 --separate-stderr 9c-secrets push -n pull-a "$F/vectors.yaml"
	assert_equal "$stderr" "9c-secrets: pull-a/private-keys: GetSecretValue: SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
}

@test "an unknown access key is refused with AWS's message" {
	export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
	run -4 --separate-stderr 9c-secrets pull -n pull-a
	assert_equal "$stderr" "9c-secrets: pull-a/private-keys: GetSecretValue: InvalidClientTokenId: The security token included in the request is invalid."
}

@test "credentials come from a profile in the shared credentials file" {
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	printf '[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = nope\n\n# the one we use\n[moto]\naws_access_key_id = %s\naws_secret_access_key=%s\n' \
		"$MOTO_AKID" "$MOTO_SECRET" >"$AWS_SHARED_CREDENTIALS_FILE"
	AWS_PROFILE=moto run -0 9c-secrets push -n prof-a "$F/vectors.yaml"
	assert_output --regexp 'created$'
	run -0 9c-secrets pull -n prof-a -p moto
	assert_line '- name: validator-private-key-2'
	run -4 --separate-stderr 9c-secrets pull -n prof-a
	assert_equal "$stderr" "9c-secrets: prof-a/private-keys: GetSecretValue: InvalidClientTokenId: The security token included in the request is invalid."
}

@test "credentials, region and endpoint come from the config file" {
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_DEFAULT_REGION AWS_ENDPOINT_URL
	printf '[default]\nregion = eu-west-1\n\n[profile cfg]\nregion = us-east-1\naws_access_key_id = %s\naws_secret_access_key = %s\nservices = local\n\n[services local]\nsecrets_manager =\n  endpoint_url = %s\n' \
		"$MOTO_AKID" "$MOTO_SECRET" "$MOTO_URL" >"$AWS_CONFIG_FILE"
	run -0 9c-secrets push -n cfg-a -p cfg "$F/vectors.yaml"
	assert_output --regexp 'created$'
	AWS_PROFILE=cfg run -0 9c-secrets public -a -n cfg-a
	assert_line '  address: "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"'
}

@test "an explicit profile wins over the environment's keys" {
	export AWS_SECRET_ACCESS_KEY=wrong
	printf '[good]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$MOTO_AKID" "$MOTO_SECRET" >"$AWS_SHARED_CREDENTIALS_FILE"
	AWS_PROFILE=good run -4 9c-secrets pull -n pull-a
	run -0 9c-secrets pull -n pull-a -p good
}

@test "session credentials are signed with their token" {
	aws iam create-role --role-name ninec-ops \
		--assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}' >/dev/null
	aws iam put-role-policy --role-name ninec-ops --policy-name sm \
		--policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:*","Resource":"*"}]}'
	read -r ak sk tok < <(aws sts assume-role --role-arn arn:aws:iam::123456789012:role/ninec-ops \
		--role-session-name bats --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
	[[ $ak == ASIA* ]]
	export AWS_ACCESS_KEY_ID=$ak AWS_SECRET_ACCESS_KEY=$sk AWS_SESSION_TOKEN=$tok
	run -0 9c-secrets push -n sess-a "$F/vectors.yaml"
	assert_output --regexp 'created$'
	unset AWS_SESSION_TOKEN
	run -4 --separate-stderr 9c-secrets pull -n sess-a
	assert_equal "$stderr" "9c-secrets: sess-a/private-keys: GetSecretValue: InvalidClientTokenId: The security token included in the request is invalid."
	# A session token in the credentials file works the same way.
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	printf '[sess]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_session_token = %s\n' "$ak" "$sk" "$tok" >"$AWS_SHARED_CREDENTIALS_FILE"
	run -0 9c-secrets pull -n sess-a -p sess
	assert_line '- name: seed-private-key-1'
}

@test "the service endpoint variable wins over the general one" {
	export AWS_ENDPOINT_URL_SECRETS_MANAGER=$MOTO_URL AWS_ENDPOINT_URL=http://127.0.0.1:1
	run -0 9c-secrets public -a -n pull-a
	export AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true
	run -4 --separate-stderr 9c-secrets public -a -n pull-a -r cn-north-1
	[[ $stderr == "9c-secrets: pull-a/private-keys: cannot reach https://secretsmanager.cn-north-1.amazonaws.com.cn: "* ]]
}

@test "a server that cannot be reached is a connection problem" {
	export AWS_ENDPOINT_URL=http://127.0.0.1:1
	run -4 --separate-stderr 9c-secrets pull -n x
	assert_equal "$stderr" "9c-secrets: x/private-keys: cannot reach http://127.0.0.1:1: Couldn't connect to server"
}

@test "missing credentials, region or profile stop before any request" {
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	run -4 --separate-stderr 9c-secrets pull -n x
	assert_equal "$stderr" "9c-secrets: no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give profile 'default' keys in $AWS_SHARED_CREDENTIALS_FILE"
	run -4 --separate-stderr 9c-secrets pull -n x -p ghost
	assert_equal "$stderr" "9c-secrets: AWS profile 'ghost' not found in $AWS_SHARED_CREDENTIALS_FILE or $AWS_CONFIG_FILE"
	moto_env
	unset AWS_REGION AWS_DEFAULT_REGION
	run -4 --separate-stderr 9c-secrets pull -n x
	assert_equal "$stderr" "9c-secrets: no AWS region: give -r, aws.region in the spec, AWS_REGION, or region in profile 'default'"
	export AWS_MAX_ATTEMPTS=0
	run -3 --separate-stderr 9c-secrets pull -n x -r us-east-1
	assert_equal "$stderr" "9c-secrets: AWS_MAX_ATTEMPTS: expected a number from 1 to 20"
}

@test "ensure creates keys once, keeps them, and adds only what is missing" {
	run -0 9c-secrets ensure -n ens-a -c seed=1,validator=2
	local first=$output
	refute_output --partial privateKey
	assert_equal "$(grep -c '^- name:' <<<"$output")" 3
	run -0 9c-secrets ensure -n ens-a -c seed=1,validator=2
	assert_output "$first"
	run -0 aws secretsmanager list-secret-version-ids --secret-id ens-a/private-keys --query 'length(Versions)'
	assert_output 1
	run -0 9c-secrets ensure -n ens-a -c seed=1,validator=3
	assert_equal "$(grep -c '^- name:' <<<"$output")" 4
	assert_equal "$(head -n 20 <<<"$output")" "$(head -n 20 <<<"$first")"
	run -0 aws secretsmanager list-secret-version-ids --secret-id ens-a/private-keys --query 'length(Versions)'
	assert_output 2
}

@test "ensure reads the name, region and counts from the spec" {
	unset AWS_REGION AWS_DEFAULT_REGION
	sed 's/name: 9c-test/name: ens-spec/; s/region: us-east-2/region: us-east-1/' "$F/spec.yaml" >"$BATS_TEST_TMPDIR/spec.yaml"
	run -0 9c-secrets ensure -s "$BATS_TEST_TMPDIR/spec.yaml"
	assert_line '  name: ens-spec'
	assert_line '- name: validator-private-key-2'
	run -0 9c-secrets secret -a -s "$BATS_TEST_TMPDIR/spec.yaml"
	assert_line '  namespace: 9c-testnet'
	assert_line --regexp '^  validator-private-key-2: "?[0-9a-f]{64}"?$'
}

@test "fill takes each Secret's keys from the AWS secret its annotation names" {
	9c-secrets push -n 9c-test "$F/vectors.yaml" >/dev/null
	run -0 9c-secrets fill "$F/manifest.yaml"
	assert_output "$(cat "$F/manifest.filled.yaml")"
	sed 's:9c-test/private-keys:nowhere/private-keys:' "$F/manifest.yaml" >"$BATS_TEST_TMPDIR/m.yaml"
	run -1 --separate-stderr 9c-secrets fill "$BATS_TEST_TMPDIR/m.yaml"
	assert_equal "$stderr" "9c-secrets: nowhere/private-keys: GetSecretValue: ResourceNotFoundException: Secrets Manager can't find the specified secret."
	assert_equal "$output" ""
}

@test "no command leaks a private key to stderr or a readable file" {
	local d=$BATS_TEST_TMPDIR/leak cmd f k
	mkdir "$d"
	cd "$d"
	9c-secrets keygen -n leak-a -c seed=1,validator=2 -w keys.yaml 2>err.0
	sed -n 's/^  privateKey: "\{0,1\}\([0-9a-f]*\)"\{0,1\}$/\1/p' keys.yaml | sort -u >privs
	[ "$(wc -l <privs)" -eq 3 ]
	# Every command, successes and failures, with the real keys around.
	9c-secrets public keys.yaml >public.yaml 2>err.1
	9c-secrets push -n leak-a keys.yaml >push.out 2>err.2
	9c-secrets push -n leak-a keys.yaml >>push.out 2>err.3
	9c-secrets pull -n leak-a -w pulled.yaml 2>err.4
	9c-secrets ensure -n leak-a -c seed=2,validator=2 >ensure.yaml 2>err.5
	9c-secrets secret -N leak-a -w secret.yaml keys.yaml 2>err.6
	9c-secrets secret -a -n leak-a -w secret-aws.yaml 2>err.7
	9c-secrets external -c seed=1 -n leak-a >external.yaml 2>err.8
	9c-secrets fill -k keys.yaml "$F/manifest.yaml" >filled.yaml 2>err.9
	sed 's/^\(  privateKey: \).*/\1"zz"/' keys.yaml >bad.yaml
	9c-secrets public bad.yaml >/dev/null 2>err.10 && fail "bad keys accepted"
	sed 's/^\(  privateKey: \)"\{0,1\}\(.\)/\1"\2g/' keys.yaml >bad2.yaml
	9c-secrets push -n leak-a bad2.yaml >/dev/null 2>err.11 && fail "bad keys pushed"
	AWS_SECRET_ACCESS_KEY=wrong 9c-secrets push -n leak-a keys.yaml >/dev/null 2>err.12 && fail "wrong key accepted"
	9c-secrets pull -n leak-a -w pulled.yaml 2>err.13 && fail "pull overwrote a file"
	script -qec "9c-secrets pull -n leak-a" /dev/null >tty.out 2>&1 && fail "pull printed keys to a terminal"
	grep -q "refusing to print private keys to a terminal" tty.out
	for f in err.*; do
		while read -r k; do
			! grep -q "$k" "$f" || fail "$f holds a private key"
		done <privs
		! grep -qF "$MOTO_SECRET" "$f" || fail "$f holds the secret access key"
	done
	for f in public.yaml push.out ensure.yaml external.yaml tty.out; do
		while read -r k; do
			! grep -q "$k" "$f" || fail "$f holds a private key"
		done <privs
	done
	for f in keys.yaml pulled.yaml secret.yaml secret-aws.yaml; do
		assert_equal "$f $(stat -c %a "$f")" "$f 600"
	done
	# Private outputs do hold the keys they were asked for.
	grep -q "$(head -n 1 privs)" pulled.yaml
	grep -q "$(head -n 1 privs)" secret-aws.yaml
}

# srv MODE: tests/hostile/server.py on a free loopback port; echoes the port.
srv() {
	python3 "$NINEC_ROOT/tests/hostile/server.py" "$1" >"srv.$1" 2>/dev/null 3>&- &
	echo $! >>srv.pids
	while [ ! -s "srv.$1" ]; do sleep 0.1; done
	cat "srv.$1"
}

# kc PORT USER-LINE...: a kubeconfig for http://127.0.0.1:PORT.
kc() {
	local port=$1
	shift
	printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://%s\nusers:\n- name: u\n  user:\n' "$port"
	printf '    %s\n' "$@"
	printf 'contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n'
}

@test "no failure of any tool prints a private key, a token, a password or a secret key" {
	local d=$BATS_TEST_TMPDIR/leak2 n=0 f k tool
	local token=leak-bearer-token-5a1b2c3d4e5f60718293 pass=leak-url-password-0a9b8c7d
	local sess=leak-session-token-AQoDYXdzEPT0123456789
	mkdir "$d"
	cd "$d"
	9c-secrets keygen -n leak-b -c seed=1,miner=1,validator=1 -w keys.yaml 2>/dev/null
	sed -n 's/^  privateKey: "\{0,1\}\([0-9a-f]*\)"\{0,1\}$/\1/p' keys.yaml >privs
	[ "$(wc -l <privs)" -eq 3 ]
	p1=$(head -n 1 privs)
	printf '{"%s":"%s"}\n' "$p1" "$p1" >flat.json
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: default}\n' >cm.yaml
	hold=127.0.0.1:$(srv hold)
	e401=127.0.0.1:$(srv echo401)
	e403=127.0.0.1:$(srv echo403)
	kc "$hold" "token: $token" >kc.hold
	kc "$e401" "token: $token" >kc.401
	kc "$e403" "token: $token" >kc.403
	kc "127.0.0.1:1" "token: $token" >kc.down
	kc "admin:$pass@$e401" "token: $token" >kc.userinfo
	printf '%s\n' "$token" >token
	kc "$e401" "tokenFile: $d/token" >kc.file
	printf '#!/bin/sh\nprintf %s\n' "'{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"$token\"}}'" >plugin
	chmod +x plugin
	kc "$e401" "exec:" "  apiVersion: client.authentication.k8s.io/v1" "  command: $d/plugin" >kc.exec
	# Every one of these fails; stdout and stderr both go to out.N.
	run_fail() {
		n=$((n + 1))
		"$@" >"out.$n" 2>&1 </dev/null && fail "did not fail: $*"
		return 0
	}
	run_fail 9c-secrets public flat.json
	run_fail 9c-secrets push -n leak-b flat.json
	run_fail 9c-secrets secret -N leak-b flat.json
	run_fail 9c-secrets fill -k flat.json "$F/manifest.yaml"
	run_fail 9c-secrets fill -k keys.yaml - -
	AWS_SECRET_ACCESS_KEY=wrong-$MOTO_SECRET run_fail 9c-secrets push -n leak-b keys.yaml
	AWS_SESSION_TOKEN=$sess run_fail 9c-secrets push -n leak-b keys.yaml
	AWS_ENDPOINT_URL=http://u:$pass@$e401/ run_fail 9c-secrets pull -n leak-b
	AWS_ENDPOINT_URL=http://$e401/ AWS_MAX_ATTEMPTS=1 run_fail 9c-secrets pull -n leak-b
	AWS_ENDPOINT_URL=http://$e403/ AWS_MAX_ATTEMPTS=1 AWS_SESSION_TOKEN=$sess run_fail 9c-secrets push -n leak-b keys.yaml
	run_fail 9c-secrets pull -n leak-b -r "x@$hold/"
	printf 'GET / HTTP/1.1\nHost: h\nX-Amz-Date: %s\n' "$p1" >req
	run_fail 9c-secrets sign -S service req
	for f in keys.yaml flat.json; do
		run_fail 9c-render network "$f"
		run_fail 9c-render network "$NINEC_ROOT/share/examples/local.yaml" -k "$f"
		run_fail 9c-render network "$NINEC_ROOT/share/examples/local.yaml" -f "$f"
		run_fail 9c-render bootstrap "$NINEC_ROOT/share/examples/local.yaml" -m "$f"
		run_fail 9c-render network "$NINEC_ROOT/share/examples/local.yaml" -p "$f"
		run_fail 9c-tfvars "$f"
		run_fail 9c-tfvars -f "$NINEC_ROOT/share/examples/eks.yaml" "$f"
	done
	run_fail 9c-wait -L flat.json
	run_fail 9c-order flat.json
	for tool in 9c-kapply 9c-wait; do
		for k in hold 401 403 down userinfo file exec; do
			run_fail "$tool" --kubeconfig "kc.$k" -t 3 keys.yaml
			run_fail "$tool" --kubeconfig "kc.$k" -t 3 cm.yaml
		done
	done
	while read -r pid; do kill "$pid" 2>/dev/null || true; done <srv.pids
	[ "$n" -eq 56 ] || fail "$n failures ran, not 56"
	for f in out.*; do
		while read -r k; do
			! grep -q "$k" "$f" || fail "$f holds a private key: $(cat "$f")"
		done <privs
		for k in "$MOTO_SECRET" "$token" "$pass" "$sess"; do
			! grep -qF -- "$k" "$f" || fail "$f holds a secret: $(cat "$f")"
		done
	done
	# The masks were there to be seen: the echoing servers were reached.
	grep -l 'Bearer \*\*\*' out.* >/dev/null || fail "no 401/403 echo was masked"
}
