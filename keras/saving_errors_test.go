package keras_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	G "gorgonia.org/gorgonia"
)

// badConfigLayer is an identity layer whose config cannot be written as JSON: saving a model
// that holds it fails after the weights were encoded.
type badConfigLayer struct{ keras.LayerBase }

func newBadConfigLayer() *badConfigLayer {
	l := &badConfigLayer{}
	l.Init("BadConfig", "")
	return l
}

func (l *badConfigLayer) ClassName() string                                    { return "BadConfig" }
func (l *badConfigLayer) Build([]keras.Shape) error                            { return nil }
func (l *badConfigLayer) Config() map[string]any                               { return map[string]any{"f": func() {}} }
func (l *badConfigLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) { return in, nil }
func (l *badConfigLayer) Forward(_ *keras.Context, in []*G.Node) ([]*G.Node, error) {
	return in, nil
}

// savedMLP saves a trained MLP to dir/name and returns the model and the path.
func savedMLP(t *testing.T, dir, name string) (*keras.Model, string) {
	t.Helper()
	keras.SetRandomSeed(1)
	c := zoo()[0]
	m := c.build(t)
	fitOnce(t, m, c, 2)
	p := filepath.Join(dir, name)
	var err error
	if strings.HasSuffix(name, ".weights.h5") {
		err = m.SaveWeights(p)
	} else {
		err = m.Save(p)
	}
	if err != nil {
		t.Fatal(err)
	}
	return m, p
}

// noTemporaryFiles fails if a save left a temporary file in dir.
func noTemporaryFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// TestFailedSaveKeepsEarlierFile checks that a save that fails leaves the file an earlier save
// wrote at that path byte for byte, and no temporary file.
func TestFailedSaveKeepsEarlierFile(t *testing.T) {
	for _, name := range []string{"m.keras", "m.h5"} {
		t.Run("config fails midway/"+name, func(t *testing.T) {
			dir := t.TempDir()
			_, p := savedMLP(t, dir, name)
			before, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			in := keras.Input(keras.Shape{8})
			out := layers.Dense(3).Call(keras.CallOne(newBadConfigLayer(), in))
			bad, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
			if err != nil {
				t.Fatal(err)
			}
			err = bad.Save(p)
			if err == nil {
				t.Fatal("Save of a model whose config cannot be encoded succeeded")
			}
			if !strings.Contains(err.Error(), p) {
				t.Errorf("error %q does not name the file", err)
			}
			after, err := os.ReadFile(p)
			if err != nil || !bytes.Equal(before, after) {
				t.Errorf("the earlier file changed (%v)", err)
			}
			noTemporaryFiles(t, dir)
			if _, err := keras.LoadModel(p); err != nil {
				t.Errorf("the earlier file no longer loads: %v", err)
			}
		})
	}
	t.Run("target is a directory", func(t *testing.T) {
		dir := t.TempDir()
		m, _ := savedMLP(t, dir, "other.keras")
		p := filepath.Join(dir, "m.keras")
		if err := os.MkdirAll(filepath.Join(p, "keep"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := m.Save(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("Save over a directory: %v", err)
		}
		if _, err := os.Stat(filepath.Join(p, "keep")); err != nil {
			t.Errorf("the directory was changed: %v", err)
		}
		noTemporaryFiles(t, dir)
	})
	t.Run("missing directory", func(t *testing.T) {
		dir := t.TempDir()
		m, _ := savedMLP(t, dir, "other.keras")
		p := filepath.Join(dir, "no", "such", "m.keras")
		err := m.Save(p)
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), p) {
			t.Errorf("Save into a missing directory: %v", err)
		}
	})
	t.Run("unwritable directory", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root writes into read-only directories")
		}
		dir := t.TempDir()
		m, p := savedMLP(t, dir, "m.keras")
		before, _ := os.ReadFile(p)
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(dir, 0o755)
		if err := m.Save(p); err == nil {
			t.Error("Save into a read-only directory succeeded")
		}
		if after, _ := os.ReadFile(p); !bytes.Equal(before, after) {
			t.Error("the earlier file changed")
		}
	})
}

