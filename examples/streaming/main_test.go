package main

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"
)

// TestRun trains from CSV shards on disk for 3 epochs and checks that the held-out
// accuracy, evaluated from a stream too, already beats the most-common-digit baseline.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, options{epochs: 3, shards: 5}); err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	m := regexp.MustCompile(`held-out digits \(360\): loss [0-9.]+, accuracy ([0-9.]+); always answering the most common digit: ([0-9.]+)`).
		FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no held-out line in the output:\n%s", out.String())
	}
	acc, _ := strconv.ParseFloat(m[1], 64)
	base, _ := strconv.ParseFloat(m[2], 64)
	if acc < base+0.3 {
		t.Errorf("accuracy %.4f after 3 epochs, want 0.3 above the baseline %.4f", acc, base)
	}
}
