#!/usr/bin/env bats
# The pipelines on the local control plane (tests/helpers/cluster.bash) and
# a moto_server that 9c-testnet starts and stops itself: the sample spec
# from zero to every node ready, again with nothing changed, and back.
# The tests run in order and share one cluster and one state directory.
load helpers/common
load helpers/cluster

setup_file() {
	pipelines_start || return 1
	snapshot "$BATS_FILE_TMPDIR/before"
}

teardown_file() {
	state_moto_stop "$BATS_FILE_TMPDIR/state/9c-local"
	cluster_stop
}

st() { printf '%s\n' "$NINEC_STATE/9c-local"; }

# snapshot FILE: every object of the cluster (kind, namespace, name), but
# Events, which come and go by themselves.
snapshot() {
	local kinds
	kinds=$(kubectl api-resources --verbs=list -o name |
		grep -v -e '^events' -e '^componentstatuses' | paste -sd, -)
	kubectl get "$kinds" -A -o json |
		jq -r '.items[] | [.kind, .metadata.namespace // "-", .metadata.name] | @tsv' |
		sort >"$1"
}

# versions FILE: the resourceVersion of everything the run applied, and of
# the Pods, claims and volumes that came of it.
versions() {
	{
		kubectl get -f "$(st)/bootstrap.json" -f "$(st)/network.json" -o json
		kubectl get pods,pvc,replicasets,controllerrevisions -n 9c-local -o json
		kubectl get pods -n argocd -o json
		kubectl get pv -o json
	} | jq -r '.items[] | [.kind, .metadata.namespace // "-", .metadata.name, .metadata.resourceVersion] | @tsv' |
		sort >"$1"
}

@test "up brings the sample network from zero to every node ready in one run, each step once" {
	run --separate-stderr 9c-testnet up
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	for n in 1 2 3 4 5 6 7; do
		grep -q "^9c-testnet: \[$n/7\] " <<<"$stderr" || fail "step $n missing: $stderr"
	done
	run -0 grep -c '^9c-testnet: \[[0-9]/7\] [a-z]*: applying' <<<"$stderr"
	assert_equal "$output" 3
	run -0 kubectl get deploy,sts -n 9c-local -o json
	run -0 jq -r '.items[] | "\(.metadata.name) \(.status.readyReplicas)/\(.spec.replicas)"' <<<"$output"
	assert_equal "$output" "tcp-seed-1 1/1
genesis 1/1
miner-1 1/1
remote-headless-1 1/1"
}

@test "the keys live in moto, and the network's Secret holds the private keys that match them" {
	local port sec
	port=$(cat "$(st)/moto/port")
	run -0 stat -c %a "$(st)/moto/credentials"
	assert_equal "$output" 600
	sec=$(kubectl get secret private-keys -n 9c-local -o json)
	run -0 jq -r '.data | keys | join(" ")' <<<"$sec"
	assert_equal "$output" "miner-private-key-1 seed-private-key-1"
	run -0 jq -r '.data["seed-private-key-1"] | @base64d | length' <<<"$sec"
	assert_equal "$output" 64
	AWS_ENDPOINT_URL=http://127.0.0.1:$port AWS_REGION=us-east-2 \
		AWS_SHARED_CREDENTIALS_FILE=$(st)/moto/credentials AWS_CONFIG_FILE=$(st)/moto/config \
		run -0 9c-secrets public -a -s "$NINEC_ROOT/share/examples/local.yaml"
	# The same keys and the same token: the signature is deterministic.
	diff -u <(echo "$output") "$(st)/pubkeys.yaml"
}

@test "the address pass puts the hostnames the cluster gave the Services into the nodes' arguments" {
	local svc name host
	svc=$(kubectl get svc -n 9c-local -o json)
	for name in tcp-seed-1 miner-1 remote-headless-1; do
		host=$(jq -r --arg n "$name" '.items[] | select(.metadata.name == $n) | .status.loadBalancer.ingress[0].hostname' <<<"$svc")
		[[ $host == a*.us-east-2.elb.amazonaws.com ]] || fail "$name: hostname $host"
		run -0 kubectl get deploy,sts -n 9c-local "--field-selector=metadata.name=$name" -o json
		run -0 jq -r '.items[0].spec.template.spec.containers[0].args[] | select(startswith("--host="))' <<<"$output"
		assert_equal "$output" "--host=$host"
	done
}

