package main

import (
	"strings"
	"testing"
)

func TestParseGoBench(t *testing.T) {
	out := []byte(`goos: linux
BenchmarkSeed/mlp-2         	       3	  22393914 ns/op	        15.22 heap-MB	        29.15 rss-MB	 2471106 B/op	    1828 allocs/op
BenchmarkSeed/mlp_b1-2         	       3	  1000 ns/op	        15.22 heap-MB	        29.15 rss-MB	 2471106 B/op	    1828 allocs/op
PASS
`)
	s, err := parseGoBench(out, "mlp")
	if err != nil {
		t.Fatal(err)
	}
	if s.ms != 22.393914 || s.rssMB != 29.15 || s.allocs != 1828 || s.bytes != 2471106 {
		t.Fatalf("parsed %+v", s)
	}
	if _, err := parseGoBench(out, "qa"); err == nil || !strings.Contains(err.Error(), "BenchmarkSeed/qa") {
		t.Fatalf("a missing benchmark gave %v", err)
	}
}

func TestParsePyResult(t *testing.T) {
	s, err := parsePyResult([]byte("some log line\n{\"model\": \"mlp\", \"ms_per_step\": 2.5, \"peak_rss_mb\": 390.1}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.ms != 2.5 || s.rssMB != 390.1 || s.allocs != -1 {
		t.Fatalf("parsed %+v", s)
	}
	if _, err := parsePyResult([]byte("Traceback ...\n")); err == nil {
		t.Fatal("no error for output without a result")
	}
}

func TestTable(t *testing.T) {
	r := newResults()
	for _, ms := range []float64{10, 30, 20} {
		r.add("kerago", "mlp", sample{ms: ms, rssMB: 30, allocs: 100, bytes: 1 << 20})
	}
	for _, ms := range []float64{4, 5, 20} { // per-round ratios 2.5, 6, 1: median 2.5
		r.add("PyTorch", "mlp", sample{ms: ms, rssMB: 250, allocs: -1, bytes: -1})
	}
	got := r.table([]string{"kerago", "PyTorch"}, []string{"mlp", "qa"})
	for _, want := range []string{
		"| model | kerago ms | PyTorch ms | kerago ÷ PyTorch |",
		"| mlp | 20.0 | 5.00 | 2.50x |", // medians of 10, 30, 20 and 4, 5, 20; ratio of the pairs
		"| qa | — | — | — |",
		"| mlp | 100 | 1.00 | 30.0 | 250 |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
}
