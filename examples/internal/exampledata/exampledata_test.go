package exampledata

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a TB that records the first verdict instead of stopping the test.
type recorder struct{ verdict, msg string }

func (r *recorder) Helper() {}
func (r *recorder) Fatal(args ...any) {
	r.record("fatal", fmt.Sprint(args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.record("fatal", fmt.Sprintf(format, args...))
}
func (r *recorder) Skipf(format string, args ...any) { r.record("skip", fmt.Sprintf(format, args...)) }
func (r *recorder) record(verdict, msg string) {
	if r.verdict == "" {
		r.verdict, r.msg = verdict, msg
	}
}

func TestFindAndForTest(t *testing.T) {
	root := t.TempDir()
	shared := filepath.Join(root, "shared")
	deep := filepath.Join(root, "repo", "examples", "x")
	for _, d := range []string{filepath.Join(shared, "data", "set"), deep} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(shared, "data", "set", "f.csv")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{shared, filepath.Join(shared, "data")} {
		if got, err := Find(dir, "set/f.csv"); err != nil || got != file {
			t.Errorf("Find(%s) = %q, %v; want %q", dir, got, err, file)
		}
	}
	if _, err := Find(shared, "set/none.csv"); err == nil || !strings.Contains(err.Error(), "pass -data") {
		t.Errorf("Find of a missing file: %v, want an error telling to pass -data", err)
	}

	t.Chdir(deep)
	tests := []struct {
		name, shared, require, rel string
		verdict, want              string // want: the directory, or a part of the message
	}{
		{"found beside an ancestor", "", "", "set/f.csv", "", shared},
		{"from $KERAGO_SHARED", shared, "1", "set/f.csv", "", shared},
		{"missing skips", shared, "", "set/none.csv", "skip", "KERAGO_REQUIRE_DATA=1 makes this a failure"},
		{"missing required", shared, "1", "set/none.csv", "fatal", "KERAGO_REQUIRE_DATA=1 requires the data"},
		{"no shared directory", filepath.Join(root, "nowhere"), "", "set/f.csv", "skip", "no set/f.csv under"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KERAGO_SHARED", tt.shared)
			t.Setenv("KERAGO_REQUIRE_DATA", tt.require)
			var r recorder
			got := ForTest(&r, tt.rel)
			if r.verdict != tt.verdict {
				t.Fatalf("verdict %q (%s), want %q", r.verdict, r.msg, tt.verdict)
			}
			if tt.verdict == "" && got != tt.want {
				t.Errorf("ForTest = %q, want %q", got, tt.want)
			}
			if tt.verdict != "" && !strings.Contains(r.msg, tt.want) {
				t.Errorf("message %q lacks %q", r.msg, tt.want)
			}
		})
	}
}
