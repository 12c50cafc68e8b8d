#!/usr/bin/env bats
# Day two on someone else's cluster: a local control plane started here, and
# given to 9c-testnet only by --kubeconfig and --context, as a kind or EKS
# cluster made elsewhere would be.  Scale down and up, diff before up, an
# option change rolled out, and down, with a moto_server 9c-testnet starts.
# The tests run in order and share one cluster and one state directory.
load helpers/common
load helpers/cluster

setup_file() {
	cluster_start || return 1
	export NINEC_STATE=$BATS_FILE_TMPDIR/state
	export NINEC_ARGOCD_MANIFEST=$SHARED/corpus/argo-cd-install.yaml
	unset AWS_ENDPOINT_URL AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	export CTX KC=$BATS_FILE_TMPDIR/kubeconfig
	CTX=$(kubectl config current-context)
	# The user's kubeconfig: the cluster as one context among others, and
	# not the current one.
	kubectl config view --raw > "$KC"
	KUBECONFIG=$KC kubectl config set-cluster elsewhere --server=https://127.0.0.1:1 >/dev/null
	KUBECONFIG=$KC kubectl config set-context elsewhere --cluster=elsewhere >/dev/null
	KUBECONFIG=$KC kubectl config use-context elsewhere >/dev/null
	export KUBECTL_KUBECONFIG=$KUBECONFIG
	spec 2 2 100m > "$BATS_FILE_TMPDIR/two.yaml"
	spec 1 1 100m > "$BATS_FILE_TMPDIR/one.yaml"
	spec 2 2 200m > "$BATS_FILE_TMPDIR/two-cpu.yaml"
}

teardown_file() {
	local pid
	pid=$(cut -d' ' -f1 "$BATS_FILE_TMPDIR/state/9c-local/moto/pid" 2>/dev/null) &&
		kill "$pid" 2>/dev/null
	cluster_stop
}

# spec MINERS REMOTE-HEADLESS CPU: the sample spec with those counts and
# the miners' CPU request.
spec() {
	sed -e "/^  miner:/,/^  [a-zA-Z]*:\$/ s/count: 1/count: $1/" \
		-e "/^  remoteHeadless:/,/^keys:/ s/count: 1/count: $2/" \
		-e "/^  miner:/,/^  remoteHeadless:/ s/cpu: 100m/cpu: $3/" \
		"$NINEC_ROOT/share/examples/local.yaml"
}

testnet() {
	KUBECONFIG='' 9c-testnet --kubeconfig "$KC" --context "$CTX" "$@"
}

k() { KUBECONFIG=$KUBECTL_KUBECONFIG kubectl "$@"; }

# versions FILE: kind, name and resourceVersion of every object of the
# network's namespace that 9c-testnet made or that came of it.
versions() {
	k get deployments,statefulsets,services,secrets,configmaps,pods,pvc -n 9c-local -o json |
		jq -r '.items[] | [.kind, .metadata.name, .metadata.resourceVersion] | @tsv' | sort > "$1"
}

claims() {
	k get pvc -n 9c-local -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.uid}{"\n"}{end}' | sort
}

@test "up on an existing cluster by --kubeconfig and --context builds and starts nothing" {
	run --separate-stderr testnet up "$BATS_FILE_TMPDIR/two.yaml"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	assert_equal "$(grep '\[1/7\]' <<<"$stderr")" "9c-testnet: [1/7] cluster: the existing cluster of $CTX; nothing to build"
	[ ! -e "$NINEC_STATE/9c-local/local-cluster" ]
	run 9c-local -n 9c-local status
	[ "$status" -ne 0 ]
	run -0 k get deploy,sts -n 9c-local -o json
	run -0 jq -r '.items[] | "\(.metadata.name) \(.status.readyReplicas)/\(.spec.replicas)"' <<<"$output"
	assert_output "$(printf 'tcp-seed-1 1/1\ngenesis 1/1\nminer-1 1/1\nminer-2 1/1\nremote-headless-1 1/1\nremote-headless-2 1/1')"
	# The context is the one asked for, not the kubeconfig's current one.
	run -0 grep -c "^current-context: elsewhere" "$KC"
}

@test "diff right after up shows nothing and exits 0" {
	run -0 --separate-stderr testnet diff "$BATS_FILE_TMPDIR/two.yaml"
	assert_output ""
}

