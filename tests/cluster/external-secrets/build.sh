#!/bin/sh
# build.sh - build (or reuse) the external-secrets controller, an addon of
# 9c-local(1), from the wrapper module in this directory.
#
# The wrapper requires github.com/external-secrets/external-secrets at the
# pinned version and carries the module's one replace directive
# (Masterminds/sprig to the external-secrets fork), which plain `go install'
# would refuse.  The binary and the CRDs of the same module version go to
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/9c/external-secrets-<v>/bin/external-secrets
#   ${XDG_CACHE_HOME:-$HOME/.cache}/9c/external-secrets-<v>/share/crds.yaml
#
# Prints the bin directory on stdout; progress goes to stderr.
# Usage: build.sh [-f]     (-f: rebuild even if the binary is cached)
# Exit status: 0 ok, 1 build failure, 2 usage.
set -eu

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$here/../lib.sh"
build_options "$@"

mod=github.com/external-secrets/external-secrets
v=$(build_modver "$here/go.mod" "$mod")
[ -n "$v" ] || build_die "cannot read the pinned version of $mod from $here/go.mod"

is_complete() {
	[ -f "$dest/.complete" ] && [ -x "$dest/bin/external-secrets" ] &&
		[ -f "$dest/share/crds.yaml" ]
}
build_begin "external-secrets-$v" is_complete

cd "$here"
build_msg "external-secrets $v -> $dest/bin"
n=$(build_count "$mod")
build_run "external-secrets ($v)" "$n" \
	go build -v -p "$build_jobs" -trimpath -ldflags "-s -w" -o "$tmp/bin/external-secrets" "$mod"

# The CRDs of the same release, as its module carries them.
mdir=$(go list -m -f '{{.Dir}}' "$mod")
[ -f "$mdir/deploy/crds/bundle.yaml" ] || build_die "no deploy/crds/bundle.yaml in $mdir"
cp "$mdir/deploy/crds/bundle.yaml" "$tmp/share/crds.yaml"

"$tmp/bin/external-secrets" --help >/dev/null 2>&1 || build_die "external-secrets does not run"
build_done
