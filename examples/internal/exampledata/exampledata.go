// Package exampledata finds the data sets of kerago's examples in the team's shared directory,
// for the examples' commands and their tests. (The examples cannot import kerago's
// keras/internal packages, so this is their own.)
package exampledata

import (
	"fmt"
	"os"
	"path/filepath"
)

// Find returns dir/data/rel or dir/rel, whichever exists: dir may be the team's shared
// directory or its data folder. The error tells how to pass the directory (flag -data).
func Find(dir, rel string) (string, error) {
	for _, p := range []string{filepath.Join(dir, "data", rel), filepath.Join(dir, rel)} {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", fmt.Errorf("no %s under %s (pass -data, the directory holding data/%s)", rel, dir, rel)
}

// TB is the part of testing.TB that [ForTest] uses.
type TB interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
}

// ForTest returns the shared directory holding the data set file rel, for an example's test:
// $KERAGO_SHARED, else a "shared" directory holding "data" beside the working directory or
// one of its ancestors. Without it, or without rel in it, the test skips, unless
// KERAGO_REQUIRE_DATA=1, when it fails.
func ForTest(t TB, rel string) string {
	t.Helper()
	dir := os.Getenv("KERAGO_SHARED")
	if dir == "" {
		d, err := filepath.Abs(".")
		if err != nil {
			t.Fatal(err)
		}
		for dir = "(none)"; ; d = filepath.Dir(d) {
			if st, err := os.Stat(filepath.Join(d, "shared", "data")); err == nil && st.IsDir() {
				dir = filepath.Join(d, "shared")
				break
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	_, err := Find(dir, rel)
	if err == nil {
		return dir
	}
	if os.Getenv("KERAGO_REQUIRE_DATA") == "1" {
		t.Fatalf("%v (set KERAGO_SHARED; KERAGO_REQUIRE_DATA=1 requires the data)", err)
	}
	t.Skipf("%v (set KERAGO_SHARED; KERAGO_REQUIRE_DATA=1 makes this a failure)", err)
	return ""
}
