package initializers

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

var dtypes = []tensor.Dtype{tensor.Float32, tensor.Float64}

// newRNG returns a generator with a fixed seed.
func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }

// zerosOf makes a zero tensor of the dtype and shape.
func zerosOf(dt tensor.Dtype, shape ...int) *tensor.Dense {
	return tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
}

// initialized runs init on a new tensor of the dtype and shape and returns its values.
func initialized(t *testing.T, init Initializer, dt tensor.Dtype, seed uint64, shape ...int) []float64 {
	t.Helper()
	x := zerosOf(dt, shape...)
	if err := init.Initialize(x, newRNG(seed)); err != nil {
		t.Fatalf("Initialize(%v %v): %v", dt, shape, err)
	}
	return values(x)
}

// values flattens a float tensor into float64s.
func values(t *tensor.Dense) []float64 {
	if t.Dtype() == tensor.Float32 {
		d := t.Float32s()
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	}
	return append([]float64(nil), t.Float64s()...)
}

// moments returns the mean, the standard deviation and the largest |v - center|.
func moments(vals []float64, center float64) (mean, std, maxDev float64) {
	for _, v := range vals {
		mean += v
		maxDev = math.Max(maxDev, math.Abs(v-center))
	}
	mean /= float64(len(vals))
	for _, v := range vals {
		std += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(std / float64(len(vals))), maxDev
}

// checkStats asserts the sample mean and standard deviation of vals: the mean within 5
// standard errors, the standard deviation within relStd.
func checkStats(t *testing.T, vals []float64, wantMean, wantStd, relStd float64) {
	t.Helper()
	mean, std, _ := moments(vals, wantMean)
	if se := wantStd / math.Sqrt(float64(len(vals))); math.Abs(mean-wantMean) > 5*se {
		t.Errorf("mean %.6g, want %.6g ± %.2g", mean, wantMean, 5*se)
	}
	if math.Abs(std-wantStd) > relStd*wantStd {
		t.Errorf("stddev %.6g, want %.6g ± %.0f%%", std, wantStd, 100*relStd)
	}
}
