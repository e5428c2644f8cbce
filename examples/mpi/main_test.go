//go:build mpi

package main

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// job runs the built example under `mpirun -np np`, at most a minute.
func job(t *testing.T, bin string, np int, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	mpirun, err := exec.LookPath("mpirun")
	if err != nil {
		if os.Getenv("KERAGO_REQUIRE_MPI") == "1" {
			t.Fatalf("mpirun not found and KERAGO_REQUIRE_MPI=1: %v", err)
		}
		t.Skipf("mpirun not found (install openmpi-bin): %v", err)
	}
	flags := []string{"-np", strconv.Itoa(np)}
	if os.Geteuid() == 0 {
		flags = append(flags, "--allow-run-as-root")
	}
	cmd := exec.Command(mpirun, append(append(flags, bin), args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("mpirun -np %d %v still running after a minute\n%s\n%s", np, args, out.String(), errOut.String())
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// build compiles the example with the mpi tag once for the tests of this run.
func build(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kerago-mpi-example-")
		if err != nil {
			buildErr = err
			return
		}
		built = filepath.Join(dir, "mpi-digits")
		if out, err := exec.Command("go", "build", "-tags", "mpi", "-o", built, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build -tags mpi: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return built
}

// TestMain removes the built binaries after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if built != "" {
		os.RemoveAll(filepath.Dir(built))
	}
	for _, dir := range qaBuilt {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// The example's binary, built by the first test that needs it.
var (
	buildOnce sync.Once
	built     string
	buildErr  error
)

// numbers are the acc and loss values of the epoch lines and the held-out line, in order.
var numbers = regexp.MustCompile(`(?:acc:|loss:|loss|accuracy) ([0-9.]+)`)

// TestRanksTrainAsOne: 2 ranks print the epoch logs and held-out figures of 1 rank on the
// same global batches (to 1e-3: the gradient sums' order differs), and the model learns.
func TestRanksTrainAsOne(t *testing.T) {
	bin := build(t)
	one, errOne, code := job(t, bin, 1, "-epochs", "4")
	if code != 0 {
		t.Fatalf("-np 1 exited %d\n%s\n%s", code, one, errOne)
	}
	two, errTwo, code := job(t, bin, 2, "-epochs", "4")
	if code != 0 {
		t.Fatalf("-np 2 exited %d\n%s\n%s", code, two, errTwo)
	}
	if strings.Count(two, "Epoch ") != 4 {
		t.Errorf("want 4 epoch headers, once each (rank 0 only):\n%s", two)
	}
	a, b := numbers.FindAllStringSubmatch(one, -1), numbers.FindAllStringSubmatch(two, -1)
	if len(a) != len(b) || len(a) < 10 {
		t.Fatalf("logs differ in shape:\n-np 1:\n%s\n-np 2:\n%s", one, two)
	}
	for i := range a {
		x, _ := strconv.ParseFloat(a[i][1], 64)
		y, _ := strconv.ParseFloat(b[i][1], 64)
		if math.Abs(x-y) > 1e-3 {
			t.Errorf("figure %d: %v with 1 rank, %v with 2", i, x, y)
		}
	}
	acc, _ := strconv.ParseFloat(a[len(a)-1][1], 64)
	if acc < 0.6 {
		t.Errorf("held-out accuracy %v after 4 epochs, want at least 0.6:\n%s", acc, one)
	}
}

// TestFailedRankEndsJob: rank 1's Fit fails at epoch 1; the job exits non-zero with rank 1's
// error instead of leaving rank 0 waiting.
func TestFailedRankEndsJob(t *testing.T) {
	bin := build(t)
	start := time.Now()
	out, errOut, code := job(t, bin, 2, "-epochs", "10", "-fail-rank", "1", "-fail-epoch", "1")
	if code == 0 {
		t.Fatalf("exited 0\n%s\n%s", out, errOut)
	}
	if !strings.Contains(errOut, "rank 1 of 2") || !strings.Contains(errOut, "-fail-rank") {
		t.Errorf("stderr lacks rank 1's error:\n%s", errOut)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("the job took %v", d)
	}
}
