package blasimpl

import (
	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
)

// Name is the BLAS this binary was built with: "openblas" with the openblas build tag,
// "gonum" (pure Go) without it.
func Name() string { return name }

// Gemm computes c = op(a)·op(b) + beta·c on row-major matrices with the BLAS Gorgonia
// uses: op(a) is m×k, op(b) is k×n and c is m×n; ta and tb transpose the stored matrices.
// It asks Gorgonia at each call rather than caching, so a program that calls G.Use itself
// still has one BLAS for everything.
func Gemm[T float32 | float64](ta, tb bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	tA, tB := blas.NoTrans, blas.NoTrans
	if ta {
		tA = blas.Trans
	}
	if tb {
		tB = blas.Trans
	}
	switch cc := any(c).(type) {
	case []float32:
		G.WhichBLAS().Sgemm(tA, tB, m, n, k, 1, any(a).([]float32), lda, any(b).([]float32), ldb, float32(beta), cc, ldc)
	case []float64:
		G.WhichBLAS().Dgemm(tA, tB, m, n, k, 1, any(a).([]float64), lda, any(b).([]float64), ldb, float64(beta), cc, ldc)
	}
}
