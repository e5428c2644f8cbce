package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Snippet is one piece of user code for [CompileSnippets]: Body becomes the body of a function
// of its own package, named Name (a Go identifier).
type Snippet struct {
	Name, Body string
}

// CompileSnippets type-checks user code against this module, the way a program that imports
// kerago would be compiled: each snippet becomes a package of a temporary module that requires
// this repository through a replace directive, with the given imports and function header
// (e.g. "func f(model *keras.Model, x, y *tensor.Dense)"), and one `go vet` run checks them
// all. It returns the names of the snippets that do not compile and the tool's output, so a
// test can assert which API misuses the compiler rejects. root is the repository's root
// directory. The test skips when the go tool is missing.
func CompileSnippets(t testing.TB, root string, imports []string, header string, snippets []Snippet) (failed map[string]bool, output string) {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool")
	}
	root, err = filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	const module = "kerago.invalid/compilecheck"
	dir := t.TempDir()
	mod := strings.Replace(string(gomod), "module github.com/kerago/kerago", "module "+module, 1)
	mod += "\nrequire github.com/kerago/kerago v0.0.0\n\nreplace github.com/kerago/kerago => " + root + "\n"
	write := func(path, text string) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "go.mod"), mod)
	if sum, err := os.ReadFile(filepath.Join(root, "go.sum")); err == nil {
		write(filepath.Join(dir, "go.sum"), string(sum))
	}
	var imp strings.Builder
	for _, p := range imports {
		imp.WriteString("\t\"" + p + "\"\n")
	}
	var uses strings.Builder
	for _, p := range imports {
		uses.WriteString("var _ = " + filepath.Base(p) + ".")
		uses.WriteString(anyExported[filepath.Base(p)])
		uses.WriteString("\n")
	}
	for _, s := range snippets {
		write(filepath.Join(dir, s.Name, "p.go"), "package "+s.Name+"\n\nimport (\n"+imp.String()+")\n\n"+
			uses.String()+"\n"+header+" {\n\t"+s.Body+"\n}\n")
	}
	// go vet type-checks every package and reports each one's errors under its own header;
	// with the module already in the build cache it takes a second or two.
	cmd := exec.Command(goTool, "vet", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, _ := cmd.CombinedOutput()
	failed = map[string]bool{}
	for _, s := range snippets {
		if strings.Contains(string(out), module+"/"+s.Name+"\n") ||
			strings.Contains(string(out), filepath.Join(s.Name, "p.go")+":") {
			failed[s.Name] = true
		}
	}
	return failed, string(out)
}

// anyExported names one exported identifier of each package a snippet may import, so that
// the generated file uses every import whatever its snippet calls.
var anyExported = map[string]string{
	"keras":        "Input",
	"layers":       "Dense",
	"initializers": "Zeros",
	"tensor":       "New",
	"losses":       "Get",
	"callbacks":    "EarlyStopping",
}