func TestSaveRejectsUnknownFormats(t *testing.T) {
	keras.SetRandomSeed(1)
	m := zoo()[0].build(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		do   func(string) error
		file string
	}{
		{"Save .txt", m.Save, "m.txt"},
		{"Save .weights", m.Save, "m.weights"},
		{"SaveWeights .h5", m.SaveWeights, "m.h5"},
		{"SaveWeights .keras", m.SaveWeights, "m.keras"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.file)
			err := tc.do(p)
			if !errors.Is(err, keras.ErrInvalidArgument) || !strings.Contains(err.Error(), p) {
				t.Errorf("got %v, want ErrInvalidArgument naming %s", err, p)
			}
			if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a file was written: %v", err)
			}
		})
	}
}

// rewriteArchive copies a .keras archive, passing config.json through edit.
func rewriteArchive(t *testing.T, src, dst string, edit func(string) string) {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == "config.json" {
			b = []byte(edit(string(b)))
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	_, mlp := savedMLP(t, dir, "mlp.keras")
	_, weights := savedMLP(t, dir, "mlp.weights.h5")
	_, legacy := savedMLP(t, dir, "mlp.h5")
	edited := func(name string, edit func(string) string) string {
		p := filepath.Join(dir, name)
		rewriteArchive(t, mlp, p, edit)
		return p
	}
	garbage := filepath.Join(dir, "garbage.keras")
	os.WriteFile(garbage, []byte("not a model at all"), 0o644)
	for _, tc := range []struct {
		name     string
		path     string
		opts     []keras.LoadOption
		want     error
		contains string
	}{
		{"unknown layer class", edited("mystery.keras", func(s string) string {
			return strings.Replace(s, `"class_name":"Dense"`, `"class_name":"MysteryLayer"`, 1)
		}), nil, keras.ErrUnknownName, "MysteryLayer"},
		{"unknown optimizer", edited("opt.keras", func(s string) string {
			return strings.Replace(s, `"class_name":"Adam"`, `"class_name":"Adafactor"`, 1)
		}), nil, keras.ErrUnknownName, "Adafactor"},
		{"unknown loss", edited("loss.keras", func(s string) string {
			return strings.Replace(s, `"loss":"categorical_crossentropy"`, `"loss":"focal_loss"`, 1)
		}), nil, keras.ErrUnknownName, "focal_loss"},
		{"weights too large for the file", edited("huge.keras", func(s string) string {
			return strings.Replace(s, `"units":16`, `"units":1000000000`, 1)
		}), nil, keras.ErrFileFormat, "weights file holds"},
		{"weights of another shape", edited("shape.keras", func(s string) string {
			return strings.Replace(s, `"units":16`, `"units":15`, 1)
		}), nil, keras.ErrShape, "layers/dense/vars/0"},
		{"unsupported setting", edited("reg.keras", func(s string) string {
			return strings.Replace(s, `"activity_regularizer":null`, `"activity_regularizer":{"class_name":"L2","config":{"l2":0.01}}`, 1)
		}), nil, keras.ErrInvalidArgument, "activity_regularizer"},
		{"weights-only file", weights, nil, keras.ErrFileFormat, "weights only"},
		{"not a model file", garbage, nil, keras.ErrFileFormat, "neither"},
		{"missing file", filepath.Join(dir, "nope.keras"), nil, fs.ErrNotExist, "nope.keras"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := keras.LoadModel(tc.path, tc.opts...)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.contains) || !strings.Contains(err.Error(), tc.path) {
				t.Fatalf("LoadModel: got (%v, %v), want an error wrapping %v that names %q and the file", m, err, tc.want, tc.contains)
			}
		})
	}
	t.Run("LoadCompile(false) skips an unknown optimizer", func(t *testing.T) {
		p := filepath.Join(dir, "opt.keras")
		m, err := keras.LoadModel(p, keras.LoadCompile(false))
		if err != nil || m.Optimizer() != nil {
			t.Fatalf("got (%v, %v), want an uncompiled model", m, err)
		}
	})
	t.Run("legacy file into a model of another shape", func(t *testing.T) {
		in := keras.Input(keras.Shape{8})
		other, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.Dense(4).Call(in)))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{legacy, weights, mlp} {
			before := flat(t, other.Weights()[0])
			err := other.LoadWeights(p)
			if !errors.Is(err, keras.ErrShape) && !errors.Is(err, keras.ErrFileFormat) || !strings.Contains(err.Error(), p) {
				t.Errorf("LoadWeights(%s): %v", filepath.Base(p), err)
			}
			if after := flat(t, other.Weights()[0]); !equalFloats(before, after) {
				t.Errorf("LoadWeights(%s) changed weights although it failed", filepath.Base(p))
			}
		}
	})
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestLoadCorruptArchives truncates and flips bytes of a valid archive and a valid legacy
// file: LoadModel must return an error (never panic, never an internal error) and leave the
// file as it was.
func TestLoadCorruptArchives(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"m.keras", "m.h5"} {
		_, p := savedMLP(t, dir, name)
		orig, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var variants [][]byte
		for _, n := range []int{0, 1, 4, 30, 100, len(orig) / 3, len(orig) / 2, len(orig) - 22, len(orig) - 1} {
			variants = append(variants, orig[:n])
		}
		for off := 0; off < len(orig); off += len(orig)/97 + 1 {
			v := append([]byte(nil), orig...)
			v[off] ^= 0xA5
			variants = append(variants, v)
		}
		for i, v := range variants {
			checkLoadFails(t, filepath.Join(dir, "corrupt-"+name), v, i)
		}
	}
}

