# Hostile input (issue 20): each class of input a careless or hostile user
# gives, refused with one clear line, the right status, and nothing done.
# shellcheck disable=SC2016 # specs and templates hold literal ${...}
load helpers/common

CORPUS_ARGO=$SHARED/corpus/argo-cd-install.yaml

setup() {
	cd "$NINEC_ROOT" || return 1
	T=$BATS_TEST_TMPDIR
}

# spec_with SED-EXPR: share/examples/local.yaml edited by sed, in $T/s.yaml.
spec_with() {
	sed "$@" share/examples/local.yaml >"$T/s.yaml"
}

# --- 4: a crash --------------------------------------------------------

@test "9c-render bootstrap refuses a -m stream that is not Argo CD's install" {
	printf 'apiVersion: v1\nkind: ConfigMap\n' >"$T/m.yaml"
	run -3 --separate-stderr 9c-render bootstrap share/examples/local.yaml -m "$T/m.yaml"
	assert_equal "$stderr" "9c-render: $T/m.yaml: document 1: not a Kubernetes object"
	assert_equal "$output" ""
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\nkind: Secret\n' >"$T/m.yaml"
	run -3 --separate-stderr 9c-render bootstrap share/examples/local.yaml -m "$T/m.yaml"
	assert_equal "$stderr" "9c-render: $T/m.yaml: document 2: not a Kubernetes object"
	: >"$T/m.yaml"
	run -3 --separate-stderr 9c-render bootstrap share/examples/local.yaml -m "$T/m.yaml"
	assert_equal "$stderr" "9c-render: $T/m.yaml: not an Argo CD install: no CustomResourceDefinition applications.argoproj.io"
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\n' >"$T/m.yaml"
	run -3 --separate-stderr 9c-render bootstrap share/examples/local.yaml -m "$T/m.yaml"
	assert_equal "$stderr" "9c-render: $T/m.yaml: not an Argo CD install: no CustomResourceDefinition applications.argoproj.io"
	assert_equal "$output" ""
}

@test "9c-render bootstrap refuses an Argo CD install without the ConfigMap the settings go into" {
	yq 'select(.kind != "ConfigMap" or .metadata.name != "argocd-cm")' "$CORPUS_ARGO" >"$T/m.yaml"
	run -3 --separate-stderr 9c-render bootstrap share/examples/local.yaml -m "$T/m.yaml"
	assert_equal "$stderr" "9c-render: $T/m.yaml: no ConfigMap argocd-cm for bootstrap.argocd.settings"
	assert_equal "$output" ""
}
