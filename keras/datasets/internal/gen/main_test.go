package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/kerago/kerago/keras/internal/testenv"
)

// TestEmbeddedSubsetIsReproducible remakes the subset from the full corpus and checks that it
// is byte for byte the file package datasets embeds.
func TestEmbeddedSubsetIsReproducible(t *testing.T) {
	src := testenv.DataFile(t, "spamassassin/spamassassin.csv")
	out := filepath.Join(t.TempDir(), "spamassassin.csv.gz")
	if err := generate(src, out, 4000, 1500); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../spamassassin.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the generator made %d bytes that differ from the embedded %d: rerun go generate ./keras/datasets", len(got), len(want))
	}
}

func TestCut(t *testing.T) {
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{{"abc", 5, "abc"}, {"abc", 2, "ab"}, {"aé", 2, "a"}, {"aé", 3, "aé"}} {
		if got := cut(tt.s, tt.n); got != tt.want {
			t.Errorf("cut(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}
