// Package docs_test compiles every Go snippet of README.md and docs/**/*.md against the
// module, so that the pages cannot drift from the API.
//
// # Conventions for writers of the pages
//
// A fenced block opened with ```go is a snippet. Blocks in any other language (```text,
// ```sh, ```python) are not compiled.
//
//   - A snippet whose first code line starts with "package" is a whole Go file and is compiled
//     as it stands (a quick start with package main, imports and func main).
//   - Any other snippet that parses as Go declarations (type, func, var, const) is placed at
//     package level of a file of its own.
//   - Any other snippet is a list of statements and is placed in the body of
//     "func snippet() error { ... }", so `return err` works; variables it defines and never
//     uses are not an error (the page shows only what matters).
//   - Declarations and statements alike get their imports from the package names they use as
//     qualifiers: the module's packages (keras, layers, callbacks, datasets, ...), tensor
//     (gorgonia.org/tensor), G (gorgonia.org/gorgonia) and a fixed set of standard packages
//     (see importPaths). So a snippet must not name a variable after one of these packages.
//   - Names a snippet assumes (xTrain, model, ...) come from a prelude: an HTML comment
//     "<!-- prelude: ... -->" right before the block (blank lines may separate them) holding
//     Go declarations, e.g. <!-- prelude: var xTrain, yTrain *tensor.Dense -->. A prelude is
//     invisible on the rendered page. Without one, a snippet gets the default prelude
//     (defaultPrelude), the few names that every Keras page assumes: model, x, y, ...
//   - A Markdown table with a column headed "Go" is a snippet too: the inline code of that
//     column, row after row, is one list of statements (the "Keras line → Go line" table).
//     A prelude before the table applies to it.
//
// Every snippet becomes one package of a temporary module that requires this module through a
// replace directive; one "go build" compiles them all, and a //line directive makes each
// compiler message name the page and the line of the block. The test fails listing them.
package docs_test

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

// importPaths maps each package name a snippet may use as a qualifier to its import path.
var importPaths = map[string]string{
	"keras":         "github.com/kerago/kerago/keras",
	"layers":        "github.com/kerago/kerago/keras/layers",
	"callbacks":     "github.com/kerago/kerago/keras/callbacks",
	"optimizers":    "github.com/kerago/kerago/keras/optimizers",
	"losses":        "github.com/kerago/kerago/keras/losses",
	"metrics":       "github.com/kerago/kerago/keras/metrics",
	"initializers":  "github.com/kerago/kerago/keras/initializers",
	"datasets":      "github.com/kerago/kerago/keras/datasets",
	"preprocessing": "github.com/kerago/kerago/keras/preprocessing",
	"tensorboard":   "github.com/kerago/kerago/keras/tensorboard",
	"kerastest":     "github.com/kerago/kerago/keras/kerastest",
	"ops":           "github.com/kerago/kerago/keras/ops",
	"regularizers":  "github.com/kerago/kerago/keras/regularizers",
	"tensor":        "gorgonia.org/tensor",
	"G":             "gorgonia.org/gorgonia",
	"errors":        "errors",
	"fmt":           "fmt",
	"io":            "io",
	"log":           "log",
	"math":          "math",
	"os":            "os",
	"filepath":      "path/filepath",
	"slices":        "slices",
	"sort":          "sort",
	"strconv":       "strconv",
	"strings":       "strings",
	"time":          "time",
}

// defaultPrelude declares what a snippet without a prelude may assume: a model and the data
// of the Keras guide's examples.
const defaultPrelude = `var model *keras.Model
var x, y, xTrain, yTrain, xVal, yVal, xTest, yTest *tensor.Dense`

// snippet is one piece of Go found in a page.
type snippet struct {
	file    string // path relative to the repository root, slash-separated
	line    int    // line of the first code line in file
	code    string
	prelude string
	// preludeLine is the line of the prelude comment in file (0: the default prelude).
	preludeLine int
	table       []tableRow // for a table snippet: the code of each row, with its line
}

// tableRow is the Go cell of one table row.
type tableRow struct {
	line int
	code string
}

