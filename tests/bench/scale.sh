#!/bin/sh
# Benchmark: the local example's network with BENCH_NODES remote-headless
# nodes (default 1000; about 2,000 objects and 2,000 claims), rendered by
# 9c-render, on one fresh local cluster, in the same run, by
#   9c-order | 9c-kapply | 9c-wait              (namespace bench-9c)
#   kubectl apply --server-side, then kubectl rollout status on each
#   workload                                    (namespace bench-kubectl)
# then 9c again with nothing changed, and both namespaces deleted (9c-wait
# --for delete against kubectl delete --wait).  Prints wall time per step,
# peak memory of each 9c tool and the requests 9c sent; the server's
# ceiling for the no-change run (its dry runs and applies sent by curl
# --parallel); and the cluster's own share of an up: from the end of the
# apply to the last Pod Ready, which no tool can shorten.
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

# up NAME: apply, then wait, with 9c, timing each tool (9c-kapply writes
# only once everything is applied: a pipe would be no faster); sets $applied
# and $ready, the times the apply and the wait ended.
up9c() {
	NINEC_WAIT_STATS=1 sh -c '
		9c-order "$1/9c-objects.yaml" |
		/usr/bin/time -f "maxrss %M" -o "$1/kapply-$2.time" 9c-kapply -q -v >"$1/applied-$2.yaml"' \
		sh "$work" "$1" 2>"$work/stats-$1"
	applied=$(now)
	NINEC_WAIT_STATS=1 /usr/bin/time -f "maxrss %M" -o "$work/wait-$1.time" \
		9c-wait -q -t 30m <"$work/applied-$1.yaml" >/dev/null 2>>"$work/stats-$1"
	ready=$(now)
}

# last_ready NS: when the last Pod of NS became Ready, by the cluster's
# clock (whole seconds): the cluster's own share of an up, the same for
# whichever tool applied.
last_ready() {
	kubectl get pods -n "$1" -o json | jq '[.items[].status.conditions[]? |
		select(.type == "Ready" and .status == "True") | .lastTransitionTime |
		fromdateiso8601] | max'
}

a=$(now)
up9c first
a1=$applied b=$ready
lr9c=$(last_ready bench-9c)
up9c again
c=$ready

# The server's ceiling for the no-change run: the same dry runs and applies
# (what 9c-kapply sends for each object) by curl --parallel, as many at once.
9c-order -o json "$work/9c-objects.yaml" >"$work/9c-objects.json"
python3 - "$work" "$NINEC_LOCAL_SERVER" "$NINEC_LOCAL_STATE" <<'PY'
import json, os, sys
work, server, state = sys.argv[1:4]
plural = {"Namespace": "namespaces", "StorageClass": "storageclasses",
          "Service": "services", "StatefulSet": "statefulsets",
          "Deployment": "deployments", "ConfigMap": "configmaps",
          "Secret": "secrets"}
cluster = {"Namespace", "StorageClass"}
os.mkdir(os.path.join(work, "bodies"))
cfg = {dry: [] for dry in ("dry", "apply")}
for i, line in enumerate(open(os.path.join(work, "9c-objects.json"))):
    o = json.loads(line)
    g, _, v = o["apiVersion"].rpartition("/")
    base = "/apis/%s/%s" % (g, v) if g else "/api/" + v
    if o["kind"] not in cluster:
        base += "/namespaces/" + o["metadata"]["namespace"]
    body = os.path.join(work, "bodies", "%d.json" % i)
    with open(body, "w") as fh:
        fh.write(line)
    for c in cfg:
        cfg[c].append('url = "%s%s/%s/%s?fieldManager=9c-kapply&fieldValidation=Strict%s"\n'
                      'request = "PATCH"\nheader = "Content-Type: application/apply-patch+yaml"\n'
                      'data-binary = "@%s"\ncacert = "%s/pki/ca.crt"\ncert = "%s/pki/admin.crt"\n'
                      'key = "%s/pki/admin.key"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n'
                      % (server, base, plural[o["kind"]], o["metadata"]["name"],
                         "&dryRun=All" if c == "dry" else "", body, state, state, state))
