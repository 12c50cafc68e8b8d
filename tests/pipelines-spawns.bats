#!/usr/bin/env bats
# The pipelines spawn a fixed set of processes, whatever the node count: no
# loop runs a process per node, object or role.  Every process that
# `9c-testnet up` and `9c-network -d` start is counted with strace, program
# by program, for a network of 5 and of 50 remote-headless nodes on the
# local control plane, with the same cluster, bootstrap and moto_server.
load helpers/common
load helpers/cluster

setup_file() {
	pipelines_start || return 1
	spec 5 >"$BATS_FILE_TMPDIR/5.yaml"
	spec 50 >"$BATS_FILE_TMPDIR/50.yaml"
}

teardown_file() {
	9c-testnet down "$BATS_FILE_TMPDIR/5.yaml" >/dev/null 2>&1
	cluster_stop
}

# spec N: the local example with N remote-headless nodes.
spec() {
	sed '/^  remoteHeadless:/,/count:/s/count: 1$/count: '"$1"'/' "$NINEC_ROOT/share/examples/local.yaml"
}

# traced TAG CMD...: runs CMD under strace; fails unless it succeeds.
# Each process writes its own trace file, so no call is split in two.
# LeakSanitizer cannot run under ptrace: the other suites check leaks.
traced() {
	local tag=$1
	shift
	mkdir -p "$BATS_FILE_TMPDIR/$tag"
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:exitcode=99 run --separate-stderr strace -f -ff -qq -e trace=execve -e signal=none \
		-o "$BATS_FILE_TMPDIR/$tag/t" "$@"
	[ "$status" -eq 0 ] || fail "$tag: status $status: $stderr"
}

# spawns TAG: "COUNT PROGRAM" for every program started by the run TAG.
spawns() {
	cat "$BATS_FILE_TMPDIR/$1"/t.* | awk '/^execve\(".*\) = 0$/ {
		p = $0; sub(/^execve\("/, "", p); sub(/".*/, "", p); sub(/.*\//, "", p); n[p]++ }
		END { for (p in n) print n[p], p }' | sort -k2
}

@test "9c-testnet up spawns the same processes, program by program, for 50 nodes as for 5" {
	# The cluster, moto_server and the bootstrap exist before either count.
	run -0 9c-testnet up "$BATS_FILE_TMPDIR/5.yaml"
	run -0 9c-network -d "$BATS_FILE_TMPDIR/5.yaml"
	traced up5 9c-testnet up "$BATS_FILE_TMPDIR/5.yaml"
	run -0 kubectl get sts -n 9c-local -o name
	[ "$(grep -c remote-headless <<<"$output")" -eq 5 ]
	traced down5 9c-network -d "$BATS_FILE_TMPDIR/5.yaml"
	traced up50 9c-testnet up "$BATS_FILE_TMPDIR/50.yaml"
	run -0 kubectl get sts -n 9c-local -o name
	[ "$(grep -c remote-headless <<<"$output")" -eq 50 ]
	traced down50 9c-network -d "$BATS_FILE_TMPDIR/50.yaml"
	# A count that moves with the nodes is a per-node spawn.
	[ "$(spawns up5 | wc -l)" -gt 10 ]
	diff -u <(spawns up5) <(spawns up50)
	diff -u <(spawns down5) <(spawns down50)
}
