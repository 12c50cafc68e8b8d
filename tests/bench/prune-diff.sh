#!/bin/sh
# Benchmark: day two on a 1,000-object set, kubectl and 9c-kapply on the
# same fresh local cluster, in the same run.
#   diff:  1,000 ConfigMaps live, a stream of the same 1,000 in which 100
#          changed: `kubectl diff --server-side' and `9c-kapply --diff'
#          (both --force-conflicts: each sees the other's fields), each
#          must report the same 100 objects.
#   prune: an ApplySet of 1,000 ConfigMaps per tool (each made by the tool
#          itself), then a stream of 500 of them: `KUBECTL_APPLYSET=true
#          kubectl apply --server-side --prune --applyset' and `9c-kapply
#          --applyset --prune' each delete the other 500 (9c-kapply also
#          waits until they are gone; kubectl does not wait).
# Prints one line per measurement and the ratios.  BENCH_OBJECTS changes
# the set's size.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
n=${BENCH_OBJECTS:-1000}
# shellcheck source=tests/bench/lib/cluster.sh
. "$top/tests/bench/lib/cluster.sh"

[ -n "${KAPPLY-}" ] || make -C "$top" -s build-release
kapply=${KAPPLY:-$top/build/9c-kapply}

bench_cluster prune-bench

# configmaps FILE COUNT CHANGED: COUNT ConfigMaps, the first CHANGED with
# another value.
configmaps() {
	awk -v n="$2" -v c="$3" 'BEGIN {
		for (i = 1; i <= n; i++) {
			if (i > 1) print "---"
			printf "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%04d\n", i
			printf "data:\n  value: \"%s-%d\"\n", (i <= c ? "changed" : "v"), i
		}
	}' >"$1"
}
configmaps "$work/all.yaml" "$n" 0
configmaps "$work/changed.yaml" "$n" $((n / 10))
configmaps "$work/half.yaml" $((n / 2)) 0

now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
count() { kubectl get configmaps -n "$1" -o name | grep -c '^configmap/cm-'; }

for ns in diff prune-k prune-9; do kubectl create namespace "$ns" >/dev/null; done

# ---------------------------------------------------------------- diff
kubectl apply --server-side -n diff -f "$work/all.yaml" >/dev/null
t=$(now)
st=0
kubectl diff --server-side --force-conflicts -n diff -f "$work/changed.yaml" >"$work/kdiff" || st=$?
kd=$(took "$t")
[ "$st" -eq 1 ] || { echo "kubectl diff: status $st" >&2; exit 1; }
t=$(now)
st=0
"$kapply" -q --diff --force-conflicts -n diff "$work/changed.yaml" >"$work/9diff" || st=$?
nd=$(took "$t")
[ "$st" -eq 1 ] || { echo "9c-kapply --diff: status $st" >&2; exit 1; }
kn=$(grep -c '^+++ ' "$work/kdiff")
nn=$(grep -c '^+++ ' "$work/9diff")
if [ "$kn" -ne $((n / 10)) ] || [ "$nn" -ne $((n / 10)) ]; then
	echo "diff: kubectl found $kn changed objects, 9c-kapply $nn" >&2
	exit 1
fi

# ---------------------------------------------------------------- prune
t=$(now)
KUBECTL_APPLYSET=true kubectl apply --server-side -n prune-k --prune --applyset=bench -f "$work/all.yaml" >/dev/null
ks=$(took "$t")
t=$(now)
"$kapply" -q -n prune-9 --applyset bench --prune "$work/all.yaml" >/dev/null
ns=$(took "$t")
t=$(now)
KUBECTL_APPLYSET=true kubectl apply --server-side -n prune-k --prune --applyset=bench -f "$work/half.yaml" >/dev/null
kp=$(took "$t")
t=$(now)
"$kapply" -q -n prune-9 --applyset bench --prune "$work/half.yaml" >/dev/null
np=$(took "$t")
if [ "$(count prune-k)" -ne $((n / 2)) ] || [ "$(count prune-9)" -ne $((n / 2)) ]; then
	echo "prune: $(count prune-k) left by kubectl, $(count prune-9) by 9c-kapply" >&2
	exit 1
fi

printf 'diff of %d objects, %d changed: kubectl diff %s s, 9c-kapply --diff %s s (%sx)\n' \
	"$n" $((n / 10)) "$kd" "$nd" "$(awk -v a="$kd" -v b="$nd" 'BEGIN { printf "%.1f", a / b }')"
printf 'make the set of %d: kubectl apply --applyset %s s, 9c-kapply --applyset %s s (%sx)\n' \
	"$n" "$ks" "$ns" "$(awk -v a="$ks" -v b="$ns" 'BEGIN { printf "%.1f", a / b }')"
printf 'prune %d of %d: kubectl apply --prune --applyset %s s, 9c-kapply --applyset --prune %s s (%sx)\n' \
	$((n - n / 2)) "$n" "$kp" "$np" "$(awk -v a="$kp" -v b="$np" 'BEGIN { printf "%.1f", a / b }')"
