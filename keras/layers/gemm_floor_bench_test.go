package layers_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kerago/kerago/keras"
	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
)

// BenchmarkGEMMFloor measures how far each seed model's step is from the time of its matrix
// products alone: it records every GEMM and GEMV one step sends to the BLAS (Gorgonia's
// MatMul through tensor, kerago's own kernels through blasimpl.Gemm: both ask
// gorgonia.WhichBLAS), then alternates a real step with a replay of exactly those calls, same
// shapes, transposes and BLAS, on buffers of their sizes. It reports the medians of both and
// their ratio (step/gemm: 1 would mean nothing but matrix products):
//
//	go test -run '^$' -bench GEMMFloor ./keras/layers/
//	go test -tags openblas -run '^$' -bench GEMMFloor ./keras/layers/
//
// Alternating the two in one process puts the machine's load on both alike; cpu-step/gemm is
// the ratio of the CPU time the process used in each, summed over the steps.
//
// The replay's buffers hold a fixed pattern, one element in seven zero. gonum's GEMM skips the
// zero elements of its first operand, so with the default build what a product costs depends
// on its operands: the MLP's first layer multiplies an input without zeros, its relu outputs
// and their gradients are about half zeros. A second replay, on copies of the operands the
// step passed, gives cpu-step/own-gemm: the step against the same products on the same
// numbers. With OpenBLAS, which skips nothing, the two ratios agree.
func BenchmarkGEMMFloor(b *testing.B) {
	for _, s := range seedModels {
		b.Run(s.name, func(b *testing.B) {
			m := s.build(b)
			x, y := s.data()
			step := func() error {
				_, err := m.TrainOnBatch(x, y)
				return err
			}
			if s.predictBatch > 0 {
				step = func() error {
					_, err := m.Predict(x, keras.BatchSize(s.predictBatch), keras.Verbose(0))
					return err
				}
			}
			if err := step(); err != nil { // builds the graph
				b.Fatal(err)
			}
			calls, err := recordBLAS(step)
			if err != nil {
				b.Fatal(err)
			}
			replay, own := newReplay(calls, false), newReplay(calls, true)
			var steps, gemms, stepsCPU, gemmsCPU, ownCPU []float64
			b.ResetTimer()
			for range b.N {
				t0, c0 := time.Now(), processCPU()
				if err := step(); err != nil {
					b.Fatal(err)
				}
				t1, c1 := time.Now(), processCPU()
				replay.run()
				t2, c2 := time.Now(), processCPU()
				own.run()
				c3 := processCPU()
				steps = append(steps, float64(t1.Sub(t0))/1e6)
				gemms = append(gemms, float64(t2.Sub(t1))/1e6)
				stepsCPU, gemmsCPU = append(stepsCPU, c1-c0), append(gemmsCPU, c2-c1)
				ownCPU = append(ownCPU, c3-c2)
			}
			b.StopTimer()
			ms, mg := median(steps), median(gemms)
			b.ReportMetric(ms, "step-ms")
			b.ReportMetric(mg, "gemm-ms")
			b.ReportMetric(ms/mg, "step/gemm")
			// The same in CPU time (0 where the platform does not report it), which a busy
			// machine inflates less than wall time. Summed over all steps: getrusage counts in
			// coarse ticks.
			if sg := sum(gemmsCPU); sg > 0 {
				b.ReportMetric(sum(stepsCPU)/sg, "cpu-step/gemm")
			}
			if so := sum(ownCPU); so > 0 {
				b.ReportMetric(sum(stepsCPU)/so, "cpu-step/own-gemm")
			}
			b.ReportMetric(float64(len(calls)), "gemms/step")
		})
	}
}

