// hclcheck reads HCL with HashiCorp's own parser, so 9c's tests compare
// what 9c-tfvars writes with what terraform will read.
//
//	hclcheck tfvars FILE   prints the attributes of a .tfvars file as one
//	                       JSON object (values evaluated as terraform does,
//	                       with no variables or functions)
//	hclcheck tf FILE...    parses .tf files and reports syntax errors
//
// Exit status: 0 ok, 1 the input has errors, 2 usage.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

func report(p *hclparse.Parser, diags hcl.Diagnostics) bool {
	if !diags.HasErrors() {
		return false
	}
	w := hcl.NewDiagnosticTextWriter(os.Stderr, p.Files(), 0, false)
	_ = w.WriteDiagnostics(diags)
	return true
}

func tfvars(path string) int {
	p := hclparse.NewParser()
	f, diags := p.ParseHCLFile(path)
	if report(p, diags) {
		return 1
	}
	attrs, diags := f.Body.JustAttributes()
	if report(p, diags) {
		return 1
	}
	// File order, as in the source.
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		return attrs[names[i]].Range.Start.Byte < attrs[names[j]].Range.Start.Byte
	})
	out := []byte{'{'}
	for i, n := range names {
		v, diags := attrs[n].Expr.Value(nil)
		if report(p, diags) {
			return 1
		}
		js, err := ctyjson.SimpleJSONValue{Value: v}.MarshalJSON()
		if err != nil {
			fmt.Fprintf(os.Stderr, "hclcheck: %s: %s: %v\n", path, n, err)
			return 1
		}
		k, _ := json.Marshal(n)
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, k...)
		out = append(out, ':')
		out = append(out, js...)
	}
	out = append(out, '}', '\n')
	os.Stdout.Write(out)
	return 0
}

func tf(paths []string) int {
	p := hclparse.NewParser()
	rc := 0
	for _, path := range paths {
		src, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "hclcheck: %v\n", err)
			rc = 1
			continue
		}
		_, diags := hclsyntax.ParseConfig(src, path, hcl.Pos{Line: 1, Column: 1, Byte: 0})
		if report(p, diags) {
			rc = 1
		}
	}
	return rc
}

func main() {
	if len(os.Args) == 3 && os.Args[1] == "tfvars" {
		os.Exit(tfvars(os.Args[2]))
	}
	if len(os.Args) >= 3 && os.Args[1] == "tf" {
		os.Exit(tf(os.Args[2:]))
	}
	fmt.Fprintln(os.Stderr, "usage: hclcheck tfvars FILE | hclcheck tf FILE...")
	os.Exit(2)
}
