#!/usr/bin/env bats
# 9c-wait against the local control plane: real objects that really change
# state (KWOK drives Pods, the tests write custom status through the status
# subresource), fail-fast with the Pod's reason, an API server restart in the
# middle of a wait.

load helpers/common
load helpers/cluster

# KWOK stages that drive Pods labelled 9c.test/fault into CrashLoopBackOff,
# ImagePullBackOff or CreateContainerConfigError.  9c-local loads the files
# named in NINEC_LOCAL_STAGES when it supports it (see /work/notes/wait.md);
# otherwise this restarts the cluster's own KWOK with the stages added.
load_fault_stages() {
	local S=$NINEC_LOCAL_STATE p st i
	grep -q 9c-test-pod-crashloop "$S/kwok.yaml" && return 0
	read -r p st < "$S/pids/kwok" || return 1
	kill "$p" || return 1
	i=0
	while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	{ printf -- '---\n'; cat "$NINEC_LOCAL_STAGES"; } >> "$S/kwok.yaml"
	sh "$S/run/kwok" </dev/null >>"$S/logs/kwok.log" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	p=$!
	sleep 0.2
	printf '%s %s\n' "$p" "$(sed 's/.*) //' "/proc/$p/stat" | cut -d' ' -f20)" > "$S/pids/kwok"
	# KWOK is back once a fresh Pod becomes Ready.
	kubectl run kwok-probe -n default --image=probe >/dev/null || return 1
	kubectl wait -n default --for=condition=Ready pod/kwok-probe --timeout=60s >/dev/null || return 1
	kubectl delete -n default pod/kwok-probe --wait=false >/dev/null
}

setup_file() {
	export NINEC_LOCAL_STAGES
	NINEC_LOCAL_STAGES=$(fixture wait/kwok-stages.yaml)
	# NINEC_WAIT_DEV=name reuses a running cluster while developing.
	if [ -n "${NINEC_WAIT_DEV-}" ]; then
		eval "$("$NINEC_LOCAL" -n "$NINEC_WAIT_DEV" env)"
		export KUBECONFIG NINEC_CLUSTER NINEC_LOCAL_STATE
	else
		cluster_start
	fi
	load_fault_stages
	kubectl apply --server-side -f "$SHARED/corpus/external-secrets-crds.yaml" >/dev/null
	kubectl apply --server-side -f "$(fixture wait/cluster/widgets-crd.yaml)" >/dev/null
	kubectl create namespace argocd --dry-run=client -o yaml | kubectl apply -f - >/dev/null
	python3 - "$SHARED/corpus/argo-cd-install.yaml" > "$BATS_FILE_TMPDIR/argo-crds.yaml" <<-'PY'
	import sys
	docs = open(sys.argv[1]).read().split("\n---\n")
	print("\n---\n".join(d for d in docs if "\nkind: CustomResourceDefinition" in "\n" + d))
	PY
	kubectl apply --server-side -f "$BATS_FILE_TMPDIR/argo-crds.yaml" >/dev/null
	kubectl wait --for condition=Established --timeout=60s crd/widgets.example.com \
		crd/applications.argoproj.io crd/externalsecrets.external-secrets.io >/dev/null
}

teardown_file() {
	[ -n "${NINEC_WAIT_DEV-}" ] || cluster_stop
}

setup() {
	NS=t$BATS_TEST_NUMBER${NINEC_WAIT_DEV:+-$RANDOM}
	kubectl create namespace "$NS" >/dev/null
}

# apply FIXTURE: the fixture with namespace $NS, applied; also in $T/FIXTURE.
apply() {
	T=$BATS_TEST_TMPDIR
	sed "s/@NS@/$NS/g" "$(fixture "wait/cluster/$1")" > "$T/$1"
	kubectl apply -n "$NS" -f "$T/$1" >/dev/null
}

