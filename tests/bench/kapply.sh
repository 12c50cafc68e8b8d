#!/bin/sh
# Benchmark: 1,000 objects (ConfigMaps and the corpus: Argo CD's install
# manifest and the external-secrets CRDs) applied to one fresh local
# cluster, in the same run, by
#   kubectl apply --server-side -f      (what users run today: the baseline)
#   9c-kapply                           (dry run + apply per stage, gates)
#   curl --parallel --parallel-max 64 --http2 with the same apply requests
#                                       (the server's own ceiling)
# Every run applies the same objects under names of its own: its own
# namespace, its own CRD groups (argoproj.io becomes <run>.argoproj.io),
# its own cluster-scoped names.  Nothing is deleted between runs: deleting
# CRDs makes the server work for seconds afterwards (and can stall), which
# would bill one tool for another's cleanup.  Before each run the server is
# left to settle until its CPU is idle.
# kubectl runs once (it takes 40 s); 9c-kapply and curl run BENCH_ROUNDS
# times each (default 3) and their medians are compared.
# BENCH_OBJECTS changes the object count, BENCH_JOBS 9c-kapply's -j.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
shared=${SHARED:-$top/../shared}
n=${BENCH_OBJECTS:-1000}
jobs=${BENCH_JOBS:-64}
rounds=${BENCH_ROUNDS:-3}
# shellcheck source=tests/bench/lib/cluster.sh
. "$top/tests/bench/lib/cluster.sh"

[ -n "${KAPPLY-}" ] || [ -x "$top/build/9c-kapply" ] || make -C "$top" -s build-release
kapply=${KAPPLY:-$top/build/9c-kapply}

bench_cluster kapply-bench

# Odd rounds send curl first, even rounds 9c-kapply: each run leaves CRDs
# behind, and the server gets a little slower with every one.
runs="kubectl"
r=1
while [ "$r" -le "$rounds" ]; do
	if [ $((r % 2)) -eq 1 ]; then
		runs="$runs curl$r kapply$r"
	else
		runs="$runs kapply$r curl$r"
	fi
	r=$((r + 1))
done

# The streams, one per run, and a curl config per curl run.
# shellcheck disable=SC2086
python3 - "$work" "$n" "$shared" "$NINEC_LOCAL_SERVER" "$NINEC_LOCAL_STATE" $runs <<'EOF'
import json, os, sys, yaml
work, n, shared, server, state = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
runs = sys.argv[6:]
corpus = []
for f in ("argo-cd-install.yaml", "external-secrets-crds.yaml"):
    with open(os.path.join(shared, "corpus", f)) as fh:
        corpus += [d for d in yaml.safe_load_all(fh) if d]
cluster_kinds = {"CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding"}
plural = {"ServiceAccount": "serviceaccounts", "Role": "roles", "RoleBinding": "rolebindings",
          "ConfigMap": "configmaps", "Secret": "secrets", "Service": "services",
          "Deployment": "deployments", "StatefulSet": "statefulsets",
          "NetworkPolicy": "networkpolicies", "ClusterRole": "clusterroles",
          "ClusterRoleBinding": "clusterrolebindings",
          "CustomResourceDefinition": "customresourcedefinitions"}

def rename(d, run):
    d = json.loads(json.dumps(d))
    k, md = d["kind"], d["metadata"]
    if k == "CustomResourceDefinition":
        g = run + "." + d["spec"]["group"]
        d["spec"]["group"] = g
        md["name"] = d["spec"]["names"]["plural"] + "." + g
    elif k in cluster_kinds:
        md["name"] += "-" + run
        if k == "ClusterRoleBinding":
            d["roleRef"]["name"] += "-" + run
            for s in d.get("subjects", []):
                if s.get("kind") == "ServiceAccount":
                    s["namespace"] = "bench-" + run
    else:
        md["namespace"] = "bench-" + run
    return d

