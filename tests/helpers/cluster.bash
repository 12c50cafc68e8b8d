# cluster.bash - a private local Kubernetes cluster for a Bats test file.
#
#   load 'helpers/cluster'            # from tests/*.bats
#   setup_file()    { cluster_start; }
#   teardown_file() { cluster_stop; }
#
# cluster_start [name] starts a cluster with pipelines/9c-local, named after
# the test file (bats-$NINEC_TEST_PREFIX<basename>) unless a name is given,
# and exports:
#   KUBECONFIG                     admin kubeconfig (client certificate, system:masters)
#   NINEC_CLUSTER                  the cluster name (9c-local's default -n)
#   NINEC_LOCAL_STATE              the state directory
#   NINEC_LOCAL_SERVER             https://127.0.0.1:<port>
#   NINEC_LOCAL_CA                 the CA certificate file
#   NINEC_LOCAL_TOKEN              a bearer token of the same admin user
#   NINEC_LOCAL_TOKEN_KUBECONFIG   a kubeconfig that uses that token
# $NINEC_LOCAL_STATE/kubeconfig-user authenticates user 9c-user (no roles).
# cluster_stop stops it; cluster_restart_apiserver restarts its API server.
# pipelines_start is cluster_start with the settings the pipelines' suites share.
# A cluster already up under that name makes cluster_start fail.

NINEC_LOCAL=${NINEC_LOCAL:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../pipelines" && pwd)/9c-local}

cluster_name() {
	local n
	n=$(basename "${BATS_TEST_FILENAME:-cluster}" .bats | LC_ALL=C tr '[:upper:]' '[:lower:]' | LC_ALL=C tr -c 'a-z0-9\n' '-')
	# Work trees that run the same suite at once set NINEC_TEST_PREFIX so
	# their clusters do not share a name.
	n=bats-${NINEC_TEST_PREFIX-}${n}
	printf '%s\n' "${n:0:40}"
}

cluster_start() {
	local name=${1:-$(cluster_name)} env
	"$NINEC_LOCAL" -n "$name" up >/dev/null || return 1
	env=$("$NINEC_LOCAL" -n "$name" env) || return 1
	eval "$env"
	export KUBECONFIG NINEC_CLUSTER NINEC_LOCAL_STATE NINEC_LOCAL_SERVER \
		NINEC_LOCAL_CA NINEC_LOCAL_TOKEN NINEC_LOCAL_TOKEN_KUBECONFIG
}

cluster_stop() {
	local name=${1:-${NINEC_CLUSTER:-$(cluster_name)}}
	"$NINEC_LOCAL" -n "$name" down
}

cluster_restart_apiserver() {
	"$NINEC_LOCAL" -n "${1:-$NINEC_CLUSTER}" restart-apiserver
}

# pipelines_start [name]: cluster_start for a suite that runs the
# pipelines, with a state directory of its own, Argo CD's install manifest
# from the corpus, and none of the user's AWS settings (9c-testnet starts
# its moto_server).
pipelines_start() {
	cluster_start "$@" || return 1
	export NINEC_STATE=$BATS_FILE_TMPDIR/state
	export NINEC_ARGOCD_MANIFEST=$SHARED/corpus/argo-cd-install.yaml
	unset AWS_ENDPOINT_URL AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
}
