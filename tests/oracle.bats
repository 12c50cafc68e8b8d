#!/usr/bin/env bats
# 9c reads a stream as kubectl reads it: a catalogue of thousands of cases
# (scalars in every position, escapes, whole streams) is read by kubectl's
# own code (tests/oracle, apimachinery and sigs.k8s.io/yaml) and by 9c's
# reader, and the two must agree value by value, but for the differences
# tests/oracle/deliberate lists and 9c(7) explains.

load helpers/common

setup_file() {
	ORACLE=$("$NINEC_ROOT/tests/oracle/build.sh") || return 1
	READ9C=$BATS_FILE_TMPDIR/read9c
	# shellcheck disable=SC2046
	cc -g -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
		-fsanitize=address,undefined -fno-omit-frame-pointer \
		-I"$NINEC_ROOT/tools/lib" "$NINEC_ROOT/tests/oracle/driver/read9c.c" \
		"$NINEC_BIN/lib9c.a" $(pkg-config --libs yaml-0.1 libcjson libcurl openssl) \
		-lm -o "$READ9C" || return 1
	local t=$BATS_FILE_TMPDIR
	"$ORACLE" gen >"$t/cases"
	"$ORACLE" kubectl "$t/cases" | cut -f1,2 >"$t/kubectl"
	"$READ9C" "$t/cases" | "$ORACLE" canon | cut -f1,2 >"$t/9c"
	# id, what 9c read, what kubectl read: the cases that differ
	awk -F'\t' 'NR == FNR { k[$1] = $2; next } k[$1] != $2 { print $1 "\t" $2 "\t" k[$1] }' \
		"$t/kubectl" "$t/9c" >"$t/differ"
	export ORACLE READ9C
}

@test "the catalogue holds thousands of cases and both readers answer every one" {
	local t=$BATS_FILE_TMPDIR
	[ "$(grep -c . "$t/kubectl")" -ge 15000 ] || fail "only $(grep -c . "$t/kubectl") cases"
	[ "$(cut -f1 "$t/kubectl")" = "$(cut -f1 "$t/9c")" ] || fail "the readers answered different cases"
	# every position and kind of case is there
	local p
	for p in value item key flow-value flow-item flow-items flow-key json-value \
		json-item tag tag-key dquote dquote-after-utf8 dquote-key json-string squote stream; do
		grep -q "^$p " "$t/kubectl" || fail "no case in position $p"
	done
}

