# shellcheck shell=sh
# argocd.sh - the argocd addon of 9c-local(1): Argo CD's application
# controller and repo server, Redis and a git server, run as processes on
# this machine against the local API server, all on 127.0.0.1.
#
# Sourced by 9c-local (see "addons" there), which owns $S, the ports file
# and the processes.  argocd_start installs the release's CRDs and
# configuration (the share/install.yaml of tests/cluster/argocd/build.sh),
# and what Argo CD's API server, which does not run here, would make: the
# AppProject `default' and argocd-secret's server.secretkey; then it starts
# Redis (no persistence, a password), the git server, the repo server and
# the application controller.
#
# What the addon holds is under $S/argocd/: the Redis password (a 0600
# file that the run files read, never an argument), the repositories the
# git server exports (git/<name>.git: pipelines push to them by path), the
# repo server's clones.  The controller maps the in-cluster destination
# https://kubernetes.default.svc to $S/kubeconfig (ARGOCD_FAKE_IN_CLUSTER).
# gRPC between the controller and the repo server is plaintext and Redis
# has no TLS: both stay on loopback.  The controller's metrics listener
# (its /healthz is the readiness check) binds every interface: this release
# has no flag for its address (controller/appcontroller.go).
#
# The git server is `git daemon': git:// on 127.0.0.1, read-only, exporting
# $S/argocd/git.  The repo server clones and fetches with the git binary
# and lists refs with go-git; both speak git:// with no credentials, so git
# is all it takes (git http-backend would need an HTTP server in front).

argocd_mod=github.com/argoproj/argo-cd/v2
argocd_ns=argocd

argocd_build() {
	addon_build "argocd-$(addon_modver "$argocd_mod" v2.14.21)"
}

argocd_default_project() {
	cat <<EOF
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: default
  namespace: $argocd_ns
spec:
  sourceRepos:
  - '*'
  destinations:
  - namespace: '*'
    server: '*'
  clusterResourceWhitelist:
  - group: '*'
    kind: '*'
EOF
}

# argocd_start BIN: the CRDs and configuration in one pass (9c-kapply waits
# for the CRDs to be established), then the processes.
# shellcheck disable=SC2154 # the ports are set by addon_port
argocd_start() {
	as_b=$1
	command -v redis-server >/dev/null || { msg "addon argocd: redis-server not found (apt-get install redis-server)"; return 1; }
	command -v git >/dev/null || { msg "addon argocd: git not found"; return 1; }
	mkdir -p "$S/argocd/git" "$S/argocd/tmp" "$S/argocd/redis" || return 1
	{
		printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n---\n' "$argocd_ns"
		cat "$as_b/../share/install.yaml"
		printf -- '---\n'
		argocd_default_project
	} >"$S/argocd/install.yaml" || return 1
	KUBECONFIG=$S/kubeconfig 9c-order "$S/argocd/install.yaml" |
		KUBECONFIG=$S/kubeconfig 9c-kapply -q -n "$argocd_ns" >/dev/null ||
		{ msg "addon argocd: cannot install the CRDs and configuration of Argo CD"; return 1; }
	# argocd-secret with the key that Argo CD's API server would make:
	# without it the controller cannot list its clusters.  Piped, so the
	# key is on no disk and in no argument.
	printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: argocd-secret\n  namespace: %s\n  labels:\n    app.kubernetes.io/name: argocd-secret\n    app.kubernetes.io/part-of: argocd\ntype: Opaque\nstringData:\n  server.secretkey: %s\n' \
		"$argocd_ns" "$(openssl rand -hex 32)" |
		KUBECONFIG=$S/kubeconfig 9c-kapply -q >/dev/null ||
		{ msg "addon argocd: cannot create argocd-secret"; return 1; }
	addon_port argocd_redis_port && addon_port argocd_git_port &&
		addon_port argocd_repo_port && addon_port argocd_metrics_port || return 1
	openssl rand -hex 24 >"$S/argocd/redis-password" || return 1
	cat >"$S/argocd/redis.conf" <<EOF
bind 127.0.0.1
port $argocd_redis_port
protected-mode yes
save ""
appendonly no
dir $S/argocd/redis
requirepass $(cat "$S/argocd/redis-password")
EOF
	# No GnuPG: signature verification is off unless a project asks.
	# The ask-pass socket and the clones are this cluster's own.
	cat >"$S/argocd/env" <<EOF
REDIS_PASSWORD=\$(cat '$S/argocd/redis-password')
KUBECONFIG='$S/kubeconfig'
ARGOCD_FAKE_IN_CLUSTER=true
ARGOCD_GPG_ENABLED=false
ARGOCD_ASK_PASS_SOCK='$S/argocd/askpass.sock'
TMPDIR='$S/argocd/tmp'
HOME='$S/argocd'
export REDIS_PASSWORD KUBECONFIG ARGOCD_FAKE_IN_CLUSTER ARGOCD_GPG_ENABLED ARGOCD_ASK_PASS_SOCK TMPDIR HOME
EOF
	# shellcheck disable=SC2016 # expanded by the run file's shell
	as_env='. "$1" && shift && exec "$@"'
	addon_run argocd-redis redis-server "$S/argocd/redis.conf" &&
	# git-daemon itself, not `git daemon', which would run it as a child
	# that outlives a stop of the recorded process.
	addon_run argocd-git "$(git --exec-path)/git-daemon" --listen=127.0.0.1 --port="$argocd_git_port" --reuseaddr \
		--export-all --base-path="$S/argocd/git" --informative-errors "$S/argocd/git" &&
	addon_run argocd-repo-server sh -c "$as_env" sh "$S/argocd/env" \
		"$as_b/argocd-repo-server" --address=127.0.0.1 --port="$argocd_repo_port" \
		--metrics-address=127.0.0.1 --metrics-port=0 --disable-tls \
		--redis=127.0.0.1:"$argocd_redis_port" &&
	addon_run argocd-application-controller sh -c "$as_env" sh "$S/argocd/env" \
		"$as_b/argocd-application-controller" --kubeconfig="$S/kubeconfig" \
		--namespace="$argocd_ns" --repo-server=127.0.0.1:"$argocd_repo_port" \
		--repo-server-plaintext --redis=127.0.0.1:"$argocd_redis_port" \
		--metrics-port="$argocd_metrics_port"
}

# shellcheck disable=SC2154 # the ports file, read by 9c-local
argocd_ready() {
	ss -Htln "sport = :$argocd_repo_port" 2>/dev/null | grep -q . &&
		curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$argocd_metrics_port/healthz" 2>/dev/null
}

# shellcheck disable=SC2154
argocd_env() {
	printf "NINEC_LOCAL_GIT='git://127.0.0.1:%s'; export NINEC_LOCAL_GIT\n" "$argocd_git_port"
	printf "NINEC_LOCAL_GIT_DIR='%s'; export NINEC_LOCAL_GIT_DIR\n" "$S/argocd/git"
}
