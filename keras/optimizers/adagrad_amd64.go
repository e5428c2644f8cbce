//go:build amd64 && !purego

package optimizers

import "unsafe"

//go:noescape
func adagradAVX32(w, gr, acc *float32, n int, lr, eps float32)

//go:noescape
func adagradAVX64(w, gr, acc *float64, n int, lr, eps float64)

// adagradVector runs Adagrad's update on the longest prefix of w whose length is a multiple
// of the vector width, and returns that length; the caller does the rest. The operands have
// len(w) elements (adagradStep checks).
func adagradVector[T float32 | float64](w, g, acc []T, lr, eps T) int {
	if !useAVX {
		return 0
	}
	switch w := any(w).(type) {
	case []float32:
		n := len(w) &^ 7
		if n > 0 {
			adagradAVX32(&w[0], (*float32)(unsafe.Pointer(&g[0])), (*float32)(unsafe.Pointer(&acc[0])),
				n, float32(lr), float32(eps))
		}
		return n
	case []float64:
		n := len(w) &^ 3
		if n > 0 {
			adagradAVX64(&w[0], (*float64)(unsafe.Pointer(&g[0])), (*float64)(unsafe.Pointer(&acc[0])),
				n, float64(lr), float64(eps))
		}
		return n
	}
	return 0
}
