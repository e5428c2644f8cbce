package ops

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestSliceOpNotMerged: slices of equal width at offsets equal modulo 256 stay two nodes
// (Gorgonia's own Slice merged them), for floats and for integers, and read their own
// values.
func TestSliceOpNotMerged(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32, tensor.Int, tensor.Int32} {
		g := G.NewGraph()
		x := G.NewMatrix(g, dt, G.WithShape(2, 512), G.WithName("x"))
		a, err := Slice(x, 1, 0, 256)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Slice(x, -1, 256, 512)
		if err != nil {
			t.Fatal(err)
		}
		if a == b {
			t.Fatalf("%v: the two slices are one node", dt)
		}
		xv := tensor.New(tensor.Of(dt), tensor.WithShape(2, 512))
		for i := range 2 * 512 {
			if err := xv.SetAt(sliceValue(dt, i), i/512, i%512); err != nil {
				t.Fatal(err)
			}
		}
		if err := G.Let(x, xv); err != nil {
			t.Fatal(err)
		}
		m := G.NewTapeMachine(g)
		if err := m.RunAll(); err != nil {
			t.Fatal(err)
		}
		m.Close()
		for k, n := range []*G.Node{a, b} {
			v := n.Value().(*tensor.Dense)
			if !v.Shape().Eq(tensor.Shape{2, 256}) {
				t.Fatalf("%v slice %d: shape %v", dt, k, v.Shape())
			}
			for r := range 2 {
				for c := range 256 {
					got, _ := v.At(r, c)
					if want := sliceValue(dt, r*512+k*256+c); got != want {
						t.Fatalf("%v slice %d at (%d, %d): %v, want %v", dt, k, r, c, got, want)
					}
				}
			}
		}
	}
}

func sliceValue(dt tensor.Dtype, i int) any {
	switch dt {
	case tensor.Float64:
		return float64(i)
	case tensor.Float32:
		return float32(i)
	case tensor.Int32:
		return int32(i)
	}
	return i
}

// TestSliceGradientPlacesItsBlock: the gradient of Σ w ⊙ x[:, 256:512] with respect to x is
// w in the slice's block and zero elsewhere; SliceFlat's likewise in its flat range.
func TestSliceGradientPlacesItsBlock(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 768), G.WithName("x"), G.WithInit(G.RangedFrom(0)))
	s, err := Slice(x, 1, 256, 512)
	if err != nil {
		t.Fatal(err)
	}
	f, err := SliceFlat(x, 700, 3, 4)
	if err != nil {
		t.Fatal(err)
	}
	w := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 256), G.WithName("w"), G.WithInit(G.RangedFrom(1)))
	w2 := G.NewMatrix(g, tensor.Float64, G.WithShape(3, 4), G.WithName("w2"), G.WithInit(G.RangedFrom(1000)))
	l1 := G.Must(G.Sum(G.Must(G.HadamardProd(s, w))))
	l2 := G.Must(G.Sum(G.Must(G.HadamardProd(f, w2))))
	cost := G.Must(G.Add(l1, l2))
	if _, err := G.Grad(cost, x); err != nil {
		t.Fatal(err)
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	gv, err := x.Grad()
	if err != nil {
		t.Fatal(err)
	}
	got := gv.Data().([]float64)
	for i, v := range got {
		r, c := i/768, i%768
		want := 0.0
		if c >= 256 && c < 512 {
			want += float64(1 + r*256 + c - 256)
		}
		if i >= 700 && i < 712 {
			want += float64(1000 + i - 700)
		}
		if v != want {
			t.Fatalf("gradient at (%d, %d): %v, want %v", r, c, v, want)
		}
	}
	xv := x.Value().Data().([]float64)
	if got := s.Value().Data().([]float64)[0]; got != xv[256] {
		t.Fatalf("slice's first value %v, want %v", got, xv[256])
	}
}
