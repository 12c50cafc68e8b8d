# 9c-render's streams against the local control plane (9c-local(1)).
load helpers/common
load helpers/cluster

F=tests/fixtures/render

setup_file() {
	cluster_start || return 1
	cd "$NINEC_ROOT" || return 1
	# The CRDs the streams use: external-secrets' and Argo CD's own.
	kubectl apply --server-side -f "$SHARED/corpus/external-secrets-crds.yaml" >/dev/null || return 1
	yq -c 'select(.kind == "CustomResourceDefinition")' "$SHARED/corpus/argo-cd-install.yaml" >"$BATS_FILE_TMPDIR/argo-crds.json" || return 1
	kubectl apply --server-side -f "$BATS_FILE_TMPDIR/argo-crds.json" >/dev/null || return 1
	# A CRD without conditions yet makes kubectl wait fail at once: retry.
	local i ok=0
	for i in $(seq 30); do
		if kubectl wait --for condition=established --timeout=60s crd --all >/dev/null 2>&1; then
			ok=1
			break
		fi
		sleep 1
	done
	[ "$ok" = 1 ] || return 1
	# A server-side dry run does not create the Namespace its objects need.
	kubectl create namespace argocd >/dev/null || return 1
	kubectl create namespace 9c-sample >/dev/null || return 1
}

teardown_file() {
	cluster_stop
}

setup() {
	cd "$NINEC_ROOT" || return 1
}

# dry_run FILE: the server accepts every object of FILE.
dry_run() {
	run kubectl apply --server-side --dry-run=server -f "$1"
	assert_success
	refute_output --partial "rror"
}

@test "every stream of the EKS example is accepted by a server-side dry run" {
	local s=share/examples/eks.yaml t=$BATS_TEST_TMPDIR
	9c-render network "$s" -k "$F/pubkeys.yaml" >"$t/network.yaml"
	9c-render -S network "$s" >"$t/services.yaml"
	9c-render bootstrap "$s" -f "$F/facts.yaml" -m "$SHARED/corpus/argo-cd-install.yaml" -p "$F/argocd-patches.yaml" >"$t/bootstrap.yaml"
	9c-render -o json apps "$s" >"$t/apps.json"
	dry_run "$t/network.yaml"
	dry_run "$t/services.yaml"
	dry_run "$t/bootstrap.yaml"
	dry_run "$t/apps.json"
}

@test "the EKS network with validators on the PBFT release is accepted too" {
	local t=$BATS_TEST_TMPDIR
	yq -y '.network.validator = .network.miner | del(.network.miner) | .network.release = "2023-pbft"' share/examples/eks.yaml >"$t/spec.yaml"
	9c-render network "$t/spec.yaml" -k "$F/pubkeys.yaml" >"$t/network.yaml"
	dry_run "$t/network.yaml"
}

@test "external-secrets.io/v1beta1 is for clusters that still serve it: the corpus CRDs do not" {
	local t=$BATS_TEST_TMPDIR
	yq -y '.keys.apiVersion = "external-secrets.io/v1beta1"' share/examples/eks.yaml >"$t/spec.yaml"
	9c-render network "$t/spec.yaml" -k "$F/pubkeys.yaml" >"$t/network.yaml"
	run kubectl apply --server-side --dry-run=server -f "$t/network.yaml"
	assert_failure
	assert_output --partial 'no matches for kind "ExternalSecret" in version "external-secrets.io/v1beta1"'
}

@test "every stream of the local example is accepted, and the two passes fill hosts from the cluster's Services" {
	local s=share/examples/local.yaml t=$BATS_TEST_TMPDIR i
	9c-render bootstrap "$s" -m "$SHARED/corpus/argo-cd-install.yaml" >"$t/bootstrap.yaml"
	9c-render apps "$s" >"$t/apps.yaml"
	dry_run "$t/bootstrap.yaml"
	dry_run "$t/apps.yaml"
	# Pass 1: the Namespace and the Services, applied for real.
	9c-render -S network "$s" >"$t/services.yaml"
	run kubectl apply --server-side -f "$t/services.yaml"
	assert_success
	for i in $(seq 60); do
		kubectl get svc -n 9c-local -o yaml >"$t/addresses.yaml"
		[ "$(yq '[.items[] | select(.status.loadBalancer.ingress[0].hostname)] | length' "$t/addresses.yaml")" = 3 ] && break
		sleep 1
	done
	# Pass 2: the whole network with the addresses the cluster gave.
	9c-render -o json network "$s" -k "$F/pubkeys-local.yaml" -a "$t/addresses.yaml" >"$t/network.json"
	yq -r '.items[] | .metadata.name + " --host=" + .status.loadBalancer.ingress[0].hostname' "$t/addresses.yaml" | sort >"$t/want"
	jq -r 'select(.kind == "Deployment" or .kind == "StatefulSet") | .metadata.name + " " + (.spec.template.spec.containers[0].args[]? | select(startswith("--host")))' "$t/network.json" | sort >"$t/got"
	run cat "$t/got"
	assert_line --partial "tcp-seed-1 --host="
	assert_line --partial ".elb.amazonaws.com"
	diff -u "$t/want" "$t/got"
	run kubectl apply --server-side -f "$t/network.json"
	assert_success
	assert_line "statefulset.apps/miner-1 serverside-applied"
	assert_line "statefulset.apps/genesis serverside-applied"
}

@test "the PBFT network from zero is accepted: its genesis config, server and validators" {
	local s=share/examples/pbft.yaml t=$BATS_TEST_TMPDIR
	kubectl create namespace 9c-pbft >/dev/null
	9c-render -S -o json network "$s" |
		jq -c 'select(.kind == "Service") | .status.loadBalancer.ingress = [{hostname: (.metadata.name + ".lb.example.com")}]' >"$t/addresses.json"
	9c-render network "$s" -k "$F/pubkeys-pbft.yaml" -a "$t/addresses.json" >"$t/network.yaml"
	dry_run "$t/network.yaml"
	run kubectl apply --server-side --dry-run=server -f "$t/network.yaml"
	assert_line "configmap/genesis-config serverside-applied (server dry run)"
	assert_line "statefulset.apps/genesis serverside-applied (server dry run)"
	assert_line "statefulset.apps/validator-4 serverside-applied (server dry run)"
}
