package ops

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestTrailingValues: a (2, 2, 3) op b (3) repeats b over a's four rows, in float32 and
// float64, with the values IEEE arithmetic gives element by element.
func TestTrailingValues(t *testing.T) {
	a := []float64{1, 2, 3, 4, 5, 6, -1, -2, -3, 0.5, 0.25, 8}
	b := []float64{2, -4, 0.5}
	for _, kind := range []Arith{Add, Sub, Mul, Div} {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			op := trailingOp{Base: Base{Name: "t", Inputs: 2}, kind: kind, a: tensor.Shape{2, 2, 3}, b: tensor.Shape{3}}
			var av, bv *tensor.Dense
			if dt == tensor.Float32 {
				a32, b32 := make([]float32, len(a)), make([]float32, len(b))
				for i := range a {
					a32[i] = float32(a[i])
				}
				for i := range b {
					b32[i] = float32(b[i])
				}
				av, bv = tensor.New(tensor.WithShape(2, 2, 3), tensor.WithBacking(a32)), tensor.New(tensor.WithShape(3), tensor.WithBacking(b32))
			} else {
				av, bv = tensor.New(tensor.WithShape(2, 2, 3), tensor.WithBacking(a)), tensor.New(tensor.WithShape(3), tensor.WithBacking(b))
			}
			v, err := op.Do(av, bv)
			if err != nil {
				t.Fatal(err)
			}
			out := v.(*tensor.Dense)
			for i, x := range a {
				y := b[i%3]
				want := map[Arith]float64{Add: x + y, Sub: x - y, Mul: x * y, Div: x / y}[kind]
				got, _ := out.At(i/6, i/3%2, i%3)
				g, ok := got.(float64)
				if !ok {
					g = float64(got.(float32))
					want = float64(float32(want))
				}
				if g != want {
					t.Fatalf("%v %v: element %d = %v, want %v", kind, dt, i, g, want)
				}
			}
		}
	}
	if _, err := (trailingOp{Base: Base{Name: "t", Inputs: 2}, kind: Add, a: tensor.Shape{2, 3}, b: tensor.Shape{3}}).Do(tensor.New(tensor.WithShape(3, 2), tensor.Of(tensor.Float64)), tensor.New(tensor.WithShape(3), tensor.Of(tensor.Float64))); err == nil {
		t.Fatal("no error for operands of other shapes than the op was built for")
	}
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 2, G.WithShape(2, 3), G.WithName("x"))
	w := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("w"))
	if _, err := Trailing(Mul, x, w); err == nil {
		t.Fatal("no error for (2) against (2, 3)")
	}
}

// TestTrailingGradients checks the gradients of both operands of the four operators against
// central finite differences, b's entering every row.
func TestTrailingGradients(t *testing.T) {
	bv := []float64{1.5, -0.75, 2.25, 0.5}
	av := convCheckValues(24, 0.1)
	for _, kind := range []Arith{Add, Sub, Mul, Div} {
		// with respect to a
		res := convCheckInputGradient(t, []int{2, 3, 4}, func(x *G.Node) (*G.Node, error) {
			b := G.NewVector(x.Graph(), tensor.Float64, G.WithShape(4), G.WithValue(tensor.New(tensor.WithShape(4), tensor.WithBacking(append([]float64(nil), bv...)))), G.WithName("b"))
			return Trailing(kind, x, b)
		})
		if res.maxRel > 1e-6 {
			t.Errorf("%v: gradient of a, relative error %g", kind, res.maxRel)
		}
		// with respect to b
		res = convCheckInputGradient(t, []int{4}, func(x *G.Node) (*G.Node, error) {
			a := G.NewTensor(x.Graph(), tensor.Float64, 3, G.WithShape(2, 3, 4), G.WithValue(tensor.New(tensor.WithShape(2, 3, 4), tensor.WithBacking(append([]float64(nil), av...)))), G.WithName("a"))
			if kind == Div {
				// keep b away from 0
				x2, err := G.Add(x, G.NewConstant(3.0))
				if err != nil {
					return nil, err
				}
				return Trailing(kind, a, x2)
			}
			return Trailing(kind, a, x)
		})
		if res.maxRel > 1e-6 || math.IsNaN(res.maxRel) {
			t.Errorf("%v: gradient of b, relative error %g", kind, res.maxRel)
		}
	}
}
