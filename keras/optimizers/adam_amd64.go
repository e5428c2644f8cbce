//go:build amd64 && !purego

package optimizers

import "unsafe"

//go:noescape
func adamAVX32(w, gr, m, v *float32, n int, alpha, omb1, omb2, eps float32)

//go:noescape
func adamAVX64(w, gr, m, v *float64, n int, alpha, omb1, omb2, eps float64)

// adamVector runs Adam's update (without amsgrad) on the longest prefix of w whose length is
// a multiple of the vector width, and returns that length; the caller does the rest. The
// operands have len(w) elements (adamStep checks).
func adamVector[T float32 | float64](w, g, m, v []T, alpha, omb1, omb2, eps T) int {
	if !useAVX {
		return 0
	}
	switch w := any(w).(type) {
	case []float32:
		n := len(w) &^ 7
		if n > 0 {
			adamAVX32(&w[0], (*float32)(unsafe.Pointer(&g[0])), (*float32)(unsafe.Pointer(&m[0])), (*float32)(unsafe.Pointer(&v[0])),
				n, float32(alpha), float32(omb1), float32(omb2), float32(eps))
		}
		return n
	case []float64:
		n := len(w) &^ 3
		if n > 0 {
			adamAVX64(&w[0], (*float64)(unsafe.Pointer(&g[0])), (*float64)(unsafe.Pointer(&m[0])), (*float64)(unsafe.Pointer(&v[0])),
				n, float64(alpha), float64(omb1), float64(omb2), float64(eps))
		}
		return n
	}
	return 0
}
