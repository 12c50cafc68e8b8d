# Hostile input (issue 20): each class of input a careless or hostile user
# gives, refused with one clear line, the right status, and nothing done.
# shellcheck disable=SC2016 # specs and templates hold literal ${...}
load helpers/common

CORPUS_ARGO=$SHARED/corpus/argo-cd-install.yaml

setup() {
	cd "$NINEC_ROOT" || return 1
	T=$BATS_TEST_TMPDIR
	SRV_PID= TRAP_PID=
}

# A failed assertion must not leave a server behind.
teardown() {
	local p
	for p in $SRV_PID $TRAP_PID; do
		kill "$p" 2>/dev/null || true
	done
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

# --- 1: a region that smuggles a host ---------------------------------

# listener_start: a TCP listener on a free loopback port ($TRAP_PORT) that
# writes one line to $T/accepts per connection, so a test can show that
# nothing connected to it.
listener_start() {
	: >"$T/accepts"
	TRAP_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
while True:
    c, _ = s.accept(); open(sys.argv[2], "a").write("accepted\n"); c.close()
' "$TRAP_PORT" "$T/accepts" 3>&- &
	TRAP_PID=$!
	sleep 0.3
}

listener_stop() {
	kill "$TRAP_PID" 2>/dev/null || true
	wait "$TRAP_PID" 2>/dev/null || true
	assert_equal "$(cat "$T/accepts")" ""
}

aws_env() {
	export AWS_ACCESS_KEY_ID=AKIDHOSTILE AWS_SECRET_ACCESS_KEY=hostile-secret-access-key-0123456789
	unset AWS_REGION AWS_DEFAULT_REGION AWS_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_SECRETS_MANAGER
	export AWS_CONFIG_FILE=$T/none AWS_SHARED_CREDENTIALS_FILE=$T/none
}

@test "a region with a host in it never reaches a URL: spec, -r and the environment" {
	aws_env
	listener_start
	bad="x@127.0.0.1:$TRAP_PORT/"
	9c-secrets keygen -n 9c-local -c seed=1,miner=1 -w "$T/keys.yaml"
	spec_with "s|^name: 9c-local|name: 9c-local\naws:\n  region: \"$bad\"\n  accountId: \"838612679705\"|"
	run -3 --separate-stderr 9c-secrets push -s "$T/s.yaml" "$T/keys.yaml"
	assert_equal "$stderr" "9c-secrets: $T/s.yaml: aws.region: '$bad' is not an AWS region like us-east-2"
	run -3 --separate-stderr 9c-secrets push -n 9c-local -r "$bad" "$T/keys.yaml"
	assert_equal "$stderr" "9c-secrets: region '$bad' is not an AWS region like us-east-2"
	AWS_REGION=$bad run -3 --separate-stderr 9c-secrets pull -n 9c-local
	assert_equal "$stderr" "9c-secrets: region '$bad' is not an AWS region like us-east-2"
	for r in "us-east-2.evil.com/" "us-east-2#" "US-EAST-2" "us-east-" "u-east-1" "us-east-2 " "us-east-123"; do
		run -3 --separate-stderr 9c-secrets pull -n 9c-local -r "$r"
		assert_equal "$stderr" "9c-secrets: region '$r' is not an AWS region like us-east-2"
	done
	run -3 --separate-stderr 9c-secrets external -n 9c-local -c seed=1,miner=1 -r "$bad"
	assert_equal "$stderr" "9c-secrets: external: region '$bad' is not an AWS region like us-east-2"
	assert_equal "$output" ""
	listener_stop
}

@test "9c-tfvars and 9c-render refuse a region or account that is not of its shape" {
	sed 's|^  region: us-east-2|  region: "x@127.0.0.1:1/"|' share/examples/eks.yaml >"$T/s.yaml"
	run -3 --separate-stderr 9c-tfvars "$T/s.yaml"
	assert_equal "$stderr" "9c-tfvars: $T/s.yaml:10:11: aws.region: 'x@127.0.0.1:1/' is not an AWS region like us-east-2"
	assert_equal "$output" ""
	run -3 --separate-stderr 9c-render network "$T/s.yaml"
	assert_equal "$stderr" "9c-render: $T/s.yaml:10:11: aws.region: 'x@127.0.0.1:1/' is not an AWS region like us-east-2"
	sed 's|^  accountId: "838612679705"|  accountId: "838612679705:role/x"|' share/examples/eks.yaml >"$T/s.yaml"
	run -3 --separate-stderr 9c-render bootstrap "$T/s.yaml" -m "$CORPUS_ARGO"
	assert_equal "$stderr" "9c-render: $T/s.yaml:11:14: aws.accountId: '838612679705:role/x' is not a 12-digit AWS account ID"
	assert_equal "$output" ""
}

@test "ARNs in the spec have the shape of an ARN" {
	spec_with 's|^  source: secret|  source: aws\n  aws:\n    region: us-east-2\n    roleArn: "arn:aws:iam::1@evil/x"|'
	run -3 --separate-stderr 9c-render network "$T/s.yaml"
	assert_equal "$stderr" "9c-render: $T/s.yaml:53:14: keys.aws.roleArn: 'arn:aws:iam::1@evil/x' is not an ARN like arn:aws:acm:us-east-2:123456789012:certificate/NAME"
}

@test "an endpoint with credentials in it is refused, and they are not printed" {
	aws_env
	AWS_ENDPOINT_URL='http://user:endpoint-pass-42@127.0.0.1:1/' run -3 --separate-stderr 9c-secrets pull -n 9c-local -r us-east-2
	assert_equal "$stderr" "9c-secrets: endpoint 'http://***@127.0.0.1:1/' is not an http or https URL with a host, port and path only"
	AWS_ENDPOINT_URL='http://127.0.0.1:1/?x=1' run -3 --separate-stderr 9c-secrets pull -n 9c-local -r us-east-2
	assert_equal "$stderr" "9c-secrets: endpoint 'http://127.0.0.1:1/?x=1' is not an http or https URL with a host, port and path only"
	AWS_ENDPOINT_URL='ftp://127.0.0.1:1/' run -3 --separate-stderr 9c-secrets pull -n 9c-local -r us-east-2
	assert_equal "$stderr" "9c-secrets: endpoint 'ftp://127.0.0.1:1/' is not an http or https URL with a host, port and path only"
}

# --- servers that misbehave (tests/hostile/server.py) -------------------

TOKEN=hostile-bearer-token-0123456789abcdef

# server_start MODE [SIZE]: the server on a free loopback port, $SRV_PORT.
server_start() {
	python3 "$NINEC_ROOT/tests/hostile/server.py" "$@" >"$T/srv.port" 2>"$T/srv.log" 3>&- &
	SRV_PID=$!
	local i
	for i in $(seq 50); do
		[ -s "$T/srv.port" ] && break
		sleep 0.1
	done
	SRV_PORT=$(cat "$T/srv.port")
	[ -n "$SRV_PORT" ] || fail "server did not start"
}

server_stop() {
	kill "$SRV_PID" 2>/dev/null || true
	wait "$SRV_PID" 2>/dev/null || true
}

# kubeconfig_for USER-YAML: $T/kc, a kubeconfig for the server with that user.
kubeconfig_for() {
	cat >"$T/kc" <<-KC
	apiVersion: v1
	kind: Config
	clusters:
	- name: c
	  cluster:
	    server: http://127.0.0.1:$SRV_PORT
	users:
	- name: u
	  user:
	$1
	contexts:
	- name: x
	  context: {cluster: c, user: u}
	current-context: x
	KC
}

cm() {
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: default\n' >"$T/cm.yaml"
}

# --- 5: deadlines that do not hold ---------------------------------------

# elapsed CMD...: runs CMD via bats' run, $ELAPSED the whole seconds it took.
timed_run() {
	local t0=$SECONDS
	run "$@"
	ELAPSED=$((SECONDS - t0))
}

@test "-t holds against a server that accepts and never answers" {
	server_start hold
	kubeconfig_for "    token: $TOKEN"
	cm
	timed_run -5 --separate-stderr 9c-kapply --kubeconfig "$T/kc" -t 3 "$T/cm.yaml"
	assert_equal "$stderr" "9c-kapply: http://127.0.0.1:$SRV_PORT: discovery: no answer before the deadline"
	[ "$ELAPSED" -le 5 ] || fail "9c-kapply -t 3 ran ${ELAPSED}s"
	timed_run -5 --separate-stderr 9c-wait --kubeconfig "$T/kc" -t 3s "$T/cm.yaml"
	assert_equal "$stderr" "9c-wait: http://127.0.0.1:$SRV_PORT: discovery: no answer before the deadline"
	[ "$ELAPSED" -le 5 ] || fail "9c-wait -t 3s ran ${ELAPSED}s"
	assert_equal "$output" ""
	server_stop
}

@test "-t holds against an exec credential plugin that hangs, and ends the plugin" {
	server_start hold
	printf '#!/bin/sh\necho $$ >"%s/plugin.pid"\nsleep 1000\n' "$T" >"$T/plugin"
	chmod +x "$T/plugin"
	kubeconfig_for "$(printf '    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: %s' "$T/plugin")"
	cm
	timed_run -5 --separate-stderr 9c-kapply --kubeconfig "$T/kc" -t 2 "$T/cm.yaml"
	assert_equal "$stderr" "9c-kapply: exec plugin $T/plugin: no credential within 2s"
	[ "$ELAPSED" -le 4 ] || fail "9c-kapply -t 2 ran ${ELAPSED}s"
	! kill -0 "$(cat "$T/plugin.pid")" 2>/dev/null || fail "the plugin still runs"
	timed_run -5 --separate-stderr 9c-wait --kubeconfig "$T/kc" -t 2s "$T/cm.yaml"
	assert_equal "$stderr" "9c-wait: exec plugin $T/plugin: no credential within 2s"
	[ "$ELAPSED" -le 4 ] || fail "9c-wait -t 2s ran ${ELAPSED}s"
	! kill -0 "$(cat "$T/plugin.pid")" 2>/dev/null || fail "the plugin still runs"
	server_stop
}

# --- 2: secrets echoed ---------------------------------------------------

@test "a server that echoes the bearer token in a 401 or 403 does not get it printed" {
	cm
	for mode in echo401 echo403; do
		server_start "$mode"
		kubeconfig_for "    token: $TOKEN"
		run -4 --separate-stderr 9c-kapply --kubeconfig "$T/kc" -t 10 "$T/cm.yaml"
		if [ "$mode" = echo401 ]; then
			assert_equal "$stderr" "9c-kapply: http://127.0.0.1:$SRV_PORT: discovery: HTTP 401: denied: Authorization: Bearer ***"
		else
			assert_equal "$stderr" "9c-kapply: discovery: HTTP 403: denied: Authorization: Bearer ***"
		fi
		run -4 --separate-stderr 9c-wait --kubeconfig "$T/kc" -t 10s "$T/cm.yaml"
		[[ $stderr == *"Bearer ***" ]] || fail "$stderr"
		server_stop
	done
	# The same for a token from a file and from an exec plugin.
	server_start echo401
	printf '%s\n' "$TOKEN" >"$T/token"
	kubeconfig_for "    tokenFile: $T/token"
	run -4 --separate-stderr 9c-kapply --kubeconfig "$T/kc" -t 10 "$T/cm.yaml"
	assert_equal "$stderr" "9c-kapply: http://127.0.0.1:$SRV_PORT: discovery: HTTP 401: denied: Authorization: Bearer ***"
	printf '#!/bin/sh\nprintf %s\n' "'{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"$TOKEN\"}}'" >"$T/plugin"
	chmod +x "$T/plugin"
	kubeconfig_for "$(printf '    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: %s' "$T/plugin")"
	run -4 --separate-stderr 9c-wait --kubeconfig "$T/kc" -t 10s "$T/cm.yaml"
	assert_equal "$stderr" "9c-wait: http://127.0.0.1:$SRV_PORT: discovery: HTTP 401: denied: Authorization: Bearer ***"
	server_stop
}

@test "credentials in a server URL are refused and never printed" {
	SRV_PORT=1
	kubeconfig_for "    token: $TOKEN"
	sed -i 's|server: http://|server: http://admin:url-pass-0123456789@|' "$T/kc"
	cm
	run -3 --separate-stderr 9c-kapply --kubeconfig "$T/kc" "$T/cm.yaml"
	assert_equal "$stderr" "9c-kapply: server http://***@127.0.0.1:1: not an http or https URL with a host, port and path only"
	run -3 --separate-stderr 9c-wait --kubeconfig "$T/kc" "$T/cm.yaml"
	assert_equal "$stderr" "9c-wait: server http://***@127.0.0.1:1: not an http or https URL with a host, port and path only"
}

@test "a private key where a key name goes is not printed" {
	9c-secrets keygen -n t -c seed=1 -w "$T/k.yaml"
	p=$(sed -n 's/^  privateKey: "\{0,1\}\([0-9a-f]*\)"\{0,1\}$/\1/p' "$T/k.yaml")
	printf '{"seed-private-key-1":"%s","%s":"x"}\n' "$p" "$p" >"$T/flat.json"
	run -3 --separate-stderr 9c-secrets public "$T/flat.json"
	assert_equal "$stderr" "9c-secrets: $T/flat.json: document 1: key 2: not a node key name (seed-, miner- or validator-private-key-N, or apv-signer-private-key)"
	printf '{"0x%s":"x"}\n' "$(printf %s "$p" | tr a-f A-F)" >"$T/flat.json"
	run -3 --separate-stderr 9c-secrets public "$T/flat.json"
	assert_equal "$stderr" "9c-secrets: $T/flat.json: document 1: key 1: not a node key name (seed-, miner- or validator-private-key-N, or apv-signer-private-key)"
	assert_equal "$output" ""
}

# --- 13: messages --------------------------------------------------------

@test "a reply without a message names the HTTP reason once" {
	server_start nomsg404
	kubeconfig_for "    token: $TOKEN"
	cm
	run -1 --separate-stderr 9c-kapply --kubeconfig "$T/kc" -t 10 "$T/cm.yaml"
	assert_equal "$stderr" "9c-kapply: discovery: HTTP 404: Not Found"
	server_stop
}

@test "a reply over the size cap says so" {
	server_start big $((5 * 1024 * 1024))
	aws_env
	AWS_ENDPOINT_URL=http://127.0.0.1:$SRV_PORT AWS_MAX_ATTEMPTS=1 run -3 --separate-stderr 9c-secrets pull -n 9c-local -r us-east-2
	assert_equal "$stderr" "9c-secrets: 9c-local/private-keys: http://127.0.0.1:$SRV_PORT: GetSecretValue: the reply is larger than 4 MiB"
	server_stop
	server_start big $((65 * 1024 * 1024))
	kubeconfig_for "    token: $TOKEN"
	cm
	run -4 --separate-stderr 9c-kapply --kubeconfig "$T/kc" -t 20 "$T/cm.yaml"
	assert_equal "$stderr" "9c-kapply: http://127.0.0.1:$SRV_PORT: the reply is larger than 64 MiB"
	server_stop
}

# --- 3: control characters reach the terminal ---------------------------

@test "the escaping of quoted values: any bytes in, one printable line out" {
	cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -fsanitize=address,undefined \
		-I"$NINEC_ROOT/tools/lib" "$NINEC_ROOT/tests/hostile/escape-prop.c" "$NINEC_BIN/lib9c.a" \
		$(pkg-config --libs yaml-0.1 libcjson libcurl openssl) -lm -o "$T/escape-prop"
	run -0 "$T/escape-prop"
	assert_output "ok 265792"
}

@test "a spec value with terminal escapes or a forged line is escaped in the error" {
	spec_with 's|^name: 9c-local|name: "x\\e]0;pwned\\a"|'
	run -3 --separate-stderr 9c-render network "$T/s.yaml"
	assert_equal "$stderr" "9c-render: $T/s.yaml:7:7: name: 'x\\e]0;pwned\\x07' is not a DNS-1123 label (a-z, 0-9 and '-', at most 63)"
	spec_with 's|^name: 9c-local|name: "x\\n9c-tfvars: ok"|'
	run -3 --separate-stderr 9c-tfvars "$T/s.yaml"
	assert_equal "${#stderr_lines[@]}" 1
	run -3 --separate-stderr 9c-render network "$T/s.yaml"
	assert_equal "$stderr" "9c-render: $T/s.yaml:7:7: name: 'x\\n9c-tfvars: ok' is not a DNS-1123 label (a-z, 0-9 and '-', at most 63)"
	spec_with 's|^name: 9c-local|name: "\\u202Eevil\\x9b31m"|'
	run -3 --separate-stderr 9c-secrets keygen -s "$T/s.yaml"
	assert_equal "$stderr" "9c-secrets: $T/s.yaml: name: expected a DNS-1123 label"
	run -3 --separate-stderr 9c-render network "$T/s.yaml"
	assert_equal "$stderr" "9c-render: $T/s.yaml:7:7: name: '\\xe2\\x80\\xaeevil\\xc2\\x9b31m' is not a DNS-1123 label (a-z, 0-9 and '-', at most 63)"
}

@test "a file name and a stream key with control characters are escaped" {
	f=$T/$'bad\e[31mname\n.yaml'
	printf 'a: [\n' >"$f"
	run -3 --separate-stderr 9c-order "$f"
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "9c-order: $T/bad\\e[31mname\\n.yaml:"* ]] || fail "$stderr"
}

