#!/usr/bin/env bats
# 9c-kapply against the local control plane (pipelines/9c-local).

load helpers/common
load helpers/cluster

setup_file() {
	cluster_start
}

teardown_file() {
	cluster_stop
}

F=$NINEC_ROOT/tests/fixtures/kapply

# stream FILE...: the files joined into one stream (a `---' between them).
stream() {
	local f first=1
	for f in "$@"; do
		[ $first = 1 ] || printf -- '---\n'
		first=0
		cat "$f"
		printf '\n'
	done
}

# rvs FILE: "kind name resourceVersion" per object of a JSON-lines output.
rvs() {
	jq -r '[.kind, .metadata.namespace // "", .metadata.name, .metadata.resourceVersion] | join(" ")' "$1"
}

# listing NS: every ConfigMap and Deployment of NS with its resourceVersion
# (but the CA bundle every namespace gets).
listing() {
	kubectl get configmaps,deployments -n "$1" \
		-o jsonpath='{range .items[*]}{.kind} {.metadata.name} {.metadata.resourceVersion}{"\n"}{end}' |
		grep -v '^ConfigMap kube-root-ca.crt ' || true
}

# unchanged STREAM [-n NS]: applying STREAM again returns every object with
# the resourceVersion it had just before, so the apply wrote nothing.
# Controllers (status of CRDs, Deployments) may write in between: look again.
unchanged() {
	local f=$1 try
	shift
	for try in 1 2 3 4 5; do
		kubectl get "$@" -f "$f" -o json | jq -c '.items[]' > "$BATS_TEST_TMPDIR/live.json"
		9c-kapply -q "$@" -o json "$f" > "$BATS_TEST_TMPDIR/again.json" || return 1
		[ "$(rvs "$BATS_TEST_TMPDIR/live.json")" = "$(rvs "$BATS_TEST_TMPDIR/again.json")" ] && return 0
		sleep 2
	done
	diff <(rvs "$BATS_TEST_TMPDIR/live.json") <(rvs "$BATS_TEST_TMPDIR/again.json")
}

@test "-h prints the usage, which is the man page's synopsis" {
	run -0 9c-kapply -h
	assert_output --partial "usage: 9c-kapply [-qv] [--diff] [--delete | --dry-run]"
	usage_matches_synopsis 9c-kapply man1/9c-kapply.1
}

@test "a bad option or -j out of range is a usage error" {
	run -2 --separate-stderr 9c-kapply -j 0 "$F/example.yaml"
	assert_equal "${stderr_lines[0]}" "9c-kapply: -j: expected 1 to 100, got 0"
	run -2 --separate-stderr 9c-kapply --delete --dry-run "$F/example.yaml"
	assert_equal "${stderr_lines[0]}" "9c-kapply: --delete and --dry-run exclude each other"
}

@test "a document without a name is bad input and nothing is contacted" {
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: default\n' > "$BATS_TEST_TMPDIR/noname.yaml"
	KUBECONFIG=/nonexistent run -3 --separate-stderr 9c-kapply "$BATS_TEST_TMPDIR/noname.yaml"
	assert_equal "$stderr" "9c-kapply: $BATS_TEST_TMPDIR/noname.yaml:4:3: document 1: metadata.name: missing"
}

@test "a kind nobody serves or defines is bad input and nothing is written" {
	cat > "$BATS_TEST_TMPDIR/unknown.yaml" <<-EOF
	apiVersion: v1
	kind: ConfigMap
	metadata:
	  name: unknown-kind-victim
	  namespace: default
	---
	apiVersion: nowhere.9c.test/v1
	kind: Gizmo
	metadata:
	  name: g
	  namespace: default
	EOF
	run -3 --separate-stderr 9c-kapply "$BATS_TEST_TMPDIR/unknown.yaml"
	assert_equal "$stderr" "9c-kapply: $BATS_TEST_TMPDIR/unknown.yaml:7: document 2: Gizmo default/g: kind Gizmo of nowhere.9c.test/v1 is not served by the cluster and no CustomResourceDefinition in the stream defines it"
	run -1 kubectl get configmap unknown-kind-victim -n default
}

