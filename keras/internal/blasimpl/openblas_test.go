//go:build openblas

package blasimpl

import (
	"os"
	"os/exec"
	"testing"

	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// TestOpenBLASInstalled checks that the openblas build installs netlib in Gorgonia.
func TestOpenBLASInstalled(t *testing.T) {
	if Name() != "openblas" {
		t.Fatalf("Name() = %q, want openblas", Name())
	}
	s, ok := G.WhichBLAS().(splitBLAS)
	if !ok {
		t.Fatalf("Gorgonia uses %T, want OpenBLAS with kerago's split (splitBLAS)", G.WhichBLAS())
	}
	if _, ok := s.BLAS.(netlib.Implementation); !ok {
		t.Fatalf("the split wraps %T, want netlib.Implementation", s.BLAS)
	}
}

// inner is the BLAS kerago's split wraps: OpenBLAS, on one thread.
func inner() G.BLAS {
	if s, ok := G.WhichBLAS().(splitBLAS); ok {
		return s.BLAS
	}
	return G.WhichBLAS()
}

// TestOpenBLASThreads checks that OpenBLAS runs one thread unless the environment names a
// count, which is then left alone (run in a child process with the variable set).
func TestOpenBLASThreads(t *testing.T) {
	if os.Getenv("KERAGO_BLAS_CHILD") == "1" {
		if got := threads(); got != 2 {
			t.Fatalf("OPENBLAS_NUM_THREADS=2: OpenBLAS runs %d threads", got)
		}
		return
	}
	for _, v := range threadVars {
		if os.Getenv(v) != "" {
			t.Skipf("%s is set in the environment", v)
		}
	}
	if got := threads(); got != 1 {
		t.Fatalf("OpenBLAS runs %d threads, want 1", got)
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestOpenBLASThreads$")
	cmd.Env = append(os.Environ(), "KERAGO_BLAS_CHILD=1", "OPENBLAS_NUM_THREADS=2")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child with OPENBLAS_NUM_THREADS=2: %v\n%s", err, out)
	}
}