@test "status names each node, its readiness, its address, the seed's peer string and the network's own APV" {
	run -0 --separate-stderr 9c-testnet status
	assert_line --index 2 --regexp '^NODE +KIND +READY +ADDRESS$'
	assert_line --index 3 --regexp '^tcp-seed-1 +Deployment +1/1 +a[0-9a-f]+-[0-9]+\.us-east-2\.elb\.amazonaws\.com$'
	assert_line --index 4 --regexp '^genesis +StatefulSet +1/1 +-$'
	assert_line --index 5 --regexp '^miner-1 +StatefulSet +1/1 +a'
	assert_line --index 6 --regexp '^remote-headless-1 +StatefulSet +1/1 +a'
	assert_line --index 7 --regexp '^peer 0[23][0-9a-f]{64},tcp-seed-1,31234$'
	assert_line --index 8 --regexp '^apv version 1 signer 0x[0-9a-fA-F]{40}$'
	assert_line --index 9 --regexp '^apv trusted signer 0[23][0-9a-f]{64}$'
	[ "${#lines[@]}" -eq 10 ]
}

@test "the network runs a token signed for it by its own signer, whose key the nodes trust" {
	local tok key
	tok=$(jq -r 'select(.kind == "Deployment") | .spec.template.spec.containers[0].args[] | select(startswith("--app-protocol-version=")) | sub("^[^=]*="; "")' "$(st)/network.json")
	key=$(jq -r 'select(.metadata.name == "miner-1") | .spec.template.spec.containers[0].args[] | select(startswith("--trusted-app-protocol-version-signer=")) | sub("^[^=]*="; "")' "$(st)/network.json")
	run -0 yq -r '.appProtocolVersion, .trustedAppProtocolVersionSigner' "$(st)/pubkeys.yaml"
	assert_equal "$output" "$tok
$key"
	# Its signature holds for that key by python's cryptography too: the
	# message is the version, 4 bytes big-endian (no extra).
	run -0 python3 -c '
import base64, sys
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import hashes
ver, signer, sig = sys.argv[1].split("/")
pub = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), bytes.fromhex(sys.argv[2]))
pub.verify(base64.b64decode(sig.replace(".", "/")), int(ver).to_bytes(4, "big", signed=True), ec.ECDSA(hashes.SHA256()))
print("verified")' "$tok" "$key"
	assert_output verified
}

@test "a second run changes nothing: every resourceVersion stays the same" {
	versions "$BATS_TEST_TMPDIR/before"
	run --separate-stderr 9c-testnet up
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	grep -q '^9c-testnet: \[4/7\] keys: 3 public keys' <<<"$stderr"
	versions "$BATS_TEST_TMPDIR/after"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/before")" -gt 70 ]
	diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "9c-bootstrap and 9c-network alone re-apply what is there, as their pages show" {
	export AWS_ENDPOINT_URL=http://127.0.0.1:$(cat "$(st)/moto/port") AWS_REGION=us-east-2
	export AWS_SHARED_CREDENTIALS_FILE=$(st)/moto/credentials AWS_CONFIG_FILE=$(st)/moto/config
	run_man_examples man1/9c-bootstrap.1
	run_man_examples man1/9c-network.1
}

@test "down deletes everything in reverse order and leaves the cluster as it was" {
	local i
	run -0 --separate-stderr 9c-testnet down
	assert_equal "$output" ""
	assert_equal "${stderr%%$'\n'*}" "9c-testnet: taking down '9c-local' (local profile)"
	run -0 grep -o '^9c-testnet: \[[0-9]/4\] [a-z]*' <<<"$stderr"
	assert_equal "$(uniq <<<"$output")" "9c-testnet: [1/4] network
9c-testnet: [2/4] bootstrap
9c-testnet: [3/4] aws
9c-testnet: [4/4] cluster"
	[ ! -e "$(st)/moto" ]
	# Released volumes are deleted by the cluster shortly after.
	for i in $(seq 50); do
		snapshot "$BATS_TEST_TMPDIR/after"
		cmp -s "$BATS_FILE_TMPDIR/before" "$BATS_TEST_TMPDIR/after" && break
		sleep 0.2
	done
	diff -u "$BATS_FILE_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "a run killed after the bootstrap converges when run again" {
	local pid i
	setsid 9c-testnet up >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	for i in $(seq 1200); do
		grep -q '^9c-testnet: \[4/7\]' "$BATS_TEST_TMPDIR/err" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	grep -q '^9c-testnet: \[4/7\]' "$BATS_TEST_TMPDIR/err" || fail "no step 4: $(cat "$BATS_TEST_TMPDIR/err")"
	kill -KILL -- "-$pid"
	wait "$pid" || :
	run --separate-stderr 9c-testnet up
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	grep -q '^9c-testnet: \[1/7\] cluster: local control plane .* is up$' <<<"$stderr"
	grep -q '^9c-testnet: \[2/7\] aws: moto_server is up' <<<"$stderr"
	run -0 9c-testnet status
	assert_line --index 6 --regexp '^remote-headless-1 +StatefulSet +1/1 +a'
	run -0 9c-testnet down
}

