package main

// The catalogue: thousands of scalars in every position a manifest puts
// them (value, list item, key, inside flow collections, under a tag, in a
// JSON stream), quoted scalars with every escape, and whole streams that
// probe the splitter, the JSON sniffing, BOMs and Lists.  Deterministic:
// the same binary prints the same cases.

import (
	"bufio"
	"fmt"
	"strings"
)

const head = "apiVersion: v1\nkind: T\n"
const jhead = `{"apiVersion": "v1", "kind": "T", `

func put(w *bufio.Writer, id, data string) {
	fmt.Fprintf(w, "#%s\n%d\n%s\n", id, len(data), data)
}

func caseVariants(word string) []string {
	up := strings.ToUpper(word)
	title := strings.ToUpper(word[:1]) + word[1:]
	out := []string{word, up, title}
	if len(word) > 1 {
		// one odd variant: the second letter flipped
		b := []byte(word)
		if b[1] >= 'a' && b[1] <= 'z' {
			b[1] -= 32
		}
		out = append(out, string(b))
	}
	return out
}

func scalars() []string {
	var s []string
	seen := map[string]bool{}
	add := func(v ...string) {
		for _, x := range v {
			if !seen[x] {
				seen[x] = true
				s = append(s, x)
			}
		}
	}
	for _, w := range []string{"y", "n", "yes", "no", "on", "off", "true",
		"false", "null", "inf", "nan", "infinity"} {
		add(caseVariants(w)...)
	}
	add("~", "", ".inf", ".Inf", ".INF", ".iNf", "+.inf", "-.inf", "-.Inf",
		"-.INF", "+.INF", ".nan", ".NaN", ".NAN", ".nAn", "+.nan")
	bodies := []string{"0", "00", "1", "7", "08", "09", "012", "0o12", "0O12",
		"0o8", "0x1F", "0X1f", "0x_1F", "0x", "0b", "0o", "0b1010", "0b_1010",
		"0b2", "0b_", "1_000", "1__000", "1000_", "_1000", "1_0.5", "1.5",
		"1.", ".5", "._5", ".5_5", "1.0", "1.50", "0.0", "1e3", "1E3", "1e+3",
		"1e-3", "1.0e+3", "1e", "1e5.5", "1.2.3", "0x1p3", "0x1F.5", "1e20",
		"1e21", "1e-6", "1e-7", "0.0000001", "0.000001", "3.0e-5", "1.5e-7",
		"1e400", "1e-400", "3.14159265358979", "123456789.0", "1e6", "1e5",
		"1e36", "1e38", "3.4e38", "3.5e38", "1e39", "1e300", "16777217",
		"16777217.0", "2147483648", "9007199254740993", "9007199254740993.0",
		"9223372036854775807", "9223372036854775808", "9223372036854775809",
		"18446744073709551615", "18446744073709551616", "18446744073709551617",
		"99999999999999999999", "123456789012345678901234567890",
		"0xFFFFFFFFFFFFFFFF", "0x7FFFFFFFFFFFFFFF", "0x8000000000000000",
		"0x10000000000000000", "0777", "0755", "1:20", "190:20:30", "12:30:45",
		"6:30", "1:70", "1:20.5", "1,000", "1 000", "0.1", "0.30000000000000004",
		"1.0000000000000002", "4.9e-324", "2.2250738585072014e-308",
		"1.7976931348623157e308", "1.8e308", "100000000000000000000.0",
		"12345678901234567890", "0e0", "0.e1", "1_2_3", "0x_", "0_9", "0_8"}
	for _, b := range bodies {
		for _, sign := range []string{"", "+", "-"} {
			add(sign + b)
		}
	}
	add("2001-12-14", "2001-12-14T21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00",
		"2001-12-14 21:59:43.10", "2001-12-14 21:59:43.10 -5",
		"2001-12-14 21:59:43.10 Z", "2001-02-30", "2001-13-45", "2001-1-1",
		"2001-12-14T21:59:43Z", "20011214", "1999-12-31T23:59:59.999999999Z")
	add("=", "<<", "a#b", "a #b", "a:b", "a:", "a?b", "?a", "-a", "--", "a,b",
		"a[b]", "a]b", "a}b", "a{b", "[20:]", "*a", "&a", "!a", "%a", "@a",
		"`a", "|a", ">a", "'a", "\"a", "-", "?", ":", "a b", "a  b", "a\tb",
		"é", "日本", "a/b", "a\\b", "a\\/b", "https://example.com/a?b=c#d",
		"10.0.0.1", "v1.2.3", "1Gi", "100m", "0.0.0.0/0", "a: b", "a::b",
		"::", "a:1", "1:a", "a?", "a-", "a:-", "...", "---", "a...", ".a",
		"..", ".", "+", "+a", "0a", "1a", "0x1g", "1_", "_", "__", "<<<",
		"<", "=a", "~a", "a~", "null~", "yes!", "True1", "nul", "Nulll")
	// every printable ASCII character at the start, inside and at the end
	for c := 0x21; c < 0x7f; c++ {
		ch := string(rune(c))
		add(ch+"a", "a"+ch+"b", "a"+ch, "1"+ch+"2")
	}
	return s
}

