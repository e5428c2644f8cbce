package main

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"
)

// TestRun trains the classifier for 5 epochs and checks that the encoder counts once inside
// it (2,608 + 170 parameters) and that training the classifier improved the encoder's own
// features, measured by using the encoder alone.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, options{epochs: 5}); err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	for _, want := range []string{`Model: "encoder"`, "Total params: 2,608", `Model: "classifier"`, "Total params: 2,778", "encoder (Functional)"} {
		if !bytes.Contains(out.Bytes(), []byte(want)) {
			t.Errorf("the output lacks %q", want)
		}
	}
	acc := func(label string) float64 {
		m := regexp.MustCompile(label + `: +accuracy ([0-9.]+)`).FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("no %q line", label)
		}
		v, _ := strconv.ParseFloat(m[1], 64)
		return v
	}
	if before, after := acc("before training the classifier"), acc("after training the classifier"); after <= before {
		t.Errorf("the encoder's features scored %.4f before training the classifier and %.4f after", before, after)
	}
}