@test "a namespace nobody creates is bad input and nothing is written" {
	cat > "$BATS_TEST_TMPDIR/nons.yaml" <<-EOF
	apiVersion: v1
	kind: ConfigMap
	metadata:
	  name: a
	  namespace: default
	---
	apiVersion: v1
	kind: ConfigMap
	metadata:
	  name: b
	  namespace: nowhere
	EOF
	run -3 --separate-stderr 9c-kapply "$BATS_TEST_TMPDIR/nons.yaml"
	assert_equal "$stderr" "9c-kapply: $BATS_TEST_TMPDIR/nons.yaml:7: document 2: ConfigMap nowhere/b: namespace nowhere does not exist and the stream does not create it"
	run -1 kubectl get configmap a -n default
}

@test "Argo CD, an AppProject and an Application apply in one pass from the worst order, where kubectl apply fails" {
	# Worst order: the custom resources first, the Namespace last.
	stream "$F/argocd-apps.yaml" "$SHARED/corpus/argo-cd-install.yaml" "$F/argocd-namespace.yaml" \
		> "$BATS_FILE_TMPDIR/argocd.yaml"
	# (A discovery cache of its own: one left by an earlier cluster on the
	# same port would change how kubectl fails.)
	run -1 --separate-stderr kubectl apply --cache-dir "$BATS_TEST_TMPDIR/kcache" -n argocd -f "$BATS_FILE_TMPDIR/argocd.yaml"
	assert_regex "$stderr" 'no matches for kind "Application" in version "argoproj.io/v1alpha1"'
	# kubectl left half an install behind: take it down first.
	run -0 9c-kapply -q --delete -n argocd "$BATS_FILE_TMPDIR/argocd.yaml"
	run -1 kubectl get crd applications.argoproj.io
	run -1 kubectl get namespace argocd

	run -0 --separate-stderr 9c-kapply -q -n argocd -o json "$BATS_FILE_TMPDIR/argocd.yaml"
	assert_equal "$stderr" ""
	printf '%s\n' "$output" > "$BATS_FILE_TMPDIR/argocd-1.json"
	# Every object, in input order, with what 9c-wait needs.
	run -0 jq -r '.kind + " " + .metadata.name' "$BATS_FILE_TMPDIR/argocd-1.json"
	assert_equal "${#lines[@]}" 62
	assert_equal "${lines[0]}" "Application guestbook"
	assert_equal "${lines[1]}" "AppProject demo"
	assert_equal "${lines[61]}" "Namespace argocd"
	run -0 jq -r 'select(.metadata.resourceVersion == null or .metadata.uid == null) | .metadata.name' "$BATS_FILE_TMPDIR/argocd-1.json"
	assert_output ""
	run -0 kubectl get application guestbook -n argocd -o jsonpath='{.spec.project}'
	assert_output demo
	run -0 kubectl get deployment argocd-server -n argocd -o jsonpath='{.metadata.managedFields[0].manager}'
	assert_output 9c-kapply
}

@test "applying Argo CD again changes nothing" {
	[ -f "$BATS_FILE_TMPDIR/argocd-1.json" ] || skip "the first apply failed"
	unchanged "$BATS_FILE_TMPDIR/argocd.yaml" -n argocd
}

@test "external-secrets CRDs, a SecretStore and an ExternalSecret apply in one pass, where kubectl apply fails" {
	stream "$F/es-objects.yaml" "$SHARED/corpus/external-secrets-crds.yaml" > "$BATS_FILE_TMPDIR/es.yaml"
	run -1 --separate-stderr kubectl apply --cache-dir "$BATS_TEST_TMPDIR/kcache" -f "$BATS_FILE_TMPDIR/es.yaml"
	assert_regex "$stderr" 'no matches for kind "ExternalSecret" in version "external-secrets.io/v1"'
	run -0 9c-kapply -q --delete "$BATS_FILE_TMPDIR/es.yaml"
	run -1 kubectl get crd externalsecrets.external-secrets.io
	run -1 kubectl get namespace es-demo

	run -0 --separate-stderr 9c-kapply -q -o json "$BATS_FILE_TMPDIR/es.yaml"
	assert_equal "$stderr" ""
	printf '%s\n' "$output" > "$BATS_FILE_TMPDIR/es-1.json"
	run -0 jq -r '.kind' "$BATS_FILE_TMPDIR/es-1.json"
	assert_equal "${#lines[@]}" 28
	assert_equal "${lines[0]}" ExternalSecret
	assert_equal "${lines[1]}" SecretStore
	run -0 kubectl get externalsecret node-keys -n es-demo -o jsonpath='{.spec.secretStoreRef.name}'
	assert_output aws
	# Again: nothing changes.
	unchanged "$BATS_FILE_TMPDIR/es.yaml"
}

