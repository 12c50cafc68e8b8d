// oracle - read manifest streams exactly as `kubectl apply -f' reads them,
// so the 9c reader can be compared with kubectl's own code, value by value.
//
//	oracle kubectl CASES   one line per case: its id, a tab, then the JSON
//	                       array of the objects kubectl would send (keys
//	                       sorted, numbers as the API server stores them),
//	                       or the word error, a tab and kubectl's message
//	oracle canon           the same form from lines "id<TAB>[doc,...]" or
//	                       "id<TAB>error" on stdin (what the 9c driver
//	                       prints), re-encoded the same way, numbers kept
//	                       as written
//	oracle gen             the catalogue of cases on stdout
//
// A case file holds records "#<id>\n<length>\n<bytes>\n".
//
// The reading path is cli-runtime's StreamVisitor and FlattenListVisitor:
// apimachinery's YAML-or-JSON decoder with its 4096-byte sniffing window,
// trimmed chunks that are empty or null skipped, each decoded by
// unstructured.UnstructuredJSONScheme (int64 else float64), objects with an
// `items' list flattened (a list inside one is kubectl's error), then
// sent to and stored by the API server as JSON.  Only the REST mapping,
// which needs a server, is left out.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/yaml"
)

type kase struct {
	id   string
	data []byte
}

func readCases(r io.Reader) ([]kase, error) {
	br := bufio.NewReader(r)
	var out []kase
	for {
		id, err := br.ReadString('\n')
		if err == io.EOF && id == "" {
			return out, nil
		}
		if err != nil || len(id) < 2 || id[0] != '#' {
			return nil, fmt.Errorf("case %d: bad id line", len(out)+1)
		}
		ls, err := br.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("case %s: bad length", id)
		}
		n, err := strconv.Atoi(ls[:len(ls)-1])
		if err != nil || n < 0 {
			return nil, fmt.Errorf("case %s: bad length", id)
		}
		data := make([]byte, n+1)
		if _, err := io.ReadFull(br, data); err != nil || data[n] != '\n' {
			return nil, fmt.Errorf("case %s: short", id)
		}
		out = append(out, kase{id[1 : len(id)-1], data[:n]})
	}
}

// objects reads a stream as StreamVisitor + FlattenListVisitor do.
func objects(data []byte) ([]map[string]interface{}, error) {
	d := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var out []map[string]interface{}
	for {
		ext := runtime.RawExtension{}
		if err := d.Decode(&ext); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, err
		}
		ext.Raw = bytes.TrimSpace(ext.Raw)
		if len(ext.Raw) == 0 || bytes.Equal(ext.Raw, []byte("null")) {
			continue
		}
		obj, _, err := unstructured.UnstructuredJSONScheme.Decode(ext.Raw, nil, nil)
		if err != nil {
			return nil, err
		}
		todo := []runtime.Object{obj}
		for i := 0; i < len(todo); i++ {
			cur := todo[i]
			if !meta.IsListType(cur) {
				u, ok := cur.(runtime.Unstructured)
				if !ok {
					return nil, fmt.Errorf("not unstructured")
				}
				// infoForObject: the typer needs a kind and a version.
				gvk := cur.GetObjectKind().GroupVersionKind()
				if gvk.Kind == "" || gvk.Version == "" {
					return nil, fmt.Errorf("kind or version missing")
				}
				stored, err := store(u.UnstructuredContent())
				if err != nil {
					return nil, err
				}
				out = append(out, stored)
				continue
			}
			items, err := meta.ExtractList(cur)
			if err != nil {
				return nil, err
			}
			todo = append(todo, items...)
		}
	}
}

// store is what the API server keeps of an object kubectl sent: the JSON
// kubectl writes, decoded the server's way (int64 when the text is an
// integer, so the -0 that kubectl writes for -0.0 is stored as 0).
func store(obj map[string]interface{}) (map[string]interface{}, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var m map[string]interface{}
	if err := utiljson.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return m, nil
}

func line(id string, docs []map[string]interface{}, err error) string {
	if err != nil {
		// the message, on one line, for people reading a difference
		return id + "\terror\t" + strconv.Quote(err.Error())
	}
	if docs == nil {
		docs = []map[string]interface{}{}
	}
	b, err := json.Marshal(docs)
	if err != nil {
		return id + "\terror"
	}
	return id + "\t" + string(b)
}

func canon(r io.Reader, w *bufio.Writer) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	for sc.Scan() {
		t := sc.Bytes()
		i := bytes.IndexByte(t, '\t')
		if i < 0 {
			return fmt.Errorf("canon: no tab in %q", t)
		}
		id, rest := string(t[:i]), t[i+1:]
		if bytes.HasPrefix(rest, []byte("error")) {
			fmt.Fprintln(w, id+"\t"+string(rest))
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(rest))
		dec.UseNumber()
		var v interface{}
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("canon: %s: %v", id, err)
		}
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("canon: %s: %v", id, err)
		}
		fmt.Fprintln(w, id+"\t"+string(b))
	}
	return sc.Err()
}

func main() {
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	if len(os.Args) == 3 && os.Args[1] == "kubectl" {
		f, err := os.Open(os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, "oracle:", err)
			os.Exit(1)
		}
		cases, err := readCases(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, "oracle:", err)
			os.Exit(1)
		}
		for _, c := range cases {
			docs, err := objects(c.data)
			fmt.Fprintln(w, line(c.id, docs, err))
		}
		return
	}
	if len(os.Args) == 2 && os.Args[1] == "canon" {
		if err := canon(os.Stdin, w); err != nil {
			w.Flush()
			fmt.Fprintln(os.Stderr, "oracle:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) == 2 && os.Args[1] == "gen" {
		generate(w)
		return
	}
	fmt.Fprintln(os.Stderr, "usage: oracle kubectl CASES | oracle canon | oracle gen")
	os.Exit(2)
}
