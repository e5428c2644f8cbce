package main

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
)

// TestRun sets a low target, so the callback must stop training well before the 30 epochs
// asked for, and the History must hold the callback's key for every epoch run.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, options{epochs: 30, target: 0.5}); err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	m := regexp.MustCompile(`stopped training after epoch (\d+) of 30\nHistory has the callback's key: (\d+) epoch_seconds values`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("the callback did not stop training, or History lacks its key:\n%s", out.String())
	}
	if m[1] != m[2] {
		t.Errorf("stopped after epoch %s but History has %s epoch_seconds values", m[1], m[2])
	}
}

// TestMissingKey checks that the callback fails clearly when the watched key is absent.
func TestMissingKey(t *testing.T) {
	c := &targetAccuracy{w: io.Discard, monitor: "val_acc", target: 0.9}
	err := c.OnEpochEnd(0, keras.Logs{"loss": 1, "acc": 0.5})
	if err == nil || !strings.Contains(err.Error(), `no "val_acc" in the epoch logs`) {
		t.Errorf("error %v, want one naming the missing key", err)
	}
}
