#!/bin/sh
# build.sh - build (or reuse) the local control plane binaries for 9c-local(1).
#
# Builds kube-apiserver, kube-controller-manager, kube-scheduler and etcd from
# the module in this directory, and kwok from the module in ./kwok, with the
# installed Go toolchain and the Go module proxy.  The binaries go to a cache
# directory outside the repository, keyed by the pinned versions, so that a
# fresh clone reuses them:
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/9c/k8s-<v>-etcd-<v>-kwok-<v>/bin/
#
# Prints the bin directory on stdout; progress goes to stderr.
# Usage: build.sh [-f]     (-f: rebuild even if the binaries are cached)
# Exit status: 0 ok, 1 build failure, 2 usage.
set -eu

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
build_options "$@"

k8s_v=$(build_modver "$here/go.mod" k8s.io/kubernetes)
etcd_v=$(build_modver "$here/go.mod" go.etcd.io/etcd/server/v3)
kwok_v=$(build_modver "$here/kwok/go.mod" sigs.k8s.io/kwok)
if [ -z "$k8s_v" ] || [ -z "$etcd_v" ] || [ -z "$kwok_v" ]; then
	build_die "cannot read pinned versions from $here/go.mod and $here/kwok/go.mod"
fi

bins="etcd kube-apiserver kube-controller-manager kube-scheduler kwok"
is_complete() {
	[ -f "$dest/.complete" ] || return 1
	for b in $bins; do [ -x "$dest/bin/$b" ] || return 1; done
	[ -f "$dest/share/kwok-stages.yaml" ] || return 1
}
build_begin "k8s-$k8s_v-etcd-$etcd_v-kwok-$kwok_v" is_complete

kmin=${k8s_v#v1.}; kmin=${kmin%%.*}
P=k8s.io/component-base/version
Q=k8s.io/client-go/pkg/version
zero=0000000000000000000000000000000000000000
ldk=""
for pkg in $P $Q; do
	ldk="$ldk -X $pkg.gitVersion=$k8s_v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$kmin"
	ldk="$ldk -X $pkg.gitCommit=$zero -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

cd "$here"
build_msg "k8s $k8s_v, etcd $etcd_v, kwok $kwok_v -> $dest/bin"
kpkgs="k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
	k8s.io/kubernetes/cmd/kube-scheduler go.etcd.io/etcd/server/v3"
# shellcheck disable=SC2086 # a list of package paths
n=$(build_count $kpkgs)
# One go build for the four binaries: they share one compile of what they
# have in common (client-go, apimachinery, etcd's client, grpc).
# shellcheck disable=SC2086
build_run "kube-apiserver, kube-controller-manager, kube-scheduler, etcd (k8s $k8s_v, etcd $etcd_v)" "$n" \
	go build -v -p "$build_jobs" -trimpath -ldflags "-s -w$ldk" -o "$tmp/bin/" $kpkgs
# A /v3 main package is named after its last element without the suffix.
mv "$tmp/bin/server" "$tmp/bin/etcd"

cd "$here/kwok"
n=$(build_count sigs.k8s.io/kwok/cmd/kwok)
build_run "kwok ($kwok_v)" "$n" \
	go build -v -p "$build_jobs" -trimpath \
	-ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${kwok_v#v}" \
	-o "$tmp/bin/kwok" sigs.k8s.io/kwok/cmd/kwok

# kwok has no built-in stages: take the upstream "fast" node and pod stages
# from the module source (9c-local adds volume and load balancer stages).
kdir=$(go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
[ -d "$kdir/kustomize/stage" ] || build_die "kwok module source not found (go list -m sigs.k8s.io/kwok)"
first=1
for f in node/fast/node-initialize.yaml \
	node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
	pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
	[ "$first" = 1 ] || printf -- '---\n'
	first=0
	cat "$kdir/kustomize/stage/$f"
done >"$tmp/share/kwok-stages.yaml"

for b in $bins; do "$tmp/bin/$b" --version >/dev/null 2>&1 || build_die "$b does not run"; done
build_done
