package hdf5

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras/internal/testenv"
)

// TestReadH5pyFiles writes files in many layouts with h5py
// (testdata/h5write.py), reads them, and compares the result with what h5py
// itself reports (testdata/h5dump.py).
func TestReadH5pyFiles(t *testing.T) {
	t.Parallel()
	py := requirePython(t)
	dir := t.TempDir()
	testenv.PythonOutput(t, py, filepath.Join("testdata", "h5write.py"), dir)
	files, err := filepath.Glob(filepath.Join(dir, "*.h5"))
	if err != nil || len(files) == 0 {
		t.Fatalf("h5write.py wrote no files: %v", err)
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".h5")
		t.Run(name, func(t *testing.T) {
			want := h5pyDump(t, py, path)
			f, err := Open(path)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			compareWithH5py(t, f.Root, want, false)
		})
	}
}

// TestH5pyReadsWrittenFiles writes trees with this package and checks that
// h5py reads back exactly what was written.
func TestH5pyReadsWrittenFiles(t *testing.T) {
	t.Parallel()
	py := requirePython(t)
	for name, build := range testTrees() {
		t.Run(name, func(t *testing.T) {
			f := build(t)
			path := filepath.Join(t.TempDir(), name+".h5")
			if err := f.Save(path); err != nil {
				t.Fatalf("Save: %v", err)
			}
			compareWithH5py(t, f.Root, h5pyDump(t, py, path), true)
		})
	}
}

var updateGolden = flag.Bool("update", false, "regenerate testdata/h5py with h5py")

// TestGoldenH5pyFiles reads small h5py-written files kept in testdata/h5py
// and compares them with h5py's dumps saved beside them. It needs no Python.
func TestGoldenH5pyFiles(t *testing.T) {
	dir := filepath.Join("testdata", "h5py")
	if *updateGolden {
		py := requirePython(t)
		testenv.PythonOutput(t, py, filepath.Join("testdata", "h5write.py"), dir, "golden")
		files, _ := filepath.Glob(filepath.Join(dir, "*.h5"))
		for _, path := range files {
			out := testenv.PythonOutput(t, py, filepath.Join("testdata", "h5dump.py"), path)
			if err := os.WriteFile(strings.TrimSuffix(path, ".h5")+".json", out, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.h5"))
	if len(files) == 0 {
		t.Fatal("no golden files in testdata/h5py")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			b, err := os.ReadFile(strings.TrimSuffix(path, ".h5") + ".json")
			if err != nil {
				t.Fatal(err)
			}
			f, err := Open(path)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			compareWithH5py(t, f.Root, decodeDump(t, b), false)
		})
	}
}
