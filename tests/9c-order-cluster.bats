#!/usr/bin/env bats
# 9c-order's output is plain Kubernetes YAML that kubectl applies, and its
# stages turn "apply 2-4 times" into one pass, on a real API server.

load helpers/common
load helpers/cluster

setup_file() {
	# kubectl's discovery cache must not outlive this file's cluster
	export KUBECACHEDIR=$BATS_FILE_TMPDIR/kube-cache
	cluster_start
}

teardown_file() {
	cluster_stop
}

setup() {
	# The runbook's bootstrap in the worst order, with the CRDs it needs.
	{
		cat "$(fixture order/worst.yaml)"
		printf -- '\n---\n'
		cat "$SHARED/corpus/external-secrets-crds.yaml"
		printf -- '\n---\n'
		cat "$SHARED/corpus/argo-cd-install.yaml"
	} > "$BATS_TEST_TMPDIR/worst.yaml"
}

@test "9c-order's output pipes into kubectl apply" {
	run -0 9c-order "$(fixture order/small.yaml)"
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/small.yaml"
	run -0 kubectl apply -f "$BATS_TEST_TMPDIR/small.yaml"
	run -0 kubectl get -n app rolebinding read -o jsonpath='{.metadata.annotations.9c/stage}'
	assert_output "3"
}

@test "one kubectl apply of the unordered bootstrap fails" {
	# a server-side dry run: the same verdict, and nothing left behind
	run kubectl apply --server-side --dry-run=server -f "$BATS_TEST_TMPDIR/worst.yaml"
	[ "$status" -ne 0 ]
	assert_output --regexp 'ensure CRDs are installed first|could not find the requested resource \(patch applications.argoproj.io network\)'
}

@test "applying stage by stage with a wait for the CRDs goes through in one pass" {
	local s
	run -0 9c-order "$BATS_TEST_TMPDIR/worst.yaml"
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/ordered.yaml"
	for s in $(9c-order -l "$BATS_TEST_TMPDIR/ordered.yaml" | cut -f1); do
		9c-order -s "$s" "$BATS_TEST_TMPDIR/ordered.yaml" > "$BATS_TEST_TMPDIR/stage.yaml"
		run kubectl apply --server-side -f "$BATS_TEST_TMPDIR/stage.yaml"
		[ "$status" -eq 0 ] || fail "stage $s: $output"
		run -0 kubectl wait --for condition=established crd --all --timeout 60s
	done
	run -0 kubectl get -n 9c-sample externalsecret private-keys -o name
	run -0 kubectl get -n argocd application network -o name
}
