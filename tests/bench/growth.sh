#!/bin/sh
# growth.sh - how 9c-order's cost grows with the number of documents: 10k,
# 50k, 200k and 1M small ConfigMaps in one namespace and one stage (the
# shape that was quadratic), each against a bare libyaml parse and emit of
# the same input (tests/bench/yamlcat.c, the ceiling of any reader built on
# libyaml), in the same run.  Prints seconds, peak memory per document, the
# ratio to libyaml, and the growth exponent between sizes:
# log(t2 / t1) / log(n2 / n1).  Goal: exponent <= 1.1, ratio >= 0.8.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=${SIZES:-10000 50000 200000 1000000}

# shellcheck disable=SC2046 # pkg-config prints several words on purpose
cc -O2 -o "$work/yamlcat" "$top/tests/bench/yamlcat.c" $(pkg-config --cflags --libs yaml-0.1)
make -C "$top" -s build-release >/dev/null

# run TOOL N: "seconds peak-KiB" of TOOL on the N-document stream.
run() {
	/usr/bin/time -f '%e %M' -o "$work/time" "$1" <"$work/in.$2" >/dev/null
	cat "$work/time"
}

printf '%9s %9s %9s %9s %12s %9s\n' docs "9c-order" libyaml ratio "bytes/doc" exponent
prev_n='' prev_t=''
for n in $sizes; do
	awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++)
		printf "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n  namespace: bench\ndata:\n  k: \"%d\"\n", i, i }' >"$work/in.$n"
	# shellcheck disable=SC2046 # two words on purpose
	set -- $(run "$top/build/9c-order" "$n")
	t=$1 kib=$2
	# shellcheck disable=SC2046
	set -- $(run "$work/yamlcat" "$n")
	y=$1
	e=-
	[ -n "$prev_n" ] && e=$(awk -v a="$prev_t" -v b="$t" -v m="$prev_n" -v n="$n" \
		'BEGIN { if (a > 0 && b > 0) printf "%.2f", log(b / a) / log(n / m); else print "-" }')
	printf '%9d %8.2fs %8.2fs %9.2f %12d %9s\n' "$n" "$t" "$y" \
		"$(awk -v a="$y" -v b="$t" 'BEGIN { print (b > 0 ? a / b : 0) }')" \
		$((kib * 1024 / n)) "$e"
	prev_n=$n prev_t=$t
	rm -f "$work/in.$n"
done