# podname SELECTOR: the name of the one Pod that matches.
podname() {
	kubectl get pods -n "$NS" -l "$1" -o jsonpath='{.items[0].metadata.name}'
}

@test "workloads of every kind are waited for until rolled out, and written with their status" {
	apply workloads.yaml
	run -0 --separate-stderr 9c-wait -q -n "$NS" -t 60s -o json "$T/workloads.yaml"
	assert_equal "$stderr" ""
	printf '%s\n' "$output" > "$T/out.json"
	run -0 jq -r '[.kind, .metadata.name, (.status.readyReplicas // .status.numberReady // .status.succeeded // .status.phase | tostring)] | join(" ")' "$T/out.json"
	assert_equal "$output" "$(printf 'Deployment web 2\nStatefulSet db 2\nDaemonSet agent 1\nJob once 1\nPod solo Running\nReplicaSet bare 1')"
}

@test "a Deployment whose Pod is in CrashLoopBackOff fails at once with the Pod's reason" {
	apply crashloop.yaml
	kubectl wait -n "$NS" --for=jsonpath='{.status.containerStatuses[0].state.waiting.reason}'=CrashLoopBackOff \
		pod -l app=crash --timeout=60s >/dev/null
	kubectl rollout status -n "$NS" deploy/crash --timeout=1s >/dev/null 2>&1 || true
	pod=$(podname app=crash)
	run -1 --separate-stderr 9c-wait -n "$NS" -t 60s "$T/crashloop.yaml"
	assert_equal "$output" ""
	assert_equal "$stderr" "9c-wait: deployment/crash: 0/1 ready, pod $pod: CrashLoopBackOff: back-off 2m40s restarting failed container=c (container c)"
}

@test "a StatefulSet whose image the registry does not have fails at once with ImagePullBackOff" {
	apply imagepull.yaml
	kubectl wait -n "$NS" --for=jsonpath='{.status.containerStatuses[0].state.waiting.reason}'=ImagePullBackOff \
		pod/miner-1-0 --timeout=60s >/dev/null
	img=planetariumhq/ninechronicles-headless:nope
	run -1 --separate-stderr 9c-wait -n "$NS" -t 60s "$T/imagepull.yaml"
	assert_equal "$stderr" "9c-wait: statefulset/miner-1: 0/1 ready, pod miner-1-0: ImagePullBackOff: Back-off pulling image \"$img\": ErrImagePull: rpc error: code = NotFound desc = failed to pull and unpack image \"$img\": $img: not found (container miner)"
}

@test "the failure is found as the Pod goes bad, not only when it already is" {
	sed "s/@NS@/$NS/g" "$(fixture wait/cluster/config-error.yaml)" > "$BATS_TEST_TMPDIR/pod.yaml"
	9c-wait -n "$NS" -t 60s "$BATS_TEST_TMPDIR/pod.yaml" > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" &
	pid=$!
	sleep 1
	kubectl apply -n "$NS" -f "$BATS_TEST_TMPDIR/pod.yaml" >/dev/null
	st=0
	wait "$pid" || st=$?
	assert_equal "$st" 1
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" "9c-wait: pod/app: CreateContainerConfigError: secret \"missing\" not found (container main)"
}

@test "a Pod unschedulable past the grace period fails its workload" {
	apply unschedulable.yaml
	run -1 --separate-stderr 9c-wait -n "$NS" -g 2s -t 60s "$T/unschedulable.yaml"
	pod=$(podname app=lost)
	why="Unschedulable: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. no new claims to deallocate, preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
	assert_equal "$stderr" "$(printf '%s\n' \
		"9c-wait: deployment/lost: waiting: pod $pod: $why" \
		"9c-wait: deployment/lost: 0/1 ready, pod $pod: $why")"
}

