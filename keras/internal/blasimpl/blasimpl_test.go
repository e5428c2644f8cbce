package blasimpl

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// naiveGemm is the textbook triple loop in float64, the reference for Gemm.
func naiveGemm(ta, tb bool, m, n, k int, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	at := func(i, p int) float64 {
		if ta {
			return a[p*lda+i]
		}
		return a[i*lda+p]
	}
	bt := func(p, j int) float64 {
		if tb {
			return b[j*ldb+p]
		}
		return b[p*ldb+j]
	}
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				s += at(i, p) * bt(p, j)
			}
			c[i*ldc+j] = s + beta*c[i*ldc+j]
		}
	}
}

// TestGemm checks Gemm in both precisions, with every combination of transposes and with
// beta 0 and 1, against the triple loop, at sizes large enough for OpenBLAS to take its
// blocked (and threaded) paths.
func TestGemm(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	const m, n, k = 67, 129, 300
	randVec := func(l int) []float64 {
		v := make([]float64, l)
		for i := range v {
			v[i] = r.Float64()*2 - 1
		}
		return v
	}
	for _, ta := range []bool{false, true} {
		for _, tb := range []bool{false, true} {
			for _, beta := range []float64{0, 1} {
				t.Run(fmt.Sprintf("ta=%v/tb=%v/beta=%v", ta, tb, beta), func(t *testing.T) {
					a, b, c := randVec(m*k), randVec(k*n), randVec(m*n)
					lda, ldb := k, n
					if ta {
						lda = m
					}
					if tb {
						ldb = k
					}
					want := append([]float64(nil), c...)
					naiveGemm(ta, tb, m, n, k, a, lda, b, ldb, beta, want, n)

					got64 := append([]float64(nil), c...)
					Gemm(ta, tb, m, n, k, a, lda, b, ldb, beta, got64, n)
					got32 := make([]float32, len(c))
					for i := range c {
						got32[i] = float32(c[i])
					}
					Gemm(ta, tb, m, n, k, to32(a), lda, to32(b), ldb, float32(beta), got32, n)
					for i := range want {
						if d := math.Abs(got64[i] - want[i]); d > 1e-10 {
							t.Fatalf("float64 c[%d] = %v, want %v", i, got64[i], want[i])
						}
						if d := math.Abs(float64(got32[i]) - want[i]); d > 1e-4 {
							t.Fatalf("float32 c[%d] = %v, want %v", i, got32[i], want[i])
						}
					}
				})
			}
		}
	}
}

func to32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// TestNameMatchesGorgonia checks that Name reports the BLAS Gorgonia actually uses (under
// kerago's split of large products, in the openblas build).
func TestNameMatchesGorgonia(t *testing.T) {
	impl := fmt.Sprintf("%T", inner())
	if got, want := Name() == "openblas", strings.Contains(impl, "netlib"); got != want {
		t.Fatalf("Name() = %q but Gorgonia uses %s", Name(), impl)
	}
}
