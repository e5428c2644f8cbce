package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestRun trains both pair models for 2 epochs on 300 digits and checks that the shared
// encoder's weights count once: the shared model has 3 weight pairs (encoder, hidden, output)
// and 4,193 parameters, the one with two encoders 2,080 more (64·32 + 32).
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, options{epochs: 2, nTrain: 300}); err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	for _, want := range []string{"Total params: 4,193", "the model has 6 weight tensors",
		"trained on 600 pairs of 300 digits", "(4193 parameters)", "(6273 parameters)", "pairs of unseen digits (720)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output lacks %q", want)
		}
	}
}
