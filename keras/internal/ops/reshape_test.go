package ops

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestReshapeOpOwnsItsMemory: the op's result has the target shape and the input's values
// in a tensor of its own, so a write into the result (what the tape machine does to a
// reused register) leaves the input alone. Gorgonia's Reshape fails this.
func TestReshapeOpOwnsItsMemory(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		x := tensor.New(tensor.Of(dt), tensor.WithShape(2, 3, 4))
		for i := 0; i < 24; i++ {
			if dt == tensor.Float32 {
				x.Float32s()[i] = float32(i)
			} else {
				x.Float64s()[i] = float64(i)
			}
		}
		op := reshapeOp{Base: Base{Name: "reshape", Inputs: 1}, from: tensor.Shape{2, 3, 4}, to: tensor.Shape{6, 4}}
		v, err := op.Do(x)
		if err != nil {
			t.Fatal(err)
		}
		y := v.(*tensor.Dense)
		if !y.Shape().Eq(tensor.Shape{6, 4}) {
			t.Fatalf("%v: shape %v, want (6, 4)", dt, y.Shape())
		}
		for i := 0; i < 24; i++ {
			got, _ := y.At(i/4, i%4)
			if dt == tensor.Float32 && got.(float32) != float32(i) || dt == tensor.Float64 && got.(float64) != float64(i) {
				t.Fatalf("%v: y[%d] = %v, want %d", dt, i, got, i)
			}
		}
		if dt == tensor.Float32 {
			y.Float32s()[0] = -1
			if x.Float32s()[0] != 0 {
				t.Fatal("writing the result changed the input")
			}
		} else {
			y.Float64s()[0] = -1
			if x.Float64s()[0] != 0 {
				t.Fatal("writing the result changed the input")
			}
		}
	}
	if _, err := (reshapeOp{Base: Base{Name: "reshape", Inputs: 1}, to: tensor.Shape{5}}).Do(tensor.New(tensor.WithShape(2, 3), tensor.Of(tensor.Float64))); err == nil {
		t.Fatal("no error for 6 values reshaped to 5")
	}
	g := G.NewGraph()
	n := G.NewTensor(g, tensor.Float64, 2, G.WithShape(2, 3), G.WithName("x"))
	if _, err := Reshape(n, tensor.Shape{4}); err == nil {
		t.Fatal("no error for reshaping (2, 3) to (4)")
	}
}

// TestReshapeGradient: the gradient flows back through the op to the input, reshaped.
func TestReshapeGradient(t *testing.T) {
	res := convCheckInputGradient(t, []int{2, 3, 4}, func(x *G.Node) (*G.Node, error) {
		y, err := Reshape(x, tensor.Shape{6, 4})
		if err != nil {
			return nil, err
		}
		return G.Square(y)
	})
	if res.maxRel > 1e-6 {
		t.Fatalf("relative error %g", res.maxRel)
	}
}
