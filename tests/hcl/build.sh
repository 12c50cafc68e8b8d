#!/bin/sh
# build.sh - build (or reuse) hclcheck, the HCL reader the 9c-tfvars tests
# use as an oracle: HashiCorp's own parser (github.com/hashicorp/hcl/v2), so
# the generated .tfvars are read back by code that is not ours.
#
# The binary goes to a cache directory outside the repository, keyed by a
# hash of this module's sources, so a fresh clone reuses it:
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/9c/hclcheck-<hash>/hclcheck
#
# Prints the binary's path on stdout; progress goes to stderr.
# Usage: build.sh [-f]     (-f: rebuild even if cached)
# Exit status: 0 ok, 1 build failure, 2 usage.
set -eu

force=0
case ${1-} in
	-f) force=1 ;;
	'') ;;
	*) printf 'usage: build.sh [-f]\n' >&2; exit 2 ;;
esac

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
hash=$(cat "$here/go.mod" "$here/go.sum" "$here/main.go" | sha256sum | cut -c1-16)
dest=${XDG_CACHE_HOME:-$HOME/.cache}/9c/hclcheck-$hash
bin=$dest/hclcheck

if [ "$force" = 1 ] || [ ! -x "$bin" ]; then
	printf 'hclcheck: building into %s\n' "$dest" >&2
	mkdir -p "$dest"
	# The module stands alone: no workspace, the installed toolchain, and
	# go.sum as committed.
	(cd "$here" && GOWORK=off GOTOOLCHAIN=local GOFLAGS=-mod=readonly \
		go build -trimpath -o "$bin.tmp" .) || {
		printf 'hclcheck: build failed\n' >&2
		exit 1
	}
	mv "$bin.tmp" "$bin"
fi
printf '%s\n' "$bin"
