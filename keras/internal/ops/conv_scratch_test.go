package ops

import (
	"runtime"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestScratchReuse runs each op that keeps its output in a scratch several times on
// different inputs and checks every result against the same op allocating afresh (col2im
// and the pooling gradient accumulate, so a scratch not cleared between runs doubles their
// output), that the memory is reused, and that a run then allocates a small fraction of its
// output's size.
func TestScratchReuse(t *testing.T) {
	w := Window{KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, Top: 1, Bottom: 1, Left: 1, Right: 1}
	pool := newPool2D(Window{KH: 2, KW: 2, SH: 2, SW: 2, DH: 1, DW: 1}, false)
	const b, h, wd, c = 4, 16, 16, 8
	img := func(seed float64, shape ...int) *tensor.Dense {
		n := 1
		for _, d := range shape {
			n *= d
		}
		v := convCheckValues(n, seed)
		f := make([]float32, n)
		for i := range v {
			f[i] = float32(v[i])
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	}
	cases := []struct {
		name        string
		fresh, kept G.Op
		inputs      func(seed float64) []G.Value
	}{
		{"im2col", newIm2col(w, nil), newIm2col(w, new(scratch)),
			func(s float64) []G.Value { return []G.Value{img(s, b, h, wd, c)} }},
		{"col2im", newCol2im(w, h, wd, c, nil), newCol2im(w, h, wd, c, new(scratch)),
			func(s float64) []G.Value { return []G.Value{img(s, b, h, wd, 9*c)} }},
		{"max pool gradient", newPool2DGrad(pool, h, wd, c, nil), newPool2DGrad(pool, h, wd, c, new(scratch)),
			func(s float64) []G.Value { return []G.Value{img(s, b, h, wd, c), img(s+0.3, b, h/2, wd/2, c)} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var first []float32
			for run, seed := range []float64{0.1, 0.7, 0.7} {
				in := tc.inputs(seed)
				want, err := tc.fresh.Do(in...)
				if err != nil {
					t.Fatal(err)
				}
				got, err := tc.kept.Do(in...)
				if err != nil {
					t.Fatal(err)
				}
				g := got.(*tensor.Dense).Float32s()
				if !slices.Equal(g, want.(*tensor.Dense).Float32s()) {
					t.Fatalf("run %d differs from a fresh op's output", run)
				}
				if run == 0 {
					first = g
				} else if &first[0] != &g[0] {
					t.Fatalf("run %d did not reuse the scratch memory", run)
				}
			}
			in := tc.inputs(0.2)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			const runs = 5
			for range runs {
				if _, err := tc.kept.Do(in...); err != nil {
					t.Fatal(err)
				}
			}
			runtime.ReadMemStats(&after)
			perRun := (after.TotalAlloc - before.TotalAlloc) / runs
			if size := uint64(4 * len(first)); perRun > size/8 {
				t.Fatalf("a run allocates %d bytes; the output is %d", perRun, size)
			}
		})
	}
}
