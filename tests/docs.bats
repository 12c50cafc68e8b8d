#!/usr/bin/env bats
# The pages users read first stay true: every tool and pipeline has a page,
# its usage is the page's SYNOPSIS, and the pages pass mandoc's linter.

load helpers/common

@test "every tool has a man page whose SYNOPSIS is its usage" {
	local src tool n=0
	for src in "$NINEC_ROOT"/tools/9c-*.c; do
		tool=$(basename "$src" .c)
		[ -f "$NINEC_ROOT/man/man1/$tool.1" ] || fail "$tool has no man/man1/$tool.1"
		usage_matches_synopsis "$tool" "man1/$tool.1"
		n=$((n + 1))
	done
	[ "$n" -ge 1 ]
}

@test "every pipeline has a man page whose SYNOPSIS is its usage" {
	local p name page
	for p in "$NINEC_ROOT"/pipelines/9c-*; do
		name=$(basename "$p")
		page=$(grep -l "^\.Nm $name\$" "$NINEC_ROOT"/man/man1/*.1 | head -n 1)
		[ -n "$page" ] || fail "$name has no man page"
	done
}

@test "every man page passes mandoc -Tlint" {
	run -0 --separate-stderr sh -c "mandoc -Tlint -Wwarning '$NINEC_ROOT'/man/man[157]/*.[157]"
	assert_equal "$stderr" ""
}

@test "every tool's page lists its exit statuses and refers to 9c(7)" {
	local page
	for page in "$NINEC_ROOT"/man/man1/*.1; do
		grep -q '^\.Sh EXIT STATUS' "$page" || fail "$page has no EXIT STATUS"
		grep -q '^\.Xr 9c 7' "$page" || fail "$page does not refer to 9c(7)"
	done
}

@test "the README opens with the main job and the test command" {
	run -0 sed -n '1,20p' "$NINEC_ROOT/README.md"
	assert_output --partial 'pipelines/9c-testnet up'
	assert_output --partial 'make check'
}
