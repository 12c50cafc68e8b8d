#!/usr/bin/env bats
# 9c-tfvars: spec -> terraform variables and backend settings, terraform
# outputs -> cluster facts and kubeconfig.  HashiCorp's own HCL parser
# (tests/hcl, built once and cached) is the oracle for the HCL we write;
# terraform itself, when the machine has it, is a second one.

load helpers/common

F=tests/fixtures/tfvars

setup_file() {
	HCLCHECK=$("$NINEC_ROOT/tests/hcl/build.sh") || return 1
	export HCLCHECK
}

setup() {
	cd "$NINEC_ROOT" || return 1
	TMP=$BATS_TEST_TMPDIR
}

# terraform, or a tofu built from the module proxy and cached (see the
# report in tests/hcl/README), or nothing.
tf_bin() {
	local t
	for t in terraform "${XDG_CACHE_HOME:-$HOME/.cache}/9c/tofu-build/bin/tofu"; do
		if command -v "$t" >/dev/null 2>&1; then
			command -v "$t"
			return 0
		fi
	done
	return 1
}

# The values of a .tfvars file as HashiCorp's parser reads them, sorted.
hcl_values() {
	"$HCLCHECK" tfvars "$1" > "$TMP/hcl.json" || return 1
	jq -S . "$TMP/hcl.json"
}

@test "usage matches the man page SYNOPSIS" {
	usage_matches_synopsis 9c-tfvars man1/9c-tfvars.1
}

@test "the man page examples run" {
	run_man_examples man1/9c-tfvars.1
}

@test "-h prints the usage on stdout and exits 0" {
	run -0 --separate-stderr 9c-tfvars -h
	assert_equal "${lines[0]}" "usage: 9c-tfvars [-j] [spec]"
	assert_equal "${#lines[@]}" 4
	assert_equal "$stderr" ""
}

@test "the spec becomes the terraform.tfvars the fixture shows" {
	run -0 --separate-stderr 9c-tfvars $F/spec.yaml
	diff -u $F/spec.tfvars <(printf '%s\n' "$output")
	assert_equal "$stderr" ""
}

@test "the spec is read from standard input too" {
	9c-tfvars < $F/spec.yaml > "$TMP/stdin.tfvars"
	9c-tfvars - < $F/spec.yaml > "$TMP/dash.tfvars"
	diff -u <(sed 1d $F/spec.tfvars) <(sed 1d "$TMP/stdin.tfvars")
	diff -u "$TMP/stdin.tfvars" "$TMP/dash.tfvars"
	run -0 head -n 1 "$TMP/stdin.tfvars"
	assert_output "# Written by 9c-tfvars from <stdin>: the variables of share/terraform."
}

@test "HashiCorp's HCL parser reads the tfvars back to the -j values" {
	9c-tfvars $F/spec.yaml > "$TMP/t.tfvars"
	9c-tfvars -j $F/spec.yaml > "$TMP/t.tfvars.json"
	diff -u <(jq -S . "$TMP/t.tfvars.json") <(hcl_values "$TMP/t.tfvars")
}

@test "the variables carry the spec's values and the runbook's defaults" {
	9c-tfvars -j share/examples/eks.yaml > "$TMP/v.json"
	run -0 jq -c '[.name, .kubernetes_version, .node_groups.default.instance_types,
	    .node_groups.default.min_size, .node_groups.default.desired_size,
	    .node_groups.default.max_size, (.addons | keys_unsorted),
	    .addons["vpc-cni"], .public_access_cidrs, .addon_namespaces.external_secrets]' "$TMP/v.json"
	assert_output '["9c-sample","1.33",["c5.large"],10,10,20,["vpc-cni","coredns","kube-proxy","aws-ebs-csi-driver"],null,["0.0.0.0/0"],"kube-system"]'
}

@test "service account namespaces follow the bootstrap section" {
	9c-tfvars -j $F/spec.yaml > "$TMP/v.json"
	run -0 jq -c .addon_namespaces "$TMP/v.json"
	assert_output '{"external_secrets":"external-secrets","cluster_autoscaler":"kube-system","external_dns":"kube-system","load_balancer_controller":"kube-system"}'
}

