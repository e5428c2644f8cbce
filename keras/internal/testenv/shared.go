package testenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// ErrNoData is returned when the shared directory or a file in it cannot be found.
var ErrNoData = errors.New("shared data not found")

// SharedEnv is the environment variable that names the team's shared directory (the one whose
// data/ folder holds the data sets and whose tools/ folder holds the verifiers).
const SharedEnv = "KERAGO_SHARED"

// RequireDataEnv is the environment variable that, set to 1, turns missing shared data from a
// skip into a failure.
const RequireDataEnv = "KERAGO_REQUIRE_DATA"

// SharedDir returns the team's shared directory: $KERAGO_SHARED when it is set, else the first
// directory named "shared" holding a "data" folder beside start or one of its ancestors (for a
// package of the repository, the "shared" directory beside the repository). The error wraps
// ErrNoData.
func SharedDir(start string) (string, error) {
	if d := os.Getenv(SharedEnv); d != "" {
		if !isDir(d) {
			return "", fmt.Errorf("testenv: %w: $%s=%s is not a directory", ErrNoData, SharedEnv, d)
		}
		return d, nil
	}
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", fmt.Errorf("testenv: %w: %v", ErrNoData, err)
	}
	for {
		cand := filepath.Join(dir, "shared")
		if isDir(filepath.Join(cand, "data")) {
			return cand, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("testenv: %w: no shared/data directory beside %s or its ancestors; set $%s", ErrNoData, start, SharedEnv)
		}
		dir = parent
	}
}

// Locate returns the path of rel (e.g. "spamassassin/spamassassin.csv") in dir, which may be
// the shared directory (rel is then looked up in its data/ folder) or the data folder itself.
// The error wraps ErrNoData.
func Locate(dir, rel string) (string, error) {
	for _, p := range []string{filepath.Join(dir, "data", rel), filepath.Join(dir, rel)} {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", fmt.Errorf("testenv: %w: neither %s nor %s exists", ErrNoData, filepath.Join(dir, "data", rel), filepath.Join(dir, rel))
}

// SharedFile returns the path of rel (e.g. "tools/tfevents_check.py") under the shared
// directory that [SharedDir] finds from the working directory. The error wraps ErrNoData.
func SharedFile(rel string) (string, error) {
	dir, err := SharedDir(".")
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
		return "", fmt.Errorf("testenv: %w: no file %s (set $%s)", ErrNoData, p, SharedEnv)
	}
	return p, nil
}

// DataFile returns the path of the data set file rel (e.g. "penguins/penguins_complete.csv")
// in the shared directory's data/ folder, found from the working directory. When it cannot be
// found the test skips, or fails when $KERAGO_REQUIRE_DATA=1.
func DataFile(t testing.TB, rel string) string {
	t.Helper()
	dir, err := SharedDir(".")
	if err == nil {
		var p string
		if p, err = Locate(dir, rel); err == nil {
			return p
		}
	}
	if !errors.Is(err, ErrNoData) || os.Getenv(RequireDataEnv) == "1" {
		t.Fatalf("%v (%s=1 requires the data)", err, RequireDataEnv)
	}
	t.Skipf("%v (set %s; %s=1 makes this a failure)", err, SharedEnv, RequireDataEnv)
	return ""
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