@test "a conflict with another field manager is reported, and taken with --force-conflicts" {
	kubectl create namespace conflicts
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n  namespace: conflicts\ndata:\n  owner: other\n' |
		kubectl apply --server-side --field-manager=other -f -
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n  namespace: conflicts\ndata:\n  owner: 9c\n' \
		> "$BATS_TEST_TMPDIR/mine.yaml"
	run -1 --separate-stderr 9c-kapply -q "$BATS_TEST_TMPDIR/mine.yaml"
	assert_equal "$stderr" "9c-kapply: $BATS_TEST_TMPDIR/mine.yaml:1: document 1: ConfigMap conflicts/shared: HTTP 409: Apply failed with 1 conflict: conflict with \"other\": .data.owner
9c-kapply: stage 1 of 1 refused by the server's dry run; nothing of it written
9c-kapply: nothing written"
	run -0 kubectl get configmap shared -n conflicts -o jsonpath='{.data.owner}'
	assert_output other
	run -0 --separate-stderr 9c-kapply -q --force-conflicts "$BATS_TEST_TMPDIR/mine.yaml"
	run -0 kubectl get configmap shared -n conflicts -o jsonpath='{.data.owner}'
	assert_output 9c
}

@test "an invalid built-in object leaves the cluster exactly as it was" {
	kubectl create namespace invalid
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: before\n  namespace: invalid\ndata:\n  a: "1"\n' |
		9c-kapply -q >/dev/null
	listing invalid > "$BATS_TEST_TMPDIR/before"
	cat > "$BATS_TEST_TMPDIR/invalid.yaml" <<-EOF
	apiVersion: v1
	kind: ConfigMap
	metadata:
	  name: new-one
	  namespace: invalid
	---
	apiVersion: v1
	kind: ConfigMap
	metadata:
	  name: before
	  namespace: invalid
	data:
	  a: "2"
	---
	apiVersion: apps/v1
	kind: Deployment
	metadata:
	  name: mismatch
	  namespace: invalid
	spec:
	  selector:
	    matchLabels: {app: web}
	  template:
	    metadata:
	      labels: {app: other}
	    spec:
	      containers:
	      - name: c
	        image: example.invalid/web:1
	EOF
	run -1 --separate-stderr 9c-kapply -q "$BATS_TEST_TMPDIR/invalid.yaml"
	assert_equal "$stderr" "9c-kapply: $BATS_TEST_TMPDIR/invalid.yaml:15: document 3: Deployment invalid/mismatch: HTTP 422: Deployment.apps \"mismatch\" is invalid: spec.template.metadata.labels: Invalid value: {\"app\":\"other\"}: \`selector\` does not match template \`labels\`
9c-kapply: stage 1 of 1 refused by the server's dry run; nothing of it written
9c-kapply: nothing written"
	listing invalid > "$BATS_TEST_TMPDIR/after"
	run -0 diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "an invalid object in a later stage leaves that stage and the ones after it unwritten, and names the stages written" {
	cat > "$BATS_TEST_TMPDIR/later.yaml" <<-EOF
	apiVersion: v1
	kind: ConfigMap
	metadata:
	  name: stage-three
	  namespace: later
	  annotations: {9c/stage: "3"}
	---
	apiVersion: apps/v1
	kind: Deployment
	metadata:
	  name: stage-two-bad
	  namespace: later
	  annotations: {9c/stage: "2"}
	spec:
	  replicas: -1
	  selector:
	    matchLabels: {app: web}
	  template:
	    metadata:
	      labels: {app: web}
	    spec:
	      containers:
	      - name: c
	        image: example.invalid/web:1
	---
	apiVersion: v1
	kind: ConfigMap
	metadata:
	  name: stage-two-good
	  namespace: later
	  annotations: {9c/stage: "2"}
	---
	apiVersion: v1
	kind: Namespace
	metadata:
	  name: later
	  annotations: {9c/stage: "1"}
	EOF
	run -1 --separate-stderr 9c-kapply -q "$BATS_TEST_TMPDIR/later.yaml"
	assert_equal "$stderr" "9c-kapply: $BATS_TEST_TMPDIR/later.yaml:8: document 2: Deployment later/stage-two-bad: HTTP 422: Deployment.apps \"stage-two-bad\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0
9c-kapply: stage 2 of 3 refused by the server's dry run; nothing of it written
9c-kapply: stage 1 of 3 written"
	run -0 kubectl get namespace later
	run -0 listing later
	assert_output ""
	# The stage annotation is the pipeline's, not the object's.
	run -0 kubectl get namespace later -o jsonpath='{.metadata.annotations}'
	assert_output ""
}

@test "--dry-run writes nothing and says what it could not judge" {
	run -0 --separate-stderr 9c-kapply --dry-run -o json "$F/example.yaml"
	assert_equal "$stderr" "9c-kapply: stage 2 of 2: 2 objects not judged (their kind or namespace comes from an earlier stage)"
	run -0 jq -r '.kind' <<<"$output"
	assert_equal "${lines[*]}" "CustomResourceDefinition Namespace"
	run -1 kubectl get namespace example
	run -1 kubectl get crd widgets.example.9c.test
}

@test "--delete removes the stream's objects, last stage first, and a second delete succeeds" {
	run -0 9c-kapply -q "$F/example.yaml"
	run -0 kubectl get widget first -n example
	run -0 --separate-stderr 9c-kapply -q --delete "$F/example.yaml"
	assert_output ""
	assert_equal "$stderr" ""
	run -1 kubectl get crd widgets.example.9c.test
	run -1 kubectl get namespace example
	run -0 9c-kapply -q --delete "$F/example.yaml"
}

# configmaps NS N: a Namespace NS and N ConfigMaps in it.
configmaps() {
	local i
	printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n' "$1"
	for i in $(seq 1 "$2"); do
		printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-%d, namespace: %s}\ndata: {i: "%d"}\n' "$i" "$1" "$i"
	done
}

