//go:build openblas

package blasimpl

// Linking here (rather than through CGO_LDFLAGS) makes `go build -tags openblas` enough.

// #cgo LDFLAGS: -lopenblas
import "C"

import (
	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

const name = "openblas"

func init() {
	// G.Use also installs the implementation in gorgonia.org/tensor, whose MatMul serves
	// Gorgonia's Mul; kerago's kernels reach it through G.WhichBLAS (see Gemm).
	G.Use(netlib.Implementation{})
}
