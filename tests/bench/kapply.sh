#!/bin/sh
# Benchmark: 1,000 objects (ConfigMaps and the corpus: Argo CD's install
# manifest and the external-secrets CRDs) applied to one fresh local
# cluster, in the same run, by
#   kubectl apply --server-side -f      (what users run today: the baseline)
#   9c-kapply                           (dry run + apply per stage, gates)
#   curl --parallel --parallel-max 64 --http2 with the same apply requests
#                                       (the server's own ceiling)
# Each tool applies the same objects into its own namespace; the
# cluster-scoped ones (CRDs, ClusterRoles, bindings) are deleted between
# runs, untimed, so every tool starts from the same state.
# Prints the three times and the ratios.  BENCH_OBJECTS changes the count.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
shared=${SHARED:-$top/../shared}
n=${BENCH_OBJECTS:-1000}
jobs=${BENCH_JOBS:-64}
name=kapply-bench-$$
name=$(printf '%s' "$name" | cut -c1-40)
work=$(mktemp -d)
local9c=$top/pipelines/9c-local
cleanup() {
	"$local9c" -n "$name" down >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

[ -n "${KAPPLY-}" ] || [ -x "$top/build/9c-kapply" ] || make -C "$top" -s build-release
kapply=${KAPPLY:-$top/build/9c-kapply}

"$local9c" -n "$name" up >/dev/null
eval "$("$local9c" -n "$name" env)"

# The streams, one per tool, and the curl config: the same objects.
python3 - "$work" "$n" "$shared" "$NINEC_LOCAL_SERVER" "$NINEC_LOCAL_STATE" <<'EOF'
import json, os, sys, yaml
work, n, shared, server, state = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
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
with open(os.path.join(work, "cluster.yaml"), "w") as fh:
    yaml.safe_dump_all([d for d in corpus if d["kind"] in cluster_kinds], fh, sort_keys=False)
for tool in ("kubectl", "kapply", "curl"):
    ns = "bench-" + tool
    objs = []
    for d in corpus:
        d = json.loads(json.dumps(d))
        if d["kind"] not in cluster_kinds:
            d["metadata"]["namespace"] = ns
        objs.append(d)
    for i in range(n - len(objs)):
        objs.append({"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": {"name": "cm-%d" % i, "namespace": ns},
                     "data": {"index": str(i), "payload": "x" * 200}})
    with open(os.path.join(work, tool + ".yaml"), "w") as fh:
        yaml.safe_dump_all(objs, fh, sort_keys=False)
    if tool != "curl":
        continue
    os.mkdir(os.path.join(work, "bodies"))
    with open(os.path.join(work, "curl.cfg"), "w") as cfg:
        for i, d in enumerate(objs):
            g, _, v = d["apiVersion"].rpartition("/")
            base = "/apis/%s/%s" % (g, v) if g else "/api/" + v
            if d["kind"] not in cluster_kinds:
                base += "/namespaces/" + ns
            url = "%s%s/%s/%s?fieldManager=bench&fieldValidation=Strict" % (
                server, base, plural[d["kind"]], d["metadata"]["name"])
            body = os.path.join(work, "bodies", "%d.json" % i)
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

for t in kubectl kapply curl; do
	kubectl create namespace "bench-$t" >/dev/null
done

now() { date +%s.%N; }
reset_cluster_scoped() {
	kubectl delete -f "$work/cluster.yaml" --ignore-not-found --wait >/dev/null 2>&1 || true
}

t0=$(now)
kubectl apply --server-side -f "$work/kubectl.yaml" >/dev/null
t_kubectl=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }')
echo "kubectl: $t_kubectl s" >&2
reset_cluster_scoped

t0=$(now)
"$kapply" -q -j "$jobs" "$work/kapply.yaml" >/dev/null
t_kapply=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }')
echo "9c-kapply: $t_kapply s" >&2
reset_cluster_scoped

t0=$(now)
curl -sS --parallel --parallel-max 64 --http2 -K "$work/curl.cfg" > "$work/codes" 2> "$work/curl.err"
t_curl=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }')
bad=$(grep -cv '^20[01]$' "$work/codes" || true)
[ "$bad" -eq 0 ] || { echo "kapply bench: $bad curl requests failed" >&2; sort "$work/codes" | uniq -c >&2; exit 1; }

# Each tool wrote the same number of objects.
for t in kubectl kapply curl; do
	c=$(kubectl get configmaps -n "bench-$t" --no-headers | wc -l)
	printf '%-8s %d ConfigMaps in bench-%s\n' "$t" "$c" "$t"
done
awk -v k="$t_kubectl" -v a="$t_kapply" -v c="$t_curl" -v n="$n" 'BEGIN {
	printf "objects: %d (ConfigMaps + Argo CD install + external-secrets CRDs)\n", n
	printf "kubectl apply --server-side: %7.2f s  %7.1f objects/s  (baseline)\n", k, n / k
	printf "9c-kapply:                   %7.2f s  %7.1f objects/s  %.1fx kubectl\n", a, n / a, k / a
	printf "curl ceiling (64 parallel):  %7.2f s  %7.1f objects/s\n", c, n / c
	printf "9c-kapply reaches %.0f%% of the ceiling (goal: 10x kubectl, 70%% of ceiling)\n", 100 * c / a
}'
