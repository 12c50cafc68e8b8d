#!/usr/bin/env bats
# The tools find their templates wherever they run from: the build trees of
# a checkout, an install made with `make install PREFIX=...', or the
# directory NINEC_SHARE names; and say where they looked when none has them.
load helpers/common

setup() {
	cd "$NINEC_ROOT" || return 1
	unset NINEC_SHARE
	T=$BATS_TEST_TMPDIR
}

@test "9c-render run from build/ and from build/asan/ finds share/ of the checkout" {
	[ -x build/9c-render ] || make -s build-release
	run -0 --separate-stderr build/9c-render -S network share/examples/local.yaml
	assert_line --index 1 "kind: Namespace"
	run -0 --separate-stderr "$NINEC_BIN/9c-render" -S network share/examples/local.yaml
	assert_line --index 1 "kind: Namespace"
}

@test "9c-render installed by make install PREFIX finds PREFIX/share/9c, from any directory" {
	make -s install PREFIX="$T/prefix" >/dev/null
	cp share/examples/local.yaml "$T/spec.yaml"
	cd "$T"
	run -0 --separate-stderr "$T/prefix/bin/9c-render" -S network spec.yaml
	assert_line --index 1 "kind: Namespace"
	[ -f "$T/prefix/share/9c/templates/network/seed.yaml" ]
	[ -f "$T/prefix/share/man/man1/9c-render.1" ]
}

@test "9c-render copied where no share directory is says every place it looked, status 3" {
	mkdir -p "$T/lone/bin"
	cp "$NINEC_BIN/9c-render" "$T/lone/bin/"
	run -3 --separate-stderr "$T/lone/bin/9c-render" -S network share/examples/local.yaml
	assert_output ""
	assert_equal "$stderr" "9c-render: no templates in $T/lone/bin/../share/9c, $T/lone/bin/../share, $T/lone/bin/../../share, /usr/local/share/9c (set NINEC_SHARE)"
}

@test "NINEC_SHARE wins over the share directory beside the tool" {
	mkdir -p "$T/share"
	cp -R share/templates share/releases "$T/share/"
	sed -i 's|^    app.kubernetes.io/part-of: .*|&\n    marked: from-ninec-share|' "$T/share/templates/network/namespace.yaml"
	NINEC_SHARE=$T/share run -0 --separate-stderr build/9c-render -S network share/examples/local.yaml
	assert_line --index 6 "    marked: from-ninec-share"
	NINEC_SHARE=$T/nowhere run -3 --separate-stderr build/9c-render -S network share/examples/local.yaml
	assert_equal "$stderr" "9c-render: share/examples/local.yaml:17:12: network.release: no release '2022-pow' ($T/nowhere/releases has: none)"
}
