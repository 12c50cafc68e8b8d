#!/usr/bin/env bats
# 9c-kapply --applyset/--prune and --diff against the local control plane,
# with the machine's kubectl as the other tool of the same ApplySets.

load helpers/common
load helpers/cluster

setup_file() {
	cluster_start
}

teardown_file() {
	cluster_stop
}

setup() {
	NS=as-$BATS_TEST_NUMBER
	kubectl create namespace "$NS" >/dev/null
}

# cm NAME [NAMESPACE] [KEY=VALUE]: a ConfigMap document.
cm() {
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n' "$1"
	[ -z "${2-}" ] || printf '  namespace: %s\n' "$2"
	printf 'data:\n  %s: "%s"\n' "${3%%=*}" "${3#*=}"
}

# objects FILE NAME...: ConfigMaps NAME (data k=NAME) joined into FILE.
objects() {
	local f=$1 n first=1
	shift
	for n in "$@"; do
		[ $first = 1 ] || printf -- '---\n'
		first=0
		cm "$n" "" "k=$n"
	done > "$f"
}

# id NAME NAMESPACE [KIND]: the ApplySet ID as KEP-3659 defines it.
id() {
	printf 'applyset-%s-v1\n' "$(printf '%s.%s.%s.' "$1" "$2" "${3:-Secret}" |
		openssl dgst -sha256 -binary | basenc --base64url | tr -d '=')"
}

# names: the ConfigMaps of $NS but the CA bundle, sorted.
names() {
	kubectl get configmaps -n "$NS" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' |
		grep -v '^kube-root-ca.crt$' | sort
}

# parent NAME [RESOURCE]: "tooling|group-kinds|namespaces|id" of a parent.
parent() {
	kubectl get "${2:-secret}" "$1" -n "$NS" -o json | jq -r '[
		.metadata.annotations["applyset.kubernetes.io/tooling"],
		.metadata.annotations["applyset.kubernetes.io/contains-group-kinds"],
		.metadata.annotations["applyset.kubernetes.io/additional-namespaces"],
		.metadata.labels["applyset.kubernetes.io/id"]] | join("|")'
}

kubectl_applyset() {
	KUBECTL_APPLYSET=true kubectl apply --server-side -n "$NS" --prune "$@"
}

@test "--prune needs --applyset, and the parent is a Secret or a ConfigMap" {
	objects "$BATS_TEST_TMPDIR/s.yaml" a
	run -2 --separate-stderr 9c-kapply --prune "$BATS_TEST_TMPDIR/s.yaml"
	assert_equal "${stderr_lines[0]}" "9c-kapply: --prune requires --applyset"
	run -2 --separate-stderr 9c-kapply --applyset deployments.apps/s --prune "$BATS_TEST_TMPDIR/s.yaml"
	assert_equal "${stderr_lines[0]}" "9c-kapply: --applyset: expected [secrets/ or configmaps/]name, got deployments.apps/s"
	run -2 --separate-stderr 9c-kapply --applyset s --prune --delete "$BATS_TEST_TMPDIR/s.yaml"
	assert_equal "${stderr_lines[0]}" "9c-kapply: --applyset and --delete exclude each other"
}

