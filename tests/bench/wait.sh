#!/bin/sh
# Benchmark: waiting for 500 custom resources (BENCH_OBJECTS) to become
# Ready on one fresh local cluster, in the same run, by
#   kubectl wait --for=condition=Ready -f   (the baseline)
#   9c-wait                                 (one list + one watch per type)
# Each tool waits on its own namespace of objects that have no status yet.
# The script writes Ready=True into every status through the status
# subresource (curl, HTTP/2, in parallel), all but one first, then the last
# one alone, and measures
#   latency:  from the last status write returning to the tool's exit;
#   requests: GET/LIST/WATCH requests on the resource, from the API
#             server's apiserver_request_total before and after (nothing
#             else reads these objects), plus kubectl's own -v=6 count.
# Prints the figures and the ratios.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
n=${BENCH_OBJECTS:-500}
# shellcheck source=tests/bench/lib/cluster.sh
. "$top/tests/bench/lib/cluster.sh"

[ -n "${WAIT9C-}" ] || [ -x "$top/build/9c-wait" ] || make -C "$top" -s build-release
wait9c=${WAIT9C:-$top/build/9c-wait}

# BENCH_CLUSTER=name reuses a running cluster.
bench_cluster wait-bench
S=$NINEC_LOCAL_STATE

kubectl apply --server-side -f "$top/tests/fixtures/wait/cluster/widgets-crd.yaml" >/dev/null
kubectl wait --for condition=Established crd/widgets.example.com >/dev/null

now() { date +%s.%N; }

api() { # api METHOD PATH: admin request to the server
	curl -sS --http2 --cacert "$S/pki/ca.crt" --cert "$S/pki/admin.crt" \
		--key "$S/pki/admin.key" -X "$1" "$NINEC_LOCAL_SERVER$2"
}

# reads: GET, LIST and WATCH requests served on widgets so far.
reads() {
	api GET /metrics | awk '
		/^apiserver_request_total\{/ && /resource="widgets"/ &&
		    /verb="(GET|LIST|WATCH)"/ { s += $NF }
		END { printf "%d\n", s }'
}

# objects NS: the stream of n Widgets in namespace NS.
objects() {
	i=0
	while [ "$i" -lt "$n" ]; do
		printf -- '---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w-%d\n  namespace: %s\nspec:\n  size: %d\n' "$i" "$1" "$i"
		i=$((i + 1))
	done
}

# urls NS FROM TO: a curl config naming the status of w-FROM .. w-TO.
urls() {
	i=$2
	while [ "$i" -le "$3" ]; do
		printf 'url = "%s/apis/example.com/v1/namespaces/%s/widgets/w-%d/status"\n' \
			"$NINEC_LOCAL_SERVER" "$1" "$i"
		i=$((i + 1))
	done
}

# run TOOL NS: start the tool waiting on NS, make everything Ready, and
# print "latency-ms reads".  The last status write and the tool's exit are
# timed in one Python process (no fork between the events and the clock).
run() {
	kubectl create namespace "$2" >/dev/null
	objects "$2" > "$work/$2.yaml"
	kubectl apply -f "$work/$2.yaml" >/dev/null
	urls "$2" 0 $((n - 2)) > "$work/$2.urls"
	before=$(reads)
	case $1 in
	9c-wait)
		set -- "$2" env NINEC_WAIT_STATS=1 "$wait9c" -q -g 1h -t 600s -o json "$work/$2.yaml" ;;
	kubectl)
		set -- "$2" kubectl wait --for=condition=Ready --timeout=600s -v=6 \
			--cache-dir="$work/kcache" -f "$work/$2.yaml" ;;
	esac
	ms=$(python3 - "$work" "$n" "$NINEC_LOCAL_SERVER" "$S" "$@" <<'PY'
import http.client, os, ssl, subprocess, sys, threading, time
work, n, server, state, ns, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:]
out = open(os.path.join(work, ns + ".out"), "w")
err = open(os.path.join(work, ns + ".err"), "w")
p = subprocess.Popen(cmd, stdout=out, stderr=err)
exited = []
def waiter():
    p.wait()
    exited.append(time.monotonic())
threading.Thread(target=waiter).start()
time.sleep(2)
# Ready=True into all but the last, 50 at a time over HTTP/2.
subprocess.run(["curl", "-sS", "--http2", "--parallel", "--parallel-max", "50",
                "--cacert", os.path.join(state, "pki/ca.crt"),
                "--cert", os.path.join(state, "pki/admin.crt"),
                "--key", os.path.join(state, "pki/admin.key"), "-X", "PATCH",
                "-H", "Content-Type: application/merge-patch+json", "--data",
                '{"status":{"observedGeneration":1,"conditions":[{"type":"Ready","status":"True"}]}}',
                "-K", os.path.join(work, ns + ".urls")],
               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(1)
ctx = ssl.create_default_context(cafile=os.path.join(state, "pki/ca.crt"))
ctx.load_cert_chain(os.path.join(state, "pki/admin.crt"), os.path.join(state, "pki/admin.key"))
host = server.split("//")[1]
c = http.client.HTTPSConnection(host, context=ctx)
c.connect()
body = '{"status":{"observedGeneration":1,"conditions":[{"type":"Ready","status":"True"}]}}'
c.request("PATCH", "/apis/example.com/v1/namespaces/%s/widgets/w-%d/status" % (ns, n - 1), body,
          {"Content-Type": "application/merge-patch+json"})
r = c.getresponse(); r.read()
last = time.monotonic()
while not exited:
    time.sleep(0.001)
print("%.0f" % ((exited[0] - last) * 1000))
PY
)
	after=$(reads)
	printf '%s %d\n' "$ms" $((after - before))
}

r=$(run 9c-wait "bench-9c-$$")
ms9c=${r% *} req9c=${r#* }
r=$(run kubectl "bench-kc-$$")
mskc=${r% *} reqkc=${r#* }
kclines=$(grep -c -E '"?(GET|LIST|WATCH)"? https' "$work/bench-kc-$$.err" || true)
stats=$(cat "$work/bench-9c-$$.err")

printf 'objects: %d Widgets, made Ready by status writes; last write to exit, requests\n' "$n"
printf '%-28s %8s ms %8s requests (server metrics)\n' "kubectl wait (baseline)" "$mskc" "$reqkc"
printf '%-28s %8s ms %8s requests (server metrics)\n' "9c-wait" "$ms9c" "$req9c"
printf 'kubectl -v=6 request lines: %s; 9c-wait says: %s\n' "$kclines" "${stats#9c-wait: }"
awk -v a="$mskc" -v b="$ms9c" -v c="$reqkc" -v d="$req9c" 'BEGIN {
	printf "ratio kubectl/9c-wait: latency %.1fx, requests %.1fx\n",
	    (b > 0 ? a / b : 0), (d > 0 ? c / d : 0) }'
