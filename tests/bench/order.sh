#!/bin/sh
# Benchmark: 9c-order on a ~80 MB stream against what a user runs today
# (kubectl kustomize) and against a bare libyaml parse-and-emit (the ceiling),
# all in the same run.  Prints throughput, peak memory and the ratios.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
shared=${SHARED:-$top/../shared}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mb=${BENCH_MB:-80}
# shellcheck source=tests/bench/lib/streams.sh
. "$top/tests/bench/lib/streams.sh"

# shellcheck disable=SC2046 # pkg-config prints several words on purpose
cc -O2 -o "$work/yamlcat" "$top/tests/bench/yamlcat.c" $(pkg-config --cflags --libs yaml-0.1)
[ -x "$top/build/9c-order" ] || make -C "$top" -s build-release

bench_corpus "$mb" "$shared" "$work/big.yaml"
size=$(wc -c < "$work/big.yaml")
printf 'resources:\n- big.yaml\n' > "$work/kustomization.yaml"

# run NAME CMD...: wall seconds and peak KiB of CMD, stdin big.yaml.
run() {
	name=$1
	shift
	/usr/bin/time -f '%e %M' -o "$work/$name.time" "$@" < "$work/big.yaml" > "$work/$name.out"
	read -r secs kib < "$work/$name.time"
	printf '%-16s %8.2f s %9.1f MB/s %8d MiB peak\n' "$name" "$secs" \
		"$(echo "$size / 1000000 / $secs" | bc -l)" $((kib / 1024))
	eval "${name}_s=$secs ${name}_kib=$kib"
}

echo "input: $(echo "$size / 1000000" | bc) MB, $(grep -c '^kind:' "$work/big.yaml") documents"
run yamlcat "$work/yamlcat"
run order "$top/build/9c-order"
run kustomize kubectl kustomize "$work"
# shellcheck disable=SC2154
{
	printf '9c-order vs kubectl kustomize: %.1fx faster (goal >= 20x)\n' "$(echo "$kustomize_s / $order_s" | bc -l)"
	printf '9c-order vs bare libyaml:      %.2f of its throughput (goal >= 0.5)\n' "$(echo "$yamlcat_s / $order_s" | bc -l)"
	printf '9c-order peak memory:          %.2fx the input (goal < 3x)\n' "$(echo "$order_kib * 1024 / $size" | bc -l)"
}
