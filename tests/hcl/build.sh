#!/bin/sh
# build.sh - build (or reuse) hclcheck, the HCL reader the 9c-tfvars tests
# use as an oracle: HashiCorp's own parser (github.com/hashicorp/hcl/v2), so
# the generated .tfvars are read back by code that is not ours.  Cached in
# ${XDG_CACHE_HOME:-$HOME/.cache}/9c/hclcheck-<hash>/ (see gobuild.sh).
#
# Prints the binary's path on stdout; progress goes to stderr.
# Usage: build.sh [-f]     (-f: rebuild even if cached)
# Exit status: 0 ok, 1 build failure, 2 usage.
set -eu
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
exec "$here/../helpers/gobuild.sh" hclcheck "$here" "$@"
