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

prog=9c-local
force=0
case ${1-} in
	-f) force=1 ;;
	'') ;;
	*) printf 'usage: build.sh [-f]\n' >&2; exit 2 ;;
esac

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)

msg() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { msg "$*"; exit 1; }

# Versions come from the committed go.mod files: one source of truth.
modver() { sed -n "s|^[[:space:]]*$2 \\(v[^[:space:]]*\\).*|\\1|p" "$1" | head -n 1; }
k8s_v=$(modver "$here/go.mod" k8s.io/kubernetes)
etcd_v=$(modver "$here/go.mod" go.etcd.io/etcd/server/v3)
kwok_v=$(modver "$here/kwok/go.mod" sigs.k8s.io/kwok)
if [ -z "$k8s_v" ] || [ -z "$etcd_v" ] || [ -z "$kwok_v" ]; then
	die "cannot read pinned versions from $here/go.mod and $here/kwok/go.mod"
fi

cache=${XDG_CACHE_HOME:-$HOME/.cache}/9c
key=k8s-$k8s_v-etcd-$etcd_v-kwok-$kwok_v
dest=$cache/$key
bins="etcd kube-apiserver kube-controller-manager kube-scheduler kwok"

is_complete() {
	[ -f "$dest/.complete" ] || return 1
	for b in $bins; do [ -x "$dest/bin/$b" ] || return 1; done
	[ -f "$dest/share/kwok-stages.yaml" ] || return 1
}

if [ "$force" = 0 ] && is_complete; then
	msg "using cached binaries in $dest/bin"
	printf '%s\n' "$dest/bin"
	exit 0
fi

command -v go >/dev/null 2>&1 || die "go not found in PATH (Go >= 1.26 is needed to build)"
mkdir -p "$cache"

# One build at a time per cache: a second caller waits, then reuses.
exec 9>"$cache/.build-$key.lock"
if ! flock -n 9; then
	msg "another build of $key is running; waiting for it"
	flock 9
fi
if [ "$force" = 0 ] && is_complete; then
	msg "using cached binaries in $dest/bin"
	printf '%s\n' "$dest/bin"
	exit 0
fi

export GOWORK=off GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=readonly
jobs=${NINEC_BUILD_JOBS:-2}
tmp=$cache/.tmp-$key-$$
rm -rf "$tmp"
mkdir -p "$tmp/bin" "$tmp/share"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

start=$(date +%s)
elapsed() { echo $(($(date +%s) - start)); }

# run LABEL TOTAL CMD...: run a go build -v, printing every 30 s how many of
# the TOTAL packages it has compiled so far (go build -v names each package
# it compiles; packages already in the Go build cache are not counted, so a
# warm build finishes below 100%).
run() {
	label=$1 total=$2; shift 2
	t0=$(date +%s)
	msg "building $label: $total packages"
	"$@" >"$tmp/build.log" 2>&1 &
	bpid=$!
	(
		while sleep 30; do
			kill -0 "$bpid" 2>/dev/null || exit 0
			n=$(grep -c -v ' ' "$tmp/build.log" 2>/dev/null) || n=0
			msg "building $label: $n of $total packages compiled ($((n * 100 / total))%), $(($(date +%s) - t0))s"
		done
	) &
	tpid=$!
	st=0
	wait "$bpid" || st=$?
	kill "$tpid" 2>/dev/null || :
	wait "$tpid" 2>/dev/null || :
	if [ "$st" != 0 ]; then
		grep ' ' "$tmp/build.log" | tail -n 40 >&2
		die "building $label failed (exit status $st)"
	fi
	msg "built $label in $(($(date +%s) - t0))s"
}

# count PKG...: the packages a build of PKG compiles at most (downloads the
# modules first, which is most of a cold build's network time).
count() {
	msg "resolving the modules of $*"
	c=$(go list -deps "$@" 2>"$tmp/list.log" | wc -l) || c=0
	if [ "$c" -eq 0 ]; then
		tail -n 20 "$tmp/list.log" >&2
		die "go list failed for $*"
	fi
	printf '%s\n' "$c"
}

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
msg "k8s $k8s_v, etcd $etcd_v, kwok $kwok_v -> $dest/bin"
kpkgs="k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
	k8s.io/kubernetes/cmd/kube-scheduler go.etcd.io/etcd/server/v3"
# shellcheck disable=SC2086 # a list of package paths
n=$(count $kpkgs)
# One go build for the four binaries: they share one compile of what they
# have in common (client-go, apimachinery, etcd's client, grpc).
# shellcheck disable=SC2086
run "kube-apiserver, kube-controller-manager, kube-scheduler, etcd (k8s $k8s_v, etcd $etcd_v)" "$n" \
	go build -v -p "$jobs" -trimpath -ldflags "-s -w$ldk" -o "$tmp/bin/" $kpkgs
# A /v3 main package is named after its last element without the suffix.
mv "$tmp/bin/server" "$tmp/bin/etcd"

cd "$here/kwok"
n=$(count sigs.k8s.io/kwok/cmd/kwok)
run "kwok ($kwok_v)" "$n" \
	go build -v -p "$jobs" -trimpath \
	-ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${kwok_v#v}" \
	-o "$tmp/bin/kwok" sigs.k8s.io/kwok/cmd/kwok

# kwok has no built-in stages: take the upstream "fast" node and pod stages
# from the module source (9c-local adds volume and load balancer stages).
kdir=$(go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
[ -d "$kdir/kustomize/stage" ] || die "kwok module source not found (go list -m sigs.k8s.io/kwok)"
first=1
for f in node/fast/node-initialize.yaml \
	node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
	pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
	[ "$first" = 1 ] || printf -- '---\n'
	first=0
	cat "$kdir/kustomize/stage/$f"
done >"$tmp/share/kwok-stages.yaml"

for b in $bins; do "$tmp/bin/$b" --version >/dev/null 2>&1 || die "$b does not run"; done
date -u +%Y-%m-%dT%H:%M:%SZ >"$tmp/.complete"
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
rm -f "$dest/build.log"
msg "build done in $(elapsed)s: $(du -sh "$dest/bin" | cut -f1) in $dest/bin"
printf '%s\n' "$dest/bin"
