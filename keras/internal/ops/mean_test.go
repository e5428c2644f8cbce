package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestMeanAllIsGorgoniasMean: MeanAll and its gradient give, to the bit, what G.Mean and its
// gradient give, for float32 and float64 inputs of one and two axes, since the losses'
// numbers (and Keras's golden values they are checked against) must not move.
func TestMeanAllIsGorgoniasMean(t *testing.T) {
	for _, c := range []struct {
		name  string
		dt    tensor.Dtype
		shape []int
	}{
		{"f32 vector", tensor.Float32, []int{37}},
		{"f32 matrix", tensor.Float32, []int{16, 7}},
		{"f64 matrix", tensor.Float64, []int{5, 9}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(4, 2))
			n := 1
			for _, d := range c.shape {
				n *= d
			}
			var back any
			if c.dt == tensor.Float32 {
				v := make([]float32, n)
				for i := range v {
					v[i] = float32(r.NormFloat64() * 3)
				}
				back = v
			} else {
				v := make([]float64, n)
				for i := range v {
					v[i] = r.NormFloat64() * 3
				}
				back = v
			}
			run := func(mean func(*G.Node) (*G.Node, error)) (loss float64, grad []float64) {
				g := G.NewGraph()
				x := G.NewTensor(g, c.dt, len(c.shape), G.WithShape(c.shape...), G.WithName("x"),
					G.WithValue(tensor.New(tensor.WithShape(c.shape...), tensor.WithBacking(back))))
				m, err := mean(x)
				if err != nil {
					t.Fatal(err)
				}
				// A factor before the mean's gradient, so that it is not 1.
				l, err := G.Mul(m, G.NewConstant(castTo(c.dt, 2.5), G.WithName("k")))
				if err != nil {
					t.Fatal(err)
				}
				gs, err := G.Grad(l, x)
				if err != nil {
					t.Fatal(err)
				}
				var lv, gv G.Value
				G.Read(m, &lv)
				G.Read(gs[0], &gv)
				vm := G.NewTapeMachine(g)
				defer vm.Close()
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				switch v := lv.(type) {
				case *G.F32:
					loss = float64(*v)
				case *G.F64:
					loss = float64(*v)
				}
				switch d := gv.(*tensor.Dense).Data().(type) {
				case []float32:
					for _, e := range d {
						grad = append(grad, float64(e))
					}
				case []float64:
					grad = d
				}
				return loss, grad
			}
			wl, wg := run(func(x *G.Node) (*G.Node, error) { return G.Mean(x) })
			gl, gg := run(MeanAll)
			if math.Float64bits(wl) != math.Float64bits(gl) {
				t.Errorf("mean %v, G.Mean %v", gl, wl)
			}
			if len(gg) != n || len(wg) != n {
				t.Fatalf("gradients of %d and %d elements, want %d", len(gg), len(wg), n)
			}
			for i := range wg {
				if math.Float64bits(wg[i]) != math.Float64bits(gg[i]) {
					t.Fatalf("gradient %d: %v, G.Mean's %v", i, gg[i], wg[i])
				}
			}
		})
	}
}

// castTo returns v as a Gorgonia scalar of dtype dt.
func castTo(dt tensor.Dtype, v float64) G.Value {
	if dt == tensor.Float32 {
		return G.NewF32(float32(v))
	}
	return G.NewF64(v)
}