@test "on timeout every pending object is named with what it waits for" {
	apply unschedulable.yaml
	apply widget-nostatus.yaml
	run -5 --separate-stderr 9c-wait -n "$NS" -g 1h -t 2s "$T/unschedulable.yaml" "$T/widget-nostatus.yaml"
	pod=$(podname app=lost)
	assert_equal "$stderr" "$(printf '%s\n' \
		"9c-wait: deployment/lost: waiting: pod $pod: Unschedulable: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. no new claims to deallocate, preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling." \
		"9c-wait: timed out after 2s: 2 of 2 objects not ready" \
		"9c-wait: deployment/lost: 0/1 ready, pod $pod: Unschedulable: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. no new claims to deallocate, preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling." \
		"9c-wait: widget/quiet: no status yet")"
}

@test "a Job completes, and a Job past its deadline fails with the Job's reason" {
	apply jobs.yaml
	run -0 --separate-stderr 9c-wait -q -n "$NS" -t 60s "$T/jobs.yaml" --for ready
	apply job-deadline.yaml
	run -1 --separate-stderr 9c-wait -q -n "$NS" -g 1h -t 60s "$T/job-deadline.yaml"
	assert_equal "$stderr" "9c-wait: job/late: Failed=True: DeadlineExceeded: Job was active longer than specified deadline"
}

@test "a claim binds; a claim of a WaitForFirstConsumer class is ready with a note" {
	apply claims.yaml
	run -0 --separate-stderr 9c-wait -n "$NS" -t 60s "$T/claims.yaml"
	assert_equal "$(printf '%s\n' "$stderr" | sort)" "$(printf '%s\n' \
		"9c-wait: persistentvolumeclaim/later: ready (Pending: StorageClass wffc binds WaitForFirstConsumer, bound when a Pod uses it)" \
		"9c-wait: persistentvolumeclaim/now: ready" \
		"9c-wait: storageclass/wffc: ready")"
}

@test "a LoadBalancer Service waits for its address and is written with it" {
	apply services.yaml
	run -0 --separate-stderr 9c-wait -q -n "$NS" -t 60s -o json "$T/services.yaml"
	printf '%s\n' "$output" > "$T/out.json"
	run -0 jq -r 'select(.spec.type == "LoadBalancer") | .status.loadBalancer.ingress[0].hostname' "$T/out.json"
	[[ $output == *.us-east-2.elb.amazonaws.com ]]
}

@test "an Ingress waits until its status has an address" {
	apply ingress.yaml
	9c-wait -q -n "$NS" -t 60s -o json "$T/ingress.yaml" > "$T/out" 2> "$T/err" &
	pid=$!
	sleep 1
	kill -0 "$pid"
	kubectl patch -n "$NS" ingress web --subresource=status --type=merge \
		-p '{"status":{"loadBalancer":{"ingress":[{"hostname":"web.example.com"}]}}}' >/dev/null
	wait "$pid"
	assert_equal "$(jq -r .status.loadBalancer.ingress[0].hostname "$T/out")" web.example.com
}

@test "a CRD is Established, an APIService Available, a Namespace Active" {
	apply gates.yaml
	run -0 --separate-stderr 9c-wait -q -t 60s "$T/gates.yaml"
	run -0 jq -rs 'map(.kind) | join(" ")' <(9c-wait -q -t 10s -o json "$T/gates.yaml")
	assert_equal "$output" "Namespace CustomResourceDefinition APIService"
}

@test "a CRD whose names are refused fails" {
	apply crd-conflict.yaml
	run -1 --separate-stderr 9c-wait -t 60s "$T/crd-conflict.yaml"
	assert_equal "$stderr" "9c-wait: customresourcedefinition/gizmos.example.com: NamesAccepted=False: KindConflict: \"Widget\" is already in use"
	kubectl delete crd gizmos.example.com >/dev/null
}

