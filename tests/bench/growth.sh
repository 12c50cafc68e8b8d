#!/bin/sh
# growth.sh - how 9c-order's cost grows with the number of documents, each
# input against a bare libyaml parse and emit of the same input
# (tests/bench/yamlcat.c, the ceiling of any reader built on libyaml) in the
# same run.  Inputs: 10k, 50k, 200k and 1M small ConfigMaps in one namespace
# and one stage (the shape that was quadratic), written and listed (-l); a
# chain of ConfigMaps each depending on the one before (one stage each, the
# shape that was quadratic in writing and listing); the 81 MB stream of
# order.sh.
#
# Seconds are CPU seconds (user + system), which a loaded machine disturbs
# less than wall time.  For each row: seconds, the ratio libyaml / 9c-order
# (goal >= 0.8), peak memory per document (getrusage through /usr/bin/time,
# less the peak on empty input), and the growth exponent from the row before, log(t2 / t1) / log(n2 / n1)
# (goal <= 1.1).
#
# INSNS=1 also counts instructions with callgrind, which the load does not
# change at all: the same table in instructions, for ISIZES (default 10k and
# 50k; each 10k documents take about a minute under callgrind).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
shared=${SHARED:-$top/../shared}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=${SIZES:-10000 50000 200000 1000000}
chain=${CHAIN_SIZES:-10000 50000 200000}
isizes=${ISIZES:-10000 50000}
mb=${BENCH_MB:-80}
# shellcheck source=tests/bench/lib/streams.sh
. "$top/tests/bench/lib/streams.sh"

# shellcheck disable=SC2046 # pkg-config prints several words on purpose
cc -O2 -o "$work/yamlcat" "$top/tests/bench/yamlcat.c" $(pkg-config --cflags --libs yaml-0.1)
make -C "$top" -s build-release >/dev/null

# secs IN CMD...: "cpu-seconds peak-KiB" of CMD reading IN.
secs() {
	in=$1
	shift
	/usr/bin/time -f '%U %S %M' -o "$work/time" "$@" <"$in" >/dev/null
	awk '{ printf "%.3f %d\n", $1 + $2, $3 }' "$work/time"
}

# insns IN CMD...: instructions callgrind counts for CMD reading IN.
insns() {
	in=$1
	shift
	valgrind --tool=callgrind --callgrind-out-file="$work/cg" "$@" \
	    <"$in" >/dev/null 2>"$work/cg.log"
	sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$work/cg.log"
}

# row NAME N COST-OURS COST-LIBYAML KIB: one line of the table; the exponent
# is from the row before of the same NAME.
prev_name='' prev_n='' prev_c=''
row() {
	e=-
	[ "$1" = "$prev_name" ] && e=$(awk -v a="$prev_c" -v b="$3" -v m="$prev_n" -v n="$2" \
		'BEGIN { if (a > 0 && b > 0) printf "%.2f", log(b / a) / log(n / m); else print "-" }')
	printf '%-12s %8d %16s %16s %6.2f %10s %8s\n' "$1" "$2" "$3" "$4" \
		"$(awk -v a="$4" -v b="$3" 'BEGIN { print (b > 0 ? a / b : 0) }')" \
		"${5:+$((($5 - base_kib) * 1024 / $2))}" "$e"
	prev_name=$1 prev_n=$2 prev_c=$3
}

header() {
	printf '%-12s %8s %16s %16s %6s %10s %8s\n' input docs "9c-order $1" \
		"libyaml $1" ratio bytes/doc exponent
}

# measure NAME N IN ARGS...: a row in CPU seconds.
measure() {
	name=$1 n=$2 in=$3
	shift 3
	# shellcheck disable=SC2046 # two words on purpose
	set -- $(secs "$in" "$top/build/9c-order" "$@")
	t=$1 kib=$2
	# shellcheck disable=SC2046
	set -- $(secs "$in" "$work/yamlcat")
	row "$name" "$n" "$t" "$1" "$kib"
}

# count NAME N IN ARGS...: a row in instructions.
count() {
	name=$1 n=$2 in=$3
	shift 3
	row "$name" "$n" "$(insns "$in" "$top/build/9c-order" "$@")" \
		"$(insns "$in" "$work/yamlcat")" ''
}

: >"$work/empty"
# shellcheck disable=SC2046
set -- $(secs "$work/empty" "$top/build/9c-order")
base_kib=$2
bench_corpus "$mb" "$shared" "$work/big.yaml"
big_docs=$(grep -c '^kind:' "$work/big.yaml")

# rows HOW SHAPE NAME SIZES ARGS...: a row of HOW (measure or count) for
# each size of SHAPE (configmaps or chain), 9c-order given ARGS.
rows() {
	how=$1 shape=$2 label=$3 ns=$4
	shift 4
	for n in $ns; do
		"bench_$shape" "$n" "$work/in.$n"
		"$how" "$label" "$n" "$work/in.$n" "$@"
		rm -f "$work/in.$n"
	done
}

header 'cpu s'
rows measure configmaps small "$sizes"
rows measure configmaps 'small -l' "$sizes" -l
rows measure chain chain "$chain"
rows measure chain 'chain -l' "$chain" -l
measure "stream ${mb}MB" "$big_docs" "$work/big.yaml"
measure "stream -l" "$big_docs" "$work/big.yaml" -l

[ "${INSNS:-0}" = 1 ] || exit 0
echo
header instructions
rows count configmaps small "$isizes"
rows count configmaps 'small -l' "$isizes" -l
rows count chain chain "$isizes"