func sum(v []float64) float64 {
	t := 0.0
	for _, x := range v {
		t += x
	}
	return t
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// blasCall is one recorded matrix product: a GEMM (gemv false) or a GEMV, float32 or not.
type blasCall struct {
	f32, gemv        bool
	ta, tb           blas.Transpose
	m, n, k          int
	lda, ldb, ldc    int
	incX, incY       int
	lenA, lenB, lenC int
	// The operands' values when the step made the call: gonum's GEMM skips the zero
	// elements of A, so what a product costs depends on them (relu outputs are half zeros).
	a32, b32 []float32
	a64, b64 []float64
}

// recorder is a BLAS that notes the shapes of the products it is asked for and computes them
// with the BLAS it wraps. The recurrent kernels call the BLAS from two goroutines at once
// (their batch halves and split GEMMs), so the notes are taken under a lock: without it
// concurrent appends lost calls (400 to 500 of the QA step's 500).
type recorder struct {
	G.BLAS
	mu    sync.Mutex
	calls []blasCall
}

func (r *recorder) note(c blasCall) {
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
}

func (r *recorder) Sgemm(ta, tb blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, bb []float32, ldb int, beta float32, c []float32, ldc int) {
	r.note(blasCall{f32: true, ta: ta, tb: tb, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc, lenA: len(a), lenB: len(bb), lenC: len(c), a32: slices.Clone(a), b32: slices.Clone(bb)})
	r.BLAS.Sgemm(ta, tb, m, n, k, alpha, a, lda, bb, ldb, beta, c, ldc)
}

func (r *recorder) Dgemm(ta, tb blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, bb []float64, ldb int, beta float64, c []float64, ldc int) {
	r.note(blasCall{ta: ta, tb: tb, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc, lenA: len(a), lenB: len(bb), lenC: len(c), a64: slices.Clone(a), b64: slices.Clone(bb)})
	r.BLAS.Dgemm(ta, tb, m, n, k, alpha, a, lda, bb, ldb, beta, c, ldc)
}

func (r *recorder) Sgemv(ta blas.Transpose, m, n int, alpha float32, a []float32, lda int, x []float32, incX int, beta float32, y []float32, incY int) {
	r.note(blasCall{f32: true, gemv: true, ta: ta, m: m, n: n, lda: lda, incX: incX, incY: incY, lenA: len(a), lenB: len(x), lenC: len(y), a32: slices.Clone(a), b32: slices.Clone(x)})
	r.BLAS.Sgemv(ta, m, n, alpha, a, lda, x, incX, beta, y, incY)
}

func (r *recorder) Dgemv(ta blas.Transpose, m, n int, alpha float64, a []float64, lda int, x []float64, incX int, beta float64, y []float64, incY int) {
	r.note(blasCall{gemv: true, ta: ta, m: m, n: n, lda: lda, incX: incX, incY: incY, lenA: len(a), lenB: len(x), lenC: len(y), a64: slices.Clone(a), b64: slices.Clone(x)})
	r.BLAS.Dgemv(ta, m, n, alpha, a, lda, x, incX, beta, y, incY)
}

// recordBLAS runs step with the recorder installed and returns the calls it made.
func recordBLAS(step func() error) ([]blasCall, error) {
	orig := G.WhichBLAS()
	r := &recorder{BLAS: orig}
	G.Use(r)
	defer G.Use(orig)
	err := step()
	return r.calls, err
}

// replay holds buffers for every recorded call.
type replay struct {
	blas  G.BLAS
	calls []blasCall
	f32   [][3][]float32
	f64   [][3][]float64
}

// newReplay allocates the buffers of every call: filled with a fixed pattern (one element in
// seven zero), or with own, copies of the operands the step passed.
func newReplay(calls []blasCall, own bool) *replay {
	r := &replay{blas: G.WhichBLAS(), calls: calls, f32: make([][3][]float32, len(calls)), f64: make([][3][]float64, len(calls))}
	for i, c := range calls {
		switch {
		case c.f32 && own:
			r.f32[i] = [3][]float32{slices.Clone(c.a32), slices.Clone(c.b32), filled32(c.lenC)}
		case c.f32:
			r.f32[i] = [3][]float32{filled32(c.lenA), filled32(c.lenB), filled32(c.lenC)}
		case own:
			r.f64[i] = [3][]float64{slices.Clone(c.a64), slices.Clone(c.b64), filled64(c.lenC)}
		default:
			r.f64[i] = [3][]float64{filled64(c.lenA), filled64(c.lenB), filled64(c.lenC)}
		}
	}
	return r
}

func filled32(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(i%7) * 0.01
	}
	return v
}

func filled64(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = float64(i%7) * 0.01
	}
	return v
}

// run makes every recorded call once, with beta 0 (each product overwrites its output).
func (r *replay) run() {
	for i, c := range r.calls {
		switch {
		case c.f32 && c.gemv:
			b := r.f32[i]
			r.blas.Sgemv(c.ta, c.m, c.n, 1, b[0], c.lda, b[1], c.incX, 0, b[2], c.incY)
		case c.f32:
			b := r.f32[i]
			r.blas.Sgemm(c.ta, c.tb, c.m, c.n, c.k, 1, b[0], c.lda, b[1], c.ldb, 0, b[2], c.ldc)
		case c.gemv:
			b := r.f64[i]
			r.blas.Dgemv(c.ta, c.m, c.n, 1, b[0], c.lda, b[1], c.incX, 0, b[2], c.incY)
		default:
			b := r.f64[i]
			r.blas.Dgemm(c.ta, c.tb, c.m, c.n, c.k, 1, b[0], c.lda, b[1], c.ldb, 0, b[2], c.ldc)
		}
	}
}