var (
	fenceOpen   = regexp.MustCompile("^\\s*```go\\s*$")
	fenceClose  = regexp.MustCompile("^\\s*```\\s*$")
	preludeOpen = regexp.MustCompile(`^\s*<!--\s*prelude:(.*)$`)
	codeSpan    = regexp.MustCompile("`([^`]+)`")
)

// extract returns the snippets of one Markdown page.
func extract(file string, src []byte) ([]snippet, error) {
	var out []snippet
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	// The last prelude seen, the index of its first and of its last line.
	prelude, preludeStart, preludeEnd := "", -1, -1
	pendingPrelude := func(i int) (string, int) {
		// A prelude applies when only blank lines lie between it and line i.
		if preludeEnd < 0 {
			return "", 0
		}
		for j := preludeEnd + 1; j < i; j++ {
			if strings.TrimSpace(lines[j]) != "" {
				return "", 0
			}
		}
		return prelude, preludeStart + 1
	}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if m := preludeOpen.FindStringSubmatch(l); m != nil {
			body := m[1]
			j := i
			for !strings.Contains(body, "-->") {
				j++
				if j >= len(lines) {
					return nil, fmt.Errorf("%s:%d: prelude comment is never closed", file, i+1)
				}
				body += "\n" + lines[j]
			}
			prelude, preludeStart, preludeEnd = strings.TrimSpace(body[:strings.Index(body, "-->")]), i, j
			i = j
			continue
		}
		if fenceOpen.MatchString(l) {
			s := snippet{file: file, line: i + 2}
			s.prelude, s.preludeLine = pendingPrelude(i)
			var code []string
			j := i + 1
			for ; j < len(lines) && !fenceClose.MatchString(lines[j]); j++ {
				code = append(code, lines[j])
			}
			if j == len(lines) {
				return nil, fmt.Errorf("%s:%d: ```go block is never closed", file, i+1)
			}
			s.code = strings.Join(code, "\n")
			out = append(out, s)
			i = j
			continue
		}
		if col := goColumn(l); col >= 0 && i+1 < len(lines) && isTableRule(lines[i+1]) {
			s := snippet{file: file, line: i + 3}
			s.prelude, s.preludeLine = pendingPrelude(i)
			j := i + 2
			for ; j < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[j]), "|"); j++ {
				cells := tableCells(lines[j])
				if col >= len(cells) {
					continue
				}
				var stmts []string
				for _, m := range codeSpan.FindAllStringSubmatch(cells[col], -1) {
					stmts = append(stmts, m[1])
				}
				if len(stmts) > 0 {
					s.table = append(s.table, tableRow{line: j + 1, code: strings.Join(stmts, "\n")})
				}
			}
			if len(s.table) > 0 {
				out = append(out, s)
			}
			i = j - 1
		}
	}
	return out, nil
}

// tableCells splits a Markdown table row into its cells; "\|" is a literal bar.
func tableCells(row string) []string {
	row = strings.TrimSpace(row)
	row = strings.TrimPrefix(row, "|")
	row = strings.TrimSuffix(row, "|")
	row = strings.ReplaceAll(row, `\|`, "\x00")
	cells := strings.Split(row, "|")
	for i, c := range cells {
		cells[i] = strings.TrimSpace(strings.ReplaceAll(c, "\x00", "|"))
	}
	return cells
}

// goColumn returns the index of the column headed "Go" in a table header row, or -1.
func goColumn(row string) int {
	if !strings.HasPrefix(strings.TrimSpace(row), "|") {
		return -1
	}
	for i, c := range tableCells(row) {
		if c == "Go" {
			return i
		}
	}
	return -1
}

func isTableRule(row string) bool {
	row = strings.TrimSpace(row)
	return strings.HasPrefix(row, "|") && strings.Trim(row, "|-: ") == ""
}

// kind tells how a snippet is compiled.
type kind int

const (
	wholeFile kind = iota
	declarations
	statements
)