@test "on a terminal, progress names the stage and counts the objects, then is erased" {
	configmaps progress 5 > "$BATS_TEST_TMPDIR/s.yaml"
	# script(1) gives the command a terminal; its stdout still goes to a file.
	run -0 script -qec "9c-kapply $BATS_TEST_TMPDIR/s.yaml > $BATS_TEST_TMPDIR/out" /dev/null
	esc=$(printf '\033')
	cr=$(printf '\r')
	assert_output --partial "${cr}${esc}[K9c-kapply: stage 1/2 dry run: 0/6 applied"
	assert_output --partial "${cr}${esc}[K9c-kapply: stage 2/2 applying: 6/6 applied"
	[[ "$output" == *"${cr}${esc}[K" ]]
	run -0 grep -c '^kind: ConfigMap$' "$BATS_TEST_TMPDIR/out"
	assert_output 5
}

@test "not on a terminal, nothing but errors reaches stderr, even without -q" {
	configmaps quiet 2 > "$BATS_TEST_TMPDIR/s.yaml"
	run -0 --separate-stderr 9c-kapply "$BATS_TEST_TMPDIR/s.yaml"
	assert_equal "$stderr" ""
}

@test "-v reports what each phase of each stage took, the requests sent, and those sent again" {
	configmaps verbose 3 > "$BATS_TEST_TMPDIR/s.yaml"
	run -0 --separate-stderr 9c-kapply -v "$BATS_TEST_TMPDIR/s.yaml"
	output=$(sed 's/[0-9]*\.[0-9][0-9] s$/T s/' <<<"$stderr")
	assert_output "9c-kapply: 4 objects in 2 stages; discovery and checks: T s
9c-kapply: stage 1 of 2 (1 object): dry run: T s
9c-kapply: stage 1 of 2 (1 object): apply: T s
9c-kapply: stage 1 of 2 (1 object): gate: T s
9c-kapply: stage 2 of 2 (3 objects): dry run: T s
9c-kapply: stage 2 of 2 (3 objects): apply: T s
9c-kapply: 11 requests, 0 sent again, 0 of them after 429 Too Many Requests"
}

