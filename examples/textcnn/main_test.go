package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestRun trains the text CNN for one epoch on 200 embedded e-mails and checks that the
// summary and a held-out line per head come out.
func TestRun(t *testing.T) {
	t.Setenv("KERAGO_DATA", "") // the embedded e-mails, as on a fresh clone
	var out bytes.Buffer
	if err := run(&out, options{epochs: 1, nTrain: 200}); err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	for _, want := range []string{"Total params: 48,503", "(Conv1D)", "(GlobalMaxPooling1D)", "training on 200 e-mails",
		"held-out e-mails (800):", "  length  mse ", "  group   accuracy ", "  spam    accuracy "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output lacks %q", want)
		}
	}
}
