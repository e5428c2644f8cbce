package testenv

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// ReportMemory adds two memory figures to a benchmark's result line, next to -benchmem's
// per-operation allocations:
//
//	heap-MB  the Go heap's high-water mark as the runtime holds it (MemStats.HeapSys: the
//	         heap memory obtained from the OS, which the runtime returns only lazily)
//	rss-MB   the process's peak resident set (VmHWM from /proc/self/status; Linux only,
//	         omitted elsewhere), which includes cgo allocations such as OpenBLAS's buffers
//
// Both are for the whole process, so run one benchmark per process to attribute them (the
// bench/ driver does).
func ReportMemory(b *testing.B) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heap-MB")
	if kb, ok := peakRSSKB(); ok {
		b.ReportMetric(float64(kb)/1024, "rss-MB")
	}
}

// peakRSSKB reads VmHWM, in kB, from /proc/self/status.
func peakRSSKB() (int64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb, err == nil
		}
	}
	return 0, false
}
