#!/bin/sh
# start.sh - how long each tool takes to start and stop: `--version', and a
# run on empty input (the shape of a call in a shell loop or a Makefile),
# against `kubectl version --client' in the same run.  Every figure is the
# mean of RUNS calls (default 200) timed around the whole loop, so the
# shell's own fork and exec are in each figure alike.  Goal: under 5 ms a
# call for every tool.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
make -s build-release >/dev/null 2>&1 ||
	echo "start.sh: make build-release failed; timing the existing build/" >&2
runs=${RUNS:-200}
bin=${NINEC_BENCH_BIN:-$root/build}
unset KUBECONFIG

# per_call CMD...: mean milliseconds per call of CMD, stdin empty.
per_call() {
	t0=$(date +%s%N)
	i=0
	while [ $i -lt "$runs" ]; do
		"$@" </dev/null >/dev/null 2>&1 || :
		i=$((i + 1))
	done
	t1=$(date +%s%N)
	awk -v a="$t0" -v b="$t1" -v n="$runs" 'BEGIN { printf "%.2f", (b - a) / n / 1e6 }'
}

k=''
command -v kubectl >/dev/null 2>&1 && k=$(per_call kubectl version --client)
printf '%-34s %8s %8s\n' "call ($runs each)" "ms" "kubectl/x"
[ -n "$k" ] && printf '%-34s %8s %8s\n' "kubectl version --client" "$k" "1.0"
row() {
	r=$(per_call "$@")
	x=-
	[ -n "$k" ] && x=$(awk -v a="$k" -v b="$r" 'BEGIN { printf "%.0f", a / b }')
	printf '%-34s %8s %8s\n' "$(basename "$1") ${2-}" "$r" "$x"
}
for t in 9c-order 9c-render 9c-tfvars 9c-secrets 9c-kapply 9c-wait; do
	row "$bin/$t" --version
done
row "$bin/9c-order"
row "$bin/9c-kapply"
row "$bin/9c-wait"
row "$bin/9c-secrets" fill