func (s snippet) kind() kind {
	if s.table != nil {
		return statements
	}
	for _, l := range strings.Split(s.code, "\n") {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "//") {
			continue
		}
		if strings.HasPrefix(t, "package ") {
			return wholeFile
		}
		break
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "", "package p\n"+s.code, 0); err == nil {
		return declarations
	}
	return statements
}

// source returns the Go file that compiles s, as package pkg.
func (s snippet) source(pkg string) string {
	if s.kind() == wholeFile {
		return fmt.Sprintf("//line %s:%d\n%s\n", s.file, s.line, s.code)
	}
	prelude, where := s.prelude, fmt.Sprintf("%s:%d", s.file, s.preludeLine)
	if prelude == "" {
		prelude, where = defaultPrelude, "docs/snippets_test.go(defaultPrelude):1"
	}
	var body strings.Builder
	switch {
	case s.table != nil:
		body.WriteString("func snippet() error {\n")
		var all []string
		for _, r := range s.table {
			fmt.Fprintf(&body, "//line %s:%d\n%s\n", s.file, r.line, r.code)
			all = append(all, r.code)
		}
		writeUses(&body, strings.Join(all, "\n"))
		body.WriteString("return nil\n}\n")
	case s.kind() == declarations:
		fmt.Fprintf(&body, "//line %s:%d\n%s\n", s.file, s.line, s.code)
	default:
		fmt.Fprintf(&body, "func snippet() error {\n//line %s:%d\n%s\n", s.file, s.line, s.code)
		writeUses(&body, s.code)
		body.WriteString("return nil\n}\n")
	}
	text := "//line " + where + "\n" + prelude + "\n" + body.String()
	var imports []string
	for _, name := range qualifiers(text) {
		if p, ok := importPaths[name]; ok {
			imports = append(imports, fmt.Sprintf("%s %q", name, p))
		}
	}
	sort.Strings(imports)
	return fmt.Sprintf("package %s\n\nimport (\n%s\n)\n\n%s", pkg, strings.Join(imports, "\n"), text)
}

// writeUses appends "_ = v" for every variable the statements define at their top level, so
// that a snippet need not use what it defines. Statements that do not parse are left to the
// compiler, which reports them.
func writeUses(b *strings.Builder, stmts string) {
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p\nfunc f() {\n"+stmts+"\n}", 0)
	if err != nil {
		return
	}
	fn := f.Decls[0].(*ast.FuncDecl)
	var names []string
	for _, st := range fn.Body.List {
		switch st := st.(type) {
		case *ast.AssignStmt:
			if st.Tok == token.DEFINE {
				for _, l := range st.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name != "_" {
						names = append(names, id.Name)
					}
				}
			}
		case *ast.DeclStmt:
			if g, ok := st.Decl.(*ast.GenDecl); ok && g.Tok == token.VAR {
				for _, sp := range g.Specs {
					for _, id := range sp.(*ast.ValueSpec).Names {
						if id.Name != "_" {
							names = append(names, id.Name)
						}
					}
				}
			}
		}
	}
	b.WriteString("//line generated:1\n")
	for _, n := range slices.Compact(slices.Sorted(slices.Values(names))) {
		fmt.Fprintf(b, "_ = %s\n", n)
	}
}

// qualifiers returns the identifiers used as "name." in Go text, a superset of the package
// names it uses. Text that does not parse is scanned by a regular expression instead.
var qualifierRE = regexp.MustCompile(`\b([A-Za-z_][A-Za-z0-9_]*)\.[A-Za-z_]`)

func qualifiers(text string) []string {
	seen := map[string]bool{}
	for _, m := range qualifierRE.FindAllStringSubmatch(stripStringsAndComments(text), -1) {
		seen[m[1]] = true
	}
	return slices.Sorted(func(yield func(string) bool) {
		for k := range seen {
			if !yield(k) {
				return
			}
		}
	})
}

