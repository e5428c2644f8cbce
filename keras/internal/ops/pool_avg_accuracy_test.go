package ops

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAvgPoolFloat32Accuracy checks float32 average pooling over a 7x7 window (the
// GlobalAveragePooling2D ending most applications) against the float64 mean of the same
// float32 values. The float32 running sum times a rounded 1/49 it replaced gives an RMS
// relative error of 1.1e-7 here and a largest of 3.4e-7 (Keras/JAX's float32 on such inputs,
// against its float64: 5e-8 and 1.4e-7); summing in float64 gives 2.7e-8 and 5.9e-8, the
// output's rounding.
func TestAvgPoolFloat32Accuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 13))
	const b, h, wd, c = 2, 7, 7, 1024
	x32 := make([]float32, b*h*wd*c)
	for i := range x32 {
		x32[i] = float32(r.Float64())
	}
	op := pool2DOp{w: Window{KH: h, KW: wd, SH: h, SW: wd, DH: 1, DW: 1}, avg: true}
	y := make([]float32, b*c)
	pool2D(nil, op, x32, y, nil, b, h, wd, c, 1, 1)
	var d2, w2, worst float64
	for bi := range b {
		for ch := range c {
			var s float64
			for p := range h * wd {
				s += float64(x32[(bi*h*wd+p)*c+ch])
			}
			want := s / float64(h*wd)
			d := float64(y[bi*c+ch]) - want
			d2 += d * d
			w2 += want * want
			worst = math.Max(worst, math.Abs(d)/want)
		}
	}
	rms := math.Sqrt(d2 / w2)
	t.Logf("RMS relative error %.3g, largest %.3g", rms, worst)
	if rms > 5e-8 || worst > 1.2e-7 {
		t.Errorf("float32 7x7 average pooling: RMS relative error %.3g, largest %.3g; want ≤ 5e-8 and ≤ 1.2e-7", rms, worst)
	}
}