@test "9c-wait -L escapes what objects say about themselves" {
	printf '%s\n' 'apiVersion: apps/v1' 'kind: Deployment' 'metadata:' '  name: "d\e]0;x\a"' '  namespace: default' '  generation: 1' \
		'spec: {replicas: 1}' 'status:' '  observedGeneration: 1' '  conditions:' \
		'  - {type: Progressing, status: "False", reason: ProgressDeadlineExceeded, message: "stuck\n9c-wait: all ready\e[2J"}' >"$T/d.yaml"
	run -1 --separate-stderr 9c-wait -L "$T/d.yaml"
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == *'stuck\n9c-wait: all ready\e[2J'* ]] || fail "$stderr"
	[[ $stderr == *'d\e]0;x\x07'* ]] || fail "$stderr"
}

# --- 6: unbounded growth ------------------------------------------------

# patch_of TARGET-KIND TARGET-NAME OPS...: a Patch document in $T/p.yaml.
patch_of() {
	local kind=$1 name=$2
	shift 2
	printf 'apiVersion: 9c.planetarium.dev/v1alpha1\nkind: Patch\ntarget:\n  kind: %s\n  name: %s\njsonPatch:\n' "$kind" "$name" >"$T/p.yaml"
	printf '%s\n' "$@" >>"$T/p.yaml"
}