// checkLoadFails writes data to path and loads it: a failure must be an ordinary error and
// the file must be unchanged.
func checkLoadFails(t *testing.T, path string, data []byte, i int) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := keras.LoadModel(path)
	if errors.Is(err, keras.ErrInternal) {
		t.Errorf("variant %d: internal error (a panic): %v", i, err)
	}
	if err != nil && !strings.Contains(err.Error(), path) {
		t.Errorf("variant %d: error does not name the file: %v", i, err)
	}
	after, rerr := os.ReadFile(path)
	if rerr != nil || !bytes.Equal(after, data) {
		t.Errorf("variant %d: LoadModel changed the file", i)
	}
}

// FuzzLoadModel loads .keras archives made of a fuzzed config.json and a fuzzed
// model.weights.h5, seeded with the members of valid archives, and whole fuzzed files: every
// outcome is a model or an ordinary error, never a panic, and the file is left unchanged.
func FuzzLoadModel(f *testing.F) {
	dir := f.TempDir()
	keras.SetRandomSeed(1)
	for _, c := range zoo() {
		switch c.name {
		case "mlp", "qa", "nested", "three_outputs", "recurrent":
		default:
			continue
		}
		m := c.build(&testing.T{})
		p := filepath.Join(dir, c.name+".keras")
		if err := m.Save(p); err != nil {
			f.Fatal(err)
		}
		zr, err := zip.OpenReader(p)
		if err != nil {
			f.Fatal(err)
		}
		members := map[string][]byte{}
		for _, zf := range zr.File {
			rc, _ := zf.Open()
			members[zf.Name], _ = io.ReadAll(rc)
			rc.Close()
		}
		zr.Close()
		f.Add(members["config.json"], members["model.weights.h5"], false)
		whole, _ := os.ReadFile(p)
		f.Add(whole, []byte(nil), true)
	}
	f.Fuzz(func(t *testing.T, config, weights []byte, raw bool) {
		data := config
		if !raw {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			for _, e := range []struct {
				name string
				b    []byte
			}{{"metadata.json", []byte(`{"keras_version": "3.15.1"}`)}, {"config.json", config}, {"model.weights.h5", weights}} {
				w, _ := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Store})
				w.Write(e.b)
			}
			zw.Close()
			data = buf.Bytes()
		}
		checkLoadFails(t, filepath.Join(t.TempDir(), "m.keras"), data, 0)
	})
}