// escapes in double quotes: what YAML 1.1 has, what 1.2 added, what
// neither has, after ASCII and after non-ASCII text.
func dquoted() []string {
	var s []string
	for c := 0x20; c < 0x7f; c++ {
		s = append(s, `\`+string(rune(c)))
	}
	s = append(s, `\x41`, `\xe9`, `\xff`, `\x4`, `\u00e9`, `\u00E9`, `\u0000`,
		`\u2028`, `\ud800`, `\udfff`, `\ud83d\ude00`, `\U0001F600`,
		`\U00110000`, `\u12`, `\uFFFE`, `\N\_\L\P`, `it\'s`, `a\/b`,
		`é\/`, `éé\/`, `日本語\/`, `\/é`, `\"\/\"`, `\\/`, `\\\/`,
		`a\
b`, "a\nb", "a\n\nb", "a \n b", "\t", `\t`)
	return s
}

func squoted() []string {
	return []string{`it''s`, `it\'s`, `\/`, `a\nb`, `é\/`, "a\nb", "''", "'"}
}

func scalarCases(w *bufio.Writer) {
	for _, s := range scalars() {
		q := fmt.Sprintf("%q", s)
		put(w, "value "+q, head+"v: "+s+"\n")
		put(w, "item "+q, head+"v:\n- "+s+"\n")
		put(w, "key "+q, head+"m:\n  "+s+": x\n")
		put(w, "flow-value "+q, head+"v: {a: "+s+"}\n")
		put(w, "flow-item "+q, head+"v: ["+s+"]\n")
		put(w, "flow-items "+q, head+"v: ["+s+", "+s+"]\n")
		put(w, "flow-key "+q, head+"v: {"+s+": x}\n")
		put(w, "json-value "+q, jhead+`"v": `+s+"}\n")
		put(w, "json-item "+q, jhead+`"v": [`+s+"]}\n")
		for _, tag := range []string{"!!float", "!!int", "!!str", "!!bool",
			"!!null", "!!timestamp", "!", "!x"} {
			put(w, "tag "+tag+" "+q, head+"v: "+tag+" "+s+"\n")
		}
		put(w, "tag-key !!float "+q, head+"m:\n  !!float "+s+": x\n")
	}
	for _, s := range dquoted() {
		q := fmt.Sprintf("%q", s)
		put(w, "dquote "+q, head+"v: \""+s+"\"\n")
		put(w, "dquote-after-utf8 "+q, head+"d: \"äöü 日本\"\nv: \""+s+"\"\n")
		put(w, "dquote-key "+q, head+"m:\n  \""+s+"\": x\n")
		put(w, "json-string "+q, jhead+`"v": "`+s+"\"}\n")
	}
	for _, s := range squoted() {
		q := fmt.Sprintf("%q", s)
		put(w, "squote "+q, head+"v: '"+s+"'\n")
	}
}

const bom = "\ufeff"

func streamCases(w *bufio.Writer) {
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
	cm2 := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n"
	j := `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}`
	j2 := `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}`
	cases := [][2]string{
		{"two documents", cm + "---\n" + cm2},
		{"separators everywhere", "---\n" + cm + "---\n---\n" + cm2 + "---\n"},
		{"separator with comment", cm + "--- # c\n" + cm2},
		{"separator with content", cm + "--- x: 1\n" + cm2},
		{"separator ----", cm + "----\n" + cm2},
		{"separator ---x", cm + "---x\n" + cm2},
		{"separator --- |", cm + "--- |\n" + cm2},
		{"dots end", cm + "...\n"},
		{"dots then content", cm + "...\nx: 1\n"},
		{"dots then separator", cm + "...\n---\n" + cm2},
		{"comment only chunk", "# c\n---\n" + cm},
		{"null chunks", cm + "---\nnull\n---\n~\n---\n" + cm2},
		{"empty stream", ""},
		{"blank stream", "\n\n  \n"},
		{"comment stream", "# only\n"},
		{"yaml directive", "%YAML 1.1\n---\n" + cm},
		{"yaml 1.2 directive", "%YAML 1.2\n---\n" + cm},
		{"anchor across chunks", "apiVersion: v1\nkind: T\na: &x 1\n---\napiVersion: v1\nkind: T\nb: *x\n"},
		{"bom at start", bom + cm},
		{"bom at both chunks", bom + cm + "---\n" + bom + cm2},
		{"bom before separator", cm + bom + "---\n" + cm2},
		{"bom before json", bom + j},
		{"crlf", strings.ReplaceAll(cm+"---\n"+cm2+"data:\n  b: \"x\n    y\"\n", "\n", "\r\n")},
		{"cr only", strings.ReplaceAll(cm+"---\n"+cm2, "\n", "\r")},
		{"quoted scalar cut by separator", cm + "data:\n  a: \"x\n---\ny\"\n"},
		{"indented separator is content", cm + "data:\n  a: x\n  ---\n"},
		{"json stream", j + "\n" + j2 + "\n"},
		{"json stream no newline", j + j2},
		{"json then yaml", j + "\n---\n" + cm2},
		{"json then comment", j + "\n# c\n"},
		{"json then yaml key", j + "\nkind: X\n"},
		{"json two then yaml", j + "\n" + j2 + "\n---\n" + cm2},
		{"json array", "[" + j + ", " + j2 + "]"},
		{"json array after space", "  \n[" + j + "]"},
		{"json trailing comma", `{"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "b",},}`},
		{"json unquoted key", `{apiVersion: "v1", kind: "ConfigMap"}`},
		{"json point five", `{"apiVersion": "v1", "kind": "T", "v": .5}`},
		{"json plus one", `{"apiVersion": "v1", "kind": "T", "v": +1}`},
		{"json leading zero", `{"apiVersion": "v1", "kind": "T", "v": 01}`},
		{"json True", `{"apiVersion": "v1", "kind": "T", "v": True}`},
		{"json single quotes", `{'apiVersion': 'v1', 'kind': 'T'}`},
		{"json comment inside", "{\"apiVersion\": \"v1\", # c\n\"kind\": \"T\"}"},
		{"json lone surrogate", `{"apiVersion": "v1", "kind": "T", "v": "\ud800"}`},
		{"json low surrogate", `{"apiVersion": "v1", "kind": "T", "v": "\udc00x"}`},
		{"json surrogate pair", `{"apiVersion": "v1", "kind": "T", "v": "\ud83d\ude00"}`},
		{"json escaped slash", `{"apiVersion": "v1", "kind": "T", "v": "a\/b"}`},
		{"json duplicate key", `{"apiVersion": "v1", "kind": "T", "v": 1, "v": 2}`},
		{"json case keys", `{"apiVersion": "v1", "kind": "T", "v": 1, "V": 2}`},
		{"json big int", `{"apiVersion": "v1", "kind": "T", "v": 18446744073709551616}`},
		{"json huge exponent", `{"apiVersion": "v1", "kind": "T", "v": 1e400}`},
		{"json null doc", "null\n" + j},
		{"json then null", j + "\nnull\n"},
		{"json invalid utf8", "{\"apiVersion\": \"v1\", \"kind\": \"T\", \"v\": \"\xff\"}"},
		{"json raw tab", "{\"apiVersion\": \"v1\", \"kind\": \"T\", \"v\": \"a\tb\"}"},
		{"json nested", `{"apiVersion": "v1", "kind": "T", "v": {"a": [1, 2.5, true, null, "s"]}}`},
		{"json two then garbage", j + "\n" + j2 + "\n}"},
		{"json then garbage", j + "\n}"},
		{"json after 4090 spaces", strings.Repeat(" ", 4090) + j},
		{"json after 4095 spaces", strings.Repeat(" ", 4095) + j},
		{"json after 4096 spaces", strings.Repeat(" ", 4096) + j},
		{"json after 5000 newlines", strings.Repeat("\n", 5000) + j},
		{"json bad after 5000 newlines", strings.Repeat("\n", 5000) + `{"apiVersion": "v1", "kind": "T", "v": .5}`},
		{"flow yaml at top", "{apiVersion: v1, kind: T}\n"},
		{"flow then block", "{apiVersion: v1, kind: T}\nb: 2\n"},
		{"list", "apiVersion: v1\nkind: List\nitems:\n- " + strings.ReplaceAll(cm, "\n", "\n  ") + "\n- " + strings.ReplaceAll(cm2, "\n", "\n  ") + "\n"},
		{"empty list", "apiVersion: v1\nkind: List\nitems: []\n"},
		{"null items list", "apiVersion: v1\nkind: List\nitems:\n"},
		{"list without items", "apiVersion: v1\nkind: List\n"},
		{"typed list", "apiVersion: v1\nkind: ConfigMapList\nitems:\n- metadata:\n    name: a\n- metadata:\n    name: b\n"},
		{"typed list partial kind", "apiVersion: v1\nkind: ConfigMapList\nitems:\n- kind: Secret\n  metadata:\n    name: a\n"},
		{"list of untyped", "apiVersion: v1\nkind: List\nitems:\n- metadata:\n    name: a\n"},
		{"list item without version", "apiVersion: v1\nkind: List\nitems:\n- kind: ConfigMap\n"},
		{"object with items", "apiVersion: v1\nkind: Thing\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n"},
		{"object with items map", "apiVersion: v1\nkind: Thing\nitems:\n  a: 1\n"},
		{"object with items scalar", "apiVersion: v1\nkind: Thing\nitems: 3\n"},
		{"object with null items", "apiVersion: v1\nkind: Thing\nitems: null\n"},
		{"list with null item", "apiVersion: v1\nkind: List\nitems:\n- null\n- apiVersion: v1\n  kind: ConfigMap\n"},
		{"list with scalar item", "apiVersion: v1\nkind: List\nitems:\n- 1\n"},
		{"nested list", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: inner}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: outer}\n"},
		{"json list", `{"apiVersion": "v1", "kind": "List", "items": [` + j + `, ` + j2 + `]}`},
		{"json typed list", `{"apiVersion": "v1", "kind": "ConfigMapList", "items": [{"metadata": {"name": "a"}}]}`},
		{"missing kind", "apiVersion: v1\nmetadata:\n  name: a\n"},
		{"missing apiVersion", "kind: ConfigMap\nmetadata:\n  name: a\n"},
		{"kind not a string", "apiVersion: v1\nkind: 1\n"},
		{"scalar document", "apiVersion\n"},
		{"sequence document", "- a\n- b\n"},
		{"top-level string after doc", cm + "--- \n\"a\"\n"},
		{"merge", head + "b: &x {p: 1, q: 2}\nc:\n  <<: *x\n  q: 3\n"},
		{"merge before key", head + "a: 1\n<<: {a: 2}\n"},
		{"merge list", head + "x:\n  <<: [{a: 1}, {a: 2, b: 2}]\n"},
		{"merge scalar", head + "x:\n  <<: 1\n"},
		{"quoted merge key", head + "\"<<\": {a: 1}\n"},
		{"duplicate key", head + "a: 1\na: 2\n"},
		{"duplicate typed key", head + "m:\n  1: a\n  0x1: b\n"},
		{"duplicate key string and int", head + "m:\n  1: a\n  \"1\": b\n"},
		{"anchor redefined", head + "a: &x 1\nb: &x 2\nc: *x\n"},
		{"anchor self", head + "a: &x\n  b: *x\n"},
		{"unknown anchor", head + "a: *x\n"},
		{"binary", head + "a: !!binary gIGC\nb: !!binary aGVsbG8=\n"},
		{"binary bad", head + "a: !!binary aGVsbG8\n"},
		{"set", head + "a: !!set {x, y}\n"},
		{"omap", head + "a: !!omap [a: 1]\n"},
		{"literal", head + "a: |\n  l1\n  l2\n"},
		{"folded", head + "a: >-\n  f1\n  f2\n\n  p2\n"},
		{"nel raw in plain", head + "a: x\u0085y\n"},
		{"nel raw in quotes", head + "a: \"x\u0085y\"\n"},
		{"ls raw in quotes", head + "a: \"x\u2028y\"\n"},
		{"del raw", head + "a: x\x7fy\n"},
		{"tab indent", head + "a:\n\tb: 1\n"},
		{"tab in value", head + "a: x\ty\n"},
		{"invalid utf8", head + "a: \xff\n"},
		{"nul byte", head + "a: x\x00y\n"},
		{"ufffe raw", head + "a: x\uFFFEy\n"},
		{"flow trailing comma", head + "a: [1, 2,]\n"},
		{"flow map trailing comma", head + "a: {b: 1,}\n"},
		{"flow a colon value", head + "a: {b: a:}\n"},
		{"flow adjacent colon", head + "a: {\"b\":1}\n"},
		{"flow question", head + "a: [a?b]\n"},
		{"flow question start", head + "a: [?b]\n"},
		{"flow question key", head + "a: {? b: 1}\n"},
		{"explicit key", head + "? a\n: 1\n"},
		{"explicit collection key", head + "? [a, b]\n: c\n"},
		{"null key", head + "~: a\n"},
		{"empty explicit key", head + "? \n: a\n"},
		{"long key", head + strings.Repeat("k", 1100) + ": 1\n"},
		{"long key 1024", head + strings.Repeat("k", 1024) + ": 1\n"},
		{"key 1025", head + strings.Repeat("k", 1025) + ": 1\n"},
		{"depth 100", head + "a: " + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "\n"},
		{"after root", head + "a: 1\n]\n"},
		{"flow then text", "[1, 2] 3\n"},
		{"bom in middle", head + "a: x" + bom + "y\n"},
		{"comment after value", head + "a: 1 # c\n"},
		{"non-ascii then slash escape", head + "d: \"ü\"\np: \"a\\/b\"\n"},
		{"slash escape after multi-line", head + "d: \"日本語日本語日本語\"\nd2: |\n  ääää\n  öööö\np: \"\\/\"\n"},
	}
	for _, c := range cases {
		put(w, "stream "+c[0], c[1])
	}
}

func generate(w *bufio.Writer) {
	scalarCases(w)
	streamCases(w)
}
