//go:build amd64 && !purego

package optimizers

import "unsafe"

//go:noescape
func rmspropAVX32(w, gr, v *float32, n int, lr, rho, omr, eps float32)

//go:noescape
func rmspropAVX64(w, gr, v *float64, n int, lr, rho, omr, eps float64)

// rmspropVector runs RMSprop's plain update (no momentum, not centered) on the longest prefix
// of w whose length is a multiple of the vector width, and returns that length; the caller
// does the rest. The operands have len(w) elements (rmspropStep checks).
func rmspropVector[T float32 | float64](w, g, v []T, lr, rho, omr, eps T) int {
	if !useAVX {
		return 0
	}
	switch w := any(w).(type) {
	case []float32:
		n := len(w) &^ 7
		if n > 0 {
			rmspropAVX32(&w[0], (*float32)(unsafe.Pointer(&g[0])), (*float32)(unsafe.Pointer(&v[0])),
				n, float32(lr), float32(rho), float32(omr), float32(eps))
		}
		return n
	case []float64:
		n := len(w) &^ 3
		if n > 0 {
			rmspropAVX64(&w[0], (*float64)(unsafe.Pointer(&g[0])), (*float64)(unsafe.Pointer(&v[0])),
				n, float64(lr), float64(rho), float64(omr), float64(eps))
		}
		return n
	}
	return 0
}