@test "diff of a scale-down shows the nodes' objects and their keys leaving, and changes nothing" {
	versions "$BATS_TEST_TMPDIR/before"
	run -1 --separate-stderr testnet diff "$BATS_FILE_TMPDIR/one.yaml"
	d=$output
	run -0 grep -E '^(---|\+\+\+) ' <<<"$d"
	assert_output "$(cat <<-EOF
	--- live/v1.Secret.9c-local.private-keys
	+++ merged/v1.Secret.9c-local.private-keys
	--- live/v1.Service.9c-local.miner-2
	+++ merged/v1.Service.9c-local.miner-2
	--- live/v1.Service.9c-local.remote-headless-2
	+++ merged/v1.Service.9c-local.remote-headless-2
	--- live/apps.v1.StatefulSet.9c-local.miner-2
	+++ merged/apps.v1.StatefulSet.9c-local.miner-2
	--- live/apps.v1.StatefulSet.9c-local.remote-headless-2
	+++ merged/apps.v1.StatefulSet.9c-local.remote-headless-2
	EOF
	)"
	# The Secret's hunk: one key leaves, no value shows.
	run -0 awk '/^--- live\// { p = ($0 ~ /private-keys$/) } p && /^[-+] /' <<<"$d"
	assert_output '-  miner-private-key-2: "***"'
	versions "$BATS_TEST_TMPDIR/after"
	diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "scale-down: exactly the removed nodes' objects go, their claims are kept and listed" {
	versions "$BATS_TEST_TMPDIR/before"
	claims > "$BATS_FILE_TMPDIR/claims"
	run --separate-stderr testnet up "$BATS_FILE_TMPDIR/one.yaml"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	run -0 grep 'kept the volume claims' <<<"$stderr"
	assert_output "9c-testnet: network: kept the volume claims of nodes no longer in the spec: miner-data-2-miner-2-0 remote-headless-data-2-remote-headless-2-0 remote-headless-logs-2-remote-headless-2-0; 9c-testnet down removes them with the namespace"
	versions "$BATS_TEST_TMPDIR/after"
	run diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# Only the removed nodes (workloads, Pods, Services) and the key entry.
	run -0 grep -E '^[<>]' <<<"$output"
	run -0 sed -E 's/\t[0-9]+$//' <<<"$output"
	assert_output "$(printf '< Pod\tminer-2-0\n< Pod\tremote-headless-2-0\n< Secret\tprivate-keys\n> Secret\tprivate-keys\n< Service\tminer-2\n< Service\tremote-headless-2\n< StatefulSet\tminer-2\n< StatefulSet\tremote-headless-2')"
	run -0 k get secret private-keys -n 9c-local -o jsonpath='{.data}'
	run -0 jq -r 'keys | join(" ")' <<<"$output"
	assert_output "miner-private-key-1 seed-private-key-1"
	assert_equal "$(claims)" "$(cat "$BATS_FILE_TMPDIR/claims")"
	run -0 --separate-stderr testnet diff "$BATS_FILE_TMPDIR/one.yaml"
	assert_output ""
}

@test "scale-up again: the nodes come back on the claims they had" {
	run --separate-stderr testnet up "$BATS_FILE_TMPDIR/two.yaml"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	assert_equal "$(claims)" "$(cat "$BATS_FILE_TMPDIR/claims")"
	run -0 k get sts -n 9c-local -o jsonpath='{range .items[*]}{.metadata.name} {.status.readyReplicas}{"\n"}{end}'
	assert_output "$(printf 'genesis 1\nminer-1 1\nminer-2 1\nremote-headless-1 1\nremote-headless-2 1')"
	run -0 --separate-stderr testnet diff "$BATS_FILE_TMPDIR/two.yaml"
	assert_output ""
}

@test "an option change rolls the miners, and up returns once their new revision is current" {
	old=$(k get sts miner-1 -n 9c-local -o jsonpath='{.status.currentRevision}')
	rh=$(k get sts remote-headless-1 -n 9c-local -o jsonpath='{.metadata.resourceVersion}')
	run --separate-stderr testnet up "$BATS_FILE_TMPDIR/two-cpu.yaml"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	for s in miner-1 miner-2; do
		run -0 k get sts "$s" -n 9c-local -o json
		run -0 jq -r '[.metadata.generation == .status.observedGeneration, .status.currentRevision == .status.updateRevision, .status.updatedReplicas, .status.readyReplicas, .spec.template.spec.containers[0].resources.requests.cpu] | map(tostring) | join(" ")' <<<"$output"
		assert_output "true true 1 1 200m"
	done
	[ "$(k get sts miner-1 -n 9c-local -o jsonpath='{.status.currentRevision}')" != "$old" ]
	assert_equal "$(k get sts remote-headless-1 -n 9c-local -o jsonpath='{.metadata.resourceVersion}')" "$rh"
	# What 9c-wait wrote when up returned: the rollout already done.
	run -0 jq -r 'select(.kind == "StatefulSet" and (.metadata.name | startswith("miner-"))) | .status.currentRevision == .status.updateRevision' "$NINEC_STATE/9c-local/network.ready.json"
	assert_output "$(printf 'true\ntrue')"
}

@test "status and down on an existing cluster: down says where the claims go and leaves the cluster running" {
	run -0 testnet status "$BATS_FILE_TMPDIR/two-cpu.yaml"
	assert_line --index 0 "network 9c-local in namespace 9c-local (local profile)"
	run --separate-stderr testnet down "$BATS_FILE_TMPDIR/two-cpu.yaml"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	run -0 grep 'volume claims go' <<<"$stderr"
	assert_output "9c-testnet: network: the volume claims go with the namespace 9c-local: genesis-data-genesis-0 miner-data-1-miner-1-0 miner-data-2-miner-2-0 remote-headless-data-1-remote-headless-1-0 remote-headless-data-2-remote-headless-2-0 remote-headless-logs-1-remote-headless-1-0 remote-headless-logs-2-remote-headless-2-0"
	run -0 grep 'left running' <<<"$stderr"
	assert_output "9c-testnet: [4/4] cluster: the existing cluster of $CTX; left running"
	run -1 k get namespace 9c-local
	run -0 k get --raw /readyz
}
