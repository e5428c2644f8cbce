//go:build openblas

package blasimpl

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
)

// splitShapes are the products of the seed Conv1D model's step (the three convolutions'
// forward, dK and dX products), the MLP's, and odd sizes that leave short last chunks or
// are cut by columns.
var splitShapes = [][3]int{
	{6272, 64, 320}, {320, 64, 6272}, {6272, 320, 64},
	{1120, 128, 320}, {320, 128, 1120}, {1120, 320, 128},
	{128, 256, 784}, {784, 256, 128}, {128, 784, 256},
	{517, 301, 77}, {20, 3000, 200}, {31, 999, 513}, {1000, 7, 1000},
}

func randSlice(r *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = r.NormFloat64()
	}
	return v
}

// TestSplitMatchesWhole checks split products against the wrapped BLAS computing them whole:
// float64 to the bit, float32 to its rounding, with every transpose, alpha and beta.
func TestSplitMatchesWhole(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	s := splitBLAS{inner()}
	for _, sh := range splitShapes {
		m, n, k := sh[0], sh[1], sh[2]
		if plan(m, n, k).chunks < 2 {
			t.Fatalf("%dx%dx%d is not cut; the test wants shapes that are", m, n, k)
		}
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				name := fmt.Sprintf("%dx%dx%d/%c%c", m, n, k, tA, tB)
				lda, ldb, ldc := k+3, n+1, n+2 // leading dimensions wider than the rows
				if tA == blas.Trans {
					lda = m + 3
				}
				if tB == blas.Trans {
					ldb = k + 1
				}
				rowsA, rowsB := m, k
				if tA == blas.Trans {
					rowsA = k
				}
				if tB == blas.Trans {
					rowsB = n
				}
				a, b, c := randSlice(r, rowsA*lda), randSlice(r, rowsB*ldb), randSlice(r, m*ldc)
				const alpha, beta = 1.5, 0.5
				want := append([]float64(nil), c...)
				s.BLAS.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc)
				got := append([]float64(nil), c...)
				s.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, got, ldc)
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("%s: float64 c[%d] = %v split, %v whole", name, i, got[i], want[i])
					}
				}
				got32 := to32(c)
				s.Sgemm(tA, tB, m, n, k, alpha, to32(a), lda, to32(b), ldb, beta, got32, ldc)
				for i := range want {
					// float32 products of k terms of size ~1: errors grow like √k·2⁻²⁴.
					if d := math.Abs(float64(got32[i]) - want[i]); d > 1e-5*math.Sqrt(float64(k))*(1+math.Abs(want[i])) {
						t.Fatalf("%s: float32 c[%d] = %v, want %v", name, i, got32[i], want[i])
					}
				}
			}
		}
	}
}

// TestSplitFloat64Exact checks, over random shapes and transposes, that a float64 product
// cut as plan cuts it equals the wrapped BLAS's whole product to the bit: the property the
// float64 goldens and the bit-for-bit machine tests rely on.
func TestSplitFloat64Exact(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	s := splitBLAS{inner()}
	cutShapes := 0
	for trial := 0; trial < 150; trial++ {
		m, n, k := 1+r.IntN(900), 1+r.IntN(500), 1+r.IntN(900)
		if r.IntN(4) == 0 {
			m = 1 + r.IntN(255) // few rows: cut by columns
		}
		if plan(m, n, k).chunks < 2 {
			continue
		}
		cutShapes++
		tA, tB := blas.Transpose(blas.NoTrans), blas.Transpose(blas.NoTrans)
		lda, ldb := k, n
		if r.IntN(2) == 1 {
			tA, lda = blas.Trans, m
		}
		if r.IntN(2) == 1 {
			tB, ldb = blas.Trans, k
		}
		a, b := randSlice(r, m*k), randSlice(r, k*n)
		want, got := make([]float64, m*n), make([]float64, m*n)
		s.BLAS.Dgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, 0, want, n)
		s.Dgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, 0, got, n)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%dx%dx%d %c%c cut %+v: c[%d] = %v split, %v whole", m, n, k, tA, tB, plan(m, n, k), i, got[i], want[i])
			}
		}
	}
	if cutShapes < 50 {
		t.Fatalf("only %d of the random shapes were cut", cutShapes)
	}
}