@test "the ID is kubectl's: kubectl writes the same parent label for the same Secret and ConfigMap parents" {
	objects "$BATS_TEST_TMPDIR/s.yaml" a
	objects "$BATS_TEST_TMPDIR/c.yaml" b
	run -0 kubectl_applyset --applyset oracle -f "$BATS_TEST_TMPDIR/s.yaml"
	run -0 kubectl_applyset --applyset configmaps/oracle-cm -f "$BATS_TEST_TMPDIR/c.yaml"
	kid=$(kubectl get secret oracle -n "$NS" -o jsonpath='{.metadata.labels.applyset\.kubernetes\.io/id}')
	kcm=$(kubectl get configmap oracle-cm -n "$NS" -o jsonpath='{.metadata.labels.applyset\.kubernetes\.io/id}')
	assert_equal "$kid" "$(id oracle "$NS")"
	assert_equal "$kcm" "$(id oracle-cm "$NS" ConfigMap)"
	# 9c-kapply computes the same ID for both, or it would refuse the parents.
	run -0 9c-kapply -q -n "$NS" --applyset oracle --prune "$BATS_TEST_TMPDIR/s.yaml"
	assert_equal "$(parent oracle)" "9c-kapply/v0.1.0|ConfigMap||$kid"
	run -0 9c-kapply -q -n "$NS" --applyset configmaps/oracle-cm --prune "$BATS_TEST_TMPDIR/c.yaml"
	assert_equal "$(parent oracle-cm configmap)" "9c-kapply/v0.1.0|ConfigMap||$kcm"
	run -0 kubectl get configmap b -n "$NS" -o jsonpath='{.metadata.labels.applyset\.kubernetes\.io/part-of}'
	assert_output "$kcm"
}

@test "a set kubectl made is taken over by 9c-kapply, which prunes what left the stream" {
	objects "$BATS_TEST_TMPDIR/three.yaml" a b c
	objects "$BATS_TEST_TMPDIR/one.yaml" a
	run -0 kubectl_applyset --applyset set -f "$BATS_TEST_TMPDIR/three.yaml"
	assert_equal "$(names)" "$(printf 'a\nb\nc')"
	run -0 --separate-stderr 9c-kapply -v -o json -n "$NS" --applyset set --prune "$BATS_TEST_TMPDIR/one.yaml"
	assert_equal "$(jq -r .metadata.name <<<"$output")" a
	run -0 grep '^9c-kapply: pruned ' <<<"$stderr"
	assert_output "$(printf '9c-kapply: pruned ConfigMap %s/b\n9c-kapply: pruned ConfigMap %s/c' "$NS" "$NS")"
	assert_equal "$(names)" "a"
	assert_equal "$(parent set)" "9c-kapply/v0.1.0|ConfigMap||$(id set "$NS")"
}

@test "a set 9c-kapply made is refused by kubectl until its tooling names kubectl, then kubectl prunes it" {
	objects "$BATS_TEST_TMPDIR/two.yaml" a b
	{ printf -- '---\n'; cm far "$NS-far" k=far; } >> "$BATS_TEST_TMPDIR/two.yaml"
	kubectl create namespace "$NS-far" >/dev/null
	objects "$BATS_TEST_TMPDIR/one.yaml" a
	run -0 9c-kapply -q -n "$NS" --applyset set --prune "$BATS_TEST_TMPDIR/two.yaml"
	assert_equal "$(parent set)" "9c-kapply/v0.1.0|ConfigMap|$NS-far|$(id set "$NS")"
	run -1 --separate-stderr kubectl_applyset --applyset set -f "$BATS_TEST_TMPDIR/one.yaml"
	assert_regex "$stderr" 'already exists and is managed by tooling "9c-kapply" instead of "kubectl"'
	run -0 kubectl annotate -n "$NS" secret set --overwrite applyset.kubernetes.io/tooling=kubectl/v1.32
	run -0 kubectl_applyset --applyset set -f "$BATS_TEST_TMPDIR/one.yaml"
	assert_equal "$(names)" "a"
	run -1 kubectl get configmap far -n "$NS-far"
	assert_equal "$(parent set)" "kubectl/$(kubectl version --client -o json | jq -r .clientVersion.gitVersion)|ConfigMap||$(id set "$NS")"
	# And back again.
	run -0 9c-kapply -q -n "$NS" --applyset set --prune "$BATS_TEST_TMPDIR/two.yaml"
	assert_equal "$(names)" "$(printf 'a\nb')"
	kubectl delete namespace "$NS-far" --wait=false >/dev/null
}

