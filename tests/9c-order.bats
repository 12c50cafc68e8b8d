#!/usr/bin/env bats
# 9c-order: stages that one pass can apply.

load helpers/common

setup() {
	CORPUS=$SHARED/corpus
	# The runbook's bootstrap in the worst order: custom resources first,
	# then their Namespaces, then Argo CD and the external-secrets CRDs.
	cat "$(fixture order/worst.yaml)" > "$BATS_TEST_TMPDIR/worst.yaml"
	printf -- '\n---\n' >> "$BATS_TEST_TMPDIR/worst.yaml"
	cat "$CORPUS/external-secrets-crds.yaml" >> "$BATS_TEST_TMPDIR/worst.yaml"
	printf -- '\n---\n' >> "$BATS_TEST_TMPDIR/worst.yaml"
	sed 's/^metadata:$/metadata:\n  namespace: argocd/' "$CORPUS/argo-cd-install.yaml" >> "$BATS_TEST_TMPDIR/worst.yaml"
}

# stages FILE: "stage kind namespace name" per document of an ordered stream.
stages() {
	python3 -c '
import sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    m = d["metadata"]
    print(m["annotations"]["9c/stage"], d["kind"], m.get("namespace", "-"), m["name"])
' "$1"
}

@test "every CRD and Namespace comes before what needs it" {
	run -0 9c-order "$BATS_TEST_TMPDIR/worst.yaml"
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/out.yaml"
	stages "$BATS_TEST_TMPDIR/out.yaml" > "$BATS_TEST_TMPDIR/stages"
	python3 - "$BATS_TEST_TMPDIR/stages" <<-'PY'
	import sys
	rows = [l.split() for l in open(sys.argv[1])]
	stage = {(k, n): int(s) for s, k, ns, n in rows}
	crd = {"Application": "applications.argoproj.io", "AppProject": "appprojects.argoproj.io",
	       "ExternalSecret": "externalsecrets.external-secrets.io",
	       "SecretStore": "secretstores.external-secrets.io"}
	assert len(rows) == 90, len(rows)
	last = 0
	for s, k, ns, n in rows:
	    s = int(s)
	    assert s >= last, "output not sorted by stage"
	    last = s
	    if k in crd:
	        assert stage[("CustomResourceDefinition", crd[k])] < s, (k, n)
	    # kubectl drops the namespace of cluster-scoped objects: so do we
	    if ns != "-" and k not in ("CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding"):
	        assert stage[("Namespace", ns)] < s, (k, ns, n)
	PY
}

@test "inside a stage the input order is kept" {
	run -0 9c-order "$BATS_TEST_TMPDIR/worst.yaml"
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/out.yaml"
	stages "$BATS_TEST_TMPDIR/out.yaml" | awk '$1 == 1 && $2 == "CustomResourceDefinition" { print $4 }' > "$BATS_TEST_TMPDIR/got"
	python3 -c '
import sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    if d and d["kind"] == "CustomResourceDefinition": print(d["metadata"]["name"])
' "$BATS_TEST_TMPDIR/worst.yaml" > "$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "ordering its own output changes nothing" {
	run -0 9c-order "$BATS_TEST_TMPDIR/worst.yaml"
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/once.yaml"
	run -0 9c-order "$BATS_TEST_TMPDIR/once.yaml"
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/twice.yaml"
	cmp "$BATS_TEST_TMPDIR/once.yaml" "$BATS_TEST_TMPDIR/twice.yaml"
}

