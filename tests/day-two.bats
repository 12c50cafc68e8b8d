#!/usr/bin/env bats
# Day two on someone else's cluster: a local control plane started here, and
# given to 9c-testnet only by --kubeconfig and --context, as a kind or EKS
# cluster made elsewhere would be.  Scale down and up, diff before up, the
# claims of removed nodes kept or pruned, an option change rolled out, an
# image that crash-loops, and down, with a moto_server 9c-testnet starts.
# Then a PBFT network on the same cluster: validators and seeds scaled.
# The tests run in order and share one cluster and one state directory.
load helpers/common
load helpers/cluster

setup_file() {
	# The stage that crash-loops miner-1 on one image.
	export NINEC_LOCAL_STAGES
	NINEC_LOCAL_STAGES=$(fixture day-two/kwok-stages.yaml)
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
	spec 2 2 200m planetariumhq/ninechronicles-headless:v100301 > "$BATS_FILE_TMPDIR/two-crash.yaml"
	pspec 4 1 > "$BATS_FILE_TMPDIR/pbft.yaml"
	pspec 3 1 > "$BATS_FILE_TMPDIR/pbft-three.yaml"
	pspec 4 2 > "$BATS_FILE_TMPDIR/pbft-seeds.yaml"
}

teardown_file() {
	state_moto_stop "$BATS_FILE_TMPDIR/state/9c-local" "$BATS_FILE_TMPDIR/state/9c-pbft"
	cluster_stop
}

# spec MINERS REMOTE-HEADLESS CPU [IMAGE]: the sample spec with those
# counts, the miners' CPU request and the headless image.
spec() {
	sed -e "/^  miner:/,/^  [a-zA-Z]*:\$/ s/count: 1/count: $1/" \
		-e "/^  remoteHeadless:/,/^keys:/ s/count: 1/count: $2/" \
		-e "/^  miner:/,/^  remoteHeadless:/ s/cpu: 100m/cpu: $3/" \
		-e "${4:+s|^  release: .*|&\\n  images:\\n    headless: $4|}" \
		"$NINEC_ROOT/share/examples/local.yaml"
}

# pspec VALIDATORS SEEDS: the PBFT example with those counts.
pspec() {
	sed -e "/^  seed:/,/^  validator:/ s/count: 1/count: $2/" \
		-e "/^  validator:/,/^  remoteHeadless:/ s/count: 4/count: $1/" \
		"$NINEC_ROOT/share/examples/pbft.yaml"
}

testnet() {
	KUBECONFIG='' 9c-testnet --kubeconfig "$KC" --context "$CTX" "$@"
}

k() { KUBECONFIG=$KUBECTL_KUBECONFIG kubectl "$@"; }

# seeds: each PBFT node and the seeds it peers with.
seeds() {
	k get statefulsets -n 9c-pbft -o json | jq -r '.items[] | .metadata.name + " " +
		([.spec.template.spec.containers[0] | (.command // []) + (.args // []) | .[] |
			select(startswith("--peer=")) | split(",")[1]] | join(" "))' |
		grep -v '^genesis '
}

# The release's headless image.
img() { awk '$1 == "headless:" { print $2 }' "$NINEC_ROOT/share/releases/2022-pow.yaml"; }

# versions FILE [NAMESPACE]: kind, name and resourceVersion of every object
# of the network's namespace that 9c-testnet made or that came of it.
versions() {
	k get deployments,statefulsets,services,secrets,configmaps,pods,pvc -n "${2:-9c-local}" -o json |
		jq -r '.items[] | [.kind, .metadata.name, .metadata.resourceVersion] | @tsv' | sort > "$1"
}

claims() {
	k get pvc -n "${1:-9c-local}" -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.uid}{"\n"}{end}' | sort
}

# all_claims: namespace, name, uid and resourceVersion of every claim.
all_claims() {
	k get pvc -A -o jsonpath='{range .items[*]}{.metadata.namespace} {.metadata.name} {.metadata.uid} {.metadata.resourceVersion}{"\n"}{end}' | sort
}

