#!/usr/bin/env bats
# gitops-eso.bats - the real external-secrets controller (a 9c-local addon,
# built from its Go module) against the local control plane and moto with
# signature checking on: the keys 9c-secrets stores in Secrets Manager reach
# the Secret the nodes read, a rotated key follows after a forced refresh,
# wrong credentials fail with the controller's own reason, and 9c-testnet
# brings a network with keys.source aws up on the local profile.
#
# The addon is built by 9c-local (about 13 minutes cold on two quiet cores)
# when it is not cached, as the Argo CD suite's is: never skipped.
# The tests run in order and share one cluster.

load helpers/common
load helpers/cluster
load helpers/moto

ES_V=$(sed -n 's|^[[:space:]]*github.com/external-secrets/external-secrets \(v[^[:space:]]*\).*|\1|p' \
	"$NINEC_ROOT/tests/cluster/external-secrets/go.mod")
ES_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/9c/external-secrets-$ES_V
NS=9c-local

setup_file() {
	export T=$BATS_FILE_TMPDIR
	moto_start || return 1
	AWS_ENDPOINT_URL=$MOTO_URL NINEC_LOCAL_ADDONS=external-secrets cluster_start || return 1
	# The spec of the tests: the local example with its keys in AWS (moto)
	# and a domain, so the network renders without an address pass.
	yq -y '.name = "eso" | .network.domain = "eso.test" |
		.keys = {source: "aws", aws: {region: "us-east-1", credentialsSecret: "aws-credentials"}}' \
		"$NINEC_ROOT/share/examples/local.yaml" >"$T/spec.yaml"
}

teardown_file() {
	# The cluster and the moto of the 9c-testnet test, in case it failed
	# midway.
	"$NINEC_LOCAL" -n "${NINEC_CLUSTER:0:36}-net" down >/dev/null 2>&1
	state_moto_stop "$BATS_FILE_TMPDIR/state/9c-local"
	cluster_stop
	moto_stop
}

setup() {
	moto_env
}

# credentials NAME ID SECRET: a Secret with static AWS credentials, the
# values from the environment (never in argv).
credentials() {
	ID=$2 KEY=$3 jq -cn --arg n "$1" --arg ns "$NS" '{apiVersion: "v1", kind: "Secret",
		metadata: {name: $n, namespace: $ns}, type: "Opaque",
		stringData: {"access-key-id": env.ID, "secret-access-key": env.KEY}}'
}

# store_docs: the Namespace, SecretStore and ExternalSecret the network
# stream carries, as 9c-render renders them.
store_docs() {
	9c-secrets public -a -s "$T/spec.yaml" >"$T/pub.yaml" || return 1
	9c-render -o json -k "$T/pub.yaml" network "$T/spec.yaml" |
		jq -c 'select(.kind == "Namespace" or .kind == "SecretStore" or .kind == "ExternalSecret")'
}

# same_keys: the Secret private-keys holds exactly the node keys that
# 9c-secrets reads from moto; only the verdict is printed.
same_keys() {
	rm -f "$T/want.json"
	9c-secrets secret -a -s "$T/spec.yaml" -o json -w "$T/want.json" || return 1
	kubectl get secret private-keys -n "$NS" -o json |
		jq -e --slurpfile w "$T/want.json" '(.data | map_values(@base64d)) == $w[0].stringData' >/dev/null
}

@test "the controller runs from the addon's cache, listens on 127.0.0.1 only, and status lists it" {
	run -0 "$NINEC_LOCAL" status
	assert_line --regexp '^external-secrets: running \(pid [0-9]+\)$'
	assert_line 'addon: external-secrets ready'
	pid=$(cut -d' ' -f1 "$NINEC_LOCAL_STATE/pids/external-secrets")
	[ "$(readlink "/proc/$pid/exe")" = "$ES_DIR/bin/external-secrets" ]
	run -0 ss -Htlnp
	mine=$(grep "pid=$pid," <<<"$output" | awk '{ print $4 }')
	[ -n "$mine" ]
	# Every listener on loopback: grep finds none that is not.
	run -1 grep -v '^127\.0\.0\.1:' <<<"$mine"
	[ "$NINEC_LOCAL_ADDONS" = external-secrets ]
	# The release's own CRDs, all served.
	run -0 kubectl get crd -o name
	[ "$(grep -c 'external-secrets.io$' <<<"$output")" -eq 20 ]
}