@test "custom resources follow their conditions, written through the status subresource" {
	apply widgets.yaml
	9c-wait -q -n "$NS" -t 60s -g 1h "$T/widgets.yaml" > "$T/out" 2> "$T/err" &
	pid=$!
	sleep 1
	kubectl patch -n "$NS" widgets.example.com a --subresource=status --type=merge \
		-p '{"status":{"observedGeneration":1,"conditions":[{"type":"Ready","status":"True"}]}}' >/dev/null
	kubectl patch -n "$NS" externalsecrets.external-secrets.io db --subresource=status --type=merge \
		-p '{"status":{"conditions":[{"type":"Ready","status":"True","reason":"SecretSynced"}]}}' >/dev/null
	wait "$pid"
	# A Stalled one fails; an ExternalSecret that cannot sync fails.
	kubectl patch -n "$NS" widgets.example.com a --subresource=status --type=merge \
		-p '{"status":{"conditions":[{"type":"Stalled","status":"True","reason":"InvalidSpec","message":"size must be positive"}]}}' >/dev/null
	kubectl patch -n "$NS" externalsecrets.external-secrets.io db --subresource=status --type=merge \
		-p '{"status":{"conditions":[{"type":"Ready","status":"False","reason":"SecretSyncedError","message":"could not get secret data from provider"}]}}' >/dev/null
	# One object per run: the wait ends at the first failure it sees.
	awk '/^---/ { exit } { print }' "$T/widgets.yaml" > "$T/widget.yaml"
	awk 'f { print } /^---/ { f = 1 }' "$T/widgets.yaml" > "$T/es.yaml"
	run -1 --separate-stderr 9c-wait -n "$NS" -t 60s "$T/widget.yaml"
	assert_equal "$stderr" "9c-wait: widget/a: Stalled=True: InvalidSpec: size must be positive"
	run -1 --separate-stderr 9c-wait -n "$NS" -t 60s "$T/es.yaml"
	assert_equal "$stderr" "9c-wait: externalsecret/db: Ready=False: SecretSyncedError: could not get secret data from provider"
}

@test "a custom resource that never gets a status is ready after the grace period, with a note" {
	apply widget-nostatus.yaml
	run -0 --separate-stderr 9c-wait -n "$NS" -g 1s -t 60s "$T/widget-nostatus.yaml"
	assert_equal "$stderr" "9c-wait: widget/quiet: ready (no status after 1s: taken as ready)"
}

@test "an Argo CD Application is ready once Synced and Healthy at its revision with no operation running" {
	apply application.yaml
	# Argo CD's Application CRD has no status subresource: status is
	# written through the object itself, as the controller does.
	st='{"status":{"sync":{"status":"Synced","revision":"0123456789abcdef0123456789abcdef01234567"},"health":{"status":"Healthy"},"operationState":{"operation":{"sync":{"revision":"0123456789abcdef0123456789abcdef01234567"}},"startedAt":"2026-11-28T03:00:00Z","phase":"Running","message":"waiting for healthy state"}}}'
	kubectl patch -n "$NS" applications.argoproj.io guestbook --type=merge -p "$st" >/dev/null
	9c-wait -n "$NS" -t 60s "$T/application.yaml" > "$T/out" 2> "$T/err" &
	pid=$!
	sleep 1
	kill -0 "$pid"
	kubectl patch -n "$NS" applications.argoproj.io guestbook --type=merge \
		-p '{"status":{"operationState":{"phase":"Succeeded","message":"successfully synced"}}}' >/dev/null
	wait "$pid"
	assert_equal "$(cat "$T/err")" "9c-wait: application/guestbook: ready"
	# Pinned to another commit: not ready until that revision is synced.
	kubectl patch -n "$NS" applications.argoproj.io guestbook --type=merge \
		-p '{"spec":{"source":{"targetRevision":"89abcdef0123456789abcdef0123456789abcdef"}}}' >/dev/null
	kubectl get -n "$NS" applications.argoproj.io guestbook -o yaml > "$T/app.yaml"
	run -5 --separate-stderr 9c-wait -n "$NS" -t 1s "$T/app.yaml"
	assert_equal "${stderr##*$'\n'}" "9c-wait: application/guestbook: revision 89abcdef0123456789abcdef0123456789abcdef not synced (at 0123456789abcdef0123456789abcdef01234567)"
}