@test "hostile strings survive the trip through HCL to exactly the spec's text" {
	# Every string of the table is a tag value, and (when not empty) a tag
	# key too; the spec is JSON so the table's bytes are exact.
	jq --slurpfile h $F/hostile.json '.cluster.tags = (
	    [$h[0] | to_entries[] | {key: "t\(.key)", value: .value}] +
	    [$h[0][] | select(length > 0) | {key: ., value: "k"}] | from_entries)' \
	    $F/base.json > "$TMP/hostile.json"
	9c-tfvars "$TMP/hostile.json" > "$TMP/h.tfvars"
	hcl_values "$TMP/h.tfvars" > "$TMP/got.json"
	diff -u <(jq -S .cluster.tags "$TMP/hostile.json") <(jq -S .tags "$TMP/got.json")
	# The JSON form, which terraform takes verbatim, says the same.
	9c-tfvars -j "$TMP/hostile.json" > "$TMP/h.json"
	diff -u <(jq -S .cluster.tags "$TMP/hostile.json") <(jq -S .tags "$TMP/h.json")
	run -0 jq 'length' $F/hostile.json
	[ "$output" -ge 30 ]
}

@test "interpolation sequences are escaped, not left live" {
	jq '.cluster.tags = {"a": "${var.name}", "b": "%{ if x }", "c": "$${x}", "d": "$"}' \
	    $F/base.json > "$TMP/s.json"
	9c-tfvars "$TMP/s.json" > "$TMP/s.tfvars"
	run -0 sed -n '/^tags = {/,/^}/p' "$TMP/s.tfvars"
	assert_output - <<'EOF'
tags = {
  "a" = "$${var.name}"
  "b" = "%%{ if x }"
  "c" = "$$${x}"
  "d" = "$"
}
EOF
}

@test "terraform reads the tfvars into share/terraform's variables unchanged" {
	local tf
	tf=$(tf_bin) || skip "neither terraform nor a cached tofu is available"
	mkdir "$TMP/echo"
	cp share/terraform/variables.tf $F/echo.tf "$TMP/echo/"
	jq --slurpfile h $F/hostile.json '.cluster.tags = ([$h[0] | to_entries[] |
	    {key: "t\(.key)", value: .value}] | from_entries)' $F/base.json > "$TMP/hostile.json"
	for spec in $F/spec.yaml share/examples/eks.yaml "$TMP/hostile.json"; do
		9c-tfvars "$spec" > "$TMP/echo/terraform.tfvars"
		9c-tfvars -j "$spec" > "$TMP/want.json"
		( cd "$TMP/echo" && export TF_CLI_CONFIG_FILE=/dev/null &&
		    "$tf" init -input=false >/dev/null &&
		    "$tf" apply -auto-approve -input=false >/dev/null &&
		    "$tf" output -json vars ) > "$TMP/got.json"
		# Optional attributes the spec leaves out come back as null.
		diff -u <(jq -S 'del(.[] | nulls)' "$TMP/want.json") \
		    <(jq -S 'del(.[] | nulls)' "$TMP/got.json")
	done
}