@test "a patch of copies that doubles the document stops at a limit" {
	local ops=() i
	for i in $(seq 40); do
		ops+=("- {op: copy, from: /spec, path: /spec/c$i}")
	done
	patch_of Service tcp-seed-1 "${ops[@]}"
	run -3 --separate-stderr 9c-render -S network share/examples/local.yaml -p "$T/p.yaml"
	assert_equal "$stderr" "9c-render: $T/p.yaml:22:3: document 1: jsonPatch: operation 16: the document would grow past 1000000 nodes"
	assert_equal "$output" ""
}

@test "counts whose product makes the output explode are refused" {
	spec_with 's|^    count: 1$|    count: 20000|'
	run -3 --separate-stderr 9c-render -P network "$T/s.yaml"
	assert_equal "$stderr" "9c-render: $T/s.yaml:25:12: network.seed.count: 20000 seeds for 40000 other nodes make 800000000 peer strings, more than 1000000"
	run -3 --separate-stderr 9c-tfvars "$T/s.yaml"
	assert_equal "$output" ""
}

# --- 9: validation gaps --------------------------------------------------

@test "patches that replace the object, drop what names it, or make two objects one are refused" {
	patch_of Service tcp-seed-1 '- {op: replace, path: "", value: {apiVersion: v1, kind: Secret, metadata: {name: x}}}'
	run -3 --separate-stderr 9c-render -S network share/examples/local.yaml -p "$T/p.yaml"
	assert_equal "$stderr" "9c-render: $T/p.yaml:1: document 1: jsonPatch: operation 1: replace of the whole object: patch its fields instead"
	patch_of Service tcp-seed-1 '- {op: remove, path: /kind}'
	run -3 --separate-stderr 9c-render -S network share/examples/local.yaml -p "$T/p.yaml"
	assert_equal "$stderr" "9c-render: $T/p.yaml:1: document 1: the patched Service tcp-seed-1 has no kind"
	patch_of Service tcp-seed-1 '- {op: replace, path: /metadata/name, value: ""}'
	run -3 --separate-stderr 9c-render -S network share/examples/local.yaml -p "$T/p.yaml"
	assert_equal "$stderr" "9c-render: $T/p.yaml:1: document 1: the patched Service tcp-seed-1 has no metadata.name"
	patch_of Service tcp-seed-1 '- {op: replace, path: /metadata/name, value: miner-1}'
	run -3 --separate-stderr 9c-render -S network share/examples/local.yaml -p "$T/p.yaml"
	assert_equal "$stderr" "9c-render: after the patches two objects are Service 9c-local/miner-1"
	assert_equal "$output" ""
}