// TestSplitPlan checks the cuts: small products whole, chunks aligned and covering the
// output, and the same cut whatever GOMAXPROCS is.
func TestSplitPlan(t *testing.T) {
	if p := plan(32, 128, 128); p.chunks != 1 {
		t.Errorf("the Dense 32x128x128 product is cut: %+v", p)
	}
	// Chunks of fewer than chunkDim rows would each pack the whole other operand again.
	if p := plan(128, 256, 784); !p.byCols || p.chunks != 2 {
		t.Errorf("Predict's first product (128x784 by 784x256) is cut %+v, want two chunks of columns", p)
	}
	for _, sh := range append(splitShapes, [3]int{64, 64, 64}, [3]int{2, 2, 1 << 22}, [3]int{40, 40, 4000}) {
		m, n, k := sh[0], sh[1], sh[2]
		p := plan(m, n, k)
		if p.chunks <= 1 {
			continue
		}
		dim := m
		if p.byCols {
			dim = n
		}
		if p.size%splitAlign != 0 || p.size < chunkDim || (p.chunks-1)*p.size >= dim || p.chunks*p.size < dim || p.chunks > maxChunks {
			t.Errorf("%dx%dx%d: cut %+v does not cover %d in aligned chunks", m, n, k, p, dim)
		}
		old := runtime.GOMAXPROCS(1)
		p1 := plan(m, n, k)
		runtime.GOMAXPROCS(old)
		if p1 != p {
			t.Errorf("%dx%dx%d: cut %+v with one CPU, %+v with %d", m, n, k, p1, p, old)
		}
	}
}

// TestSplitSameOnOneCPU checks that float32 results, which may differ from the whole
// product's in the last bit, are the same with one CPU (the caller computes every chunk)
// as with several (helpers take some): results never depend on the machine's cores or load.
func TestSplitSameOnOneCPU(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	s := splitBLAS{inner()}
	m, n, k := 6272, 64, 320
	a, b := to32(randSlice(r, m*k)), to32(randSlice(r, k*n))
	many := make([]float32, m*n)
	s.Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, many, n)
	old := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(old)
	one := make([]float32, m*n)
	s.Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, one, n)
	for i := range one {
		if one[i] != many[i] {
			t.Fatalf("c[%d] = %v on one CPU, %v on %d", i, one[i], many[i], old)
		}
	}
}

// TestSplitConcurrent runs split products from several goroutines at once (as the recurrent
// kernels' batch halves call the BLAS), each checked against its whole product. Run with
// -race, it also checks that helpers and reused jobs do not race.
func TestSplitConcurrent(t *testing.T) {
	s := splitBLAS{inner()}
	const m, n, k = 300, 200, 100
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for it := range 20 {
				a, b := randSlice(r, m*k), randSlice(r, k*n)
				want, got := make([]float64, m*n), make([]float64, m*n)
				s.BLAS.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, want, n)
				s.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, got, n)
				for i := range want {
					if got[i] != want[i] {
						errs <- fmt.Errorf("goroutine %d, product %d: c[%d] = %v, want %v", g, it, i, got[i], want[i])
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestSplitPanicReachesCaller checks that a chunk's panic (the BLAS's answer to a short
// operand) is raised on the caller, where kerago's ops recover it into an error, and that
// the helpers keep working afterwards.
func TestSplitPanicReachesCaller(t *testing.T) {
	s := splitBLAS{inner()}
	const m, n, k = 512, 128, 64
	a, b, c := make([]float64, m*k), make([]float64, k*n), make([]float64, m*n-1)
	func() {
		defer func() {
			if recover() == nil {
				t.Error("a product into a short output did not panic")
			}
		}()
		s.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, c, n)
	}()
	r := rand.New(rand.NewPCG(1, 1))
	a, b = randSlice(r, m*k), randSlice(r, k*n)
	want, got := make([]float64, m*n), make([]float64, m*n)
	s.BLAS.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, want, n)
	s.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, got, n)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("after a panic: c[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

// TestSplitNoAllocs checks that a split product allocates nothing once jobs exist.
func TestSplitNoAllocs(t *testing.T) {
	s := splitBLAS{inner()}
	const m, n, k = 256, 128, 128
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	s.Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, c, n)
	if got := testing.AllocsPerRun(50, func() {
		s.Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, c, n)
	}); got != 0 {
		t.Fatalf("a split product allocates %v times", got)
	}
}

// BenchmarkSplitGemm compares the products of the Conv1D step whole and split, float32.
func BenchmarkSplitGemm(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, sh := range append(splitShapes[:9:9], [3]int{128, 128, 256}, [3]int{64, 128, 256}, [3]int{96, 128, 640}, [3]int{128, 64, 256}) {
		m, n, k := sh[0], sh[1], sh[2]
		a, bb, c := to32(randSlice(r, m*k)), to32(randSlice(r, k*n)), make([]float32, m*n)
		for _, impl := range []struct {
			name string
			blas G.BLAS
		}{{"whole", inner()}, {"split", splitBLAS{inner()}}} {
			b.Run(fmt.Sprintf("%dx%dx%d/%s", m, n, k, impl.name), func(b *testing.B) {
				for range b.N {
					impl.blas.Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, bb, n, 0, c, n)
				}
			})
		}
	}
}
