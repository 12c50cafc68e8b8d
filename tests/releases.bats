# shellcheck disable=SC2016 # jq programs hold literal $names
# Releases (share/releases), the command lines 9c-render renders for each,
# the two forms of appProtocolVersion and the preflight that refuses, at
# render time, what a node would refuse at start.
load helpers/common

F=tests/fixtures/render
# Libplanet's test vector A: version 1, no extra, and the key it verifies with.
TOKEN_A=1/271e00B29aeB93B2F4e30ECbebA4f72ac02f72b4/MEUCIQCJlZxZJYNOvEVZ15vKgkppIOUY8MWt4rmjo7Mpu6M92AIgHcuIoTo8GS3hnjn2WAXUBr+yk9FkhXWoosufldmQuVE=
SIGNER_A=02febda47acc3bb9fcf4e729f46cc52eb12d4ae1cc9f59a31b28d1714437722b09
# The reference's worked example: version 1, extra {timestamp: 2026-12-01}.
TOKEN_TS=1/ED2941B12Edb4f2c1f5Ca9a1ca9dD1f1c43e487B/MEUCIQDzFpM4fg7NHYwUxFztH5.qbUjX2G12u20ggj6sjhwtzwIgDy2QuY67V2mG40Q38HcWvHZRYOmo+Ffkr+wb5Z1apns=/ZHU5OnRpbWVzdGFtcHUxMDoyMDI2LTEyLTAxZQ==
SIGNER_TS=03743c51ed975bb837be85bbb68a704c500d88dbe1c34c065dadbb230f371eae5e

# The genesis maker of tests/genesis.bats, and its fixture's genesis key.
setup_file() {
	local g=$NINEC_ROOT/tests/fixtures/genesis
	# shellcheck disable=SC2046 # pkg-config prints several words
	cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -fsanitize=address,undefined \
		-I"$NINEC_ROOT/tools/lib" "$g/genesis-check.c" "$NINEC_BIN/lib9c.a" \
		$(pkg-config --libs yaml-0.1 libcjson libcurl openssl) -lm -o "$BATS_FILE_TMPDIR/genesis-check"
}
MINER=9bf4664ba09a89faeb684b94e69ffde01d26ae14b556204d3f6ab58f61f78418
V1=02febda47acc3bb9fcf4e729f46cc52eb12d4ae1cc9f59a31b28d1714437722b09
V2=0215ba27a461a986f4ce7bcda1fd73dc708da767d0405729edaacaad7b7ff60eed

# mkgenesis ERA OUT [VALIDATOR-PUB...]: a genesis signed by the fixture key.
mkgenesis() {
	"$BATS_FILE_TMPDIR/genesis-check" make "$@" <<<"$MINER"
}

setup() {
	cd "$NINEC_ROOT" || return 1
	T=$BATS_TEST_TMPDIR
	OUT=$T/out.json
}

# obj KIND NAME: that object of $OUT.
obj() {
	jq -c --arg k "$1" --arg n "$2" 'select(.kind == $k and .metadata.name == $n)' "$OUT"
}

# args KIND NAME: the first container's arguments of that object, one a line.
args() {
	obj "$1" "$2" | jq -r '.spec.template.spec.containers[0].args[]'
}

# spec_for SPEC RELEASE OUT: SPEC on RELEASE; its block producers become
# miners on a proof-of-work release, which has no validators.
spec_for() {
	local consensus
	consensus=$(yq -r .consensus "share/releases/$2.yaml")
	if [ "$consensus" = pow ]; then
		yq -y --arg r "$2" '.network.release = $r |
			if .network.validator then .network.miner = .network.validator | del(.network.validator) else . end' "$1" >"$3"
	else
		yq -y --arg r "$2" '.network.release = $r' "$1" >"$3"
	fi
}