@test "a network whose only block producer has no nodes is refused" {
	spec_with '/^  miner:/,/^  remoteHeadless:/s|^    count: 1$|    count: 0|'
	run -3 --separate-stderr 9c-render -P network "$T/s.yaml"
	assert_equal "$stderr" "9c-render: $T/s.yaml:31:12: network.miner.count: 0 miners: nothing would make blocks"
}

# --- 7: quadratic work ---------------------------------------------------

# configmaps N NS: N ConfigMaps (in namespace NS when not empty) and that
# Namespace, as one stream.
configmaps() {
	awk -v n="$1" -v ns="$2" 'BEGIN {
		if (ns != "") printf "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n", ns
		for (i = 0; i < n; i++) {
			printf "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%d\n", i
			if (ns != "") printf "  namespace: %s\n", ns
			printf "data:\n  a: b\n"
		}
	}'
}

# How the cost grows is measured in tests/bench/growth.sh, not timed here.
@test "9c-order puts 20,000 ConfigMaps of one namespace in one stage after it" {
	configmaps 20000 ns1 >"$T/ns.yaml"
	run -0 --separate-stderr timeout 60 9c-order -l "$T/ns.yaml"
	assert_output "$(printf '1\t1\tNamespace\n2\t20000\tConfigMap')"
}

@test "9c-order handles many CRDs and kapp change groups without quadratic work" {
	# 5,000 CRDs and their resources, 1,000 objects after 1,000 others.
	awk 'BEGIN {
		for (i = 0; i < 5000; i++) {
			printf "---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: k%d.x.io\nspec:\n  group: x.io\n  names: {kind: K%d}\n  scope: Cluster\n", i, i
			printf "---\napiVersion: x.io/v1\nkind: K%d\nmetadata:\n  name: a\n  namespace: ignored\n", i
		}
		for (i = 0; i < 1000; i++) {
			printf "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: g%d\n  namespace: default\n  annotations:\n    kapp.k14s.io/change-group: g\n    kapp.k14s.io/change-rule: upsert after upserting h\n", i
			printf "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: h%d\n  namespace: default\n  annotations:\n    kapp.k14s.io/change-group: h\n", i
		}
	}' >"$T/many.yaml"
	run -0 --separate-stderr timeout 60 9c-order -l "$T/many.yaml"
	assert_equal "$(printf '%s\n' "$output" | cut -f 1,2)" "$(printf '1\t6000\n2\t6000')"
	# Change groups can ask for n^2 dependencies: past a limit, refused.
	awk 'BEGIN {
		for (i = 0; i < 4000; i++) {
			printf "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: g%d\n  annotations:\n    kapp.k14s.io/change-group: g\n    kapp.k14s.io/change-rule: upsert after upserting h\n", i
			printf "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: h%d\n  annotations:\n    kapp.k14s.io/change-group: h\n", i
		}
	}' >"$T/many.yaml"
	run -3 --separate-stderr timeout 60 9c-order "$T/many.yaml"
	assert_equal "$stderr" "9c-order: more than 10000000 dependencies between the objects"
	assert_equal "$output" ""
}

@test "9c-order puts an object whose depends-on names 20,000 others after all of them" {
	awk 'BEGIN {
		printf "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: last\n  namespace: b\n  annotations:\n    config.kubernetes.io/depends-on: \""
		for (i = 1; i <= 20000; i++)
			printf "%s/namespaces/b/ConfigMap/cm-%d", (i > 1 ? "," : ""), i
		printf "\"\n"
		for (i = 1; i <= 20000; i++)
			printf "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n  namespace: b\n", i
	}' >"$T/deps.yaml"
	run -0 --separate-stderr timeout 120 9c-order -l "$T/deps.yaml"
	assert_equal "$output" "$(printf '1\t20000\tConfigMap\n2\t1\tConfigMap')"
}

@test "9c-tfvars checks 100,000 subnet IDs in linear time, and still finds a repeat" {
	awk '/^  subnetIds:/ { print; for (i = 0; i < 100000; i++) printf "  - subnet-%017x\n", i; skip = 1; next }
		skip && /^  - / { next } { skip = 0; print }' share/examples/eks.yaml >"$T/s.yaml"
	run -0 timeout 20 9c-tfvars "$T/s.yaml"
	sed -i 's/^  - subnet-0000000000001869f$/  - subnet-00000000000000007/' "$T/s.yaml"
	run -3 --separate-stderr timeout 20 9c-tfvars "$T/s.yaml"
	assert_equal "$stderr" "9c-tfvars: $T/s.yaml:100015:5: cluster.subnetIds[99999]: 'subnet-00000000000000007' is listed twice"
}

# --- 10: depends-on a Namespace from a cluster-scoped object ------------

