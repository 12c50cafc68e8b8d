#!/bin/sh
# build-tofu.sh - developer-only: build OpenTofu's `tofu' from the Go module
# proxy, so `terraform fmt -check' (tests/9c-tfvars.bats) can run on a
# machine without terraform.  Not run by CI: it compiles the AWS, Azure and
# GCP SDKs and takes far longer than the test suite.
#
# `go install github.com/opentofu/opentofu/cmd/tofu@V' is refused (the
# module's go.mod has replace directives), so the module is downloaded and
# built as the main module in a throwaway copy outside the repository:
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/9c/tofu-build/bin/tofu
#
# Prints the binary's path on stdout; progress goes to stderr.
# Usage: build-tofu.sh [version]      (default v1.12.6)
set -eu

v=${1:-v1.12.6}
dest=${XDG_CACHE_HOME:-$HOME/.cache}/9c/tofu-build
bin=$dest/bin/tofu
if [ -x "$bin" ]; then
	printf '%s\n' "$bin"
	exit 0
fi
mkdir -p "$dest"
cd "$dest"
export GOWORK=off GOTOOLCHAIN=local GOFLAGS=-mod=mod
[ -f go.mod ] || go mod init tofubuild >&2
dir=$(go mod download -json "github.com/opentofu/opentofu@$v" |
	sed -n 's/.*"Dir": "\(.*\)",/\1/p')
[ -n "$dir" ] || { printf 'build-tofu: cannot download opentofu %s\n' "$v" >&2; exit 1; }
rm -rf src
cp -r "$dir" src
chmod -R u+w src
(cd src && nice go build -o "$bin.tmp" ./cmd/tofu) >&2
mv "$bin.tmp" "$bin"
printf '%s\n' "$bin"
