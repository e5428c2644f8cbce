package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kerago/kerago/examples/internal/exampledata"
)

// TestRun runs the example briefly on the SpamAssassin corpus.
func TestRun(t *testing.T) {
	dir := exampledata.ForTest(t, "spamassassin/spamassassin.csv")
	var out bytes.Buffer
	if err := run(&out, dir, 1, 300, 0); err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	if !strings.Contains(out.String(), "Total params") || !strings.Contains(out.String(), "held-out e-mails: loss") {
		t.Errorf("the output lacks the summary or the held-out results:\n%s", out.String())
	}
}
