package layers

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
	w := window2D{kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, top: 1, bottom: 1, left: 1, right: 1}
	pool := pool2DOp{w: window2D{kh: 2, kw: 2, sh: 2, sw: 2, dh: 1, dw: 1}}
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
		{"im2col", im2colOp{w: w}, im2colOp{w: w, buf: new(scratch)},
			func(s float64) []G.Value { return []G.Value{img(s, b, h, wd, c)} }},
		{"col2im", col2imOp{w: w, h: h, wd: wd, c: c}, col2imOp{w: w, h: h, wd: wd, c: c, buf: new(scratch)},
			func(s float64) []G.Value { return []G.Value{img(s, b, h, wd, 9*c)} }},
		{"max pool gradient", pool2DGradOp{pool: pool, h: h, wd: wd, c: c}, pool2DGradOp{pool: pool, h: h, wd: wd, c: c, buf: new(scratch)},
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
