package hdf5

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// toSuperblockV1 rewrites a file from the writer (version 0 superblock) with
// a version 1 superblock, which has 4 more bytes (the chunk B-tree K).
func toSuperblockV1(orig []byte) []byte {
	b := append([]byte(nil), orig...)
	rootEntry := append([]byte(nil), orig[56:96]...)
	sb := b[:100]
	clear(sb)
	copy(sb, signature)
	sb[8] = 1
	sb[13], sb[14] = 8, 8
	binary.LittleEndian.PutUint16(sb[16:], groupLeafK)
	binary.LittleEndian.PutUint16(sb[18:], groupInternalK)
	binary.LittleEndian.PutUint16(sb[24:], 64) // indexed storage K
	binary.LittleEndian.PutUint64(sb[28:], 0)  // base address
	binary.LittleEndian.PutUint64(sb[36:], undefAddr)
	binary.LittleEndian.PutUint64(sb[44:], uint64(len(b)))
	binary.LittleEndian.PutUint64(sb[52:], undefAddr)
	copy(sb[60:], rootEntry)
	return b
}

func TestSuperblockV1(t *testing.T) {
	t.Parallel()
	f := testTrees()["keras3_weights"](t)
	b := toSuperblockV1(must(f.Bytes()))
	got, err := Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	sameTree(t, "", got.Root, sortedTree(f.Root))

	py := requirePython(t)
	path := filepath.Join(t.TempDir(), "v1.h5")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	compareWithH5py(t, f.Root, h5pyDump(t, py, path), true)
}

func TestReadErrors(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":     {},
		"not hdf5":  []byte("PK\x03\x04 this is a zip file, not HDF5"),
		"signature": signature,
	} {
		if _, err := Read(bytes.NewReader(b), int64(len(b))); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: got %v, want ErrFormat", name, err)
		}
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing.h5")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open of a missing file: %v", err)
	}
}

func TestUnsupportedDatasetIsListed(t *testing.T) {
	f, err := Open(filepath.Join("testdata", "h5py", "default.h5"))
	if err != nil {
		t.Fatal(err)
	}
	d, ok := f.Root.Dataset("types/unsupported_compound")
	if !ok {
		t.Fatal("dataset of a compound type not listed")
	}
	if len(d.Shape) != 1 || d.Shape[0] != 2 || d.DType.Class != Unsupported {
		t.Errorf("shape %v type %v", d.Shape, d.DType)
	}
	if _, err := d.Float32s(); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Float32s: %v, want ErrUnsupported", err)
	}
}
