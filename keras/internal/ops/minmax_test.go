package ops

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestMinMaxOps: values, NaN propagation, and the gradients of sum(max(a, b)) and sum(min(a,
// b)) at a = [0, 1, 3], b = [0, 2, 1]: a tie splits evenly, as jax.grad of Keras 3's Maximum
// and Minimum gives ([0.5, 0, 1] and [0.5, 1, 0] for max).
func TestMinMaxOps(t *testing.T) {
	for _, c := range []struct {
		isMax         bool
		value, ga, gb []float64
	}{
		{true, []float64{0, 2, 3}, []float64{0.5, 0, 1}, []float64{0.5, 1, 0}},
		{false, []float64{0, 1, 1}, []float64{0.5, 1, 0}, []float64{0.5, 0, 1}},
	} {
		g := G.NewGraph()
		vec := func(name string, v ...float64) *G.Node {
			return G.NewTensor(g, tensor.Float64, 1, G.WithShape(len(v)), G.WithName(name),
				G.WithValue(tensor.New(tensor.WithShape(len(v)), tensor.WithBacking(v))))
		}
		a, b := vec("a", 0, 1, 3), vec("b", 0, 2, 1)
		f := Minimum
		if c.isMax {
			f = Maximum
		}
		y, err := f(a, b)
		if err != nil {
			t.Fatal(err)
		}
		cost, err := G.Sum(y)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := G.Grad(cost, a, b); err != nil {
			t.Fatal(err)
		}
		vm := G.NewTapeMachine(g)
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		ga, _ := a.Grad()
		gb, _ := b.Grad()
		for _, got := range []struct {
			name       string
			have, want []float64
		}{{"value", y.Value().Data().([]float64), c.value}, {"grad a", ga.Data().([]float64), c.ga}, {"grad b", gb.Data().([]float64), c.gb}} {
			for i := range got.want {
				if got.have[i] != got.want[i] {
					t.Errorf("max=%v %s = %v, want %v", c.isMax, got.name, got.have, got.want)
					break
				}
			}
		}
		vm.Close()
	}
	nan := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{float32(math.NaN()), 1}))
	one := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{1, 0}))
	out, err := newMinMaxOp(true).Do(nan, one)
	if err != nil {
		t.Fatal(err)
	}
	if v := out.(*tensor.Dense).Float32s(); !math.IsNaN(float64(v[0])) || v[1] != 1 {
		t.Errorf("max([NaN 1], [1 0]) = %v, want [NaN 1] as jnp.maximum", v)
	}
	if _, err := newMinMaxOp(true).Do(nan, tensor.New(tensor.WithShape(3), tensor.Of(tensor.Float32))); err == nil {
		t.Error("no error for inputs of two shapes")
	}
}