@test "objects with a look-alike label, another set's ID or none survive a prune untouched" {
	objects "$BATS_TEST_TMPDIR/two.yaml" a b
	objects "$BATS_TEST_TMPDIR/one.yaml" a
	run -0 9c-kapply -q -n "$NS" --applyset set --prune "$BATS_TEST_TMPDIR/two.yaml"
	mine=$(id set "$NS")
	other=$(id other "$NS")
	cm lookalike "$NS" k=v | kubectl apply -f - >/dev/null
	kubectl label -n "$NS" configmap lookalike "applyset.kubernetes.io/part-of=${mine%-v1}-v2" >/dev/null
	cm foreign "$NS" k=v | kubectl apply -f - >/dev/null
	kubectl label -n "$NS" configmap foreign "applyset.kubernetes.io/part-of=$other" >/dev/null
	cm unlabelled "$NS" k=v | kubectl apply -f - >/dev/null
	before=$(kubectl get configmaps -n "$NS" lookalike foreign unlabelled -o jsonpath='{.items[*].metadata.resourceVersion}')
	run -0 --separate-stderr 9c-kapply -qv -n "$NS" --applyset set --prune "$BATS_TEST_TMPDIR/one.yaml"
	run -0 grep '^9c-kapply: pruned ' <<<"$stderr"
	assert_output "9c-kapply: pruned ConfigMap $NS/b"
	assert_equal "$(names)" "$(printf 'a\nforeign\nlookalike\nunlabelled')"
	assert_equal "$(kubectl get configmaps -n "$NS" lookalike foreign unlabelled -o jsonpath='{.items[*].metadata.resourceVersion}')" "$before"
}

@test "--applyset without --prune adds the objects to the set and prunes nothing" {
	objects "$BATS_TEST_TMPDIR/two.yaml" a b
	objects "$BATS_TEST_TMPDIR/one.yaml" c
	run -0 9c-kapply -q -n "$NS" --applyset set --prune "$BATS_TEST_TMPDIR/two.yaml"
	run -0 9c-kapply -q -n "$NS" --applyset set "$BATS_TEST_TMPDIR/one.yaml"
	assert_equal "$(names)" "$(printf 'a\nb\nc')"
	run -0 kubectl get configmap c -n "$NS" -o jsonpath='{.metadata.labels.applyset\.kubernetes\.io/part-of}'
	assert_output "$(id set "$NS")"
	assert_equal "$(parent set)" "9c-kapply/v0.1.0|ConfigMap||$(id set "$NS")"
	# c is the set's now: the next full apply prunes it.
	run -0 9c-kapply -q -n "$NS" --applyset set --prune "$BATS_TEST_TMPDIR/two.yaml"
	assert_equal "$(names)" "$(printf 'a\nb')"
}

@test "--dry-run lists what would be pruned and changes nothing" {
	objects "$BATS_TEST_TMPDIR/two.yaml" a b
	objects "$BATS_TEST_TMPDIR/one.yaml" a
	run -0 9c-kapply -q -n "$NS" --applyset set --prune "$BATS_TEST_TMPDIR/two.yaml"
	before=$(kubectl get secret set -n "$NS" -o jsonpath='{.metadata.resourceVersion}')
	run -0 --separate-stderr 9c-kapply -q --dry-run -n "$NS" --applyset set --prune "$BATS_TEST_TMPDIR/one.yaml"
	assert_equal "$stderr" "9c-kapply: would prune ConfigMap $NS/b"
	assert_equal "$(names)" "$(printf 'a\nb')"
	assert_equal "$(kubectl get secret set -n "$NS" -o jsonpath='{.metadata.resourceVersion}')" "$before"
}

