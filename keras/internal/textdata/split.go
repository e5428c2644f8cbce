package textdata

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"
)

// Split returns a random partition of the row indices 0..n-1 into a training set and a test
// set of round(n·testFraction) rows, each in a random order (so a ValidationSplit taken from
// the end of the training rows is a random sample too). The same seed gives the same result.
func Split(n int, testFraction float64, seed uint64) (train, test []int, err error) {
	if !(testFraction > 0 && testFraction < 1) {
		return nil, nil, fmt.Errorf("textdata: Split: the test fraction must be in (0, 1), got %v", testFraction)
	}
	nTest := int(math.Round(float64(n) * testFraction))
	if nTest == 0 || nTest == n {
		return nil, nil, fmt.Errorf("textdata: Split: a test fraction of %v of %d rows leaves no training or no test rows", testFraction, n)
	}
	perm := rand.New(rand.NewPCG(seed, seed^0x5eed)).Perm(n)
	return perm[nTest:], perm[:nTest], nil
}

// Sample returns k distinct elements of 0..n-1 (all of them when k >= n) drawn with seed, in
// a random order.
func Sample(n, k int, seed uint64) []int {
	return rand.New(rand.NewPCG(seed, seed^0x5eed)).Perm(n)[:min(k, n)]
}

// Rows returns a new tensor holding rows idx of x (of any rank), in that order.
func Rows(x *tensor.Dense, idx []int) (*tensor.Dense, error) {
	s := x.Shape()
	if len(s) == 0 {
		return nil, fmt.Errorf("textdata: Rows: x is a scalar")
	}
	for _, i := range idx {
		if i < 0 || i >= s[0] {
			return nil, fmt.Errorf("textdata: Rows: row %d is outside [0, %d)", i, s[0])
		}
	}
	shape := s.Clone()
	shape[0] = len(idx)
	per := s.TotalSize() / max(s[0], 1)
	switch d := x.Data().(type) {
	case []float32:
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(gather(d, idx, per))), nil
	case []float64:
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(gather(d, idx, per))), nil
	case []int32:
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(gather(d, idx, per))), nil
	case []int:
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(gather(d, idx, per))), nil
	}
	return nil, fmt.Errorf("textdata: Rows: unsupported dtype %v", x.Dtype())
}

func gather[T any](d []T, idx []int, per int) []T {
	out := make([]T, 0, len(idx)*per)
	for _, i := range idx {
		out = append(out, d[i*per:(i+1)*per]...)
	}
	return out
}

// OneHot encodes class indices as a float32 tensor of shape (len(labels), classes).
func OneHot(labels []int, classes int) (*tensor.Dense, error) {
	out := make([]float32, len(labels)*classes)
	for i, c := range labels {
		if c < 0 || c >= classes {
			return nil, fmt.Errorf("textdata: OneHot: class %d at row %d is outside [0, %d)", c, i, classes)
		}
		out[i*classes+c] = 1
	}
	return tensor.New(tensor.WithShape(len(labels), classes), tensor.WithBacking(out)), nil
}

// Column returns values as a float32 tensor of shape (len(values), 1).
func Column(values []float64) *tensor.Dense {
	out := make([]float32, len(values))
	for i, v := range values {
		out[i] = float32(v)
	}
	return tensor.New(tensor.WithShape(len(values), 1), tensor.WithBacking(out))
}

// Matrix returns rows (all of one length) as a float32 tensor of shape (len(rows), len(rows[0])).
func Matrix(rows [][]float64) (*tensor.Dense, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("textdata: Matrix: no rows")
	}
	w := len(rows[0])
	out := make([]float32, 0, len(rows)*w)
	for i, r := range rows {
		if len(r) != w {
			return nil, fmt.Errorf("textdata: Matrix: row %d has %d values, row 0 has %d", i, len(r), w)
		}
		for _, v := range r {
			out = append(out, float32(v))
		}
	}
	return tensor.New(tensor.WithShape(len(rows), w), tensor.WithBacking(out)), nil
}

// Standardizer maps values to (v - Mean) / Std, as scikit-learn's StandardScaler: fit it on the
// training rows, apply it to every row.
type Standardizer struct {
	Mean, Std float64
}

// FitStandardizer returns the standardizer of values: their mean and population standard
// deviation (1 when the values are all equal, so constant features stay finite).
func FitStandardizer(values []float64) Standardizer {
	if len(values) == 0 {
		return Standardizer{Std: 1}
	}
	var sum float64
	for _, v := range values {
		sum += v
	}
	mean := sum / float64(len(values))
	var ss float64
	for _, v := range values {
		ss += (v - mean) * (v - mean)
	}
	std := math.Sqrt(ss / float64(len(values)))
	if std == 0 {
		std = 1
	}
	return Standardizer{Mean: mean, Std: std}
}

// Apply returns the standardized values.
func (s Standardizer) Apply(values []float64) []float64 {
	out := make([]float64, len(values))
	for i, v := range values {
		out[i] = (v - s.Mean) / s.Std
	}
	return out
}
