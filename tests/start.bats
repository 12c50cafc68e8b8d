#!/usr/bin/env bats
# A start that talks to no server pays nothing for the network stack: the
# tools do not link libcurl, and load it on the first request (net.h).
load helpers/common

setup() {
	T=$BATS_TEST_TMPDIR
	unset KUBECONFIG
}

# loads_curl CMD...: how many times the dynamic loader opened libcurl while
# CMD ran.
loads_curl() {
	LD_DEBUG=files "$@" </dev/null 2>&1 >/dev/null | grep -c 'file=libcurl\.so' || :
}

@test "no tool links libcurl" {
	local t
	for t in 9c-order 9c-render 9c-tfvars 9c-secrets 9c-kapply 9c-wait; do
		run -1 sh -c "ldd '$NINEC_BIN/$t' | grep libcurl"
	done
}

@test "--version and empty input load no libcurl" {
	local t
	for t in 9c-order 9c-render 9c-tfvars 9c-secrets 9c-kapply 9c-wait; do
		run -0 loads_curl "$t" --version
		assert_output 0
	done
	for t in 9c-kapply 9c-wait; do
		run -0 loads_curl "$t"
		assert_output 0
	done
	run -0 loads_curl 9c-secrets fill
	assert_output 0
}

@test "the first request loads libcurl, and a server that is not there is still exit 4" {
	cat >"$T/kubeconfig" <<-'KC'
	apiVersion: v1
	kind: Config
	clusters:
	- name: c
	  cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}
	users:
	- name: u
	  user: {token: not-a-secret}
	contexts:
	- name: x
	  context: {cluster: c, user: u}
	current-context: x
	KC
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: default}\n' >"$T/cm.yaml"
	KUBECONFIG=$T/kubeconfig run -0 loads_curl 9c-kapply -t 3 "$T/cm.yaml"
	[ "$output" -ge 1 ]
	KUBECONFIG=$T/kubeconfig run -4 --separate-stderr 9c-kapply -t 3 "$T/cm.yaml"
	[[ $stderr =~ ^"9c-kapply: https://127.0.0.1:1: Failed to connect to 127.0.0.1 port 1 after "[0-9]+" ms: Couldn't connect to server"$ ]]
}
