//go:build !openblas

package blasimpl

import (
	"testing"

	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"
)

// TestPureGoByDefault checks that the default build keeps gonum's pure-Go BLAS.
func TestPureGoByDefault(t *testing.T) {
	if Name() != "gonum" {
		t.Fatalf("Name() = %q, want gonum", Name())
	}
	if _, ok := G.WhichBLAS().(gonum.Implementation); !ok {
		t.Fatalf("Gorgonia uses %T, want gonum.Implementation", G.WhichBLAS())
	}
}

// inner is the BLAS Gorgonia uses: gonum's, which runs its products in parallel itself.
func inner() G.BLAS { return G.WhichBLAS() }
