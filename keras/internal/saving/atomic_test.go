package saving

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWriteFileAtomic checks that a write failing midway (after part of the file was
// written) leaves the earlier file intact and no temporary file, and that a complete write
// replaces it.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.keras")
	if err := os.WriteFile(path, []byte("earlier"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk full")
	for _, tc := range []struct {
		name  string
		write func(io.Writer) error
		err   error
		want  string
	}{
		{"fails midway", func(w io.Writer) error {
			if _, err := w.Write(bytes.Repeat([]byte("x"), 1<<16)); err != nil {
				return err
			}
			return boom
		}, boom, "earlier"},
		{"fails at once", func(io.Writer) error { return boom }, boom, "earlier"},
		{"succeeds", func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }, nil, "new"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := WriteFileAtomic(path, tc.write)
			if !errors.Is(err, tc.err) {
				t.Fatalf("got %v, want %v", err, tc.err)
			}
			b, err := os.ReadFile(path)
			if err != nil || string(b) != tc.want {
				t.Errorf("file holds %q (%v), want %q", b, err, tc.want)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.Contains(e.Name(), ".tmp-") {
					t.Errorf("temporary file %s left behind", e.Name())
				}
			}
		})
	}
}

// TestStaleTempsRemoved checks that a save removes the temporary files that interrupted
// saves (a process killed while saving) left in its directory once they are older than
// StaleTempAge, and nothing else: not a fresh one (a save in progress) and no file of
// another name.
func TestStaleTempsRemoved(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-StaleTempAge - time.Minute)
	files := map[string]bool{ // name: whether the save removes it
		".m.keras.tmp-1234567890":      true,
		".other.h5.tmp-42":             true,
		".w.weights.h5.tmp-7":          true,
		".m.keras.tmp-99 fresh":        false, // not our pattern (and fresh below)
		".m.keras.tmp-":                false,
		".m.keras.tmp-12ab":            false,
		"m.keras.tmp-123":              false, // no leading dot
		".notes.txt.tmp-123":           false, // not a model file
		".m.keras.tmp-555-user-backup": false,
	}
	for name := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(filepath.Join(dir, name), old, old); err != nil {
			t.Fatal(err)
		}
	}
	fresh := ".m.keras.tmp-31337"
	files[fresh] = false
	if err := os.WriteFile(filepath.Join(dir, fresh), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "m.keras"), func(w io.Writer) error {
		_, err := w.Write([]byte("model"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for name, removed := range files {
		_, err := os.Stat(filepath.Join(dir, name))
		if gone := errors.Is(err, os.ErrNotExist); gone != removed {
			t.Errorf("%q: removed=%v, want %v", name, gone, removed)
		}
	}
}
