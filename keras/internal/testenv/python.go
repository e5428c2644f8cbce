package testenv

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// RequirePythonEnv is the environment variable that, set to 1, turns a missing python3 or
// Python module from a skip into a failure.
const RequirePythonEnv = "KERAGO_REQUIRE_PYTHON"

// DeferPythonEnv is the environment variable that moves Python-driven tests to a later pass:
// a regular expression (go test -run's syntax for one level) that, matching a test's top-level
// name, makes [Python] and [SlowPython] skip that test, even with $KERAGO_REQUIRE_PYTHON=1.
// CI's race pass sets it to the tests that spend their minutes in Keras, and a second pass
// runs exactly those with `go test -run "$KERAGO_DEFER_PYTHON"` and the variable unset, so a
// test is skipped in one pass only if the other runs it (README, "Testing").
const DeferPythonEnv = "KERAGO_DEFER_PYTHON"

// CombinedTimeout bounds a run of [PythonCombinedOutput].
const CombinedTimeout = 3 * time.Minute

// PythonRequired reports whether $KERAGO_REQUIRE_PYTHON is 1.
func PythonRequired() bool { return os.Getenv(RequirePythonEnv) == "1" }

// Python returns the path of python3 when it imports every one of modules (a module "keras"
// with KERAS_BACKEND defaulting to jax). Otherwise it skips the test, or fails it when
// $KERAGO_REQUIRE_PYTHON=1.
func Python(t testing.TB, modules ...string) string {
	t.Helper()
	deferPython(t)
	py, err := probe(modules)
	if err == nil {
		return py
	}
	names, pip := strings.Join(modules, ", "), pipPackages(modules)
	if PythonRequired() {
		t.Fatalf("%s=1 but python3 cannot import %s (pip install %s): %v", RequirePythonEnv, names, pip, err)
	}
	t.Skipf("python3 cannot import %s (pip install %s; %s=1 makes this a failure): %v", names, pip, RequirePythonEnv, err)
	return ""
}

// SlowPython is [Python] for the conformance tests that take long: with -short they skip
// without looking for python3, unless $KERAGO_REQUIRE_PYTHON=1.
func SlowPython(t testing.TB, modules ...string) string {
	t.Helper()
	if testing.Short() && !PythonRequired() {
		t.Skip("-short")
	}
	return Python(t, modules...)
}

// OptionalPython is [Python] for the tests whose modules are not a test requirement: it skips
// the test when python3 cannot import them, even with $KERAGO_REQUIRE_PYTHON=1.
func OptionalPython(t testing.TB, modules ...string) string {
	t.Helper()
	py, err := probe(modules)
	if err != nil {
		t.Skipf("python3 cannot import %s (optional; pip install %s to run): %v", strings.Join(modules, ", "), pipPackages(modules), err)
	}
	return py
}

// deferPython skips t when $KERAGO_DEFER_PYTHON matches its top-level name, and fails it
// when the variable is not a regular expression.
func deferPython(t testing.TB) {
	t.Helper()
	expr := os.Getenv(DeferPythonEnv)
	if expr == "" {
		return
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		t.Fatalf("%s=%q is not a regular expression: %v", DeferPythonEnv, expr, err)
	}
	if top, _, _ := strings.Cut(t.Name(), "/"); re.MatchString(top) {
		t.Skipf("%s=%s: a later pass runs this test (go test -run \"$%s\")", DeferPythonEnv, expr, DeferPythonEnv)
	}
}

// PythonOutput runs py with args and returns its standard output. It fails the test, with
// the command and its standard error, when the command fails.
func PythonOutput(t testing.TB, py string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(py, args...)
	cmd.Env = pythonEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3 %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// PythonCombinedOutput runs py with args, for at most [CombinedTimeout], and returns its
// standard output and standard error together; the caller judges the error.
func PythonCombinedOutput(t testing.TB, py string, args ...string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), CombinedTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, args...)
	cmd.Env = pythonEnv()
	return cmd.CombinedOutput()
}

// probes caches the answer of probe per module list: importing keras and jax takes seconds,
// and many tests ask.
var probes sync.Map // string -> func() (string, error)

// probe returns python3's path if it imports modules; the error carries Python's output.
func probe(modules []string) (string, error) {
	key := strings.Join(modules, ",")
	f, _ := probes.LoadOrStore(key, sync.OnceValues(func() (string, error) {
		py, err := exec.LookPath("python3")
		if err != nil {
			return "", err
		}
		if len(modules) == 0 {
			return py, nil
		}
		cmd := exec.Command(py, "-c", "import "+strings.Join(modules, ", "))
		cmd.Env = pythonEnv()
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("%v: %s", err, lastLine(out))
		}
		return py, nil
	}))
	return f.(func() (string, error))()
}

// lastLine returns the last non-blank line of out: the exception of a Python traceback.
func lastLine(out []byte) []byte {
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	return lines[len(lines)-1]
}

// pythonEnv is the test's environment with KERAS_BACKEND=jax unless it names a backend.
func pythonEnv() []string {
	env := os.Environ()
	if os.Getenv("KERAS_BACKEND") == "" {
		env = append(env, "KERAS_BACKEND=jax")
	}
	return env
}

// pipPackages names what to pip install for modules: keras needs its jax backend.
func pipPackages(modules []string) string {
	pkgs := slices.Clone(modules)
	if slices.Contains(pkgs, "keras") && !slices.Contains(pkgs, "jax") {
		pkgs = append(pkgs, "jax")
	}
	return strings.Join(pkgs, " ")
}