// stripStringsAndComments blanks Go string literals and comments, so that "a.b" inside them
// does not count as a qualifier.
func stripStringsAndComments(text string) string {
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '/' && i+1 < len(text) && text[i+1] == '/':
			for i < len(text) && text[i] != '\n' {
				i++
			}
			b.WriteByte('\n')
		case c == '"' || c == '`' || c == '\'':
			q := c
			for i++; i < len(text) && text[i] != q; i++ {
				if text[i] == '\\' && q != '`' {
					i++
				}
			}
			b.WriteString(`""`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// pages returns README.md and every Markdown file under docs/, relative to root.
func pages(root string) ([]string, error) {
	files := []string{"README.md"}
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	return files, err
}

// compileResult is what one go build of a set of snippets says about each of them.
type compileResult struct {
	errs map[int]string // snippet index → compiler output for its package
}

// compileSnippets builds every snippet in one temporary module and returns the compiler's
// messages per snippet. It fails t when the build cannot run at all.
func compileSnippets(t *testing.T, root string, snips []snippet) compileResult {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err) // build skips before this when there is no go tool
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	// The temporary module takes this module's requirements (and so its pin of
	// go4.org/unsafe/assume-no-moving-gc) and replaces this module by its directory.
	mod := strings.Replace(string(gomod), "module github.com/kerago/kerago",
		"module kerago.invalid/snippets", 1)
	mod += fmt.Sprintf("\nrequire github.com/kerago/kerago v0.0.0\n\nreplace github.com/kerago/kerago => %s\n", absRoot)
	writeFile(t, filepath.Join(dir, "go.mod"), mod)
	if sum, err := os.ReadFile(filepath.Join(root, "go.sum")); err == nil {
		writeFile(t, filepath.Join(dir, "go.sum"), string(sum))
	}
	for i, s := range snips {
		pkg := fmt.Sprintf("s%03d", i)
		name := pkg
		if s.kind() == wholeFile {
			name = "" // its own package clause stands
		}
		writeFile(t, filepath.Join(dir, pkg, "snippet.go"), s.source(name))
	}
	cmd := exec.Command(goTool, "build", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	res := compileResult{errs: map[int]string{}}
	if err == nil {
		return res
	}
	// The output is a "# kerago.invalid/snippets/sNNN" header per failing package, then its
	// messages.
	cur := -1
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "# kerago.invalid/snippets/s") {
			fmt.Sscanf(strings.TrimPrefix(l, "# kerago.invalid/snippets/s"), "%d", &cur)
			continue
		}
		if cur >= 0 && l != "" {
			res.errs[cur] += l + "\n"
		}
	}
	if len(res.errs) == 0 {
		t.Fatalf("go build of the doc snippets failed without naming a snippet:\n%s", out)
	}
	return res
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// canaries are bad snippets that the checker must reject; they are compiled in the same build
// as the pages' snippets, so checking the checker costs no second build.
const canaryPage = "canary.md"

var canaries = []byte(`# Canary

A fragment that calls a function kerago does not have:

` + "```go" + `
model, err := keras.NewModel(keras.Inputs(keras.Input(keras.Shape{4})), nil)
keras.NoSuchFunction(model)
` + "```" + `

<!-- prelude: var xTrain *tensor.Dense -->
` + "```go" + `
n := layers.Dense(xTrain) // units must be an int
` + "```" + `

| Keras | Go |
|---|---|
| ` + "`x = Dense(3)(inputs)`" + ` | ` + "`x := layers.Dense(3).Call(inputs)`" + ` |

A good fragment, which must not be blamed:

` + "```go" + `
inputs := keras.Input(keras.Shape{4})
out := layers.Dense(3, layers.Activation("softmax")).Call(inputs)
` + "```" + `
`)

var (
	buildOnce  sync.Once
	allSnips   []snippet
	allResults compileResult
	pageCount  int
)

// build extracts the snippets of every page plus the canaries and compiles them once for all
// the tests of this file.
func build(t *testing.T) ([]snippet, compileResult) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go tool is not on PATH; the doc snippets cannot be compiled")
	}
	buildOnce.Do(func() {
		root := ".."
		files, err := pages(root)
		if err != nil {
			t.Fatal(err)
		}
		pageCount = len(files)
		for _, f := range files {
			src, err := os.ReadFile(filepath.Join(root, f))
			if err != nil {
				t.Fatal(err)
			}
			s, err := extract(f, src)
			if err != nil {
				t.Fatal(err)
			}
			allSnips = append(allSnips, s...)
		}
		c, err := extract(canaryPage, canaries)
		if err != nil {
			t.Fatal(err)
		}
		allSnips = append(allSnips, c...)
		allResults = compileSnippets(t, root, allSnips)
	})
	if allSnips == nil {
		t.Fatal("the snippet build failed in an earlier test")
	}
	return allSnips, allResults
}

