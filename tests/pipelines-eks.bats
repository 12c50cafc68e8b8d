#!/usr/bin/env bats
# The EKS path of the pipelines, up to the terraform and AWS boundary: a
# stand-in terraform (tests/fixtures/pipelines/bin/terraform) records its
# calls and answers `terraform output -json' with real-shaped outputs.
load helpers/common

setup() {
	export NINEC_STATE=$BATS_TEST_TMPDIR/state
	export NINEC_TF_CALLS=$BATS_TEST_TMPDIR/terraform-calls
	PATH=$(fixture pipelines/bin):$PATH
	spec=$NINEC_ROOT/share/examples/eks.yaml
	tf=$NINEC_STATE/9c-sample/terraform
}

@test "9c-cluster up runs terraform init with the backend, plan, apply and output, in that order" {
	run -0 --separate-stderr 9c-cluster -y up "$spec"
	assert_equal "$output" "$NINEC_STATE/9c-sample/kubeconfig"
	run -0 cat "$NINEC_TF_CALLS"
	assert_equal "$output" "init -input=false -backend-config=backend.hcl
plan -input=false -out=tfplan
apply -input=false tfplan
output -json"
}

@test "9c-cluster up writes the variables and the backend config that 9c-tfvars makes of the spec" {
	run -0 9c-cluster -y up "$spec"
	9c-tfvars "$spec" >"$BATS_TEST_TMPDIR/want.tfvars"
	9c-tfvars -b "$spec" >"$BATS_TEST_TMPDIR/want.hcl"
	diff -u "$BATS_TEST_TMPDIR/want.tfvars" "$tf/terraform.tfvars"
	diff -u "$BATS_TEST_TMPDIR/want.hcl" "$tf/backend.hcl"
	diff -u "$NINEC_ROOT/share/terraform/eks.tf" "$tf/eks.tf"
}

@test "9c-cluster up turns terraform's outputs into cluster facts and a private kubeconfig" {
	run -0 9c-cluster -y up "$spec"
	9c-tfvars -f "$spec" "$(fixture pipelines/outputs.json)" >"$BATS_TEST_TMPDIR/facts.yaml"
	diff -u "$BATS_TEST_TMPDIR/facts.yaml" "$NINEC_STATE/9c-sample/facts.yaml"
	9c-tfvars -k "$spec" "$(fixture pipelines/outputs.json)" >"$BATS_TEST_TMPDIR/kubeconfig"
	diff -u "$BATS_TEST_TMPDIR/kubeconfig" "$NINEC_STATE/9c-sample/kubeconfig"
	run -0 stat -c %a "$NINEC_STATE/9c-sample/kubeconfig"
	assert_equal "$output" 600
}

@test "9c-cluster up says what it does, step by step, on stderr" {
	run -0 --separate-stderr 9c-cluster -y up "$spec"
	run -0 grep -c '^9c-cluster: cluster: ' <<<"$stderr"
	assert_equal "$output" 5
}

@test "9c-cluster up without -y and without a terminal applies nothing" {
	run -1 --separate-stderr 9c-cluster up "$spec" </dev/null
	assert_equal "${stderr##*$'\n'}" "9c-cluster: apply this plan: not confirmed (no terminal; give -y)"
	run -0 cat "$NINEC_TF_CALLS"
	assert_equal "$output" "init -input=false -backend-config=backend.hcl
plan -input=false -out=tfplan"
}

@test "9c-cluster down initialises the same backend, then destroys" {
	run -0 9c-cluster -y up "$spec"
	: >"$NINEC_TF_CALLS"
	run -0 9c-cluster -y down "$spec"
	run -0 cat "$NINEC_TF_CALLS"
	assert_equal "$output" "init -input=false -backend-config=backend.hcl
destroy -input=false -auto-approve"
	[ ! -e "$NINEC_STATE/9c-sample/kubeconfig" ]
}

@test "9c-cluster stops at a spec 9c-tfvars refuses, with its message and status, before terraform" {
	run -3 --separate-stderr 9c-cluster -y up "$NINEC_ROOT/share/examples/local.yaml"
	[[ $stderr == *$'\n'9c-tfvars:* ]]
	[ ! -e "$NINEC_TF_CALLS" ]
}

@test "a failing terraform stops 9c-cluster with a non-zero status" {
	NINEC_TF_OUTPUTS=/nonexistent run -1 --separate-stderr 9c-cluster -y up "$spec"
	assert_equal "${stderr##*$'\n'}" "9c-cluster: terraform output failed"
}

@test "9c-cluster usage is its SYNOPSIS, and misuse exits 2" {
	usage_matches_synopsis 9c-cluster man1/9c-cluster.1
	run -2 --separate-stderr 9c-cluster sideways "$spec"
	run -2 --separate-stderr 9c-cluster up
}

@test "the examples of 9c-cluster run against the stand-in terraform" {
	run_man_examples man1/9c-cluster.1
	run -0 cut -d' ' -f1 "$NINEC_TF_CALLS"
	assert_equal "$(paste -sd' ' <<<"$output")" "init plan apply output init destroy"
}

@test "9c-testnet up on EKS builds the cluster, renders the bootstrap with its facts, and stops at the AWS boundary" {
	export NINEC_ARGOCD_MANIFEST=$SHARED/corpus/argo-cd-install.yaml
	export NINEC_AWS_CALLS=$BATS_TEST_TMPDIR/aws-calls
	run -4 --separate-stderr 9c-testnet -y up "$spec"
	assert_equal "$(grep -o '^9c-testnet: \[[0-9]/7\] [a-z]*' <<<"$stderr" | uniq | paste -sd' ' -)" \
		"9c-testnet: [1/7] cluster 9c-testnet: [2/7] aws 9c-testnet: [3/7] bootstrap"
	assert_equal "${stderr##*$'\n'}" "9c-testnet: bootstrap: 9c-kapply failed (status 4)"
	run -0 cut -d' ' -f1 "$NINEC_TF_CALLS"
	assert_equal "$(paste -sd' ' <<<"$output")" "init plan apply output"
	run -0 jq -r 'select(.kind == "Application" and .metadata.name == "external-secrets") | tostring' \
		"$NINEC_STATE/9c-sample/bootstrap.json"
	[[ $output == *arn:aws:iam::838612679705:role/eks-9c-sample-external-secrets* ]]
	run -0 cat "$NINEC_AWS_CALLS"
	assert_line --index 0 "--region us-east-2 eks get-token --cluster-name 9c-sample --output json"
}

@test "on EKS a missing Argo CD install manifest stops the bootstrap with status 3, offline, before anything is applied" {
	export XDG_CACHE_HOME=$BATS_TEST_TMPDIR/cache https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9
	unset NINEC_ARGOCD_MANIFEST
	mkdir -p "$NINEC_STATE"
	run -3 --separate-stderr 9c-bootstrap "$spec"
	assert_equal "$stderr" "9c-bootstrap: bootstrap: no Argo CD v2.2.2 install manifest (give -m file or NINEC_ARGOCD_MANIFEST)"
	[ ! -e "$NINEC_STATE/9c-sample/bootstrap.json" ]
	run -3 --separate-stderr 9c-bootstrap -m "$BATS_TEST_TMPDIR/nothing.yaml" "$spec"
	assert_equal "$stderr" "9c-bootstrap: bootstrap: $BATS_TEST_TMPDIR/nothing.yaml: cannot read the Argo CD install manifest"
}