@test "a stream that fails the checks before the first write prunes nothing" {
	objects "$BATS_TEST_TMPDIR/two.yaml" a b
	run -0 9c-kapply -q -n "$NS" --applyset set --prune "$BATS_TEST_TMPDIR/two.yaml"
	{ cm a "" k=a; printf -- '---\napiVersion: nowhere.9c.test/v1\nkind: Gizmo\nmetadata:\n  name: g\n'; } > "$BATS_TEST_TMPDIR/bad.yaml"
	run -3 --separate-stderr 9c-kapply -q -n "$NS" --applyset set --prune "$BATS_TEST_TMPDIR/bad.yaml"
	assert_equal "$stderr" "9c-kapply: $BATS_TEST_TMPDIR/bad.yaml:8: document 2: Gizmo g: kind Gizmo of nowhere.9c.test/v1 is not served by the cluster and no CustomResourceDefinition in the stream defines it"
	assert_equal "$(names)" "$(printf 'a\nb')"
}

@test "a parent of another tool or another set, and a member of another set, are bad input" {
	objects "$BATS_TEST_TMPDIR/one.yaml" a
	kubectl create secret generic helms -n "$NS" >/dev/null
	kubectl annotate -n "$NS" secret helms applyset.kubernetes.io/tooling=helm/v3 >/dev/null
	run -3 --separate-stderr 9c-kapply -q -n "$NS" --applyset helms --prune "$BATS_TEST_TMPDIR/one.yaml"
	assert_equal "$stderr" "9c-kapply: applyset secrets/helms in $NS: is managed by helm/v3, not 9c-kapply or kubectl"
	kubectl annotate -n "$NS" secret helms --overwrite applyset.kubernetes.io/tooling=kubectl/v1.32 >/dev/null
	kubectl label -n "$NS" secret helms "applyset.kubernetes.io/id=$(id other "$NS")" >/dev/null
	run -3 --separate-stderr 9c-kapply -q -n "$NS" --applyset helms --prune "$BATS_TEST_TMPDIR/one.yaml"
	assert_equal "$stderr" "9c-kapply: applyset secrets/helms in $NS: has label applyset.kubernetes.io/id $(id other "$NS"), not $(id helms "$NS")"
	{ printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    applyset.kubernetes.io/part-of: %s\n' "$(id other "$NS")"; } > "$BATS_TEST_TMPDIR/member.yaml"
	run -3 --separate-stderr 9c-kapply -q -n "$NS" --applyset fresh --prune "$BATS_TEST_TMPDIR/member.yaml"
	assert_equal "$stderr" "9c-kapply: $BATS_TEST_TMPDIR/member.yaml:1: document 1: metadata.labels[\"applyset.kubernetes.io/part-of\"]: ConfigMap $NS/x: part of another applyset ($(id other "$NS"), not $(id fresh "$NS"))"
	run -1 kubectl get configmap a -n "$NS"
	run -1 kubectl get secret fresh -n "$NS"
	cm a "$NS" k=a > "$BATS_TEST_TMPDIR/placed.yaml"
	run -3 --separate-stderr 9c-kapply -q -n nowhere --applyset s --prune "$BATS_TEST_TMPDIR/placed.yaml"
	assert_equal "$stderr" "9c-kapply: applyset secrets/s in nowhere: namespace nowhere does not exist and the stream does not create it"
	run -1 kubectl get configmap a -n "$NS"
}

@test "--diff of an unchanged stream prints nothing and exits 0" {
	objects "$BATS_TEST_TMPDIR/two.yaml" a b
	run -0 9c-kapply -q -n "$NS" --applyset set --prune "$BATS_TEST_TMPDIR/two.yaml"
	run -0 --separate-stderr 9c-kapply -q --diff -n "$NS" --applyset set --prune "$BATS_TEST_TMPDIR/two.yaml"
	assert_output ""
	assert_equal "$stderr" ""
}

@test "--diff shows a changed field, a new object and a pruned object, exits 1 and changes nothing" {
	objects "$BATS_TEST_TMPDIR/two.yaml" a b
	run -0 9c-kapply -q -n "$NS" --applyset set --prune "$BATS_TEST_TMPDIR/two.yaml"
	{ cm a "" k=changed; printf -- '---\n'; cm c "" k=c; } > "$BATS_TEST_TMPDIR/next.yaml"
	before=$(kubectl get configmaps,secrets -n "$NS" -o jsonpath='{.items[*].metadata.resourceVersion}')
	run -1 --separate-stderr 9c-kapply -q --diff -n "$NS" --applyset set --prune "$BATS_TEST_TMPDIR/next.yaml"
	assert_equal "$stderr" ""
	assert_output "$(cat <<-EOF
	--- live/v1.ConfigMap.$NS.a
	+++ merged/v1.ConfigMap.$NS.a
	@@ -1,6 +1,6 @@
	 apiVersion: v1
	 data:
	-  k: a
	+  k: changed
	 kind: ConfigMap
	 metadata:
	   labels:
	--- live/v1.ConfigMap.$NS.c
	+++ merged/v1.ConfigMap.$NS.c
	@@ -0,0 +1,9 @@
	+apiVersion: v1
	+data:
	+  k: c
	+kind: ConfigMap
	+metadata:
	+  labels:
	+    applyset.kubernetes.io/part-of: $(id set "$NS")
	+  name: c
	+  namespace: $NS
	--- live/v1.ConfigMap.$NS.b
	+++ merged/v1.ConfigMap.$NS.b
	@@ -1,9 +0,0 @@
	-apiVersion: v1
	-data:
	-  k: b
	-kind: ConfigMap
	-metadata:
	-  labels:
	-    applyset.kubernetes.io/part-of: $(id set "$NS")
	-  name: b
	-  namespace: $NS
	EOF
	)"
	assert_equal "$(kubectl get configmaps,secrets -n "$NS" -o jsonpath='{.items[*].metadata.resourceVersion}')" "$before"
}

