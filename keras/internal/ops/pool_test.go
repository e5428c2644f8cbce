package ops

import (
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestMaxPoolRoutesRecordedMaxima checks that the max-pooling gradient routed through the
// positions the forward op recorded equals the one found by searching every window of x
// again (an op without state), run after run on new inputs, into its own memory and into a
// preallocated tensor; and that the recorded positions are used once only.
func TestMaxPoolRoutesRecordedMaxima(t *testing.T) {
	w := Window{KH: 3, KW: 2, SH: 2, SW: 1, DH: 1, DW: 1, Top: 1, Bottom: 1, Right: 1}
	const b, h, wd, c = 3, 7, 5, 4
	pool := newPool2D(w, false)
	search := pool
	search.st = nil
	oh, ow := w.Out(h, wd)
	for run, seed := range []float64{0.2, 1.3, 2.9} {
		x := tensor.New(tensor.WithShape(b, h, wd, c), tensor.WithBacking(convCheckValues(b*h*wd*c, seed)))
		dy := tensor.New(tensor.WithShape(b, oh, ow, c), tensor.WithBacking(convCheckValues(b*oh*ow*c, seed+0.5)))
		if _, err := pool.Do(x); err != nil {
			t.Fatal(err)
		}
		if !pool.st.argValid {
			t.Fatal("max pooling recorded no positions")
		}
		want, err := newPool2DGrad(search, h, wd, c, nil).Do(x, dy)
		if err != nil {
			t.Fatal(err)
		}
		var got G.Value
		if run%2 == 0 {
			got, err = newPool2DGrad(pool, h, wd, c, new(scratch)).Do(x, dy)
		} else {
			pre := tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(b, h, wd, c))
			got, err = newPool2DGrad(pool, h, wd, c, nil).UsePreallocDo(pre, x, dy)
			if got != pre {
				t.Fatal("UsePreallocDo did not return the preallocated tensor")
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		if pool.st.argValid {
			t.Fatal("the recorded positions were not marked used")
		}
		gs, ws := got.Data().([]float64), want.Data().([]float64)
		for i := range ws {
			if gs[i] != ws[i] {
				t.Fatalf("run %d: dx[%d] = %g through the recorded maxima, %g by search", run, i, gs[i], ws[i])
			}
		}
	}
}

// TestPoolPrealloc checks that pooling writes into a preallocated output and refuses one of
// the wrong shape.
func TestPoolPrealloc(t *testing.T) {
	for _, avg := range []bool{false, true} {
		op := newPool2D(Window{KH: 2, KW: 2, SH: 2, SW: 2, DH: 1, DW: 1}, avg)
		x := tensor.New(tensor.WithShape(2, 4, 4, 3), tensor.WithBacking(convCheckValues(96, 0.4)))
		want, err := newPool2D(op.w, avg).Do(x)
		if err != nil {
			t.Fatal(err)
		}
		pre := tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(2, 2, 2, 3))
		if got, err := op.UsePreallocDo(pre, x); err != nil || got != pre {
			t.Fatalf("avg %v: UsePreallocDo returned %v, %v; want the preallocated tensor", avg, got, err)
		}
		for i, v := range want.Data().([]float64) {
			if pre.Float64s()[i] != v {
				t.Fatalf("avg %v: prealloc[%d] = %g, Do gave %g", avg, i, pre.Float64s()[i], v)
			}
		}
		if _, err := op.UsePreallocDo(tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(2, 2, 3, 3)), x); err == nil {
			t.Fatalf("avg %v: a preallocated output of the wrong shape was accepted", avg)
		}
	}
}

