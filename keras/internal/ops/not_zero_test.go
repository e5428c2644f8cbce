package ops

import (
	"math"
	"testing"

	"gorgonia.org/tensor"
)

// TestNotZero: 1 where the value is nonzero (negative, tiny, NaN), 0 where it is zero (of
// either sign), in both precisions; the gradient op gives zeros of the input's shape.
func TestNotZero(t *testing.T) {
	x := []float64{0, math.Copysign(0, -1), -2, 1e-30, math.NaN(), 0.5}
	want := []float64{0, 0, 1, 1, 1, 1}
	for _, in := range []*tensor.Dense{
		tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(append([]float64(nil), x...))),
		tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{0, float32(math.Copysign(0, -1)), -2, 1e-30, float32(math.NaN()), 0.5})),
	} {
		out, err := theNotZero.Do(in)
		if err != nil {
			t.Fatal(err)
		}
		o := out.(*tensor.Dense)
		for i, w := range want {
			g, _ := o.At(i/3, i%3)
			if f, ok := g.(float32); ok {
				g = float64(f)
			}
			if g != w {
				t.Errorf("%v: not_zero(%v) = %v, want %v", in.Dtype(), x[i], g, w)
			}
		}
		z, err := theZerosLike.Do(in)
		if err != nil {
			t.Fatal(err)
		}
		zd := z.(*tensor.Dense)
		if !zd.Shape().Eq(in.Shape()) || zd.Dtype() != in.Dtype() {
			t.Fatalf("zeros_like of %v %v is %v %v", in.Dtype(), in.Shape(), zd.Dtype(), zd.Shape())
		}
		for i := 0; i < 6; i++ {
			if g, _ := zd.At(i/3, i%3); g != float32(0) && g != float64(0) {
				t.Errorf("zeros_like: %v at %d", g, i)
			}
		}
	}
}

// TestIntMask: an integer mask (as kerago feeds integer inputs) becomes 1 where nonzero, in
// float32 and float64.
func TestIntMask(t *testing.T) {
	for _, out := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		op := intMaskOp{Base: Base{Name: "int_mask", Inputs: 1}, dims: 2, out: out}
		got, err := op.Do(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]int{0, 3, -1, 0})))
		if err != nil {
			t.Fatal(err)
		}
		g := got.(*tensor.Dense)
		if g.Dtype() != out {
			t.Fatalf("dtype %v, want %v", g.Dtype(), out)
		}
		for i, w := range []float64{0, 1, 1, 0} {
			v, _ := g.At(i/2, i%2)
			if f, ok := v.(float32); ok {
				v = float64(f)
			}
			if v != w {
				t.Errorf("%v: element %d = %v, want %v", out, i, v, w)
			}
		}
	}
}
