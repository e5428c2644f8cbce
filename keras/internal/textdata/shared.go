package textdata

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrNoData is returned when the shared data directory or a file in it cannot be found.
var ErrNoData = errors.New("shared data not found")

// SharedEnv is the environment variable that names the team's shared directory (the one whose
// data/ folder holds the data sets).
const SharedEnv = "KERAGO_SHARED"

// SharedDir returns the team's shared directory: $KERAGO_SHARED when it is set, else the first
// directory named "shared" holding a "data" folder beside start or one of its ancestors (for a
// package of the repository, the "shared" directory beside the repository). The error wraps
// ErrNoData.
func SharedDir(start string) (string, error) {
	if d := os.Getenv(SharedEnv); d != "" {
		if !isDir(d) {
			return "", fmt.Errorf("textdata: %w: $%s=%s is not a directory", ErrNoData, SharedEnv, d)
		}
		return d, nil
	}
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", fmt.Errorf("textdata: %w: %v", ErrNoData, err)
	}
	for {
		cand := filepath.Join(dir, "shared")
		if isDir(filepath.Join(cand, "data")) {
			return cand, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("textdata: %w: no shared/data directory beside %s or its ancestors; set $%s", ErrNoData, start, SharedEnv)
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
	return "", fmt.Errorf("textdata: %w: neither %s nor %s exists", ErrNoData, filepath.Join(dir, "data", rel), filepath.Join(dir, rel))
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
