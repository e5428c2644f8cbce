//go:build amd64 && !purego

package optimizers

import "github.com/kerago/kerago/keras/internal/cpu"

// useAVX selects the vector kernels (adam_amd64.s, rmsprop_amd64.s, adagrad_amd64.s) on CPUs
// that have them; a variable so that the tests can run the pure-Go loops on such a CPU too.
//
// Each kernel performs its optimizer's scalar loop, operation by operation in the same order,
// on 8 float32 or 4 float64 lanes: IEEE addition, multiplication, division and square root are
// correctly rounded in the vector instructions as in the scalar ones, and the kernels use no
// FMA, so the results are the loop's to the bit (TestVectorMatchesLoop).
var useAVX = cpu.AVX2FMA
