//go:build !amd64 || purego

package optimizers

// adagradVector does nothing here; adagradStep's pure-Go loop does the whole update.
func adagradVector[T float32 | float64](w, g, acc []T, lr, eps T) int { return 0 }
