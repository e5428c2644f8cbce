package testenv

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// childEnv names the scenario a re-run of this test binary plays in TestChild.
const childEnv = "KERAGO_TESTENV_CHILD"

// scenarios are run in a child process, so that their skips and failures can be observed.
var scenarios = map[string]func(t *testing.T){
	"python":   func(t *testing.T) { Python(t, "kerago_no_such_module") },
	"optional": func(t *testing.T) { OptionalPython(t, "kerago_no_such_module") },
	"slow":     func(t *testing.T) { SlowPython(t, "kerago_no_such_module") },
	"data":     func(t *testing.T) { DataFile(t, "set/none.csv") },
	"tfevents": func(t *testing.T) {
		TFEventsCheck(t, Python(t), os.Getenv("KERAGO_TESTENV_FILE"), "logs", nil)
	},
	"golden": func(t *testing.T) {
		GoldenCases[int](t, os.Getenv("KERAGO_TESTENV_FILE"), 3, "make_golden.py")
	},
}

// TestChild plays the scenario named by $KERAGO_TESTENV_CHILD; it does nothing in a normal run.
func TestChild(t *testing.T) {
	name := os.Getenv(childEnv)
	if name == "" {
		return
	}
	scenarios[name](t)
	t.Log("scenario returned")
}

// runChild runs scenario in a child test process with env added, and returns its output and
// whether it failed.
func runChild(t *testing.T, scenario string, short bool, env ...string) (string, bool) {
	t.Helper()
	args := []string{"-test.run=^TestChild$", "-test.v"}
	if short {
		args = append(args, "-test.short")
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), append([]string{childEnv + "=" + scenario}, env...)...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running the child: %v", err)
	}
	return string(out), err != nil
}

