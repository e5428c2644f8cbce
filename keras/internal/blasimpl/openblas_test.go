//go:build openblas

package blasimpl

import (
	"testing"

	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// TestOpenBLASInstalled checks that the openblas build installs netlib in Gorgonia.
func TestOpenBLASInstalled(t *testing.T) {
	if Name() != "openblas" {
		t.Fatalf("Name() = %q, want openblas", Name())
	}
	if _, ok := G.WhichBLAS().(netlib.Implementation); !ok {
		t.Fatalf("Gorgonia uses %T, want netlib.Implementation", G.WhichBLAS())
	}
}
