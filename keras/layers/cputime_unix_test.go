//go:build unix

package layers_test

import "syscall"

// processCPU is the CPU time, in ms, the process has used (user and system, all threads). On
// a loaded machine it grows only while the process runs, where wall time also counts the
// waits for a core.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
}
