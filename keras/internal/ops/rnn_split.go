package ops

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/kerago/kerago/keras/internal/blasimpl"
)

// splitMinWork is the least work (time steps × samples × gate width) for which a recurrent
// kernel runs its batch in two halves on two goroutines: below it the goroutine costs more
// than it saves. A variable so tests can force the split on small inputs.
var splitMinWork = 1 << 14

// gemmSplitMinWork is the least work (multiply-adds) for which inHalves runs GEMMs as two
// halves on two goroutines: about 0.1 ms of OpenBLAS's single-threaded float32 GEMM on the
// benchmark machine, against a fork and join of a few microseconds. math.MaxInt in the default build:
// gonum's GEMM already spreads a large product over the cores itself, and its dot products
// sum in an order that depends on where a row starts in memory, so a split would change
// float64 results. A variable so tests can force the split on small inputs.
var gemmSplitMinWork = gemmSplitDefault()

func gemmSplitDefault() int {
	if blasimpl.Name() != "openblas" {
		return math.MaxInt
	}
	return 1 << 20
}

// batchHalves calls f(lo, hi) on the rows of a batch of n samples: on two goroutines, one
// half each, when there are two samples, two Ps and work ≥ splitMinWork; else once over all
// rows. The samples of a recurrent layer never read each other's states, so the halves share
// nothing but read-only inputs; one fork and join per sequence keeps the cost to a few
// microseconds whatever its length.
func batchHalves(n, work int, f func(lo, hi int)) {
	if n < 2 || work < splitMinWork || runtime.GOMAXPROCS(0) < 2 {
		f(0, n)
		return
	}
	splitAt(n, n/2, f)
}

// splitAt calls f(0, mid) in the caller's goroutine and f(mid, n) on another, and returns
// when both are done. A panic in the second part is raised again in the caller's goroutine,
// where the op's recoverDo turns it into an error.
func splitAt(n, mid int, f func(lo, hi int)) {
	var wg sync.WaitGroup
	var panicked any
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer func() {
			if r := recover(); r != nil {
				panicked = fmt.Sprintf("%v (in the second half of the batch)", r)
			}
		}()
		f(mid, n)
	}()
	func() {
		defer wg.Wait() // also when this half panics: the other must be done with the buffers
		f(0, mid)
	}()
	if panicked != nil {
		panic(panicked)
	}
}

// inHalves calls f(0) and f(1) on two goroutines when work ≥ gemmSplitMinWork and there are
// two Ps, else f(-1) once: f(-1) must do what f(0) and f(1) do together. One fork carries
// rnnBackward's whole-sequence GEMMs (dW = Xᵀ·dz, dX = dz·Wᵀ, dU = H_prevᵀ·dz), each split
// with gemmHalf. OpenBLAS runs one thread in kerago (keras/internal/blasimpl), so these
// GEMMs and the input projection (split by forwardSteps' halves; 71% of the BLAS time of the
// QA step together) otherwise leave the second core idle.
func inHalves(work int, f func(h int)) {
	if work < gemmSplitMinWork || runtime.GOMAXPROCS(0) < 2 {
		f(-1)
		return
	}
	splitAt(2, 1, func(lo, _ int) { f(lo) })
}

// gemmHalf computes half h of gemm's product: h = 0 the upper rows of c (when m ≥ n) or its
// left columns, h = 1 the rest, h = -1 all of c. A product too narrow to split (at most 31
// rows and 31 columns) is all in half 0.
//
// A row or column of the result needs no other, so the halves share only read-only inputs.
// In float64 every element of c is the same sum in the same order as in the one GEMM:
// OpenBLAS's (0.3.21, Haswell/Zen kernels) order of summation over k does not depend on
// where a row or column sits in c (TestGemmHalvesMatchOneGemm checks this to the bit, so the
// float64 Keras goldens at 1e-12 are untouched). In float32 OpenBLAS's kernels block the
// sums differently for different m and n, so an element may differ by float32 rounding
// (within the test's error bound, as the one GEMM's rows already differ from those of a
// product over fewer rows). The split falls on a multiple of 16 rows or columns.
func gemmHalf[T float](h int, ta, tb bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if h < 0 || max(m, n) < 32 {
		if h <= 0 {
			gemm(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc)
		}
		return
	}
	if m >= n {
		lo, hi := 0, m/2&^15
		if h == 1 {
			lo, hi = hi, m
		}
		ao := lo * lda // the rows lo … hi-1 of op(a)
		if ta {
			ao = lo
		}
		gemm(ta, tb, hi-lo, n, k, a[ao:], lda, b, ldb, beta, c[lo*ldc:], ldc)
		return
	}
	lo, hi := 0, n/2&^15
	if h == 1 {
		lo, hi = hi, n
	}
	bo := lo // the columns lo … hi-1 of op(b)
	if tb {
		bo = lo * ldb
	}
	gemm(ta, tb, m, hi-lo, k, a, lda, b[bo:], ldb, beta, c[lo:], ldc)
}
