//go:build amd64 && !purego

package optimizers

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/kerago/kerago/keras/internal/cpu"
	"gorgonia.org/tensor"
)

// TestAdamVectorMatchesLoop runs Adam steps with the AVX kernel and with the pure-Go loop
// (as on a CPU without AVX2) from the same state, float32 and float64, over lengths around
// the vector widths and one long enough to be split between two goroutines: weights and both
// moments must agree to the bit, since the kernel performs the loop's operations in its order.
func TestAdamVectorMatchesLoop(t *testing.T) {
	if !cpu.AVX2FMA {
		t.Skip("this CPU has no AVX2 and FMA: only the pure-Go loop runs")
	}
	defer func(v bool) { useAVX = v }(useAVX)
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, n := range []int{1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 100, 1003, 2*splitMin + 13} {
			t.Run(dt.String()+"/"+strconv.Itoa(n), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(n), 7))
				w0 := make([]float64, n)
				for i := range w0 {
					w0[i] = rng.NormFloat64()
				}
				grads := make([][]float64, 3)
				for s := range grads {
					grads[s] = make([]float64, n)
					for i := range grads[s] {
						grads[s][i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(7)-4))
					}
					grads[s][0] = 0 // v stays 0 for a while: sqrt(0) + eps
				}
				run := func(avx bool) (w []float64, vars []*tensor.Dense) {
					useAVX = avx
					p := tensor.New(tensor.Of(dt), tensor.WithShape(n))
					setFloats(p, w0)
					opt := Adam(LearningRate(0.01))
					for _, gs := range grads {
						g := tensor.New(tensor.Of(dt), tensor.WithShape(n))
						setFloats(g, gs)
						if err := opt.Apply([]*tensor.Dense{p}, []*tensor.Dense{g}); err != nil {
							t.Fatal(err)
						}
					}
					return floats(p), opt.Variables()[2:]
				}
				wantW, wantVars := run(false)
				gotW, gotVars := run(true)
				same := func(what string, got, want []float64) {
					for i := range want {
						if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
							t.Fatalf("%s[%d]: AVX %v, loop %v", what, i, got[i], want[i])
						}
					}
				}
				same("w", gotW, wantW)
				same("momentum", floats(gotVars[0]), floats(wantVars[0]))
				same("velocity", floats(gotVars[1]), floats(wantVars[1]))
			})
		}
	}
}

func setFloats(t *tensor.Dense, v []float64) {
	if t.Dtype() == tensor.Float32 {
		d := t.Float32s()
		for i := range d {
			d[i] = float32(v[i])
		}
		return
	}
	copy(t.Float64s(), v)
}

func floats(t *tensor.Dense) []float64 {
	if t.Dtype() == tensor.Float32 {
		out := make([]float64, 0, len(t.Float32s()))
		for _, x := range t.Float32s() {
			out = append(out, float64(x))
		}
		return out
	}
	return append([]float64(nil), t.Float64s()...)
}