@test "documents pass through unchanged except for the stage annotation" {
	run -0 9c-order "$BATS_TEST_TMPDIR/worst.yaml"
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/out.yaml"
	python3 - "$BATS_TEST_TMPDIR/worst.yaml" "$BATS_TEST_TMPDIR/out.yaml" <<-'PY'
	import sys, yaml
	def key(d): return (d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"])
	src = {key(d): d for d in yaml.safe_load_all(open(sys.argv[1])) if d}
	out = [d for d in yaml.safe_load_all(open(sys.argv[2])) if d]
	assert len(src) == len(out)
	for d in out:
	    a = d["metadata"]["annotations"]
	    del a["9c/stage"]
	    if not a: del d["metadata"]["annotations"]
	    assert d == src[key(d)], key(d)
	PY
}

@test "the stages are listed with their sizes and kinds" {
	run -0 --separate-stderr 9c-order -l "$(fixture order/small.yaml)"
	assert_equal "$output" "$(printf '1\t2\tStorageClass,Namespace\n2\t2\tPersistentVolumeClaim,Role\n3\t1\tRoleBinding')"
	assert_equal "$stderr" ""
}

@test "a binding waits for its role and a claim for its storage class" {
	run -0 9c-order -o json "$(fixture order/small.yaml)"
	[ "$(jq -r '.kind + "=" + .metadata.annotations["9c/stage"]' <<<"$output" | tr '\n' ' ')" = "StorageClass=1 Namespace=1 PersistentVolumeClaim=2 Role=2 RoleBinding=3 " ]
}

@test "sync waves come first and kapp change rules are followed" {
	run -0 9c-order -o json "$(fixture order/waves.yaml)"
	[ "$(jq -r '.metadata.name + "=" + .metadata.annotations["9c/stage"]' <<<"$output" | tr '\n' ' ')" = "early=1 plain=2 db=2 db-user=3 late=4 " ]
}

@test "only the chosen stages are written" {
	run -0 9c-order -o json -s 1,3 "$(fixture order/small.yaml)"
	[ "$(jq -r .kind <<<"$output" | tr '\n' ' ')" = "StorageClass Namespace RoleBinding " ]
	run -0 9c-order -o json -s 2-3 "$(fixture order/small.yaml)"
	[ "${#lines[@]}" -eq 3 ]
}

@test "a stage that does not exist is an error" {
	run -1 --separate-stderr 9c-order -s 7 "$(fixture order/small.yaml)"
	assert_equal "$stderr" "9c-order: no stage 7: the stream has 3"
	assert_equal "$output" ""
}

@test "a malformed stage list is a usage error" {
	run -2 --separate-stderr 9c-order -s 3-1 "$(fixture order/small.yaml)"
	assert_equal "$stderr" "$(printf "9c-order: -s: '3-1' is not a list of stages like 1,3-4\nusage: 9c-order [-l] [-o format] [-s stages] [file ...]")"
}

@test "an unknown output format is a usage error" {
	run -2 --separate-stderr 9c-order -o xml
	assert_equal "$stderr" "$(printf "9c-order: -o: unknown format 'xml'\nusage: 9c-order [-l] [-o format] [-s stages] [file ...]")"
}

@test "an unknown option is a usage error" {
	run -2 --separate-stderr 9c-order -x
	assert_equal "$stderr" "$(printf "9c-order: invalid option -- 'x'\nusage: 9c-order [-l] [-o format] [-s stages] [file ...]")"
}

@test "-h prints the usage on standard output" {
	run -0 --separate-stderr 9c-order -h
	assert_equal "$output" "usage: 9c-order [-l] [-o format] [-s stages] [file ...]"
	assert_equal "$stderr" ""
}

@test "--version prints the version" {
	run -0 9c-order --version
	assert_output --regexp '^9c-order [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "the usage is the SYNOPSIS of the man page" {
	usage_matches_synopsis 9c-order man1/9c-order.1
}

@test "the man page examples run" {
	run_man_examples man1/9c-order.1
}

# bad INPUT MESSAGE: 9c-order fails on INPUT with status 3 and MESSAGE.
bad() {
	printf -- "$1" > "$BATS_TEST_TMPDIR/bad.yaml"
	run -3 --separate-stderr 9c-order "$BATS_TEST_TMPDIR/bad.yaml"
	assert_equal "$stderr" "9c-order: $BATS_TEST_TMPDIR/bad.yaml:$2"
	assert_equal "$output" ""
}

@test "a document without apiVersion is an error" {
	bad 'kind: ConfigMap\nmetadata: {name: a}\n' '1:1: document 1: apiVersion: missing'
}

@test "a document without kind is an error" {
	bad 'apiVersion: v1\nmetadata: {name: a}\n' '1:1: document 1: kind: missing'
}

@test "a document without metadata.name is an error" {
	bad 'apiVersion: v1\nkind: ConfigMap\nmetadata: {labels: {}}\n---\n' '3:11: document 1: metadata.name: missing'
}

@test "a name that is not a string is an error" {
	bad 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 12}\n' '3:18: document 1: metadata.name: must be a string'
}

@test "a document that is not a mapping is an error" {
	bad '- a\n- b\n' '1:1: document 1: a manifest must be a mapping'
}

@test "two documents with the same identity are an error naming both" {
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n' > "$BATS_TEST_TMPDIR/dup.yaml"
	run -3 --separate-stderr 9c-order "$BATS_TEST_TMPDIR/dup.yaml"
	assert_equal "$stderr" "9c-order: $BATS_TEST_TMPDIR/dup.yaml:5:1: document 2: v1/ConfigMap x/a is already defined by $BATS_TEST_TMPDIR/dup.yaml:1 (document 1)"
}

@test "a dependency cycle is an error naming the documents involved" {
	run -3 --separate-stderr 9c-order "$(fixture order/cycle.yaml)"
	assert_equal "$stderr" "9c-order: dependency cycle: v1/ConfigMap default/a ($(fixture order/cycle.yaml):1) -> v1/ConfigMap default/b ($(fixture order/cycle.yaml):9) -> v1/ConfigMap default/a"
}

@test "a sync wave that is not an integer is an error" {
	bad 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations: {argocd.argoproj.io/sync-wave: soon}\n' \
		"5:47: document 1: metadata.annotations[\"argocd.argoproj.io/sync-wave\"]: 'soon' is not an integer"
}

@test "a malformed depends-on annotation is an error" {
	bad 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations: {config.kubernetes.io/depends-on: ConfigMap/b}\n' \
		"5:50: document 1: metadata.annotations[\"config.kubernetes.io/depends-on\"]: 'ConfigMap/b' is not group/Kind/name or group/namespaces/namespace/Kind/name"
}

@test "an item of a List is named by its index" {
	bad 'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n- {apiVersion: v1, metadata: {name: b}}\n' \
		'5:3: document 1: items[1].kind: missing'
}
