#!/bin/sh
# Benchmark: the local example's network with BENCH_NODES remote-headless
# nodes (default 1000; about 2,000 objects and 2,000 claims), rendered by
# 9c-render, on one fresh local cluster, in the same run, by
#   9c-order | 9c-kapply | 9c-wait              (namespace bench-9c)
#   kubectl apply --server-side, then kubectl rollout status on each
#   workload                                    (namespace bench-kubectl)
# then 9c again with nothing changed, and both namespaces deleted (9c-wait
# --for delete against kubectl delete --wait).  Prints wall time per step,
# peak memory of each 9c tool and the requests 9c sent.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
n=${BENCH_NODES:-1000}
# shellcheck source=tests/bench/lib/cluster.sh
. "$top/tests/bench/lib/cluster.sh"

[ -x "$top/build/9c-wait" ] || make -C "$top" -s
PATH=$top/build:$PATH
export PATH

bench_cluster scale-bench

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
# peak FILE: the peak resident size /usr/bin/time wrote, in MB.
peak() { awk '/^maxrss/ { printf "%.0f MB", $2 / 1024 }' "$1"; }

# spec NS: the local example with n remote-headless nodes in namespace NS,
# hosts from a DNS name so one render pass is enough.
spec() {
	sed -e '/^  remoteHeadless:/,/count:/s/count: 1$/count: '"$n"'/' \
		-e 's/^  namespace: 9c-local$/  namespace: '"$1"'\n  domain: bench.invalid/' \
		"$top/share/examples/local.yaml"
}

t0=$(now)
spec bench-9c >"$work/9c.yaml"
/usr/bin/time -f 'maxrss %M' -o "$work/render.time" \
	9c-render -P network "$work/9c.yaml" >"$work/9c-objects.yaml"
t1=$(now)
spec bench-kubectl >"$work/k.yaml"
9c-render -P network "$work/k.yaml" >"$work/k-objects.yaml"
objects=$(grep -c '^kind:' "$work/9c-objects.yaml")

# up NAME: apply and wait with 9c, timing each tool; prints seconds.
up9c() {
	NINEC_KAPPLY_STATS=1 NINEC_WAIT_STATS=1 sh -c '
		9c-order "$1/9c-objects.yaml" |
		/usr/bin/time -f "maxrss %M" -o "$1/kapply-$2.time" 9c-kapply -q |
		/usr/bin/time -f "maxrss %M" -o "$1/wait-$2.time" 9c-wait -q -t 30m >/dev/null' \
		sh "$work" "$1" 2>"$work/stats-$1"
}

a=$(now)
up9c first
b=$(now)
up9c again
c=$(now)

kubectl apply --server-side -f "$work/k-objects.yaml" >/dev/null
d=$(now)
kubectl get statefulsets,deployments -n bench-kubectl -o name >"$work/workloads"
while read -r w; do
	kubectl rollout status -n bench-kubectl --timeout=30m "$w" >/dev/null
done <"$work/workloads"
e=$(now)

kubectl delete namespace bench-9c --wait=false >/dev/null
printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: bench-9c}\n' |
	9c-wait -q --for delete -t 30m
f=$(now)
kubectl delete namespace bench-kubectl --wait=true --timeout=30m >/dev/null
g=$(now)

printf 'nodes %s, objects %s\n' "$n" "$objects"
printf 'render                     %6ss  peak %s\n' "$(secs "$t0" "$t1")" "$(peak "$work/render.time")"
printf '9c up (order|kapply|wait)  %6ss  kapply peak %s, wait peak %s\n' \
	"$(secs "$a" "$b")" "$(peak "$work/kapply-first.time")" "$(peak "$work/wait-first.time")"
printf '9c up again (no change)    %6ss\n' "$(secs "$b" "$c")"
printf 'kubectl apply --server-side %5ss\n' "$(secs "$c" "$d")"
printf 'kubectl rollout status x%s %5ss\n' "$(wc -l <"$work/workloads")" "$(secs "$d" "$e")"
printf 'kubectl up total           %6ss  (%sx 9c)\n' "$(secs "$c" "$e")" \
	"$(awk -v k="$(secs "$c" "$e")" -v c="$(secs "$a" "$b")" 'BEGIN { printf "%.1f", k / c }')"
printf '9c down (wait --for delete) %5ss\n' "$(secs "$e" "$f")"
printf 'kubectl delete --wait      %6ss\n' "$(secs "$f" "$g")"
printf '9c requests, first up and again:\n'
cat "$work/stats-first" "$work/stats-again"