# lookalike NAMESPACE NAME [APP]: a claim someone else made, Pending (no
# class, no volume), labelled app=APP when given.
lookalike() {
	k apply -f - >/dev/null <<-EOF
	apiVersion: v1
	kind: PersistentVolumeClaim
	metadata:
	  name: $2
	  namespace: $1
	  labels: {${3:+app: $3}}
	spec:
	  accessModes: [ReadWriteOnce]
	  storageClassName: ""
	  resources:
	    requests:
	      storage: 1Gi
	EOF
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
	assert_output "9c-testnet: network: kept the volume claims of nodes no longer in the spec: miner-data-2-miner-2-0 remote-headless-data-2-remote-headless-2-0 remote-headless-logs-2-remote-headless-2-0 (--prune-claims removes them; down removes them with the namespace)"
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

@test "diff of a scale-up shows the new nodes with their keys and addresses still to come, and changes nothing" {
	versions "$BATS_TEST_TMPDIR/before"
	run --separate-stderr testnet diff "$BATS_FILE_TMPDIR/two.yaml"
	[ "$status" -eq 1 ] || fail "status $status: $stderr"
	d=$output
	run -0 grep -E '^(---|\+\+\+) ' <<<"$d"
	assert_output "$(cat <<-EOF
	--- live/v1.Service.9c-local.miner-2
	+++ merged/v1.Service.9c-local.miner-2
	--- live/v1.Service.9c-local.remote-headless-2
	+++ merged/v1.Service.9c-local.remote-headless-2
	--- live/v1.Secret.9c-local.private-keys
	+++ merged/v1.Secret.9c-local.private-keys
	--- live/apps.v1.StatefulSet.9c-local.miner-2
	+++ merged/apps.v1.StatefulSet.9c-local.miner-2
	--- live/apps.v1.StatefulSet.9c-local.remote-headless-2
	+++ merged/apps.v1.StatefulSet.9c-local.remote-headless-2
	EOF
	)"
	# The key comes back (it is still in the key store), masked.
	run -0 awk '/^--- live\// { p = ($0 ~ /private-keys$/) } p && /^[-+] /' <<<"$d"
	assert_output '+  miner-private-key-2: "***"'
	# Their load balancers do not exist yet: the hosts are placeholders.
	run -0 grep -o -e '--host=<address of [a-z0-9-]*>' <<<"$d"
	assert_output "$(printf -- '--host=<address of miner-2>\n--host=<address of remote-headless-2>')"
	versions "$BATS_TEST_TMPDIR/after"
	diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
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

@test "diff of a scale-up past every node the network had shows the key up would make, and makes none" {
	spec 3 2 100m >"$BATS_TEST_TMPDIR/three.yaml"
	versions "$BATS_TEST_TMPDIR/before"
	run --separate-stderr testnet diff "$BATS_TEST_TMPDIR/three.yaml"
	[ "$status" -eq 1 ] || fail "status $status: $stderr"
	d=$output
	run -0 grep -E '^\+\+\+ ' <<<"$d"
	assert_output "$(printf '+++ merged/v1.Service.9c-local.miner-3\n+++ merged/v1.Secret.9c-local.private-keys\n+++ merged/apps.v1.StatefulSet.9c-local.miner-3')"
	run -0 awk '/^--- live\// { p = ($0 ~ /private-keys$/) } p && /^[-+] /' <<<"$d"
	assert_output '+  miner-private-key-3: "***"'
	run -0 grep -o -e '--host=<address of [a-z0-9-]*>' <<<"$d"
	assert_output "--host=<address of miner-3>"
	versions "$BATS_TEST_TMPDIR/after"
	diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# No key was made: the store (moto) still holds the two miners' keys.
	local m=$NINEC_STATE/9c-local/moto
	AWS_ENDPOINT_URL=http://127.0.0.1:$(cat "$m/port") AWS_REGION=us-east-2 \
		AWS_SHARED_CREDENTIALS_FILE=$m/credentials AWS_CONFIG_FILE=$m/config \
		run -0 9c-secrets public -o json -a -s "$BATS_TEST_TMPDIR/three.yaml"
	run -0 jq -r '[.keys[].name | select(startswith("miner-"))] | join(" ")' <<<"$output"
	assert_output "miner-private-key-1 miner-private-key-2"
}

@test "diff --prune-claims of a scale-down also shows the leaving nodes' claims as deletions, and changes nothing" {
	# Claims like the network's that are not its own: in another
	# namespace; unlabelled; of a StatefulSet or a template it never had;
	# not an ordinal.
	lookalike default miner-data-2-miner-2-0 miner-2
	lookalike 9c-local miner-data-2-miner-2-1
	lookalike 9c-local miner-data-9-miner-9-0 miner-9
	lookalike 9c-local backup-miner-2-0 miner-2
	lookalike 9c-local miner-data-2-miner-2-0-old miner-2
	versions "$BATS_TEST_TMPDIR/before"
	all_claims > "$BATS_TEST_TMPDIR/claims"
	run -1 --separate-stderr testnet --prune-claims diff "$BATS_FILE_TMPDIR/one.yaml"
	d=$output
	run -0 grep -E '^(---|\+\+\+) (live|merged)/v1.PersistentVolumeClaim' <<<"$d"
	assert_output "$(cat <<-EOF
	--- live/v1.PersistentVolumeClaim.9c-local.miner-data-2-miner-2-0
	+++ merged/v1.PersistentVolumeClaim.9c-local.miner-data-2-miner-2-0
	--- live/v1.PersistentVolumeClaim.9c-local.remote-headless-data-2-remote-headless-2-0
	+++ merged/v1.PersistentVolumeClaim.9c-local.remote-headless-data-2-remote-headless-2-0
	--- live/v1.PersistentVolumeClaim.9c-local.remote-headless-logs-2-remote-headless-2-0
	+++ merged/v1.PersistentVolumeClaim.9c-local.remote-headless-logs-2-remote-headless-2-0
	EOF
	)"
	# The nodes' own objects and key leave as without the option.
	run -0 grep -c -E '^--- live/' <<<"$d"
	assert_output 8
	# A claim is shown as it is, all of it leaving.
	run -0 awk '/^--- live\/v1.PersistentVolumeClaim.9c-local.miner-data-2/ { p = 1; next } /^--- / { p = 0 } p && /^[-+] *(app|name|storageClassName):/' <<<"$d"
	assert_output "$(printf -- '-    app: miner-2\n-  name: miner-data-2-miner-2-0\n-  storageClassName: 9c-local')"
	versions "$BATS_TEST_TMPDIR/after"
	diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	assert_equal "$(all_claims)" "$(cat "$BATS_TEST_TMPDIR/claims")"
}

