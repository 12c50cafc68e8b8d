#!/usr/bin/env bats
# GitOps on the local control plane: Argo CD's application controller and
# repo server (9c-local's argocd addon, built from the release's module)
# sync the network from a git server on loopback.  9c-testnet brings the
# GitOps example up through Argo CD; then commits made straight to the
# local repository (a bad manifest, a scale-down) are synced, or fail, as
# the real controller decides, and 9c-wait reads its verdict.
# The tests run in order and share one cluster and one state directory.
load helpers/common
load helpers/cluster

setup_file() {
	NINEC_LOCAL_ADDONS=argocd cluster_start || return 1
	export NINEC_STATE=$BATS_FILE_TMPDIR/state
	unset NINEC_ARGOCD_MANIFEST AWS_ENDPOINT_URL AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	export SPEC=$NINEC_ROOT/share/examples/local-gitops.yaml APP=9c-gitops-network
	export REPO=$NINEC_LOCAL_GIT_DIR/9c-gitops.git
}

teardown_file() {
	state_moto_stop "$BATS_FILE_TMPDIR/state/9c-gitops" "$BATS_FILE_TMPDIR/own/9c-gitops"
	"$NINEC_LOCAL" -n "${NINEC_CLUSTER:0:36}-own" down 2>/dev/null
	cluster_stop
}

app() { kubectl get application -n argocd "$APP" -o json; }

# commit WHAT CMD...: in a fresh clone of the network's repository, run CMD
# in its network folder, commit it all as WHAT and push; print the commit.
commit() {
	local what=$1 wt=$BATS_TEST_TMPDIR/wt
	shift
	rm -rf "$wt"
	git clone -q "$REPO" "$wt" &&
		(cd "$wt/9c-gitops/network" && "$@") &&
		git -C "$wt" add -A &&
		git -C "$wt" -c user.name=test -c user.email=test@localhost commit -q -m "$what" &&
		git -C "$wt" push -q origin HEAD:main &&
		git -C "$wt" rev-parse HEAD
}

# compared SHA: ask Argo CD to refresh, as a webhook would, and wait until
# it has compared SHA.
compared() {
	kubectl annotate -n argocd application "$APP" argocd.argoproj.io/refresh=normal --overwrite >/dev/null &&
		kubectl wait -n argocd --timeout=120s --for=jsonpath='{.status.sync.revision}'="$1" \
			"application/$APP" >/dev/null
}

@test "9c-network refuses gitops.repo local without the argocd addon, before it makes anything" {
	run -3 --separate-stderr env -u NINEC_LOCAL_GIT -u NINEC_LOCAL_GIT_DIR 9c-network "$SPEC"
	assert_output ''
	assert_equal "$stderr" "9c-network: $SPEC: gitops.repo local needs the argocd addon of 9c-local (9c-local -a argocd up, then its env)"
	run -0 ls -A "$NINEC_STATE/9c-gitops"
	assert_output ''
	run -1 kubectl get namespace 9c-gitops
}

