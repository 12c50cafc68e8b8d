#!/usr/bin/env bats
# local-cluster.bats - pipelines/9c-local: a real control plane with fake nodes.

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load 'helpers/cluster'

KUBECTL=${KUBECTL:-/usr/bin/kubectl}

setup_file() {
	cluster_start
}

teardown_file() {
	# The extra clusters of the last tests, in case a test failed midway.
	"$NINEC_LOCAL" -n "${NINEC_CLUSTER:0:36}-two" down 2>/dev/null
	"$NINEC_LOCAL" -n "${NINEC_CLUSTER:0:36}-crash" down 2>/dev/null
	cluster_stop
}

k() { "$KUBECTL" --request-timeout=20s "$@"; }

# fresh_ns: a namespace of this test, once its default ServiceAccount exists.
fresh_ns() {
	ns=t-$BATS_TEST_NUMBER-$RANDOM
	k create namespace "$ns" >/dev/null
	for _ in $(seq 100); do
		k -n "$ns" get serviceaccount default >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# gone PID: no such process, or only a zombie waiting for init to reap it.
gone() {
	local st
	st=$(ps -o stat= -p "$1") || return 0
	[[ $st == Z* ]]
}

# listening PORT: something listens on PORT.
listening() { ss -Htln "sport = :$1" | grep -q .; }

@test "-h prints the usage on stdout with status 0" {
	run -0 --separate-stderr "$NINEC_LOCAL" -h
	assert_output 'usage: 9c-local [-h] [-a addon[,addon...]] [-n name] command'
	[ -z "$stderr" ]
}

@test "misuse prints the usage on stderr with status 2" {
	run -2 --separate-stderr "$NINEC_LOCAL"
	assert_output ''
	[ "$stderr" = 'usage: 9c-local [-h] [-a addon[,addon...]] [-n name] command' ]
	run -2 --separate-stderr "$NINEC_LOCAL" frobnicate
	[[ $stderr == *'9c-local: unknown command: frobnicate'* ]]
	run -2 --separate-stderr "$NINEC_LOCAL" -x up
	[ "$stderr" = $'9c-local: unknown option -x\nusage: 9c-local [-h] [-a addon[,addon...]] [-n name] command' ]
	run -2 --separate-stderr "$NINEC_LOCAL" -n
	[[ $stderr == *'9c-local: option -n needs an argument'* ]]
	run -2 "$NINEC_LOCAL" up extra
	run -2 --separate-stderr "$NINEC_LOCAL" -n 'Bad/Name' status
	[[ $stderr == *'9c-local: invalid cluster name: Bad/Name'* ]]
}

@test "an unknown addon is a usage error: status 2, the known names, nothing started" {
	local name=${NINEC_CLUSTER:0:34}-addon
	usage='usage: 9c-local [-h] [-a addon[,addon...]] [-n name] command'
	run -2 --separate-stderr "$NINEC_LOCAL" -n "$name" -a external-secrets,frob up
	assert_output ''
	[ "$stderr" = $'9c-local: unknown addon: frob (known: external-secrets, argocd)\n'"$usage" ]
	[ ! -e "${XDG_RUNTIME_DIR:-/tmp}/9c-local-$name" ]
	NINEC_LOCAL_ADDONS=frob run -2 --separate-stderr "$NINEC_LOCAL" -n "$name" build
	assert_output ''
	[ "$stderr" = $'9c-local: unknown addon: frob (known: external-secrets, argocd)\n'"$usage" ]
}

@test "the usage is the SYNOPSIS of the man page" {
	command -v mandoc >/dev/null || skip "mandoc not installed"
	man=$BATS_TEST_DIRNAME/../man/man1/9c-local.1
	syn=$(mandoc -Tascii "$man" | col -b | awk '/^SYNOPSIS/ { f = 1; next } /^[A-Z]/ { f = 0 } f && NF' | sed 's/^ *//')
	run -0 "$NINEC_LOCAL" -h
	assert_output "usage: $syn"
}

@test "a status of a cluster that is not up fails" {
	run -1 --separate-stderr "$NINEC_LOCAL" -n bats-never-started status
	[ "$stderr" = "9c-local: cluster 'bats-never-started' is not up" ]
	run -1 "$NINEC_LOCAL" -n bats-never-started kubeconfig
	run -0 "$NINEC_LOCAL" -n bats-never-started down
}

@test "kubectl get nodes shows a Ready fake node" {
	run -0 k get nodes --no-headers
	assert_output --regexp '^kwok-node-0 +Ready '
	run -0 k get node kwok-node-0 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}'
	assert_output True
	run -0 k get node kwok-node-0 -o jsonpath='{.spec.taints}'
	assert_output ''
}

