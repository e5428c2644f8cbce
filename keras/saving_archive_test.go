package keras_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
)

// TestArchiveMembers checks how .keras members are read: a deflated archive (a .keras file
// re-zipped by a user's tool) loads like the stored one Keras writes, and a deflated member
// whose declared size or checksum is wrong is refused.
func TestArchiveMembers(t *testing.T) {
	dir := t.TempDir()
	good := paddedModel(t, dir, "good.keras")
	members := archiveMembers(t, good)

	deflated := filepath.Join(dir, "deflated.keras")
	writeArchive(t, deflated, members, zip.Deflate)
	if _, err := keras.LoadModel(deflated); err != nil {
		t.Fatalf("a deflated archive: %v", err)
	}

	// The weights deflated, with a wrong size or checksum in the headers.
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestSpeed)
	fw.Write(members["model.weights.h5"])
	fw.Close()
	weights := members["model.weights.h5"]
	for _, tc := range []struct {
		name string
		size uint64
		crc  uint32
		want string
	}{
		{"declares fewer bytes", uint64(len(weights)) - 100, crc32.ChecksumIEEE(weights), "expands beyond its declared"},
		{"declares more bytes", uint64(len(weights)) + 100, crc32.ChecksumIEEE(weights), "shorter than its declared"},
		{"wrong checksum", uint64(len(weights)), crc32.ChecksumIEEE(weights) ^ 1, "corrupt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			for _, name := range []string{"metadata.json", "config.json"} {
				w, _ := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
				w.Write(members[name])
			}
			w, err := zw.CreateRaw(&zip.FileHeader{Name: "model.weights.h5", Method: zip.Deflate,
				CRC32: tc.crc, CompressedSize64: uint64(z.Len()), UncompressedSize64: tc.size})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(z.Bytes())
			zw.Close()
			p := filepath.Join(dir, "lying.keras")
			if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = keras.LoadModel(p)
			if !errors.Is(err, keras.ErrFileFormat) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}

	t.Run("stored member with a wrong checksum", func(t *testing.T) {
		b, err := os.ReadFile(good)
		if err != nil {
			t.Fatal(err)
		}
		// Flip a byte inside the stored weights (after the HDF5 signature).
		i := bytes.Index(b, []byte("\x89HDF\r\n\x1a\n"))
		if i < 0 {
			t.Fatal("no HDF5 member")
		}
		b[i+200] ^= 0xff
		p := filepath.Join(dir, "flipped.keras")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = keras.LoadModel(p)
		if !errors.Is(err, keras.ErrFileFormat) || !strings.Contains(err.Error(), "checksum mismatch") {
			t.Fatalf("got %v, want a checksum error", err)
		}
	})
}
