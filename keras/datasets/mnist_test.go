package datasets

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras/internal/testenv"
)

// writeIDX writes a gzip IDX file of unsigned bytes with the given dimensions and data, cut to
// its first keep bytes when keep >= 0.
func writeIDX(t *testing.T, path string, dims []uint32, data []byte, keep int) {
	t.Helper()
	var raw bytes.Buffer
	raw.Write([]byte{0, 0, 8, byte(len(dims))})
	for _, d := range dims {
		if err := binary.Write(&raw, binary.BigEndian, d); err != nil {
			t.Fatal(err)
		}
	}
	raw.Write(data)
	b := raw.Bytes()
	if keep >= 0 {
		b = b[:keep]
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, z.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fakeMNIST writes the four files with n training and n test images of 2×3 pixels into dir.
func fakeMNIST(t *testing.T, dir string, n int) {
	t.Helper()
	pixels := make([]byte, n*6)
	labels := make([]byte, n)
	for i := range pixels {
		pixels[i] = byte(i * 7)
	}
	for i := range labels {
		labels[i] = byte(i % 10)
	}
	for _, pre := range []string{"train", "t10k"} {
		writeIDX(t, filepath.Join(dir, pre+"-images-idx3-ubyte.gz"), []uint32{uint32(n), 2, 3}, pixels, -1)
		writeIDX(t, filepath.Join(dir, pre+"-labels-idx1-ubyte.gz"), []uint32{uint32(n)}, labels, -1)
	}
}

func TestLoadMNISTFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "mnist"), 0o755); err != nil {
		t.Fatal(err)
	}
	fakeMNIST(t, filepath.Join(dir, "mnist"), 4)
	xTrain, yTrain, xTest, yTest, err := LoadMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !xTrain.Shape().Eq([]int{4, 2, 3}) || !yTest.Shape().Eq([]int{4}) || !xTest.Shape().Eq([]int{4, 2, 3}) {
		t.Fatalf("shapes %v %v %v", xTrain.Shape(), xTest.Shape(), yTest.Shape())
	}
	if px := xTrain.Data().([]float32); px[1] != 7 || px[23] != float32(byte(23*7)) {
		t.Errorf("pixels %v", px)
	}
	if y := yTrain.Data().([]int); y[3] != 3 {
		t.Errorf("labels %v", y)
	}

	tests := []struct {
		name  string
		spoil func(dir string)
		want  []string
	}{
		{"truncated images", func(d string) {
			writeIDX(t, filepath.Join(d, "train-images-idx3-ubyte.gz"), []uint32{4, 2, 3}, make([]byte, 24), 16+10)
		}, []string{"train-images-idx3-ubyte.gz", "truncated", "need 24 bytes", "has 10"}},
		{"truncated header", func(d string) {
			writeIDX(t, filepath.Join(d, "t10k-labels-idx1-ubyte.gz"), []uint32{4}, make([]byte, 4), 6)
		}, []string{"t10k-labels-idx1-ubyte.gz", "truncated", "dimension 1 of 1"}},
		{"labels for images", func(d string) {
			writeIDX(t, filepath.Join(d, "train-images-idx3-ubyte.gz"), []uint32{4}, make([]byte, 4), -1)
		}, []string{"train-images-idx3-ubyte.gz", "expected 00 00 08 03"}},
		{"count mismatch", func(d string) {
			writeIDX(t, filepath.Join(d, "t10k-labels-idx1-ubyte.gz"), []uint32{3}, make([]byte, 3), -1)
		}, []string{"t10k-images-idx3-ubyte.gz holds 4 images but t10k-labels-idx1-ubyte.gz 3 labels"}},
		{"not gzip", func(d string) {
			os.WriteFile(filepath.Join(d, "train-labels-idx1-ubyte.gz"), []byte("plain"), 0o644)
		}, []string{"train-labels-idx1-ubyte.gz", "not a gzip file"}},
		{"missing", func(d string) {
			os.Remove(filepath.Join(d, "t10k-images-idx3-ubyte.gz"))
		}, []string{"t10k-images-idx3-ubyte.gz not found", filepath.Join("data", "mnist")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := t.TempDir()
			fakeMNIST(t, d, 4)
			tt.spoil(d)
			_, _, _, _, err := LoadMNIST(d)
			if err == nil {
				t.Fatal("no error")
			}
			if missing := errors.Is(err, os.ErrNotExist); missing != (tt.name == "missing") {
				t.Errorf("errors.Is(err, os.ErrNotExist) = %v for %v", missing, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestLoadMNISTReal reads the real test files (the training files take the same path, six
// times longer, too slow under -race for what they would add).
func TestLoadMNISTReal(t *testing.T) {
	path := testenv.DataFile(t, "mnist/t10k-labels-idx1-ubyte.gz")
	x, y, err := loadMNISTPair(filepath.Dir(path), mnistTestImages, mnistTestLabels)
	if err != nil {
		t.Fatal(err)
	}
	if !x.Shape().Eq([]int{10000, 28, 28}) || !y.Shape().Eq([]int{10000}) {
		t.Fatalf("shapes %v %v", x.Shape(), y.Shape())
	}
	// The first test digit is a 7, the second a 2 (as in Keras's copy); pixels span 0..255.
	labels := y.Data().([]int)
	if labels[0] != 7 || labels[1] != 2 {
		t.Errorf("first labels %v, want 7 2", labels[:2])
	}
	var lo, hi float32 = 255, 0
	for _, v := range x.Data().([]float32) {
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo != 0 || hi != 255 {
		t.Errorf("pixels span %v..%v, want 0..255", lo, hi)
	}
}