@test "every .tf file of share/terraform parses with HashiCorp's parser" {
	run -0 --separate-stderr "$HCLCHECK" tf share/terraform/*.tf
	assert_equal "$stderr" ""
	run -0 ls share/terraform
	assert_output --partial "outputs.tf"
}

@test "the HCL checker itself rejects a broken .tf and a tfvars with a live template" {
	printf 'resource "x" "y" {\n  a = \n' > "$TMP/bad.tf"
	run -1 "$HCLCHECK" tf "$TMP/bad.tf"
	printf 'a = "${var.x}"\n' > "$TMP/bad.tfvars"
	run -1 "$HCLCHECK" tfvars "$TMP/bad.tfvars"
}

@test "share/terraform is formatted as terraform fmt wants it" {
	local tf
	tf=$(tf_bin) || skip "neither terraform nor a cached tofu is available"
	run -0 env TF_CLI_CONFIG_FILE=/dev/null "$tf" fmt -check -recursive share/terraform
}

@test "share/terraform outputs every value the facts need" {
	local o
	for o in cluster_name region account_id cluster_endpoint \
	    cluster_certificate_authority_data cluster_oidc_issuer_url \
	    external_secrets_role_arn cluster_autoscaler_role_arn \
	    external_dns_role_arn ebs_csi_driver_role_arn \
	    load_balancer_controller_role_arn; do
		grep -q "^output \"$o\" {" share/terraform/outputs.tf ||
		    fail "share/terraform/outputs.tf lacks $o"
		jq -e --arg o "$o" 'has($o)' $F/outputs.json >/dev/null ||
		    fail "$F/outputs.json lacks $o"
	done
}

@test "-b writes the backend settings as key = value lines terraform reads" {
	run -0 --separate-stderr 9c-tfvars -b $F/spec.yaml
	diff -u $F/spec.backend <(printf '%s\n' "$output")
	run -0 hcl_values $F/spec.backend
	assert_output - <<'EOF'
{
  "bucket": "terraform-eks-backend",
  "dynamodb_table": "terraform-locks",
  "encrypt": true,
  "key": "eks/9c-sample",
  "profile": "planetarium-dev",
  "region": "us-east-2"
}
EOF
}

@test "-b defaults the key to eks/<name> and the region to aws.region" {
	jq '.cluster.backend = {bucket: "tf-state"} | del(.aws.profile)' $F/base.json > "$TMP/b.json"
	run -0 9c-tfvars -b "$TMP/b.json"
	assert_output - <<'EOF'
bucket = "tf-state"
key = "eks/9c-sample"
region = "us-east-2"
encrypt = true
EOF
}

@test "-b without cluster.backend is refused" {
	run -3 --separate-stderr 9c-tfvars -b $F/base.json
	assert_equal "$stderr" "9c-tfvars: $F/base.json:10:14: cluster.backend: missing (the S3 bucket that keeps the terraform state)"
	assert_equal "$output" ""
}

@test "terraform outputs become the cluster facts document" {
	run -0 --separate-stderr 9c-tfvars -f $F/spec.yaml $F/outputs.json
	diff -u $F/facts.yaml <(printf '%s\n' "$output")
	run -0 9c-tfvars -f $F/spec.yaml < $F/outputs.json
	diff -u $F/facts.yaml <(printf '%s\n' "$output")
}

@test "-f -o json writes the facts as one JSON line" {
	run -0 9c-tfvars -f -o json $F/spec.yaml $F/outputs.json
	assert_equal "${#lines[@]}" 1
	run -0 jq -c '[.kind, .metadata.name, .cluster.accountId, .cluster.roles.ebsCsiDriver]' <<< "$output"
	assert_output '["ClusterFacts","9c-sample","838612679705","arn:aws:iam::838612679705:role/eks-9c-sample-ebs-csi-plugin"]'
}

@test "9c-render takes the facts' role ARNs" {
	sed 's/eks-9c-sample-external-dns/from-facts-dns/' $F/outputs.json > "$TMP/o.json"
	9c-tfvars -f share/examples/eks.yaml "$TMP/o.json" > "$TMP/facts.yaml"
	9c-render -f "$TMP/facts.yaml" -m "$SHARED/corpus/argo-cd-install.yaml" \
	    bootstrap share/examples/eks.yaml > "$TMP/boot.yaml"
	run -0 grep -c 'role-arn: arn:aws:iam::838612679705:role/from-facts-dns' "$TMP/boot.yaml"
	assert_output 1
}

@test "the kubeconfig runs aws eks get-token and kubectl accepts it" {
	run -0 --separate-stderr 9c-tfvars -k $F/spec.yaml $F/outputs.json
	diff -u $F/kubeconfig.yaml <(printf '%s\n' "$output")
	printf '%s\n' "$output" > "$TMP/kubeconfig"
	run -0 env KUBECONFIG="$TMP/kubeconfig" kubectl config view --minify \
	    -o 'jsonpath={.clusters[0].cluster.server}'
	assert_output "https://5C4B9D0E8A2F1B7C3D6E9F0A1B2C3D4E.gr7.us-east-2.eks.amazonaws.com"
	run -0 env KUBECONFIG="$TMP/kubeconfig" kubectl config view --minify \
	    -o 'jsonpath={.users[0].user.exec.command} {.users[0].user.exec.args} {.users[0].user.exec.env[0].value} {.users[0].user.exec.apiVersion}'
	assert_output 'aws ["--region","us-east-2","eks","get-token","--cluster-name","9c-sample","--output","json"] planetarium-dev client.authentication.k8s.io/v1beta1'
	run -0 env KUBECONFIG="$TMP/kubeconfig" kubectl config current-context
	assert_output "arn:aws:eks:us-east-2:838612679705:cluster/9c-sample"
}

@test "outputs -> facts -> kubeconfig is the same kubeconfig as from the outputs" {
	9c-tfvars -f $F/spec.yaml $F/outputs.json > "$TMP/facts.yaml"
	run -0 9c-tfvars -k $F/spec.yaml "$TMP/facts.yaml"
	diff -u $F/kubeconfig.yaml <(printf '%s\n' "$output")
	9c-tfvars -f -o json $F/spec.yaml $F/outputs.json > "$TMP/facts.json"
	run -0 9c-tfvars -k $F/spec.yaml "$TMP/facts.json"
	diff -u $F/kubeconfig.yaml <(printf '%s\n' "$output")
}

@test "without aws.profile the kubeconfig sets no AWS_PROFILE" {
	jq 'del(.aws.profile)' $F/base.json > "$TMP/s.json"
	9c-tfvars -k -o json "$TMP/s.json" $F/outputs.json > "$TMP/k.json"
	run -0 jq -c '.users[0].user.exec | has("env")' "$TMP/k.json"
	assert_output false
	run -0 env KUBECONFIG="$TMP/k.json" kubectl config view -o 'jsonpath={.clusters[0].name}'
	assert_output "arn:aws:eks:us-east-2:838612679705:cluster/9c-sample"
}

@test "every bad spec in the table is refused with its message and exit 3" {
	local f n=0
	for f in $F/bad/*.yaml; do
		n=$((n + 1))
		run -3 --separate-stderr 9c-tfvars "$f"
		assert_equal "$stderr" "$(cat "${f%.yaml}.err")" || return 1
		assert_equal "$output" "" || return 1
	done
	[ "$n" -ge 50 ]
}

@test "the table's messages name the line, column and field of the fault" {
	run -0 cat $F/bad/min-over-desired.err
	assert_output "9c-tfvars: $F/bad/min-over-desired.yaml:13:14: cluster.nodeGroups[0].minSize: 12 is more than desiredSize 10"
	run -0 cat $F/bad/unknown-key.err
	assert_output "9c-tfvars: $F/bad/unknown-key.yaml:10:3: cluster.subnetID: unknown key, did you mean 'subnetIds'?"
}

@test "every mode refuses a bad spec the same way" {
	local m want
	want=$(cat $F/bad/min-over-desired.err)
	for m in -j -b; do
		run -3 --separate-stderr 9c-tfvars $m $F/bad/min-over-desired.yaml
		assert_equal "$stderr" "$want"
	done
	for m in -f -k; do
		run -3 --separate-stderr 9c-tfvars $m $F/bad/min-over-desired.yaml $F/outputs.json
		assert_equal "$stderr" "$want"
	done
}

@test "a spec file that cannot be read is bad input" {
	run -3 --separate-stderr 9c-tfvars $F/nonexistent.yaml
	assert_equal "$stderr" "9c-tfvars: $F/nonexistent.yaml: No such file or directory"
	assert_equal "$output" ""
}

@test "an empty spec is bad input" {
	run -3 --separate-stderr 9c-tfvars < /dev/null
	assert_equal "$stderr" "9c-tfvars: <stdin>: no document"
}

@test "outputs without a needed value are refused, naming it" {
	jq 'del(.cluster_oidc_issuer_url)' $F/outputs.json > "$TMP/o.json"
	run -3 --separate-stderr 9c-tfvars -f $F/spec.yaml "$TMP/o.json"
	assert_equal "$stderr" "9c-tfvars: $TMP/o.json:1:1: cluster_oidc_issuer_url: missing (is this \`terraform output -json' of share/terraform?)"
	assert_equal "$output" ""
}

@test "outputs of another cluster are refused" {
	sed 's/"9c-sample"/"9c-other"/' $F/outputs.json > "$TMP/o.json"
	run -3 --separate-stderr 9c-tfvars -f $F/spec.yaml "$TMP/o.json"
	assert_equal "$stderr" "9c-tfvars: $TMP/o.json:25:14: cluster_name.value: '9c-other' is not the spec's name '9c-sample'"
}

@test "outputs of another account are refused" {
	sed 's/"838612679705"/"111122223333"/' $F/outputs.json > "$TMP/o.json"
	run -3 --separate-stderr 9c-tfvars -k $F/spec.yaml "$TMP/o.json"
	assert_equal "$stderr" "9c-tfvars: $TMP/o.json:5:14: account_id.value: '111122223333' is not the spec's aws.accountId '838612679705'"
}

@test "an output of the wrong type is refused" {
	jq -c '.cluster_endpoint.value = 443' $F/outputs.json > "$TMP/o.json"
	run -3 --separate-stderr 9c-tfvars -f $F/spec.yaml "$TMP/o.json"
	assert_equal "$stderr" "9c-tfvars: $TMP/o.json:1:468: cluster_endpoint.value: expected a non-empty string, got integer"
	jq -c '.region.value = ""' $F/outputs.json > "$TMP/o.json"
	run -3 --separate-stderr 9c-tfvars -f $F/spec.yaml "$TMP/o.json"
	assert_equal "$stderr" "9c-tfvars: $TMP/o.json:1:1715: region.value: expected a non-empty string, got \"\""
}

@test "outputs that are not a JSON object, or empty, are refused" {
	run -3 --separate-stderr 9c-tfvars -f $F/spec.yaml <<< '["a"]'
	assert_equal "$stderr" "9c-tfvars: <stdin>:1:1: expected a mapping, got list"
	run -3 --separate-stderr 9c-tfvars -f $F/spec.yaml <<< '{}'
	assert_equal "$stderr" "9c-tfvars: <stdin>:1:1: cluster_name: missing (is this \`terraform output -json' of share/terraform?)"
	run -3 --separate-stderr 9c-tfvars -f $F/spec.yaml < /dev/null
	assert_equal "$stderr" "9c-tfvars: <stdin>: no document"
}

@test "a facts document for -k must name the spec's cluster" {
	sed 's/^  name: 9c-sample/  name: 9c-other/' $F/facts.yaml > "$TMP/f.yaml"
	run -3 --separate-stderr 9c-tfvars -k $F/spec.yaml "$TMP/f.yaml"
	assert_equal "$stderr" "9c-tfvars: $TMP/f.yaml:6:9: cluster.name: '9c-other' is not the spec's name '9c-sample'"
	grep -v endpoint $F/facts.yaml > "$TMP/f.yaml"
	run -3 --separate-stderr 9c-tfvars -k $F/spec.yaml "$TMP/f.yaml"
	assert_equal "$stderr" "9c-tfvars: $TMP/f.yaml:1:1: cluster.endpoint: missing"
}

@test "misuse prints the usage on stderr and exits 2" {
	local usage
	usage=$(9c-tfvars -h)
	run -2 --separate-stderr 9c-tfvars -b -j $F/spec.yaml
	assert_equal "$stderr" "9c-tfvars: -b, -f, -j and -k exclude each other
$usage"
	run -2 --separate-stderr 9c-tfvars -o json $F/spec.yaml
	assert_equal "$stderr" "9c-tfvars: -o goes with -f or -k
$usage"
	run -2 --separate-stderr 9c-tfvars -f -o toml $F/spec.yaml
	assert_equal "$stderr" "9c-tfvars: -o: 'toml' is not yaml or json
$usage"
	run -2 --separate-stderr 9c-tfvars -f
	assert_equal "$stderr" "9c-tfvars: missing spec
$usage"
	run -2 --separate-stderr 9c-tfvars -k - -
	assert_equal "$stderr" "9c-tfvars: the spec and the outputs cannot both be standard input
$usage"
	run -2 --separate-stderr 9c-tfvars a b
	assert_equal "$stderr" "9c-tfvars: too many arguments
$usage"
	run -2 --separate-stderr 9c-tfvars -f a b c
	assert_equal "$stderr" "9c-tfvars: too many arguments
$usage"
	run -2 --separate-stderr 9c-tfvars -x
	assert_equal "$stderr" "9c-tfvars: invalid option -- 'x'
$usage"
	assert_equal "$output" ""
}

@test "--version names the tool" {
	run -0 9c-tfvars --version
	assert_output --regexp '^9c-tfvars [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "a closed standard output is not an error" {
	run -0 bash -c "9c-tfvars $F/spec.yaml | head -c 1 >/dev/null"
}
