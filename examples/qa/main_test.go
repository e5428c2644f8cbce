package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedDir finds the team's shared directory as the project's tests do: $KERAGO_SHARED, else
// a "shared" directory holding "data" beside this directory or one of its ancestors. Without
// it, or without rel in it, the test skips, unless KERAGO_REQUIRE_DATA=1.
func sharedDir(t *testing.T, rel string) string {
	t.Helper()
	dir := os.Getenv("KERAGO_SHARED")
	if dir == "" {
		d, err := filepath.Abs(".")
		if err != nil {
			t.Fatal(err)
		}
		for dir == "" {
			if st, err := os.Stat(filepath.Join(d, "shared", "data")); err == nil && st.IsDir() {
				dir = filepath.Join(d, "shared")
			} else if parent := filepath.Dir(d); parent != d {
				d = parent
			} else {
				dir = "(none)"
			}
		}
	}
	_, err := findFile(dir, rel)
	if err == nil {
		return dir
	}
	if os.Getenv("KERAGO_REQUIRE_DATA") == "1" {
		t.Fatalf("%v (set KERAGO_SHARED; KERAGO_REQUIRE_DATA=1 requires the data)", err)
	}
	t.Skipf("%v (set KERAGO_SHARED; KERAGO_REQUIRE_DATA=1 makes this a failure)", err)
	return ""
}

// TestRun runs the example briefly on the SpamAssassin corpus.
func TestRun(t *testing.T) {
	dir := sharedDir(t, "spamassassin/spamassassin.csv")
	var out bytes.Buffer
	if err := run(&out, dir, 1, 300, 0); err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	if !strings.Contains(out.String(), "Total params") || !strings.Contains(out.String(), "held-out e-mails: loss") {
		t.Errorf("the output lacks the summary or the held-out results:\n%s", out.String())
	}
}
