# Loaded by every Bats file: puts the tools under test first on PATH and
# brings in bats-support and bats-assert.
bats_require_minimum_version 1.5.0

NINEC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NINEC_BIN=${NINEC_BIN:-$NINEC_ROOT/build/asan}
export NINEC_ROOT NINEC_BIN
PATH=$NINEC_BIN:$NINEC_ROOT/pipelines:$PATH
export PATH
# The sanitizers fail the run on the first leak or invalid access.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=99}
# Templates and examples from the work tree, not an installed copy.
export NINEC_SHARE=$NINEC_ROOT/share
SHARED=${SHARED:-$NINEC_ROOT/../shared}
export SHARED

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

# fixture NAME: path of tests/fixtures/NAME
fixture() {
	printf '%s/tests/fixtures/%s\n' "$NINEC_ROOT" "$1"
}

# run_man_examples PAGE: runs every line that starts with "$ " inside the
# EXAMPLES section of man page PAGE (e.g. man1/9c-order.1), from the top of
# the work tree, and fails on the first command that exits non-zero.  A line
# ending in a backslash continues on the next line.
run_man_examples() {
	local page=$NINEC_ROOT/man/$1 cmd n=0
	while IFS= read -r cmd; do
		n=$((n + 1))
		( cd "$NINEC_ROOT" && eval "$cmd" ) >/dev/null ||
			fail "example $n of $1 failed: $cmd"
	done < <(awk '
		/^\.Sh / { ex = ($2 == "EXAMPLES") ; next }
		ex && /^\$ / { line = substr($0, 3); while (line ~ /\\e$/ && (getline nx) > 0) line = substr(line, 1, length(line) - 2) nx; print line }
	' "$page" | sed 's/\\e/\\/g; s/\\(dq/"/g')
	[ "$n" -gt 0 ] || fail "$1 has no runnable examples"
}

# usage_matches_synopsis TOOL PAGE: `TOOL -h' must print the SYNOPSIS of
# PAGE as rendered by mandoc, after "usage: ".
usage_matches_synopsis() {
	local tool=$1 page=$NINEC_ROOT/man/$2 want got
	want=$(MANWIDTH=200 mandoc -Tascii -O width=200 "$page" | col -b |
		awk '/^SYNOPSIS/ { s = 1; next } s && /^[A-Z]/ { exit } s' |
		sed 's/^ *//; /^$/d' | tr -s ' ')
	got=$("$tool" -h | sed 's/^usage: *//; s/^ *//' | tr -s ' ')
	[ "$want" = "$got" ] || fail "$(printf 'usage of %s differs from %s SYNOPSIS\n--- man\n%s\n--- usage\n%s' "$tool" "$2" "$want" "$got")"
}

# state_moto_stop STATE...: stop the moto_server a pipeline run recorded in
# each network state directory STATE (its moto/pid): a run that failed
# half-way leaves it behind.
state_moto_stop() {
	local s pid
	for s in "$@"; do
		pid=$(cut -d' ' -f1 "$s/moto/pid" 2>/dev/null) && kill "$pid" 2>/dev/null
	done
	return 0
}
