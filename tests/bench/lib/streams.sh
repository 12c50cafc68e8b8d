# shellcheck shell=sh
# streams.sh - the inputs the ordering benchmarks share (sourced).
#
# bench_configmaps N FILE: N small ConfigMaps in one namespace and one stage
# (the shape that was quadratic).
# bench_chain N FILE: N ConfigMaps, each depending on the one before it, so
# N stages.
# bench_corpus MB SHARED FILE: the corpus of SHARED repeated, its objects
# renamed each time, until FILE holds MB megabytes.
bench_configmaps() {
	awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++)
		printf "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n  namespace: bench\ndata:\n  k: \"%d\"\n", i, i }' >"$2"
}

bench_chain() {
	awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++) {
		printf "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n  namespace: bench\n", i
		if (i > 1)
			printf "  annotations:\n    config.kubernetes.io/depends-on: /namespaces/bench/ConfigMap/cm-%d\n", i - 1
		printf "data:\n  k: \"%d\"\n", i } }' >"$2"
}

bench_corpus() {
	i=0
	: >"$3"
	while [ "$(wc -c <"$3")" -lt $(($1 * 1000000)) ]; do
		i=$((i + 1))
		for f in "$2/corpus/argo-cd-install.yaml" "$2/corpus/external-secrets-crds.yaml"; do
			{
				printf -- '---\n'
				awk -v r="$i" '/^---/ { m = 0 } /^metadata:/ { m = 1 } m && /^  name: / { sub(/$/, "-r" r); m = 0 } 1' "$f"
				printf '\n'
			} >>"$3"
		done
	done
}
