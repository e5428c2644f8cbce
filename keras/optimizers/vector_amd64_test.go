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

// TestVectorMatchesLoop runs Adam, RMSprop and Adagrad steps with the AVX kernels and with
// the pure-Go loops (as on a CPU without AVX2) from the same state, float32 and float64, over
// lengths around the vector widths and one long enough to be split between two goroutines:
// weights and every slot variable must agree to the bit, since each kernel performs its loop's
// operations in the loop's order. The variants without a kernel (amsgrad, RMSprop with
// momentum or centered) run too: they must not reach a kernel meant for the plain update.
func TestVectorMatchesLoop(t *testing.T) {
	if !cpu.AVX2FMA {
		t.Skip("this CPU has no AVX2 and FMA: only the pure-Go loop runs")
	}
	defer func(v bool) { useAVX = v }(useAVX)
	opts := []struct {
		name string
		new  func() Optimizer
	}{
		{"adam", func() Optimizer { return Adam(LearningRate(0.01)) }},
		{"adam_amsgrad", func() Optimizer { return Adam(LearningRate(0.01), AMSGrad(true)) }},
		{"rmsprop", func() Optimizer { return RMSprop(LearningRate(0.01)) }},
		{"rmsprop_momentum_centered", func() Optimizer { return RMSprop(Momentum(0.5), Centered(true)) }},
		{"adagrad", func() Optimizer { return Adagrad(LearningRate(0.01)) }},
	}
	for _, o := range opts {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			for _, n := range []int{1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 100, 1003, 2*splitMin + 13} {
				t.Run(o.name+"/"+dt.String()+"/"+strconv.Itoa(n), func(t *testing.T) {
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
						opt := o.new()
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
					for k := range wantVars {
						same("slot "+strconv.Itoa(k), floats(gotVars[k]), floats(wantVars[k]))
					}
				})
			}
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
