#!/usr/bin/env bats
# The stream library, through 9c-order: how values are read and written.

load helpers/common

# doc VALUE: a ConfigMap whose data.v is VALUE, written as-is in YAML.
doc() {
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  v: %s\n' "$1"
}

@test "scalars are read as kubectl reads them" {
	local input want got n=0
	while IFS=$'\t' read -r input want; do
		case $input in '#'*|'') continue ;; esac
		n=$((n + 1))
		doc "$input" > "$BATS_TEST_TMPDIR/in.yaml"
		run -0 9c-order -o json "$BATS_TEST_TMPDIR/in.yaml"
		got=$(printf '%s\n' "$output" | jq -c .data.v)
		want=$(jq -c . <<<"$want")
		[ "$got" = "$want" ] || fail "v: $input read as $got, kubectl reads $want"
	done < "$(fixture stream/scalars.tsv)"
	[ "$n" -gt 100 ]
}

@test "written scalars read back to the same values with PyYAML and with 9c-order" {
	local input
	while IFS=$'\t' read -r input _; do
		case $input in '#'*|'') continue ;; esac
		doc "$input"
		printf -- '---\n'
	done < "$(fixture stream/scalars.tsv)" | sed '$d' > "$BATS_TEST_TMPDIR/all.yaml"
	# names must differ: number them
	awk '/^  name: x$/ { print "  name: x" ++n; next } 1' "$BATS_TEST_TMPDIR/all.yaml" > "$BATS_TEST_TMPDIR/in.yaml"
	run -0 9c-order -o json "$BATS_TEST_TMPDIR/in.yaml"
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/want.json"
	run -0 9c-order "$BATS_TEST_TMPDIR/in.yaml"
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/out.yaml"
	run -0 9c-order -o json "$BATS_TEST_TMPDIR/out.yaml"
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/again.json"
	diff -u "$BATS_TEST_TMPDIR/want.json" "$BATS_TEST_TMPDIR/again.json"
	python3 -c '
import json, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1]))]
want = [json.loads(l) for l in open(sys.argv[2])]
assert len(docs) == len(want), (len(docs), len(want))
for d, w in zip(docs, want):
    assert d == w, (d, w)
' "$BATS_TEST_TMPDIR/out.yaml" "$BATS_TEST_TMPDIR/want.json"
}

@test "hostile strings survive YAML output for PyYAML and for 9c-order" {
	cat > "$BATS_TEST_TMPDIR/strings.json" <<-'EOF'
	{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"s"},"data":{
	"a":"yes","b":"","c":"1.0","d":"012","e":"1:20","f":"2001-12-14","g":"-","h":"a: b",
	"i":"*a","j":" lead","k":"a\tb","l":"line1\nline2","m":"x\n","n":" lead\nx",
	"o":"trailing space \nx","p":"\n","q":"\ud83d\ude00","r":"=","s":"<<","t":"---","u":"...",
	"v":"# c","w":"a #b","x":"\u0085","y":"\u2028","z":"\u0000nul","aa":"\\","ab":"\"q\"",
	"ac":"'s","ad":"null","ae":"~","af":"0x1F","ag":"1e3","ah":".inf","ai":"TrUe","aj":"\r\n",
	"ak":"x\n\n\n","al":"- a","am":"? a","an":"@a","ao":"%a","ap":"\u007f","aq":"é日本",
	"ar":"\ufeffbom","as":"tab\tin\nblock","at":"  two\n  lines\n"}}
	EOF
	run -0 9c-order "$BATS_TEST_TMPDIR/strings.json"
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/out.yaml"
	python3 -c '
import json, sys, yaml
want = json.load(open(sys.argv[1]))
got = yaml.safe_load(open(sys.argv[2]))
del got["metadata"]["annotations"]
for k in want["data"]:
    assert got["data"][k] == want["data"][k], (k, got["data"][k], want["data"][k])
' "$BATS_TEST_TMPDIR/strings.json" "$BATS_TEST_TMPDIR/out.yaml"
	run -0 9c-order -o json "$BATS_TEST_TMPDIR/out.yaml"
	[ "$(jq -cS .data <<<"$output")" = "$(jq -cS .data "$BATS_TEST_TMPDIR/strings.json")" ]
}