@test "the addon runs Argo CD, Redis and git daemon on loopback, with the release's CRDs and a default project" {
	run -0 9c-local status
	assert_line --regexp '^argocd-application-controller: running \(pid [0-9]+\)$'
	assert_line --regexp '^argocd-repo-server: running \(pid [0-9]+\)$'
	assert_line --regexp '^argocd-redis: running \(pid [0-9]+\)$'
	assert_line --regexp '^argocd-git: running \(pid [0-9]+\)$'
	assert_line 'addon: argocd ready'
	[[ $NINEC_LOCAL_GIT == git://127.0.0.1:* ]]
	. "$NINEC_LOCAL_STATE/ports"
	for p in "$argocd_redis_port" "$argocd_git_port" "$argocd_repo_port"; do
		run -0 ss -Htln "sport = :$p"
		assert_output --regexp '127\.0\.0\.1:'"$p"' '
		refute_output --regexp '(\*|0\.0\.0\.0|\[::\]):'"$p"' '
	done
	# Redis asks for its password, which is in no command line.
	run -0 redis-cli -h 127.0.0.1 -p "$argocd_redis_port" ping
	assert_output --partial NOAUTH
	# (the pattern from the file, so that it is not in grep's own; a
	# process may exit between the glob and its read)
	run -1 grep -c -F -f "$NINEC_LOCAL_STATE/argocd/redis-password" \
		< <(cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\0' '\n')
	run -0 stat -c %a "$NINEC_LOCAL_STATE/argocd/redis-password"
	assert_output 600
	run -0 kubectl get crd applications.argoproj.io appprojects.argoproj.io -o name
	run -0 kubectl get appproject -n argocd default -o jsonpath='{.spec.destinations[0].server}'
	assert_output '*'
	run -0 "${XDG_CACHE_HOME:-$HOME/.cache}/9c/argocd-v2.14.21/bin/argocd" version --client --short
	assert_output 'argocd: v2.14.21+unknown'
}

@test "9c-testnet up brings the GitOps example up through Argo CD, from the local git server, with no downloaded manifest" {
	local t0=$SECONDS sha
	run --separate-stderr 9c-testnet up "$SPEC"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	printf '# 9c-testnet up through Argo CD: %ss\n' $((SECONDS - t0)) >&3
	refute_output --partial fetched
	[[ $stderr != *fetched* ]]
	sha=$(git -C "$REPO" rev-parse main)
	run -0 app
	run -0 jq -r '[.spec.source.repoURL, .status.sync.status, .status.health.status, .status.sync.revision,
		.status.operationState.phase] | join(" ")' <<<"$output"
	assert_output "$NINEC_LOCAL_GIT/9c-gitops.git Synced Healthy $sha Succeeded"
	# Argo CD made the nodes (its tracking label), all ready.
	run -0 kubectl get deploy,sts -n 9c-gitops -o json
	run -0 jq -r '.items[] | "\(.metadata.name) \(.status.readyReplicas)/\(.spec.replicas) \(.metadata.labels["app.kubernetes.io/instance"])"' <<<"$output"
	assert_output "tcp-seed-1 1/1 $APP
genesis 1/1 $APP
miner-1 1/1 $APP
remote-headless-1 1/1 $APP
remote-headless-2 1/1 $APP"
	# The keys went in beside Argo CD, never through git.
	run -0 git -C "$REPO" ls-tree -r --name-only main
	refute_output --partial secret
	run -0 kubectl get secret -n 9c-gitops -o json
	run -0 jq -r '[.items[] | select(.metadata.labels["app.kubernetes.io/instance"] != null)] | length' <<<"$output"
	assert_output 0
	# The install is the release's own CRDs, from the addon's build.
	run -0 jq -r 'select(.kind == "CustomResourceDefinition") | .metadata.name' "$NINEC_STATE/9c-gitops/bootstrap.json"
	assert_output "applications.argoproj.io
appprojects.argoproj.io"
	run -0 9c-testnet status "$SPEC"
	assert_line "application $APP: Synced, Healthy, at $sha"
}

@test "a bad manifest committed fails the sync, and 9c-wait names the Application with Argo CD's reason" {
	local sha
	# An automated sync retries a failed attempt 5 times by default,
	# backing off for minutes; one retry shows the same verdict sooner.
	kubectl patch application -n argocd "$APP" --type merge -p '{"spec":{"syncPolicy":{"retry":{"limit":1}}}}' >/dev/null
	sha=$(commit "a ConfigMap the API server refuses" \
		sh -c 'printf "%s\n" "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"bad\",\"namespace\":\"9c-gitops\"},\"data\":{\"n\":1}}" > configmap-bad.json')
	compared "$sha"
	app >"$BATS_TEST_TMPDIR/app.json"
	run -1 --separate-stderr 9c-wait -q -t 2m "$BATS_TEST_TMPDIR/app.json"
	assert_output ''
	assert_equal "$stderr" "9c-wait: argocd/application/$APP: sync Failed: one or more objects failed to apply, reason: ConfigMap in version \"v1\" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string (retried 1 times)."
	# The running nodes were left alone.
	run -0 kubectl get sts -n 9c-gitops miner-1 -o jsonpath='{.status.readyReplicas}'
	assert_output 1
	sha=$(commit "remove the bad ConfigMap" rm configmap-bad.json)
	compared "$sha"
	run -0 9c-wait -q -t 2m "$BATS_TEST_TMPDIR/app.json"
}

@test "a file that does not parse: Argo CD compares nothing, and 9c-wait's report names its ComparisonError" {
	local sha
	commit "a file that does not parse" sh -c 'printf "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\n data: [\n" > broken.yaml' >/dev/null
	kubectl annotate -n argocd application "$APP" argocd.argoproj.io/refresh=normal --overwrite >/dev/null
	kubectl wait -n argocd --timeout=120s --for=jsonpath='{.status.sync.status}'=Unknown "application/$APP" >/dev/null
	app >"$BATS_TEST_TMPDIR/app.json"
	run -5 --separate-stderr 9c-wait -q -t 3s "$BATS_TEST_TMPDIR/app.json"
	assert_equal "$stderr" "9c-wait: timed out after 3s: 1 of 1 objects not ready
9c-wait: argocd/application/$APP: sync Unknown: ComparisonError: Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = FailedPrecondition desc = Failed to unmarshal \"broken.yaml\": <nil>"
	sha=$(commit "remove the file that does not parse" rm broken.yaml)
	compared "$sha"
	run -0 9c-wait -q -t 2m "$BATS_TEST_TMPDIR/app.json"
}

@test "a scale-down committed to the repository is synced with pruning, and 9c-testnet status shows it" {
	local sha
	sha=$(commit "scale remote-headless down to one" rm statefulset-remote-headless-2.json service-remote-headless-2.json)
	compared "$sha"
	app >"$BATS_TEST_TMPDIR/app.json"
	run -0 9c-wait -q -t 2m "$BATS_TEST_TMPDIR/app.json"
	run -1 kubectl get sts -n 9c-gitops remote-headless-2
	run -1 kubectl get service -n 9c-gitops remote-headless-2
	run -0 9c-testnet status "$SPEC"
	assert_line "application $APP: Synced, Healthy, at $sha"
	refute_output --partial remote-headless-2
	assert_line --regexp '^remote-headless-1 +StatefulSet +1/1 '
}

@test "down deletes the Application first, then the network, and leaves the cluster it did not start" {
	run --separate-stderr 9c-testnet down "$SPEC"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	[[ $stderr == *"network: deleting the Argo CD Application $APP"* ]]
	run -1 kubectl get application -n argocd "$APP"
	run -1 kubectl get namespace 9c-gitops
	run -0 9c-local status
}

@test "up with no cluster up starts the local control plane with the argocd addon; down stops it" {
	local t0=$SECONDS own=${NINEC_CLUSTER:0:36}-own
	run --separate-stderr env NINEC_CLUSTER="$own" NINEC_STATE="$BATS_FILE_TMPDIR/own" 9c-testnet up "$SPEC"
	[ "$status" -eq 0 ] || { 9c-local -n "$own" down; fail "status $status: $stderr"; }
	printf '# 9c-testnet up through Argo CD, cluster included: %ss\n' $((SECONDS - t0)) >&3
	[[ $stderr == *"9c-testnet: [1/7] cluster: starting the local control plane '$own' (9c-local -a argocd)"* ]]
	assert_line --regexp "^application $APP: Synced, Healthy, at [0-9a-f]{40}\$"
	run -0 env NINEC_CLUSTER="$own" NINEC_STATE="$BATS_FILE_TMPDIR/own" 9c-testnet down "$SPEC"
	run -1 9c-local -n "$own" status
}
