#!/usr/bin/env bats
# The release build under valgrind, on a representative subset: an invalid
# read, a use of uninitialised memory or a leak fails the test.  (The rest of
# the suite runs the ASan/UBSan build.)

load helpers/common

setup_file() {
	command -v valgrind >/dev/null || { echo "valgrind is needed" >&2; return 1; }
	[ -x "$NINEC_ROOT/build/9c-order" ] || make -C "$NINEC_ROOT" -s build-release
}

# vg TOOL ARGS...: runs the release TOOL under valgrind; valgrind's own
# findings turn into status 99.
vg() {
	local tool=$1
	shift
	valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect "$NINEC_ROOT/build/$tool" "$@"
}

@test "9c-order orders the corpus cleanly under valgrind" {
	run -0 vg 9c-order -l "$SHARED/corpus/argo-cd-install.yaml" "$SHARED/corpus/external-secrets-crds.yaml"
}

@test "9c-order writes JSON and reads JSON cleanly under valgrind" {
	run -0 vg 9c-order -o json "$(fixture order/small.yaml)"
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/s.json"
	run -0 vg 9c-order "$BATS_TEST_TMPDIR/s.json"
}

@test "9c-order's error paths are clean under valgrind" {
	run -3 vg 9c-order "$(fixture order/cycle.yaml)"
	printf 'a: &x [1, *x]\n' > "$BATS_TEST_TMPDIR/self.yaml"
	run -3 vg 9c-order "$BATS_TEST_TMPDIR/self.yaml"
	printf 'a: 1\na: 2\n' > "$BATS_TEST_TMPDIR/dup.yaml"
	run -3 vg 9c-order "$BATS_TEST_TMPDIR/dup.yaml"
	printf '{"a": [1, 2' > "$BATS_TEST_TMPDIR/cut.json"
	run -3 vg 9c-order "$BATS_TEST_TMPDIR/cut.json"
}

@test "the fuzz seeds and regressions read cleanly under valgrind" {
	local f
	for f in "$NINEC_ROOT"/tests/fuzz/corpus/seed* "$NINEC_ROOT"/tests/fuzz/corpus/regress-*; do
		run vg 9c-order "$f"
		[ "$status" -ne 99 ] || fail "valgrind found a problem with $f: $output"
	done
}

@test "9c-render renders the examples cleanly under valgrind, tokens verified and releases read" {
	cd "$NINEC_ROOT"
	run -0 vg 9c-render -P -S network share/examples/local.yaml
	run -0 vg 9c-render -P network share/examples/eks.yaml
	run -0 vg 9c-render network share/examples/local.yaml -k tests/fixtures/render/pubkeys-local.yaml -a tests/fixtures/render/addresses.yaml
	run -0 vg 9c-render network tests/fixtures/render/net4.yaml -k tests/fixtures/render/pubkeys.yaml
	run -3 vg 9c-render network share/examples/pbft.yaml -k tests/fixtures/render/pubkeys-pbft.yaml
	# Keys and facts of another network.
	run -3 vg 9c-render network share/examples/local.yaml -k tests/fixtures/render/pubkeys.yaml
	run -3 vg 9c-render -f tests/fixtures/render/facts.yaml -m "$SHARED/corpus/argo-cd-install.yaml" bootstrap share/examples/local.yaml
	# Past the node-port budget.
	grep -v aws-load-balancer-nlb-target-type share/examples/eks.yaml |
		sed '/^  remoteHeadless:/,/count:/s/count: 2/count: 1000/' >"$BATS_TEST_TMPDIR/big.yaml"
	run -3 vg 9c-render -S network "$BATS_TEST_TMPDIR/big.yaml"
	run -0 vg 9c-render -P -m "$SHARED/corpus/argo-cd-install.yaml" bootstrap share/examples/eks.yaml
}

@test "9c-tfvars writes variables and a kubeconfig cleanly under valgrind" {
	run -0 vg 9c-tfvars "$(fixture tfvars/spec.yaml)"
	run -0 vg 9c-tfvars -k "$(fixture tfvars/spec.yaml)" "$(fixture tfvars/outputs.json)"
}

@test "9c-secrets derives keys and signs requests cleanly under valgrind" {
	run -0 vg 9c-secrets public "$(fixture secrets/vectors.yaml)"
	AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY \
		run -0 vg 9c-secrets sign -r us-east-1 -S service -t 20150830T123600Z \
		"$SHARED/corpus/sigv4/get-vanilla/get-vanilla.req"
}

