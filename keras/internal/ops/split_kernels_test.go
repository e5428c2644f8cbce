package ops

import (
	"fmt"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// naiveBLAS is the BLAS in use with its matrix products replaced by the textbook loop, which
// allocates nothing: gonum's GEMM starts goroutines of its own for large products, whose
// allocations are not the ops'.
type naiveBLAS struct{ G.BLAS }

func naiveGemm[T float32 | float64](tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	for i := range m {
		for j := range n {
			var s T
			for p := range k {
				var av, bv T
				if tA == blas.NoTrans {
					av = a[i*lda+p]
				} else {
					av = a[p*lda+i]
				}
				if tB == blas.NoTrans {
					bv = b[p*ldb+j]
				} else {
					bv = b[j*ldb+p]
				}
				s += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}

func (naiveBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	naiveGemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func (naiveBLAS) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	naiveGemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// useNaiveBLAS installs naiveBLAS until the test ends.
func useNaiveBLAS(t *testing.T) {
	orig := G.WhichBLAS()
	G.Use(naiveBLAS{orig})
	t.Cleanup(func() { G.Use(orig) })
}

func f32Tensor(phase float64, shape ...int) *tensor.Dense {
	v := convCheckValues(tensor.Shape(shape).TotalSize(), phase)
	f := make([]float32, len(v))
	for i := range v {
		f[i] = float32(v[i])
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
}

// kernelAllocs checks that run, a kernel that splits its work, allocates nothing once warm,
// with two CPUs, and that its parts did go to a helper.
func kernelAllocs(t *testing.T, run func()) {
	t.Helper()
	handed := helpers.handed.Load()
	if n := splitAllocs(t, 20, run); n != 0 {
		t.Errorf("a call allocates %d times", n)
	}
	if helpers.handed.Load() == handed {
		t.Error("no part went to a helper: the test measured the unsplit path")
	}
}

// The tests below measure the kernels the ops call, with the state the ops keep (their
// rnnWork, their scratch's split): what the ops' own bodies allocate around them (shapes,
// headers) is counted by keras's TestFitSteadyStateAllocs.

// TestRecurrentKernelsAllocateNothing runs each recurrent cell's step (LSTM, GRU with the
// reset gate after and before the product, SimpleRNN) forward and backward over a batch large
// enough to be split in halves (batch 32, 40 steps as the QA model's text, 8 features, 16
// units, float32): once warm, no call allocates.
func TestRecurrentKernelsAllocateNothing(t *testing.T) {
	useNaiveBLAS(t)
	const batch, steps, feat, units = 32, 40, 8, 16
	for name, s := range splitSpecs() {
		if name != "lstm" && name != "gru_reset_after" && name != "gru_reset_before" && name != "simple" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			s.Units = units
			gu := s.Gates() * units
			if work := steps * batch * gu; work < splitMinWork {
				t.Fatalf("work %d is below the split's %d", work, splitMinWork)
			}
			nb := gu
			if s.Kind == KindGRU && s.ResetAfter {
				nb = 2 * gu
			}
			vec := func(n int, phase float64) []float32 { return data[float32](f32Tensor(phase, n)) }
			a := &seqData[float32]{b: batch, t: steps, f: feat, u: units,
				x: vec(batch*steps*feat, 0.1), w: vec(feat*gu, 0.2), r: vec(units*gu, 0.3), bias: vec(nb, 0.4),
				out: make([]float32, s.States()*batch*steps*units)}
			w := &rnnWork[float32]{}
			dOut, dFinal := vec(len(a.out), 0.5), vec(s.States()*batch*units, 0.6)
			g := rnnGrads[float32]{dx: make([]float32, len(a.x)), dw: make([]float32, len(a.w)),
				dr: make([]float32, len(a.r)), db: make([]float32, nb)}
			t.Run("forward", func(t *testing.T) { kernelAllocs(t, func() { rnnForward(&s, a, w, true) }) })
			t.Run("backward", func(t *testing.T) { kernelAllocs(t, func() { rnnBackward(&s, a, w, dOut, dFinal, g) }) })
		})
	}
}

// TestConvKernelsAllocateNothing runs im2col, col2im, the poolings and their gradients, and
// the depthwise kernels over the Conv1D text model's first layers (batch 32, 60 steps, 32
// channels) or a small image batch, float32, each with the split state its op keeps: once
// warm, no call allocates.
func TestConvKernelsAllocateNothing(t *testing.T) {
	conv1D := Window{KH: 1, KW: 5, SH: 1, SW: 1, DH: 1, DW: 1}
	same := Window{KH: 3, KW: 3, SH: 2, SW: 2, DH: 1, DW: 1, Top: 1, Bottom: 1, Left: 1, Right: 1}
	vec := func(n int, phase float64) []float32 { return data[float32](f32Tensor(phase, n)) }
	const b, steps, c = 32, 60, 32
	x, cols := vec(b*steps*c, 0.1), vec(b*56*5*c, 0.2)
	const ib, ih, ic = 8, 9, 4 // images: 8 of 9×9×4, pooled to 5×5
	img, dy, pooled, dimg := vec(ib*ih*ih*ic, 0.3), vec(ib*5*5*ic, 0.4), make([]float32, ib*5*5*ic), make([]float32, ib*ih*ih*ic)
	arg := make([]int32, len(pooled))
	kernel := vec(3*3*ic*2, 0.5)
	dw, dwGrad := make([]float32, ib*5*5*ic*2), vec(ib*5*5*ic*2, 0.6)
	maxPool, avgPool := newPool2D(same, false), newPool2D(same, true)
	maxGrad, avgGrad := newPool2DGrad(maxPool, ih, ih, ic, nil), newPool2DGrad(avgPool, ih, ih, ic, nil)
	var sp split
	cases := []struct {
		name string
		run  func()
	}{
		{"im2col", func() { im2col(&sp, conv1D, x, cols, b, 1, steps, c, 1, 56) }},
		{"col2im", func() { col2im(&sp, conv1D, cols, x, b, 1, steps, c, 1, 56) }},
		{"max pooling", func() { pool2D(&sp, maxPool, img, pooled, arg, ib, ih, ih, ic, 5, 5) }},
		{"average pooling", func() { pool2D(&sp, avgPool, img, pooled, nil, ib, ih, ih, ic, 5, 5) }},
		{"max pooling gradient, routed", func() { routeMax(&sp, arg, dy, dimg, ib) }},
		{"max pooling gradient, searching", func() { pool2DGrad(&sp, maxGrad, img, dy, dimg, ib, 5, 5) }},
		{"average pooling gradient", func() { pool2DGrad(&sp, avgGrad, nil, dy, dimg, ib, 5, 5) }},
		{"depthwise", func() { depthwiseForward(&sp, same, img, kernel, dw, ib, ih, ih, ic, 2, 5, 5) }},
		{"depthwise image gradient", func() { depthwiseGradImage(&sp, same, kernel, dwGrad, dimg, ib, ih, ih, ic, 2, 5, 5) }},
		{"depthwise kernel gradient", func() { depthwiseGradKernel(&sp, same, img, dwGrad, kernel, ib, ih, ih, ic, 2, 5, 5) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { kernelAllocs(t, tc.run) })
	}
}

// TestSplitKernelsMatchOneCall runs each kernel whose parts are independent (every output
// element written by one part, from the same loop) in one part (GOMAXPROCS 1) and split over
// helpers (GOMAXPROCS 2 and 3, odd part boundaries): the outputs are equal to the bit, in
// float64. (The depthwise kernel gradient sums per-CPU partial sums by design, so its
// rounding follows GOMAXPROCS, as before the helpers.)
func TestSplitKernelsMatchOneCall(t *testing.T) {
	same := Window{KH: 3, KW: 3, SH: 2, SW: 2, DH: 1, DW: 1, Top: 1, Bottom: 1, Left: 1, Right: 1}
	const b, h, c, m = 7, 9, 3, 2 // 7 images of 9×9×3, pooled or convolved to 5×5
	vec := func(n int, phase float64) []float64 { return convCheckValues(n, phase) }
	img, dy := vec(b*h*h*c, 0.1), vec(b*5*5*c, 0.2)
	cols, kernel, dw := vec(b*5*5*9*c, 0.3), vec(9*c*m, 0.4), vec(b*5*5*c*m, 0.5)
	maxPool, avgPool := newPool2D(same, false), newPool2D(same, true)
	maxGrad, avgGrad := newPool2DGrad(maxPool, h, h, c, nil), newPool2DGrad(avgPool, h, h, c, nil)
	cases := []struct {
		name string
		size int
		run  func(sp *split, out []float64)
	}{
		{"im2col", b * 5 * 5 * 9 * c, func(sp *split, out []float64) { im2col(sp, same, img, out, b, h, h, c, 5, 5) }},
		{"col2im", b * h * h * c, func(sp *split, out []float64) { col2im(sp, same, cols, out, b, h, h, c, 5, 5) }},
		{"max pooling", b * 5 * 5 * c, func(sp *split, out []float64) {
			pool2D(sp, maxPool, img, out, make([]int32, len(out)), b, h, h, c, 5, 5)
		}},
		{"average pooling", b * 5 * 5 * c, func(sp *split, out []float64) { pool2D(sp, avgPool, img, out, nil, b, h, h, c, 5, 5) }},
		{"max pooling gradient, searching", b * h * h * c, func(sp *split, out []float64) { pool2DGrad(sp, maxGrad, img, dy, out, b, 5, 5) }},
		{"average pooling gradient", b * h * h * c, func(sp *split, out []float64) { pool2DGrad(sp, avgGrad, nil, dy, out, b, 5, 5) }},
		{"max pooling gradient, routed", b * h * h * c, func(sp *split, out []float64) {
			arg := make([]int32, len(dy))
			pool2D(sp, maxPool, img, make([]float64, len(dy)), arg, b, h, h, c, 5, 5)
			routeMax(sp, arg, dy, out, b)
		}},
		{"depthwise", b * 5 * 5 * c * m, func(sp *split, out []float64) { depthwiseForward(sp, same, img, kernel, out, b, h, h, c, m, 5, 5) }},
		{"depthwise image gradient", b * h * h * c, func(sp *split, out []float64) {
			depthwiseGradImage(sp, same, kernel, dw, out, b, h, h, c, m, 5, 5)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var sp split
			results := map[int][]float64{}
			for _, procs := range []int{1, 2, 3} {
				withProcs(t, procs)
				handed := helpers.handed.Load()
				out := make([]float64, tc.size)
				tc.run(&sp, out)
				if procs > 1 && helpers.handed.Load() == handed {
					t.Fatalf("GOMAXPROCS %d: no part went to a helper", procs)
				}
				results[procs] = out
			}
			for _, procs := range []int{2, 3} {
				for i, v := range results[procs] {
					if v != results[1][i] {
						t.Fatalf("GOMAXPROCS %d: element %d = %.17g, in one part %.17g", procs, i, v, results[1][i])
					}
				}
			}
		})
	}
}

// TestSplitKernelsConcurrentGraphs runs recurrent kernels (forward and backward, every
// cell) and im2col of several independent ops at once, as graphs of different models or
// data-parallel replicas do, each from its own goroutine and with its own state: every result
// equals, bit for bit, the same op's run alone in one part. Run it with -race too.
func TestSplitKernelsConcurrentGraphs(t *testing.T) {
	defer func(v int) { splitMinWork = v }(splitMinWork)
	splitMinWork = 0
	const batch, steps, feat, units = 6, 5, 3, 4
	type graph struct {
		s    RNNSpec
		a    *seqData[float64]
		w    *rnnWork[float64]
		g    rnnGrads[float64]
		dOut []float64
		dFin []float64
		col  []float64
		sp   split
	}
	win := Window{KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, Top: 1, Bottom: 1, Left: 1, Right: 1}
	img := convCheckValues(batch*4*4*2, 0.7)
	newGraph := func(s RNNSpec, phase float64) *graph {
		s.Units = units
		gu := s.Gates() * units
		nb := gu
		if s.Kind == KindGRU && s.ResetAfter {
			nb = 2 * gu
		}
		a := &seqData[float64]{b: batch, t: steps, f: feat, u: units,
			x: convCheckValues(batch*steps*feat, phase), w: convCheckValues(feat*gu, phase+0.1),
			r: convCheckValues(units*gu, phase+0.2), bias: convCheckValues(nb, phase+0.3),
			out: make([]float64, s.States()*batch*steps*units)}
		return &graph{s: s, a: a, w: &rnnWork[float64]{},
			g: rnnGrads[float64]{dx: make([]float64, len(a.x)), dw: make([]float64, len(a.w)),
				dr: make([]float64, len(a.r)), db: make([]float64, nb)},
			dOut: convCheckValues(len(a.out), phase+0.4), dFin: convCheckValues(s.States()*batch*units, phase+0.5),
			col: make([]float64, batch*4*4*9*2)}
	}
	step := func(g *graph) [][]float64 {
		rnnForward(&g.s, g.a, g.w, true)
		for _, d := range [][]float64{g.g.dx, g.g.dw, g.g.dr, g.g.db} {
			clear(d)
		}
		rnnBackward(&g.s, g.a, g.w, g.dOut, g.dFin, g.g)
		im2col(&g.sp, win, img, g.col, batch, 4, 4, 2, 4, 4)
		res := [][]float64{g.a.out, g.g.dx, g.g.dw, g.g.dr, g.g.db, g.col}
		for i := range res {
			res[i] = slices.Clone(res[i])
		}
		return res
	}
	var specs []RNNSpec
	for _, s := range splitSpecs() {
		specs = append(specs, s)
	}
	withProcs(t, 1)
	want := make([][][]float64, len(specs))
	for i, s := range specs {
		want[i] = step(newGraph(s, float64(i)))
	}
	withProcs(t, 3)
	errs := make(chan error, len(specs))
	for i, s := range specs {
		go func() {
			g := newGraph(s, float64(i))
			for round := range 20 {
				for k, got := range step(g) {
					if !slices.Equal(got, want[i][k]) {
						errs <- fmt.Errorf("%v, round %d: result %d differs from the run alone", s, round, k)
						return
					}
				}
			}
			errs <- nil
		}()
	}
	for range specs {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
