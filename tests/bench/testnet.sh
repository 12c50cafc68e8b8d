#!/bin/sh
# Benchmark: the whole pipeline, `9c-testnet up', `up' again with nothing
# changed, and `down', on one fresh local cluster, for
#   the local example with BENCH_NODES remote-headless nodes (default 1000)
#   the PBFT example with BENCH_VALIDATORS validators (default 100)
# one network after the other.  Prints the wall time of each command and of
# each of its steps (as 9c-testnet reports them), the peak memory of each
# tool over the command, the requests 9c-kapply and 9c-wait sent, and the
# load average at the end of each command.  BENCH_ONLY=local or pbft runs
# one of the two.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
shared=${SHARED:-$top/../shared}
nodes=${BENCH_NODES:-1000}
validators=${BENCH_VALIDATORS:-100}
# shellcheck source=tests/bench/lib/cluster.sh
. "$top/tests/bench/lib/cluster.sh"

[ -x "$top/build/9c-wait" ] || make -C "$top" -s
bench_cluster testnet-bench
NINEC_CLUSTER=$name
NINEC_STATE=$work/state
NINEC_WAIT_STATS=1
export NINEC_CLUSTER NINEC_STATE NINEC_WAIT_STATS
[ -r "$shared/corpus/argo-cd-install.yaml" ] &&
	NINEC_ARGOCD_MANIFEST=$shared/corpus/argo-cd-install.yaml &&
	export NINEC_ARGOCD_MANIFEST

# The pipelines run the tools through a directory of wrappers, each of which
# appends "TOOL SECONDS PEAK-KB" to $work/tools.log (9c-kapply with -v, so
# that it reports its phases and requests).
mkdir "$work/bin"
for t in 9c-tfvars 9c-render 9c-secrets 9c-order 9c-kapply 9c-wait; do
	v=''
	[ "$t" = 9c-kapply ] && v=-v
	printf '#!/bin/sh\nexec /usr/bin/time -a -o %s -f "%s %%e %%M" %s %s "$@"\n' \
		"$work/tools.log" "$t" "$top/build/$t" "$v" >"$work/bin/$t"
	chmod +x "$work/bin/$t"
done
NINEC_BIN=$work/bin
export NINEC_BIN

now() { date +%s.%N; }

# run TAG CMD...: CMD, timed; then its steps, tools and requests.
run() {
	tag=$1
	shift
	: >"$work/tools.log"
	a=$(now)
	if ! "$@" >/dev/null 2>"$work/$tag.err"; then
		cat "$work/$tag.err" >&2
		# Its moto_server and objects go; the cluster goes at exit.
		"$top/pipelines/9c-testnet" down "$spec" >/dev/null 2>&1
		exit 1
	fi
	b=$(now)
	printf '%-22s %7.1f s  (load %s)\n' "$tag" "$(echo "$b - $a" | bc)" \
		"$(cut -d' ' -f1-3 /proc/loadavg)"
	# The steps that say how long they took, and what the tools sent.
	sed -n 's/^9c-testnet: \(\[[0-9]\/[0-9]\] [a-z]*\): .* in \([0-9.]*\)s$/    \1 \2 s/p' "$work/$tag.err"
	awk '/^9c-kapply: [0-9]+ requests?,/ { k += $2; nk++ }
		/^9c-wait: [0-9]+ requests?,/ { w += $2; nw++ }
		END { printf "    requests: 9c-kapply %d (%d runs), 9c-wait %d (%d runs)\n", k, nk, w, nw }' \
		"$work/$tag.err"
	awk '$1 ~ /^9c-/ { if ($3 > m[$1]) m[$1] = $3; s[$1] += $2; n[$1]++ }
		END { for (t in m) printf "    %-10s %d run(s), %.1f s, peak %.0f MB\n", t, n[t], s[t], m[t] / 1024 }' \
		"$work/tools.log" | sort
}

if [ "${BENCH_ONLY:-local}" = local ]; then
	sed -e '/^  remoteHeadless:/,/count:/s/count: 1$/count: '"$nodes"'/' \
		"$top/share/examples/local.yaml" >"$work/local.yaml"
	spec=$work/local.yaml
	printf 'local example, %s remote-headless nodes\n' "$nodes"
	run "up" "$top/pipelines/9c-testnet" up "$spec"
	run "up again (no change)" "$top/pipelines/9c-testnet" up "$spec"
	run "down" "$top/pipelines/9c-testnet" down "$spec"
fi
if [ "${BENCH_ONLY:-pbft}" = pbft ]; then
	sed -e '/^  validator:/,/count:/s/count: 4$/count: '"$validators"'/' \
		"$top/share/examples/pbft.yaml" >"$work/pbft.yaml"
	spec=$work/pbft.yaml
	printf 'PBFT example, %s validators\n' "$validators"
	run "up" "$top/pipelines/9c-testnet" up "$spec"
	run "up again (no change)" "$top/pipelines/9c-testnet" up "$spec"
	run "down" "$top/pipelines/9c-testnet" down "$spec"
fi
