//go:build !amd64 || purego

package optimizers

// adamVector does nothing here; adamStep's pure-Go loop does the whole update.
func adamVector[T float32 | float64](w, g, m, v []T, alpha, omb1, omb2, eps T) int { return 0 }