// TestDocSnippetsCompile compiles every Go snippet of README.md and docs/.
func TestDocSnippetsCompile(t *testing.T) {
	snips, res := build(t)
	n := 0
	for i, s := range snips {
		if s.file == canaryPage {
			continue
		}
		n++
		if msg, bad := res.errs[i]; bad {
			t.Errorf("%s:%d: this Go snippet does not compile against the module:\n%s", s.file, s.line, msg)
		}
	}
	t.Logf("%d Go snippets in %d pages checked", n, pageCount)
	if n == 0 {
		t.Error("no Go snippet found in README.md or docs/")
	}
}

// TestSnippetCheckerCatchesBadSnippets shows the checker rejects snippets that use a name the
// module does not have, or use one wrongly, and names the page and the line.
func TestSnippetCheckerCatchesBadSnippets(t *testing.T) {
	snips, res := build(t)
	want := map[int]string{ // line in canaryPage → a message the compiler must give there
		6:  "canary.md:7:",
		12: "canary.md:12:",
		17: "canary.md:17:",
	}
	good := 0
	for i, s := range snips {
		if s.file != canaryPage {
			continue
		}
		msg, bad := res.errs[i]
		w, wantBad := want[s.line]
		if !wantBad {
			good++
			if bad {
				t.Errorf("the good canary at line %d was rejected:\n%s", s.line, msg)
			}
			continue
		}
		t.Logf("canary at line %d rejected as it should be:\n%s", s.line, msg)
		if !strings.Contains(msg, w) {
			t.Errorf("canary at line %d: want a message containing %q, got:\n%s", s.line, w, msg)
		}
		delete(want, s.line)
	}
	for line := range want {
		t.Errorf("no canary snippet found at line %d", line)
	}
	if good != 1 {
		t.Errorf("found %d good canaries, want 1", good)
	}
}

// TestExtract shows how pages are read: fences, preludes, whole files and tables.
func TestExtract(t *testing.T) {
	page := "Intro\n\n<!-- prelude:\nvar a int\n-->\n\n```go\nb := a\n```\n\n```go\npackage main\n\nfunc main() {}\n```\n\n" +
		"```text\nnot go\n```\n\n| Keras | Go |\n|---|---|\n| `a` | `c := 1` `d := c` |\n| none | — |\n| `b` | `e \\|\\| f` |\n\n```go\nfunc F() {}\n```\n"
	got, err := extract("p.md", []byte(page))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("got %d snippets, want 4: %+v", len(got), got)
	}
	if got[0].line != 8 || got[0].prelude != "var a int" || got[0].code != "b := a" || got[0].kind() != statements {
		t.Errorf("fragment with prelude: %+v", got[0])
	}
	if got[1].line != 12 || got[1].prelude != "" || got[1].kind() != wholeFile {
		t.Errorf("whole file: %+v", got[1])
	}
	wantRows := []tableRow{{line: 23, code: "c := 1\nd := c"}, {line: 25, code: "e || f"}}
	if !slices.Equal(got[2].table, wantRows) {
		t.Errorf("table rows: got %+v, want %+v", got[2].table, wantRows)
	}
	if got[3].kind() != declarations {
		t.Errorf("declarations: %+v", got[3])
	}
	src := got[0].source("s000")
	if !strings.Contains(src, "//line p.md:8\nb := a\n") || !strings.Contains(src, "_ = b\n") {
		t.Errorf("generated file lacks the line directive or the use of b:\n%s", src)
	}
	if strings.Contains(src, `"fmt"`) {
		t.Errorf("generated file imports fmt, which the snippet does not use:\n%s", src)
	}
}
