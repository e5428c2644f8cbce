//go:build !amd64 || purego

package ops

// hasAVX2FMA is false off amd64 (and with the purego tag): the activations run in package
// math's float64, as on amd64 CPUs without AVX2.
const hasAVX2FMA = false

// sigmoidSlice32 replaces every element of v by its sigmoid.
func sigmoidSlice32(v []float32) {
	for i, x := range v {
		v[i] = float32(ActSigmoid.f(float64(x)))
	}
}

// tanhSlice32 replaces every element of v by its tanh.
func tanhSlice32(v []float32) {
	for i, x := range v {
		v[i] = float32(ActTanh.f(float64(x)))
	}
}