@test "the corpus round-trips: YAML out reads back to the same values" {
	run -0 9c-order "$SHARED/corpus/argo-cd-install.yaml" "$SHARED/corpus/external-secrets-crds.yaml"
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/out.yaml"
	python3 -c '
import sys, yaml
def ident(d): return (d["apiVersion"], d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"])
src = {}
for f in sys.argv[2:]:
    for d in yaml.safe_load_all(open(f)):
        if d: src[ident(d)] = d
out = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
assert len(out) == len(src) == 84, (len(out), len(src))
for d in out:
    ann = d["metadata"]["annotations"]
    assert ann.pop("9c/stage")
    if not ann: del d["metadata"]["annotations"]
    assert d == src[ident(d)], ident(d)
' "$BATS_TEST_TMPDIR/out.yaml" "$SHARED/corpus/argo-cd-install.yaml" "$SHARED/corpus/external-secrets-crds.yaml"
}

@test "JSON input is read one value after another, or as an array of documents" {
	printf '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}\n{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"},"data":{"n":12345678901234567890}}\n' > "$BATS_TEST_TMPDIR/lines.json"
	run -0 9c-order -o json "$BATS_TEST_TMPDIR/lines.json"
	assert_line --index 1 '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b","annotations":{"9c/stage":"1"}},"data":{"n":12345678901234567890}}'
	printf '[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}},\n {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}]' > "$BATS_TEST_TMPDIR/array.json"
	run -0 9c-order -o json "$BATS_TEST_TMPDIR/array.json"
	[ "${#lines[@]}" -eq 2 ]
}

@test "a kind: List is read as its items" {
	cat > "$BATS_TEST_TMPDIR/list.yaml" <<-'EOF'
	apiVersion: v1
	kind: List
	items:
	- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
	- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}
	EOF
	run -0 9c-order -o json "$BATS_TEST_TMPDIR/list.yaml"
	[ "${#lines[@]}" -eq 2 ]
	assert_line --index 0 --partial '"name":"a"'
}

@test "empty, comment-only and null documents are skipped" {
	printf -- '---\n# nothing\n---\n~\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\n' > "$BATS_TEST_TMPDIR/in.yaml"
	run -0 9c-order -o json "$BATS_TEST_TMPDIR/in.yaml"
	[ "${#lines[@]}" -eq 1 ]
}

@test "merge keys and aliases are expanded as kubectl expands them" {
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nbase: &b {p: 1, q: 2}\ndata:\n  <<: *b\n  q: 3\nlist: &l [1, 2]\nagain: *l\n' > "$BATS_TEST_TMPDIR/in.yaml"
	run -0 9c-order -o json "$BATS_TEST_TMPDIR/in.yaml"
	[ "$(jq -c '[.data, .again]' <<<"$output")" = '[{"p":1,"q":3},[1,2]]' ]
}

# err INPUT STATUS MESSAGE: 9c-order on INPUT (printf format) fails so.
err() {
	printf "$1" > "$BATS_TEST_TMPDIR/bad.yaml"
	run "-$2" --separate-stderr 9c-order "$BATS_TEST_TMPDIR/bad.yaml"
	assert_equal "$stderr" "9c-order: $BATS_TEST_TMPDIR/bad.yaml:$3"
	assert_equal "$output" ""
}

@test "a key written twice is an error that names both lines" {
	err 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    app: x\n    app: y\n' 3 \
		'7:5: document 1: metadata.labels.app: duplicate key (first at line 6)'
}

@test ".inf and .nan are refused because JSON cannot hold them" {
	err 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {v: .inf}\n' 3 \
		'4:11: document 1: data.v: .inf is not a number JSON can hold (quote it for a string)'
}

@test "a %%YAML directive is refused" {
	err '%%YAML 1.1\n--- \napiVersion: v1\n' 3 \
		'1:1: document 1: %YAML and %TAG directives are not allowed in a manifest'
}

@test "text after --- on the separator line is refused" {
	err 'a: 1\n--- b: 2\n' 3 "2:1: '--- b: 2' is not a document separator: nothing may follow --- on its line"
}

@test "the YAML 1.2 escape \\/ is refused as kubectl refuses it" {
	err 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "a\\/b"}\n' 3 \
		'3:18: document 1: metadata.name: unknown escape \/ in a double-quoted string (YAML 1.1 has none)'
}

