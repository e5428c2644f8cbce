package keras_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

const canLimitAddressSpace = true

// limitAddressSpace sets RLIMIT_AS to the current address-space size plus headroom (the Go
// runtime, and the race detector more so, has reserved much already, so a fixed limit would
// be fragile).
func limitAddressSpace(headroom uint64) error {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmSize:" {
			kb, err := strconv.ParseUint(f[1], 10, 64)
			if err != nil {
				return err
			}
			lim := kb<<10 + headroom
			return syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: lim, Max: lim})
		}
	}
	return fmt.Errorf("no VmSize in /proc/self/status")
}