@test "a cluster-scoped object that depends on a Namespace comes after it" {
	printf '%s\n' 'apiVersion: rbac.authorization.k8s.io/v1' 'kind: ClusterRole' 'metadata:' '  name: r' \
		'  annotations:' '    config.kubernetes.io/depends-on: /Namespace/ns1' '---' \
		'apiVersion: v1' 'kind: Namespace' 'metadata:' '  name: ns1' >"$T/dep.yaml"
	run -0 9c-order -l "$T/dep.yaml"
	assert_output "$(printf '1\t1\tNamespace\n2\t1\tClusterRole')"
	# Its own metadata.namespace still means nothing.
	printf '%s\n' 'apiVersion: rbac.authorization.k8s.io/v1' 'kind: ClusterRole' 'metadata:' '  name: r' '  namespace: ns1' '---' \
		'apiVersion: v1' 'kind: Namespace' 'metadata:' '  name: ns1' >"$T/dep.yaml"
	run -0 9c-order -l "$T/dep.yaml"
	assert_output "$(printf '1\t2\tClusterRole,Namespace')"
}

# --- 8: hosts ------------------------------------------------------------

@test "a host in the spec is a DNS name or an IP address" {
	for h in 'a,b,c' '' 'h:1' 'h/x' '-a.b' 'a..b' 'a b'; do
		spec_with "/^  seed:/a\\    hosts: [\"$h\"]"
		run -3 --separate-stderr 9c-render -P network "$T/s.yaml"
		assert_equal "$stderr" "9c-render: $T/s.yaml:25:13: network.seed.hosts[0]: '$h' is not a DNS name or an IP address"
	done
	for h in seed-1.example.com 203.0.113.7 2001:db8::1; do
		spec_with "/^  seed:/a\\    hosts: [\"$h\"]"
		run -0 9c-render -P network "$T/s.yaml" -k "$NINEC_ROOT/tests/fixtures/render/pubkeys-local.yaml" -a "$NINEC_ROOT/tests/fixtures/render/addresses.yaml"
	done
}

@test "an address from -a is a DNS name or an IP address" {
	sed 's/hostname: a1b2c3-1.us-east-2.elb.amazonaws.com/hostname: "h,1,2"/' tests/fixtures/render/addresses.yaml >"$T/a.yaml"
	run -3 --separate-stderr 9c-render network share/examples/local.yaml -k tests/fixtures/render/pubkeys-local.yaml -a "$T/a.yaml"
	assert_equal "$stderr" "9c-render: $T/a.yaml: document 1: status.loadBalancer.ingress[0]: 'h,1,2' is not a DNS name or an IP address"
	sed 's/ip: 203.0.113.7/ip: "203.0.113.7,31234 --x"/' tests/fixtures/render/addresses.yaml >"$T/a.yaml"
	run -3 --separate-stderr 9c-render network share/examples/local.yaml -k tests/fixtures/render/pubkeys-local.yaml -a "$T/a.yaml"
	assert_equal "$stderr" "9c-render: $T/a.yaml: document 2: status.loadBalancer.ingress[0]: '203.0.113.7,31234 --x' is not a DNS name or an IP address"
	assert_equal "$output" ""
}

# --- 1, 8: shapes of what is emitted: TURN URLs, genesis, repositories --

@test "an ICE server is turn:// or stun://, user:password@, a host and a port" {
	local v
	for v in turn://u:p@turn-us.planetarium.dev:3478 stun://stun.example.com:3478 'turn://u:p@[2001:db8::1]:3478' \
		'turn://0ed3e48007413e7c2e638f13ddd75ad272c6c507e081bd76a75e4b7adc86c9af:0apejou+ycZFfwtREeXFKdfLj2gCclKzz5ZJ49Cmy6I=@turn-us.planetarium.dev:3478'; do
		spec_with "/^  release:/a\\  iceServers: [\"$v\"]"
		run -0 9c-render -P network "$T/s.yaml" -a tests/fixtures/render/addresses.yaml
	done
	for v in turn:/u:Secr3t-pw-77@h:1 turn://u:Secr3t-pw-77@h turn://u:Secr3t-pw-77@h:1/x turn://u:Secr3t-pw-77@@h:1 \
		turn://:Secr3t-pw-77@h:1 turn://u:Secr3t-pw-77:x@h:1 turn://u:Secr3t-pw-77@h,x:1 http://u:Secr3t-pw-77@h:1 \
		turn://u:Secr3t-pw-77@h:0 turn://u:Secr3t-pw-77@h:65536 'turn://u:Secr3t-pw-77@h:1 --x' 'turn://u:Secr3t pw 77@h:1' ''; do
		spec_with "/^  release:/a\\  iceServers: [\"stun://ok.example.com:3478\", \"$v\"]"
		run -3 --separate-stderr 9c-render -P network "$T/s.yaml"
		assert_equal "$stderr" "9c-render: $T/s.yaml:18:46: network.iceServers[1]: not a TURN or STUN URL: turn:// or stun://, user:password@, a host and a port (not shown: it may hold a password)"
		assert_equal "$output" ""
	done
}

@test "a TURN password in the spec is on no stderr of 9c-render, whatever else is wrong" {
	local mode
	sed 's|^  genesisBlock: .*|&\n  iceServers: ["turn:/u:Secr3t-pw-77@h:1"]|' share/examples/eks.yaml >"$T/s.yaml"
	for mode in "-P network" "-S network" "apps" "bootstrap -m $CORPUS_ARGO"; do
		# shellcheck disable=SC2086 # the mode and its words
		run -3 --separate-stderr 9c-render $mode "$T/s.yaml"
		assert_equal "$stderr" "9c-render: $T/s.yaml:60:16: network.iceServers[0]: not a TURN or STUN URL: turn:// or stun://, user:password@, a host and a port (not shown: it may hold a password)"
		assert_equal "$output" ""
	done
	# One quoted in another message is masked as URL userinfo.
	spec_with 's|^    count: 1$|    count: 1\n    extraArgs: ["--bogus=turn://u:Secr3t-pw-77@h:1"]|'
	run -3 --separate-stderr 9c-render -P network "$T/s.yaml" -a tests/fixtures/render/addresses.yaml
	assert_equal "$stderr" "9c-render: $T/s.yaml:26:17: network.seed.extraArgs[0]: --bogus=turn://***@h:1: release 2022-pow's seed does not accept this option"
}

