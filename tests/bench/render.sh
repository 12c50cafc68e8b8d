#!/bin/sh
# render.sh - time `9c-render network' on a 1,000-node network against, in
# the same run, (a) the bare re-emit of its own output with the stream
# library (parse + emit: the ceiling of any renderer built on it) and
# (b) `helm template' of an equivalent chart (tests/bench/helm/chart), when
# helm could be built (tests/bench/helm/build.sh).  Prints the ratios.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
make -s build-release >/dev/null 2>&1 ||
	echo "render.sh: make build-release failed; timing the existing build/" >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
NINEC_SHARE=$root/share
export NINEC_SHARE
runs=${RUNS:-5}
bin=${NINEC_BENCH_BIN:-$root/build}

# 10 seeds, 490 miners, 500 remote headless nodes; hosts are DNS names.
cat >"$tmp/spec.yaml" <<'SPEC'
apiVersion: 9c.planetarium.dev/v1alpha1
kind: TestNet
name: bench
aws:
  region: us-east-2
  accountId: "838612679705"
network:
  namespace: bench
  domain: example.com
  release: 2022-pow
  appProtocolVersion: 1/271e00B29aeB93B2F4e30ECbebA4f72ac02f72b4/MEUCIQCJlZxZJYNOvEVZ15vKgkppIOUY8MWt4rmjo7Mpu6M92AIgHcuIoTo8GS3hnjn2WAXUBr+yk9FkhXWoosufldmQuVE=
  genesisBlock: https://9c-test.s3.ap-northeast-2.amazonaws.com/genesis-block-9c-test
  trustedAppProtocolVersionSigner: 02febda47acc3bb9fcf4e729f46cc52eb12d4ae1cc9f59a31b28d1714437722b09
  seed:
    count: 10
  miner:
    count: 490
    resources:
      requests:
        cpu: "1"
        memory: 2Gi
  remoteHeadless:
    count: 500
    resources:
      requests:
        cpu: "1"
        memory: 2Gi
SPEC

# shellcheck disable=SC2046 # pkg-config prints several words on purpose
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	$(pkg-config --cflags yaml-0.1) -Itools/lib tests/bench/render-reemit.c \
	"$bin/lib9c.a" $(pkg-config --libs yaml-0.1 libcjson libcurl openssl) -lm \
	-o "$tmp/reemit"

# best CMD...: the best of $runs runs, in milliseconds of CPU (user +
# system, from time(1)): the machine is shared, so wall time says more
# about the neighbours than about the code.  Wall time when time(1) is
# missing.
best() {
	b=
	i=0
	while [ "$i" -lt "$runs" ]; do
		if [ -x /usr/bin/time ]; then
			/usr/bin/time -f '%U %S' -o "$tmp/time" "$@" >/dev/null
			t=$(awk '{ printf "%d", ($1 + $2) * 1000 }' "$tmp/time")
		else
			s=$(date +%s%N)
			"$@" >/dev/null
			e=$(date +%s%N)
			t=$(( (e - s) / 1000000 ))
		fi
		if [ -z "$b" ] || [ "$t" -lt "$b" ]; then b=$t; fi
		i=$((i + 1))
	done
	echo "$b"
}

"$bin/9c-render" -P network "$tmp/spec.yaml" >"$tmp/out.yaml"
docs=$(grep -c '^kind:' "$tmp/out.yaml")
bytes=$(wc -c <"$tmp/out.yaml")
render=$(best "$bin/9c-render" -P network "$tmp/spec.yaml")
reemit=$(best "$tmp/reemit" "$tmp/out.yaml")
printf 'render.sh: 1000 nodes, %s documents, %s bytes of YAML, best of %s\n' "$docs" "$bytes" "$runs"
printf '9c-render network   %6s ms\n' "$render"
printf 'parse+emit ceiling  %6s ms   render / ceiling = %s\n' "$reemit" \
	"$(awk -v a="$render" -v b="$reemit" 'BEGIN { printf "%.2f", b ? a / b : 0 }')"

helm=$(HELM_NO_BUILD=1 sh tests/bench/helm/build.sh 2>/dev/null) || helm=
if [ -n "$helm" ] && [ -x "$helm" ]; then
	"$helm" template bench tests/bench/helm/chart >"$tmp/helm.yaml"
	hdocs=$(grep -c '^kind:' "$tmp/helm.yaml")
	ht=$(best "$helm" template bench tests/bench/helm/chart)
	printf 'helm template       %6s ms   (%s documents)   helm / render = %s\n' "$ht" "$hdocs" \
		"$(awk -v a="$ht" -v b="$render" 'BEGIN { printf "%.2f", b ? a / b : 0 }')"
else
	echo 'helm template: no helm (build it with tests/bench/helm/build.sh); no helm ratio'
fi
