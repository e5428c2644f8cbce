package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRun trains for 2 epochs into a temporary log directory and checks that both runs hold
// an event file with data in it, and that the output says how to open them.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(&out, options{logDir: dir, epochs: 2, updateFreq: "epoch", histogramFreq: 1}); err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	for _, r := range []string{"train", "validation"} {
		files, err := filepath.Glob(filepath.Join(dir, r, "events.out.tfevents.*"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no event file in %s (%v)", filepath.Join(dir, r), err)
		}
		st, err := os.Stat(files[0])
		if err != nil || st.Size() < 100 {
			t.Errorf("event file %s is empty or missing (%v)", files[0], err)
		}
	}
	if !strings.Contains(out.String(), "tensorboard --logdir "+dir) {
		t.Errorf("the output does not tell how to open the logs:\n%s", out.String())
	}
}