@test "genesisBlock is an http or https URL or an absolute path in the image" {
	local v
	for v in /data/genesis-block http://genesis.example.com:8080/g https://g; do
		spec_with "/^  release:/a\\  genesisBlock: \"$v\""
		9c-render -P -o json network "$T/s.yaml" -a tests/fixtures/render/addresses.yaml >"$T/out"
		run -0 jq -r 'select(.metadata.name == "miner-1" and .kind == "StatefulSet") | .spec.template.spec.containers[0].args[] | select(startswith("--genesis-block-path"))' "$T/out"
		assert_output "--genesis-block-path=$v"
	done
	for v in genesis-block ./g '/data/genesis block' /data/g,x 'https://h/g?x=1' 'https://h/g#x' file:///data/g ftp://h/g 'https://h:0/g' '/' ''; do
		spec_with "/^  release:/a\\  genesisBlock: \"$v\""
		run -3 --separate-stderr 9c-render -P network "$T/s.yaml"
		assert_equal "$stderr" "9c-render: $T/s.yaml:18:17: network.genesisBlock: '$v' is not an http or https URL (host, port and path only) or an absolute path"
		assert_equal "$output" ""
	done
	spec_with '/^  release:/a\  genesisBlock: "https://user:genesis-pw-9@h/g"'
	run -3 --separate-stderr 9c-render -P network "$T/s.yaml"
	assert_equal "$stderr" "9c-render: $T/s.yaml:18:17: network.genesisBlock: 'https://***@h/g' is not an http or https URL (host, port and path only) or an absolute path"
}

@test "repository URLs are what Argo CD takes, without credentials, and are never shown" {
	local v msg="not a repository URL like https://host/org/repo.git or git@host:org/repo.git, without credentials (not shown: it may hold them)"
	for v in https://github.com/planetarium/9c-infra.git git@github.com:planetarium/9c-infra.git \
		ssh://git@github.com/planetarium/9c-infra.git ssh://github.com:22/org/r oci://ghcr.io/org/charts registry-1.docker.io/bitnamicharts; do
		spec_with "s|^  repo: .*|  repo: \"$v\"|"
		run -0 9c-render -o json apps "$T/s.yaml"
		assert_line --partial "\"repoURL\":\"$v\""
	done
	for v in https://user:ghp-Tok3n-55@github.com/o/r.git ssh://git:ghp-Tok3n-55@github.com/o/r ghp-Tok3n-55:x@github.com:o/r \
		github.com o/r 'https://github.com/o/r.git?ref=x' 'git@github.com:-oProxyCommand=x' 'ext::sh -c x' file:///tmp/r \
		'https://github.com/o/r x' ''; do
		spec_with "s|^  repo: .*|  repo: \"$v\"|"
		run -3 --separate-stderr 9c-render apps "$T/s.yaml"
		assert_equal "$stderr" "9c-render: $T/s.yaml:52:9: gitops.repo: $msg"
		[[ $stderr != *Tok3n* ]] || fail "printed the token: $stderr"
		assert_equal "$output" ""
	done
	spec_with '/^  metricsServer:/a\    repoURL: "https://charts.example.com/x y"'
	run -3 --separate-stderr 9c-render bootstrap "$T/s.yaml" -m "$CORPUS_ARGO"
	assert_equal "$stderr" "9c-render: $T/s.yaml:14:14: bootstrap.metricsServer.repoURL: $msg"
	sed 's|^      url: https://github.com/planetarium/9c-infra$|      url: "https://x:ghp-Tok3n-55@github.com/planetarium"|' share/examples/eks.yaml >"$T/s.yaml"
	run -3 --separate-stderr 9c-render bootstrap "$T/s.yaml" -m "$CORPUS_ARGO"
	assert_equal "$stderr" "9c-render: $T/s.yaml:38:12: bootstrap.argocd.repository.url: $msg"
	assert_equal "$output" ""
}

@test "versions of Argo CD and the add-ons have the shape of a version" {
	for v in '""' '"latest; rm -rf /"' '"v"' '"1.2 3"'; do
		spec_with "s|^    version: v2.2.2|    version: $v|"
		run -3 --separate-stderr 9c-render bootstrap "$T/s.yaml" -m "$CORPUS_ARGO"
		assert_equal "$stderr" "9c-render: $T/s.yaml:10:14: bootstrap.argocd.version: '$(printf %s "$v" | tr -d '"')' is not a version like 1.2.3 or v2.2.2"
	done
	spec_with 's|^    version: 5.11.1|    version: ""|'
	run -3 --separate-stderr 9c-render bootstrap "$T/s.yaml" -m "$CORPUS_ARGO"
	assert_equal "$stderr" "9c-render: $T/s.yaml:14:14: bootstrap.metricsServer.version: '' is not a version like 1.2.3 or v2.2.2"
	assert_equal "$output" ""
}

