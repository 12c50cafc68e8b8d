# shellcheck shell=sh
# lib.sh - what the build scripts of tests/cluster share (sourced, POSIX sh)
#
# Each script builds binaries from a wrapper module with the installed Go
# toolchain and the Go module proxy, into a cache directory outside the
# repository keyed by the pinned versions, so that a fresh clone reuses
# them:  ${XDG_CACHE_HOME:-$HOME/.cache}/9c/<key>/{bin,share}/
# A key directory exists only complete: the build fills $tmp beside it and
# renames it into place at the end, under a lock that a second builder of
# the same key waits for.
#
# build_options ARG...      -f sets build_force=1 (rebuild what is cached);
#                           anything else is a usage error (status 2)
# build_msg WHAT...         "9c-local: WHAT" on stderr
# build_die WHAT...         build_msg WHAT, exit 1
# build_modver FILE MODULE  the version FILE (a go.mod) pins for MODULE
# build_begin KEY COMPLETE  set $dest and $tmp; when COMPLETE (a function)
#                           says $dest is whole, print $dest/bin and exit 0
# build_count PKG...        how many packages a build of PKG compiles at most
# build_run LABEL TOTAL CMD...  run a go build -v with progress every 30 s
# build_done                move $tmp into place, print $dest/bin
#
# $build_jobs is the -p of go build (NINEC_BUILD_JOBS, 2 by default).

build_options() {
	build_force=0
	case ${1-} in
		-f) build_force=1 ;;
		'') ;;
		*) printf 'usage: build.sh [-f]\n' >&2; exit 2 ;;
	esac
}

build_msg() { printf '9c-local: %s\n' "$*" >&2; }
build_die() { build_msg "$*"; exit 1; }

# Versions come from the committed go.mod files: one source of truth.
build_modver() { sed -n "s|^[[:space:]]*$2 \\(v[^[:space:]]*\\).*|\\1|p" "$1" | head -n 1; }

build_begin() {
	bb_key=$1 bb_complete=$2
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/9c
	dest=$cache/$bb_key
	if [ "${build_force:-0}" = 0 ] && "$bb_complete"; then
		build_msg "using cached binaries in $dest/bin"
		printf '%s\n' "$dest/bin"
		exit 0
	fi
	command -v go >/dev/null 2>&1 || build_die "go not found in PATH (Go >= 1.26 is needed to build)"
	mkdir -p "$cache"
	# One build at a time per cache: a second caller waits, then reuses.
	exec 9>"$cache/.build-$bb_key.lock"
	if ! flock -n 9; then
		build_msg "another build of $bb_key is running; waiting for it"
		flock 9
	fi
	if [ "${build_force:-0}" = 0 ] && "$bb_complete"; then
		build_msg "using cached binaries in $dest/bin"
		printf '%s\n' "$dest/bin"
		exit 0
	fi
	export GOWORK=off GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=readonly
	# shellcheck disable=SC2034 # the build scripts pass it to go build -p
	build_jobs=${NINEC_BUILD_JOBS:-2}
	tmp=$cache/.tmp-$bb_key-$$
	rm -rf "$tmp"
	mkdir -p "$tmp/bin" "$tmp/share"
	trap 'rm -rf "$tmp"' EXIT
	trap 'exit 1' HUP INT TERM
	build_start=$(date +%s)
}

# build_run LABEL TOTAL CMD...: run a go build -v, printing every 30 s how
# many of the TOTAL packages it has compiled so far (go build -v names each
# package it compiles; packages already in the Go build cache are not
# counted, so a warm build finishes below 100%).  The build runs under nice:
# it shares the machine with tests.
build_run() {
	br_label=$1 br_total=$2; shift 2
	br_t0=$(date +%s)
	build_msg "building $br_label: $br_total packages"
	nice "$@" >"$tmp/build.log" 2>&1 &
	br_pid=$!
	(
		while sleep 30; do
			kill -0 "$br_pid" 2>/dev/null || exit 0
			n=$(grep -c -v ' ' "$tmp/build.log" 2>/dev/null) || n=0
			build_msg "building $br_label: $n of $br_total packages compiled ($((n * 100 / br_total))%), $(($(date +%s) - br_t0))s"
		done
	) &
	br_tpid=$!
	br_st=0
	wait "$br_pid" || br_st=$?
	kill "$br_tpid" 2>/dev/null || :
	wait "$br_tpid" 2>/dev/null || :
	if [ "$br_st" != 0 ]; then
		grep ' ' "$tmp/build.log" | tail -n 40 >&2
		build_die "building $br_label failed (exit status $br_st)"
	fi
	build_msg "built $br_label in $(($(date +%s) - br_t0))s"
}

# build_count PKG...: the packages a build of PKG compiles at most
# (downloads the modules first, which is most of a cold build's network
# time).
build_count() {
	build_msg "resolving the modules of $*"
	bc_n=$(go list -deps "$@" 2>"$tmp/list.log" | wc -l) || bc_n=0
	if [ "$bc_n" -eq 0 ]; then
		tail -n 20 "$tmp/list.log" >&2
		build_die "go list failed for $*"
	fi
	printf '%s\n' "$bc_n"
}

build_done() {
	date -u +%Y-%m-%dT%H:%M:%SZ >"$tmp/.complete"
	rm -f "$tmp/build.log" "$tmp/list.log"
	rm -rf "$dest"
	mv "$tmp" "$dest"
	trap - EXIT
	build_msg "build done in $(($(date +%s) - build_start))s: $(du -sh "$dest/bin" | cut -f1) in $dest/bin"
	printf '%s\n' "$dest/bin"
}