@test "-v reports the phases of --dry-run and --delete too" {
	configmaps verbose-delete 2 > "$BATS_TEST_TMPDIR/s.yaml"
	run -0 --separate-stderr 9c-kapply -v --dry-run "$BATS_TEST_TMPDIR/s.yaml"
	output=$(sed 's/[0-9]*\.[0-9][0-9] s$/T s/' <<<"$stderr")
	assert_output "9c-kapply: 3 objects in 2 stages; discovery and checks: T s
9c-kapply: stage 1 of 2 (1 object): dry run: T s
9c-kapply: stage 2 of 2 (2 objects): dry run: T s
9c-kapply: stage 2 of 2: 2 objects not judged (their kind or namespace comes from an earlier stage)
9c-kapply: 4 requests, 0 sent again, 0 of them after 429 Too Many Requests"
	run -0 9c-kapply -q "$BATS_TEST_TMPDIR/s.yaml"
	run -0 --separate-stderr 9c-kapply -v --delete "$BATS_TEST_TMPDIR/s.yaml"
	# Waiting until gone looks again every quarter second: N requests.
	output=$(sed 's/[0-9]*\.[0-9][0-9] s$/T s/; s/^9c-kapply: [0-9][0-9]* requests,/9c-kapply: N requests,/' <<<"$stderr")
	assert_output "9c-kapply: 3 objects in 2 stages; discovery and checks: T s
9c-kapply: stage 2 of 2 (2 objects): delete: T s
9c-kapply: stage 2 of 2 (2 objects): waiting until gone: T s
9c-kapply: stage 1 of 2 (1 object): delete: T s
9c-kapply: stage 1 of 2 (1 object): waiting until gone: T s
9c-kapply: N requests, 0 sent again, 0 of them after 429 Too Many Requests"
	run -1 kubectl get namespace verbose-delete
}

