#!/bin/sh
# gobuild.sh - build (or reuse) a Go test oracle that stands as its own
# module (its go.mod, its go.sum committed) in a folder of tests/.
#
# The binary goes to a cache directory outside the repository, keyed by a
# hash of the module's sources, so a fresh clone reuses it:
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/9c/NAME-<hash>/NAME
#
# Prints the binary's path on stdout; progress goes to stderr.  The first
# build downloads the module's dependencies from the module proxy.
# Usage: gobuild.sh NAME DIR [-f]     (-f: rebuild even if cached)
# Exit status: 0 ok, 1 build failure, 2 usage.
set -eu

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	printf 'usage: gobuild.sh name dir [-f]\n' >&2
	exit 2
fi
name=$1
force=0
case ${3-} in
	-f) force=1 ;;
	'') ;;
	*) printf 'usage: gobuild.sh name dir [-f]\n' >&2; exit 2 ;;
esac

here=$(CDPATH='' cd -- "$2" && pwd)
hash=$(cat "$here/go.mod" "$here/go.sum" "$here"/*.go | sha256sum | cut -c1-16)
dest=${XDG_CACHE_HOME:-$HOME/.cache}/9c/$name-$hash
bin=$dest/$name

if [ "$force" = 1 ] || [ ! -x "$bin" ]; then
	printf '%s: building into %s\n' "$name" "$dest" >&2
	mkdir -p "$dest"
	# The module stands alone: no workspace, the installed toolchain, and
	# go.sum as committed.
	(cd "$here" && GOWORK=off GOTOOLCHAIN=local GOFLAGS=-mod=readonly \
		go build -trimpath -o "$bin.tmp" .) || {
		printf '%s: build failed\n' "$name" >&2
		exit 1
	}
	mv "$bin.tmp" "$bin"
fi
printf '%s\n' "$bin"
