package initializers

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gorgonia.org/tensor"
)

// orthogonal fills with a (semi-)orthogonal matrix times gain.
type orthogonal struct {
	seed
	gain float64
	err  error
}

// Orthogonal returns Keras's Orthogonal initializer, Keras's default recurrent initializer.
// The tensor is viewed as a matrix of rows = the product of all but the last dimension and
// cols = the last dimension. Following Keras: a (max(rows, cols), min(rows, cols)) matrix of
// standard normal samples is QR-factorized, Q's columns are multiplied by the signs of R's
// diagonal, Q is transposed when rows < cols, and the result is multiplied by gain. So a
// matrix with rows <= cols, such as an LSTM recurrent kernel (units, 4*units), has
// orthonormal rows, and one with rows >= cols has orthonormal columns. Tensors of rank < 2
// are rejected, as in Keras. Keras's default gain is 1; a non-finite gain is reported by
// Initialize.
func Orthogonal(gain float64) Initializer {
	o := orthogonal{gain: gain}
	if math.IsNaN(gain) || math.IsInf(gain, 0) {
		o.err = newError("Orthogonal", ErrInvalidArgument, "gain must be finite, got %v", gain)
	}
	return o
}

// Initialize fills t with gain times a random orthogonal matrix drawn with rng.
func (o orthogonal) Initialize(t *tensor.Dense, rng *rand.Rand) (err error) {
	if o.err != nil {
		return o.err
	}
	f32, f64, err := target("Orthogonal", t)
	if err != nil {
		return err
	}
	shape := t.Shape()
	if len(shape) < 2 {
		return newError("Orthogonal", ErrTensor, "needs a tensor of rank 2 or more, got shape %v of rank %d", shape, len(shape))
	}
	src, err := o.source("Orthogonal", rng)
	if err != nil {
		return err
	}
	rows, cols := 1, shape[len(shape)-1]
	for _, d := range shape[:len(shape)-1] {
		rows *= d
	}
	if rows == 0 || cols == 0 {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = newError("Orthogonal", ErrTensor, "QR factorization of a %dx%d matrix failed: %v", max(rows, cols), min(rows, cols), r)
		}
	}()
	q := orthonormalColumns(max(rows, cols), min(rows, cols), src)
	// q is m×n row-major (m = max, n = min). Element (i, j) of the result is q[i][j] when
	// rows >= cols, and q[j][i] (the transpose) otherwise.
	n := min(rows, cols)
	i := 0
	fillWith(f32, f64, func() float64 {
		r, c := i/cols, i%cols
		i++
		if rows >= cols {
			return o.gain * q[r*n+c]
		}
		return o.gain * q[c*n+r]
	})
	return nil
}

// orthonormalColumns draws an m×n (m >= n) standard normal matrix A and returns Q·diag(sign(diag(R)))
// of its thin QR factorization A = QR, row-major.
func orthonormalColumns(m, n int, rng *rand.Rand) []float64 {
	a := blas64.General{Rows: m, Cols: n, Stride: n, Data: make([]float64, m*n)}
	for i := range a.Data {
		a.Data[i] = rng.NormFloat64()
	}
	tau := make([]float64, n)
	work := []float64{0}
	lapack64.Geqrf(a, tau, work, -1)
	work = make([]float64, int(work[0]))
	lapack64.Geqrf(a, tau, work, len(work))

	// Q's first n columns: apply Q to the first n columns of the identity.
	q := blas64.General{Rows: m, Cols: n, Stride: n, Data: make([]float64, m*n)}
	for j := 0; j < n; j++ {
		q.Data[j*n+j] = 1
	}
	work = []float64{0}
	lapack64.Ormqr(blas.Left, blas.NoTrans, a, tau, q, work, -1)
	work = make([]float64, int(work[0]))
	lapack64.Ormqr(blas.Left, blas.NoTrans, a, tau, q, work, len(work))

	// Multiply column j by sign(R[j][j]) (numpy's sign: 0 for 0).
	for j := 0; j < n; j++ {
		var s float64
		switch d := a.Data[j*n+j]; {
		case d > 0:
			s = 1
		case d < 0:
			s = -1
		}
		for i := 0; i < m; i++ {
			q.Data[i*n+j] *= s
		}
	}
	return q.Data
}

func (o orthogonal) kerasConfig() (string, map[string]any) {
	return "Orthogonal", map[string]any{"seed": o.seed.config(), "gain": o.gain}
}