@test "429 Too Many Requests: each request waits its Retry-After, is sent again, and the stream applies" {
	# An API server that takes one write at a time answers the rest of a
	# burst with 429 and Retry-After: 1.  system:masters is exempt from the
	# limit, so a user with cluster-admin's rules sends the stream.
	# The audit log records when each request came and how it was answered.
	kubectl create clusterrolebinding throttled-user --clusterrole=cluster-admin --user=9c-user
	cat > "$BATS_TEST_TMPDIR/policy.yaml" <<-EOF
	apiVersion: audit.k8s.io/v1
	kind: Policy
	omitStages: [RequestReceived]
	rules:
	- level: Metadata
	  namespaces: [throttled]
	  resources: [{group: "", resources: [configmaps]}]
	- level: None
	EOF
	NINEC_LOCAL_APISERVER_FLAGS="--max-mutating-requests-inflight=1 --audit-policy-file=$BATS_TEST_TMPDIR/policy.yaml --audit-log-path=$BATS_TEST_TMPDIR/audit.log" \
		run -0 cluster_restart_apiserver
	configmaps throttled 30 > "$BATS_TEST_TMPDIR/s.yaml"
	start=$(date +%s)
	run --separate-stderr 9c-kapply -v -j 30 -o json --kubeconfig "$NINEC_LOCAL_STATE/kubeconfig-user" "$BATS_TEST_TMPDIR/s.yaml"
	took=$(($(date +%s) - start))
	rc=$status
	err=$stderr
	out=$output
	run -0 cluster_restart_apiserver
	assert_equal "$rc" 0
	run -0 grep -E '^9c-kapply: [0-9]+ requests, [0-9]+ sent again, [0-9]+ of them after 429 Too Many Requests$' <<<"$err"
	read -r sent throttled < <(sed -E 's/^9c-kapply: [0-9]+ requests, ([0-9]+) sent again, ([0-9]+) of them.*/\1 \2/' <<<"$output")
	[ "$throttled" -gt 0 ]
	[ "$sent" -ge "$throttled" ]
	[ "$took" -ge 1 ]
	# No ConfigMap was sent again before the second the server asked for.
	run -0 jq -rs '
		def t: (.[0:19] + "Z" | fromdateiso8601) + ("0" + .[19:-1] | tonumber);
		map(select(.user.username == "9c-user")) | group_by(.objectRef.name)[]
		| sort_by(.requestReceivedTimestamp) as $r
		| range(1; $r | length) as $i | select($r[$i - 1].responseStatus.code == 429)
		| ($r[$i].requestReceivedTimestamp | t) - ($r[$i - 1].stageTimestamp | t)
		| select(. < 1) | "\($r[$i].objectRef.name) sent again after \(.) s"
	' "$BATS_TEST_TMPDIR/audit.log"
	assert_output ""
	# (The controller manager's own CA ConfigMap in the namespace may be
	# throttled too: count only 9c-kapply's requests.)
	run -0 jq -s '[.[] | select(.user.username == "9c-user" and .responseStatus.code == 429)] | length' "$BATS_TEST_TMPDIR/audit.log"
	[ "$output" -eq "$throttled" ]
	run -0 jq -r 'select(.kind == "ConfigMap") | .metadata.resourceVersion' <<<"$out"
	assert_equal "${#lines[@]}" 30
	run -0 kubectl get configmaps -n throttled -o name
	assert_equal "$(grep -c '^configmap/cm-' <<<"$output")" 30
}

@test "the man page's examples run" {
	run_man_examples man1/9c-kapply.1
}

@test "kubeconfig: a bearer token" {
	KUBECONFIG=$NINEC_LOCAL_TOKEN_KUBECONFIG run -0 9c-kapply -q -o json "$F/example.yaml"
	run -0 jq -r .metadata.name <<<"$output"
	assert_line first
	KUBECONFIG=$NINEC_LOCAL_TOKEN_KUBECONFIG run -0 9c-kapply -q --delete "$F/example.yaml"
}

# kubeconfig FILE CLUSTER-FIELDS USER-FIELDS [NAMESPACE]: the fields are
# "key: value" pairs separated by semicolons.
kubeconfig() {
	{
		printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n'
		printf '    server: %s\n' "$NINEC_LOCAL_SERVER"
		printf '%s\n' "$2" | tr ';' '\n' | sed 's/^ */    /'
		printf 'users:\n- name: u\n  user:\n'
		printf '%s\n' "$3" | tr ';' '\n' | sed 's/^ */    /'
		printf 'contexts:\n- name: x\n  context: {cluster: c, user: u, namespace: %s}\n' "${4:-default}"
		printf 'current-context: x\n'
	} > "$1"
}

@test "kubeconfig: client certificate and key as files, CA as a file, tls-server-name" {
	kubeconfig "$BATS_TEST_TMPDIR/kc" \
		"certificate-authority: $NINEC_LOCAL_CA; tls-server-name: localhost" \
		"client-certificate: $NINEC_LOCAL_STATE/pki/admin.crt; client-key: $NINEC_LOCAL_STATE/pki/admin.key"
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: via-files\n' > "$BATS_TEST_TMPDIR/cm.yaml"
	run -0 9c-kapply -q --kubeconfig "$BATS_TEST_TMPDIR/kc" -o json "$BATS_TEST_TMPDIR/cm.yaml"
	run -0 jq -r .metadata.namespace <<<"$output"
	assert_output default
}

