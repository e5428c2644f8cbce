package ops

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestTransposeOpValues: every element of the result is the input's element at the permuted
// index, for the permutations channels_first layers use (axis 1 to the end and back) and a
// general one, in both float types; the result owns its memory.
func TestTransposeOpValues(t *testing.T) {
	cases := []struct {
		shape tensor.Shape
		perm  []int
	}{
		{tensor.Shape{2, 3, 4}, []int{0, 2, 1}},
		{tensor.Shape{2, 3, 4, 5}, []int{0, 2, 3, 1}},
		{tensor.Shape{2, 4, 5, 3}, []int{0, 3, 1, 2}},
		{tensor.Shape{3, 1, 2, 4}, []int{3, 0, 2, 1}},
	}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, c := range cases {
			n := c.shape.TotalSize()
			x := tensor.New(tensor.Of(dt), tensor.WithShape(c.shape...))
			for i := 0; i < n; i++ {
				if dt == tensor.Float32 {
					x.Float32s()[i] = float32(i)
				} else {
					x.Float64s()[i] = float64(i)
				}
			}
			op := transposeOp{Base: Base{Name: "transpose", Inputs: 1}, perm: c.perm, from: c.shape}
			v, err := op.Do(x)
			if err != nil {
				t.Fatal(err)
			}
			y := v.(*tensor.Dense)
			want := permuted(c.shape, c.perm)
			if !y.Shape().Eq(want) {
				t.Fatalf("%v %v: shape %v, want %v", c.shape, c.perm, y.Shape(), want)
			}
			// walk every output index, compute the input's flat index from it
			idx := make([]int, len(want))
			for k := 0; k < n; k++ {
				rem := k
				for a := len(want) - 1; a >= 0; a-- {
					idx[a] = rem % want[a]
					rem /= want[a]
				}
				src := make([]int, len(want))
				for i, p := range c.perm {
					src[p] = idx[i]
				}
				flat := 0
				for a := range src {
					flat = flat*c.shape[a] + src[a]
				}
				got, _ := y.At(idx...)
				var g float64
				if dt == tensor.Float32 {
					g = float64(got.(float32))
				} else {
					g = got.(float64)
				}
				if g != float64(flat) {
					t.Fatalf("%v %v %v: y%v = %v, want %d", dt, c.shape, c.perm, idx, g, flat)
				}
			}
		}
	}
	g := G.NewGraph()
	n := G.NewTensor(g, tensor.Float64, 2, G.WithShape(2, 3), G.WithName("x"))
	if _, err := Transpose(n, 0, 0); err == nil {
		t.Fatal("no error for axes (0, 0)")
	}
	if _, err := Transpose(n, 0, 1, 2); err == nil {
		t.Fatal("no error for three axes of a rank-2 tensor")
	}
}

// TestTransposeGradient: the gradient of sum(w ⊙ transpose(x)) with respect to x is w
// transposed back, through the op's hand-written backward.
func TestTransposeGradient(t *testing.T) {
	g := G.NewGraph()
	xs := tensor.New(tensor.WithShape(2, 3, 4), tensor.WithBacking(make([]float64, 24)))
	wv := make([]float64, 24)
	for i := range wv {
		wv[i] = float64(i) + 1
	}
	x := G.NewTensor(g, tensor.Float64, 3, G.WithShape(2, 3, 4), G.WithName("x"), G.WithValue(xs))
	w := G.NewTensor(g, tensor.Float64, 3, G.WithShape(2, 4, 3), G.WithName("w"),
		G.WithValue(tensor.New(tensor.WithShape(2, 4, 3), tensor.WithBacking(wv))))
	y, err := Transpose(x, 0, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	loss := G.Must(G.Sum(G.Must(G.HadamardProd(y, w))))
	if _, err := G.Grad(loss, x); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	gv, err := x.Grad()
	if err != nil {
		t.Fatal(err)
	}
	gd := gv.(*tensor.Dense)
	for b := 0; b < 2; b++ {
		for i := 0; i < 3; i++ {
			for j := 0; j < 4; j++ {
				got, _ := gd.At(b, i, j)
				if want := wv[b*12+j*3+i]; got.(float64) != want {
					t.Fatalf("dx[%d,%d,%d] = %v, want %v", b, i, j, got, want)
				}
			}
		}
	}
}