for run in runs:
    ns = "bench-" + run
    objs = [rename(d, run) for d in corpus]
    for i in range(n - len(objs)):
        objs.append({"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": {"name": "cm-%d" % i, "namespace": ns},
                     "data": {"index": str(i), "payload": "x" * 200}})
    with open(os.path.join(work, run + ".yaml"), "w") as fh:
        yaml.safe_dump_all(objs, fh, sort_keys=False)
    if not run.startswith("curl"):
        continue
    bodies = os.path.join(work, "bodies-" + run)
    os.mkdir(bodies)
    with open(os.path.join(work, run + ".cfg"), "w") as cfg:
        for i, d in enumerate(objs):
            g, _, v = d["apiVersion"].rpartition("/")
            base = "/apis/%s/%s" % (g, v) if g else "/api/" + v
            if d["kind"] not in cluster_kinds:
                base += "/namespaces/" + ns
            url = "%s%s/%s/%s?fieldManager=bench&fieldValidation=Strict" % (
                server, base, plural[d["kind"]], d["metadata"]["name"])
            body = os.path.join(bodies, "%d.json" % i)
            with open(body, "w") as b:
                json.dump(d, b)
            cfg.write('url = "%s"\nrequest = "PATCH"\n'
                      'header = "Content-Type: application/apply-patch+yaml"\n'
                      'data-binary = "@%s"\ncacert = "%s/pki/ca.crt"\n'
                      'cert = "%s/pki/admin.crt"\nkey = "%s/pki/admin.key"\n'
                      'output = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n'
                      % (url, body, state, state, state))
            if i + 1 < len(objs):
                cfg.write("next\n")
EOF

for t in $runs; do
	kubectl create namespace "bench-$t" >/dev/null
done

now() { date +%s.%N; }
# settle: wait (at most 30 s) until the API server, etcd and the controller
# manager used less than 10% of a core over the last second, so no run pays
# for the one before.
cputicks() {
	for c in kube-apiserver etcd kube-controller-manager; do
		awk '{ print $14 + $15 }' "/proc/$(cut -d' ' -f1 "$NINEC_LOCAL_STATE/pids/$c")/stat"
	done | awk '{ s += $1 } END { print s }'
}
settle() {
	i=0
	while [ "$i" -lt 30 ]; do
		a=$(cputicks)
		sleep 1
		b=$(cputicks)
		[ $((b - a)) -lt 10 ] && return 0
		i=$((i + 1))
	done
	echo "kapply bench: the server did not settle" >&2
}

for t in $runs; do
	settle
	t0=$(now)
	case $t in
	kubectl)
		kubectl apply --server-side -f "$work/$t.yaml" >/dev/null ;;
	kapply*)
		"$kapply" -q -j "$jobs" "$work/$t.yaml" >/dev/null ;;
	curl*)
		curl -sS --parallel --parallel-max 64 --http2 -K "$work/$t.cfg" \
			>"$work/codes" 2>"$work/curl.err"
		bad=$(grep -cv '^20[01]$' "$work/codes" || true)
		if [ "$bad" -ne 0 ]; then
			echo "kapply bench: $bad curl requests failed" >&2
			sort "$work/codes" | uniq -c >&2
			exit 1
		fi ;;
	esac
	t1=$(now)
	# Each run wrote all of its objects.
	c=$(kubectl get configmaps -n "bench-$t" --no-headers | wc -l)
	awk -v t="$t" -v a="$t0" -v b="$t1" -v c="$c" \
		'BEGIN { printf "%-8s %6.2f s  (%d ConfigMaps)\n", t, b - a, c }' | tee -a "$work/times" >&2
done

awk -v n="$n" -v rounds="$rounds" '
function median(a, k,   i, j, x) {
	for (i = 2; i <= k; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) { x = a[j]; a[j] = a[j - 1]; a[j - 1] = x }
	return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
$1 == "kubectl" { k = $2 }
$1 ~ /^kapply/ { ka[++nk] = $2 }
$1 ~ /^curl/ { cu[++nc] = $2 }
END {
	a = median(ka, nk); c = median(cu, nc)
	printf "objects: %d (ConfigMaps + Argo CD install + external-secrets CRDs); medians of %d rounds\n", n, rounds
	printf "kubectl apply --server-side: %7.2f s  %7.1f objects/s  (baseline)\n", k, n / k
	printf "9c-kapply:                   %7.2f s  %7.1f objects/s  %.1fx kubectl\n", a, n / a, k / a
	printf "curl ceiling (64 parallel):  %7.2f s  %7.1f objects/s  %.1fx kubectl\n", c, n / c, k / c
	printf "9c-kapply reaches %.0f%% of the ceiling (goal: 10x kubectl, 70%% of ceiling)\n", 100 * c / a
}' "$work/times"