@test "kubeconfig: an exec credential plugin runs once, with KUBERNETES_EXEC_INFO and its env" {
	cp "$NINEC_LOCAL_STATE/token" "$BATS_TEST_TMPDIR/tok"
	cat > "$BATS_TEST_TMPDIR/plugin" <<-'EOF'
	#!/bin/sh
	printf '%s\n' "$KUBERNETES_EXEC_INFO" > "$PLUGIN_LOG.info"
	echo "call $*" >> "$PLUGIN_LOG"
	printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"2099-01-01T00:00:00Z"}}\n' "$(cat "$TOKEN_FILE")"
	EOF
	chmod +x "$BATS_TEST_TMPDIR/plugin"
	kubeconfig "$BATS_TEST_TMPDIR/kc" "certificate-authority: $NINEC_LOCAL_CA" \
		"exec: {apiVersion: client.authentication.k8s.io/v1, command: ./plugin, args: [get-token, --cluster, local], interactiveMode: Never, env: [{name: TOKEN_FILE, value: $BATS_TEST_TMPDIR/tok}, {name: PLUGIN_LOG, value: $BATS_TEST_TMPDIR/log}]}" \
		exec-ns
	kubectl create namespace exec-ns
	run -0 9c-kapply -q --kubeconfig "$BATS_TEST_TMPDIR/kc" -o json "$F/example.yaml"
	run -0 cat "$BATS_TEST_TMPDIR/log"
	assert_output "call get-token --cluster local"
	run -0 cat "$BATS_TEST_TMPDIR/log.info"
	assert_output '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}'
	run -0 9c-kapply -q --delete --kubeconfig "$BATS_TEST_TMPDIR/kc" "$F/example.yaml"
}

@test "kubeconfig: a plugin that fails cannot authenticate (exit 4)" {
	printf '#!/bin/sh\necho no credentials here >&2\nexit 3\n' > "$BATS_TEST_TMPDIR/plugin"
	chmod +x "$BATS_TEST_TMPDIR/plugin"
	kubeconfig "$BATS_TEST_TMPDIR/kc" "certificate-authority: $NINEC_LOCAL_CA" \
		"exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: $BATS_TEST_TMPDIR/plugin}"
	run -4 --separate-stderr 9c-kapply -q --kubeconfig "$BATS_TEST_TMPDIR/kc" "$F/example.yaml"
	assert_equal "$stderr" "no credentials here
9c-kapply: exec plugin $BATS_TEST_TMPDIR/plugin failed (exit status 3)"
}

@test "kubeconfig: a CA that did not sign the server's certificate is refused (exit 4)" {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$BATS_TEST_TMPDIR/k" -out "$BATS_TEST_TMPDIR/ca" \
		-subj /CN=other -days 1 2>/dev/null
	kubeconfig "$BATS_TEST_TMPDIR/kc" \
		"certificate-authority-data: $(base64 -w0 < "$BATS_TEST_TMPDIR/ca")" \
		"token: $NINEC_LOCAL_TOKEN"
	run -4 --separate-stderr 9c-kapply -q --kubeconfig "$BATS_TEST_TMPDIR/kc" "$F/example.yaml"
	assert_equal "$stderr" "9c-kapply: $NINEC_LOCAL_SERVER: SSL certificate problem: unable to get local issuer certificate"
}

@test "kubeconfig: a wrong token is refused (exit 4)" {
	kubeconfig "$BATS_TEST_TMPDIR/kc" "certificate-authority: $NINEC_LOCAL_CA" "token: not-a-token"
	run -4 --separate-stderr 9c-kapply -q --kubeconfig "$BATS_TEST_TMPDIR/kc" "$F/example.yaml"
	assert_equal "$stderr" "9c-kapply: $NINEC_LOCAL_SERVER: discovery: HTTP 401: Unauthorized"
}

