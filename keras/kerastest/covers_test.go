package kerastest_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kerago/kerago/keras/kerastest"
)

func TestHasGolden(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"leaky_relu.json", "dense_rank2.json", "averagepooling.txt"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for class, want := range map[string]bool{
		"LeakyReLU": true, "Dense": true, // a name alone, and a name with a variant
		"DenseRank": false, "LeakyRe": false, // not cut at an underscore or the end
		"AveragePooling": false, // not a .json file
		"Add":            false,
	} {
		got, err := kerastest.HasGolden(dir, class)
		if err != nil || got != want {
			t.Errorf("HasGolden(%s) = %v, %v; want %v", class, got, err, want)
		}
	}
}
