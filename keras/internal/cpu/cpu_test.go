package cpu

import (
	"os"
	"runtime"
	"strings"
	"testing"
)

// TestAVX2FMAMatchesKernel compares the CPUID answer with the flags the Linux kernel reports
// for the same CPU in /proc/cpuinfo: avx2 and fma both present (the kernel lists them only
// when it saves the YMM state).
func TestAVX2FMAMatchesKernel(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("/proc/cpuinfo flags are checked on linux/amd64 only")
	}
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skipf("no /proc/cpuinfo: %v", err)
	}
	var flags []string
	for line := range strings.Lines(string(b)) {
		if name, val, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "flags" {
			flags = strings.Fields(val)
			break
		}
	}
	if flags == nil {
		t.Skip("/proc/cpuinfo has no flags line")
	}
	has := func(f string) bool {
		for _, x := range flags {
			if x == f {
				return true
			}
		}
		return false
	}
	want := has("avx2") && has("fma")
	if isPurego {
		want = false
	}
	if AVX2FMA != want {
		t.Errorf("AVX2FMA = %v, /proc/cpuinfo flags say avx2 %v, fma %v (purego %v)", AVX2FMA, has("avx2"), has("fma"), isPurego)
	}
}