@test "a paused Deployment is ready as configured, and says so" {
	apply paused.yaml
	run -0 --separate-stderr 9c-wait -n "$NS" -t 60s "$T/paused.yaml"
	assert_equal "$stderr" "9c-wait: deployment/held: ready (paused: ready as configured (0/2 updated, 0 ready))"
}

@test "--for delete waits until the objects are gone" {
	apply widgets.yaml
	9c-wait --for delete -n "$NS" -t 60s "$T/widgets.yaml" > "$T/out" 2> "$T/err" &
	pid=$!
	sleep 1
	kill -0 "$pid"
	kubectl delete -n "$NS" -f "$T/widgets.yaml" --wait=false >/dev/null
	wait "$pid"
	assert_equal "$(cat "$T/out")" ""
	assert_equal "$(sort "$T/err")" "$(printf '%s\n' "9c-wait: externalsecret/db: deleted" "9c-wait: widget/a: deleted")"
}

@test "an API server restart in the middle of a wait is survived" {
	apply widgets.yaml
	9c-wait -q -n "$NS" -g 1h -t 120s -o json "$T/widgets.yaml" > "$T/out" 2> "$T/err" &
	pid=$!
	sleep 1
	"$NINEC_LOCAL" -n "$NINEC_CLUSTER" stop-apiserver >/dev/null 2>&1
	sleep 2
	kill -0 "$pid"
	"$NINEC_LOCAL" -n "$NINEC_CLUSTER" start-apiserver >/dev/null 2>&1
	kubectl patch -n "$NS" widgets.example.com a --subresource=status --type=merge \
		-p '{"status":{"observedGeneration":1,"conditions":[{"type":"Ready","status":"True"}]}}' >/dev/null
	kubectl patch -n "$NS" externalsecrets.external-secrets.io db --subresource=status --type=merge \
		-p '{"status":{"conditions":[{"type":"Ready","status":"True","reason":"SecretSynced"}]}}' >/dev/null
	wait "$pid"
	assert_equal "$(cat "$T/err")" ""
	assert_equal "$(jq -r '.status.conditions[0].status' "$T/out" | sort -u)" "True"
}

@test "9c-kapply piped into 9c-wait brings Argo CD up" {
	command -v 9c-kapply >/dev/null || skip "9c-kapply is not built"
	{ printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: argo-up\n---\n'
	  cat "$SHARED/corpus/argo-cd-install.yaml"; } > "$BATS_TEST_TMPDIR/argo.yaml"
	run -0 bash -c 'set -o pipefail; 9c-order "$1" | 9c-kapply -n argo-up | 9c-wait -q -t 180s -o json > "$2"' \
		- "$BATS_TEST_TMPDIR/argo.yaml" "$BATS_TEST_TMPDIR/out.json"
	run -0 jq -rs 'length' "$BATS_TEST_TMPDIR/out.json"
	assert_equal "$output" 60
	run -0 jq -rs 'map(select(.kind == "Deployment" or .kind == "StatefulSet") | "\(.metadata.name) \(.status.readyReplicas)") | join(",")' "$BATS_TEST_TMPDIR/out.json"
	refute_output --partial null
}

# rollout IMAGE FAULT: the rollout fixture for $NS into $T/rollout.yaml.
rollout() {
	T=$BATS_TEST_TMPDIR
	sed "s/@NS@/$NS/g; s|@IMAGE@|$1|; s/@FAULT@/$2/" "$(fixture wait/cluster/rollout.yaml)" > "$T/rollout.yaml"
}

