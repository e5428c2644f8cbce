package ops

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestReluOp checks the relu op's values in both precisions and its gradient against finite
// differences (through convCheckInputGradient, on a 4-D and a 2-D input; the check values have
// no zeros, where relu has no derivative).
func TestReluOp(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		x := []float64{-2, -0.5, 0, 0.25, 3}
		var in *tensor.Dense
		if dt == tensor.Float32 {
			in = tensor.New(tensor.WithShape(5), tensor.WithBacking([]float32{-2, -0.5, 0, 0.25, 3}))
		} else {
			in = tensor.New(tensor.WithShape(5), tensor.WithBacking(append([]float64(nil), x...)))
		}
		out, err := theRelu.Do(in)
		if err != nil {
			t.Fatal(err)
		}
		want := []float64{0, 0, 0, 0.25, 3}
		for i, w := range want {
			got, _ := out.(*tensor.Dense).At(i)
			var g float64
			switch v := got.(type) {
			case float32:
				g = float64(v)
			case float64:
				g = v
			}
			if g != w {
				t.Fatalf("%v: relu(%v) = %v, want %v", dt, x[i], g, w)
			}
		}
	}
	for _, shape := range [][]int{{2, 3, 4, 2}, {7, 5}} {
		res := convCheckInputGradient(t, shape, func(x *G.Node) (*G.Node, error) { return Relu(x) })
		if res.checked == 0 {
			t.Fatalf("%v: nothing checked", shape)
		}
	}
}

// TestReluGradAtZero checks that the gradient is 0 where the input is exactly 0, as in JAX
// and TensorFlow (Gorgonia's Rectify passes it).
func TestReluGradAtZero(t *testing.T) {
	y := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float32{0, 2, 0}))
	dy := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float32{5, 6, 7}))
	dx, err := theReluGrad.Do(y, dy)
	if err != nil {
		t.Fatal(err)
	}
	if got := dx.(*tensor.Dense).Float32s(); got[0] != 0 || got[1] != 6 || got[2] != 0 {
		t.Fatalf("gradient %v, want [0 6 0]", got)
	}
	if _, err := theReluGrad.Do(y, tensor.New(tensor.WithShape(2), tensor.Of(tensor.Float32))); err == nil {
		t.Fatal("no error for a gradient of another shape")
	}
}
