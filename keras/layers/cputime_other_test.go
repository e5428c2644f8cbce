//go:build !unix

package layers_test

// processCPU is 0 where getrusage is not available: the CPU figures are then 0.
func processCPU() float64 { return 0 }
