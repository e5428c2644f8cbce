package ops

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestLeakyReluOp checks values in both precisions for slopes 0, 0.2 and 2 (where max(x,
// slope·x) would be wrong), and the gradient against finite differences.
func TestLeakyReluOp(t *testing.T) {
	x := []float64{-2, -0.5, 0, 0.25, 3}
	for _, slope := range []float64{0, 0.2, 2} {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			in := tensor.New(tensor.WithShape(5), tensor.WithBacking(append([]float64(nil), x...)))
			if dt == tensor.Float32 {
				in = tensor.New(tensor.WithShape(5), tensor.WithBacking([]float32{-2, -0.5, 0, 0.25, 3}))
			}
			out, err := newLeakyReluOp(slope).Do(in)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range x {
				want := v
				if v < 0 {
					want = slope * v
				}
				got, _ := out.(*tensor.Dense).At(i)
				if g := toFloat64(got); math.Abs(g-want) > 1e-7 {
					t.Fatalf("%v slope %v: leaky_relu(%v) = %v, want %v", dt, slope, v, g, want)
				}
			}
		}
	}
	for _, shape := range [][]int{{2, 3, 4, 2}, {7, 5}} {
		convCheckInputGradient(t, shape, func(x *G.Node) (*G.Node, error) { return LeakyRelu(x, 0.3) })
	}
}

func toFloat64(v any) float64 {
	if f, ok := v.(float32); ok {
		return float64(f)
	}
	return v.(float64)
}

// TestLeakyReluGradAtZero differentiates sum(leaky_relu(x)) through Gorgonia at x = [0, -1,
// 1]: [1, slope, 1], as jax.grad of Keras 3's LeakyReLU gives (not 1 + slope at 0).
func TestLeakyReluGradAtZero(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 1, G.WithShape(3), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{0, -1, 1}))))
	y, err := LeakyRelu(x, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := G.Sum(y)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := G.Grad(cost, x); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	dx, err := x.Grad()
	if err != nil {
		t.Fatal(err)
	}
	got := dx.Data().([]float64)
	if want := []float64{1, 0.2, 1}; got[0] != want[0] || math.Abs(got[1]-want[1]) > 1e-12 || got[2] != want[2] {
		t.Fatalf("gradient %v, want %v", got, want)
	}
}

// TestLeakyReluRefuses: a non-finite slope or a non-float input is an error naming the op,
// not a panic when the graph runs.
func TestLeakyReluRefuses(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 2), G.WithName("x"))
	if _, err := LeakyRelu(x, math.NaN()); err == nil {
		t.Error("no error for a NaN slope")
	}
	ids := G.NewMatrix(g, tensor.Int, G.WithShape(2, 2), G.WithName("ids"))
	if _, err := LeakyRelu(ids, 0.2); err == nil {
		t.Error("no error for int values")
	}
}