// TestIm2colCol2imPrealloc checks that im2col and its adjoint write into a preallocated
// output, dirty from an earlier use (col2im accumulates, so it must clear it), with the
// numbers Do gives.
func TestIm2colCol2imPrealloc(t *testing.T) {
	w := Window{KH: 3, KW: 3, SH: 1, SW: 2, DH: 1, DW: 1, Top: 1, Bottom: 1, Left: 1, Right: 1}
	const b, h, wd, c = 2, 5, 6, 3
	oh, ow := w.Out(h, wd)
	img := tensor.New(tensor.WithShape(b, h, wd, c), tensor.WithBacking(convCheckValues(b*h*wd*c, 0.1)))
	cols := tensor.New(tensor.WithShape(b, oh, ow, 9*c), tensor.WithBacking(convCheckValues(b*oh*ow*9*c, 0.2)))
	cases := []struct {
		name string
		op   G.UsePreallocDoer
		in   *tensor.Dense
		out  []int
	}{
		{"im2col", newIm2col(w, nil), img, []int{b, oh, ow, 9 * c}},
		{"col2im", newCol2im(w, h, wd, c, nil), cols, []int{b, h, wd, c}},
	}
	for _, tc := range cases {
		want, err := tc.op.(G.Op).Do(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		n := tensor.Shape(tc.out).TotalSize()
		pre := tensor.New(tensor.WithShape(tc.out...), tensor.WithBacking(convCheckValues(n, 3.3)))
		got, err := tc.op.UsePreallocDo(pre, tc.in)
		if err != nil || got != pre {
			t.Fatalf("%s: UsePreallocDo returned %v, %v; want the preallocated tensor", tc.name, got, err)
		}
		for i, v := range want.Data().([]float64) {
			if pre.Float64s()[i] != v {
				t.Fatalf("%s: prealloc[%d] = %g, Do gave %g", tc.name, i, pre.Float64s()[i], v)
			}
		}
	}
}

// TestPool1DMatches4D checks that pooling a (B, steps, C) value as it is gives the values,
// and the gradients, of pooling the same numbers read as (B, 1, steps, C).
func TestPool1DMatches4D(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	const b, steps, c = 3, 23, 5
	x := make([]float64, b*steps*c)
	dy := make([]float64, b*steps*c)
	for i := range x {
		x[i], dy[i] = r.NormFloat64(), r.NormFloat64()
	}
	for _, avg := range []bool{false, true} {
		w := Window{KH: 1, KW: 5, SH: 1, SW: 3, DH: 1, DW: 1, Left: 1, Right: 2}
		_, ow := w.Out(1, steps)
		var ys, dxs [2][]float64
		for i, shape := range []tensor.Shape{{b, steps, c}, {b, 1, steps, c}} {
			op := newPool2D(w, avg)
			op.oneD = len(shape) == 3
			xv := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), x...)))
			y, err := op.Do(xv)
			if err != nil {
				t.Fatal(err)
			}
			ys[i] = append([]float64(nil), y.(*tensor.Dense).Float64s()...)
			dyShape := op.imageShape(b, 1, ow, c)
			dyv := tensor.New(tensor.WithShape(dyShape...), tensor.WithBacking(append([]float64(nil), dy[:b*ow*c]...)))
			gop := newPool2DGrad(op, 1, steps, c, nil)
			in := []G.Value{xv, dyv}
			if avg {
				in = in[1:]
			}
			dx, err := gop.Do(in...)
			if err != nil {
				t.Fatal(err)
			}
			if got := dx.Shape(); !got.Eq(shape) {
				t.Fatalf("avg %v: gradient shape %v, want %v", avg, got, shape)
			}
			dxs[i] = append([]float64(nil), dx.(*tensor.Dense).Float64s()...)
		}
		for i := range ys[0] {
			if ys[0][i] != ys[1][i] {
				t.Fatalf("avg %v: y[%d] = %v as 3-D, %v as 4-D", avg, i, ys[0][i], ys[1][i])
			}
		}
		for i := range dxs[0] {
			if dxs[0][i] != dxs[1][i] {
				t.Fatalf("avg %v: dx[%d] = %v as 3-D, %v as 4-D", avg, i, dxs[0][i], dxs[1][i])
			}
		}
	}
}