// TestSkipOrFail checks each helper's verdict on a missing module, data file or golden file,
// with and without the variable that makes it a requirement.
func TestSkipOrFail(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short.json")
	if err := os.WriteFile(short, []byte(`{"cases": [1, 2]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.json")
	warns := fakeChecker(t, `{"ok": true, "errors": [], "warnings": ["step 3 written twice"], "runs": {}}`)
	tests := []struct {
		name, scenario string
		short          bool
		env            []string
		fail           bool
		want           string
	}{
		{"python skips", "python", false, []string{RequirePythonEnv + "="}, false,
			"python3 cannot import kerago_no_such_module (pip install kerago_no_such_module; KERAGO_REQUIRE_PYTHON=1 makes this a failure)"},
		{"python required", "python", false, []string{RequirePythonEnv + "=1"}, true,
			"KERAGO_REQUIRE_PYTHON=1 but python3 cannot import kerago_no_such_module"},
		{"optional skips although required", "optional", false, []string{RequirePythonEnv + "=1"}, false,
			"python3 cannot import kerago_no_such_module (optional"},
		{"slow skips with -short", "slow", true, []string{RequirePythonEnv + "="}, false, "-short"},
		{"slow required with -short", "slow", true, []string{RequirePythonEnv + "=1"}, true,
			"KERAGO_REQUIRE_PYTHON=1 but python3 cannot import"},
		{"deferred skips although required", "python", false, []string{RequirePythonEnv + "=1", DeferPythonEnv + "=^TestChild$"}, false,
			"KERAGO_DEFER_PYTHON=^TestChild$: a later pass runs this test"},
		{"deferred slow skips", "slow", false, []string{RequirePythonEnv + "=1", DeferPythonEnv + "=Other|Child"}, false,
			"a later pass runs this test"},
		{"not deferred when the name does not match", "python", false, []string{RequirePythonEnv + "=1", DeferPythonEnv + "=^TestChildren$"}, true,
			"KERAGO_REQUIRE_PYTHON=1 but python3 cannot import kerago_no_such_module"},
		{"deferred bad expression", "python", false, []string{DeferPythonEnv + "=("}, true,
			`KERAGO_DEFER_PYTHON="(" is not a regular expression`},
		{"data skips", "data", false, []string{SharedEnv + "=" + dir, RequireDataEnv + "="}, false,
			"set KERAGO_SHARED; KERAGO_REQUIRE_DATA=1 makes this a failure"},
		{"data required", "data", false, []string{SharedEnv + "=" + dir, RequireDataEnv + "=1"}, true,
			"KERAGO_REQUIRE_DATA=1 requires the data"},
		{"data bad shared dir", "data", false, []string{SharedEnv + "=" + missing, RequireDataEnv + "="}, false,
			"is not a directory"},
		{"golden too few cases", "golden", false, []string{"KERAGO_TESTENV_FILE=" + short}, true,
			"only 2 cases, want at least 3 (regenerate with make_golden.py)"},
		{"verifier warns", "tfevents", false, []string{"KERAGO_TESTENV_FILE=" + warns}, true,
			"verifier: ok=true errors=[] warnings=[step 3 written twice]"},
		{"golden missing", "golden", false, []string{"KERAGO_TESTENV_FILE=" + missing}, true,
			"(regenerate with make_golden.py)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, failed := runChild(t, tt.scenario, tt.short, tt.env...)
			if failed != tt.fail {
				t.Errorf("failed = %v, want %v:\n%s", failed, tt.fail, out)
			}
			if !tt.fail && !strings.Contains(out, "--- SKIP: TestChild") {
				t.Errorf("the child did not skip:\n%s", out)
			}
			if !strings.Contains(out, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, out)
			}
			if strings.Contains(out, "scenario returned") {
				t.Errorf("the helper returned instead of stopping the test:\n%s", out)
			}
		})
	}
}

func TestPythonRuns(t *testing.T) {
	py := Python(t, "json")
	t.Setenv("KERAS_BACKEND", "")
	out := PythonOutput(t, py, "-c", "import os, sys; sys.stderr.write('noise'); print(os.environ['KERAS_BACKEND'])")
	if got := strings.TrimSpace(string(out)); got != "jax" {
		t.Errorf("PythonOutput = %q, want the default backend jax alone on stdout", got)
	}
	t.Setenv("KERAS_BACKEND", "numpy")
	out, err := PythonCombinedOutput(t, py, "-c", "import os, sys; sys.stderr.write('e:'); print(os.environ['KERAS_BACKEND']); sys.exit(3)")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 || strings.TrimSpace(string(out)) != "e:numpy" {
		t.Errorf("PythonCombinedOutput = %q, %v; want \"e:numpy\" and exit status 3", out, err)
	}
}

func TestSharedDirAndLocate(t *testing.T) {
	root := t.TempDir()
	shared := filepath.Join(root, "shared")
	deep := filepath.Join(root, "repo", "a", "b")
	for _, d := range []string{filepath.Join(shared, "data", "set"), filepath.Join(shared, "tools"), deep} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(shared, "data", "set", "f.csv")
	tool := filepath.Join(shared, "tools", "check.py")
	for _, p := range []string{file, tool} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	t.Setenv(SharedEnv, "")
	got, err := SharedDir(deep)
	if err != nil || got != shared {
		t.Errorf("SharedDir(%s) = %q, %v; want %q", deep, got, err, shared)
	}
	if _, err := SharedDir(t.TempDir()); !errors.Is(err, ErrNoData) {
		t.Errorf("SharedDir without a shared directory: %v, want ErrNoData", err)
	}
	t.Setenv(SharedEnv, shared)
	if got, err := SharedDir("."); err != nil || got != shared {
		t.Errorf("SharedDir with $%s = %q, %v", SharedEnv, got, err)
	}
	if got, err := SharedFile("tools/check.py"); err != nil || got != tool {
		t.Errorf("SharedFile = %q, %v; want %q", got, err, tool)
	}
	if _, err := SharedFile("tools/none.py"); !errors.Is(err, ErrNoData) {
		t.Errorf("SharedFile of a missing file: %v, want ErrNoData", err)
	}
	if got := DataFile(t, "set/f.csv"); got != file {
		t.Errorf("DataFile = %q, want %q", got, file)
	}
	t.Setenv(SharedEnv, filepath.Join(root, "missing"))
	if _, err := SharedDir("."); !errors.Is(err, ErrNoData) {
		t.Errorf("SharedDir with a missing $%s: %v, want ErrNoData", SharedEnv, err)
	}

	for _, dir := range []string{shared, filepath.Join(shared, "data")} {
		if got, err := Locate(dir, "set/f.csv"); err != nil || got != file {
			t.Errorf("Locate(%s) = %q, %v; want %q", dir, got, err, file)
		}
	}
	if _, err := Locate(shared, "set/none.csv"); !errors.Is(err, ErrNoData) {
		t.Errorf("Locate of a missing file: %v, want ErrNoData", err)
	}
}

func TestGoldenCases(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.json")
	if err := os.WriteFile(path, []byte(`{"version": "3.15.1", "cases": [{"name": "a", "n": 1}, {"name": "b", "n": 2}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	type c struct {
		Name string `json:"name"`
		N    int    `json:"n"`
	}
	got := GoldenCases[c](t, filepath.ToSlash(path), 2, "nothing")
	if len(got) != 2 || got[0] != (c{"a", 1}) || got[1] != (c{"b", 2}) {
		t.Errorf("GoldenCases = %+v", got)
	}
	var v struct {
		Version string `json:"version"`
	}
	ReadJSON(t, filepath.ToSlash(path), &v, "nothing")
	if v.Version != "3.15.1" {
		t.Errorf("ReadJSON read version %q", v.Version)
	}
}

// fakeChecker writes a stand-in for tfevents_check.py that prints report, whose "runs", when
// empty, it replaces with its arguments.
func fakeChecker(t *testing.T, report string) string {
	t.Helper()
	dir := t.TempDir()
	script := "import json, os, sys\n" +
		"r = json.load(open(os.path.join(os.path.dirname(__file__), 'report.json')))\n" +
		"r['runs'] = r['runs'] or {'argv': sys.argv[1:]}\n" +
		"print(json.dumps(r))\n"
	for name, text := range map[string]string{"check.py": script, "report.json": report} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "check.py")
}

func TestTFEventsCheck(t *testing.T) {
	py := Python(t, "json")
	checker := fakeChecker(t, `{"ok": true, "errors": [], "warnings": [], "runs": {}}`)
	raw := TFEventsCheck(t, py, checker, "logs", []string{"train/epoch_loss", "train/keras"}, "--buckets")
	var runs struct {
		Argv []string `json:"argv"`
	}
	if err := json.Unmarshal(raw, &runs); err != nil {
		t.Fatal(err)
	}
	want := []string{"logs", "--strict", "--json", "--buckets", "--expect-tag", "train/epoch_loss", "--expect-tag", "train/keras"}
	if !slices.Equal(runs.Argv, want) {
		t.Errorf("the verifier ran with %q, want %q", runs.Argv, want)
	}
}