@test "an ExternalSecret syncs the keys 9c-secrets stored in moto into the Secret the nodes read" {
	9c-secrets ensure -s "$T/spec.yaml" >/dev/null
	{ store_docs; credentials aws-credentials "$MOTO_AKID" "$MOTO_SECRET"; } >"$T/stream.json"
	run --separate-stderr bash -c "9c-kapply -q '$T/stream.json' | 9c-wait -q -t 120 -o json"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	run -0 jq -r 'select(.kind == "ExternalSecret") | .status.conditions[] | select(.type == "Ready") | "\(.status) \(.reason)"' <<<"$output"
	assert_output 'True SecretSynced'
	run -0 kubectl get secret private-keys -n "$NS" -o json
	run -0 jq -r '.data | keys | join(" ")' <<<"$output"
	assert_output 'miner-private-key-1 seed-private-key-1'
	same_keys
}

@test "a key rotated in moto reaches the Secret after a forced refresh" {
	9c-secrets keygen -f -s "$T/spec.yaml" -w "$T/new-keys.yaml" 2>/dev/null
	9c-secrets push -s "$T/spec.yaml" "$T/new-keys.yaml"
	run -1 same_keys
	kubectl annotate -n "$NS" externalsecret private-keys --overwrite force-sync="$(date +%s%N)" >/dev/null
	for _ in $(seq 300); do
		same_keys && break
		sleep 0.2
	done
	same_keys
}

@test "wrong credentials: the ExternalSecret fails and 9c-wait reports the controller's reason" {
	credentials aws-credentials "$MOTO_AKID" wrong-secret-key | 9c-kapply -q >/dev/null
	kubectl annotate -n "$NS" externalsecret private-keys --overwrite force-sync="$(date +%s%N)" >/dev/null
	# The controller's verdict first, then what 9c-wait makes of it.
	kubectl wait -n "$NS" --for=condition=Ready=false --timeout=60s externalsecret/private-keys >/dev/null
	run -1 --separate-stderr 9c-wait -q -t 120 "$T/stream.json"
	assert_output ''
	assert_equal "$stderr" "9c-wait: 9c-local/externalsecret/private-keys: Ready=False: SecretSyncedError: could not get secret data from provider"
}

@test "9c-testnet up with keys.source aws on the local profile: the controller syncs the keys, every node Ready" {
	export NINEC_STATE=$T/state NINEC_CLUSTER=${NINEC_CLUSTER:0:36}-net
	export NINEC_ARGOCD_MANIFEST=$SHARED/corpus/argo-cd-install.yaml
	unset AWS_ENDPOINT_URL AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_DEFAULT_REGION
	yq -y '.keys = {source: "aws", aws: {region: "us-east-2", credentialsSecret: "aws-credentials"}}' \
		"$NINEC_ROOT/share/examples/local.yaml" >"$T/net.yaml"
	run --separate-stderr 9c-testnet up "$T/net.yaml"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	grep -q "^9c-testnet: \[1/7\] cluster: starting the local control plane '$NINEC_CLUSTER' (9c-local -a external-secrets)$" <<<"$stderr"
	eval "$("$NINEC_LOCAL" env)"
	run -0 kubectl get externalsecret private-keys -n 9c-local -o json
	run -0 jq -r '.status.conditions[] | select(.type == "Ready") | "\(.status) \(.reason)"' <<<"$output"
	assert_output 'True SecretSynced'
	# The credentials Secret came through the pipe, not the state directory.
	run -1 grep -rl --exclude=credentials "$(ini_secret "$T/state/9c-local/moto/credentials")" "$T/state"
	run -0 9c-testnet down "$T/net.yaml"
	run -1 "$NINEC_LOCAL" status
}

# ini_secret FILE: the secret access key of a credentials file.
ini_secret() { sed -n 's/^aws_secret_access_key = //p' "$1"; }
