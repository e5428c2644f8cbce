package hdf5

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestDeepGroupsShortError checks that groups nested beyond maxGroupDepth give one short
// error, not one that repeats every group on the path (it ran to 14 KB for 250 nested
// models).
func TestDeepGroupsShortError(t *testing.T) {
	t.Parallel()
	f := NewFile()
	g := f.Root
	for range maxGroupDepth + 8 {
		var err error
		if g, err = g.CreateGroup("layers_with_a_long_name"); err != nil {
			t.Fatal(err)
		}
	}
	b := must(f.Bytes())
	_, err := Read(bytes.NewReader(b), int64(len(b)))
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "nested deeper than 512") || len(err.Error()) > 200 {
		t.Fatalf("got %d bytes: %.300v", len(err.Error()), err)
	}
}

// TestReadLimit checks that ReadLimit refuses a dataset larger than its budget before
// decoding it, and that Read's default budget reads it.
func TestReadLimit(t *testing.T) {
	t.Parallel()
	f := NewFile()
	if _, err := f.Root.CreateDataset("w", []int{256, 256}, make([]float32, 256*256)); err != nil {
		t.Fatal(err)
	}
	b := must(f.Bytes())
	if _, err := Read(bytes.NewReader(b), int64(len(b))); err != nil {
		t.Fatal(err)
	}
	_, err := ReadLimit(bytes.NewReader(b), int64(len(b)), 1<<16)
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "declared data size 262144") {
		t.Fatalf("got %v, want the 262144-byte dataset refused", err)
	}
}
