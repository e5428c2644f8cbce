package saving

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras/internal/errs"
	"github.com/kerago/kerago/keras/internal/hdf5"
)

// TestMarshalConfigPythonFloats checks that floats keep a decimal point, as Python writes
// them: Keras tests some arguments with isinstance(x, float), and json.loads makes 0 an int.
func TestMarshalConfigPythonFloats(t *testing.T) {
	b, err := MarshalConfig(map[string]any{"momentum": 0.0, "lr": 1e-20, "units": 4, "list": []any{1.0, "relu"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"momentum":0.0`, `"lr":1e-20`, `"units":4`, `"list":[1.0,"relu"]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("MarshalConfig wrote %s, want it to contain %s", b, want)
		}
	}
}

// TestArchiveRoundTrip checks that WriteArchive's zip holds Keras's three members, stored,
// and that ReadArchive gives back the config and the weights file.
func TestArchiveRoundTrip(t *testing.T) {
	f := hdf5.NewFile()
	if _, err := f.Root.CreateDataset("layers/dense/vars/0", []int{2}, []float32{1.5, -2}); err != nil {
		t.Fatal(err)
	}
	weights, err := f.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteArchive(&buf, []byte(`{"class_name":"Functional","config":{"name":"m"}}`), weights); err != nil {
		t.Fatal(err)
	}
	if !IsZip(buf.Bytes()) {
		t.Fatal("WriteArchive's output does not start like a zip")
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range zr.File {
		names = append(names, m.Name)
		if m.Method != zip.Store {
			t.Errorf("%s is compressed (method %d); Keras stores members", m.Name, m.Method)
		}
		if m.Name == "metadata.json" {
			rc, _ := m.Open()
			var meta map[string]any
			if err := json.NewDecoder(rc).Decode(&meta); err != nil || meta["keras_version"] != KerasVersion {
				t.Errorf("metadata.json: %v, %v", meta, err)
			}
			rc.Close()
		}
	}
	if strings.Join(names, ",") != "metadata.json,config.json,model.weights.h5" {
		t.Errorf("members %v", names)
	}
	a, err := ReadArchive(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if a.Config["class_name"] != "Functional" {
		t.Errorf("config read back as %v", a.Config)
	}
	d, ok := a.Weights.Root.Dataset("layers/dense/vars/0")
	if !ok {
		t.Fatal("weights read back without layers/dense/vars/0")
	}
	if v, err := d.Float32s(); err != nil || v[0] != 1.5 || v[1] != -2 {
		t.Errorf("weights read back as %v, %v", v, err)
	}
}

// TestArchiveBombRefused checks that a deflated member declaring more than ExpansionLimit
// of its compressed size is refused, naming the member, before it is inflated: the member
// here declares 1 GiB for a few bytes of deflate data.
func TestArchiveBombRefused(t *testing.T) {
	var raw bytes.Buffer
	fw, _ := flate.NewWriter(&raw, flate.BestSpeed)
	fw.Write(make([]byte, 1024))
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("config.json")
	w.Write([]byte(`{"class_name":"Functional","config":{}}`))
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "model.weights.h5", Method: zip.Deflate,
		CompressedSize64: uint64(raw.Len()), UncompressedSize64: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(raw.Bytes())
	zw.Close()
	if limit := ExpansionLimit(uint64(raw.Len())); limit >= 1<<30 {
		t.Fatalf("ExpansionLimit(%d) = %d lets 1 GiB through", raw.Len(), limit)
	}
	_, err = ReadArchive(buf.Bytes())
	if !errors.Is(err, errs.FileFormat) || !strings.Contains(err.Error(), "model.weights.h5 would expand") {
		t.Errorf("got %v, want an error wrapping %v saying model.weights.h5 would expand too far", err, errs.FileFormat)
	}
}
