//go:build amd64 && !purego

package ops

import "github.com/kerago/kerago/keras/internal/cpu"

// The float32 sigmoid and tanh of the recurrent cells, eight lanes at a time (rnn_act_amd64.s),
// on CPUs with AVX2 and FMA (x86-64 since 2013-2015; the OS must save the YMM registers).
//
//   - e^x: x = n·ln2 + r, |r| ≤ ln2/2, e^r by its Taylor series to r^7, 2^n added into the
//     exponent; the argument is clamped to [-86, 88], where 2^n stays a normal float32.
//   - sigmoid(x) = 1/(1 + e^-x), with x clamped to [-88, 86]: sigmoid(86) rounds to 1, and
//     below -88, where the true value is under 6.1e-39, the result is sigmoid(-88).
//   - tanh(x): for |x| < 0.625, x + x³·P(x²) with P of degree 4 (fitted to tanh by least
//     squares with relative weights for this code); above, 1 - 2/(e^2|x| + 1), with |x|
//     clamped to 10 (tanh(10) rounds to 1); the sign restored.
//
// TestFastActivationsMatchMath sweeps the float32 range: sigmoid is within 2 ulps and tanh
// within 1 ulp of package math's float64 functions rounded to float32 (sigmoid's results
// below 1e-37 within 6.1e-39 absolute). NaN passes through.

// hasAVX2FMA is cpu.AVX2FMA, a variable so that tests can run the Go fallback on this CPU.
var hasAVX2FMA = cpu.AVX2FMA

//go:noescape
func sigmoidAVX2(p *float32, n int)

//go:noescape
func tanhAVX2(p *float32, n int)

// sigmoidSlice32 replaces every element of v by its sigmoid.
func sigmoidSlice32(v []float32) {
	n := len(v) &^ 7
	if hasAVX2FMA && n > 0 {
		sigmoidAVX2(&v[0], n)
	} else {
		n = 0
	}
	for i := n; i < len(v); i++ {
		v[i] = float32(ActSigmoid.f(float64(v[i])))
	}
}

// tanhSlice32 replaces every element of v by its tanh.
func tanhSlice32(v []float32) {
	n := len(v) &^ 7
	if hasAVX2FMA && n > 0 {
		tanhAVX2(&v[0], n)
	} else {
		n = 0
	}
	for i := n; i < len(v); i++ {
		v[i] = float32(ActTanh.f(float64(v[i])))
	}
}