@test "--diff masks a Secret's values as kubectl diff does" {
	printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: sec\nstringData:\n  key: hunter2\n  other: x\n' > "$BATS_TEST_TMPDIR/sec.yaml"
	printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: sec\nstringData:\n  key: hunter3\n  other: x\n  third: z\n' > "$BATS_TEST_TMPDIR/sec2.yaml"
	run -1 9c-kapply -q --diff -n "$NS" "$BATS_TEST_TMPDIR/sec.yaml"
	assert_output "$(cat <<-EOF
	--- live/v1.Secret.$NS.sec
	+++ merged/v1.Secret.$NS.sec
	@@ -0,0 +1,9 @@
	+apiVersion: v1
	+data:
	+  key: "***"
	+  other: "***"
	+kind: Secret
	+metadata:
	+  name: sec
	+  namespace: $NS
	+type: Opaque
	EOF
	)"
	run -0 9c-kapply -q -n "$NS" "$BATS_TEST_TMPDIR/sec.yaml"
	run -1 9c-kapply -q --diff -n "$NS" "$BATS_TEST_TMPDIR/sec2.yaml"
	assert_output "$(cat <<-EOF
	--- live/v1.Secret.$NS.sec
	+++ merged/v1.Secret.$NS.sec
	@@ -1,7 +1,8 @@
	 apiVersion: v1
	 data:
	-  key: "*** (before)"
	+  key: "*** (after)"
	   other: "***"
	+  third: "***"
	 kind: Secret
	 metadata:
	   name: sec
	EOF
	)"
	refute_output --partial hunter
	refute_output --partial aHVudGVy
}