@test "an alias to an unknown anchor is an error" {
	err 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: *x}\n' 3 \
		"3:18: document 1: metadata.name: unknown anchor 'x'"
}

@test "an anchor that contains its own alias is an error" {
	err 'a: &x\n  b: *x\n' 3 "2:6: document 1: a.b: anchor 'x' contains itself"
}

@test "a billion laughs is an error, not an out-of-memory" {
	{
		printf 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n'
		for i in 1 2 3 4 5 6 7 8 9; do
			printf 'a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n' $i $i $((i-1)) $((i-1)) $((i-1)) $((i-1)) $((i-1)) $((i-1)) $((i-1)) $((i-1)) $((i-1))
		done
	} > "$BATS_TEST_TMPDIR/lol.yaml"
	run -3 --separate-stderr 9c-order "$BATS_TEST_TMPDIR/lol.yaml"
	assert_equal "$stderr" "9c-order: $BATS_TEST_TMPDIR/lol.yaml:4:15: document 1: a3[1]: document contains excessive aliasing"
}

@test "nesting deeper than 1000 levels is an error" {
	python3 -c 'print("a: " + "[" * 1001 + "]" * 1001)' > "$BATS_TEST_TMPDIR/deep.yaml"
	run -3 --separate-stderr 9c-order "$BATS_TEST_TMPDIR/deep.yaml"
	assert_output ""
	[[ $stderr == "9c-order: $BATS_TEST_TMPDIR/deep.yaml:1:"*": document 1: a"*": nested deeper than 1000 levels" ]]
}

@test "a key longer than 1024 bytes is an error" {
	# libyaml itself stops implicit keys at 1024 characters: use ? form.
	python3 -c 'print("? " + "k" * 1025 + "\n: 1")' > "$BATS_TEST_TMPDIR/key.yaml"
	run -3 --separate-stderr 9c-order "$BATS_TEST_TMPDIR/key.yaml"
	assert_equal "$stderr" "9c-order: $BATS_TEST_TMPDIR/key.yaml:1:3: document 1: key longer than 1024 bytes"
}

@test "a document larger than 64 MiB is an error" {
	awk 'BEGIN { print "apiVersion: v1"; for (i = 0; i < 1200000; i++) printf "k%07d: vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv\n", i }' > "$BATS_TEST_TMPDIR/big.yaml"
	run -3 --separate-stderr 9c-order "$BATS_TEST_TMPDIR/big.yaml"
	assert_equal "$stderr" "9c-order: $BATS_TEST_TMPDIR/big.yaml:1: document 1: document larger than 67108864 bytes"
}

@test "YAML syntax errors carry the line and column" {
	err 'apiVersion: v1\nkind: [ConfigMap\n' 3 "3:1: document 1: kind[1]: did not find expected ',' or ']' while parsing a flow sequence"
}

@test "content after ... is refused instead of silently dropped" {
	err 'apiVersion: v1\n...\nkind: ConfigMap\n' 3 "3:1: document 1: content after the end of the document ('...' is not a separator; use ---)"
}

@test "JSON errors carry the line, column and field path" {
	printf '{"apiVersion": "v1",\n "metadata": {"name": "a", "name": "b"}}\n' > "$BATS_TEST_TMPDIR/bad.json"
	run -3 --separate-stderr 9c-order "$BATS_TEST_TMPDIR/bad.json"
	assert_equal "$stderr" "9c-order: $BATS_TEST_TMPDIR/bad.json:2:28: document 1: metadata.name: duplicate key (first at line 2)"
}

@test "an unreadable input is an error that names it" {
	run -3 --separate-stderr 9c-order /nonexistent.yaml
	assert_equal "$stderr" "9c-order: /nonexistent.yaml: No such file or directory"
}

@test "a reader that goes away early ends the tool quietly" {
	run -0 --separate-stderr bash -c "9c-order '$SHARED/corpus/argo-cd-install.yaml' '$SHARED/corpus/external-secrets-crds.yaml' | head -c 10"
	assert_equal "$stderr" ""
}

@test "a full disk is a write error with status 1" {
	[ -w /dev/full ] || fail "/dev/full is needed"
	run -1 --separate-stderr bash -c "9c-order '$SHARED/corpus/argo-cd-install.yaml' > /dev/full"
	assert_equal "$stderr" "9c-order: write error: No space left on device"
}