@test "9c-secrets signs and verifies APV tokens and genesis blocks cleanly under valgrind" {
	local token
	run -0 vg 9c-secrets apv sign -s "$(fixture apv/spec.yaml)" "$(fixture apv/keys.yaml)"
	token=$output
	run -0 vg 9c-secrets public -s "$(fixture apv/spec.yaml)" "$(fixture apv/keys.yaml)"
	run -0 vg 9c-secrets apv verify -k "$(fixture apv/keys.yaml)" "$token"
	run -3 vg 9c-secrets apv verify -P 02febda47acc3bb9fcf4e729f46cc52eb12d4ae1cc9f59a31b28d1714437722b09 "$token"
	run -3 vg 9c-secrets apv show "${token%????}"
	run -0 vg 9c-secrets genesis verify -k "$(fixture genesis/keys.yaml)" "$(fixture genesis/genesis-block)"
	run -3 vg 9c-secrets genesis verify -k "$(fixture apv/keys.yaml)" "$(fixture genesis/genesis-block)"
}

@test "9c-wait judges saved objects cleanly under valgrind" {
	cd "$NINEC_ROOT"
	run -0 vg 9c-wait -L -r tests/fixtures/wait/rules.yaml tests/fixtures/wait/gadget.yaml tests/fixtures/wait/eval/application-ready.yaml
	# Pod problems of both classes: a pull retrying, a crash loop.
	run -1 vg 9c-wait -L tests/fixtures/wait/eval/pod-image-retrying.yaml tests/fixtures/wait/eval/pod-crash-loop.yaml
}

@test "the refusals of hostile input are clean under valgrind" {
	local t=$BATS_TEST_TMPDIR
	printf 'apiVersion: v1\nkind: ConfigMap\n' >"$t/m.yaml"
	run -3 vg 9c-render bootstrap "$NINEC_ROOT/share/examples/local.yaml" -m "$t/m.yaml"
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' >"$t/m.yaml"
	run -3 vg 9c-render bootstrap "$NINEC_ROOT/share/examples/local.yaml" -m "$t/m.yaml"
	printf 'apiVersion: 9c.planetarium.dev/v1alpha1\nkind: Patch\ntarget: {kind: Service, name: tcp-seed-1}\njsonPatch:\n- {op: replace, path: /metadata/name, value: miner-1}\n' >"$t/p.yaml"
	run -3 vg 9c-render -S network "$NINEC_ROOT/share/examples/local.yaml" -p "$t/p.yaml"
	sed 's/^name: 9c-local/name: "x\\e]0;\\a"/' "$NINEC_ROOT/share/examples/local.yaml" >"$t/s.yaml"
	run -3 vg 9c-render network "$t/s.yaml"
	sed '/^  release:/a\  iceServers: ["turn://u:p@h:1/x"]' "$NINEC_ROOT/share/examples/local.yaml" >"$t/s.yaml"
	run -3 vg 9c-render network "$t/s.yaml"
	sed '/^  release:/a\  genesisBlock: "/data/g x"' "$NINEC_ROOT/share/examples/local.yaml" >"$t/s.yaml"
	run -3 vg 9c-render network "$t/s.yaml"
	sed 's|^  repo: .*|  repo: "git:token@h:o/r"|' "$NINEC_ROOT/share/examples/local.yaml" >"$t/s.yaml"
	run -3 vg 9c-render apps "$t/s.yaml"
	printf '%s\n' 'apiVersion: rbac.authorization.k8s.io/v1' 'kind: ClusterRole' 'metadata:' '  name: r' \
		'  annotations:' '    config.kubernetes.io/depends-on: /Namespace/ns1' '---' \
		'apiVersion: v1' 'kind: Namespace' 'metadata:' '  name: ns1' >"$t/dep.yaml"
	run -0 vg 9c-order -l "$t/dep.yaml"
	printf 'kind: ConfigMap\njsonPath: "{.status"\n' >"$t/rules.yaml"
	run -3 vg 9c-wait -L -r "$t/rules.yaml" "$t/dep.yaml"
	head -c 17000000 /dev/zero >"$t/big"
	AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY \
		AWS_REGION=us-east-1 run -3 vg 9c-secrets sign -S service "$t/big"
}