@test "up --prune-claims removes exactly the leaving nodes' claims, waiting until they are gone; the rest and the look-alikes stay" {
	all_claims > "$BATS_TEST_TMPDIR/before"
	run --separate-stderr testnet --prune-claims up "$BATS_FILE_TMPDIR/one.yaml"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	run -0 grep 'volume claims' <<<"$stderr"
	assert_output "9c-testnet: network: removed the volume claims of nodes no longer in the spec: miner-data-2-miner-2-0 remote-headless-data-2-remote-headless-2-0 remote-headless-logs-2-remote-headless-2-0"
	# Gone when up returns; every other claim has its uid and version.
	all_claims > "$BATS_TEST_TMPDIR/after"
	run diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	run -0 grep -E '^[<>]' <<<"$output"
	run -0 cut -d' ' -f1-3 <<<"$output"
	assert_output "$(printf '< 9c-local miner-data-2-miner-2-0\n< 9c-local remote-headless-data-2-remote-headless-2-0\n< 9c-local remote-headless-logs-2-remote-headless-2-0')"
	run -0 --separate-stderr testnet --prune-claims diff "$BATS_FILE_TMPDIR/one.yaml"
	assert_output ""
}

@test "scale-up after --prune-claims gives the nodes new claims" {
	run --separate-stderr testnet up "$BATS_FILE_TMPDIR/two.yaml"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	old=$(awk '$1 == "miner-data-2-miner-2-0" { print $2 }' "$BATS_FILE_TMPDIR/claims")
	[ -n "$old" ]
	run -0 k get pvc -n 9c-local miner-data-2-miner-2-0 -o jsonpath='{.metadata.uid} {.status.phase}'
	refute_output --partial "$old"
	assert_output --regexp ' Bound$'
	k delete pvc -n default miner-data-2-miner-2-0 >/dev/null
	k delete pvc -n 9c-local miner-data-2-miner-2-1 miner-data-9-miner-9-0 backup-miner-2-0 miner-data-2-miner-2-0-old >/dev/null
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

# crashed LINES: the last two lines of up when miner-1's new revision
# crash-loops.
crashed() {
	[[ "$1" =~ ^"9c-wait: 9c-local/statefulset/miner-1: 0/1 "(ready|updated)", pod miner-1-0: CrashLoopBackOff: back-off 2m40s restarting failed container=miner-1 (container miner-1)"$'\n'"9c-testnet: network: 9c-wait failed (status 1)"$ ]] ||
		fail "not the crash loop of miner-1: $1"
}

@test "a new image that crash-loops fails up at once, naming the Pod and its reason; up with the spec before rolls back" {
	run --separate-stderr testnet up "$BATS_FILE_TMPDIR/two-crash.yaml"
	# Status 1 with the Pod's reason, not 5 at the deadline: it failed on
	# the evidence.  The StatefulSet's own counts are a snapshot its
	# controller may not have caught up with (ready, or not yet updated).
	[ "$status" -eq 1 ] || fail "status $status: $stderr"
	crashed "$(tail -n 2 <<<"$stderr")"
	# Back to the spec before: the StatefulSet controller waits for the
	# broken Pod (Kubernetes' forced rollback), so up names it again; once
	# it is deleted, up converges.
	run --separate-stderr testnet up "$BATS_FILE_TMPDIR/two-cpu.yaml"
	[ "$status" -eq 1 ] || fail "status $status: $stderr"
	crashed "$(tail -n 2 <<<"$stderr")"
	uid=$(k get pod -n 9c-local miner-1-0 -o jsonpath='{.metadata.uid}')
	k delete pod -n 9c-local miner-1-0 --wait=false >/dev/null
	# (kubectl's own wait can miss the end under load: poll for the new Pod.)
	for _ in $(seq 300); do
		cur=$(k get pod -n 9c-local miner-1-0 -o jsonpath='{.metadata.uid} {.metadata.deletionTimestamp}' 2>/dev/null) || cur=
		# A new uid, not being deleted.
		[ -n "$cur" ] && [ "${cur% *}" != "$uid" ] && [ -z "${cur#* }" ] && break
		sleep 0.2
	done
	run --separate-stderr testnet up "$BATS_FILE_TMPDIR/two-cpu.yaml"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	run -0 k get pods -n 9c-local -l 'app in (miner-1, miner-2)' -o jsonpath='{range .items[*]}{.metadata.name} {.spec.containers[0].image} {.status.containerStatuses[0].ready}{"\n"}{end}'
	assert_output "$(printf 'miner-1-0 %s true\nminer-2-0 %s true' "$(img)" "$(img)")"
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

@test "a PBFT network on the same cluster: four validators up" {
	run --separate-stderr testnet up "$BATS_FILE_TMPDIR/pbft.yaml"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	run -0 k get sts -n 9c-pbft -o jsonpath='{range .items[*]}{.metadata.name} {.status.readyReplicas}{"\n"}{end}'
	assert_output "$(printf 'genesis 1\nremote-headless-1 1\nvalidator-1 1\nvalidator-2 1\nvalidator-3 1\nvalidator-4 1')"
}

@test "validators scale down: exactly validator-4's objects and key go, the genesis config lists three, its claim is kept" {
	versions "$BATS_TEST_TMPDIR/before" 9c-pbft
	claims 9c-pbft > "$BATS_FILE_TMPDIR/pbft-claims"
	run --separate-stderr testnet up "$BATS_FILE_TMPDIR/pbft-three.yaml"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	run -0 grep 'volume claims' <<<"$stderr"
	assert_output "9c-testnet: network: kept the volume claims of nodes no longer in the spec: validator-data-4-validator-4-0 (--prune-claims removes them; down removes them with the namespace)"
	versions "$BATS_TEST_TMPDIR/after" 9c-pbft
	run diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	run -0 grep -E '^[<>]' <<<"$output"
	run -0 sed -E 's/\t[0-9]+$//' <<<"$output"
	assert_output "$(printf '< ConfigMap\tgenesis-config\n> ConfigMap\tgenesis-config\n< Pod\tvalidator-4-0\n< Secret\tprivate-keys\n> Secret\tprivate-keys\n< Service\tvalidator-4\n< StatefulSet\tvalidator-4')"
	run -0 k get configmap genesis-config -n 9c-pbft -o json
	run -0 jq -r '.data["genesis.json"] | fromjson | .initialValidatorSet | length' <<<"$output"
	assert_output 3
	run -0 k get secret private-keys -n 9c-pbft -o json
	run -0 jq -r '.data | keys[] | select(startswith("validator-"))' <<<"$output"
	assert_output "$(printf 'validator-private-key-1\nvalidator-private-key-2\nvalidator-private-key-3')"
	assert_equal "$(claims 9c-pbft)" "$(cat "$BATS_FILE_TMPDIR/pbft-claims")"
}

@test "validators scale up: validator-4 comes back on its claim" {
	run --separate-stderr testnet up "$BATS_FILE_TMPDIR/pbft.yaml"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	run -1 grep 'volume claims' <<<"$stderr"
	assert_equal "$(claims 9c-pbft)" "$(cat "$BATS_FILE_TMPDIR/pbft-claims")"
	run -0 k get sts validator-4 -n 9c-pbft -o jsonpath='{.status.readyReplicas}'
	assert_output 1
	run -0 --separate-stderr testnet diff "$BATS_FILE_TMPDIR/pbft.yaml"
	assert_output ""
}

@test "a second seed: every node peers with it; taking it away removes its objects and key, and the peers follow" {
	run --separate-stderr testnet up "$BATS_FILE_TMPDIR/pbft-seeds.yaml"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	run -0 k get deploy tcp-seed-2 -n 9c-pbft -o jsonpath='{.status.readyReplicas}'
	assert_output 1
	run -0 seeds
	assert_output "$(printf '%s tcp-seed-1 tcp-seed-2\n' remote-headless-1 validator-1 validator-2 validator-3 validator-4)"
	run --separate-stderr testnet up "$BATS_FILE_TMPDIR/pbft.yaml"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	run -1 grep 'volume claims' <<<"$stderr"
	run -1 k get deploy/tcp-seed-2 service/tcp-seed-2 -n 9c-pbft
	run -0 k get pods -n 9c-pbft -l app=tcp-seed-2 -o name
	assert_output ""
	run -0 k get secret private-keys -n 9c-pbft -o json
	run -0 jq -r '.data | keys[] | select(startswith("seed-"))' <<<"$output"
	assert_output seed-private-key-1
	run -0 seeds
	assert_output "$(printf '%s tcp-seed-1\n' remote-headless-1 validator-1 validator-2 validator-3 validator-4)"
	run -0 testnet down "$BATS_FILE_TMPDIR/pbft.yaml"
	run -1 k get namespace 9c-pbft
}