@test "--diff --delete shows what --delete would remove: live objects as deletions, absent ones not at all" {
	objects "$BATS_TEST_TMPDIR/one.yaml" a
	objects "$BATS_TEST_TMPDIR/two.yaml" a gone
	run -0 9c-kapply -q -n "$NS" "$BATS_TEST_TMPDIR/one.yaml"
	before=$(kubectl get configmap a -n "$NS" -o jsonpath='{.metadata.uid} {.metadata.resourceVersion}')
	run -1 --separate-stderr 9c-kapply -q --diff --delete -n "$NS" "$BATS_TEST_TMPDIR/two.yaml"
	assert_equal "$stderr" ""
	assert_output "$(cat <<-EOF
	--- live/v1.ConfigMap.$NS.a
	+++ merged/v1.ConfigMap.$NS.a
	@@ -1,7 +0,0 @@
	-apiVersion: v1
	-data:
	-  k: a
	-kind: ConfigMap
	-metadata:
	-  name: a
	-  namespace: $NS
	EOF
	)"
	assert_equal "$(kubectl get configmap a -n "$NS" -o jsonpath='{.metadata.uid} {.metadata.resourceVersion}')" "$before"
	run -0 9c-kapply -q --delete -n "$NS" "$BATS_TEST_TMPDIR/one.yaml"
	run -0 --separate-stderr 9c-kapply -q --diff --delete -n "$NS" "$BATS_TEST_TMPDIR/two.yaml"
	assert_output ""
}

@test "--diff of objects whose namespace the stream creates shows them as the stream gives them" {
	printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s-new\n---\n' "$NS" > "$BATS_TEST_TMPDIR/new.yaml"
	cm x "$NS-new" k=x >> "$BATS_TEST_TMPDIR/new.yaml"
	run -1 9c-kapply -q --diff "$BATS_TEST_TMPDIR/new.yaml"
	assert_output "$(cat <<-EOF
	--- live/v1.Namespace.$NS-new
	+++ merged/v1.Namespace.$NS-new
	@@ -0,0 +1,9 @@
	+apiVersion: v1
	+kind: Namespace
	+metadata:
	+  labels:
	+    kubernetes.io/metadata.name: $NS-new
	+  name: $NS-new
	+spec:
	+  finalizers:
	+  - kubernetes
	--- live/v1.ConfigMap.$NS-new.x
	+++ merged/v1.ConfigMap.$NS-new.x
	@@ -0,0 +1,7 @@
	+apiVersion: v1
	+data:
	+  k: x
	+kind: ConfigMap
	+metadata:
	+  name: x
	+  namespace: $NS-new
	EOF
	)"
	run -1 kubectl get namespace "$NS-new"
}

@test "a parent whose namespace the stream creates is written once that namespace exists" {
	printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s-own\n---\n' "$NS" > "$BATS_TEST_TMPDIR/own.yaml"
	cm p "$NS-own" k=p >> "$BATS_TEST_TMPDIR/own.yaml"
	printf -- '---\n' >> "$BATS_TEST_TMPDIR/own.yaml"
	cm q "$NS-own" k=q >> "$BATS_TEST_TMPDIR/own.yaml"
	run -0 9c-kapply -q -n "$NS-own" --applyset set --prune "$BATS_TEST_TMPDIR/own.yaml"
	NS=$NS-own
	assert_equal "$(parent set)" "9c-kapply/v0.1.0|ConfigMap,Namespace||$(id set "$NS")"
	head -n 10 "$BATS_TEST_TMPDIR/own.yaml" > "$BATS_TEST_TMPDIR/own1.yaml"
	run -0 9c-kapply -q -n "$NS" --applyset set --prune "$BATS_TEST_TMPDIR/own1.yaml"
	assert_equal "$(names)" "p"
	kubectl delete namespace "$NS" --wait=false >/dev/null
}

@test "--diff of many objects of one kind and namespace finds exactly the changed and the new ones" {
	objects "$BATS_TEST_TMPDIR/many.yaml" $(seq -f 'm%02g' 1 20)
	run -0 9c-kapply -q -n "$NS" "$BATS_TEST_TMPDIR/many.yaml"
	sed -e 's/k: "m03"/k: "changed"/' -e 's/k: "m17"/k: "changed"/' "$BATS_TEST_TMPDIR/many.yaml" > "$BATS_TEST_TMPDIR/next.yaml"
	{ printf -- '---\n'; cm m21 "" k=m21; } >> "$BATS_TEST_TMPDIR/next.yaml"
	run -1 --separate-stderr 9c-kapply -qv --diff -n "$NS" "$BATS_TEST_TMPDIR/next.yaml"
	run -0 grep -E '^(\+\+\+|[-+]  k:)' <<<"$output"
	assert_output "$(printf '+++ merged/v1.ConfigMap.%s.m03\n-  k: m03\n+  k: changed\n+++ merged/v1.ConfigMap.%s.m17\n-  k: m17\n+  k: changed\n+++ merged/v1.ConfigMap.%s.m21\n+  k: m21' "$NS" "$NS" "$NS")"
}

