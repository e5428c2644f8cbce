package testenv

import (
	"runtime"
	"testing"
)

// TestPeakRSS checks that the peak resident set ReportMemory reports is read and grows when
// the process touches 64 MB more.
func TestPeakRSS(t *testing.T) {
	before, ok := peakRSSKB()
	if !ok {
		if runtime.GOOS == "linux" {
			t.Fatal("VmHWM not found in /proc/self/status")
		}
		t.Skip("no /proc/self/status")
	}
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	after, _ := peakRSSKB()
	if after < before+48<<10 {
		t.Fatalf("peak RSS went from %d kB to %d kB after touching 64 MB", before, after)
	}
	runtime.KeepAlive(buf)
}
