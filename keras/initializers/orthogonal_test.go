package initializers

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gorgonia.org/tensor"
)

// gram returns A·Aᵀ (rowsOrthonormal) or Aᵀ·A of the rows×cols matrix a.
func gram(a []float64, rows, cols int, byRows bool) *mat.Dense {
	m := mat.NewDense(rows, cols, a)
	var g mat.Dense
	if byRows {
		g.Mul(m, m.T())
	} else {
		g.Mul(m.T(), m)
	}
	return &g
}

// checkScaledIdentity fails unless g = gain²·I to tol.
func checkScaledIdentity(t *testing.T, g *mat.Dense, gain, tol float64) {
	t.Helper()
	r, _ := g.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < r; j++ {
			want := 0.0
			if i == j {
				want = gain * gain
			}
			if got := g.At(i, j); math.Abs(got-want) > tol {
				t.Fatalf("gram[%d][%d] = %v, want %v", i, j, got, want)
			}
		}
	}
}

func TestOrthogonal(t *testing.T) {
	const u = 16
	for _, tc := range []struct {
		name       string
		shape      []int
		rows, cols int
		gain       float64
	}{
		{"recurrent kernel (u, 4u): orthonormal rows", []int{u, 4 * u}, u, 4 * u, 1},
		{"tall (4u, u): orthonormal columns", []int{4 * u, u}, 4 * u, u, 1},
		{"square", []int{32, 32}, 32, 32, 1},
		{"rank 3 (3, 4, 20) as 12x20", []int{3, 4, 20}, 12, 20, 1},
		{"rank 3 (5, 8, 4) as 40x4", []int{5, 8, 4}, 40, 4, 1},
		{"gain 2", []int{u, 4 * u}, u, 4 * u, 2},
	} {
		for _, dt := range dtypes {
			t.Run(fmt.Sprintf("%s/%v", tc.name, dt), func(t *testing.T) {
				vals := initialized(t, Orthogonal(tc.gain), dt, 11, tc.shape...)
				tol := 1e-12
				if dt == tensor.Float32 {
					tol = 1e-5
				}
				g := gram(vals, tc.rows, tc.cols, tc.rows <= tc.cols)
				checkScaledIdentity(t, g, tc.gain, tol)
			})
		}
	}
}

// TestOrthogonalMatchesKerasAlgorithm rebuilds the matrix the way Keras does, with gonum's
// full QR, from the same normal draws, and compares.
func TestOrthogonalMatchesKerasAlgorithm(t *testing.T) {
	for _, shape := range [][]int{{6, 24}, {24, 6}, {7, 7}} {
		t.Run(fmt.Sprint(shape), func(t *testing.T) {
			rows, cols := shape[0], shape[1]
			m, n := max(rows, cols), min(rows, cols)
			rng := newRNG(5)
			a := mat.NewDense(m, n, nil)
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					a.Set(i, j, rng.NormFloat64())
				}
			}
			var qr mat.QR
			qr.Factorize(a)
			var q, r mat.Dense
			qr.QTo(&q)
			qr.RTo(&r)
			want := make([]float64, rows*cols)
			for i := 0; i < rows; i++ {
				for j := 0; j < cols; j++ {
					// Q[:, :n] * sign(diag(R)), transposed when rows < cols.
					qi, qj := i, j
					if rows < cols {
						qi, qj = j, i
					}
					want[i*cols+j] = q.At(qi, qj) * math.Copysign(1, r.At(qj, qj))
				}
			}
			got := initialized(t, Orthogonal(1), tensor.Float64, 5, shape...)
			for i := range got {
				if math.Abs(got[i]-want[i]) > 1e-12 {
					t.Fatalf("element %d = %v, want %v", i, got[i], want[i])
				}
			}
		})
	}
}

func TestOrthogonalRejectsRankBelow2(t *testing.T) {
	for _, shape := range [][]int{{}, {5}} {
		x := zerosOf(tensor.Float32, shape...)
		if err := Orthogonal(1).Initialize(x, newRNG(1)); !errors.Is(err, ErrTensor) {
			t.Errorf("shape %v: error %v, want ErrTensor", shape, err)
		}
	}
}
