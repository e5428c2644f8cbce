//go:build !amd64 || purego

package optimizers

// rmspropVector does nothing here; rmspropStep's pure-Go loop does the whole update.
func rmspropVector[T float32 | float64](w, g, v []T, lr, rho, omr, eps T) int { return 0 }