@test "an image change rolls a StatefulSet, and the wait ends when the new revision is current on every replica" {
	rollout planetariumhq/ninechronicles-headless:v1 none
	9c-kapply -q "$T/rollout.yaml" | 9c-wait -q -t 60s >/dev/null
	old=$(kubectl get sts node -n "$NS" -o jsonpath='{.status.currentRevision}')
	rollout planetariumhq/ninechronicles-headless:v2 none
	run -0 --separate-stderr sh -c "9c-kapply -q -o json '$T/rollout.yaml' | 9c-wait -q -t 60s -o json"
	assert_equal "$stderr" ""
	run -0 jq -r '.status | [.observedGeneration, .replicas, .updatedReplicas, .readyReplicas, (.currentRevision == .updateRevision)] | map(tostring) | join(" ")' <<<"$output"
	assert_output "2 2 2 2 true"
	new=$(kubectl get sts node -n "$NS" -o jsonpath='{.status.currentRevision}')
	[ "$new" != "$old" ]
	run -0 kubectl get pods -n "$NS" -l app=node -o jsonpath='{range .items[*]}{.metadata.labels.controller-revision-hash} {.spec.containers[0].image}{"\n"}{end}'
	assert_output "$(printf '%s planetariumhq/ninechronicles-headless:v2\n%s planetariumhq/ninechronicles-headless:v2' "$new" "$new")"
}

@test "a new revision that crash-loops fails the wait at once, naming the Pod and its reason" {
	rollout planetariumhq/ninechronicles-headless:v1 none
	9c-kapply -q "$T/rollout.yaml" | 9c-wait -q -t 60s >/dev/null
	rollout planetariumhq/ninechronicles-headless:v2 crashloop
	start=$(date +%s)
	run -1 --separate-stderr sh -c "9c-kapply -q '$T/rollout.yaml' | 9c-wait -t 120s"
	[ $(($(date +%s) - start)) -lt 60 ]
	assert_equal "$output" ""
	assert_equal "$stderr" "9c-wait: $NS/statefulset/node: 1/2 ready, pod node-1: CrashLoopBackOff: back-off 2m40s restarting failed container=headless (container headless)"
}

@test "a claim bound later than the grace period is waited for, and reported as progress" {
	apply slow-bind.yaml
	run -0 --separate-stderr 9c-wait -n "$NS" -g 1s -t 60s "$T/slow-bind.yaml"
	assert_equal "$(printf '%s\n' "$stderr" | sed -n 1p)" "9c-wait: statefulset/slow: waiting: pod slow-0: Unschedulable: 0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. not found (volumes binding)"
	assert_equal "$(printf '%s\n' "$stderr" | sed -n '$p')" "9c-wait: statefulset/slow: ready"
	run -0 kubectl get pvc -n "$NS" data-slow-0 -o jsonpath='{.status.phase}'
	assert_output Bound
}

@test "a container that crashed once is still starting; past -c restarts its crash loop fails" {
	apply crash-once.yaml
	kubectl wait -n "$NS" --for=jsonpath='{.status.containerStatuses[0].state.waiting.reason}'=CrashLoopBackOff \
		pod -l app=starting --timeout=60s >/dev/null
	pod=$(podname app=starting)
	run -5 --separate-stderr 9c-wait -q -n "$NS" -t 3s "$T/crash-once.yaml"
	assert_equal "$stderr" "$(printf '%s\n' \
		"9c-wait: timed out after 3s: 1 of 1 objects not ready" \
		"9c-wait: deployment/starting: 0/1 ready, pod $pod: CrashLoopBackOff: back-off 10s restarting failed container=c (container c, restart 1 of 3)")"
	run -1 --separate-stderr 9c-wait -n "$NS" -c 1 -t 60s "$T/crash-once.yaml"
	assert_equal "$stderr" "9c-wait: deployment/starting: 0/1 ready, pod $pod: CrashLoopBackOff: back-off 10s restarting failed container=c (container c)"
}