@test "kubeconfig: a merged KUBECONFIG with --context, the first file winning" {
	# The first file's current context points at a closed port.
	cat > "$BATS_TEST_TMPDIR/first" <<-EOF
	apiVersion: v1
	kind: Config
	clusters:
	- name: dead
	  cluster: {server: "https://127.0.0.1:1"}
	users:
	- name: nobody
	  user: {token: x}
	contexts:
	- name: dead
	  context: {cluster: dead, user: nobody}
	current-context: dead
	EOF
	run -4 --separate-stderr env KUBECONFIG="$BATS_TEST_TMPDIR/first:$KUBECONFIG" 9c-kapply -q "$F/example.yaml"
	assert_regex "$stderr" "^9c-kapply: https://127.0.0.1:1: Failed to connect to 127.0.0.1 port 1 "
	run -0 env KUBECONFIG="$BATS_TEST_TMPDIR/first:$KUBECONFIG" \
		9c-kapply -q --context "$(kubectl config current-context)" --dry-run "$F/example.yaml"
	run -3 --separate-stderr env KUBECONFIG="$BATS_TEST_TMPDIR/first:$KUBECONFIG" \
		9c-kapply -q --context nope "$F/example.yaml"
	assert_equal "$stderr" "9c-kapply: $BATS_TEST_TMPDIR/first: context nope not found"
}

@test "in a pod: the service account's token, CA and namespace" {
	mkdir -p "$BATS_TEST_TMPDIR/sa"
	cp "$NINEC_LOCAL_STATE/token" "$BATS_TEST_TMPDIR/sa/token"
	cp "$NINEC_LOCAL_CA" "$BATS_TEST_TMPDIR/sa/ca.crt"
	printf 'sa-ns\n' > "$BATS_TEST_TMPDIR/sa/namespace"
	kubectl create namespace sa-ns
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-pod\n' > "$BATS_TEST_TMPDIR/cm.yaml"
	port=${NINEC_LOCAL_SERVER##*:}
	run -0 env -u KUBECONFIG HOME="$BATS_TEST_TMPDIR" KUBERNETES_SERVICE_HOST=127.0.0.1 \
		KUBERNETES_SERVICE_PORT="$port" NINEC_KUBE_SA_DIR="$BATS_TEST_TMPDIR/sa" \
		9c-kapply -q -o json "$BATS_TEST_TMPDIR/cm.yaml"
	run -0 jq -r .metadata.namespace <<<"$output"
	assert_output sa-ns
}

@test "no kubeconfig at all is bad input (exit 3)" {
	run -3 --separate-stderr env -u KUBECONFIG -u KUBERNETES_SERVICE_HOST HOME="$BATS_TEST_TMPDIR" \
		9c-kapply -q "$F/example.yaml"
	assert_equal "$stderr" "9c-kapply: no kubeconfig: set KUBECONFIG, use --kubeconfig, or create ~/.kube/config"
}

@test "the API server stopped in the middle of a stream: a clear error after bounded retries, and a rerun converges" {
	# Stage 2 waits at the gate for the webhook's endpoint, which cannot
	# come until a node carries the label: the server goes away meanwhile.
	9c-kapply -q -t 120 "$F/webhook-gate.yaml" > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" &
	pid=$!
	for _ in $(seq 1 100); do
		kubectl get deployment hook -n hook >/dev/null 2>&1 && break
		sleep 0.2
	done
	run -0 "$NINEC_LOCAL" -n "$NINEC_CLUSTER" stop-apiserver
	start=$(date +%s)
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 4
	[ $(($(date +%s) - start)) -lt 60 ]
	run -0 sed 's/after [0-9]* ms/after N ms/' "$BATS_TEST_TMPDIR/err"
	assert_output "9c-kapply: stage 3: waiting for webhook service hook/hook: Failed to connect to 127.0.0.1 port ${NINEC_LOCAL_SERVER##*:} after N ms: Couldn't connect to server (for 15 seconds)
9c-kapply: stages 1-3 of 4 written"
	# While it is down: nothing to retry forever, exit 4 at once.
	run -4 --separate-stderr 9c-kapply -q "$F/webhook-gate.yaml"
	run -0 "$NINEC_LOCAL" -n "$NINEC_CLUSTER" start-apiserver
	kubectl label node kwok-node-0 9c-test/hook=yes
	run -0 --separate-stderr 9c-kapply -q -t 120 -o json "$F/webhook-gate.yaml"
	run -0 kubectl get configmap after-hook -n hook -o jsonpath='{.data.ready}'
	assert_output yes
}