@test "a prune deletes last stage first: a Namespace's objects go before the Namespace, and both wait until gone" {
	{ printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s-gone\n---\n' "$NS"
	  cm inner "$NS-gone" k=inner; printf -- '---\n'; cm kept "" k=kept; } > "$BATS_TEST_TMPDIR/with.yaml"
	objects "$BATS_TEST_TMPDIR/without.yaml" kept
	run -0 9c-kapply -q -n "$NS" --applyset set --prune "$BATS_TEST_TMPDIR/with.yaml"
	assert_equal "$(parent set)" "9c-kapply/v0.1.0|ConfigMap,Namespace|$NS-gone|$(id set "$NS")"
	run -0 --separate-stderr 9c-kapply -qv -n "$NS" --applyset set --prune "$BATS_TEST_TMPDIR/without.yaml"
	run -0 grep '^9c-kapply: pruned ' <<<"$stderr"
	assert_output "$(printf '9c-kapply: pruned ConfigMap %s-gone/inner\n9c-kapply: pruned Namespace %s-gone' "$NS" "$NS")"
	run -1 kubectl get namespace "$NS-gone"
	assert_equal "$(parent set)" "9c-kapply/v0.1.0|ConfigMap||$(id set "$NS")"
}

@test "KUBECTL_EXTERNAL_DIFF gets the live and merged directories, with what differs, and its status is the tool's" {
	objects "$BATS_TEST_TMPDIR/two.yaml" a b
	run -0 9c-kapply -q -n "$NS" --applyset set --prune "$BATS_TEST_TMPDIR/two.yaml"
	{ cm a "" k=changed; printf -- '---\n'; cm c "" k=c; } > "$BATS_TEST_TMPDIR/next.yaml"
	mkdir "$BATS_TEST_TMPDIR/tmp"
	TMPDIR=$BATS_TEST_TMPDIR/tmp KUBECTL_EXTERNAL_DIFF="diff -r" run -1 --separate-stderr \
		9c-kapply -q --diff -n "$NS" --applyset set --prune "$BATS_TEST_TMPDIR/next.yaml"
	assert_equal "$stderr" ""
	run -0 sed -E 's|[^ ]*/9c-kapply-diff-[A-Za-z0-9]{6}/|TMP/|g' <<<"$output"
	assert_output "$(cat <<-EOF
	diff -r TMP/live/v1.ConfigMap.$NS.a TMP/merged/v1.ConfigMap.$NS.a
	3c3
	<   k: a
	---
	>   k: changed
	Only in TMP/live: v1.ConfigMap.$NS.b
	Only in TMP/merged: v1.ConfigMap.$NS.c
	EOF
	)"
	run -0 find "$BATS_TEST_TMPDIR/tmp" -mindepth 1
	assert_output ""
	TMPDIR=$BATS_TEST_TMPDIR/tmp KUBECTL_EXTERNAL_DIFF=true run -0 \
		9c-kapply -q --diff -n "$NS" --applyset set --prune "$BATS_TEST_TMPDIR/next.yaml"
	TMPDIR=$BATS_TEST_TMPDIR/tmp KUBECTL_EXTERNAL_DIFF=/nonexistent/differ run -127 --separate-stderr \
		9c-kapply -q --diff -n "$NS" "$BATS_TEST_TMPDIR/next.yaml"
	assert_equal "$stderr" "9c-kapply: KUBECTL_EXTERNAL_DIFF: /nonexistent/differ: exit status 127"
}
