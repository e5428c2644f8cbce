package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestRun trains both graphs for one epoch on 200 digits and checks the summary shows the
// branches joined by Concatenate and the shortcut joined by Add.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, options{epochs: 1, nTrain: 200}); err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	for _, want := range []string{"(Concatenate)", "(Add)", "(None, 4, 4, 24)", "Total params: 32,194",
		"trained on 200 digits", "without the residual shortcuts: accuracy", "most common digit:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output lacks %q", want)
		}
	}
}