@test "a missing Secret that an ExternalSecret in the stream creates is waited for, one nobody creates fails" {
	apply secret-in-stream.yaml
	run -5 --separate-stderr 9c-wait -q -n "$NS" -g 1s -t 3s "$T/secret-in-stream.yaml"
	assert_equal "$stderr" "$(printf '%s\n' \
		"9c-wait: timed out after 3s: 1 of 2 objects not ready" \
		"9c-wait: pod/app: CreateContainerConfigError: secret \"missing\" not found (container main, externalsecret/db in the stream creates it)")"
	sed -n '1,/^---/p' "$T/secret-in-stream.yaml" | sed '$d' > "$T/pod.yaml"
	run -1 --separate-stderr 9c-wait -n "$NS" -t 60s "$T/pod.yaml"
	assert_equal "$stderr" "9c-wait: pod/app: CreateContainerConfigError: secret \"missing\" not found (container main)"
}

@test "Insufficient resources with no autoscaler wait until the deadline, which names the reason" {
	apply insufficient.yaml
	run -5 --separate-stderr 9c-wait -q -n "$NS" -g 1s -t 4s "$T/insufficient.yaml"
	pod=$(podname app=big)
	assert_equal "$stderr" "$(printf '%s\n' \
		"9c-wait: timed out after 4s: 1 of 1 objects not ready" \
		"9c-wait: deployment/big: 0/1 ready, pod $pod: Unschedulable: 0/1 nodes are available: 1 Insufficient example.com/widget. no new claims to deallocate, preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling. (no cluster autoscaler)")"
	kubectl delete -n "$NS" -f "$T/insufficient.yaml" >/dev/null
}

@test "with the cluster autoscaler scaling up, an unschedulable Pod waits past the grace period for the new node" {
	apply insufficient.yaml
	kubectl create configmap -n kube-system cluster-autoscaler-status \
		--from-literal=status="$(printf 'Cluster-wide:\n  Health:      Healthy (ready=1 registered=1)\n  ScaleUp:     InProgress (ready=1 registered=1)\n  ScaleDown:   NoCandidates\n')" >/dev/null
	9c-wait -n "$NS" -g 1s -t 60s "$T/insufficient.yaml" > "$T/out" 2> "$T/err" &
	pid=$!
	sleep 3
	kill -0 "$pid"
	# The new node the autoscaler asked for, with the resource the Pod needs.
	kubectl create -f - >/dev/null <<-EOF
	{"apiVersion":"v1","kind":"Node","metadata":{"name":"kwok-scaled-$NS","annotations":{"kwok.x-k8s.io/node":"fake"},"labels":{"type":"kwok"}}}
	EOF
	kubectl wait --for=condition=Ready node/kwok-scaled-$NS --timeout=60s >/dev/null
	kubectl patch node "kwok-scaled-$NS" --subresource=status --type=merge \
		-p '{"status":{"capacity":{"example.com/widget":"8"},"allocatable":{"example.com/widget":"8"}}}' >/dev/null
	kubectl wait --for=jsonpath='{.status.allocatable.example\.com/widget}'=8 node/kwok-scaled-$NS --timeout=30s >/dev/null
	st=0
	wait "$pid" || st=$?
	kubectl delete configmap -n kube-system cluster-autoscaler-status >/dev/null
	kubectl delete node "kwok-scaled-$NS" >/dev/null
	pod=$(podname app=big)
	assert_equal "$st" 0
	# The scheduler says it again when the new node comes without the
	# resource; each new word is a line of progress.
	assert_equal "$(sed -n 1p "$T/err")" "9c-wait: deployment/big: waiting: pod $pod: Unschedulable: 0/1 nodes are available: 1 Insufficient example.com/widget. no new claims to deallocate, preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling. (cluster scaling up)"
	assert_equal "$(sed -n '$p' "$T/err")" "9c-wait: deployment/big: ready"
}
