//go:build amd64 && !purego

package ops

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras/internal/cpu"
)

// TestActivationsWithoutAVX2 runs the row activations as on a CPU without AVX2 or FMA: every
// element, the first eight included, is then package math's result rounded to float32, and
// the vector path, on this CPU if it has one, stays within the ulps its sweep allows.
func TestActivationsWithoutAVX2(t *testing.T) {
	in := make([]float32, 27)
	for i := range in {
		in[i] = float32(i-13) * 0.7
	}
	refs := map[RNNActivation]func(float64) float64{
		ActSigmoid: func(v float64) float64 { return 1 / (1 + math.Exp(-v)) },
		ActTanh:    math.Tanh,
	}
	defer func(v bool) { hasAVX2FMA = v }(hasAVX2FMA)
	for a, ref := range refs {
		for _, avx := range []bool{false, true} {
			hasAVX2FMA = avx && cpu.AVX2FMA
			got := append([]float32(nil), in...)
			applyAct(a, got)
			for i, x := range in {
				want := float32(ref(float64(x)))
				if d := ulps(got[i], want); d > 0 && !hasAVX2FMA || d > 2 {
					t.Errorf("%v(%g) with AVX2 %v = %g, math gives %g", a, x, hasAVX2FMA, got[i], want)
				}
			}
		}
	}
}