# addresses SPEC OUT: a load balancer hostname for every Service of SPEC.
addresses() {
	9c-render -S -o json network "$1" |
		jq -c 'select(.kind == "Service") | .status.loadBalancer.ingress = [{hostname: (.metadata.name + ".lb.example.com")}]' >"$2"
}

# keys_for SPEC: the public-keys fixture of SPEC's network (9c-render
# takes no other network's keys).  The GitOps example is the local network
# under another name: the local keys, renamed.
keys_for() {
	case $(yq -r .name "$1") in
	9c-local) echo "$F/pubkeys-local.yaml" ;;
	9c-pbft) echo "$F/pubkeys-pbft.yaml" ;;
	9c-gitops)
		sed 's/^  name: 9c-local$/  name: 9c-gitops/' "$F/pubkeys-local.yaml" \
			>"$BATS_TEST_TMPDIR/pubkeys-gitops.yaml"
		echo "$BATS_TEST_TMPDIR/pubkeys-gitops.yaml" ;;
	*) echo "$F/pubkeys.yaml" ;;
	esac
}

@test "both releases of the reference are data: images tagged with full commits, consensus, option tables" {
	run -0 yq -r '[.name, .consensus, .images.seed, .images.headless, (.seed.options | length), (.headless.options | length)] | join(" ")' share/releases/2022-pow.yaml share/releases/2023-pbft.yaml
	assert_output "2022-pow pow planetariumhq/libplanet-seed:git-4d10b228048c03cc97a6fbb7fbfcd54d2bd1b21c planetariumhq/ninechronicles-headless:git-9eaf12f7f5c70880cdb7f825c956b097a1a9c6f1 16 51
2023-pbft pbft planetariumhq/libplanet-seed:git-4713179b64e5eeb0ea617768d5acccbb9a289617 planetariumhq/ninechronicles-headless:git-7c0815d08cb5d94700918ca4598ae2634c26ac1e 17 50"
}

