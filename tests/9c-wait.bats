#!/usr/bin/env bats
# 9c-wait without a server: the readiness rules (-L), options, input errors,
# the man page.  The watches are tested in 9c-wait-cluster.bats.

load helpers/common

@test "each readiness rule gives the verdict its fixture expects" {
	# Each tests/fixtures/wait/eval/*.yaml starts with
	# "# expect: STATUS LAST-LINE-OF-STDERR".
	local f want st line n=0
	for f in "$(fixture wait/eval)"/*.yaml; do
		want=$(sed -n '1s/^# expect: //p' "$f")
		st=${want%% *}
		line=${want#* }
		run --separate-stderr 9c-wait -L "$f"
		[ "$status" -eq "$st" ] ||
			fail "$(basename "$f"): exit $status, want $st: $stderr"
		[ "${stderr##*$'\n'}" = "$line" ] ||
			fail "$(basename "$f"): got '${stderr##*$'\n'}', want '$line'"
		n=$((n + 1))
	done
	[ "$n" -ge 30 ]
}

@test "ready objects are written back unchanged, in input order" {
	cat "$(fixture wait/eval/crd-established.yaml)" > "$BATS_TEST_TMPDIR/in.yaml"
	printf -- '---\n' >> "$BATS_TEST_TMPDIR/in.yaml"
	cat "$(fixture wait/eval/service-lb-ready.yaml)" >> "$BATS_TEST_TMPDIR/in.yaml"
	run -0 --separate-stderr 9c-wait -L -o json "$BATS_TEST_TMPDIR/in.yaml"
	assert_equal "${#lines[@]}" 2
	assert_equal "$(printf '%s\n' "$output" | jq -r '.kind + "/" + .metadata.name')" \
		"$(printf 'CustomResourceDefinition/widgets.example.com\nService/web')"
	assert_equal "$stderr" "$(printf '9c-wait: customresourcedefinition/widgets.example.com: ready\n9c-wait: service/web: ready')"
}

@test "a pending object is reported with what it waits for, after a summary line" {
	run -1 --separate-stderr 9c-wait -L "$(fixture wait/eval/job-running.yaml)"
	assert_equal "$output" ""
	assert_equal "$stderr" "$(printf '9c-wait: not ready: 1 of 1 objects not ready\n9c-wait: job/migrate: 0/1 complete, 1 active')"
}

@test "-q silences progress but not failures" {
	run -0 --separate-stderr 9c-wait -L -q "$(fixture wait/eval/pod-succeeded.yaml)"
	assert_equal "$stderr" ""
	run -1 --separate-stderr 9c-wait -L -q "$(fixture wait/eval/pod-failed.yaml)"
	assert_equal "$stderr" "9c-wait: pod/once: Failed: Evicted: The node was low on resource: memory."
}

@test "a generation from 9c-kapply's output is awaited even when the object shows an older one" {
	cat > "$BATS_TEST_TMPDIR/d.yaml" <<-'EOF'
	apiVersion: apps/v1
	kind: Deployment
	metadata: {name: web, namespace: default, generation: 1}
	spec: {replicas: 1}
	status: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1}
	EOF
	run -0 9c-wait -L "$BATS_TEST_TMPDIR/d.yaml"
	# The same object with a status that predates the generation awaited.
	sed 's/generation: 1}/generation: 2}/' "$BATS_TEST_TMPDIR/d.yaml" > "$BATS_TEST_TMPDIR/d2.yaml"
	run -1 --separate-stderr 9c-wait -L "$BATS_TEST_TMPDIR/d2.yaml"
	assert_equal "${stderr##*$'\n'}" "9c-wait: deployment/web: generation 2 not observed (at 1)"
}

@test "a rule file overrides a kind by JSON path or by condition" {
	run -0 --separate-stderr 9c-wait -L -r "$(fixture wait/rules.yaml)" "$(fixture wait/gadget.yaml)"
	assert_equal "$stderr" "9c-wait: gadget/g: ready"
	sed 's/Running/Error/' "$(fixture wait/gadget.yaml)" > "$BATS_TEST_TMPDIR/g.yaml"
	run -1 --separate-stderr 9c-wait -L -r "$(fixture wait/rules.yaml)" "$BATS_TEST_TMPDIR/g.yaml"
	assert_equal "$stderr" "9c-wait: gadget/g: {.status.phase} is Error"
	# The Widget rule wants Provisioned=True; Ready=True is not enough.
	run -1 --separate-stderr 9c-wait -L -r "$(fixture wait/rules.yaml)" "$(fixture wait/eval/cr-ready.yaml)"
	assert_equal "${stderr##*$'\n'}" "9c-wait: widget/w: no condition Provisioned yet"
}

@test "a JSON path filter selects a condition by type" {
	cat > "$BATS_TEST_TMPDIR/r.yaml" <<-'EOF'
	kind: Widget
	group: example.com
	jsonPath: '{.status.conditions[?(@.type=="Synced")].status}'
	value: "True"
	EOF
	run -0 9c-wait -L -r "$BATS_TEST_TMPDIR/r.yaml" "$(fixture wait/eval/cr-ready.yaml)"
}

@test "a bad rule file is bad input" {
	printf 'kind: Widget\n' > "$BATS_TEST_TMPDIR/r.yaml"
	run -3 --separate-stderr 9c-wait -L -r "$BATS_TEST_TMPDIR/r.yaml" "$(fixture wait/gadget.yaml)"
	assert_equal "$stderr" "9c-wait: $BATS_TEST_TMPDIR/r.yaml:1: document 1: a rule needs condition or jsonPath"
	printf 'rules:\n- kind: A\n  condition: Ready\n- kind: B\n  jsonPath: "[?(@.x"\n' > "$BATS_TEST_TMPDIR/r.yaml"
	run -3 --separate-stderr 9c-wait -L -r "$BATS_TEST_TMPDIR/r.yaml" "$(fixture wait/gadget.yaml)"
	assert_equal "$stderr" "9c-wait: $BATS_TEST_TMPDIR/r.yaml:1: document 1: rules[1]: jsonPath: cannot parse [?(@.x"
	run -3 --separate-stderr 9c-wait -L -r "$BATS_TEST_TMPDIR/missing.yaml" "$(fixture wait/gadget.yaml)"
	assert_equal "$stderr" "9c-wait: $BATS_TEST_TMPDIR/missing.yaml: No such file or directory"
}

@test "an object without a name is bad input, with its position" {
	printf 'apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: Service\nmetadata: {}\n' > "$BATS_TEST_TMPDIR/x.yaml"
	run -3 --separate-stderr 9c-wait -L "$BATS_TEST_TMPDIR/x.yaml"
	assert_equal "$stderr" "9c-wait: $BATS_TEST_TMPDIR/x.yaml:1: document 1: metadata.name: missing"
	printf 'apiVersion: v1\n' | { run -3 --separate-stderr 9c-wait -L; assert_equal "$stderr" "9c-wait: <stdin>:1: document 1: kind: missing"; }
}

@test "misuse prints the usage and exits 2" {
	run -2 --separate-stderr 9c-wait --for=created
	assert_equal "${stderr%%$'\n'*}" "9c-wait: --for: unknown condition 'created'"
	run -2 --separate-stderr 9c-wait -t soon
	assert_equal "${stderr%%$'\n'*}" "9c-wait: -t: bad duration 'soon'"
	run -2 --separate-stderr 9c-wait -L --for delete
	assert_equal "${stderr%%$'\n'*}" "9c-wait: -L cannot wait for deletion"
	run -2 --separate-stderr 9c-wait -o xml
	assert_equal "${stderr%%$'\n'*}" "9c-wait: -o: unknown format 'xml'"
}

@test "an unreachable server exits 4" {
	cat > "$BATS_TEST_TMPDIR/kc" <<-'EOF'
	apiVersion: v1
	kind: Config
	clusters:
	- name: c
	  cluster: {server: "https://127.0.0.1:1"}
	users:
	- name: u
	  user: {token: x}
	contexts:
	- name: c
	  context: {cluster: c, user: u}
	current-context: c
	EOF
	run -4 --separate-stderr 9c-wait --kubeconfig "$BATS_TEST_TMPDIR/kc" -t 5s "$(fixture wait/gadget.yaml)"
	[ -n "$stderr" ]
}

@test "usage matches the man page synopsis" {
	usage_matches_synopsis 9c-wait man1/9c-wait.1
}

@test "the man page examples run" {
	run_man_examples man1/9c-wait.1
}
