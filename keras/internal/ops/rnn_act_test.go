package ops

import (
	"math"
	"testing"
)

// ulps returns how many float32 values lie between a and b (0 when equal).
func ulps(a, b float32) int64 {
	key := func(x float32) int64 { // monotonic in x
		i := int64(int32(math.Float32bits(x)))
		if i < 0 {
			i = math.MinInt32 - i
		}
		return i
	}
	d := key(a) - key(b)
	if d < 0 {
		d = -d
	}
	return d
}

// TestFastActivationsMatchMath sweeps the float32 range (every 2039th bit pattern of each
// sign: 2 million values, some 4,000 in every binade; every 8191st with -short) through the
// float32 row activations and compares them with package math's float64 functions rounded to
// float32: sigmoid within 2 ulps (results below 1e-37 within 6.1e-39), tanh within 1 ulp;
// NaN stays NaN. The values go in rows of 8k+3, so the vector loop and the scalar tail both
// run. (The full sweep, every bit pattern, passes too; it takes minutes.)
func TestFastActivationsMatchMath(t *testing.T) {
	if !hasAVX2FMA {
		t.Log("no AVX2/FMA: the activations are package math's, nothing to compare")
	}
	cases := []struct {
		name    string
		apply   func([]float32)
		ref     func(float64) float64
		maxULPs int64
	}{
		{"sigmoid", sigmoidSlice32, func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }, 2},
		{"tanh", tanhSlice32, math.Tanh, 1},
	}
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, 1e-30, -1e-30, 0.625, -0.625,
		86, -86, 88, -88, 100, -100, 9, -9, 10, -10, 11, -11}
	step := uint32(2039)
	if testing.Short() {
		step = 8191
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			const row = 8*64 + 3
			in := make([]float32, 0, row)
			out := make([]float32, row)
			var n, off, worst int64
			flush := func() {
				copy(out, in)
				c.apply(out[:len(in)])
				for i, x := range in {
					want, got := float32(c.ref(float64(x))), out[i]
					n++
					if got == want {
						continue
					}
					off++
					if math.Abs(float64(want)) < 1e-37 && math.Abs(float64(got-want)) <= 6.1e-39 {
						continue
					}
					d := ulps(got, want)
					worst = max(worst, d)
					if d > c.maxULPs {
						t.Fatalf("%s(%g) = %g, math gives %g (%d ulps apart)", c.name, x, got, want, d)
					}
				}
				in = in[:0]
			}
			add := func(x float32) {
				in = append(in, x)
				if len(in) == row {
					flush()
				}
			}
			for _, x := range special {
				add(x)
			}
			for bits := uint32(0); bits < 0x7f800000; bits += step {
				x := math.Float32frombits(bits)
				add(x)
				add(-x)
			}
			flush()
			t.Logf("%d of %d values differ from math's rounded result, by at most %d ulps", off, n, worst)
			nan := []float32{float32(math.NaN()), 1, 2, 3, 4, 5, 6, 7}
			c.apply(nan)
			if nan[0] == nan[0] {
				t.Errorf("%s(NaN) = %g, want NaN", c.name, nan[0])
			}
		})
	}
}

// BenchmarkActivations times the float32 activations over one LSTM row of the QA model (4×32
// gates: 3×32 sigmoid, 32 tanh) as the kernels now compute them, and with package math one
// element at a time, as they did before.
func BenchmarkActivations(b *testing.B) {
	v := make([]float32, 128)
	for i := range v {
		v[i] = float32(i-64) / 16
	}
	w := make([]float32, len(v))
	b.Run("rows", func(b *testing.B) {
		for range b.N {
			copy(w, v)
			applyAct(ActSigmoid, w[:96])
			applyAct(ActTanh, w[96:])
		}
	})
	b.Run("math", func(b *testing.B) {
		for range b.N {
			for i, x := range v[:96] {
				w[i] = float32(ActSigmoid.f(float64(x)))
			}
			for i, x := range v[96:] {
				w[96+i] = float32(ActTanh.f(float64(x)))
			}
		}
	})
}