@test "a template with an unclosed \${ and a -t that is not a directory are refused" {
	mkdir -p "$T/t/network"
	printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${network.namespace\n' >"$T/t/network/namespace.yaml"
	run -3 --separate-stderr 9c-render -t "$T/t" -S network share/examples/local.yaml
	assert_equal "$stderr" "9c-render: $T/t/network/namespace.yaml:4:9: '\${' without its '}' (write \$\${ for a literal one)"
	run -3 --separate-stderr 9c-render -t "$T/nonexistent" -S network share/examples/local.yaml
	assert_equal "$stderr" "9c-render: $T/nonexistent: No such file or directory"
	run -3 --separate-stderr 9c-render -t "$T/t/network/namespace.yaml" -S network share/examples/local.yaml
	assert_equal "$stderr" "9c-render: $T/t/network/namespace.yaml: not a directory"
	assert_equal "$output" ""
}

@test "public keys of the spec's own network pass; another network's, or keys naming none, are refused" {
	local addr=tests/fixtures/render/addresses.yaml
	9c-secrets keygen -s share/examples/local.yaml -w "$T/k.yaml"
	9c-secrets public -s share/examples/local.yaml "$T/k.yaml" >"$T/p.yaml"
	run -0 9c-render network share/examples/local.yaml -k "$T/p.yaml" -a "$addr"
	run -3 --separate-stderr 9c-render network share/examples/local.yaml -k tests/fixtures/render/pubkeys.yaml -a "$addr"
	assert_equal "$stderr" "9c-render: tests/fixtures/render/pubkeys.yaml:4:9: document 1: metadata.name: keys of network 9c-sample, not 9c-local"
	assert_equal "$output" ""
	# A preview with keys checks them too, and so does a later document.
	9c-secrets public -n 9c-pbft -s share/examples/local.yaml "$T/k.yaml" >"$T/p2.yaml"
	{ printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n'; cat "$T/p2.yaml"; } >"$T/p3.yaml"
	run -3 --separate-stderr 9c-render -P network share/examples/local.yaml -k "$T/p3.yaml"
	assert_equal "$stderr" "9c-render: $T/p3.yaml:8:9: document 2: metadata.name: keys of network 9c-pbft, not 9c-local"
	assert_equal "$output" ""
	yq -y 'del(.metadata.name)' "$T/p.yaml" >"$T/p4.yaml"
	run -3 --separate-stderr 9c-render network share/examples/local.yaml -k "$T/p4.yaml" -a "$addr"
	assert_equal "$stderr" "9c-render: $T/p4.yaml:3:11: document 1: metadata.name: missing: keys name their network, as 9c-secrets public -s spec writes them"
	yq -y 'del(.metadata)' "$T/p.yaml" >"$T/p4.yaml"
	run -3 --separate-stderr 9c-render network share/examples/local.yaml -k "$T/p4.yaml" -a "$addr"
	assert_equal "$stderr" "9c-render: $T/p4.yaml:1:1: document 1: metadata.name: missing: keys name their network, as 9c-secrets public -s spec writes them"
	# The foreign name is quoted escaped, one line.
	yq -y '.metadata.name = "x\u001b]0;pwned\u0007\n9c-render: ok"' "$T/p.yaml" >"$T/p4.yaml"
	run -3 --separate-stderr 9c-render network share/examples/local.yaml -k "$T/p4.yaml" -a "$addr"
	assert_equal "$stderr" "9c-render: $T/p4.yaml:4:9: document 1: metadata.name: keys of network x\\e]0;pwned\\x07\\n9c-render: ok, not 9c-local"
	assert_equal "$output" ""
}

@test "cluster facts of another cluster are refused: its name, region or account" {
	local f=tests/fixtures/render/facts.yaml
	run -0 9c-render bootstrap share/examples/eks.yaml -f "$f" -m "$CORPUS_ARGO"
	sed '4s/9c-sample/9c-other/' "$f" >"$T/f.yaml"
	run -3 --separate-stderr 9c-render bootstrap share/examples/eks.yaml -f "$T/f.yaml" -m "$CORPUS_ARGO"
	assert_equal "$stderr" "9c-render: $T/f.yaml:4:9: document 1: metadata.name: '9c-other' is not the spec's name '9c-sample'"
	assert_equal "$output" ""
	sed '6s/9c-sample/9c-other/' "$f" >"$T/f.yaml"
	run -3 --separate-stderr 9c-render bootstrap share/examples/eks.yaml -f "$T/f.yaml" -m "$CORPUS_ARGO"
	assert_equal "$stderr" "9c-render: $T/f.yaml:6:9: document 1: cluster.name: '9c-other' is not the spec's name '9c-sample'"
	sed 's/^  region: us-east-2$/  region: eu-west-1/' "$f" >"$T/f.yaml"
	run -3 --separate-stderr 9c-render bootstrap share/examples/eks.yaml -f "$T/f.yaml" -m "$CORPUS_ARGO"
	assert_equal "$stderr" "9c-render: $T/f.yaml:7:11: document 1: cluster.region: 'eu-west-1' is not the spec's aws.region 'us-east-2'"
	sed 's/^  accountId: "838612679705"$/  accountId: "111122223333"/' "$f" >"$T/f.yaml"
	run -3 --separate-stderr 9c-render bootstrap share/examples/eks.yaml -f "$T/f.yaml" -m "$CORPUS_ARGO"
	assert_equal "$stderr" "9c-render: $T/f.yaml:8:14: document 1: cluster.accountId: '111122223333' is not the spec's aws.accountId '838612679705'"
	# The local example names no region or account: the facts' own shapes hold.
	sed -e 's/9c-sample/9c-local/' -e 's/^  region: us-east-2$/  region: "x@127.0.0.1:1\/"/' "$f" >"$T/f.yaml"
	run -3 --separate-stderr 9c-render bootstrap share/examples/local.yaml -f "$T/f.yaml" -m "$CORPUS_ARGO"
	assert_equal "$stderr" "9c-render: $T/f.yaml:7:11: document 1: cluster.region: 'x@127.0.0.1:1/' is not an AWS region like us-east-2"
	sed 's|: arn:aws:iam::838612679705:role/from-facts-alb$|: "arn:aws:iam::1@evil/x"|' "$f" >"$T/f.yaml"
	run -3 --separate-stderr 9c-render bootstrap share/examples/eks.yaml -f "$T/f.yaml" -m "$CORPUS_ARGO"
	assert_equal "$stderr" "9c-render: $T/f.yaml:17:29: document 1: cluster.roles.loadBalancerController: not an ARN"
	assert_equal "$output" ""
}

@test "a 9c-wait rule with a malformed jsonPath is refused before waiting" {
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: default}\n' >"$T/cm.yaml"
	for jp in '{.status.phase' '{.status[?(@.type=="Ready"}' '.a[x]' '{.a}}'; do
		printf 'kind: ConfigMap\njsonPath: %s\n' "'$jp'" >"$T/rules.yaml"
		run -3 --separate-stderr timeout 10 9c-wait -L -r "$T/rules.yaml" "$T/cm.yaml"
		assert_equal "$stderr" "9c-wait: $T/rules.yaml:1: document 1: jsonPath: cannot parse $jp"
	done
}

@test "key files with unknown fields and counts that name a role twice are refused" {
	9c-secrets keygen -n t -c seed=1 -w "$T/k.yaml"
	sed 's/^  role: seed$/  role: seed\n  privatekey: x/' "$T/k.yaml" >"$T/k2.yaml"
	run -3 --separate-stderr 9c-secrets public "$T/k2.yaml"
	assert_equal "$stderr" "9c-secrets: $T/k2.yaml: document 1: keys[0].privatekey: unknown key"
	sed 's/^metadata:$/metdata:/' "$T/k.yaml" >"$T/k2.yaml"
	run -3 --separate-stderr 9c-secrets public "$T/k2.yaml"
	assert_equal "$stderr" "9c-secrets: $T/k2.yaml: document 1: metdata: unknown key"
	run -2 --separate-stderr 9c-secrets keygen -n t -c seed=1,seed=2
	assert_equal "${stderr_lines[0]}" "9c-secrets: -c: 'seed=1,seed=2' names a role twice"
	assert_equal "$output" ""
}

# --- 11: sign ------------------------------------------------------------

@test "sign reads X-Amz-Date as SigV4 does and refuses a request over 16 MiB" {
	export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY AWS_REGION=us-east-1
	export AWS_CONFIG_FILE=$T/none AWS_SHARED_CREDENTIALS_FILE=$T/none
	unset AWS_SESSION_TOKEN AWS_PROFILE
	c=$SHARED/corpus/sigv4/get-vanilla/get-vanilla
	sed 's/^X-Amz-Date:/X-Amz-Date: /; s/Z$/Z  /' "$c.req" >"$T/req"
	run -0 9c-secrets sign -S service -x authz "$T/req"
	assert_output "$(cat "$c.authz")"
	sed 's/^X-Amz-Date:.*/X-Amz-Date: 20150830T1236/' "$c.req" >"$T/req"
	run -3 --separate-stderr 9c-secrets sign -S service "$T/req"
	assert_equal "$stderr" "9c-secrets: X-Amz-Date: 13 characters, not a date like 20150830T123600Z"
	run -3 --separate-stderr bash -c 'head -c 17000000 /dev/zero | 9c-secrets sign -S service'
	assert_equal "$stderr" "9c-secrets: -: larger than 16777216 bytes"
	head -c 17000000 /dev/zero >"$T/big"
	run -3 --separate-stderr 9c-secrets sign -S service "$T/big"
	assert_equal "$stderr" "9c-secrets: $T/big: larger than 16777216 bytes"
}

# --- 12: cluster shorthand -------------------------------------------------

@test "labels and taints stand in the cluster section like the other group keys" {
	sed 's/^  maxSize: 20$/  maxSize: 20\n  labels:\n    role: node\n  taints:\n  - {key: dedicated, value: "9c", effect: NO_SCHEDULE}/' share/examples/eks.yaml >"$T/s.yaml"
	run -0 9c-tfvars -j "$T/s.yaml"
	assert_equal "$(printf '%s' "$output" | jq -c '.node_groups.default | [.labels, .taints]')" '[{"role":"node"},[{"key":"dedicated","value":"9c","effect":"NO_SCHEDULE"}]]'
	sed 's/^  maxSize: 20$/  maxSize: 20\n  taints:\n  - {key: dedicated, effect: NOPE}/' share/examples/eks.yaml >"$T/s.yaml"
	run -3 --separate-stderr 9c-tfvars "$T/s.yaml"
	assert_equal "$stderr" "9c-tfvars: $T/s.yaml:25:30: cluster.taints[0].effect: 'NOPE' is not one of NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE"
}

# --- 13: messages ----------------------------------------------------------

@test "messages name the tool, not its path, and numbers past 2^63 are not clamped" {
	run -2 --separate-stderr "$NINEC_BIN/9c-order" -Z
	assert_equal "${stderr_lines[0]}" "9c-order: invalid option -- 'Z'"
	spec_with 's|^    count: 1$|    count: 18446744073709551616|'
	run -3 --separate-stderr 9c-render -P network "$T/s.yaml"
	assert_equal "$stderr" "9c-render: $T/s.yaml:25:12: network.seed.count: out of range (0-100000)"
	spec_with 's|^    count: 1$|    count: 9223372036854775808|'
	run -3 --separate-stderr 9c-render -P network "$T/s.yaml"
	assert_equal "$stderr" "9c-render: $T/s.yaml:25:12: network.seed.count: out of range (0-100000)"
	run -2 --separate-stderr 9c-wait -t 18446744073709551616s "$T/s.yaml"
	assert_equal "${stderr_lines[0]}" "9c-wait: -t: bad duration '18446744073709551616s'"
	run -2 --separate-stderr 9c-wait -t inf "$T/s.yaml"
	assert_equal "${stderr_lines[0]}" "9c-wait: -t: bad duration 'inf'"
}

@test "out of memory names the tool" {
	configmaps 100000 ns1 >"$T/huge.yaml"
	# The release build: the sanitizers reserve more than the limit.
	run -70 --separate-stderr bash -c 'ulimit -v 40000; exec "$0" "$1" >/dev/null' "$NINEC_ROOT/build/9c-order" "$T/huge.yaml"
	assert_equal "$stderr" "9c-order: out of memory"
}

@test "standard input given for two inputs is refused" {
	run -2 --separate-stderr 9c-render network - -a - </dev/null
	assert_equal "${stderr_lines[0]}" "9c-render: the spec and -a cannot both be standard input"
	run -2 --separate-stderr 9c-render bootstrap share/examples/local.yaml -m - -p - </dev/null
	assert_equal "${stderr_lines[0]}" "9c-render: -m and -p cannot both be standard input"
	run -2 --separate-stderr 9c-secrets fill -k - - </dev/null
	assert_equal "${stderr_lines[0]}" "9c-secrets: -k and operand - cannot both be standard input"
	run -2 --separate-stderr 9c-secrets fill -k - </dev/null
	assert_equal "${stderr_lines[0]}" "9c-secrets: -k and the input (none given) cannot both be standard input"
	run -2 --separate-stderr 9c-tfvars -f - - </dev/null
	assert_equal "${stderr_lines[0]}" "9c-tfvars: the spec and the outputs cannot both be standard input"
	for tool in 9c-order 9c-kapply 9c-wait; do
		run -2 --separate-stderr "$tool" - - </dev/null
		assert_equal "$stderr" "$tool: operand - is given twice: standard input can be read once"
	done
}

@test "9c-render with addresses and keys for 20,000 nodes gives each node its own host" {
	local n=20000
	sed "/^  miner:/,/^  remoteHeadless:/s|^    count: 1\$|    count: $n|" share/examples/local.yaml >"$T/s$n.yaml"
	awk -v n="$n" 'BEGIN {
		print "apiVersion: v1\nkind: List\nitems:"
		print "- {apiVersion: v1, kind: Service, metadata: {name: tcp-seed-1, namespace: 9c-local}, status: {loadBalancer: {ingress: [{ip: 203.0.113.7}]}}}"
		print "- {apiVersion: v1, kind: Service, metadata: {name: remote-headless-1, namespace: 9c-local}, status: {loadBalancer: {ingress: [{ip: 203.0.113.7}]}}}"
		for (i = n; i >= 1; i--)
			printf "- {apiVersion: v1, kind: Service, metadata: {name: miner-%d, namespace: 9c-local}, status: {loadBalancer: {ingress: [{ip: 203.0.113.%d}]}}}\n", i, i % 250
	}' >"$T/a$n.yaml"
	timeout 120 9c-render -o json network "$T/s$n.yaml" -k tests/fixtures/render/pubkeys-local.yaml -a "$T/a$n.yaml" >"$T/out$n"
	assert_equal "$(jq -r 'select(.metadata.name == "miner-20000" and .kind == "StatefulSet") | .spec.template.spec.containers[0].args[] | select(startswith("--host="))' "$T/out$n")" "--host=203.0.113.0"
	assert_equal "$(jq -r 'select(.metadata.name == "miner-19999" and .kind == "StatefulSet") | .spec.template.spec.containers[0].args[] | select(startswith("--host="))' "$T/out$n")" "--host=203.0.113.249"
}