@test "the server is the pinned upstream kube-apiserver" {
	run -0 k get --raw /version
	assert_output --partial '"gitVersion": "v1.36.3"'
}

@test "status reports every component and the API" {
	run -0 "$NINEC_LOCAL" status
	for c in etcd kube-apiserver kube-controller-manager kube-scheduler kwok; do
		assert_line --regexp "^$c: running \\(pid [0-9]+\\)$"
	done
	assert_line 'api: ready'
	assert_line 'node: kwok-node-0 Ready'
	run -0 "$NINEC_LOCAL" kubeconfig
	assert_output "$KUBECONFIG"
}

@test "TLS: the serving certificate is signed by the cluster CA for 127.0.0.1 and localhost" {
	port=${NINEC_LOCAL_SERVER##*:}
	run -0 curl -fsS --cacert "$NINEC_LOCAL_CA" "$NINEC_LOCAL_SERVER/readyz"
	assert_output ok
	run -0 curl -fsS --cacert "$NINEC_LOCAL_CA" --connect-to "localhost:$port:127.0.0.1:$port" \
		"https://localhost:$port/readyz"
	# Without the CA the certificate is not trusted.
	run -60 curl -fsS "$NINEC_LOCAL_SERVER/readyz"
}

@test "everything listens on 127.0.0.1 only: the API server and etcd" {
	pids=$(cut -d' ' -f1 "$NINEC_LOCAL_STATE"/pids/*)
	run -0 ss -Htlnp
	socks=$(printf '%s\n' "$output" | grep -E "pid=($(printf '%s\n' $pids | paste -sd'|')),")
	[ -n "$socks" ]
	# shellcheck disable=SC1091
	. "$NINEC_LOCAL_STATE/ports"
	run -0 awk '{ print $4 }' <<<"$socks"
	assert_equal "$(sort <<<"$output")" "$(printf '127.0.0.1:%s\n' "$api_port" "$etcd_port" "$peer_port" | sort)"
}

@test "files are private" {
	run -0 stat -c '%a' "$NINEC_LOCAL_STATE" "$NINEC_LOCAL_STATE/pki/ca.key" "$NINEC_LOCAL_STATE/token" "$KUBECONFIG"
	assert_output $'700\n600\n600\n600'
}

@test "the token kubeconfig authenticates; RBAC denies the user without roles" {
	run -0 k --kubeconfig "$NINEC_LOCAL_TOKEN_KUBECONFIG" auth whoami -o jsonpath='{.status.userInfo.username}'
	assert_output 9c-admin
	run -0 curl -fsS --cacert "$NINEC_LOCAL_CA" -H "Authorization: Bearer $NINEC_LOCAL_TOKEN" \
		"$NINEC_LOCAL_SERVER/api/v1/namespaces/default"
	run -1 k --kubeconfig "$NINEC_LOCAL_STATE/kubeconfig-user" get secrets -n kube-system
	assert_output --partial Forbidden
	run -1 k --kubeconfig "$NINEC_LOCAL_STATE/kubeconfig-token" --token=wrong get ns
	assert_output --partial Unauthorized
}

@test "a Deployment becomes Available" {
	fresh_ns
	run -0 k -n "$ns" create deployment web --image=registry.invalid/web:1 --replicas=3
	run -0 k -n "$ns" wait --for=condition=Available deployment/web --timeout=60s
	run -0 k -n "$ns" get deployment web -o jsonpath='{.status.readyReplicas}'
	assert_output 3
	run -0 k -n "$ns" get pods -o jsonpath='{range .items[*]}{.status.phase} {.status.podIP}{"\n"}{end}'
	assert_line --regexp '^Running 10\.244\.[0-9]+\.[0-9]+$'
	refute_line --regexp '^Pending'
}

@test "a StatefulSet with a volume claim template rolls out and its claims are Bound" {
	fresh_ns
	k apply -f - >/dev/null <<-'EOF'
	apiVersion: storage.k8s.io/v1
	kind: StorageClass
	metadata: {name: bats-gp3}
	provisioner: ebs.csi.aws.com
	volumeBindingMode: WaitForFirstConsumer
	EOF
	k -n "$ns" apply -f - <<-'EOF'
	apiVersion: v1
	kind: Service
	metadata: {name: db}
	spec: {clusterIP: None, selector: {app: db}, ports: [{port: 5432}]}
	---
	apiVersion: apps/v1
	kind: StatefulSet
	metadata: {name: db}
	spec:
	  serviceName: db
	  replicas: 2
	  selector: {matchLabels: {app: db}}
	  template:
	    metadata: {labels: {app: db}}
	    spec: {containers: [{name: db, image: registry.invalid/db:1, volumeMounts: [{name: data, mountPath: /data}]}]}
	  volumeClaimTemplates:
	  - metadata: {name: data}
	    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
	---
	apiVersion: apps/v1
	kind: StatefulSet
	metadata: {name: gp}
	spec:
	  serviceName: db
	  replicas: 1
	  selector: {matchLabels: {app: gp}}
	  template:
	    metadata: {labels: {app: gp}}
	    spec: {containers: [{name: gp, image: registry.invalid/gp:1, volumeMounts: [{name: data, mountPath: /data}]}]}
	  volumeClaimTemplates:
	  - metadata: {name: data}
	    spec: {storageClassName: bats-gp3, accessModes: [ReadWriteOnce], resources: {requests: {storage: 2Gi}}}
	EOF
	run -0 k -n "$ns" rollout status statefulset/db --timeout=60s
	run -0 k -n "$ns" rollout status statefulset/gp --timeout=60s
	run -0 k -n "$ns" get pvc -o jsonpath='{range .items[*]}{.metadata.name} {.status.phase} {.spec.storageClassName}{"\n"}{end}'
	assert_line 'data-db-0 Bound kwok-volume'
	assert_line 'data-db-1 Bound kwok-volume'
	assert_line 'data-gp-0 Bound bats-gp3'
	vol=$(k -n "$ns" get pvc data-db-0 -o jsonpath='{.spec.volumeName}')
	run -0 k get pv "$vol" -o jsonpath='{.status.phase} {.spec.claimRef.name}'
	assert_output 'Bound data-db-0'
	k delete storageclass bats-gp3 >/dev/null
}

@test "a Job completes" {
	fresh_ns
	run -0 k -n "$ns" create job once --image=registry.invalid/once:1
	run -0 k -n "$ns" wait --for=condition=Complete job/once --timeout=60s
	run -0 k -n "$ns" get pods -l job-name=once -o jsonpath='{.items[0].status.phase}'
	assert_output Succeeded
}

@test "a LoadBalancer Service gets an ELB-shaped hostname derived from its uid" {
	fresh_ns
	run -0 k -n "$ns" create service loadbalancer lb --tcp=80:8080
	for _ in $(seq 100); do
		host=$(k -n "$ns" get svc lb -o jsonpath='{.status.loadBalancer.ingress[0].hostname}')
		[ -n "$host" ] && break
		sleep 0.2
	done
	[[ $host =~ ^a[0-9a-f]{32}-[0-9]{10}\.us-east-2\.elb\.amazonaws\.com$ ]]
	uid=$(k -n "$ns" get svc lb -o jsonpath='{.metadata.uid}')
	want=a$(printf '%s' "$uid" | tr -d -)
	[ "${host%%-*}" = "${want:0:33}" ]
	# A ClusterIP Service gets none.
	run -0 k -n "$ns" create service clusterip plain --tcp=80:8080
	sleep 1
	run -0 k -n "$ns" get svc plain -o jsonpath='{.status.loadBalancer}'
	assert_output '{}'
}

@test "a namespace deletion finishes" {
	fresh_ns
	k -n "$ns" create deployment web --image=registry.invalid/web:1 --replicas=2 >/dev/null
	k -n "$ns" create job once --image=registry.invalid/once:1 >/dev/null
	k -n "$ns" create configmap c --from-literal=a=b >/dev/null
	run -0 k -n "$ns" wait --for=condition=Available deployment/web --timeout=60s
	run -0 k delete namespace "$ns" --wait=true --timeout=90s
	run -1 k get namespace "$ns"
	assert_output --partial NotFound
}

@test "a second up of a running cluster is refused and leaves it intact" {
	before=$(cat "$NINEC_LOCAL_STATE"/pids/*)
	run -1 --separate-stderr "$NINEC_LOCAL" up
	[ "$stderr" = "9c-local: cluster '$NINEC_CLUSTER' is already up (9c-local -n $NINEC_CLUSTER down stops it)" ]
	assert_output ''
	[ "$(cat "$NINEC_LOCAL_STATE"/pids/*)" = "$before" ]
	run -0 "$NINEC_LOCAL" status
	run -0 k get nodes
}

@test "restart-apiserver restarts only the API server and clients reconnect" {
	old=$(cut -d' ' -f1 "$NINEC_LOCAL_STATE/pids/kube-apiserver")
	kcm=$(cat "$NINEC_LOCAL_STATE/pids/kube-controller-manager")
	run -0 "$NINEC_LOCAL" stop-apiserver
	run -1 k get nodes
	run -1 "$NINEC_LOCAL" status
	assert_line 'kube-apiserver: stopped'
	run -0 "$NINEC_LOCAL" start-apiserver
	new=$(cut -d' ' -f1 "$NINEC_LOCAL_STATE/pids/kube-apiserver")
	[ "$old" != "$new" ]
	gone "$old"
	[ "$(cat "$NINEC_LOCAL_STATE/pids/kube-controller-manager")" = "$kcm" ]
	run -0 "$NINEC_LOCAL" restart-apiserver
	run -0 "$NINEC_LOCAL" status
	# Controllers and kwok still work after the restarts.
	fresh_ns
	run -0 k -n "$ns" create deployment after --image=registry.invalid/web:1
	run -0 k -n "$ns" wait --for=condition=Available deployment/after --timeout=90s
}

@test "two clusters run side by side; down leaves no process and no listener" {
	other=${NINEC_CLUSTER:0:36}-two
	"$NINEC_LOCAL" -n "$other" down
	# Two concurrent ups of one name: one starts the cluster, one is refused.
	"$NINEC_LOCAL" -n "$other" up >"$BATS_TEST_TMPDIR/up1" 2>"$BATS_TEST_TMPDIR/err1" &
	p1=$!
	"$NINEC_LOCAL" -n "$other" up >"$BATS_TEST_TMPDIR/up2" 2>"$BATS_TEST_TMPDIR/err2" &
	p2=$!
	s1=0 s2=0
	wait "$p1" || s1=$?
	wait "$p2" || s2=$?
	assert_equal "$(printf '%s\n' "$s1" "$s2" | sort | paste -sd' ')" '0 1'
	kc2=$(cat "$BATS_TEST_TMPDIR/up1" "$BATS_TEST_TMPDIR/up2")
	run -0 cat "$BATS_TEST_TMPDIR/err1" "$BATS_TEST_TMPDIR/err2"
	assert_line --regexp "^9c-local: cluster '$other' is (already up|being started)"
	[ "$kc2" = "${XDG_RUNTIME_DIR:-/tmp}/9c-local-$other/kubeconfig" ]
	state2=${kc2%/kubeconfig}
	# shellcheck disable=SC1091
	. "$state2/ports"
	[ "$api_port" != "${NINEC_LOCAL_SERVER##*:}" ]
	pids=$(cut -d' ' -f1 "$state2"/pids/*)
	[ "$(printf '%s\n' "$pids" | wc -l)" -eq 5 ]
	run -0 "$KUBECTL" --kubeconfig "$kc2" get node kwok-node-0 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}'
	assert_output True
	# Distinct clusters: an object in one is not in the other.
	k create namespace only-in-first >/dev/null
	run -1 "$KUBECTL" --kubeconfig "$kc2" get namespace only-in-first
	k delete namespace only-in-first --wait=false >/dev/null
	for p in $pids; do kill -0 "$p"; done
	for p in $api_port $etcd_port $peer_port; do listening "$p"; done

	run -0 "$NINEC_LOCAL" -n "$other" down
	for p in $pids; do
		gone "$p"
	done
	for p in $api_port $etcd_port $peer_port; do
		run -1 listening "$p"
	done
	[ ! -e "$state2" ]
	run -0 find /dev/shm -maxdepth 1 -name "9c-local-$other.*"
	assert_output ''
	run -0 "$NINEC_LOCAL" -n "$other" down
	# The first cluster is untouched.
	run -0 "$NINEC_LOCAL" status
	run -0 k get nodes
}

@test "up after a crash removes the stale state and starts afresh" {
	other=${NINEC_CLUSTER:0:36}-crash
	run -0 --separate-stderr "$NINEC_LOCAL" -n "$other" up
	state=${output%/kubeconfig}
	old=$(cut -d' ' -f1 "$state"/pids/*)
	kill -KILL $old
	run -1 "$NINEC_LOCAL" -n "$other" status
	assert_line 'etcd: stopped'
	assert_line 'api: not ready'
	run -0 --separate-stderr "$NINEC_LOCAL" -n "$other" up
	[[ $stderr == *"9c-local: removing stale state of cluster '$other'"* ]]
	run -0 "$KUBECTL" --kubeconfig "$state/kubeconfig" get node kwok-node-0
	run -0 "$NINEC_LOCAL" -n "$other" down
	[ ! -e "$state" ]
}

@test "a component that fails to start: status 1, its log, nothing left behind" {
	real=$(sed -n "s|^exec '\\([^']*\\)/etcd'.*|\\1|p" "$NINEC_LOCAL_STATE/run/etcd")
	fake=$BATS_TEST_TMPDIR/fake
	mkdir -p "$fake/bin" "$fake/share"
	for b in etcd kube-controller-manager kube-scheduler kwok; do ln -s "$real/$b" "$fake/bin/$b"; done
	cp "$real/../share/kwok-stages.yaml" "$fake/share/"
	printf '#!/bin/sh\necho "kube-apiserver: refusing to start" >&2\nexit 3\n' >"$fake/bin/kube-apiserver"
	chmod +x "$fake/bin/kube-apiserver"
	other=${NINEC_CLUSTER:0:36}-fail
	NINEC_LOCAL_BIN=$fake/bin run -1 --separate-stderr "$NINEC_LOCAL" -n "$other" up
	assert_output ''
	[[ $stderr == *'9c-local: kube-apiserver exited while waiting for kube-apiserver'* ]]
	[[ $stderr == *'kube-apiserver: refusing to start'* ]]
	[[ $stderr == *'9c-local: kube-apiserver did not become ready'* ]]
	[ ! -e "${XDG_RUNTIME_DIR:-/tmp}/9c-local-$other" ]
	run -0 find /dev/shm -maxdepth 1 -name "9c-local-$other.*"
	assert_output ''
	run -1 "$NINEC_LOCAL" -n "$other" status
}
