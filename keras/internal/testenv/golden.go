package testenv

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// ReadJSON decodes the JSON file path (slash-separated or in the OS's form) into v. It fails
// the test when the file cannot be read or decoded, saying how to regenerate it (e.g.
// "testdata/conv_golden.py").
func ReadJSON(t testing.TB, path string, v any, regenerate string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.FromSlash(path))
	if err != nil {
		t.Fatalf("reading %s: %v (regenerate with %s)", path, err, regenerate)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v (regenerate with %s)", path, err, regenerate)
	}
}

// GoldenCases returns the "cases" array of the golden JSON file path, decoded as []C. It fails
// the test as [ReadJSON] does, and when the file holds fewer than atLeast cases (a truncated
// or wrongly regenerated file).
func GoldenCases[C any](t testing.TB, path string, atLeast int, regenerate string) []C {
	t.Helper()
	var g struct {
		Cases []C `json:"cases"`
	}
	ReadJSON(t, path, &g, regenerate)
	if len(g.Cases) < atLeast {
		t.Fatalf("%s: only %d cases, want at least %d (regenerate with %s)", path, len(g.Cases), atLeast, regenerate)
	}
	return g.Cases
}