@test "a spec the tools refuse stops up with the tool's message and status, and nothing applied" {
	sed 's/^  miner:/  minr:/' "$NINEC_ROOT/share/examples/local.yaml" >"$BATS_TEST_TMPDIR/bad.yaml"
	run -3 --separate-stderr 9c-testnet up "$BATS_TEST_TMPDIR/bad.yaml"
	assert_equal "$(tail -n 2 <<<"$stderr")" "9c-render: $BATS_TEST_TMPDIR/bad.yaml:30:3: network.minr: unknown key, did you mean 'miner'?
9c-testnet: bootstrap: 9c-render failed (status 3)"
	run -1 kubectl get ns argocd
}

@test "a token that does not verify stops up before anything is applied, as on EKS" {
	yq -y '.network.appProtocolVersion = "1/271e00B29aeB93B2F4e30ECbebA4f72ac02f72b4/MEUCIQCKlZxZJYNOvEVZ15vKgkppIOUY8MWt4rmjo7Mpu6M92AIgHcuIoTo8GS3hnjn2WAXUBr+yk9FkhXWoosufldmQuVE=" |
		.network.trustedAppProtocolVersionSigner = "02febda47acc3bb9fcf4e729f46cc52eb12d4ae1cc9f59a31b28d1714437722b09"' \
		"$NINEC_ROOT/share/examples/local.yaml" >"$BATS_TEST_TMPDIR/bad.yaml"
	run -3 --separate-stderr 9c-testnet up "$BATS_TEST_TMPDIR/bad.yaml"
	assert_equal "$(tail -n 2 <<<"$stderr")" "9c-render: $BATS_TEST_TMPDIR/bad.yaml:14:23: network.appProtocolVersion: signature: does not hold for the version and extra
9c-testnet: bootstrap: 9c-render failed (status 3)"
	run -1 kubectl get ns argocd
}

@test "a stage that fails inside a pipe stops it with that tool's message and status" {
	printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:9"}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\nusers:\n- name: u\n  user: {token: t}\n' >"$BATS_TEST_TMPDIR/kubeconfig"
	KUBECONFIG=$BATS_TEST_TMPDIR/kubeconfig run -4 --separate-stderr 9c-bootstrap -A "$NINEC_ROOT/share/examples/local.yaml"
	[[ $(tail -n 2 <<<"$stderr") == 9c-kapply:*$'\n'"9c-bootstrap: bootstrap: 9c-kapply failed (status 4)" ]] ||
		fail "stderr: $stderr"
}

@test "up, status and down as the page of 9c-testnet shows them" {
	run_man_examples man1/9c-testnet.1
	snapshot "$BATS_TEST_TMPDIR/after"
	for i in $(seq 50); do
		cmp -s "$BATS_FILE_TMPDIR/before" "$BATS_TEST_TMPDIR/after" && break
		sleep 0.2
		snapshot "$BATS_TEST_TMPDIR/after"
	done
	diff -u "$BATS_FILE_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "the pipeline scripts' usage is their SYNOPSIS, and misuse exits 2" {
	usage_matches_synopsis 9c-testnet man1/9c-testnet.1
	usage_matches_synopsis 9c-bootstrap man1/9c-bootstrap.1
	usage_matches_synopsis 9c-network man1/9c-network.1
	run -2 --separate-stderr 9c-testnet sideways
	assert_equal "${stderr%%$'\n'*}" "usage: 9c-testnet [-y] [--prune-claims] [--kubeconfig file] [--context name] up [spec]"
	# down deletes every claim with the namespace; status changes nothing.
	run -2 --separate-stderr 9c-testnet --prune-claims down
	assert_equal "${stderr%%$'\n'*}" "usage: 9c-testnet [-y] [--prune-claims] [--kubeconfig file] [--context name] up [spec]"
	run -2 --separate-stderr 9c-testnet --prune-claims status
	run -2 --separate-stderr 9c-testnet --kubeconfig
	run -2 --separate-stderr 9c-testnet --sideways up
	run -2 --separate-stderr 9c-testnet up a b
	run -2 --separate-stderr 9c-network
	run -2 --separate-stderr 9c-bootstrap -x spec
}