# explain: reads tests/oracle/deliberate, then the differences; prints
# "unexplained" rows and "stale" lines.  Globs know only `*'.
explain() {
	awk -F'\t' '
	function gmatch(s, p,   n, part, i, pos, k, last) {
		n = split(p, part, "*")
		if (n == 1)
			return s == p
		if (substr(s, 1, length(part[1])) != part[1])
			return 0
		pos = length(part[1]) + 1
		for (i = 2; i < n; i++) {
			k = index(substr(s, pos), part[i])
			if (!k)
				return 0
			pos += k - 1 + length(part[i])
		}
		last = part[n]
		return length(s) - pos + 1 >= length(last) &&
		    substr(s, length(s) - length(last) + 1) == last
	}
	NR == FNR { if ($0 !~ /^#/ && NF == 2) { pat[++np] = $2; cls[np] = $1 } ; next }
	{
		for (i = 1; i <= np; i++)
			if (gmatch($1, pat[i])) { used[i] = 1; next }
		print "unexplained\t" $1 "\n  9c:      " $2 "\n  kubectl: " $3
	}
	END { for (i = 1; i <= np; i++) if (!used[i]) print "stale\t" cls[i] "\t" pat[i] }
	' "$NINEC_ROOT/tests/oracle/deliberate" "$BATS_FILE_TMPDIR/differ"
}

@test "9c reads every case as kubectl does, but for the documented differences" {
	run -0 explain
	refute_output --partial unexplained
}

@test "every documented difference still occurs, so the list cannot go stale" {
	run -0 explain
	refute_output --partial stale
}

@test "the oracle is kubectl's reader: it refuses what kubectl refuses" {
	printf '#a\n20\napiVersion: v1\nv: 1\n\n' >"$BATS_TEST_TMPDIR/c"
	run -0 "$ORACLE" kubectl "$BATS_TEST_TMPDIR/c"
	assert_output --partial $'a\terror\t"Object \'Kind\' is missing'
}

cm() {
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n' "$1"
}

@test "\\/ after non-ASCII text is refused where it stands, as kubectl refuses it" {
	run -3 9c-order -o json <<-'EOF'
	apiVersion: v1
	kind: ConfigMap
	metadata:
	  name: a
	data:
	  d: "äöü 日本語"
	  p: "a\/b"
	EOF
	assert_output '9c-order: <stdin>:7:6: document 1: data.p: unknown escape \/ in a double-quoted string (YAML 1.1 has none)'
}

@test "a '?' inside a plain scalar in a flow collection is refused, as kubectl refuses it" {
	run -3 9c-order -o json < <(cm a; printf 'data: {u: http://x/?a=b}\n')
	assert_output "9c-order: <stdin>:5:11: document 1: data.u: '?' inside a plain scalar in a flow collection (kubectl's reader refuses it; quote the value)"
}

@test "the items of a typed List take its kind and apiVersion" {
	run -0 9c-order -o json <<-'EOF'
	apiVersion: v1
	kind: ConfigMapList
	items:
	- metadata:
	    name: a
	EOF
	assert_output '{"metadata":{"name":"a","annotations":{"9c/stage":"1"}},"kind":"ConfigMap","apiVersion":"v1"}'
}

@test "a List inside a List is refused, as kubectl refuses it" {
	run -3 9c-order -o json <<-'EOF'
	apiVersion: v1
	kind: List
	items:
	- apiVersion: v1
	  kind: List
	  items: []
	EOF
	assert_output '9c-order: <stdin>:4:3: document 1: items[0]: a List inside a List (kubectl cannot read it)'
}

@test "an object whose items is not a list is refused" {
	run -3 9c-order -o json < <(cm a; printf 'items: 3\n')
	assert_output '9c-order: <stdin>:5:8: document 1: items: a document with items is a List: items must be a list of objects'
}

@test "JSON that is not JSON after all is read as YAML, as kubectl reads it" {
	run -0 9c-order -o json <<<'{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"n": .5,},}'
	assert_output '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","annotations":{"9c/stage":"1"}},"data":{"n":0.5}}'
}

@test "a JSON error is reported as JSON when the YAML reading fails too" {
	run -3 9c-order -o json <<<'{"apiVersion": "v1", "kind": "ConfigMap" "x": 1}'
	assert_output "9c-order: <stdin>:1:42: document 1: expected ',' or '}'"
}

@test "a lone surrogate escape in JSON becomes U+FFFD" {
	run -0 9c-order -o json <<<'{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"s": "\ud800x"}}'
	assert_output '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","annotations":{"9c/stage":"1"}},"data":{"s":"'$'\xef\xbf\xbd''x"}}'
}

@test "float keys are named as kubectl names them, infinities and NaN included" {
	run -0 9c-order -o json < <(cm a; printf 'spec:\n  .inf: a\n  -.Inf: b\n  .nan: c\n  -0.0: e\n  1e6: f\n')
	assert_output '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","annotations":{"9c/stage":"1"}},"spec":{".inf":"a","-.inf":"b",".nan":"c","-0":"e","1e+06":"f"}}'
}

@test "!!float makes an integer a float64 and refuses one past 2^63" {
	run -0 9c-order -o json < <(cm a; printf 'spec:\n  a: !!float 9007199254740993\n')
	assert_output '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","annotations":{"9c/stage":"1"}},"spec":{"a":9007199254740992}}'
	run -3 9c-order -o json < <(cm a; printf 'spec:\n  a: !!float 9223372036854775808\n')
	assert_output "9c-order: <stdin>:6:6: document 1: spec.a: value '9223372036854775808' is not a valid !!float"
}

@test "!!timestamp takes only dates Go can parse" {
	run -3 9c-order -o json < <(cm a; printf 'spec:\n  a: !!timestamp 2001-02-30\n')
	assert_output "9c-order: <stdin>:6:6: document 1: spec.a: value '2001-02-30' is not a valid !!timestamp"
}

@test "a plain scalar ending in ':' inside brackets is refused, a documented difference" {
	run -3 9c-order -o json < <(cm a; printf 'spec:\n  a: [20:]\n')
	assert_output "9c-order: <stdin>:6:9: document 1: spec.a[0]: found unexpected ':' while scanning a plain scalar"
}

@test "the escape \\' is refused, a documented difference" {
	run -3 9c-order -o json < <(cm a; printf 'spec:\n  a: "it%s"\n' "\\'s")
	assert_output '9c-order: <stdin>:6:9: document 1: spec.a: found unknown escape character while parsing a quoted scalar'
}
