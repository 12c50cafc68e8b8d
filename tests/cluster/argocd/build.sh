#!/bin/sh
# build.sh - build (or reuse) Argo CD's application controller and repo
# server for the argocd addon of 9c-local(1).
#
# Builds github.com/argoproj/argo-cd/v2/cmd, Argo CD's one multi-call binary
# (it dispatches on the name it is run as), from the wrapper module in this
# directory, which carries the release's replace block: replaces apply only
# in the main module, so `go install' of the release itself refuses.  The
# binary, its two names, the release's CRDs and its base configuration go
# to the cache (tests/cluster/lib.sh), keyed by the pinned version:
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/9c/argocd-<v>/bin/{argocd,argocd-application-controller,argocd-repo-server}
#   ${XDG_CACHE_HOME:-$HOME/.cache}/9c/argocd-<v>/share/install.yaml
#
# install.yaml is what the local profile installs instead of the release's
# downloaded install manifest: the Application and AppProject CRDs of
# manifests/crds/ (no ApplicationSet controller runs here) and the
# ConfigMaps of manifests/base/config/, from the module source.  Not its
# argocd-secret: the API server that would fill in its server.secretkey
# does not run, so the addon makes the Secret, key and all.
# Prints the bin directory on stdout; progress goes to stderr.
# Usage: build.sh [-f]     (-f: rebuild even if the binaries are cached)
# Exit status: 0 ok, 1 build failure, 2 usage.
set -eu

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$here/../lib.sh"
build_options "$@"

mod=github.com/argoproj/argo-cd/v2
v=$(build_modver "$here/go.mod" "$mod")
[ -n "$v" ] || build_die "cannot read the pinned version of $mod from $here/go.mod"

names="argocd-application-controller argocd-repo-server"
is_complete() {
	[ -f "$dest/.complete" ] && [ -x "$dest/bin/argocd" ] || return 1
	for b in $names; do [ -L "$dest/bin/$b" ] || return 1; done
	[ -s "$dest/share/install.yaml" ]
}
build_begin "argocd-$v" is_complete

cd "$here"
build_msg "Argo CD $v -> $dest/bin"
n=$(build_count "$mod/cmd")
build_run "Argo CD $v (argocd-application-controller, argocd-repo-server)" "$n" \
	go build -v -p "$build_jobs" -trimpath \
	-ldflags "-s -w -X $mod/common.version=${v#v} -X $mod/common.gitTreeState=clean" \
	-o "$tmp/bin/argocd" "$mod/cmd"
for b in $names; do ln -s argocd "$tmp/bin/$b"; done
for b in $names; do "$tmp/bin/$b" --help >/dev/null 2>&1 || build_die "$b does not run"; done

src=$(go list -m -f '{{.Dir}}' "$mod")
[ -d "$src/manifests/crds" ] || build_die "Argo CD module source not found (go list -m $mod)"
first=1
for f in crds/application-crd.yaml crds/appproject-crd.yaml \
	base/config/argocd-cm.yaml base/config/argocd-rbac-cm.yaml \
	base/config/argocd-cmd-params-cm.yaml; do
	[ "$first" = 1 ] || printf -- '---\n'
	first=0
	cat "$src/manifests/$f"
done >"$tmp/share/install.yaml"
build_done