for c in cfg:
    with open(os.path.join(work, c + ".cfg"), "w") as fh:
        fh.write("next\n".join(cfg[c]))
PY
c0=$(now)
for cf in dry apply; do
	curl -s --parallel --parallel-max 32 --http2 -K "$work/$cf.cfg" 2>/dev/null |
		sort | uniq -c >"$work/$cf.codes"
done
c1=$(now)

kubectl apply --server-side -f "$work/k-objects.yaml" >/dev/null
d=$(now)
kubectl get statefulsets,deployments -n bench-kubectl -o name >"$work/workloads"
while read -r w; do
	kubectl rollout status -n bench-kubectl --timeout=30m "$w" >/dev/null
done <"$work/workloads"
e=$(now)
lrk=$(last_ready bench-kubectl)
load=$(cut -d' ' -f1-3 /proc/loadavg)

kubectl delete namespace bench-9c --wait=false >/dev/null
printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: bench-9c}\n' |
	9c-wait -q --for delete -t 30m
f=$(now)
kubectl delete namespace bench-kubectl --wait=true --timeout=30m >/dev/null
g=$(now)

printf 'nodes %s, objects %s, load at the end %s\n' "$n" "$objects" "$load"
printf 'render                     %6ss  peak %s\n' "$(secs "$t0" "$t1")" "$(peak "$work/render.time")"
printf '9c up (order|kapply, wait) %6ss  kapply %ss, peak %s; wait %ss, peak %s\n' \
	"$(secs "$a" "$b")" "$(secs "$a" "$a1")" "$(peak "$work/kapply-first.time")" \
	"$(secs "$a1" "$b")" "$(peak "$work/wait-first.time")"
printf '9c up again (no change)    %6ss  the same requests by curl --parallel: %ss (%s)\n' \
	"$(secs "$b" "$c")" "$(secs "$c0" "$c1")" "$(cat "$work/dry.codes" "$work/apply.codes" | paste -sd, - | tr -s ' ')"
printf 'kubectl apply --server-side %5ss\n' "$(secs "$c1" "$d")"
printf 'kubectl rollout status x%s %5ss\n' "$(wc -l <"$work/workloads")" "$(secs "$d" "$e")"
printf 'kubectl up total           %6ss  (%sx 9c)\n' "$(secs "$c1" "$e")" \
	"$(awk -v k="$(secs "$c1" "$e")" -v c="$(secs "$a" "$b")" 'BEGIN { printf "%.1f", k / c }')"
printf 'apply alone: kubectl %ss, 9c %ss (%sx)\n' "$(secs "$c1" "$d")" "$(secs "$a" "$a1")" \
	"$(awk -v k="$(secs "$c1" "$d")" -v c="$(secs "$a" "$a1")" 'BEGIN { printf "%.1f", k / c }')"
printf 'last Pod Ready after the apply ended: 9c %ss, kubectl %ss (the cluster'"'"'s share)\n' \
	"$(secs "$a1" "$lr9c")" "$(secs "$d" "$lrk")"
printf 'tool done after the last Pod Ready:   9c-wait %ss, rollout status %ss\n' \
	"$(secs "$lr9c" "$b")" "$(secs "$lrk" "$e")"
# What is left of each up without the cluster's share: the apply, and the
# wait once everything was ready.
own9c=$(awk -v a="$(secs "$a" "$a1")" -v w="$(secs "$lr9c" "$b")" 'BEGIN { print a + w }')
ownk=$(awk -v a="$(secs "$c1" "$d")" -v w="$(secs "$lrk" "$e")" 'BEGIN { print a + w }')
printf 'the tools'"'"' own share: 9c %ss, kubectl %ss (%sx)\n' "$own9c" "$ownk" \
	"$(awk -v k="$ownk" -v c="$own9c" 'BEGIN { printf "%.1f", k / c }')"
printf '9c down (wait --for delete) %5ss\n' "$(secs "$e" "$f")"
printf 'kubectl delete --wait      %6ss\n' "$(secs "$f" "$g")"
printf '9c requests, first up and again:\n'
cat "$work/stats-first" "$work/stats-again"
