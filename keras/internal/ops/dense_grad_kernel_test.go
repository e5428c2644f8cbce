package ops

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/kerago/kerago/keras/internal/blasimpl"
)

// reluLike fills n values from r, about half of them exactly zero when sparse, as a relu
// output or its gradient is.
func reluLike[T float](r *rand.Rand, n int, sparse bool) []T {
	v := make([]T, n)
	for i := range v {
		x := r.NormFloat64()
		if sparse && x < 0 {
			x = 0
		}
		v[i] = T(x)
	}
	return v
}

// TestActGradSumsMatchesPasses checks the fused backward pass against the two passes it
// replaced, actGrad then colSums, bit for bit, for every activation and both float types.
func TestActGradSumsMatchesPasses(t *testing.T) {
	t.Run("float32", func(t *testing.T) { testActGradSums[float32](t) })
	t.Run("float64", func(t *testing.T) { testActGradSums[float64](t) })
}

func testActGradSums[T float](t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, act := range []DenseAct{DenseLinear, DenseRelu, DenseTanh} {
		for _, units := range []int{1, 7, 13, 64} {
			rows := 37
			y := reluLike[T](r, rows*units, act == DenseRelu)
			if act == DenseTanh {
				for i, v := range y {
					y[i] = T(math.Tanh(float64(v)))
				}
			}
			dy := reluLike[T](r, rows*units, false)
			wantZ := slices.Clone(dy)
			actGrad(wantZ, y, dy, act)
			wantB := make([]T, units)
			colSums(wantB, wantZ, units)

			dz := make([]T, rows*units)
			if act == DenseLinear {
				dz = dy
			}
			db := make([]T, units)
			for i := range db {
				db[i] = 99 // overwritten, not added to
			}
			actGradSums(dz, db, y, dy, units, act)
			for i := range wantZ {
				if math.Float64bits(float64(dz[i])) != math.Float64bits(float64(wantZ[i])) {
					t.Fatalf("%v, %d units: dz[%d] = %v, want %v", act, units, i, dz[i], wantZ[i])
				}
			}
			for j := range wantB {
				if math.Float64bits(float64(db[j])) != math.Float64bits(float64(wantB[j])) {
					t.Fatalf("%v, %d units: db[%d] = %v, want %v", act, units, j, db[j], wantB[j])
				}
			}
		}
	}
}

// TestKernelGradEitherWay checks that the kernel gradient is xᵀ·dz to the bit whichever way
// kernelGrad computes it: x dense and dz half zeros (the first layer behind a relu, where the
// default build computes dzᵀ·x and transposes it), and x half zeros with dz dense (xᵀ·dz
// directly), at shapes that cross gonum's 64-wide blocks and its parallel threshold.
func TestKernelGradEitherWay(t *testing.T) {
	t.Run("float32", func(t *testing.T) { testKernelGrad[float32](t) })
	t.Run("float64", func(t *testing.T) { testKernelGrad[float64](t) })
}

func testKernelGrad[T float](t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct {
		name             string
		rows, in, units  int
		sparseX, sparseZ bool
		transposed       bool // with gonum's BLAS
	}{
		{"first layer", 128, 200, 130, false, true, true},
		{"behind a relu", 50, 70, 3, true, false, false},
		{"small", 9, 5, 4, false, true, true},
	} {
		x := reluLike[T](r, c.rows*c.in, c.sparseX)
		dz := reluLike[T](r, c.rows*c.units, c.sparseZ)
		want := make([]T, c.in*c.units)
		gemm(true, false, c.in, c.units, c.rows, x, c.in, dz, c.units, 0, want, c.units)
		if got := transposedCheaper(c.rows, c.in, c.units, x, dz); got != c.transposed {
			t.Errorf("%s: transposedCheaper = %v, want %v", c.name, got, c.transposed)
		}
		var tmp scratch
		for run := range 2 { // the second run reuses tmp and overwrites dw
			dw := make([]T, c.in*c.units)
			if run == 1 {
				for i := range dw {
					dw[i] = T(i)
				}
			}
			kernelGrad(c.rows, c.in, c.units, x, dz, dw, &tmp)
			for i := range want {
				if math.Float64bits(float64(dw[i])) != math.Float64bits(float64(want[i])) {
					t.Fatalf("%s (%s), run %d: dW[%d] = %v, want %v", c.name, blasimpl.Name(), run, i, dw[i], want[i])
				}
			}
		}
	}
}

// TestTranspose2D checks the tiled transposition on shapes smaller than, equal to and
// crossing its tiles.
func TestTranspose2D(t *testing.T) {
	for _, s := range [][2]int{{1, 1}, {1, 5}, {32, 32}, {33, 70}, {100, 3}} {
		rows, cols := s[0], s[1]
		src := make([]float64, rows*cols)
		for i := range src {
			src[i] = float64(i)
		}
		dst := make([]float64, rows*cols)
		transpose2D(dst, src, rows, cols)
		for r := range rows {
			for c := range cols {
				if dst[c*rows+r] != src[r*cols+c] {
					t.Fatalf("%d×%d: dst[%d][%d] = %v, want %v", rows, cols, c, r, dst[c*rows+r], src[r*cols+c])
				}
			}
		}
	}
}