@test "every rendered option of every container of every example, on both releases, is in that release's option table" {
	local spec rel n total=0
	for spec in share/examples/*.yaml; do
		for rel in share/releases/*.yaml; do
			rel=$(basename "$rel" .yaml)
			spec_for "$spec" "$rel" "$T/spec.yaml"
			addresses "$T/spec.yaml" "$T/addr.json"
			9c-render -o json network "$T/spec.yaml" -k "$(keys_for "$spec")" -a "$T/addr.json" >"$OUT" ||
				fail "$spec on $rel does not render"
			yq -c . "share/releases/$rel.yaml" >"$T/rel.json"
			# Each option: known (long, or short through the table), and
			# given once unless its type is list.
			run -0 jq -rs --slurpfile r "$T/rel.json" '
				$r[0] as $rel |
				[.[] | .spec.template.spec? // empty |
				 ((.initContainers // []) + .containers)[] |
				 select((.args // [])[1] == "run") |
				 (if .args[0] == $rel.seed.program then $rel.seed
				  elif .args[0] == $rel.headless.program then $rel.headless
				  else error("\(.args[0]) is no program of \($rel.name)") end) as $p |
				 [.args[2:][] | select(startswith("-")) |
				  if startswith("--") then .[2:] | split("=")[0] else $p.short[.[1:2]] // .[1:2] end] as $names |
				 $names[] as $n |
				 if $p.options[$n] == null then "unknown \($n)"
				 elif $p.options[$n] != "list" and ([$names[] | select(. == $n)] | length) > 1 then "repeated \($n)"
				 else "ok" end] | group_by(.) | map("\(.[0]) \(length)") | .[]' "$OUT"
			[ "${#lines[@]}" -eq 1 ] && [[ ${lines[0]} == "ok "* ]] ||
				fail "$spec on $rel: $output"
			n=${lines[0]#ok }
			[ "$n" -ge 40 ] || fail "$spec on $rel: only $n options checked"
			total=$((total + n))
		done
	done
	echo "# $total options checked" >&3
	[ "$total" -ge 350 ]
}

@test "the runbook's release keeps --workers on the headless; the current one drops it and turns mining on" {
	spec_for "$F/net4.yaml" 2023-pbft "$T/spec.yaml"
	9c-render -o json network "$T/spec.yaml" -k "$F/pubkeys.yaml" >"$OUT"
	run -0 args StatefulSet miner-2
	refute_line --partial -- "--workers"
	assert_line -- "--no-miner=false"
	assert_line -- "--graphql-host=0.0.0.0"
	run -0 args StatefulSet remote-headless-1
	refute_line --partial -- "--workers"
	assert_line -- "--rpc-listen-host=0.0.0.0"
	run -0 args Deployment tcp-seed-1
	assert_line -- "--workers=1000"
	9c-render -o json network "$F/net4.yaml" -k "$F/pubkeys.yaml" >"$OUT"
	run -0 args StatefulSet miner-2
	assert_line -- "--workers=1000"
	refute_line -- "--no-miner=false"
	run -0 jq -r '.spec.template.spec.containers[0].image' <<<"$(obj StatefulSet miner-2)"
	assert_output "planetariumhq/ninechronicles-headless:git-9eaf12f7f5c70880cdb7f825c956b097a1a9c6f1"
}

@test "validators pass --consensus-seed with the seeds' gossip port, and only the PBFT seed gets --gossip-port" {
	9c-render -o json network share/examples/pbft.yaml -k "$F/pubkeys-pbft.yaml" -a <(addresses share/examples/pbft.yaml /dev/stdout) >"$OUT"
	run -0 args StatefulSet validator-3
	assert_line "--consensus-seed=0327e9c4b1d1b4ee5fd3fe2bd4cd1d4cb6b52c6be4fbf2b6ab8f3cd6a3e8c1f0aa,tcp-seed-1,31235"
	refute_line --partial -- "--consensus-seed-peer"
	run -0 args Deployment tcp-seed-1
	assert_line -- "--gossip-port=31235"
	9c-render -o json network "$F/net4.yaml" -k "$F/pubkeys.yaml" >"$OUT"
	run -0 args Deployment tcp-seed-1
	refute_line --partial -- "--gossip-port"
}

@test "a version to sign takes its token and trusted signer from the -k document, verified" {
	9c-render -o json network share/examples/local.yaml -k "$F/pubkeys-local.yaml" -a "$F/addresses.yaml" >"$OUT"
	run -0 args StatefulSet miner-1
	assert_line -- "--app-protocol-version=$TOKEN_A"
	assert_line -- "--trusted-app-protocol-version-signer=$SIGNER_A"
	run -0 args Deployment tcp-seed-1
	assert_line -- "--app-protocol-version=$TOKEN_A"
}

@test "a version with an extra matches only a token signed with that extra" {
	yq -y '.network.appProtocolVersion.extra = {timestamp: "2026-12-01"}' share/examples/local.yaml >"$T/spec.yaml"
	yq -y --arg t "$TOKEN_TS" --arg s "$SIGNER_TS" '.appProtocolVersion = $t | .trustedAppProtocolVersionSigner = $s' "$F/pubkeys-local.yaml" >"$T/keys.yaml"
	9c-render -o json network "$T/spec.yaml" -k "$T/keys.yaml" -a "$F/addresses.yaml" >"$OUT"
	run -0 args StatefulSet remote-headless-1
	assert_line -- "--app-protocol-version=$TOKEN_TS"
	assert_line -- "--trusted-app-protocol-version-signer=$SIGNER_TS"
	run -3 --separate-stderr 9c-render network "$T/spec.yaml" -k "$F/pubkeys-local.yaml" -a "$F/addresses.yaml"
	assert_equal "$stderr" "9c-render: $T/spec.yaml:17:7: network.appProtocolVersion: $F/pubkeys-local.yaml signed another extra than the spec's"
	assert_equal "$output" ""
}

@test "-P previews a version to sign with placeholders; without -P it needs -k" {
	9c-render -P -o json network share/examples/local.yaml -a "$F/addresses.yaml" >"$OUT"
	run -0 args StatefulSet miner-1
	assert_line -- "--app-protocol-version=<appProtocolVersion>"
	assert_line -- "--trusted-app-protocol-version-signer=<trustedAppProtocolVersionSigner>"
	run -3 --separate-stderr 9c-render network share/examples/local.yaml -a "$F/addresses.yaml"
	assert_equal "$stderr" "9c-render: share/examples/local.yaml:19:5: network.appProtocolVersion: version 1 is signed with the network's signer key: give -k keys from 9c-secrets public (or -P to preview)"
	assert_equal "$output" ""
}

@test "a network from zero makes its genesis in the cluster; the config lists the validators' keys" {
	9c-render -o json network share/examples/pbft.yaml -k "$F/pubkeys-pbft.yaml" -a <(addresses share/examples/pbft.yaml /dev/stdout) >"$OUT"
	run -0 jq -r '.data["genesis.json"]' <<<"$(obj ConfigMap genesis-config)"
	assert_output '{"data":{"tablePath":"/data/src/Lib9c/TableCSV"},"initialValidatorSet":[{"publicKey":"03615ebc520d45d00b73b3410222141f8c18ddc12b6e83991e6b7cd3086caf2ac1","power":1},{"publicKey":"03489d262bc9c2a750da10c0c74549e5893a186ff3f942a9ccaa0a44939d744317","power":1},{"publicKey":"020c23fcf260d71a1e57e595caa607d12d758932265aa7fa0b851bdb2c9f4af225","power":1},{"publicKey":"02ee9a09f8b1ed7e02a59689da9c14c8b6b6b21cbae69a49f8ec8569d8513dbffb","power":1}]}'
	run -0 jq -c '.spec.template.spec | [.initContainers[1].image, .initContainers[1].workingDir, .initContainers[1].command[2], .containers[0].command, .containers[0].readinessProbe.httpGet.path]' <<<"$(obj StatefulSet genesis)"
	assert_output '["planetariumhq/ninechronicles-headless:git-7c0815d08cb5d94700918ca4598ae2634c26ac1e","/data","test -s /data/genesis-block || dotnet /app/NineChronicles.Headless.Executable.dll genesis /config/genesis.json",["httpd","-f","-p","8080","-h","/data"],"/genesis-block"]'
	run -0 jq -r '.spec.template.spec.initContainers[0].command[2]' <<<"$(obj StatefulSet genesis)"
	assert_output --partial "https://github.com/planetarium/lib9c/archive/b17233a9.tar.gz"
	run -0 jq -c '[.spec.type, .spec.ports[0].port, .spec.ports[0].targetPort]' <<<"$(obj Service genesis)"
	assert_output '["ClusterIP",80,8080]'
	run -0 args StatefulSet validator-4
	assert_line -- "--genesis-block-path=http://genesis.9c-pbft.svc.cluster.local/genesis-block"
	run -0 jq -r '.spec.template.spec.initContainers[0] | .name + " " + .command[2]' <<<"$(obj StatefulSet remote-headless-1)"
	assert_output "wait-genesis until wget -q -O /dev/null http://genesis.9c-pbft.svc.cluster.local/genesis-block; do sleep 5; done"
}

@test "a proof-of-work genesis has no validator set; a published genesis makes no genesis objects" {
	9c-render -o json network share/examples/local.yaml -k "$F/pubkeys-local.yaml" -a "$F/addresses.yaml" >"$OUT"
	run -0 jq -r '.data["genesis.json"]' <<<"$(obj ConfigMap genesis-config)"
	assert_output '{"data":{"tablePath":"/data/src/Lib9c/TableCSV"}}'
	9c-render -o json network share/examples/eks.yaml -k "$F/pubkeys.yaml" >"$OUT"
	run -0 jq -r 'select(.metadata.name | startswith("genesis")) | .kind' "$OUT"
	assert_output ""
	run -0 args StatefulSet miner-1
	assert_line -- "--genesis-block-path=https://9c-test.s3.ap-northeast-2.amazonaws.com/genesis-block-9c-test"
}

@test "the validators' public keys are needed for the genesis, or -P for placeholders" {
	run -3 --separate-stderr 9c-render network share/examples/pbft.yaml
	assert_equal "$stderr" "9c-render: share/examples/pbft.yaml:12:5: network.appProtocolVersion: version 1 is signed with the network's signer key: give -k keys from 9c-secrets public (or -P to preview)"
	yq -y '{apiVersion, kind, metadata, appProtocolVersion, trustedAppProtocolVersionSigner, keys: [.keys[] | select(.role != "validator")]}' "$F/pubkeys-pbft.yaml" >"$T/keys.yaml"
	run -3 --separate-stderr 9c-render network share/examples/pbft.yaml -k "$T/keys.yaml"
	assert_equal "$stderr" "9c-render: share/examples/pbft.yaml: network.validator: the genesis lists the validators: give -k keys with the public key of validator-private-key-1 (or -P to preview)"
	9c-render -P -o json network share/examples/pbft.yaml -a <(addresses share/examples/pbft.yaml /dev/stdout) >"$OUT"
	run -0 jq -r '.data["genesis.json"] | fromjson | [.initialValidatorSet[].publicKey] | join(" ")' <<<"$(obj ConfigMap genesis-config)"
	assert_output "<validator-private-key-1> <validator-private-key-2> <validator-private-key-3> <validator-private-key-4>"
}

# bad NAME YQ EXPR [ARGS]: net4 changed by EXPR is refused with status 3,
# nothing on stdout; its stderr goes to $stderr.
bad() {
	yq -y "$1" "$F/net4.yaml" >"$T/spec.yaml"
	shift
	run -3 --separate-stderr 9c-render network "$T/spec.yaml" -k "$F/pubkeys.yaml" "$@"
	assert_equal "$output" ""
}

@test "a truncated token is refused with its field" {
	bad '.network.appProtocolVersion = "1/271e00B29aeB93B2F4e30ECbebA4f72ac02f72b4"'
	assert_equal "$stderr" "9c-render: $T/spec.yaml:14:23: network.appProtocolVersion: no signature: the token ends after the signer"
}

@test "a token whose signer breaks the EIP-55 checksum is refused" {
	bad '.network.appProtocolVersion |= sub("f72b4/"; "f72B4/")'
	assert_equal "$stderr" "9c-render: $T/spec.yaml:14:23: network.appProtocolVersion: signer: address checksum is invalid"
}

@test "a token that another key signed than the trusted signer is refused, naming both addresses" {
	bad ".network.trustedAppProtocolVersionSigner = \"$SIGNER_TS\""
	assert_equal "$stderr" "9c-render: $T/spec.yaml:14:23: network.appProtocolVersion: signer: the token names 0x271e00B29aeB93B2F4e30ECbebA4f72ac02f72b4, but the trusted key's address is 0xED2941B12Edb4f2c1f5Ca9a1ca9dD1f1c43e487B"
}

@test "a token whose signature does not hold is refused" {
	bad '.network.appProtocolVersion |= sub("MEUCIQCJ"; "MEUCIQCK")'
	assert_equal "$stderr" "9c-render: $T/spec.yaml:14:23: network.appProtocolVersion: signature: does not hold for the version and extra"
}

@test "a token needs its signer, and a version to sign refuses one" {
	bad 'del(.network.trustedAppProtocolVersionSigner)'
	assert_equal "$stderr" "9c-render: $T/spec.yaml:8:3: network.trustedAppProtocolVersionSigner: missing: a token needs the public key of its signer"
	bad '.network.appProtocolVersion = {version: 1}'
	assert_equal "$stderr" "9c-render: $T/spec.yaml:17:36: network.trustedAppProtocolVersionSigner: a version to sign is signed by the network's own signer, whose key this is: drop it"
	bad '.network.appProtocolVersion = {version: 4294967296} | del(.network.trustedAppProtocolVersionSigner)'
	assert_equal "$stderr" "9c-render: $T/spec.yaml:15:14: network.appProtocolVersion.version: 4294967296 is not a 32-bit version"
	bad '.network.appProtocolVersion = [1]'
	assert_equal "$stderr" "9c-render: $T/spec.yaml:15:5: network.appProtocolVersion: expected a token string or a mapping with the version to sign"
}

@test "a -k token of another version, or one that does not verify, is refused" {
	yq -y '.network.appProtocolVersion = {version: 2}' share/examples/local.yaml >"$T/spec.yaml"
	run -3 --separate-stderr 9c-render network "$T/spec.yaml" -k "$F/pubkeys-local.yaml" -a "$F/addresses.yaml"
	assert_equal "$stderr" "9c-render: $T/spec.yaml:15:5: network.appProtocolVersion: $F/pubkeys-local.yaml signed version 1, the spec asks for 2"
	yq -y --arg s "$SIGNER_TS" '.trustedAppProtocolVersionSigner = $s' "$F/pubkeys-local.yaml" >"$T/keys.yaml"
	run -3 --separate-stderr 9c-render network share/examples/local.yaml -k "$T/keys.yaml" -a "$F/addresses.yaml"
	assert_equal "$stderr" "9c-render: $T/keys.yaml: appProtocolVersion: signer: the token names 0x271e00B29aeB93B2F4e30ECbebA4f72ac02f72b4, but the trusted key's address is 0xED2941B12Edb4f2c1f5Ca9a1ca9dD1f1c43e487B"
	yq -y 'del(.trustedAppProtocolVersionSigner)' "$F/pubkeys-local.yaml" >"$T/keys.yaml"
	run -3 --separate-stderr 9c-render network share/examples/local.yaml -k "$T/keys.yaml" -a "$F/addresses.yaml"
	assert_equal "$stderr" "9c-render: $T/keys.yaml: trustedAppProtocolVersionSigner: missing: a signed version comes with its signer"
}

@test "a short commit tag is refused with the release's full tag as a hint" {
	bad '.network.images.headless = "planetariumhq/ninechronicles-headless:git-9eaf12f7"'
	assert_equal "$stderr" "9c-render: $T/spec.yaml:13:15: network.images.headless: tag git-9eaf12f7 is a short commit: node images are tagged git- and the full 40-hex commit (release 2022-pow: planetariumhq/ninechronicles-headless:git-9eaf12f7f5c70880cdb7f825c956b097a1a9c6f1)"
}

@test "an extraArgs option the release does not accept is refused, naming the release" {
	bad '.network.release = "2023-pbft" | .network.miner.extraArgs += ["--planet=Odin"]'
	assert_equal "$stderr" "9c-render: $T/spec.yaml:41:9: network.miner.extraArgs[1]: --planet=Odin: release 2023-pbft's headless does not accept this option"
	bad '.network.release = "2023-pbft" | .network.remoteHeadless.extraArgs = ["--workers=5"]'
	assert_equal "$stderr" "9c-render: $T/spec.yaml:59:9: network.remoteHeadless.extraArgs[0]: --workers=5: release 2023-pbft's headless does not accept this option"
	bad '.network.seed.extraArgs = ["-g", "31235"]'
	assert_equal "$stderr" "9c-render: $T/spec.yaml:26:9: network.seed.extraArgs[0]: -g: release 2022-pow's seed does not accept this option"
}

@test "an option the template already gives the seed, repeated in extraArgs, is refused where it renders" {
	bad '.network.seed.extraArgs = ["--port=1"]'
	assert_equal "$stderr" "9c-render: $NINEC_ROOT/share/templates/network/seed.yaml: document 1: spec.template.spec.containers[0].args[10]: Deployment tcp-seed-1: --port=1: given twice; release 2022-pow's seed takes it once"
}

@test "validators need a PBFT release, and a release must exist" {
	bad '.network.validator = .network.miner | del(.network.miner)'
	assert_equal "$stderr" "9c-render: $T/spec.yaml:43:5: network.validator: release 2022-pow makes blocks by proof of work: validators need a PBFT release"
	bad '.network.release = "2024-planet"'
	assert_equal "$stderr" "9c-render: $T/spec.yaml:9:12: network.release: no release '2024-planet' ($NINEC_ROOT/share/releases has: 2022-pow, 2023-pbft)"
}

@test "a release file with an option of no known type is refused" {
	mkdir -p "$T/share"
	cp -r share/templates "$T/share/"
	mkdir "$T/share/releases"
	yq -y '.headless.options.workers = "number"' share/releases/2022-pow.yaml >"$T/share/releases/2022-pow.yaml"
	NINEC_SHARE=$T/share run -3 --separate-stderr 9c-render network "$F/net4.yaml" -k "$F/pubkeys.yaml"
	assert_equal "$stderr" "9c-render: $T/share/releases/2022-pow.yaml:46:14: headless.options.workers: expected a name without dashes and a type: string, int, flag, list or values"
}

@test "every example passes the preflight on both releases, and so do their Services alone" {
	local spec rel
	for spec in share/examples/*.yaml; do
		9c-render -S network "$spec" >/dev/null
		for rel in 2022-pow 2023-pbft; do
			spec_for "$spec" "$rel" "$T/spec.yaml"
			9c-render -S network "$T/spec.yaml" >/dev/null
			addresses "$T/spec.yaml" "$T/addr.json"
			9c-render network "$T/spec.yaml" -k "$(keys_for "$spec")" -a "$T/addr.json" >/dev/null
		done
	done
}

# gkeys OUT: the public keys of the genesis fixture's network.
gkeys() {
	9c-secrets public tests/fixtures/genesis/keys.yaml >"$1"
}

@test "-g: a published genesis whose validator set is the network's validators passes the preflight" {
	gkeys "$T/keys.yaml"
	9c-render -P -o json network "$F/pbft-genesis.yaml" -k "$T/keys.yaml" -g tests/fixtures/genesis/genesis-block >"$OUT"
	run -0 args StatefulSet validator-2
	assert_line -- "--genesis-block-path=https://example.com/genesis-block"
	run -0 jq -r 'select(.metadata.name | startswith("genesis")) | .kind' "$OUT"
	assert_output ""
}

@test "-g: a genesis that lacks a validator of the network is refused, naming it" {
	gkeys "$T/keys.yaml"
	mkgenesis b "$T/g" "$V1"
	run -3 --separate-stderr 9c-render -P network "$F/pbft-genesis.yaml" -k "$T/keys.yaml" -g "$T/g"
	assert_equal "$stderr" "9c-render: $T/g: validator 0x8a29de186B85560D708451101C4Bf02D63b25c50 (validator-private-key-2) of the network is not in the genesis"
	assert_equal "$output" ""
}

@test "-g: a proof-of-work genesis has no validators for a PBFT network, and a PBFT genesis is too new for the runbook's release" {
	gkeys "$T/keys.yaml"
	mkgenesis a "$T/g"
	run -3 --separate-stderr 9c-render -P network "$F/pbft-genesis.yaml" -k "$T/keys.yaml" -g "$T/g"
	assert_equal "$stderr" "9c-render: $T/g: the genesis has no validator set (no Initialize transaction), but the network has 2 validators"
	yq -y '.network.release = "2022-pow" | .network.miner = .network.validator | del(.network.validator)' "$F/pbft-genesis.yaml" >"$T/spec.yaml"
	9c-render -P network "$T/spec.yaml" -k "$T/keys.yaml" -g "$T/g" >/dev/null
	run -3 --separate-stderr 9c-render -P network "$T/spec.yaml" -k "$T/keys.yaml" -g tests/fixtures/genesis/genesis-block
	assert_equal "$stderr" "9c-render: tests/fixtures/genesis/genesis-block: block protocol 4: release 2022-pow reads blocks up to protocol 3"
}

@test "-g: a changed genesis fails its hashes; a network that makes its own genesis has none at hand" {
	gkeys "$T/keys.yaml"
	mkgenesis b "$T/g" "$V1" "$V2"
	python3 -c 'import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[-3] ^= 1; open(p, "wb").write(b)' "$T/g"
	run -3 --separate-stderr 9c-render -P network "$F/pbft-genesis.yaml" -k "$T/keys.yaml" -g "$T/g"
	[[ $stderr == "9c-render: $T/g: "* ]] || fail "$stderr"
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$output" ""
	run -3 --separate-stderr 9c-render -P network share/examples/local.yaml -a "$F/addresses.yaml" -g "$T/g"
	assert_equal "$stderr" "9c-render: share/examples/local.yaml: network.genesisBlock: missing: -g checks the genesis the nodes read; without it the network makes its own"
}

@test "bootstrap and apps run the preflight too: the first tool of a pipeline stops a spec no node would run" {
	yq -y '.network.images.seed = "planetariumhq/libplanet-seed:git-4d10b228"' share/examples/eks.yaml >"$T/spec.yaml"
	run -3 --separate-stderr 9c-render bootstrap "$T/spec.yaml" -m "$SHARED/corpus/argo-cd-install.yaml"
	assert_equal "$stderr" "9c-render: $T/spec.yaml:84:11: network.images.seed: tag git-4d10b228 is a short commit: node images are tagged git- and the full 40-hex commit (release 2022-pow: planetariumhq/libplanet-seed:git-4d10b228048c03cc97a6fbb7fbfcd54d2bd1b21c)"
	assert_equal "$output" ""
	yq -y '.network.appProtocolVersion = "1/271e00B29aeB93B2F4e30ECbebA4f72ac02f72b4/MEUCIQCJ" | .network.trustedAppProtocolVersionSigner = "'"$SIGNER_A"'"' share/examples/eks.yaml >"$T/spec.yaml"
	run -3 --separate-stderr 9c-render apps "$T/spec.yaml"
	[[ $stderr == "9c-render: $T/spec.yaml:53:23: network.appProtocolVersion: signature: "* ]] || fail "$stderr"
	assert_equal "$output" ""
}

@test "adding a release is adding a file: its table decides what renders and what is refused" {
	mkdir -p "$T/share"
	cp -R share/templates share/releases "$T/share/"
	yq -y '.name = "2099-test" | .headless.options.workers = "int" | del(.headless.options["tx-life-time"])' share/releases/2023-pbft.yaml >"$T/share/releases/2099-test.yaml"
	yq -y '.network.release = "2099-test"' "$F/net4.yaml" >"$T/spec.yaml"
	yq -y 'del(.network.miner.extraArgs)' "$T/spec.yaml" >"$T/spec2.yaml"
	NINEC_SHARE=$T/share 9c-render -o json network "$T/spec2.yaml" -k "$F/pubkeys.yaml" >"$OUT"
	run -0 args StatefulSet miner-1
	assert_line -- "--workers=1000"
	assert_line -- "--no-miner=false"
	NINEC_SHARE=$T/share run -3 --separate-stderr 9c-render network "$T/spec.yaml" -k "$F/pubkeys.yaml"
	assert_equal "$stderr" "9c-render: $T/spec.yaml:40:9: network.miner.extraArgs[0]: --tx-life-time=10: release 2099-test's headless does not accept this option"
}
