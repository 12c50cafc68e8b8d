# shellcheck shell=sh
# cluster.sh - what the benchmarks on a local cluster share (sourced; needs $top).
#
# bench_cluster PREFIX: a work directory $work and a local control plane of
# the benchmark's own, named PREFIX-<pid>, both removed at exit; or, with
# BENCH_CLUSTER=name, that running cluster, which is left running.  Exports
# KUBECONFIG and sets the cluster's NINEC_LOCAL_* variables and $name.
# shellcheck disable=SC2154 # top is the sourcing script's
bench_cluster() {
	local9c=$top/pipelines/9c-local
	work=$(mktemp -d)
	if [ -n "${BENCH_CLUSTER-}" ]; then
		name=$BENCH_CLUSTER bench_own=''
	else
		name=$(printf '%s-%s' "$1" "$$" | cut -c1-40) bench_own=1
	fi
	trap bench_cleanup EXIT INT TERM
	[ -z "$bench_own" ] || "$local9c" -n "$name" up >/dev/null
	eval "$("$local9c" -n "$name" env)"
	export KUBECONFIG
}

bench_cleanup() {
	[ -z "$bench_own" ] || "$local9c" -n "$name" down >/dev/null 2>&1 || true
	rm -rf "$work"
}
