package main

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"
)

// TestRun runs the example briefly on the embedded e-mails: one epoch on 300 of them.
func TestRun(t *testing.T) {
	t.Setenv("KERAGO_DATA", "") // the embedded e-mails, as on a fresh clone
	var out bytes.Buffer
	if err := run(&out, options{epochs: 1, nTrain: 300}); err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	m := regexp.MustCompile(`held-out e-mails \(800\): loss ([0-9.]+), accuracy ([0-9.]+); always answering the majority class: ([0-9.]+)`).
		FindStringSubmatch(out.String())
	if m == nil || !bytes.Contains(out.Bytes(), []byte("Total params")) {
		t.Fatalf("the output lacks the summary or the held-out results:\n%s", out.String())
	}
	if acc, _ := strconv.ParseFloat(m[2], 64); acc <= 0 || acc > 1 {
		t.Errorf("accuracy %v is not in (0, 1]", acc)
	}
}
