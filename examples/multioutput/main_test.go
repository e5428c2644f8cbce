package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestRun runs the example briefly (5 epochs) on the embedded penguins.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, options{epochs: 5}); err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	if !strings.Contains(out.String(), "Total params") || !strings.Contains(out.String(), "held-out penguins (67)") {
		t.Errorf("the output lacks the summary or the held-out results:\n%s", out.String())
	}
}
