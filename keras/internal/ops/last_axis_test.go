package ops

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestLastAxisValues: SumLast of a (2, 2, 3) tensor with scale ½ gives each row's half sum,
// and BroadcastLast of the result with scale 2 copies each back three times, in float32 and
// float64.
func TestLastAxisValues(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6, -1, -2, -3, 0.5, 0.25, 8}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		var xv *tensor.Dense
		if dt == tensor.Float32 {
			x32 := make([]float32, len(x))
			for i, v := range x {
				x32[i] = float32(v)
			}
			xv = tensor.New(tensor.WithShape(2, 2, 3), tensor.WithBacking(x32))
		} else {
			xv = tensor.New(tensor.WithShape(2, 2, 3), tensor.WithBacking(append([]float64(nil), x...)))
		}
		sum := lastAxisOp{Base: Base{Name: "sum_last", Inputs: 1}, reduce: true, n: 3, scale: 0.5, from: tensor.Shape{2, 2, 3}}
		v, err := sum.Do(xv)
		if err != nil {
			t.Fatal(err)
		}
		s := v.(*tensor.Dense)
		if !s.Shape().Eq(tensor.Shape{2, 2, 1}) {
			t.Fatalf("%v: sum shape %v, want (2, 2, 1)", dt, s.Shape())
		}
		back := lastAxisOp{Base: Base{Name: "broadcast_last", Inputs: 1}, n: 3, scale: 2, from: tensor.Shape{2, 2, 1}}
		v, err = back.Do(s)
		if err != nil {
			t.Fatal(err)
		}
		b := v.(*tensor.Dense)
		for r := 0; r < 4; r++ {
			want := (x[3*r] + x[3*r+1] + x[3*r+2]) / 2
			got, _ := s.At(r/2, r%2, 0)
			if g := toF64(got); math.Abs(g-want) > 1e-6 {
				t.Fatalf("%v: row %d half sum %v, want %v", dt, r, g, want)
			}
			for j := 0; j < 3; j++ {
				got, _ := b.At(r/2, r%2, j)
				if g := toF64(got); math.Abs(g-2*want) > 1e-6 {
					t.Fatalf("%v: broadcast (%d, %d) = %v, want %v", dt, r, j, g, 2*want)
				}
			}
		}
		if _, err := sum.Do(tensor.New(tensor.WithShape(3, 2, 2), tensor.Of(dt))); err == nil {
			t.Fatalf("%v: no error for an input of another shape than the op was built for", dt)
		}
	}
	g := G.NewGraph()
	x2 := G.NewTensor(g, tensor.Float64, 2, G.WithShape(2, 3), G.WithName("x"))
	if _, err := BroadcastLast(x2, 4, 1); err == nil {
		t.Fatal("no error broadcasting a last axis of 3")
	}
}

func toF64(v any) float64 {
	if f, ok := v.(float32); ok {
		return float64(f)
	}
	return v.(float64)
}

// TestLastAxisGradients checks both ops' input gradients on a rank-4 input against central
// finite differences, alone and as layer normalization's centring x − mean(x).
func TestLastAxisGradients(t *testing.T) {
	cases := map[string]struct {
		shape []int
		f     func(x *G.Node) (*G.Node, error)
	}{
		"mean":      {[]int{2, 3, 2, 5}, func(x *G.Node) (*G.Node, error) { return SumLast(x, 0.2) }},
		"broadcast": {[]int{2, 3, 2, 1}, func(x *G.Node) (*G.Node, error) { return BroadcastLast(x, 4, 1.5) }},
		"centre": {[]int{2, 3, 2, 5}, func(x *G.Node) (*G.Node, error) {
			m, err := SumLast(x, 0.2)
			if err != nil {
				return nil, err
			}
			b, err := BroadcastLast(m, 5, 1)
			if err != nil {
				return nil, err
			}
			d, err := G.Sub(x, b)
			if err != nil {
				return nil, err
			}
			return G.HadamardProd(d, d)
		}},
	}
	for name, c := range cases {
		res := convCheckInputGradient(t, c.shape, c.f)
		if res.maxRel > 1e-6 || math.IsNaN(res.maxRel) || res.checked == 0 {
			t.Errorf("%s: relative error %g over %d entries", name, res.maxRel, res.checked)
		}
	}
}
