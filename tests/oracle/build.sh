#!/bin/sh
# build.sh - build (or reuse) the oracle: kubectl's own stream reader
# (k8s.io/apimachinery's YAML-or-JSON decoder over sigs.k8s.io/yaml, at the
# versions kubectl 1.36 builds with), which tests/oracle.bats compares 9c's
# reader with, case by case.  Cached in
# ${XDG_CACHE_HOME:-$HOME/.cache}/9c/oracle-<hash>/ (see gobuild.sh).
#
# Prints the binary's path on stdout; progress goes to stderr.
# Usage: build.sh [-f]     (-f: rebuild even if cached)
# Exit status: 0 ok, 1 build failure, 2 usage.
set -eu
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
exec "$here/../helpers/gobuild.sh" oracle "$here" "$@"
