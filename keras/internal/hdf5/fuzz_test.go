package hdf5

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fuzzSeeds returns valid files: trees written by this package and the
// h5py-written golden files.
func fuzzSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	small := NewFile()
	g, _ := small.Root.CreateGroup("layers/dense/vars")
	g.CreateDataset("0", []int{2, 2}, []float32{1, 2, 3, 4})
	g.SetAttr("name", "dense")
	small.Root.SetAttr("names", FixedStrings{"a", "bc"})
	if b, err := small.Bytes(); err == nil {
		seeds = append(seeds, b)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "h5py", "*.h5"))
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	return seeds
}

// checkRead reads b and, if that succeeds, walks the whole tree.
func checkRead(t *testing.T, b []byte) {
	f, err := Read(bytes.NewReader(b), int64(len(b)))
	if errors.Is(err, errInternal) {
		t.Fatalf("Read panicked: %v", err)
	}
	if err != nil {
		if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrUnsupported) {
			t.Fatalf("error wraps neither ErrFormat nor ErrUnsupported: %v", err)
		}
		return
	}
	seen := map[*Group]bool{}
	var walk func(g *Group)
	walk = func(g *Group) {
		if seen[g] {
			return
		}
		seen[g] = true
		g.Attrs()
		for _, d := range g.Datasets() {
			d.Value()
			d.Float64s()
		}
		for _, c := range g.Groups() {
			walk(c)
		}
	}
	walk(f.Root)
}

func FuzzRead(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
		for _, n := range []int{8, 100, len(s) / 2, len(s) - 1} {
			if n > 0 && n < len(s) {
				f.Add(s[:n])
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		// A hang is a bug too: crash the worker so the fuzzer saves the input.
		tm := time.AfterFunc(10*time.Second, func() { panic("hdf5: Read took over 10s") })
		defer tm.Stop()
		checkRead(t, b)
	})
}

// TestTruncated reads every prefix of a small file: all must fail cleanly or
// succeed, never panic.
func TestTruncated(t *testing.T) {
	for _, s := range fuzzSeeds(t)[:1] {
		for n := 0; n < len(s); n++ {
			if _, err := Read(bytes.NewReader(s[:n]), int64(n)); err == nil && n < 96 {
				t.Errorf("a %d-byte prefix read without error", n)
			}
		}
	}
}

// TestCorrupted flips bytes all over the seed files.
func TestCorrupted(t *testing.T) {
	t.Parallel()
	for _, s := range fuzzSeeds(t) {
		step := max(len(s)/300, 1)
		for i := 0; i < len(s); i += step {
			b := append([]byte(nil), s...)
			b[i] ^= 0xFF
			checkRead(t, b)
		}
	}
}
