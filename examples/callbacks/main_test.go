package main

import (
	"bytes"
	"regexp"
	"testing"
)

// TestRun runs both trainings briefly and checks that each callback reports, and that the
// checkpoint that loads back scores the best val_loss it was saved at.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, options{epochs: 6, more: 4}); err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	for _, want := range []string{"EarlyStopping: ", "ModelCheckpoint: saved my_model.keras", "ReduceLROnPlateau: learning rate", "scores val_acc"} {
		if !bytes.Contains(out.Bytes(), []byte(want)) {
			t.Errorf("the output lacks %q", want)
		}
	}
	m := regexp.MustCompile(`the best model \(val_loss ([0-9.]+)\) loads back from my_model.keras and scores val_loss ([0-9.]+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatal("the output lacks the reloaded checkpoint's score")
	}
	if m[1] != m[2] {
		t.Errorf("the checkpoint saved at val_loss %s scores %s after loading", m[1], m[2])
	}
}
