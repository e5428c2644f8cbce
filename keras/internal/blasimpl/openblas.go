//go:build openblas

package blasimpl

// Linking here (rather than through CGO_LDFLAGS) makes `go build -tags openblas` enough.

// #cgo LDFLAGS: -lopenblas
// void openblas_set_num_threads(int);
// int openblas_get_num_threads(void);
import "C"

import (
	"os"

	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

const name = "openblas"

// threadVars are the variables through which a user chooses OpenBLAS's thread count.
var threadVars = []string{"OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"}

func init() {
	// G.Use also installs the implementation in gorgonia.org/tensor, whose MatMul serves
	// Gorgonia's Mul; kerago's kernels reach it through G.WhichBLAS (see Gemm).
	G.Use(netlib.Implementation{})
	// One OpenBLAS thread unless the user asks otherwise: kerago already spreads its own
	// work over the cores (the optimizers, im2col, Go's scheduler), and OpenBLAS's
	// busy-waiting workers then compete with it. Measured on the 2-core benchmark machine
	// (docs/performance.md): the seed models' steps took 0.6x the CPU time and 0.6-0.8x the
	// wall time with one thread.
	for _, v := range threadVars {
		if os.Getenv(v) != "" {
			return
		}
	}
	C.openblas_set_num_threads(1)
	// Large products still use the other cores: kerago cuts them into chunks computed by
	// goroutines that park, rather than spin, when there is nothing to do (split.go).
	G.Use(splitBLAS{netlib.Implementation{}})
}

// threads is OpenBLAS's current thread count, for tests.
func threads() int { return int(C.openblas_get_num_threads()) }
